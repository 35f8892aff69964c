"""
SIGHUP reload and SIGTERM shutdown of the running daemon:
  - a reload with a changed authserv_id: new connections use the new id
    (for stamping and for recognising forged headers); a connection opened
    before keeps the settings it started with;
  - a reload with a broken file keeps the running settings, logs
    "FILE:LINE: ..." and the daemon keeps running;
  - SIGTERM while a message is between headers and end of message: the
    socket stops taking new connections, the message still finishes within
    shutdown_timeout, and the daemon exits 0.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import os
import signal
import time

import harness as H
import mclient as M
import tap

MSG = [('From', ' a@example.org'), ('Subject', ' reload'),
       ('Authentication-Results', ' mx.test.example; spf=pass'),
       ('Authentication-Results', ' mx2.test.example; spf=pass')]


def ours(idv):
    return H.stamp(authserv_id=idv)


def send(d, c=None, **kw):
    own = c is None
    c = c or d.client()
    try:
        return M.send_message(c, M.build_message(MSG), client_ip='192.0.2.10',
                              **kw)
    finally:
        if own:
            c.close()


def summary(o):
    return ([m.value for m in H.ar_inserts(o)],
            [m.index for m in H.ar_deletes(o)])


def wait_for(pred, timeout=3.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    return pred()


def served(d, wait=1.0):
    """Does a new connection get an optneg answer?"""
    try:
        c = M.MilterClient(d.addr, timeout=wait)
    except OSError:
        return False
    try:
        c.negotiate()
        return True
    except (OSError, M.MilterError):
        return False
    finally:
        c.close()


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    d = H.Daemon('basic.zone', tag='reload').start()

    tap.is_(summary(send(d)), ([ours('mx.test.example')], [1]),
            'before reload: our id mx.test.example, its forgery #1 deleted')

    # A connection opened before the reload.
    early = d.client()
    o = send(d, early, qid='E1')
    tap.is_(summary(o), ([ours('mx.test.example')], [1]),
            'early connection, message 1: old id')

    d.set(('authserv_id', 'mx2.test.example'))
    d.signal(signal.SIGHUP)
    got = wait_for(lambda: summary(send(d)) ==
                   ([ours('mx2.test.example')], [2]))
    tap.ok(got, 'after SIGHUP: new id mx2.test.example stamped, and #2 (its '
           'forgery) deleted instead of #1', repr(summary(send(d))))

    o = send(d, early, connect=False, negotiate=False, qid='E2')
    tap.is_(summary(o), ([ours('mx.test.example')], [1]),
            'early connection, message 2 after the reload: keeps the '
            'settings it started with')
    early.close()

    # Broken file: keep running with mx2.
    d.write_conf('authserv_id = mx3.test.example\nno_such_setting = 1\n')
    log_before = len(d.log())
    d.signal(signal.SIGHUP)
    line = wait_for(lambda: [l for l in d.log()[log_before:].splitlines()
                             if d.conf + ':2:' in l])
    tap.ok(line, 'broken reload: error logged as "FILE:2: ..."',
           d.log()[log_before:])
    tap.ok(d.alive(), 'broken reload: daemon still running')
    tap.is_(summary(send(d)), ([ours('mx2.test.example')], [2]),
            'broken reload: previous settings stay (mx2)')

    # A file that vanished: same.
    d.write_conf('')
    os.unlink(d.conf)
    d.signal(signal.SIGHUP)
    time.sleep(0.3)
    tap.ok(d.alive(), 'reload of a missing file: daemon still running')
    tap.is_(summary(send(d)), ([ours('mx2.test.example')], [2]),
            'reload of a missing file: previous settings stay (mx2)')
    d.write_conf()

    # SIGTERM with a message in flight (headers sent, no eom yet).
    c = d.client(timeout=10)
    c.negotiate()
    c.connect('[192.0.2.10]', M.SMFIA_INET, 1234, '192.0.2.10')
    c.helo('mail.example.org')
    c.mail('<a@example.org>', macros={'i': 'TERM1'})
    c.rcpt('<bob@example.net>')
    c.data()
    for n, v in M.split_message(M.build_message(MSG))[0]:
        c.header(n, v)
    c.eoh()
    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    time.sleep(0.2)
    tap.ok(d.alive(), 'SIGTERM with a message in flight: still running')
    tap.ok(not served(d, 0.5), 'after SIGTERM: a new connection is not served')
    try:
        r = c.eom()
        got = (r.verdict, [m.value for m in r.mods
                           if m.code == M.SMFIR_INSHEADER])
    except (OSError, M.MilterError) as e:
        got = ('no answer: %s' % e, [])
    tap.is_(got, ('accept', [ours('mx2.test.example')]),
            'message in flight finished after SIGTERM (answer %.1fs after it)'
            % (time.monotonic() - t0))
    c.close()
    rc = d.wait(5)
    secs = time.monotonic() - t0
    tap.is_(rc, 0, 'then exit status 0')
    tap.ok(secs < 2.0 + 2.5, 'exit within shutdown_timeout (2s) + margin',
           '%.1fs' % secs)
    tap.ok(not os.path.exists(d.sockpath), 'socket file removed at exit')
    tap.ok(not os.path.exists(d.pidfile), 'pidfile removed at exit')


tap.run(main)
