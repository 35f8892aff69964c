/*
 * libFuzzer target for the DMARC record parser: any bytes give one of the
 * three statuses with a reason, in both modes, and a record that parses
 * holds only values the grammar allows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct dmarc_record *r, enum dmarc_rec_status st, const char *why)
{
	if (why == NULL)
		abort();
	if (st != DMARC_REC_OK)
		return;
	if (r->p < DMARC_P_NONE || r->p > DMARC_P_REJECT || r->sp > DMARC_P_REJECT ||
	    r->np > DMARC_P_REJECT || r->pct > 100 || r->psd > DMARC_PSD_N)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct dmarc_record r;
	const char *why = NULL;
	enum dmarc_rec_status st;

	st = dmarc_record_parse(a, (const char *)data, size, DMARC_RFC7489, &r, &why);
	check(&r, st, why);
	if (st == DMARC_REC_NO_POLICY)
		abort();        /* RFC 7489 has no such status: a policy-less record is invalid */
	if (st != DMARC_REC_NOT_DMARC) {
		/* §6.3: only a record whose first tag is v=DMARC1 counts */
		size_t i = 0;

		while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
		    data[i] == '\n' || data[i] == ';'))
			i++;
		if (i >= size || (data[i] != 'v' && data[i] != 'V') ||
		    memmem(data, size, "DMARC1", 6) == NULL)
			abort();
	}
	why = NULL;
	st = dmarc_record_parse(a, (const char *)data, size, DMARC_RFC9989, &r, &why);
	check(&r, st, why);
	if (st == DMARC_REC_INVALID)
		abort();        /* RFC 9989: no usable policy is DMARC_REC_NO_POLICY, never invalid */
	arena_free(&a);
	return 0;
}
