#!/usr/bin/python3
"""
CPU per message against the cryptography it needs, in one run.

The daemon's own CPU time (utime + stime from /proc) over N messages sent
through its milter socket, DNS answered at once from a zone file, against
the floor of the signature operations the message requires, timed by
`openssl speed` on this machine in the same run:

  - dkim: the RFC 8463 A.3 message (ed25519-sha256 and rsa-sha256 with a
    1024-bit key): floor = 1 Ed25519 verify + 1 RSA-1024 verify;
  - arc: the same message after two ARC sealers (RSA-2048, made here by
    python3-dkim), sealed again by us: floor = the two DKIM verifies +
    4 RSA-2048 verifies (newest AMS, the older AMS for arc.oldest-pass,
    both seals) + 2 RSA-2048 signs (our AMS and seal).

A ratio near 1 means the daemon spends its time on the cryptography;
everything else (milter protocol, parsing, canonicalization, hashing,
DNS cache, verdicts) is the excess.

The DMARC report store: the dkim run again with report_store on (SQLite
in the temporary directory; the writer thread's CPU counts, it is the
daemon's) against off, in the same run: CPU and wall time per message and
their ratios, and the rows found in the store after the daemon stopped.

History: the store with history = no and yes, alternating; see below.
Metrics: the dkim run again with metrics_listen on (counting, and the
HTTP listener's thread; one scrape at the end checks the count) against
off, alternating the same way: CPU and wall time per message and ratios.

usage: bench/cpu_cost.py BUILD_DIR [N]
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

import benchlib
from benchlib import HERE, TOP, start
from benchlib import harness as H
from benchlib import mclient as M


def speed():
    return benchlib.openssl_speed()


def cpu_of(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def scraped(port):
    """compauthd_actions_total{action="accept"} from our own /metrics."""
    import urllib.request
    with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port, timeout=5) as r:
        text = r.read().decode()
    return int(re.search(r'^compauthd_actions_total\{action="accept"\} (\d+)$', text, re.M)
               .group(1))


def run(binary, tmp, tag, extra, eml, n, want, wall=None, metrics_port=None):
    sock = os.path.join(tmp, tag + '.sock')
    conf = os.path.join(tmp, tag + '.conf')
    with open(conf, 'w') as f:
        f.write('authserv_id = mx.bench.example\nsocket = unix:%s\nuser = ""\npidfile = ""\n'
                'zone_file = %s\nlog_level = warning\n%s' % (sock, os.path.join(tmp, 'z.zone'),
                                                             extra))
    p = start(binary, conf, sock)
    try:
        for i in range(n + 5):
            if i == 5:              # warm: keys cached, pages touched
                c0 = cpu_of(p.pid)
                t0 = time.monotonic()
            c = M.MilterClient(sock)
            try:
                o = M.send_message(c, eml[i % len(eml)] if isinstance(eml, list) else eml,
                                   client_ip='192.0.2.10', helo='mail.example.org',
                                   mail_from='<joe@football.example.com>')
            finally:
                c.close()
            if not all(w in repr(o.mods) for w in want):
                raise SystemExit('%s: unexpected result: %r' % (tag, o.mods))
        if wall is not None:
            wall.append((time.monotonic() - t0) / n)
        cpu = (cpu_of(p.pid) - c0) / n
        if metrics_port is not None and scraped(metrics_port) != n + 5:
            raise SystemExit('%s: /metrics does not count %d messages' % (tag, n + 5))
        return cpu
    finally:
        p.terminate()
        p.wait()


def main():
    import dkim
    build = sys.argv[1] if len(sys.argv) > 1 else 'build'
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    binary = os.path.join(TOP, build, 'compauthd')
    eml = open(os.path.join(TOP, 'tests', 'data', 'dkim', 'rfc8463',
                            'rfc8463-appendix-a3.eml'), 'rb').read()
    tmp = tempfile.mkdtemp(prefix='cad-cpu-')
    l1, l1txt = H.rsa_key()
    l2, l2txt = H.rsa_key()
    ours, ourtxt = H.rsa_key()
    with open(os.path.join(HERE, 'bench.zone')) as f:
        zone = f.read()
    with open(os.path.join(tmp, 'z.zone'), 'w') as f:
        f.write(zone + H.txt_line('arc._domainkey.l1.example', l1txt) +
                H.txt_line('arc._domainkey.l2.example', l2txt))
    chained = eml
    for dom, key, ar in ((b'l1.example', l1, b'arc=none'), (b'l2.example', l2, b'arc=pass')):
        chained = b'Authentication-Results: ' + dom + b'; ' + ar + b'\r\n' + chained
        chained = b''.join(dkim.arc_sign(chained, b'arc', dom, key, dom,
                                         include_headers=[b'from', b'to', b'subject', b'date'],
                                         timestamp=1764000000)) + chained
    keyfile = os.path.join(tmp, 'seal.pem')
    with open(keyfile, 'wb') as f:
        f.write(ours)
    os.chmod(keyfile, 0o600)
    ops = speed()
    floor_dkim = ops['ed25519_verify'] + ops['rsa1024_verify']
    floor_arc = floor_dkim + 4 * ops['rsa2048_verify'] + 2 * ops['rsa2048_sign']
    dk = run(binary, tmp, 'dkim', '', eml, n, ('dkim=pass', 'arc=none'))
    ar = run(binary, tmp, 'arc', 'arc_sign_domain = mx.bench.example\narc_sign_selector = s\n'
             'arc_sign_key = %s\n' % keyfile, chained, n,
             ('arc=pass (chain of 2 verified)', 'ARC-Seal'))
    # Off and on alternate, three times each, the best of each kept: the
    # difference is small against the noise of one run.
    w_off, w_on, c_off, c_on = [], [], [], []
    db = os.path.join(tmp, 'reports.db')
    for _ in range(3):
        c_off.append(run(binary, tmp, 'store-off', 'report_store = ""\n', eml, n,
                         ('dkim=pass',), w_off))
        c_on.append(run(binary, tmp, 'store-on', 'report_store = %s\n' % db, eml, n,
                        ('dkim=pass',), w_on))
    st_off, st_on = min(c_off), min(c_on)
    mc_off, mc_on, mw_off, mw_on = [], [], [], []
    port = H.free_port()
    for _ in range(3):
        mc_off.append(run(binary, tmp, 'metrics-off', '', eml, n, ('dkim=pass',), mw_off))
        mc_on.append(run(binary, tmp, 'metrics-on', 'metrics_listen = %d\n' % port, eml, n,
                         ('dkim=pass',), mw_on, port))
    # History: the same store with history = no and yes; every other
    # message is the dkim one (learnt: 109) or its From changed to a domain
    # without a record (dkim=fail, fail 001: the rule table reads the
    # snapshot the writer keeps).
    unaligned = eml.replace(b'From: Joe SixPack <joe@football.example.com>',
                            b'From: Joe SixPack <joe@elsewhere.example>')
    hc_off, hc_on, hw_off, hw_on = [], [], [], []
    hdb = os.path.join(tmp, 'history.db')
    for _ in range(3):
        hc_off.append(run(binary, tmp, 'history-off', 'report_store = %s\nhistory = no\n' % hdb,
                          [eml, unaligned], n, ('dkim=',), hw_off))
        hc_on.append(run(binary, tmp, 'history-on', 'report_store = %s\n' % hdb,
                         [eml, unaligned], n, ('dkim=',), hw_on))
    w_off, w_on = [min(w_off)], [min(w_on)]
    con = sqlite3.connect(db)
    rows = con.execute('SELECT count(*) FROM message').fetchone()[0]
    con.close()
    print('%d messages each, daemon CPU per message against its cryptography '
          '(openssl speed, this run):' % n)
    print('  dkim (ed25519 + rsa1024 verify):        %7.3f ms CPU, floor %6.3f ms = %5.2fx'
          % (dk * 1000, floor_dkim * 1000, dk / floor_dkim))
    print('  arc  (+4 rsa2048 verify, +2 rsa2048 sign): %4.3f ms CPU, floor %6.3f ms = %5.2fx'
          % (ar * 1000, floor_arc * 1000, ar / floor_arc))
    print('  report store (dkim message), off vs on (SQLite): CPU %.3f vs %.3f ms = %.3fx, '
          'wall %.3f vs %.3f ms = %.3fx; %d of %d rows stored'
          % (st_off * 1000, st_on * 1000, st_on / st_off, w_off[0] * 1000, w_on[0] * 1000,
             w_on[0] / w_off[0], rows, 3 * (n + 5)))
    print('  metrics (dkim message), off vs on (metrics_listen): CPU %.3f vs %.3f ms = %.3fx, '
          'wall %.3f vs %.3f ms = %.3fx'
          % (min(mc_off) * 1000, min(mc_on) * 1000, min(mc_on) / min(mc_off),
             min(mw_off) * 1000, min(mw_on) * 1000, min(mw_on) / min(mw_off)))
    print('  history (learnt 109 and looked-up 001 messages), off vs on (history, SQLite '
          'store): CPU %.3f vs %.3f ms = %.3fx, wall %.3f vs %.3f ms = %.3fx'
          % (min(hc_off) * 1000, min(hc_on) * 1000, min(hc_on) / min(hc_off),
             min(hw_off) * 1000, min(hw_on) * 1000, min(hw_on) / min(hw_off)))


if __name__ == '__main__':
    main()
