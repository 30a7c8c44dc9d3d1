#!/usr/bin/env python3
"""One end of an emulated lossy, slow point-to-point link (a netem stand-in).

This machine's kernel has neither sch_netem nor tc classifiers/actions, so the
lossy link is built from two TUN devices, one in each test namespace, and one
of these processes per namespace. Each process reads the IP packets its
namespace sends into its TUN device, drops each with probability --loss,
holds the rest for --delay-ms (order kept, like netem with a fixed delay) and
hands them to the other end over a Unix datagram socket in the scenario's
directory; what arrives from the other end is written into the local TUN
device. Loss and delay are applied on the way out, so each direction gets them
once, as `tc qdisc add dev X root netem loss L delay D` on both ends would.

Cutting the link is done the real way, with `ip link set <tun> down` in a
namespace: that end's kernel then has no route to the peer, and what the
other end sends is written into a down device and discarded. While the file
given as --blackhole-file exists, every packet in both directions is dropped
instead (an outage somewhere along the path: the local interfaces stay up).

Usage (inside the namespace, as root):
  linkemu.py --tun NAME --sock PATH --peer PATH [--loss 0.1] [--delay-ms 50] [--seed N]
             [--blackhole-file PATH] [--drop-rules PATH --side NAME] [--log-drops]
--drop-rules names a file the scenario rewrites between connection attempts:
one rule per line, "<side> <pattern> <count>", drops the first <count>
packets that side sends matching <pattern>: "stun", "dtls:<record type>"
or "dtls:22:<handshake message type>" (first record of the datagram), or
"dtls:<record type>=<bytes>" (a datagram of exactly that UDP payload size). The
counts start again whenever the file changes.

Prints a one-line summary of packet counts when it ends (SIGTERM/SIGINT);
with --log-drops, also one line per packet lost to --loss, saying what it
carried (STUN, DTLS record types and epochs), to tell which handshake
message a stuck connection lost.
"""

import argparse
import errno
import fcntl
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


DTLS_TYPES = {20: "ChangeCipherSpec", 21: "Alert", 22: "Handshake", 23: "ApplicationData"}


def describe(packet):
    """A short description of an IPv4/UDP packet's payload (STUN or DTLS records)."""
    if len(packet) < 28 or packet[0] >> 4 != 4 or packet[9] != 17:
        return "not IPv4/UDP, %d bytes" % len(packet)
    header = (packet[0] & 0x0F) * 4
    src_port, dst_port = struct.unpack("!HH", packet[header:header + 4])
    payload = packet[header + 8:]
    what = "%d bytes" % len(payload)
    if payload and payload[0] < 4:
        what = "STUN, " + what
    elif payload and 20 <= payload[0] <= 63:
        records = []
        at = 0
        while at + 13 <= len(payload) and len(records) < 6:
            kind, epoch, length = payload[at], struct.unpack("!H", payload[at + 3:at + 5])[0], \
                struct.unpack("!H", payload[at + 11:at + 13])[0]
            name = DTLS_TYPES.get(kind, str(kind))
            if kind == 22 and epoch == 0 and at + 13 < len(payload):
                name += "(%d)" % payload[at + 13]  # the handshake message type
            records.append("%s/epoch %d" % (name, epoch))
            at += 13 + length
        what = "DTLS [%s], %s" % (", ".join(records), what)
    return "udp %d->%d %s" % (src_port, dst_port, what)


def matches(packet, pattern):
    """Whether an IPv4/UDP packet's payload matches a --drop-rules pattern."""
    if len(packet) < 28 or packet[0] >> 4 != 4 or packet[9] != 17:
        return False
    payload = packet[(packet[0] & 0x0F) * 4 + 8:]
    if not payload:
        return False
    if pattern == "stun":
        return payload[0] < 4
    parts = pattern.split(":")
    if parts[0] != "dtls" or len(parts) < 2:
        return False
    kind, _, size = parts[1].partition("=")
    if payload[0] != int(kind) or (size and len(payload) != int(size)):
        return False
    return len(parts) < 3 or (len(payload) > 13 and payload[13] == int(parts[2]))


class DropRules:
    """The rules of --drop-rules for this side, reloaded when the file changes."""

    def __init__(self, path, side):
        self.path, self.side, self.stamp, self.rules, self.checked = path, side, None, [], 0.0

    def take(self, packet):
        """True if `packet` is to be dropped by a rule (counting it)."""
        if self.path is None:
            return None
        now = time.monotonic()
        if now - self.checked > 0.02:
            self.checked = now
            try:
                with open(self.path) as file:
                    text = file.read()
            except OSError:
                text = ""
            if text != self.stamp:
                self.stamp = text
                self.rules = []
                for line in text.splitlines():
                    fields = line.split()
                    if len(fields) == 3 and fields[0] == self.side:
                        self.rules.append([fields[1], int(fields[2])])
        for rule in self.rules:
            if rule[1] > 0 and matches(packet, rule[0]):
                rule[1] -= 1
                return rule[0]
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tun", required=True)
    parser.add_argument("--sock", required=True)
    parser.add_argument("--peer", required=True)
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--blackhole-file", default=None)
    parser.add_argument("--log-drops", action="store_true")
    parser.add_argument("--drop-rules", default=None)
    parser.add_argument("--side", default="")
    parser.add_argument("--stats-every", type=float, default=0, help="print the counts every N seconds")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    delay = args.delay_ms / 1000.0
    rules = DropRules(args.drop_rules, args.side)
    stats = {"ruled": 0, "out": 0, "lost": 0, "sent": 0, "unsent": 0, "in": 0, "in_discarded": 0, "blackholed": 0}
    blackhole = {"on": False, "checked": 0.0}

    def blackholed():
        """True while the blackhole file exists (looked up at most every 20 ms)."""
        if args.blackhole_file is None:
            return False
        now = time.monotonic()
        if now - blackhole["checked"] > 0.02:
            blackhole["checked"] = now
            blackhole["on"] = os.path.exists(args.blackhole_file)
        return blackhole["on"]

    tun = open_tun(args.tun)
    try:
        os.unlink(args.sock)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(args.sock)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.setblocking(False)

    def report(prefix):
        print(
            "%slinkemu %s: loss=%.3f delay=%gms seed=%s out=%d lost=%d sent=%d unsent=%d in=%d in_discarded=%d"
            " blackholed=%d ruled=%d"
            % (prefix, args.tun, args.loss, args.delay_ms, args.seed, stats["out"], stats["lost"], stats["sent"],
               stats["unsent"], stats["in"], stats["in_discarded"], stats["blackholed"], stats["ruled"]),
            flush=True,
        )

    def finish(*_):
        report("")
        sys.exit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)

    queue = []  # (due, seq, packet)
    seq = 0
    poller = select.poll()
    poller.register(tun, select.POLLIN)
    poller.register(sock, select.POLLIN)
    print("linkemu %s: up" % args.tun, flush=True)
    next_stats = time.monotonic() + args.stats_every

    while True:
        timeout_ms = 1000 if not args.stats_every else int(args.stats_every * 1000)
        if queue:
            timeout_ms = max(0, int((queue[0][0] - time.monotonic()) * 1000) + 1)
        for fd, _ in poller.poll(timeout_ms):
            if fd == tun:
                while True:
                    try:
                        packet = os.read(tun, 65535)
                    except BlockingIOError:
                        break
                    except OSError as e:  # the device went down under us
                        if e.errno in (errno.EIO, errno.EBADFD):
                            break
                        raise
                    stats["out"] += 1
                    if blackholed():
                        stats["blackholed"] += 1
                        continue
                    rule = rules.take(packet)
                    if rule:
                        stats["ruled"] += 1
                        print("drop %.3f by rule %s: %s" % (time.time(), rule, describe(packet)), flush=True)
                        continue
                    if rng.random() < args.loss:
                        stats["lost"] += 1
                        if args.log_drops:
                            print("drop %.3f %s" % (time.time(), describe(packet)), flush=True)
                        continue
                    seq += 1
                    heapq.heappush(queue, (time.monotonic() + delay, seq, packet))
            else:
                while True:
                    try:
                        packet = sock.recv(65535)
                    except BlockingIOError:
                        break
                    stats["in"] += 1
                    if blackholed():
                        stats["blackholed"] += 1
                        continue
                    try:
                        os.write(tun, packet)
                    except OSError:  # link down on this side: the packet is gone
                        stats["in_discarded"] += 1
        now = time.monotonic()
        if args.stats_every and now >= next_stats:
            next_stats = now + args.stats_every
            report("%.3f " % time.time())
        while queue and queue[0][0] <= now:
            _, _, packet = heapq.heappop(queue)
            try:
                sock.sendto(packet, args.peer)
                stats["sent"] += 1
            except OSError:  # the other end is not up (yet): the packet is lost
                stats["unsent"] += 1


if __name__ == "__main__":
    main()
