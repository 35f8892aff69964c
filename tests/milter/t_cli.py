"""
The command line: -n (check the file, print the effective settings), -V,
usage errors, and test mode (-t: one message through the same pipeline,
the header and the action printed, the action in the exit status).
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import os
import re

import harness as H
import tap

EX_USAGE, EX_NOINPUT, EX_TEMPFAIL, EX_CONFIG = 64, 66, 75, 78

MSG = (b'From: Alice <alice@example.org>\r\nTo: bob@example.net\r\n'
       b'Subject: test mode\r\n\r\nHello.\r\n')
FORGED = (b'Authentication-Results: other.example; spf=pass\r\n'
          b'Authentication-Results: mx.test.example; spf=pass\r\n' + MSG)
PASS_OUT = 'Authentication-Results:' + H.stamp() + '\naction: accept\n'

# Broken files: content, line the error must name.
BROKEN = [
    ('authserv_id = mx.test.example\nno_such_setting = 1\n', 2,
     'unknown setting'),
    ('\n# comment\nmax_headers = 0\n', 3, 'number below its minimum'),
    ('shutdown_timeout = 2 fortnights\n', 1, 'bad duration'),
    ('authserv_id = "mx.test.example\n', 1, 'unterminated quote'),
    ('socket = carrier-pigeon:here\n', 1, 'bad socket spec'),
    ('on_dns_error = maybe\n', 1, 'word not in the list'),
    ('trusted_clients = 192.0.2.0/33\n', 1, 'bad CIDR'),
    ('authserv_id\n', 1, 'no "="'),
    ('max_headers = 5\nmax_headers = 6\n', 2, 'setting given twice'),
]


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    d = H.Daemon('basic.zone', tag='cli',
                 settings=[('trusted_clients', '198.51.100.0/24')])

    # -n: effective settings, one "name = value" per line.
    rc, out, err = H.run_cmd(['-n', '-c', d.conf])
    tap.is_(rc, 0, '-n: exit 0')
    lines = out.splitlines()
    for want in ('authserv_id = mx.test.example',
                 'socket = unix:' + d.sockpath,
                 'user = ""',
                 'pidfile = ' + d.pidfile,
                 'zone_file = ' + H.zone('basic.zone'),
                 'log_level = debug',
                 'shutdown_timeout = 2s',
                 'trusted_clients = 198.51.100.0/24',
                 'max_headers = 1000',
                 'on_oversize = accept',
                 'on_dns_error = accept'):
        tap.ok(want in lines, '-n prints %r' % want, out)
    tap.ok(all(re.match(r'^[a-z_0-9]+ = \S', l) for l in lines),
           '-n: every line is "name = value"', out)
    names = [l.split(' = ')[0] for l in lines]
    tap.is_(len(names), len(set(names)), '-n: each setting once')

    # -n output read back gives the same output.
    again = os.path.join(d.tmp, 'again.conf')
    with open(again, 'w') as f:
        f.write(out)
    rc2, out2, _ = H.run_cmd(['-n', '-c', again])
    tap.is_((rc2, out2), (0, out), '-n output, read back, prints the same')

    for text, line, why in BROKEN:
        bad = os.path.join(d.tmp, 'bad.conf')
        with open(bad, 'w') as f:
            f.write(text)
        rc, out, err = H.run_cmd(['-n', '-c', bad])
        tap.ok(rc != 0, '-n, %s: exit status not 0 (%d)' % (why, rc))
        tap.ok('%s:%d:' % (bad, line) in err, '-n, %s: error names %s:%d:'
               % (why, 'FILE', line), 'stdout %r stderr %r' % (out, err))
    rc, out, err = H.run_cmd(['-n', '-c', os.path.join(d.tmp, 'missing.conf')])
    tap.ok(rc != 0 and 'missing.conf' in err,
           '-n with a missing file: exit not 0, file named', err)

    # -V
    rc, out, err = H.run_cmd(['-V'])
    tap.ok(rc == 0 and re.match(r'^compauthd \d+\.\d+\S*\n$', out),
           '-V: "compauthd VERSION", exit 0', repr((rc, out, err)))

    # Usage errors.
    rc, out, err = H.run_cmd(['--no-such-option'])
    tap.ok(rc == EX_USAGE and 'usage:' in err,
           'unknown option: usage on stderr, exit 64', repr((rc, out, err)))
    rc, out, err = H.run_cmd(['-c', d.conf, 'stray-argument'])
    tap.is_(rc, EX_USAGE, 'stray argument: exit 64')

    # Test mode.
    eml = os.path.join(d.tmp, 'msg.eml')
    with open(eml, 'wb') as f:
        f.write(MSG)
    base = ['-c', d.conf, '-t', eml, '--helo', 'mail.example.org',
            '--mail-from', 'a@example.org']
    rc, out, err = H.run_cmd(base + ['--client-ip', '192.0.2.10',
                                     '--zone', H.zone('basic.zone')])
    tap.is_((rc, out), (0, PASS_OUT), '-t: header and "action: accept", exit 0')
    rc, out, err = H.run_cmd(base + ['--client-ip', '192.0.2.10'])
    tap.is_((rc, out), (0, PASS_OUT), '-t: zone_file of the config used '
            'without --zone')

    rc, out, err = H.run_cmd(['-c', d.conf, '-t', '-', '--client-ip',
                              '192.0.2.10', '--helo', 'mail.example.org',
                              '--mail-from', 'a@example.org'], input=FORGED)
    tap.is_((rc, out), (0, 'remove: Authentication-Results #2\n' + PASS_OUT),
            '-t - (stdin) with a forged A-R: "remove: ... #2" line')

    rc, out, err = H.run_cmd(base + ['--client-ip', '198.51.100.10'])
    tap.is_((rc, out), (0, 'Authentication-Results:' + H.not_checked(reason='302') +
                        '\naction: accept\n'),
            '-t, trusted client: compauth=none reason=302 only, accept')
    rc, out, err = H.run_cmd(base + ['--client-ip', '192.0.2.10',
                                     '--auth', 'alice'])
    tap.is_((rc, out), (0, 'Authentication-Results:' + H.not_checked(reason='301') +
                        '\naction: accept\n'),
            '-t --auth: compauth=none reason=301 only, accept')

    # on_dns_error = tempfail in test mode: exit EX_TEMPFAIL when the DMARC
    # lookup times out; a PTR timeout decides nothing.
    d.set(('on_dns_error', 'tempfail'))
    slow = os.path.join(d.tmp, 'slow.eml')
    with open(slow, 'wb') as f:
        f.write(MSG.replace(b'alice@example.org', b'alice@dmarcslow.example.org'))
    rc, out, err = H.run_cmd(['-c', d.conf, '-t', slow, '--helo', 'mail.example.org',
                              '--mail-from', 'a@example.org', '--client-ip', '192.0.2.10'])
    tap.is_(rc, EX_TEMPFAIL, '-t, DMARC lookup timeout with on_dns_error=tempfail: '
            'exit 75')
    tap.ok(re.search(r'^action: tempfail 451 4\.7\.0 \S', out, re.M),
           '-t: "action: tempfail 451 4.7.0 ..."', out)
    rc, out, err = H.run_cmd(base + ['--client-ip', '192.0.2.40'])
    tap.ok(rc == 0 and 'iprev=temperror' in out and 'action: accept' in out,
           '-t, PTR timeout with on_dns_error=tempfail: stamped, accepted, exit 0', out)

    rc, out, err = H.run_cmd(base[:-4])
    tap.ok(rc == EX_USAGE and '--client-ip' in err,
           '-t without --client-ip: exit 64, says why', repr((rc, err)))
    rc, out, err = H.run_cmd(['-c', d.conf, '-t', eml + '.missing',
                              '--client-ip', '192.0.2.10'])
    tap.is_(rc, EX_NOINPUT, '-t with a missing message file: exit 66')
    rc, out, err = H.run_cmd(['-c', d.conf, '-t', eml,
                              '--client-ip', '192.0.2.999'])
    tap.is_(rc, EX_USAGE, '-t with a bad --client-ip: exit 64')


tap.run(main)
