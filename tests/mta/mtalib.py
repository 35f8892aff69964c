"""
What the MTA end-to-end suites (t_postfix.py, t_sendmail.py) share: a
private network and host name (unshare --net --uts, so the fixed ports
below cannot clash with anything else running and Sendmail finds a fully
qualified host name), compauthd started through tests/milter/harness.py on
the zone tests/mta/mta.zone, smtp-sink as the next hop that keeps every
delivered message in a file, swaks as the sending client, and the checks
on the Authentication-Results header of a delivered message. Everything
started here is stopped at exit, whatever happened to the test.
"""

import atexit
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(HERE))
BUILDDIR = os.environ.get('top_builddir') or SRCDIR
sys.path.insert(0, os.path.join(SRCDIR, 'tests', 'milter'))

import harness  # noqa: E402
import tap  # noqa: E402

ZONE = os.path.join(SRCDIR, 'tests', 'mta', 'mta.zone')
AUTHSERV_ID = 'mx.test.example'
HOSTNAME = 'mx.test.example'
AR = 'Authentication-Results'
# The production socket path the conf/ snippets name; tests substitute theirs.
SNIPPET_SOCKET = '/run/compauthd/compauthd.sock'

_cleanups = []


def at_exit(fn):
    """Runs fn at exit, last registered first."""
    _cleanups.append(fn)


@atexit.register
def _run_cleanups():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # a failed stop must not hide the others
            sys.stderr.write('cleanup: %s\n' % e)


def run(args, **kw):
    kw.setdefault('stdout', subprocess.PIPE)
    kw.setdefault('stderr', subprocess.STDOUT)
    kw.setdefault('timeout', 30)
    p = subprocess.run(args, **kw)
    out = p.stdout.decode('utf-8', 'replace') if p.stdout is not None else ''
    return p.returncode, out


def enter_netns(addresses=()):
    """
    Re-executes the running script inside its own network and UTS
    namespaces, once. Inside: loopback up, each of addresses added to it
    (a client address Sendmail sees), host name HOSTNAME. Returns a reason
    when this machine cannot do it (the caller skips), None inside.
    """
    if os.environ.get('CAD_MTA_NETNS') != '1':
        if os.geteuid() != 0:
            return 'needs root (private network namespace, MTA daemons)'
        for tool in ('unshare', 'ip'):
            if shutil.which(tool) is None:
                return 'no %s(8) on this machine' % tool
        if run(['unshare', '--net', '--uts', 'true'])[0] != 0:
            return 'unshare --net --uts is not permitted here'
        env = dict(os.environ, CAD_MTA_NETNS='1')
        sys.stdout.flush()
        os.execvpe('unshare', ['unshare', '--net', '--uts', sys.executable,
                               os.path.abspath(sys.argv[0])] + sys.argv[1:],
                   env)
    socket.sethostname(HOSTNAME)
    for cmd in [['ip', 'link', 'set', 'lo', 'up']] + \
            [['ip', 'addr', 'add', a + '/32', 'dev', 'lo'] for a in addresses]:
        rc, out = run(cmd)
        if rc != 0:
            return '%s failed: %s' % (' '.join(cmd), out.strip())
    return None


def rundir(tag):
    """A private directory every daemon can reach (mktemp's 0700 would
    keep uid postfix out), removed at exit unless KEEP_TMP is set."""
    import tempfile
    d = tempfile.mkdtemp(prefix='cad-%s-' % tag)
    os.chmod(d, 0o755)

    def rm():
        if os.environ.get('KEEP_TMP'):
            sys.stderr.write('kept %s\n' % d)
        else:
            shutil.rmtree(d, ignore_errors=True)
    at_exit(rm)
    return d


def wait_tcp(port, host='127.0.0.1', timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection((host, port), timeout=1.0).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


def stop_process(proc, timeout=5.0):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def compauthd(socket_path=None):
    """compauthd on the e2e zone, its socket reachable by group postfix
    (at socket_path, or in the daemon's own directory)."""
    group = [('socket_group', 'postfix'), ('socket_mode', '0660')] \
        if _have_group('postfix') else [('socket_mode', '0666')]
    d = harness.Daemon(None, tag='mta', settings=[
        ('zone_file', ZONE), ('on_dns_error', 'tempfail'),
        ('message_dns_deadline', '1s'), ('dns_timeout', '1s'),
        ('dmarc_enforce', 'on'),
        # What a default install writes: compauth in a field of its own.
        ('authres_style', None)] + group)
    if socket_path:
        d.sockpath = d.addr = socket_path
        d.set(('socket', 'unix:' + socket_path))
    d.start()
    return d


def _have_group(name):
    import grp
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


class Sink:
    """smtp-sink on port: one file per delivered message."""

    def __init__(self, run_dir, port):
        self.dir = os.path.join(run_dir, 'sink-%d' % port)
        os.mkdir(self.dir)
        nobody = pwd.getpwnam('nobody')
        os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
        self.log = open(os.path.join(run_dir, 'sink-%d.log' % port), 'ab')
        self.proc = subprocess.Popen(
            ['smtp-sink', '-u', 'nobody', '-d',
             os.path.join(self.dir, '%H%M%S.'), '127.0.0.1:%d' % port, '100'],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        at_exit(self.stop)
        if not wait_tcp(port):
            raise RuntimeError('smtp-sink did not listen on %d' % port)

    def find(self, marker, timeout=10.0):
        """The delivered message containing marker (bytes), or None."""
        end = time.monotonic() + timeout
        while True:
            for f in sorted(os.listdir(self.dir)):
                with open(os.path.join(self.dir, f), 'rb') as fh:
                    data = fh.read()
                if marker in data:
                    return data
            if time.monotonic() >= end:
                return None
            time.sleep(0.05)

    def stop(self):
        stop_process(self.proc)
        self.log.close()


def postfix_settings(spool, data, maillog, run_dir, sink_port):
    """main.cf of a private Postfix (../shared/notes/mta-e2e.md): its own
    queue, data directory and log, no local delivery, relaying the test
    domains to the sink on sink_port, XCLIENT from localhost."""
    return [
        'compatibility_level = 3.6', 'queue_directory = ' + spool,
        'data_directory = ' + data, 'meta_directory = /etc/postfix',
        'maillog_file = ' + maillog,
        'maillog_file_prefixes = ' + run_dir,
        'myhostname = ' + HOSTNAME, 'mydestination =',
        'inet_interfaces = 127.0.0.1', 'inet_protocols = ipv4',
        'mynetworks = 127.0.0.0/8',
        'smtpd_relay_restrictions = permit_mynetworks, '
        'permit_auth_destination, reject',
        'relay_domains = example.com, example.net, example.org',
        'relayhost = [127.0.0.1]:%d' % sink_port,
        'smtpd_authorized_xclient_hosts = 127.0.0.1',
        'alias_maps =', 'alias_database =',
        'smtpd_tls_security_level = none', 'smtp_tls_security_level = none',
    ]


def message(marker, extra_headers=(), from_addr='alice@example.org'):
    """A small message; marker is its Message-ID's local part."""
    hdrs = list(extra_headers) + [
        'From: Alice <%s>' % from_addr,
        'To: Bob <bob@example.com>',
        'Subject: e2e %s' % marker,
        'Date: Wed, 25 Nov 2026 10:00:00 +0000',
        'Message-ID: <%s@example.org>' % marker,
    ]
    return ('\r\n'.join(hdrs) + '\r\n\r\nHello.\r\n').encode()


REPLY = re.compile(r'^<(?:\*\*|-) +(\d{3})([ -])(.*)$')


def swaks(port, data, mail_from='alice@example.org', helo='mail.example.org',
          extra=()):
    """
    One SMTP transaction; returns (final reply "NNN text" or None,
    transcript). The final reply is the server's last one before QUIT's.
    """
    args = ['swaks', '--server', '127.0.0.1:%d' % port, '--from', mail_from,
            '--to', 'bob@example.com', '--helo', helo, '--data', '-',
            '--timeout', '20', '--hide-informational'] + list(extra)
    rc, out = run(args, input=data, timeout=40)
    replies = []
    for line in out.splitlines():
        m = REPLY.match(line)
        if m and m.group(2) == ' ':
            replies.append('%s %s' % (m.group(1), m.group(3)))
    if replies and replies[-1].startswith('221 '):
        replies.pop()
    return (replies[-1] if replies else None), out


def headers_of(delivered):
    """
    The header fields of a message smtp-sink kept, as (name, value) with
    folds as "\\n", after dropping what smtp-sink itself puts above the
    message: its X-Client-Addr, X-Client-Proto, X-Helo-Args, X-Mail-Args and
    X-Rcpt-Args pseudo headers and its own Received line.
    """
    text = delivered.decode('utf-8', 'replace').replace('\r\n', '\n')
    head = text.split('\n\n', 1)[0]
    fields = []
    for line in head.split('\n'):
        if line[:1] in (' ', '\t') and fields:
            fields[-1][1] += '\n' + line
        elif ':' in line:
            name, value = line.split(':', 1)
            fields.append([name, value])
    pseudo = ('x-client-addr', 'x-client-proto', 'x-helo-args', 'x-mail-args',
              'x-rcpt-args')
    while fields and fields[0][0].lower() in pseudo:
        fields.pop(0)
    if fields and fields[0][0].lower() == 'received' and \
            'by smtp-sink (smtp-sink)' in fields[0][1]:
        fields.pop(0)
    return [tuple(f) for f in fields]


def authserv_id(value):
    return value.strip().split(';', 1)[0].strip().lower()


def resinfos(value):
    """The results of one A-R value, one string each (continuation lines
    joined with "\\n", the trailing ";" dropped)."""
    out = []
    for line in value.split('\n')[1:]:
        if line.startswith('\t\t') and out:
            out[-1] += '\n' + line
        else:
            out.append(line)
    return [r.rstrip().rstrip(';') for r in out]


# Methods this suite checks exactly; the others compauthd may add meanwhile
# (DMARC, the compauth verdict, ARC) are allowed but not asserted here.
CHECKED = ('spf', 'iprev', 'dkim')
OTHERS = ('dmarc', 'arc')


def check_ours(delivered, expected, top, what):
    """
    delivered: the message bytes, or None (not delivered). expected: the
    exact spf, iprev and dkim results in order, as resinfos() gives them.
    top: the index our header must have among the delivered header fields
    (0: first in the message, above the receiving MTA's own Received line).
    """
    if not tap.ok(delivered is not None, '%s: delivered' % what):
        return
    hdrs = headers_of(delivered)
    ours = [(i, v) for i, (n, v) in enumerate(hdrs)
            if n.lower() == AR.lower() and authserv_id(v) == AUTHSERV_ID]
    tap.is_(len(ours), 2, '%s: two Authentication-Results from us (the '
            'results, then the compauth verdict)' % what)
    if not ours:
        return
    i, v = ours[0]
    tap.is_((i, hdrs[i][0]), (top, AR), '%s: ours is header field %d'
            % (what, top))
    verdict = ours[1][1] if len(ours) > 1 else ''
    tap.ok(len(ours) > 1 and ours[1][0] == i + 1 and
           re.fullmatch(r' %s;\n\tcompauth=(pass|fail|none) reason=\d{3}'
                        % re.escape(AUTHSERV_ID), verdict) is not None,
           '%s: the compauth field right below it, alone' % what, repr(verdict))
    i = ours[-1][0]
    nxt = hdrs[i + 1] if i + 1 < len(hdrs) else ('', '')
    tap.ok(nxt[0].lower() == 'received' and 'by %s ' % HOSTNAME in nxt[1],
           '%s: the MTA\'s own Received line comes right after ours' % what,
           repr(nxt))
    tap.is_(v.split('\n', 1)[0], ' %s;' % AUTHSERV_ID,
            '%s: first line names our authserv-id' % what)
    res = resinfos(v)
    tap.is_([r for r in res if r.lstrip().split('=', 1)[0] in CHECKED],
            expected, '%s: spf, iprev and dkim results, exact text' % what)
    tap.is_([r for r in res if r.lstrip().split('=', 1)[0]
             not in CHECKED + OTHERS], [],
            '%s: no unexpected result' % what)
    # SpamAssassin, trusting our id, on the header as delivered: every
    # result of ours but the verdict (its field is the one it skips).
    sa = sa_reads(''.join('%s:%s\n' % (n, v) for n, v in hdrs))
    if sa is not None:
        tap.is_(sorted(e.split(' ')[0] for e in sa.split(';')),
                sorted(r.split()[0] for r in res),
                '%s: SpamAssassin reads every result of ours' % what)


def sa_reads(block):
    """What SpamAssassin's AuthRes plugin reads from a header block, or None
    when it is not installed (tests/authres_consumers.pl --block)."""
    p = subprocess.run(['perl', os.path.join(SRCDIR, 'tests', 'authres_consumers.pl'),
                        '--block', AUTHSERV_ID], input=(block.encode().hex() + '\n').encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    out = p.stdout.decode().strip()
    return None if out in ('', '?') else out


def spf(result, ip, domain='example.org'):
    return '\tspf=%s (sender IP is %s) smtp.mailfrom=%s' % (result, ip, domain)


def iprev(result, ip, name=None):
    return '\tiprev=%s policy.iprev=%s%s' % (
        result, ip, ' (%s)' % name if name else '')


DKIM_NONE = '\tdkim=none (message not signed) header.d=none'

def demo_message(name):
    """A message of conf/demo/messages with CRLF line ends."""
    with open(os.path.join(SRCDIR, 'conf', 'demo', 'messages', name),
              'rb') as f:
        return f.read().replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')


def dkim(result, domain, selector, alg, b, comment):
    return ('\tdkim=%s (%s) header.d=%s\n\t\theader.s=%s header.a=%s '
            'header.b=%s' % (result, comment, domain, selector, alg, b))


FOOTBALL = 'football.example.com'
# RFC 8463 Appendix A.3: one message, an ed25519-sha256 and an rsa-sha256
# signature (RFC 8601 §2.7.1 dkim results; header.b its first 8 characters,
# quoted when they are no token).
SIGNED_ID = b'20030712040037.46341.5F8J@football.example.com'

# marker (a unique Message-ID part), client address, PTR name presented,
# MAIL FROM, message, the results compauthd must stamp (zone
# tests/mta/mta.zone; RFC 7208 §2.6 spf, RFC 8601 §3 iprev), why
CLIENTS = [
    ('client-pass', '192.0.2.10', 'mail.example.org', 'alice@example.org',
     None,
     [spf('pass', '192.0.2.10'), iprev('pass', '192.0.2.10', 'mail.example.org'),
      DKIM_NONE], 'spf pass (ip4 in -all record), iprev pass, unsigned'),
    ('client-fail', '198.51.100.20', 'wrong.example.net', 'alice@example.org',
     None,
     [spf('fail', '198.51.100.20'),
      iprev('fail', '198.51.100.20', 'wrong.example.net'),
      DKIM_NONE], 'spf fail (outside -all record), iprev fail (PTR name '
     'maps elsewhere)'),
    (SIGNED_ID.decode(), '192.0.2.10', 'mail.example.org', 'joe@' + FOOTBALL,
     '4-signed.eml',
     [spf('pass', '192.0.2.10', FOOTBALL),
      iprev('pass', '192.0.2.10', 'mail.example.org'),
      dkim('pass', FOOTBALL, 'brisbane', 'ed25519-sha256', '"/gCrinpc"',
           'signature was verified'),
      dkim('pass', FOOTBALL, 'test', 'rsa-sha256', 'F45dVWDf',
           'signature was verified')],
     'RFC 8463 A.3 message, both DKIM signatures pass after the MTA'),
]


def client_message(marker, demo):
    return demo_message(demo) if demo else message(marker)


DNS_FAIL_IP = '192.0.2.40'   # PTR lookup times out (TIMEOUT in the zone)
# From: alice@dmarcslow.example.org: its DMARC lookup times out.
DMARC_REJECT_IP = '198.51.100.20'  # From: example.com, nothing aligned passes
ADDRESSES = sorted({c[1] for c in CLIENTS} | {DNS_FAIL_IP})

FORGED = ['Authentication-Results: MX.Test.Example; spf=pass '
          'smtp.mailfrom=example.org;\r\n\tdkim=pass header.d=example.org',
          'Authentication-Results: other.example; spf=fail '
          'smtp.mailfrom=example.org']


def check_forged(delivered, what):
    """The forged header claiming our authserv-id (other case, folded) is
    gone; the one of another authserv-id is kept (RFC 8601 §5)."""
    hdrs = headers_of(delivered or b'')
    ars = [v for n, v in hdrs if n.lower() == AR.lower()]
    tap.ok(not any('dkim=pass header.d=example.org' in v for v in ars),
           '%s: the forged A-R claiming our authserv-id is gone' % what,
           repr(ars))
    tap.is_([v for v in ars if authserv_id(v) == 'other.example'],
            [' other.example; spf=fail smtp.mailfrom=example.org'],
            '%s: the A-R of another authserv-id is kept' % what)


def snippet_lines(name, commented=False):
    """The setting lines of a conf/ snippet; with commented, the settings
    commented out with a single "#" (the snippet's alternatives)."""
    with open(os.path.join(SRCDIR, 'conf', name)) as f:
        lines = [ln.rstrip('\n') for ln in f if ln.strip()]
    if commented:
        return [ln[1:] for ln in lines if re.match(r'#[a-z_]+ = ', ln)]
    return [ln for ln in lines if not ln.lstrip().startswith(('#', 'dnl'))]


DMARC_SKIP = 'DMARC enforcement not implemented yet'
# compauthd refuses a DMARC p=reject failure at end of message (dmarc_enforce = on).
DMARC_ENFORCED = True


def check_dns_error(send, sink, what):
    """
    on_dns_error = tempfail through the MTA: a DMARC lookup that times out
    (no verdict, compauth 990) is 451 4.7.0 after DATA and nothing is
    delivered; a PTR timeout decides nothing, so that message is delivered
    with iprev=temperror and its verdict (SPF pass, no DMARC record: 109).
    send(data, mail_from, ip, name) -> (reply, transcript).
    """
    tag = what.split()[0].lower()
    reply, out = send(message('%s-dnsfail' % tag, from_addr='alice@dmarcslow.example.org'),
                      'alice@dmarcslow.example.org', CLIENTS[0][1], CLIENTS[0][2])
    tap.ok(reply is not None and reply.startswith('451 4.7.0 '),
           '%s: DMARC lookup times out, on_dns_error = tempfail: 451 4.7.0' % what, out)
    tap.is_(sink.find(('%s-dnsfail' % tag).encode(), timeout=0.5), None,
            '%s: DMARC lookup times out: nothing delivered' % what)
    reply, out = send(message('%s-ptrslow' % tag), 'alice@example.org', DNS_FAIL_IP,
                      'slow.example.org')
    got = sink.find(('%s-ptrslow' % tag).encode())
    tap.ok(reply is not None and reply.startswith('250 ') and got is not None,
           '%s: PTR timeout, on_dns_error = tempfail: delivered' % what, out)
    ours = [v for n, v in headers_of(got or b'') if n.lower() == AR.lower() and
            authserv_id(v) == AUTHSERV_ID]
    tap.ok(len(ours) == 2 and 'iprev=temperror' in ours[0] and
           ours[1].endswith('compauth=pass reason=109'),
           '%s: PTR timeout: iprev=temperror stamped, compauth=pass reason=109' % what,
           repr(ours))


def check_dmarc_reject(send, sink, what):
    """
    RFC 7489 §6.6.2 / §10.3: mail From: example.com (p=reject) that neither
    aligned SPF nor DKIM passes is refused at SMTP with our text and never
    delivered. send(data, mail_from, ip, name) -> (reply, transcript).
    """
    name = '%s: DMARC p=reject failure refused at SMTP with 550 5.7.1' % what
    if not DMARC_ENFORCED:
        tap.skip(name, DMARC_SKIP)
        return
    reply, out = send(message('dmarc-reject', from_addr='alice@example.com'),
                      'alice@example.com', DMARC_REJECT_IP, 'wrong.example.net')
    tap.ok(reply is not None and reply.startswith('550 5.7.1 ') and
           'dmarc' in reply.lower(), name, out)
    tap.is_(sink.find(b'dmarc-reject', timeout=0.5), None,
            '%s: DMARC p=reject failure not delivered' % what)


def check_sealed(cad, send, sink, what):
    """
    ARC sealing through the MTA (RFC 8617 section 5.1): once arc_sign_* are
    set (SIGHUP reload), the delivered message carries our ARC-Seal,
    ARC-Message-Signature and ARC-Authentication-Results, in that order,
    directly above our Authentication-Results, and python3-dkim and
    Mail::DKIM verify the chain from the delivered bytes.
    send(data, mail_from, ip, name).
    """
    import dkim
    priv, txt = harness.rsa_key()
    keyfile = os.path.join(cad.tmp, 'seal.pem')
    with open(keyfile, 'wb') as f:
        f.write(priv)
    os.chmod(keyfile, 0o600)
    cad.set(('arc_sign_domain', harness.AUTHSERV_ID), ('arc_sign_selector', 'seal'),
            ('arc_sign_key', keyfile))
    cad.signal(1)
    time.sleep(0.5)
    marker, ip, name, mail_from = CLIENTS[0][:4]
    reply, out = send(message('%s-sealed' % what.split()[0].lower()), mail_from, ip, name)
    got = sink.find(('%s-sealed' % what.split()[0].lower()).encode())
    tap.ok(reply is not None and reply.startswith('250 ') and got is not None,
           '%s: sealed message delivered' % what, out)
    if got is None:
        return
    names = [n.lower() for n, _ in headers_of(got)]
    at = names.index('arc-seal') if 'arc-seal' in names else -1
    tap.is_(names[at:at + 4] if at >= 0 else names[:4],
            ['arc-seal', 'arc-message-signature', 'arc-authentication-results',
             'authentication-results'],
            '%s: ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results, then our '
            'Authentication-Results' % what)
    want = ('seal._domainkey.%s.' % harness.AUTHSERV_ID).encode()
    cv, _, why = dkim.arc_verify(got, dnsfunc=lambda n, timeout=5: txt.encode() if n == want
                                 else b'')
    tap.is_(cv, b'pass', '%s: python3-dkim verifies the delivered ARC set (%s)' % (what, why))
    keys = os.path.join(cad.tmp, 'keys.tsv')
    with open(keys, 'w') as f:
        f.write('%s\t%s\n' % (want.decode().rstrip('.'), txt))
    p = subprocess.run(['perl', os.path.join(SRCDIR, 'tests', 'arc', 'arc_verify.pl'), keys],
                       input=got, capture_output=True)
    res = (p.stdout + p.stderr).decode().strip()
    tap.ok(res.split(' ')[0] == 'pass', '%s: Mail::DKIM verifies the delivered ARC set' % what, res)


def check_qid(cad, reply, pattern, what):
    """compauthd logs the message under the MTA's queue id (the {i} macro),
    the one the MTA's reply names."""
    m = re.search(pattern, reply or '')
    tap.ok(m is not None and ('%s: spf=' % m.group(1)) in cad.log(),
           '%s: compauthd logs the result under the MTA\'s queue id' % what,
           'reply %r' % reply)
