"""
The hostile messages that hurt a long-running daemon more than test mode,
sent over the milter protocol to one compauthd (hostile.zone,
dmarc_enforce = on, max_dkim_signatures = 50): result tables overflowed by
junk signatures (a stack overflow took the whole daemon down), DNS budget
exhausted by junk ARC-Seal headers or by the sender's own SPF record, SPF
macro bombs (memory that stays resident), an AMS with a 32 000-name h=.
Each is answered 550 for contoso.example, the daemon stays up, its CPU per
message and its resident memory stay bounded.
"""

import os
import sys

import hostile  # noqa: F401  (puts tests/milter on the path)
import harness as H
import mclient as M
import tap

C = 'ceo@contoso.example'
REPLY = '550 5.7.1 Email rejected per DMARC policy for contoso.example'
BH = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
B = 'dGhpcyBpcyBub3QgYSBzaWduYXR1cmUgb2YgYW55IGtpbmQgYXQgYWxs'
HZ = 1.0 * os.sysconf('SC_CLK_TCK')


def hdrs(extra=(), frm=' "CEO" <%s>' % C):
    return [('From', frm), ('To', ' alice@fabrikam.example'), ('Subject', ' Invoice'),
            ('Date', ' Wed, 25 Nov 2026 10:00:00 +0000')] + list(extra)


def dkim_sigs(n):
    return [('DKIM-Signature', ' v=1; a=rsa-sha256; c=relaxed/relaxed; d=evil.example; s=s%d; '
             'h=from:to:subject; bh=%s; b=%s' % (k, BH, B)) for k in range(n)]


def arc_seals(n):
    return [('ARC-Seal', ' i=%d; a=rsa-sha256; cv=none; d=evil.example; s=s%d; t=1; b=%s'
             % (k % 50 + 1, k, B)) for k in range(n)]


def big_ams():
    return [('ARC-Seal', ' i=1; a=rsa-sha256; cv=none; d=evil.example; s=arc; t=1; b=' + B),
            ('ARC-Message-Signature', ' i=1; a=rsa-sha256; c=relaxed/relaxed; d=evil.example; '
             's=arc; h=%s; bh=%s; b=%s' % (':'.join(['x'] * 32000), BH, B)),
            ('ARC-Authentication-Results', ' i=1; mx.evil.example; dmarc=pass')]


def proc(pid):
    """(cpu seconds, VmRSS kB, VmHWM kB) of the daemon."""
    with open('/proc/%d/stat' % pid) as f:
        st = f.read().rsplit(')', 1)[1].split()
    cpu = (int(st[11]) + int(st[12])) / HZ
    rss = hwm = 0
    with open('/proc/%d/status' % pid) as f:
        for ln in f:
            if ln.startswith('VmRSS:'):
                rss = int(ln.split()[1])
            elif ln.startswith('VmHWM:'):
                hwm = int(ln.split()[1])
    return cpu, rss, hwm


def send(d, headers, mail_from='<ceo@evil.example>'):
    with d.client(timeout=30) as c:
        return M.send_message(c, H.message(headers), client_ip='203.0.113.66',
                              helo='mail.evil.example', mail_from=mail_from)


def rss_check(cond, name):
    # AddressSanitizer keeps freed memory in quarantine: RSS says nothing there.
    if hostile.SANITIZED:
        tap.skip(name, 'sanitizer runtime holds freed memory')
    else:
        tap.ok(cond, name)


def start():
    d = H.Daemon(None, tag='hostile', settings=[
        ('zone_file', hostile.ZONE), ('authserv_id', hostile.AUTHSERV_ID),
        ('dmarc_enforce', 'on'), ('max_dkim_signatures', '50'),
        ('log_level', 'info')]).start()
    # Warm up (cache, arenas, libraries) before the baseline is read.
    for _ in range(3):
        send(d, hdrs())
    return d, proc(d.pid)


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    n = 20
    cases = [
        ('plain spoof', hdrs(), '<ceo@evil.example>'),
        ('22 junk DKIM signatures', hdrs(dkim_sigs(22)), '<ceo@evil.example>'),
        ('50 junk DKIM signatures', hdrs(dkim_sigs(50)), '<ceo@evil.example>'),
        ('70 junk ARC-Seal headers', hdrs(arc_seals(70)), '<ceo@evil.example>'),
        ('MAIL FROM with 10 mx x 10 hosts', hdrs(), '<x@mx10.evil.example>'),
        ('AMS with a 32 000-name h= over 1000 headers',
         hdrs(big_ams() + [('X', ' %d' % i) for i in range(990)]),
         '<ceo@evil.example>'),
        ('SPF macro bomb', hdrs(), '<%s@macro1.evil.example>' % ('a' * 1000)),
    ]
    d, (cpu0, rss0, hwm0) = start()
    for name, h, mf in cases:
        if not d.alive():
            # A crash is reported once; the next case gets a fresh daemon.
            d, (cpu0, rss0, hwm0) = start()
        c0, _, _ = proc(d.pid)
        verdicts = []
        for _ in range(n):
            try:
                o = send(d, h, mf)
            except (OSError, M.MilterError) as e:
                verdicts.append(('no answer', str(e)))
                # A crashing daemon may take a while to die (core dump).
                if d.wait(10) is not None:
                    break
                continue
            verdicts.append((o.verdict, o.eom.final.text if o.eom and
                             o.eom.final.code == M.SMFIR_REPLYCODE else None))
        if not tap.ok(d.alive(), '%s: the daemon is still running' % name,
                      'exit status %s; log tail:\n%s' % (d.returncode(), d.log()[-600:])):
            continue
        c1, rss, hwm = proc(d.pid)
        tap.is_(sorted(set(verdicts)), [('reject', REPLY)],
                '%s: every one of %d answered %s' % (name, n, REPLY))
        per = (c1 - c0) * 1000.0 / n
        tap.ok(per < hostile.CPU_MAX_MS, '%s: daemon CPU %.1f ms per message (< %d)'
               % (name, per, hostile.CPU_MAX_MS))
        rss_check(hwm - hwm0 < 16 * 1024, '%s: daemon peak RSS %d kB, %+d kB over the '
                  'warm baseline (< 16 MB)' % (name, hwm, hwm - hwm0))
        tap.diag('%s: %.1f ms CPU per message, RSS %d kB, peak %d kB' % (name, per, rss, hwm))
    if d.alive():
        cpu1, rss1, hwm1 = proc(d.pid)
        rss_check(rss1 - rss0 < 16 * 1024, 'resident memory at the end %d kB, %+d kB over '
                  'the warm baseline %d kB (< 16 MB)' % (rss1, rss1 - rss0, rss0))
        rc, _ = d.stop()
        tap.is_(rc, 0, 'SIGTERM after the hostile messages: exit status 0')
    tap.done()
    sys.exit(1 if tap.failed() else 0)


tap.run(main)
