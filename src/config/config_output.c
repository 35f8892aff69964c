/*
 * What a loaded config says about itself: `compauthd -n` (every setting
 * as the file would spell it) and the settings list of compauthd.conf(5),
 * both walked from config_table in the same order, so neither can miss a
 * setting the parser knows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "config_int.h"
#include "log.h"
#include "netaddr.h"

/* Item i of list setting e, as -n writes it, at o; returns its length. */
static size_t
config_list_item(const struct config *c, const struct config_entry *e, size_t i, char *o)
{
	char buf[INET6_ADDRSTRLEN + 8];

	if (e->type == CT_STRLIST)
		return (size_t)sprintf(o, "%s", FIELD(c, e, const struct str_list)->v[i]);
	return (size_t)sprintf(o, "%s/%u",
	    netaddr_str(&FIELD(c, e, const struct cidr_list)->v[i].net, buf, sizeof(buf)),
	    FIELD(c, e, const struct cidr_list)->v[i].bits);
}

/*
 * A list: its items joined by ", ", except that the items of a list file
 * are written as the file's name (file:/path), as the file spelled them.
 */
static char *
config_list_text(const struct config *c, const struct config_entry *e, struct arena *a)
{
	const struct config_list_src *src = config_list_source(c, e);
	struct config_list_seg all;
	size_t n, i, k, s, len = 1, nseg;
	const struct config_list_seg *seg;
	char *out, *o;

	n = e->type == CT_STRLIST ? FIELD(c, e, const struct str_list)->n :
	    FIELD(c, e, const struct cidr_list)->n;
	if (src->nseg == 0) {
		all.file = NULL;
		all.n = n;
		seg = &all;
		nseg = 1;
	} else {
		seg = src->seg;
		nseg = src->nseg;
	}
	for (s = 0, i = 0; s < nseg; i += seg[s].n, s++) {
		if (seg[s].file != NULL) {
			len += strlen(seg[s].file) + sizeof("file:") + 2;
			continue;
		}
		for (k = i; k < i + seg[s].n && k < n; k++)
			len += (e->type == CT_STRLIST ?
			    strlen(FIELD(c, e, const struct str_list)->v[k]) :
			    INET6_ADDRSTRLEN + 4) + 2;
	}
	o = out = arena_alloc(a, len);
	*o = '\0';
	for (s = 0, i = 0; s < nseg; i += seg[s].n, s++) {
		if (seg[s].file != NULL) {
			o += sprintf(o, "%sfile:%s", o != out ? ", " : "", seg[s].file);
			continue;
		}
		for (k = i; k < i + seg[s].n && k < n; k++) {
			if (o != out)
				o += sprintf(o, ", ");
			o += config_list_item(c, e, k, o);
		}
	}
	return out;
}

/* A setting's value as the file would spell it (unquoted). */
char *
config_value_text(const struct config *c, const struct config_entry *e, struct arena *a)
{
	char buf[INET6_ADDRSTRLEN + 8];

	switch (e->type) {
	case CT_STRING:
	case CT_HOSTNAME:
	case CT_SOCKET:
		return arena_strdup(a, *FIELD(c, e, char *const));
	case CT_UINT:
	case CT_DURATION:
	case CT_MODE:
		config_format_number(e, *FIELD(c, e, const unsigned), buf, sizeof(buf));
		return arena_strdup(a, buf);
	case CT_ENUM:
		return arena_strdup(a, e->words[*FIELD(c, e, const int)]);
	case CT_LOGLEVEL:
		return arena_strdup(a, log_level_name(*FIELD(c, e, const int)));
	case CT_STRLIST:
	case CT_CIDRLIST:
		return config_list_text(c, e, a);
	}
	return arena_strdup(a, "");
}

/* Quoted when it would not read back the same bare. */
void
config_write_value(const char *v, FILE *out)
{
	if (*v != '\0' && strpbrk(v, " \t#\"\\") == NULL) {
		fputs(v, out);
		return;
	}
	putc('"', out);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			putc('\\', out);
		putc(*v, out);
	}
	putc('"', out);
}

void
config_dump(const struct config *c, FILE *out)
{
	struct arena *a = arena_new();
	size_t i;

	for (i = 0; i < config_nsettings; i++) {
		fprintf(out, "%s = ", config_table[i].name);
		config_write_value(config_value_text(c, &config_table[i], a), out);
		putc('\n', out);
	}
	arena_free(&a);
}

static const char *
config_type_arg(const struct config_entry *e)
{
	if (e->arg != NULL)
		return e->arg;
	switch (e->type) {
	case CT_UINT:
		return "number";
	case CT_DURATION:
		return "duration";
	case CT_MODE:
		return "mode";
	case CT_HOSTNAME:
		return "name";
	case CT_STRLIST:
	case CT_CIDRLIST:
		return "list";
	case CT_LOGLEVEL:
		return "level";
	default:
		return "string";
	}
}

/*
 * Plain text to mdoc: one sentence per line as mdoc wants, lines kept
 * under 80 bytes, and no line that roff could read as a request.
 */
/* ".Ql default ." with long lists continued by an escaped newline. */
static void
config_man_default(const char *def, FILE *out)
{
	const char *p = def, *brk;

	fputs("Default:\n.Ql ", out);
	while (strlen(p) > 66 && (brk = memrchr(p, ' ', 66)) != NULL && brk > p) {
		fprintf(out, "%.*s \\\n", (int)(brk - p), p);
		p = brk + 1;
	}
	fprintf(out, "%s .\n", p);
}

static void
config_man_text(const char *s, FILE *out)
{
	size_t col = 0, n;

	while (*s) {
		n = strcspn(s, " ");
		if (col > 0 && col + 1 + n > 72) {
			putc('\n', out);
			col = 0;
		} else if (col > 0) {
			putc(' ', out);
			col++;
		}
		if (col == 0 && (*s == '.' || *s == '\''))
			fputs("\\&", out);
		for (; n > 0; n--, s++, col++) {
			if (*s == '\\')
				fputs("\\e", out);
			else
				putc(*s, out);
		}
		if (col > 0 && s[-1] == '.' && *s == ' ') {
			putc('\n', out);
			col = 0;
		}
		s += strspn(s, " ");
	}
	if (col > 0)
		putc('\n', out);
}

void
config_man(FILE *out)
{
	char lo[32], hi[32];
	size_t i;
	int w;

	for (i = 0; i < config_nsettings; i++) {
		const struct config_entry *e = &config_table[i];

		fprintf(out, ".It Cm %s Ns = Ns ", e->name);
		if (e->words != NULL) {
			/* A long list goes on with an escaped newline: lines under 80. */
			size_t col = strlen(".It Cm  Ns = Ns Cm") + strlen(e->name);

			fputs("Cm", out);
			for (w = 0; e->words[w] != NULL; w++) {
				if (w && col + 3 + strlen(e->words[w]) + 2 >= 80) {
					fputs(" \\\n", out);
					col = 0;
				}
				col += (size_t)fprintf(out, "%s %s", w ? (col ? " |" : "|") : "",
				    e->words[w]);
			}
			putc('\n', out);
		} else
			fprintf(out, "Ar %s\n", config_type_arg(e));
		config_man_text(e->doc, out);
		if (e->type == CT_UINT || e->type == CT_DURATION) {
			config_format_number(e, e->min, lo, sizeof(lo));
			config_format_number(e, e->max, hi, sizeof(hi));
			fprintf(out, "From %s to %s.\n", lo, hi);
		} else if (e->type == CT_MODE) {
			config_format_number(e, e->max, hi, sizeof(hi));
			fprintf(out, "At most %s.\n", hi);
		}
		if (e->def == NULL) {
			fputs("Default: ", out);
			config_man_text(e->def_doc, out);
		} else if (e->def[0] == '\0')
			fputs("Default: empty.\n", out);
		else
			config_man_default(e->def, out);
	}
}

