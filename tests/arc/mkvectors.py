#!/usr/bin/python3
"""Writes our own ARC vectors into tests/data/arc/local/ (run by hand;
the output is kept in the tree): ed25519-sha256 chains (RFC 8463) and
header.oldest-pass cases (RFC 8617 section 5.2 step 4), which the ValiMail
suite does not cover. RSA sets are sealed by Debian's python3-dkim
(dkimpy); its ARC sealer knows no ed25519, so ed25519 sets are sealed by
the small sealer below (relaxed/relaxed, RFC 8617 sections 4.1, 5.1.1;
RFC 8463: Ed25519 over the SHA-256 of the data). Fresh keys each run;
the zone gets the public keys in our zone format.

Index lines: name<TAB>expected result<TAB>zone<TAB>message<TAB>oldest-pass
(paths relative to the index).
"""
import base64
import os
import subprocess
import sys

import hashlib
import re

import dkim
import nacl.signing

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "arc", "local")
DOM = b"example.net"


def zone_line(name, txt):
    parts = [txt[i:i + 255] for i in range(0, len(txt), 255)]
    return "%s. TXT %s\n" % (name, " ".join('"%s"' % p for p in parts))


def rsa_key():
    priv = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                           "rsa_keygen_bits:2048", "-outform", "PEM"],
                          check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"], input=priv,
                         check=True, capture_output=True).stdout
    return priv, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def ed_key():
    sk = nacl.signing.SigningKey.generate()
    return (base64.b64encode(bytes(sk)),
            "v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(sk.verify_key)).decode())


BASE = (b"From: Alice <alice@example.org>\r\nTo: bob@example.com\r\n"
        b"Subject: ARC vectors\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
        b"Message-ID: <v1@example.org>\r\n\r\nHello  there,\r\n\r\nbody text.\r\n\r\n")


def split(msg):
    head, body = msg.split(b"\r\n\r\n", 1)
    fields = re.split(b"\r\n(?![ \t])", head)
    return [tuple(f.split(b":", 1)) for f in fields], body


def relaxed_header(name, value, crlf=True):
    v = re.sub(b"[ \t]+", b" ", value.replace(b"\r\n", b"")).strip(b" ")
    return name.strip(b" \t").lower() + b":" + v + (b"\r\n" if crlf else b"")


def relaxed_body(body):
    lines = [re.sub(b"[ \t]+", b" ", ln).rstrip(b" ") for ln in body.split(b"\r\n")]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"".join(ln + b"\r\n" for ln in lines)


def ed_sign(sk, data):
    return base64.b64encode(sk.sign(hashlib.sha256(data).digest()).signature)


def simple_body(body):
    while body.endswith(b"\r\n\r\n"):
        body = body[:-2]
    return body if body.endswith(b"\r\n") else body + b"\r\n"


def seal_ed(msg, seed, srv, cv, simple=False):
    """simple: AMS c=simple/simple with its b= value folded onto a line of
    its own, which only verifies when the FWS around b= is taken out with
    the value (RFC 6376 section 3.7)."""
    sk = nacl.signing.SigningKey(base64.b64decode(seed))
    fields, body = split(msg)
    n = 1 + sum(1 for f in fields if f[0].lower() == b"arc-seal")
    aar = (b"ARC-Authentication-Results", b" i=%d; " % n + srv + b"; spf=pass smtp.mailfrom=example.org")
    canon_b = simple_body if simple else relaxed_body
    canon_h = (lambda n, v, crlf=True: n + b":" + v + (b"\r\n" if crlf else b"")) if simple \
        else relaxed_header
    bh = base64.b64encode(hashlib.sha256(canon_b(body)).digest())
    hl = [b"from", b"to", b"subject", b"date", b"message-id"]
    ams_v = (b" i=%d; a=ed25519-sha256; c=%s; d=example.net; s=ed; t=1764064800;"
             b" h=" % (n, b"simple/simple" if simple else b"relaxed/relaxed") + b":".join(hl) + b"; bh=" + bh + b"; b=")
    data, used = b"", set()
    for h in hl:
        for k in range(len(fields) - 1, -1, -1):
            if k not in used and fields[k][0].lower() == h:
                used.add(k)
                data += canon_h(*fields[k])
                break
    data += canon_h(b"ARC-Message-Signature", ams_v, False)
    ams = (b"ARC-Message-Signature", ams_v + (b"\r\n\t" if simple else b"") + ed_sign(sk, data))
    as_v = b" i=%d; a=ed25519-sha256; cv=%s; d=example.net; s=ed; t=1764064800; b=" % (n, cv)
    sets = {}
    for f in fields:
        name = f[0].lower()
        if name.startswith(b"arc-"):
            i = int(re.search(rb"i\s*=\s*(\d+)", f[1]).group(1))
            sets.setdefault(i, {})[name] = f
    data = b""
    for i in range(1, n):
        for nm in (b"arc-authentication-results", b"arc-message-signature", b"arc-seal"):
            data += relaxed_header(*sets[i][nm])
    data += relaxed_header(*aar) + relaxed_header(*ams) + relaxed_header(b"ARC-Seal", as_v, False)
    aseal = (b"ARC-Seal", as_v + ed_sign(sk, data))
    top = b"".join(f[0] + b":" + f[1] + b"\r\n" for f in (aseal, ams, aar))
    return top + msg


def seal(msg, sel, key, alg, srv, simple=False):
    msg = b"Authentication-Results: " + srv + b"; spf=pass smtp.mailfrom=example.org\r\n" + msg
    if alg == b"ed25519-sha256":
        return seal_ed(msg, key, srv, b"none" if b"ARC-Seal" not in msg else b"pass", simple)
    hdrs = dkim.arc_sign(msg, sel, DOM, key, srv, signature_algorithm=alg,
                         include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
                         timestamp=1764064800)
    return b"".join(hdrs) + msg


def main():
    os.makedirs(OUT, exist_ok=True)
    rpriv, rrec = rsa_key()
    epriv, erec = ed_key()
    zone = "; ARC local vectors (tests/arc/mkvectors.py)\n"
    zone += zone_line("rsa._domainkey.example.net", rrec)
    zone += zone_line("ed._domainkey.example.net", erec)
    zone += zone_line("edasrsa._domainkey.example.net", "v=DKIM1; k=rsa; " + erec.split("; ")[-1])
    zone += zone_line("edsha1._domainkey.example.net", erec.replace("k=ed25519;", "k=ed25519; h=sha1;"))
    zone += zone_line("edweb._domainkey.example.net", erec.replace("k=ed25519;", "k=ed25519; s=web;"))
    with open(os.path.join(OUT, "local.zone"), "w") as f:
        f.write(zone)
    vec = []

    def put(name, msg, want, oldest):
        with open(os.path.join(OUT, name + ".eml"), "wb") as f:
            f.write(msg)
        vec.append("%s\t%s\tlocal.zone\t%s.eml\t%s\n" % (name, want, name, oldest))

    ed1 = seal(BASE, b"ed", epriv, b"ed25519-sha256", b"mx1.example.net")
    put("ed25519_i1", ed1, "pass", "0")
    put("ed25519_i1_body_changed", ed1.replace(b"body text.", b"body text!"), "fail", "-")
    put("ed25519_i1_key_is_rsa", ed1.replace(b"s=ed;", b"s=edasrsa;"), "fail", "-")
    # RFC 6376 3.6.1 key tags h= and s=; the AS is then broken too, the AMS decides first.
    put("ed25519_key_h_sha1", ed1.replace(b"s=ed;", b"s=edsha1;"), "fail", "-")
    put("ed25519_key_s_web", ed1.replace(b"s=ed;", b"s=edweb;"), "fail", "-")
    eds = seal(BASE, b"ed", epriv, b"ed25519-sha256", b"mx1.example.net", simple=True)
    put("ed25519_simple_b_folded", eds, "pass", "0")
    put("ed25519_simple_body_wsp", eds.replace(b"Hello  there", b"Hello there"), "fail", "-")
    rsa1 = seal(BASE, b"rsa", rpriv, b"rsa-sha256", b"mx1.example.net")
    put("rsa_i1_ed25519_i2", seal(rsa1, b"ed", epriv, b"ed25519-sha256", b"mx2.example.net"),
        "pass", "0")
    # A list changes the body after hop 1 and seals at hop 2: AMS(1) breaks.
    changed = rsa1.replace(b"body text.", b"body text.\r\n-- \r\nlist footer")
    put("oldest_pass_2", seal(changed, b"ed", epriv, b"ed25519-sha256", b"mx2.example.net"),
        "pass", "2")
    with open(os.path.join(OUT, "index.tsv"), "w") as f:
        f.writelines(vec)


if __name__ == "__main__":
    sys.exit(main())
