/*
 * libFuzzer target for the SPF record parser: any bytes either parse or
 * give a reason, and whatever parses holds only what RFC 7208's grammar
 * allows (lengths in range, domain-specs that re-check as valid, at most
 * one redirect= and exp=), in memory proportional to the record; and every
 * domain-spec of it expands, with a 1 KB local-part, either in full or to
 * a "macro expansion limit" of the check's work account, never past it,
 * allocating only its result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "spf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char local[1025];

static void
check_spec(struct arena *a, struct spf_macro_work *w, const char *spec)
{
	struct spf_macro_vars v = {
		.s = "user@example.com", .l = local, .o = "example.com", .d = "sub.example.com",
		.i = "192.0.2.3", .p = "mx.example.org", .v = "in-addr", .h = "helo.example",
	};
	size_t before = arena_used(a);
	const char *why = NULL, *name;

	if (spec == NULL)
		return;
	if (!spf_macro_check_domain_spec(spec, strlen(spec), NULL))
		abort();
	name = spf_macro_expand_domain(a, spec, &v, w, &why);
	if (w->used > w->max || (name == NULL && (!w->limit || why == NULL ||
	    strncmp(why, "macro expansion limit: ", 23) != 0)))
		abort();
	if (name != NULL && (arena_used(a) - before > SPF_MACRO_MAX + 1 ||
	    (strlen(name) > SPF_NAME_MAX && strchr(name, '.') != NULL)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct spf_record *rec = NULL;
	struct spf_macro_work w = { 0, SPF_MACRO_WORK_MAX, false };
	const char *why = NULL;
	size_t i;
	unsigned ndns = 0;

	if (local[0] == '\0')
		for (i = 0; i < sizeof(local) - 1; i++)
			local[i] = i % 8 == 7 ? '.' : 'l';
	if (spf_record_parse(a, (const char *)data, size, &rec, &why) != 0) {
		if (rec != NULL || why == NULL)
			abort();
		arena_free(&a);
		return 0;
	}
	if (!spf_record_is_spf((const char *)data, size) || size > SPF_RECORD_MAX)
		abort();
	/* Terms, their text and domain-specs: a few dozen bytes per byte at most. */
	if (arena_used(a) > 40 * size + 1024)
		abort();
	check_spec(a, &w, rec->redirect);
	check_spec(a, &w, rec->exp);
	for (i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];

		if (t->cidr4 > 32 || t->cidr6 > 128 || t->text == NULL)
			abort();
		check_spec(a, &w, t->domain_spec);
		switch (t->mech) {
		case SPF_M_IP4:
			if (t->net.family != AF_INET)
				abort();
			break;
		case SPF_M_IP6:
			if (t->net.family != AF_INET6)
				abort();
			break;
		case SPF_M_INCLUDE:
		case SPF_M_EXISTS:
			if (t->domain_spec == NULL)
				abort();
			ndns++;
			break;
		case SPF_M_A:
		case SPF_M_MX:
		case SPF_M_PTR:
			ndns++;
			break;
		case SPF_M_ALL:
			if (t->domain_spec != NULL)
				abort();
			break;
		}
	}
	/* Kept: up to the first "all" or the 11th DNS mechanism, which ends the walk. */
	if (ndns + (rec->redirect != NULL) > rec->ndns || ndns > SPF_RECORD_KEEP_DNS)
		abort();
	for (i = 0; i + 1 < rec->nterms; i++)
		if (rec->terms[i].mech == SPF_M_ALL)
			abort();
	arena_free(&a);
	return 0;
}
