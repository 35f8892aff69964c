"""
compauthd-report's mail through a real MTA: a private Postfix instance
(its own config, queue and data directories, in its own network namespace,
tests/mta/mtalib.py) takes the report mails from its sendmail command
(sendmail -C DIR -t, the local submission path: pickup, no smtpd and so no
milter, as on a production host) and relays them to smtp-sink. Each
delivered mail is parsed back with python's email module: the Subject of
RFC 9990 §2.5, the attachment's file name, the gunzipped XML valid against
the schema and byte for byte the file a --dry-run wrote; and the store
records the period as sent.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import email
import email.policy
import gzip
import os
import re
import shutil
import sqlite3
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(HERE))
BUILDDIR = os.environ.get('top_builddir') or os.path.join(SRCDIR, 'build-report')
sys.path.insert(0, os.path.join(SRCDIR, 'tests', 'mta'))

import mtalib as L  # noqa: E402

tap = L.tap
SINK_PORT = 10026
DATA = os.path.join(SRCDIR, 'tests', 'data', 'report')
XSD = os.path.join(DATA, 'rfc9990.xsd')
REPORT = os.path.join(BUILDDIR, 'compauthd-report')
SEED = os.path.join(BUILDDIR, 'tests', 'tools', 'storeseed')
NOW = '1795568400'
ID = '5a976d058a0b5749e24d9f7711697307'
FNAME = 'mx.test.example!example.com!1795478400!1795564800!%s.xml.gz' % ID


def postfix(run_dir):
    etc = os.path.join(run_dir, 'postfix', 'etc')
    spool = os.path.join(run_dir, 'postfix', 'spool')
    data = os.path.join(run_dir, 'postfix', 'data')
    maillog = os.path.join(run_dir, 'postfix', 'maillog')
    for d in (etc, spool):
        os.makedirs(d)
    os.makedirs(data)
    shutil.chown(data, 'postfix', 'postfix')
    shutil.copy('/usr/share/postfix/master.cf.dist', os.path.join(etc, 'master.cf'))
    open(os.path.join(etc, 'main.cf'), 'w').close()
    settings = L.postfix_settings(spool, data, maillog, run_dir, SINK_PORT)

    def postconf(args):
        rc, out = L.run(['postconf', '-c', etc] + args)
        if rc != 0:
            raise RuntimeError('postconf %s: %s' % (args, out))
    postconf(['-e'] + settings)
    postconf(['-F', '*/*/chroot = n'])
    postconf(['-MX', 'smtp/inet'])
    rc, out = L.run(['postfix', '-c', etc, 'start'], timeout=60)
    if rc != 0:
        raise RuntimeError('postfix start: %s' % out)
    L.at_exit(lambda: L.run(['postfix', '-c', etc, 'stop'], timeout=60))
    return etc, maillog


def main():
    for tool in ('postfix', 'postconf', 'smtp-sink', 'xmllint'):
        if shutil.which(tool) is None and not os.path.exists('/usr/sbin/' + tool):
            tap.skip_all('%s is not installed (Debian packages postfix, libxml2-utils)'
                         % tool)
    os.environ['PATH'] += ':/usr/sbin:/sbin'
    if not os.access(REPORT, os.X_OK) or not os.access(SEED, os.X_OK):
        tap.skip_all('build compauthd-report and tests/tools/storeseed first')
    why = L.enter_netns()
    if why:
        tap.skip_all(why)

    run_dir = L.rundir('report')
    store = os.path.join(run_dir, 's.db')
    rc, out = L.run([SEED, store, os.path.join(DATA, 'seed.txt')])
    tap.is_(rc, 0, 'storeseed fills the store')
    conf = os.path.join(run_dir, 'report.conf')
    with open(os.path.join(DATA, 'report.conf')) as f:
        text = f.read().replace('@ZONE@', os.path.join(DATA, 'report.zone'))
    with open(conf, 'w') as f:
        f.write(text)
    sink = L.Sink(run_dir, SINK_PORT)
    etc, maillog = postfix(run_dir)
    base = [REPORT, '-c', conf, '--store', store, '--now', NOW, '--report-id-seed', 'test',
            '--org-name', 'Test Org', '--from', 'reports@mx.test.example',
            '--domain', 'example.com']

    dry = os.path.join(run_dir, 'dry')
    os.mkdir(dry)
    rc, out = L.run(base + ['--dry-run', dry])
    tap.is_(rc, 0, 'dry run of example.com')
    with open(os.path.join(dry, FNAME), 'rb') as f:
        dry_gz = f.read()

    sendmail = '/usr/sbin/sendmail -C %s -t -oi -f %%f' % etc
    t0 = time.monotonic()
    rc, out = L.run(base + ['--sendmail', sendmail])
    tap.ok(rc == 0 and out.count(' sent: ') == 2,
           'compauthd-report hands both mails to Postfix\'s sendmail -t', out)

    for addr in ('dmarc@example.com', 'agg@reports.example.net'):
        got = sink.find(('X-Rcpt-Args: <%s>' % addr).encode(), timeout=20)
        if not tap.ok(got is not None, '%s: delivered by Postfix to smtp-sink' % addr,
                      open(maillog, errors='replace').read() if os.path.exists(maillog) else ''):
            continue
        # smtp-sink's pseudo headers and Received line stay above the message.
        raw = got.replace(b'\r\n', b'\n')
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        subj = re.sub(r'\s+', ' ', str(msg['Subject']))
        tap.is_(subj, 'Report Domain: example.com Submitter: mx.test.example '
                'Report-ID: <%s>' % ID, '%s: Subject per RFC 9990 §2.5' % addr)
        tap.is_(str(msg['From']), 'reports@mx.test.example', '%s: From is report_from' % addr)
        tap.ok(re.search(r'X-Mail-Args: <reports@mx.test.example>',
                         got.decode('utf-8', 'replace')) is not None,
               '%s: envelope sender is report_from (bounces come back there)' % addr)
        atts = [p for p in msg.iter_attachments() if p.get_content_type() == 'application/gzip']
        if not tap.is_(len(atts), 1, '%s: one application/gzip attachment' % addr):
            continue
        tap.is_(atts[0].get_filename(), FNAME, '%s: attachment file name' % addr)
        gz = atts[0].get_content()
        tap.ok(gz == dry_gz, '%s: attachment equals the dry-run file byte for byte' % addr)
        xml = os.path.join(run_dir, 'got-%s.xml' % addr)
        with open(xml, 'wb') as f:
            f.write(gzip.decompress(gz))
        rc, out = L.run(['xmllint', '--noout', '--schema', XSD, xml])
        tap.is_(rc, 0, '%s: gunzipped XML valid against the RFC 9990 schema' % addr)
        with open(os.path.join(DATA, 'expected-example.com.xml'), 'rb') as f:
            tap.ok(gzip.decompress(gz) == f.read(), '%s: the expected report' % addr)
    tap.diag('sent and delivered in %.2fs' % (time.monotonic() - t0))
    db = sqlite3.connect(store)
    rows = db.execute("SELECT destination, status FROM report_sent WHERE "
                      "policy_domain = 'example.com' ORDER BY destination").fetchall()
    tap.is_(rows, [('mailto:agg@reports.example.net', 'sent'),
                   ('mailto:dmarc@example.com', 'sent')], 'report_sent: both sent')
    rc, out = L.run(base + ['--sendmail', sendmail])
    tap.ok(rc == 0 and out.count('already-sent') == 2, 'run again: nothing sent twice', out)
    tap.done()


if __name__ == '__main__':
    main()
