"""
From fields that DMARC cannot reduce to one domain (RFC 7489 6.6.1,
RFC 9989): a p=reject author beside an attacker address, an address
without a domain, trailing junk, unclosed comments and quotes, several
From fields (also one hidden after the header limits: CVE-2019-16378
class), the multi-value forms that crashed OpenDMARC (CVE-2021-34555),
groups, routes, CFWS inside the domain, 20 and 40 domains in one field.
In every case the attacker's own domain passes SPF and aligns with its
own address: only the strictest reading (every author domain evaluated,
or the message refused) keeps contoso's p=reject.
"""

import hostile as H
import tap

C = 'ceo@contoso.example'
E = 'ben@evil.example'

# (name, From values in field order)
FORMS = [
    ('two addresses, contoso first', [' %s, %s' % (C, E)]),
    ('two addresses, contoso second', [' %s, %s' % (E, C)]),
    ('two named addresses, contoso second', [' "Ben" <%s>, "CEO" <%s>' % (E, C)]),
    ('address without a domain after contoso', [' %s, ben' % C]),
    ('address without a domain before contoso', [' ben, %s' % C]),
    ('bracketed address without a domain before contoso', [' <ben>, <%s>' % C]),
    ('empty domain before contoso', [' ben@, %s' % C]),
    ('trailing ;', [' %s;' % C]),
    ('trailing ; after the bracket', [' "CEO" <%s>;' % C]),
    ('trailing ; and an attacker address', [' %s; %s' % (C, E)]),
    ('unclosed comment after the address', [' %s (CEO' % C]),
    ('unclosed comment after the bracket', [' "CEO" <%s> (CEO' % C]),
    ('unclosed quoted display name', [' "CEO <%s>' % C]),
    ('unclosed angle bracket', [' CEO <%s' % C]),
    ('unquoted @ in the display name', [' %s <%s>' % (E, C)]),
    ('quoted attacker address as display name', [' "%s" <%s>' % (E, C)]),
    ('obsolete route', [' <@evil.example:%s>' % C]),
    ('quoted local part holding an address', [' "%s"@contoso.example' % E]),
    ('encoded-word display name', [' =?utf-8?q?Ben?= <%s>' % C]),
    ('CFWS around the dot', [' ceo@contoso . example']),
    ('comment inside the domain', [' ceo@(x)contoso.(y)example']),
    ('folded inside the domain', [' ceo@contoso\n\t.example']),
    ('spaces around @', [' ceo @ contoso.example']),
    ('two From fields, contoso first', [' ' + C, ' ' + E]),
    ('two From fields, contoso second', [' ' + E, ' ' + C]),
    ('two From fields, both contoso', [' ' + C, ' ' + C]),
    ('two From fields, the first empty', [' ', ' ' + C]),
    ('three From fields, contoso in the middle', [' ' + E, ' ' + C, ' ' + E]),
    # The attacker's own DMARC lookup times out: its temperror is not stricter.
    ('beside an author whose DMARC lookup times out', [' x@dmarcslow.evil.example, ' + C]),
    ('two From fields, one whose DMARC lookup times out',
     [' x@dmarcslow.evil.example', ' ' + C]),
    # CVE-2021-34555 (OpenDMARC): multi-valued From fields with empty parts.
    ('CVE-2021-34555: trailing comma', [' %s,' % C]),
    ('CVE-2021-34555: leading comma', [' ,%s' % C]),
    ('CVE-2021-34555: empty member between', [' %s,,%s' % (C, E)]),
    ('CVE-2021-34555: null address first', [' <>, %s' % C]),
    ('CVE-2021-34555: quoted empty and null address', [' "" <>, <%s>' % C]),
    ('CVE-2021-34555: bare @ after contoso', [' %s, @' % C]),
    ('CVE-2021-34555: <@> after contoso', [' %s, <@>' % C]),
    ('empty group then contoso', [' undisclosed-recipients:;, %s' % C]),
    ('group holding contoso', [' Team: %s;' % C]),
    ('group holding contoso and the attacker', [' Team: %s, %s;' % (C, E)]),
    ('20 distinct domains, contoso last',
     [' ' + ', '.join(['u@d%d.evil.example' % i for i in range(19)] + [C])]),
    ('20 distinct domains, contoso first',
     [' ' + ', '.join([C] + ['u@d%d.evil.example' % i for i in range(19)])]),
    ('40 addresses, contoso last',
     [' ' + ', '.join(['u%d@evil.example' % i for i in range(39)] + [C])]),
    ('20 From fields, contoso last', [' ' + E] * 19 + [' ' + C]),
]

# Field names a parser must still read as From (RFC 5322 4.5.2 obs-optional).
NAMES = [('lower-case name', 'from'), ('upper-case name', 'FROM'),
         ('space before the colon', 'From '), ('tab before the colon', 'From\t')]


def padding(n, start=0):
    return [('X-Pad-%d' % i, ' %d' % i) for i in range(start, start + n)]


def main():
    H.start()
    for name, values in FORMS:
        n = 'From: ' + name
        r = H.run(H.message([('From', v) for v in values]), name=n)
        H.check_case(n, r)

    for name, field in NAMES:
        n = 'second From field with a ' + name
        r = H.run(H.message([('From', ' ' + E), (field, ' ' + C)]), name=n)
        H.check_case(n, r)

    # CVE-2019-16378 class: the second From beyond max_headers (1000) or
    # max_header_bytes (1 MiB); and a message whose only From is there.
    big = [('X-Big', ' ' + 'b' * (1024 * 1024 + 10))]
    cases = [
        ('contoso From after 1000 padding headers',
         [('From', ' ' + E)] + padding(1000) + [('From', ' ' + C)]),
        ('contoso From after 10 000 padding headers',
         [('From', ' ' + E)] + padding(10000) + [('From', ' ' + C)]),
        ('contoso From after a 1 MiB header',
         [('From', ' ' + E)] + big + [('From', ' ' + C)]),
        ('only From after 1000 padding headers', padding(1000) + [('From', ' ' + C)]),
        ('only From after a 1 MiB header', big + [('From', ' ' + C)]),
        ('contoso From first, attacker From after 1000 padding headers',
         [('From', ' ' + C)] + padding(1000) + [('From', ' ' + E)]),
    ]
    for name, hdrs in cases:
        r = H.run(H.message(hdrs), name=name)
        H.check_case(name, r)

    # The same forms under on_oversize = tempfail may only tempfail or reject.
    r = H.run(H.message([('From', ' ' + E)] + padding(1000) + [('From', ' ' + C)]),
              extra=('on_oversize = tempfail',), name='oversize tempfail')
    tap.ok(r.action is not None and (r.action.startswith(H.REJECT_PREFIX) or
                                     r.action.startswith('action: tempfail 451 4.7.0 ')),
           'on_oversize = tempfail, hidden contoso From: tempfail or reject, never accept',
           H.detail(r))

    # reject_bad_from = yes must not change any of these into an accept.
    for name, values in FORMS[:8]:
        n = 'reject_bad_from = yes, From: ' + name
        r = H.run(H.message([('From', v) for v in values]), extra=('reject_bad_from = yes',),
                  name=n)
        H.check_sane(n, r)
        H.check_rejected(n, r)
    H.finish()


tap.run(main)
