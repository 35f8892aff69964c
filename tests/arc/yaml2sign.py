#!/usr/bin/python3
"""Turns the ValiMail ARC signing suite (YAML) into files the C driver
tests/arc/test_arc_sign reads: per test a CRLF message, the expected
ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results values,
and the Authentication-Results value the sealer reports (the test's
srv-id results, merged from every Authentication-Results header of that
authserv-id into one, as a sealer that is also the verifier writes
them); per scenario a zone file with the suite's key record and the PEM
private key. Index line: name, t, sig-headers, zone, key, message,
our A-R value file, expected AS, AMS, AAR files (tab separated).

Usage: yaml2sign.py SUITE.yml OUTDIR
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from yaml2suite import load, write_zone  # noqa: E402


def crlf(s):
    return s.replace("\r\n", "\n").replace("\n", "\r\n")


def headers(msg):
    """(name, value) pairs of a message's header, folds joined."""
    head = msg.replace("\r\n", "\n").split("\n\n", 1)[0]
    out = []
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and out:
            out[-1][1] += "\n" + line
        elif ":" in line:
            n, v = line.split(":", 1)
            out.append([n, v])
    return out


def merged_ar(msg, srv_id):
    results = []
    for n, v in headers(msg):
        if n.strip().lower() != "authentication-results":
            continue
        v = v.strip()
        ident, _, rest = v.partition(";")
        if ident.strip().lower() != srv_id.lower():
            continue
        results += [r.strip() for r in rest.split(";") if r.strip()]
    return srv_id + "; " + ";\n\t".join(results) if results else srv_id + "; none"


def main():
    src, out = sys.argv[1], sys.argv[2]
    index = []
    for sn, sc in enumerate(load(src, out)):
        zpath = os.path.join(out, "sign%d.zone" % sn)
        write_zone(zpath, sn, sc)
        kpath = os.path.join(out, "sign%d.pem" % sn)
        with open(kpath, "w", encoding="utf-8") as k:
            k.write(sc["privatekey"])
        for name, t in sc["tests"].items():
            base = os.path.join(out, "sign-" + name)
            files = {}
            for part in ("AS", "AMS", "AAR"):
                files[part] = base + "." + part
                with open(files[part], "w", encoding="utf-8") as f:
                    f.write(str(t.get(part) or ""))
            with open(base + ".eml", "wb") as m:
                m.write(crlf(t["message"]).encode("utf-8"))
            with open(base + ".ar", "w", encoding="utf-8") as f:
                f.write(" " + merged_ar(t["message"], str(t["srv-id"])))
            index.append("\t".join([name, str(t["t"]), str(t["sig-headers"]), zpath, kpath,
                                    base + ".eml", base + ".ar", files["AS"], files["AMS"],
                                    files["AAR"]]) + "\n")
    with open(os.path.join(out, "index.tsv"), "w", encoding="utf-8") as f:
        f.writelines(index)


if __name__ == "__main__":
    main()
