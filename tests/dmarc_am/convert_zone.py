#!/usr/bin/python3
"""Convert authentication_milter's BIND-style t/zonefile into compauthd's
offline zone format (compauthd-zone(5)) and print it on stdout.

Usage: convert_zone.py ZONEFILE > am.zone

The upstream file is read the way its mock resolver (Net::DNS::ZoneFile)
reads it: owners without a trailing dot are absolute (no $ORIGIN), a
record may wrap its data in "( ... )" on one line, and TXT data is a
sequence of quoted strings and bare words, concatenated by the consumer.
";ERROR,<name>,<type>,NXDOMAIN" lines only tell the mock to answer
NXDOMAIN; in our format a name without records is NXDOMAIN already, so
they become comments (after checking that no record contradicts them).
Long TXT strings are split into strings of at most 255 bytes, since the
concatenation is what SPF, DKIM and DMARC see (RFC 7208 section 3.3,
RFC 6376 section 3.6.2.2).  Identical records are written once: an RRset
holds no duplicates (RFC 2181 section 5), and upstream lists example.com's
A record twice with two TTLs; the smaller TTL is kept.
"""

import re
import sys

TYPES = {"A", "AAAA", "MX", "PTR", "CNAME", "TXT", "NS"}
# NS records answer nothing compauthd asks; they are kept as comments so
# the output still accounts for every input line.
KEPT = {"A", "AAAA", "MX", "PTR", "CNAME", "TXT"}
TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
MAXSTR = 255


def absolute(name):
	return name if name.endswith(".") else name + "."


def txt_strings(data):
	"""The character-strings of TXT data, unescaped, as bytes."""
	data = data.strip()
	if data.startswith("(") and data.endswith(")"):
		data = data[1:-1]
	out = []
	for m in TOKEN.finditer(data):
		if m.group(1) is not None:
			s = m.group(1)
		else:
			s = m.group(2)
			if '"' in s or "\\" in s or s in ("(", ")"):
				raise ValueError("unexpected TXT token %r" % s)
		out.append(s.encode("utf-8"))
	return out


def quote(b):
	s = []
	for c in b:
		ch = chr(c)
		if ch in '"\\':
			s.append("\\" + ch)
		elif c < 0x20 or c > 0x7e:
			s.append("\\%03d" % c)
		else:
			s.append(ch)
	return '"' + "".join(s) + '"'


def split255(value):
	if not value:
		return [b""]
	return [value[i:i + MAXSTR] for i in range(0, len(value), MAXSTR)]


def parse(lines):
	"""Return (records, nxdomain names) from the upstream zone file."""
	records = []
	nx = []
	for lineno, raw in enumerate(lines, 1):
		line = raw.rstrip("\r\n")
		if not line.strip():
			continue
		if line.startswith(";ERROR,"):
			parts = line[1:].split(",")
			if len(parts) != 4 or parts[3] != "NXDOMAIN":
				raise ValueError("line %d: unknown marker %r" % (lineno, line))
			nx.append((absolute(parts[1]).lower(), parts[2], lineno))
			continue
		if line.startswith(";"):
			continue
		fields = line.split(None, 1)
		owner = absolute(fields[0])
		rest = fields[1] if len(fields) > 1 else ""
		ttl = None
		while True:
			f = rest.split(None, 1)
			if not f:
				raise ValueError("line %d: no type" % lineno)
			if f[0].isdigit() and ttl is None:
				ttl = int(f[0])
			elif f[0].upper() == "IN":
				pass
			else:
				break
			rest = f[1] if len(f) > 1 else ""
		f = rest.split(None, 1)
		rtype = f[0].upper()
		data = f[1].strip() if len(f) > 1 else ""
		if rtype not in TYPES:
			raise ValueError("line %d: unsupported type %s" % (lineno, rtype))
		if rtype == "TXT":
			rdata = b"".join(txt_strings(data))
		elif rtype == "MX":
			pref, host = data.split()
			rdata = "%d %s" % (int(pref), absolute(host))
		elif rtype in ("PTR", "CNAME", "NS"):
			rdata = absolute(data.split()[0])
		else:
			rdata = data.split()[0]
		records.append((owner, ttl, rtype, rdata, lineno))
	return records, nx


def convert(lines):
	records, nx = parse(lines)
	owners = {r[0].lower() for r in records}
	for name, rtype, lineno in nx:
		# An NXDOMAIN name must own nothing and have nothing below it.
		for o in owners:
			if o == name or o.endswith("." + name):
				raise ValueError("line %d: %s is NXDOMAIN upstream but "
				    "owns or is above %s" % (lineno, name, o))
	out = [
	    "; Converted by tests/dmarc_am/convert_zone.py from t/zonefile of",
	    "; fastmail/authentication_milter; do not edit, regenerate.",
	    "; Licence: Perl 5 terms (tests/data/dmarc-am/LICENSE).",
	]
	seen = {}
	order = []
	for owner, ttl, rtype, rdata, lineno in records:
		key = (owner.lower(), rtype, rdata)
		if key in seen:
			old = seen[key]
			if ttl is not None and (old[1] is None or ttl < old[1]):
				seen[key] = (owner, ttl)
			continue
		seen[key] = (owner, ttl)
		order.append(key)
	for key in order:
		_, rtype, rdata = key
		owner, ttl = seen[key]
		ttlf = "%d " % ttl if ttl is not None else ""
		if rtype == "TXT":
			data = " ".join(quote(s) for s in split255(rdata))
		else:
			data = rdata
		line = "%s %sIN %s %s" % (owner, ttlf, rtype, data)
		out.append(("; " if rtype not in KEPT else "") + line)
	for name, rtype, lineno in nx:
		out.append("; %s (%s): NXDOMAIN upstream, absent here" % (name, rtype))
	return "\n".join(out) + "\n"


def main(argv):
	if len(argv) != 2:
		sys.stderr.write("usage: convert_zone.py ZONEFILE\n")
		return 2
	with open(argv[1], encoding="utf-8") as f:
		sys.stdout.write(convert(f.readlines()))
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv))
