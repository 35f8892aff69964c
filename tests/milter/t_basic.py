"""
The daemon through its milter socket: option negotiation, and the iprev
result (RFC 8601 §3) stamped as one Authentication-Results header at the
top of the message, over IPv4 and IPv6, for pass, fail and temperror; and
the default authres_style, where the compauth verdict has a field of its own.
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import re

import harness as H
import mclient as M
import tap

# The exact bytes (RFC 8601 §2.2; folds are "\n\t", the MTA makes them CRLF).
V4 = H.stamp()
# RFC 8601 §2.2: a pvalue that is not a token (':' is a tspecial) is quoted.
V6 = (' mx.test.example;\n' + H.spf_line('2001:db8::10') +
      '\tiprev=pass policy.iprev="2001:db8::10" (mail.example.org);\n' + H.DKIM_NONE + H.TAIL,)

# client ip, expected iprev result, expected policy.iprev value, why
# (RFC 8601 §3: pass = PTR name maps back to the address; fail = it does
# not, or there is no PTR; temperror = a lookup timed out)
RESULTS = [
    ('192.0.2.20', 'fail', '192.0.2.20', 'PTR name whose A is another address'),
    ('192.0.2.30', 'fail', '192.0.2.30', 'no PTR record (NXDOMAIN)'),
    ('192.0.2.40', 'temperror', '192.0.2.40', 'PTR lookup times out'),
    ('192.0.2.41', 'temperror', '192.0.2.41', 'A lookup of the PTR name times out'),
    ('2001:db8::20', 'fail', ('2001:db8::20', '"2001:db8::20"'),
     'IPv6: PTR name whose AAAA is another address'),
]

AR_ONE = re.compile(r'^ mx\.test\.example;\n'
                    r'\tspf=none \(sender IP is [0-9a-f.:]+\) smtp\.mailfrom=example\.org;\n'
                    r'\tiprev=([a-z]+)(?: \([^()]*\))? '
                    r'policy\.iprev=("[^"]*"|[^ ;()]+)(?: \([^()]*\))?;\n'
                    + re.escape(H.DKIM_NONE + H.TAIL) + '$')


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    d = H.Daemon('basic.zone', tag='basic').start()

    # Negotiation: what the daemon asks of a v6 MTA offering everything.
    c = d.client()
    ver, act, pf = c.negotiate()
    tap.is_(ver, 6, 'optneg: protocol version 6')
    tap.ok(act & M.SMFIF_ADDHDRS and act & M.SMFIF_CHGHDRS,
           'optneg: asks for add and change header actions',
           'actions 0x%x' % act)
    tap.ok(pf & M.SMFIP_HDR_LEADSPC, 'optneg: asks for SMFIP_HDR_LEADSPC '
           '(our value starts with a space)', 'pflags 0x%x' % pf)
    tap.ok(not pf & (M.SMFIP_NOCONNECT | M.SMFIP_NOHDRS | M.SMFIP_NOMAIL),
           'optneg: keeps the connect, MAIL and header steps',
           'pflags 0x%x' % pf)
    if M.SMFIM_ENVFROM in c.symlist:
        tap.ok({'i', 'auth_authen'} <= {m.strip('{}') for m in c.symlist[M.SMFIM_ENVFROM]},
               'optneg: macro list for MAIL has {i} and {auth_authen}',
               repr(c.symlist))
    c.close()

    # IPv4 pass, exact bytes.
    with d.client() as c:
        o = M.send_message(c, H.message(), client_ip='192.0.2.10')
    H.check_stamp(tap, o, V4, 'IPv4 iprev=pass')

    # IPv6 pass (family '6', ip6.arpa PTR).
    with d.client() as c:
        o = M.send_message(c, H.message(), client_ip='2001:db8::10')
    ins = H.ar_inserts(o)
    tap.is_(o.verdict, 'accept', 'IPv6 iprev=pass: final answer')
    tap.ok(len(ins) == 1 and ins[0].index == 0 and ins[0].value in V6,
           'IPv6 iprev=pass: one header at index 0, exact value', repr(o.mods))
    tap.is_(len(o.mods), 1, 'IPv6 iprev=pass: no other modification')

    # fail and temperror: method, result and property exact; comment free.
    for ip, res, prop, why in RESULTS:
        with d.client() as c:
            o = M.send_message(c, H.message(), client_ip=ip)
        ins = H.ar_inserts(o)
        tap.is_(o.verdict, 'accept', '%s (%s): accepted (on_dns_error=accept)'
                % (ip, why))
        m = AR_ONE.match(ins[0].value) if len(ins) == 1 else None
        tap.ok(m is not None and ins[0].index == 0,
               '%s: one A-R at index 0 with one iprev result' % ip,
               repr(o.mods))
        if m:
            tap.is_(m.group(1), res, '%s (%s): iprev=%s' % (ip, why, res))
            props = prop if isinstance(prop, tuple) else (prop,)
            tap.ok(m.group(2) in props, '%s: policy.iprev=%s' % (ip, props[0]),
                   'got %r' % m.group(2))

    # An MTA without SMFIP_HDR_LEADSPC and without "no reply" steps (what
    # Sendmail before 8.14 and old Postfix offer): values lose their leading
    # space both ways; the delivered header must still read "Name: value".
    with d.client() as c:
        c.negotiate(protocol=M.SMFI_CURR_PROT & ~(
            M.SMFIP_HDR_LEADSPC | M.SMFIP_NR_CONN | M.SMFIP_NR_HELO |
            M.SMFIP_NR_MAIL | M.SMFIP_NR_RCPT | M.SMFIP_NR_DATA |
            M.SMFIP_NR_UNKN | M.SMFIP_NR_HDR | M.SMFIP_NR_EOH |
            M.SMFIP_NR_BODY))
        tap.ok(not c.pflags & M.SMFIP_HDR_LEADSPC,
               'old MTA: no SMFIP_HDR_LEADSPC negotiated', hex(c.pflags))
        o = M.send_message(c, H.message(), client_ip='192.0.2.10',
                           negotiate=False)
        tap.ok(all(r is not None for k, r in o.replies.items()
                   if k in ('connect', 'helo', 'header', 'eoh')),
               'old MTA: every step answered', repr(o.replies))
        hdrs = M.apply_mods(o.headers, o.mods, leadspc=False)
        tap.is_(M.render(hdrs[:1]), 'Authentication-Results:' +
                V4.replace('\n', '\r\n') + '\r\n',
                'old MTA: delivered header has exactly one space after the colon')

    # Unknown client address (family 'U'): no iprev to do, never a crash.
    with d.client() as c:
        c.negotiate()
        r = c.connect('localhost', M.SMFIA_UNKNOWN)
        tap.ok(r is None or r.code == M.SMFIR_CONTINUE,
               'family U connect: continue', repr(r))
        o = M.send_message(c, H.message(), connect=False, negotiate=False)
        tap.is_(o.verdict, 'accept', 'family U: message accepted')
        tap.ok(d.alive(), 'family U: daemon alive')

    # The default authres_style: the results, then the verdict in a field of
    # its own right below (so SpamAssassin, dropping a field at a method it
    # does not know, loses only that one). Inserted at index 0 in turn.
    dd = H.Daemon('basic.zone', tag='basic-default', settings=[('authres_style', None)]).start()
    main_v = V4.rsplit(';\n\tcompauth=', 1)[0]
    verdict_v = ' mx.test.example;\n\tcompauth=' + V4.rsplit(';\n\tcompauth=', 1)[1]
    for leadspc in (True, False):
        with dd.client() as c:
            proto = M.SMFI_CURR_PROT if leadspc else M.SMFI_CURR_PROT & ~M.SMFIP_HDR_LEADSPC
            c.negotiate(protocol=proto)
            o = M.send_message(c, H.message(), client_ip='192.0.2.10', negotiate=False)
        what = 'default style%s' % ('' if leadspc else ', old MTA')
        lead = ' ' if leadspc else ''
        tap.is_([(m.index, m.name, m.value) for m in H.ar_inserts(o)],
                [(0, 'Authentication-Results', lead + verdict_v[1:]),
                 (0, 'Authentication-Results', lead + main_v[1:])],
                '%s: the compauth field, then the results, each inserted at index 0' % what)
        hdrs = M.apply_mods(o.headers, o.mods, leadspc=leadspc)
        tap.is_(M.render(hdrs[:2]),
                'Authentication-Results:' + main_v.replace('\n', '\r\n') + '\r\n' +
                'Authentication-Results:' + verdict_v.replace('\n', '\r\n') + '\r\n',
                '%s: delivered, the results first and the verdict right below' % what)
        tap.is_(len(o.mods), 2, '%s: no other modification' % what)
    dd.stop()

    # Orderly stop.
    rc, secs = d.stop()
    tap.is_(rc, 0, 'SIGTERM: exit status 0 (%.1fs)' % secs)
    tap.ok(secs < 3.0, 'SIGTERM, idle: exits within shutdown_timeout (2s) + 1s',
           '%.1fs' % secs)


tap.run(main)
