/*
 * The inputs fuzz_invariant.c picks from: clients, HELO names, envelope
 * domains (with hostile SPF records in tests/hostile/hostile.zone), the
 * spellings of the protected author domains, what may stand beside them,
 * forged Authentication-Results and header names.
 */
#ifndef INVARIANT_INPUTS_H
#define INVARIANT_INPUTS_H

/* Clients no protected domain authorizes (contoso: 192.0.2.1 only). */
static const char *const ips[] = {
	"203.0.113.66", "198.51.100.7", "192.0.2.10", "192.0.2.2", "192.0.2.0",
	"2001:db8::66", "203.0.113.9", "10.0.0.1",
};

static const char *const helos[] = {
	"mail.evil.example", "evil.example", "contoso.example", "xn--bcher-kva.example",
	"mx10.evil.example", "", "[203.0.113.66]", "macro1.evil.example",
};

static const char *const sender_domains[] = {
	"evil.example", "mx10.evil.example", "macro1.evil.example", "macrorev.evil.example",
	"macroexp.evil.example", "loop.evil.example", "self.evil.example", "redir.evil.example",
	"deep.evil.example", "slow.evil.example", "deepslow.evil.example", "contoso.example",
	"xn--bcher-kva.example", "fabrikam.example", "mail.contoso.example",
	"a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
	"a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
	"a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.deep.evil.example",
};
#define NSENDER (sizeof(sender_domains) / sizeof(sender_domains[0]))

/*
 * The protected author domain, each written as a mail client displays it:
 * every one names contoso.example or xn--bcher-kva.example (p=reject), or
 * a name below one of them (the policy applies to subdomains too).
 */
static const char *const protected[] = {
	"contoso.example",
	"CONTOSO.EXAMPLE",
	"Contoso.Example",
	"contoso.example.",
	"mail.contoso.example",
	"contoso\xe3\x80\x82" "example",                /* U+3002 */
	"contoso\xef\xbc\x8e" "example",                /* U+FF0E */
	"contoso\xef\xbd\xa1" "example",                /* U+FF61 */
	"\xef\xbd\x83\xef\xbd\x8f\xef\xbd\x8e\xef\xbd\x94\xef\xbd\x8f\xef\xbd\x93\xef\xbd\x8f"
	".example",                                     /* full-width letters */
	"contoso.example\xe2\x80\x8b",                  /* U+200B */
	"contoso.example\xc2\xad",                      /* U+00AD */
	"contoso.example\xef\xbb\xbf",                  /* U+FEFF */
	"con\xc2\xad" "toso.example",
	"contoso.example\x01",
	"contoso.example\x7f",
	"b\xc3\xbc" "cher.example",                     /* U-label, NFC */
	"bu\xcc\x88" "cher.example",                    /* NFD */
	"B\xc3\x9c" "CHER.EXAMPLE",
	"xn--bcher-kva.example",
	"XN--BCHER-KVA.EXAMPLE",
	"b\xc3\xbc" "cher\xe3\x80\x82" "example",
	NULL,   /* long: a 247..253-octet subdomain of contoso.example */
	NULL,   /* deep: 100 labels under contoso.example */
};
#define NPROT (sizeof(protected) / sizeof(protected[0]))

/* Addresses that may stand beside the protected one. */
static const char *const others[] = {
	"ben@evil.example", "ben@fabrikam.example", "ben", "ben@", "@", "",
	"x@mx10.evil.example", "ceo@contoso.example", "u@[192.0.2.1]", "\"a b\"@evil.example",
	"ceo@CONTOSO.EXAMPLE", "x@d1.evil.example",
};

/* Authentication-Results values that claim our id (lenient readers). */
static const char *const forged_ar[] = {
	" mx.demo.example; dmarc=pass",
	" MX.DEMO.EXAMPLE; dkim=pass header.d=contoso.example",
	" \"mx.demo.example\"; dmarc=pass",
	" mx.demo.\"example\"; dmarc=pass",
	" mx.demo.exampl\\e; dmarc=pass",
	" mx.demo.example\v; dmarc=pass",
	" mx.demo.example\f; dmarc=pass",
	" \vmx.demo.example; spf=pass",
	" (c) mx.demo.example; compauth=pass reason=100",
	" (a (b) c)mx.demo.example(d); dmarc=pass",
	"\n\tmx.demo.example\n\t; dmarc=pass",
	" mx.demo.example 1; dmarc=pass",
	" mx.demo.example",
	" mx.demo.example.evil; dmarc=pass",   /* not ours: must stay */
};

static const char *const header_names[] = {
	"From", "from", "FROM", "From ", "Sender", "Reply-To", "Authentication-Results",
	"authentication-results", "Authentication-Results\t", "DKIM-Signature", "ARC-Seal",
	"ARC-Message-Signature", "ARC-Authentication-Results", "Received-SPF", "Subject",
	"Received", "Resent-From", "X-Original-From", "To", "Cc", "Message-ID", "Date",
};

static const char *const dkim_domains[] = {
	"contoso.example", "evil.example", "maliciousdomain.example", "slow.evil.example",
	"xn--bcher-kva.example", "mail.contoso.example", "example.net(.example.com",
	"contoso.example(.evil.example", "",
};

#endif
