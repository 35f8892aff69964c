"""
Load client for bench/compare.py: the MTA side of the milter protocol
(version 6, like Postfix), asyncio, many conversations at once.

Each message is one milter conversation per filter, sent the way Postfix
sends it: option negotiation, connect (client address, port), HELO, MAIL
FROM, RCPT TO, DATA, every header, end of headers, the body in chunks of
at most 65535 bytes, end of message; a step the filter asked to skip
(SMFIP_NO*) is not sent, a step it asked not to answer (SMFIP_NR_*) is not
waited for, leading space of header values kept only under
SMFIP_HDR_LEADSPC, and an accept/reject/tempfail/discard before end of
message ends that filter's part of the message.

A chain of filters (OpenDKIM then OpenDMARC) is driven like Postfix drives
smtpd_milters: the SMTP-time events (connect, HELO, MAIL, RCPT, DATA) go to
each filter in turn; the message content goes to the first filter, which
answers at end of message; its header changes are applied (Postfix's
cleanup edits the queue file, mclient.apply_mods with model='postfix') and
the edited message goes to the next filter, so OpenDMARC reads the
Authentication-Results OpenDKIM added.
"""
import asyncio
import os
import struct
import time

from benchlib import mclient as M

_PK = struct.Struct('>I')


def _pkt(cmd, data=b''):
    return _PK.pack(len(data) + 1) + cmd + data


def _macro(cmd, pairs):
    return _pkt(M.SMFIC_MACRO, cmd + b''.join(k + b'\0' + v + b'\0' for k, v in pairs))


class Conn:
    __slots__ = ('r', 'w', 'pflags', 'done', 'final', 'mods')

    async def open(self, path):
        self.r, self.w = await asyncio.open_unix_connection(path, limit=1 << 20)
        self.done = False
        self.final = None
        self.mods = []
        self.w.write(_pkt(M.SMFIC_OPTNEG, struct.pack('>III', 6, M.SMFI_CURR_ACTS,
                                                      M.SMFI_CURR_PROT)))
        code, data = await self.read()
        if code != M.SMFIC_OPTNEG:
            raise M.MilterError('optneg answered %r' % code)
        self.pflags = struct.unpack('>III', data[:12])[2]

    async def read(self):
        n = _PK.unpack(await self.r.readexactly(4))[0]
        d = await self.r.readexactly(n)
        return d[:1], d[1:]

    async def step(self, cmd, data, no_bit, nr_bit, macros=None):
        """One protocol step; False once the filter has ended the message."""
        if self.done:
            return False
        if no_bit and self.pflags & no_bit:
            if macros:
                self.w.write(macros)
            return True
        if macros:
            self.w.write(macros)
        self.w.write(_pkt(cmd, data))
        if self.pflags & nr_bit:
            return True
        while True:
            code, rdata = await self.read()
            if code != M.SMFIR_PROGRESS:
                break
        if code in (M.SMFIR_CONTINUE, M.SMFIR_SKIP):
            return code
        self.done = True
        self.final = code
        return False

    async def content(self, headers, body, qid):
        await self.step(M.SMFIC_DATA, b'', M.SMFIP_NODATA, M.SMFIP_NR_DATA,
                        _macro(M.SMFIC_DATA, ((b'i', qid),)))
        lead = self.pflags & M.SMFIP_HDR_LEADSPC
        if not self.pflags & M.SMFIP_NOHDRS:
            for name, value in headers:
                v = value if lead else value.lstrip(' \t')
                if not await self.step(M.SMFIC_HEADER, name.encode() + b'\0' +
                                       v.encode('utf-8', 'surrogateescape') + b'\0', 0,
                                       M.SMFIP_NR_HDR):
                    return
        await self.step(M.SMFIC_EOH, b'', M.SMFIP_NOEOH, M.SMFIP_NR_EOH,
                        _macro(M.SMFIC_EOH, ((b'i', qid),)))
        if not self.pflags & M.SMFIP_NOBODY:
            for off in range(0, len(body), 65535):
                r = await self.step(M.SMFIC_BODY, body[off:off + 65535], 0, M.SMFIP_NR_BODY)
                if r is False or r == M.SMFIR_SKIP:
                    break
        if self.done:
            return
        self.w.write(_macro(M.SMFIC_BODYEOB, ((b'i', qid),)) + _pkt(M.SMFIC_BODYEOB))
        while True:
            code, data = await self.read()
            if code == M.SMFIR_PROGRESS:
                continue
            if code in M.MODIFICATIONS:
                self.mods.append(M.Modification(code, data))
                continue
            self.final = code
            self.done = True
            return

    def close(self):
        try:
            self.w.write(_pkt(M.SMFIC_QUIT))
            self.w.close()
        except Exception:
            pass


async def transaction(paths, msg):
    """One message through the filters in paths (in chain order).
    Returns (final code, [Modification]) of the whole chain."""
    conns = []
    for p in paths:
        c = Conn()
        await c.open(p)
        conns.append(c)
    ip = msg['ip'].encode()
    qid = msg['qid']
    helo = msg['helo'].encode()
    try:
        cmac = _macro(M.SMFIC_CONNECT, ((b'j', b'mx.bench.example'), (b'{daemon_name}', b'smtpd'),
                                        (b'{client_addr}', ip), (b'{client_name}', helo),
                                        (b'_', helo + b' [' + ip + b']')))
        for c in conns:
            await c.step(M.SMFIC_CONNECT, helo + b'\0' + b'4' + struct.pack('>H', 41234) + ip +
                         b'\0', M.SMFIP_NOCONNECT, M.SMFIP_NR_CONN, cmac)
        for c in conns:
            await c.step(M.SMFIC_HELO, helo + b'\0', M.SMFIP_NOHELO, M.SMFIP_NR_HELO)
        mf = msg['mail_from'].encode()
        for c in conns:
            await c.step(M.SMFIC_MAIL, b'<' + mf + b'>\0', M.SMFIP_NOMAIL, M.SMFIP_NR_MAIL,
                         _macro(M.SMFIC_MAIL, ((b'{mail_addr}', mf), (b'i', qid))))
        rc = msg['rcpt'].encode()
        for c in conns:
            await c.step(M.SMFIC_RCPT, b'<' + rc + b'>\0', M.SMFIP_NORCPT, M.SMFIP_NR_RCPT,
                         _macro(M.SMFIC_RCPT, ((b'{rcpt_addr}', rc),)))
        headers, body = msg['headers'], msg['body']
        allmods, final = [], M.SMFIR_CONTINUE
        for c in conns:
            if c.done:
                continue
            await c.content(headers, body, qid)
            allmods += c.mods
            if c.mods:
                headers = M.apply_mods(headers, c.mods,
                                       leadspc=bool(c.pflags & M.SMFIP_HDR_LEADSPC),
                                       model='postfix')
            if c.final not in (M.SMFIR_CONTINUE, M.SMFIR_ACCEPT):
                final = c.final
        return final, allmods
    finally:
        for c in conns:
            c.close()


def prepare(corpus_dir, manifest):
    """Messages in memory, split like the MTA splits them."""
    out = []
    for i, m in enumerate(manifest):
        with open(os.path.join(corpus_dir, m['file']), 'rb') as f:
            raw = f.read()
        headers, body = M.split_message(raw, '\n')
        out.append({'ip': m['ip'], 'helo': m['helo'], 'mail_from': m['mail_from'],
                    'rcpt': m['rcpt'], 'qid': ('Q%05d' % i).encode(), 'headers': headers,
                    'body': body, 'idx': i})
    return out


async def _run(paths, msgs, concurrency, keep):
    lat = [0.0] * len(msgs)
    res = [None] * len(msgs)
    nxt = iter(range(len(msgs)))
    errors = []

    async def worker():
        for i in nxt:
            t0 = time.perf_counter()
            try:
                final, mods = await transaction(paths, msgs[i])
            except (OSError, asyncio.IncompleteReadError, M.MilterError) as e:
                errors.append((i, repr(e)))
                continue
            lat[i] = time.perf_counter() - t0
            if keep:
                res[i] = (final, [(m.name, m.value) for m in mods if m.name])
    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t0, lat, res, errors


def run(paths, msgs, concurrency, keep=False):
    """(wall seconds, per-message latencies, per-message results, errors)."""
    return asyncio.run(_run(paths, msgs, concurrency, keep))
