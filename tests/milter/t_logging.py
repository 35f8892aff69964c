"""
Logging: one summary line per message with every result, under the MTA's
queue id; log_format = json gives one JSON object per line with the level,
the queue id and the text.
"""

import json
import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
import tap


def send(d, qid):
    with d.client() as c:
        return M.send_message(c, H.message(), client_ip='192.0.2.10', qid=qid)


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
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
