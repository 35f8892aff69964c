#!/usr/bin/python3
"""
A private PostgreSQL server for the report store tests: initdb and pg_ctl
from Debian's postgresql package (/usr/lib/postgresql/*/bin) in a temporary
directory, run as an unprivileged user (the caller, or 'postgres' when the
caller is root), listening only on a unix socket in that directory (no TCP).

  pgserver.py start DIR   prints the store URI (postgresql://...) on stdout;
                          exit 77 with the reason on stdout when PostgreSQL
                          is not installed or cannot run here
  pgserver.py stop DIR    stops it (fast), keeps DIR
  pgserver.py start-again DIR   starts a stopped server again (same URI)

Python tests import it: start(dir) -> uri or raises Skip, stop(dir).
"""

import glob
import os
import pwd
import shutil
import subprocess
import sys


class Skip(Exception):
    pass


def _bindir():
    dirs = sorted(glob.glob('/usr/lib/postgresql/*/bin'),
                  key=lambda d: int(d.split('/')[-2]) if d.split('/')[-2].isdigit() else 0)
    for d in reversed(dirs):
        if os.access(os.path.join(d, 'initdb'), os.X_OK) and \
                os.access(os.path.join(d, 'pg_ctl'), os.X_OK):
            return d
    raise Skip('PostgreSQL is not installed (Debian package postgresql)')


def _user():
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam('postgres')
    except KeyError:
        raise Skip('running as root and there is no postgres user to run the server')


def _run(argv, user, **kw):
    if user is not None:
        argv = ['setpriv', '--reuid=%d' % user.pw_uid, '--regid=%d' % user.pw_gid,
                '--init-groups', '--'] + argv
    env = dict(os.environ, LC_ALL='C', LANG='C')
    if user is not None:
        env['HOME'] = user.pw_dir
    return subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kw)


def uri(d):
    # libpq: host is a directory (a unix socket), percent-encoded.
    from urllib.parse import quote
    return 'postgresql:///compauth?host=%s&user=compauth' % quote(os.path.join(d, 'sock'), safe='')


def _ctl_start(d, user, bindir):
    r = _run([os.path.join(bindir, 'pg_ctl'), '-D', os.path.join(d, 'data'), '-w', '-t', '60',
              '-l', os.path.join(d, 'server.log'), '-o',
              "-c listen_addresses='' -c unix_socket_directories='%s' -c fsync=off "
              "-c max_connections=40 -c shared_buffers=16MB" % os.path.join(d, 'sock'),
              'start'], user)
    if r.returncode != 0:
        log = ''
        try:
            with open(os.path.join(d, 'server.log')) as f:
                log = f.read()[-800:]
        except OSError:
            pass
        raise Skip('pg_ctl start failed: %s %s' % (r.stdout.strip()[-400:], log))


def start(d):
    bindir = _bindir()
    user = _user()
    os.makedirs(os.path.join(d, 'sock'), exist_ok=True)
    if user is not None:
        for p in (d, os.path.join(d, 'sock')):
            os.chown(p, user.pw_uid, user.pw_gid)
        # the directories above must be traversable by the server's user
        os.chmod(d, 0o755)
    r = _run([os.path.join(bindir, 'initdb'), '-D', os.path.join(d, 'data'), '-A', 'trust',
              '-U', 'compauth', '-E', 'UTF8', '--locale=C', '--no-sync'], user)
    if r.returncode != 0:
        raise Skip('initdb failed: %s' % r.stdout.strip()[-400:])
    _ctl_start(d, user, bindir)
    r = _run([os.path.join(bindir, 'createdb'), '-h', os.path.join(d, 'sock'), '-U', 'compauth',
              'compauth'], user)
    if r.returncode != 0:
        stop(d)
        raise Skip('createdb failed: %s' % r.stdout.strip()[-400:])
    return uri(d)


def start_again(d):
    _ctl_start(d, _user(), _bindir())
    return uri(d)


def stop(d):
    try:
        bindir = _bindir()
    except Skip:
        return
    if os.path.exists(os.path.join(d, 'data', 'postmaster.pid')):
        _run([os.path.join(bindir, 'pg_ctl'), '-D', os.path.join(d, 'data'), '-w', '-m', 'immediate',
              'stop'], _user())


def remove(d):
    stop(d)
    shutil.rmtree(d, ignore_errors=True)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ('start', 'stop', 'start-again'):
        sys.stderr.write(__doc__)
        return 2
    try:
        if sys.argv[1] == 'start':
            print(start(sys.argv[2]))
        elif sys.argv[1] == 'start-again':
            print(start_again(sys.argv[2]))
        else:
            stop(sys.argv[2])
    except Skip as e:
        print(str(e).replace('\n', ' '))
        return 77
    return 0


if __name__ == '__main__':
    sys.exit(main())
