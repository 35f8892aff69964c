"""
TCP milter sockets: socket = inet:PORT@127.0.0.1 and inet6:PORT@::1 (the
latter skipped when the host has no IPv6 loopback). The connect step
carries the MTA's client address, not the TCP peer's.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
import tap

OURS = H.stamp()


def check(d, label):
    with d.client() as c:
        o = M.send_message(c, H.message(), client_ip='192.0.2.10')
    H.check_stamp(tap, o, OURS, '%s: message stamped' % label)
    # Several messages over one TCP connection.
    with d.client() as c:
        o1 = M.send_message(c, H.message(), client_ip='192.0.2.10', qid='T1')
        o2 = M.send_message(c, H.message(), connect=False, negotiate=False,
                            qid='T2')
    tap.is_([m.value for m in H.ar_inserts(o1) + H.ar_inserts(o2)],
            [OURS, OURS], '%s: two messages on one connection' % label)


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    import socket
    daemons = []

    d4 = H.Daemon('basic.zone', tag='inet')
    port4 = d4.use_inet('inet', '127.0.0.1')
    d4.start(wait=False)
    daemons.append(d4)
    d6 = None
    if H.have_ipv6_loopback():
        d6 = H.Daemon('basic.zone', tag='inet6')
        port6 = d6.use_inet('inet6', '::1')
        d6.start(wait=False)
        daemons.append(d6)
    # A port already in use: start-up fails with a reason, no hang.
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.bind(('127.0.0.1', 0))
    busy.listen(1)
    db = H.Daemon('basic.zone', tag='inetbusy')
    db.set(('socket', 'inet:%d@127.0.0.1' % busy.getsockname()[1]))
    db.start(wait=False)

    d4.wait_ready()
    check(d4, 'inet:%d@127.0.0.1' % port4)
    if d6 is not None:
        d6.wait_ready()
        check(d6, 'inet6:%d@::1' % port6)
    else:
        tap.skip('inet6:PORT@::1', 'no IPv6 loopback on this host')

    rc = db.wait(5)
    tap.ok(rc is not None and rc != 0, 'port in use: exits with an error '
           'status', 'status %r' % rc)
    tap.ok('127.0.0.1' in db.log(), 'port in use: the log names the socket',
           db.log())
    busy.close()

    for d, (rc, secs) in zip(daemons, H.stop_all(daemons)):
        tap.is_(rc, 0, '%s: SIGTERM exit status 0' % dict(d.settings)['socket'])


tap.run(main)
