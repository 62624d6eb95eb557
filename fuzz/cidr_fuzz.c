/*
 * cidr_fuzz.c: libFuzzer target for csrc/cidr.c, the address parser and the
 * BlockList matcher.
 *
 * The first byte picks what the rest is:
 *
 *   even  text for the parsers, compared with libuv's own (uv_inet_pton,
 *         uv_ip6_addr, uv_inet_ntop, which are what Node uses), and read
 *         back after formatting;
 *   odd   a program of additions and checks for the matcher, whose every
 *         answer is compared with a plain model that applies the rules one
 *         by one as Node does, comparing addresses as Node compares them.
 *
 * Any disagreement aborts, so that libFuzzer keeps the input.  Build with
 * fuzz/run, or by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icsrc \
 *     fuzz/cidr_fuzz.c csrc/cidr.c -luv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "cidr.h"

#define CHECK(cond, what)                                                      \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "cidr_fuzz: %s (%s:%d)\n", what, __FILE__, __LINE__);    \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* Parsers ----------------------------------------------------------------- */

static void fuzz_text(const uint8_t *data, size_t size) {
  const char *s = (const char *) data;
  char cstr[256];
  uint8_t ours[16];
  uint8_t theirs[16];
  char text[CIDR_ADDRSTRLEN];
  char uvtext[64];
  int family;
  int kind = cidr_isip(s, size);

  /* net.isIP agrees with the strict parsers. */
  if (kind == 4)
    CHECK(cidr_parse4(s, size, ours) == 0, "isIP 4 but not IPv4");
  if (kind == 6) {
    const char *pct = (const char *) memchr(s, '%', size);
    size_t len = pct ? (size_t) (pct - s) : size;
    CHECK(cidr_parse6(s, len, ours) == 0, "isIP 6 but not IPv6");
  }

  if (size >= sizeof(cstr) || memchr(s, '\0', size) != NULL)
    return;
  memcpy(cstr, s, size);
  cstr[size] = '\0';

  for (family = CIDR_IPV4; family <= CIDR_IPV6; family += 2) {
    int mine = cidr_pton(family, s, size, ours);
    int uv;
    size_t n;

    if (family == CIDR_IPV4) {
      uv = uv_inet_pton(AF_INET, cstr, theirs);
    } else if (strchr(cstr, '%') != NULL) {
      struct sockaddr_in6 sa;
      uv = uv_ip6_addr(cstr, 0, &sa);
      memcpy(theirs, &sa.sin6_addr, 16);
    } else {
      uv = uv_inet_pton(AF_INET6, cstr, theirs);
    }
    CHECK((mine == 0) == (uv == 0), "accepts what libuv refuses or back");
    if (mine != 0)
      continue;
    CHECK(memcmp(ours, theirs, family == CIDR_IPV4 ? 4 : 16) == 0,
          "reads other bytes than libuv");

    /* The text form is libuv's, and reads back to the same bytes. */
    n = cidr_format(family, ours, text);
    CHECK(n == strlen(text) && n < CIDR_ADDRSTRLEN, "format length");
    CHECK(uv_inet_ntop(family == CIDR_IPV4 ? AF_INET : AF_INET6, ours, uvtext,
                       sizeof(uvtext)) == 0,
          "libuv cannot format");
    CHECK(strcmp(text, uvtext) == 0, "formats otherwise than libuv");
    CHECK(cidr_isip(text, n) == family, "format is not an address");
    CHECK(cidr_pton(family, text, n, theirs) == 0 &&
              memcmp(ours, theirs, family == CIDR_IPV4 ? 4 : 16) == 0,
          "format does not read back");
  }
}

/* A model of Node's rules ------------------------------------------------- */

typedef struct {
  int family;
  uint8_t b[16];
} addr;

enum { R_ADDRESS, R_RANGE, R_SUBNET };

typedef struct {
  int kind;
  addr a;
  addr b;
  int prefix;
} rule;

#define MAX_RULES 4096

static const uint8_t mapped_head[12] = { 0, 0, 0, 0, 0,    0,
                                         0, 0, 0, 0, 0xff, 0xff };

static int mapped(const addr *x) {
  return x->family == CIDR_IPV6 && memcmp(x->b, mapped_head, 12) == 0;
}

static int sign(int c) {
  return c < 0 ? -1 : c > 0;
}

/* -1, 0 or 1 as Node orders two addresses, or 2 when they do not compare:
 * an IPv4 address only compares with IPv4 and mapped IPv6 addresses. */
static int model_compare(const addr *x, const addr *y) {
  if (x->family == y->family)
    return sign(memcmp(x->b, y->b, x->family == CIDR_IPV4 ? 4 : 16));
  if (x->family == CIDR_IPV4)
    return mapped(y) ? sign(memcmp(x->b, y->b + 12, 4)) : 2;
  return mapped(x) ? sign(memcmp(x->b + 12, y->b, 4)) : 2;
}

/* Whether the first bits of two byte strings agree. */
static int same_bits(const uint8_t *x, const uint8_t *y, int bits) {
  int i;

  for (i = 0; i < bits; i++) {
    int bx = (x[i / 8] >> (7 - i % 8)) & 1;
    int by = (y[i / 8] >> (7 - i % 8)) & 1;
    if (bx != by)
      return 0;
  }
  return 1;
}

static int model_in_subnet(const addr *x, const addr *net, int prefix) {
  uint8_t as_v6[16];

  if (x->family == CIDR_IPV4 && net->family == CIDR_IPV4)
    return same_bits(x->b, net->b, prefix);
  if (x->family == CIDR_IPV6 && net->family == CIDR_IPV6)
    return same_bits(x->b, net->b, prefix);
  if (x->family == CIDR_IPV4) {
    memcpy(as_v6, mapped_head, 12);
    memcpy(as_v6 + 12, x->b, 4);
    return same_bits(as_v6, net->b, prefix);
  }
  return mapped(x) && same_bits(x->b + 12, net->b, prefix);
}

static int model_check(const rule *rules, int n, const addr *x) {
  int i;

  for (i = 0; i < n; i++) {
    const rule *r = &rules[i];
    int lo;
    int hi;
    switch (r->kind) {
    case R_ADDRESS:
      if (model_compare(&r->a, x) == 0)
        return 1;
      break;
    case R_RANGE:
      lo = model_compare(x, &r->a);
      hi = model_compare(x, &r->b);
      if ((lo == 0 || lo == 1) && (hi == 0 || hi == -1))
        return 1;
      break;
    default:
      if (model_in_subnet(x, &r->a, r->prefix))
        return 1;
      break;
    }
  }
  return 0;
}

/* The matcher against the model ------------------------------------------- */

typedef struct {
  const uint8_t *p;
  size_t left;
} reader;

static unsigned next_byte(reader *r) {
  if (r->left == 0)
    return 0;
  r->left--;
  return *r->p++;
}

/* Addresses near the edges that matter: IPv4 and its mapped block, and the
 * IPv6 neighbours of that block. */
static void read_addr(reader *r, addr *x) {
  static const uint32_t v4_bases[] = { 0x00000000, 0x0a000000, 0x7f000001,
                                       0xc0a80100, 0xffffff00, 0x80000000 };
  static const uint8_t v6_bases[][16] = {
    { 0 },
    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xf0 },
    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 },
    { 0x20, 0x01, 0x0d, 0xb8 },
    { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xf0 },
  };
  unsigned sel = next_byte(r);
  unsigned offset = next_byte(r);
  uint32_t v = v4_bases[(sel >> 2) % 6] + offset;
  int k;

  if (sel & 0x80)
    v ^= (uint32_t) next_byte(r) << (8 * ((sel >> 5) & 3));
  if ((sel & 3) == 0) {
    x->family = CIDR_IPV4;
    memset(x->b, 0, 16);
    x->b[0] = (uint8_t) (v >> 24);
    x->b[1] = (uint8_t) (v >> 16);
    x->b[2] = (uint8_t) (v >> 8);
    x->b[3] = (uint8_t) v;
    return;
  }
  x->family = CIDR_IPV6;
  if ((sel & 3) == 1) {
    memcpy(x->b, mapped_head, 12);
    x->b[12] = (uint8_t) (v >> 24);
    x->b[13] = (uint8_t) (v >> 16);
    x->b[14] = (uint8_t) (v >> 8);
    x->b[15] = (uint8_t) v;
    return;
  }
  memcpy(x->b, v6_bases[(sel >> 2) % 5], 16);
  /* Add the offset to the low bytes, carrying. */
  for (k = 15; k >= 0 && offset != 0; k--) {
    unsigned sum = x->b[k] + (offset & 0xff);
    x->b[k] = (uint8_t) sum;
    offset = (offset >> 8) + (sum >> 8);
  }
  if ((sel & 3) == 3)
    x->b[next_byte(r) % 16] ^= (uint8_t) next_byte(r);
}

static void fuzz_matcher(const uint8_t *data, size_t size) {
  static rule rules[MAX_RULES];
  reader r;
  cidr_list *l = cidr_list_new();
  int n = 0;
  size_t i;
  char text[CIDR_RULESTRLEN];

  CHECK(l != NULL, "out of memory");
  r.p = data;
  r.left = size;
  while (r.left > 0) {
    unsigned op = next_byte(&r) % 4;
    rule nr;
    int rc;
    int max;

    memset(&nr, 0, sizeof(nr));
    read_addr(&r, &nr.a);
    if (op == 3) {
      int got = cidr_list_check(l, nr.a.family, nr.a.b);
      CHECK(got == model_check(rules, n, &nr.a), "check differs from Node");
      continue;
    }
    if (n == MAX_RULES)
      continue;
    if (op == 0) {
      nr.kind = R_ADDRESS;
      rc = cidr_list_add_address(l, nr.a.family, nr.a.b);
    } else if (op == 1) {
      nr.kind = R_RANGE;
      read_addr(&r, &nr.b);
      rc = cidr_list_add_range(l, nr.a.family, nr.a.b, nr.b.family, nr.b.b);
      CHECK((rc == CIDR_EORDER) == (model_compare(&nr.a, &nr.b) == 1),
            "range order differs from Node");
    } else {
      nr.kind = R_SUBNET;
      max = nr.a.family == CIDR_IPV4 ? 32 : 128;
      nr.prefix = (int) (next_byte(&r) % (unsigned) (max + 3)) - 1;
      rc = cidr_list_add_subnet(l, nr.a.family, nr.a.b, nr.prefix);
      CHECK((rc == CIDR_EINVAL) == (nr.prefix < 0 || nr.prefix > max),
            "prefix range");
    }
    CHECK(rc != CIDR_ENOMEM, "out of memory");
    if (rc == CIDR_OK)
      rules[n++] = nr;
  }

  /* Every rule is listed, newest first, and reads back. */
  CHECK(cidr_list_count(l) == (size_t) n, "rule count");
  for (i = 0; i < (size_t) n; i++) {
    const rule *want = &rules[n - 1 - i];
    size_t len = cidr_list_rule(l, i, text);
    char *space;
    uint8_t back[16];
    CHECK(len == strlen(text) && len < CIDR_RULESTRLEN, "rule length");
    space = strchr(text, ' ');
    CHECK(space != NULL && strchr(space + 1, ' ') != NULL, "rule text");
    space = strchr(space + 1, ' ') + 1;
    if (want->kind == R_ADDRESS)
      CHECK(cidr_pton(want->a.family, space, strlen(space), back) == 0 &&
                memcmp(back, want->a.b, want->a.family == 4 ? 4 : 16) == 0,
            "address rule text");
  }
  cidr_list_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  if (data[0] & 1)
    fuzz_matcher(data + 1, size - 1);
  else
    fuzz_text(data + 1, size - 1);
  return 0;
}
