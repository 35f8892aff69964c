/*
 * libFuzzer target for the SPF record parser: any bytes either parse or
 * give a reason, and whatever parses holds only what RFC 7208's grammar
 * allows (lengths in range, domain-specs that re-check as valid, at most
 * one redirect= and exp=).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "spf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_spec(const char *spec)
{
	if (spec != NULL && !spf_macro_check_domain_spec(spec, strlen(spec), NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct spf_record *rec = NULL;
	const char *why = NULL;
	size_t i;
	unsigned ndns = 0;

	if (spf_record_parse(a, (const char *)data, size, &rec, &why) != 0) {
		if (rec != NULL || why == NULL)
			abort();
		arena_free(&a);
		return 0;
	}
	if (!spf_record_is_spf((const char *)data, size) || size > SPF_RECORD_MAX)
		abort();
	check_spec(rec->redirect);
	check_spec(rec->exp);
	for (i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];

		if (t->cidr4 > 32 || t->cidr6 > 128 || t->text == NULL)
			abort();
		check_spec(t->domain_spec);
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
	if (ndns + (rec->redirect != NULL) != rec->ndns)
		abort();
	arena_free(&a);
	return 0;
}
