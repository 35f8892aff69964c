#!/bin/bash
# An independent reader for what we write: every Authentication-Results
# value tests/tools/arfmt builds with authres_format is parsed by Debian's
# python3-authres, which must succeed and read back the authserv-id, the
# methods, results, reasons and property values we built.  Prints TAP.
set -u
arfmt="${top_builddir:-.}/tests/tools/arfmt"
python="${PYTHON:-/usr/bin/python3}"

if ! "$python" -c 'import authres' 2>/dev/null; then
	echo "1..0 # SKIP python3-authres not installed (Debian package python3-authres)"
	exit 0
fi
if [ ! -x "$arfmt" ]; then
	echo "1..1"
	echo "not ok 1 - $arfmt not built"
	exit 0
fi

"$arfmt" | "$python" -c '
import re
import sys

import authres

# python3-authres accepts only the RFC 8601 ptypes; others (such as the
# Microsoft-style "action=" we emit for dmarc) are skipped by its
# non-strict parser, so only these are compared.
PTYPES = ("smtp", "header", "body", "policy")
FIELD = "Authentication-Results:"


def unquote(v):
    # It returns quoted-string contents with the quoted-pairs still in.
    return re.sub(r"\\(.)", r"\1", v) if v is not None else None


def written(v):
    # What authres_format writes for a value (src/authres/authres.c): no
    # quoted-pair, so double quotes and backslashes become ?, and no =?.
    if v is None:
        return None
    v = re.sub(r"[\x00-\x1f\x7f]", " ", v)
    v = re.sub(r"[\"\\\\\x80-\U0010ffff]", "?", v)
    while "=?" in v:
        v = v.replace("=?", "??")
    return v


n = 0


def check(ok, what):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    return ok


blocks = sys.stdin.read().split("\n--\n")
for i, block in enumerate(b for b in blocks if b.strip()):
    want_id, want = None, []
    value = []
    for line in block.split("\n"):
        if line.startswith(("id\t", "res\t", "prop\t")):
            f = line.split("\t")
            if f[0] == "id":
                want_id = f[1]
            elif f[0] == "res":
                want.append([f[1], f[2], written(f[3] or None), []])
            elif f[1] in PTYPES:
                want[-1][3].append((f[1], f[2], written(f[3])))
        else:
            value.append(line)
    value = "\n".join(value)
    name = "header %d (%s)" % (i + 1, ", ".join(w[0] for w in want) or "none")

    lines = (FIELD + value).split("\n")
    long = [l for l in lines if len(l) >= 78]
    check(all(len(l.strip().split(" ")) == 1 for l in long),
          "%s: every line < 78 but those holding one unbreakable token" % name)
    try:
        h = authres.AuthenticationResultsHeader.parse(FIELD + value)
    except Exception as e:
        check(False, "%s: python3-authres parses it: %r" % (name, e))
        print("# " + value.replace("\n", "\n# "))
        continue
    check(True, "%s: python3-authres parses it" % name)
    check(h.authserv_id == want_id.lower(),
          "%s: authserv-id %r == %r" % (name, h.authserv_id, want_id))
    got = [[r.method, r.result, unquote(r.reason),
            [(p.type, p.name, unquote(p.value)) for p in r.properties]]
           for r in h.results]
    check(len(got) == len(want),
          "%s: %d results == %d" % (name, len(got), len(want)))
    for g, w in zip(got, want):
        check(g == w, "%s: %s=%s reads back" % (name, w[0], w[1]))
        if g != w:
            print("#   got:  %r\n#   want: %r" % (g, w))
print("1..%d" % n)
'
