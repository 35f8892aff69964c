"""
A strict reader of compauthd's per-message summary line (compauthd(8),
LOGGING), written from the grammar in the man page, and a reader of the
Authentication-Results value we add, so tests can check that the line
carries every result, property and comment of the header, and that no
value can add a field.

    results, omitted, session = parse(line)
    results: [(method, result, [(key, bytes) or ('()', bytes)])]
    session: [(key, bytes)]

Values come back percent-decoded, as bytes; a cut value ends in b'...'.
Anything outside the grammar raises ValueError.
"""

import re

_CH = r"!#$&'*+\-./0-9:<>?@A-Z\[\]^_`a-z{|}~"
_BARE = re.compile(r'[%s]+' % _CH)
_QUOTED = re.compile(r'"((?:[ %s]|%%[0-9A-F]{2})*)"(\.\.\.)?' % _CH)
_COMMENT = re.compile(r'\(((?:[ %s]|%%[0-9A-F]{2})*)\)(\.\.\.)?' % _CH)
_KEY = re.compile(r'([a-z][a-z0-9_.-]*)=')
SESSION_KEYS = ('from', 'helo', 'client', 'not_checked', 'action', 'removed_forged_ar')


def decode(s):
    out, i = bytearray(), 0
    while i < len(s):
        if s[i] == '%':
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(ord(s[i]))
            i += 1
    return bytes(out)


def _value(line, i):
    m = _QUOTED.match(line, i)
    if m:
        return decode(m.group(1)) + (b'...' if m.group(2) else b''), m.end()
    m = _BARE.match(line, i)
    if m:
        return m.group(0).encode(), m.end()
    raise ValueError('no value at %d: %r' % (i, line[i:i + 40]))


def _group(line, i):
    """key=value *(" " (comment / key=value)) up to ", " or the end."""
    items = []
    while True:
        m = _KEY.match(line, i)
        if not m:
            raise ValueError('no key at %d: %r' % (i, line[i:i + 40]))
        v, i = _value(line, m.end())
        items.append((m.group(1), v))
        while line.startswith(' (', i):
            c = _COMMENT.match(line, i + 1)
            if not c:
                raise ValueError('bad comment at %d: %r' % (i, line[i:i + 40]))
            items.append(('()', decode(c.group(1)) + (b'...' if c.group(2) else b'')))
            i = c.end()
        if i == len(line) or line.startswith(', ', i):
            return items, i
        if line[i] != ' ':
            raise ValueError('junk at %d: %r' % (i, line[i:i + 40]))
        i += 1


def parse(line):
    groups, i = [], 0
    while True:
        items, i = _group(line, i)
        groups.append(items)
        if i == len(line):
            break
        i += 2
    session = groups.pop()
    if [k for k, _ in session if k not in SESSION_KEYS] or session[0][0] != 'from':
        raise ValueError('not a session group: %r' % session)
    omitted, results = 0, []
    for g in groups:
        if g[0][0] == 'omitted':
            omitted = int(g[0][1])
            continue
        results.append((g[0][0], g[0][1].decode(), g[1:]))
    return results, omitted, session


def field(session, key):
    return dict(session).get(key)


def ar_parse(value):
    """Our Authentication-Results value (folded, authserv-id first) in parse()'s shape."""
    text = re.sub(r'\r?\n[ \t]+', ' ', value)
    text = text.split(';', 1)[1] if ';' in text else ''
    results = []
    for part in re.findall(r'(?:[^;"(]|"[^"]*"|\([^)]*\))+', text):
        toks = re.findall(r'\(([^)]*)\)|([^\s=]+)=("[^"]*"|[^\s()]+)', part)
        if not toks:
            continue
        items = []
        for c, k, v in toks:
            if k:
                items.append((k, (v[1:-1] if v.startswith('"') else v).encode()))
            else:
                items.append(('()', c.encode()))
        results.append((items[0][0], items[0][1].decode(), items[1:]))
    return results
