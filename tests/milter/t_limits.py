"""
Header limits (max_headers, max_header_bytes) and on_oversize: a message
over a limit never crashes the daemon and always gets a final answer;
on_oversize = accept lets it through, on_oversize = tempfail asks the MTA
to try later (4xx). A forged Authentication-Results beyond the limit is
still removed.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
import tap

BASE = [('From', ' Alice <alice@example.org>'), ('To', ' bob@example.net'),
        ('Subject', ' limits'), ('Date', ' Mon, 24 Nov 2025 10:00:00 +0000')]
OURS = H.stamp()


def headers(n, forged_last=False):
    """n header fields; the last one a forged A-R when asked."""
    h = list(BASE[:n])
    while len(h) < n:
        h.append(('X-Filler-%d' % len(h), ' %d' % len(h)))
    if forged_last:
        h[-1] = ('Authentication-Results', ' mx.test.example; spf=pass')
    return h


def send(d, hdrs):
    with d.client(timeout=20) as c:
        return M.send_message(c, M.build_message(hdrs), client_ip='192.0.2.10')


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    lim = [('max_headers', '5'), ('max_header_bytes', '1024')]
    acc = H.Daemon('basic.zone', tag='lima',
                   settings=lim + [('on_oversize', 'accept')]).start(wait=False)
    tf = H.Daemon('basic.zone', tag='limt',
                  settings=lim + [('on_oversize', 'tempfail')]).start(wait=False)
    acc.wait_ready()
    tf.wait_ready()

    # At the limit: a normal message for both.
    for d, name in ((acc, 'accept'), (tf, 'tempfail')):
        o = send(d, headers(5))
        H.check_stamp(tap, o, OURS, 'on_oversize=%s, exactly 5 headers' % name)

    # 20 headers, the last a forged A-R.
    o = send(acc, headers(20, forged_last=True))
    tap.is_(o.verdict, 'accept', 'on_oversize=accept, 20 headers: accepted')
    tap.is_([(m.index, m.value) for m in H.ar_deletes(o)], [(1, '')],
            'on_oversize=accept: forged A-R after the limit still deleted')
    tap.diag('on_oversize=accept, 20 headers: modifications %r' % o.mods)

    o = send(tf, headers(20, forged_last=True))
    tap.ok(H.is_tempfail(o.eom.final if o.eom else None),
           'on_oversize=tempfail, 20 headers: eom answer is a tempfail',
           repr(o.eom and o.eom.final))
    if o.eom and o.eom.final.code == M.SMFIR_REPLYCODE:
        tap.ok(o.eom.final.text.startswith('451 4.7.0 '),
               'on_oversize=tempfail: reply "451 4.7.0 ..."',
               o.eom.final.text)
    o = send(tf, headers(6))
    tap.ok(H.is_tempfail(o.eom.final if o.eom else None),
           'on_oversize=tempfail, 6 headers (one over): tempfail',
           repr(o.eom and o.eom.final))

    # max_header_bytes: one big header (60000 bytes) under max_headers.
    big = BASE[:3] + [('X-Big', ' ' + 'x' * 60000)]
    o = send(acc, big)
    tap.is_(o.verdict, 'accept', 'on_oversize=accept, 60 kB header: accepted')
    o = send(tf, big)
    tap.ok(H.is_tempfail(o.eom.final if o.eom else None),
           'on_oversize=tempfail, 60 kB header over max_header_bytes=1024: '
           'tempfail', repr(o.eom and o.eom.final))

    # Many headers: 5000 short ones and a forged A-R at the end.
    o = send(acc, headers(5000, forged_last=True))
    tap.is_(o.verdict, 'accept', 'on_oversize=accept, 5000 headers: accepted')
    tap.is_([(m.index, m.value) for m in H.ar_deletes(o)], [(1, '')],
            '5000 headers: forged A-R #1 at the very end deleted')

    # A header name that is empty, and one that is very long: no crash.
    with acc.client() as c:
        c.negotiate()
        c.connect('[192.0.2.10]', M.SMFIA_INET, 1, '192.0.2.10')
        c.helo('mail.example.org')
        c.mail('<a@example.org>', macros={'i': 'LIM1'})
        c.rcpt('<bob@example.net>')
        c.data()
        c.header('X-' + 'n' * 30000, ' v')
        c.eoh()
        r = c.eom()
        tap.is_(r.verdict, 'accept', '30000-byte header name: accepted')

    # One header field over libmilter's default 64 KiB packet limit: the
    # connection stays up and the message gets its answer (on_oversize).
    huge = BASE[:3] + [('X-Huge', ' ' + 'h' * 200000)]
    o = send(acc, huge)
    tap.is_(o.verdict, 'accept', 'on_oversize=accept, 200 kB header field: accepted')
    o = send(tf, huge)
    tap.ok(H.is_tempfail(o.eom.final if o.eom else None),
           'on_oversize=tempfail, 200 kB header field: tempfail, connection kept',
           repr(o.eom and o.eom.final))

    for d in (acc, tf):
        tap.ok(d.alive(), 'daemon alive')
    for rc, secs in H.stop_all([acc, tf]):
        tap.is_(rc, 0, 'SIGTERM: exit status 0')


tap.run(main)
