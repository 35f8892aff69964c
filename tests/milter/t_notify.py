"""
sd_notify(3) without libsystemd: with NOTIFY_SOCKET set, the daemon sends
READY=1 once it serves, RELOADING=1 (with MONOTONIC_USEC, as
Type=notify-reload wants) then READY=1 again on SIGHUP, and STOPPING=1 on
SIGTERM. Both a path and an abstract ("@name") socket. Also: SIGTERM with
a message stuck before end of message still exits 0, once
shutdown_timeout has passed.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import os
import signal
import socket
import time

import harness as H
import mclient as M
import tap


def wait_msg(s, key, value, timeout=5.0):
    """Reads datagrams until one has key=value; returns (all read, found)."""
    got = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            break
        fields = dict(l.split('=', 1) for l in data.decode().split('\n')
                      if '=' in l)
        got.append(fields)
        if fields.get(key) == value:
            return got, True
    return got, False


def start(abstract):
    d = H.Daemon('basic.zone', tag='notify')
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if abstract:
        name = 'compauthd-test-%d-%d' % (os.getpid(), time.monotonic_ns())
        s.bind('\0' + name)
        env = {'NOTIFY_SOCKET': '@' + name}
    else:
        path = os.path.join(d.tmp, 'notify.sock')
        s.bind(path)
        env = {'NOTIFY_SOCKET': path}
    d.start(env=env, wait=False)
    return d, s


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    # Both daemons at once (a path and an abstract socket); they stop together.
    t0 = time.monotonic()
    dp, sp = start(abstract=False)
    da, sa = start(abstract=True)
    for s, label in ((sp, 'socket path'), (sa, 'abstract socket')):
        got, ok = wait_msg(s, 'READY', '1')
        tap.ok(ok, '%s: READY=1 at start (%.2fs)'
               % (label, time.monotonic() - t0), repr(got))
    # READY means serving: a message works right away.
    for d, label in ((dp, 'socket path'), (da, 'abstract socket')):
        with d.client() as c:
            o = M.send_message(c, H.message(), client_ip='192.0.2.10')
        tap.is_(len(H.ar_inserts(o)), 1, '%s: serving once READY=1 is sent'
                % label)

    dp.signal(signal.SIGHUP)
    got, ok = wait_msg(sp, 'RELOADING', '1')
    tap.ok(ok, 'RELOADING=1 on SIGHUP', repr(got))
    if ok:
        usec = got[-1].get('MONOTONIC_USEC', '')
        now = time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6
        tap.ok(usec.isdigit() and abs(int(usec) - now) < 5e6,
               'RELOADING=1 carries MONOTONIC_USEC of now', repr(got[-1]))
    got, ok = wait_msg(sp, 'READY', '1')
    tap.ok(ok, 'READY=1 after the reload', repr(got))

    # A broken file: the reload fails, but systemd must still hear READY=1
    # (else it waits for the reload to finish until its timeout).
    dp.write_conf('no_such_setting = 1\n')
    dp.signal(signal.SIGHUP)
    got, ok = wait_msg(sp, 'RELOADING', '1')
    got2, ok2 = wait_msg(sp, 'READY', '1')
    tap.ok(ok and ok2, 'failed reload: RELOADING=1 then READY=1',
           repr(got + got2))
    dp.write_conf()

    # SIGHUP right after READY=1, on several fresh daemons at once: the
    # reload must happen every time (libmilter's own signal thread also
    # waits for SIGHUP, and stops the filter when it gets it).
    N = 10
    fresh = [start(abstract=False) for _ in range(N)]
    lost = []
    for i, (d, s) in enumerate(fresh):
        got, ok = wait_msg(s, 'READY', '1')
        d.signal(signal.SIGHUP)
        got2, ok2 = wait_msg(s, 'RELOADING', '1', timeout=2)
        got3, ok3 = wait_msg(s, 'READY', '1', timeout=2)
        if not (ok and ok2 and ok3):
            lost.append((i, got + got2 + got3))
    time.sleep(0.2)
    dead = [i for i, (d, s) in enumerate(fresh) if not d.alive() or
            'unexpectedly' in d.log()]
    tap.ok(not lost and not dead, 'SIGHUP right after READY=1, %d daemons: '
           'each reloads and keeps running' % N,
           'lost: %r dead: %r\n%s' % (lost, dead,
                                       fresh[dead[0]][0].log() if dead else ''))
    for d, s in fresh:
        d.kill()
        s.close()
        d.cleanup()

    # SIGTERM: dp with a message that never reaches end of message.
    c = dp.client(timeout=10)
    c.negotiate()
    c.connect('[192.0.2.10]', M.SMFIA_INET, 1, '192.0.2.10')
    c.mail('<a@example.org>', macros={'i': 'STUCK'})
    c.rcpt('<bob@example.net>')
    c.data()
    c.header('From', ' a@example.org')
    t0 = time.monotonic()
    dp.signal(signal.SIGTERM)
    da.signal(signal.SIGTERM)
    for s, label in ((sp, 'socket path'), (sa, 'abstract socket')):
        got, ok = wait_msg(s, 'STOPPING', '1')
        tap.ok(ok, '%s: STOPPING=1 on SIGTERM' % label, repr(got))
    rc = da.wait(8)
    tap.is_(rc, 0, 'abstract socket: exit status 0')
    rc = dp.wait(8)
    secs = time.monotonic() - t0
    tap.is_(rc, 0, 'exit status 0 with a message stuck in flight')
    tap.ok(1.5 <= secs < 2.0 + 2.5, 'waited about shutdown_timeout=2s for '
           'the stuck message', '%.1fs' % secs)
    c.close()
    sp.close()
    sa.close()


tap.run(main)
