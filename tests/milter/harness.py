"""
Starts and stops a real compauthd for the milter protocol tests: a private
temporary directory with its config, socket, pidfile and log; the daemon
in the foreground (-f) so its exit status is ours to check. Every daemon
started here is killed at exit, whatever happened to the test.
"""

import atexit
import os
import shutil
import signal as _signal
import socket
import subprocess
import sys
import tempfile
import time

import mclient

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.join(os.environ['top_srcdir'], 'tests', 'milter') \
    if os.environ.get('top_srcdir') else HERE

_live = []


def daemon_path():
    """The binary under test, or None (the caller skips)."""
    p = os.environ.get('COMPAUTHD')
    if p and os.access(p, os.X_OK):
        return p
    b = os.environ.get('top_builddir')
    if b and os.access(os.path.join(b, 'compauthd'), os.X_OK):
        return os.path.join(b, 'compauthd')
    return None


def zone(name):
    return os.path.join(SRCDIR, 'zone', name)


def free_port(family=socket.AF_INET, host='127.0.0.1'):
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def have_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return False
    try:
        s.bind(('::1', 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _quote(v):
    v = str(v)
    if v == '' or any(c in v for c in ' \t#"\\'):
        return '"%s"' % v.replace('\\', '\\\\').replace('"', '\\"')
    return v


def process_state(pid):
    """'R', 'S', 'Z', ... from /proc, or None when the pid is gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except (OSError, IndexError):
        return None


class Daemon:
    """
    One compauthd. settings: ordered (name, value) pairs over the defaults
    below; a value None drops the setting.
    """

    def __init__(self, zone_name='basic.zone', settings=(), tag='t'):
        self.binary = daemon_path()
        self.tmp = tempfile.mkdtemp(prefix='cad-%s-' % tag)
        os.chmod(self.tmp, 0o755)
        self.sockpath = os.path.join(self.tmp, 'milter.sock')
        self.pidfile = os.path.join(self.tmp, 'compauthd.pid')
        self.conf = os.path.join(self.tmp, 'compauthd.conf')
        self.logpath = os.path.join(self.tmp, 'daemon.log')
        self.addr = self.sockpath
        self.proc = None
        self.pid = None
        self.settings = [
            ('authserv_id', 'mx.test.example'),
            ('socket', 'unix:' + self.sockpath),
            ('user', ''),
            ('pidfile', self.pidfile),
            ('zone_file', zone(zone_name) if zone_name else None),
            ('log_level', 'debug'),
            ('shutdown_timeout', '2s'),
            ('message_dns_deadline', '2s'),
            # One field with compauth last, so that a test reads every
            # result in one place; t_style.py drives the default form.
            ('authres_style', 'microsoft'),
            # No DMARC report store unless a test asks (t_store.py).
            ('report_store', ''),
        ]
        self.set(*settings)
        _live.append(self)

    def set(self, *pairs):
        for k, v in pairs:
            self.settings = [(a, b) for a, b in self.settings if a != k]
            self.settings.append((k, v))
        self.write_conf()

    def write_conf(self, text=None):
        if text is None:
            text = ''.join('%s = %s\n' % (k, _quote(v))
                           for k, v in self.settings if v is not None)
        tmp = self.conf + '.new'
        with open(tmp, 'w') as f:
            f.write(text)
        os.rename(tmp, self.conf)

    def use_inet(self, family='inet', host='127.0.0.1'):
        fam = socket.AF_INET6 if family == 'inet6' else socket.AF_INET
        port = free_port(fam, host)
        self.set(('socket', '%s:%d@%s' % (family, port, host)))
        self.addr = (host, port)
        return port

    def start(self, args=(), env=None, wait=True, pass_fds=(),
              preexec=None):
        if self.binary is None:
            raise RuntimeError('no compauthd binary (set COMPAUTHD)')
        log = open(self.logpath, 'ab')
        e = dict(os.environ)
        e.pop('NOTIFY_SOCKET', None)
        e.pop('LISTEN_FDS', None)
        e.pop('LISTEN_PID', None)
        e.update(env or {})
        self.proc = subprocess.Popen(
            [self.binary, '-f', '-c', self.conf] + list(args),
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=e,
            pass_fds=pass_fds, preexec_fn=preexec)
        log.close()
        self.pid = self.proc.pid
        if wait:
            self.wait_ready()
        return self

    def adopt(self, pid):
        """A daemon started elsewhere (socket activation launcher)."""
        self.pid = pid
        self.proc = None

    def wait_ready(self, timeout=5.0):
        """Waits until the milter socket answers option negotiation."""
        end = time.monotonic() + timeout
        last = None
        while time.monotonic() < end:
            if not self.alive():
                raise RuntimeError('compauthd exited (%s) during start-up; '
                                   'log:\n%s' % (self.returncode(),
                                                 self.log()))
            try:
                c = mclient.MilterClient(self.addr, timeout=1.0)
                try:
                    c.negotiate()
                    return
                finally:
                    c.close()
            except (OSError, mclient.MilterError) as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError('milter socket %r not ready after %.0fs (%s); '
                           'log:\n%s' % (self.addr, timeout, last,
                                         self.log()))

    def client(self, **kw):
        return mclient.MilterClient(self.addr, **kw)

    def alive(self):
        if self.proc is not None:
            return self.proc.poll() is None
        if self.pid is None:
            return False
        st = process_state(self.pid)
        if st is None or st == 'Z':
            try:
                os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pass
            return False
        return True

    def returncode(self):
        return self.proc.poll() if self.proc is not None else None

    def signal(self, sig):
        os.kill(self.pid, sig)

    def wait(self, timeout):
        """Exit status (negative: signal), or None after timeout."""
        if self.proc is not None:
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                return None
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return None if self.alive() else 0
            if pid == self.pid:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.02)
        return None

    def stop(self, sig=_signal.SIGTERM, timeout=10.0):
        """Signals the daemon and waits; returns (status, seconds)."""
        if self.pid is None or not self.alive():
            return self.returncode(), 0.0
        t0 = time.monotonic()
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass
        rc = self.wait(timeout)
        return rc, time.monotonic() - t0

    def kill(self):
        if self.pid is not None and self.alive():
            try:
                os.kill(self.pid, _signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait(5)

    def log(self):
        try:
            with open(self.logpath, 'rb') as f:
                return f.read().decode('utf-8', 'replace')
        except OSError:
            return ''

    def cleanup(self):
        self.kill()
        if os.environ.get('KEEP_TMP'):
            sys.stderr.write('kept %s\n' % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        if self in _live:
            _live.remove(self)


@atexit.register
def _cleanup_all():
    for d in list(_live):
        d.cleanup()


def rsa_key(bits=2048):
    """A fresh RSA key: (PEM private key, its DKIM key record text)."""
    import base64
    priv = subprocess.run(['openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt',
                           'rsa_keygen_bits:%d' % bits], check=True, capture_output=True).stdout
    der = subprocess.run(['openssl', 'pkey', '-pubout', '-outform', 'DER'], input=priv,
                         check=True, capture_output=True).stdout
    return priv, 'v=DKIM1; k=rsa; p=' + base64.b64encode(der).decode()


def txt_line(name, txt):
    """A TXT record in our zone format (compauthd-zone(5)), 255-byte strings."""
    parts = [txt[i:i + 255] for i in range(0, len(txt), 255)]
    return '%s. TXT %s\n' % (name, ' '.join('"%s"' % p for p in parts))


def run_cmd(args, timeout=15, env=None, input=None):
    """Runs the binary with args; (status, stdout, stderr) as text."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([daemon_path()] + list(args), capture_output=True,
                       timeout=timeout, env=e, input=input)
    return (p.returncode, p.stdout.decode('utf-8', 'replace'),
            p.stderr.decode('utf-8', 'replace'))


def message(headers=None, body=b'Hello.\r\n', extra=()):
    """A small test message; headers as (name, raw value) pairs."""
    if headers is None:
        headers = [('From', ' Alice <alice@example.org>'),
                   ('To', ' Bob <bob@example.net>'),
                   ('Subject', ' test'),
                   ('Date', ' Mon, 24 Nov 2025 10:00:00 +0000'),
                   ('Message-ID', ' <t1@example.org>')]
    return mclient.build_message(list(headers) + list(extra), body)


AR = 'Authentication-Results'
AUTHSERV_ID = 'mx.test.example'


def ar_inserts(outcome):
    """SMFIR_INSHEADER modifications for Authentication-Results."""
    return [m for m in outcome.mods
            if m.code == mclient.SMFIR_INSHEADER and m.name.lower() == AR.lower()]


def ar_deletes(outcome):
    return [m for m in outcome.mods
            if m.code == mclient.SMFIR_CHGHEADER and m.name.lower() == AR.lower()]


def other_mods(outcome):
    """Modifications that are neither our insert nor a deletion."""
    return [m for m in outcome.mods
            if not (m.code == mclient.SMFIR_INSHEADER and m.name == AR)
            and not (m.code == mclient.SMFIR_CHGHEADER and m.name == AR
                     and m.value == '')]


def is_tempfail(reply):
    """SMFIR_TEMPFAIL, or SMFIR_REPLYCODE with a 4xx code (smfi_setreply)."""
    return reply is not None and (
        reply.code == mclient.SMFIR_TEMPFAIL or
        (reply.code == mclient.SMFIR_REPLYCODE and reply.text[:1] == '4'))


def check_stamp(tap, outcome, expected, what):
    """Exactly one A-R inserted at index 0 with value expected, nothing else,
    final answer accept."""
    ins = ar_inserts(outcome)
    ok = tap.is_(outcome.verdict, 'accept', '%s: final answer' % what)
    ok &= tap.is_(len(ins), 1, '%s: one Authentication-Results inserted' % what)
    if ins:
        ok &= tap.is_((ins[0].index, ins[0].name, ins[0].value),
                      (0, AR, expected), '%s: header at index 0, exact value'
                      % what)
    ok &= tap.is_([m for m in outcome.mods if m not in ins], [],
                  '%s: no other modification' % what)
    return ok


def stop_all(daemons, sig=None, timeout=10.0):
    """SIGTERM to every daemon at once, then collect: [(status, seconds)]."""
    import signal as _s
    sig = sig or _s.SIGTERM
    t0 = time.monotonic()
    for d in daemons:
        if d.alive():
            d.signal(sig)
    out = []
    for d in daemons:
        rc = d.wait(max(0.1, timeout - (time.monotonic() - t0)))
        out.append((rc, time.monotonic() - t0))
    return out


def spawn_activated(d, lsock, listen_pid=None, listen_fds='1', extra_fds=()):
    """
    systemd socket activation by hand: fork, put lsock on fd 3 (and
    extra_fds on 4, 5, ...), set LISTEN_FDS and LISTEN_PID (the child's own
    pid unless listen_pid is given) in the child, then exec compauthd -f.
    """
    log = os.open(d.logpath, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    binary = d.binary
    argv = [binary, '-f', '-c', d.conf]
    env = dict(os.environ)
    for k in ('NOTIFY_SOCKET', 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES'):
        env.pop(k, None)
    fds = [lsock.fileno()] + [s.fileno() for s in extra_fds]
    pid = os.fork()
    if pid == 0:
        try:
            # Move the sockets out of the way first, then onto 3, 4, ...
            import fcntl
            tmp = [fcntl.fcntl(f, fcntl.F_DUPFD, 100) for f in fds]
            for i, f in enumerate(tmp):
                os.dup2(f, 3 + i, inheritable=True)
            os.dup2(log, 1)
            os.dup2(log, 2)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.closerange(3 + len(tmp), 1024)
            env['LISTEN_FDS'] = listen_fds
            env['LISTEN_PID'] = str(listen_pid if listen_pid is not None
                                    else os.getpid())
            os.execve(binary, argv, env)
        finally:
            os._exit(127)
    os.close(log)
    d.adopt(pid)
    return pid


def spf_line(ip='192.0.2.10', result='none', domain='example.org'):
    """Our spf result for MAIL FROM <alice@example.org> (no SPF record in basic.zone)."""
    return '\tspf=%s (sender IP is %s) smtp.mailfrom=%s;\n' % (result, ip, domain)


def stamp(ip='192.0.2.10', host='mail.example.org', authserv_id=AUTHSERV_ID):
    """
    The exact header value the daemon adds for a default test message from
    a client whose iprev passes (one place to change when the daemon stamps
    more methods).
    """
    return ' %s;\n%s\tiprev=pass policy.iprev=%s (%s);\n%s' % (
        authserv_id, spf_line(ip), ip, host, DKIM_NONE + TAIL)


# An unsigned message (RFC 8601 dkim=none, in the Microsoft 365 wording).
DKIM_NONE = '\tdkim=none (message not signed) header.d=none'
# From example.org: no DMARC record, nothing aligned passed (compauth 001).
TAIL = ';\n\tdmarc=none action=none header.from=example.org;\n\tarc=none;\n\tcompauth=fail reason=001'


def not_checked(authserv_id=AUTHSERV_ID, reason='301'):
    """The header for a client we do not check (301 authenticated, 302 trusted)."""
    return ' %s;\n\tcompauth=none reason=%s' % (authserv_id, reason)
