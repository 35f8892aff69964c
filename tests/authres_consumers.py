"""
Authentication-Results as the real consumers read them.

What we write: our header built around hostile comments and values (a
DKIM d= of "example.net(.example.com", quotes, backslashes, encoded-words,
line breaks, 8-bit bytes) must read, to every consumer, as exactly the
results we wrote: dkim=fail with header.d as we wrote it, then spf=pass,
nothing injected, nothing lost.

What we remove: every
spelling below of a field claiming (or not) our authserv-id is given to
the parsers that sit behind an MTA (python3-authres, Mail::Authentication-
Results, SpamAssassin's AuthRes plugin; OpenDMARC's ares_parse when
ARES_PARSE names a program that runs it, see below), and whenever one of
them reads our id, authres_claims_id (through tests/tools/arclaims) must
claim the field, so that compauthd removes it (RFC 8601 section 5).  The
reverse is not required: we also remove what we cannot read alike.

ARES_PARSE: a program reading hex values a line on stdin and printing the
authserv-id OpenDMARC's ares_parse() reads, in hex (or "-"), built out of tree
from OpenDMARC's opendmarc/opendmarc-ar.c; Debian ships no library of it.
"""

import os
import re
import subprocess
import sys
sys.dont_write_bytecode = True  # keep the source tree clean

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'milter'))
import tap  # noqa: E402

OURS = 'mx.demo.example'
BUILDDIR = os.environ.get('top_builddir') or '.'
ARCLAIMS = os.path.join(BUILDDIR, 'tests', 'tools', 'arclaims')

# How the id itself may be written.
IDS = [
    'mx.demo.example', 'MX.Demo.EXAMPLE', '"mx.demo.example"', 'mx.demo."example"',
    '"mx".demo.example', 'mx".demo."example', 'mx.demo.exampl\\e', 'mx\\.demo\\.example',
    '"mx.demo.exampl\\e"', 'mx . demo . example', 'mx.demo.(c)example', 'mx.demo.example.',
    'mx.demo.exam\r\n ple', '"mx.demo\r\n .example"', '=?us-ascii?q?mx.demo.example?=',
    '=?utf-8?b?bXguZGVtby5leGFtcGxl?=', '=?us-ascii?q?mx=2Edemo=2Eexample?=',
    # Not ours (whether we remove them or not is not asserted here).
    'mx.demo.example.evil', 'xmx.demo.example', 'other.example', 'mx.demo.examples',
    '"mx.demo.example.evil"', 'mx-demo.example',
]
# What may stand before it.
PREFIXES = [
    '', ' ', '\v', '\f', ' \v', '\t', '\r\n\t', ' (c) ', ' (a (b)) ', ' (c)\r\n ',
    ' (a\\) ', ' ((a) ', ' "(x" ', ' \\(x ', ' ; ', ' (x); ', ' Authentication-Results: ',
    ' \xa0', ' \xc2\xa0', ' =?us-ascii?q??= ',
]
# And after it, up to the ';'.
SUFFIXES = [
    ';', ' ;', '\v;', '\f;', '\t;', ' 1;', '\v1;', '(c);', ' (c) 1 (d);', '\xc2\xa0;',
    '\xa0;', '.;', '/x;', '";', '\r\n\t;', ' ) other.example;', '\x85;', ' ;;', '',
]
TAIL = ' spf=pass smtp.mailfrom=example.org'
# Forgeries found on our own earlier code, and which reader takes them.
BRIEF = [(' mx.demo.example\v; spf=pass', 'SpamAssassin AuthRes'),
         (' mx.demo.example\f; spf=pass', 'SpamAssassin AuthRes'),
         (' \vmx.demo.example; spf=pass', 'SpamAssassin AuthRes'),
         (' mx.demo.example\v; spf=pass', 'Mail::AuthenticationResults'),
         (' mx.demo.example\f 1; spf=pass', 'Mail::AuthenticationResults'),
         (' =?us-ascii?q?mx.demo.example?=; spf=pass', 'SpamAssassin AuthRes'),
         (' (a \\( ) x) mx.demo.example; spf=pass', 'Mail::AuthenticationResults'),
         (' mx.demo."example"; spf=pass', 'OpenDMARC ares_parse'),
         (' mx.demo.exampl\\e; spf=pass', 'OpenDMARC ares_parse'),
         (' "(x" mx.demo.example; spf=pass', 'OpenDMARC ares_parse'),
         (' mx . demo . example; spf=pass', 'OpenDMARC ares_parse')]


def corpus():
    seen, out = set(), []

    def add(v):
        b = v.encode('latin-1')
        if b not in seen:
            seen.add(b)
            out.append(b)
    for i in IDS:
        add(' ' + i + ';' + TAIL)
        for p in PREFIXES:
            add(p + i + ';' + TAIL)
        for s in SUFFIXES:
            add(' ' + i + s + TAIL)
    for p in PREFIXES:
        for s in SUFFIXES:
            add(p + IDS[0] + s + TAIL)
    for v, _ in BRIEF:
        add(v)
    return out


def hexlines(values):
    return ''.join(v.hex() + '\n' for v in values).encode()


def run_lines(cmd, values):
    p = subprocess.run(cmd, input=hexlines(values), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    lines = p.stdout.split(b'\n')[:len(values)]
    if p.returncode != 0 or len(lines) != len(values):
        raise RuntimeError('%s: exit %d, %d lines for %d values: %s' % (
            cmd[0], p.returncode, len(lines), len(values), p.stderr.decode('utf-8', 'replace')))
    return lines


def is_ours(idb):
    return idb.lower() == OURS.encode()


def python_reads(values):
    """python3-authres: the unfolded value decoded as UTF-8 or as Latin-1
    (how a reader of the message bytes would hand it over)."""
    try:
        import authres
    except ImportError:
        return None
    res = []
    for v in values:
        ours = False
        for text in {v.decode('utf-8', 'replace'), v.decode('latin-1')}:
            text = re.sub(r'\r?\n(?=[ \t])', '', text)
            try:
                h = authres.AuthenticationResultsHeader.parse_value(text)
            except Exception:
                continue
            ours = ours or (h.authserv_id or '').lower() == OURS
        res.append(ours)
    return res


# (comment, d=) pairs for our own header.
HOSTILE = [
    ('signature did not verify', 'example.com'),
    ('x) dkim=pass header.d=paypal.example (', 'example.net(.example.com'),
    ('a \\) ; dkim=pass header.d=paypal.example \\(', 'x" dkim=pass header.d=paypal.example "'),
    ('x\\', 'x\\'),
    ('=?us-ascii?q?x=29=3B_dkim=3Dpass?=', '=?us-ascii?q?paypal.example=22=3B_dkim=3Dpass?='),
    ('==?x', 'a==?b'),
    ('\r\n\tcompauthd: x', 'a\r\nb; dkim=pass'),
    ('caf\xc3\xa9 \xff', 'b\xc3\xbccher.example'),
    ('(( ))', ';'),
    ('"', '"'),
    (')', '('),
    ('', 'paypal.example;dkim=pass'),
    ('', 'a@b c.example'),
]


def written(v):
    """A value as authres.c writes it (inside quotes when not a token)."""
    v = re.sub(r'[\x00-\x1f\x7f]', ' ', v)
    v = re.sub(r'["\\\x80-\xff]', '?', v)
    while '=?' in v:
        v = v.replace('=?', '??')
    return v


def python_results(value):
    try:
        import authres
    except ImportError:
        return None
    try:
        h = authres.AuthenticationResultsHeader.parse_value(
            re.sub(r'\r?\n(?=[ \t])', '', value.decode('ascii')))
    except Exception as e:
        return '- (%s)' % e
    return ';'.join(' '.join(['%s=%s' % (r.method, r.result)] +
                             ['%s.%s=%s' % (p.type, p.name, p.value) for p in r.properties])
                    for r in h.results)


def test_format():
    lines = ''.join('%s %s\n' % (c.encode('latin-1').hex(), d.encode('latin-1').hex())
                    for c, d in HOSTILE).encode()
    p = subprocess.run([ARCLAIMS, '--format', OURS], input=lines, stdout=subprocess.PIPE,
                       timeout=60)
    values = [bytes.fromhex(ln.decode()) for ln in p.stdout.split(b'\n')[:len(HOSTILE)]]
    perl = [ln.decode('utf-8', 'replace').split('\t') for ln in run_lines(
        ['perl', os.path.join(HERE, 'authres_consumers.pl'), '--read', OURS], values)]
    for (c, d), v, (mar, sa) in zip(HOSTILE, values, perl):
        name = 'our header, comment %r, d=%r' % (c, d)
        tap.ok(all(0x20 <= b < 0x7f or b in (0x09, 0x0a) for b in v),
               '%s: printable ASCII and folds only' % name, repr(v))
        want = 'dkim=fail header.s=sel1 header.d=%s;spf=pass smtp.mailfrom=example.org' % \
            written(d)
        py = python_results(v)
        for reader, got in (('python3-authres', py), ('Mail::AuthenticationResults', mar),
                            ('SpamAssassin AuthRes', sa)):
            if got is None or got == '?':
                tap.skip('%s: %s' % (name, reader), 'not installed')
                continue
            if reader == 'SpamAssassin AuthRes':
                # It keeps properties in a hash; the helper sorts them.
                want = 'dkim=fail header.d=%s header.s=sel1;spf=pass ' \
                    'smtp.mailfrom=example.org' % written(d)
            tap.is_(got, want, '%s: %s reads exactly what we wrote' % (name, reader))


def main():
    if not os.access(ARCLAIMS, os.X_OK):
        tap.ok(False, '%s is built' % ARCLAIMS)
        return
    test_format()
    values = corpus()
    claims = [ln == b'1' for ln in run_lines([ARCLAIMS, OURS], values)]

    readers = {}
    py = python_reads(values)
    if py is None:
        tap.skip('python3-authres', 'not installed (Debian package python3-authres)')
    else:
        readers['python3-authres'] = py
    perl = [ln.split(b'\t') for ln in run_lines(
        ['perl', os.path.join(HERE, 'authres_consumers.pl'), OURS], values)]
    if perl[0][0] == b'?':
        tap.skip('Mail::AuthenticationResults',
                 'not installed (Debian package libmail-authenticationresults-perl)')
    else:
        readers['Mail::AuthenticationResults'] = [is_ours(r[0]) for r in perl]
        readers['Mail::AuthenticationResults (UTF-8)'] = [is_ours(r[1]) for r in perl]
    if perl[0][2] == b'?':
        tap.skip('SpamAssassin AuthRes', 'not installed (Debian package spamassassin)')
    else:
        readers['SpamAssassin AuthRes'] = [r[2] == b'1' for r in perl]
    ares = os.environ.get('ARES_PARSE')
    if ares:
        readers['OpenDMARC ares_parse'] = [ln != b'-' and is_ours(bytes.fromhex(ln.decode()))
                                           for ln in run_lines([ares], values)]

    # Each reader is really asked: it reads our plain field, not another id.
    for name, got in readers.items():
        tap.ok(got[0], '%s reads our id in %r' % (name, values[0]))
        tap.ok(not got[values.index(b' other.example;' + TAIL.encode())],
               '%s reads another id as another' % name)

    read_as_ours = 0
    for i, v in enumerate(values):
        who = [name for name, got in readers.items() if got[i]]
        if not who:
            continue
        read_as_ours += 1
        tap.ok(claims[i], '%r: read as ours by %s: claimed' % (v, ', '.join(who)))
    unread = sum(1 for i in range(len(values)) if claims[i] and
                 not any(got[i] for got in readers.values()))
    tap.diag('%d spellings, %d read as ours by a consumer, %d more claimed in doubt' % (
        len(values), read_as_ours, unread))
    for name, got in readers.items():
        tap.diag('%s reads %d of them as ours' % (name, sum(got)))

    # The known forgeries really are read as ours, and claimed.
    for v, reader in BRIEF:
        if reader not in readers:
            tap.skip('%r as %s reads it' % (v, reader), '%s not available' % reader)
            continue
        k = values.index(v.encode('latin-1'))
        tap.ok(readers[reader][k] and claims[k],
               '%r: %s reads our id, and it is claimed' % (v, reader))


tap.run(main)
