#!/usr/bin/env bash
# Two Godot processes, each in its own network namespace (10.77.0.1 and
# 10.77.0.2), joined by a link that loses 10% of the packets and delays them
# by 50 ms in each direction. Signaling goes through files. Checks, per peer
# (tests/godot/net/lossy_peer.gd, one connection through all of them):
#   the first connection attempt opens all channels within 15 s (if it is
#   stuck, that test fails and a second attempt lets the other tests run);
#   500 numbered reliable messages of 100-499 bytes arrive intact and in order;
#   1000 unreliable (unordered, maxRetransmits 0) messages at 400/s, on an
#   in-band channel and then on a negotiated one (what WebRTCMultiplayerPeer
#   uses): some are lost, most arrive, no silence longer than 1 s (no stall);
#   a 2 s outage along the path and a 1 s local interface-down, both shorter
#   than ICE's 5 s disconnected timeout: the connection rides them out and
#   every reliable message sent around them arrives;
#   cutting the link (ip link set down in one namespace) -> DISCONNECTED, then
#   FAILED (times measured); after restoring it, close() + initialize() and a
#   new offer/answer reconnect and carry 100 more messages.
#
# The link: this kernel has no sch_netem (nor tc classifiers/actions), so each
# namespace gets a TUN device and tests/net/linkemu.py forwards its packets to
# the other namespace with the loss and the delay (see that file). Interface
# down is a real `ip link set dev down`. LOSSY_LOSS / LOSSY_DELAY_MS /
# LOSSY_SEED change the link.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/net/lib.sh
net_init lossy

LOSS=${LOSSY_LOSS:-0.10}
DELAY_MS=${LOSSY_DELAY_MS:-50}
# The peers compare get_stats()'s RTT with it.
export LOSSY_DELAY_MS=$DELAY_MS
TESTS_PER_PEER=8

why=$(net_link_unavailable)
if [ -n "$why" ]; then
  net_skip net_lossy "$why"
  net_finish
fi
net_emulated_link "$LOSS" "$DELAY_MS" "${LOSSY_SEED:-$$}" 200 || net_finish

for role in offer answer; do
  ns=$NS_A
  [ "$role" = answer ] && ns=$NS_B
  net_spawn "PID_${role^^}" ip netns exec "$ns" timeout -k 5 170 "$GODOT" "${NET_GODOT_ARGS[@]}" "$PROJECT" \
    -s res://net/lossy_peer.gd -- "$role" "$NET_DIR" >"$NET_DIR/$role.log" 2>&1
done
alive() { kill -0 "$PID_OFFER" 2>/dev/null && kill -0 "$PID_ANSWER" 2>/dev/null; }

# wait_markers TIMEOUT FILE... : until every FILE exists, or a peer has exited.
wait_markers() {
  local deadline=$(($(date +%s) + $1))
  shift
  while [ "$(date +%s)" -lt "$deadline" ]; do
    net_wait_files 1 "$@" && return 0
    alive || { net_wait_files 1 "$@"; return; }
  done
  return 1
}
# stamp NAME : writes the current Unix ms time into $NET_DIR/NAME, atomically.
stamp() { net_now_ms >"$NET_DIR/$1.tmp" && mv "$NET_DIR/$1.tmp" "$NET_DIR/$1"; }
link_down() { ip -n "$NS_A" link set $NET_DEV down; }
link_up() { ip -n "$NS_A" link set $NET_DEV up; }
blackhole_on() { touch "$NET_BLACKHOLE"; }
blackhole_off() { rm -f "$NET_BLACKHOLE"; }

# phase NAME BREAK RESTORE HOLD : once both peers are ready, BREAK the link,
# hold it broken HOLD seconds (or, with HOLD=peers, until both peers are done
# watching), RESTORE it, then wait for both peers to finish the phase.
phase() {
  local name=$1 break_cmd=$2 restore_cmd=$3 hold=$4
  if ! wait_markers 150 "$NET_DIR/offer.ready_$name" "$NET_DIR/answer.ready_$name"; then
    echo "net: the peers never got ready for '$name'"
    return 1
  fi
  $break_cmd
  stamp "$name.start"
  echo "net: $name: link broken ($break_cmd)"
  if [ "$hold" = peers ]; then
    wait_markers 80 "$NET_DIR/offer.done_$name" "$NET_DIR/answer.done_$name" || echo "net: $name: the peers did not finish"
  else
    sleep "$hold"
  fi
  $restore_cmd
  stamp "$name.end"
  echo "net: $name: link restored ($restore_cmd)"
  wait_markers 60 "$NET_DIR/offer.done_$name" "$NET_DIR/answer.done_$name" || echo "net: $name: the peers did not finish"
}

phase blackhole blackhole_on blackhole_off 2
phase blip link_down link_up 1
phase cut link_down link_up peers
# Whatever happened, the link is whole again when the peers reconnect.
blackhole_off
link_up 2>/dev/null
[ -e "$NET_DIR/cut.end" ] || stamp cut.end

wait "$PID_OFFER"
code_offer=$?
wait "$PID_ANSWER"
code_answer=$?
net_emulated_link_stats
for role in offer answer; do
  # Name the tests after the peer; the candidate lines stay in the log only.
  sed -E -e "s/^TEST (PASS|FAIL) test_/TEST \\1 ${role}_/" -e '/^NET [a-z]+ candidate /d' \
    "$NET_DIR/$role.log" >"$NET_DIR/$role.judged"
done
net_judge_godot offer "$NET_DIR/offer.judged" "$code_offer" $TESTS_PER_PEER
net_judge_godot answer "$NET_DIR/answer.judged" "$code_answer" $TESTS_PER_PEER
net_finish
