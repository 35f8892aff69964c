"""
What we stamp, as the consumers behind us read it: every scenario of the
demo, the seed and the ARC vectors, plus the edges (temperror, permerror,
a subdomain policy, trusted sealer, several DKIM signatures), runs through
test mode (the milter's own pipeline) and the fields of ours it prints are
given to SpamAssassin's AuthRes plugin (trusting our authserv-id, the whole
header as a message carries it), Mail::AuthenticationResults and
python3-authres.

With the default authres_style every reader must recover every spf, iprev,
dkim, dmarc and arc result exactly (method, result, every ptype.property
with its value), SpamAssassin skipping only the compauth field. With
authres_style = microsoft (one field, as Microsoft 365 writes it)
SpamAssassin reads none of it, as compauthd.conf(5) says, and the others
read all. With authres_polrec = yes Mail::AuthenticationResults reads
polrec.p and polrec.domain, python3-authres everything else (it skips a
ptype it does not know), SpamAssassin nothing.

Each scenario also names its results by hand (method=result in order), so
the test fails when what we write changes, not only when a reader does.
"""

import os
import re
import subprocess
import sys
import tempfile
sys.dont_write_bytecode = True  # keep the source tree clean

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'milter'))
import tap  # noqa: E402

SRC = os.environ.get('top_srcdir') or os.path.dirname(HERE)
BIN = os.environ.get('COMPAUTHD') or os.path.join(
    os.environ.get('top_builddir') or os.path.join(SRC, 'build'), 'compauthd')
OURS = 'mx.demo.example'
DEMO = os.path.join(SRC, 'conf', 'demo')
SEED = os.path.join(SRC, 'tests', 'data', 'seed')
ARC = os.path.join(SRC, 'tests', 'data', 'arc', 'local')

# Edges the demo world does not have, added to its zone.
EXTRA_ZONE = r'''
; readers test: a DMARC lookup that times out, a broken SPF record, a
; subdomain policy found at the organizational domain.
slowdmarc.example.              TXT   "v=spf1 ip4:192.0.2.10 -all"
_dmarc.slowdmarc.example.       TIMEOUT
badspf.example.                 TXT   "v=spf1 ip4:192.0.2.10 include -all"
_dmarc.badspf.example.          TXT   "v=DMARC1; p=none"
_dmarc.parent.example.          TXT   "v=DMARC1; p=reject; sp=quarantine"
'''


def msg(frm, extra=b''):
    return (b'From: ' + frm.encode() + b'\r\nTo: alice@fabrikam.example\r\n'
            b'Subject: readers\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n'
            b'Message-ID: <readers@example>\r\n' + extra + b'\r\nHello.\r\n')


def demo(name):
    return os.path.join(DEMO, 'messages', name)


# name, message (path or bytes), client ip, HELO, MAIL FROM, zone ('demo',
# 'arc', 'seed'), the results we must write (method=result, in order,
# compauth last).
SCENARIOS = [
    ('pass: SPF and DMARC of fabrikam.example', demo('1-fabrikam.eml'), '192.0.2.10',
     'mail.fabrikam.example', 'ben@fabrikam.example', 'demo',
     'spf=pass iprev=pass dkim=none dmarc=pass arc=none compauth=pass'),
    ('pass over IPv6', demo('1-fabrikam.eml'), '2001:db8::25',
     'mail6.fabrikam.example', 'ben@fabrikam.example', 'demo',
     'spf=pass iprev=pass dkim=none dmarc=pass arc=none compauth=pass'),
    ('fail: p=reject forgery', demo('2-forged.eml'), '198.51.100.7',
     'mail.contoso.example', 'payroll@contoso.example', 'demo',
     'spf=fail iprev=fail dkim=none dmarc=fail arc=none compauth=fail'),
    ('none: no PTR, softfail, no DMARC record', demo('3-noptr.eml'), '203.0.113.5',
     'unknown.example.net', 'someone@example.net', 'demo',
     'spf=softfail iprev=fail dkim=none dmarc=none arc=none compauth=fail'),
    ('temperror: the PTR lookup times out', demo('3-noptr.eml'), '203.0.113.9',
     'slow.example.net', 'someone@example.net', 'demo',
     'spf=softfail iprev=temperror dkim=none dmarc=none arc=none compauth=fail'),
    ('null sender: SPF of the HELO identity', demo('1-fabrikam.eml'), '192.0.2.10',
     'mail.fabrikam.example', '', 'demo',
     'spf=pass iprev=pass dkim=none dmarc=pass arc=none compauth=pass'),
    ('two DKIM signatures (RFC 8463 ed25519 and rsa)', demo('4-signed.eml'), '192.0.2.10',
     'mail.fabrikam.example', 'joe@football.example.com', 'demo',
     'spf=pass iprev=pass dkim=pass dkim=pass dmarc=bestguesspass arc=none compauth=pass'),
    ('two DKIM signatures failing (body changed)', demo('5-tampered.eml'), '198.51.100.7',
     'mail.contoso.example', 'joe@football.example.com', 'demo',
     'spf=fail iprev=fail dkim=fail dkim=fail dmarc=none arc=none compauth=fail'),
    ('trusted ARC sealer vouches for a list post', demo('6-list.eml'), '198.51.100.30',
     'lists.demo.example', 'bounce@lists.demo.example', 'demo',
     'spf=pass iprev=pass dkim=none dmarc=fail arc=pass compauth=pass'),
    ('seed 1: DKIM pass of another domain', os.path.join(SEED, '1-dkim-other-domain.eml'),
     '192.0.2.10', 'mail.example.net', 'it@contoso.example', 'seed',
     'spf=none iprev=pass dkim=pass dmarc=none arc=none compauth=fail'),
    ('seed 3: SPF only, bestguesspass', os.path.join(SEED, '3-spf-only.eml'),
     '192.0.2.10', 'mail.example.net', 'ben@fabrikam.example', 'seed',
     'spf=pass iprev=pass dkim=none dmarc=bestguesspass arc=none compauth=pass'),
    ('ARC chain of 2 passes, header.oldest-pass', os.path.join(ARC, 'oldest_pass_2.eml'),
     '192.0.2.10', 'h', 'a@example.org', 'arc', None),
    ('ARC fails: body changed after sealing', os.path.join(ARC, 'ed25519_i1_body_changed.eml'),
     '192.0.2.10', 'h', 'a@example.org', 'arc', None),
    ('dmarc=temperror: the policy lookup times out', msg('a@slowdmarc.example'), '192.0.2.10',
     'mail.fabrikam.example', 'a@slowdmarc.example', 'demo',
     'spf=pass iprev=pass dkim=none dmarc=temperror arc=none compauth=none'),
    ('spf=permerror: a broken record', msg('a@badspf.example'), '192.0.2.10',
     'mail.fabrikam.example', 'a@badspf.example', 'demo',
     'spf=permerror iprev=pass dkim=none dmarc=fail arc=none compauth=fail'),
    ('dmarc=permerror: a From without a domain', msg('undisclosed-recipients:;'),
     '192.0.2.10', 'mail.fabrikam.example', 'ben@fabrikam.example', 'demo',
     'spf=pass iprev=pass dkim=none dmarc=permerror arc=none compauth=fail'),
    ('two From fields of one domain: nothing authenticates', msg(
        'a@fabrikam.example', b'From: b@fabrikam.example\r\n'),
     '192.0.2.10', 'mail.fabrikam.example', 'ben@fabrikam.example', 'demo',
     'spf=pass iprev=pass dkim=none dmarc=fail arc=none compauth=fail'),
    ('sp= of the organizational domain applies to a subdomain', msg('a@sub.parent.example'),
     '203.0.113.5', 'unknown.example.net', 'a@sub.parent.example', 'demo',
     'spf=none iprev=fail dkim=none dmarc=fail arc=none compauth=fail'),
]


def zones(tmp):
    z = os.path.join(tmp, 'demo.zone')
    with open(os.path.join(DEMO, 'demo.zone')) as f, open(z, 'w') as o:
        o.write(f.read() + EXTRA_ZONE)
    return {'demo': z, 'seed': os.path.join(SEED, 'seed.zone'),
            'arc': os.path.join(ARC, 'local.zone')}


def conf(tmp, name, extra):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write('authserv_id = %s\narc_trusted_sealers = lists.demo.example\n%s' % (OURS, extra))
    return path


def stamp(cfg, zone, message, ip, helo, mail_from, tmp):
    """Our fields as test mode prints them: 'Authentication-Results: ...' blocks."""
    if isinstance(message, bytes):
        path = os.path.join(tmp, 'm.eml')
        with open(path, 'wb') as f:
            f.write(message)
        message = path
    p = subprocess.run([BIN, '-c', cfg, '-t', message, '--client-ip', ip, '--helo', helo,
                        '--mail-from', mail_from, '--zone', zone],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    fields, cur = [], None
    for ln in p.stdout.decode('ascii').split('\n'):
        if ln.startswith('Authentication-Results:'):
            cur = [ln]
            fields.append(cur)
        elif cur is not None and ln.startswith('\t'):
            cur.append(ln)
        else:
            cur = None
    return ['\n'.join(f) for f in fields]


def strip_comments(v):
    out, depth, quoted, i = [], 0, False, 0
    while i < len(v):
        c = v[i]
        if quoted:
            if c == '\\':
                i += 1
            elif c == '"':
                quoted = False
            if depth == 0:
                out.append(c)
        elif c == '"' and depth == 0:
            quoted = True
            out.append(c)
        elif c == '(':
            depth += 1
        elif c == ')' and depth:
            depth -= 1
        elif depth == 0:
            out.append(c)
        i += 1
    return ''.join(out)


def written(fields):
    """What we wrote, read by this test: [(method, result, {ptype.prop: value})]."""
    res = []
    for f in fields:
        body = strip_comments(re.sub(r'\n[ \t]+', ' ', f.split(':', 1)[1]))
        for part in body.split(';')[1:]:
            toks = part.split()
            if not toks:
                continue
            method, result = toks[0].split('=', 1)
            props = {}
            for t in toks[1:]:
                k, v = t.split('=', 1)
                if '.' in k:
                    props[k] = v[1:-1] if v.startswith('"') else v
            res.append((method, result, props))
    return res


def no_polrec(results):
    return [(m, r, {k: v for k, v in p.items() if not k.startswith('polrec.')})
            for m, r, p in results]


def fmt(results):
    return ';'.join(' '.join(['%s=%s' % (m, r)] + ['%s=%s' % kv for kv in sorted(p.items())])
                    for m, r, p in results)


def python_reads(fields):
    import authres
    out = []
    for f in fields:
        h = authres.AuthenticationResultsHeader.parse(re.sub(r'\n(?=[ \t])', '', f))
        if (h.authserv_id or '').lower() != OURS:
            return None
        for r in h.results:
            out.append((r.method, r.result, {'%s.%s' % (p.type, p.name): p.value
                                              for p in r.properties}))
    return out


def perl(mode, values):
    p = subprocess.run(['perl', os.path.join(HERE, 'authres_consumers.pl'), mode, OURS],
                       input=''.join(v.encode().hex() + '\n' for v in values).encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return p.stdout.decode().split('\n')[:len(values)]


# What the Perl readers said, by field value and by header block: filled
# for every scenario by one run of each (prefetch), as starting Perl and
# SpamAssassin costs far more than reading a field.
MAR, SA = {}, {}


def block(fields):
    return '\n'.join(fields) + '\n'


def prefetch(fieldsets):
    values = sorted({f.split(':', 1)[1] for fs in fieldsets for f in fs} - set(MAR))
    if values:
        MAR.update(zip(values, (ln.split('\t')[0] for ln in perl('--read', values))))
    blocks = sorted({block(fs) for fs in fieldsets} - set(SA))
    if blocks:
        SA.update(zip(blocks, perl('--block', blocks)))


def mar_reads(fields):
    got = []
    prefetch([fields])
    for mar in (MAR[f.split(':', 1)[1]] for f in fields):
        if mar in ('-', '?'):
            return mar
        for e in mar.split(';'):
            toks = e.split(' ')
            m, r = toks[0].split('=', 1)
            got.append((m, r, dict(t.split('=', 1) for t in toks[1:] if '.' in t.split('=')[0])))
    return got


def sa_reads(fields):
    """SpamAssassin on a message headed by our fields: 'method=result props;...' sorted."""
    prefetch([fields])
    return SA[block(fields)]


def sa_want(results):
    """SpamAssassin's view of results: by method (sorted), props sorted."""
    keep = [x for x in results if x[0] != 'compauth']
    order = sorted(range(len(keep)), key=lambda i: (keep[i][0], i))
    return fmt([keep[i] for i in order]) or '-'


def have_readers():
    try:
        import authres  # noqa: F401
    except ImportError:
        return 'python3-authres not installed'
    line = perl('--read', [' x; none'])
    if not line or '?' in line[0].split('\t'):
        return 'Mail::AuthenticationResults or SpamAssassin not installed'
    return None


def one(name, fields, want, style):
    """Every reader recovers what we wrote; compauth where the style puts it."""
    ours = written(fields)
    methods = ' '.join('%s=%s' % (m, r) for m, r, _ in ours)
    if want is not None:
        tap.is_(methods, want, '%s [%s]: the results we write' % (name, style))
    if style == 'microsoft':
        tap.ok(len(fields) == 1, '%s [%s]: one field' % (name, style), '\n'.join(fields))
    else:
        tap.ok(len(fields) == 2 and len(written(fields[1:])) == 1 and
               written(fields[1:])[0][0] == 'compauth',
               '%s [%s]: the results, then compauth alone in a second field' % (name, style),
               '\n'.join(fields))
    tap.is_(fmt(python_reads(fields) or []), fmt(ours),
            '%s [%s]: python3-authres reads every result exactly' % (name, style))
    mar = mar_reads(fields)
    tap.is_(fmt(mar) if isinstance(mar, list) else mar, fmt(ours),
            '%s [%s]: Mail::AuthenticationResults reads every result exactly' % (name, style))
    sa = sa_reads(fields)
    if style == 'consumers':
        tap.is_(sa, sa_want(ours), '%s [%s]: SpamAssassin reads every spf, iprev, dkim, '
                'dmarc and arc result exactly, compauth skipped' % (name, style))
    else:
        tap.is_(sa, '-', '%s [%s]: SpamAssassin drops it (as documented)' % (name, style))
    return ours


def main():
    why = have_readers()
    if why is not None:
        tap.skip_all(why)
    if not os.access(BIN, os.X_OK):
        tap.ok(False, '%s is built' % BIN)
        return
    with tempfile.TemporaryDirectory(prefix='cad-readers-') as tmp:
        z = zones(tmp)
        styles = [('consumers', conf(tmp, 'default.conf', '')),
                  ('microsoft', conf(tmp, 'ms.conf', 'authres_style = microsoft\n')),
                  ('polrec', conf(tmp, 'polrec.conf', 'authres_polrec = yes\n'))]
        seen = {}
        runs = [(name, want, style, stamp(cfg, z[zone], message, ip, helo, frm, tmp))
                for name, message, ip, helo, frm, zone, want in SCENARIOS
                for style, cfg in styles]
        prefetch([fields for _, _, _, fields in runs])
        for name, want, style, fields in runs:
            if style == 'polrec':
                ours = written(fields)
                dm = [p for m, _, p in ours if m == 'dmarc']
                if dm and 'policy.dmarc' in dm[0]:
                    seen[name] = dm[0]
                    # python3-authres skips a ptype it does not know.
                    tap.is_(fmt(python_reads(fields) or []), fmt(no_polrec(ours)),
                            '%s [polrec]: python3-authres reads all but polrec.*' % name)
                    mar = mar_reads(fields)
                    tap.is_(fmt(mar) if isinstance(mar, list) else mar, fmt(ours),
                            '%s [polrec]: Mail::AuthenticationResults reads polrec.*'
                            % name)
                    tap.is_(sa_reads(fields), '-',
                            '%s [polrec]: SpamAssassin drops the field (as documented)'
                            % name)
                continue
            one(name, fields, want, style)
        # The policy and where it was found, to all three readers (default).
        tap.is_(seen.get('fail: p=reject forgery'),
                {'header.from': 'contoso.example', 'policy.dmarc': 'reject',
                 'polrec.p': 'reject'},
                'polrec: p= of the author domain, no polrec.domain (it is the author\'s)')
        tap.is_(seen.get('sp= of the organizational domain applies to a subdomain'),
                {'header.from': 'sub.parent.example', 'policy.dmarc': 'quarantine',
                 'polrec.p': 'reject', 'polrec.domain': 'parent.example'},
                'polrec: sp= applied (policy.dmarc), p= as read and the domain it was found at')


tap.run(main)
