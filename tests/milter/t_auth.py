"""
Mail that is not checked: authenticated submission ({auth_authen} sent
with MAIL) and clients in trusted_clients. Our header says only that they
were not checked (compauth=none reason=301 authenticated, 302 trusted), and
a forged one claiming our authserv-id is still removed (RFC 8601 §5: never
pass on a result that looks like ours).
"""

import sys
sys.dont_write_bytecode = True  # keep the source tree clean

import harness as H
import mclient as M
import tap

HDRS = [('From', ' Alice <alice@example.org>'), ('To', ' bob@example.net'),
        ('Authentication-Results', ' mx.test.example; dkim=pass'),
        ('Subject', ' submitted'),
        ('Authentication-Results', ' other.example; spf=pass')]
OURS10 = H.stamp()
OURS_NET = H.stamp('198.51.100.10', 'mail2.example.net')


def not_stamped(o, what, reason='301'):
    tap.is_(o.verdict, 'accept', '%s: accepted' % what)
    tap.is_([(m.index, m.value) for m in H.ar_inserts(o)],
            [(0, H.not_checked(reason=reason))],
            '%s: only compauth=none reason=%s added' % (what, reason))
    tap.is_([(m.index, m.value) for m in H.ar_deletes(o)], [(1, '')],
            '%s: the forged A-R (#1) is still deleted' % what)
    tap.is_(len(o.mods), 2, '%s: nothing else changed' % what)


def send(d, ip, auth=None, c=None, **kw):
    macros = {'M': {'{auth_authen}': auth, '{auth_type}': 'PLAIN'}} \
        if auth is not None else None
    own = c is None
    c = c or d.client()
    try:
        return M.send_message(c, M.build_message(HDRS), client_ip=ip,
                              macros=macros, **kw)
    finally:
        if own:
            c.close()


def main():
    if H.daemon_path() is None:
        tap.skip_all('no compauthd binary')
    d = H.Daemon('basic.zone', tag='auth', settings=[
        ('trusted_clients', '192.0.2.0/24, 2001:db8:1::/48')]).start()

    # Authenticated submission from an untrusted client.
    not_stamped(send(d, '198.51.100.10', auth='alice'),
                '{auth_authen}=alice')
    # Control: the same client without authentication is checked.
    o = send(d, '198.51.100.10')
    tap.is_([m.value for m in H.ar_inserts(o)], [OURS_NET],
            'same client, not authenticated: stamped')
    # An empty {auth_authen} is no authentication.
    o = send(d, '198.51.100.10', auth='')
    tap.is_([m.value for m in H.ar_inserts(o)], [OURS_NET],
            'empty {auth_authen}: stamped')

    # Authentication is per transaction: on one connection, an
    # authenticated message and then one without the macro.
    with d.client() as c:
        not_stamped(send(d, '198.51.100.10', auth='alice', c=c, qid='A1'),
                    'one connection, message 1 authenticated')
        o = send(d, '198.51.100.10', c=c, connect=False, negotiate=False,
                 qid='A2')
        tap.is_([m.value for m in H.ar_inserts(o)], [OURS_NET],
                'one connection, message 2 without {auth_authen}: stamped')

    # trusted_clients.
    not_stamped(send(d, '192.0.2.10'), 'trusted client 192.0.2.10 (in /24)', '302')
    not_stamped(send(d, '2001:db8:1::25'), 'trusted client 2001:db8:1::25', '302')
    o = send(d, '2001:db8:2::25')
    tap.is_(len(H.ar_inserts(o)), 1, 'client 2001:db8:2::25 (outside): stamped')

    # Without trusted_clients the same client is checked (reload-free: a
    # second daemon).
    d2 = H.Daemon('basic.zone', tag='auth2').start()
    o = send(d2, '192.0.2.10')
    tap.is_([m.value for m in H.ar_inserts(o)], [OURS10],
            'no trusted_clients: 192.0.2.10 stamped')

    for rc, secs in H.stop_all([d, d2]):
        tap.is_(rc, 0, 'SIGTERM: exit status 0')


tap.run(main)
