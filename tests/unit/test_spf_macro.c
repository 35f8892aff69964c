/*
 * SPF macro expander (RFC 7208 §7): the §7.4 examples verbatim, then
 * transformers, delimiters, URL escaping, syntax errors and the bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "spf_int.h"

static struct spf_macro_vars v4 = {
	.s = "strong-bad@email.example.com",
	.l = "strong-bad",
	.o = "email.example.com",
	.d = "email.example.com",
	.i = "192.0.2.3",
	.p = "mx.example.org",
	.v = "in-addr",
	.h = "mx.example.org",
	.c = "192.0.2.3",
	.r = "receiver.example.net",
	.t = "1700000000",
};

static struct spf_macro_vars v6 = {
	.s = "strong-bad@email.example.com",
	.l = "strong-bad",
	.o = "email.example.com",
	.d = "email.example.com",
	.i = "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1",
	.p = "mx.example.org",
	.v = "ip6",
	.h = "mx.example.org",
	.c = "2001:db8::cb01",
	.r = "receiver.example.net",
	.t = "1700000000",
};

struct xcase {
	const char *in;
	enum spf_macro_ctx ctx;
	const struct spf_macro_vars *v;
	const char *want;               /* NULL: must fail */
	const char *spec;
};

static const struct xcase xcases[] = {
	/* RFC 7208 §7.4, first table */
	{ "%{s}", SPF_MACRO_DOMAIN, &v4, "strong-bad@email.example.com", "7.4" },
	{ "%{o}", SPF_MACRO_DOMAIN, &v4, "email.example.com", "7.4" },
	{ "%{d}", SPF_MACRO_DOMAIN, &v4, "email.example.com", "7.4" },
	{ "%{d4}", SPF_MACRO_DOMAIN, &v4, "email.example.com", "7.4" },
	{ "%{d3}", SPF_MACRO_DOMAIN, &v4, "email.example.com", "7.4" },
	{ "%{d2}", SPF_MACRO_DOMAIN, &v4, "example.com", "7.4" },
	{ "%{d1}", SPF_MACRO_DOMAIN, &v4, "com", "7.4" },
	{ "%{dr}", SPF_MACRO_DOMAIN, &v4, "com.example.email", "7.4" },
	{ "%{d2r}", SPF_MACRO_DOMAIN, &v4, "example.email", "7.4" },
	{ "%{l}", SPF_MACRO_DOMAIN, &v4, "strong-bad", "7.4" },
	{ "%{l-}", SPF_MACRO_DOMAIN, &v4, "strong.bad", "7.4" },
	{ "%{lr}", SPF_MACRO_DOMAIN, &v4, "strong-bad", "7.4" },
	{ "%{lr-}", SPF_MACRO_DOMAIN, &v4, "bad.strong", "7.4" },
	{ "%{l1r-}", SPF_MACRO_DOMAIN, &v4, "strong", "7.4" },
	/* RFC 7208 §7.4, second table */
	{ "%{ir}.%{v}._spf.%{d2}", SPF_MACRO_DOMAIN, &v4,
	  "3.2.0.192.in-addr._spf.example.com", "7.4" },
	{ "%{lr-}.lp._spf.%{d2}", SPF_MACRO_DOMAIN, &v4,
	  "bad.strong.lp._spf.example.com", "7.4" },
	{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", SPF_MACRO_DOMAIN, &v4,
	  "bad.strong.lp.3.2.0.192.in-addr._spf.example.com", "7.4" },
	{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", SPF_MACRO_DOMAIN, &v4,
	  "3.2.0.192.in-addr.strong.lp._spf.example.com", "7.4" },
	{ "%{d2}.trusted-domains.example.net", SPF_MACRO_DOMAIN, &v4,
	  "example.com.trusted-domains.example.net", "7.4" },
	{ "%{ir}.%{v}._spf.%{d2}", SPF_MACRO_DOMAIN, &v6,
	  "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
	  "7.4" },
	/* escapes (§7.1) */
	{ "a%%b%_c%-d", SPF_MACRO_DOMAIN, &v4, "a%b c%20d", "7.1" },
	{ "macro%%percent%_%_space%-url-space.example.com", SPF_MACRO_DOMAIN, &v4,
	  "macro%percent  space%20url-space.example.com", "7.1" },
	/* URL escaping for upper-case letters: unreserved kept, the rest %XX (§7.3) */
	{ "%{S}", SPF_MACRO_DOMAIN, &v4, "strong-bad%40email.example.com", "7.3" },
	{ "%{L}", SPF_MACRO_DOMAIN, &(struct spf_macro_vars){ .l = "~jack&jill=up-a_b3.c" },
	  "~jack%26jill%3Dup-a_b3.c", "7.3" },
	{ "%{H}", SPF_MACRO_DOMAIN, &(struct spf_macro_vars){ .h = "JUMPIN' JUPITER" },
	  "JUMPIN%27%20JUPITER", "7.3" },
	{ "%{D2R}", SPF_MACRO_DOMAIN, &v4, "example.email", "7.3" },
	/* multiple delimiters, splitting, join with dots (§7.3) */
	{ "%{l2r+-}", SPF_MACRO_DOMAIN, &(struct spf_macro_vars){ .l = "foo-bar+zip+quux" },
	  "bar.foo", "7.3" },
	{ "%{l2r-}", SPF_MACRO_DOMAIN, &(struct spf_macro_vars){ .l = "philip-gladstone-test" },
	  "gladstone.philip", "7.3" },
	{ "%{l=_,/}", SPF_MACRO_DOMAIN, &(struct spf_macro_vars){ .l = "a=b_c,d/e" },
	  "a.b.c.d.e", "7.3" },
	{ "%{l.}", SPF_MACRO_DOMAIN, &(struct spf_macro_vars){ .l = "a..b" }, "a..b", "7.3" },
	{ "%{d99}", SPF_MACRO_DOMAIN, &v4, "email.example.com", "7.3" },
	{ "%{d123456789012}", SPF_MACRO_DOMAIN, &v4, "email.example.com", "7.3 (saturates)" },
	{ "%{d1r}", SPF_MACRO_DOMAIN, &v4, "email", "7.3" },
	/* empty parts at either end, reversed and cut (§7.3, parts streamed in place) */
	{ "%{lr}", SPF_MACRO_EXP, &(struct spf_macro_vars){ .l = ".a..b." }, ".b..a.", "7.3" },
	{ "%{l2r}", SPF_MACRO_EXP, &(struct spf_macro_vars){ .l = ".a..b." }, "a.", "7.3" },
	{ "%{l2}", SPF_MACRO_EXP, &(struct spf_macro_vars){ .l = ".a..b." }, "b.", "7.3" },
	{ "%{l9r}", SPF_MACRO_EXP, &(struct spf_macro_vars){ .l = "a.b" }, "b.a", "7.3" },
	{ "%{lr}", SPF_MACRO_EXP, &(struct spf_macro_vars){ .l = "" }, "", "7.3 empty value" },
	{ "%{L2R}", SPF_MACRO_EXP, &(struct spf_macro_vars){ .l = "q.x y.z" }, "x%20y.q", "7.3" },
	{ "%{L-}", SPF_MACRO_EXP, &(struct spf_macro_vars){ .l = "a+b-c d" }, "a%2Bb.c%20d",
	  "7.3 delimiter joined by a dot, not escaped" },
	{ "%{dR}", SPF_MACRO_DOMAIN, &v4, "com.example.email", "7.3 (R = r)" },
	/* the other letters */
	{ "%{p}.%{v}.%{h}", SPF_MACRO_DOMAIN, &v4, "mx.example.org.in-addr.mx.example.org", "7.3" },
	{ "%{i}", SPF_MACRO_DOMAIN, &v6,
	  "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1", "7.3" },
	{ "%{c} %{r} %{t}", SPF_MACRO_EXP, &v6, "2001:db8::cb01 receiver.example.net 1700000000",
	  "7.3" },
	{ "%{c} is not one of %{d}'s designated mail servers.", SPF_MACRO_EXP, &v4,
	  "192.0.2.3 is not one of email.example.com's designated mail servers.", "7.4" },
	{ "trailing dot.", SPF_MACRO_EXP, &v4, "trailing dot.", "7.1" },
	{ "", SPF_MACRO_EXP, &v4, "", "7.1 (empty)" },
	/* syntax errors (§7.1) */
	{ "%(ir).sbl.example.com", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 %(" },
	{ "foo%.sbl.example.com", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 %." },
	{ "foo%", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 trailing %" },
	{ "%{", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 unterminated" },
	{ "%{d", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 unterminated" },
	{ "%{d2", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 unterminated" },
	{ "%{}", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 no letter" },
	{ "%{a}", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 unknown letter" },
	{ "%{x}", SPF_MACRO_EXP, &v4, NULL, "7.1 unknown letter" },
	{ "%{d0}", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 zero parts" },
	{ "%{d2x}", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 bad transformer" },
	{ "%{d:}", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 bad delimiter" },
	{ "%{rd}", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 r is not a letter" },
	{ "%{c}", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 c only in exp" },
	{ "%{r}", SPF_MACRO_STRING, &v4, NULL, "7.1 r only in exp" },
	{ "%{T}", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 t only in exp" },
	{ "a b", SPF_MACRO_DOMAIN, &v4, NULL, "7.1 no space in domain-spec" },
	{ "caf\xc3\xa9", SPF_MACRO_EXP, &v4, NULL, "7.1 non-ASCII" },
	{ "tab\there", SPF_MACRO_EXP, &v4, NULL, "7.1 control character" },
};

struct dcase {
	const char *in;
	bool ok;
	const char *spec;
};

/* domain-spec = macro-string domain-end (§7.1); suite cases in parentheses */
static const struct dcase dcases[] = {
	{ "example.com", true, "7.1" },
	{ "example.com.", true, "7.1 trailing dot" },
	{ "foo.example.xn--zckzah", true, "7.1 (a-dash-in-toplabel)" },
	{ "foo:bar/baz.example.com", true, "7.1 (a-colon-domain)" },
	{ "%{d}", true, "7.1 ends in macro" },
	{ "%{H}.bar", true, "7.1" },
	{ "%{ir}.%{v}._spf.%{d2}", true, "7.1" },
	{ "foo%%", true, "7.1 ends in %%" },
	{ "x.123-456", true, "7.1 dashed numeric toplabel" },
	{ "mail.example...com", true, "7.1 (invalid-domain-empty-label: syntax ok)" },
	{ "", false, "7.1 empty" },
	{ "foo-bar", false, "7.1 (invalid-domain)" },
	{ "museum", false, "7.1 (a-only-toplabel)" },
	{ "museum.", false, "7.1 (a-only-toplabel-trailing-dot)" },
	{ "abc.123", false, "7.1 (a-numeric-toplabel)" },
	{ "111.222.33.44", false, "7.1 (a-numeric)" },
	{ "example.-com", false, "7.1 (a-bad-toplabel)" },
	{ "example.com-", false, "7.1 toplabel ends in dash" },
	{ "example.com:8080", false, "7.1 (a-bad-domain)" },
	{ "ip5.example.com/24", false, "7.1 (include-cidr)" },
	{ "example.com..", false, "7.1 two trailing dots" },
	{ "%{d}com", false, "7.1 toplabel without its dot" },
	{ "%{r}.example.com", false, "7.1 (exp-only-macro-char)" },
	{ "-all", false, "7.1 (exp-syntax-error)" },
	{ ".", false, "7.1 dot only" },
};

static void
test_expand(void)
{
	size_t i;

	for (i = 0; i < sizeof(xcases) / sizeof(xcases[0]); i++) {
		const struct xcase *x = &xcases[i];
		struct arena *a = arena_new();
		const char *why = NULL;
		char *got = spf_macro_expand(a, x->in, x->ctx, x->v, NULL, &why);
		bool syn = spf_macro_check(x->in, strlen(x->in), x->ctx, NULL);

		if (x->want != NULL) {
			is_str(got, x->want, "§%s expand \"%s\"", x->spec, x->in);
			ok(syn, "§%s syntax ok \"%s\"", x->spec, x->in);
		} else {
			ok(got == NULL && why != NULL, "§%s rejected \"%s\" (%s)", x->spec, x->in,
			    why ? why : "no reason");
			ok(!syn, "§%s syntax check rejects \"%s\"", x->spec, x->in);
		}
		arena_free(&a);
	}
}

static void
test_domain_spec(void)
{
	size_t i;

	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const char *why = NULL;
		bool got = spf_macro_check_domain_spec(dcases[i].in, strlen(dcases[i].in), &why);

		ok(got == dcases[i].ok, "§%s domain-spec \"%s\" %s%s%s", dcases[i].spec,
		    dcases[i].in, dcases[i].ok ? "valid" : "invalid", why ? ": " : "", why ? why : "");
	}
}

static void
test_domain_truncation(void)
{
	struct arena *a = arena_new();
	struct spf_macro_vars v = v4;
	char *got;
	size_t i;
	char huge[3000];

	/* §7.3 (suite domain-name-truncation): 258 characters lose the leftmost label. */
	v.o = "somewhat.long.exp.example.com";
	got = spf_macro_expand_domain(a,
	    "foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com", &v, NULL, NULL);
	ok(got != NULL && strlen(got) == 251 && strncmp(got, "somewhat.", 9) == 0 &&
	    strcmp(got + strlen(got) - 12, ".example.com") == 0,
	    "§7.3 over 253 characters: leftmost labels removed (%zu chars)", got ? strlen(got) : 0);
	is_str(spf_macro_expand_domain(a, "%{d}.", &v4, NULL, NULL), "email.example.com",
	    "§7.3 trailing dot of a domain removed");
	is_str(spf_macro_expand(a, "msg.example.com.", SPF_MACRO_EXP, &v4, NULL, NULL),
	    "msg.example.com.", "§7.1 trailing dot of an explanation kept");
	/* A value far beyond SPF_MACRO_MAX: the tail survives, the result stays bounded. */
	for (i = 0; i < sizeof(huge) - 1; i++)
		huge[i] = (i % 10 == 9) ? '.' : 'a';
	huge[sizeof(huge) - 1] = '\0';
	v.l = huge;
	got = spf_macro_expand_domain(a, "%{l}.%{l}.%{l}.tail.example", &v, NULL, NULL);
	ok(got != NULL && strlen(got) <= 253 &&
	    strcmp(got + strlen(got) - 13, ".tail.example") == 0,
	    "bounded expansion of a huge value keeps the rightmost labels");
	got = spf_macro_expand(a, "%{l}%{l}%{l}", SPF_MACRO_EXP, &v, NULL, NULL);
	ok(got != NULL && strlen(got) == SPF_MACRO_MAX, "explanation expansion capped at %d",
	    SPF_MACRO_MAX);
	/* One label longer than 253: cannot be truncated, and is not queryable. */
	v.l = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	got = spf_macro_expand_domain(a, "%{l}", &v, NULL, NULL);
	ok(got != NULL && !spf_name_queryable(got), "one 300-char label: not queryable");
	arena_free(&a);
}

static void
test_misc(void)
{
	struct arena *a = arena_new();
	const char *why = NULL;
	struct spf_macro_vars v = v4;

	ok(spf_macro_uses_p("exists:%{p}.x"), "uses_p: %%{p}");
	ok(spf_macro_uses_p("%{P2}.x"), "uses_p: %%{P2}");
	ok(!spf_macro_uses_p("%%{p}.x"), "uses_p: %%%%{p} is literal");
	ok(!spf_macro_uses_p("%{d}.p"), "uses_p: no p macro");
	v.p = NULL;
	ok(spf_macro_expand(a, "%{p}", SPF_MACRO_DOMAIN, &v, NULL, &why) == NULL,
	    "§7.3 %%{p} not computed: refused, not guessed");
	ok(spf_name_queryable("a.b") && spf_name_queryable("OEMCOMPUTER"), "queryable names");
	ok(!spf_name_queryable("") && !spf_name_queryable("a..b") && !spf_name_queryable(".a") &&
	    !spf_name_queryable("a."), "empty labels are not queryable (§4.3)");
	ok(spf_name_queryable("a12345678901234567890123456789012345678901234567890123456789012.com"),
	    "63-character label queryable");
	ok(!spf_name_queryable("a123456789012345678901234567890123456789012345678901234567890123.com"),
	    "64-character label not queryable (§4.3)");
	ok(spf_toplabel_ok("xn--zckzah", 10) && !spf_toplabel_ok("123", 3) &&
	    spf_toplabel_ok("1a", 2) && !spf_toplabel_ok("-a", 2) && !spf_toplabel_ok("", 0),
	    "§7.1 toplabel forms");
	arena_free(&a);
}

/* The work account: every byte read from a value and every byte written. */
static void
test_work(void)
{
	struct arena *a = arena_new();
	struct spf_macro_vars v = v4;
	struct spf_macro_work w;
	const char *why;
	char val[101], many[65 * 4 + 1];
	const char *got;
	size_t i;

	memset(val, 'q', 100);
	val[100] = '\0';
	v.l = val;
	w = (struct spf_macro_work){ 0, 202, false };
	got = spf_macro_expand(a, "ab%{l}", SPF_MACRO_EXP, &v, &w, NULL);
	ok(got != NULL && w.used == 202 && !w.limit,
	    "work: 2 literal bytes, 100 read, 100 written (%zu)", w.used);
	w = (struct spf_macro_work){ 0, 201, false };
	why = NULL;
	ok(spf_macro_expand(a, "ab%{l}", SPF_MACRO_EXP, &v, &w, &why) == NULL && w.limit &&
	    w.used == 201, "work: one byte more than the account: refused");
	is_str(why, SPF_MACRO_WORK_REASON, "work: the reason names the limit");
	w = (struct spf_macro_work){ 0, 1000, false };
	v.l = "a b";
	got = spf_macro_expand(a, "%{L}", SPF_MACRO_EXP, &v, &w, NULL);
	ok(got != NULL && w.used == 3 + 5, "work: URL escapes count as written (%zu)", w.used);
	w = (struct spf_macro_work){ 0, 2 * 65536, false };
	v.l = val;
	got = spf_macro_expand_domain(a, "%{l}.%{l}", &v, &w, NULL);
	ok(got != NULL && w.used == 401, "work: 2 x 200 and a dot (%zu)", w.used);
	got = spf_macro_expand_domain(a, "%{l}.%{l}", &v, &w, NULL);
	ok(got != NULL && w.used == 802, "work: a second expansion adds to the account (%zu)",
	    w.used);
	w = (struct spf_macro_work){ 0, 1000, false };
	ok(spf_macro_expand(a, "%{l", SPF_MACRO_EXP, &v, &w, &why) == NULL && !w.limit,
	    "work: a syntax error is not a limit");

	for (i = 0; i < 65; i++)
		memcpy(many + i * 4, "%{v}", 4);
	many[64 * 4] = '\0';
	w = (struct spf_macro_work){ 0, 65536, false };
	ok(spf_macro_expand_domain(a, many, &v, &w, NULL) != NULL && !w.limit,
	    "%d macros in one term expand", SPF_MACRO_TERM_MAX);
	many[64 * 4] = '%';
	many[65 * 4] = '\0';
	why = NULL;
	ok(spf_macro_expand_domain(a, many, &v, &w, &why) == NULL && w.limit,
	    "%d macros in one term: refused", SPF_MACRO_TERM_MAX + 1);
	is_str(why, SPF_MACRO_TERM_REASON, "65 macros: the reason names the limit");
	ok(spf_macro_expand_domain(a, many, &v, NULL, NULL) == NULL,
	    "65 macros: refused without an account too");
	/* Before: (value length + 1) x 16 bytes zeroed per occurrence, the result 2 KB. */
	ok(arena_used(a) < 4096, "the arena holds only the results (%zu bytes)", arena_used(a));
	arena_free(&a);
}

int
main(void)
{
	test_expand();
	test_work();
	test_domain_spec();
	test_domain_truncation();
	test_misc();
	return tap_done();
}
