#!/usr/bin/env bash
# Losing one handshake packet must only delay a connection. Two Godot
# processes in two network namespaces joined by the emulated link (no random
# loss, 20 ms each way) connect once per case, with a fresh initialize() and a
# new offer/answer each time, while the link drops exactly one chosen packet:
# the offerer's first STUN check, a DTLS flight of either side, the first SCTP
# packet of either side, the offerer's DATA_CHANNEL_OPEN. Each case must open both channels (a negotiated and an
# in-band one) on both peers within 10 s. A stuck case is watched 30 s more to
# report whether it ever reaches FAILED.
#
# Roles, as webrtc-rs negotiates them (checked in the link's drop log): the
# offerer (10.77.0.1, side a) is the DTLS server, the answerer (side b) the
# DTLS client. DTLS flights: 1 ClientHello (b), 2 HelloVerifyRequest (a),
# 3 ClientHello again (b), 4 ServerHello..ServerHelloDone (a), 5 Certificate..
# Finished (b), 6 ChangeCipherSpec + Finished (a).
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/net/lib.sh
net_init handshake

WATCH_S=${HANDSHAKE_WATCH_S:-30}
# The datagram with the offerer's DATA_CHANNEL_OPEN for its in-band channel
# (a 30-byte label, no protocol): DTLS record header 13 + AES-GCM nonce 8 and
# tag 16 + SCTP common header 12 + DATA chunk header 16 + DCEP open 12 + label
# 30, padded to 44. No other datagram of the handshake has that size (the
# COOKIE ECHO is 85 bytes, INIT 77). The offerer sends on that channel at
# once, so its data overtakes the lost open; the answerer must still announce
# the channel and get the data.
DCEP_OPEN_DATAGRAM=$((13 + 8 + 16 + 12 + 16 + 44))
# label | rule for the emulators: "<side> <pattern> <count>" (see linkemu.py)
CASES=(
  "no_loss|"
  "offerer_first_stun_check|a stun 1"
  "dtls_flight1_client_hello|b dtls:22:1 1"
  "dtls_flight2_hello_verify_request|a dtls:22:3 1"
  "dtls_flight4_server_hello|a dtls:22:2 1"
  "dtls_flight5_client_finished|b dtls:22:11 1"
  "dtls_flight6_server_finished|a dtls:20 1"
  "first_sctp_packet_from_answerer|b dtls:23 1"
  "first_sctp_packet_from_offerer|a dtls:23 1"
  "dcep_open_from_offerer_then_data|a dtls:23=$DCEP_OPEN_DATAGRAM 1"
)

why=$(net_link_unavailable)
if [ -n "$why" ]; then
  net_skip net_handshake_loss "$why"
  net_finish
fi
RULES=$NET_DIR/drop_rules
: >"$RULES"
NET_LINK_EXTRA=(--drop-rules "$RULES")
net_emulated_link 0 20 "$$" $((${#CASES[@]} * 15 + WATCH_S * 3 + 60)) || net_finish

for role in offer answer; do
  ns=$NS_A
  [ "$role" = answer ] && ns=$NS_B
  net_spawn "PID_${role^^}" ip netns exec "$ns" timeout -k 5 $((${#CASES[@]} * 15 + WATCH_S * 3 + 30)) \
    "$GODOT" "${NET_GODOT_ARGS[@]}" "$PROJECT" -s res://net/handshake_peer.gd -- "$role" "$NET_DIR" "$WATCH_S" \
    >"$NET_DIR/$role.log" 2>&1
done
alive() { kill -0 "$PID_OFFER" 2>/dev/null && kill -0 "$PID_ANSWER" 2>/dev/null; }

k=0
for case in "${CASES[@]}"; do
  label=${case%%|*}
  rule=${case#*|}
  echo "$rule" >"$RULES"
  sleep 0.1 # the emulators look at the rules every 20 ms
  fired_before=$(cat "$NET_DIR"/linkemu_*.log | grep -c "by rule")
  echo "$label" >"$NET_DIR/c$k.go"
  if ! net_wait_files $((10 + WATCH_S + 15)) "$NET_DIR/c$k.offer" "$NET_DIR/c$k.answer"; then
    net_fail "handshake_loss_$label" "no result from the peers$(alive || echo ' (a peer has exited)')"
    alive || break
    k=$((k + 1))
    continue
  fi
  fired=$(($(cat "$NET_DIR"/linkemu_*.log | grep -c "by rule") - fired_before))
  offer=$(cat "$NET_DIR/c$k.offer")
  answer=$(cat "$NET_DIR/c$k.answer")
  detail="dropped: ${rule:-nothing} ($fired by rule); offer: $offer; answer: $answer"
  if [ -n "$rule" ] && [ "$fired" -lt 1 ]; then
    net_fail "handshake_loss_$label" "the rule never matched a packet, the case tested nothing; $detail"
  elif [[ $offer == ok* && $answer == ok* ]]; then
    net_pass "handshake_loss_$label" "$detail"
  else
    net_fail "handshake_loss_$label" "$detail"
  fi
  k=$((k + 1))
done
: >"$RULES"
touch "$NET_DIR/end"

wait "$PID_OFFER"
code_offer=$?
wait "$PID_ANSWER"
code_answer=$?
net_emulated_link_stats
grep -h "by rule" "$NET_DIR"/linkemu_*.log | sed 's/^/NET link /'
for role in offer answer; do
  sed -E "s/^TEST (PASS|FAIL) test_/TEST \\1 ${role}_/" "$NET_DIR/$role.log" >"$NET_DIR/$role.judged"
done
net_judge_godot offer "$NET_DIR/offer.judged" "$code_offer" 1
net_judge_godot answer "$NET_DIR/answer.judged" "$code_answer" 1
net_finish
