"""
The soak's milter client: mclient's protocol with the stream batched the
way an MTA writes it, one transaction driven in Postfix's order with a
disconnect at any stage, and an answer checked against what its kind must
get or reduced to data that two answers can be compared by.
"""

import mclient as M
import soakmsg as S


class BatchClient(M.MilterClient):
    """
    mclient's MilterClient, but packets the milter does not answer are
    queued and written together when an answer is awaited, as an MTA's
    buffered stream does; the client then costs far less CPU than the
    daemon it measures.
    """

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.out = bytearray()
        self.at_eom = False     # end of message sent: an answer is owed

    def send_packet(self, cmd, data=b''):
        self.out += M.encode_packet(cmd, data)

    def send_raw(self, data):
        self.out += data

    def flush(self):
        if self.out:
            data, self.out = bytes(self.out), bytearray()
            self.sock.sendall(data)

    def read_packet(self):
        self.flush()
        return super().read_packet()


class Stopped(Exception):
    """The milter ended the transaction before end of message."""


def drive(c, k, tok, qid, stop=None, first=True):
    """
    One transaction of kind k, Postfix's order (RCPT and DATA only when the
    milter asked for them). stop: the stage after which the client goes
    away (S.STAGES); None runs to end of message and returns its EomResult.
    """
    ip = k.ip
    fam = M.SMFIA_INET6 if ':' in ip else M.SMFIA_INET
    if first:
        c.negotiate()
        c.connect('[%s]' % ip, fam, 4000 + int(qid[-4:], 16) % 20000, ip,
                  macros={'j': S.AUTHSERV_ID, '{daemon_name}': 'smtpd',
                          '{client_addr}': ip, '{client_name}': '[%s]' % ip})
        if stop == 'connect':
            return None
        c.helo(k.helo)
        if stop == 'helo':
            return None
    r = c.mail(k.mail_from, macros={'{mail_addr}': k.mail_from.strip('<>'), 'i': qid})
    if r is not None and r.code != M.SMFIR_CONTINUE:
        raise Stopped('MAIL answered %r' % r)
    if stop == 'mail':
        return None
    c.rcpt('<alice@contoso.example>', macros={'{rcpt_addr}': 'alice@contoso.example'})
    c.data(macros={'i': qid})
    hdrs = k.with_token(tok)
    upto = len(hdrs) // 2 if stop == 'headers' else len(hdrs)
    for n, v in hdrs[:upto]:
        c.header(n, v)
    if stop == 'headers':
        n, v = hdrs[upto]
        pkt = M.encode_packet(M.SMFIC_HEADER, M._enc(n) + b'\0' + M._enc(v) + b'\0')
        c.send_raw(pkt[:max(5, len(pkt) // 2)])
        return None
    c.eoh(macros={'i': qid})
    if stop == 'body':
        half = k.body[:max(1, len(k.body) // 2)]
        c.body(half[:M.MILTER_CHUNK_SIZE])
        pkt = M.encode_packet(M.SMFIC_BODY, half[:M.MILTER_CHUNK_SIZE])
        c.send_raw(pkt[:max(5, len(pkt) // 2)])
        return None
    c.body(k.body)
    if stop == 'before-eom':
        return None
    if stop == 'eom-unread':
        c.send_packet(M.SMFIC_BODYEOB, b'')
        c.flush()
        return None
    c.at_eom = True
    return c.eom(macros={'i': qid})


def signature(eom, tok):
    """An answer as comparable data, the message's own token masked."""
    def mask(s):
        return s.replace(tok, S.TOKEN_MARK) if isinstance(s, str) else s
    return (eom.final.code, eom.final.data.replace(tok.encode(), S.TOKEN_MARK.encode()),
            tuple((m.code, m.index, m.name, mask(m.value)) for m in eom.mods))


def entries(value):
    """Our header's results ('method=result ...'), folds joined."""
    ents = []
    for ln in value.split('\n')[1:]:
        if ln.startswith('\t\t') and ents:
            ents[-1] += ' ' + ln.strip()
        else:
            ents.append(ln.strip())
    return [e[:-1] if e.endswith(';') else e for e in ents]


def problems(k, eom):
    """How an answer differs from what kind k must get ([] when right)."""
    out = []
    if eom.verdict != k.verdict:
        out.append('verdict %s, expected %s' % (eom.verdict, k.verdict))
    if k.reply is not None and eom.final.text != k.reply:
        out.append('reply %r, expected %r' % (eom.final.text, k.reply))
    ins = [m for m in eom.mods
           if m.code == M.SMFIR_INSHEADER and m.name == 'Authentication-Results']
    dels = [m for m in eom.mods if m.code == M.SMFIR_CHGHEADER and m.value == '' and
            m.name.lower() == 'authentication-results']
    if k.verdict == 'accept':
        # Inserted at the top in turn: the compauth field, then the results above it.
        if len(ins) != 2 or any(m.index != 0 for m in ins) or \
                not all(m.value.startswith(' %s;\n\t' % S.AUTHSERV_ID) for m in ins) or \
                not ins[0].value.startswith(' %s;\n\tcompauth=' % S.AUTHSERV_ID) or \
                '\n\tcompauth=' in ins[1].value:
            out.append('not our two fields at the top: %r' % ins)
        else:
            es = entries(ins[1].value) + entries(ins[0].value)
            for want in (k.dmarc, k.compauth):
                if want is not None and want not in es:
                    out.append('no %r in %r' % (want, es))
        if len(dels) != k.deletes:
            out.append('%d forged Authentication-Results deleted, expected %d'
                       % (len(dels), k.deletes))
    return out
