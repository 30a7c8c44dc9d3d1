#!/usr/bin/env bash
# Interop with aiortc (an independent Python WebRTC stack): our Godot peer and
# tests/interop/aiortc_peer.py, signaled through tests/interop/signaling_relay.py
# on 127.0.0.1. Godot offers, aiortc offers, and Godot offers without sending
# any candidate of its own. See tests/interop/README.md.
# Installs aiortc and websockets (pip, or a venv when the system Python is
# externally managed) when missing and running as root; otherwise TEST SKIP.
set -uo pipefail
scenario_name=interop_aiortc
source "$(dirname "$0")/../interop/lib.sh"

need_python aiortc=aiortc==1.16.0 websockets.asyncio.server=websockets==17.4 || { summary; exit; }
need_godot || { summary; exit; }
start_relay || { summary; exit; }

# aiortc_run NAME GODOT_ROLE ROOM [GODOT ARGS...]
aiortc_run() {
  local name=$1 role=$2 room=$3 other=offer
  shift 3
  [ "$role" = offer ] && other=answer
  # aiortc closes close_by_remote with its 64 KiB message still in flight:
  # our reply to its stream reset must still come (tests/interop/README.md).
  bg "aiortc-$name" 60 "$PY" "$interop_dir/aiortc_peer.py" "$other" "ws://127.0.0.1:$PORT/ws/$room"
  local peer_pid=$last_pid
  if ! run_godot "$name" "$role" "$room" "$@"; then
    echo "  | aiortc side:"
    tail -15 "$work/aiortc-$name.log" | cut -c1-400 | sed 's/^/  | /'
  fi
  # The aiortc peer leaves by itself once Godot says "done".
  for _ in $(seq 1 30); do kill -0 "$peer_pid" 2>/dev/null || break; sleep 0.1; done
  stop "$peer_pid"
}

aiortc_run aiortc.godot_offers offer aiortc-1
aiortc_run aiortc.aiortc_offers answer aiortc-2
aiortc_run aiortc.godot_offers_no_godot_candidates offer aiortc-3 withhold
summary
