#!/usr/bin/python3
"""
Writes hostile.zone, the zone of the attack suite and of the invariant
fuzz target: protected domains publishing p=reject whose keys nobody
holds (the private half of contoso's DKIM key is made here and thrown
away at once), and attacker domains with every record a hostile sender
may publish. Run it from this directory when a record must change:
  python3 mkzone.py   (needs openssl)
"""

import base64
import subprocess

SEED = '../data/seed/seed.zone'


def public_key_of_thrown_away_key():
    key = subprocess.run(['openssl', 'genrsa', '2048'], check=True,
                         capture_output=True).stdout
    der = subprocess.run(['openssl', 'rsa', '-pubout', '-outform', 'DER'],
                         input=key, check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


def txt(s):
    """A TXT value as strings of at most 200 bytes (the zone's limit is 255)."""
    return ' '.join('"%s"' % s[i:i + 200] for i in range(0, len(s), 200))


def main():
    pub = public_key_of_thrown_away_key()
    with open(SEED) as f:
        seedkey = [ln.split(None, 1)[1].strip() for ln in f
                   if ln.startswith('sel1._domainkey.maliciousdomain.example.')][0]
    z = []
    a = z.append
    a('; Written by mkzone.py (see there). Protected: contoso.example and')
    a('; xn--bcher-kva.example (p=reject, SPF 192.0.2.1 only, no usable private')
    a('; key). fabrikam.example: p=none. *.evil.example: the attacker\'s own.')
    a('$TTL 300')
    a('; --- protected: p=reject')
    a('contoso.example. TXT "v=spf1 ip4:192.0.2.1 -all"')
    a('_dmarc.contoso.example. TXT "v=DMARC1; p=reject"')
    a('sel1._domainkey.contoso.example. TXT "v=DKIM1; k=rsa; p=" %s' % txt(pub))
    a('arc1._domainkey.contoso.example. TXT "v=DKIM1; k=rsa; p=" %s' % txt(pub))
    a('contoso.example. MX 10 mail.contoso.example.')
    a('mail.contoso.example. A 192.0.2.1')
    a('1.2.0.192.in-addr.arpa. PTR mail.contoso.example.')
    a('xn--bcher-kva.example. TXT "v=spf1 ip4:192.0.2.1 -all"')
    a('_dmarc.xn--bcher-kva.example. TXT "v=DMARC1; p=reject"')
    a('; --- p=none, a real sender elsewhere')
    a('fabrikam.example. TXT "v=spf1 ip4:192.0.2.10 -all"')
    a('_dmarc.fabrikam.example. TXT "v=DMARC1; p=none"')
    a('mail.fabrikam.example. A 192.0.2.10')
    a('10.2.0.192.in-addr.arpa. PTR mail.fabrikam.example.')
    a('; --- the attacker\'s own domain: every address passes SPF, p=none')
    a('evil.example. TXT "v=spf1 +all"')
    a('_dmarc.evil.example. TXT "v=DMARC1; p=none"')
    a('mail.evil.example. A 203.0.113.66')
    a('66.113.0.203.in-addr.arpa. PTR mail.evil.example.')
    a('; the seed messages\' signer: a valid signature of another domain')
    a('sel1._domainkey.maliciousdomain.example. ' + seedkey)
    a('; 10 mx terms of 10 hosts each: 111 queries, legal (RFC 7208 4.6.4)')
    a('mx10.evil.example. TXT "v=spf1 %s -all"'
      % ' '.join('mx:h%d.mx10.evil.example' % i for i in range(1, 11)))
    a('_dmarc.mx10.evil.example. TXT "v=DMARC1; p=none"')
    for i in range(1, 11):
        for j in range(1, 11):
            a('h%d.mx10.evil.example. MX %d m%d.h%d.mx10.evil.example.' % (i, j, j, i))
    for i in range(1, 11):
        for j in range(1, 11):
            a('m%d.h%d.mx10.evil.example. A 198.51.100.%d' % (j, i, 100 + j))
    a('; include loops')
    a('loop.evil.example. TXT "v=spf1 include:loop2.evil.example -all"')
    a('loop2.evil.example. TXT "v=spf1 include:loop.evil.example -all"')
    a('self.evil.example. TXT "v=spf1 include:self.evil.example -all"')
    a('redir.evil.example. TXT "v=spf1 redirect=redir.evil.example"')
    a('; macro bombs: 10 chained includes with 1000 %{l} each; reversed and')
    a('; split forms; an explanation of 1000 %{l}')
    bomb = '%{l}' * 1000
    for k in range(1, 11):
        nxt = 'include:macro%d.evil.example ' % (k + 1) if k < 10 else ''
        a('macro%d.evil.example. TXT %s'
          % (k, txt('v=spf1 %sexists:%s.x.evil.example -all' % (nxt, bomb))))
    a('macrorev.evil.example. TXT %s'
      % txt('v=spf1 exists:%s.x.evil.example -all' % ('%{lr-}' * 600 + '%{l1r+-}' * 400)))
    a('macroexp.evil.example. TXT "v=spf1 -all exp=e.macroexp.evil.example"')
    a('e.macroexp.evil.example. TXT %s' % txt(bomb))
    a('; 100-label names')
    deep = '.'.join(['a'] * 100)
    a('%s.deep.evil.example. TXT "v=spf1 +all"' % deep)
    a('deep.evil.example. TXT "v=spf1 include:%s.deep.evil.example -all"' % deep)
    a('; temporary failures the sender controls')
    a('slow.evil.example. TIMEOUT')
    a('deepslow.evil.example. TXT "v=spf1 include:slow.evil.example -all"')
    a('_dmarc.dmarcslow.evil.example. TIMEOUT')
    with open('hostile.zone', 'w') as f:
        f.write('\n'.join(z) + '\n')


if __name__ == '__main__':
    main()
