/*
 * SPF record parser (RFC 7208 §4.5, §4.6, §5, §6, §12): which records are
 * SPF records, which are syntax errors (the evaluator's permerror), and
 * what a valid record parses into (mechanisms, qualifiers, CIDR lengths,
 * modifiers). Records named after rfc7208-tests.yml cases say so.
 */
#include <string.h>
#include <sys/socket.h>

#include "tap.h"
#include "spf_int.h"

struct scase {
	const char *rec;
	size_t len;                     /* 0: strlen */
	bool ok;
	const char *spec;
};

#define R(s) s, sizeof(s) - 1

static const struct scase scases[] = {
	/* valid */
	{ "v=spf1", 0, true, "4.5 (empty)" },
	{ "V=sPf1 -all", 0, true, "4.5 version is case-insensitive" },
	{ "v=spf1 a  -all", 0, true, "4.6.1 (two-spaces)" },
	{ "v=spf1 a -all ", 0, true, "4.5 (trailing-space)" },
	{ "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all", 0, true,
	  "4.6.1 (modifier-charset-good)" },
	{ "v=spf1 ip4:192.0.0.0/8 -all moo=", 0, true, "6 unknown modifier, empty value" },
	{ "v=spf1 default=pass", 0, true, "6 (default-modifier-obsolete)" },
	{ "v=spf1 default=+", 0, true, "6 (default-modifier-obsolete2)" },
	{ "v=spf1 redirect=t5.example.com ~all", 0, true, "6.1" },
	{ "v=spf1 exp=exp1.example.com redirect=e2.example.com", 0, true, "6" },
	{ "v=spf1 a/24//64 -all", 0, true, "5.3 dual cidr" },
	{ "v=spf1 a//0 mx//128 a/0 mx:%{d}/27", 0, true, "5.3/5.4 cidr forms" },
	{ "v=spf1 a:foo:bar/baz.example.com", 0, true, "7.1 (a-colon-domain)" },
	{ "v=spf1 a:foo.example.xn--zckzah -all", 0, true, "7.1 (a-dash-in-toplabel)" },
	{ "v=spf1 ip6:::1.1.1.1/0 ip6:Cafe:Babe:8000::/33 ip6:::FFFF:1.2.3.4", 0, true,
	  "5.6 ip6 forms" },
	{ "v=spf1 ip4:1.1.1.1/0 ip4:1.2.3.4/32 ip4:255.255.255.255", 0, true, "5.6 ip4 forms" },
	{ "v=spf1 ?all all -all ~all +all", 0, true, "4.6.2 qualifiers" },
	{ "v=spf1 ALL INCLUDE:x.example.com A MX PTR IP4:1.2.3.4 IP6:::1 EXISTS:x.example.com",
	  0, true, "4.6.1 names are case-insensitive" },
	{ "v=spf1 ptr ptr:example.com exists:%{ir}.%{v}.x.example.com", 0, true, "5.5 5.7" },
	{ "v=spf1 a:mail.example...com -all", 0, true, "7.1 (invalid-domain-empty-label)" },
	{ "v=spf1 -exists:%{i}.%{l2r+-}.user.%{d2}", 0, true, "7.1 macros" },
	{ "v=spf1 exp=%{l}.example.com -all", 0, true, "6.2 macro in exp domain" },
	/* not SPF records at all */
	{ "v=spf10", 0, false, "4.5 (nospace2)" },
	{ "v=spf1mx", 0, false, "4.5 (nospace1)" },
	{ "spf1 -all", 0, false, "4.5 no version" },
	/* syntax errors: permerror */
	{ "v=spf1 ip4:1.2.3.4 -all moo", 0, false, "4.6 (detect-errors-anywhere)" },
	{ "v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all", 0, false,
	  "4.6.1 (modifier-charset-bad1)" },
	{ "v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all", 0, false,
	  "4.6.1 (modifier-charset-bad2)" },
	{ "v=spf1 ip4:1.2.3.4 redirect:t2.example.com", 0, false, "4.6.1 (redirect-is-modifier)" },
	{ "v=spf1 a:foo-bar -all", 0, false, "7.1 (invalid-domain)" },
	{ "v=spf1 -all.", 0, false, "5.1 (all-dot)" },
	{ "v=spf1 -all:foobar", 0, false, "5.1 (all-arg)" },
	{ "v=spf1 -all/8", 0, false, "5.1 (all-cidr)" },
	{ "v=spf1 ptr/0 -all", 0, false, "5.5 (ptr-cidr)" },
	{ "v=spf1 ptr:", 0, false, "5.5 (ptr-empty-domain)" },
	{ "v=spf1 a/33 -all", 0, false, "5.3 (a-bad-cidr4)" },
	{ "v=spf1 a//129 -all", 0, false, "5.3 (a-bad-cidr6)" },
	{ "v=spf1 a/24/64 -all", 0, false, "5.3 (a-dual-cidr-ip4-err)" },
	{ "v=spf1 a/032", 0, false, "5.3 leading zero" },
	{ "v=spf1 a//064", 0, false, "5.3 leading zero in ip6 length" },
	{ "v=spf1 a//64//64", 0, false, "5.3 two ip6 lengths" },
	{ "v=spf1 a/", 0, false, "5.3 empty length" },
	{ "v=spf1 a:example.com:8080", 0, false, "7.1 (a-bad-domain)" },
	{ "v=spf1 a:111.222.33.44", 0, false, "7.1 (a-numeric)" },
	{ "v=spf1 a:abc.123", 0, false, "7.1 (a-numeric-toplabel)" },
	{ "v=spf1 a:example.-com", 0, false, "7.1 (a-bad-toplabel)" },
	{ "v=spf1 a:museum", 0, false, "7.1 (a-only-toplabel)" },
	{ "v=spf1 a:museum.", 0, false, "7.1 (a-only-toplabel-trailing-dot)" },
	{ "v=spf1 a:", 0, false, "5.3 (a-empty-domain)" },
	{ R("v=spf1 a:foo.example.com\0"), false, "7.1 (a-null)" },
	{ "v=spf1 mx//33 mx/33 -all", 0, false, "5.4 (mx-bad-cidr4)" },
	{ "v=spf1 mx: -all", 0, false, "5.4 (mx-empty-domain)" },
	{ "v=spf1 include +all", 0, false, "5.2 (include-syntax-error)" },
	{ "v=spf1 include:ip5.example.com/24 -all", 0, false, "5.2 (include-cidr)" },
	{ "v=spf1 include: -all", 0, false, "5.2 (include-empty-domain)" },
	{ "v=spf1 exists:", 0, false, "5.7 (exists-empty-domain)" },
	{ "v=spf1 exists", 0, false, "5.7 (exists-implicit)" },
	{ "v=spf1 exists:mail.example.com/24", 0, false, "5.7 (exists-cidr)" },
	{ "v=spf1 ip4:1.2.3.4/33 -all", 0, false, "5.6 (cidr4-33)" },
	{ "v=spf1 ip4:1.2.3.4/032 -all", 0, false, "5.6 (cidr4-032)" },
	{ "v=spf1 ip4", 0, false, "5.6 (bare-ip4)" },
	{ "v=spf1 ip4:1.2.3.4:8080", 0, false, "5.6 (bad-ip4-port)" },
	{ "v=spf1 ip4:1.2.3", 0, false, "5.6 (bad-ip4-short)" },
	{ "v=spf1 ip4:1.2.3.4//32", 0, false, "5.6 (ip4-dual-cidr)" },
	{ "v=spf1 ip4:01.2.3.4", 0, false, "5.6 leading zero in qnum" },
	{ "v=spf1 ip4:1.2.3.256", 0, false, "5.6 qnum over 255" },
	{ "v=spf1 ip4:1.2.3.4/", 0, false, "5.6 empty length" },
	{ "v=spf1 -all ip6", 0, false, "5.6 (bare-ip6)" },
	{ "v=spf1 ip6:::1.1.1.1/129", 0, false, "5.6 (cidr6-129)" },
	{ "v=spf1 ip6:::1.1.1.1//33", 0, false, "5.6 (cidr6-bad)" },
	{ "v=spf1 ip6::CAFE::BABE", 0, false, "5.6 (ip6-bad1)" },
	{ "v=spf1 ip6:1.2.3.4", 0, false, "5.6 ip4 address in ip6" },
	{ "v=spf1 1up=foo", 0, false, "A (invalid-modifier)" },
	{ "v=spf1 =all", 0, false, "A (empty-modifier-name)" },
	{ "v=spf1 -all foo=%abc", 0, false, "A (unknown-modifier-syntax)" },
	{ "v=spf1 exp= -all", 0, false, "6.2 (exp-empty-domain)" },
	{ "v=spf1 exp=-all", 0, false, "6.2 (exp-syntax-error)" },
	{ "v=spf1 redirect=-all ?all", 0, false, "6.1 (redirect-syntax-error)" },
	{ "v=spf1 ?all redirect=", 0, false, "6.1 (redirect-empty-domain)" },
	{ "v=spf1 exp=e13msg.example.com -all exp=e11msg.example.com", 0, false,
	  "6 (exp-twice)" },
	{ "v=spf1 redirect=e12.example.com -all redirect=e12.example.com", 0, false,
	  "6 (redirect-twice)" },
	{ "v=spf1 redirect=a.example.com REDIRECT=b.example.com", 0, false,
	  "6 modifier names are case-insensitive" },
	{ "v=spf1 -all exp=%{r}.example.com", 0, false, "7.1 (exp-only-macro-char)" },
	{ "v=spf1 -exists:%(ir).sbl.example.com ?all", 0, false, "7.1 (invalid-macro-char)" },
	{ "v=spf1 exists:foo%(ir).sbl.example.com ?all", 0, false,
	  "7.1 (invalid-embedded-macro-char)" },
	{ "v=spf1 exists:foo%.sbl.example.com ?all", 0, false, "7.1 (invalid-trailing-macro-char)" },
	{ "v=spf1 a:%{a}.example.com -all", 0, false, "7.1 (undef-macro)" },
	{ "v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all", 0, false, "3.1 (non-ascii-policy)" },
	{ "v=spf1 \x80" "a:example.net -all", 0, false, "3.1 (non-ascii-mech)" },
	{ "v=spf1 a:example.net \x96" "all", 0, false, "3.1 (non-ascii-result)" },
	{ "v=spf1 a:ctrl.example.com\rptr -all", 0, false, "4.6.1 (control-char-policy)" },
	{ "v=spf1 ip4:192.0.2.5\n include:spf.protection.outlook.com ~all", 0, false,
	  "4.6.1 (badip4)" },
	{ "v=spf1\ta -all", 0, false, "4.6.1 tab is not a separator" },
	{ "v=spf1 + -all", 0, false, "4.6.2 qualifier alone" },
	{ "v=spf1 ++all", 0, false, "4.6.2 two qualifiers" },
	{ "v=spf1 +redirect=x.example.com", 0, false, "4.6.1 a modifier takes no qualifier" },
};

static void
test_syntax(void)
{
	size_t i;

	for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
		const struct scase *s = &scases[i];
		struct arena *a = arena_new();
		struct spf_record *rec = NULL;
		const char *why = NULL;
		size_t len = s->len ? s->len : strlen(s->rec);
		int rc = spf_record_parse(a, s->rec, len, &rec, &why);

		if (s->ok)
			ok(rc == 0 && rec != NULL, "§%s parses%s%s", s->spec, why ? ": " : "",
			    why ? why : "");
		else
			ok(rc == -1 && rec == NULL && why != NULL, "§%s rejected: %s", s->spec,
			    why ? why : "(no reason)");
		arena_free(&a);
	}
}

static void
test_is_spf(void)
{
	ok(spf_record_is_spf(R("v=spf1")), "§4.5 \"v=spf1\" alone");
	ok(spf_record_is_spf(R("v=spf1 -all")), "§4.5 \"v=spf1 -all\"");
	ok(spf_record_is_spf(R("V=SPF1 ?all")), "§4.5 upper case");
	ok(!spf_record_is_spf(R("v=spf10")), "§4.5 v=spf10");
	ok(!spf_record_is_spf(R("v=spf1mx")), "§4.5 pieces joined without space");
	ok(!spf_record_is_spf(R("v=spf")), "§4.5 short");
	ok(!spf_record_is_spf(R(" v=spf1")), "§4.5 leading space");
	ok(!spf_record_is_spf(R("v=spf1\t-all")), "§4.5 tab");
	ok(!spf_record_is_spf(R("v=spf\0001")), "§4.5 NUL inside the version");
	ok(!spf_record_is_spf(R("\x96")), "§4.5 non-SPF TXT (non-ascii-non-spf)");
}

static const struct spf_term *
term_at(const struct spf_record *r, size_t i)
{
	return r != NULL && i < r->nterms ? &r->terms[i] : NULL;
}

static void
test_structure(void)
{
	struct arena *a = arena_new();
	struct spf_record *r = NULL;
	const struct spf_term *t;
	const char *why = NULL;
	static const char rec1[] =
	    "v=spf1 +a -mx/24 ?ptr:Example.COM ~exists:%{i}.x.example.com a:b.example.com//64 "
	    "mx:m.example.com/16//48 ip4:192.0.2.0/24 ip6:2001:DB8::/32 include:i.example.com "
	    "exp=explain.%{d} redirect=r.example.com unknown=whatever all";

	ok(spf_record_parse(a, rec1, strlen(rec1), &r, &why) == 0, "structure: parses");
	is_int(r ? r->nterms : 0, 10, "structure: 10 mechanisms (modifiers apart)");
	is_int(r ? r->ndns : 0, 8, "structure: 7 DNS mechanisms + redirect count (§4.6.4)");
	is_str(r ? r->exp : NULL, "explain.%{d}", "structure: exp= kept unexpanded");
	is_str(r ? r->redirect : NULL, "r.example.com", "structure: redirect=");
	t = term_at(r, 0);
	ok(t && t->mech == SPF_M_A && t->qual == SPF_PASS && t->domain_spec == NULL &&
	    t->cidr4 == 32 && t->cidr6 == 128, "+a: pass, <domain>, default lengths");
	t = term_at(r, 1);
	ok(t && t->mech == SPF_M_MX && t->qual == SPF_FAIL && t->cidr4 == 24 && t->cidr6 == 128,
	    "-mx/24: fail, ip4 length 24, ip6 default");
	t = term_at(r, 2);
	ok(t && t->mech == SPF_M_PTR && t->qual == SPF_NEUTRAL &&
	    t->domain_spec && strcmp(t->domain_spec, "Example.COM") == 0, "?ptr:Example.COM");
	t = term_at(r, 3);
	ok(t && t->mech == SPF_M_EXISTS && t->qual == SPF_SOFTFAIL &&
	    t->domain_spec && strcmp(t->domain_spec, "%{i}.x.example.com") == 0, "~exists:");
	t = term_at(r, 4);
	ok(t && t->mech == SPF_M_A && t->cidr4 == 32 && t->cidr6 == 64 &&
	    t->domain_spec && strcmp(t->domain_spec, "b.example.com") == 0, "a:dom//64");
	t = term_at(r, 5);
	ok(t && t->mech == SPF_M_MX && t->cidr4 == 16 && t->cidr6 == 48 &&
	    t->domain_spec && strcmp(t->domain_spec, "m.example.com") == 0, "mx:dom/16//48");
	t = term_at(r, 6);
	ok(t && t->mech == SPF_M_IP4 && t->cidr4 == 24 && t->net.family == AF_INET &&
	    t->net.addr[0] == 192 && t->net.addr[3] == 0, "ip4:192.0.2.0/24");
	t = term_at(r, 7);
	ok(t && t->mech == SPF_M_IP6 && t->cidr6 == 32 && t->net.family == AF_INET6 &&
	    t->net.addr[0] == 0x20 && t->net.addr[1] == 0x01, "ip6:2001:DB8::/32");
	t = term_at(r, 8);
	ok(t && t->mech == SPF_M_INCLUDE && t->domain_spec &&
	    strcmp(t->domain_spec, "i.example.com") == 0 && strcmp(t->text, "include:i.example.com") == 0,
	    "include: target and text");
	t = term_at(r, 9);
	ok(t && t->mech == SPF_M_ALL && t->qual == SPF_PASS, "all (after modifiers)");
	arena_free(&a);

	a = arena_new();
	ok(spf_record_parse(a, R("v=spf1 ip6:::1 ip4:10.0.0.1 -all"), &r, &why) == 0 &&
	    r->terms[0].cidr6 == 128 && r->terms[1].cidr4 == 32,
	    "ip6/ip4 without length: 128/32");
	ok(spf_record_parse(a, R("v=spf1    "), &r, &why) == 0 && r->nterms == 0 &&
	    r->redirect == NULL && r->exp == NULL, "spaces only: no terms");
	arena_free(&a);
}

static void
test_bounds(void)
{
	struct arena *a = arena_new();
	struct spf_record *r = NULL;
	const char *why = NULL;
	static char big[SPF_RECORD_MAX + 2];
	size_t i;
	int rc;

	memcpy(big, "v=spf1", 6);
	for (i = 6; i < SPF_RECORD_MAX; i += 2) {
		big[i] = ' ';
		big[i + 1] = 'a';
	}
	rc = spf_record_parse(a, big, SPF_RECORD_MAX, &r, &why);
	ok(rc == 0 && r->nterms == 11 && r->ndns == (SPF_RECORD_MAX - 6) / 2,
	    "record of %d bytes: %u DNS terms, %zu kept", SPF_RECORD_MAX, r ? r->ndns : 0,
	    r ? r->nterms : 0);
	/* Only what an evaluation can reach is kept (the 11th DNS term ends it). */
	ok(arena_used(a) < 2048, "record of %d bytes: %zu bytes parsed", SPF_RECORD_MAX,
	    arena_used(a));
	big[SPF_RECORD_MAX - 1] = 'x';
	ok(spf_record_parse(a, big, SPF_RECORD_MAX, &r, &why) == -1,
	    "a syntax error after the kept terms is still a permerror (%s)", why ? why : "");
	big[SPF_RECORD_MAX - 1] = 'a';
	ok(spf_record_parse(a, R("v=spf1 ip4:10.0.0.1 -all ip4:10.0.0.2 a mx"), &r, &why) == 0 &&
	    r->nterms == 2 && r->terms[1].mech == SPF_M_ALL && r->ndns == 2,
	    "nothing after \"all\" is kept");
	ok(spf_record_parse(a, R("v=spf1 -all a:%{"), &r, &why) == -1,
	    "a syntax error after \"all\" is still a permerror (%s)", why ? why : "");
	big[SPF_RECORD_MAX] = ' ';
	ok(spf_record_parse(a, big, SPF_RECORD_MAX + 1, &r, &why) == -1,
	    "record over %d bytes refused: %s", SPF_RECORD_MAX, why ? why : "");
	arena_free(&a);
}

int
main(void)
{
	test_is_spf();
	test_syntax();
	test_structure();
	test_bounds();
	return tap_done();
}
