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

/* A setting's value as the file would spell it (unquoted). */
char *
config_value_text(const struct config *c, const struct config_entry *e, struct arena *a)
{
	char buf[INET6_ADDRSTRLEN + 8], *s, *o;
	size_t i, n, len;

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
		n = FIELD(c, e, const struct str_list)->n;
		for (i = 0, len = 1; i < n; i++)
			len += strlen(FIELD(c, e, const struct str_list)->v[i]) + 2;
		o = s = arena_alloc(a, len);
		for (i = 0; i < n; i++)
			o += sprintf(o, "%s%s", i ? ", " : "",
			    FIELD(c, e, const struct str_list)->v[i]);
		return s;
	case CT_CIDRLIST:
		n = FIELD(c, e, const struct cidr_list)->n;
		o = s = arena_alloc(a, n * (INET6_ADDRSTRLEN + 8) + 1);
		for (i = 0; i < n; i++) {
			const struct cidr *ci = &FIELD(c, e, const struct cidr_list)->v[i];

			o += sprintf(o, "%s%s/%u", i ? ", " : "",
			    netaddr_str(&ci->net, buf, sizeof(buf)), ci->bits);
		}
		return s;
	}
	return arena_strdup(a, "");
}

/* Quoted when it would not read back the same bare. */
static void
config_put_value(const char *v, FILE *out)
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
		config_put_value(config_value_text(c, &config_table[i], a), out);
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
			fputs("Cm", out);
			for (w = 0; e->words[w] != NULL; w++)
				fprintf(out, "%s %s", w ? " |" : "", e->words[w]);
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

