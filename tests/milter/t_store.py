"""
The DMARC report store through the running daemon: the exact rows a
message leaves in report_store (SQLite, then the same on a private
PostgreSQL server, tests/pgserver.py), what is not stored (trusted client,
authenticated submission), the is_report flag, SIGHUP switching
report_store (the old writer drains), a store that stops answering
(report_queue = 1: messages answered promptly, drops counted and logged),
the default store unusable at start (the daemon runs, store off), and
compauthd -n warning about it.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
sys.dont_write_bytecode = True  # keep the source tree clean

import dkim

import harness as H
import mclient as M
import tap

sys.path.insert(0, os.path.join(os.environ.get('top_srcdir', os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..')), 'tests'))
import pgserver  # noqa: E402

COLS = ('qid, reporter, source_ip, header_from, envelope_from, envelope_to, policy_domain, '
        'policy_p, policy_sp, policy_np, policy_pct, policy_adkim, policy_aspf, policy_testing, '
        'policy_fo, policy_psd, rua, ruf, discovery_method, dmarc_result, dkim_aligned, '
        'spf_aligned, disposition, override_reason, override_comment, spf_domain, spf_scope, '
        'spf_result, compauth, compauth_reason, is_report')
DKIM_SQL = ('SELECT m.qid, d.seq, d.domain, d.selector, d.result, d.human_result FROM '
            'message_dkim d JOIN message m ON m.id = d.message_id ORDER BY m.qid, d.seq')

REC = ('fabrikam.example', 'reject', 'quarantine', None, '100', 's', 'r', 'n', '1', 'u',
       'mailto:agg@fabrikam.example', 'mailto:fail@fabrikam.example')
# qid -> the row (COLS order), every value as text (None: SQL NULL)
EXPECT = {
    'Q1PASS': ('Q1PASS', 'mx.test.example', '192.0.2.10', 'fabrikam.example', 'fabrikam.example',
               None) + REC + ('treewalk', 'pass', '1', '1', 'pass', None, None,
                              'fabrikam.example', 'mfrom', 'pass', 'pass', '100', '0'),
    'Q2FAIL': ('Q2FAIL', 'mx.test.example', '198.51.100.10', 'fabrikam.example', 'other.example',
               None) + REC + ('treewalk', 'fail', '0', '0', 'reject', None, None,
                              'other.example', 'mfrom', 'none', 'fail', '0', '0'),
    'Q3NOREC': ('Q3NOREC', 'mx.test.example', '192.0.2.10', 'nopolicy.example', 'nopolicy.example',
                None, None, None, None, None, None, None, None, None, None, None, None, None,
                'treewalk', 'bestguesspass', '0', '1', 'none', None, None, 'nopolicy.example',
                'mfrom', 'pass', 'pass', '109', '0'),
    'Q4OVR': ('Q4OVR', 'mx.test.example', '198.51.100.10', 'allowed.fabrikam.example',
              'other.example',
              None) + REC + ('treewalk', 'fail', '0', '0', 'none', 'local_policy', 'allow_from',
                             'other.example', 'mfrom', 'none', 'none', '401', '0'),
    'Q5REPORT': ('Q5REPORT', 'mx.test.example', '192.0.2.10', 'nopolicy.example',
                 'nopolicy.example', None, None, None, None, None, None, None, None, None, None,
                 None, None, None, 'treewalk', 'bestguesspass', '0', '1', 'none', None, None,
                 'nopolicy.example', 'mfrom', 'pass', 'pass', '109', '1'),
    # mailing_lists: relayed (and signed) by the list: not enforced, reason mailing_list
    'Q8LIST': ('Q8LIST', 'mx.test.example', '198.51.100.10', 'fabrikam.example', 'other.example',
               None) + REC + ('treewalk', 'fail', '0', '0', 'none', 'mailing_list',
                              'List-Id <users.lists.example.net>', 'other.example', 'mfrom',
                              'none', 'fail', '0', '0'),
    # two List-Id fields: no list relayed it, the policy applies
    'Q9TWOLIST': ('Q9TWOLIST', 'mx.test.example', '198.51.100.10', 'fabrikam.example',
                  'other.example', None) + REC + ('treewalk', 'fail', '0', '0', 'reject', None,
                                                  None, 'other.example', 'mfrom', 'none',
                                                  'fail', '0', '0'),
    # the list's List-Id, but the list did not authenticate it: the policy applies
    'QAFAKELIST': ('QAFAKELIST', 'mx.test.example', '198.51.100.10', 'fabrikam.example',
                   'other.example', None) + REC + ('treewalk', 'fail', '0', '0', 'reject', None,
                                                   None, 'other.example', 'mfrom', 'none',
                                                   'fail', '0', '0'),
}
# envelope_to: the first recipient's domain; mclient sends to bob@example.net
# unless told otherwise (Q3NOREC goes to two domains, the first in capitals).
EXPECT = {k: v[:5] + ('sub.example.org' if k == 'Q3NOREC' else 'example.net',) + v[6:]
          for k, v in EXPECT.items()}
EXPECT_DKIM = [('Q1PASS', '0', 'fabrikam.example', 'sel1', 'pass', None),
               ('Q1PASS', '1', 'other.example', 'o1', 'fail', 'NOTNULL'),
               ('Q8LIST', '0', 'lists.example.net', 'l1', 'pass', None),
               ('Q9TWOLIST', '0', 'lists.example.net', 'l1', 'pass', None)]


def write_zone(path, txt):
    with open(H.zone('basic.zone')) as f:
        base = f.read()
    with open(path, 'w') as f:
        f.write(base)
        f.write(H.txt_line('_dmarc.fabrikam.example',
                           'v=DMARC1; p=reject; sp=quarantine; adkim=s; fo=1; '
                           'rua=mailto:agg@fabrikam.example; ruf=mailto:fail@fabrikam.example'))
        f.write(H.txt_line('fabrikam.example', 'v=spf1 ip4:192.0.2.10 -all'))
        f.write(H.txt_line('nopolicy.example', 'v=spf1 ip4:192.0.2.10 -all'))
        f.write(H.txt_line('sel1._domainkey.fabrikam.example', txt))
        # o1 signs with another key than the one published: dkim=fail
        f.write(H.txt_line('o1._domainkey.other.example', txt))
        f.write(H.txt_line('l1._domainkey.lists.example.net', txt))


def msg(frm, subject='hello', priv=None, extra=(), priv2=None):
    data = H.message(headers=[('From', ' Alice <%s>' % frm), ('To', ' bob@example.net'),
                              ('Subject', ' ' + subject),
                              ('Date', ' Mon, 24 Nov 2025 10:00:00 +0000'),
                              ('Message-ID', ' <%s>' % subject.replace(' ', '.'))] + list(extra))
    if priv is not None:
        s1 = dkim.sign(data, b'sel1', b'fabrikam.example', priv,
                       include_headers=[b'from', b'to', b'subject'])
        s2 = dkim.sign(data, b'o1', b'other.example', priv2,
                       include_headers=[b'from', b'to', b'subject'])
        data = s1 + s2 + data
    return data


def list_msg(subject, priv, list_ids):
    data = H.message(headers=[('From', ' Alice <alice@fabrikam.example>'),
                              ('To', ' users@lists.example.net'), ('Subject', ' ' + subject),
                              ('Date', ' Mon, 24 Nov 2025 10:00:00 +0000'),
                              ('Message-ID', ' <%s>' % subject)] +
                     [('List-Id', ' ' + v) for v in list_ids])
    if priv is None:
        return data
    return dkim.sign(data, b'l1', b'lists.example.net', priv,
                     include_headers=[b'from', b'to', b'subject', b'list-id']) + data


def send_all(d, priv, priv2):
    """The messages stored, and two that are not; their verdicts."""
    got = {}
    sends = [
        ('Q1PASS', msg('alice@fabrikam.example', 'one', priv, priv2=priv2), '192.0.2.10',
         '<bounce@fabrikam.example>', None),
        ('Q2FAIL', msg('alice@fabrikam.example', 'two'), '198.51.100.10',
         '<x@other.example>', None),
        ('Q3NOREC', msg('bob@nopolicy.example', 'three'), '192.0.2.10',
         '<bob@nopolicy.example>', None),
        ('Q4OVR', msg('carol@allowed.fabrikam.example', 'four'),
         '198.51.100.10', '<x@other.example>', None),
        ('Q5REPORT', msg('bob@nopolicy.example',
                         'Report Domain: nopolicy.example Submitter: r.example Report-ID: <1>'),
         '192.0.2.10', '<bob@nopolicy.example>', None),
        ('Q6TRUSTED', msg('alice@fabrikam.example', 'six'), '192.0.2.99',
         '<x@other.example>', None),
        ('Q7AUTH', msg('alice@fabrikam.example', 'seven'), '198.51.100.10', '<x@other.example>',
         {'M': {'{auth_authen}': 'alice', '{auth_type}': 'PLAIN'}}),
        ('Q8LIST', list_msg('eight', priv, ['Users <Users.Lists.Example.NET>']),
         '198.51.100.10', '<x@other.example>', None),
        ('Q9TWOLIST', list_msg('nine', priv, ['<users.lists.example.net>',
                                              '<users.lists.example.net>']),
         '198.51.100.10', '<x@other.example>', None),
        ('QAFAKELIST', list_msg('ten', None, ['<users.lists.example.net>']),
         '198.51.100.10', '<x@other.example>', None),
    ]
    for qid, data, ip, mf, macros in sends:
        rc = ('<Carol@Sub.Example.ORG>', '<bob@example.net>') if qid == 'Q3NOREC' else \
            ('<bob@example.net>',)
        with d.client() as c:
            o = M.send_message(c, data, client_ip=ip, mail_from=mf, qid=qid, macros=macros,
                               rcpts=rc)
        got[qid] = o.verdict
    return got


def settings(store, zpath):
    return [('zone_file', zpath), ('report_store', store), ('dmarc_enforce', 'on'),
            ('trusted_clients', '192.0.2.99'), ('allow_from', 'allowed.fabrikam.example'),
            ('dmarc_override', ''), ('mailing_lists', 'lists.example.net')]


def sqlite_rows(path):
    db = sqlite3.connect(path)
    try:
        rows = [tuple(None if v is None else str(v) for v in r)
                for r in db.execute('SELECT %s FROM message ORDER BY qid' % COLS)]
        dk = [tuple(None if v is None else str(v) for v in r) for r in db.execute(DKIM_SQL)]
        return rows, dk
    finally:
        db.close()


def pg_rows(uri):
    def q(sql):
        p = subprocess.run(['psql', '-X', '-q', '-A', '-t', '-d', uri, '-c',
                            'SELECT json_agg(json_build_array(%s)) FROM (%s) t'
                            % (', '.join('t.' + c.strip().split('.')[-1] for c in
                                         sql.split(' FROM ')[0][7:].split(',')), sql)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        rows = json.loads(p.stdout) if p.stdout.strip() else []
        return [tuple(None if v is None else str(v) for v in r) for r in rows]
    return q('SELECT %s FROM message ORDER BY qid' % COLS), q(DKIM_SQL)


def wait_rows(fetch, n, timeout=8.0):
    end = time.monotonic() + timeout
    rows = ([], [])
    while time.monotonic() < end:
        try:
            rows = fetch()
        except (sqlite3.Error, RuntimeError):
            rows = ([], [])
        if len(rows[0]) >= n:
            return rows
        time.sleep(0.1)
    return rows


def check_rows(be, rows, dk):
    want = [EXPECT[k] for k in sorted(EXPECT)]
    tap.is_(len(rows), len(want), '%s: one row per evaluated message, none for the trusted '
            'client and the authenticated submission' % be)
    for w in want:
        g = [r for r in rows if r[0] == w[0]]
        tap.is_(g[0] if g else None, w, '%s: %s row exact' % (be, w[0]))
    dk2 = [r[:5] + ('NOTNULL' if r[5] else None,) for r in dk]
    tap.is_(dk2, EXPECT_DKIM, '%s: each DKIM result with domain and selector, in order' % be)


def run_backend(be, store, zpath, priv, priv2, fetch):
    d = H.Daemon(None, settings=settings(store, zpath), tag='store-' + be).start()
    verdicts = send_all(d, priv, priv2)
    tap.is_(verdicts, {'Q1PASS': 'accept', 'Q2FAIL': 'reject', 'Q3NOREC': 'accept',
                       'Q4OVR': 'accept', 'Q5REPORT': 'accept', 'Q6TRUSTED': 'accept',
                       'Q7AUTH': 'accept', 'Q8LIST': 'accept', 'Q9TWOLIST': 'reject',
                       'QAFAKELIST': 'reject'}, '%s: verdicts as expected' % be)
    rows, dk = wait_rows(fetch, len(EXPECT))
    tap.is_(len(rows), len(EXPECT), '%s: rows written within seconds, while running' % be)
    d.stop()
    rows, dk = fetch()
    check_rows(be, rows, dk)
    tap.ok('rows dropped' not in d.log(),
           '%s: nothing dropped' % be, d.log()[-2000:])
    return d


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    priv, txt = H.rsa_key()
    priv2, _ = H.rsa_key()
    probe = H.Daemon(None, tag='store-z')
    zpath = os.path.join(probe.tmp, 'store.zone')
    write_zone(zpath, txt)

    # SQLite
    dbpath = os.path.join(probe.tmp, 'reports.db')
    run_backend('sqlite', dbpath, zpath, priv, priv2, lambda: sqlite_rows(dbpath))

    # SIGHUP: a new report_store gets the next rows; the old writer drains.
    a, b = os.path.join(probe.tmp, 'a.db'), os.path.join(probe.tmp, 'b.db')
    d = H.Daemon(None, settings=settings(a, zpath), tag='store-hup').start()
    with d.client() as c:
        M.send_message(c, msg('bob@nopolicy.example', 'h1'), qid='HUP1',
                       mail_from='<bob@nopolicy.example>')
    d.set(('report_store', b))
    n0 = d.log().count('configuration reloaded')
    d.signal(H._signal.SIGHUP)
    end = time.monotonic() + 10
    while d.log().count('configuration reloaded') == n0 and time.monotonic() < end:
        time.sleep(0.05)
    tap.ok(d.log().count('configuration reloaded') > n0, 'SIGHUP: reloaded')
    with d.client() as c:
        M.send_message(c, msg('bob@nopolicy.example', 'h2'), qid='HUP2',
                       mail_from='<bob@nopolicy.example>')
    ra = wait_rows(lambda: sqlite_rows(a), 1)
    d.stop()
    rb = sqlite_rows(b)
    tap.is_([r[0] for r in ra[0]], ['HUP1'], 'SIGHUP: the old store has the row before the '
            'reload (drained by the old writer)')
    tap.is_([r[0] for r in rb[0]], ['HUP2'], 'SIGHUP: the new store has the row after it')

    # The default store, unusable here: the daemon starts, checks mail, says why once.
    d = H.Daemon(None, settings=settings('/nonexistent/compauthd/reports.db', zpath),
                 tag='store-bad').start()
    with d.client() as c:
        o = M.send_message(c, msg('bob@nopolicy.example', 'x'), mail_from='<bob@nopolicy.example>')
    tap.is_(o.verdict, 'accept', 'unusable store: mail is checked all the same')
    d.stop()
    n = d.log().count('report_store /nonexistent/compauthd/reports.db: sqlite:')
    tap.ok(n == 1, 'unusable store: one error names the store (%d)' % n, d.log()[-1500:])
    st, out, err = H.run_cmd(['-n', '-c', d.conf])
    tap.ok(st == 0 and 'warning: report_store /nonexistent/compauthd/reports.db is not usable'
           in err, 'compauthd -n warns that the store is unusable (and succeeds)',
           'status %d: %s' % (st, err))

    # PostgreSQL: the same rows; then a server that stops answering.
    pgdir = os.path.join(probe.tmp, 'pg')
    try:
        uri = pgserver.start(pgdir)
    except pgserver.Skip as e:
        tap.skip('PostgreSQL scenarios', str(e))
        return
    try:
        run_backend('postgresql', uri, zpath, priv, priv2, lambda: pg_rows(uri))
        d = H.Daemon(None, settings=settings(uri, zpath) + [('report_queue', '1')],
                     tag='store-pgdown').start()
        pgserver.stop(pgdir)
        slow = 0
        verdicts = set()
        for i in range(30):
            t0 = time.monotonic()
            with d.client() as c:
                o = M.send_message(c, msg('bob@nopolicy.example', 'down %d' % i),
                                   mail_from='<bob@nopolicy.example>', qid='DOWN%d' % i)
            verdicts.add(o.verdict)
            slow = max(slow, time.monotonic() - t0)
        tap.ok(slow < 1.0 and verdicts == {'accept'}, 'store down, report_queue 1: 30 messages '
               'answered promptly (slowest %.3f s)' % slow)
        end = time.monotonic() + 10
        while 'rows dropped' not in d.log() and time.monotonic() < end:
            time.sleep(0.1)
        log = d.log()
        tap.ok('report store: ' in log and 'rows dropped' in log,
               'store down: the drops are counted and logged', log[-2000:])
        lines = [ln for ln in log.splitlines() if 'rows dropped' in ln]
        n = sum(int(ln.split('report store: ')[1].split()[0]) for ln in lines) if lines else 0
        tap.ok(n >= 28, 'store down: the log counts the dropped rows (%d in %d line(s))'
               % (n, len(lines)))
        t0 = time.monotonic()
        d.stop()
        tap.ok(time.monotonic() - t0 < 12, 'store down: the daemon stops within the drain '
               'bound (%.1f s)' % (time.monotonic() - t0))
    finally:
        pgserver.stop(pgdir)


if __name__ == '__main__':
    tap.run(main)
