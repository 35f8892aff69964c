"""
Forged Authentication-Results removal (RFC 8601 §5): every incoming
Authentication-Results header that claims our authserv-id is deleted
(SMFIR_CHGHEADER with an empty value, index counted among headers of that
name, 1-based), all others are left alone, and ours is inserted at index 0.

The deletions are checked twice over, by applying them the Sendmail way
(a deleted header still counts for later indexes) and the Postfix way (it
no longer does): only deleting from the highest index down, before our own
insert, gives the same delivered message with both.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
import tap

OURS = H.stamp()
FROM = [('From', ' Alice <alice@example.org>'), ('To', ' bob@example.net'),
        ('Subject', ' forged results'), ('Message-ID', ' <f1@example.org>')]


def ar(v):
    return ('Authentication-Results', v)


def case_brief(fold):
    """The four headers of the brief, in message order, with A-R indexes."""
    return [
        ar(' mx.test.example; spf=pass'),                       # 1 forged
        FROM[0], FROM[1],
        ar(' other.example; spf=fail'),                         # 2 keep
        ar(' MX.TEST.EXAMPLE ;' + fold + '\tdkim=pass'),        # 3 forged
        FROM[2],
        ar(' mx.test.example.evil; dkim=pass'),                 # 4 keep
        FROM[3],
    ], [1, 3]


# name, headers, A-R indexes that must be deleted (RFC 8601 §2.2 syntax:
# CFWS may come before the authserv-id and before the ";"; a version may
# follow the id; "none" may stand for the results; header names compare
# case-insensitively).
TABLE = [
    ('comment before the authserv-id',
     [ar(' (via relay) mx.test.example; spf=pass')] + FROM, [1]),
    ('authserv-id with a version',
     FROM + [ar(' mx.test.example 1; dkim=pass')], [1]),
    ('"; none"', [ar(' mx.test.example; none')] + FROM, [1]),
    ('no space after the colon', [ar('mx.test.example;spf=pass')] + FROM, [1]),
    ('lower-case header name',
     [ar(' other.example; spf=pass'),
      ('authentication-results', ' mx.test.example; spf=pass')] + FROM, [2]),
    ('X-Authentication-Results is another field',
     [('X-Authentication-Results', ' mx.test.example; spf=pass'),
      ar(' mx.test.example; dkim=pass')] + FROM, [1]),
    ('suffix and prefix of our id are not ours',
     [ar(' test.example; spf=pass'), ar(' amx.test.example; spf=pass'),
      ar(' mx.test.example.evil; spf=pass')] + FROM, []),
    ('authserv-id as a quoted-string (RFC 2045 value)',
     [ar(' "mx.test.example"; spf=pass')] + FROM, [1]),
    ('three forged in a row',
     [ar(' mx.test.example; spf=pass'), ar(' mx.test.example; dkim=pass'),
      ar(' mx.test.example; dmarc=pass')] + FROM, [1, 2, 3]),
    # Spellings other readers take for ours (RFC 8601 §5 and CVE-2022-48521
    # class): SpamAssassin's Perl \s and OpenDMARC's isspace() (VT, FF),
    # OpenDMARC's dropped quotes and backslashes, SpamAssassin's decoding of
    # encoded-words; a field without an id or ';' is nobody's and goes too.
    ('followed by a vertical tab and a form feed',
     [ar(' mx.test.example\v; spf=pass'), ar(' mx.test.example\f; dkim=pass'),
      ar(' other.example; spf=pass')] + FROM, [1, 2]),
    ('quoted part and backslash escape',
     [ar(' mx.test."example"; spf=pass'), ar(' other.example; spf=pass'),
      ar(' mx.test.exampl\\e; dkim=pass')] + FROM, [1, 3]),
    ('encoded-word', FROM + [ar(' =?us-ascii?q?mx.test.example?=; dmarc=pass')], [1]),
    ('comment that ends early for a reader without quoted-pairs',
     [ar(' (a \\( ) x) mx.test.example; dkim=pass')] + FROM, [1]),
    ('empty, blank and id-only fields',
     [ar(''), ar(' other.example; spf=pass'), ar('  '), ar(' mx.test.example')] + FROM,
     [1, 3, 4]),
    ('forged after many other headers',
     FROM + [('Received', ' from x by y; Mon, 24 Nov 2025 10:00:00 +0000')] * 30 +
     [ar(' other.example; spf=pass'), ar(' mx.test.example; spf=pass')], [2]),
]


def run_case(d, name, headers, want_del, fold):
    c = d.client(fold=fold)
    try:
        o = M.send_message(c, M.build_message(headers, fold=fold),
                           client_ip='192.0.2.10')
    finally:
        c.close()
    dels = H.ar_deletes(o)
    ins = H.ar_inserts(o)
    tap.is_(o.verdict, 'accept', '%s: accepted' % name)
    tap.is_(sorted(m.index for m in dels), sorted(want_del),
            '%s: deletes exactly A-R #%s' % (name, want_del))
    tap.ok(all(m.value == '' for m in dels),
           '%s: deletions carry an empty value' % name, repr(dels))
    tap.is_([m.index for m in dels], sorted(want_del, reverse=True),
            '%s: deletions go from the highest index down' % name)
    tap.ok(len(ins) == 1 and ins[0].index == 0 and ins[0].value == OURS,
           '%s: ours inserted at index 0' % name, repr(o.mods))
    tap.ok(o.mods and o.mods[-1] in ins,
           '%s: our insert comes after the deletions' % name, repr(o.mods))
    # What each MTA delivers.
    seen, expect = 0, [ar(OURS)]
    for h in o.headers:
        if h[0].lower() == 'authentication-results':
            seen += 1
            if seen in want_del:
                continue
        expect.append(h)
    for model in ('sendmail', 'postfix'):
        got = M.apply_mods(o.headers, o.mods, leadspc=True, model=model)
        tap.is_(got, expect, '%s: headers delivered by %s' % (name, model))


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    d = H.Daemon('basic.zone', tag='forged').start()

    # The brief's case, folded line break as LF (what MTAs pass) and CRLF.
    for fold, label in (('\n', 'LF'), ('\r\n', 'CRLF')):
        hdrs, want = case_brief(fold)
        run_case(d, 'four A-R, folded with %s' % label, hdrs, want, fold)
    for name, hdrs, want in TABLE:
        run_case(d, name, hdrs, want, '\n')

    # Nothing to remove: no deletion at all.
    run_case(d, 'no A-R in the message', FROM, [], '\n')

    rc, secs = d.stop()
    tap.is_(rc, 0, 'SIGTERM: exit status 0')


tap.run(main)
