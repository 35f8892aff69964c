"""
The soak's world: its zone (the demo's world plus the seed's signing keys
and an attacker's domain), its configuration, and the kinds of message it
sends, each with the envelope it comes with and the outcome the daemon
must give it (dmarc_enforce = on, max_dkim_signatures = 50).

Normal mail comes from conf/demo/messages and tests/data/seed as they are.
Hostile mail is made here, never stored: spoofs of contoso.example
(p=reject) carrying the loads that once bypassed enforcement or took the
daemon down, and forged Authentication-Results in every spelling that
claims our authserv-id. Where a kind puts the marker TOKEN_MARK in its
headers, each message gets its own token there (selectors of junk keys), so
the DNS cache meets a stream of names it has never seen and must stay
within its bounds.
"""

import os

import mclient as M

AUTHSERV_ID = 'mx.demo.example'
CONTOSO = 'contoso.example'
REJECT = '550 5.7.1 Email rejected per DMARC policy for contoso.example'
TOKEN_MARK = '@TOK@'

# The attacker's own client: SPF passes for evil.example, never for contoso.
EVIL = ('203.0.113.66', 'mail.evil.example', '<ceo@evil.example>')
FABRIKAM = ('192.0.2.10', 'mail.fabrikam.example', '<ben@fabrikam.example>')

EXTRA_ZONE = """
; --- added by the soak (tests/soak/soakmsg.py)
evil.example. TXT "v=spf1 +all"
_dmarc.evil.example. TXT "v=DMARC1; p=none"
mail.evil.example. A 203.0.113.66
66.113.0.203.in-addr.arpa. PTR mail.evil.example.
; contoso's own second mail host, inside _spf.contoso.example's 198.51.100.128/25
200.100.51.198.in-addr.arpa. PTR mail2.contoso.example.
mail2.contoso.example. A 198.51.100.200
"""

# Not a signature of anything: the junk an attacker pastes by the dozen.
BH = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
JUNK_B = 'dGhpcyBpcyBub3QgYSBzaWduYXR1cmUgb2YgYW55IGtpbmQgYXQgYWxs'


def zone_text(srcdir):
    """demo.zone, the seed's two signing keys, and EXTRA_ZONE."""
    with open(os.path.join(srcdir, 'conf', 'demo', 'demo.zone')) as f:
        text = f.read()
    with open(os.path.join(srcdir, 'tests', 'data', 'seed', 'seed.zone')) as f:
        keys = [ln for ln in f.read().splitlines() if '._domainkey.' in ln.split(' ')[0]]
    return text + '\n; --- the seed messages\' signing keys\n' + '\n'.join(keys) + \
        '\n' + EXTRA_ZONE


def conf_text(sock, pidfile, zone, extra=()):
    """extra: 'name=value' strings, replacing a setting of the same name."""
    over = dict((a.strip(), b.strip()) for a, b in (e.split('=', 1) for e in extra))
    return ''.join('%s = %s\n' % kv for kv in list(over.items()) + [kv for kv in [
        ('authserv_id', AUTHSERV_ID),
        ('socket', 'unix:' + sock),
        ('user', '""'),
        ('pidfile', pidfile),
        ('zone_file', zone),
        ('dmarc_enforce', 'on'),
        ('max_dkim_signatures', '50'),
        ('arc_trusted_sealers', 'lists.demo.example'),
        ('log_level', 'notice'),
        ('shutdown_timeout', '10s'),
    ] if kv[0] not in over])


class Kind:
    """
    One kind of message. expect: the final answer ('accept' or 'reject'),
    the SMTP reply of a reject, the dmarc= and compauth= entries of our
    header (None: not checked; rejects carry no header), and how many
    Authentication-Results the daemon must delete.
    """

    def __init__(self, name, group, headers, body, env, verdict, reply=None,
                 dmarc=None, compauth=None, deletes=0, milter_ok=True):
        self.name = name
        self.group = group          # 'normal' or 'hostile'
        self.headers = headers      # [(name, raw value after the colon)]
        self.body = body            # bytes, CRLF line ends
        self.ip, self.helo, self.mail_from = env
        self.verdict = verdict
        self.reply = reply
        self.dmarc = dmarc
        self.compauth = compauth
        self.deletes = deletes
        self.tokenized = any(TOKEN_MARK in v for _, v in headers)
        # False: a field is too big for one milter packet (libmilter's 64 KiB
        # limit), so the daemon drops the connection instead of answering.
        self.milter_ok = milter_ok

    def with_token(self, tok):
        if not self.tokenized:
            return self.headers
        return [(n, v.replace(TOKEN_MARK, tok)) for n, v in self.headers]

    def eml(self, tok='t0'):
        """The message as a file for test mode (CRLF)."""
        out = bytearray()
        for n, v in self.with_token(tok):
            out += (n + ':' + v.replace('\n', '\r\n') + '\r\n').encode('utf-8', 'surrogateescape')
        return bytes(out) + b'\r\n' + self.body


def _file(path):
    with open(path, 'rb') as f:
        return M.split_message(f.read())


def _spoof(extra_before=(), extra_after=(), frm=' "CEO" <ceo@contoso.example>',
           subject=' Invoice'):
    return list(extra_before) + [
        ('From', frm), ('To', ' alice@fabrikam.example'), ('Subject', subject),
        ('Date', ' Wed, 25 Nov 2026 10:00:00 +0000'),
        ('Message-ID', ' <soak@evil.example>')] + list(extra_after)


SPOOF_BODY = b'Pay the invoice today.\r\n'
PASS_F = ('dmarc=pass action=none header.from=fabrikam.example policy.dmarc=quarantine '
          '(p=quarantine at fabrikam.example)')
FAIL_C = ('dmarc=fail action=reject header.from=contoso.example policy.dmarc=reject '
          '(p=reject at contoso.example)')

# Spellings of our authserv-id that consumers behind us read as ours.
FORGED_AR = [' mx.demo.example\x0b; dmarc=pass', ' mx.demo.example\x0c; dkim=pass',
             ' mx.demo."example"; dmarc=pass', ' mx.demo.exampl\\e; spf=pass',
             ' MX.Demo.EXAMPLE; dmarc=pass', '\n mx.demo.example\n ; dmarc=pass',
             ' (forged) mx.demo.example; compauth=pass reason=100']


def kinds(srcdir):
    demo = os.path.join(srcdir, 'conf', 'demo', 'messages')
    seed = os.path.join(srcdir, 'tests', 'data', 'seed')
    fab = _file(os.path.join(demo, '1-fabrikam.eml'))
    out = []

    def add(name, group, hb, env, verdict, **kw):
        out.append(Kind(name, group, hb[0], hb[1], env, verdict, **kw))

    add('fabrikam', 'normal', fab, FABRIKAM, 'accept', dmarc=PASS_F,
        compauth='compauth=pass reason=100')
    add('fabrikam-ipv6', 'normal', fab,
        ('2001:db8::25', 'mail6.fabrikam.example', '<ben@fabrikam.example>'), 'accept',
        dmarc=PASS_F, compauth='compauth=pass reason=100')
    add('bounce', 'normal', fab, ('192.0.2.10', 'mail.fabrikam.example', '<>'), 'accept',
        dmarc=PASS_F, compauth='compauth=pass reason=100')
    add('no-ptr', 'normal', _file(os.path.join(demo, '3-noptr.eml')),
        ('203.0.113.5', 'unknown.example.net', '<someone@example.net>'), 'accept',
        dmarc='dmarc=none action=none header.from=example.net',
        compauth='compauth=fail reason=001')
    add('ptr-timeout', 'normal', _file(os.path.join(demo, '3-noptr.eml')),
        ('203.0.113.9', 'slow.example.net', '<someone@example.net>'), 'accept',
        dmarc='dmarc=none action=none header.from=example.net',
        compauth='compauth=fail reason=001')
    add('dkim-signed', 'normal', _file(os.path.join(demo, '4-signed.eml')),
        ('192.0.2.10', 'mail.fabrikam.example', '<joe@football.example.com>'), 'accept',
        dmarc='dmarc=bestguesspass action=none header.from=football.example.com',
        compauth='compauth=pass reason=109')
    add('dkim-tampered', 'normal', _file(os.path.join(demo, '5-tampered.eml')),
        ('198.51.100.7', 'mail.contoso.example', '<joe@football.example.com>'), 'accept',
        dmarc='dmarc=none action=none header.from=football.example.com',
        compauth='compauth=fail reason=001')
    add('arc-list', 'normal', _file(os.path.join(demo, '6-list.eml')),
        ('198.51.100.30', 'lists.demo.example', '<bounce@lists.demo.example>'), 'accept',
        dmarc='dmarc=fail action=none header.from=fabrikam.example policy.dmarc=quarantine '
              '(p=quarantine at fabrikam.example)',
        compauth='compauth=pass (trusted ARC sealer lists.demo.example) reason=130')
    add('dkim-subdomain', 'normal', _file(os.path.join(seed, '4-dkim-subdomain.eml')),
        FABRIKAM, 'accept', dmarc=PASS_F, compauth='compauth=pass reason=100')
    add('contoso-own', 'normal', (_spoof(), SPOOF_BODY),
        ('198.51.100.200', 'mail2.contoso.example', '<ceo@contoso.example>'), 'accept',
        dmarc='dmarc=pass action=none header.from=contoso.example policy.dmarc=reject '
              '(p=reject at contoso.example)',
        compauth='compauth=pass reason=100')
    add('big-body', 'normal', (fab[0], b'The numbers, line by line.\r\n' * 12000),
        FABRIKAM, 'accept', dmarc=PASS_F, compauth='compauth=pass reason=100')

    # Hostile: every one of these is From contoso.example (p=reject) and sent
    # from the attacker's host, so the only right answer is the 550.
    rej = dict(reply=REJECT)
    add('demo-forged', 'hostile', _file(os.path.join(demo, '2-forged.eml')),
        ('198.51.100.7', 'mail.contoso.example', '<payroll@contoso.example>'), 'reject', **rej)
    add('foreign-dkim', 'hostile', _file(os.path.join(seed, '1-dkim-other-domain.eml')),
        EVIL, 'reject', **rej)
    add('arc-seal-70', 'hostile', (_spoof(extra_after=[
        ('ARC-Seal', ' i=%d; a=rsa-sha256; cv=none; d=evil.example; s=%s-%d; t=1; b=%s'
         % (k % 50 + 1, TOKEN_MARK, k, JUNK_B)) for k in range(70)]), SPOOF_BODY),
        EVIL, 'reject', **rej)
    add('dkim-sig-50', 'hostile', (_spoof(extra_before=[
        ('DKIM-Signature', ' v=1; a=rsa-sha256; c=relaxed/relaxed; d=evil.example; s=%s-%d;'
         ' h=from:to:subject; bh=%s; b=%s' % (TOKEN_MARK, k, BH, JUNK_B)) for k in range(50)]),
        SPOOF_BODY), EVIL, 'reject', **rej)
    add('second-from', 'hostile', ([('From', ' CEO <ceo@evil.example>')] +
                                   [('X-Pad-%d' % i, ' %d' % i) for i in range(1000)] +
                                   _spoof(), SPOOF_BODY), EVIL, 'reject', **rej)
    add('forged-ar', 'hostile', ([('Authentication-Results', v) for v in FORGED_AR] +
                                 [('Authentication-Results', ' mx.other.example; spf=pass')] +
                                 fab[0], fab[1]),
        FABRIKAM, 'accept', dmarc=PASS_F, compauth='compauth=pass reason=100',
        deletes=len(FORGED_AR))
    add('line-60k', 'hostile', (_spoof(extra_after=[('X-Long', ' ' + 'a' * 60000)]),
                                SPOOF_BODY), EVIL, 'reject', **rej)
    add('line-200k', 'hostile', (_spoof(extra_after=[('X-Long', ' ' + 'b' * 200000)]),
                                 SPOOF_BODY), EVIL, 'reject', **rej)
    eight = bytes(range(1, 256)).replace(b'\r', b'').replace(b'\n', b'')
    add('nul-8bit', 'hostile', (_spoof(
        frm=' "Zo\u00eb \u0106eo" <ceo@contoso.example>',
        subject=' \u00e9t\u00e9 ' + b'\xe9\xff\xfe'.decode('utf-8', 'surrogateescape'),
        extra_after=[('X-Nul', ' a\x00b'),
                     ('X-Bytes', ' ' + eight.decode('utf-8', 'surrogateescape'))]),
        b'\x00\x01binary\xff\xfe\x00\r\n' * 200 + b'end\x00\r\n'), EVIL, 'reject', **rej)
    return out


# How often each kind is chosen: mostly normal mail, a steady share of
# attacks, and clients that go away. Disconnect stages: after SMFIC_CONNECT,
# HELO, MAIL (its reply read), half the headers plus a torn packet, part of
# the body plus a torn packet, the whole body without end of message, and
# end of message sent with its reply never read.
NORMAL_WEIGHT = 6
HOSTILE_WEIGHT = 2
STAGES = ['connect', 'helo', 'mail', 'headers', 'body', 'before-eom', 'eom-unread']
STAGE_WEIGHT = 1
TWO_ON_ONE_WEIGHT = 3      # two messages on one connection (normal kinds)
