/*
 * cidr.c: IP address parsing and formatting, and the BlockList matcher.
 *
 * The parsers accept what Node accepts: net.isIP's grammar, and for socket
 * addresses what libuv's uv_ip4_addr and uv_ip6_addr read.  The formatter
 * writes what libuv's uv_inet_ntop writes, which is what Node shows.
 *
 * The matcher keeps the rules as they were added (for blockList.rules) and,
 * beside them, three sets of disjoint intervals:
 *
 *   v4      what an IPv4 address is checked against;
 *   mapped  what an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is checked
 *           against, by its IPv4 part;
 *   v6      what any other IPv6 address is checked against.
 *
 * Each rule becomes one interval of the 128-bit IPv6 space, IPv4 addresses
 * taking their mapped place, and goes to the sets it applies to.  Address
 * and subnet rules apply to all three.  A range applies the way Node
 * compares addresses: an IPv4 address and an IPv6 address that is not
 * mapped do not compare at all, so a range reaches IPv4 addresses only if
 * both its ends are IPv4 or mapped, and unmapped IPv6 addresses only if both
 * its ends are IPv6; mapped addresses compare with everything.
 *
 * New intervals are appended unsorted.  A check scans a few of them; once
 * more have piled up it sorts them and merges them into the sorted part, so
 * that checks cost O(log n) and a long run of additions costs O(n log n).
 */
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

/* A check scans up to this many unsorted intervals before sorting them. */
#define PENDING_MAX 32

/* Parsing ----------------------------------------------------------------- */

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int cidr_parse4(const char *s, size_t len, uint8_t out[4]) {
  uint8_t parts[4];
  size_t i = 0;
  int part;

  for (part = 0; part < 4; part++) {
    unsigned value = 0;
    size_t digits = 0;

    if (part > 0) {
      if (i >= len || s[i] != '.')
        return -1;
      i++;
    }
    while (i < len && s[i] >= '0' && s[i] <= '9') {
      if (digits > 0 && value == 0)
        return -1; /* A leading zero. */
      value = value * 10 + (unsigned) (s[i] - '0');
      if (value > 255)
        return -1;
      digits++;
      i++;
    }
    if (digits == 0)
      return -1;
    parts[part] = (uint8_t) value;
  }
  if (i != len)
    return -1;
  memcpy(out, parts, 4);
  return 0;
}

int cidr_parse6(const char *s, size_t len, uint8_t out[16]) {
  unsigned words[8];
  int n = 0; /* Groups read so far. */
  int gap = -1; /* The group where "::" stands, if any. */
  size_t i = 0;

  if (len > 0 && s[0] == ':') {
    if (len < 2 || s[1] != ':')
      return -1;
    gap = 0;
    i = 2;
  }
  while (i < len) {
    size_t start = i;
    unsigned value = 0;
    int digits = 0;
    int d;

    /* Read up to five hex digits, one more than a group may have. */
    while (i < len && digits <= 4 && (d = hexval(s[i])) >= 0) {
      value = value * 16 + (unsigned) d;
      digits++;
      i++;
    }
    if (i < len && s[i] == '.') {
      /* An IPv4 tail: it ends the text and takes two groups. */
      uint8_t v4[4];
      if (digits == 0 || n > 6 || cidr_parse4(s + start, len - start, v4))
        return -1;
      words[n++] = (unsigned) v4[0] << 8 | v4[1];
      words[n++] = (unsigned) v4[2] << 8 | v4[3];
      break;
    }
    if (digits == 0 || digits > 4 || n == 8)
      return -1;
    words[n++] = value;
    if (i == len)
      break;
    if (s[i] != ':')
      return -1;
    i++;
    if (i < len && s[i] == ':') {
      if (gap >= 0)
        return -1;
      gap = n;
      i++;
    } else if (i == len) {
      return -1; /* A single trailing colon. */
    }
  }

  if (gap >= 0) {
    /* "::" must stand for at least one group. */
    int tail = n - gap;
    if (n > 7)
      return -1;
    memmove(words + 8 - tail, words + gap, (size_t) tail * sizeof(words[0]));
    for (int k = gap; k < 8 - tail; k++)
      words[k] = 0;
  } else if (n != 8) {
    return -1;
  }
  for (size_t j = 0; j < 8; j++) {
    out[2 * j] = (uint8_t) (words[j] >> 8);
    out[2 * j + 1] = (uint8_t) (words[j] & 0xff);
  }
  return 0;
}

/* The characters net.isIP allows in a zone id. */
static int zonechar(int c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == ':';
}

int cidr_isip(const char *s, size_t len) {
  uint8_t addr[16];
  const char *pct;

  if (cidr_parse4(s, len, addr) == 0)
    return 4;
  pct = (const char *) memchr(s, '%', len);
  if (pct != NULL) {
    size_t at = (size_t) (pct - s);
    size_t i;
    if (at + 1 == len)
      return 0;
    for (i = at + 1; i < len; i++)
      if (!zonechar((unsigned char) s[i]))
        return 0;
    len = at;
  }
  return cidr_parse6(s, len, addr) == 0 ? 6 : 0;
}

int cidr_pton(int family, const char *s, size_t len, uint8_t out[16]) {
  const char *end = (const char *) memchr(s, '\0', len);

  if (end != NULL)
    len = (size_t) (end - s);
  if (family == CIDR_IPV4)
    return cidr_parse4(s, len, out);
  if (family != CIDR_IPV6)
    return -1;
  end = (const char *) memchr(s, '%', len);
  if (end != NULL) {
    /* libuv copies the part before the zone into 40 bytes, NUL included. */
    len = (size_t) (end - s);
    if (len > 39)
      len = 39;
  }
  return cidr_parse6(s, len, out);
}

/* Formatting -------------------------------------------------------------- */

static size_t put_decimal(char *out, unsigned value) {
  char digits[10];
  size_t n = 0;
  size_t i;

  do {
    digits[n++] = (char) ('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (i = 0; i < n; i++)
    out[i] = digits[n - 1 - i];
  return n;
}

static size_t put_dotted(char *out, const uint8_t *a) {
  size_t n = 0;
  int i;

  for (i = 0; i < 4; i++) {
    if (i > 0)
      out[n++] = '.';
    n += put_decimal(out + n, a[i]);
  }
  return n;
}

static size_t put_hex(char *out, unsigned value) {
  static const char xdigits[] = "0123456789abcdef";
  size_t n = 0;
  int shift;
  int started = 0;

  for (shift = 12; shift >= 0; shift -= 4) {
    unsigned d = (value >> shift) & 0xf;
    if (d != 0 || started || shift == 0) {
      out[n++] = xdigits[d];
      started = 1;
    }
  }
  return n;
}

size_t cidr_format(int family, const uint8_t *a, char *out) {
  unsigned words[8];
  int best = -1;
  int bestlen = 0;
  size_t n = 0;
  int i;

  if (family == CIDR_IPV4) {
    n = put_dotted(out, a);
    out[n] = '\0';
    return n;
  }
  for (size_t j = 0; j < 8; j++)
    words[j] = (unsigned) a[2 * j] << 8 | a[2 * j + 1];

  /* The first longest run of zero groups, if two or more long. */
  for (i = 0; i < 8;) {
    int j = i;
    while (j < 8 && words[j] == 0)
      j++;
    if (j - i > bestlen) {
      best = i;
      bestlen = j - i;
    }
    i = j > i ? j : i + 1;
  }
  if (bestlen < 2)
    best = -1;

  for (i = 0; i < 8; i++) {
    if (best >= 0 && i >= best && i < best + bestlen) {
      if (i == best)
        out[n++] = ':';
      continue;
    }
    if (i > 0)
      out[n++] = ':';
    if (i == 6 && best == 0 &&
        (bestlen == 6 || (bestlen == 5 && words[5] == 0xffff))) {
      n += put_dotted(out + n, a + 12);
      break;
    }
    n += put_hex(out + n, words[i]);
  }
  if (best >= 0 && best + bestlen == 8)
    out[n++] = ':';
  out[n] = '\0';
  return n;
}

/* 128-bit values ---------------------------------------------------------- */

typedef struct {
  uint64_t hi;
  uint64_t lo;
} u128;

static const u128 mapped_lo = { 0, 0x0000ffff00000000ULL };
static const u128 mapped_hi = { 0, 0x0000ffffffffffffULL };

static uint64_t load64(const uint8_t *b) {
  uint64_t v = 0;
  int i;

  for (i = 0; i < 8; i++)
    v = v << 8 | b[i];
  return v;
}

static uint32_t load32(const uint8_t *b) {
  return (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 |
         b[3];
}

/* An address as a point of the IPv6 space: IPv4 takes its mapped place. */
static u128 unified(int family, const uint8_t *b) {
  u128 v;

  if (family == CIDR_IPV4) {
    v.hi = 0;
    v.lo = mapped_lo.lo | load32(b);
  } else {
    v.hi = load64(b);
    v.lo = load64(b + 8);
  }
  return v;
}

static int cmp128(u128 a, u128 b) {
  if (a.hi != b.hi)
    return a.hi < b.hi ? -1 : 1;
  if (a.lo != b.lo)
    return a.lo < b.lo ? -1 : 1;
  return 0;
}

static int is_mapped(u128 v) {
  return cmp128(v, mapped_lo) >= 0 && cmp128(v, mapped_hi) <= 0;
}

static int is_max128(u128 v) {
  return v.hi == UINT64_MAX && v.lo == UINT64_MAX;
}

static u128 next128(u128 v) {
  v.lo++;
  if (v.lo == 0)
    v.hi++;
  return v;
}

/* Interval sets ----------------------------------------------------------- */

struct span32 {
  uint32_t lo;
  uint32_t hi;
};

struct span128 {
  u128 lo;
  u128 hi;
};

/*
 * A search for the interval that may hold x reads one block per level of a
 * small static tree: level 0 is the sorted intervals themselves, and each
 * level above holds the first start of every block of the level below.  A
 * block of 16 IPv4 starts is one cache line, so that 100,000 intervals take
 * five reads, the upper ones nearly always cached, where a binary search
 * takes seventeen.  IPv6 starts are four times larger: their blocks hold 8.
 */
#define FANOUT32 16
#define FANOUT128 8
#define MAX_LEVELS 24
#define LINE 64

/*
 * Intervals [0, sorted) are sorted by start, disjoint and not adjacent;
 * [sorted, len) were appended since and are in no order.  upper holds the
 * levels above the sorted ones: level k (from 1 to levels - 1) has count[k]
 * starts from upper + at[k].
 */
struct set32 {
  struct span32 *v;
  size_t len;
  size_t sorted;
  size_t cap;
  uint32_t *upper;
  size_t at[MAX_LEVELS];
  size_t count[MAX_LEVELS];
  int levels;
};

struct set128 {
  struct span128 *v;
  size_t len;
  size_t sorted;
  size_t cap;
  u128 *upper;
  size_t at[MAX_LEVELS];
  size_t count[MAX_LEVELS];
  int levels;
};

/*
 * Returns the array v, of *cap elements of the given size of which len are
 * used, with room for one more: v itself, or v grown, or NULL.
 */
static void *grow(void *v, size_t *cap, size_t len, size_t size) {
  size_t ncap;
  void *p;

  if (len < *cap)
    return v;
  ncap = *cap ? *cap * 2 : 16;
  if (ncap > (size_t) -1 / size)
    return NULL;
  p = realloc(v, ncap * size);
  if (p != NULL)
    *cap = ncap;
  return p;
}

/* Memory for n elements of the given size, aligned to a cache line. */
static void *alloc_lines(size_t n, size_t size) {
  void *p;

  if (n == 0)
    n = 1;
  if (n > (size_t) -1 / size || posix_memalign(&p, LINE, n * size) != 0)
    return NULL;
  return p;
}

static int cmp_span32(const void *a, const void *b) {
  const struct span32 *x = (const struct span32 *) a;
  const struct span32 *y = (const struct span32 *) b;

  if (x->lo != y->lo)
    return x->lo < y->lo ? -1 : 1;
  if (x->hi != y->hi)
    return x->hi < y->hi ? -1 : 1;
  return 0;
}

static int cmp_span128(const void *a, const void *b) {
  const struct span128 *x = (const struct span128 *) a;
  const struct span128 *y = (const struct span128 *) b;
  int c = cmp128(x->lo, y->lo);

  return c != 0 ? c : cmp128(x->hi, y->hi);
}

/* Appends s to the merged intervals out[0, *n), joining what overlaps or
 * touches the last one. */
static void join32(struct span32 *out, size_t *n, struct span32 s) {
  if (*n > 0) {
    struct span32 *last = &out[*n - 1];
    if (last->hi == UINT32_MAX || s.lo <= last->hi + 1) {
      if (s.hi > last->hi)
        last->hi = s.hi;
      return;
    }
  }
  out[(*n)++] = s;
}

static void join128(struct span128 *out, size_t *n, struct span128 s) {
  if (*n > 0) {
    struct span128 *last = &out[*n - 1];
    if (is_max128(last->hi) || cmp128(s.lo, next128(last->hi)) <= 0) {
      if (cmp128(s.hi, last->hi) > 0)
        last->hi = s.hi;
      return;
    }
  }
  out[(*n)++] = s;
}

/*
 * Plans the levels above n sorted intervals with the given fan-out; returns
 * the room they take.  Each level starts on a multiple of the fan-out, so
 * that its blocks do not straddle cache lines.
 */
static size_t plan_levels(size_t n, size_t fanout, size_t *at, size_t *count,
                          int *levels) {
  size_t total = 0;
  int k = 1;

  count[0] = n;
  while (count[k - 1] > fanout && k < MAX_LEVELS) {
    count[k] = (count[k - 1] + fanout - 1) / fanout;
    at[k] = total;
    total += (count[k] + fanout - 1) / fanout * fanout;
    k++;
  }
  *levels = k;
  return total;
}

/*
 * Sorts the appended intervals, merges them into the sorted ones and
 * rebuilds the levels above.  One body serves both widths: the macro's
 * arguments are the function's name, the set, span and key types, the
 * span comparison, the joining step and the fan-out.  Its type arguments
 * cannot stand in parentheses, hence the NOLINT.
 */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define DEFINE_SETTLE(name, set_t, span_t, key_t, cmp, join, fanout)           \
  static int name(set_t *set) {                                                \
    span_t *out;                                                               \
    key_t *upper;                                                              \
    size_t at[MAX_LEVELS];                                                     \
    size_t count[MAX_LEVELS];                                                  \
    size_t i = 0;                                                              \
    size_t j = set->sorted;                                                    \
    size_t n = 0;                                                              \
    size_t room;                                                               \
    int levels;                                                                \
    int k;                                                                     \
                                                                               \
    if (set->sorted == set->len)                                               \
      return 0;                                                                \
    out = (span_t *) alloc_lines(set->len, sizeof(*out));                      \
    if (out == NULL)                                                           \
      return -1;                                                               \
    qsort(set->v + set->sorted, set->len - set->sorted, sizeof(*out), cmp);    \
    while (i < set->sorted || j < set->len) {                                  \
      if (j == set->len ||                                                     \
          (i < set->sorted && cmp(&set->v[i], &set->v[j]) <= 0))               \
        join(out, &n, set->v[i++]);                                            \
      else                                                                     \
        join(out, &n, set->v[j++]);                                            \
    }                                                                          \
    room = plan_levels(n, fanout, at, count, &levels);                         \
    upper = (key_t *) alloc_lines(room, sizeof(*upper));                       \
    if (upper == NULL) {                                                       \
      free(out);                                                               \
      return -1;                                                               \
    }                                                                          \
    for (k = 1; k < levels; k++)                                               \
      for (i = 0; i < count[k]; i++)                                           \
        upper[at[k] + i] =                                                     \
            k == 1 ? out[i * (fanout)].lo : upper[at[k - 1] + i * (fanout)];   \
    free(set->v);                                                              \
    free(set->upper);                                                          \
    set->v = out;                                                              \
    set->upper = upper;                                                        \
    memcpy(set->at, at, sizeof(at));                                           \
    memcpy(set->count, count, sizeof(count));                                  \
    set->levels = levels;                                                      \
    set->cap = set->len;                                                       \
    set->len = n;                                                              \
    set->sorted = n;                                                           \
    return 0;                                                                  \
  }

/* NOLINTEND(bugprone-macro-parentheses) */

DEFINE_SETTLE(settle32, struct set32, struct span32, uint32_t, cmp_span32,
              join32, FANOUT32)
DEFINE_SETTLE(settle128, struct set128, struct span128, u128, cmp_span128,
              join128, FANOUT128)

/* Whether a <= b, computed without branches. */
static int le128(u128 a, u128 b) {
  return (a.hi < b.hi) | ((a.hi == b.hi) & (a.lo <= b.lo));
}

/*
 * The searches go down the levels from the top block.  In each block they
 * count the starts not above x, without branches (the processor would guess
 * wrong half of the time); the count picks the block below.  The first
 * start of the block they are in is never above x, so the count is at
 * least 1.
 */
static int has32(struct set32 *set, uint32_t x) {
  size_t i;

  if (set->len - set->sorted > PENDING_MAX && settle32(set) != 0)
    return CIDR_ENOMEM;
  if (set->sorted > 0 && set->v[0].lo <= x) {
    const struct span32 *leaf;
    size_t pos = 0;
    size_t c = 0;
    size_t n;
    for (int k = set->levels - 1; k >= 1; k--) {
      const uint32_t *block = set->upper + set->at[k] + pos * FANOUT32;
      n = set->count[k] - pos * FANOUT32;
      if (n > FANOUT32)
        n = FANOUT32;
      c = 0;
      for (i = 0; i < n; i++)
        c += block[i] <= x;
      pos = pos * FANOUT32 + c - 1;
    }
    leaf = set->v + pos * FANOUT32;
    n = set->sorted - pos * FANOUT32;
    if (n > FANOUT32)
      n = FANOUT32;
    c = 0;
    for (i = 0; i < n; i++)
      c += leaf[i].lo <= x;
    if (x <= leaf[c - 1].hi)
      return 1;
  }
  for (i = set->sorted; i < set->len; i++)
    if (set->v[i].lo <= x && x <= set->v[i].hi)
      return 1;
  return 0;
}

static int has128(struct set128 *set, u128 x) {
  size_t i;

  if (set->len - set->sorted > PENDING_MAX && settle128(set) != 0)
    return CIDR_ENOMEM;
  if (set->sorted > 0 && le128(set->v[0].lo, x)) {
    const struct span128 *leaf;
    size_t pos = 0;
    size_t c = 0;
    size_t n;
    for (int k = set->levels - 1; k >= 1; k--) {
      const u128 *block = set->upper + set->at[k] + pos * FANOUT128;
      n = set->count[k] - pos * FANOUT128;
      if (n > FANOUT128)
        n = FANOUT128;
      c = 0;
      for (i = 0; i < n; i++)
        c += (size_t) le128(block[i], x);
      pos = pos * FANOUT128 + c - 1;
    }
    leaf = set->v + pos * FANOUT128;
    n = set->sorted - pos * FANOUT128;
    if (n > FANOUT128)
      n = FANOUT128;
    c = 0;
    for (i = 0; i < n; i++)
      c += (size_t) le128(leaf[i].lo, x);
    if (le128(x, leaf[c - 1].hi))
      return 1;
  }
  for (i = set->sorted; i < set->len; i++)
    if (le128(set->v[i].lo, x) && le128(x, set->v[i].hi))
      return 1;
  return 0;
}

/* The matcher ------------------------------------------------------------- */

enum rule_kind { RULE_ADDRESS, RULE_RANGE, RULE_SUBNET };

/* A rule as added, for listing. */
struct rule {
  uint8_t kind;
  uint8_t family; /* Of the address, the start or the network. */
  uint8_t end_family; /* Of a range's end. */
  uint8_t prefix;
  uint8_t a[16];
  uint8_t b[16];
};

struct cidr_list {
  struct rule *rules;
  size_t nrules;
  size_t caprules;
  struct set32 v4;
  struct set32 mapped;
  struct set128 v6;
};

cidr_list *cidr_list_new(void) {
  return (cidr_list *) calloc(1, sizeof(cidr_list));
}

void cidr_list_free(cidr_list *l) {
  if (l == NULL)
    return;
  free(l->rules);
  free(l->v4.v);
  free(l->v4.upper);
  free(l->mapped.v);
  free(l->mapped.upper);
  free(l->v6.v);
  free(l->v6.upper);
  free(l);
}

/* Makes room for one more rule and one more interval in every set, so that
 * adding a rule cannot fail halfway. */
static int make_room(cidr_list *l) {
  void *p;

  if ((p = grow(l->rules, &l->caprules, l->nrules, sizeof(*l->rules))) == NULL)
    return CIDR_ENOMEM;
  l->rules = (struct rule *) p;
  if ((p = grow(l->v4.v, &l->v4.cap, l->v4.len, sizeof(*l->v4.v))) == NULL)
    return CIDR_ENOMEM;
  l->v4.v = (struct span32 *) p;
  p = grow(l->mapped.v, &l->mapped.cap, l->mapped.len, sizeof(*l->mapped.v));
  if (p == NULL)
    return CIDR_ENOMEM;
  l->mapped.v = (struct span32 *) p;
  if ((p = grow(l->v6.v, &l->v6.cap, l->v6.len, sizeof(*l->v6.v))) == NULL)
    return CIDR_ENOMEM;
  l->v6.v = (struct span128 *) p;
  return CIDR_OK;
}

/*
 * Gives the interval [lo, hi] of the IPv6 space to the sets named.  The two
 * IPv4 sets take the part inside the mapped block; the v6 set is only ever
 * asked about points outside it, so it need not hold an interval that lies
 * wholly inside.
 */
static void place(cidr_list *l, u128 lo, u128 hi, int to_v4, int to_mapped,
                  int to_v6) {
  if (cmp128(lo, hi) > 0)
    return;
  if ((to_v4 || to_mapped) && cmp128(lo, mapped_hi) <= 0 &&
      cmp128(hi, mapped_lo) >= 0) {
    struct span32 s;
    s.lo = cmp128(lo, mapped_lo) < 0 ? 0 : (uint32_t) lo.lo;
    s.hi = cmp128(hi, mapped_hi) > 0 ? UINT32_MAX : (uint32_t) hi.lo;
    if (to_v4)
      l->v4.v[l->v4.len++] = s;
    if (to_mapped)
      l->mapped.v[l->mapped.len++] = s;
  }
  if (to_v6 && !(is_mapped(lo) && is_mapped(hi))) {
    struct span128 s;
    s.lo = lo;
    s.hi = hi;
    l->v6.v[l->v6.len++] = s;
  }
}

static void remember(cidr_list *l, int kind, int family, const uint8_t *a,
                     int end_family, const uint8_t *b, int prefix) {
  struct rule *r = &l->rules[l->nrules++];

  memset(r, 0, sizeof(*r));
  r->kind = (uint8_t) kind;
  r->family = (uint8_t) family;
  r->end_family = (uint8_t) end_family;
  r->prefix = (uint8_t) prefix;
  memcpy(r->a, a, family == CIDR_IPV4 ? 4 : 16);
  if (b != NULL)
    memcpy(r->b, b, end_family == CIDR_IPV4 ? 4 : 16);
}

static int valid_family(int family) {
  return family == CIDR_IPV4 || family == CIDR_IPV6;
}

int cidr_list_add_address(cidr_list *l, int family, const uint8_t *addr) {
  u128 p;

  if (!valid_family(family))
    return CIDR_EINVAL;
  if (make_room(l))
    return CIDR_ENOMEM;
  p = unified(family, addr);
  place(l, p, p, 1, 1, 1);
  remember(l, RULE_ADDRESS, family, addr, 0, NULL, 0);
  return CIDR_OK;
}

int cidr_list_add_range(cidr_list *l, int start_family, const uint8_t *start,
                        int end_family, const uint8_t *end) {
  u128 lo;
  u128 hi;
  int comparable;

  if (!valid_family(start_family) || !valid_family(end_family))
    return CIDR_EINVAL;
  lo = unified(start_family, start);
  hi = unified(end_family, end);
  /* Node refuses a start after the end only when the two compare. */
  comparable =
      !(start_family == CIDR_IPV4 && end_family == CIDR_IPV6 &&
        !is_mapped(hi)) &&
      !(start_family == CIDR_IPV6 && end_family == CIDR_IPV4 && !is_mapped(lo));
  if (comparable && cmp128(lo, hi) > 0)
    return CIDR_EORDER;
  if (make_room(l))
    return CIDR_ENOMEM;
  place(l, lo, hi, is_mapped(lo) && is_mapped(hi), 1,
        start_family == CIDR_IPV6 && end_family == CIDR_IPV6);
  remember(l, RULE_RANGE, start_family, start, end_family, end, 0);
  return CIDR_OK;
}

int cidr_list_add_subnet(cidr_list *l, int family, const uint8_t *net,
                         int prefix) {
  u128 base;
  u128 mask;
  u128 lo;
  u128 hi;
  int bits;

  if (!valid_family(family) || prefix < 0 ||
      prefix > (family == CIDR_IPV4 ? 32 : 128))
    return CIDR_EINVAL;
  if (make_room(l))
    return CIDR_ENOMEM;
  base = unified(family, net);
  bits = family == CIDR_IPV4 ? 96 + prefix : prefix;
  mask.hi = bits >= 64 ? UINT64_MAX : bits == 0 ? 0 : UINT64_MAX << (64 - bits);
  mask.lo = bits <= 64    ? 0
            : bits == 128 ? UINT64_MAX
                          : UINT64_MAX << (128 - bits);
  lo.hi = base.hi & mask.hi;
  lo.lo = base.lo & mask.lo;
  hi.hi = base.hi | ~mask.hi;
  hi.lo = base.lo | ~mask.lo;
  place(l, lo, hi, 1, 1, 1);
  remember(l, RULE_SUBNET, family, net, 0, NULL, prefix);
  return CIDR_OK;
}

int cidr_list_check(cidr_list *l, int family, const uint8_t *addr) {
  u128 p;

  if (family == CIDR_IPV4)
    return has32(&l->v4, load32(addr));
  if (family != CIDR_IPV6)
    return 0;
  p = unified(family, addr);
  if (is_mapped(p))
    return has32(&l->mapped, (uint32_t) p.lo);
  return has128(&l->v6, p);
}

size_t cidr_list_count(const cidr_list *l) {
  return l->nrules;
}

static size_t put_text(char *out, const char *text) {
  size_t n = strlen(text);

  /* The caller ends the text, so no terminator is copied here. */
  memcpy(out, text, n); /* NOLINT(bugprone-not-null-terminated-result) */
  return n;
}

size_t cidr_list_rule(const cidr_list *l, size_t i, char *out) {
  const struct rule *r;
  size_t n = 0;

  if (i >= l->nrules) {
    out[0] = '\0';
    return 0;
  }
  r = &l->rules[l->nrules - 1 - i];
  n += put_text(out + n, r->kind == RULE_ADDRESS ? "Address: "
                         : r->kind == RULE_RANGE ? "Range: "
                                                 : "Subnet: ");
  n += put_text(out + n, r->family == CIDR_IPV4 ? "IPv4 " : "IPv6 ");
  n += cidr_format(r->family, r->a, out + n);
  if (r->kind == RULE_RANGE) {
    out[n++] = '-';
    n += cidr_format(r->end_family, r->b, out + n);
  } else if (r->kind == RULE_SUBNET) {
    out[n++] = '/';
    n += put_decimal(out + n, r->prefix);
  }
  out[n] = '\0';
  return n;
}
