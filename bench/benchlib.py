"""What the benchmarks share: a compauthd in the foreground on a private
config, and the milter client and key helpers of the tests."""
import os
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
