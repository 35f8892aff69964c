"""
Prometheus metrics (metrics_listen): off by default (no TCP listener at
all); on, GET /metrics answers in the text format that `promtool check
metrics` accepts, with exact counts for the messages sent here, 404 for
anything else; a bad address is refused by -n and at start, a port in use
stops the start with a clear error; idle connections cannot take the
milter down; and a real Prometheus server scrapes it (up == 1 and one
counter's exact value through its HTTP API).

Without promtool and prometheus (Debian package prometheus) the test
skips, except under CI, where it fails: CI installs them (make deps).
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import harness as H
import mclient as M
import tap

FORGED = [('Authentication-Results', ' mx.test.example; spf=pass'),
          ('From', ' Alice <alice@example.org>'), ('To', ' bob@example.net'),
          ('Authentication-Results', ' mx.test.example; dkim=pass'),
          ('Subject', ' forged')]


def http(port, path='/metrics', method='GET', host='127.0.0.1'):
    """(status, content type, body) of one request."""
    req = urllib.request.Request('http://%s:%d%s' % (host, port, path), method=method,
                                 data=b'x' if method == 'POST' else None)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers.get('Content-Type'), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get('Content-Type'), e.read().decode()


def samples(text):
    """{'name{labels}': value} of every sample line."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith('#'):
            k, v = line.rsplit(' ', 1)
            out[k] = float(v)
    return out


def tcp_listeners(pid):
    """Local ports the process listens on over TCP (IPv4 and IPv6)."""
    inodes = set()
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            t = os.readlink('/proc/%d/fd/%s' % (pid, fd))
        except OSError:
            continue
        m = re.match(r'socket:\[(\d+)\]$', t)
        if m:
            inodes.add(m.group(1))
    ports = []
    for f in ('/proc/net/tcp', '/proc/net/tcp6'):
        with open(f) as fh:
            for line in fh.readlines()[1:]:
                p = line.split()
                if p[3] == '0A' and p[9] in inodes:
                    ports.append(int(p[1].rsplit(':', 1)[1], 16))
    return ports


def send(d, ip, eml=None):
    with d.client() as c:
        return M.send_message(c, eml or H.message(), client_ip=ip)


def check_default(tap):
    d = H.Daemon('basic.zone', tag='met0').start()
    o = send(d, '192.0.2.10')
    tap.is_(o.verdict, 'accept', 'default config: a message passes')
    tap.is_(tcp_listeners(d.pid), [], 'default config: no TCP listener at all (metrics off)')
    d.stop()
    d.cleanup()


def check_config_errors(tap):
    d = H.Daemon('basic.zone', tag='met1', settings=[('metrics_listen', 'mx.example.net:9479')])
    rc, out, err = H.run_cmd(['-n', '-c', d.conf])
    tap.ok(rc != 0 and 'metrics_listen' in err and 'PORT' in err,
           '-n refuses metrics_listen = mx.example.net:9479 and says what it wants', err)
    d.start(wait=False)
    rc = d.wait(10)
    tap.ok(rc not in (0, None) and 'metrics_listen' in d.log(),
           'start with a bad metrics_listen fails and names it', '%r %s' % (rc, d.log()))
    d.cleanup()

    # A port someone else holds: the start fails, saying so.
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', 0))
    s.listen(1)
    port = s.getsockname()[1]
    d = H.Daemon('basic.zone', tag='met2', settings=[('metrics_listen', str(port))])
    d.start(wait=False)
    rc = d.wait(10)
    tap.ok(rc not in (0, None) and re.search(r'metrics_listen %d: cannot listen: Address already in use'
                                             % port, d.log()),
           'a port in use: the start fails with a clear error', '%r %s' % (rc, d.log()))
    tap.ok(not os.path.exists(d.sockpath), 'a port in use: no milter socket left behind')
    d.cleanup()
    s.close()


def check_prometheus(tap, port, expect_accept):
    promtool, prometheus = shutil.which('promtool'), shutil.which('prometheus')
    if promtool is None or prometheus is None:
        if os.environ.get('CI'):
            tap.ok(False, 'promtool and prometheus installed (Debian package prometheus)')
        else:
            tap.skip('promtool check metrics; a Prometheus server scrapes us',
                     'no promtool/prometheus (apt-get install prometheus)')
        return
    st, ctype, body = http(port)
    p = subprocess.run([promtool, 'check', 'metrics'], input=body.encode(),
                       capture_output=True, timeout=30)
    tap.ok(p.returncode == 0, 'promtool check metrics: no problem',
           (p.stdout + p.stderr).decode('utf-8', 'replace'))

    tmp = tempfile.mkdtemp(prefix='cad-prom-')
    pport = H.free_port()
    with open(os.path.join(tmp, 'prometheus.yml'), 'w') as f:
        f.write('global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n'
                'scrape_configs:\n  - job_name: compauthd\n    static_configs:\n'
                "      - targets: ['127.0.0.1:%d']\n" % port)
    log = open(os.path.join(tmp, 'prometheus.log'), 'wb')
    proc = subprocess.Popen([prometheus, '--config.file=' + os.path.join(tmp, 'prometheus.yml'),
                             '--storage.tsdb.path=' + os.path.join(tmp, 'data'),
                             '--web.listen-address=127.0.0.1:%d' % pport],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=tmp)

    def query(q):
        url = 'http://127.0.0.1:%d/api/v1/query?%s' % (pport, urllib.parse.urlencode({'query': q}))
        with urllib.request.urlopen(url, timeout=5) as r:
            res = json.load(r)['data']['result']
        return float(res[0]['value'][1]) if res else None

    up = accept = None
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end and proc.poll() is None:
            try:
                up = query('up{job="compauthd"}')
                accept = query('compauthd_actions_total{job="compauthd",action="accept"}')
                if up == 1 and accept is not None:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.5)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    with open(os.path.join(tmp, 'prometheus.log'), 'rb') as f:
        plog = f.read().decode('utf-8', 'replace')[-3000:]
    tap.is_(up, 1.0, 'Prometheus scraped us: up == 1') or tap.diag(plog)
    tap.is_(accept, float(expect_accept),
            'Prometheus: compauthd_actions_total{action="accept"} == %d' % expect_accept)
    shutil.rmtree(tmp, ignore_errors=True)


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    check_default(tap)
    check_config_errors(tap)

    port = H.free_port()
    d = H.Daemon('basic.zone', tag='met', settings=[('metrics_listen', '127.0.0.1:%d' % port)])
    d.start()
    tap.is_(tcp_listeners(d.pid), [port], 'metrics_listen on: one TCP listener, on its port')

    st, ctype, body = http(port)
    tap.is_(st, 200, 'GET /metrics: 200')
    tap.is_(ctype, 'text/plain; version=0.0.4; charset=utf-8', 'GET /metrics: text format 0.0.4')
    s0 = samples(body)
    tap.is_(s0.get('compauthd_actions_total{action="accept"}'), 0.0, 'no message yet: accept 0')
    tap.is_(s0.get('compauthd_message_seconds_count'), 0.0, 'no message yet: histogram empty')

    # Known verdicts (t_basic.py, t_forged.py): every one compauth=fail
    # reason=001 (example.org has no DMARC record), except the trusted client.
    outs = [send(d, '192.0.2.10'), send(d, '192.0.2.20'), send(d, '192.0.2.40'),
            send(d, '192.0.2.10', H.message(FORGED)), send(d, '127.0.0.1')]
    tap.ok(all(o.verdict == 'accept' for o in outs), 'five messages accepted',
           repr([o.verdict for o in outs]))
    tap.is_(len(H.ar_deletes(outs[3])), 2, 'the forged message: two headers removed')

    st, ctype, body = http(port)
    s = samples(body)
    want = {
        'compauthd_results_total{method="spf",result="none"}': 4,
        'compauthd_results_total{method="iprev",result="pass"}': 2,
        'compauthd_results_total{method="iprev",result="fail"}': 1,
        'compauthd_results_total{method="iprev",result="temperror"}': 1,
        'compauthd_results_total{method="dkim",result="none"}': 4,
        'compauthd_results_total{method="dmarc",result="none"}': 4,
        'compauthd_results_total{method="arc",result="none"}': 4,
        'compauthd_compauth_total{result="fail",reason="001"}': 4,
        'compauthd_compauth_total{result="none",reason="302"}': 1,
        'compauthd_actions_total{action="accept"}': 5,
        'compauthd_actions_total{action="reject"}': 0,
        'compauthd_actions_total{action="tempfail"}': 0,
        'compauthd_actions_total{action="quarantine"}': 0,
        'compauthd_forged_ar_removed_total': 2,
        'compauthd_message_seconds_count': 5,
        'compauthd_message_seconds_bucket{le="+Inf"}': 5,
        'compauthd_eom_wait_seconds_count': 4,
        'compauthd_messages_in_flight': 0,
    }
    for k, v in want.items():
        tap.is_(s.get(k), float(v), '%s %d' % (k, v))
    series = [k for k in s if k.startswith(('compauthd_results_total', 'compauthd_compauth_total'))]
    tap.is_(sorted(series), sorted(k for k in want if k.startswith(
        ('compauthd_results_total', 'compauthd_compauth_total'))),
        'no other result or compauth series')
    tap.ok(s.get('compauthd_dns_queries_total', 0) > 0, 'DNS queries counted',
           s.get('compauthd_dns_queries_total'))
    tap.ok(s.get('compauthd_dns_timeouts_total', 0) >= 1,
           'DNS timeouts counted (192.0.2.40: the PTR lookup times out)')
    tap.ok(s.get('compauthd_dns_cache_hits_total', 0) >= 1,
           'DNS cache hits counted (192.0.2.10 twice)')
    buckets = [v for k, v in s.items() if k.startswith('compauthd_message_seconds_bucket')]
    tap.ok(buckets == sorted(buckets), 'histogram buckets are cumulative', repr(buckets))

    for path, method in (('/', 'GET'), ('/metrics/x', 'GET'), ('/metrics', 'POST'),
                         ('/metrics?x=1', 'PUT')):
        st, _, _ = http(port, path, method)
        tap.is_(st, 404, '%s %s: 404' % (method, path))

    # Idle connections past the limit: the milter carries on, and once
    # they go a scrape answers again.
    idle = []
    for _ in range(20):
        c = socket.socket()
        c.settimeout(0.3)
        try:
            c.connect(('127.0.0.1', port))
        except OSError:
            c.close()
            continue
        idle.append(c)
    o = send(d, '192.0.2.10')
    tap.is_(o.verdict, 'accept', '20 idle metrics connections: the milter still answers')
    for c in idle:
        c.close()
    end = time.monotonic() + 10
    st = None
    while time.monotonic() < end:
        try:
            st, _, body = http(port)
            break
        except OSError:
            time.sleep(0.2)
    tap.is_(st, 200, 'after the idle connections close: /metrics answers')
    tap.is_(samples(body).get('compauthd_actions_total{action="accept"}'), 6.0,
            'six messages accepted')

    check_prometheus(tap, port, 6)

    rc, _ = d.stop()
    tap.is_(rc, 0, 'daemon stops cleanly with the listener running')


tap.run(main)
