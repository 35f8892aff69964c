"""
Detached (no -f), compauthd logs through syslog(3): ident compauthd with
the daemon's pid, the facility syslog_facility names (mail by default),
the severity of each line's level.  glibc's syslog(3) writes datagrams to
/dev/log, so the test runs itself again in a private mount namespace
(unshare -m, root only) with a tmpfs on /dev holding the device nodes it
needs and our own datagram socket at /dev/log, and reads exactly what the
daemon sends:
  - "<22>...compauthd[PID]: QID: spf=..." for the summary (mail.info),
    PID the one in the pidfile, the line as the text format writes it
    without our timestamp or level; start-up, reload and stop at
    mail.notice (<21>); nothing below log_level (no <23> at info);
  - after SIGHUP with syslog_facility = local3, log_format = json and
    log_level = debug: the reload line already at local3.notice (<157>),
    the summary a JSON object at local3.info (<158>), debug lines <159>;
  - in the foreground (-f) nothing reaches /dev/log: the lines go to
    standard error;
  - syslog_facility takes mail, daemon, user, local0..local7 (any case),
    anything else is a configuration error naming the words.
Skips (1..0 # SKIP) when not root or when unshare(1) cannot make a mount
namespace.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
import tap

NS_MARK = 'COMPAUTHD_SYSLOG_NS'
LINE = re.compile(r'<(\d+)>(.*?)compauthd\[(\d+)\]: (.*)\Z', re.S)


def reexec_in_namespace():
    if os.geteuid() != 0:
        tap.skip_all('needs root for a private mount namespace over /dev/log')
    if shutil.which('unshare') is None:
        tap.skip_all('unshare(1) is not installed')
    probe = subprocess.run(['unshare', '-m', '--propagation', 'private', 'true'],
                           capture_output=True)
    if probe.returncode != 0:
        tap.skip_all('unshare -m fails here: %s' % probe.stderr.decode(errors='replace').strip())
    env = dict(os.environ)
    env[NS_MARK] = '1'
    os.execvpe('unshare', ['unshare', '-m', '--propagation', 'private', sys.executable,
                           os.path.abspath(__file__)], env)


def private_dev(tmp):
    """A tmpfs on /dev with null, zero, random, urandom, full bound in; no /dev/log yet."""
    old = os.path.join(tmp, 'olddev')
    os.mkdir(old)
    subprocess.run(['mount', '--bind', '/dev', old], check=True)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'mode=755', 'tmpfs', '/dev'], check=True)
    for n in ('null', 'zero', 'random', 'urandom', 'full'):
        if os.path.exists(os.path.join(old, n)):
            open('/dev/' + n, 'w').close()
            subprocess.run(['mount', '--bind', os.path.join(old, n), '/dev/' + n], check=True)
    # The nodes stay bound; the old /dev goes, so nothing can delete through it.
    subprocess.run(['umount', old], check=True)
    os.rmdir(old)
    os.rmdir(tmp)


class Syslog:
    def __init__(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind('/dev/log')
        os.chmod('/dev/log', 0o666)
        self.got = []

    def drain(self, until=None, timeout=5.0):
        """Reads datagrams until until(lines) holds or timeout; returns all so far."""
        end = time.monotonic() + timeout
        while True:
            if until is not None and until(self.got):
                return self.got
            left = end - time.monotonic()
            if left <= 0:
                return self.got
            self.sock.settimeout(min(left, 0.2))
            try:
                self.got.append(self.sock.recv(65536).decode('utf-8', 'replace'))
            except socket.timeout:
                if until is None:
                    return self.got


def parsed(lines):
    out = []
    for l in lines:
        m = LINE.match(l)
        out.append((int(m.group(1)), int(m.group(3)), m.group(4)) if m else (None, None, l))
    return out


def with_text(lines, text):
    return [p for p in parsed(lines) if text in p[2]]


SUMMARY = ('spf=none (sender IP is 192.0.2.10) smtp.mailfrom=example.org, iprev=pass '
           'policy.iprev=192.0.2.10 (mail.example.org), dkim=none (message not signed) '
           'header.d=none, dmarc=none action=none header.from=example.org, arc=none, '
           'compauth=fail reason=001, from=<alice@example.org> helo=mail.example.org '
           'client=[192.0.2.10] action=accept')


def send(d, qid):
    with d.client() as c:
        return M.send_message(c, H.message(), client_ip='192.0.2.10', qid=qid)


def test_detached(log):
    d = H.Daemon('basic.zone', tag='syslog', settings=[('log_level', 'info')])
    st = subprocess.run([d.binary, '-c', d.conf], capture_output=True, timeout=20)
    tap.is_((st.returncode, st.stdout, st.stderr), (0, b'', b''),
            'detached start: exit 0 once ready, nothing on stdout or stderr')
    with open(d.pidfile) as f:
        pid = int(f.read())
    d.adopt(pid)
    d.wait_ready()
    send(d, 'SYSLOG1')
    got = log.drain(lambda ls: with_text(ls, 'SYSLOG1: '))
    for l in got:
        tap.diag('datagram: %s' % l)
    tap.is_(with_text(got, 'SYSLOG1: '), [(22, pid, 'SYSLOG1: ' + SUMMARY)],
            'summary: <22> (mail.info), compauthd[pid of the pidfile], the text line '
            'without our timestamp or level')
    ready = with_text(got, ' ready (pid %d)' % pid)
    tap.is_([(p, q) for p, q, _ in ready], [(21, pid)], 'start-up line: <21> (mail.notice)')
    tap.ok(got and all(LINE.match(l) for l in got), 'every datagram is <PRI>...compauthd[pid]: ',
           got[:3])
    tap.is_([p for p in parsed(got) if p[0] == 23], [],
            'log_level = info: no debug line (<23>) is sent')
    tap.ok(not any(re.search(r'\d\d:\d\d:\d\d\.\d{3}Z|compauthd\[(info|notice)\]', l) for l in got),
           'no timestamp or level of ours in the message (syslog stamps it)', got[:2])

    # Reload: facility, format and level change for the very next line.
    d.set(('syslog_facility', 'local3'), ('log_format', 'json'), ('log_level', 'debug'))
    n = len(log.got)
    d.signal(signal.SIGHUP)
    got = log.drain(lambda ls: with_text(ls[n:], 'configuration reloaded'))[n:]
    tap.is_([(p, q) for p, q, _ in with_text(got, 'configuration reloaded')], [(157, pid)],
            'SIGHUP to local3: the reload line is already <157> (local3.notice)')
    n = len(log.got)
    send(d, 'SYSLOG2')
    got = log.drain(lambda ls: with_text(ls[n:], '"msg":"spf='))[n:]
    for l in got:
        if '"level":"info"' in l:
            tap.diag('datagram: %s' % l)
    summ = with_text(got, '"qid":"SYSLOG2"')
    objs = []
    for p, q, text in summ:
        try:
            objs.append((p, q, json.loads(text)))
        except ValueError:
            objs.append((p, q, text))
    tap.is_([o for o in objs if o[0] == 158],
            [(158, pid, {'level': 'info', 'qid': 'SYSLOG2', 'msg': SUMMARY})],
            'json under syslog: the summary is <158> (local3.info) and the JSON object as the message')
    tap.ok(any(p == 159 for p, _, _ in summ),
           'log_level = debug after the reload: debug lines at <159> (local3.debug)',
           [s[:60] for _, _, s in summ])
    tap.ok(summ and all(p in (158, 159, 157, 156, 155) for p, _, _ in summ),
           'every line about the message is under local3', [p for p, _, _ in summ])
    n = len(log.got)
    rc, _ = d.stop()
    got = log.drain(lambda ls: with_text(ls[n:], '"msg":"stopped"'))[n:]
    tap.is_([(p, q) for p, q, _ in with_text(got, '"msg":"stopped"')], [(157, pid)],
            'SIGTERM: "stopped" at local3.notice')


def test_foreground(log):
    n = len(log.got)
    d = H.Daemon('basic.zone', tag='syslogfg', settings=[('log_level', 'info')]).start()
    send(d, 'SYSLOGFG')
    d.stop()
    log.drain(timeout=0.5)
    tap.is_(log.got[n:], [], 'foreground (-f): nothing is sent to /dev/log')
    tap.ok(' SYSLOGFG: spf=none ' in d.log(), 'foreground: the summary is on standard error')


def test_config():
    d = H.Daemon('basic.zone', tag='syslogconf')
    for v, want in (('LOCAL5', 'local5'), ('daemon', 'daemon'), ('user', 'user'),
                    ('local0', 'local0'), ('local7', 'local7'), ('Mail', 'mail')):
        d.set(('syslog_facility', v))
        rc, out, err = H.run_cmd(['-n', '-c', d.conf])
        tap.ok(rc == 0 and ('syslog_facility = %s\n' % want) in out,
               'syslog_facility = %s: accepted, dumped as %s' % (v, want), err)
    for v in ('kern', 'local8', 'LOG_MAIL', '""'):
        d.set(('syslog_facility', None))
        d.write_conf(''.join('%s = %s\n' % (k, H._quote(x)) for k, x in d.settings if x is not None)
                     + 'syslog_facility = %s\n' % v)
        rc, out, err = H.run_cmd(['-n', '-c', d.conf])
        shown = '' if v == '""' else v
        tap.ok(rc == 78 and err.endswith(
            'syslog_facility: expected one of mail, daemon, user, local0, local1, local2, '
            'local3, local4, local5, local6 or local7, got \'%s\'\n' % shown),
            'syslog_facility = %s: configuration error (78) naming the words' % v, (rc, err))


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    if os.environ.get(NS_MARK) != '1':
        reexec_in_namespace()
    tmp = tempfile.mkdtemp(prefix='cad-syslog-')
    private_dev(tmp)
    log = Syslog()
    test_config()
    test_detached(log)
    test_foreground(log)


if __name__ == '__main__':
    tap.run(main)
