"""
Postfix end to end: a private Postfix instance (its own config, queue and
data directories; /etc/postfix is only read) receives mail on port 10025
with conf/postfix-main.cf.snippet applied, asks compauthd through its
milter socket, and relays to smtp-sink on 10026; a chrooted smtpd on 10029
uses the snippet's chroot path. swaks presents each client address and
name with XCLIENT (smtpd_authorized_xclient_hosts). Checked on the
delivered message or the SMTP reply: our one Authentication-Results header
on top with the exact spf, iprev and dkim results (an RFC 8463 signed
message among them, so both signatures must survive the MTA), a forged
header claiming our authserv-id removed, 451 4.7.0 on a DNS failure with
on_dns_error = tempfail, and milter_default_action (451 4.7.1) once
compauthd is gone. Runs in its own network namespace.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import os
import shutil
import time

import mtalib as L

tap = L.tap
SMTPD_PORT = 10025
SINK_PORT = 10026
CHROOT_PORT = 10029


class Postfix:
    """
    A private instance below run_dir. Its queue directory holds the milter
    socket's directory, as the snippet's chroot case says: the unchrooted
    smtpd on SMTPD_PORT names the socket by its full path, the chrooted one
    on CHROOT_PORT by the snippet's path inside the chroot.
    """

    def __init__(self, run_dir):
        self.etc = os.path.join(run_dir, 'postfix', 'etc')
        self.spool = os.path.join(run_dir, 'postfix', 'spool')
        self.data = os.path.join(run_dir, 'postfix', 'data')
        self.maillog = os.path.join(run_dir, 'postfix', 'maillog')
        self.run_dir = run_dir
        os.makedirs(self.etc)
        os.makedirs(self.spool)
        os.mkdir(self.data, 0o700)
        shutil.chown(self.data, 'postfix', 'postfix')
        sockdir = os.path.join(self.spool, 'compauthd')
        os.mkdir(sockdir)
        os.chmod(sockdir, 0o750)
        shutil.chown(sockdir, 'root', 'postfix')
        self.milter_socket = os.path.join(sockdir, 'compauthd.sock')
        self.started = False

    def configure(self):
        shutil.copy('/usr/share/postfix/master.cf.dist',
                    os.path.join(self.etc, 'master.cf'))
        open(os.path.join(self.etc, 'main.cf'), 'w').close()
        settings = L.postfix_settings(self.spool, self.data, self.maillog,
                                      self.run_dir, SINK_PORT)
        # The documented snippet itself, with the test's socket path.
        settings += [ln.replace(L.SNIPPET_SOCKET, self.milter_socket)
                     for ln in L.snippet_lines('postfix-main.cf.snippet')]
        self.postconf(['-e'] + settings)
        self.postconf(['-F', '*/*/chroot = n'])
        self.postconf(['-MX', 'smtp/inet'])
        self.postconf(['-Me', '%d/inet = %d inet n - n - - smtpd'
                       % (SMTPD_PORT, SMTPD_PORT)])
        chroot = [ln for ln in L.snippet_lines('postfix-main.cf.snippet',
                                               commented=True)
                  if ln.startswith('smtpd_milters = ')]
        self.chroot_milters = chroot[0].split(' = ', 1)[1] if chroot else None
        if self.chroot_milters:
            self.postconf(['-Me', '%d/inet = %d inet n - y - - smtpd '
                           '-o smtpd_milters=%s' % (CHROOT_PORT, CHROOT_PORT,
                                                    self.chroot_milters)])

    def postconf(self, args):
        rc, out = L.run(['postconf', '-c', self.etc] + args)
        if rc != 0:
            raise RuntimeError('postconf %s: %s' % (args, out))

    def get(self, name):
        return L.run(['postconf', '-c', self.etc, '-h', name])[1].strip()

    def start(self):
        rc, out = L.run(['postfix', '-c', self.etc, 'start'], timeout=60)
        if rc != 0:
            raise RuntimeError('postfix start: %s\n%s' % (out, self.log()))
        self.started = True
        L.at_exit(self.stop)
        if not L.wait_tcp(SMTPD_PORT):
            raise RuntimeError('postfix smtpd not listening\n' + self.log())

    def stop(self):
        if self.started:
            L.run(['postfix', '-c', self.etc, 'stop'], timeout=60)
            self.started = False

    def log(self):
        try:
            with open(self.maillog, errors='replace') as f:
                return f.read()
        except OSError:
            return ''


def xclient(ip, name):
    return ['--xclient-addr', ip, '--xclient-name', name,
            '--xclient-helo', name]


def main():
    for tool in ('postfix', 'postconf', 'smtp-sink', 'swaks'):
        if shutil.which(tool) is None and not os.path.exists('/usr/sbin/' + tool):
            tap.skip_all('%s is not installed (Debian packages postfix, swaks)'
                         % tool)
    os.environ['PATH'] += ':/usr/sbin:/sbin'
    if L.harness.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    why = L.enter_netns()
    if why:
        tap.skip_all(why)

    t0 = time.monotonic()
    run_dir = L.rundir('pf')
    pf = Postfix(run_dir)
    cad = L.compauthd(pf.milter_socket)
    sink = L.Sink(run_dir, SINK_PORT)
    pf.configure()
    t1 = time.monotonic()
    pf.start()
    tap.diag('postfix start %.2fs' % (time.monotonic() - t1))

    tap.is_((pf.get('smtpd_milters'), pf.get('milter_default_action')),
            ('unix:' + pf.milter_socket, 'tempfail'),
            'the snippet sets smtpd_milters and milter_default_action')

    # Results of each client, exact; our header above Postfix's Received.
    for marker, ip, name, mail_from, demo, expected, why in L.CLIENTS:
        reply, out = L.swaks(SMTPD_PORT, L.client_message(marker, demo),
                             mail_from=mail_from, helo=name,
                             extra=xclient(ip, name))
        tap.ok(reply is not None and reply.startswith('250 2.0.0 Ok: queued'),
               'client %s (%s): accepted' % (ip, why), out)
        L.check_ours(sink.find(marker.encode()), expected, 0,
                     'client %s (%s)' % (ip, why))
        L.check_qid(cad, reply, 'queued as (\\S+)',
                    'client %s (%s)' % (ip, why))

    # The chroot case: a chrooted smtpd reaches the socket by the snippet's
    # path relative to the queue directory (its working directory, chrooted
    # or not; tests/mta/t_chroot.py covers both).
    tap.is_(pf.chroot_milters, 'unix:compauthd/compauthd.sock',
            'chroot case: the snippet names the socket relative to the queue directory')
    if pf.chroot_milters:
        marker, ip, name, mail_from, demo, expected, why = L.CLIENTS[0]
        reply, out = L.swaks(CHROOT_PORT, L.message('pf-chroot'), helo=name,
                             extra=xclient(ip, name))
        tap.ok(reply is not None and reply.startswith('250 2.0.0 Ok: queued'),
               'chrooted smtpd: accepted', out)
        L.check_ours(sink.find(b'pf-chroot'), expected, 0,
                     'chrooted smtpd (%s)' % why)

    # Forged results claiming our authserv-id are removed.
    _, ip, name, _, _, expected, _ = L.CLIENTS[0]
    reply, out = L.swaks(SMTPD_PORT, L.message('pf-forged', L.FORGED),
                         helo=name, extra=xclient(ip, name))
    tap.ok(reply is not None and reply.startswith('250 '),
           'forged A-R: accepted', out)
    got = sink.find(b'pf-forged')
    L.check_ours(got, expected, 0, 'forged A-R')
    L.check_forged(got, 'forged A-R')

    # A DNS failure with on_dns_error = tempfail: 451 4.7.0 after DATA when
    # it prevents the verdict, delivered when it does not.
    L.check_dns_error(
        lambda data, mail_from, ip, name: L.swaks(
            SMTPD_PORT, data, mail_from=mail_from, helo=name,
            extra=xclient(ip, name)), sink, 'Postfix')

    L.check_dmarc_reject(
        lambda data, mail_from, ip, name: L.swaks(
            SMTPD_PORT, data, mail_from=mail_from, helo=name,
            extra=xclient(ip, name)), sink, 'From: example.com')

    # ARC sealing on (reload): the delivered set verifies.
    L.check_sealed(cad, lambda data, mail_from, ip, name: L.swaks(
        SMTPD_PORT, data, mail_from=mail_from, helo=name,
        extra=xclient(ip, name)), sink, 'Postfix')

    # compauthd gone: Postfix applies milter_default_action = tempfail.
    cad.kill()
    reply, out = L.swaks(SMTPD_PORT, L.message('pf-nomilter'),
                         helo=L.CLIENTS[0][2],
                         extra=xclient(L.CLIENTS[0][1], L.CLIENTS[0][2]))
    tap.ok(reply is not None and reply.startswith('451 4.7.1 '),
           'milter stopped: milter_default_action = tempfail gives 451 4.7.1',
           out)
    tap.is_(sink.find(b'pf-nomilter', timeout=0.5), None,
            'milter stopped: nothing delivered')

    pf.stop()
    tap.diag('total %.2fs' % (time.monotonic() - t0))
    if os.environ.get('MTA_DEBUG'):
        tap.diag(pf.log())
        tap.diag(cad.log())


tap.run(main)
