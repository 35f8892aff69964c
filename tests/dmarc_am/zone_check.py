#!/usr/bin/python3
"""The committed tests/data/dmarc-am/am.zone is exactly what
convert_zone.py makes of the upstream zonefile, and the converter keeps
the rules of compauthd-zone(5): TXT strings of at most 255 bytes, no
parentheses, absolute names, NXDOMAIN markers only for absent names."""

import os
import sys

top = os.environ.get("top_srcdir", ".")
sys.path.insert(0, os.path.join(top, "tests", "dmarc_am"))
import convert_zone  # noqa: E402

data = os.path.join(top, "tests", "data", "dmarc-am")
n = 0
failed = False


def check(ok, name, detail=""):
	global n, failed
	n += 1
	print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
	if not ok:
		failed = True
		if detail:
			for line in str(detail).splitlines():
				print("# " + line)


def body(text):
	return [l for l in text.splitlines() if l and not l.startswith(";")]


def raises(lines):
	try:
		convert_zone.convert(lines)
	except ValueError:
		return True
	return False


# (name, input lines, expected record lines, excluding comments)
CASES = [
	("quoted and bare TXT strings concatenate, long value split at 255",
	    ['a.example. 60 IN TXT ( "k=rsa; p=' + "A" * 300 + '" ' + "B" * 10 + ' )\n'],
	    ['a.example. 60 IN TXT "k=rsa; p=' + "A" * 246 + '" "' + "A" * 54
	     + "B" * 10 + '"']),
	("relative-looking owner is absolute, no TTL keeps the default",
	    ["b.example TXT v=DMARC1\n"], ['b.example. IN TXT "v=DMARC1"']),
	("TXT without data becomes one empty string",
	    ["c.example TXT\n"], ['c.example. IN TXT ""']),
	("duplicate record written once with the smaller TTL",
	    ["d.example. 20 IN A 192.0.2.1\n", "d.example. 10 IN A 192.0.2.1\n"],
	    ["d.example. 10 IN A 192.0.2.1"]),
	("NXDOMAIN marker becomes a comment",
	    [";ERROR,_dmarc.e.example,TXT,NXDOMAIN\n", "e.example. A 192.0.2.2\n"],
	    ["e.example. IN A 192.0.2.2"]),
	("CNAME, PTR and MX targets made absolute",
	    ["f.example. CNAME g.example\n", "h.example. MX 10 mx.example\n"],
	    ["f.example. IN CNAME g.example.", "h.example. IN MX 10 mx.example."]),
]
for name, lines, want in CASES:
	got = body(convert_zone.convert(lines))
	check(got == want, name, "want %r\ngot  %r" % (want, got))

check(raises([";ERROR,x.example,TXT,NXDOMAIN\n", "a.x.example. A 192.0.2.1\n"]),
    "NXDOMAIN name above a record is refused (RFC 8020)")
check(raises(["x.example. HINFO a b\n"]), "unsupported type is refused")
check(raises([";ERROR,x.example,TXT,SERVFAIL\n"]), "unknown marker is refused")

with open(os.path.join(data, "zonefile"), encoding="utf-8") as f:
	want = convert_zone.convert(f.readlines())
with open(os.path.join(data, "am.zone"), encoding="utf-8") as f:
	have = f.read()
check(have == want, "am.zone equals convert_zone.py zonefile",
    "regenerate: tests/dmarc_am/convert_zone.py tests/data/dmarc-am/zonefile "
    "> tests/data/dmarc-am/am.zone")

longest = 0
for line in body(have):
	if " TXT " in line:
		rdata = line.split(" TXT ", 1)[1]
		for s in rdata.split('" "'):
			longest = max(longest, len(s.strip('"').encode()))
check(0 < longest <= 255, "every TXT string in am.zone is at most 255 bytes",
    "longest %d" % longest)
check("(" not in "".join(l.split('"')[0] for l in body(have)),
    "no parentheses outside strings in am.zone")

print("1..%d" % n)
sys.exit(1 if failed else 0)
