#!/usr/bin/python3
"""
End-of-message wait: how long the MTA waits for compauthd's answer after
the final dot, with every DNS answer taking one simulated round trip (RTT).

The message needs 7 lookups: PTR and A (iprev), three chained SPF TXT
records (include → include → ip4), two DKIM keys. A filter that resolves at
end of message, one lookup after another (the OpenDKIM + OpenDMARC way),
waits for all of them; compauthd starts each lookup when its input arrives.

Two runs in the same process against the same daemon, as ratios of RTT:
  - burst: the client sends everything at once (no time between MAIL FROM
    and the final dot): the wait is the longest dependency chain;
  - realistic: the DATA phase takes 2 RTT (a client sending its message):
    lookups finish while the message is still arriving.
Baseline: the serial sum of the 7 round trips.

usage: bench/eom_wait.py BUILD_DIR [N] [RTT_MS]
"""
import os
import statistics
import sys
import tempfile
import time

from benchlib import HERE, TOP, start
from benchlib import mclient as M

SERIAL_LOOKUPS = 7


def one(sock, eml, pause, n):
    c = M.MilterClient(sock)
    try:
        c.negotiate()
        c.connect('[192.0.2.10]', M.SMFIA_INET, 4567, '192.0.2.10')
        c.helo('mail.bench.example')
        c.mail('<joe@football.example.com>', macros={'i': 'BENCH%d' % n})
        c.rcpt('<bob@example.net>')
        time.sleep(pause)
        headers, body = M.split_message(eml, c.fold)
        for name, value in headers:
            c.header(name, value)
        c.eoh()
        c.body(body)
        t0 = time.monotonic()
        r = c.eom()
        dt = time.monotonic() - t0
        if 'dkim=pass' not in repr(r.mods) or 'spf=pass' not in repr(r.mods):
            raise SystemExit('unexpected result: %r' % r.mods)
        return dt
    finally:
        c.close()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else 'build'
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rtt = (int(sys.argv[3]) if len(sys.argv) > 3 else 50) / 1000.0
    binary = os.path.join(TOP, build, 'compauthd')
    eml = open(os.path.join(TOP, 'tests', 'data', 'dkim', 'rfc8463',
                            'rfc8463-appendix-a3.eml'), 'rb').read()
    tmp = tempfile.mkdtemp(prefix='cad-bench-')
    sock = os.path.join(tmp, 'milter.sock')
    conf = os.path.join(tmp, 'compauthd.conf')
    with open(conf, 'w') as f:
        # No cache: every message pays every round trip.
        f.write('authserv_id = mx.bench.example\nsocket = unix:%s\nuser = ""\n'
                'pidfile = ""\nzone_file = %s\nzone_delay = %dms\n'
                'dns_cache_entries = 0\nlog_level = warning\n'
                % (sock, os.path.join(HERE, 'bench.zone'), int(rtt * 1000)))
    p = start(binary, conf, sock)
    try:
        burst = [one(sock, eml, 0.0, i) for i in range(n)]
        real = [one(sock, eml, 2 * rtt, i) for i in range(n)]
    finally:
        p.terminate()
        p.wait()
    b, r = statistics.median(burst), statistics.median(real)
    print('RTT %.0f ms, %d messages per run, median end-of-message wait:' % (rtt * 1000, n))
    print('  serial baseline (7 lookups one after another): %6.1f ms  = %.2f RTT' %
          (SERIAL_LOOKUPS * rtt * 1000, SERIAL_LOOKUPS))
    print('  burst (everything sent at once):                %6.1f ms  = %.2f RTT  (%.2fx the baseline)' %
          (b * 1000, b / rtt, b / (SERIAL_LOOKUPS * rtt)))
    print('  realistic (DATA takes 2 RTT):                   %6.1f ms  = %.2f RTT  (%.2fx the baseline)' %
          (r * 1000, r / rtt, r / (SERIAL_LOOKUPS * rtt)))


if __name__ == '__main__':
    main()
