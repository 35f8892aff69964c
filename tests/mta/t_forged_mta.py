"""
Forged Authentication-Results through the real MTAs (CVE-2022-48521:
OpenDKIM lost track of which field it removed).  compauthd deletes every
field claiming our authserv-id by its ordinal among the fields of that
name (SMFIR_CHGHEADER), highest first; each MTA counts those fields its
own way: Postfix matches the name case-insensitively, Sendmail keeps a
deleted field in its count.  So each message below goes through the
private Postfix and the private Sendmail of t_postfix.py and t_sendmail.py
(one network namespace, both at once), and the delivered header must be
exactly: our Authentication-Results, the MTA's Received line, then every
field that was sent except the forged ones, byte for byte and in order.

Forged fields stand first, last, between other Authentication-Results,
after 1000 other fields (beyond max_headers), under every spelling of the
name (lower case, upper case, white space before the colon, folded right
after the colon) and of our id, and with NUL bytes: the milter sees a
value up to its first NUL; Postfix 3.7 then delivers the field cut there,
Sendmail 8.17 without its NUL bytes ("a<NUL>b" as "ab"), so a field whose
visible part is blank, unterminated or without ';' must go.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import os
import shutil
import re
import time

import mtalib as L

tap = L.tap
ID = L.AUTHSERV_ID


def _load_suites():
    """The Postfix and Sendmail set-ups of t_postfix.py and t_sendmail.py,
    without running those scripts (each ends in tap.run(main))."""
    run = tap.run
    tap.run = lambda main: None
    try:
        import t_postfix
        import t_sendmail
    finally:
        tap.run = run
    return t_postfix, t_sendmail


PF, SM = _load_suites()

# Fields of others, kept byte for byte (look-alikes of our id among them).
OTHER = [
    b'Authentication-Results: other.example; spf=fail smtp.mailfrom=example.org',
    b'Authentication-Results: mx.test.example.evil; dkim=pass header.d=example.org',
    b'authentication-results: relay.example;\r\n\tdmarc=pass header.from=example.org',
    b'Authentication-Results: xmx.test.example; spf=pass smtp.mailfrom=example.org',
]
# Fields claiming our id, one spelling each.
FORGED = [
    b'Authentication-Results: mx.test.example; dkim=pass header.d=example.org',
    b'authentication-results: mx.test.example; spf=pass smtp.mailfrom=example.org',
    b'AUTHENTICATION-RESULTS: MX.TEST.EXAMPLE; dmarc=pass header.from=example.org',
    b'Authentication-Results : mx.test.example; arc=pass',
    b'Authentication-Results:\r\n mx.test.example; dkim=pass header.d=example.org',
    b'Authentication-Results: mx.test."example"; spf=pass smtp.mailfrom=example.org',
    b'Authentication-Results: mx.test.example\x0b; dmarc=pass header.from=example.org',
    b'Authentication-Results: (ours) mx.test.exampl\\e 1; dkim=pass header.d=example.org',
    b'Authentication-Results:\t=?us-ascii?q?mx.test.example?=; spf=pass',
]
PAD = [b'X-Pad-%d: %d' % (i, i) for i in range(1000)]


def base(marker):
    return [b'From: Alice <alice@example.org>', b'To: Bob <bob@example.com>',
            b'Subject: forged %s' % marker.encode(),
            b'Date: Wed, 25 Nov 2026 10:00:00 +0000',
            b'Message-ID: <%s@example.org>' % marker.encode()]


def cases():
    """(name, marker, [(field, forged)])"""
    f, o = FORGED, OTHER
    out = [
        ('forged first', [(f[0], 1)], [(o[0], 0)]),
        ('forged last', [(o[0], 0)], [(f[0], 1)]),
        ('between other fields', [(o[0], 0), (f[0], 1), (o[1], 0), (f[1], 1), (o[2], 0)], []),
        ('every spelling, interleaved',
         [x for i, s in enumerate(f) for x in ((s, 1), (o[i % len(o)], 0))], []),
        ('only forged ones', [(s, 1) for s in f], []),
        ('after 1000 fields', [], [(p, 0) for p in PAD] +
         [(o[0], 0), (f[0], 1), (o[1], 0), (f[3], 1), (f[4], 1), (o[3], 0), (f[2], 1)]),
        ('NUL bytes (the milter sees a value up to its first NUL)',
         [(b'Authentication-Results: \x00mx.test.example; spf=pass', 1), (o[0], 0),
          (b'Authentication-Results: mx.test.ex\x00ample; spf=pass', 1),
          (b'Authentication-Results: (x\x00) mx.test.example; spf=pass', 1)], []),
        ('empty and blank fields', [(b'Authentication-Results:', 1), (o[0], 0),
                                    (b'Authentication-Results:   ', 1)], []),
    ]
    return [(name, 'fm%d' % i, before, after) for i, (name, before, after) in enumerate(out)]


def message(marker, before, after):
    lines = [h for h, _ in before] + base(marker) + [h for h, _ in after]
    return b'\r\n'.join(lines) + b'\r\n\r\nHello.\r\n'


def fields(delivered):
    """The header fields of a delivered message as raw bytes (folds kept
    as CRLF), without what smtp-sink puts above the message."""
    head = delivered.replace(b'\r\n', b'\n').split(b'\n\n', 1)[0]
    out = []
    for line in head.split(b'\n'):
        if line[:1] in (b' ', b'\t') and out:
            out[-1] += b'\r\n' + line
        else:
            out.append(line)
    pseudo = (b'x-client-addr:', b'x-client-proto:', b'x-helo-args:', b'x-mail-args:',
              b'x-rcpt-args:')
    while out and out[0].lower().startswith(pseudo):
        out.pop(0)
    if out and out[0].lower().startswith(b'received:') and b'by smtp-sink' in out[0]:
        out.pop(0)
    return out


def delivered(sink, marker, timeout=10.0):
    """The delivered message with marker, once smtp-sink has written it
    whole (the marker stands above 1000 fields in one case)."""
    end = time.monotonic() + timeout
    while True:
        data = sink.find(b'<%s@' % marker.encode(), timeout=max(0.0, end - time.monotonic()))
        if data is None or b'\n\nHello.\n' in data.replace(b'\r\n', b'\n') or \
                time.monotonic() >= end:
            return data
        time.sleep(0.05)


def check(mta, name, delivered, before, after, marker):
    what = '%s: %s' % (mta, name)
    if not tap.ok(delivered is not None, '%s: delivered' % what):
        return
    got = fields(delivered)
    ours = got[0] if got else b''
    tap.ok(ours.startswith(b'Authentication-Results: %s;' % ID.encode()),
           '%s: our Authentication-Results comes first' % what, repr(got[:2]))
    tap.ok(len(got) > 1 and re.fullmatch(rb'Authentication-Results: %s;\r\n\tcompauth=\w+ '
                                         rb'reason=\d{3}' % re.escape(ID.encode()), got[1]),
           '%s: then our compauth field' % what, repr(got[1:2]))
    tap.ok(len(got) > 2 and got[2].startswith(b'Received: ') and
           (b'by %s' % ID.encode()) in got[2],
           '%s: then the MTA\'s Received line' % what, repr(got[2:3]))
    want = [h for h, forged in before if not forged] + base(marker) + \
        [h for h, forged in after if not forged]
    rest = got[3:]
    tap.ok(rest == want, '%s: every other field in place, byte for byte, no forged one left'
           % what, diff(want, rest))
    def is_ar(h):
        return h.split(b':', 1)[0].strip().lower() == b'authentication-results'
    tap.is_(sum(1 for h in got if is_ar(h)),
            2 + sum(1 for h, forged in before + after if not forged and is_ar(h)),
            '%s: Authentication-Results fields: ours and the others\'' % what)


def diff(want, got):
    import difflib
    return '\n'.join(difflib.unified_diff([repr(x) for x in want], [repr(x) for x in got],
                                          'want', 'got', lineterm='', n=1))


def run_postfix(pf, run_dir):
    sink = L.Sink(run_dir, PF.SINK_PORT)
    pf.configure()
    pf.start()
    _, ip, helo, mail_from = L.CLIENTS[0][:4]
    for name, marker, before, after in cases():
        reply, out = L.swaks(PF.SMTPD_PORT, message(marker, before, after), mail_from=mail_from,
                             helo=helo, extra=PF.xclient(ip, helo))
        tap.ok(reply is not None and reply.startswith('250 '), 'Postfix: %s: accepted' % name,
               out)
        check('Postfix', name, delivered(sink, marker), before, after, marker)
    pf.stop()


def run_sendmail(cad, run_dir):
    sm = SM.Sendmail(run_dir, cad.sockpath)
    sink = L.Sink(run_dir, SM.SINK_PORT)
    sm.start()
    _, ip, helo, mail_from = L.CLIENTS[0][:4]
    for name, marker, before, after in cases():
        reply, out = L.swaks(SM.SMTPD_PORT, message(marker, before, after), mail_from=mail_from,
                             helo=helo, extra=SM.from_ip(ip))
        tap.ok(reply is not None and reply.startswith('250 '), 'Sendmail: %s: accepted' % name,
               out)
        check('Sendmail', name, delivered(sink, marker), before, after, marker)
    sm.stop()


def main():
    for tool in ('postfix', 'postconf', 'smtp-sink', 'swaks', 'm4'):
        if shutil.which(tool) is None and not os.path.exists('/usr/sbin/' + tool):
            tap.skip_all('%s is not installed (Debian packages postfix, swaks, m4)' % tool)
    os.environ['PATH'] += ':/usr/sbin:/sbin'
    if L.harness.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    if os.environ.get('CAD_MTA_NETNS') != '1':
        # Sendmail is fetched while the network is still reachable.
        why = SM.fetch()
        if why is None and SM.missing_libraries():
            why = 'Sendmail needs %s' % ', '.join(SM.missing_libraries())
        os.environ['CAD_SM_SKIP'] = why or ''
    why = L.enter_netns(L.ADDRESSES)
    if why:
        tap.skip_all(why)

    t0 = time.monotonic()
    run_dir = L.rundir('fm')
    pf_dir = os.path.join(run_dir, 'pf')
    os.mkdir(pf_dir)
    os.chmod(pf_dir, 0o755)
    # One compauthd for both, its socket in the Postfix queue (t_postfix.py).
    pf = PF.Postfix(pf_dir)
    cad = L.compauthd(pf.milter_socket)
    run_postfix(pf, run_dir)
    if os.environ.get('CAD_SM_SKIP'):
        tap.skip('Sendmail', os.environ['CAD_SM_SKIP'])
    else:
        sm_dir = os.path.join(run_dir, 'sm')
        os.mkdir(sm_dir)
        os.chmod(sm_dir, 0o755)
        run_sendmail(cad, sm_dir)
    tap.diag('total %.2fs' % (time.monotonic() - t0))
    if os.environ.get('MTA_DEBUG'):
        tap.diag(cad.log())


tap.run(main)
