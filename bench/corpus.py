#!/usr/bin/python3
"""
Benchmark corpus: ~2000 messages mixed like real inbound mail, and the DNS
zones (nsd format, every record TTL 0 so no cache hides work) holding every
key and record they need. Deterministic: the mix, the envelopes, the bodies
and the expected verdicts come from one seeded generator; only the keys
(openssl genpkey) and so the signature bytes differ between corpora.

The mix (per message, drawn with the seed):
  - 35 % sent through an ESP: two DKIM signatures, the author's domain
    (aligned) and the ESP's (RSA-2048, or Ed25519 for a fifth), envelope
    sender at the ESP (SPF pass, not aligned);
  - 44 % direct from the author's server: one signature with the domain's
    key (RSA-2048 70 %, RSA-1024 20 %, Ed25519 10 % of domains), SPF
    through two includes; 6 % of them from an unlisted address;
  - 9 % forwarded by a mailing list: the author's signature (broken by a
    subject tag half the time), then one or two ARC sets (RSA-2048) by the
    list hosts, envelope sender at the list;
  - 12 % unsigned, a quarter of those spoofing a p=reject domain from a
    stranger's address without reverse DNS;
  - 4 % of the signed messages have their body changed after signing;
  - DMARC policies over the 60 author domains: p=none 40 %, quarantine
    25 %, reject 20 %, no record 15 %;
  - bodies lognormal, scaled to a mean of about 17 KB (text, some with a
    base64 attachment).

Writes DIR/msgs/NNNN.eml, DIR/manifest.json (envelope, expected results,
signature count per algorithm) and DIR/zones/*.zone, and reuses DIR when its
manifest has the same parameters.

usage: bench/corpus.py DIR [N] [SEED]
"""
import base64
import json
import math
import multiprocessing
import os
import random
import subprocess
import sys

VERSION = 3
N_DOMAINS = 60
ESP = 'esp.example'
LISTS = ('l1.example', 'l2.example')
RCPT_DOMAIN = 'mx.bench.example'
WORDS = ('the of and to in is that for it as was with be by on not he this are or his '
         'from at which but have an they you were her she there been one all we their '
         'invoice meeting report quarterly shipment order account update password '
         'schedule review project delivery customer support team please thanks regards '
         'attached document contract budget forecast release notes build server').split()


def rsa_pair(bits):
    priv = subprocess.run(['openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt',
                           'rsa_keygen_bits:%d' % bits], check=True,
                          capture_output=True).stdout
    der = subprocess.run(['openssl', 'pkey', '-pubout', '-outform', 'DER'], input=priv,
                         check=True, capture_output=True).stdout
    return priv.decode(), 'v=DKIM1; k=rsa; p=' + base64.b64encode(der).decode()


def ed_pair():
    import nacl.signing
    sk = nacl.signing.SigningKey.generate()
    return (base64.b64encode(bytes(sk)).decode(),
            'v=DKIM1; k=ed25519; p=' + base64.b64encode(bytes(sk.verify_key)).decode())


def txt(name, value):
    parts = [value[i:i + 250] for i in range(0, len(value), 250)]
    return '%s. 0 IN TXT %s\n' % (name, ' '.join('"%s"' % p for p in parts))


def soa(zone):
    return ('$TTL 0\n$ORIGIN %s.\n@ 0 IN SOA ns.example. hostmaster.example. 1 3600 600 '
            '86400 0\n@ 0 IN NS ns.example.\n' % zone)


def body_text(rng, size, attach):
    lines, n = [], 0
    text_size = size if not attach else max(600, size // 5)
    while n < text_size:
        line = ' '.join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
        lines.append(line)
        n += len(line) + 2
    if not attach:
        return '\r\n'.join(lines) + '\r\n', 'text/plain; charset=utf-8'
    bnd = '=_bnd_%08x' % rng.getrandbits(32)
    raw = rng.randbytes(max(0, (size - n) * 3 // 4))
    b64 = base64.b64encode(raw).decode()
    att = '\r\n'.join(b64[i:i + 76] for i in range(0, len(b64), 76))
    out = ('This is a multi-part message in MIME format.\r\n\r\n--%s\r\n'
           'Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n--%s\r\n'
           'Content-Type: application/pdf; name="doc.pdf"\r\n'
           'Content-Transfer-Encoding: base64\r\n'
           'Content-Disposition: attachment; filename="doc.pdf"\r\n\r\n%s\r\n--%s--\r\n'
           % (bnd, '\r\n'.join(lines), bnd, att, bnd))
    return out, 'multipart/mixed; boundary="%s"' % bnd


def sign_job(job):
    """Runs in a worker: signs and seals one message, returns its bytes."""
    import dkim
    msg = job['msg'].encode()
    hdrs = [b'from', b'to', b'subject', b'date', b'message-id', b'mime-version',
            b'content-type']
    for s in job['sigs']:
        alg = b'ed25519-sha256' if s['alg'] == 'ed25519' else b'rsa-sha256'
        sig = dkim.sign(msg, s['sel'].encode(), s['d'].encode(), job['keys'][s['key']].encode(),
                        canonicalize=(b'relaxed', b'relaxed'), signature_algorithm=alg,
                        include_headers=hdrs)
        msg = sig + msg
    if job.get('list_tag'):
        msg = msg.replace(b'\r\nSubject: ', b'\r\nSubject: [list] ', 1)
    if job.get('tamper'):
        i = msg.index(b'\r\n\r\n') + 4
        msg = msg[:i] + b'P.S. changed on the way\r\n' + msg[i:]
    for i, lst in enumerate(job.get('arc', ())):
        ar = (b'Authentication-Results: ' + lst.encode() + b'; ' +
              (b'arc=none' if i == 0 else b'arc=pass') + b'; dkim=pass header.d=' +
              job['author'].encode() + b'; dmarc=pass header.from=' + job['author'].encode() +
              b'\r\n')
        msg = ar + msg
        msg = b''.join(dkim.arc_sign(msg, b'arc', lst.encode(), job['keys']['arc'].encode(),
                                     lst.encode(), include_headers=hdrs)) + msg
    received = ('Received: from %s (%s [%s])\r\n\tby mx.bench.example (Postfix) with ESMTPS id %s'
                '\r\n\tfor <%s>; Mon, 24 Nov 2025 10:%02d:%02d +0000\r\n'
                % (job['helo'], job['helo'], job['ip'], job['qid'], job['rcpt'],
                   job['idx'] // 60 % 60, job['idx'] % 60)).encode()
    return received + msg


def generate(out, n, seed):
    rng = random.Random(seed)
    os.makedirs(os.path.join(out, 'msgs'), exist_ok=True)
    os.makedirs(os.path.join(out, 'zones'), exist_ok=True)
    keys, pubs = {}, {}
    for name, bits in (('rsa2048', 2048), ('rsa1024', 1024), ('arc', 2048)):
        keys[name], pubs[name] = rsa_pair(bits)
    keys['ed25519'], pubs['ed25519'] = ed_pair()

    zone = soa('example') + 'ns 0 IN A 127.0.0.1\n'
    rev = {'100.51.198': {}, '113.0.203': {}, '2.0.192': {}}
    domains = []
    for i in range(N_DOMAINS):
        d = 'd%02d.example' % i
        alg = rng.choices(('rsa2048', 'rsa1024', 'ed25519'), (70, 20, 10))[0]
        pol = rng.choices(('none', 'quarantine', 'reject', None), (40, 25, 20, 15))[0]
        ip = '198.51.100.%d' % (i + 1)
        host = 'mail.%s' % d
        allq = rng.choice(('~all', '-all'))
        domains.append({'d': d, 'alg': alg, 'sel': 's' + alg, 'policy': pol, 'ip': ip,
                        'host': host})
        zone += txt(d, 'v=spf1 include:_spf.%s include:_spf.%s %s' % (d, ESP, allq))
        zone += txt('_spf.' + d, 'v=spf1 ip4:%s/32 ip4:198.18.%d.0/24 -all' % (ip, i))
        zone += txt('s%s._domainkey.%s' % (alg, d), pubs[alg])
        if pol:
            zone += txt('_dmarc.' + d, 'v=DMARC1; p=%s; rua=mailto:dmarc@%s; adkim=r; aspf=r'
                        % (pol, d))
        zone += '%s. 0 IN A %s\n%s. 0 IN MX 10 %s.\n' % (host, ip, d, host)
        rev['100.51.198'][i + 1] = host
    # The ESP: SPF through two more includes, two keys, PTRs for its servers.
    zone += txt(ESP, 'v=spf1 include:_spf.%s -all' % ESP)
    zone += txt('_spf.' + ESP, 'v=spf1 include:_nb1.%s include:_nb2.%s -all' % (ESP, ESP))
    zone += txt('_nb1.' + ESP, 'v=spf1 ip4:203.0.113.0/25 -all')
    zone += txt('_nb2.' + ESP, 'v=spf1 ip4:203.0.113.128/25 -all')
    zone += txt('esp1._domainkey.' + ESP, pubs['rsa2048'])
    zone += txt('esped._domainkey.' + ESP, pubs['ed25519'])
    zone += txt('_dmarc.' + ESP, 'v=DMARC1; p=none')
    for k in range(1, 41):
        h = 'o%d.mta.%s' % (k, ESP)
        zone += '%s. 0 IN A 203.0.113.%d\n' % (h, k)
        rev['113.0.203'][k] = h
    for j, lst in enumerate(LISTS):
        ip = '192.0.2.%d' % (j + 1)
        h = 'lists.' + lst
        zone += txt(lst, 'v=spf1 ip4:%s -all' % ip)
        zone += txt('arc._domainkey.' + lst, pubs['arc'])
        zone += txt('_dmarc.' + lst, 'v=DMARC1; p=none')
        zone += '%s. 0 IN A %s\n' % (h, ip)
        rev['2.0.192'][j + 1] = h

    # Bodies: lognormal sizes scaled to a mean of 17 KB.
    raw = [rng.lognormvariate(0, 1.0) for _ in range(n)]
    scale = 17000 / (sum(raw) / n)
    sizes = [min(400000, max(400, int(x * scale))) for x in raw]

    jobs, manifest = [], []
    for idx in range(n):
        dom = rng.choice(domains)
        d = dom['d']
        kind = rng.choices(('esp', 'direct', 'list', 'unsigned'), (35, 44, 9, 12))[0]
        user = rng.choice(('alice', 'bob', 'news', 'billing', 'noreply', 'carol'))
        attach = rng.random() < 0.25
        body, ctype = body_text(rng, sizes[idx], attach)
        sigs, arc, tamper, tag = [], [], False, False
        exp = {'spf': 'pass', 'dkim_aligned': False}
        mail_from = '%s@%s' % (user, d)
        ip, helo = dom['ip'], dom['host']
        if kind == 'esp':
            sigs.append({'d': d, 'sel': dom['sel'], 'alg': dom['alg'], 'key': dom['alg']})
            ealg = 'ed25519' if rng.random() < 0.2 else 'rsa2048'
            sigs.append({'d': ESP, 'sel': 'esped' if ealg == 'ed25519' else 'esp1',
                         'alg': ealg, 'key': ealg})
            k = rng.randint(1, 40)
            ip, helo = '203.0.113.%d' % k, 'o%d.mta.%s' % (k, ESP)
            mail_from = 'bounce-%d@%s' % (idx, ESP)
            exp['spf_domain'] = ESP
        elif kind == 'direct':
            sigs.append({'d': d, 'sel': dom['sel'], 'alg': dom['alg'], 'key': dom['alg']})
            if rng.random() < 0.06:
                ip, helo = '192.0.2.%d' % rng.randint(100, 250), 'relay.misconfigured.test'
                exp['spf'] = 'fail'
        elif kind == 'list':
            sigs.append({'d': d, 'sel': dom['sel'], 'alg': dom['alg'], 'key': dom['alg']})
            tag = rng.random() < 0.5
            arc = list(LISTS[:rng.choice((1, 1, 2))])
            last = arc[-1]
            ip = '192.0.2.%d' % (LISTS.index(last) + 1)
            helo = 'lists.' + last
            mail_from = 'bounces@%s' % last
        else:
            if rng.random() < 0.25:
                dom = rng.choice([x for x in domains if x['policy'] == 'reject'])
                d = dom['d']
                mail_from = '%s@%s' % (user, d)
                ip, helo = '192.0.2.%d' % rng.randint(100, 250), 'unknown.spoof.test'
                exp['spf'] = 'fail'
        if sigs and rng.random() < 0.04:
            tamper = True
        exp['dkim_aligned'] = bool(sigs) and not tamper and not tag
        spf_aligned = exp['spf'] == 'pass' and mail_from.endswith('@' + d)
        if dom['policy'] is None:
            exp['dmarc'] = 'none'
        else:
            exp['dmarc'] = 'pass' if (exp['dkim_aligned'] or spf_aligned) else 'fail'
        qid = '%05X%05X' % (idx, rng.getrandbits(20))
        date = 'Mon, 24 Nov 2025 %02d:%02d:%02d +0000' % (idx // 3600 % 24, idx // 60 % 60,
                                                           idx % 60)
        subj = ' '.join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))).capitalize()
        hdr = [('Received', 'from [10.%d.%d.%d] (unknown [10.%d.%d.%d])\r\n\tby %s (Postfix) '
                'with ESMTPSA id %s; %s' % (idx % 250, idx // 250, 7, 1, 2, 3, helo, qid, date)),
               ('Received', 'from localhost by app%d.%s with HTTP; %s' % (idx % 9, d, date)),
               ('From', '"%s at %s" <%s@%s>' % (user.capitalize(), d, user, d)),
               ('To', '<user%d@%s>' % (idx % 97, RCPT_DOMAIN)),
               ('Subject', subj),
               ('Date', date),
               ('Message-ID', '<%d.%x@%s>' % (idx, rng.getrandbits(48), d)),
               ('MIME-Version', '1.0'),
               ('Content-Type', ctype)]
        if rng.random() < 0.5:
            hdr.append(('List-Unsubscribe', '<https://%s/u/%x>' % (d, rng.getrandbits(64))))
        if rng.random() < 0.5:
            hdr.append(('X-Mailer', 'BenchMailer %d.%d' % (rng.randint(1, 9), rng.randint(0, 9))))
        if not attach:
            hdr.append(('Content-Transfer-Encoding', '8bit'))
        msg = ''.join('%s: %s\r\n' % h for h in hdr) + '\r\n' + body
        rcpt = 'user%d@%s' % (idx % 97, RCPT_DOMAIN)
        jobs.append({'msg': msg, 'sigs': sigs, 'arc': arc, 'tamper': tamper, 'list_tag': tag,
                     'author': d, 'keys': keys, 'ip': ip, 'helo': helo, 'qid': qid,
                     'rcpt': rcpt, 'idx': idx})
        manifest.append({'file': 'msgs/%04d.eml' % idx, 'kind': kind, 'ip': ip, 'helo': helo,
                         'mail_from': mail_from, 'rcpt': rcpt, 'from_domain': d,
                         'policy': dom['policy'], 'sigs': [s['alg'] for s in sigs],
                         'arc_sets': len(arc), 'tamper': tamper, 'list_tag': tag,
                         'expect': exp})
    with multiprocessing.Pool(min(2, os.cpu_count() or 1)) as pool:
        for idx, data in enumerate(pool.imap(sign_job, jobs, chunksize=16)):
            with open(os.path.join(out, manifest[idx]['file']), 'wb') as f:
                f.write(data)
            manifest[idx]['size'] = len(data)
    with open(os.path.join(out, 'zones', 'example.zone'), 'w') as f:
        f.write(zone)
    for net, hosts in rev.items():
        z = soa('.'.join(net.split('.')[::-1]) + '.in-addr.arpa')
        for last, h in hosts.items():
            z += '%d 0 IN PTR %s.\n' % (last, h)
        with open(os.path.join(out, 'zones', '%s.zone' % net), 'w') as f:
            f.write(z)
    meta = {'version': VERSION, 'n': n, 'seed': seed,
            'zones': {'example': 'zones/example.zone'} |
            {'.'.join(net.split('.')[::-1]) + '.in-addr.arpa': 'zones/%s.zone' % net
             for net in rev},
            'messages': manifest}
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(meta, f, indent=0)
    return meta


def load(out, n=2000, seed=16):
    """The corpus in out, generated first unless it is there already."""
    path = os.path.join(out, 'manifest.json')
    try:
        with open(path) as f:
            meta = json.load(f)
        if (meta['version'], meta['n'], meta['seed']) == (VERSION, n, seed):
            return meta
    except (OSError, ValueError, KeyError):
        pass
    return generate(out, n, seed)


def describe(meta):
    """Mix statistics: counts, signatures per message by algorithm, sizes."""
    msgs = meta['messages']
    n = len(msgs)
    algs = {'rsa2048': 0, 'rsa1024': 0, 'ed25519': 0}
    for m in msgs:
        for a in m['sigs']:
            algs[a] += 1
    return {
        'n': n,
        'signed': sum(1 for m in msgs if m['sigs']) / n,
        'sigs_per_msg': sum(len(m['sigs']) for m in msgs) / n,
        'algs_per_msg': {a: c / n for a, c in algs.items()},
        'arc': sum(1 for m in msgs if m['arc_sets']) / n,
        'arc_sets_per_msg': sum(m['arc_sets'] for m in msgs) / n,
        'tampered': sum(1 for m in msgs if m['tamper']) / n,
        'mean_size': sum(m['size'] for m in msgs) / n,
        'median_size': sorted(m['size'] for m in msgs)[n // 2],
        'policies': {p: sum(1 for m in msgs if m['policy'] == p) / n
                     for p in ('none', 'quarantine', 'reject', None)},
        'expect_dmarc': {r: sum(1 for m in msgs if m['expect']['dmarc'] == r)
                         for r in ('pass', 'fail', 'none')},
    }


if __name__ == '__main__':
    d = sys.argv[1]
    meta = load(d, int(sys.argv[2]) if len(sys.argv) > 2 else 2000,
                int(sys.argv[3]) if len(sys.argv) > 3 else 16)
    print(json.dumps(describe(meta), indent=1))
