/*
 * taglist: the RFC 6376 section 3.2 tag=value list, shared by the DKIM
 * glue and ARC. We parse it ourselves, before any key is fetched, so a
 * signature or key record is judged by one strict reading of the grammar:
 *
 *   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  = ALPHA *ALNUMPUNC
 *   tag-value = [ tval *( 1*(WSP / FWS) tval ) ]
 *   tval      = 1*VALCHAR          VALCHAR = %x21-3A / %x3C-7E
 *
 * Duplicate tag names make the whole list invalid (section 3.2). The
 * only leniency: a fold may be a bare LF, because Postfix joins folded
 * header lines with "\n". Work is one pass plus a duplicate check over
 * at most TAGLIST_MAX_TAGS names; nothing is allocated.
 */
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "taglist.h"

static int
tl_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
tl_is_alnumpunc(int c)
{
	return tl_is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

static int
tl_is_valchar(int c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

static int
tl_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Skips FWS = ([*WSP CRLF] 1*WSP); a line break must be followed by WSP. */
static size_t
tl_skip_fws(const char *s, size_t len, size_t i)
{
	for (;;) {
		if (i < len && tl_is_wsp((unsigned char)s[i]))
			i++;
		else if (i + 2 < len && s[i] == '\r' && s[i + 1] == '\n' &&
		    tl_is_wsp((unsigned char)s[i + 2]))
			i += 3;
		else if (i + 1 < len && s[i] == '\n' && tl_is_wsp((unsigned char)s[i + 1]))
			i += 2;
		else
			return i;
	}
}

static int
tl_fail(struct taglist *tl, size_t off, const char *reason, const char **why)
{
	tl->err_off = off;
	if (why != NULL)
		*why = reason;
	return -1;
}

int
taglist_parse(struct taglist *tl, const char *s, size_t len, const char **why)
{
	struct taglist_tag *t;
	size_t i = 0, start, vend, j, k;

	tl->n = 0;
	tl->err_off = 0;
	if (len > TAGLIST_MAX_LEN)
		return tl_fail(tl, TAGLIST_MAX_LEN, "tag-list too long", why);
	for (;;) {
		i = tl_skip_fws(s, len, i);
		if (i == len) {
			if (tl->n == 0)
				return tl_fail(tl, i, "empty tag-list", why);
			return 0;       /* after a trailing ';' */
		}
		if (!tl_is_alpha((unsigned char)s[i]))
			return tl_fail(tl, i, s[i] == ';' ? "empty tag-spec" :
			    "tag name must start with a letter", why);
		start = i;
		while (i < len && tl_is_alnumpunc((unsigned char)s[i]))
			i++;
		if (i < len && s[i] != '=' && s[i] != ';' &&
		    !tl_is_wsp((unsigned char)s[i]) && s[i] != '\r' && s[i] != '\n')
			return tl_fail(tl, i, "bad character in tag name", why);
		if (tl->n == TAGLIST_MAX_TAGS)
			return tl_fail(tl, start, "too many tags", why);
		t = &tl->tag[tl->n];
		t->name = s + start;
		t->name_len = i - start;
		i = tl_skip_fws(s, len, i);
		if (i == len || s[i] != '=')
			return tl_fail(tl, i, "missing '=' after tag name", why);
		i = tl_skip_fws(s, len, i + 1);
		start = vend = i;
		while (i < len && s[i] != ';') {
			if (tl_is_valchar((unsigned char)s[i])) {
				vend = ++i;
				continue;
			}
			j = tl_skip_fws(s, len, i);
			if (j == i)
				return tl_fail(tl, i, "bad character in tag value", why);
			i = j;
		}
		t->value = s + start;
		t->value_len = vend - start;
		for (k = 0; k < tl->n; k++)
			if (tl->tag[k].name_len == t->name_len &&
			    memcmp(tl->tag[k].name, t->name, t->name_len) == 0)
				return tl_fail(tl, (size_t)(t->name - s), "duplicate tag", why);
		tl->n++;
		if (i == len)
			return 0;
		i++;                    /* the ';' */
	}
}

const struct taglist_tag *
taglist_get(const struct taglist *tl, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < tl->n; i++)
		if (tl->tag[i].name_len == n && memcmp(tl->tag[i].name, name, n) == 0)
			return &tl->tag[i];
	return NULL;
}

char *
taglist_value(struct arena *a, const struct taglist_tag *t)
{
	return arena_strndup(a, t->value, t->value_len);
}

char *
taglist_value_nows(struct arena *a, const struct taglist_tag *t)
{
	char *out = arena_alloc(a, t->value_len + 1);
	size_t i, n = 0;

	for (i = 0; i < t->value_len; i++) {
		char c = t->value[i];

		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			out[n++] = c;
	}
	out[n] = '\0';
	return out;
}

int
taglist_value_is(const struct taglist_tag *t, const char *str)
{
	size_t n = strlen(str);

	return t->value_len == n && memcmp(t->value, str, n) == 0;
}

const char *
taglist_next_name(const char **p, size_t *len)
{
	const char *s = *p, *e;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == ':')
			s++;
		if (*s == '\0') {
			*p = s;
			return NULL;
		}
		e = s;
		while (*e && *e != ':' && *e != ' ' && *e != '\t' && *e != '\r' && *e != '\n')
			e++;
		*len = (size_t)(e - s);
		*p = e;
		return s;
	}
}

int
taglist_list_has(const char *list, const char *name)
{
	size_t n = strlen(name), len;
	const char *w;

	while ((w = taglist_next_name(&list, &len)) != NULL)
		if (len == n && strncasecmp(w, name, n) == 0)
			return 1;
	return 0;
}
