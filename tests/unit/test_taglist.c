/*
 * taglist: RFC 6376 section 3.2 tag=value lists. One row per input: the
 * parse must succeed with exactly the listed tags (name=value, joined
 * with '|', values as the parser trims them) or fail with the listed
 * reason at the listed byte offset.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "taglist.h"
#include "../tap.h"

struct tl_case {
	const char *cite;
	const char *in;
	size_t len;             /* 0: strlen(in) */
	const char *want;       /* tags "n=v|n=v", or NULL when it must fail */
	const char *why;        /* reason on failure */
	size_t off;             /* error offset on failure */
};

#define OK(cite, in, want) { cite, in, 0, want, NULL, 0 }
#define BAD(cite, in, why, off) { cite, in, 0, NULL, why, off }

static const struct tl_case cases[] = {
	/* good lists */
	OK("3.2 single tag", "v=1", "v=1"),
	OK("3.2 several tags", "v=1; a=rsa-sha256; d=example.com",
	    "v=1|a=rsa-sha256|d=example.com"),
	OK("3.2 trailing ';' allowed", "v=1; a=x;", "v=1|a=x"),
	OK("3.2 trailing ';' then FWS", "v=1; a=x; \t", "v=1|a=x"),
	OK("3.2 ALNUMPUNC in names", "x_1=a; Ab9_=b", "x_1=a|Ab9_=b"),
	OK("3.2 names are case-sensitive: h and H differ", "h=a; H=b", "h=a|H=b"),
	OK("3.2 every VALCHAR", "x=!\"#$%&'()*+,-./0123456789:<=>?@[\\]^_`{|}~",
	    "x=!\"#$%&'()*+,-./0123456789:<=>?@[\\]^_`{|}~"),
	OK("3.2 '=' inside a value", "b=abc==; bh=x=", "b=abc==|bh=x="),
	/* FWS */
	OK("3.2 WSP around name, '=' and value",
	    "  v = 1 ;\ta\t=\trsa-sha256\t", "v=1|a=rsa-sha256"),
	OK("3.2 CRLF fold between tags", "v=1;\r\n\ta=rsa-sha256", "v=1|a=rsa-sha256"),
	OK("3.2 bare LF fold (Postfix joins folds with \\n)", "v=1;\n a=x", "v=1|a=x"),
	OK("3.2 fold before and after '='", "b\r\n =\r\n\tabc", "b=abc"),
	OK("3.2 FWS inside a value is kept, ends trimmed",
	    "b= ab\r\n cd  ef ; p=x", "b=ab\r\n cd  ef|p=x"),
	OK("3.2 leading space as the MTA passes it", " v=1; d=example.org", "v=1|d=example.org"),
	/* empty values */
	OK("3.2 empty value", "p=", "p="),
	OK("3.6.1 revoked key: empty p= among others", "v=DKIM1; k=rsa; p=", "v=DKIM1|k=rsa|p="),
	OK("3.2 empty value with FWS only", "g= ; p= \r\n ", "g=|p="),
	/* bad lists */
	BAD("3.2 empty input", "", "empty tag-list", 0),
	BAD("3.2 only FWS", " \t\r\n ", "empty tag-list", 5),
	BAD("3.2 only ';'", ";", "empty tag-spec", 0),
	BAD("3.2 empty tag-spec between ';'", "v=1;;a=2", "empty tag-spec", 4),
	BAD("3.2 duplicate tag invalidates the list", "v=1; d=a; d=b", "duplicate tag", 10),
	BAD("3.2 duplicate with different spacing", "v=1; v =1", "duplicate tag", 5),
	BAD("3.2 missing '='", "k=rsa; t; p=abc", "missing '=' after tag name", 8),
	BAD("3.2 missing '=' at the end", "v=1; a", "missing '=' after tag name", 6),
	BAD("3.2 space inside a name", "a b=1", "missing '=' after tag name", 2),
	BAD("3.2 name must start with ALPHA (digit)", "1a=x", "tag name must start with a letter", 0),
	BAD("3.2 name must start with ALPHA (underscore)", "_a=x", "tag name must start with a letter", 0),
	BAD("3.2 no name before '='", "=x", "tag name must start with a letter", 0),
	BAD("3.2 '-' is not ALNUMPUNC", "x-y=1", "bad character in tag name", 1),
	BAD("3.2 8-bit byte in a name", "v\xc3\xa9=1", "bad character in tag name", 1),
	BAD("3.2 8-bit byte in a value", "n=caf\xc3\xa9", "bad character in tag value", 5),
	BAD("3.2 control character in a value", "x=a\x01" "b", "bad character in tag value", 3),
	BAD("3.2 CR without LF in a value", "x=a\rb", "bad character in tag value", 3),
	BAD("3.2 line break not followed by WSP", "x=a\r\nb=c", "bad character in tag value", 3),
	BAD("3.2 bare LF not followed by WSP", "v=1;\na=2", "tag name must start with a letter", 4),
	{ "3.2 NUL byte in a value", "x=a\0b", 5, NULL, "bad character in tag value", 3 },
	{ "3.2 a NUL byte is not a terminator", "x=ab; y=\0", 9, NULL,
	  "bad character in tag value", 8 },
};

static void
serialise(const struct taglist *tl, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < tl->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%.*s=%.*s", i ? "|" : "",
		    (int)tl->tag[i].name_len, tl->tag[i].name,
		    (int)tl->tag[i].value_len, tl->tag[i].value);
}

static void
test_table(void)
{
	size_t i;
	struct taglist tl;
	char buf[512], want[256];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tl_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		const char *why = NULL;
		int rc = taglist_parse(&tl, c->in, len, &why);

		if (c->want != NULL) {
			serialise(&tl, buf, sizeof(buf));
			if (rc != 0)
				snprintf(buf, sizeof(buf), "error: %s at %zu", why, tl.err_off);
			is_str(buf, c->want, "RFC 6376 %s", c->cite);
		} else {
			if (rc == 0)
				snprintf(buf, sizeof(buf), "parsed");
			else
				snprintf(buf, sizeof(buf), "%s at %zu", why, tl.err_off);
			snprintf(want, sizeof(want), "%s at %zu", c->why, c->off);
			is_str(buf, want, "RFC 6376 %s", c->cite);
		}
	}
}

/* Bounds: TAGLIST_MAX_TAGS tags parse, one more does not; input over
 * TAGLIST_MAX_LEN is refused before any scanning. */
static void
test_bounds(void)
{
	char buf[TAGLIST_MAX_TAGS * 12 + 32];
	static char big[TAGLIST_MAX_LEN + 2];
	struct taglist tl;
	const char *why = NULL;
	size_t off = 0;
	int i;

	for (i = 0; i < TAGLIST_MAX_TAGS; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "t%d=%d;", i, i);
	is_int(taglist_parse(&tl, buf, off, &why), 0, "bound: %d tags parse", TAGLIST_MAX_TAGS);
	is_int(tl.n, TAGLIST_MAX_TAGS, "bound: all %d tags kept", TAGLIST_MAX_TAGS);
	snprintf(buf + off, sizeof(buf) - off, "x=1");
	is_int(taglist_parse(&tl, buf, strlen(buf), &why), -1, "bound: one tag more fails");
	is_str(why, "too many tags", "bound: reason names the tag limit");

	memset(big, ' ', sizeof(big));
	memcpy(big, "v=1", 3);
	is_int(taglist_parse(&tl, big, TAGLIST_MAX_LEN, &why), 0,
	    "bound: exactly TAGLIST_MAX_LEN bytes parse");
	is_int(taglist_parse(&tl, big, TAGLIST_MAX_LEN + 1, &why), -1,
	    "bound: TAGLIST_MAX_LEN + 1 bytes refused");
	is_str(why, "tag-list too long", "bound: reason names the length limit");
}

/* Accessors: lookup is case-sensitive; value copies trim and strip FWS. */
static void
test_accessors(void)
{
	const char *in = "v=1; B=upper; b= dGVz\r\n dA== ; p=";
	struct arena *a = arena_new();
	struct taglist tl;
	const struct taglist_tag *t;
	const char *why;

	is_int(taglist_parse(&tl, in, strlen(in), &why), 0, "accessors: parses");
	t = taglist_get(&tl, "b");
	ok(t != NULL && t->value[0] == 'd', "taglist_get: 'b' finds b=, not B=");
	is_str(taglist_value(a, t), "dGVz\r\n dA==", "taglist_value keeps inner FWS");
	is_str(taglist_value_nows(a, t), "dGVzdA==", "taglist_value_nows strips FWS");
	ok(taglist_get(&tl, "x") == NULL, "taglist_get: absent tag is NULL");
	ok(taglist_value_is(taglist_get(&tl, "v"), "1"), "taglist_value_is: v=1");
	ok(!taglist_value_is(taglist_get(&tl, "v"), "1 "), "taglist_value_is: exact length");
	is_str(taglist_value(a, taglist_get(&tl, "p")), "", "empty value copies to \"\"");
	arena_free(&a);
}

/* h= lists (RFC 6376 section 3.5): FWS around colons, names without case. */
static void
test_name_lists(void)
{
	static const struct {
		const char *list, *want;        /* want: the names joined by '|' */
	} t[] = {
		{ "from:to:subject", "from|to|subject" },
		{ " From : To\r\n\t: Subject ", "From|To|Subject" },
		{ "from::to:", "from|to" },
		{ "", "" },
		{ " : \t", "" },
		{ "x-a:x-b\n :x-c", "x-a|x-b|x-c" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char got[128] = "";
		const char *p = t[i].list, *w;
		size_t n;

		while ((w = taglist_next_name(&p, &n)) != NULL)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%.*s",
			    got[0] ? "|" : "", (int)n, w);
		is_str(got, t[i].want, "name list %zu", i);
	}
	ok(taglist_list_has("to : FROM:subject", "from"), "list_has: From found without case");
	ok(!taglist_list_has("to:from-x:subject", "from"), "list_has: from-x is not from");
	ok(!taglist_list_has("to:fro", "from"), "list_has: a prefix is not the name");
	ok(taglist_list_has("from:ARC-Seal", "arc-seal"), "list_has: ARC-Seal found");
	ok(!taglist_list_has("", "from"), "list_has: empty list");
}

int
main(void)
{
	test_table();
	test_bounds();
	test_accessors();
	test_name_lists();
	return tap_done();
}
