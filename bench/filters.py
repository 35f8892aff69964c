"""
The three filters bench/compare.py measures, each started in the
foreground on a private configuration in a temporary directory, listening
on a UNIX-domain socket, asking the DNS server at 127.0.0.1:53 (nsd, or the
delaying forwarder in front of it, in the benchmark's private network
namespace; /etc/resolv.conf is bind-mounted to name only it):

  - compauthd (this build): dns_servers = 127.0.0.1;
  - OpenDKIM (verify mode, libunbound forwarding to Nameservers 127.0.0.1)
    then OpenDMARC (SPFSelfValidate with libspf2, the DMARC record through
    libresolv, so through the private resolv.conf), chained like Postfix;
  - rspamd 3.4 in milter mode: rspamd_proxy with milter = yes and
    self_scan = yes, one worker per CPU, a configuration of our own that
    loads the dkim C module and the spf, dmarc, arc and milter_headers Lua
    plugins and nothing else (no rules, no statistics, no Redis).
"""
import os
import subprocess
import time

AUTHSERV = 'mx.bench.example'


def tree(pid):
    """pid and all its descendants."""
    kids = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open('/proc/%s/stat' % d) as f:
                    ppid = int(f.read().rsplit(')', 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def cpu(pids):
    """CPU seconds (user + system, every thread, and children waited for)."""
    t = 0
    for root in pids:
        for p in tree(root):
            try:
                with open('/proc/%d/stat' % p) as f:
                    fl = f.read().rsplit(')', 1)[1].split()
                t += int(fl[11]) + int(fl[12]) + int(fl[13]) + int(fl[14])
            except (OSError, IndexError):
                pass
    return t / os.sysconf('SC_CLK_TCK')


def hwm(pids):
    """Sum of VmHWM (peak resident set) over the processes, in KiB."""
    t = 0
    for root in pids:
        for p in tree(root):
            try:
                with open('/proc/%d/status' % p) as f:
                    for line in f:
                        if line.startswith('VmHWM:'):
                            t += int(line.split()[1])
            except OSError:
                pass
    return t


def _wait_sock(path, procs, what, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path):
            return
        for p in procs:
            if p.poll() is not None:
                raise SystemExit('%s exited (%s) during start-up' % (what, p.returncode))
        time.sleep(0.05)
    raise SystemExit('%s: no socket %s after %ds' % (what, path, timeout))


class Filter:
    name = '?'

    def __init__(self, tmp):
        self.tmp = os.path.join(tmp, self.key)
        os.makedirs(self.tmp, exist_ok=True)
        os.chmod(self.tmp, 0o777)
        self.procs = []

    @property
    def pids(self):
        return [p.pid for p in self.procs]

    def spawn(self, argv, log):
        f = open(os.path.join(self.tmp, log), 'ab')
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=f)
        f.close()
        self.procs.append(p)
        return p

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def log(self):
        out = ''
        for n in sorted(os.listdir(self.tmp)):
            if n.endswith('.log'):
                with open(os.path.join(self.tmp, n), 'rb') as f:
                    out += '== %s\n%s' % (n, f.read()[-3000:].decode('utf-8', 'replace'))
        return out


class Compauthd(Filter):
    key, name = 'compauthd', 'compauthd'

    def __init__(self, tmp, binary):
        super().__init__(tmp)
        self.binary = binary

    def version(self):
        return 'this build'

    def start(self):
        sock = os.path.join(self.tmp, 'milter.sock')
        conf = os.path.join(self.tmp, 'compauthd.conf')
        with open(conf, 'w') as f:
            f.write('authserv_id = %s\nsocket = unix:%s\nsocket_mode = 0666\nuser = ""\n'
                    'pidfile = ""\ndns_servers = 127.0.0.1\nlog_level = warning\n'
                    'trusted_clients = ""\n' % (AUTHSERV, sock))
        self.spawn([self.binary, '-f', '-c', conf], 'compauthd.log')
        _wait_sock(sock, self.procs, self.name)
        self.paths = [sock]


class Chain(Filter):
    key, name = 'chain', 'OpenDKIM+OpenDMARC'

    def version(self):
        v = []
        for pkg in ('opendkim', 'opendmarc'):
            r = subprocess.run(['dpkg-query', '-W', '-f=${Version}', pkg], capture_output=True,
                               text=True)
            v.append('%s %s' % (pkg, r.stdout))
        return ', '.join(v)

    def start(self):
        dk = os.path.join(self.tmp, 'opendkim.sock')
        dm = os.path.join(self.tmp, 'opendmarc.sock')
        dkc = os.path.join(self.tmp, 'opendkim.conf')
        dmc = os.path.join(self.tmp, 'opendmarc.conf')
        with open(dkc, 'w') as f:
            f.write('Mode v\nSocket local:%s\nUMask 000\nSyslog no\nAuthservID %s\n'
                    'Nameservers 127.0.0.1\nAlwaysAddARHeader yes\nMinimumKeyBits 1024\n'
                    'SoftwareHeader no\nPidFile %s/opendkim.pid\nInternalHosts 127.0.0.1\n'
                    % (dk, AUTHSERV, self.tmp))
        with open(dmc, 'w') as f:
            f.write('Socket local:%s\nUMask 000\nSyslog false\nAuthservID %s\n'
                    'TrustedAuthservIDs %s\nSPFSelfValidate true\nSPFIgnoreResults true\n'
                    'RejectFailures false\nFailureReports false\nIgnoreHosts %s/ignore\n'
                    'PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat\n'
                    'PidFile %s/opendmarc.pid\nSoftwareHeader false\n'
                    % (dm, AUTHSERV, AUTHSERV, self.tmp, self.tmp))
        with open(os.path.join(self.tmp, 'ignore'), 'w') as f:
            f.write('127.0.0.1\n')
        self.spawn(['/usr/sbin/opendkim', '-f', '-x', dkc], 'opendkim.log')
        self.spawn(['/usr/sbin/opendmarc', '-f', '-c', dmc], 'opendmarc.log')
        _wait_sock(dk, self.procs, 'opendkim')
        _wait_sock(dm, self.procs, 'opendmarc')
        self.paths = [dk, dm]


class Rspamd(Filter):
    key, name = 'rspamd', 'rspamd'

    def version(self):
        r = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'rspamd'], capture_output=True,
                           text=True)
        return 'rspamd %s' % r.stdout

    def start(self):
        sock = os.path.join(self.tmp, 'milter.sock')
        local = os.path.join(self.tmp, 'local.d')
        os.makedirs(local, exist_ok=True)
        with open(os.path.join(local, 'milter_headers.conf'), 'w') as f:
            f.write('use = ["authentication-results"];\nskip_local = false;\n'
                    'skip_authenticated = false;\n'
                    'routines { authentication-results { header = "Authentication-Results"; '
                    'remove = 0; add_smtp_user = false; } }\n')
        with open(os.path.join(local, 'spf.conf'), 'w') as f:
            f.write('min_cache_ttl = 0s;\n')
        conf = os.path.join(self.tmp, 'rspamd.conf')
        n = os.cpu_count() or 1
        with open(conf, 'w') as f:
            f.write('''options {
  pidfile = "%(d)s/rspamd.pid";
  filters = "dkim";
  local_addrs = [];
  dns { nameserver = ["127.0.0.1:53"]; timeout = 2s; retransmits = 2; sockets = 16; }
  hs_cache_dir = "%(d)s";
}
logging { type = "file"; filename = "%(d)s/rspamd.log"; level = "%(lvl)s"; }
worker "rspamd_proxy" {
  bind_socket = "%(s)s mode=0666";
  milter = yes;
  timeout = 120s;
  upstream "local" { default = yes; self_scan = yes; }
  count = %(n)d;
  spam_header = "X-Spam";
}
modules {
  path = "${PLUGINSDIR}";
}
.include "$CONFDIR/modules.d/dkim.conf"
.include "$CONFDIR/modules.d/spf.conf"
.include "$CONFDIR/modules.d/dmarc.conf"
.include "$CONFDIR/modules.d/arc.conf"
.include "$CONFDIR/modules.d/milter_headers.conf"
''' % {"d": self.tmp, "s": sock, "n": n, "lvl": os.environ.get("CAD_BENCH_RSPAMD_LOG", "warning")})
        self.spawn(['/usr/bin/rspamd', '-f', '-i', '-c', conf,
                    '--var', 'LOCAL_CONFDIR=%s' % self.tmp, '--var', 'DBDIR=%s' % self.tmp,
                    '--var', 'RUNDIR=%s' % self.tmp, '--var', 'LOGDIR=%s' % self.tmp],
                   'rspamd.out.log')
        _wait_sock(sock, self.procs, self.name, 60)
        time.sleep(1.0)         # workers forked after the socket is bound
        self.paths = [sock]

    def modules(self):
        try:
            with open(os.path.join(self.tmp, 'rspamd.log'), errors='replace') as f:
                return f.read()
        except OSError:
            return ''


class NullMilter(Filter):
    """The libmilter floor (bench/nullmilter.c): takes every command, adds one header."""
    key, name = 'null', 'libmilter floor'

    def __init__(self, tmp, binary):
        super().__init__(tmp)
        self.binary = binary

    def version(self):
        return 'bench/nullmilter.c'

    def start(self):
        sock = os.path.join(self.tmp, 'milter.sock')
        p = self.spawn([self.binary, sock], 'null.log')
        _wait_sock(sock, [p], 'nullmilter')
        os.chmod(sock, 0o666)
        self.paths = [sock]
