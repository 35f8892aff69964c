"""
List files through the running daemon: trusted_clients = file:/path.
  - at start the file's entries are trusted (compauth=none reason=302),
    others checked;
  - the file edited and SIGHUP: a client added to it gets reason 302 only
    after the reload, a client taken out of it is checked again;
  - a reload with a broken file (a bad entry, a missing file) logs the
    error naming the list file and its line, and keeps the lists in use;
  - SIGHUP also reloads the public suffix list (logged);
  - run as root with user = nobody: a list file only root may read makes
    the reload fail with "Permission denied", since reloads read it as the
    daemon's user (the configuration file too).
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import os
import pwd
import signal
import time

import harness as H
import mclient as M
import tap

A, B = '192.0.2.10', '192.0.2.20'


def verdict(d, ip):
    """The compauth part of the header stamped for a message from ip."""
    with d.client() as c:
        o = M.send_message(c, H.message(), client_ip=ip)
    ins = H.ar_inserts(o)
    if len(ins) != 1:
        return 'no single header: %r' % (o.mods,)
    return ins[0].value.rsplit(';', 1)[-1].strip()


def trusted(d, ip):
    return verdict(d, ip) == 'compauth=none reason=302'


def write(path, text, mode=0o644):
    tmp = path + '.new'
    with open(tmp, 'w') as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.rename(tmp, path)


def wait_log(d, since, needle, timeout=3.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        lines = [l for l in d.log()[since:].splitlines() if needle in l]
        if lines:
            return lines
        time.sleep(0.05)
    return []


def reload(d, needle):
    """SIGHUP, then wait for a log line with needle; the lines."""
    since = len(d.log())
    d.signal(signal.SIGHUP)
    return wait_log(d, since, needle)


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    d = H.Daemon('basic.zone', tag='listfile')
    lst = os.path.join(d.tmp, 'trusted_clients')
    write(lst, '# clients we trust\n%s\n\n198.51.100.0/24  # a network\n' % A)
    d.set(('trusted_clients', '127.0.0.0/8, file:' + lst))
    d.start()

    tap.ok(trusted(d, A), 'at start: %s, listed in the file, is trusted (302)' % A,
           verdict(d, A))
    tap.ok(trusted(d, '198.51.100.9'), 'at start: the file\'s network is trusted')
    tap.is_(verdict(d, B), 'compauth=fail reason=001',
            'at start: %s, not listed, is checked' % B)

    # Edit the file: B in, A out. Nothing changes before the SIGHUP.
    write(lst, '%s\n198.51.100.0/24\n' % B)
    tap.ok(not trusted(d, B) and trusted(d, A),
           'file edited, no SIGHUP yet: still the old list')
    lines = reload(d, 'configuration reloaded')
    tap.ok(lines, 'SIGHUP: configuration reloaded', d.log()[-2000:])
    tap.is_(verdict(d, B), 'compauth=none reason=302',
            'after SIGHUP: %s, now in the file, is trusted (302)' % B)
    tap.is_(verdict(d, A), 'compauth=fail reason=001',
            'after SIGHUP: %s, taken out, is checked again' % A)
    tap.ok(wait_log(d, 0, 'public suffix list reloaded'),
           'SIGHUP: the public suffix list reloaded too', d.log()[-2000:])

    # A bad entry on line 3: the reload fails, naming the file and line.
    write(lst, '%s\n\nnot-an-address\n' % A)
    lines = reload(d, 'reload failed')
    want = '%s:3: expected an IP address or CIDR block' % lst
    tap.ok(lines and want in lines[0],
           'bad entry: "reload failed" names the list file and line 3', lines)
    with open(d.conf) as f:
        at = [i + 1 for i, l in enumerate(f) if l.startswith('trusted_clients')][0]
    tap.ok(lines and ('%s:%d: trusted_clients: ' % (d.conf, at)) in lines[0],
           'and the configuration line that names the file', lines)
    tap.ok(d.alive(), 'bad entry: daemon still running')
    tap.ok(trusted(d, B) and not trusted(d, A),
           'bad entry: the lists in use stay (%s trusted, %s not)' % (B, A))

    # The file removed: same, with the path and errno text.
    os.unlink(lst)
    lines = reload(d, 'reload failed')
    tap.ok(lines and ('cannot open %s: No such file or directory' % lst) in lines[0],
           'missing file: "cannot open PATH: No such file or directory"', lines)
    tap.ok(d.alive() and trusted(d, B), 'missing file: still running, lists kept')

    # And fixed again: the reload takes it.
    write(lst, '%s\n' % A)
    tap.ok(reload(d, 'configuration reloaded'), 'file fixed: reload succeeds')
    tap.ok(trusted(d, A) and not trusted(d, B), 'file fixed: its contents in use')
    d.stop()

    # Reloads read list files as the daemon's user.
    if os.geteuid() != 0:
        tap.skip('needs root to run as nobody')
        return
    nobody = pwd.getpwnam('nobody')
    os.chmod(d.tmp, 0o755)
    write(lst, '%s\n' % A, mode=0o644)
    os.chmod(d.conf, 0o644)
    d.set(('user', 'nobody'))
    os.chmod(d.conf, 0o644)
    d.start()
    tap.ok(trusted(d, A), 'as user nobody: the list file read at start (as root)')
    write(lst, '%s\n' % B, mode=0o600)       # root's only
    lines = reload(d, 'reload failed')
    tap.ok(lines and ('cannot open %s: Permission denied' % lst) in lines[0],
           'a list file only root may read: the reload (as nobody) fails, '
           'Permission denied', lines)
    tap.ok(trusted(d, A), 'and the running list stays')
    os.chown(lst, nobody.pw_uid, -1)
    tap.ok(reload(d, 'configuration reloaded'), 'owned by the daemon\'s user: reload succeeds')
    tap.ok(trusted(d, B) and not trusted(d, A), 'and the new list is in use')
    d.stop()


tap.run(main)
