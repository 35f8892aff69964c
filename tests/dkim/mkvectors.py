#!/usr/bin/python3
"""Writes the locally made DKIM test vectors of tests/data/dkim/local/.

Not run by `make check`: the outputs are committed, and this script is how
they were made (and can be remade byte for byte: ed25519 and RSA PKCS#1
v1.5 signatures are deterministic and every t=/x= is fixed here).

Signing uses Debian python3-dkim (header/body canonicalisation, tag layout,
RSA) and python3-cryptography (ed25519), so the verifier under test shares
no code with the signer. Keys:
  ed25519: the RFC 8032 section 7.1 TEST 1 key, which RFC 8463 Appendix A
           also uses (secret seed 9d61b19d...7f60, public 11qYAYKx...URo=)
  RSA 512: tests/data/dkim/local/rsa512.pem, made here once for the
           RFC 8301 key-size test (it is a test key and nothing else)
  RSA 2048: tests/data/dkim/local/rsa2048.pem, made here once, published
           both as SubjectPublicKeyInfo (spki) and as the bare PKCS#1
           RSAPublicKey RFC 6376 section 3.6.1 names (pkcs1); also the
           key tests/dkim/test_dkim_keys.c signs with
Every vector that should verify is checked with dkim.verify before it is
written (except the 512-bit one, which python3-dkim itself refuses).
"""
import base64
import os
import sys

import dkim
from dkim.canonicalization import CanonicalizationPolicy
from dkim.crypto import HASH_ALGORITHMS, parse_pem_private_key
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(TOP, "tests", "data", "dkim", "local")

ED_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ED_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(ED_SEED)
ED_PUB = base64.b64encode(ED_KEY.public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()
assert ED_PUB == "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

T0 = 1767225600                 # 2026-01-01T00:00:00Z: the t= of every vector but the time tests
HEADERS = ["from", "to", "subject", "date", "message-id"]


class EdSigner:
    """What dkim.DKIM.gen_header wants from an ed25519 key: sign(digest).signature."""
    class Sig:
        def __init__(self, s):
            self.signature = s

    def sign(self, digest):
        return self.Sig(ED_KEY.sign(digest))


def rsa_key(bits):
    """The committed rsaBITS.pem (made once), with its public key as
    SubjectPublicKeyInfo and as a bare PKCS#1 RSAPublicKey, base64."""
    path = os.path.join(OUT, "rsa%d.pem" % bits)
    if not os.path.exists(path):
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        with open(path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption()))
    pem = open(path, "rb").read()
    pub = serialization.load_pem_private_key(pem, password=None).public_key()
    spki = pub.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)
    pkcs1 = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return (parse_pem_private_key(pem), base64.b64encode(spki).decode(),
            base64.b64encode(pkcs1).decode())


def message(name, body=None):
    body = body or (b"Hello Suzie.\r\n\r\nThis message exists to be verified by compauthd"
                    b" (vector " + name.encode() + b").\r\n")
    return (b"From: Joe SixPack <joe@example.net>\r\n"
            b"To: Suzie Q <suzie@example.org>\r\n"
            b"Subject: compauthd DKIM test vector " + name.encode() + b"\r\n"
            b"Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
            b"Message-ID: <" + name.encode() + b"@example.net>\r\n"
            b"\r\n" + body)


def sign(msg, sel, alg=b"ed25519-sha256", pk=None, t=T0, x=None, i=None, length=False,
         canon=(b"relaxed", b"relaxed"), headers=HEADERS, domain=b"example.net"):
    """Prepends one DKIM-Signature with exactly the tags asked for."""
    d = dkim.DKIM(msg, signature_algorithm=alg, linesep=b"\r\n")
    d.hasher = HASH_ALGORITHMS[alg]
    policy = CanonicalizationPolicy.from_c_value(b"/".join(canon))
    body = policy.canonicalize_body(d.body)
    h = d.hasher()
    h.update(body)
    fields = [x for x in [
        (b"v", b"1"),
        (b"a", alg),
        (b"c", b"/".join(canon)),
        (b"d", domain),
        i and (b"i", i),
        length and (b"l", str(len(body)).encode()),
        (b"s", sel),
        (b"t", str(t).encode()),
        x and (b"x", str(x).encode()),
        (b"h", b":".join(x.encode() for x in headers)),
        (b"bh", base64.b64encode(h.digest())),
        (b"b", b"0" * 60),
    ] if x]
    sig = d.gen_header(fields, tuple(x.encode() for x in headers), policy,
                       b"DKIM-Signature", pk if pk is not None else EdSigner())
    return b"DKIM-Signature: " + sig + msg


def check(name, msg, keys):
    def dns(qname, timeout=5):
        return keys.get(qname.decode().rstrip(".").lower(), "").encode() or None
    if not dkim.verify(msg, dnsfunc=dns):
        sys.exit("mkvectors: %s does not verify with python3-dkim" % name)


def main():
    pk512, pub512, _ = rsa_key(512)
    pk2048, spki2048, pkcs1_2048 = rsa_key(2048)
    ed = "v=DKIM1; k=ed25519; p=" + ED_PUB
    keys = {
        "ed._domainkey.example.net": ed,
        "edstrict._domainkey.example.net": "v=DKIM1; k=ed25519; t=s; p=" + ED_PUB,
        "rsa512._domainkey.example.net": "v=DKIM1; k=rsa; p=" + pub512,
        "spki._domainkey.example.net": "v=DKIM1; k=rsa; p=" + spki2048,
        "pkcs1._domainkey.example.net": "v=DKIM1; k=rsa; p=" + pkcs1_2048,
    }
    for n in range(1, 13):
        keys["m%02d._domainkey.example.net" % n] = ed
    out = {}

    m = message("same-domain-strict")
    out["ed-strict-same-i.eml"] = sign(m, b"edstrict", i=b"joe@example.net")
    check("ed-strict-same-i", out["ed-strict-same-i.eml"], keys)

    m = message("subdomain-strict")
    out["ed-strict-subdomain-i.eml"] = sign(m, b"edstrict", i=b"joe@mail.example.net")
    check("ed-strict-subdomain-i", out["ed-strict-subdomain-i.eml"],
          dict(keys, **{"edstrict._domainkey.example.net": ed}))

    m = message("expired")
    out["ed-expired.eml"] = sign(m, b"ed", t=1000000000, x=1000003600)

    m = message("future")
    out["ed-future.eml"] = sign(m, b"ed", t=4102444800)

    m = message("x-before-t")
    out["ed-x-before-t.eml"] = sign(m, b"ed", t=4102448400, x=4102444800)

    m = message("l-exact")
    out["ed-l-exact.eml"] = sign(m, b"ed", length=True)
    check("ed-l-exact", out["ed-l-exact.eml"], keys)

    m = message("l-partial")
    signed = sign(m, b"ed", length=True)
    check("ed-l-partial", signed, keys)
    out["ed-l-partial.eml"] = signed + b"\r\nAppended after signing, outside l=.\r\n"

    m = message("l-beyond")
    signed = sign(m, b"ed", length=True)
    out["ed-l-beyond.eml"] = signed[:signed.rindex(b"This message")] + b"\r\n"

    m = message("simple")
    out["ed-simple.eml"] = sign(m, b"ed", canon=(b"simple", b"simple"))
    check("ed-simple", out["ed-simple.eml"], keys)

    m = message("from-not-signed")
    out["ed-from-not-signed.eml"] = sign(m, b"ed", headers=["to", "subject", "date"])

    m = message("rsa512")
    out["rsa512-sha256.eml"] = sign(m, b"rsa512", alg=b"rsa-sha256", pk=pk512)

    # The same key, published two ways: python3-dkim verifies both.
    m = message("rsa-spki")
    out["rsa-spki.eml"] = sign(m, b"spki", alg=b"rsa-sha256", pk=pk2048)
    check("rsa-spki", out["rsa-spki.eml"], keys)

    m = message("rsa-pkcs1")
    out["rsa-pkcs1.eml"] = sign(m, b"pkcs1", alg=b"rsa-sha256", pk=pk2048)
    check("rsa-pkcs1", out["rsa-pkcs1.eml"], keys)

    m = message("twelve-signatures")
    for n in range(12, 0, -1):
        m = sign(m, b"m%02d" % n)
    check("ed-12-signatures", m, keys)
    out["ed-12-signatures.eml"] = m

    for name, data in out.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    with open(os.path.join(OUT, "keys.txt"), "w") as f:
        f.write("# Key records of the locally made vectors (written by tests/dkim/mkvectors.py).\n"
                "# Format as dkim-rfc8463/keys.txt: <owner name><TAB><TXT record text>\n")
        for name in sorted(keys):
            f.write("%s\t%s\n" % (name, keys[name]))


main()
