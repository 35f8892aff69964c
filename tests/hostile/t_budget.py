"""
Work the sender can make us do: junk ARC-Seal and DKIM-Signature headers
that spend the DNS budget or overflow the result table, SPF records that
spend 111 legal queries, include loops, macro bombs, timeouts in the
sender's own zone, an AMS with a 32 000-name h=, 1000 signatures, 10 000
headers, 1 MiB header lines, NUL and 8-bit bytes, 100-label names. Each
message is From contoso.example (p=reject) with no aligned pass: it is
rejected with dmarc=fail (the budget spent by the message is never a
temperror of DMARC), no crash, and within the cost ceilings.
"""

import hostile as H
import tap

C = 'ceo@contoso.example'
DMARC_FAIL = ('dmarc=fail action=reject header.from=contoso.example policy.dmarc=reject '
              '(p=reject at contoso.example)')
BH = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
B = 'dGhpcyBpcyBub3QgYSBzaWduYXR1cmUgb2YgYW55IGtpbmQgYXQgYWxs'


def arc_seals(n):
    return [('ARC-Seal', ' i=%d; a=rsa-sha256; cv=none; d=evil.example; s=s%d; t=1; b=%s'
             % (k % 50 + 1, k, B)) for k in range(n)]


def dkim_sigs(n, d='evil.example'):
    return [('DKIM-Signature', ' v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=s%d; '
             'h=from:to:subject; bh=%s; b=%s' % (d, k, BH, B)) for k in range(n)]


def ams(h, i=1):
    return [('ARC-Seal', ' i=%d; a=rsa-sha256; cv=none; d=evil.example; s=arc; t=1; b=%s'
             % (i, B)),
            ('ARC-Message-Signature', ' i=%d; a=rsa-sha256; c=relaxed/relaxed; '
             'd=evil.example; s=arc; h=%s; bh=%s; b=%s' % (i, h, BH, B)),
            ('ARC-Authentication-Results', ' i=%d; mx.evil.example; dmarc=pass' % i)]


def pad(n):
    return [('X-Pad-%d' % i, ' %d' % i) for i in range(n)]


def case(name, hdrs, exact_dmarc=True, body=b'Pay the invoice today.\n', **kw):
    r = H.run(H.message(hdrs, body=body), name=name, **kw)
    # The reply names the author domain as read: below contoso, or unknown.
    H.check_case(name, r, 'contoso.example' if exact_dmarc else None)
    if exact_dmarc:
        tap.is_(r.entry('dmarc'), DMARC_FAIL, '%s: %s' % (name, DMARC_FAIL))
    return r


def test_budget():
    frm = [('From', ' "CEO" <%s>' % C)]
    case('70 junk ARC-Seal headers with distinct s=', frm + arc_seals(70))
    case('70 junk ARC-Seal headers before From', arc_seals(70) + frm)
    case('200 junk ARC-Seal headers', arc_seals(200) + frm)
    for n in (10, 22, 23, 24, 25, 30, 50):
        case('%d junk DKIM-Signature headers, max_dkim_signatures = 50' % n,
             dkim_sigs(n) + frm, extra=('max_dkim_signatures = 50',))
    case('50 junk DKIM-Signature headers of contoso.example itself',
         dkim_sigs(50, 'contoso.example') + frm, extra=('max_dkim_signatures = 50',))
    case('50 junk DKIM-Signature headers of a timing-out domain',
         dkim_sigs(50, 'slow.evil.example') + frm, extra=('max_dkim_signatures = 50',))
    case('1000 DKIM-Signature headers (default max_dkim_signatures)', frm + dkim_sigs(1000))
    case('1000 DKIM-Signature headers, max_dkim_signatures = 50', frm + dkim_sigs(1000),
         extra=('max_dkim_signatures = 50',))
    case('1000 DKIM-Signature headers, then From (past max_headers)', dkim_sigs(1000) + frm,
         exact_dmarc=False)
    # The sender's own SPF record spends the budget (RFC 7208 4.6.4: legal).
    case('MAIL FROM with 10 mx terms of 10 hosts each', frm, mail_from='x@mx10.evil.example')
    case('MAIL FROM mx10, 70 ARC-Seals, 50 DKIM signatures at once',
         arc_seals(70) + dkim_sigs(50) + frm, mail_from='x@mx10.evil.example',
         extra=('max_dkim_signatures = 50',))
    case('mx10 with dns_query_budget = 10', frm, mail_from='x@mx10.evil.example',
         extra=('dns_query_budget = 10',))
    case('mx10 with dns_query_budget = 1', frm, mail_from='x@mx10.evil.example',
         extra=('dns_query_budget = 1',))


def test_spf():
    frm = [('From', ' "CEO" <%s>' % C)]
    for dom in ('loop.evil.example', 'self.evil.example', 'redir.evil.example',
                'deep.evil.example', '.'.join(['a'] * 100) + '.deep.evil.example'):
        case('SPF of MAIL FROM %s' % (dom if len(dom) < 40 else '100-label name'), frm,
             mail_from='x@' + dom)
    lp = 'a' * 1000
    for dom in ('macro1.evil.example', 'macro5.evil.example', 'macrorev.evil.example',
                'macroexp.evil.example'):
        case('SPF macro bomb %s with a 1000-octet local part' % dom, frm,
             mail_from='%s@%s' % (lp, dom))
    case('SPF macro bomb with a 1000-octet local part of dots', frm,
         mail_from='%s@macro1.evil.example' % ('.' * 1000))
    case('SPF macro bomb, Received-SPF on', frm, mail_from='%s@macroexp.evil.example' % lp,
         extra=('spf_received_header = yes',))
    # A temporary failure in the sender's own zone decides nothing here.
    for dom in ('slow.evil.example', 'deepslow.evil.example'):
        case('SPF of MAIL FROM %s times out' % dom, frm, mail_from='x@' + dom)
        r = H.run(H.message(frm), mail_from='x@' + dom, extra=('on_dns_error = tempfail',),
                  name='timeout, tempfail')
        tap.ok(r.action is not None and r.action.startswith(H.REJECT_PREFIX),
               'SPF of MAIL FROM %s times out, on_dns_error = tempfail: still rejected' % dom,
               H.detail(r))


def test_size():
    frm = [('From', ' "CEO" <%s>' % C)]
    case('AMS with a 32 000-name h= (from)', frm + ams(':'.join(['from'] * 32000)))
    case('AMS with a 32 000-name h= (distinct)',
         frm + ams(':'.join('x%d' % i for i in range(32000))))
    case('AMS with a 32 000-name h= over 990 headers it names',
         frm + [('X', ' %d' % i) for i in range(990)] + ams(':'.join(['x'] * 32000)))
    case('1000 ARC sets', frm + [x for i in range(1000) for x in ams('from', i % 50 + 1)])
    case('10 000 headers', frm + pad(10000))
    case('10 000 headers, From last', pad(10000) + frm, exact_dmarc=False)
    case('a 1 MiB Subject', frm + [('Subject', ' ' + 'S' * (1024 * 1024))])
    case('a 1 MiB header line, folded', frm + [('X-Folded', (' ' + 'F' * 76 + '\n') * 13500)])
    case('a 1 MiB DKIM-Signature',
         frm + [('DKIM-Signature', ' v=1; a=rsa-sha256; d=evil.example; s=s; h=from; '
                 'bh=%s; b=%s' % (BH, 'A' * (1024 * 1024)))])
    case('From with a 1 MiB display name',
         [('From', ' "%s" <%s>' % ('N' * (1024 * 1024), C))], exact_dmarc=False)
    case('From with a 100 kB comment', [('From', ' %s (%s)' % (C, 'c' * 100000))],
         exact_dmarc=False)
    case('a 1 MiB body line', frm, body=b'x' * (1024 * 1024) + b'\n')
    case('126-label From domain under contoso',
         [('From', ' ceo@' + '.'.join(['a'] * 119) + '.contoso.example')], exact_dmarc=False)
    case('100-label From domain with 63-octet labels (over 253)',
         [('From', ' ceo@' + '.'.join(['l' * 63] * 100) + '.contoso.example')],
         exact_dmarc=False)


def test_bytes():
    frm = [('From', ' "CEO" <%s>' % C)]
    case('NUL in the Subject', frm + [('Subject', b' a\x00b')])
    case('NUL after the From address', [('From', b' ' + C.encode() + b'\x00junk')],
         exact_dmarc=False)
    # A value reaches a milter up to its first NUL, and that is also what is
    # delivered (Postfix cuts the field there, Sendmail drops NUL bytes
    # before anyone sees the field: tests/mta/t_forged_mta.py): contoso is
    # then not in the From a reader gets, so its policy does not apply.
    for name, frm_nul, want in (
            ('NUL before the contoso address', b' ben@evil.example\x00, ' + C.encode(),
             'dmarc=pass action=none header.from=evil.example policy.dmarc=none (p=none at evil.example)'),
            ('NUL in the display name', b' "C\x00EO" <' + C.encode() + b'>',
             'dmarc=permerror (From header: syntax) action=permerror')):
        r = H.run(H.message([('From', frm_nul)]), name=name)
        H.check_sane(name, r)
        H.check_cost(name, r)
        tap.is_(r.entry('dmarc'), want, '%s: only the part before the NUL is read' % name)
    case('8-bit display name', [('From', b' "\xc9\xe9\xff\xfe" <' + C.encode() + b'>')])
    case('8-bit header name', frm + [(b'X-\xff\xfe', b' \x80\x81')])
    case('8-bit and NUL in a DKIM-Signature',
         frm + [('DKIM-Signature', b' v=1; a=rsa-sha256; d=evil\xff.example; s=\x00; h=from;'
                 b' bh=x; b=y')])
    case('control bytes in every header', [('From', b' "\x01\x02" <' + C.encode() + b'>'),
                                           ('Subject', b' \x1b[31m\x7f\x08')])
    case('a header line without a colon', frm + [('X-No-Colon-Here\nnocolon', ' x')])


def main():
    H.start()
    test_budget()
    test_spf()
    test_size()
    test_bytes()
    H.finish()


tap.run(main)
