"""
Milter protocol client (the MTA side of libmilter's protocol version 6),
Python 3 standard library only, for driving the real compauthd daemon in
tests the way Sendmail 8.14+ and Postfix do.

Wire format: every packet is a 4-byte big-endian length (command byte
included), one command byte, then the data. Constants are those of
<libmilter/mfdef.h>.

What a real MTA does and this client copies, because a milter that only
works with a lax client is not tested:
  - option negotiation offers version 6, every action and every protocol
    bit, then honours the milter's answer: steps it asked to skip
    (SMFIP_NO*) are not sent, steps it asked not to answer (SMFIP_NR_*)
    are not waited for, header values keep their leading space only under
    SMFIP_HDR_LEADSPC (else leading white space is stripped, as Sendmail
    does), and a macro list set with smfi_setsymlist() limits the macros
    sent for that stage.
  - an accept, reject, discard or tempfail answer before end of message
    ends the message: the rest of it is not sent (send_message).
  - header values are unfolded the MTA way: the line breaks inside a folded
    header are kept, as LF by default (Sendmail and Postfix both pass
    "\n"; the libmilter xxfi_header documentation says "lines are
    separated by LF (not CRLF)"), optionally as CRLF.
"""

import socket
import struct

# Commands, MTA to milter.
SMFIC_ABORT = b'A'
SMFIC_BODY = b'B'
SMFIC_CONNECT = b'C'
SMFIC_MACRO = b'D'
SMFIC_BODYEOB = b'E'
SMFIC_HELO = b'H'
SMFIC_QUIT_NC = b'K'
SMFIC_HEADER = b'L'
SMFIC_MAIL = b'M'
SMFIC_EOH = b'N'
SMFIC_OPTNEG = b'O'
SMFIC_QUIT = b'Q'
SMFIC_RCPT = b'R'
SMFIC_DATA = b'T'
SMFIC_UNKNOWN = b'U'

# Replies, milter to MTA.
SMFIR_ADDRCPT = b'+'
SMFIR_DELRCPT = b'-'
SMFIR_ADDRCPT_PAR = b'2'
SMFIR_SHUTDOWN = b'4'
SMFIR_ACCEPT = b'a'
SMFIR_REPLBODY = b'b'
SMFIR_CONTINUE = b'c'
SMFIR_DISCARD = b'd'
SMFIR_CHGFROM = b'e'
SMFIR_CONN_FAIL = b'f'
SMFIR_ADDHEADER = b'h'
SMFIR_INSHEADER = b'i'
SMFIR_SETSYMLIST = b'l'
SMFIR_CHGHEADER = b'm'
SMFIR_PROGRESS = b'p'
SMFIR_QUARANTINE = b'q'
SMFIR_REJECT = b'r'
SMFIR_SKIP = b's'
SMFIR_TEMPFAIL = b't'
SMFIR_REPLYCODE = b'y'

# Answers that end a protocol step (everything else is a modification or
# progress at end of message).
FINAL_REPLIES = (SMFIR_ACCEPT, SMFIR_CONTINUE, SMFIR_DISCARD, SMFIR_REJECT,
                 SMFIR_TEMPFAIL, SMFIR_REPLYCODE, SMFIR_SKIP,
                 SMFIR_CONN_FAIL, SMFIR_SHUTDOWN)
MODIFICATIONS = (SMFIR_ADDRCPT, SMFIR_DELRCPT, SMFIR_ADDRCPT_PAR,
                 SMFIR_REPLBODY, SMFIR_CHGFROM, SMFIR_ADDHEADER,
                 SMFIR_INSHEADER, SMFIR_CHGHEADER, SMFIR_QUARANTINE)

# Address families in SMFIC_CONNECT.
SMFIA_UNKNOWN = 'U'
SMFIA_UNIX = 'L'
SMFIA_INET = '4'
SMFIA_INET6 = '6'

# Actions (SMFIF_*).
SMFIF_ADDHDRS = 0x01
SMFIF_CHGBODY = 0x02
SMFIF_ADDRCPT = 0x04
SMFIF_DELRCPT = 0x08
SMFIF_CHGHDRS = 0x10
SMFIF_QUARANTINE = 0x20
SMFIF_CHGFROM = 0x40
SMFIF_ADDRCPT_PAR = 0x80
SMFIF_SETSYMLIST = 0x100
SMFI_CURR_ACTS = 0x1FF

# Protocol flags (SMFIP_*).
SMFIP_NOCONNECT = 0x00000001
SMFIP_NOHELO = 0x00000002
SMFIP_NOMAIL = 0x00000004
SMFIP_NORCPT = 0x00000008
SMFIP_NOBODY = 0x00000010
SMFIP_NOHDRS = 0x00000020
SMFIP_NOEOH = 0x00000040
SMFIP_NR_HDR = 0x00000080
SMFIP_NOUNKNOWN = 0x00000100
SMFIP_NODATA = 0x00000200
SMFIP_SKIP = 0x00000400
SMFIP_RCPT_REJ = 0x00000800
SMFIP_NR_CONN = 0x00001000
SMFIP_NR_HELO = 0x00002000
SMFIP_NR_MAIL = 0x00004000
SMFIP_NR_RCPT = 0x00008000
SMFIP_NR_DATA = 0x00010000
SMFIP_NR_UNKN = 0x00020000
SMFIP_NR_EOH = 0x00040000
SMFIP_NR_BODY = 0x00080000
SMFIP_HDR_LEADSPC = 0x00100000
SMFI_CURR_PROT = 0x001FFFFF
SMFI_V2_PROT = 0x0000007F

SMFI_PROT_VERSION = 6
MILTER_CHUNK_SIZE = 65535
# A milter packet larger than this is a protocol error (libmilter's own
# MILTER_MAX_DATA_SIZE is 64 KiB unless 256 KiB / 1 MiB were negotiated).
MAX_REPLY = 1024 * 1024 + 1

# smfi_setsymlist() stages, in the order of the optneg reply.
SMFIM_CONNECT, SMFIM_HELO, SMFIM_ENVFROM, SMFIM_ENVRCPT, SMFIM_DATA, \
    SMFIM_EOM, SMFIM_EOH = range(7)
_STAGE_OF_CMD = {
    SMFIC_CONNECT: SMFIM_CONNECT, SMFIC_HELO: SMFIM_HELO,
    SMFIC_MAIL: SMFIM_ENVFROM, SMFIC_RCPT: SMFIM_ENVRCPT,
    SMFIC_DATA: SMFIM_DATA, SMFIC_BODYEOB: SMFIM_EOM, SMFIC_EOH: SMFIM_EOH,
}

_NAMES = {
    b'a': 'accept', b'c': 'continue', b'd': 'discard', b'r': 'reject',
    b't': 'tempfail', b'y': 'replycode', b's': 'skip', b'f': 'conn_fail',
    b'4': 'shutdown', b'h': 'addheader', b'i': 'insheader',
    b'm': 'chgheader', b'q': 'quarantine', b'p': 'progress',
}


class MilterError(Exception):
    """The milter broke the protocol, or the connection failed."""


class MilterEOF(MilterError):
    """The milter closed the connection."""


def reply_name(code):
    return _NAMES.get(code, repr(code))


class Reply:
    """One answer to a protocol step: code (one byte) and raw data."""

    def __init__(self, code, data=b''):
        self.code = code
        self.data = data

    @property
    def name(self):
        return reply_name(self.code)

    @property
    def text(self):
        """SMFIR_REPLYCODE text without its NUL ("451 4.7.1 ...")."""
        return self.data.rstrip(b'\0').decode('utf-8', 'replace')

    def __repr__(self):
        return 'Reply(%s%s)' % (self.name,
                                ', %r' % self.data if self.data else '')


class Modification:
    """A header or envelope change asked for at end of message."""

    def __init__(self, code, data):
        self.code = code
        self.data = data
        self.index = None
        self.name = None
        self.value = None
        self.text = None
        if code in (SMFIR_INSHEADER, SMFIR_CHGHEADER):
            if len(data) < 4:
                raise MilterError('%s too short: %r' % (reply_name(code), data))
            self.index = struct.unpack('>I', data[:4])[0]
            self.name, self.value = _split2(data[4:], code)
        elif code == SMFIR_ADDHEADER:
            self.name, self.value = _split2(data, code)
        elif code == SMFIR_QUARANTINE:
            self.text = _cstring(data, code)

    def __repr__(self):
        if self.name is not None:
            return 'Modification(%s, index=%r, %r, %r)' % (
                reply_name(self.code), self.index, self.name, self.value)
        return 'Modification(%s, %r)' % (reply_name(self.code), self.data)


class EomResult:
    """Everything the milter said after SMFIC_BODYEOB."""

    def __init__(self, final, mods, progress):
        self.final = final          # Reply: accept, continue, reject, ...
        self.mods = mods            # [Modification], in order received
        self.progress = progress    # how many SMFIR_PROGRESS came first

    @property
    def action(self):
        return self.final.name

    @property
    def verdict(self):
        return verdict_of(self.final)

    def headers_named(self, code, name='Authentication-Results'):
        return [m for m in self.mods
                if m.code == code and m.name.lower() == name.lower()]

    def __repr__(self):
        return 'EomResult(%s, mods=%r)' % (self.final, self.mods)


def verdict_of(reply):
    """What the MTA does with a final answer: at end of message 'a'
    and 'c' both mean accept; SMFIR_REPLYCODE counts by its first digit."""
    if reply is None:
        return None
    if reply.code in (SMFIR_ACCEPT, SMFIR_CONTINUE):
        return 'accept'
    if reply.code == SMFIR_TEMPFAIL:
        return 'tempfail'
    if reply.code == SMFIR_REJECT:
        return 'reject'
    if reply.code == SMFIR_DISCARD:
        return 'discard'
    if reply.code == SMFIR_REPLYCODE:
        return {'4': 'tempfail', '5': 'reject'}.get(reply.text[:1], 'bad')
    return reply.name


def _cstring(data, code):
    if not data.endswith(b'\0') or data.count(b'\0') != 1:
        raise MilterError('%s: not one NUL-terminated string: %r'
                          % (reply_name(code), data))
    return data[:-1].decode('utf-8', 'surrogateescape')


def _split2(data, code):
    parts = data.split(b'\0')
    if len(parts) != 3 or parts[2] != b'' or parts[0] == b'':
        raise MilterError('%s: expected "name\\0value\\0": %r'
                          % (reply_name(code), data))
    return (parts[0].decode('utf-8', 'surrogateescape'),
            parts[1].decode('utf-8', 'surrogateescape'))


def _enc(s):
    if isinstance(s, bytes):
        return s
    return s.encode('utf-8', 'surrogateescape')


def encode_packet(cmd, data=b''):
    return struct.pack('>I', len(data) + 1) + cmd + data


class MilterClient:
    """
    One MTA-to-milter connection. addr is a UNIX socket path (str) or a
    (host, port) tuple; host may be an IPv6 literal.
    """

    def __init__(self, addr, timeout=10.0, fold='\n', mimic_symlist=True):
        self.addr = addr
        self.timeout = timeout
        self.fold = fold
        self.mimic_symlist = mimic_symlist
        self.version = None
        self.actions = None
        self.pflags = 0
        self.symlist = {}
        self.skip_body = False
        if isinstance(addr, str):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            try:
                self.sock.connect(addr)
            except OSError:
                self.sock.close()
                raise
        else:
            self.sock = socket.create_connection(addr, timeout=timeout)

    # -- raw transport ---------------------------------------------------

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_packet(self, cmd, data=b''):
        self.sock.sendall(encode_packet(cmd, data))

    def _recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except socket.timeout:
                raise MilterError('timeout after %.1fs waiting for the milter'
                                  % self.timeout)
            except ConnectionResetError as e:
                raise MilterEOF('connection reset: %s' % e)
            if not chunk:
                raise MilterEOF('milter closed the connection')
            buf += chunk
        return bytes(buf)

    def read_packet(self):
        n = struct.unpack('>I', self._recv_exact(4))[0]
        if n < 1 or n > MAX_REPLY:
            raise MilterError('bad reply length %d' % n)
        pkt = self._recv_exact(n)
        return pkt[:1], pkt[1:]

    def read_reply(self):
        code, data = self.read_packet()
        if code not in FINAL_REPLIES:
            raise MilterError('unexpected %s (%r) outside end of message'
                              % (reply_name(code), data))
        return Reply(code, data)

    def at_eof(self, wait=1.0):
        """True when the milter has closed its end (nothing left to read)."""
        self.sock.settimeout(wait)
        try:
            return self.sock.recv(1) == b''
        except socket.timeout:
            return False
        except OSError:
            return True
        finally:
            self.sock.settimeout(self.timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def abrupt_close(self):
        """Close with RST instead of FIN where the socket allows it."""
        try:
            if self.sock.family in (socket.AF_INET, socket.AF_INET6):
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack('ii', 1, 0))
        except OSError:
            pass
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- protocol steps --------------------------------------------------

    def negotiate(self, version=SMFI_PROT_VERSION, actions=SMFI_CURR_ACTS,
                  protocol=SMFI_CURR_PROT):
        self.send_packet(SMFIC_OPTNEG,
                         struct.pack('>III', version, actions, protocol))
        code, data = self.read_packet()
        if code != SMFIC_OPTNEG:
            raise MilterError('optneg answered with %s %r'
                              % (reply_name(code), data))
        if len(data) < 12:
            raise MilterError('optneg reply too short: %r' % data)
        self.version, self.actions, self.pflags = struct.unpack('>III',
                                                                data[:12])
        if self.version < 2 or self.version > version:
            raise MilterError('milter chose version %d, offered %d'
                              % (self.version, version))
        if self.actions & ~actions:
            raise MilterError('milter wants actions 0x%x, offered 0x%x'
                              % (self.actions, actions))
        if self.pflags & ~protocol:
            raise MilterError('milter wants protocol 0x%x, offered 0x%x'
                              % (self.pflags, protocol))
        rest = data[12:]
        while rest:
            if len(rest) < 5 or b'\0' not in rest[4:]:
                raise MilterError('bad macro list in optneg: %r' % data[12:])
            stage = struct.unpack('>I', rest[:4])[0]
            end = rest.index(b'\0', 4)
            self.symlist[stage] = rest[4:end].decode().split()
            rest = rest[end + 1:]
        return self.version, self.actions, self.pflags

    def flag(self, bit):
        return bool(self.pflags & bit)

    def _macros(self, cmd, macros):
        if not macros:
            return
        wanted = None
        if self.mimic_symlist:
            wanted = self.symlist.get(_STAGE_OF_CMD.get(cmd))
        data = bytearray(cmd)
        n = 0
        if wanted is not None:
            wanted = {w.strip('{}') for w in wanted}
        for k, v in macros.items():
            if wanted is not None and k.strip('{}') not in wanted:
                continue
            data += _enc(k) + b'\0' + _enc(v) + b'\0'
            n += 1
        if n:
            self.send_packet(SMFIC_MACRO, bytes(data))

    def macro(self, cmd, macros):
        """Send SMFIC_MACRO for the stage of cmd (b'C', b'M', ...)."""
        self._macros(cmd, macros)

    def _step(self, cmd, data, nr_bit, macros=None):
        self._macros(cmd, macros)
        self.send_packet(cmd, data)
        if nr_bit and self.pflags & nr_bit:
            return None
        return self.read_reply()

    def connect(self, hostname, family=SMFIA_INET, port=25, addr='',
                macros=None):
        """None when the milter asked for no connect step or no reply."""
        if self.pflags & SMFIP_NOCONNECT:
            return None
        data = _enc(hostname) + b'\0' + family.encode()
        if family != SMFIA_UNKNOWN:
            data += struct.pack('>H', port) + _enc(addr) + b'\0'
        return self._step(SMFIC_CONNECT, data, SMFIP_NR_CONN, macros)

    def helo(self, name, macros=None):
        if self.pflags & SMFIP_NOHELO:
            return None
        return self._step(SMFIC_HELO, _enc(name) + b'\0', SMFIP_NR_HELO,
                          macros)

    def mail(self, sender, args=(), macros=None):
        if self.pflags & SMFIP_NOMAIL:
            self._macros(SMFIC_MAIL, macros)
            return None
        data = b''.join(_enc(a) + b'\0' for a in (sender,) + tuple(args))
        return self._step(SMFIC_MAIL, data, SMFIP_NR_MAIL, macros)

    def rcpt(self, rcpt, args=(), macros=None):
        if self.pflags & SMFIP_NORCPT:
            return None
        data = b''.join(_enc(a) + b'\0' for a in (rcpt,) + tuple(args))
        return self._step(SMFIC_RCPT, data, SMFIP_NR_RCPT, macros)

    def data(self, macros=None):
        if self.version is not None and self.version < 4:
            return None
        if self.pflags & SMFIP_NODATA:
            return None
        return self._step(SMFIC_DATA, b'', SMFIP_NR_DATA, macros)

    def header(self, name, value):
        """value as it follows the colon, leading space included."""
        if self.pflags & SMFIP_NOHDRS:
            return None
        if not self.pflags & SMFIP_HDR_LEADSPC:
            value = value.lstrip(' \t') if isinstance(value, str) \
                else value.lstrip(b' \t')
        return self._step(SMFIC_HEADER, _enc(name) + b'\0' + _enc(value) +
                          b'\0', SMFIP_NR_HDR)

    def eoh(self, macros=None):
        if self.pflags & SMFIP_NOEOH:
            return None
        return self._step(SMFIC_EOH, b'', SMFIP_NR_EOH, macros)

    def body(self, data):
        """Sends data in chunks; stops early after SMFIR_SKIP.
        Returns the first non-continue reply, else the last reply (or None)."""
        if self.pflags & SMFIP_NOBODY or self.skip_body:
            return None
        last = None
        for off in range(0, len(data), MILTER_CHUNK_SIZE):
            r = self._step(SMFIC_BODY, data[off:off + MILTER_CHUNK_SIZE],
                           SMFIP_NR_BODY)
            if r is None:
                continue
            last = r
            if r.code == SMFIR_SKIP:
                self.skip_body = True
                break
            if r.code != SMFIR_CONTINUE:
                return r
        return last

    def eom(self, macros=None, send=True):
        """SMFIC_BODYEOB; collects modifications until the final answer."""
        if send:
            self._macros(SMFIC_BODYEOB, macros)
            self.send_packet(SMFIC_BODYEOB, b'')
        self.skip_body = False
        mods, progress = [], 0
        while True:
            code, data = self.read_packet()
            if code == SMFIR_PROGRESS:
                progress += 1
            elif code in MODIFICATIONS:
                mods.append(Modification(code, data))
            elif code in FINAL_REPLIES and code != SMFIR_SKIP:
                return EomResult(Reply(code, data), mods, progress)
            else:
                raise MilterError('unexpected %s at end of message: %r'
                                  % (reply_name(code), data))

    def abort(self):
        self.skip_body = False
        self.send_packet(SMFIC_ABORT)

    def quit(self):
        try:
            self.send_packet(SMFIC_QUIT)
        except OSError:
            pass
        self.close()

    def quit_nc(self):
        self.send_packet(SMFIC_QUIT_NC)


# -- messages ---------------------------------------------------------------

def split_message(eml, fold='\n'):
    """
    Splits a message (bytes, CRLF or LF line ends) like an MTA does:
    returns ([(name, value)], body) where value is the raw text after the
    colon (leading space kept) with the line breaks of a folded header
    joined by fold, and body uses CRLF line ends.
    """
    if isinstance(eml, str):
        eml = eml.encode('utf-8')
    text = eml.replace(b'\r\n', b'\n')
    head, sep, body = text.partition(b'\n\n')
    if not sep:
        if text.startswith(b'\n'):
            head, body = b'', text[1:]
        else:
            head, body = text.rstrip(b'\n'), b''
    headers = []
    for line in head.split(b'\n') if head else []:
        if line[:1] in (b' ', b'\t') and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + fold + line.decode('utf-8',
                                                            'surrogateescape'))
            continue
        name, colon, value = line.partition(b':')
        if not colon:
            raise ValueError('not a header line: %r' % line)
        headers.append((name.decode('utf-8', 'surrogateescape'),
                        value.decode('utf-8', 'surrogateescape')))
    return headers, body.replace(b'\n', b'\r\n')


def build_message(headers, body=b'Hello.\r\n', fold='\n'):
    """The reverse of split_message: header list back to message bytes."""
    out = bytearray()
    for name, value in headers:
        out += ('%s:%s\r\n' % (name, value.replace(fold, '\r\n'))).encode(
            'utf-8', 'surrogateescape')
    return bytes(out) + b'\r\n' + body


class Outcome:
    """What happened to one message sent with send_message()."""

    def __init__(self):
        self.replies = {}     # step name -> Reply or None
        self.stopped_at = None
        self.eom = None       # EomResult, None when stopped earlier
        self.headers = None   # the header list given to the milter

    @property
    def action(self):
        if self.eom is not None:
            return self.eom.action
        if self.stopped_at is not None:
            return self.replies[self.stopped_at].name
        return None

    @property
    def verdict(self):
        """accept, tempfail, reject or discard, as the MTA reads it."""
        if self.eom is not None:
            return self.eom.verdict
        if self.stopped_at is not None:
            return verdict_of(self.replies[self.stopped_at])
        return None

    @property
    def mods(self):
        return self.eom.mods if self.eom is not None else []

    def inserted(self, name='Authentication-Results'):
        return self.eom.headers_named(SMFIR_INSHEADER, name) \
            if self.eom else []

    def __repr__(self):
        return 'Outcome(action=%s, stopped_at=%s, mods=%r)' % (
            self.action, self.stopped_at, self.mods)


def _stops(r):
    return r is not None and r.code not in (SMFIR_CONTINUE, SMFIR_SKIP)


def send_message(client, eml, client_ip='192.0.2.10', helo='mail.example.org',
                 mail_from='<alice@example.org>', rcpts=('<bob@example.net>',),
                 hostname=None, family=None, port=4567, qid='4AB1C2D3',
                 macros=None, connect=True, negotiate=True):
    """
    Drives a whole transaction. macros: {stage: {name: value}} merged over
    the defaults an MTA sends (stage is 'C', 'H', 'M', 'R', 'T', 'N', 'E').
    With connect=False the connection is reused for a further message
    (optneg/connect/helo skipped). Stops like an MTA at the first answer
    that ends the message.
    """
    if family is None:
        family = SMFIA_INET6 if ':' in client_ip else SMFIA_INET
    if hostname is None:
        hostname = '[%s]' % client_ip
    m = {
        'C': {'j': 'mx.test.example', '{daemon_name}': 'MTA',
              '{client_addr}': client_ip, '{client_name}': hostname},
        'H': {},
        'M': {'{mail_addr}': mail_from.strip('<>'), 'i': qid},
        'R': {'{rcpt_addr}': rcpts[0].strip('<>') if rcpts else ''},
        'T': {'i': qid},
        'N': {'i': qid},
        'E': {'i': qid},
    }
    for st, d in (macros or {}).items():
        m.setdefault(st, {}).update(d)
    out = Outcome()
    headers, body = split_message(eml, client.fold)
    out.headers = headers

    def step(name, r):
        out.replies[name] = r
        if _stops(r):
            out.stopped_at = name
            return True
        return False

    if negotiate:
        client.negotiate()
    if connect:
        if step('connect', client.connect(hostname, family, port, client_ip,
                                          macros=m['C'])):
            return out
        if helo is not None and step('helo', client.helo(helo,
                                                         macros=m['H'])):
            return out
    if step('mail', client.mail(mail_from, macros=m['M'])):
        return out
    for rc in rcpts:
        r = client.rcpt(rc, macros=m['R'])
        out.replies.setdefault('rcpt', r)
        if r is not None and r.code == SMFIR_ACCEPT:
            out.stopped_at = 'rcpt'
            out.replies['rcpt'] = r
            return out
    if step('data', client.data(macros=m['T'])):
        return out
    for i, (name, value) in enumerate(headers):
        if step('header', client.header(name, value)):
            return out
    if step('eoh', client.eoh(macros=m['N'])):
        return out
    if step('body', client.body(body)):
        return out
    out.eom = client.eom(macros=m['E'])
    return out


# -- what the MTA delivers --------------------------------------------------

def apply_mods(headers, mods, leadspc=True, model='sendmail'):
    """
    Applies header modifications to [(name, value)] the way the MTA does and
    returns the header list it would deliver; values are raw (what follows
    the colon). leadspc: the milter negotiated SMFIP_HDR_LEADSPC (else the
    MTA puts one space before a value it is given).

    The two MTAs count SMFIR_CHGHEADER indexes differently once a header
    was deleted: Sendmail keeps the deleted header in its list and still
    counts it (model='sendmail'); Postfix no longer sees it
    (model='postfix'). A milter that deletes several headers of one name
    must go from the highest index down to be right with both.
    """
    if model not in ('sendmail', 'postfix'):
        raise ValueError(model)
    entries = [[n, v, False] for n, v in headers]

    def counted(e):
        return model == 'sendmail' or not e[2]

    def shown(v):
        return v if leadspc else ' ' + v

    for mod in mods:
        if mod.code == SMFIR_ADDHEADER:
            entries.append([mod.name, shown(mod.value), False])
        elif mod.code == SMFIR_INSHEADER:
            pos, seen = len(entries), 0
            for i, e in enumerate(entries):
                if seen == mod.index:
                    pos = i
                    break
                if counted(e):
                    seen += 1
            entries.insert(pos, [mod.name, shown(mod.value), False])
        elif mod.code == SMFIR_CHGHEADER:
            idx, target = mod.index if mod.index > 0 else 1, None
            for e in entries:
                if e[0].lower() == mod.name.lower() and counted(e):
                    idx -= 1
                    if idx == 0:
                        target = e
                        break
            if target is None:
                if mod.value != '':
                    entries.append([mod.name, shown(mod.value), False])
            elif mod.value == '':
                target[2] = True
            else:
                target[1] = shown(mod.value)
                target[2] = False
    return [(n, v) for n, v, deleted in entries if not deleted]


def render(headers):
    """Header list as delivered, CRLF line ends."""
    return ''.join('%s:%s\r\n' % (n, v.replace('\r\n', '\n').replace(
        '\n', '\r\n')) for n, v in headers)
