#!/usr/bin/env python3
"""Signaling relay for the interop tests, on 127.0.0.1 only.

    python3 signaling_relay.py [--port N] [--static DIR]

WebSocket clients connect to ws://127.0.0.1:PORT/ws/<room>. The first two
clients of a room are paired and every text message one sends is forwarded
to the other (messages sent before the other arrives are queued); a third
client of a room is refused. When one leaves, the other gets
{"type": "peer_left"}. A message {"type": "log", ...} is printed here, not
forwarded (the browser page has no other way to talk to the test log).

Any other GET serves a file of --static (default: this directory), so that
Chromium can load http://127.0.0.1:PORT/browser_peer.html.

Once listening it prints "READY <port>" on its own line. Port 0 (the
default) picks a free port.
"""

import argparse
import asyncio
import json
import mimetypes
import os
import sys

from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response


class Room:
    def __init__(self):
        self.clients = []  # at most two ServerConnection
        self.queued = {}  # client -> messages waiting for its partner


rooms: dict[str, Room] = {}


def log(text):
    print(text, flush=True)


async def handler(ws):
    path = ws.request.path.split("?", 1)[0]
    name = path[len("/ws/"):] if path.startswith("/ws/") else ""
    if not name:
        await ws.close(1008, "connect to /ws/<room>")
        return
    room = rooms.setdefault(name, Room())
    if len(room.clients) >= 2:
        log(f"[{name}] refusing a third client")
        await ws.close(1008, "room is full")
        return
    room.clients.append(ws)
    room.queued[ws] = []
    log(f"[{name}] client {len(room.clients)} joined")
    if len(room.clients) == 2:
        # Deliver what the first client said before the second arrived.
        first, second = room.clients
        for message in room.queued.pop(first, []):
            await second.send(message)
    try:
        async for message in ws:
            if isinstance(message, bytes):
                message = message.decode("utf-8", "replace")
            try:
                kind = json.loads(message).get("type")
            except (ValueError, AttributeError):
                kind = None
            if kind == "log":
                log(f"[{name}] LOG {message}")
                continue
            others = [c for c in room.clients if c is not ws]
            if others:
                try:
                    await others[0].send(message)
                except Exception as e:  # the partner is gone
                    log(f"[{name}] could not forward: {e}")
            elif ws in room.queued:
                room.queued[ws].append(message)
    except Exception as e:
        log(f"[{name}] client error: {e}")
    finally:
        if ws in room.clients:
            room.clients.remove(ws)
        room.queued.pop(ws, None)
        log(f"[{name}] client left")
        for other in room.clients:
            try:
                await other.send(json.dumps({"type": "peer_left"}))
            except Exception:
                pass


def make_static_server(root):
    root = os.path.realpath(root)

    def process_request(connection, request):
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        rel = request.path.split("?", 1)[0].lstrip("/")
        path = os.path.realpath(os.path.join(root, rel))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            return connection.respond(404, "not found\n")
        with open(path, "rb") as f:
            body = f.read()
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        headers = Headers(
            [
                ("Content-Type", ctype),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("Connection", "close"),
            ]
        )
        return Response(200, "OK", headers, body)

    return process_request


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--static", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    async with serve(
        handler,
        "127.0.0.1",
        args.port,
        process_request=make_static_server(args.static),
        max_size=4 * 1024 * 1024,
        compression=None,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        log(f"READY {port}")
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
