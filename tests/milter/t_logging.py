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
"""

import json
import os
import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
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
    for qid, fold in (('LOGINJ1', b'\\x0a'), ('LOGINJ2', b'\\x0d\\x0a')):
        mine = [l for l in lines if (b' %s: spf=' % qid.encode()) in l]
        tap.is_(len(mine), 1, 'text: one summary line for %s' % qid)
        line = mine[0] if mine else b''
        for what in (b'header.d=evil.example' + fold + b'\\x09compauthd: fake line from d=',
                     b'from=<a\\xff@example.org\\x0d\\x0acompauthd: fake line from MAIL>',
                     b'helo=h.example\\x0acompauthd: fake line from HELO\\xc3\\xbf'):
            tap.ok(what in line, 'text: %s: the value is there, escaped: %s' % (qid, what.decode()),
                   line.decode('ascii', 'replace'))

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
    tap.ok('header.d=evil.example\r\n\tcompauthd: fake line from d=' in msg and
           'helo=h.example\ncompauthd: fake line from HELO\u00ff' in msg and
           'from=<a\ufffd@example.org\r\ncompauthd: fake line from MAIL>' in msg,
           'json: the values read back with their line breaks, inside the one object', msg)


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    test_injection()
    d = H.Daemon('basic.zone', tag='logtext', settings=[('log_level', 'info')]).start()
    send(d, 'LOGTEXT1')
    d.stop()
    lines = [l for l in d.log().splitlines() if ' LOGTEXT1: ' in l]
    tap.is_(len(lines), 1, 'text: one line about the message (info level)')
    tap.ok(lines and ('LOGTEXT1: spf=none smtp.mailfrom=example.org (sender IP is 192.0.2.10), '
                      'iprev=pass policy.iprev=192.0.2.10 (mail.example.org), dkim=none '
                      'header.d=none (message not signed), dmarc=none action=none, '
                      'arc=none, compauth=fail reason=001, from=<alice@example.org>') in lines[0],
           'text: the summary names every result', lines)

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
    tap.ok(any(o.get('level') == 'info' and o.get('msg', '').startswith('spf=none ') for o in mine),
           'json: the summary line, level info', mine[-3:])
    tap.ok(all(set(o) >= {'level', 'msg'} for o in objs), 'json: every object has level and msg')


if __name__ == '__main__':
    tap.run(main)
