"""
systemd socket activation (sd_listen_fds(3) protocol by hand): a listening
socket on fd 3 with LISTEN_FDS=1 and LISTEN_PID=<the daemon's pid> is
served instead of the configured socket; the configured one is not
created, and the inherited one is not removed at exit (systemd owns it).
LISTEN_PID naming another process means "not for you"; LISTEN_FDS other
than 1 is refused.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import os
import socket

import harness as H
import mclient as M
import tap

OURS = H.stamp()


def stamp_ok(addr, what):
    c = M.MilterClient(addr, timeout=5)
    try:
        o = M.send_message(c, H.message(), client_ip='192.0.2.10')
    finally:
        c.close()
    H.check_stamp(tap, o, OURS, what)


def placeholders():
    return {f for f in os.listdir('/tmp') if f.startswith('compauthd-activation-')}


def unix_listener(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    return s


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    # All four daemons start at once and stop together: each orderly stop
    # may take seconds.

    # 1. UNIX socket from "systemd".
    d1 = H.Daemon('basic.zone', tag='act')
    act1 = os.path.join(d1.tmp, 'activated.sock')
    ls = unix_listener(act1)
    before = placeholders()
    H.spawn_activated(d1, ls)
    ls.close()
    d1.addr = act1

    # 2. TCP socket from "systemd" (ListenStream=127.0.0.1:PORT).
    d2 = H.Daemon('basic.zone', tag='act4')
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', 0))
    ls.listen(16)
    d2.addr = ls.getsockname()
    H.spawn_activated(d2, ls)
    ls.close()

    # 3. LISTEN_PID of another process: fd 3 is not ours.
    d3 = H.Daemon('basic.zone', tag='act2')
    ls3 = unix_listener(os.path.join(d3.tmp, 'activated.sock'))
    H.spawn_activated(d3, ls3, listen_pid=1)

    # 4. LISTEN_FDS=2: refused.
    d4 = H.Daemon('basic.zone', tag='act3')
    act4 = os.path.join(d4.tmp, 'activated.sock')
    ls4 = unix_listener(act4)
    ls4b = unix_listener(act4 + '2')
    H.spawn_activated(d4, ls4, listen_fds='2', extra_fds=[ls4b])

    d1.wait_ready()
    stamp_ok(act1, 'activated UNIX socket: message stamped')
    tap.ok(not os.path.exists(d1.sockpath),
           'activated: the configured socket is not created')
    left = placeholders() - before
    tap.ok(not left, 'activated: no placeholder left in /tmp', repr(left))

    try:
        d2.wait_ready(3)
        stamp_ok(d2.addr, 'activated TCP socket: message stamped')
    except RuntimeError as e:
        tap.ok(False, 'activated TCP socket: served', str(e)[-2000:])

    d3.wait_ready()
    stamp_ok(d3.sockpath, 'LISTEN_PID=1 (not us): configured socket served')

    rc = d4.wait(5)
    tap.ok(rc is not None and rc != 0,
           'LISTEN_FDS=2: exits with an error status', 'status %r' % rc)
    tap.ok('LISTEN_FDS' in d4.log(), 'LISTEN_FDS=2: the log says why',
           d4.log())

    res = H.stop_all([d1, d2, d3])
    tap.is_(res[0][0], 0, 'activated UNIX: SIGTERM exit status 0')
    tap.ok(os.path.exists(act1), 'activated: inherited socket file left '
           'in place (systemd owns it)')
    tap.is_(res[1][0], 0, 'activated TCP: SIGTERM exit status 0')
    tap.is_(res[2][0], 0, 'LISTEN_PID=1: SIGTERM exit status 0')
    for s in (ls3, ls4, ls4b):
        s.close()


tap.run(main)
