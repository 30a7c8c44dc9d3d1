#!/usr/bin/env bash
# Interop with headless Chromium (libwebrtc): our Godot peer and the JS page
# tests/interop/browser_peer.html, signaled through tests/interop/signaling_relay.py
# (which also serves the page) on 127.0.0.1. Two variants: Chrome's default
# mDNS `.local` host candidates, and mDNS disabled. In each: Godot offers,
# Chromium offers, and Godot offers without sending any candidate of its own
# (so it must reach Chrome's candidates: with mDNS, resolve the `.local` name).
# A third variant goes through a coturn started here with no UDP listener
# (--no-udp): both peers relay only (iceTransportPolicy "relay") over
# `turn:127.0.0.1:PORT?transport=tcp`, Godot offering and Chromium offering.
# See tests/interop/README.md.
# Installs chromium and coturn (apt) and websockets (pip) when missing and
# running as root; otherwise TEST SKIP.
set -uo pipefail
scenario_name=interop_chromium
source "$(dirname "$0")/../interop/lib.sh"

need_python websockets.asyncio.server=websockets==17.4 || { summary; exit; }
CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then
  if is_root; then
    apt_install chromium && CHROMIUM=$(command -v chromium)
    [ -n "$CHROMIUM" ] || { fail "interop_chromium.install: apt-get install chromium failed"; summary; exit; }
  else
    skip "interop_chromium: chromium is not installed and we are not root to install it (apt-get install chromium)"
    summary; exit
  fi
fi
need_godot || { summary; exit; }
start_relay || { summary; exit; }

# chromium_variant VARIANT MDNS(yes|no) [CHROMIUM FLAGS...]
chromium_variant() {
  local variant=$1 mdns=$2 ok=1
  shift 2
  local rooms="$variant-1 $variant-2 $variant-3"
  local page="http://127.0.0.1:$PORT/browser_peer.html?ws=ws://127.0.0.1:$PORT/ws/&runs=answer:$variant-1,offer:$variant-2,answer:$variant-3"
  # Only these flags (plus the variant's): no GPU, no QUIC, nothing that reaches the network.
  bg "chromium-$variant" 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$variant" "$@" "$page"
  local browser_pid=$last_pid
  run_godot "$variant.godot_offers" offer "$variant-1" "mdns=$mdns" || ok=0
  run_godot "$variant.chromium_offers" answer "$variant-2" "mdns=$mdns" || ok=0
  run_godot "$variant.godot_offers_no_godot_candidates" offer "$variant-3" withhold "mdns=$mdns" || ok=0
  if [ "$ok" = 0 ]; then
    echo "  | browser side (relay log):"
    for room in $rooms; do grep -F "[$room]" "$work/relay.log"; done | cut -c1-400 | sed 's/^/  | /'
    echo "  | chromium:"
    grep -v 'dbus\|zygote' "$work/chromium-$variant.log" | tail -10 | sed 's/^/  | /'
  fi
  stop "$browser_pid"
}

# chromium_turn_tcp : both directions through a TCP-only coturn, relay only.
chromium_turn_tcp() {
  local variant=chromium_turn_tcp ok=1 turn_port
  if ! command -v turnserver >/dev/null 2>&1; then
    if is_root; then
      apt_install coturn || { fail "$variant.install: apt-get install coturn failed"; return; }
    else
      skip "$variant: coturn is not installed and we are not root to install it (apt-get install coturn)"
      return
    fi
  fi
  turn_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  bg coturn 150 turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port="$turn_port" \
    --min-port=49800 --max-port=49990 --lt-cred-mech --user=u:p --realm=interop.test \
    --no-udp --no-tls --no-dtls --no-cli --no-tcp-relay --allow-loopback-peers \
    --pidfile="$work/turnserver.pid" --db="$work/turndb.sqlite" --log-file=stdout --simple-log --verbose
  local coturn_pid=$last_pid i
  for i in $(seq 1 50); do
    ss -Htln "sport = :$turn_port" | grep -q . && break
    sleep 0.1
  done
  if ! ss -Htln "sport = :$turn_port" | grep -q . || ss -Huln "sport = :$turn_port" | grep -q .; then
    fail "$variant.coturn: coturn is not listening on tcp (only) 127.0.0.1:$turn_port; its log:"
    tail -20 "$work/coturn.log" | sed 's/^/  | /'
    stop "$coturn_pid"
    return
  fi
  local turn="turn:127.0.0.1:$turn_port?transport=tcp"
  local page="http://127.0.0.1:$PORT/browser_peer.html?ws=ws://127.0.0.1:$PORT/ws/&runs=answer:$variant-1,offer:$variant-2"
  page+="&turn=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$turn")&user=u&pass=p"
  bg "chromium-$variant" 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$variant" "$page"
  local browser_pid=$last_pid
  run_godot "$variant.godot_offers" offer "$variant-1" "turn=$turn" relay=tcp || ok=0
  run_godot "$variant.chromium_offers" answer "$variant-2" "turn=$turn" relay=tcp || ok=0
  # coturn's side: allocations over TCP for both peers of both runs.
  local allocs
  allocs=$(grep -c 'ALLOCATE processed, success' "$work/coturn.log")
  if [ "$allocs" -ge 4 ]; then
    pass "$variant.coturn_allocations ($allocs successful allocations over TCP)"
  else
    fail "$variant.coturn_allocations: $allocs successful allocations, expected 4 or more (2 runs x 2 peers)"
    ok=0
  fi
  if [ "$ok" = 0 ]; then
    echo "  | browser side (relay log):"
    grep -F "[$variant-" "$work/relay.log" | cut -c1-400 | sed 's/^/  | /'
    echo "  | chromium:"
    grep -v 'dbus\|zygote' "$work/chromium-$variant.log" | tail -10 | sed 's/^/  | /'
    echo "  | coturn:"
    grep -iE 'error|denied|401|session' "$work/coturn.log" | tail -15 | sed 's/^/  | /'
  fi
  stop "$browser_pid"
  stop "$coturn_pid"
}

chromium_variant chromium_mdns yes
chromium_variant chromium_no_mdns no --disable-features=WebRtcHideLocalIpsWithMdns
chromium_turn_tcp
summary
