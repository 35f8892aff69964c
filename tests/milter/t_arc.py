"""
ARC through the daemon (RFC 8617): trusted sealers and sealing.

A mailing list (lists.example.net) forwards alice@example.org's mail (p=reject)
from its own address: DMARC fails here. The list's ARC set is made by
python3-dkim (an independent sealer) at test time with a fresh key:
  - untrusted sealer: dmarc=fail action=reject, compauth=fail 000, rejected;
  - arc_trusted_sealers = lists.example.net, its AAR saying dmarc=pass:
    dmarc=fail action=oreject, compauth=pass reason=130 naming the sealer,
    accepted, and the log says who vouched; an aligned dkim=pass or
    spf=pass vouches too, p=quarantine becomes action=none;
  - no vouching when the AAR records no aligned pass, when its dmarc=pass
    is for another From domain, when the chain is broken, or when the
    trusted sealer is not the newest (an untrusted hop came after it);
  - a chain sealed by Mail::DKIM (a second independent sealer) passes,
    alone and under python3-dkim's second set.
Sealing (arc_sign_*): our AAR/AMS/AS are inserted above our
Authentication-Results in that order, the AAR carries our results, and
two independent verifiers, python3-dkim and Mail::DKIM, accept the chain
(i=1 cv=none; i=2 cv=pass after the list); a rejected message is not
sealed; a bad key file refuses to start.
"""

import os
import re
import subprocess
import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import dkim

import harness as H
import mclient as M
import tap

IP = '192.0.2.10'
SRC = os.environ.get('top_srcdir', os.path.join(os.path.dirname(__file__), '..', '..'))


KEYS = {}


def seal(msg, domain, ar_results, priv):
    """The sealer's A-R on top (its srv-id = domain), then dkimpy's ARC set."""
    msg = ('Authentication-Results: %s; %s\r\n' % (domain, ar_results)).encode() + msg
    lines = dkim.arc_sign(msg, b'arc', domain.encode(), priv, domain.encode(),
                          include_headers=[b'from', b'to', b'subject', b'date'],
                          timestamp=1764000000)
    return b''.join(lines) + msg


def mail_dkim(msg, tmp):
    """Mail::DKIM's ARC verdict on msg (tests/arc/arc_verify.pl), keys from KEYS."""
    keys = os.path.join(tmp, 'keys.tsv')
    with open(keys, 'w') as f:
        for n, txt in KEYS.items():
            f.write('%s\t%s\n' % (n.decode().rstrip('.'), txt.decode()))
    p = subprocess.run(['perl', os.path.join(SRC, 'tests', 'arc', 'arc_verify.pl'), keys],
                       input=msg, capture_output=True)
    return (p.stdout.decode() + p.stderr.decode()).strip()


def perl_seal(msg, domain, ar_results, keyfile):
    """The same as seal(), by Mail::DKIM's ARC signer (tests/arc/arc_sign.pl)."""
    msg = ('Authentication-Results: %s; %s\r\n' % (domain, ar_results)).encode() + msg
    p = subprocess.run(['perl', os.path.join(SRC, 'tests', 'arc', 'arc_sign.pl'), keyfile,
                        domain, 'arc', '1764000000'], input=msg, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError('arc_sign.pl: %s' % p.stderr.decode())
    return p.stdout


def original(frm='alice@example.org', subject='list post'):
    return H.message(headers=[('From', ' Alice <%s>' % frm), ('To', ' list@lists.example.net'),
                              ('Subject', ' ' + subject),
                              ('Date', ' Tue, 25 Nov 2025 10:00:00 +0000'),
                              ('Message-ID', ' <p1@example.org>')])


def send(d, data):
    with d.client() as c:
        return M.send_message(c, data, client_ip=IP, mail_from='<bounce@lists.example.net>')


def ar_of(o):
    ins = H.ar_inserts(o)
    return ins[0].value if len(ins) == 1 else None


def tail(value):
    """dmarc=..., arc=... and compauth=... results, unfolded, one per item."""
    if value is None:
        return None
    flat = re.sub(r'\s*\n\s*', ' ', value)
    return [r.strip() for r in flat.split(';')[1:]
            if r.strip().split('=')[0] in ('dmarc', 'arc', 'compauth')]


PASS_AAR = 'spf=pass smtp.mailfrom=alice@example.org; dkim=pass header.d=example.org; ' \
           'dmarc=pass header.from=example.org'
ARC1 = 'arc=pass (chain of 1 verified) smtp.remote-ip=%s header.oldest-pass=0' % IP


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    list_priv, list_txt = H.rsa_key()
    fwd_priv, fwd_txt = H.rsa_key()
    our_priv, our_txt = H.rsa_key()
    KEYS[b'arc._domainkey.lists.example.net.'] = list_txt.encode()
    KEYS[b'seal._domainkey.mx.test.example.'] = our_txt.encode()

    d = H.Daemon(None, tag='arc')
    zpath = os.path.join(d.tmp, 'arc.zone')
    with open(H.zone('basic.zone')) as f:
        base = f.read()
    with open(zpath, 'w') as f:
        f.write(base)
        f.write('lists.example.net. TXT "v=spf1 ip4:%s -all"\n' % IP)
        f.write('_dmarc.example.org. TXT "v=DMARC1; p=reject"\n')
        f.write('_dmarc.quarantine.example. TXT "v=DMARC1; p=quarantine"\n')
        f.write(H.txt_line('arc._domainkey.lists.example.net', list_txt))
        f.write(H.txt_line('arc._domainkey.fwd.example', fwd_txt))
    d.set(('zone_file', zpath), ('dmarc_enforce', 'on'))
    d.start()

    sealed = seal(original(), 'lists.example.net', PASS_AAR, list_priv)
    o = send(d, sealed)
    tap.is_(tail(ar_of(o)), ['dmarc=fail action=reject header.from=example.org', ARC1,
                             'compauth=fail reason=000'],
            'untrusted sealer: dmarc=fail action=reject, arc=pass, compauth=fail 000')
    tap.is_(o.verdict, 'reject', 'untrusted sealer: p=reject enforced')
    d.stop()

    d.set(('arc_trusted_sealers', 'lists.example.net'))
    d.start()
    o = send(d, sealed)
    tap.is_(tail(ar_of(o)), ['dmarc=fail action=oreject header.from=example.org', ARC1,
                             'compauth=pass (trusted ARC sealer lists.example.net) reason=130'],
            'trusted sealer, AAR dmarc=pass: action=oreject, compauth=pass reason=130')
    tap.is_(o.verdict, 'accept', 'trusted sealer: not rejected')
    tap.ok('vouched for by trusted ARC sealer lists.example.net (i=1, dmarc=pass)' in d.log(),
           'trusted sealer: the log names the sealer and what counted')
    # The summary line carries the ARC result's every property (compauthd(8), LOGGING).
    tap.ok(re.search(r': spf=.*, dmarc=fail action=oreject header\.from=example\.org, '
                     r'arc=pass \(chain of 1 verified\) smtp\.remote-ip=%s header\.oldest-pass=0, '
                     r'compauth=pass \(trusted ARC sealer lists\.example\.net\) reason=130, '
                     r'from=' % re.escape(IP), d.log()) is not None,
           'trusted sealer: the summary line has arc=pass with smtp.remote-ip and '
           'header.oldest-pass, and the compauth comment')

    for aar, want, what in (
            ('dkim=pass header.d=mail.example.org', 'pass', 'aligned dkim=pass (relaxed) vouches'),
            ('spf=pass smtp.mailfrom=bounce@example.org', 'pass', 'aligned spf=pass vouches'),
            ('spf=pass smtp.mailfrom=bounce@lists.example.net; dkim=fail header.d=example.org; '
             'dmarc=fail header.from=example.org', 'fail', 'no aligned pass: no vouching'),
            ('dmarc=pass header.from=other.example', 'fail',
             'dmarc=pass for another From domain: no vouching'),
            ('dkim=pass header.d=example.org.evil.example', 'fail',
             'dkim=pass for a look-alike domain: no vouching')):
        o = send(d, seal(original(), 'lists.example.net', aar, list_priv))
        t = tail(ar_of(o)) or ['', '', '']
        tap.ok(t[2].startswith('compauth=%s' % want) and
               (want == 'fail' or t[0].startswith('dmarc=fail action=oreject')) and
               o.verdict == ('accept' if want == 'pass' else 'reject'), what, repr(t))

    o = send(d, sealed.replace(b'Hello.', b'Hello!'))
    t = tail(ar_of(o)) or ['', '', '']
    tap.ok(t[1].startswith('arc=fail') and t[2] == 'compauth=fail reason=000' and
           o.verdict == 'reject', 'body changed after the trusted seal: arc=fail, no vouching',
           repr(t))

    # Chains sealed by Mail::DKIM, alone and under python3-dkim's second set.
    list_pem = os.path.join(d.tmp, 'list.pem')
    with open(list_pem, 'wb') as f:
        f.write(list_priv)
    by_perl = perl_seal(original(), 'lists.example.net', PASS_AAR, list_pem)
    o = send(d, by_perl)
    tap.is_(tail(ar_of(o)), ['dmarc=fail action=oreject header.from=example.org', ARC1,
                             'compauth=pass (trusted ARC sealer lists.example.net) reason=130'],
            'sealed by Mail::DKIM: the chain passes, the trusted sealer vouches')
    KEYS[b'arc._domainkey.fwd.example.'] = fwd_txt.encode()
    o = send(d, seal(by_perl, 'fwd.example', 'arc=pass', fwd_priv))
    t = tail(ar_of(o)) or ['', '']
    tap.is_(t[1], 'arc=pass (chain of 2 verified) smtp.remote-ip=%s header.oldest-pass=0' % IP,
            'Mail::DKIM at i=1, python3-dkim at i=2: chain of 2 passes, oldest-pass 0')

    # The trusted list sealed i=1, an untrusted forwarder i=2: not taken.
    twice = seal(sealed, 'fwd.example', 'arc=pass', fwd_priv)
    o = send(d, twice)
    t = tail(ar_of(o)) or ['', '', '']
    tap.ok(t[1].startswith('arc=pass (chain of 2 verified)') and
           t[2] == 'compauth=fail reason=000' and o.verdict == 'reject',
           'trusted sealer at i=1, untrusted at i=2: no vouching', repr(t))

    o = send(d, seal(original(frm='bob@quarantine.example'), 'lists.example.net',
                     'dmarc=pass header.from=quarantine.example', list_priv))
    t = tail(ar_of(o)) or ['']
    tap.ok(t[0] == 'dmarc=fail action=none header.from=quarantine.example' and
           o.verdict == 'accept' and not [m for m in o.mods if m.code == M.SMFIR_QUARANTINE],
           'p=quarantine vouched for: action=none, not quarantined', repr((t, o.mods)))
    d.stop()

    # Sealing: our set above our A-R, verified by python3-dkim.
    keyfile = os.path.join(d.tmp, 'seal.pem')
    with open(keyfile, 'wb') as f:
        f.write(our_priv)
    os.chmod(keyfile, 0o640)
    d.set(('arc_sign_domain', 'mx.test.example'), ('arc_sign_selector', 'seal'),
          ('arc_sign_key', keyfile))
    d.start()
    for msg, inst, cv, what in ((original(frm='carol@nodmarc.example'), 1, 'none', 'no chain'),
                                (sealed, 2, 'pass', 'after the trusted list')):
        o = send(d, msg)
        ins = [m for m in o.mods if m.code == M.SMFIR_INSHEADER]
        names = [(m.index, m.name) for m in ins]
        tap.is_(names, [(0, 'Authentication-Results'), (0, 'ARC-Authentication-Results'),
                        (0, 'ARC-Message-Signature'), (0, 'ARC-Seal')],
                '%s: A-R, then AAR, AMS, AS inserted at the top (AS ends first)' % what)
        v = {m.name: m.value for m in ins}
        ar = v.get('Authentication-Results', '')
        tap.is_(v.get('ARC-Authentication-Results'), ' i=%d; %s' % (inst, ar.lstrip()),
                '%s: the AAR is i=%d and our Authentication-Results' % (what, inst))
        tap.ok(re.search(r'cv=%s; d=mx.test.example; i=%d; s=seal; t=\d+$' % (cv, inst),
                         v.get('ARC-Seal', '')) is not None,
               '%s: ARC-Seal i=%d cv=%s' % (what, inst, cv), v.get('ARC-Seal'))
        out = b''.join(('%s: %s\r\n' % (n, v[n].replace('\n', '\r\n'))).encode()
                       for n in ('ARC-Seal', 'ARC-Message-Signature',
                                 'ARC-Authentication-Results', 'Authentication-Results')
                       if n in v) + msg
        with open(os.path.join(os.environ.get('ARC_KEEP', d.tmp), 'sealed-%d.eml' % inst), 'wb') as f:
            f.write(out)
        cvr, _, why = dkim.arc_verify(out, dnsfunc=lambda n, timeout=5: KEYS.get(n, b''))
        tap.is_(cvr, b'pass', '%s: python3-dkim verifies our seal (%s)' % (what, why))
        got = mail_dkim(out, d.tmp)
        tap.ok(got.split(' ')[0] == 'pass', '%s: Mail::DKIM verifies our seal' % what, got)
    # The default authres_style: the verdict's own field is not sealed, the
    # AAR holds the results field; the chain still verifies.
    d.stop()
    d.set(('authres_style', None))
    d.start()
    msg = original(frm='carol@nodmarc.example')
    o = send(d, msg)
    ins = [m for m in o.mods if m.code == M.SMFIR_INSHEADER]
    tap.is_([(m.index, m.name) for m in ins],
            [(0, 'Authentication-Results'), (0, 'Authentication-Results'),
             (0, 'ARC-Authentication-Results'), (0, 'ARC-Message-Signature'), (0, 'ARC-Seal')],
            'default style: compauth field, results, AAR, AMS, AS inserted at the top')
    if len(ins) == 5:
        tap.ok(ins[0].value.startswith(' mx.test.example;\n\tcompauth=') and
               '\n\tcompauth=' not in ins[1].value,
               'default style: the verdict alone in its field, not among the results',
               repr(ins[:2]))
        tap.is_(ins[2].value, ' i=1; %s' % ins[1].value.lstrip(),
                'default style: the AAR holds the results field')
        out = b''.join(('%s: %s\r\n' % (m.name, m.value.lstrip().replace('\n', '\r\n'))).encode()
                       for m in reversed(ins)) + msg
        cvr, _, why = dkim.arc_verify(out, dnsfunc=lambda n, timeout=5: KEYS.get(n, b''))
        tap.is_(cvr, b'pass', 'default style: python3-dkim verifies our seal (%s)' % why)
    d.stop()
    d.set(('authres_style', 'microsoft'))
    d.start()
    o = send(d, seal(original(), 'lists.example.net', 'dmarc=fail', list_priv))
    tap.ok(o.verdict == 'reject' and not [m for m in o.mods if m.name == 'ARC-Seal'],
           'a rejected message is not sealed', repr(o.mods))
    d.stop()

    os.chmod(keyfile, 0o644)
    rc, out, err = H.run_cmd(['-n', '-c', d.conf])
    tap.ok(rc != 0 and 'arc_sign_key' in err and 'others' in err,
           'a key file others may read refuses the config', err)
    d.set(('arc_sign_key', None))
    rc, out, err = H.run_cmd(['-n', '-c', d.conf])
    tap.ok(rc != 0 and 'arc_sign_domain, arc_sign_selector and arc_sign_key' in err,
           'arc_sign_domain without a key refuses the config', err)


if __name__ == '__main__':
    tap.run(main)
