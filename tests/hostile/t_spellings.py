"""
Every spelling of a p=reject author domain that a mail client displays as
that domain (RFC 8616: U-labels to A-labels; UTS 46 width and dot
mapping; invisible code points; case; the root dot) is rejected when no
aligned pass exists, and so is a name DNS cannot hold under it (longer
than 253 octets once _dmarc. is prefixed, 100 labels) and one followed by
a control byte. The attacker's own SPF passes for its MAIL FROM every
time: only alignment with the author domain could save the message.
"""

import hostile as H
import tap

CONTOSO_PLAIN = [
    'spf=pass (sender IP is 203.0.113.66) smtp.mailfrom=evil.example;',
    'iprev=pass policy.iprev=203.0.113.66 (mail.evil.example);',
    'dkim=none (message not signed) header.d=none;',
    'dmarc=fail action=reject header.from=contoso.example policy.dmarc=reject',
    '\t(p=reject at contoso.example);',
    'arc=none',
    'compauth=fail reason=000',
]


def long_sub(total):
    """A subdomain of contoso.example exactly total octets long."""
    tail = '.contoso.example'
    need = total - len(tail)
    labels = []
    while need > 0:
        n = min(63, need)
        if need - n == 1:      # never leave a lone dot
            n -= 2
        labels.append('x' * n)
        need -= n + 1 if need - n > 0 else n
    name = '.'.join(labels) + tail
    assert len(name) == total, (total, len(name))
    return name


# (name, domain as written, the reply's domain when it is certain)
SPELLINGS = [
    ('plain', 'contoso.example', 'contoso.example'),
    ('upper case', 'CONTOSO.EXAMPLE', None),
    ('mixed case', 'Contoso.Example', None),
    ('trailing dot', 'contoso.example.', None),
    ('U-label bücher (NFC, raw UTF-8)', 'b\u00fccher.example', None),
    ('U-label bücher (NFD: u + combining diaeresis)', 'bu\u0308cher.example', None),
    ('U-label in upper case BÜCHER', 'B\u00dcCHER.EXAMPLE', None),
    ('A-label in upper case', 'XN--BCHER-KVA.EXAMPLE', None),
    ('ideographic full stop U+3002', 'contoso\u3002example', None),
    ('full-width full stop U+FF0E', 'contoso\uff0eexample', None),
    ('halfwidth ideographic full stop U+FF61', 'contoso\uff61example', None),
    ('full-width letters', '\uff43\uff4f\uff4e\uff54\uff4f\uff53\uff4f.example', None),
    ('full-width letters and dot',
     '\uff43\uff4f\uff4e\uff54\uff4f\uff53\uff4f\uff0e\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45',
     None),
    ('U-label with ideographic dot', 'b\u00fccher\u3002example', None),
    ('trailing U+200B zero width space', 'contoso.example\u200b', None),
    ('trailing U+00AD soft hyphen', 'contoso.example\u00ad', None),
    ('trailing U+FEFF byte order mark', 'contoso.example\ufeff', None),
    ('U+00AD inside a label', 'con\u00adtoso.example', None),
    ('U+200B before the dot', 'contoso\u200b.example', None),
    ('trailing U+200B U+00AD U+FEFF together', 'contoso.example\u200b\u00ad\ufeff', None),
    ('247-octet subdomain', long_sub(247), None),
    ('250-octet subdomain', long_sub(250), None),
    ('253-octet subdomain', long_sub(253), None),
    ('100-label subdomain', '.'.join(['a'] * 100) + '.contoso.example', None),
    ('followed by a control byte 0x01', 'contoso.example\x01', None),
    ('followed by DEL 0x7f', 'contoso.example\x7f', None),
    ('followed by ESC 0x1b', 'contoso.example\x1b', None),
    ('followed by an invalid UTF-8 byte', b'contoso.example\xff', None),
]


def addr(domain):
    return (b'ceo@' + domain) if isinstance(domain, bytes) else 'ceo@' + domain


def main():
    H.start()
    for name, dom, reply in SPELLINGS:
        a = addr(dom)
        forms = [('angle', (b' "CEO" <' + a + b'>') if isinstance(a, bytes)
                  else ' "CEO" <%s>' % a),
                 ('bare', (b' ' + a) if isinstance(a, bytes) else ' ' + a)]
        for form, value in forms:
            n = 'From %s (%s)' % (name, form)
            r = H.run(H.message([('From', value)]), name=n)
            H.check_case(n, r, reply)
            if reply == 'contoso.example':
                H.expect_header(n, r, CONTOSO_PLAIN)

    # The spoof of a p=none domain is stamped, not rejected: enforcement
    # is not a blanket refusal of what we cannot read.
    r = H.run(H.message([('From', ' ben@fabrikam.example')]), name='p=none control')
    H.check_sane('control: From fabrikam.example (p=none)', r)
    tap.is_(r.action, 'action: accept', 'control: a p=none failure is accepted')
    tap.is_(r.entry('dmarc'), 'dmarc=fail action=none header.from=fabrikam.example '
            'policy.dmarc=none (p=none at fabrikam.example)',
            'control: dmarc=fail action=none for p=none')
    H.finish()


tap.run(main)
