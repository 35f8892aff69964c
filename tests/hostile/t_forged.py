"""
Headers that lie to whoever reads the message after us:
- Authentication-Results claiming our authserv-id in every position and
  spelling a downstream parser may read as ours (CVE-2022-48521 class:
  OpenDMARC's isspace() and dropped quotes, SpamAssassin's Perl \\s):
  every one removed, exactly, and look-alikes kept;
- A-R injection through a DKIM d= (CVE-2020-12272): our header.d never
  reads as example.net to a parser that stops at a comment;
- HELO-identity SPF results (CVE-2019-20790): our Received-SPF names the
  identity it checked and DMARC never aligns the HELO domain with From;
  a Received-SPF in the message changes nothing.
Every message is From contoso.example (p=reject) and must still be rejected.
"""

import re

import hostile as H
import tap

ID = H.AUTHSERV_ID
C = 'ceo@contoso.example'

# Values a consumer may read as ours; each must be removed.
OURS = [
    ('plain', ' mx.demo.example; dmarc=pass'),
    ('upper case', ' MX.DEMO.EXAMPLE; dmarc=pass'),
    ('mixed case', ' Mx.Demo.Example; dmarc=pass'),
    ('quoted', ' "mx.demo.example"; dmarc=pass'),
    ('quoted part', ' mx.demo."example"; dmarc=pass'),
    ('quoted first label', ' "mx".demo.example; dmarc=pass'),
    ('quoted, upper case', ' "MX.DEMO.EXAMPLE"; dmarc=pass'),
    ('backslash escape', ' mx.demo.exampl\\e; dmarc=pass'),
    ('backslash escape in quotes', ' "mx.demo.exampl\\e"; dmarc=pass'),
    ('followed by a vertical tab', ' mx.demo.example\v; dmarc=pass'),
    ('followed by a form feed', ' mx.demo.example\f; dmarc=pass'),
    ('led by a vertical tab', ' \vmx.demo.example; dmarc=pass'),
    ('led by a form feed', ' \fmx.demo.example; dmarc=pass'),
    ('followed by a tab', ' mx.demo.example\t; dmarc=pass'),
    ('leading comment', ' (trust me) mx.demo.example; dmarc=pass'),
    ('nested leading comment', ' (a (b) c) mx.demo.example; dmarc=pass'),
    ('comments on both sides', ' (a)mx.demo.example(b); dmarc=pass'),
    ('comment holding a parenthesis escape', ' (a\\)b) mx.demo.example; dmarc=pass'),
    ('folded before the id', '\n\tmx.demo.example; dmarc=pass'),
    ('folded after the id', ' mx.demo.example\n\t; dmarc=pass'),
    ('with a version', ' mx.demo.example 1; dmarc=pass'),
    ('with a version and comment', ' mx.demo.example (c) 1 (d); dmarc=pass'),
    ('no results', ' mx.demo.example; none'),
    ('no semicolon', ' mx.demo.example'),
    ('empty after the id', ' mx.demo.example;'),
]

# Look-alikes that are not ours: removing them would lose others' results.
THEIRS = [
    ('longer domain', ' mx.demo.example.evil; spf=pass'),
    ('other id', ' other.example; spf=fail'),
    ('plural', ' mx.demo.examples; spf=pass'),
    ('prefixed', ' xmx.demo.example; spf=pass'),
    ('parent', ' demo.example; spf=pass'),
]

NAMES = ['Authentication-Results', 'authentication-results', 'AUTHENTICATION-RESULTS',
         'Authentication-Results ']


def ar(v, name='Authentication-Results'):
    return (name, v)


def run_removal(name, hdrs, want, extra=()):
    r = H.run(H.message(hdrs), name=name, extra=extra)
    H.check_sane(name, r)
    tap.is_(r.removed, sorted(want), '%s: removes exactly A-R %s' % (name, sorted(want)))
    H.check_rejected(name, r, 'contoso.example')
    H.check_cost(name, r)
    return r


def test_removal():
    # One spelling at a time, between two look-alikes that must stay.
    for sp, v in OURS:
        run_removal('forged A-R, ' + sp,
                    [ar(THEIRS[0][1]), ('From', ' ' + C), ar(v), ar(THEIRS[1][1])], [2])
    # Every spelling at once, first, in the middle and last, under every name.
    hdrs, want, k = [], [], 0
    for i, (sp, v) in enumerate(OURS):
        hdrs.append(ar(v, NAMES[i % len(NAMES)]))
        k += 1
        want.append(k)
        if i == 3:
            hdrs.append(('From', ' ' + C))
        if i % 5 == 0:
            hdrs.append(ar(THEIRS[(i // 5) % len(THEIRS)][1]))
            k += 1
    run_removal('every forged spelling in one message', hdrs, want)
    # After 1000 and 10 000 other headers (beyond max_headers), and after
    # a 1 MiB header (beyond max_header_bytes).
    pad = [('X-Pad-%d' % i, ' %d' % i) for i in range(1000)]
    run_removal('forged A-R after 1000 headers',
                [('From', ' ' + C)] + pad + [ar(OURS[0][1]), ar(THEIRS[0][1]),
                                            ar(OURS[1][1], NAMES[1])], [1, 3])
    run_removal('forged A-R spelled with a quoted part after 1000 headers',
                [('From', ' ' + C)] + pad + [ar(OURS[4][1])], [1])
    pad = [('X-Pad-%d' % i, ' %d' % i) for i in range(10000)]
    run_removal('forged A-R after 10 000 headers',
                [('From', ' ' + C)] + pad + [ar(OURS[3][1]), ar(OURS[14][1])], [1, 2])
    run_removal('forged A-R after a 1 MiB header',
                [('From', ' ' + C), ('X-Big', ' ' + 'b' * (1024 * 1024 + 1)),
                 ar(OURS[0][1])], [1])
    # Ours claimed in the ARC-Authentication-Results too: not ours to remove
    # (ARC headers are sealed), but the message is still rejected.
    r = H.run(H.message([('ARC-Authentication-Results', ' i=1; mx.demo.example; dmarc=pass'),
                         ('From', ' ' + C)]), name='forged AAR')
    H.check_case('ARC-Authentication-Results claiming our id', r, 'contoso.example')


def parser_reads_d(header):
    """header.d values as a parser that stops at CFWS, ';' or '(' reads them."""
    flat = re.sub(r'\n\t+', ' ', header)
    return re.findall(r'header\.d=([^\s;(]*)', flat)


def test_injection():
    for d in ('example.net(.example.com', 'contoso.example(.evil.example',
              'contoso.example (.evil.example', 'contoso.example\\(.evil.example',
              '"contoso.example".evil.example'):
        name = 'A-R injection through d=%s' % d
        sig = (' v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=sel1; h=from;'
               ' bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA' % d)
        r = H.run(H.message([('DKIM-Signature', sig), ('From', ' ' + C)]), name=name)
        H.check_case(name, r, 'contoso.example')
        got = parser_reads_d(r.header or '')
        want = d.split('(')[0].strip().strip('"')
        tap.ok(r.header is not None and want not in got,
               '%s: no header.d reads as %s (read: %s)' % (name, want, got), r.header)


RSPF_HELO = ('Received-SPF: pass (mx.demo.example: domain of postmaster@evil.example '
             'designates 203.0.113.66 as permitted sender) client-ip=203.0.113.66; '
             'helo=evil.example; receiver=mx.demo.example; identity=helo; mechanism=+all;')
RSPF_MAILFROM = ('Received-SPF: fail (mx.demo.example: domain of ceo@contoso.example '
                 'does not designate 203.0.113.66 as permitted sender) '
                 'client-ip=203.0.113.66; envelope-from="ceo@contoso.example"; '
                 'helo=evil.example; receiver=mx.demo.example; identity=mailfrom; '
                 'mechanism=-all;')
FORGED_RSPF = [
    ('Received-SPF', ' pass (mx.demo.example: domain of ceo@contoso.example designates'
     ' 203.0.113.66 as permitted sender) client-ip=203.0.113.66;'
     ' envelope-from="ceo@contoso.example"; helo=evil.example; identity=helo;'),
    ('Received-SPF', ' pass identity=mailfrom; envelope-from=ceo@contoso.example'),
]


def test_helo():
    extra = ('spf_received_header = yes',)
    msg = H.message([('From', ' "CEO" <%s>' % C)])
    name = 'null MAIL FROM, HELO evil.example (CVE-2019-20790)'
    r = H.run(msg, helo='evil.example', mail_from='<>', extra=extra, name=name)
    H.check_case(name, r, 'contoso.example')
    tap.is_(r.entry('spf'), 'spf=pass (sender IP is 203.0.113.66) smtp.helo=evil.example',
            '%s: the A-R names the HELO identity' % name)
    tap.is_(re.findall(r'^Received-SPF:.*$', r.out, re.M), [RSPF_HELO],
            '%s: Received-SPF says identity=helo' % name)
    tap.is_(r.entry('dmarc'), 'dmarc=fail action=reject header.from=contoso.example '
            'policy.dmarc=reject (p=reject at contoso.example)',
            '%s: the HELO pass does not align with contoso.example' % name)

    for forged in (False, True):
        hdrs = (FORGED_RSPF if forged else []) + [('From', ' "CEO" <%s>' % C)]
        name = 'HELO evil.example passes, MAIL FROM contoso fails%s' % (
            ', forged Received-SPF pass in the message' if forged else '')
        r = H.run(H.message(hdrs), helo='evil.example', mail_from=C, extra=extra, name=name)
        H.check_case(name, r, 'contoso.example')
        tap.is_(r.entry('spf'), 'spf=fail (sender IP is 203.0.113.66) '
                'smtp.mailfrom=contoso.example', '%s: SPF of the MAIL FROM identity' % name)
        tap.is_(re.findall(r'^Received-SPF:.*$', r.out, re.M), [RSPF_MAILFROM],
                '%s: Received-SPF says identity=mailfrom, result fail' % name)

    name = 'null MAIL FROM, HELO contoso.example from the attacker'
    r = H.run(msg, helo='contoso.example', mail_from='', extra=extra, name=name)
    H.check_case(name, r, 'contoso.example')
    tap.is_(r.entry('spf'), 'spf=fail (sender IP is 203.0.113.66) smtp.helo=contoso.example',
            '%s: the HELO identity fails' % name)


def main():
    H.start()
    test_removal()
    test_injection()
    test_helo()
    H.finish()


tap.run(main)
