"""
RFC 9991 failure samples through the running daemon (failure_reports):
a message failing DMARC under a record with ruf= and a matching fo= leaves
one failure_sample row with the header section redacted (addresses as
redacted@domain, display names gone, i= of DKIM-Signature redacted, only
the kept fields, never the body); none when DMARC passes (fo=0 with an
aligned SPF pass), for psd=y, for fo=s without an SPF fail, for a report
message, and none at all with failure_reports = no (the default).
"""

import os
import sqlite3
import sys
import time
sys.dont_write_bytecode = True  # keep the source tree clean

import dkim

import harness as H
import mclient as M
import tap

SAMPLE_SQL = ('SELECT m.qid, m.dmarc_result, f.original_mail_from, f.headers, f.auth_results, '
              'f.done FROM failure_sample f JOIN message m ON m.id = f.message_id ORDER BY m.qid')


def write_zone(path, txt):
    with open(H.zone('basic.zone')) as f:
        base = f.read()
    with open(path, 'w') as f:
        f.write(base)
        f.write(H.txt_line('_dmarc.fail1.example',
                           'v=DMARC1; p=reject; fo=1; ruf=mailto:fail@fail1.example'))
        f.write(H.txt_line('fail1.example', 'v=spf1 ip4:192.0.2.10 -all'))
        # published key differs from the signing key: dkim=fail
        f.write(H.txt_line('sel1._domainkey.fail1.example', txt))
        f.write(H.txt_line('_dmarc.fail0.example',
                           'v=DMARC1; p=none; fo=0; ruf=mailto:fail@fail0.example'))
        f.write(H.txt_line('fail0.example', 'v=spf1 ip4:192.0.2.10 -all'))
        f.write(H.txt_line('_dmarc.fos.example',
                           'v=DMARC1; p=none; fo=s; ruf=mailto:fail@fos.example'))
        f.write(H.txt_line('fos.example', 'v=spf1 ip4:192.0.2.10 -all'))
        f.write(H.txt_line('_dmarc.psdzone.example',
                           'v=DMARC1; p=reject; psd=y; ruf=mailto:fail@psdzone.example'))
        f.write(H.txt_line('_dmarc.norf.example', 'v=DMARC1; p=reject; fo=1'))


def msg(frm, subject, extra=(), priv=None):
    data = H.message(headers=[('From', ' "Alice Example" <%s>' % frm),
                              ('Received', ' from secret.internal (10.1.2.3) by mx for '
                                           '<bob@example.net>'),
                              ('To', ' Bob Person <bob@example.net>'),
                              ('Cc', ' carol@example.org, "Dave, Jr." <dave@Example.ORG>'),
                              ('Subject', ' ' + subject),
                              ('Date', ' Mon, 24 Nov 2025 10:00:00 +0000'),
                              ('Message-ID', ' <%s@fail1.example>' % subject.replace(' ', '.')),
                              ('X-Secret', ' do-not-copy')] + list(extra),
                     body=b'SECRET-BODY-TEXT alice@fail1.example\r\n')
    if priv is not None:
        data = dkim.sign(data, b'sel1', b'fail1.example', priv,
                         identity=b'alice.private@fail1.example',
                         include_headers=[b'from', b'to', b'subject']) + data
    return data


def sends(priv):
    # qid, message, client IP, MAIL FROM
    return [
        ('F1FO1', msg('alice@fail1.example', 'fail one', priv=priv), '198.51.100.10',
         '<x.user@Other.Example>'),
        ('F2FO0PASS', msg('alice@fail0.example', 'zero pass'), '192.0.2.10',
         '<bounce@fail0.example>'),
        ('F3FO0FAIL', msg('alice@fail0.example', 'zero fail'), '198.51.100.10', '<>'),
        ('F4FOSNONE', msg('alice@fos.example', 'fos none'), '198.51.100.10',
         '<x@other.example>'),
        ('F5FOSFAIL', msg('alice@fos.example', 'fos fail'), '198.51.100.10',
         '<x@fos.example>'),
        ('F6PSD', msg('alice@sub.psdzone.example', 'psd'), '198.51.100.10',
         '<x@other.example>'),
        ('F7REPORT', msg('alice@fail1.example',
                         'Report Domain: fail1.example Submitter: r.example Report-ID: <1>'),
         '198.51.100.10', '<x@other.example>'),
        ('F8NORUF', msg('alice@norf.example', 'no ruf'), '198.51.100.10', '<x@other.example>'),
    ]


def rows(path, sql):
    db = sqlite3.connect(path)
    try:
        return [tuple(None if v is None else str(v) for v in r) for r in db.execute(sql)]
    finally:
        db.close()


def run(tag, zpath, db, priv, extra_settings):
    d = H.Daemon(None, settings=[('zone_file', zpath), ('report_store', db)] + extra_settings,
                 tag=tag).start()
    for qid, data, ip, mf in sends(priv):
        with d.client() as c:
            M.send_message(c, data, client_ip=ip, mail_from=mf, qid=qid)
    end = time.monotonic() + 8
    while time.monotonic() < end:
        try:
            if len(rows(db, 'SELECT qid FROM message')) >= 8:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    d.stop()
    return d


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    priv, _ = H.rsa_key()
    _, other_txt = H.rsa_key()
    probe = H.Daemon(None, tag='failure-z')
    zpath = os.path.join(probe.tmp, 'failure.zone')
    write_zone(zpath, other_txt)

    # failure_reports = yes
    db = os.path.join(probe.tmp, 'yes.db')
    d = run('failure-yes', zpath, db, priv, [('failure_reports', 'yes')])
    msgs = dict((r[0], r[1:]) for r in rows(
        db, 'SELECT qid, dmarc_result, policy_psd, policy_fo FROM message'))
    tap.is_(sorted(msgs), ['F1FO1', 'F2FO0PASS', 'F3FO0FAIL', 'F4FOSNONE', 'F5FOSFAIL',
                           'F6PSD', 'F7REPORT', 'F8NORUF'], 'yes: every message has its row')
    tap.is_([msgs.get(q, (None,))[0] for q in ('F1FO1', 'F2FO0PASS', 'F3FO0FAIL', 'F4FOSNONE',
                                               'F5FOSFAIL', 'F6PSD', 'F7REPORT', 'F8NORUF')],
            ['fail', 'pass', 'fail', 'fail', 'fail', 'fail', 'fail', 'fail'],
            'the scenarios are what they claim: DMARC results')
    tap.is_(msgs.get('F6PSD', (None, None))[1], 'y', 'F6PSD: the record that applied is psd=y')
    s = dict((r[0], r[1:]) for r in rows(db, SAMPLE_SQL))
    tap.is_(sorted(s), ['F1FO1', 'F3FO0FAIL', 'F5FOSFAIL'],
            'samples only for fo=1 fail, fo=0 fail, fo=s with SPF fail (none for fo=0 with '
            'an aligned SPF pass, fo=s with SPF none, psd=y, a report, no ruf=)')
    f1 = s.get('F1FO1', (None,) * 5)
    tap.is_(f1[1], 'redacted@other.example', 'F1: Original-Mail-From redacted (domain lower case)')
    hdr = f1[2] or ''
    lines = hdr.split('\n')
    dk = [ln for ln in lines if ln.startswith('DKIM-Signature:')]
    tap.ok(len(dk) == 1, 'F1: the DKIM-Signature is kept', hdr)
    rest = [ln for ln in lines if ln and not ln.startswith((' ', '\t', 'DKIM-Signature:'))]
    tap.is_(rest, ['From: redacted@fail1.example',
                   'To: redacted@example.net',
                   'Cc: redacted@example.org, redacted@example.org',
                   'Subject: fail one',
                   'Date: Mon, 24 Nov 2025 10:00:00 +0000',
                   'Message-ID: <fail.one@fail1.example>'],
            'F1: the kept fields exact: local parts and display names redacted, '
            'Received and X-Secret left out')
    tap.ok('i=redacted@fail1.example;' in hdr.replace('\n', '').replace(' ', '').replace('\t', ''),
           'F1: DKIM-Signature i= local part redacted', hdr)
    for word in ('alice', 'Alice', 'bob', 'carol', 'dave', 'Dave', 'x.user', 'SECRET-BODY',
                 'secret.internal', '10.1.2.3', 'do-not-copy', 'Received', 'X-Secret'):
        tap.ok(word not in hdr, 'F1: %r appears nowhere in the sample' % word)
    tap.ok(hdr.endswith('\n') and '\r' not in hdr and '\n\n' not in hdr,
           'F1: LF line ends, no empty line')
    tap.ok((f1[3] or '').startswith('mx.test.example;\n\tspf=none') and
           'dmarc=fail action=reject header.from=fail1.example;' in (f1[3] or ''),
           'F1: our Authentication-Results value kept (LF line ends)', f1[3])
    tap.is_(f1[4], '0', 'F1: not yet sent (done 0)')
    tap.is_(s.get('F3FO0FAIL', (None, None))[1], '<>', 'F3: the null sender as <>')

    # failure_reports = no (the default): the same mail, no sample
    db2 = os.path.join(probe.tmp, 'no.db')
    run('failure-no', zpath, db2, priv, [])
    tap.is_(len(rows(db2, 'SELECT qid FROM message')), 8, 'default: the message rows are stored')
    tap.is_(rows(db2, 'SELECT COUNT(*) FROM failure_sample'), [('0',)],
            'default (failure_reports = no): no failure sample')


if __name__ == '__main__':
    tap.run(main)
