/* IP addresses and CIDR blocks: parsing, matching, reverse names. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netaddr.h"

static const unsigned char v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

bool
netaddr_parse(const char *s, struct netaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->addr) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->addr) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

bool
netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		out->family = AF_INET;
		memcpy(out->addr, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		if (memcmp(&in6->sin6_addr, v4mapped_prefix, 12) == 0) {
			/* An IPv4 client seen on a dual-stack socket is an IPv4 client. */
			out->family = AF_INET;
			memcpy(out->addr, (const unsigned char *)&in6->sin6_addr + 12, 4);
		} else {
			out->family = AF_INET6;
			memcpy(out->addr, &in6->sin6_addr, 16);
		}
		return true;
	}
	return false;
}

const char *
netaddr_str(const struct netaddr *a, char *buf, size_t len)
{
	if (a->family == 0 || inet_ntop(a->family, a->addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "unknown");
	return buf;
}

bool
netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	if (a->family != b->family || a->family == 0)
		return false;
	return memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

bool
cidr_parse(const char *s, struct cidr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!netaddr_parse(buf, &out->net))
		return false;
	max = out->net.family == AF_INET ? 32 : 128;
	out->bits = max;
	if (slash != NULL) {
		const char *p = slash + 1;
		unsigned long v = 0;

		if (*p == '\0' || strlen(p) > 3)
			return false;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return false;
			v = v * 10 + (unsigned long)(*p - '0');
		}
		if (v > max)
			return false;
		out->bits = (unsigned)v;
	}
	return true;
}

bool
cidr_match(const struct cidr *c, const struct netaddr *a)
{
	unsigned full, rest;

	if (c->net.family != a->family)
		return false;
	full = c->bits / 8;
	rest = c->bits % 8;
	if (memcmp(c->net.addr, a->addr, full) != 0)
		return false;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));

		if ((c->net.addr[full] & mask) != (a->addr[full] & mask))
			return false;
	}
	return true;
}

const char *
netaddr_reverse_name(const struct netaddr *a, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t off = 0;
	int i;

	if (a->family == AF_INET) {
		snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa",
		    a->addr[3], a->addr[2], a->addr[1], a->addr[0]);
		return buf;
	}
	if (a->family != AF_INET6 || len < 73) {
		snprintf(buf, len, "invalid");
		return buf;
	}
	for (i = 15; i >= 0; i--) {
		buf[off++] = hex[a->addr[i] & 0xf];
		buf[off++] = '.';
		buf[off++] = hex[a->addr[i] >> 4];
		buf[off++] = '.';
	}
	memcpy(buf + off, "ip6.arpa", 9);
	return buf;
}
