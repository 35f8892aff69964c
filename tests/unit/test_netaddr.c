/* netaddr: address and CIDR parsing, matching, reverse names. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "netaddr.h"
#include "tap.h"

static const struct {
	const char *cidr, *addr;
	int parses, matches;
} cidr_cases[] = {
	{ "192.0.2.0/24", "192.0.2.77", 1, 1 },
	{ "192.0.2.0/24", "192.0.3.1", 1, 0 },
	{ "192.0.2.128/25", "192.0.2.127", 1, 0 },
	{ "192.0.2.128/25", "192.0.2.200", 1, 1 },
	{ "0.0.0.0/0", "203.0.113.9", 1, 1 },           /* /0 matches every v4 address */
	{ "192.0.2.1", "192.0.2.1", 1, 1 },             /* bare address = /32 */
	{ "192.0.2.1", "192.0.2.2", 1, 0 },
	{ "192.0.2.0/33", NULL, 0, 0 },
	{ "192.0.2.0/", NULL, 0, 0 },
	{ "192.0.2.0/2x", NULL, 0, 0 },
	{ "/24", NULL, 0, 0 },
	{ "192.0.2/24", NULL, 0, 0 },
	{ "2001:db8::/32", "2001:db8:ffff::1", 1, 1 },
	{ "2001:db8::/32", "2001:db9::1", 1, 0 },
	{ "2001:db8::/129", NULL, 0, 0 },
	{ "2001:db8::/32", "192.0.2.1", 1, 0 },         /* families never match each other */
	{ "::/0", "2001:db8::1", 1, 1 },
	{ "fe80::/10", "febf::1", 1, 1 },
	{ "fe80::/10", "fec0::1", 1, 0 },
	{ "garbage", NULL, 0, 0 },
	{ "", NULL, 0, 0 },
};

static void
test_cidr(void)
{
	size_t i;

	for (i = 0; i < sizeof(cidr_cases) / sizeof(cidr_cases[0]); i++) {
		struct cidr c;
		struct netaddr a;
		int p = cidr_parse(cidr_cases[i].cidr, &c);

		is_int(p, cidr_cases[i].parses, "cidr_parse(%s)", cidr_cases[i].cidr);
		if (!p || cidr_cases[i].addr == NULL)
			continue;
		ok(netaddr_parse(cidr_cases[i].addr, &a), "parse %s", cidr_cases[i].addr);
		is_int(cidr_match(&c, &a), cidr_cases[i].matches, "%s in %s",
		    cidr_cases[i].addr, cidr_cases[i].cidr);
	}
}

static void
test_reverse(void)
{
	static const struct { const char *ip, *rev; } cases[] = {
		{ "192.0.2.10", "10.2.0.192.in-addr.arpa" },
		{ "2001:db8::25",
		  "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" },
	};
	size_t i;
	char buf[128];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct netaddr a;

		netaddr_parse(cases[i].ip, &a);
		is_str(netaddr_reverse_name(&a, buf, sizeof(buf)), cases[i].rev,
		    "reverse name of %s (RFC 1035 3.5, RFC 3596 2.5)", cases[i].ip);
	}
}

static void
test_sockaddr(void)
{
	struct sockaddr_in6 in6;
	struct sockaddr_in in;
	struct netaddr a;
	char buf[64];

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:192.0.2.33", &in6.sin6_addr);
	ok(netaddr_from_sockaddr((struct sockaddr *)&in6, &a), "v4-mapped sockaddr");
	is_int(a.family, AF_INET, "v4-mapped v6 becomes v4");
	is_str(netaddr_str(&a, buf, sizeof(buf)), "192.0.2.33", "unmapped text form");

	inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
	netaddr_from_sockaddr((struct sockaddr *)&in6, &a);
	is_str(netaddr_str(&a, buf, sizeof(buf)), "2001:db8::1", "v6 text form");

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.4", &in.sin_addr);
	netaddr_from_sockaddr((struct sockaddr *)&in, &a);
	is_str(netaddr_str(&a, buf, sizeof(buf)), "198.51.100.4", "v4 text form");
	ok(!netaddr_from_sockaddr(NULL, &a), "NULL sockaddr (unknown client) is refused");
	is_str(netaddr_str(&a, buf, sizeof(buf)), "unknown", "unknown address prints as unknown");
}

int
main(void)
{
	test_cidr();
	test_reverse();
	test_sockaddr();
	return tap_done();
}
