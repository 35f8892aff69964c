"""
Privileges: compauthd binds its socket as root, applies socket_owner /
socket_group / socket_mode to it, writes the pidfile, then runs as `user`
(and `group`) for everything after. Also: running without -f detaches and
reports a start-up failure through the exit status. Needs root.
"""

import grp
import os
import pwd
import stat
import sys
import time
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
import tap


def proc_ids(pid):
    uid = gid = groups = None
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('Uid:'):
                uid = [int(x) for x in line.split()[1:]]
            elif line.startswith('Gid:'):
                gid = [int(x) for x in line.split()[1:]]
            elif line.startswith('Groups:'):
                groups = [int(x) for x in line.split()[1:]]
    return uid, gid, groups


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    if os.geteuid() != 0:
        tap.skip_all('needs root to start as root and drop privileges')
    nobody = pwd.getpwnam('nobody')
    group = grp.getgrnam('nogroup') if 'nogroup' in [g.gr_name for g in grp.getgrall()] \
        else grp.getgrgid(nobody.pw_gid)

    d = H.Daemon('basic.zone', tag='privs')
    d.set(('user', 'nobody'), ('group', group.gr_name),
          ('socket_owner', 'nobody'), ('socket_group', group.gr_name),
          ('socket_mode', '0666'))
    d.start()
    uid, gid, groups = proc_ids(d.pid)
    tap.is_(uid, [nobody.pw_uid] * 4, 'runs as user nobody (real, effective, saved, fs uid)')
    tap.is_(gid, [group.gr_gid] * 4, 'runs as group %s' % group.gr_name)
    tap.is_(groups, [group.gr_gid], 'supplementary groups dropped')
    st = os.stat(d.sockpath)
    tap.ok(stat.S_ISSOCK(st.st_mode), 'socket created')
    tap.is_(stat.S_IMODE(st.st_mode), 0o666, 'socket_mode applied')
    tap.is_((st.st_uid, st.st_gid), (nobody.pw_uid, group.gr_gid), 'socket_owner/group applied')
    with open(d.pidfile) as f:
        tap.is_(f.read().strip(), str(d.pid), 'pidfile written before the drop, names the daemon')
    with d.client() as c:
        o = M.send_message(c, H.message(), client_ip='192.0.2.10')
    H.check_stamp(tap, o, H.stamp(), 'serves mail after the drop')
    # A second instance on the same socket must not steal it.
    twin = H.Daemon('basic.zone', tag='privtwin')
    twin.set(('socket', 'unix:' + d.sockpath), ('pidfile', d.pidfile))
    twin.start(wait=False)
    tap.is_(twin.wait(5), 71, 'second instance on a live socket: refuses to start (exit 71)')
    tap.ok('in use by a running filter' in twin.log(), 'and says the socket is in use')
    try:
        with open(d.pidfile) as f:
            left = f.read().strip()
    except OSError as e:
        left = str(e)
    tap.is_(left, str(d.pid), 'the refused second instance leaves the running daemon\'s '
            'pidfile alone')
    with d.client() as c:
        o = M.send_message(c, H.message(), client_ip='192.0.2.10')
    H.check_stamp(tap, o, H.stamp(), 'the first instance still serves its socket')
    rc, secs = d.stop()
    tap.is_(rc, 0, 'SIGTERM: exit 0 after the drop')

    bad = H.Daemon('basic.zone', tag='privbad')
    bad.set(('user', 'no-such-user-compauthd'))
    bad.start(wait=False)
    tap.is_(bad.wait(5), 71, 'unknown user: start-up fails with exit 71 (EX_OSERR)')
    tap.ok('no-such-user-compauthd: no such user' in bad.log(), 'and says why')

    # Without -f: detaches; the parent exits 0 once the child is ready.
    bg = H.Daemon('basic.zone', tag='privbg')
    rc = H.run_cmd(['-c', bg.conf])
    tap.is_(rc[0], 0, 'without -f: the starting process exits 0 once ready')
    pid = None
    for _ in range(100):
        try:
            with open(bg.pidfile) as f:
                pid = int(f.read().strip())
            break
        except (OSError, ValueError):
            time.sleep(0.05)
    tap.ok(pid is not None and pid != os.getpid(), 'detached daemon wrote its pidfile')
    if pid is not None:
        bg.adopt(pid)
        tap.ok(os.getsid(pid) == pid, 'detached daemon leads its own session')
        with bg.client() as c:
            o = M.send_message(c, H.message(), client_ip='192.0.2.10')
        H.check_stamp(tap, o, H.stamp(), 'detached daemon serves mail')
        rc, _ = bg.stop()
    bgbad = H.Daemon('basic.zone', tag='privbgbad')
    bgbad.set(('user', 'no-such-user-compauthd'))
    rc = H.run_cmd(['-c', bgbad.conf])
    tap.ok(rc[0] != 0, 'without -f: a start-up failure reaches the shell (exit %s)' % rc[0])


if __name__ == '__main__':
    tap.run(main)
