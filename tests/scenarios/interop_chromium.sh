#!/usr/bin/env bash
# Interop with headless Chromium (libwebrtc): our Godot peer and the JS page
# tests/interop/browser_peer.html, signaled through tests/interop/signaling_relay.py
# (which also serves the page) on 127.0.0.1. Two variants: Chrome's default
# mDNS `.local` host candidates, and mDNS disabled. In each: Godot offers,
# Chromium offers, and Godot offers without sending any candidate of its own
# (so it must reach Chrome's candidates: with mDNS, resolve the `.local` name).
# See tests/interop/README.md.
# Installs chromium (apt) and websockets (pip) when missing and running as
# root; otherwise TEST SKIP.
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

chromium_variant chromium_mdns yes
chromium_variant chromium_no_mdns no --disable-features=WebRtcHideLocalIpsWithMdns
summary
