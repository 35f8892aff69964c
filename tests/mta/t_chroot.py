"""
The chrooted Postfix of Debian's stock master.cf (smtpd, cleanup, pickup,
smtp ... "y" in the chroot column) in front of compauthd run as its own
unprivileged user, as the Debian unit runs it (User= and Group=, no
capability), with the recipe of conf/postfix-main.cf.snippet and
compauthd(8): compauthd listens in a directory inside Postfix's queue
directory, made once by the postmaster with "install -d", and main.cf
names the socket relative to the queue directory,

    socket = unix:QUEUE_DIRECTORY/compauthd/compauthd.sock      (compauthd.conf)
    smtpd_milters = unix:compauthd/compauthd.sock                (main.cf)

which a chrooted and an unchrooted Postfix daemon resolve alike (both run
with the queue directory as working directory). Checked: mail through a
chrooted smtpd and, submitted with sendmail(1), through a chrooted cleanup
(non_smtpd_milters) is delivered with our Authentication-Results and the
compauth field; the same relative name works for an unchrooted smtpd; the
name inside the chroot (unix:/compauthd/compauthd.sock) works chrooted only.
Negative control: compauthd listening at the default
/run/compauthd/compauthd.sock answers an unchrooted smtpd, while a chrooted
smtpd cannot see it and, milter_default_action = tempfail, answers 451.

Needs root: a private mount namespace (a tmpfs on /run, so that the
default socket path is ours alone), a private network namespace (the
fixed ports), and a temporary system user and group (USER; the real
compauthd user is never touched, tests/deb.sh may be creating or removing
it meanwhile) with postfix added to the group, all removed at exit with
the tools that lock /etc/passwd and /etc/group. /etc/postfix is only read.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import fcntl
import grp
import os
import pwd
import re
import shutil
import stat
import time

import mtalib as L

tap = L.tap
harness = L.harness
USER = 'cadchroot'
LOCK = os.path.join('/run/lock' if os.path.isdir('/run/lock') else '/tmp',
                    'cad-t_chroot.lock')
SINK_PORT = 10026
DEFAULT_SOCKET = '/run/compauthd/compauthd.sock'
RECIPE_MILTERS = 'unix:compauthd/compauthd.sock'     # relative: the recipe
INSIDE_MILTERS = 'unix:/compauthd/compauthd.sock'    # the path in the chroot
DEFAULT_MILTERS = 'unix:' + DEFAULT_SOCKET
# port: (chroot column, smtpd_milters override or None for main.cf's)
SMTPD = {
    10025: ('y', None),             # as Debian's smtp service, main.cf's value
    10030: ('n', None),             # unchrooted, main.cf's value
    10031: ('y', DEFAULT_MILTERS),  # negative control
    10032: ('n', DEFAULT_MILTERS),  # the default socket itself works
    10033: ('y', INSIDE_MILTERS),
    10034: ('n', INSIDE_MILTERS),
}
# What Debian's postfix start-up (/usr/lib/postfix/configure-instance.sh)
# copies into the chroot; none of it is needed for the milter connection
# (a run without them passes too), copied to mirror a stock system.
CHROOT_FILES = ('etc/localtime', 'etc/services', 'etc/resolv.conf',
                'etc/hosts', 'etc/host.conf', 'etc/nsswitch.conf')
SYSTEM_FILES = ('/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow')


def enter_namespaces():
    """Re-executes the script once in private mount, network and UTS
    namespaces; returns a reason to skip, or None inside."""
    if os.environ.get('CAD_CHROOT_NS') == '1':
        return L.enter_netns()
    if os.geteuid() != 0:
        return 'needs root (namespaces, a temporary user, the MTA daemons)'
    for tool in ('unshare', 'ip', 'useradd', 'userdel', 'groupdel', 'gpasswd',
                 'install'):
        if shutil.which(tool) is None:
            return 'no %s on this machine' % tool
    if L.run(['unshare', '--mount', '--propagation', 'private', '--net',
              '--uts', 'true'])[0] != 0:
        return 'unshare --mount --net --uts is not permitted here'
    env = dict(os.environ, CAD_CHROOT_NS='1', CAD_MTA_NETNS='1')
    sys.stdout.flush()
    os.execvpe('unshare', ['unshare', '--mount', '--propagation', 'private',
                           '--net', '--uts', sys.executable,
                           os.path.abspath(sys.argv[0])] + sys.argv[1:], env)


def mentions_user():
    """The lines of the account files naming USER."""
    found = []
    for path in SYSTEM_FILES:
        try:
            with open(path) as f:
                found += ['%s: %s' % (path, ln.strip()) for ln in f
                          if re.search(r'(^|[:,])%s([:,]|$)' % USER,
                                       ln.strip())]
        except OSError:
            pass
    return found


class TempUser:
    """USER and its group, postfix a member of the group; remove() takes
    away exactly that (gpasswd -d, userdel, groupdel lock the files)."""

    def __init__(self):
        self.lock = os.open(LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW,
                            0o600)
        fcntl.flock(self.lock, fcntl.LOCK_EX)  # another run of this test
        self.remove()  # what a killed run left behind
        self.postfix_groups = self.groups_of('postfix')
        L.at_exit(self.remove)
        self.must(['useradd', '--system', '--user-group', '--no-create-home',
                   '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin',
                   '--comment', 'compauthd t_chroot.py', USER])
        self.must(['gpasswd', '-a', 'postfix', USER])
        pw = pwd.getpwnam(USER)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid

    @staticmethod
    def groups_of(user):
        return sorted(L.run(['id', '-Gn', user])[1].split())

    @staticmethod
    def must(cmd):
        rc, out = L.run(cmd)
        if rc != 0:
            raise RuntimeError('%s: %s' % (' '.join(cmd), out))

    def remove(self):
        try:
            grp.getgrnam(USER)
            L.run(['gpasswd', '-d', 'postfix', USER])
        except KeyError:
            pass
        try:
            pwd.getpwnam(USER)
            L.run(['userdel', USER])
        except KeyError:
            pass
        try:
            grp.getgrnam(USER)
            L.run(['groupdel', USER])
        except KeyError:
            pass

    def become(self):
        """preexec_fn: the identity systemd's User=/Group= gives."""
        os.setgroups([])
        os.setgid(self.gid)
        os.setuid(self.uid)


def compauthd(user, socket_path, pidfile):
    """compauthd on the e2e zone, started as user (not root), socket
    owner, group and mode left to their defaults (compauthd:compauthd
    0660 under the unit)."""
    d = harness.Daemon(None, tag='chroot', settings=[
        ('zone_file', L.ZONE), ('on_dns_error', 'tempfail'),
        ('message_dns_deadline', '1s'), ('dns_timeout', '1s'),
        ('authres_style', None), ('user', USER),
        ('socket', 'unix:' + socket_path), ('pidfile', pidfile)])
    d.sockpath = d.addr = socket_path
    d.start(preexec=user.become)
    L.at_exit(d.kill)  # before USER goes
    return d


class Postfix:
    """A private instance with Debian's master.cf as shipped (chroot "y"
    for smtpd, cleanup, pickup, smtp, ...) and the smtpd services of
    SMTPD."""

    def __init__(self, run_dir):
        self.run_dir = run_dir
        self.etc = os.path.join(run_dir, 'postfix', 'etc')
        self.spool = os.path.join(run_dir, 'postfix', 'spool')
        self.data = os.path.join(run_dir, 'postfix', 'data')
        self.maillog = os.path.join(run_dir, 'postfix', 'maillog')
        os.makedirs(self.etc)
        os.makedirs(self.spool)
        os.mkdir(self.data, 0o700)
        shutil.chown(self.data, 'postfix', 'postfix')
        self.started = False

    def populate_chroot(self):
        for f in CHROOT_FILES:
            if os.path.isfile('/' + f):
                os.makedirs(os.path.join(self.spool, os.path.dirname(f)),
                            exist_ok=True)
                shutil.copy('/' + f, os.path.join(self.spool, f))

    def configure(self):
        shutil.copy('/usr/share/postfix/master.cf.dist',
                    os.path.join(self.etc, 'master.cf'))
        open(os.path.join(self.etc, 'main.cf'), 'w').close()
        settings = L.postfix_settings(self.spool, self.data, self.maillog,
                                      self.run_dir, SINK_PORT)
        # The snippet as documented, then its chroot alternative: the
        # commented "smtpd_milters = " line.
        settings += L.snippet_lines('postfix-main.cf.snippet')
        alt = [ln for ln in L.snippet_lines('postfix-main.cf.snippet',
                                            commented=True)
               if ln.startswith('smtpd_milters = ')]
        self.snippet_chroot = alt[-1].split(' = ', 1)[1] if alt else None
        settings.append('smtpd_milters = %s' % self.snippet_chroot)
        self.postconf(['-e'] + settings)
        self.postconf(['-MX', 'smtp/inet'])
        for port, (chroot, milters) in sorted(SMTPD.items()):
            self.postconf(['-Me', '%d/inet = %d inet n - %s - - smtpd%s'
                           % (port, port, chroot,
                              ' -o smtpd_milters=' + milters if milters
                              else '')])

    def postconf(self, args):
        rc, out = L.run(['postconf', '-c', self.etc] + args)
        if rc != 0:
            raise RuntimeError('postconf %s: %s' % (args, out))

    def get(self, args):
        return L.run(['postconf', '-c', self.etc] + args)[1].strip()

    def start(self):
        rc, out = L.run(['postfix', '-c', self.etc, 'start'], timeout=60)
        if rc != 0:
            raise RuntimeError('postfix start: %s\n%s' % (out, self.log()))
        self.started = True
        L.at_exit(self.stop)
        for port in SMTPD:
            if not L.wait_tcp(port):
                raise RuntimeError('smtpd %d not listening\n%s'
                                   % (port, self.log()))

    def stop(self):
        if self.started:
            L.run(['postfix', '-c', self.etc, 'stop'], timeout=60)
            self.started = False

    def sendmail(self, data):
        return L.run(['sendmail', '-C', self.etc, '-f', 'alice@example.org',
                      'bob@example.com'], input=data)

    def log(self):
        try:
            with open(self.maillog, errors='replace') as f:
                return f.read()
        except OSError:
            return ''


def ours(delivered):
    """Our Authentication-Results values in a delivered message."""
    return [v for n, v in L.headers_of(delivered or b'')
            if n.lower() == L.AR.lower() and
            L.authserv_id(v) == L.AUTHSERV_ID]


def check_stamped(delivered, what):
    """Delivered, with our results and then the compauth field."""
    if not tap.ok(delivered is not None, '%s: delivered' % what):
        return
    got = ours(delivered)
    tap.ok(len(got) == 2 and re.fullmatch(
        r' %s;\n\tcompauth=(pass|fail|none) reason=\d{3}'
        % re.escape(L.AUTHSERV_ID), got[1]) is not None,
        '%s: our Authentication-Results and the compauth field' % what,
        repr(got))


def mode_owner(path):
    st = os.lstat(path)
    return (stat.filemode(st.st_mode), pwd.getpwuid(st.st_uid).pw_name,
            grp.getgrgid(st.st_gid).gr_name)


def main():
    for tool in ('postfix', 'postconf', 'smtp-sink', 'swaks', 'sendmail'):
        if shutil.which(tool) is None and \
                not os.path.exists('/usr/sbin/' + tool):
            tap.skip_all('%s is not installed (Debian packages postfix, swaks)'
                         % tool)
    if harness.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    try:
        pwd.getpwnam('postfix')
    except KeyError:
        tap.skip_all('no user postfix')
    why = enter_namespaces()
    if why:
        tap.skip_all(why)
    os.environ['PATH'] += ':/usr/sbin:/sbin'

    t0 = time.monotonic()
    user = TempUser()
    # /run private to this test: the default socket path is ours.
    rc, out = L.run(['mount', '-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs',
                     '/run'])
    if rc != 0:
        raise RuntimeError('mount tmpfs /run: ' + out)
    # What the package's tmpfiles.d line makes (d /run/compauthd 0750).
    os.mkdir('/run/compauthd', 0o750)
    os.chown('/run/compauthd', user.uid, user.gid)

    run_dir = L.rundir('chroot')
    pf = Postfix(run_dir)
    # The recipe: the postmaster makes the socket directory once.
    sockdir = os.path.join(pf.spool, 'compauthd')
    user.must(['install', '-d', '-o', USER, '-g', USER, '-m', '0750',
               sockdir])
    if not os.environ.get('CAD_CHROOT_BARE'):
        pf.populate_chroot()
    sink = L.Sink(run_dir, SINK_PORT)
    recipe = compauthd(user, os.path.join(sockdir, 'compauthd.sock'), '')
    default = compauthd(user, DEFAULT_SOCKET, '/run/compauthd/compauthd.pid')
    pf.configure()
    t1 = time.monotonic()
    pf.start()
    tap.diag('postfix start %.2fs' % (time.monotonic() - t1))

    # The setting up is the one described.
    tap.is_(pf.snippet_chroot, RECIPE_MILTERS,
            'the snippet\'s chroot case names the socket relative to the '
            'queue directory')
    tap.is_((pf.get(['-h', 'smtpd_milters']),
             pf.get(['-xh', 'non_smtpd_milters']),
             pf.get(['-h', 'milter_default_action'])),
            (RECIPE_MILTERS, RECIPE_MILTERS, 'tempfail'),
            'main.cf: smtpd_milters, non_smtpd_milters and '
            'milter_default_action as the snippet says')
    tap.is_([pf.get(['-Fh', s + '/chroot'])
             for s in ('10025/inet', 'cleanup/unix', 'pickup/unix',
                       'smtp/unix')], ['y', 'y', 'y', 'y'],
            'master.cf: smtpd, cleanup, pickup and smtp chrooted, as Debian '
            'ships it')
    for d, sock in ((recipe, recipe.sockpath), (default, DEFAULT_SOCKET)):
        with open('/proc/%d/status' % d.pid) as f:
            ids = {ln.split(':')[0]: ln.split()[1:] for ln in f
                   if ln.startswith(('Uid:', 'Gid:', 'CapEff:'))}
        tap.is_((ids['Uid'][0], ids['Gid'][0], ids['CapEff'][0]),
                (str(user.uid), str(user.gid), '0000000000000000'),
                'compauthd for %s runs as %s, no capability' % (sock, USER))
    tap.is_(mode_owner(sockdir), ('drwxr-x---', USER, USER),
            'socket directory in the queue directory: %s:%s 0750'
            % (USER, USER))
    tap.is_(mode_owner(recipe.sockpath), ('srw-rw----', USER, USER),
            'socket: %s:%s 0660 (socket_mode default)' % (USER, USER))
    tap.ok(USER in user.groups_of('postfix'),
           'postfix is a member of group %s' % USER)

    marker, ip, name, mail_from, demo, expected, why = L.CLIENTS[0]
    xclient = ['--xclient-addr', ip, '--xclient-name', name,
               '--xclient-helo', name]

    def send(port, tag):
        return L.swaks(port, L.message(tag), mail_from=mail_from,
                       helo=name, extra=xclient)

    # The recipe through Debian's chrooted smtpd: full checks.
    reply, out = L.swaks(10025,
                         L.client_message(marker, demo), mail_from=mail_from,
                         helo=name, extra=xclient)
    tap.ok(reply is not None and reply.startswith('250 2.0.0 Ok: queued'),
           'recipe, chrooted smtpd: accepted', out)
    L.check_ours(sink.find(marker.encode()), expected, 0,
                 'recipe, chrooted smtpd')
    L.check_qid(recipe, reply, 'queued as (\\S+)', 'recipe, chrooted smtpd')

    # The recipe through the chrooted cleanup: sendmail(1), pickup, cleanup
    # with non_smtpd_milters.
    rc, out = pf.sendmail(L.message('cln-chroot'))
    tap.is_(rc, 0, 'sendmail(1) submission accepted')
    got = sink.find(b'cln-chroot')
    tap.ok(got is not None, 'recipe, chrooted cleanup (non_smtpd_milters): '
           'delivered')
    # Local mail comes from localhost, a trusted client: the verdict only.
    tap.is_(ours(got), [' %s;\n\tcompauth=none reason=302' % L.AUTHSERV_ID],
            'recipe, chrooted cleanup (non_smtpd_milters): our compauth field '
            '(none reason=302, local submission)')

    # The same relative name from an unchrooted smtpd.
    reply, out = send(10030, 'rcp-plain')
    tap.ok(reply is not None and reply.startswith('250 2.0.0 Ok: queued'),
           'recipe, unchrooted smtpd: accepted', out)
    check_stamped(sink.find(b'rcp-plain'), 'recipe, unchrooted smtpd')

    # The name inside the chroot: chrooted only.
    reply, out = send(10033, 'in-chroot')
    tap.ok(reply is not None and reply.startswith('250 2.0.0 Ok: queued'),
           '%s, chrooted smtpd: accepted' % INSIDE_MILTERS, out)
    check_stamped(sink.find(b'in-chroot'),
                  '%s, chrooted smtpd' % INSIDE_MILTERS)
    reply, out = send(10034, 'in-plain')
    tap.ok(reply is not None and reply.startswith('451 4.7.1 '),
           '%s, unchrooted smtpd: 451 4.7.1 (no such socket outside the '
           'chroot)' % INSIDE_MILTERS, out)

    # Negative control: the default socket works, but not from the chroot.
    reply, out = send(10032, 'dflt-plain')
    tap.ok(reply is not None and reply.startswith('250 2.0.0 Ok: queued'),
           'default socket, unchrooted smtpd: accepted', out)
    check_stamped(sink.find(b'dflt-plain'),
                  'default socket, unchrooted smtpd')
    reply, out = send(10031, 'dflt-chroot')
    tap.ok(reply is not None and reply.startswith('451 4.7.1 '),
           'default socket, chrooted smtpd: 451 4.7.1 '
           '(milter_default_action = tempfail)', out)
    tap.is_(sink.find(b'dflt-chroot', timeout=0.5), None,
            'default socket, chrooted smtpd: nothing delivered')
    tap.ok(re.search(r'connect to Milter service %s: No such file or '
                     r'directory' % re.escape(DEFAULT_MILTERS), pf.log())
           is not None,
           'default socket, chrooted smtpd: Postfix logs "No such file or '
           'directory"')

    pf.stop()
    recipe.kill()
    default.kill()
    user.remove()
    tap.is_(mentions_user(), [],
            'cleanup: %s gone from %s' % (USER, ', '.join(SYSTEM_FILES)))
    tap.is_(user.groups_of('postfix'), user.postfix_groups,
            'cleanup: the groups of postfix as before')
    tap.diag('total %.2fs' % (time.monotonic() - t0))
    if os.environ.get('MTA_DEBUG'):
        tap.diag(pf.log())
        tap.diag(recipe.log())


tap.run(main)
