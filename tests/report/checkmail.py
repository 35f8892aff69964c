#!/usr/bin/python3
"""
Reads a report mail (RFC 9990 §2.5) with python's email module and prints
what tests/report compare, one "name: value" a line:
  subject, from, to, message-id, date, parts (content types), filename,
  the attachment written gunzipped to OUT.xml and as is to OUT.gz.
usage: checkmail.py MAILFILE OUT
A mail kept by smtp-sink starts with its own pseudo headers; they are
parsed as header fields and ignored.
"""
import email
import email.policy
import gzip
import sys


def main():
    with open(sys.argv[1], 'rb') as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    print('subject: %s' % msg['Subject'])
    print('from: %s' % msg['From'])
    print('to: %s' % msg['To'])
    print('message-id: %s' % msg['Message-ID'])
    print('date-ok: %s' % (msg['Date'].datetime is not None))
    print('multipart: %s' % msg.is_multipart())
    print('parts: %s' % ' '.join(p.get_content_type() for p in msg.iter_parts()))
    for part in msg.iter_attachments():
        if part.get_content_type() == 'application/gzip':
            print('filename: %s' % part.get_filename())
            data = part.get_content()
            with open(sys.argv[2] + '.gz', 'wb') as f:
                f.write(data)
            with open(sys.argv[2] + '.xml', 'wb') as f:
                f.write(gzip.decompress(data))
    for part in msg.iter_parts():
        if part.get_content_type() == 'text/plain':
            print('text-has-id: %s' % (msg['Subject'].split('Report-ID: ')[-1]
                                       in part.get_content()))


main()
