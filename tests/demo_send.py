#!/usr/bin/python3
"""Sends the demo messages through a running compauthd's milter socket and
prints, for each, the header block the MTA would deliver."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'milter'))
import mclient  # noqa: E402


def main():
    sock, demo = sys.argv[1], sys.argv[2]
    with open(os.path.join(demo, 'clients.txt')) as f:
        rows = [l.split() for l in f if l.strip() and not l.startswith('#')]
    for n, (eml, ip, helo, sender) in enumerate(rows, 1):
        with open(os.path.join(demo, 'messages', eml), 'rb') as f:
            data = f.read()
        c = mclient.MilterClient(sock)
        try:
            out = mclient.send_message(c, data, client_ip=ip, helo=helo,
                                       mail_from=sender if sender == '<>' else '<%s>' % sender,
                                       qid='DEMO%04d' % n)
        finally:
            c.close()
        # At end of message "continue" and "accept" both mean: delivered.
        action = 'accept' if out.action in ('continue', 'accept') else out.action
        if out.eom is not None and out.eom.final.code == mclient.SMFIR_REPLYCODE:
            text = out.eom.final.text
            action = '%s, SMTP reply "%s"' % ('reject' if text[:1] == '5' else 'tempfail', text)
        print('=== %s from %s (HELO %s, MAIL FROM %s): %s' % (
            eml, ip, helo, sender if sender == '<>' else '<%s>' % sender, action))
        hdrs = mclient.apply_mods(out.headers, out.mods, model='postfix')
        for name, value in hdrs:
            if name.lower() in ('authentication-results', 'from', 'subject'):
                print('%s:%s' % (name, value.replace('\n', '\n')))
        print()
    return 0


if __name__ == '__main__':
    sys.exit(main())
