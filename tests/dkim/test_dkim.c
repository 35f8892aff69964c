/*
 * DKIM conformance runner. Every message of the copied conformance sets
 * (tests/data/dkim/: rfc8463, dkimpy, mail-dkim) and of our own vectors
 * (local/, made by tests/dkim/mkvectors.py) goes through dkimv_* exactly
 * as the milter drives it: headers one by one as the MTA passes them
 * (leading space kept, folds "\r\n" or Postfix's "\n"), end of headers,
 * body in chunks, a wait on the DNS set, end of message. Keys come from
 * a zone file written from the sets' key data and served by our
 * resolver's zone backend, so DNS goes through the real query path.
 *
 * One TAP line per vector: the exact result word and comment from the
 * table below, and, for rows taken from an upstream expected.tsv, that
 * pass / non-pass agrees with it (mail-dkim rows whose rfc_notes say a
 * verifier following RFC 6376 + RFC 8301 must not pass count as
 * non-pass). Every upstream row must be covered by some vector.
 * The properties the pipeline relies on are tested in test_dkim_queries.c
 * (key queries, deadline, limits) and test_dkim_signature.c (header-time
 * decisions, reported fields); dkimv_run.h holds what they share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkimv.h"
#include "log.h"
#include "../tap.h"
#include "dkimv_run.h"

struct vec {
	const char *suite;      /* directory under tests/data/dkim/ */
	const char *msg;
	int sig;                /* DKIM-Signature index, top first */
	const char *keys;       /* base key data (under tests/data/dkim/), or NULL */
	const char *zone;       /* "name\tvalue\n" overrides; see zone_apply */
	unsigned flags;
	const char *result;
	const char *comment;
	const char *cite;
	const char *up;         /* upstream row: NULL none; "=" by message and index;
	                           dkimpy: its dns_record column */
};

#define ED_P "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define VERIFIED "signature was verified"

static const struct vec vecs[] = {
	/* RFC 8463 Appendix A.3: ed25519-sha256 and rsa-sha256, relaxed/relaxed. */
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, NULL, 0,
	  "pass", VERIFIED, "RFC 8463 A.3 ed25519-sha256", "=" },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, NULL, 0,
	  "pass", VERIFIED, "RFC 8463 A.3 rsa-sha256", "=" },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, NULL, V_LF,
	  "pass", VERIFIED, "RFC 8463 A.3 ed25519, folds as Postfix passes them (LF)", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, NULL, V_LF,
	  "pass", VERIFIED, "RFC 8463 A.3 rsa, folds as Postfix passes them (LF)", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, NULL, V_CHUNK1,
	  "pass", VERIFIED, "RFC 8463 A.3 ed25519, body in 1-byte chunks", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, NULL, V_CHUNK1,
	  "pass", VERIFIED, "RFC 8463 A.3 rsa, body in 1-byte chunks", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, NULL, V_EDIT,
	  "fail", "body hash did not verify", "RFC 6376 6.1.3 changed body word, ed25519", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, NULL, V_EDIT,
	  "fail", "body hash did not verify", "RFC 6376 6.1.3 changed body word, rsa", NULL },
	/* The same signatures against key records with problems (RFC 6376 3.6.1, 6.1.2). */
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, FB_TEST "\tNXDOMAIN\n", 0,
	  "permerror", "no key for signature", "RFC 6376 6.1.2 step 3: NXDOMAIN", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, FB_TEST "\tNODATA\n", 0,
	  "permerror", "no key for signature", "RFC 6376 6.1.2 step 3: name without TXT", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, FB_TEST "\tTIMEOUT\n", 0,
	  "temperror", "key lookup failed: timeout", "RFC 6376 6.1.2 step 2: DNS timeout", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tSERVFAIL\n", 0,
	  "temperror", "key lookup failed: SERVFAIL", "RFC 6376 6.1.2 step 2: SERVFAIL", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, FB_TEST "\tv=DKIM1; k=rsa\n", 0,
	  "permerror", "key record has no p= tag", "RFC 6376 3.6.1 p= is required", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, FB_TEST "\tv=DKIM1; k=rsa; p=\n", 0,
	  "permerror", "key revoked", "RFC 6376 3.6.1 empty p= is a revoked key", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tv=DKIM1; k=ed25519; p=\n", 0,
	  "permerror", "key revoked", "RFC 6376 3.6.1 empty p=, ed25519", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, FB_TEST "\tEMPTY\n", 0,
	  "permerror", "key record syntax error: empty tag-list", "RFC 6376 3.6.1 empty record", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, FB_TEST "\tv=DKIM1; k=foo; " ED_P "\n", 0,
	  "permerror", "unknown key type k=foo", "RFC 6376 3.6.1 unknown k=", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 1, RFC8463_KEYS, FB_TEST "\tv=DKIM1; k=ed25519; " ED_P "\n", 0,
	  "permerror", "key type k=ed25519 does not match a=rsa-sha256",
	  "RFC 6376 6.1.2 step 6: key type is not the signature's", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tv=DKIM1; " ED_P "\n", 0,
	  "permerror", "key type k=rsa does not match a=ed25519-sha256",
	  "RFC 6376 3.6.1 k= defaults to rsa", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tv=DKIM1; k=ed25519; h=sha1; " ED_P "\n", 0,
	  "permerror", "key h= does not allow the signature's hash",
	  "RFC 6376 6.1.2 step 5: h= excludes the hash", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tv=DKIM1; k=ed25519; h=sha256; " ED_P "\n", 0,
	  "pass", VERIFIED, "RFC 6376 3.6.1 h=sha256 allows ed25519-sha256", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tv=DKIM1; k=ed25519; s=web; " ED_P "\n", 0,
	  "permerror", "key s= is not for email", "RFC 6376 3.6.1 s= without email or *", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tv=DKIM2; k=ed25519; " ED_P "\n", 0,
	  "permerror", "key record version is not DKIM1", "RFC 6376 3.6.1 v= must be DKIM1", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tk=ed25519; v=DKIM1; " ED_P "\n", 0,
	  "permerror", "key record v= is not the first tag", "RFC 6376 3.6.1 v= must come first", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tv=DKIM1; k=ed25519; k=rsa; " ED_P "\n", 0,
	  "permerror", "key record syntax error: duplicate tag", "RFC 6376 3.2 duplicate tag in a key", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tv=DKIM1; k=ed25519; p=AAAA\n", 0,
	  "permerror", "bad key: unable to apply public key", "RFC 6376 6.1.2 step 7: p= not a key", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS,
	  FB_ED "\tv=DKIM1; k=ed25519; t=y; " ED_P "\n", 0,
	  "pass", VERIFIED "; key in test mode", "RFC 6376 3.6.1 t=y is reported, not hidden", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS, FB_ED "\tv=DKIM1; k=ED25519; " ED_P "\n", 0,
	  "pass", VERIFIED, "RFC 6376 3.6.1 k= compares without case", NULL },
	{ "rfc8463", "rfc8463-appendix-a3.eml", 0, RFC8463_KEYS,
	  FB_ED "\tv=DKIM1; k=ed25519; n=extra tags; x1=ignored; " ED_P "\n", 0,
	  "pass", VERIFIED, "RFC 6376 3.2 unknown key tags are ignored", NULL },

	/* dkimpy (dkim/tests/data), each row of its expected.tsv. */
	{ "dkimpy", "rfc6376.signed.msg", 0, NULL, FB_ED "\t<keys:dkimpy/extra-keys.txt>\n", 0,
	  "pass", VERIFIED, "RFC 8463 ed25519-sha256 simple/simple", "extra-keys.txt" },
	{ "dkimpy", "rfc6376.signed.msg", 1, NULL, FB_TEST "\t<file:dkimpy/test.txt>\n", 0,
	  "pass", VERIFIED, "RFC 6376 rsa-sha256 simple/simple", "test.txt" },
	{ "dkimpy", "rfc6376.signed.rsa.msg", 0, NULL, FB_TEST "\t<file:dkimpy/test.txt>\n", 0,
	  "pass", VERIFIED, "RFC 6376 rsa-sha256", "test.txt" },
	{ "dkimpy", "rfc6376.signed.rsa.msg", 0, NULL, FB_TEST "\t<file:dkimpy/badk.txt>\n", 0,
	  "permerror", "unknown key type k=ed25519-sha256", "RFC 6376 3.6.1 k= is a key type", "badk.txt" },
	{ "dkimpy", "rfc6376.signed.rsa.msg", 0, NULL, FB_TEST "\t<file:dkimpy/badversion.txt>\n", 0,
	  "permerror", "key record version is not DKIM1", "RFC 6376 3.6.1 v=DKIM1: is not DKIM1",
	  "badversion.txt" },
	{ "dkimpy", "rfc6376.signed.rsa.msg", 0, NULL, FB_TEST "\t<file:dkimpy/test_bad.txt>\n", 0,
	  "permerror", "bad key: unable to apply public key", "RFC 6376 6.1.2 step 7: altered p= does not decode",
	  "test_bad.txt" },
	{ "dkimpy", "ed25519test2.msg", 0, NULL,
	  "sed._domainkey.test.ex\t<file:dkimpy/eximtest.dns>\n", 0,
	  "pass", VERIFIED, "RFC 8463 Exim interop", "eximtest.dns" },
	{ "dkimpy", "test2.message", 0, NULL,
	  "20120113._domainkey.gmail.com\t<keys:dkimpy/extra-keys.txt>\n", 0,
	  "pass", VERIFIED, "RFC 6376 2048-bit rsa-sha256, degenerate folding", "extra-keys.txt" },
	{ "dkimpy", "test.message.baddomain", 0, NULL, NULL, 0,
	  "permerror", "invalid d= domain", "RFC 6376 3.5 d= is a domain name", "test.txt" },

	/* Mail::DKIM corpus (t/verifier.t); RFC 6376 + RFC 8301 verdicts. */
	{ "mail-dkim", "mine_ietf01_1.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "mine_ietf01_2.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "mine_ietf01_3.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "mine_ietf01_4.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "mine_ietf05_1.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "good_ietf01_1.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "good_ietf01_2.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "good_rfc4871_3.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "good_rfc4871_3.txt", 0, MD_DNS, NULL, V_SHA1, "fail", "key too small: 512 bits",
	  "RFC 8301 3.2 (rsa-sha1 allowed)", NULL },
	{ "mail-dkim", "good_rfc4871_4.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "good_1878523.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "good_83176.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "good_83176.txt", 0, MD_DNS, NULL, V_SHA1, "pass", VERIFIED,
	  "RFC 6376 rsa-sha1 1024-bit when allowed", NULL },
	{ "mail-dkim", "multiple_1.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "multiple_1.txt", 1, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "multiple_1.txt", 2, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "multiple_1.txt", 3, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "multiple_2.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "multiple_2.txt", 1, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "multiple_2.txt", 2, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "multiple_2.txt", 3, MD_DNS, NULL, 0, "permerror",
	  "signature syntax error: missing '=' after tag name", "RFC 6376 3.2", "=" },
	{ "mail-dkim", "multiple_2.txt", 0, MD_DNS, NULL, V_SHA1, "permerror",
	  "signature not usable: invalid header canonicalization",
	  "RFC 6376 3.5 c= (upstream: invalid)", NULL },
	{ "mail-dkim", "multiple_2.txt", 1, MD_DNS, NULL, V_SHA1, "pass", VERIFIED,
	  "RFC 6376 (upstream: pass)", NULL },
	{ "mail-dkim", "multiple_2.txt", 2, MD_DNS, NULL, V_SHA1, "fail", "signature did not verify",
	  "RFC 6376 6.1.3 (upstream: fail)", NULL },
	{ "mail-dkim", "good_qp_1.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "good_qp_2.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "good_qp_3.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "bad_ietf01_1.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "bad_ietf01_2.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "bad_ietf01_3.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "bad_1.txt", 0, MD_DNS, NULL, 0, "permerror", NOVERSION, "RFC 6376 3.5 v= required", "=" },
	{ "mail-dkim", "bad_1878954.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "bad_1878954.txt", 0, MD_DNS, NULL, V_SHA1, "fail", "signature did not verify",
	  "RFC 6376 6.1.3 message without From (upstream: fail)", NULL },
	{ "mail-dkim", "no_body_1.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "no_body_2.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "no_body_3.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "ignore_1.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=5", "=" },
	{ "mail-dkim", "ignore_2.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "ignore_3.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "ignore_4.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "ignore_5.txt", 0, MD_DNS, NULL, 0, "permerror", "unsupported key query method",
	  "RFC 6376 3.5 q=http", "=" },
	{ "mail-dkim", "ignore_6.txt", 0, MD_DNS, NULL, 0, "permerror", "unsupported key query method",
	  "RFC 6376 3.5 q=dns/special", "=" },
	{ "mail-dkim", "ignore_7.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "ignore_7.txt", 0, MD_DNS, NULL, V_SHA1, "fail", "signature expired",
	  "RFC 6376 3.5 x= in the past", NULL },
	{ "mail-dkim", "ignore_8.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "ignore_8.txt", 0, MD_DNS, NULL, V_SHA1, "permerror", "i= is not within d=",
	  "RFC 6376 3.5 i= must be d= or a subdomain", NULL },
	{ "mail-dkim", "goodkey_1.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "goodkey_2.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "goodkey_3.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "goodkey_4.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "badkey_1.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "badkey_2.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "badkey_3.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "badkey_4.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "badkey_5.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "badkey_6.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "badkey_7.txt", 0, MD_DNS, NULL, 0, "permerror", BADVERSION, "RFC 6376 3.5 v=0.5", "=" },
	{ "mail-dkim", "badkey_8.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "badkey_9.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "badkey_10.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "badkey_10.txt", 0, MD_DNS, NULL, V_SHA1, "permerror",
	  "key t=s does not allow a subdomain i=", "RFC 6376 3.6.1 t=s", NULL },
	{ "mail-dkim", "badkey_11.txt", 0, MD_DNS, NULL, 0, "permerror",
	  "key h= does not allow the signature's hash", "RFC 6376 6.1.2 step 5: h=", "=" },
	{ "mail-dkim", "badkey_12.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "badkey_13.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "badkey_14.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "badkey_14.txt", 0, MD_DNS, NULL, V_SHA1, "temperror", "key lookup failed: timeout",
	  "RFC 6376 6.1.2 step 2: DNS timeout", NULL },
	{ "mail-dkim", "badkey_15.txt", 0, MD_DNS, NULL, 0, "fail", SHA1, "RFC 8301 3.1", "=" },
	{ "mail-dkim", "badkey_15.txt", 0, MD_DNS, NULL, V_SHA1, "temperror", "key lookup failed: SERVFAIL",
	  "RFC 6376 6.1.2 step 2: SERVFAIL", NULL },
	{ "mail-dkim", "goodkey_ed25519.txt", 0, MD_DNS, NULL, 0, "pass", VERIFIED, "RFC 8463", "=" },
	{ "mail-dkim", "badkey1_ed25519.txt", 0, MD_DNS, NULL, 0, "permerror",
	  "bad key: unable to apply public key", "RFC 8463 3: p= is the raw 32-byte key", "=" },
	{ "mail-dkim", "badkey2_ed25519.txt", 0, MD_DNS, NULL, 0, "fail", "signature did not verify",
	  "RFC 6376 6.1.3 header modified", "=" },
	{ "mail-dkim", "badkey3_ed25519.txt", 0, MD_DNS, NULL, 0, "fail", "body hash did not verify",
	  "RFC 6376 6.1.3 body modified", "=" },
	{ "mail-dkim", "badkey4_ed25519.txt", 0, MD_DNS, NULL, 0, "permerror", "no key for signature",
	  "RFC 6376 6.1.2 step 3: NXDOMAIN", "=" },
	{ "mail-dkim", "badkey5_ed25519.txt", 0, MD_DNS, NULL, 0, "permerror",
	  "key record syntax error: empty tag-list", "RFC 6376 3.6.1 empty record", "=" },

	/* Our vectors (tests/dkim/mkvectors.py). */
	{ "local", "ed-simple.eml", 0, LOCAL_KEYS, NULL, 0, "pass", VERIFIED,
	  "RFC 8463 ed25519 simple/simple", NULL },
	{ "local", "ed-strict-same-i.eml", 0, LOCAL_KEYS, NULL, 0, "pass", VERIFIED,
	  "RFC 6376 3.6.1 t=s with i= in d=", NULL },
	{ "local", "ed-strict-subdomain-i.eml", 0, LOCAL_KEYS, NULL, 0, "permerror",
	  "key t=s does not allow a subdomain i=", "RFC 6376 3.6.1 t=s with a subdomain i=", NULL },
	{ "local", "ed-strict-subdomain-i.eml", 0, LOCAL_KEYS,
	  "edstrict._domainkey.example.net\tv=DKIM1; k=ed25519; " ED_P "\n", 0, "pass", VERIFIED,
	  "RFC 6376 3.5 subdomain i= without t=s", NULL },
	{ "local", "ed-expired.eml", 0, LOCAL_KEYS, NULL, 0, "fail", "signature expired",
	  "RFC 6376 3.5 x= in the past", NULL },
	{ "local", "ed-future.eml", 0, LOCAL_KEYS, NULL, 0, "fail", "signature timestamp in the future",
	  "RFC 6376 3.5 t= in the future", NULL },
	{ "local", "ed-x-before-t.eml", 0, LOCAL_KEYS, NULL, 0, "permerror",
	  "x= is not after t=", "RFC 6376 3.5 x= must be greater than t=", NULL },
	{ "local", "ed-l-exact.eml", 0, LOCAL_KEYS, NULL, 0, "pass", VERIFIED,
	  "RFC 6376 3.5 l= covering the whole body", NULL },
	{ "local", "ed-l-exact.eml", 0, LOCAL_KEYS, NULL, V_LPOL, "pass", VERIFIED,
	  "RFC 6376 8.2 l_policy=1, nothing unsigned", NULL },
	{ "local", "ed-l-partial.eml", 0, LOCAL_KEYS, NULL, 0, "pass",
	  VERIFIED "; l= leaves 39 body bytes unsigned", "RFC 6376 3.5 l= honoured, noted", NULL },
	{ "local", "ed-l-partial.eml", 0, LOCAL_KEYS, NULL, V_LPOL, "fail",
	  "l= leaves 39 body bytes unsigned", "RFC 6376 8.2 l_policy=1 refuses unsigned content", NULL },
	{ "local", "ed-l-beyond.eml", 0, LOCAL_KEYS, NULL, 0, "fail", "l= exceeds the body length",
	  "RFC 6376 3.5 l= longer than the body", NULL },
	{ "local", "ed-from-not-signed.eml", 0, LOCAL_KEYS, NULL, 0, "permerror",
	  "From field not signed", "RFC 6376 5.4 / 6.1.1 h= must include From", NULL },
	{ "local", "rsa512-sha256.eml", 0, LOCAL_KEYS, NULL, 0, "fail", "key too small: 512 bits",
	  "RFC 8301 3.2 RSA under 1024 bits", NULL },
	{ "local", "rsa512-sha256.eml", 0, LOCAL_KEYS, NULL, V_MIN512, "pass", VERIFIED,
	  "RFC 8301 3.2 with min_rsa_bits=512", NULL },
	{ "local", "rsa-spki.eml", 0, LOCAL_KEYS, NULL, 0, "pass", VERIFIED,
	  "RFC 6376 Appendix C: p= as SubjectPublicKeyInfo", NULL },
	{ "local", "rsa-pkcs1.eml", 0, LOCAL_KEYS, NULL, 0, "pass", VERIFIED,
	  "RFC 6376 3.6.1: p= as a bare PKCS#1 RSAPublicKey", NULL },
};

static int dump;

/* ------------------------------------------------------------------ */
/* Key overrides                                                        */

/*
 * Overrides, "name\tvalue" per line. value: a record; NXDOMAIN (remove),
 * NODATA (the name exists, no TXT), TIMEOUT, SERVFAIL, EMPTY (one empty
 * string); <file:F> the first line of F; <keys:F> name's line in tab file F.
 */
static int
zone_apply(struct zlist *z, const char *spec)
{
	char *copy, *line, *save = NULL, *tab, rel[256];

	if (spec == NULL)
		return 0;
	copy = strdup(spec);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab++ = '\0';
		if (strncmp(tab, "<file:", 6) == 0) {
			char *txt;

			snprintf(rel, sizeof(rel), "%.*s", (int)strcspn(tab + 6, ">"), tab + 6);
			if ((txt = slurp(rel, NULL)) == NULL) {
				free(copy);
				return -1;
			}
			txt[strcspn(txt, "\r\n")] = '\0';
			zone_set(z, line, txt);
			free(txt);
		} else if (strncmp(tab, "<keys:", 6) == 0) {
			snprintf(rel, sizeof(rel), "%.*s", (int)strcspn(tab + 6, ">"), tab + 6);
			if (zone_read_tab(z, rel, line) != 0) {
				free(copy);
				return -1;
			}
		} else {
			zone_set(z, line, tab);
		}
	}
	free(copy);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Upstream expected.tsv                                                */

struct uprow {
	char suite[16];
	char msg[64];
	int sig;                /* -1: every signature of the message */
	char rec[64];           /* dkimpy dns_record */
	int pass;
	int covered;
};

static struct uprow up[128];
static size_t nup;

static void
up_load(const char *suite)
{
	char rel[128], *buf, *line, *save = NULL, *f[8];
	int nf;

	snprintf(rel, sizeof(rel), "%s/expected.tsv", suite);
	if ((buf = slurp(rel, NULL)) == NULL) {
		ok(0, "%s: read", rel);
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = line, *tab;
		struct uprow *u;

		if (line[0] == '#' || strncmp(line, "message\t", 8) == 0 ||
		    strncmp(line, "file\t", 5) == 0 || nup == 128)
			continue;
		for (nf = 0; nf < 8 && p != NULL; nf++) {
			f[nf] = p;
			if ((tab = strchr(p, '\t')) != NULL)
				*tab++ = '\0';
			p = tab;
		}
		u = &up[nup++];
		memset(u, 0, sizeof(*u));
		snprintf(u->suite, sizeof(u->suite), "%s", suite);
		snprintf(u->msg, sizeof(u->msg), "%s", f[0]);
		if (strcmp(suite, "rfc8463") == 0 && nf >= 4) {
			u->sig = atoi(f[1]);
			u->pass = strcmp(f[3], "pass") == 0;
		} else if (strcmp(suite, "dkimpy") == 0 && nf >= 5) {
			u->sig = atoi(f[1]);
			snprintf(u->rec, sizeof(u->rec), "%s", f[3]);
			u->pass = strcmp(f[4], "pass") == 0;
		} else if (strcmp(suite, "mail-dkim") == 0 && nf >= 6) {
			/* rfc_notes (7th column) non-empty: RFC 6376 + 8301 say no pass. */
			u->sig = -1;
			u->pass = strcmp(f[1], "pass") == 0 && (nf < 7 || f[6][0] == '\0');
		} else {
			nup--;
		}
	}
	free(buf);
}

static struct uprow *
up_find(const struct vec *v)
{
	size_t i;

	for (i = 0; i < nup; i++)
		if (strcmp(up[i].suite, v->suite) == 0 && strcmp(up[i].msg, v->msg) == 0 &&
		    (up[i].sig == -1 || up[i].sig == v->sig) &&
		    (strcmp(v->up, "=") == 0 || strcmp(up[i].rec, v->up) == 0))
			return &up[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The table                                                            */

static void
test_vectors(void)
{
	size_t i, j;
	char rel[256];

	up_load("rfc8463");
	up_load("dkimpy");
	up_load("mail-dkim");
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		struct zlist z;
		struct dkimv_opts o;
		struct run rn;
		struct uprow *u = NULL;
		const char *gr = "(no signature)", *gc = "", *why = NULL;
		int good;

		memset(&z, 0, sizeof(z));
		memset(&rn, 0, sizeof(rn));
		opts_of(v->flags, &o);
		snprintf(rel, sizeof(rel), "%s/%s%s", v->suite,
		    strcmp(v->suite, "mail-dkim") == 0 ? "corpus/" : "", v->msg);
		if (v->keys != NULL && (strstr(v->keys, "FAKE_DNS") ? zone_read_fake(&z, v->keys) :
		    zone_read_tab(&z, v->keys, NULL)) != 0)
			why = "key data unreadable";
		else if (zone_apply(&z, v->zone) != 0)
			why = "zone override unreadable";
		else if (run_message(&rn, rel, &z, &o, v->flags) != 0)
			why = "message unreadable";
		if (v->up != NULL && (u = up_find(v)) == NULL)
			why = "no such row in the upstream expected.tsv";
		if (why == NULL && (size_t)v->sig < rn.res.n) {
			gr = rn.res.sig[v->sig].result;
			gc = rn.res.sig[v->sig].comment;
		}
		if (dump)
			for (j = 0; j < rn.res.n; j++)
				tap_diag("DUMP %s#%zu flags=%x: %s (%s)", rel, j, v->flags,
				    rn.res.sig[j].result, rn.res.sig[j].comment);
		good = why == NULL && strcmp(gr, v->result) == 0 && strcmp(gc, v->comment) == 0;
		if (u != NULL) {
			u->covered = 1;
			if ((strcmp(v->result, "pass") == 0) != u->pass)
				good = 0, why = "table disagrees with the upstream expected.tsv";
		}
		ok(good, "%s#%d%s%s: %s (%s) -- %s", rel, v->sig, v->zone ? " [key variant]" : "",
		    v->flags ? " [options]" : "", v->result, v->comment, v->cite);
		if (!good)
			tap_diag("   got: %s (%s)%s%s", gr, gc, why ? "; " : "", why ? why : "");
		run_end(&rn);
		zone_clear(&z);
	}
	for (i = 0; i < nup; i++)
		if (!up[i].covered)
			break;
	ok(nup > 0 && i == nup, "every row of the three upstream expected.tsv files has a vector (%zu rows)", nup);
	if (i < nup)
		tap_diag("   uncovered: %s %s", up[i].suite, up[i].msg);
}

int
main(void)
{
	run_init("test_dkim");
	dump = getenv("DKIM_DUMP") != NULL;

	test_vectors();
	return tap_done();
}
