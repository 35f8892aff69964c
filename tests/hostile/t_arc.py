"""
Malformed ARC sets (the OpenARC crash reports and RFC 8617 5.2's
structure rules): missing tags, i=0, i=51 and other bad instances,
duplicate instances, a gap, cv=fail in the middle, cv=pass at i=1. The
chain is arc=fail or arc=none, never pass; nothing crashes; the spoof of
contoso.example is still rejected, also when the operator trusts the
attacker's sealer (its signatures are junk, so it vouches for nothing).
"""

import hostile as H
import tap

C = 'ceo@contoso.example'
BH = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
B = 'dGhpcyBpcyBub3QgYSBzaWduYXR1cmUgb2YgYW55IGtpbmQgYXQgYWxs'


def aar(i, extra=''):
    return ('ARC-Authentication-Results',
            ' i=%s; mx.evil.example; dmarc=pass header.from=contoso.example%s' % (i, extra))


def ams(i, tags=None):
    t = tags if tags is not None else (
        'a=rsa-sha256; c=relaxed/relaxed; d=evil.example; s=arc; h=from:to:subject; '
        'bh=%s; b=%s' % (BH, B))
    return ('ARC-Message-Signature', ' i=%s; %s' % (i, t))


def seal(i, cv='none', tags=None):
    t = tags if tags is not None else 'a=rsa-sha256; cv=%s; d=evil.example; s=arc; t=1; b=%s' % (
        cv, B)
    return ('ARC-Seal', ' i=%s; %s' % (i, t))


def arcset(i, cv='none'):
    return [seal(i, cv), ams(i), aar(i)]


CASES = [
    ('one well-formed set with junk signatures', arcset(1)),
    ('AS without b=', [seal(1, tags='a=rsa-sha256; cv=none; d=evil.example; s=arc'),
                       ams(1), aar(1)]),
    ('AS without cv=', [seal(1, tags='a=rsa-sha256; d=evil.example; s=arc; b=' + B),
                        ams(1), aar(1)]),
    ('AS without d= and s=', [seal(1, tags='a=rsa-sha256; cv=none; b=' + B), ams(1), aar(1)]),
    ('AMS without h=', [seal(1), ams(1, 'a=rsa-sha256; d=evil.example; s=arc; bh=%s; b=%s'
                                    % (BH, B)), aar(1)]),
    ('AMS without bh= and b=', [seal(1), ams(1, 'a=rsa-sha256; d=evil.example; s=arc; h=from'),
                                aar(1)]),
    ('AAR without i=', [seal(1), ams(1),
                        ('ARC-Authentication-Results', ' mx.evil.example; dmarc=pass')]),
    ('empty ARC headers', [('ARC-Seal', ''), ('ARC-Message-Signature', ' '),
                           ('ARC-Authentication-Results', ' ;')]),
    ('i=0 everywhere', arcset(0)),
    ('i=0 in the AS only', [seal(0), ams(1), aar(1)]),
    ('i=51', arcset(51)),
    ('i=51 after 50 sets', [h for i in range(1, 52) for h in arcset(i, 'none' if i == 1
                                                                     else 'pass')]),
    ('i=-1', arcset(-1)),
    ('i=01', arcset('01')),
    ('i=+1', arcset('+1')),
    ('i=1.5', arcset('1.5')),
    ('i=99999999999999999999', arcset('99999999999999999999')),
    ('i=4294967297 (wraps to 1 in 32 bits)', arcset('4294967297')),
    ('duplicate AS i=1', [seal(1), seal(1), ams(1), aar(1)]),
    ('duplicate AMS i=1', [seal(1), ams(1), ams(1), aar(1)]),
    ('duplicate AAR i=1', [seal(1), ams(1), aar(1), aar(1)]),
    ('duplicate whole set i=1', arcset(1) + arcset(1)),
    ('gap: i=1 and i=3', arcset(1) + arcset(3, 'pass')),
    ('cv=fail in the middle', arcset(1) + arcset(2, 'fail') + arcset(3, 'pass')),
    ('cv=pass at i=1', arcset(1, 'pass')),
    ('cv=fail at the top', arcset(1) + arcset(2, 'fail')),
    ('cv=bogus', arcset(1, 'bogus')),
    ('AS with an unknown algorithm', [seal(1, tags='a=rsa-md5; cv=none; d=evil.example; '
                                      's=arc; b=' + B), ams(1), aar(1)]),
    ('AS with ed25519 and a junk key name',
     [seal(1, tags='a=ed25519-sha256; cv=none; d=evil..example; s=.; b=' + B), ams(1), aar(1)]),
    ('AS sealed in contoso.example\'s name',
     [seal(1, tags='a=rsa-sha256; cv=none; d=contoso.example; s=arc1; t=1; b=' + B),
      ams(1, 'a=rsa-sha256; c=relaxed/relaxed; d=contoso.example; s=arc1; h=from; bh=%s; b=%s'
          % (BH, B)), aar(1)]),
    ('50 sets, every cv=pass', [h for i in range(1, 51) for h in arcset(i, 'none' if i == 1
                                                                      else 'pass')]),
]


def main():
    H.start()
    frm = [('From', ' "CEO" <%s>' % C)]
    for trusted in (False, True):
        extra = ('arc_trusted_sealers = evil.example',) if trusted else ()
        for name, hdrs in CASES:
            n = 'ARC: ' + name + (' (attacker\'s sealer trusted)' if trusted else '')
            r = H.run(H.message(hdrs + frm), extra=extra, name=n)
            H.check_case(n, r, 'contoso.example')
            got = r.result('arc')
            tap.ok(len(got) == 1 and got[0] in ('fail', 'none'),
                   '%s: arc=fail or none (got %s)' % (n, got), r.header)
    H.finish()


tap.run(main)
