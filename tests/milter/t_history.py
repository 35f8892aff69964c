"""
Implicit authentication through the running daemon, on a real store:
what explicitly authenticated mail teaches (and what it does not), the
verdicts the rule table gives after a restart has loaded the history
(softpass 210, softpass 220, fail 610), an attacker who cannot train it
(unauthenticated mail, trusted_clients, forged From), softpass never
learnt, history = no, compauthd -t replaying the daemon's decision from
the store (report_store, or --store), and an ESP's identity shared by two
author domains ceasing to be evidence for either.
"""

import os
import re
import sqlite3
import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import dkim

import harness as H
import mclient as M
import tap

N = 3   # history_threshold

# Documentation addresses: 192.0.2.10 has FCrDNS mail.example.org (basic.zone),
# 198.51.100.10 mail2.example.net; 203.0.113.5 is the attacker, no PTR.
GOOD_IP, OTHER_IP, ATTACKER_IP, TRUSTED_IP = '192.0.2.10', '198.51.100.10', '203.0.113.5', \
    '192.0.2.99'


def write_zone(path, txt):
    with open(H.zone('basic.zone')) as f:
        base = f.read()
    with open(path, 'w') as f:
        f.write(base)
        # The author domain: p=none, its own key, and an ESP that co-signs.
        f.write(H.txt_line('_dmarc.hist.example', 'v=DMARC1; p=none'))
        f.write(H.txt_line('hist.example', 'v=spf1 ip4:192.0.2.10 -all'))
        f.write(H.txt_line('h1._domainkey.hist.example', txt))
        f.write(H.txt_line('e1._domainkey.esp.example', txt))
        f.write(H.txt_line('esp.example', 'v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 '
                           'ip4:203.0.113.0/24 -all'))
        # A correspondent: strict alignment, mail from a subdomain of its own.
        f.write(H.txt_line('_dmarc.partner.example', 'v=DMARC1; p=none; adkim=s; aspf=s'))
        f.write(H.txt_line('mail.partner.example', 'v=spf1 ip4:198.51.100.10 -all'))
        # A domain the attacker wants to pass, and the attacker's own.
        f.write(H.txt_line('_dmarc.victim.example', 'v=DMARC1; p=none'))
        f.write(H.txt_line('victim.example', 'v=spf1 ip4:192.0.2.10 -all'))
        f.write(H.txt_line('a1._domainkey.atk.example', txt))
        # Another customer of the same ESP.
        f.write(H.txt_line('_dmarc.brand2.example', 'v=DMARC1; p=none'))
        f.write(H.txt_line('brand2.example', 'v=spf1 ip4:192.0.2.10 -all'))
        f.write(H.txt_line('h1._domainkey.brand2.example', txt))
        f.write(H.txt_line('atk.example', 'v=spf1 ip4:203.0.113.5 ip4:192.0.2.99 -all'))


def message(frm, subject, priv=None, signers=(), to='bob@example.net'):
    data = H.message(headers=[('From', ' Alice <%s>' % frm), ('To', ' ' + to),
                              ('Subject', ' ' + subject),
                              ('Date', ' Mon, 24 Nov 2025 10:00:00 +0000'),
                              ('Message-ID', ' <%s@t>' % subject.replace(' ', '.'))])
    sigs = b''
    for sel, dom in signers:
        sigs += dkim.sign(data, sel.encode(), dom.encode(), priv,
                          include_headers=[b'from', b'to', b'subject'])
    return sigs + data


def send(d, data, ip, mail_from, qid, rcpts=('<bob@example.net>',), macros=None):
    with d.client() as c:
        o = M.send_message(c, data, client_ip=ip, mail_from=mail_from, qid=qid, rcpts=rcpts,
                           macros=macros)
    ins = H.ar_inserts(o)
    return o, (ins[0].value if ins else '')


def compauth(ar):
    m = re.search(r'compauth=(\w+)\s+(?:\([^)]*\)\s*)?reason=(\d+)', ar)
    return (m.group(1), m.group(2)) if m else None


def comment(ar):
    """The comment on compauth=, folds undone."""
    m = re.search(r'compauth=\w+\s+\(([^)]*)\)\s*reason=\d+', ar)
    return re.sub(r'\s+', ' ', m.group(1)) if m else None


def rows(path, sql):
    db = sqlite3.connect(path)
    try:
        return [tuple(r) for r in db.execute(sql)]
    finally:
        db.close()


def settings(store, zpath, extra=()):
    return [('zone_file', zpath), ('report_store', store), ('history_threshold', str(N)),
            ('trusted_clients', TRUSTED_IP)] + list(extra)


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    priv, txt = H.rsa_key()
    probe = H.Daemon(None, tag='hist-z')
    zpath = os.path.join(probe.tmp, 'hist.zone')
    write_zone(zpath, txt)
    db = os.path.join(probe.tmp, 'reports.db')

    # Training: N explicitly authenticated messages of hist.example (aligned
    # DKIM and SPF, co-signed by its ESP) from 192.0.2.10; N authenticated
    # submissions of our users to partner.example. And what must teach
    # nothing: the attacker's forged From (DMARC fail), victim mail through
    # a trusted client, unauthenticated and trusted mail to atk.example.
    d = H.Daemon(None, settings=settings(db, zpath), tag='hist-train').start()
    verdicts = []
    for i in range(N):
        o, ar = send(d, message('alice@hist.example', 'train %d' % i, priv,
                                [('h1', 'hist.example'), ('e1', 'esp.example')]),
                     GOOD_IP, '<bounce@hist.example>', 'TRAIN%d' % i)
        verdicts.append(compauth(ar))
        send(d, message('me@example.net', 'out %d' % i, to='ann@partner.example'), OTHER_IP,
             '<me@example.net>', 'OUT%d' % i, rcpts=('<ann@partner.example>',
                                                     '<bob@Sales.Partner.EXAMPLE>'),
             macros={'M': {'{auth_authen}': 'me', '{auth_type}': 'PLAIN'}})
    tap.is_(verdicts, [('pass', '100')] * N, 'training mail authenticates explicitly (100)')
    for i in range(2 * N):
        o, ar = send(d, message('ceo@victim.example', 'forged %d' % i, priv,
                                [('a1', 'atk.example')]),
                     ATTACKER_IP, '<x@atk.example>', 'FORGE%d' % i,
                     rcpts=('<bob@example.net>', '<z@atk.example>'))
        verdicts.append(compauth(ar))
        send(d, message('ceo@victim.example', 'trusted %d' % i, priv, [('a1', 'atk.example')]),
             TRUSTED_IP, '<x@atk.example>', 'TRUST%d' % i, rcpts=('<z@atk.example>',))
    tap.is_(verdicts[N:], [('fail', '001')] * (2 * N),
            'the attacker\'s forged From: fail 001 each time')
    d.stop()

    dom = rows(db, 'SELECT org_domain, pass_count, fail_count FROM history_domain '
               'ORDER BY org_domain')
    tap.is_(dom, [('hist.example', N, 0)], 'sender history: only the explicitly authenticated '
            'author domain, N passes; nothing for the forged or trusted victim mail')
    infra = rows(db, "SELECT kind, value, count FROM history_infra WHERE org_domain = "
                 "'hist.example' ORDER BY kind, value")
    tap.is_(infra, [('dkim', 'esp.example', N), ('dkim', 'hist.example', N),
                    ('net', '192.0.2.0/24', N), ('ptr', 'example.org', N),
                    ('spf', 'hist.example', N)],
            'sender history: passing d=, SPF domain, /24, PTR org domain, N each')
    rcpt = rows(db, 'SELECT org_domain, count FROM history_recipient ORDER BY org_domain')
    tap.is_(rcpt, [('partner.example', N)], 'recipient history: the organizational domain of '
            'authenticated submissions\' recipients, once per message; not the unauthenticated '
            'or trusted clients\' atk.example')

    # A restart loads the history: the rule table on fail 001.
    d = H.Daemon(None, settings=settings(db, zpath), tag='hist-use').start()
    esp_only = message('alice@hist.example', 'via esp', priv, [('e1', 'esp.example')])
    o, ar210 = send(d, esp_only, GOOD_IP, '<bounce@esp.example>', 'S210')
    tap.is_(compauth(ar210), ('softpass', '210'),
            '210: unaligned, but its ESP\'s d= and its network were seen authenticating for it')
    tap.is_(comment(ar210), 'sender history of hist.example: esp.example seen x%d, network '
            '192.0.2.0/24 x%d' % (N, N), '210: the comment names the signal')
    tap.ok(re.search(r'dmarc=fail\s+action=none\s+header\.from=hist\.example', ar210)
           is not None, '210: DMARC itself still says fail, p=none', ar210)

    o, ar = send(d, message('alice@hist.example', 'via esp elsewhere', priv,
                            [('e1', 'esp.example')]), ATTACKER_IP, '<bounce@esp.example>',
                 'S210NET')
    tap.is_(compauth(ar), ('fail', '001'), 'the ESP\'s d= from a network it never used for '
            'hist.example (no PTR): not 210, and not 610 since the identity was seen')

    partner = message('ann@partner.example', 'reply', priv)
    o, ar220 = send(d, partner, OTHER_IP, '<bounce@mail.partner.example>', 'S220')
    tap.is_(compauth(ar220), ('softpass', '220'), '220: a domain our users write to, SPF '
            'pass for its own subdomain (not strictly aligned)')
    tap.is_(comment(ar220), 'recipient history: our users wrote to partner.example x%d; '
            'authenticated as mail.partner.example' % N, '220: the comment names the signal')
    o, ar = send(d, partner, OTHER_IP, '<bounce@elsewhere.example>', 'S220NOID')
    tap.is_(compauth(ar), ('fail', '001'), 'a correspondent\'s From with nothing of its own '
            'passing: fail 001')

    o, ar610 = send(d, message('alice@hist.example', 'stranger'), OTHER_IP, '<x@other.example>',
                    'S610')
    tap.is_(compauth(ar610), ('fail', '610'), '610: always authenticated here, now unaligned '
            'from infrastructure never seen for it')
    tap.is_(comment(ar610), 'hist.example passed DMARC here %d times, never failed; this '
            'message is from infrastructure it never used' % N, '610: the comment says why')
    tap.ok('history: hist.example always authenticated here (%d messages); this one is not, '
           'from unseen infrastructure (compauth=fail 610)' % N in d.log(),
           '610: a log line', d.log()[-1500:])

    # The attacker's training: victim.example still fails, from its network
    # with its identity; the mail our users never wrote to stays 001.
    o, ar = send(d, message('ceo@victim.example', 'forged again', priv, [('a1', 'atk.example')]),
                 ATTACKER_IP, '<x@atk.example>', 'ATK1')
    tap.is_(compauth(ar), ('fail', '001'), 'poisoning: 2N forged messages taught nothing')
    o, ar = send(d, message('ceo@atk.example', 'own', priv), TRUSTED_IP, '<x@sub.atk.example>',
                 'ATK2')
    tap.is_(compauth(ar), ('none', '302'), 'trusted client: not checked (302)')
    o, ar = send(d, message('x@atk.example', 'to us', priv, [('a1', 'atk.example')]),
                 ATTACKER_IP, '<x@atk.example>', 'ATK3')
    tap.is_(compauth(ar), ('pass', '109'), 'atk.example\'s own mail: best-guess pass (109), '
            'which teaches atk.example\'s history only')
    d.stop()

    # What the restarted daemon learnt: the 210, 220 and 610 messages taught
    # no pass; the 610 one counts as a failure of a known domain.
    dom = dict((r[0], r[1:]) for r in rows(db, 'SELECT org_domain, pass_count, fail_count '
                                               'FROM history_domain'))
    tap.is_(dom.get('hist.example'), (N, 2), 'softpass never learnt: hist.example still N '
            'passes; the two unaligned fails (001 from elsewhere, 610) counted as failures')
    tap.is_(rows(db, "SELECT count FROM history_infra WHERE org_domain = 'hist.example' AND "
                 "kind = 'dkim' AND value = 'esp.example'"), [(N,)],
            'softpass never learnt: the ESP identity count unchanged')
    tap.is_(dom.get('partner.example'), None, 'the 220 reply taught no sender history')

    # history = no: the same message is fail 001.
    d = H.Daemon(None, settings=settings(db, zpath, [('history', 'no')]), tag='hist-off').start()
    o, ar = send(d, esp_only, GOOD_IP, '<bounce@esp.example>', 'OFF')
    tap.is_(compauth(ar), ('fail', '001'), 'history = no: explicit verdict only')
    d.stop()
    d = H.Daemon(None, settings=[('zone_file', zpath), ('report_store', ''),
                                 ('history_threshold', str(N))], tag='hist-nostore').start()
    o, ar = send(d, esp_only, GOOD_IP, '<bounce@esp.example>', 'NOSTORE')
    tap.is_(compauth(ar), ('fail', '001'), 'no report_store: history off, explicit verdict only')
    d.stop()

    # compauthd -t replays the decision from the store.
    eml = os.path.join(probe.tmp, 'esp.eml')
    with open(eml, 'wb') as f:
        f.write(esp_only)
    d = H.Daemon(None, settings=settings(db, zpath), tag='hist-t')
    d.write_conf()
    base = ['-c', d.conf, '-t', eml, '--client-ip', GOOD_IP, '--helo', 'mail.example.org',
            '--mail-from', 'bounce@esp.example', '--qid', 'S210']
    rc, out, err = H.run_cmd(base)
    hdr = out.split('\naction:')[0]
    tap.ok(compauth(hdr) == ('softpass', '210'), '-t: the store\'s history gives softpass 210',
           out + err)
    tap.is_(re.sub(r'\s+', ' ', hdr.split(':', 1)[1]), re.sub(r'\s+', ' ', ar210),
            '-t: the header the daemon stamped, byte for byte (folds aside)')
    empty = os.path.join(probe.tmp, 'empty.db')
    H.Daemon(None, settings=settings(empty, zpath), tag='hist-empty').start().stop()
    rc, out, err = H.run_cmd(base + ['--store', empty])
    tap.ok(compauth(out) == ('fail', '001'), '-t --store: an empty store, no history: 001',
           out + err)
    rc, out, err = H.run_cmd(base + ['--store', db])
    tap.ok(compauth(out) == ('softpass', '210'), '-t --store: the trained store: 210',
           out + err)
    tap.is_(rows(db, "SELECT count(*) FROM message WHERE qid = 'S210'"), [(1,)],
            '-t wrote nothing to the store (the daemon\'s S210 row only)')
    rc, out, err = H.run_cmd(base + ['--store', '/nonexistent/dir/x.db'])
    tap.ok(rc == 66 and out == '' and err.startswith('compauthd: --store /nonexistent/dir/x.db: '),
           '-t --store unreadable: an error naming it, exit 66, no verdict', (rc, out, err))
    d.set(('report_store', '/nonexistent/dir/x.db'))
    rc, out, err = H.run_cmd(base)
    tap.ok(rc == 0 and compauth(out) == ('fail', '001') and
           'history from /nonexistent/dir/x.db' in err and 'explicit verdicts only' in err,
           '-t, report_store unreadable: said, explicit verdict (as the daemon)', (rc, out, err))


    # Shared infrastructure: another author domain's mail passes through the
    # same ESP (its d=, from its network). An ESP customer could then pass
    # as any other: the ESP's d= is no longer evidence for hist.example.
    d = H.Daemon(None, settings=settings(db, zpath), tag='hist-shared').start()
    for i in range(N):
        o, ar = send(d, message('bob@brand2.example', 'brand2 %d' % i, priv,
                                [('h1', 'brand2.example'), ('e1', 'esp.example')]),
                     GOOD_IP, '<bounce@brand2.example>', 'B2%d' % i)
    tap.is_(compauth(ar), ('pass', '100'), 'shared: brand2.example, co-signed by the same ESP, '
            'passes explicitly')
    d.stop()
    d = H.Daemon(None, settings=settings(db, zpath), tag='hist-shared2').start()
    o, ar = send(d, esp_only, GOOD_IP, '<bounce@esp.example>', 'SHARED')
    tap.is_(compauth(ar), ('fail', '001'), 'shared: the ESP\'s d= now authenticated for two '
            'author domains: no 210 for hist.example (was 210 above)')
    d.stop()
    tap.ok('history: esp.example authenticated for 2 author domains; shared, no evidence for '
           'hist.example' in d.log(), 'shared: a log line says why', d.log()[-1500:])


if __name__ == '__main__':
    tap.run(main)
