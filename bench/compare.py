#!/usr/bin/python3
"""
compauthd against the Debian chain (OpenDKIM + OpenDMARC) and rspamd 3.4,
in the same run, on the same corpus, the same DNS server and the same
machine.

  - corpus: bench/corpus.py (2000 messages, seed 16), kept in
    BUILD/bench-corpus;
  - DNS: a real nsd serving the corpus's zones, every record TTL 0, on
    127.0.0.1:53 of a private network namespace (unshare --net --mount),
    /etc/resolv.conf bind-mounted in that namespace to name only it, so
    that every filter, whatever resolver library it uses, asks it; +20 ms
    by bench/dnsdelay.py in front of nsd (tc netem is not in every kernel);
  - load: bench/load.py, one asyncio milter client speaking to each filter
    like Postfix;
  - cryptographic floor: `openssl speed -seconds 1 rsa2048 rsa1024 ed25519`
    in the same run, weighted by the corpus's verify operations per message;
  - libmilter floor: bench/nullmilter.c, built here, measured like the
    filters: what any filter on libmilter costs per message before doing
    any work (CPU, and latency at concurrency 1);
  - RTT: the forwarder's own round trip, timed in the same run (50 queries,
    median), so latencies are given in the round trips the filters saw.

Prints a Markdown table and writes it to BUILD/bench-results.md.

usage: bench/compare.py BUILD_DIR [N_MESSAGES] [N_LATENCY]
Needs root (network namespace, bind mount); installs opendkim, opendmarc,
rspamd, nsd and python3-nacl with apt-get when they are missing.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402
from benchlib import TOP  # noqa: E402
import corpus  # noqa: E402
import filters as F  # noqa: E402
import load  # noqa: E402

PACKAGES = ('nsd', 'opendkim', 'opendmarc', 'rspamd', 'python3-nacl', 'python3-dkim',
            'publicsuffix', 'iproute2', 'util-linux', 'openssl')
CONCURRENCY = 32
DELAY_MS = 20
WARM = 64


def ensure_packages():
    missing = [p for p in PACKAGES if subprocess.run(
        ['dpkg-query', '-W', '-f=${Status}', p], capture_output=True,
        text=True).stdout != 'install ok installed']
    if missing:
        print('bench: installing %s' % ' '.join(missing), flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        subprocess.run(['apt-get', 'update', '-q'], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(['apt-get', 'install', '-y', '-q', '--no-install-recommends'] + missing,
                       env=env, check=True, stdout=subprocess.DEVNULL)


def speed():
    """Seconds per verify: rsa1024, rsa2048, ed25519 (openssl speed, this run)."""
    o = benchlib.openssl_speed()
    return {'rsa1024': o['rsa1024_verify'], 'rsa2048': o['rsa2048_verify'],
            'ed25519': o['ed25519_verify']}


def probe_rtt(n=50):
    """Median seconds for one query through the DNS path the filters use."""
    import socket
    import struct
    q = struct.pack('>HHHHHH', 0x4242, 0x0100, 1, 0, 0, 0) + b'\x03esp\x07example\x00' + \
        struct.pack('>HH', 16, 1)
    ts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.connect(('127.0.0.1', 53))
        for _ in range(n):
            t = time.monotonic()
            s.send(q)
            s.recv(4096)
            ts.append(time.monotonic() - t)
    return statistics.median(ts)


def build_null(build):
    """bench/nullmilter.c compiled into BUILD (libmilter-dev is a build dependency)."""
    out = os.path.join(TOP, build, 'bench-nullmilter')
    src = os.path.join(HERE, 'nullmilter.c')
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        subprocess.run([os.environ.get('CC', 'cc'), '-D_GNU_SOURCE', '-O2', '-o', out, src,
                        '-lmilter', '-pthread'], check=True)
    return out


def floor_per_msg(msgs, ops):
    """Mean verify time a message needs: each DKIM signature once, and per
    ARC chain each seal plus the newest AMS (RSA-2048)."""
    t = 0.0
    for m in msgs:
        t += sum(ops[a] for a in m['sigs'])
        if m['arc_sets']:
            t += (m['arc_sets'] + 1) * ops['rsa2048']
    return t / len(msgs)


class Nsd:
    def __init__(self, tmp, meta, cdir):
        self.dir = os.path.join(tmp, 'nsd')
        os.makedirs(self.dir, exist_ok=True)
        self.meta, self.cdir, self.p = meta, cdir, None

    def start(self, port):
        d = self.dir
        conf = os.path.join(d, 'nsd.conf')
        with open(conf, 'w') as f:
            f.write('server:\n\tip-address: 127.0.0.1\n\tport: %d\n\tdo-ip4: yes\n\tdo-ip6: no\n'
                    '\tusername: ""\n\tchroot: ""\n\tzonesdir: "%s"\n\tpidfile: "%s/nsd.pid"\n'
                    '\txfrdfile: "%s/xfrd.state"\n\txfrdir: "%s"\n\tzonelistfile: "%s/zl"\n'
                    '\tdatabase: ""\n\tlogfile: "%s/nsd.log"\n\tserver-count: 1\n'
                    '\tverbosity: 1\n\thide-version: yes\n\tround-robin: no\n'
                    '\trrl-ratelimit: 0\n\trrl-whitelist-ratelimit: 0\n'
                    'remote-control:\n\tcontrol-enable: yes\n\tcontrol-interface: %s/ctl\n'
                    % (port, d, d, d, d, d, d, d))
            for z, path in self.meta['zones'].items():
                f.write('zone:\n\tname: %s\n\tzonefile: "%s"\n'
                        % (z, os.path.join(self.cdir, path)))
        self.conf = conf
        self.p = subprocess.Popen(['/usr/sbin/nsd', '-d', '-c', conf], stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(d, 'nsd.err'), 'ab'))
        for _ in range(200):
            if self.queries() is not None:
                return
            time.sleep(0.05)
        raise SystemExit('nsd did not start; see %s' % d)

    def queries(self):
        r = subprocess.run(['/usr/sbin/nsd-control', '-c', self.conf, 'stats_noreset'],
                           capture_output=True, text=True)
        m = re.search(r'^num\.queries=(\d+)', r.stdout, re.M)
        return int(m.group(1)) if m else None

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.terminate()
            self.p.wait()


def parse_ar(mods):
    """spf, dkim (every result), dmarc, arc from the Authentication-Results added."""
    out = {'spf': '-', 'dmarc': '-', 'arc': '-'}
    dk = []
    for n, v in mods:
        if n.lower() != 'authentication-results':
            continue
        v = re.sub(r'\([^()]*\)', ' ', v.replace('\r', ' ').replace('\n', ' '))
        for part in v.split(';'):
            m = re.match(r'\s*([\w-]+)\s*=\s*([\w-]+)', part)
            if not m:
                continue
            meth, res = m.group(1).lower(), m.group(2).lower()
            if meth == 'dkim':
                d = re.search(r'header\.d=([\w.-]+)', part)
                dk.append((res, d.group(1).lower() if d else ''))
            elif meth in out and out[meth] == '-':
                out[meth] = res
    out['dkim'] = ','.join(r for r, d in dk) or '-'
    out['dkim_d'] = {}
    for r, d in dk:
        if d and out['dkim_d'].get(d) != 'pass':
            out['dkim_d'][d] = r
    return out


def run_filter(f, msgs, conc, keep=False):
    e0 = [F.cpu([p]) for p in f.pids]
    c0, ct0 = F.cpu(f.pids), os.times()
    wall, lat, res, errs = load.run(f.paths, msgs, conc, keep)
    ct1 = os.times()
    c1 = F.cpu(f.pids)
    each = [F.cpu([p]) - e for p, e in zip(f.pids, e0)]
    return {'wall': wall, 'lat': lat, 'res': res, 'errors': errs, 'cpu': c1 - c0, 'each': each,
            'client_cpu': (ct1.user - ct0.user) + (ct1.system - ct0.system)}


def settle(f, timeout=120):
    """Waits until the filter's processes use under 2 % CPU for a second."""
    end = time.monotonic() + timeout
    c = F.cpu(f.pids)
    while time.monotonic() < end:
        time.sleep(1.0)
        c2 = F.cpu(f.pids)
        if c2 - c < 0.02:
            return
        c = c2


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def inner(build, n, nlat):
    import signal
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    tmp = tempfile.mkdtemp(prefix='cad-compare-')
    os.chmod(tmp, 0o755)
    with open(os.path.join(tmp, 'resolv.conf'), 'w') as f:
        f.write('nameserver 127.0.0.1\n')
    subprocess.run(['mount', '--bind', os.path.join(tmp, 'resolv.conf'), '/etc/resolv.conf'],
                   check=True)
    cdir = os.path.join(TOP, build, 'bench-corpus')
    meta = corpus.load(cdir, n)
    mix = corpus.describe(meta)
    manifest = meta['messages']
    msgs = load.prepare(cdir, manifest)
    ops = speed()
    floor = floor_per_msg(manifest, ops)
    nsd = Nsd(tmp, meta, cdir)
    flts = [F.Compauthd(tmp, os.path.join(TOP, build, 'compauthd')), F.Chain(tmp), F.Rspamd(tmp),
            F.NullMilter(tmp, os.path.join(TOP, build, 'bench-nullmilter'))]
    if os.environ.get('CAD_BENCH_ONLY'):        # development: some filters
        flts = [f for f in flts if f.key in os.environ['CAD_BENCH_ONLY'].split(',')]
    R = {f.key: {} for f in flts}
    lat_msgs = msgs[WARM:WARM + nlat]
    proxy = None
    loadavg = os.getloadavg()
    try:
        # One filter at a time, alone on the machine: started, left to
        # settle (rspamd compiles its regular expressions at start-up),
        # then DNS straight from nsd (0 ms), then through the forwarder.
        for f in flts:
            nsd.start(53)
            f.start()
            settle(f)
            run_filter(f, msgs[:WARM], CONCURRENCY)
            q0 = nsd.queries()
            r = run_filter(f, msgs, CONCURRENCY, keep=True)
            r['dnsq'] = (nsd.queries() - q0) / len(msgs)
            R[f.key]['c32_0'] = r
            print('  %-20s 0 ms, c=%d: %7.1f msg/s, %.3f ms CPU/msg, client CPU %.0f%%, '
                  '%.1f DNS queries/msg, latency p50 %.0f p99 %.0f max %.0f ms, %d errors, '
                  'CPU per process %s' % (
                      f.name, CONCURRENCY, len(msgs) / r['wall'], r['cpu'] / len(msgs) * 1e3,
                      100 * r['client_cpu'] / r['wall'], r['dnsq'], pct(r['lat'], 50) * 1e3,
                      pct(r['lat'], 99) * 1e3, max(r['lat']) * 1e3, len(r['errors']),
                      ' '.join('%.2fms' % (e / len(msgs) * 1e3) for e in r['each'])),
                  file=sys.stderr, flush=True)
            nsd.stop()
            nsd.start(5300)
            proxy = subprocess.Popen([sys.executable, os.path.join(HERE, 'dnsdelay.py'),
                                      '127.0.0.1', '53', '127.0.0.1', '5300', str(DELAY_MS)],
                                     stdout=subprocess.PIPE, text=True)
            proxy.stdout.readline()
            R[f.key]['rtt'] = probe_rtt()
            r1 = run_filter(f, lat_msgs, 1)
            R[f.key]['c1_20'] = r1
            r = run_filter(f, msgs, CONCURRENCY)
            R[f.key]['c32_20'] = r
            print('  %-20s +%d ms: c=%d %7.1f msg/s; c=1 p50 %.1f ms p99 %.1f ms; %d errors'
                  % (f.name, DELAY_MS, CONCURRENCY, len(msgs) / r['wall'],
                     pct(r1['lat'], 50) * 1e3, pct(r1['lat'], 99) * 1e3,
                     len(r['errors']) + len(r1['errors'])), file=sys.stderr, flush=True)
            proxy.terminate()
            m = re.search(r'queries (\d+) cpu ([0-9.]+)', proxy.communicate()[0])
            proxy = None
            R[f.key]['proxy_cpu'] = float(m.group(2)) / (r['wall'] + r1['wall']) if m else 0
            nsd.stop()
            R[f.key]['hwm'] = F.hwm(f.pids)
            R[f.key]['nproc'] = sum(len(F.tree(p)) for p in f.pids)
            if f.key == 'rspamd':
                R[f.key]['log'] = f.modules()
            f.stop()
    finally:
        for f in flts:
            f.stop()
        if proxy:
            proxy.terminate()
            proxy.wait()
        nsd.stop()
    rsp_log = R.get('rspamd', {}).get('log', '')
    for f in flts:
        errs = sum(len(R[f.key][k]['errors']) for k in ('c32_0', 'c32_20', 'c1_20'))
        if errs:
            print('%s: %d messages failed, first: %r\n%s' % (
                f.name, errs, (R[f.key]['c32_0']['errors'] or R[f.key]['c32_20']['errors'] or
                               R[f.key]['c1_20']['errors'])[0], f.log()), file=sys.stderr)
    if len(flts) < 4:
        print(R if os.environ.get('CAD_BENCH_DUMP') else '', file=sys.stderr)
        return
    flts.pop()                  # the libmilter floor: in the targets only
    md = report(build, flts, R, msgs, manifest, mix, ops, floor, nlat, rsp_log, loadavg[0])
    print(md)
    with open(os.path.join(TOP, build, 'bench-results.md'), 'w') as f:
        f.write(md)
    if not os.environ.get("KEEP_TMP"):
        shutil.rmtree(tmp, ignore_errors=True)


def report(build, flts, R, msgs, manifest, mix, ops, floor, nlat, rsp_log, loadavg):
    n = len(msgs)
    L = []
    a = L.append
    ncpu = os.cpu_count()
    model = ''
    try:
        with open('/proc/cpuinfo') as f:
            model = re.search(r'model name\s*:\s*(.*)', f.read()).group(1)
    except (OSError, AttributeError):
        pass
    a('## compauthd vs OpenDKIM+OpenDMARC vs rspamd (make bench, %s)\n'
      % time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()))
    a('Machine: %d CPU (%s), load average %.1f at start; each filter runs alone, the load '
      'client and DNS server share the machine with it. '
      'Corpus: %d messages (seed 16), %.0f %% signed, %.2f DKIM signatures per message '
      '(RSA-2048 %.2f, RSA-1024 %.2f, Ed25519 %.2f), ARC on %.1f %% (%.2f sets per message), '
      '%.1f %% tampered, mean size %.1f KB (median %.1f KB); DMARC p=none %.0f %%, quarantine '
      '%.0f %%, reject %.0f %%, no record %.0f %%. DNS: nsd, every record TTL 0.\n'
      % (ncpu, model, loadavg, n, 100 * mix['signed'], mix['sigs_per_msg'],
         mix['algs_per_msg']['rsa2048'], mix['algs_per_msg']['rsa1024'],
         mix['algs_per_msg']['ed25519'], 100 * mix['arc'], mix['arc_sets_per_msg'],
         100 * mix['tampered'], mix['mean_size'] / 1000, mix['median_size'] / 1000,
         100 * mix['policies']['none'], 100 * mix['policies']['quarantine'],
         100 * mix['policies']['reject'], 100 * mix['policies'][None]))
    a('Crypto floor (openssl speed, this run): RSA-2048 verify %.1f us, RSA-1024 %.1f us, '
      'Ed25519 %.1f us; per message of this corpus %.3f ms.\n'
      % (ops['rsa2048'] * 1e6, ops['rsa1024'] * 1e6, ops['ed25519'] * 1e6, floor * 1e3))
    cols = [f.key for f in flts]
    a('| | ' + ' | '.join(f.name for f in flts) + ' | compauthd / chain | compauthd / rspamd |')
    a('|---|' + '---:|' * (len(flts) + 2))

    def row(label, vals, fmt, better_high):
        v = dict(zip(cols, vals))

        def ratio(o):
            if not v['compauthd'] or not v[o]:
                return '-'
            r = v['compauthd'] / v[o]
            return '%.2fx' % r
        a('| %s | %s | %s | %s |' % (label, ' | '.join(fmt % x for x in vals), ratio('chain'),
                                     ratio('rspamd')))

    row('msg/s, concurrency %d, DNS 0 ms' % CONCURRENCY,
        [n / R[k]['c32_0']['wall'] for k in cols], '%.0f', True)
    row('CPU per message (ms)', [R[k]['c32_0']['cpu'] / n * 1e3 for k in cols], '%.2f', False)
    row('x crypto floor', [R[k]['c32_0']['cpu'] / n / floor for k in cols], '%.1f', False)
    row('p50 latency, concurrency 1, DNS +%d ms (ms)' % DELAY_MS,
        [pct(R[k]['c1_20']['lat'], 50) * 1e3 for k in cols], '%.0f', False)
    row('p99 latency, concurrency 1, DNS +%d ms (ms)' % DELAY_MS,
        [pct(R[k]['c1_20']['lat'], 99) * 1e3 for k in cols], '%.0f', False)
    row('msg/s, concurrency %d, DNS +%d ms' % (CONCURRENCY, DELAY_MS),
        [n / R[k]['c32_20']['wall'] for k in cols], '%.0f', True)
    row('peak RSS (VmHWM, MiB, all processes)', [R[k]['hwm'] / 1024 for k in cols], '%.1f', False)
    row('DNS queries per message', [R[k]['c32_0']['dnsq'] for k in cols], '%.2f', False)
    row('load client CPU, concurrency %d, 0 ms (%% of one CPU)' % CONCURRENCY,
        [100 * R[k]['c32_0']['client_cpu'] / R[k]['c32_0']['wall'] for k in cols], '%.0f',
        False)
    row('DNS +%d ms forwarder CPU (%% of one CPU)' % DELAY_MS,
        [100 * R[k]['proxy_cpu'] for k in cols], '%.0f', False)
    a('')
    a('Ratios are compauthd\'s value divided by the other\'s (above 1 is better for msg/s, '
      'below 1 better for the rest). Latency: %d messages one at a time, from opening the '
      'milter connection(s) to the last end-of-message answer, client sending back to back. '
      'Processes measured: compauthd 1, chain %d, rspamd %d.\n'
      % (nlat, R['chain']['nproc'], R['rspamd']['nproc']))
    # Correctness: verdicts against what the corpus expects.
    a('### Verdicts (apples to apples)\n')
    a('DMARC result per message against the corpus\'s expectation (pass / fail / none '
      'expected: %(pass)d / %(fail)d / %(none)d):\n' % mix['expect_dmarc'])
    a('| | ' + ' | '.join(f.name for f in flts) + ' |')
    a('|---|' + '---:|' * len(flts))
    parsed = {k: [parse_ar(r[1]) if r else None for r in R[k]['c32_0']['res']] for k in cols}
    for label, test in (
            ('dmarc=pass where expected pass',
             lambda m, p: m['expect']['dmarc'] == 'pass' and p['dmarc'] == 'pass'),
            ('dmarc=fail where expected fail',
             lambda m, p: m['expect']['dmarc'] == 'fail' and p['dmarc'] == 'fail'),
            ('no DMARC pass/fail where no record',
             lambda m, p: m['expect']['dmarc'] == 'none' and p['dmarc'] not in ('pass', 'fail')),
            ('spf=pass', lambda m, p: p['spf'] == 'pass'),
            ('author-domain dkim=pass where expected',
             lambda m, p: m['expect']['dkim_aligned'] and
             p['dkim_d'].get(m['from_domain']) == 'pass'),
            ('arc=pass (of %d with ARC)' % sum(1 for m in manifest if m['arc_sets']),
             lambda m, p: m['arc_sets'] and p['arc'] == 'pass')):
        a('| %s | %s |' % (label, ' | '.join(
            '%d' % sum(1 for m, p in zip(manifest, parsed[k]) if p and test(m, p))
            for k in cols)))
    a('')
    a('Known messages (spf / dkim / dmarc / arc as each filter stamped them):\n')
    a('| message | expected dmarc | ' + ' | '.join(f.name for f in flts) + ' |')
    a('|---|---|' + '---|' * len(flts))
    picks, seen = [], set()
    for i, m in enumerate(manifest):
        key = (m['kind'], m['tamper'], m['list_tag'], m['expect']['spf'], m['policy'] is None)
        if key not in seen and len(picks) < 8:
            seen.add(key)
            picks.append(i)
    for i in picks:
        m = manifest[i]
        desc = '%s %s%s%s%s' % (m['file'][5:9], m['kind'], ' tampered' if m['tamper'] else '',
                                ' subject-tagged' if m['list_tag'] else '',
                                ' spf-%s' % m['expect']['spf'])
        cells = []
        for k in cols:
            p = parsed[k][i]
            cells.append('%s / %s / %s / %s' % (p['spf'], p['dkim'], p['dmarc'], p['arc'])
                         if p else 'error')
        a('| %s | %s | %s |' % (desc, m['expect']['dmarc'], ' | '.join(cells)))
    a('')
    mods = sorted(set(re.findall(r'init lua module (\w+)', rsp_log)))
    a('Versions: %s. rspamd runs %s.\n' % ('; '.join(f.version() for f in flts[1:]),
                                          'the dkim C module and the Lua modules ' +
                                          ', '.join(mods) if mods else
                                          'dkim (C), spf, dmarc, arc, milter_headers (Lua)'))
    targets(a, R, n, floor)
    return '\n'.join(L) + '\n'


def targets(a, R, n, floor):
    """The issue's targets, each from this run, with the floors that bound them."""
    c, ch, nu = R['compauthd'], R['chain'], R['null']
    cpu = c['c32_0']['cpu'] / n
    ncpu = nu['c32_0']['cpu'] / n
    rtt = statistics.median([R[k]['rtt'] for k in R])
    p50 = pct(c['c1_20']['lat'], 50)
    np50 = pct(nu['c1_20']['lat'], 50)
    rate = ch['c32_0']['wall'] / c['c32_0']['wall']

    def met(ok):
        return 'met' if ok else '**not met**'
    a('### Targets, from this run\n')
    a('| target | this run | | floor that bounds it |')
    a('|---|---|---|---|')
    a('| CPU per message <= 10x crypto floor | %.1fx (%.3f ms) | %s | libmilter floor %.1fx '
      '(%.3f ms: bench/nullmilter.c, same steps, no work); compauthd above it %.1fx |'
      % (cpu / floor, cpu * 1e3, met(cpu <= 10 * floor), ncpu / floor, ncpu * 1e3,
         (cpu - ncpu) / floor))
    a('| msg/s >= 4x the chain, concurrency %d, DNS 0 ms | %.2fx | %s | |'
      % (CONCURRENCY, rate, met(rate >= 4)))
    a('| p50 <= 2 RTT, concurrency 1, DNS +%d ms | %.2f RTT (%.1f ms; RTT %.1f ms measured) '
      '| %s | libmilter floor %.1f ms; compauthd above it %.2f RTT; the median message\'s '
      'SPF needs two lookups in sequence (record, then include): 2 RTT |'
      % (DELAY_MS, p50 / rtt, p50 * 1e3, rtt * 1e3, met(p50 <= 2 * rtt), np50 * 1e3,
         (p50 - np50) / rtt))
    a('')


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else 'build'
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    nlat = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    if os.environ.get('CAD_BENCH_NETNS') == '1':
        return inner(build, n, nlat)
    if os.geteuid() != 0:
        os.execvp('sudo', ['sudo', '-E', sys.executable] + sys.argv)
    ensure_packages()
    build_null(build)
    cdir = os.path.join(TOP, build, 'bench-corpus')
    t0 = time.monotonic()
    meta = corpus.load(cdir, n)
    print('corpus: %d messages in %s (%.0f s)' % (len(meta['messages']), cdir,
                                                 time.monotonic() - t0), file=sys.stderr)
    env = dict(os.environ, CAD_BENCH_NETNS='1')
    r = subprocess.run(['unshare', '--net', '--mount', '--propagation', 'private',
                        sys.executable, os.path.abspath(__file__), build, str(n), str(nlat)],
                       env=env)
    sys.exit(r.returncode)


if __name__ == '__main__':
    main()
