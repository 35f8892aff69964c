"""
DKIM through the daemon: the RFC 8463 A.3 message (ed25519-sha256 and
rsa-sha256 signatures) sent over the milter protocol in body chunks, the
keys answered by the zone: both pass; one changed body word makes both
fail; unsigned mail says dkim=none; a key lookup that times out is
temperror, never pass.
"""

import os
import re
import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
import tap

SRC = os.environ.get('top_srcdir', os.path.join(os.path.dirname(__file__), '..', '..'))
EML = os.path.join(SRC, 'tests', 'data', 'dkim', 'rfc8463', 'rfc8463-appendix-a3.eml')

HEAD = ' mx.test.example;\n' + H.spf_line(domain='football.example.com') + \
    '\tiprev=pass policy.iprev=192.0.2.10 (mail.example.org);\n'


def sigs(result, comment):
    return ('\tdkim=%s (%s) header.d=football.example.com\n'
            '\t\theader.s=brisbane header.a=ed25519-sha256 header.b="/gCrinpc";\n'
            '\tdkim=%s (%s) header.d=football.example.com\n'
            '\t\theader.s=test header.a=rsa-sha256 header.b=F45dVWDf') % (
                result, comment, result, comment)


def send(d, data):
    with d.client() as c:
        return M.send_message(c, data, client_ip='192.0.2.10',
                              mail_from='<joe@football.example.com>')


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    with open(EML, 'rb') as f:
        signed = f.read()
    d = H.Daemon('dkim.zone', tag='dkim')
    d.start()
    H.check_stamp(tap, send(d, signed), HEAD + sigs('pass', 'signature was verified') +
                  ';\n\tdmarc=bestguesspass action=none header.from=football.example.com;'
                  '\n\tarc=none;\n\tcompauth=pass reason=109',
                  'RFC 8463 A.3: both signatures pass (RFC 8463, RFC 6376)')
    H.check_stamp(tap, send(d, signed.replace(b'hungry', b'thirsty')),
                  HEAD + sigs('fail', 'body hash did not verify') +
                  ';\n\tdmarc=none action=none header.from=football.example.com;'
                  '\n\tarc=none;\n\tcompauth=fail reason=001',
                  'one body word changed: both fail')
    H.check_stamp(tap, send(d, H.message()),
                  ' mx.test.example;\n' + H.spf_line(domain='football.example.com') +
                  '\tiprev=pass policy.iprev=192.0.2.10 (mail.example.org);\n' + H.DKIM_NONE + H.TAIL,
                  'unsigned: dkim=none (message not signed) header.d=none')
    rc, _ = d.stop()
    tap.is_(rc, 0, 'SIGTERM: exit 0')

    # The same keys unreachable: temperror, and tempfail when so configured.
    t = H.Daemon('dkim.zone', tag='dkimtmo')
    with open(H.zone('dkim.zone')) as f:
        z = f.read()
    zpath = os.path.join(t.tmp, 'timeout.zone')
    with open(zpath, 'w') as f:
        f.write('\n'.join(l for l in z.splitlines() if '_domainkey' not in l) +
                '\nbrisbane._domainkey.football.example.com. TIMEOUT\n'
                'test._domainkey.football.example.com. TIMEOUT\n')
    t.set(('zone_file', zpath), ('message_dns_deadline', '1s'))
    t.start()
    o = send(t, signed)
    ins = H.ar_inserts(o)
    tap.ok(len(ins) == 1 and ins[0].value.count('dkim=temperror') == 2 and 'dkim=pass' not in ins[0].value,
           'key lookups time out: both signatures temperror, never pass', repr(o.mods))
    t.set(('on_dns_error', 'tempfail'))
    t.signal(1)
    import time
    time.sleep(0.5)
    o = send(t, signed)
    tap.ok(H.is_tempfail(o.eom.final if o.eom else None),
           'key lookups time out, on_dns_error = tempfail: the message is tempfailed', repr(o))
    rc, _ = t.stop()
    tap.is_(rc, 0, 'SIGTERM: exit 0')

    # The signatures are checked as soon as their keys are in, while a later
    # lookup (SPF's include, asked only once the sender's record is back) is
    # still out: the mathematics is off the end of message's critical path.
    s = H.Daemon('dkim.zone', tag='dkimearly')
    zpath = os.path.join(s.tmp, 'include.zone')
    with open(zpath, 'w') as f:
        f.write(z + '\nfootball.example.com. TXT "v=spf1 include:_spf.football.example.com -all"\n'
                '_spf.football.example.com. TXT "v=spf1 ip4:192.0.2.10 -all"\n')
    s.set(('zone_file', zpath), ('zone_delay', '300ms'))
    s.start()
    o = send(s, signed)
    ins = H.ar_inserts(o)
    tap.ok(len(ins) == 1 and ins[0].value.count('dkim=pass') == 2 and
           ins[0].value.startswith(' mx.test.example;\n\tspf=pass '),
           'SPF through an include, every answer 300 ms late: spf=pass, both signatures pass',
           repr(o.mods))
    log = s.log()
    v = [m.start() for m in re.finditer(r'dkim: d=football\.example\.com s=\w+ a=\S+: pass', log)]
    inc = [m.start() for m in re.finditer(r'dns _spf\.football\.example\.com/TXT: ', log)]
    tap.ok(len(v) == 2 and len(inc) == 1 and max(v) < inc[0],
           'both signatures verified before the SPF include\'s answer came back', log[-3000:])
    rc, _ = s.stop()
    tap.is_(rc, 0, 'SIGTERM: exit 0')


if __name__ == '__main__':
    tap.run(main)
