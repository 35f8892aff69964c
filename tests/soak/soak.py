"""
Soak test of the daemon: the real compauthd (foreground, the offline zone
resolver over the demo's world, dmarc_enforce = on, max_dkim_signatures =
50) driven over its milter socket the way Postfix drives it, by C
concurrent clients, for N transactions of mixed normal and hostile mail
(tests/soak/soakmsg.py), with clients that go away without a goodbye at
every stage and a SIGHUP (reload) every few seconds. The daemon's resident
memory (VmRSS) is sampled all along (--sample).

It asserts: every message that reached end of message was answered, and
each answer is the one its kind must get (checked in full once per kind
before the load, then every answer under load must equal that first one);
the daemon never died (same pid at the end, exit status 0 on SIGTERM);
every SIGHUP was a logged reload; resident memory after warm-up is flat
(the largest sample of the last third at most 1.2 times the largest of the
middle third plus 2 MB). It prints the figures: messages, messages per
second, end-of-message latency, disconnects by stage, reloads, RSS
(min/median/max of the warm-up, middle and last thirds), and the daemon's
CPU time per message.

Without arguments (as `make check` runs it) it is the short run: 5000
transactions at concurrency 8, a SIGHUP every 2 s, RSS sampled four times
a second (about 10 s on two idle cores). The long run, by hand, from the
top of the source tree:

    python3 tests/soak/soak.py --binary build/compauthd --sample 1 \\
        --messages 100000 --concurrency 32 --hup 10 --keep /tmp/soak-long

Per-message cost of each kind in test mode (`compauthd -t`, same
configuration and zone): worst user+system CPU and peak RSS over --repeat
runs, measured with wait4(2) by tests/hostile/cost when it is built (what
/usr/bin/time -f '%U %S %M' prints, to the microsecond), next to one run
under /usr/bin/time itself:

    python3 tests/soak/soak.py --binary build/compauthd --cost --repeat 20

then each kind --daemon-repeat times through one running daemon, one
message after another: the daemon's CPU per message without a process
start-up (from /proc/PID/stat, so in clock ticks over many messages).

A failure keeps the work directory (configuration, zone, daemon log) and
saves each message that went unanswered or got a different answer, with
its envelope and the test-mode command that replays it, under repro/.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import argparse
import multiprocessing
import os
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, 'tests', 'milter'))
sys.path.insert(0, HERE)

import mclient as M  # noqa: E402
import tap  # noqa: E402
import soakmsg as S  # noqa: E402
from soakclient import BatchClient, Stopped, drive, problems, signature  # noqa: E402

HZ = float(os.sysconf('SC_CLK_TCK'))
REF_TOKEN = 'r' + '0' * 12


# -- the load ------------------------------------------------------------------

def plan(kinds):
    """The weighted menu of transactions."""
    items, weights = [], []
    for k in kinds:
        items.append(('msg', k.name))
        weights.append(S.NORMAL_WEIGHT if k.group == 'normal' else S.HOSTILE_WEIGHT)
    items.append(('two', None))
    weights.append(S.TWO_ON_ONE_WEIGHT)
    for st in S.STAGES:
        items.append(('disc', st))
        weights.append(S.STAGE_WEIGHT)
    return items, weights


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_kind = {}       # name -> [answered, same as reference, different]
        self.stages = {}
        self.dropped = {}       # kind -> connections the daemon dropped, as expected
        self.reached_eom = 0
        self.answered = 0
        self.early = 0
        self.latency = []
        self.errors = []        # (i, kind, stage, error, reproducer)
        self.error_count = 0
        self.refused = 0        # connections refused: no message to blame
        self.transactions = 0

    def kind(self, name):
        return self.by_kind.setdefault(name, [0, 0, 0])

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items() if k != 'lock'}


def save_repro(outdir, i, k, tok, stage, err, extra=''):
    d = os.path.join(outdir, 'repro')
    os.makedirs(d, exist_ok=True)
    base = os.path.join(d, '%s-%d' % (k.name, i))
    with open(base + '.eml', 'wb') as f:
        f.write(k.eml(tok))
    with open(base + '.txt', 'w') as f:
        f.write('transaction %d, kind %s, stopped at %s\nerror: %s\n%s\n'
                'replay: compauthd -c <workdir>/compauthd.conf -t %s.eml --client-ip %s '
                '--helo %s --mail-from %s --zone <workdir>/soak.zone\n'
                % (i, k.name, stage or 'end of message', err, extra, base, k.ip, k.helo,
                   k.mail_from.strip('<>') or '""'))
    return base + '.eml'


def transaction(i, args, kinds, refs, sock, st, outdir):
    """Transaction i: its kind, token and stage follow from i and --seed alone."""
    rng = random.Random(args.seed * 1000003 + i)
    items, weights = plan(list(kinds.values()))
    what, arg = rng.choices(items, weights)[0]
    normal = [k for k in kinds.values() if k.group == 'normal']
    if what == 'msg':
        seq, stop = [kinds[arg]], None
    elif what == 'two':
        # The second message comes from the same client (its connect and HELO).
        k = rng.choice(normal)
        seq = [k, rng.choice([o for o in normal if (o.ip, o.helo) == (k.ip, k.helo)])]
        stop = None
    else:
        seq, stop = [rng.choice([k for k in kinds.values() if k.milter_ok])], arg
    tok = 'r%012x' % rng.getrandbits(48)   # one length: the same folding
    c, k = None, seq[0]
    try:
        c = BatchClient(sock, timeout=args.timeout)
        for n, k in enumerate(seq):
            c.at_eom = False
            t0 = time.monotonic()
            eom = drive(c, k, tok, 'S%07X%02X' % (i, n), stop=stop, first=(n == 0))
            if stop is not None:
                with st.lock:
                    st.stages[stop] = st.stages.get(stop, 0) + 1
                return
            dt = time.monotonic() - t0
            sig = signature(eom, tok)
            with st.lock:
                st.reached_eom += 1
                st.answered += 1
                st.latency.append(dt)
                row = st.kind(k.name)
                row[0] += 1
                same = sig == refs.get(k.name)
                row[1 if same else 2] += 1
                first_diff = not same and row[2] == 1
            if first_diff:
                save_repro(outdir, i, k, tok, None, 'answer differs from the reference',
                           'got: %r\nreference: %r' % (sig, refs.get(k.name)))
        c.send_packet(M.SMFIC_QUIT)     # the goodbye the others never say
    except (ConnectionRefusedError, FileNotFoundError):
        # Nothing was sent: the daemon is gone (or not listening).
        with st.lock:
            st.error_count += 1
            st.refused += 1
    except Stopped as e:
        with st.lock:
            st.early += 1
            st.errors.append((i, k.name, 'before end of message', str(e), None))
    except (OSError, M.MilterError) as e:
        at_eom = c is not None and c.at_eom
        if not k.milter_ok and stop is None and refs.get(k.name) == 'dropped':
            with st.lock:
                st.dropped[k.name] = st.dropped.get(k.name, 0) + 1
            return
        with st.lock:
            st.error_count += 1
            if at_eom:
                st.reached_eom += 1
            keep = len(st.errors) < 50
        path = save_repro(outdir, i, k, tok, stop, repr(e)) if keep else None
        if keep:
            with st.lock:
                st.errors.append((i, k.name, 'end of message' if at_eom else
                                  (stop or 'before end of message'), repr(e), path))
    finally:
        with st.lock:
            st.transactions += 1
        if c is not None:
            try:
                c.flush()
            except OSError:
                pass
            c.close()


def worker(nthreads, args, kinds, refs, sock, counter, stop_ev, resq, outdir):
    st = Stats()

    def run():
        while not stop_ev.is_set():
            with counter.get_lock():
                i = counter.value
                if i >= args.messages:
                    return
                counter.value = i + 1
            transaction(i, args, kinds, refs, sock, st, outdir)

    ts = [threading.Thread(target=run, daemon=True) for _ in range(nthreads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    resq.put(st.as_dict())


# -- the daemon ----------------------------------------------------------------

def proc_cpu(pid):
    """User + system CPU seconds of the process, its exited threads included."""
    with open('/proc/%d/stat' % pid) as f:
        f_ = f.read().rsplit(')', 1)[1].split()
    return (int(f_[11]) + int(f_[12])) / HZ


def proc_status(pid, field='VmRSS'):
    """A size from /proc/PID/status in kB (VmRSS now, VmHWM the peak)."""
    with open('/proc/%d/status' % pid) as f:
        for ln in f:
            if ln.startswith(field + ':'):
                return int(ln.split()[1])
    return 0


def binary(args):
    for p in (args.binary, os.environ.get('COMPAUTHD'),
              os.path.join(os.environ.get('top_builddir', '/nonexistent'), 'compauthd')):
        if p and os.access(p, os.X_OK):
            return os.path.abspath(p)
    return None


class World:
    """The work directory: zone, configuration, socket, pidfile, log."""

    def __init__(self, args):
        self.dir = args.keep or tempfile.mkdtemp(prefix='cad-soak-')
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.zone = os.path.join(self.dir, 'soak.zone')
        self.conf = os.path.join(self.dir, 'compauthd.conf')
        self.sock = os.path.join(self.dir, 'milter.sock')
        self.pidfile = os.path.join(self.dir, 'compauthd.pid')
        self.log = os.path.join(self.dir, 'daemon.log')
        with open(self.zone, 'w') as f:
            f.write(S.zone_text(SRC))
        with open(self.conf, 'w') as f:
            f.write(S.conf_text(self.sock, self.pidfile, self.zone, extra=args.set))


def start_daemon(bin_, w):
    log = open(w.log, 'ab')
    p = subprocess.Popen([bin_, '-f', '-c', w.conf], stdin=subprocess.DEVNULL,
                         stdout=log, stderr=log)
    log.close()
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if p.poll() is not None:
            raise RuntimeError('compauthd exited %s at start; log:\n%s'
                               % (p.returncode, read(w.log)))
        try:
            c = M.MilterClient(w.sock, timeout=2)
            try:
                c.negotiate()
                return p
            finally:
                c.close()
        except (OSError, M.MilterError):
            time.sleep(0.05)
    p.kill()
    raise RuntimeError('milter socket not ready; log:\n%s' % read(w.log))


def read(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except OSError:
        return ''


def reference(w, kinds):
    """Each kind once, alone: checked in full; its answer is the reference."""
    refs = {}
    for k in kinds.values():
        c = BatchClient(w.sock, timeout=30)
        try:
            eom = drive(c, k, REF_TOKEN, 'R0000%04X' % len(refs))
        except (OSError, M.MilterError) as e:
            if not k.milter_ok:
                tap.ok(True, '%s: the daemon drops a field too big for one milter packet (%s)'
                       % (k.name, type(e).__name__))
                refs[k.name] = 'dropped'
                continue
            tap.ok(False, '%s: answered at end of message' % k.name, repr(e))
            continue
        finally:
            c.close()
        tap.is_(problems(k, eom), [], '%s: %s%s' % (k.name, k.verdict, (' ' + k.reply)
                                                     if k.reply else ''))
        refs[k.name] = signature(eom, REF_TOKEN)
    return refs


def thirds(samples):
    n = len(samples)
    a, b = n // 3, 2 * n // 3
    return samples[:a], samples[a:b], samples[b:]


def summary(xs):
    if not xs:
        return 'no samples'
    return 'min %d  median %d  max %d kB (%d samples)' % (min(xs), statistics.median(xs),
                                                          max(xs), len(xs))


def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def merge(dicts):
    t = Stats().as_dict()
    for d in dicts:
        for key, v in d.items():
            if isinstance(v, dict):
                for kk, vv in v.items():
                    if isinstance(vv, list):
                        row = t[key].setdefault(kk, [0] * len(vv))
                        t[key][kk] = [a + b for a, b in zip(row, vv)]
                    else:
                        t[key][kk] = t[key].get(kk, 0) + vv
            elif isinstance(v, list):
                t[key] = t[key] + v
            else:
                t[key] += v
    return t


class Watch(threading.Thread):
    """
    Samples the daemon every --sample seconds and sends SIGHUP every --hup;
    stops the load when the daemon dies or no transaction has started for
    twice the client timeout (a hang).
    """

    def __init__(self, args, p, counter, stop_ev):
        super().__init__(daemon=True)
        self.args, self.p, self.counter, self.stop_ev = args, p, counter, stop_ev
        self.samples = []       # (seconds since start, transactions started, VmRSS kB)
        self.hups = 0
        self.died = None        # exit status when the daemon died under load
        self.stalled = None     # seconds without progress, when the load hung
        self.done = threading.Event()

    def run(self):
        t0 = time.monotonic()
        next_hup = t0 + (self.args.hup if self.args.hup > 0 else 1e12)
        next_sample, next_diag = t0, t0 + 10
        last_n, last_t = -1, t0
        while not self.done.is_set():
            now = time.monotonic()
            if self.p.poll() is not None:
                self.died = self.p.returncode
                self.stop_ev.set()
                return
            n = self.counter.value
            if n != last_n:
                last_n, last_t = n, now
            elif now - last_t > 2 * self.args.timeout and n < self.args.messages:
                self.stalled = now - last_t
                self.stop_ev.set()
                return
            if now >= next_sample:
                try:
                    self.samples.append((now - t0, n, proc_status(self.p.pid)))
                except OSError:
                    pass
                next_sample += self.args.sample
            if now >= next_hup:
                os.kill(self.p.pid, signal.SIGHUP)
                self.hups += 1
                next_hup += self.args.hup
            if now >= next_diag:
                tap.diag('%6.0fs  %d/%d transactions, %.0f/s, RSS %d kB, %d reloads' % (
                    now - t0, n, self.args.messages, n / (now - t0),
                    self.samples[-1][2] if self.samples else 0, self.hups))
                next_diag += 10
            self.done.wait(max(0.005, min(next_sample, next_hup) - time.monotonic()))


def slope(samples):
    """Least-squares growth of RSS in bytes per transaction."""
    if len(samples) < 2:
        return 0.0
    xs = [x for _, x, _ in samples]
    ys = [y * 1024.0 for _, _, y in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0


def soak(args, bin_, w):
    kinds = {k.name: k for k in S.kinds(SRC)}
    p = start_daemon(bin_, w)
    pid = p.pid
    tap.ok(True, 'compauthd started (pid %d)' % pid)
    refs = reference(w, kinds)
    ctx = multiprocessing.get_context('fork')
    counter = ctx.Value('q', 0)
    stop_ev = ctx.Event()
    resq = ctx.Queue()
    nproc = max(1, min(args.procs, args.concurrency))
    per = [args.concurrency // nproc + (1 if i < args.concurrency % nproc else 0)
           for i in range(nproc)]
    cpu0, t0 = proc_cpu(pid), time.monotonic()
    procs = [ctx.Process(target=worker, args=(n, args, kinds, refs, w.sock, counter, stop_ev,
                                                resq, w.dir)) for n in per]
    for pr in procs:
        pr.start()
    watch = Watch(args, p, counter, stop_ev)
    watch.start()
    results = []
    while len(results) < len(procs):
        try:
            results.append(resq.get(timeout=1))
        except Exception:
            if not any(pr.is_alive() for pr in procs) and resq.empty():
                break
    for pr in procs:
        pr.join(5)
    wall = time.monotonic() - t0
    alive = p.poll() is None
    cpu1 = proc_cpu(pid) if alive else None
    hwm = proc_status(pid, 'VmHWM') if alive else None
    watch.done.set()
    watch.join()
    st = merge(results)

    # -- assertions
    died = watch.died if watch.died is not None else (None if alive else p.returncode)
    tap.ok(died is None, 'the daemon never died', 'exit status %s; log tail:\n%s'
           % (died, read(w.log)[-2000:]))
    tap.is_(st['transactions'], args.messages, 'every transaction ran')
    tap.is_(st['answered'], st['reached_eom'],
            'every message that reached end of message was answered')
    tap.ok(st['error_count'] == 0, 'no connection failed outside the planned disconnects '
           '(%d did, %d of them refused)' % (st['error_count'], st['refused']),
           '\n'.join('#%d %s at %s: %s (%s)' % e for e in st['errors'][:20]))
    tap.is_(st['early'], 0, 'no message was ended before end of message')
    diffs = {k: v[2] for k, v in st['by_kind'].items() if v[2]}
    tap.is_(diffs, {}, 'every answer under load equals its kind\'s reference answer')
    if alive:
        pidtext = read(w.pidfile).strip()
        tap.is_(pidtext, str(pid), 'same pid at the end (pidfile)')
    reloads = read(w.log).count('configuration reloaded')
    tap.ok(watch.hups > 0 and reloads == watch.hups, '%d SIGHUPs, %d reloads logged'
           % (watch.hups, reloads))
    tap.ok(watch.stalled is None, 'the load never stalled',
           'no transaction started for %.0f s' % (watch.stalled or 0))
    rss = [r for _, _, r in watch.samples]
    warm, mid, end = thirds(rss)
    flat = bool(mid and end) and max(end) <= 1.2 * max(mid) + 2048
    tap.ok(flat, 'RSS flat after warm-up: max of the last third %s <= 1.2 x %s + 2 MB'
           % (max(end) if end else '-', max(mid) if mid else '-'),
           'samples (s, kB): %r' % watch.samples)

    # -- figures
    n_ans = st['answered']
    tap.diag('transactions: %d in %.1f s (%.0f/s) at concurrency %d (%d client processes)'
             % (st['transactions'], wall, st['transactions'] / wall, args.concurrency, nproc))
    tap.diag('messages answered at end of message: %d (%.0f/s); reached end of message: %d'
             % (n_ans, n_ans / wall, st['reached_eom']))
    lat = st['latency']
    tap.diag('end-of-message latency: median %.1f ms, p99 %.1f ms, max %.1f ms' % (
        pct(lat, 50) * 1e3, pct(lat, 99) * 1e3, max(lat or [0]) * 1e3))
    tap.diag('disconnects by stage: ' + ', '.join('%s %d' % (s, st['stages'].get(s, 0))
                                                  for s in S.STAGES))
    if st['dropped']:
        tap.diag('connections the daemon dropped (field over 64 KiB): ' + ', '.join(
            '%s %d' % kv for kv in sorted(st['dropped'].items())))
    tap.diag('reloads (SIGHUP): %d' % watch.hups)
    tap.diag('RSS warm-up: %s' % summary(warm))
    tap.diag('RSS middle:  %s' % summary(mid))
    tap.diag('RSS end:     %s' % summary(end))
    tap.diag('RSS growth after warm-up: %.1f bytes per transaction (least squares)'
             % slope(watch.samples[len(watch.samples) // 3:]))
    if hwm:
        tap.diag('RSS peak (VmHWM): %d kB' % hwm)
    if cpu1 is not None:
        tap.diag('daemon CPU: %.2f s, %.3f ms per transaction, %.3f ms per answered message'
                 % (cpu1 - cpu0, (cpu1 - cpu0) * 1e3 / max(1, st['transactions']),
                    (cpu1 - cpu0) * 1e3 / max(1, n_ans)))
    tap.diag('answers by kind (answered / same as reference / different):')
    for name in kinds:
        v = st['by_kind'].get(name, [0, 0, 0])
        tap.diag('  %-15s %6d %6d %3d' % (name, v[0], v[1], v[2]))

    if alive:
        t1 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(20)
        except subprocess.TimeoutExpired:
            rc = 'still running after 20 s'
            p.kill()
            p.wait()
        tap.is_(rc, 0, 'SIGTERM: exit status 0 (%.2f s)' % (time.monotonic() - t1))
    log = read(w.log)
    bad = [ln for ln in log.splitlines() if 'Sanitizer' in ln or 'runtime error' in ln or
           'reload failed' in ln]
    tap.is_(bad[:5], [], 'no sanitizer report or failed reload in the log')
    if died is not None and st['errors']:
        triage(bin_, w, st['errors'])


def cost_helper(bin_):
    """tests/hostile/cost, built by make check: a small parent to measure from."""
    p = os.path.join(os.path.dirname(bin_), 'tests', 'hostile', 'cost')
    return p if os.access(p, os.X_OK) else None


def run_test_mode(bin_, w, k, tok='t0', path=None, timer='best'):
    """
    One test-mode run: (exit status, stdout, CPU ms, peak RSS kB). The child
    is started by a small C parent, because a peak RSS measured on a child
    forked from this interpreter would include the interpreter (Linux keeps
    the peak across exec): tests/hostile/cost (CPU to the microsecond) when
    built, else /usr/bin/time (timer='time', CPU to 10 ms).
    """
    if path is None:
        path = os.path.join(w.dir, 'cost-%s.eml' % k.name)
        with open(path, 'wb') as f:
            f.write(k.eml(tok))
    argv = [bin_, '-c', w.conf, '-t', path, '--client-ip', k.ip, '--helo', k.helo,
            '--mail-from', k.mail_from.strip('<>'), '--zone', w.zone]
    report = os.path.join(w.dir, 'cost.report')
    helper = cost_helper(bin_) if timer == 'best' else None
    if helper:
        argv = [helper, report, '60'] + argv
    else:
        argv = ['/usr/bin/time', '-f', '%x %U %S %M', '-o', report] + argv
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
    out = p.stdout.decode('utf-8', 'replace')
    try:
        f = (read(report).strip().splitlines() or [''])[-1].split()
        if helper:
            return int(f[0]), out, int(f[1]) / 1000.0, int(f[2])
        return int(f[0]), out, (float(f[1]) + float(f[2])) * 1000.0, int(f[3])
    except (ValueError, IndexError):
        return p.returncode, out, -1.0, -1


def cost(args, bin_, w):
    """Worst CPU and peak memory per message of each kind in test mode."""
    kinds = S.kinds(SRC)
    tap.diag('test mode, %d runs per kind (%s): user+system CPU in ms (worst, median), '
             'peak RSS in kB (worst); then one run under /usr/bin/time -f "%%U %%S %%M"'
             % (args.repeat, 'tests/hostile/cost' if cost_helper(bin_) else '/usr/bin/time'))
    tap.diag('%-15s %8s %8s %8s %8s %8s %8s  %s' % ('kind', 'worst', 'median', 'over',
                                                    'peakRSS', 'time:cpu', 'time:RSS', 'action'))
    base = None
    for k in kinds:
        cpus, rss, action, rc = [], [], '', 0
        for n in range(args.repeat):
            rc, out, c, m = run_test_mode(bin_, w, k, tok='c%011d' % n)
            cpus.append(c)
            rss.append(m)
            action = next((ln for ln in out.splitlines() if ln.startswith('action:')), out[-80:])
        _, _, tc, tm = run_test_mode(bin_, w, k, timer='time')
        tap.ok(0 <= rc <= 100, '%s: test mode ran (exit status %d)' % (k.name, rc))
        if base is None:    # the first kind, plain mail: process start-up and all
            base = statistics.median(cpus)
        tap.diag('%-15s %8.2f %8.2f %+8.2f %8d %8.0f %8d  %s' % (
            k.name, max(cpus), statistics.median(cpus), max(cpus) - base, max(rss), tc, tm,
            action[8:60]))
    tap.diag('over: the worst run minus the median of the first kind (a plain message), '
             'i.e. what the message itself costs beyond starting the process')

    # The same kinds through the running daemon, one after another: its CPU
    # per message without the start-up of a process (clock ticks, so many).
    p = start_daemon(bin_, w)
    try:
        tap.diag('daemon, %d messages per kind sent one by one: CPU ms per message'
                 % args.daemon_repeat)
        for k in kinds:
            c0 = proc_cpu(p.pid)
            answered = 0
            for n in range(args.daemon_repeat):
                c = BatchClient(w.sock, timeout=30)
                try:
                    if drive(c, k, 'd%012d' % n, 'D%09X' % n) is not None:
                        answered += 1
                except (OSError, M.MilterError):
                    pass
                finally:
                    c.close()
            tap.diag('%-15s %8.3f  (%d answered)' % (
                k.name, (proc_cpu(p.pid) - c0) * 1e3 / args.daemon_repeat, answered))
        tap.diag('daemon peak RSS over all of them (VmHWM): %d kB' % proc_status(p.pid, 'VmHWM'))
    finally:
        p.send_signal(signal.SIGTERM)
        tap.is_(p.wait(20), 0, 'SIGTERM: exit status 0')


def triage(bin_, w, errors):
    """After a crash: replays each saved message in test mode."""
    tap.diag('replaying the messages in flight when the daemon died, in test mode:')
    seen = set()
    kinds = {k.name: k for k in S.kinds(SRC)}
    for i, kname, at, err, path in errors:
        if path is None or kname in seen:
            continue
        seen.add(kname)
        rc, out, c, m = run_test_mode(bin_, w, kinds[kname], path=path)
        tap.diag('  %s (%s): exit status %d, %.1f ms, %d kB%s' % (
            kname, path, rc, c, m, '  <-- CRASH' if rc < 0 or rc > 100 else ''))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--messages', '-n', type=int, default=5000)
    ap.add_argument('--concurrency', '-c', type=int, default=8)
    ap.add_argument('--hup', type=float, default=2.0, help='seconds between SIGHUPs (0: none)')
    ap.add_argument('--sample', type=float, default=0.25, help='seconds between RSS samples')
    ap.add_argument('--procs', type=int, default=2, help='client processes')
    ap.add_argument('--timeout', type=float, default=30.0, help='client socket timeout')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--set', action='append', default=[], metavar='NAME=VALUE',
                    help='one more setting for compauthd.conf')
    ap.add_argument('--binary')
    ap.add_argument('--keep', help='work directory to use and keep')
    ap.add_argument('--cost', action='store_true', help='per-kind cost in test mode instead')
    ap.add_argument('--repeat', type=int, default=10, help='test-mode runs per kind (--cost)')
    ap.add_argument('--daemon-repeat', type=int, default=200,
                    help='messages per kind through the daemon (--cost)')
    args = ap.parse_args()
    bin_ = binary(args)
    if bin_ is None:
        tap.skip_all('no compauthd binary (set COMPAUTHD or --binary)')
    w = World(args)
    try:
        if args.cost:
            cost(args, bin_, w)
        else:
            soak(args, bin_, w)
    finally:
        if tap.failed() or args.keep:
            tap.diag('work directory kept: %s' % w.dir)
        else:
            shutil.rmtree(w.dir, ignore_errors=True)


if __name__ == '__main__':
    tap.run(main)
