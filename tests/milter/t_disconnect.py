"""
Robustness of the daemon against its MTA: a connection that goes away at
every stage of a transaction, with a clean close, a truncated packet,
garbage, or an absurd packet length; after each the daemon must still be
running and still stamp a normal message correctly. Then several messages
on one connection (with SMFIC_ABORT and SMFIC_QUIT_NC between them) and 50
concurrent connections.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import os
import re
import struct
import threading
import time

import harness as H
import mclient as M
import tap

OURS = H.stamp()
HDRS = [('From', ' Alice <alice@example.org>'), ('To', ' bob@example.net'),
        ('Subject', ' disconnect test'),
        ('Authentication-Results', ' mx.test.example; spf=pass')]
BODY = b'line\r\n' * 20000          # > one 64 KiB body chunk


def go_to(c, stage):
    """Drives a fresh connection up to stage; returns nothing."""
    if stage == 'connected':
        return
    c.negotiate()
    if stage == 'optneg':
        return
    c.connect('[192.0.2.10]', M.SMFIA_INET, 4000, '192.0.2.10',
              macros={'j': 'mx.test.example'})
    if stage == 'connect':
        return
    c.helo('mail.example.org')
    if stage == 'helo':
        return
    c.mail('<alice@example.org>', macros={'i': 'DISC1'})
    if stage == 'mail':
        return
    c.rcpt('<bob@example.net>')
    if stage == 'rcpt':
        return
    c.data()
    for n, v in HDRS[:2]:
        c.header(n, v)
    if stage == 'some headers':
        return
    for n, v in HDRS[2:]:
        c.header(n, v)
    c.eoh()
    if stage == 'eoh':
        return
    if stage == 'mid-body':
        # The first chunk, then half of a second packet.
        c.body(BODY[:M.MILTER_CHUNK_SIZE])
        pkt = M.encode_packet(M.SMFIC_BODY, BODY[:M.MILTER_CHUNK_SIZE])
        c.send_raw(pkt[:len(pkt) // 2])
        return
    c.body(BODY)
    if stage == 'eom sent, reply unread':
        c.send_packet(M.SMFIC_BODYEOB)
        return
    if stage == 'abort':
        c.abort()
        return
    raise ValueError(stage)


STAGES = ['connected', 'optneg', 'connect', 'helo', 'mail', 'rcpt',
          'some headers', 'eoh', 'mid-body', 'eom sent, reply unread',
          'abort']

# How the connection ends.
ENDINGS = {
    'close': lambda c: c.close(),
    'reset': lambda c: c.abrupt_close(),
    'truncated packet': lambda c: (c.send_raw(struct.pack('>I', 100) + b'L' +
                                              b'Subject\0'), c.close()),
    'garbage': lambda c: (c.send_raw(os.urandom(64)), c.close()),
    'huge length': lambda c: (c.send_raw(struct.pack('>I', 0x7fffffff) +
                                         b'B' + b'x' * 1000), c.close()),
    'unknown command': lambda c: (c.send_packet(b'Z', b'zz'), c.close()),
}


def normal_message(d, what):
    with d.client() as c:
        o = M.send_message(c, M.build_message(HDRS), client_ip='192.0.2.10')
    ins = H.ar_inserts(o)
    dels = H.ar_deletes(o)
    return (o.verdict == 'accept' and len(ins) == 1 and ins[0].value == OURS
            and [m.index for m in dels] == [1]), o


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    d = H.Daemon('basic.zone', tag='disc').start()

    t0 = time.monotonic()
    bad = []
    for stage in STAGES:
        for ending, fn in ENDINGS.items():
            try:
                c = d.client()
                go_to(c, stage)
                fn(c)
            except (OSError, M.MilterError) as e:
                # The daemon may close first (e.g. after garbage): fine.
                c.close()
            if not d.alive():
                bad.append('%s/%s: daemon died' % (stage, ending))
                break
            good, o = normal_message(d, stage)
            if not good:
                bad.append('%s/%s: next message got %r' % (stage, ending, o))
        tap.ok(d.alive() and not [b for b in bad if b.startswith(stage + '/')],
               'gone after %s (%s): daemon alive, next message stamped'
               % (stage, ', '.join(ENDINGS)),
               '\n'.join(b for b in bad if b.startswith(stage + '/')))
        if not d.alive():
            tap.diag(d.log()[-3000:])
            return
    tap.diag('%d broken connections in %.1fs' % (len(STAGES) * len(ENDINGS),
                                                   time.monotonic() - t0))

    # The eom whose answer was never read: does the daemon survive the MTA
    # reading nothing and leaving? (covered above); now one that lingers,
    # reads half a reply, and goes.
    c = d.client()
    go_to(c, 'abort')
    c.mail('<alice@example.org>', macros={'i': 'DISC2'})
    c.rcpt('<bob@example.net>')
    c.data()
    c.header('From', ' a@example.org')
    c.eoh()
    c.send_packet(M.SMFIC_BODYEOB)
    c.sock.recv(3)
    c.close()
    tap.ok(d.alive() and normal_message(d, 'half reply')[0],
           'MTA that reads 3 bytes of the eom answer and goes: daemon fine')

    # Abort, then a second message on the same connection.
    with d.client() as c:
        c.negotiate()
        c.connect('[192.0.2.10]', M.SMFIA_INET, 4000, '192.0.2.10')
        c.helo('mail.example.org')
        c.mail('<alice@example.org>', macros={'i': 'AB1'})
        c.rcpt('<bob@example.net>')
        c.data()
        for n, v in HDRS:
            c.header(n, v)
        c.eoh()
        c.abort()
        o = M.send_message(c, M.build_message(HDRS[:3]), connect=False,
                           negotiate=False, qid='AB2')
        H.check_stamp(tap, o, OURS, 'abort, then a second message on the '
                      'same connection')
        # A third, with two forged headers at other places: indexes are
        # counted per message, not per connection.
        hdrs = [('Authentication-Results', ' other.example; spf=pass')] + \
            HDRS[:3] + [('Authentication-Results', ' mx.test.example; x=y')]
        o = M.send_message(c, M.build_message(hdrs), connect=False,
                           negotiate=False, qid='AB3')
        tap.is_([(m.index, m.value) for m in H.ar_deletes(o)], [(2, '')],
                'third message: its own A-R indexes (deletes #2 only)')
        tap.is_(len(H.ar_inserts(o)), 1, 'third message: one header inserted')

    # SMFIC_QUIT_NC: the connection is reused for a new SMTP session.
    # libmilter's state machine drops 'K' and the 'C' after it when the
    # previous end of message was answered SMFIS_ACCEPT (state goes back to
    # HELO, from which neither is a valid step); SMFIS_CONTINUE at end of
    # message means the same to the MTA and keeps them valid.
    with d.client() as c:
        o = M.send_message(c, M.build_message(HDRS), client_ip='192.0.2.20')
        c.quit_nc()
        o = M.send_message(c, M.build_message(HDRS[:3]),
                           client_ip='192.0.2.10', negotiate=False)
        H.check_stamp(tap, o, OURS, 'after SMFIC_QUIT_NC: new session with '
                      'its own client')
        c.quit()

    # A message with no body and no header at all.
    with d.client() as c:
        o = M.send_message(c, b'\r\n', client_ip='192.0.2.10')
        # No From: DMARC cannot run (RFC 7489 §6.6.1), never a crash.
        H.check_stamp(tap, o, OURS.replace(H.TAIL, ';\n\tdmarc=permerror (From header: none) '
                                           'action=permerror;\n\tarc=none;\n\tcompauth=fail reason=001'),
                      'empty message')

    # 50 concurrent connections.
    N = 50
    results = [None] * N

    def worker(i):
        try:
            with d.client(timeout=15) as c:
                hdrs = HDRS[:3] + [('Message-ID', ' <c%d@example.org>' % i)]
                o = M.send_message(c, M.build_message(hdrs),
                                   client_ip='192.0.2.10', qid='C%04d' % i)
                ins = H.ar_inserts(o)
                results[i] = (o.verdict, [m.value for m in ins],
                              len(o.mods))
        except Exception as e:
            results[i] = ('error', repr(e))

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    want = ('accept', [OURS], 1)
    wrong = [(i, r) for i, r in enumerate(results) if r != want]
    tap.ok(not wrong, '%d concurrent connections: each stamped exactly once '
           '(%.1fs)' % (N, time.monotonic() - t0), repr(wrong[:5]))

    tap.ok(d.alive(), 'daemon alive at the end')
    time.sleep(0.2)
    rc, secs = d.stop()
    tap.is_(rc, 0, 'SIGTERM: exit status 0 after all that')
    # Every broken connection freed its message: none counted in flight.
    m = re.search(r'stopping on signal \d+; (\d+) message\(s\) in progress',
                  d.log())
    tap.ok(m and m.group(1) == '0', 'no message left in flight after the '
           'broken connections (leak check)', m and m.group(0))


tap.run(main)
