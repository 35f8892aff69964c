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
 * Then the properties the pipeline relies on: the key query is sent
 * when the DKIM-Signature header arrives, none for rsa-sha1 or a bad d=,
 * a deadline gives temperror, the signature limit, the DNS budget.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "dkimv.h"
#include "log.h"
#include "resolver.h"
#include "../tap.h"

#define V_SHA1   0x01   /* allow_sha1 = 1 */
#define V_LPOL   0x02   /* l_policy = 1 */
#define V_MIN512 0x04   /* min_rsa_bits = 512 */
#define V_LF     0x08   /* folds joined with "\n" (Postfix) */
#define V_CHUNK1 0x10   /* body fed one byte at a time */
#define V_EDIT   0x20   /* RFC 8463 body: "hungry" -> "Hungry" */

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

#define RFC8463_KEYS "rfc8463/keys.txt"
#define MD_DNS "mail-dkim/FAKE_DNS.dat"
#define LOCAL_KEYS "local/keys.txt"
#define FB_TEST "test._domainkey.football.example.com"
#define FB_ED "brisbane._domainkey.football.example.com"
#define ED_P "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define VERIFIED "signature was verified"
#define SHA1 "rsa-sha1 is not accepted (RFC 8301)"
#define NOVERSION "signature has no v= tag"
#define BADVERSION "unsupported signature version"

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

static const char *top;         /* tests/data/dkim */
static int dump;

/* ------------------------------------------------------------------ */
/* Files and messages                                                   */

static char *
slurp(const char *rel, size_t *lenp)
{
	char path[4096];
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

struct hdr {
	char *name;
	char *value;
};

struct message {
	struct hdr h[256];
	size_t nh;
	char *body;             /* CRLF line ends */
	size_t bodylen;
};

/*
 * Splits a message the way an MTA hands it to a milter: header name,
 * value after the colon (leading space kept), folded lines joined with
 * fold ("\r\n" as Sendmail, "\n" as Postfix); body with CRLF line ends.
 */
static void
message_parse(struct arena *a, const char *buf, size_t len, const char *fold, struct message *m)
{
	const char *p = buf, *end = buf + len, *eol, *colon;
	size_t ll;
	char *v;

	m->nh = 0;
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			p = eol ? eol + 1 : end;
			break;
		}
		if ((p[0] == ' ' || p[0] == '\t') && m->nh > 0) {
			v = m->h[m->nh - 1].value;
			m->h[m->nh - 1].value = arena_printf(a, "%s%s%.*s", v, fold, (int)ll, p);
		} else if ((colon = memchr(p, ':', ll)) != NULL && m->nh < 256) {
			m->h[m->nh].name = arena_strndup(a, p, (size_t)(colon - p));
			m->h[m->nh].value = arena_strndup(a, colon + 1, ll - (size_t)(colon + 1 - p));
			m->nh++;
		}
		p = eol ? eol + 1 : end;
	}
	m->body = arena_alloc(a, 2 * (size_t)(end - p) + 1);
	m->bodylen = 0;
	for (; p < end; p++) {
		if (*p == '\n' && (m->bodylen == 0 || m->body[m->bodylen - 1] != '\r'))
			m->body[m->bodylen++] = '\r';
		m->body[m->bodylen++] = *p;
	}
}

/* ------------------------------------------------------------------ */
/* Zones                                                                */

struct zent {
	char name[512];
	char *value;            /* record text, or TIMEOUT SERVFAIL NODATA EMPTY */
};

struct zlist {
	struct zent e[128];
	size_t n;
};

static void
zone_set(struct zlist *z, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		if (strcasecmp(z->e[i].name, name) == 0)
			break;
	if (strcmp(value, "NXDOMAIN") == 0) {
		if (i < z->n) {
			free(z->e[i].value);
			z->e[i] = z->e[--z->n];
		}
		return;
	}
	if (i == z->n) {
		if (z->n == 128)
			abort();
		snprintf(z->e[z->n++].name, sizeof(z->e[0].name), "%s", name);
	}
	free(z->e[i].value);
	z->e[i].value = strdup(value);
}

/* "<name><TAB><record>" lines, '#' comments (rfc8463, dkimpy, local). */
static int
zone_read_tab(struct zlist *z, const char *rel, const char *only)
{
	char *buf = slurp(rel, NULL), *line, *save = NULL, *tab;
	int found = 0;

	if (buf == NULL)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL)
			continue;
		*tab++ = '\0';
		if (only != NULL && strcasecmp(line, only) != 0)
			continue;
		zone_set(z, only ? only : line, tab);
		found = 1;
	}
	free(buf);
	return found ? 0 : -1;
}

/* Mail::DKIM's FAKE_DNS.dat: "<name> <record>", NXDOMAIN, ~~errors~~, "". */
static int
zone_read_fake(struct zlist *z, const char *rel)
{
	char *buf = slurp(rel, NULL), *line, *save = NULL, *sp, *v;

	if (buf == NULL)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '#' || line[0] == ';' || (sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		for (v = sp; *v == ' '; v++)
			;
		if (strcmp(v, "~~Query timed out~~") == 0)
			v = "TIMEOUT";
		else if (strcmp(v, "~~SERVFAIL~~") == 0)
			v = "SERVFAIL";
		else if (strcmp(v, "\"\"") == 0)
			v = "EMPTY";
		zone_set(z, line, v);
	}
	free(buf);
	return 0;
}

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

static int
zone_name_plain(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* Our resolver's zone format; TXT split into strings of at most 255 bytes. */
static char *
zone_write(struct zlist *z)
{
	char *path = strdup("/tmp/test_dkim.zone.XXXXXX");
	size_t i, off, n;
	FILE *f;
	int fd;

	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fprintf(f, "; written by test_dkim\n");
	for (i = 0; i < z->n; i++) {
		const char *name = z->e[i].name, *v = z->e[i].value;

		if (!zone_name_plain(name))
			continue;       /* names DNS cannot carry are simply absent */
		if (strcmp(v, "TIMEOUT") == 0 || strcmp(v, "SERVFAIL") == 0) {
			fprintf(f, "%s. %s\n", name, v);
		} else if (strcmp(v, "NODATA") == 0) {
			fprintf(f, "%s. A 192.0.2.1\n", name);
		} else if (strcmp(v, "EMPTY") == 0) {
			fprintf(f, "%s. TXT \"\"\n", name);
		} else {
			fprintf(f, "%s. TXT", name);
			for (off = 0; off < strlen(v); off += n) {
				n = strlen(v) - off > 255 ? 255 : strlen(v) - off;
				fputs(" \"", f);
				for (size_t k = 0; k < n; k++) {
					if (v[off + k] == '"' || v[off + k] == '\\')
						fputc('\\', f);
					fputc(v[off + k], f);
				}
				fputc('"', f);
			}
			fputc('\n', f);
		}
	}
	fclose(f);
	return path;
}

static void
zone_clear(struct zlist *z)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		free(z->e[i].value);
	z->n = 0;
}

/* ------------------------------------------------------------------ */
/* Driving dkimv like the pipeline does                                  */

struct run {
	struct arena *a;
	struct resolver *r;
	struct dns_set *set;
	struct dkimv *d;
	struct dkimv_results res;
	char *zpath;
	unsigned sent_after_headers;
};

static int
run_start(struct run *rn, struct zlist *z, unsigned delay_ms, unsigned budget)
{
	struct resolver_opts ro;
	char err[256];

	memset(&ro, 0, sizeof(ro));
	rn->a = arena_new();
	rn->zpath = zone_write(z);
	ro.zone_file = rn->zpath;
	ro.zone_delay_ms = delay_ms;
	ro.timeout_ms = 1000;
	if ((rn->r = resolver_new(&ro, err, sizeof(err))) == NULL) {
		tap_diag("resolver_new: %s", err);
		return -1;
	}
	rn->set = dns_set_new(rn->r, budget, "test");
	return 0;
}

static void
run_headers(struct run *rn, const struct message *m)
{
	size_t i;

	for (i = 0; i < m->nh; i++) {
		dns_set_lock(rn->set);
		dkimv_header(rn->d, m->h[i].name, m->h[i].value);
		dns_set_unlock(rn->set);
	}
	dns_set_lock(rn->set);
	rn->sent_after_headers = dns_set_sent(rn->set);
	dns_set_unlock(rn->set);
}

static void
run_body_eom(struct run *rn, const struct message *m, size_t chunk, int wait)
{
	size_t off, n;

	dkimv_eoh(rn->d);
	for (off = 0; off < m->bodylen; off += n) {
		n = m->bodylen - off < chunk ? m->bodylen - off : chunk;
		dkimv_body(rn->d, (const unsigned char *)m->body + off, n);
	}
	if (wait)
		dns_set_wait(rn->set, dns_now_ms() + 5000);
	dns_set_lock(rn->set);
	dkimv_eom(rn->d, &rn->res);
	dkimv_free(&rn->d);
	dns_set_unlock(rn->set);
}

static void
run_end(struct run *rn)
{
	dkimv_free(&rn->d);             /* no-op after eom; the abort path otherwise */
	dns_set_free(&rn->set);
	resolver_free(&rn->r);
	if (rn->zpath) {
		unlink(rn->zpath);
		free(rn->zpath);
		rn->zpath = NULL;
	}
	arena_free(&rn->a);
}

/* Everything but the verdict, which the caller checks. */
static int
run_message(struct run *rn, const char *rel, struct zlist *z, const struct dkimv_opts *o,
    unsigned flags)
{
	struct message m;
	size_t len;
	char *buf = slurp(rel, &len), *w;

	if (buf == NULL)
		return -1;
	if (flags & V_EDIT) {
		if ((w = strstr(buf, "hungry")) == NULL) {
			free(buf);
			return -1;
		}
		w[0] = 'H';
	}
	if (run_start(rn, z, 0, 50) != 0) {
		free(buf);
		return -1;
	}
	message_parse(rn->a, buf, len, (flags & V_LF) ? "\n" : "\r\n", &m);
	free(buf);
	rn->d = dkimv_new(rn->a, rn->set, o, "test");
	run_headers(rn, &m);
	run_body_eom(rn, &m, (flags & V_CHUNK1) ? 1 : 65536, 1);
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
opts_of(unsigned flags, struct dkimv_opts *o)
{
	dkimv_opts_init(o);
	o->allow_sha1 = (flags & V_SHA1) != 0;
	o->l_policy = (flags & V_LPOL) != 0;
	if (flags & V_MIN512)
		o->min_rsa_bits = 512;
}

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

/* ------------------------------------------------------------------ */
/* Pipeline properties                                                  */

static int
load_message(struct arena *a, const char *rel, struct message *m)
{
	size_t len;
	char *buf = slurp(rel, &len);

	if (buf == NULL)
		return -1;
	message_parse(a, buf, len, "\r\n", m);
	free(buf);
	return 0;
}

/* The key query leaves when its DKIM-Signature header arrives (DESIGN.md:
 * fire early, wait late): after each header the set has asked exactly
 * the keys of the signatures seen so far, each stamped while its
 * dkimv_header call ran, all before end of headers and any body. */
static void
test_early_query(void)
{
	static const char *const want[] = { FB_ED, FB_TEST };
	struct zlist z;
	struct run rn;
	struct message m;
	struct dns_sent s;
	uint64_t t0, t1;
	size_t i;
	unsigned nsig = 0, n, bad = 0;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, RFC8463_KEYS, NULL);
	if (run_start(&rn, &z, 50, 50) != 0 ||
	    load_message(rn.a, "rfc8463/rfc8463-appendix-a3.eml", &m) != 0) {
		ok(0, "early query: setup");
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	for (i = 0; i < m.nh; i++) {
		int is_sig = strcasecmp(m.h[i].name, "DKIM-Signature") == 0;

		dns_set_lock(rn.set);
		t0 = dns_now_ms();
		dkimv_header(rn.d, m.h[i].name, m.h[i].value);
		t1 = dns_now_ms();
		n = dns_set_sent(rn.set);
		if (is_sig && nsig < 2) {
			nsig++;
			is_int(n, nsig, "early query: %u key queries right after DKIM-Signature #%u",
			    nsig, nsig);
			if (n == nsig) {
				s = dns_set_sent_info(rn.set, n - 1);
				is_str(s.name, want[nsig - 1], "early query: it asks s._domainkey.d of that signature");
				is_int(s.type, DNS_T_TXT, "early query: of type TXT");
				ok(s.at_ms >= t0 && s.at_ms <= t1,
				    "early query: stamped during that dkimv_header call");
			}
		} else if (n != nsig) {
			bad++;          /* a query after a header that is not a signature */
		}
		dns_set_unlock(rn.set);
	}
	is_int(bad, 0, "early query: no query after any other header");
	run_body_eom(&rn, &m, 65536, 1);
	ok(rn.res.n == 2 && strcmp(rn.res.sig[0].result, "pass") == 0 &&
	    strcmp(rn.res.sig[1].result, "pass") == 0,
	    "early query: with 50 ms DNS round trips both signatures pass at eom");
	is_int(rn.res.npass_domains, 1, "pass_domains: one domain for two passing signatures");
	if (rn.res.npass_domains == 1)
		is_str(rn.res.pass_domains[0], "football.example.com", "pass_domains: lower-case d=");
	if (rn.res.n == 2) {
		is_str(rn.res.sig[0].d, "football.example.com", "reported d=");
		is_str(rn.res.sig[0].s, "brisbane", "reported s=");
		is_str(rn.res.sig[0].a, "ed25519-sha256", "reported a=");
		is_str(rn.res.sig[0].b8, "/gCrinpc", "reported b8 (first 8 of b=, RFC 6008)");
		is_str(rn.res.sig[0].i, "@football.example.com", "reported i=");
		is_int(rn.res.sig[0].l_used, 0, "no l= reported");
		is_str(rn.res.sig[1].s, "test", "reported s= of the second signature");
		is_str(rn.res.sig[1].a, "rsa-sha256", "reported a= of the second signature");
	}
	run_end(&rn);
	zone_clear(&z);
}

/* Fields of signatures that do not pass, and l= reporting. */
static void
test_fields(void)
{
	struct zlist z;
	struct run rn;
	struct dkimv_opts o;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, LOCAL_KEYS, NULL);
	dkimv_opts_init(&o);
	o.l_policy = 0;
	if (run_message(&rn, "local/ed-l-partial.eml", &z, &o, 0) == 0 && rn.res.n == 1) {
		is_int(rn.res.sig[0].l_used, 1, "l= reported in l_used");
		is_int(rn.res.npass_domains, 1, "l= signature that passes counts for pass_domains");
	} else {
		ok(0, "fields: l= run");
	}
	run_end(&rn);
	memset(&rn, 0, sizeof(rn));
	if (run_message(&rn, "dkimpy/test.message.baddomain", &z, &o, 0) == 0 && rn.res.n == 1) {
		is_str(rn.res.sig[0].d, "legitimate.com(.attacker.com", "bad d= is reported as written");
		is_int(rn.res.npass_domains, 0, "permerror adds no pass domain");
	} else {
		ok(0, "fields: baddomain run");
	}
	run_end(&rn);
	memset(&rn, 0, sizeof(rn));
	if (run_message(&rn, "mail-dkim/corpus/multiple_2.txt", &z, &o, 0) == 0 && rn.res.n == 4) {
		ok(rn.res.sig[3].d == NULL && rn.res.sig[3].b8 == NULL,
		    "unparseable signature: no d= and no b8 reported");
	} else {
		ok(0, "fields: multiple_2 run");
	}
	run_end(&rn);
	zone_clear(&z);
}

/* What is decided from the DKIM-Signature alone, at header time, and
 * whether a key query went out for it (RFC 6376 3.5, 6.1.1; RFC 8301). */
struct sig_case {
	const char *value;
	unsigned flags;
	unsigned queries;
	const char *result, *comment;
	const char *cite;
};

#define SIG_TAIL "c=relaxed/relaxed; t=1767225600; bh=AAAA; b=BBBB"
#define SIG_OK "v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; " SIG_TAIL
#define NOTVERIFIED "signature did not verify"

static const struct sig_case sig_cases[] = {
	{ " " SIG_OK, 0, 1, "fail", NOTVERIFIED, "3.5 all required tags: key asked, maths fails" },
	{ " a=ed25519-sha256; d=example.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", NOVERSION, "3.5 v= required" },
	{ " v=1; d=example.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "signature has no a= tag", "3.5 a= required" },
	{ " v=1; a=ed25519-sha256; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "signature has no d= tag", "3.5 d= required" },
	{ " v=1; a=ed25519-sha256; d=example.net; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "signature has no s= tag", "3.5 s= required" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; " SIG_TAIL, 0, 0,
	  "permerror", "signature has no h= tag", "3.5 h= required" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from; t=1; b=BBBB", 0, 0,
	  "permerror", "signature has no bh= tag", "3.5 bh= required" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from; t=1; bh=AAAA", 0, 0,
	  "permerror", "signature has no b= tag", "3.5 b= required" },
	{ " v=2; a=ed25519-sha256; d=example.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", BADVERSION, "3.5 v=1 only" },
	{ " v=1; a=ed25519-sha256; d=localhost; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "invalid d= domain", "3.5 d= needs two labels" },
	{ " v=1; a=ed25519-sha256; d=exam ple.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "invalid d= domain", "3.5 space inside d=" },
	{ " v=1; a=ed25519-sha256; d=example..net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "invalid d= domain", "3.5 empty label" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=e/d; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "invalid s= selector", "3.1 selector syntax" },
	{ " v=1; a=rsa-sha512; d=example.net; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "unsupported signature algorithm", "3.5 a= unknown" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=to:subject; " SIG_TAIL, 0, 0,
	  "permerror", "From field not signed", "5.4 / 6.1.1 From must be signed" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=To : FROM; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "5.4 header names in h= are case-insensitive" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; q=dns/txt; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "3.5 q=dns/txt" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; q=http : dns/txt; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "3.5 q= list with dns/txt and FWS" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; q=http; " SIG_TAIL, 0, 0,
	  "permerror", "unsupported key query method", "3.5 q= without dns/txt" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; c=relaxed; t=abc; bh=AAAA; b=BBBB", 0, 0,
	  "permerror", "bad t= value", "3.5 t= is 1*12DIGIT" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; x=1234567890123; bh=AAAA; b=BBBB", 0, 0,
	  "permerror", "bad x= value", "3.5 x= is 1*12DIGIT" },
	{ " v=1; a=ed25519-sha256; d=example.net; s=ed; h=from:to; t=100; x=100; bh=AAAA; b=BBBB", 0, 0,
	  "permerror", "x= is not after t=", "3.5 x= must be greater than t=" },
	{ " v=1; a=rsa-sha1; d=example.net; s=ed; h=from:to; " SIG_TAIL, 0, 0,
	  "fail", SHA1, "RFC 8301 3.1 rsa-sha1 fails without a lookup" },
	{ " v=1; a=rsa-sha1; d=example.net; s=rsa512; h=from:to; " SIG_TAIL, V_SHA1, 1,
	  "fail", "key too small: 512 bits", "RFC 8301 3.1/3.2 rsa-sha1 allowed: key asked" },
	{ " v=1; d=example.net; d=example.net; a=ed25519-sha256; s=ed; h=from; " SIG_TAIL, 0, 0,
	  "permerror", "signature syntax error: duplicate tag", "3.2 duplicate tag" },
	{ " v=1;\n\ta=ed25519-sha256;\n\td=example.net; s=ed;\n h=from:to; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "3.2 folds joined with LF (Postfix)" },
	{ " v=1; a=ed25519-sha256; d=Example.NET; s=ED; h=from:to; " SIG_TAIL, 0, 1,
	  "fail", NOTVERIFIED, "3.5 d= and s= are looked up case-insensitively" },
};

static void
test_sig_table(void)
{
	struct zlist z;
	size_t i;

	memset(&z, 0, sizeof(z));
	zone_read_tab(&z, LOCAL_KEYS, NULL);
	for (i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++) {
		const struct sig_case *c = &sig_cases[i];
		struct run rn;
		struct message m;
		struct dkimv_opts o;
		const char *gr = "(none)", *gc = "";
		int good;

		memset(&rn, 0, sizeof(rn));
		memset(&m, 0, sizeof(m));
		opts_of(c->flags, &o);
		if (run_start(&rn, &z, 0, 50) != 0) {
			ok(0, "signature table: setup");
			run_end(&rn);
			continue;
		}
		m.h[0].name = i % 2 ? "dkim-signature" : "DKIM-Signature";
		m.h[0].value = (char *)c->value;
		m.h[1].name = "From";
		m.h[1].value = " Joe <joe@example.net>";
		m.h[2].name = "To";
		m.h[2].value = " suzie@example.org";
		m.nh = 3;
		m.body = "Hi.\r\n";
		m.bodylen = 5;
		rn.d = dkimv_new(rn.a, rn.set, &o, "test");
		run_headers(&rn, &m);
		run_body_eom(&rn, &m, 65536, 1);
		if (rn.res.n == 1) {
			gr = rn.res.sig[0].result;
			gc = rn.res.sig[0].comment;
		}
		good = strcmp(gr, c->result) == 0 && strcmp(gc, c->comment) == 0 &&
		    rn.sent_after_headers == c->queries;
		ok(good, "signature table: RFC 6376 %s -> %s (%s), %u key queries",
		    c->cite, c->result, c->comment, c->queries);
		if (!good)
			tap_diag("   got: %s (%s), %u key queries", gr, gc, rn.sent_after_headers);
		run_end(&rn);
	}
	zone_clear(&z);
}

/* Headers far beyond libopendkim's DKIM_MAXHEADER (4096) still pass
 * through: an unsigned 64 KiB header, folded, must not disturb either
 * signature, and a 70 KiB DKIM-Signature is refused by our bound. */
static void
test_long_header(void)
{
	struct zlist z;
	struct run rn;
	struct message m;
	char *big, *sig;
	size_t i, n = 65536;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, RFC8463_KEYS, NULL);
	if (run_start(&rn, &z, 0, 50) != 0 ||
	    load_message(rn.a, "rfc8463/rfc8463-appendix-a3.eml", &m) != 0 || m.nh + 2 > 256) {
		ok(0, "long header: setup");
		run_end(&rn);
		return;
	}
	big = arena_alloc(rn.a, n + 1);
	for (i = 0; i < n; i++)
		big[i] = i % 72 == 0 ? '\n' : i % 72 == 1 ? '\t' : 'x';
	big[0] = ' ';
	m.h[m.nh].name = "X-Long";
	m.h[m.nh++].value = big;
	sig = arena_alloc(rn.a, 70 * 1024 + 1);
	memset(sig, 'a', 70 * 1024);
	memcpy(sig, " v=1; z=", 8);
	m.h[m.nh].name = "DKIM-Signature";
	m.h[m.nh++].value = sig;
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	run_body_eom(&rn, &m, 65536, 1);
	ok(rn.res.n == 3 && strcmp(rn.res.sig[0].result, "pass") == 0 &&
	    strcmp(rn.res.sig[1].result, "pass") == 0,
	    "long header: a 64 KiB unsigned header leaves both signatures passing");
	if (rn.res.n == 3)
		is_str(rn.res.sig[2].comment, "signature syntax error: tag-list too long",
		    "long header: a 70 KiB DKIM-Signature is refused, not parsed");
	run_end(&rn);
	zone_clear(&z);
}

/* No DNS is spent on a signature decided without a key. */
static void
test_no_query(const char *rel, const char *what)
{
	struct zlist z;
	struct run rn;
	struct message m;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_fake(&z, MD_DNS);
	if (run_start(&rn, &z, 0, 50) != 0 || load_message(rn.a, rel, &m) != 0) {
		ok(0, "no query: setup %s", rel);
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	is_int(rn.sent_after_headers, 0, "no key query for %s", what);
	run_body_eom(&rn, &m, 65536, 1);
	is_int(rn.res.n, 1, "... and still one result for it");
	run_end(&rn);
	zone_clear(&z);
}

/* eom before the answers (the deadline passed): temperror, never pass. */
static void
test_deadline(void)
{
	struct zlist z;
	struct run rn;
	struct message m;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, RFC8463_KEYS, NULL);
	if (run_start(&rn, &z, 3000, 50) != 0 || load_message(rn.a, "rfc8463/rfc8463-appendix-a3.eml", &m) != 0) {
		ok(0, "deadline: setup");
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	dkimv_eoh(rn.d);
	dkimv_body(rn.d, (const unsigned char *)m.body, m.bodylen);
	dns_set_wait(rn.set, dns_now_ms() + 20);
	dns_set_lock(rn.set);
	dkimv_eom(rn.d, &rn.res);
	dkimv_free(&rn.d);
	dns_set_unlock(rn.set);
	ok(rn.res.n == 2 && strcmp(rn.res.sig[0].result, "temperror") == 0 &&
	    strcmp(rn.res.sig[1].result, "temperror") == 0,
	    "deadline: answers not in at eom -> temperror for both signatures");
	if (rn.res.n == 2)
		is_str(rn.res.sig[0].comment, "key lookup did not finish in time", "deadline: comment");
	is_int(rn.res.npass_domains, 0, "deadline: no pass domain");
	run_end(&rn);                   /* late answers arrive into a cancelled set */
	zone_clear(&z);
}

/* max_signatures: the first ones are evaluated (and asked), the rest not. */
static void
test_limit(unsigned max, unsigned budget, unsigned want_n, unsigned want_pass, const char *what)
{
	struct zlist z;
	struct run rn;
	struct message m;
	struct dkimv_opts o;
	size_t i;
	unsigned npass = 0;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, LOCAL_KEYS, NULL);
	dkimv_opts_init(&o);
	if (max)
		o.max_signatures = max;
	if (run_start(&rn, &z, 0, budget) != 0 || load_message(rn.a, "local/ed-12-signatures.eml", &m) != 0) {
		ok(0, "limit: setup");
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, &o, "test");
	run_headers(&rn, &m);
	run_body_eom(&rn, &m, 65536, 1);
	for (i = 0; i < rn.res.n; i++)
		npass += strcmp(rn.res.sig[i].result, "pass") == 0;
	is_int(rn.res.n, want_n, "%s: %u results for 12 signatures", what, want_n);
	is_int(npass, want_pass, "%s: %u of them pass", what, want_pass);
	is_int(rn.sent_after_headers, want_n < budget ? want_n : budget, "%s: key queries sent", what);
	if (want_pass < want_n && rn.res.n == want_n)
		ok(strcmp(rn.res.sig[want_n - 1].result, "permerror") == 0 &&
		    strcmp(rn.res.sig[want_n - 1].comment, "DNS query budget spent") == 0,
		    "%s: the signature over budget is permerror (DNS query budget spent), "
		    "never a temperror the sender could cause: %s (%s)", what,
		    rn.res.sig[want_n - 1].result, rn.res.sig[want_n - 1].comment);
	run_end(&rn);
	zone_clear(&z);
}

static void
test_unsigned(void)
{
	struct zlist z;
	struct run rn;
	struct message m;
	size_t i, k = 0;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	if (run_start(&rn, &z, 0, 50) != 0 || load_message(rn.a, "local/ed-simple.eml", &m) != 0) {
		ok(0, "unsigned: setup");
		run_end(&rn);
		return;
	}
	for (i = 0; i < m.nh; i++)              /* drop the DKIM-Signature */
		if (strcasecmp(m.h[i].name, "DKIM-Signature") != 0)
			m.h[k++] = m.h[i];
	m.nh = k;
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	run_body_eom(&rn, &m, 65536, 0);
	is_int(rn.res.n, 0, "unsigned message: n == 0 (dkim=none)");
	is_int(rn.sent_after_headers, 0, "unsigned message: no DNS");
	run_end(&rn);
}

/* The abort path: dkimv_free with queries in flight and no eom. */
static void
test_abort(void)
{
	struct zlist z;
	struct run rn;
	struct message m;

	memset(&z, 0, sizeof(z));
	memset(&rn, 0, sizeof(rn));
	zone_read_tab(&z, RFC8463_KEYS, NULL);
	if (run_start(&rn, &z, 30, 50) != 0 || load_message(rn.a, "rfc8463/rfc8463-appendix-a3.eml", &m) != 0) {
		ok(0, "abort: setup");
		run_end(&rn);
		return;
	}
	rn.d = dkimv_new(rn.a, rn.set, NULL, "test");
	run_headers(&rn, &m);
	dkimv_eoh(rn.d);
	dns_set_lock(rn.set);
	dkimv_free(&rn.d);
	dns_set_unlock(rn.set);
	ok(rn.d == NULL, "abort: dkimv_free clears the pointer");
	usleep(80 * 1000);              /* answers arrive after the free */
	dns_set_lock(rn.set);
	is_int(dns_set_pending(rn.set), 0, "abort: late answers were delivered and dropped");
	dns_set_unlock(rn.set);
	run_end(&rn);
	zone_clear(&z);
}

int
main(void)
{
	static char dir[4096];
	const char *srcdir = getenv("top_srcdir");

	log_init("test_dkim", 1);
	log_configure(LOG_LVL_WARN, LOG_FMT_TEXT);
	snprintf(dir, sizeof(dir), "%s/tests/data/dkim", srcdir ? srcdir : ".");
	top = dir;
	dump = getenv("DKIM_DUMP") != NULL;
	dkimv_global_init();

	test_vectors();
	test_early_query();
	test_fields();
	test_sig_table();
	test_long_header();
	test_no_query("mail-dkim/corpus/good_83176.txt", "an rsa-sha1 signature (RFC 8301)");
	test_no_query("dkimpy/test.message.baddomain", "a signature whose d= is not a domain");
	test_deadline();
	test_limit(0, 50, 10, 10, "default limit 10");
	test_limit(3, 50, 3, 3, "max_signatures=3");
	test_limit(0, 4, 10, 4, "DNS budget 4");
	test_unsigned();
	test_abort();
	return tap_done();
}
