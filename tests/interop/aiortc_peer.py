#!/usr/bin/env python3
"""aiortc end of the interop tests (see README.md for the protocol).

    python3 aiortc_peer.py <offer|answer> <ws://127.0.0.1:PORT/ws/ROOM> [close-first]

Opens the same channels as tests/godot/interop/interop_peer.gd, sends the same
payloads, and reports what it received (kind, length, sha256, text) to the
Godot peer, which judges. Exits 0 once the Godot peer says "done", 1 on
timeout or error (the Godot peer's checks are what count).

close-first: close close_by_remote, wait 0.5 s, then send the payloads (so no
data is in flight when the stream reset goes out): the control experiment for
the known close_from_remote failure described in README.md.
"""

import asyncio
import hashlib
import json
import logging
import re
import sys
import time

import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

TAG = "remote"
NEGOTIATED_ID = 42
UNRELIABLE_COUNT = 20
LABELS = ["reliable", "unreliable", "close_by_godot", "close_by_remote", "negotiated"]
RUN_TIMEOUT = 45


def now_ms():
    return int(time.time() * 1000)


def text_payload(tag):
    return "text ✓ from " + tag


def binary_payload():
    return bytes(range(256))


def seeded_payload(size, seed):
    return bytes((i * i * 31 + i * 7 + seed) % 256 for i in range(size))


def big_payload(tag):
    return seeded_payload(65536, 11 if tag == "godot" else 13)


def largest_payload(tag):
    return seeded_payload(262144, 17 if tag == "godot" else 19)


def negotiated_text(tag):
    return "negotiated ✓ from " + tag


def negotiated_binary():
    return bytes([NEGOTIATED_ID, 0, 255, 1])


def describe(message):
    if isinstance(message, str):
        data = message.encode("utf-8")
        return {"kind": "text", "len": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                "text": message[:200]}
    return {"kind": "binary", "len": len(message), "sha256": hashlib.sha256(message).hexdigest()}


class Peer:
    def __init__(self, role, url, close_first=False):
        self.role = role
        self.close_first = close_first
        self.url = url
        self.pc = RTCPeerConnection()
        self.channels = {}
        self.got = {"reliable": [], "unreliable": [], "negotiated": []}
        self.remote_ready = None
        self.ready_sent = False
        self.started = False
        self.reported = False
        self.close_seen_at = None
        self.close_sent_at = None
        self.own_closed_at = None
        self.have_remote = False
        self.pending = []
        self.candidate_errors = []
        self.done = asyncio.Event()
        self.ws = None

    async def send(self, message):
        await self.ws.send(json.dumps(message))

    def log(self, text):
        print(f"aiortc[{self.role}]: {text}", flush=True)

    def attach(self, channel):
        self.channels[channel.label] = channel

        @channel.on("message")
        def on_message(message):
            if channel.label in self.got:
                self.got[channel.label].append(message)

        @channel.on("open")
        def on_open():
            asyncio.ensure_future(self.maybe_ready())

        @channel.on("close")
        def on_close():
            if channel.label == "close_by_godot" and self.close_seen_at is None:
                self.close_seen_at = now_ms()
            if channel.label == "close_by_remote" and self.own_closed_at is None:
                self.own_closed_at = now_ms()

        if channel.readyState == "open":
            asyncio.ensure_future(self.maybe_ready())

    async def maybe_ready(self):
        if self.ready_sent:
            return
        if not all(l in self.channels and self.channels[l].readyState == "open" for l in LABELS):
            return
        self.ready_sent = True
        props = {}
        for label, c in self.channels.items():
            props[label] = {"label": c.label, "protocol": c.protocol, "ordered": c.ordered,
                            "maxRetransmits": c.maxRetransmits,
                            "maxPacketLifeTime": c.maxPacketLifeTime,
                            "negotiated": c.negotiated, "id": c.id}
        self.log("all channels open")
        await self.send({"type": "ready", "impl": "aiortc", "channels": props})
        await self.maybe_start()

    async def maybe_start(self):
        if self.started or not self.ready_sent or self.remote_ready is None:
            return
        self.started = True
        if self.close_first:
            self.close_sent_at = now_ms()
            self.channels["close_by_remote"].close()
            await asyncio.sleep(0.5)
        reliable = self.channels["reliable"]
        reliable.send(text_payload(TAG))
        reliable.send(binary_payload())
        reliable.send(big_payload(TAG))
        for i in range(UNRELIABLE_COUNT):
            self.channels["unreliable"].send(f"u{i} from {TAG}")
        self.channels["negotiated"].send(negotiated_text(TAG))
        self.channels["negotiated"].send(negotiated_binary())
        if not self.close_first:
            self.close_sent_at = now_ms()
            self.channels["close_by_remote"].close()
        reliable.send(largest_payload(TAG))  # last: nothing else waits behind it
        asyncio.ensure_future(self.wait_and_report())

    async def wait_and_report(self):
        # Everything reliable plus the close of Godot's channel (10 s at most),
        # then up to 3 s more for the unreliable stragglers and for our own
        # closed channel to finish closing.
        start = time.monotonic()
        while time.monotonic() - start < 10:
            if (len(self.got["reliable"]) >= 4 and len(self.got["negotiated"]) >= 2
                    and self.close_seen_at is not None):
                break
            await asyncio.sleep(0.02)
        start = time.monotonic()
        while time.monotonic() - start < 3:
            if len(self.got["unreliable"]) >= UNRELIABLE_COUNT and self.own_closed_at is not None:
                break
            await asyncio.sleep(0.02)
        pattern = re.compile(r"^u(\d+) from godot$")
        texts = self.got["unreliable"]
        invalid = [repr(t)[:40] for t in texts if not isinstance(t, str) or not pattern.match(t)]
        report = {
            "type": "report",
            "impl": "aiortc",
            "reliable": [describe(m) for m in self.got["reliable"]],
            "negotiated": [describe(m) for m in self.got["negotiated"]],
            "unreliable_summary": {"count": len(texts), "distinct": len(set(map(str, texts))),
                                   "all_valid": not invalid, "invalid": invalid[:5]},
            "close_by_godot": {"seen_at": self.close_seen_at,
                               "state": self.channels["close_by_godot"].readyState},
            "close_by_remote": {"closed_at": self.close_sent_at,
                                "state": self.channels["close_by_remote"].readyState,
                                "own_closed_at": self.own_closed_at},
            "reliable_state": self.channels["reliable"].readyState,
            "info": {"connectionState": self.pc.connectionState,
                     "candidate_errors": self.candidate_errors},
        }
        self.reported = True
        self.log(f"report: {json.dumps(report)[:300]}")
        await self.send(report)

    async def add_candidate(self, message):
        line = message.get("candidate") or ""
        try:
            if not line:
                return
            candidate = candidate_from_sdp(line.split(":", 1)[1] if line.startswith("candidate:") else line)
            candidate.sdpMid = message.get("mid")
            candidate.sdpMLineIndex = message.get("index")
            await self.pc.addIceCandidate(candidate)
        except Exception as e:
            self.candidate_errors.append(f"{line}: {e}")
            self.log(f"addIceCandidate({line}) failed: {e}")

    async def handle(self, message):
        kind = message.get("type")
        if kind == "description":
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=message["sdp"], type=message["kind"]))
            self.have_remote = True
            for pending in self.pending:
                await self.add_candidate(pending)
            self.pending = []
            if message["kind"] == "offer":
                await self.pc.setLocalDescription(await self.pc.createAnswer())
                await self.send({"type": "description", "kind": "answer", "sdp": self.pc.localDescription.sdp})
        elif kind == "candidate":
            if self.have_remote:
                await self.add_candidate(message)
            else:
                self.pending.append(message)
        elif kind == "ready":
            self.remote_ready = message
            await self.maybe_start()
        elif kind in ("done", "peer_left"):
            self.log(f"got {kind}")
            self.done.set()

    async def run(self):
        async with websockets.connect(self.url, max_size=4 * 1024 * 1024, compression=None) as ws:
            self.ws = ws
            await self.send({"type": "hello", "impl": "aiortc", "role": self.role})
            self.pc.on("datachannel", self.attach)
            self.attach(self.pc.createDataChannel("negotiated", negotiated=True, id=NEGOTIATED_ID))
            if self.role == "offer":
                self.attach(self.pc.createDataChannel("reliable", protocol="interop-v1"))
                self.attach(self.pc.createDataChannel("unreliable", ordered=False, maxRetransmits=0))
                self.attach(self.pc.createDataChannel("close_by_godot"))
                self.attach(self.pc.createDataChannel("close_by_remote"))
                await self.pc.setLocalDescription(await self.pc.createOffer())
                # aiortc does not trickle: its candidates are in the description.
                await self.send({"type": "description", "kind": "offer", "sdp": self.pc.localDescription.sdp})

            async def receive():
                async for raw in ws:
                    await self.handle(json.loads(raw))
                self.done.set()

            receiver = asyncio.ensure_future(receive())
            await self.done.wait()
            receiver.cancel()
        await self.pc.close()
        return self.reported


async def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("offer", "answer") \
            or sys.argv[3:] not in ([], ["close-first"]):
        print(__doc__)
        return 2
    logging.basicConfig(level=logging.WARNING)
    peer = Peer(sys.argv[1], sys.argv[2], close_first=sys.argv[3:] == ["close-first"])
    try:
        reported = await asyncio.wait_for(peer.run(), RUN_TIMEOUT)
    except asyncio.TimeoutError:
        peer.log("timed out")
        return 1
    return 0 if reported else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
