/*
 * cidr.h: IP address parsing and formatting, and the BlockList matcher.
 *
 * Plain C with no Lua: the Lua binding (cidr_lua.c) and the fuzz target
 * (fuzz/cidr_fuzz.c) both call these functions directly.  Addresses are
 * bytes in network order: 4 for IPv4, 16 for IPv6.
 */
#ifndef UVNET_CIDR_H
#define UVNET_CIDR_H

#include <stddef.h>
#include <stdint.h>

/* The two families, named by their version number as net.isIP names them. */
#define CIDR_IPV4 4
#define CIDR_IPV6 6

/* Room for the longest text cidr_format writes, with its NUL. */
#define CIDR_ADDRSTRLEN 46

/* Room for the longest rule text cidr_list_rule writes, with its NUL. */
#define CIDR_RULESTRLEN 128

/* Results of the matcher's functions. */
#define CIDR_OK 0
#define CIDR_ENOMEM (-1) /* out of memory */
#define CIDR_EINVAL (-2) /* bad family or prefix */
#define CIDR_EORDER (-3) /* a range whose start comes after its end */

/*
 * Strict parsers over exactly len bytes.  cidr_parse4 takes four decimal
 * parts from 0 to 255 without leading zeros; cidr_parse6 takes the RFC 4291
 * text forms, an IPv4 tail included, without a zone.  Both return 0 and
 * fill out, or -1.
 */
int cidr_parse4(const char *s, size_t len, uint8_t out[4]);
int cidr_parse6(const char *s, size_t len, uint8_t out[16]);

/*
 * net.isIP: 4, 6 or 0.  An IPv6 address may end in a zone id made of
 * letters, digits, '-', '.' and ':'.
 */
int cidr_isip(const char *s, size_t len);

/*
 * Reads an address of the given family as a socket address does: the text
 * ends at the first NUL byte, and an IPv6 zone id (anything after '%') is
 * dropped, the part before it cut to 39 characters first.  Returns 0 and
 * fills out (4 or 16 bytes), or -1.
 */
int cidr_pton(int family, const char *s, size_t len, uint8_t out[16]);

/*
 * Writes the usual text form of an address to out (CIDR_ADDRSTRLEN bytes):
 * the longest run of two or more zero groups becomes "::", and the IPv4
 * tail of ::a.b.c.d and ::ffff:a.b.c.d is written dotted.  Returns the
 * length.
 */
size_t cidr_format(int family, const uint8_t *addr, char *out);

/*
 * The matcher: a list of rules, answered through sorted and merged
 * intervals that are rebuilt lazily after additions, so that a check costs
 * O(log n).  It answers exactly as Node's BlockList does, IPv4 rules
 * matching IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) and the reverse.
 */
typedef struct cidr_list cidr_list;

cidr_list *cidr_list_new(void);
void cidr_list_free(cidr_list *l);

int cidr_list_add_address(cidr_list *l, int family, const uint8_t *addr);
int cidr_list_add_range(cidr_list *l, int start_family, const uint8_t *start,
                        int end_family, const uint8_t *end);
int cidr_list_add_subnet(cidr_list *l, int family, const uint8_t *net,
                         int prefix);

/* Returns 1 if a rule matches, 0 if none does, CIDR_ENOMEM. */
int cidr_list_check(cidr_list *l, int family, const uint8_t *addr);

/* The number of rules, and rule i as Node lists it (0 is the newest). */
size_t cidr_list_count(const cidr_list *l);
size_t cidr_list_rule(const cidr_list *l, size_t i, char *out);

#endif /* UVNET_CIDR_H */
