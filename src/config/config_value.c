/*
 * Values: a setting's text to its field in struct config (config_set), and
 * numbers and durations back to text; list settings are config_list.c's.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "config.h"
#include "log.h"
#include "config_int.h"

/* Duration text to milliseconds; false on syntax or overflow. */
static bool
config_parse_duration(const char *s, unsigned long *ms)
{
	size_t n = strspn(s, "0123456789");
	const char *unit = s + n;
	unsigned long v, mult;

	if (unit[0] == '\0' || strcmp(unit, "s") == 0)
		mult = 1000;
	else if (strcmp(unit, "ms") == 0)
		mult = 1;
	else if (strcmp(unit, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(unit, "h") == 0)
		mult = 3600 * 1000;
	else
		return false;
	if (!config_parse_ulong(s, n, UINT_MAX, &v))
		return false;
	*ms = v > UINT_MAX / mult ? ULONG_MAX : v * mult;
	return true;
}

/* The shortest exact spelling: 2m rather than 120s or 120000ms. */
static void
config_format_duration(unsigned long ms, char *buf, size_t len)
{
	if (ms != 0 && ms % (3600 * 1000) == 0)
		snprintf(buf, len, "%luh", ms / (3600 * 1000));
	else if (ms != 0 && ms % (60 * 1000) == 0)
		snprintf(buf, len, "%lum", ms / (60 * 1000));
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%lus", ms / 1000);
	else
		snprintf(buf, len, "%lums", ms);
}

void
config_format_number(const struct config_entry *e, unsigned long v, char *buf, size_t len)
{
	if (e->type == CT_DURATION)
		config_format_duration(v, buf, len);
	else if (e->type == CT_MODE)
		snprintf(buf, len, "%04lo", v);
	else
		snprintf(buf, len, "%lu", v);
}

/* Number-like text to its value; returns NULL or what was expected. */
static const char *
config_parse_number(const struct config_entry *e, const char *v, unsigned long *num)
{
	size_t len = strlen(v);

	switch (e->type) {
	case CT_DURATION:
		if (!config_parse_duration(v, num))
			return "a duration such as 500ms, 5s, 2m or 1h (a bare number is seconds)";
		return NULL;
	case CT_MODE:
		if (len == 0 || len > 6 || strspn(v, "01234567") != len)
			return "an octal mode such as 0660";
		*num = strtoul(v, NULL, 8);
		return NULL;
	default:
		if (!config_parse_ulong(v, len, UINT_MAX, num))
			return "a number";
		return NULL;
	}
}

/* A bad value as an error message may quote it: bounded, printable. */
void
config_show(const char *v, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; v[i] != '\0' && o + 4 < len && i < CONFIG_SHOW_MAX; i++)
		buf[o++] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	if (v[i] != '\0' && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/*
 * Stores value v into e's field of c. Returns false with the reason in why
 * (without the "FILE:LINE: " prefix, which the caller knows).
 */
bool
config_set(struct config *c, struct arena *a, const struct config_entry *e,
    const char *v, char *why, size_t whylen)
{
	char shown[CONFIG_SHOW_MAX + 8], lo[32], hi[32];
	const char *expected = NULL;
	unsigned long num;
	size_t n;
	int w;

	switch (e->type) {
	case CT_STRING:
		if (e->check != NULL && (expected = e->check(v)) != NULL)
			break;
		*FIELD(c, e, char *) = arena_strdup(a, v);
		return true;
	case CT_HOSTNAME:
		if (!config_is_hostname(v)) {
			expected = "a host name (letters, digits, '-', '_' and dots)";
			break;
		}
		*FIELD(c, e, char *) = arena_strdup(a, v);
		return true;
	case CT_SOCKET:
		if ((expected = config_check_socket(v)) != NULL)
			break;
		*FIELD(c, e, char *) = arena_strdup(a, v);
		return true;
	case CT_UINT:
	case CT_DURATION:
	case CT_MODE:
		if ((expected = config_parse_number(e, v, &num)) != NULL)
			break;
		if (num < e->min || num > e->max) {
			config_format_number(e, e->min, lo, sizeof(lo));
			config_format_number(e, e->max, hi, sizeof(hi));
			config_show(v, shown, sizeof(shown));
			snprintf(why, whylen, "%s: %s is out of range (%s to %s)",
			    e->name, shown, lo, hi);
			return false;
		}
		*FIELD(c, e, unsigned) = (unsigned)num;
		return true;
	case CT_ENUM:
		for (w = 0; e->words[w] != NULL; w++)
			if (strcasecmp(v, e->words[w]) == 0) {
				*FIELD(c, e, int) = w;
				return true;
			}
		config_show(v, shown, sizeof(shown));
		n = (size_t)snprintf(why, whylen, "%s: expected one of", e->name);
		for (w = 0; e->words[w] != NULL && n < whylen; w++)
			n += (size_t)snprintf(why + n, whylen - n, "%s %s",
			    w ? (e->words[w + 1] ? "," : " or") : "", e->words[w]);
		if (n < whylen)
			snprintf(why + n, whylen - n, ", got '%s'", shown);
		return false;
	case CT_LOGLEVEL:
		if ((w = log_level_parse(v)) < 0) {
			expected = "a log level: err, warning, notice, info or debug";
			break;
		}
		*FIELD(c, e, int) = w;
		return true;
	case CT_STRLIST:
	case CT_CIDRLIST:
		return config_set_list(c, a, e, v, why, whylen);
	}
	config_show(v, shown, sizeof(shown));
	snprintf(why, whylen, "%s: expected %s, got '%s'", e->name,
	    expected ? expected : "a valid value", shown);
	return false;
}
