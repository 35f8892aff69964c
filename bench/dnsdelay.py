#!/usr/bin/python3
"""
A DNS forwarder that adds a fixed delay: every query (UDP datagram, or
message on a TCP connection) received on LISTEN is sent on to UPSTREAM at
once and its answer is held DELAY_MS before it is passed back, so each
answer takes one simulated round trip longer. Used by bench/compare.py in
front of nsd because tc netem is not available in every kernel (it is not
in this one); the private network namespace makes 127.0.0.1:53 ours.

UDP goes through one upstream socket, the query ID rewritten to one of
ours and restored on the way back (so thousands of queries a second cost
little CPU); TCP gets one upstream connection per client connection.
On SIGTERM it prints "queries N cpu S" (its own CPU seconds) and exits.

usage: bench/dnsdelay.py LISTEN_IP LISTEN_PORT UPSTREAM_IP UPSTREAM_PORT DELAY_MS
"""
import asyncio
import os
import signal
import struct
import sys

COUNT = [0]


class Up(asyncio.DatagramProtocol):
    """The one upstream UDP socket: answers matched by our query ID."""

    def __init__(self, front, delay):
        self.front, self.delay, self.pending, self.next = front, delay, {}, 0
        self.loop = asyncio.get_event_loop()

    def connection_made(self, transport):
        self.t = transport

    def send(self, data, addr):
        for _ in range(65536):
            self.next = (self.next + 1) & 0xffff
            if self.next not in self.pending:
                break
        self.pending[self.next] = (data[:2], addr)
        self.t.sendto(struct.pack('>H', self.next) + data[2:])

    def datagram_received(self, data, addr):
        if len(data) < 12:
            return
        q = self.pending.pop(struct.unpack('>H', data[:2])[0], None)
        if q is None:
            return
        out = q[0] + data[2:]
        if self.delay:
            self.loop.call_later(self.delay, self.front.t.sendto, out, q[1])
        else:
            self.front.t.sendto(out, q[1])


class Front(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.t = transport

    def datagram_received(self, data, addr):
        if len(data) >= 12:
            COUNT[0] += 1
            self.up.send(data, addr)


async def tcp_client(reader, writer, up, delay):
    try:
        ur, uw = await asyncio.open_connection(*up)
        while True:
            n = struct.unpack('>H', await reader.readexactly(2))[0]
            q = await reader.readexactly(n)
            COUNT[0] += 1
            uw.write(struct.pack('>H', n) + q)
            m = struct.unpack('>H', await ur.readexactly(2))[0]
            a = await ur.readexactly(m)
            if delay:
                await asyncio.sleep(delay)
            writer.write(struct.pack('>H', m) + a)
            await writer.drain()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    lip, lport, uip, uport, delay = sys.argv[1:6]
    up = (uip, int(uport))
    d = int(delay) / 1000.0
    loop = asyncio.get_event_loop()
    _, front = await loop.create_datagram_endpoint(Front, local_addr=(lip, int(lport)))
    _, front.up = await loop.create_datagram_endpoint(lambda: Up(front, d), remote_addr=up)
    srv = await asyncio.start_server(lambda r, w: tcp_client(r, w, up, d), lip, int(lport))
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    print('ready', flush=True)
    async with srv:
        await stop
    t = os.times()
    print('queries %d cpu %.3f' % (COUNT[0], t.user + t.system), flush=True)


if __name__ == '__main__':
    asyncio.run(main())
