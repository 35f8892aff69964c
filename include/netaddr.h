/* IP addresses and CIDR blocks, shared by config (trusted_clients) and checks. */
#ifndef COMPAUTHD_NETADDR_H
#define COMPAUTHD_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

struct netaddr {
	int family;                 /* AF_INET or AF_INET6; 0 = unknown */
	unsigned char addr[16];     /* network order; v4 uses the first 4 */
};

struct cidr {
	struct netaddr net;
	unsigned bits;
};

/* Parses "192.0.2.1" or "2001:db8::1"; false on anything else. */
bool netaddr_parse(const char *s, struct netaddr *out);
/* From a struct sockaddr (v4, v6, v4-mapped v6 is unmapped to v4). */
bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out);
/* Text form; buf must hold INET6_ADDRSTRLEN bytes. */
const char *netaddr_str(const struct netaddr *a, char *buf, size_t len);
bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);
/* "192.0.2.0/24", "2001:db8::/32", or a bare address (full length). */
bool cidr_parse(const char *s, struct cidr *out);
bool cidr_match(const struct cidr *c, const struct netaddr *a);
/* Name to query for PTR: "1.2.0.192.in-addr.arpa" / nibble ip6.arpa. */
const char *netaddr_reverse_name(const struct netaddr *a, char *buf, size_t len);

#endif
