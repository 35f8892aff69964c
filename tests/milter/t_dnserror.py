"""
on_dns_error: a DNS lookup that times out makes its result temperror (RFC
8601 §2.7.3). With on_dns_error = tempfail the MTA is told to try again
later (4xx) only when the failure could change the verdict, here the DMARC
lookup of the author domain (compauth=none reason=990); a PTR timeout
(iprev=temperror) decides nothing and the message goes through stamped,
with either setting. A definite answer (NXDOMAIN: iprev=fail) is no DNS
error. The wait is bounded by message_dns_deadline.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import re
import time

import harness as H
import mclient as M
import tap

OURS = H.stamp()
TEMP = re.compile(r'^ mx\.test\.example;\n\tspf=none \(sender IP is 192\.0\.2\.4[01]\) '
                  r'smtp\.mailfrom=example\.org;\n\tiprev=temperror(?: \([^()]*\))? '
                  r'policy\.iprev=192\.0\.2\.(40|41)(?: \([^()]*\))?;\n'
                  + re.escape(H.DKIM_NONE + H.TAIL) + '$')
FAIL = re.compile(r'^ mx\.test\.example;\n\tspf=none \(sender IP is 192\.0\.2\.30\) '
                  r'smtp\.mailfrom=example\.org;\n\tiprev=fail(?: \([^()]*\))? '
                  r'policy\.iprev=192\.0\.2\.30(?: \([^()]*\))?;\n'
                  + re.escape(H.DKIM_NONE + H.TAIL) + '$')
DEADLINE = 1.0


def send(d, ip, msg=None):
    t0 = time.monotonic()
    with d.client(timeout=DEADLINE + 10) as c:
        o = M.send_message(c, msg or H.message(), client_ip=ip)
    return o, time.monotonic() - t0


# From a domain whose DMARC lookup times out (basic.zone).
SLOW_DMARC = H.message([('From', ' Alice <alice@dmarcslow.example.org>'),
                        ('Subject', ' test'), ('Message-ID', ' <t2@example.org>')])


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    dl = [('message_dns_deadline', '%ds' % DEADLINE), ('dns_timeout', '1s')]
    tf = H.Daemon('basic.zone', tag='dnst',
                  settings=dl + [('on_dns_error', 'tempfail')]).start(wait=False)
    ac = H.Daemon('basic.zone', tag='dnsa',
                  settings=dl + [('on_dns_error', 'accept')]).start(wait=False)
    tf.wait_ready()
    ac.wait_ready()

    # The DMARC lookup of the author domain times out: no verdict.
    o, secs = send(tf, '192.0.2.10', SLOW_DMARC)
    tap.ok(H.is_tempfail(o.eom.final if o.eom else None),
           'on_dns_error=tempfail, DMARC lookup times out: eom answer is a tempfail', repr(o))
    if o.eom and o.eom.final.code == M.SMFIR_REPLYCODE:
        tap.ok(o.eom.final.text.startswith('451 4.7.0 '),
               'on_dns_error=tempfail: reply "451 4.7.0 ..."', o.eom.final.text)
    tap.ok(secs < DEADLINE + 1.5, 'on_dns_error=tempfail, DMARC lookup times out: answered '
           'within message_dns_deadline (%.1fs)' % secs)
    o, secs = send(ac, '192.0.2.10', SLOW_DMARC)
    ins = H.ar_inserts(o)
    tap.ok(o.verdict == 'accept' and len(ins) == 1 and
           'dmarc=temperror' in ins[0].value and ins[0].value.endswith('compauth=none reason=990'),
           'on_dns_error=accept, DMARC lookup times out: accepted, dmarc=temperror, '
           'compauth=none reason=990', repr(o.mods))

    # A PTR timeout: stamped, the verdict stands, never a retry.
    for ip, why in (('192.0.2.40', 'PTR lookup times out'),
                    ('192.0.2.41', 'A lookup of the PTR name times out')):
        for d, setting in ((tf, 'tempfail'), (ac, 'accept')):
            o, secs = send(d, ip)
            ins = H.ar_inserts(o)
            tap.is_(o.verdict, 'accept', 'on_dns_error=%s, %s: accepted' % (setting, why))
            tap.ok(len(ins) == 1 and TEMP.match(ins[0].value),
                   'on_dns_error=%s, %s: iprev=temperror stamped' % (setting, why),
                   repr(o.mods))
            tap.ok(secs < DEADLINE + 1.5, 'on_dns_error=%s, %s: answered '
                   'within message_dns_deadline (%.1fs)' % (setting, why, secs))

    # No DNS error: on_dns_error=tempfail changes nothing.
    o, _ = send(tf, '192.0.2.10')
    H.check_stamp(tap, o, OURS, 'on_dns_error=tempfail, no DNS error')
    o, _ = send(tf, '192.0.2.30')
    ins = H.ar_inserts(o)
    tap.is_(o.verdict, 'accept', 'on_dns_error=tempfail, NXDOMAIN: accepted '
            '(a definite answer is no DNS error)')
    tap.ok(len(ins) == 1 and FAIL.match(ins[0].value),
           'NXDOMAIN: iprev=fail stamped', repr(o.mods))

    for rc, secs in H.stop_all([tf, ac]):
        tap.is_(rc, 0, 'SIGTERM: exit status 0')


tap.run(main)
