"""
The attack suite's runner: builds hostile messages (in memory, never
committed), runs each through `compauthd -t` over hostile.zone with
dmarc_enforce = on, and checks what an attacker must never get: an accept
for a p=reject author without an aligned pass, a dmarc= other than fail
or permerror, a compauth pass or reason 905, a surviving forged
Authentication-Results, a crash, or unbounded CPU and memory.

Cost is measured per run with wait4(2): user + system CPU and the peak
resident set. Ceilings: 50 ms CPU and 64 MB in a normal build; 250 ms and
the baseline plus 64 MB under sanitizers (ASAN_OPTIONS, UBSAN_OPTIONS or
TSAN_OPTIONS set, as `make check-asan`/`check-tsan` do, or a sanitizer
runtime linked into the binary). Every figure is kept and the worst are
printed at the end as diagnostics.
"""

import os
import re
import signal
import sys
import tempfile
import threading

sys.dont_write_bytecode = True  # keep the source tree clean

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, 'tests', 'milter'))

import tap  # noqa: E402  (tests/milter/tap.py)

ZONE = os.path.join(SRC, 'tests', 'hostile', 'hostile.zone')
SEED = os.path.join(SRC, 'tests', 'data', 'seed')
AUTHSERV_ID = 'mx.demo.example'
REJECT_PREFIX = 'action: reject 550 5.7.1 Email rejected per DMARC policy for '
# The attacker's client: its own mail host, never authorized by contoso.
EVIL_IP = '203.0.113.66'
EVIL_HELO = 'mail.evil.example'
EVIL_SENDER = 'ceo@evil.example'

_tmp = tempfile.mkdtemp(prefix='hostile-')
_confs = {}
_figures = []           # (name, cpu_ms, rss_kb)


def binary():
    p = os.environ.get('COMPAUTHD')
    if p and os.access(p, os.X_OK):
        return p
    b = os.environ.get('top_builddir')
    if b and os.access(os.path.join(b, 'compauthd'), os.X_OK):
        return os.path.join(b, 'compauthd')
    return None


def sanitized():
    if any(os.environ.get(v) for v in ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'TSAN_OPTIONS',
                                       'HOSTILE_SANITIZER')):
        return True
    try:
        with open(binary(), 'rb') as f:
            data = f.read()
    except (OSError, TypeError):
        return False
    return b'__asan_init' in data or b'__tsan_init' in data or b'__ubsan_handle' in data


SANITIZED = sanitized()
# The target is 50 ms. Sanitizers slow plain byte work (a 1 MiB field is
# scanned and copied a few times) up to about 7x (ThreadSanitizer), so
# there the ceiling only catches what grows out of bounds (a quadratic
# path costs seconds).
CPU_MAX_MS = 1000 if SANITIZED else 50
RSS_MAX_KB = 64 * 1024
_baseline_kb = None
_baseline_ms = None


def conf(extra=()):
    """A configuration file: defaults, our id, enforcement on, plus lines."""
    key = tuple(extra)
    if key not in _confs:
        path = os.path.join(_tmp, 'c%d.conf' % len(_confs))
        with open(path, 'w') as f:
            f.write('authserv_id = %s\ndmarc_enforce = on\n' % AUTHSERV_ID)
            for line in extra:
                f.write(line + '\n')
        _confs[key] = path
    return _confs[key]


def b(s):
    return s if isinstance(s, bytes) else s.encode('utf-8')


STD = [('To', ' alice@fabrikam.example'), ('Subject', ' Invoice'),
       ('Date', ' Wed, 25 Nov 2026 10:00:00 +0000'),
       ('Message-ID', ' <h1@evil.example>')]


def message(headers, body=b'Pay the invoice today.\n', std=True):
    """headers: (name, value) with the value's leading space; str or bytes."""
    out = [b(n) + b':' + b(v) + b'\n' for n, v in headers]
    if std:
        out += [b(n) + b':' + b(v) + b'\n' for n, v in STD]
    return b''.join(out) + b'\n' + b(body)


class Result:
    def __init__(self, status, out, err, cpu_ms, rss_kb):
        self.status = status            # exit code, or -signal
        self.out = out
        self.err = err
        self.cpu_ms = cpu_ms
        self.rss_kb = rss_kb
        self.removed = sorted(int(m) for m in
                              re.findall(r'^remove: Authentication-Results #(\d+)$', out, re.M))
        m = re.search(r'^action: .*$', out, re.M)
        self.action = m.group(0) if m else None
        # Ours, in order: the results, then the compauth verdict's field.
        self.fields = self._fields(out)
        self.header = self.fields[0] if self.fields else None
        self.entries = [e for f in self.fields for e in self._entries(f)]

    @staticmethod
    def _fields(out):
        lines = out.split('\n')
        fields = []
        for i, ln in enumerate(lines):
            if ln.startswith('Authentication-Results:'):
                h = [ln]
                for nx in lines[i + 1:]:
                    if not nx.startswith('\t'):
                        break
                    h.append(nx)
                fields.append('\n'.join(h))
        return fields

    @staticmethod
    def _entries(header):
        """Our header's results: 'method=result ...' each, folds joined."""
        if header is None:
            return []
        ents = []
        for ln in header.split('\n')[1:]:
            if ln.startswith('\t\t') and ents:
                ents[-1] += ' ' + ln.strip()
            else:
                ents.append(ln.strip())
        return [e[:-1] if e.endswith(';') else e for e in ents]

    def result(self, method):
        """The result words of every entry of method (e.g. ['fail'])."""
        return [e.split()[0].split('=', 1)[1] for e in self.entries
                if e.split('=', 1)[0] == method]

    def entry(self, method):
        es = [e for e in self.entries if e.split('=', 1)[0] == method]
        return es[0] if len(es) == 1 else None

    def crashed(self):
        return (self.status < 0 or self.status > 100 or 'Sanitizer' in self.err or
                'runtime error:' in self.err)


def cost_helper():
    b = os.environ.get('top_builddir')
    for d in ([os.path.join(b, 'tests', 'hostile')] if b else []) + [HERE]:
        p = os.path.join(d, 'cost')
        if os.access(p, os.X_OK):
            return p
    return None


COST = cost_helper()


def run(msg, ip=EVIL_IP, helo=EVIL_HELO, mail_from=EVIL_SENDER, extra=(), name='msg',
        zone=None):
    """One message through test mode; the result with its cost."""
    path = os.path.join(_tmp, 'm.eml')
    with open(path, 'wb') as f:
        f.write(b(msg))
    outp, errp = os.path.join(_tmp, 'out'), os.path.join(_tmp, 'err')
    costp = os.path.join(_tmp, 'cost')
    argv = [binary(), '-c', conf(extra), '-t', path, '--client-ip', ip, '--helo', helo,
            '--mail-from', mail_from, '--zone', zone or ZONE]
    if COST:
        argv = [COST, costp, '60'] + argv
    with open(outp, 'wb') as o, open(errp, 'wb') as e:
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(o.fileno(), 1)
                os.dup2(e.fileno(), 2)
                os.execv(argv[0], argv)
            finally:
                os._exit(127)
    killer = threading.Timer(90.0, lambda: os.kill(pid, signal.SIGKILL))
    killer.start()
    _, st, ru = os.wait4(pid, 0)
    killer.cancel()
    status = os.waitstatus_to_exitcode(st)
    cpu = (ru.ru_utime + ru.ru_stime) * 1000.0
    rss = ru.ru_maxrss
    if COST:
        # Without the helper the figures include the forked interpreter.
        try:
            with open(costp) as f:
                fs = f.read().split()
            status, cpu, rss = int(fs[0]), int(fs[1]) / 1000.0, int(fs[2])
        except (OSError, ValueError, IndexError):
            status = -999
    with open(outp, 'rb') as f:
        out = f.read().decode('utf-8', 'replace')
    with open(errp, 'rb') as f:
        err = f.read().decode('utf-8', 'replace')
    r = Result(status, out, err, cpu, rss)
    _figures.append((name, cpu, rss))
    return r


def detail(r):
    return 'exit %d, cpu %.1f ms, rss %d kB\nstdout:\n%s\nstderr (tail):\n%s' % (
        r.status, r.cpu_ms, r.rss_kb, r.out, '\n'.join(r.err.splitlines()[-8:]))


def baseline():
    """The cost of a plain legitimate message, taken once per script."""
    global _baseline_kb, _baseline_ms
    r = run(message([('From', ' CEO <ceo@contoso.example>')]), ip='192.0.2.1',
            helo='mail.contoso.example', mail_from='ceo@contoso.example', name='baseline')
    _baseline_kb = r.rss_kb
    _baseline_ms = r.cpu_ms
    return r


def check_cost(name, r):
    # The message's own work: CPU over the process start-up a plain message
    # costs in the same script (start-up alone varies with the machine's load).
    rss_max = RSS_MAX_KB + ((_baseline_kb or 0) if SANITIZED else 0)
    cpu_max = CPU_MAX_MS + (_baseline_ms or 0.0)
    tap.ok(r.cpu_ms < cpu_max and r.rss_kb < rss_max,
           '%s: bounded cost (%.1f ms CPU < %.1f, %d kB RSS < %d)'
           % (name, r.cpu_ms, cpu_max, r.rss_kb, rss_max), detail(r))


def check_sane(name, r):
    """
    No crash; our two fields (the default authres_style): the results, each
    method once, then compauth alone in the second; an action.
    """
    methods = [e.split('=', 1)[0] for e in r.entries]
    head = 'Authentication-Results: %s;\n\t' % AUTHSERV_ID
    good = (not r.crashed() and len(r.fields) == 2 and
            all(f.startswith(head) for f in r.fields) and
            r.out.count('Authentication-Results: %s;' % AUTHSERV_ID) == 2 and
            r.fields[1] == head + r.entries[-1] and
            methods.count('dmarc') == 1 and methods.count('compauth') == 1 and
            methods.count('spf') == 1 and methods.count('arc') == 1 and
            methods and methods[-1] == 'compauth' and r.action is not None)
    tap.ok(good, '%s: no crash, our two well-formed fields, an action' % name, detail(r))
    return good


def check_rejected(name, r, domain=None):
    """
    The invariant: rejected, dmarc fail or permerror, compauth fail (000 or
    001, never 990, a DNS failure). domain: the exact domain the reply must name, when known.
    """
    dm = r.result('dmarc')
    ca = r.entry('compauth') or ''
    if domain is not None:
        tap.is_(r.action, REJECT_PREFIX + domain, '%s: rejected for %s' % (name, domain))
    else:
        tap.ok(r.action is not None and r.action.startswith(REJECT_PREFIX),
               '%s: rejected' % name, detail(r))
    tap.ok(len(dm) == 1 and dm[0] in ('fail', 'permerror'),
           '%s: dmarc=fail or permerror (got %s)' % (name, dm), detail(r))
    tap.ok(ca in ('compauth=fail reason=000', 'compauth=fail reason=001'),
           '%s: compauth fail (got %r)' % (name, ca), detail(r))


def check_case(name, r, domain=None):
    """The whole invariant for one hostile message."""
    check_sane(name, r)
    check_rejected(name, r, domain)
    check_cost(name, r)


def expect_header(name, r, lines):
    """
    Our fields exactly: lines after the first, tab-indented as printed, the
    last one (compauth) in the second field.
    """
    head = 'Authentication-Results: %s;\n' % AUTHSERV_ID
    want = head + '\n'.join('\t' + ln for ln in lines[:-1]) + '\n' + head + '\t' + lines[-1]
    tap.is_('\n'.join(r.fields), want, '%s: header exactly' % name)


def figures():
    """The worst cost of the script, as diagnostics (and for the report)."""
    if not _figures:
        return
    base = [f for f in _figures if f[0] == 'baseline']
    bcpu, brss = (base[0][1], base[0][2]) if base else (0.0, 0)
    wc = max(_figures, key=lambda f: f[1])
    wr = max(_figures, key=lambda f: f[2])
    tap.diag('cost over %d runs%s: baseline %.1f ms CPU, %d kB RSS' % (
        len(_figures), ' (sanitizers)' if SANITIZED else '', bcpu, brss))
    tap.diag('worst CPU: %.1f ms (%+.1f over baseline) in "%s"' % (wc[1], wc[1] - bcpu, wc[0]))
    tap.diag('worst RSS: %d kB (%+d kB over baseline) in "%s"' % (wr[2], wr[2] - brss, wr[0]))
    out = os.environ.get('HOSTILE_FIGURES')
    if out:
        with open(out, 'a') as f:
            for n, c, m in _figures:
                f.write('%s\t%.1f\t%d\t%s\n' % (os.path.basename(sys.argv[0]), c, m, n))


def start():
    if binary() is None:
        tap.skip_all('no compauthd binary')
    r = baseline()
    tap.ok(r.status == 0 and r.action == 'action: accept' and
           r.entry('dmarc') == 'dmarc=pass action=none header.from=contoso.example policy.dmarc=reject (p=reject at contoso.example)',
           'control: contoso\'s own mail from 192.0.2.1 passes and is accepted', detail(r))


def finish():
    figures()
    import shutil
    shutil.rmtree(_tmp, ignore_errors=True)
    tap.done()
    sys.exit(1 if tap.failed() else 0)
