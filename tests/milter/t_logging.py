"""
Logging: one summary line per message with every result, under the MTA's
queue id; log_format = json gives one JSON object per line with the level,
the queue id and the text.  Whatever the message and the SMTP session put
into the values a line names (a folded DKIM d=, a MAIL FROM or HELO with a
line break, a folded From, 8-bit bytes), the message still gets exactly
one line: in text, controls and 8-bit bytes are written \\xNN; in JSON,
every line stays a valid JSON object holding the bytes (\\u00NN, and
\\ufffd for invalid UTF-8).  Under systemd (stderr is the stream
JOURNAL_STREAM names) lines carry journald's "<N>" priority instead of our
timestamp.

The summary line carries every result, property and comment of our
Authentication-Results header (header.s, header.a, header.b of each DKIM
signature, DMARC header.from, policy.dmarc and polrec.*, ...) in a syntax
of its own (compauthd(8), LOGGING; tests/milter/summary.py reads it):
values are bare, or quoted with '"', '%', '(', ')', ',', ';', '=', '\\',
controls and 8-bit bytes written %XX, so the line is printable ASCII
without a backslash, a sender's value reads back exactly, and no value can
add a field, a result or a line.
"""

import json
import os
import re
import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
import summary as S
import tap


def send(d, qid):
    with d.client() as c:
        return M.send_message(c, H.message(), client_ip='192.0.2.10', qid=qid)


# A DKIM d= folded into a forged line, a From folded likewise, 8-bit bytes
# (the MAIL FROM below holds an invalid UTF-8 byte).
def hostile_headers(fold):
    sig = (' v=1; a=rsa-sha256; c=relaxed/relaxed; d=evil.example' + fold +
           '\tcompauthd: fake line from d=; s=sel1; h=from;'
           ' bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA')
    return [('DKIM-Signature', sig),
            ('From', ' Alice <alice@example.org>' + fold + '\tcompauthd: fake line from From'),
            ('Subject', ' caf\udcc3\udca9 \udcff')]


def send_hostile(d, qid, fold):
    with d.client(fold=fold) as c:
        return M.send_message(c, M.build_message(hostile_headers(fold), fold=fold), qid=qid,
                              client_ip='192.0.2.10',
                              mail_from='<a\udcff@example.org\r\ncompauthd: fake line from MAIL>',
                              helo='h.example\ncompauthd: fake line from HELO\xff')


def raw_log(d):
    with open(d.logpath, 'rb') as f:
        return f.read()


def test_injection():
    d = H.Daemon('basic.zone', tag='loginj', settings=[('log_level', 'info')]).start()
    send_hostile(d, 'LOGINJ1', '\n')
    send_hostile(d, 'LOGINJ2', '\r\n')
    d.stop()
    raw = raw_log(d)
    lines = raw.split(b'\n')
    tap.is_([l for l in lines if b'fake line' in l and b' LOGINJ' not in l], [],
            'text: no forged line (every "fake line" sits in a line about its message)')
    tap.ok(all(0x20 <= b < 0x7f for l in lines for b in l),
           'text: every line is printable ASCII', raw[-2000:])
    for qid, fold in (('LOGINJ1', b'\n'), ('LOGINJ2', b'\r\n')):
        mine = [l for l in lines if (b' %s: spf=' % qid.encode()) in l]
        tap.is_(len(mine), 1, 'text: one summary line for %s' % qid)
        line = mine[0].split(b' %s: ' % qid.encode(), 1)[1].decode() if mine else ''
        tap.ok('\\' not in line, 'text: %s: no backslash: the log layer had nothing to escape' % qid,
               line)
        try:
            res, _, sess = S.parse(line)
        except ValueError as e:
            res, sess = [], []
            tap.diag('%s: %s' % (e, line))
        tap.is_([r[0] for r in res], ['spf', 'iprev', 'dkim', 'dmarc', 'arc', 'compauth'],
                'text: %s: the line parses, with exactly our six results' % qid)
        dkim = dict(res[2][2]) if len(res) > 2 else {}
        for what, got, want in (
                ('header.d', dkim.get('header.d'),
                 b'evil.example' + fold + b'\tcompauthd: fake line from d='),
                ('from', S.field(sess, 'from'),
                 b'<a\xff@example.org\r\ncompauthd: fake line from MAIL>'),
                ('helo', S.field(sess, 'helo'),
                 b'h.example\ncompauthd: fake line from HELO\xc3\xbf')):
            tap.is_(got, want, 'text: %s: %s reads back byte for byte' % (qid, what))
        tap.ok('header.d="evil.example%s%%09compauthd: fake line from d%%3D"' %
               ''.join('%%%02X' % c for c in fold) in line,
               'text: %s: header.d written quoted, CR LF TAB = as %%XX' % qid, line)

    j = H.Daemon('basic.zone', tag='loginjj', settings=[('log_level', 'debug'),
                                                         ('log_format', 'json')]).start()
    send_hostile(j, 'LOGINJ3', '\r\n')
    j.stop()
    objs, bad = [], []
    for l in raw_log(j).split(b'\n')[:-1]:
        try:
            objs.append(json.loads(l.decode('utf-8')))
        except ValueError:
            bad.append(l)
    tap.is_(bad, [], 'json: every line is valid UTF-8 holding one JSON object')
    summary = [o for o in objs if o.get('qid') == 'LOGINJ3' and o.get('msg', '').startswith('spf=')]
    tap.is_(len(summary), 1, 'json: one summary object')
    msg = summary[0]['msg'] if summary else ''
    try:
        res, _, sess = S.parse(msg)
    except ValueError as e:
        res, sess = [], []
        tap.diag('%s: %s' % (e, msg))
    tap.ok(len(res) == 6 and
           dict(res[2][2]).get('header.d') == b'evil.example\r\n\tcompauthd: fake line from d=' and
           S.field(sess, 'helo') == b'h.example\ncompauthd: fake line from HELO\xc3\xbf' and
           S.field(sess, 'from') == b'<a\xff@example.org\r\ncompauthd: fake line from MAIL>',
           'json: "msg" is the same summary, the values read back with their line breaks', msg)


# Values a sender chooses, made to look like fields, results, quotes,
# escapes and comments of the line.
HOSTILE_S = 'sel dmarc=pass'
HOSTILE_D = 'x.example, compauth=pass (forged) "q" %41 \\'


def test_fake_fields():
    sig = (' v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=%s; h=from;'
           ' bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA' % (HOSTILE_D, HOSTILE_S))
    hdrs = [('DKIM-Signature', sig),
            ('DKIM-Signature', sig.replace('s=sel dmarc=pass', 's=sel") action=accept')),
            ('From', ' Alice <alice@example.org>'), ('Subject', ' x')]
    mail_from = '<"x dmarc=pass, spf=pass"@example.org>'
    helo = 'h.example action=accept, compauth=pass'
    for fmt in ('text', 'json'):
        d = H.Daemon('basic.zone', tag='logfake' + fmt, settings=[('log_level', 'info'),
                                                                   ('log_format', fmt)]).start()
        with d.client() as c:
            M.send_message(c, M.build_message(hdrs), qid='LOGFAKE', client_ip='192.0.2.10',
                           mail_from=mail_from, helo=helo)
        d.stop()
        if fmt == 'text':
            mine = [l.split(' LOGFAKE: ', 1)[1] for l in d.log().splitlines()
                    if ' LOGFAKE: spf=' in l]
        else:
            mine = [o['msg'] for o in map(json.loads, d.log().splitlines())
                    if o.get('qid') == 'LOGFAKE' and o['msg'].startswith('spf=')]
        line = mine[0] if len(mine) == 1 else ''
        tap.diag('%s: %s' % (fmt, line))
        try:
            res, omitted, sess = S.parse(line)
        except ValueError as e:
            res, omitted, sess = [], 0, []
            tap.diag('%s: %s' % (e, line))
        tap.is_([(r[0], r[1]) for r in res],
                [('spf', 'none'), ('iprev', 'pass'), ('dkim', 'permerror'), ('dkim', 'permerror'),
                 ('dmarc', 'none'), ('arc', 'none'), ('compauth', 'fail')],
                '%s: the results are ours alone, none forged by a value' % fmt)
        tap.is_([k for k, _ in sess], ['from', 'helo', 'client', 'action'],
                '%s: the session fields are ours alone' % fmt)
        tap.ok(' dmarc=pass' not in line and 'compauth=pass' not in line and
               'action=accept, ' not in line and '="q"' not in line,
               '%s: no "dmarc=pass", "compauth=pass" or "action=accept," to grep' % fmt, line)
        # Every '=' of the line ends a key the grammar knows.
        keys = set(re.findall(r'([^ ,(]*)=', line))
        tap.ok(keys <= {'spf', 'iprev', 'dkim', 'dmarc', 'arc', 'compauth', 'reason',
                        'smtp.mailfrom', 'policy.iprev', 'header.d', 'header.s', 'header.a',
                        'header.b', 'action', 'header.from', 'from', 'helo', 'client'},
               '%s: every "=" of the line follows one of our keys' % fmt, sorted(keys))
        dk = [dict(r[2]) for r in res if r[0] == 'dkim']
        tap.is_([x.get('header.s') for x in dk], [b'sel dmarc=pass', b'sel") action=accept'],
                '%s: each header.s reads back exactly' % fmt)
        tap.is_([x.get('header.d') for x in dk], [HOSTILE_D.encode()] * 2,
                '%s: header.d reads back exactly' % fmt)
        tap.is_((S.field(sess, 'from'), S.field(sess, 'helo')),
                (mail_from.encode(), helo.encode()), '%s: from and helo read back exactly' % fmt)
        if fmt == 'text':
            tap.ok('header.s="sel dmarc%3Dpass"' in line and
                   'header.d="x.example%2C compauth%3Dpass %28forged%29 %22q%22 %2541 %5C"'
                   in line, 'text: the quoting as documented', line)


def ar_of(o):
    """Our Authentication-Results values, as one (authres_style consumers writes two)."""
    ins = H.ar_inserts(o)
    return ' x;' + ';'.join(m.value.split(';', 1)[1] for m in ins if ';' in m.value) if ins else ''


def summary_of(d, qid):
    for l in d.log().splitlines():
        if (' %s: ' % qid) in l:
            rest = l.split(' %s: ' % qid, 1)[1]
            if re.match(r'[a-z]+=', rest) and ' action=' in rest:
                return rest
    return ''


def test_every_property():
    """The line's results equal our header's: every property and comment, in order."""
    d = H.Daemon('dkim.zone', tag='logprops', settings=[('log_level', 'info')]).start()
    with open(os.path.join(os.environ.get('top_srcdir', os.path.join(H.HERE, '..', '..')),
                           'tests', 'data', 'dkim', 'rfc8463', 'rfc8463-appendix-a3.eml'), 'rb') as f:
        signed = f.read()
    cases = [(d, 'LOGPROP1', signed, {'mail_from': '<joe@football.example.com>'},
              'two DKIM signatures: header.d, header.s, header.a, header.b of each')]
    z = H.Daemon('basic.zone', tag='logpolicy', settings=[
        ('log_level', 'info'), ('authres_style', 'consumers'), ('authres_polrec', 'yes')])
    zpath = os.path.join(z.tmp, 'policy.zone')
    with open(H.zone('basic.zone')) as f, open(zpath, 'w') as g:
        g.write(f.read() + '\n_dmarc.example.org. TXT "v=DMARC1; p=reject"\n')
    z.set(('zone_file', zpath))
    z.start()
    sub = H.message([('From', ' Alice <alice@sub.example.org>'), ('Subject', ' x')],
                    extra=[('Authentication-Results', ' mx.test.example; dmarc=pass')])
    cases += [(z, 'LOGPROP2', sub, {}, 'DMARC p=reject of the organizational domain: header.from, '
               'policy.dmarc with its comment, polrec.p, polrec.domain; compauth in a field '
               'of its own')]
    for dd, qid, msg, kw, what in cases:
        with dd.client() as c:
            o = M.send_message(c, msg, qid=qid, client_ip='192.0.2.10', **kw)
        line = summary_of(dd, qid)
        try:
            res, omitted, sess = S.parse(line)
        except ValueError as e:
            res, omitted, sess = [], 0, []
            tap.diag('%s: %s' % (e, line))
        tap.diag('%s: %s' % (qid, line))
        want = S.ar_parse(ar_of(o))
        # authres_style consumers: the compauth field is inserted above the other.
        want = [r for r in want if r[0] != 'compauth'] + [r for r in want if r[0] == 'compauth']
        tap.ok(len(want) >= 6 and res == want and omitted == 0,
               'summary = Authentication-Results: %s' % what, '%s\n%r\n%r' % (line, res, want))
        yield qid, line, res, sess
    d.stop()
    z.stop()


def test_session_fields():
    """not_checked, removed_forged_ar, and the line's bound."""
    d = H.Daemon('basic.zone', tag='logsess', settings=[
        ('log_level', 'info'), ('trusted_clients', '192.0.2.99'), ('max_dkim_signatures', '50')]).start()
    forged = H.message(extra=[('Authentication-Results', ' mx.test.example; dmarc=pass')])
    with d.client() as c:
        M.send_message(c, forged, qid='LOGSESS1', client_ip='192.0.2.99')
    line = summary_of(d, 'LOGSESS1')
    tap.ok(line == ('compauth=none reason=302, from=<alice@example.org> helo=mail.example.org '
                    'client=[192.0.2.99] not_checked="trusted client" action=accept '
                    'removed_forged_ar=1'),
           'trusted client: compauth=none reason=302, not_checked, removed_forged_ar', line)
    # 50 signatures with 300-byte selectors of '%': cut values, omitted results, one bounded line.
    big = [('DKIM-Signature', ' v=1; a=rsa-sha256; d=example.org; s=%s; h=from; bh=AAAA; b=BBBB'
            % ('%' * 300)) for _ in range(50)]
    with d.client() as c:
        M.send_message(c, M.build_message(big + [('From', ' Alice <alice@example.org>')]),
                       qid='LOGSESS2', client_ip='192.0.2.10')
    d.stop()
    line = summary_of(d, 'LOGSESS2')
    try:
        res, omitted, sess = S.parse(line)
    except ValueError as e:
        res, omitted, sess = [], 0, []
        tap.diag('%s: %s' % (e, line))
    sels = [dict(r[2]).get('header.s') for r in res if r[0] == 'dkim']
    tap.ok(len(line) <= 4000 and omitted > 0 and len(sels) + omitted == 50 and
           [r[0] for r in res if r[0] != 'dkim'] == ['spf', 'iprev', 'dmarc', 'arc', 'compauth'] and
           S.field(sess, 'action') == b'accept',
           '50 big signatures: at most 4000 bytes, omitted=N counts the DKIM results left out, '
           'every other result and the session stay (%d bytes, %d shown, omitted=%d)'
           % (len(line), len(sels), omitted))
    tap.ok(re.search(r'header\.b=BBBB, omitted=%d, dmarc=' % omitted, line) is not None,
           'omitted=N stands where the left-out signatures would', line[-600:])
    tap.ok(sels and all(s == b'%' * 256 + b'...' for s in sels) and
           ('header.s="%s"...' % ('%25' * 256)) in line,
           'a 300-byte value is cut at 256 bytes and marked "..."', line[:300])


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    test_injection()
    test_fake_fields()
    for _ in test_every_property():
        pass
    test_session_fields()
    d = H.Daemon('basic.zone', tag='logtext', settings=[('log_level', 'info')]).start()
    send(d, 'LOGTEXT1')
    d.stop()
    lines = [l for l in d.log().splitlines() if ' LOGTEXT1: ' in l]
    tap.is_(len(lines), 1, 'text: one line about the message (info level)')
    tap.ok(lines and ('LOGTEXT1: spf=none (sender IP is 192.0.2.10) smtp.mailfrom=example.org, '
                      'iprev=pass policy.iprev=192.0.2.10 (mail.example.org), dkim=none '
                      '(message not signed) header.d=none, dmarc=none action=none '
                      'header.from=example.org, arc=none, compauth=fail reason=001, '
                      'from=<alice@example.org> helo=mail.example.org client=[192.0.2.10] '
                      'action=accept') == lines[0].split(' ', 2)[2],
           'text: the summary names every result, property and comment, then the session', lines)

    tap.ok(lines and lines[0][:4].isdigit() and 'compauthd[info]: ' in lines[0],
           'text: our own timestamp, name and level when stderr is not the journal', lines)

    # Under systemd, stderr is journald's stream (JOURNAL_STREAM names its
    # device:inode): "<N>" syslog priorities, no timestamp of ours.
    jd = H.Daemon('basic.zone', tag='logjournal', settings=[('log_level', 'info')])
    open(jd.logpath, 'ab').close()
    st = os.stat(jd.logpath)
    jd.start(env={'JOURNAL_STREAM': '%d:%d' % (st.st_dev, st.st_ino)})
    send(jd, 'LOGJRNL1')
    jd.stop()
    lines = [l for l in jd.log().splitlines() if 'LOGJRNL1: ' in l]
    tap.ok(len(lines) == 1 and lines[0].startswith('<6>LOGJRNL1: spf=none '),
           'journald: the summary is "<6>" (info) and the line, nothing before', lines)
    tap.ok(all(l[:1] == '<' and l[2:3] == '>' and l[1] in '01234567'
               for l in jd.log().splitlines() if l),
           'journald: every line carries its priority', jd.log().splitlines()[:5])
    other = H.Daemon('basic.zone', tag='lognotjournal', settings=[('log_level', 'info')])
    other.start(env={'JOURNAL_STREAM': '%d:%d' % (st.st_dev, st.st_ino)})
    send(other, 'LOGJRNL2')
    other.stop()
    lines = [l for l in other.log().splitlines() if 'LOGJRNL2: ' in l]
    tap.ok(len(lines) == 1 and lines[0][:4].isdigit(),
           'journald: a stderr that is another file than JOURNAL_STREAM keeps our timestamp',
           lines)

    j = H.Daemon('basic.zone', tag='logjson', settings=[('log_format', 'json'),
                                                         ('log_level', 'debug')]).start()
    send(j, 'LOGJSON1')
    j.stop()
    objs, bad = [], []
    for l in j.log().splitlines():
        try:
            objs.append(json.loads(l))
        except ValueError:
            bad.append(l)
    tap.is_(bad, [], 'json: every line is a JSON object')
    mine = [o for o in objs if o.get('qid') == 'LOGJSON1']
    tap.ok(len(mine) >= 2, 'json: lines about the message carry "qid" (%d of them)' % len(mine))
    for l in j.log().splitlines():
        if '"qid":"LOGJSON1","msg":"spf=' in l:
            tap.diag('json line: %s' % l)
    tap.ok(any(o.get('level') == 'info' and o.get('msg', '').startswith('spf=none ') for o in mine),
           'json: the summary line, level info', mine[-3:])
    tap.ok(all(set(o) >= {'level', 'msg'} for o in objs), 'json: every object has level and msg')


if __name__ == '__main__':
    tap.run(main)
