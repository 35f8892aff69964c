"""
Sendmail end to end: Debian's sendmail-bin and sendmail-cf, never
installed (Sendmail and Postfix conflict as packages) but fetched with
apt-get download and unpacked into the build tree once, run as a private
daemon on port 10027 from a .cf built out of a private .mc plus
conf/sendmail.mc.snippet; it asks compauthd through its milter socket and
relays to smtp-sink on 10028. Sendmail has no XCLIENT, so each client
address is put on the loopback of the test's own network namespace and
swaks sends from it. Checked: our one Authentication-Results header on
top with the exact spf, iprev and dkim results (an RFC 8463 signed message
among them), a forged one claiming our authserv-id removed,
451 4.7.0 on a DNS failure with on_dns_error = tempfail, and F=T
(451 4.3.2) once compauthd is gone.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import os
import shutil
import time

import mtalib as L

tap = L.tap
SMTPD_PORT = 10027
SINK_PORT = 10028
CACHE = os.path.join(L.BUILDDIR, 'tests', 'mta', 'sendmail-root')
BINARY = os.path.join(CACHE, 'usr', 'libexec', 'sendmail', 'sendmail')
CF_DIR = os.path.join(CACHE, 'usr', 'share', 'sendmail', 'cf')


def fetch():
    """Unpacks sendmail-bin and sendmail-cf into CACHE once; returns a
    reason when that is impossible (no network, no package lists)."""
    if os.access(BINARY, os.X_OK) and os.path.isdir(CF_DIR):
        return None
    for tool in ('apt-get', 'dpkg-deb'):
        if shutil.which(tool) is None:
            return 'Sendmail not unpacked and no %s to fetch it' % tool
    tmp = '%s.tmp.%d' % (CACHE, os.getpid())
    debs = os.path.join(tmp, 'debs')
    os.makedirs(debs)
    try:
        rc, out = L.run(['apt-get', 'download', '-q', 'sendmail-bin',
                         'sendmail-cf'], cwd=debs, timeout=180)
        if rc != 0:
            return ('apt-get download sendmail-bin sendmail-cf failed '
                    '(network or package lists unavailable): %s'
                    % (out.strip().splitlines() or ['?'])[-1])
        for f in sorted(os.listdir(debs)):
            rc, out = L.run(['dpkg-deb', '-x', os.path.join(debs, f), tmp])
            if rc != 0:
                return 'dpkg-deb -x %s failed: %s' % (f, out.strip())
        shutil.rmtree(debs)
        try:
            os.rename(tmp, CACHE)
        except OSError:   # another run unpacked it meanwhile
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not os.access(BINARY, os.X_OK):
        return 'no %s in the unpacked packages' % BINARY
    return None


def missing_libraries():
    rc, out = L.run(['ldd', BINARY])
    return [ln.split()[0] for ln in out.splitlines() if 'not found' in ln]


MC = """\
divert(-1)
Private Sendmail of the compauthd e2e test.
divert(0)dnl
OSTYPE(`linux')dnl
define(`confDOMAIN_NAME', `{host}')dnl
define(`confSERVICE_SWITCH_FILE', `{sm}/service.switch')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confBIND_OPTS', `-DNSRCH -DEFNAMES')dnl
define(`QUEUE_DIR', `{sm}/mqueue')dnl
define(`confPID_FILE', `{sm}/sendmail.pid')dnl
define(`STATUS_FILE', `{sm}/sendmail.st')dnl
define(`confHOST_STATUS_DIRECTORY', `{sm}/hoststat')dnl
define(`HELP_FILE', `{root}/etc/mail/helpfile')dnl
define(`MAIL_SETTINGS_DIR', `{sm}/')dnl
undefine(`ALIAS_FILE')dnl
define(`confDONT_BLAME_SENDMAIL', `TrustStickyBit')dnl
define(`SMART_HOST', `relay:[127.0.0.1]')dnl
define(`RELAY_MAILER_ARGS', `TCP $h {sink}')dnl
define(`ESMTP_MAILER_ARGS', `TCP $h {sink}')dnl
define(`SMTP_MAILER_ARGS', `TCP $h {sink}')dnl
define(`SMTP8_MAILER_ARGS', `TCP $h {sink}')dnl
define(`DSMTP_MAILER_ARGS', `TCP $h {sink}')dnl
FEATURE(`nocanonify')dnl
FEATURE(`no_default_msa')dnl
FEATURE(`accept_unresolvable_domains')dnl
FEATURE(`accept_unqualified_senders')dnl
FEATURE(`promiscuous_relay')dnl
DAEMON_OPTIONS(`Name=MTA-test, Family=inet, Addr=127.0.0.1, Port={port}')dnl
{snippet}
MAILER(`smtp')dnl
"""


class Sendmail:
    def __init__(self, run_dir, milter_socket):
        self.sm = os.path.join(run_dir, 'sendmail')
        os.makedirs(os.path.join(self.sm, 'hoststat'))
        os.makedirs(os.path.join(self.sm, 'mqueue'), 0o700)
        with open(os.path.join(self.sm, 'service.switch'), 'w') as f:
            f.write('hosts files\naliases files\n')
        snippet = '\n'.join(ln.replace(L.SNIPPET_SOCKET, milter_socket)
                            for ln in L.snippet_lines('sendmail.mc.snippet'))
        mc = os.path.join(self.sm, 'sendmail.mc')
        with open(mc, 'w') as f:
            f.write(MC.format(host=L.HOSTNAME, sm=self.sm, root=CACHE,
                              sink=SINK_PORT, port=SMTPD_PORT,
                              snippet=snippet))
        self.cf = os.path.join(self.sm, 'sendmail.cf')
        with open(self.cf, 'wb') as out:
            rc, err = L.run(['m4', '-D_CF_DIR_=%s/' % CF_DIR,
                             os.path.join(CF_DIR, 'm4', 'cf.m4'), mc],
                            stdout=out, stderr=L.subprocess.PIPE)
        if rc != 0:
            raise RuntimeError('m4: %s' % err)
        self.pidfile = os.path.join(self.sm, 'sendmail.pid')
        self.traffic = os.path.join(self.sm, 'traffic.log')
        self.pid = None

    def start(self):
        rc, out = L.run([BINARY, '-C', self.cf, '-X', self.traffic, '-bd'],
                        timeout=30)
        if rc != 0:
            raise RuntimeError('sendmail -bd exited %d: %s' % (rc, out))
        L.at_exit(self.stop)
        if not L.wait_tcp(SMTPD_PORT):
            raise RuntimeError('sendmail not listening on %d' % SMTPD_PORT)
        with open(self.pidfile) as f:
            self.pid = int(f.readline())

    def stop(self):
        if self.pid is None:
            return
        try:
            os.kill(self.pid, 15)
        except ProcessLookupError:
            pass
        end = time.monotonic() + 10
        while time.monotonic() < end and \
                L.harness.process_state(self.pid) not in (None, 'Z'):
            time.sleep(0.02)
        self.pid = None


def from_ip(ip):
    return ['--local-interface', ip]


def main():
    for tool in ('smtp-sink', 'swaks', 'm4'):
        if shutil.which(tool) is None and not os.path.exists('/usr/sbin/' + tool):
            tap.skip_all('%s is not installed (Debian packages postfix, swaks, m4)'
                         % tool)
    os.environ['PATH'] += ':/usr/sbin:/sbin'
    if L.harness.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    if os.environ.get('CAD_MTA_NETNS') != '1':
        # The network is only reachable outside the private namespace.
        why = fetch()
        if why:
            tap.skip_all(why)
        libs = missing_libraries()
        if libs:
            tap.skip_all('Sendmail needs %s (Debian packages libwrap0, '
                         'liblockfile1, ...)' % ', '.join(libs))
    why = L.enter_netns(L.ADDRESSES)
    if why:
        tap.skip_all(why)

    t0 = time.monotonic()
    run_dir = L.rundir('sm')
    cad = L.compauthd()
    sink = L.Sink(run_dir, SINK_PORT)
    sm = Sendmail(run_dir, cad.sockpath)
    t1 = time.monotonic()
    sm.start()
    tap.diag('sendmail .cf and start %.2fs' % (time.monotonic() - t1))

    with open(sm.cf) as f:
        cf = f.read()
    tap.ok('Xcompauthd, S=unix:%s, F=T,' % cad.sockpath in cf,
           'the snippet puts compauthd with F=T into sendmail.cf')

    # Results of each client, exact; our header above Sendmail's Received.
    for marker, ip, name, mail_from, demo, expected, why in L.CLIENTS:
        reply, out = L.swaks(SMTPD_PORT, L.client_message(marker, demo),
                             mail_from=mail_from, helo=name,
                             extra=from_ip(ip))
        tap.ok(reply is not None and reply.startswith('250 2.0.0 ') and
               'Message accepted for delivery' in reply,
               'client %s (%s): accepted' % (ip, why), out)
        L.check_ours(sink.find(marker.encode()), expected, 0,
                     'client %s (%s)' % (ip, why))
        L.check_qid(cad, reply, '^250 2\\.0\\.0 (\\S+) ',
                    'client %s (%s)' % (ip, why))

    _, ip, name, _, _, expected, _ = L.CLIENTS[0]
    reply, out = L.swaks(SMTPD_PORT, L.message('sm-forged', L.FORGED),
                         helo=name, extra=from_ip(ip))
    tap.ok(reply is not None and reply.startswith('250 '),
           'forged A-R: accepted', out)
    got = sink.find(b'sm-forged')
    L.check_ours(got, expected, 0, 'forged A-R')
    L.check_forged(got, 'forged A-R')

    L.check_dns_error(
        lambda data, mail_from, ip, name: L.swaks(
            SMTPD_PORT, data, mail_from=mail_from, helo=name,
            extra=from_ip(ip)), sink, 'Sendmail')

    L.check_dmarc_reject(
        lambda data, mail_from, ip, name: L.swaks(
            SMTPD_PORT, data, mail_from=mail_from, helo=name,
            extra=from_ip(ip)), sink, 'From: example.com')

    # ARC sealing on (reload): the delivered set verifies.
    L.check_sealed(cad, lambda data, mail_from, ip, name: L.swaks(
        SMTPD_PORT, data, mail_from=mail_from, helo=name,
        extra=from_ip(ip)), sink, 'Sendmail')

    cad.kill()
    reply, out = L.swaks(SMTPD_PORT, L.message('sm-nomilter'),
                         helo=L.CLIENTS[0][2], extra=from_ip(L.CLIENTS[0][1]))
    tap.ok(reply is not None and reply.startswith('451 4.3.2 '),
           'milter stopped: F=T gives 451 4.3.2', out)
    tap.is_(sink.find(b'sm-nomilter', timeout=0.5), None,
            'milter stopped: nothing delivered')

    sm.stop()
    tap.diag('total %.2fs' % (time.monotonic() - t0))
    if os.environ.get('MTA_DEBUG'):
        tap.diag(cad.log())


tap.run(main)
