#!/usr/bin/python3
"""Turns the ValiMail ARC validation suite (YAML) into files the C driver
tests/arc/test_arc reads: one CRLF message per test, one zone file per
scenario in our resolver's zone format (man compauthd-zone(5): TXT strings
of at most 255 bytes), and an index of "name<TAB>cv<TAB>zone<TAB>message".

Usage: yaml2suite.py SUITE.yml OUTDIR
A YAML loader keeps the last of repeated names (scenario 7 repeats four,
all Pass), which gives the suite's 171 tests. An empty cv (three tests
whose newest seal says cv=fail) is Fail: RFC 8617 section 5.2 step 2
makes such a chain fail, and the suite's maintainers read it so (see
tests/data/arc/SOURCE and the conformance notes).
"""
import os
import sys

import yaml


def zone_line(name, txt):
    txt = txt.replace("\n", "")
    parts = [txt[i:i + 255] for i in range(0, len(txt), 255)] or [""]
    quoted = " ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)
    return "%s. TXT %s\n" % (name.rstrip("."), quoted)


def load(src, out):
    """The suite's scenarios; out is created."""
    os.makedirs(out, exist_ok=True)
    with open(src, encoding="utf-8") as f:
        return list(yaml.safe_load_all(f))


def write_zone(path, sn, sc):
    """A scenario's txt-records as a zone file."""
    with open(path, "w", encoding="utf-8") as z:
        z.write("; scenario %d: %s\n" % (sn, str(sc.get("description", "")).strip()))
        for name, txt in (sc.get("txt-records") or {}).items():
            z.write(zone_line(name, str(txt)))


def main():
    src, out = sys.argv[1], sys.argv[2]
    index = []
    for sn, sc in enumerate(load(src, out)):
        zpath = os.path.join(out, "scenario%d.zone" % sn)
        write_zone(zpath, sn, sc)
        for name, t in sc["tests"].items():
            cv = (t.get("cv") or "").strip() or "Fail"
            msg = t.get("message") or ""
            mpath = os.path.join(out, name + ".eml")
            with open(mpath, "wb") as m:
                m.write(msg.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))
            index.append("%s\t%s\t%s\t%s\n" % (name, cv, zpath, mpath))
    with open(os.path.join(out, "index.tsv"), "w", encoding="utf-8") as f:
        f.writelines(index)


if __name__ == "__main__":
    main()
