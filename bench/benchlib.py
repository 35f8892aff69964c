"""What the benchmarks share: a compauthd in the foreground on a private
config, and the milter client and key helpers of the tests."""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, 'tests', 'milter'))
import harness  # noqa: E402,F401  (rsa_key, txt_line)
import mclient  # noqa: E402,F401


def start(binary, conf, sock):
    """compauthd -f -c conf, returned once its socket exists."""
    p = subprocess.Popen([binary, '-f', '-c', conf], stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.02)
    return p


def openssl_speed():
    """Seconds per operation from `openssl speed` in this run, from its
    operations-per-second columns (the seconds columns are rounded to
    0.1 ms for Ed25519): rsa1024/rsa2048 sign and verify, ed25519 verify."""
    out = subprocess.run(['openssl', 'speed', '-seconds', '1', 'rsa1024', 'rsa2048',
                          'ed25519'], capture_output=True, text=True).stdout
    ops = {}
    num = r'([0-9.]+)'
    for bits in ('1024', '2048'):
        m = re.search(r'^rsa\s+%s bits\s+\S+s\s+\S+s\s+%s\s+%s' % (bits, num, num), out, re.M)
        ops['rsa%s_sign' % bits] = 1.0 / float(m.group(1))
        ops['rsa%s_verify' % bits] = 1.0 / float(m.group(2))
    m = re.search(r'Ed25519\)\s+\S+s\s+\S+s\s+%s\s+%s' % (num, num), out)
    ops['ed25519_verify'] = 1.0 / float(m.group(2))
    return ops
