#!/usr/bin/env bash
# Peers through a real coturn STUN/TURN server (Debian's coturn, installed if
# missing). Everything runs inside a network namespace of its own whose only
# interface is lo: coturn listens and relays on 127.0.0.1, and the peers have
# no host candidates, so they connect through what the server gives them.
#   relay:       iceTransportPolicy "relay" over TURN/UDP connects, only typ relay
#                candidates, 200 messages each way in order, coturn saw the allocations
#   stun:        a stun: server gives typ srflx candidates (127.0.0.1) and the
#                peers connect through them
#   wrong creds: never connects, reaches FAILED (time measured), coturn says why
#   turns:/tcp:  only unsupported TURN URLs + relay: warning names each URL, FAILED
# Four Godot processes run in parallel (the two failure cases take ~30 s each).
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/net/lib.sh
net_init turn

PORT=34780
REALM=gwrs.test

why=$(net_ns_unavailable)
if [ -n "$why" ]; then
  net_skip net_turn "$why"
  net_finish
fi
if ! net_install_coturn; then
  net_skip net_turn "coturn could not be installed (apt-get install coturn failed)"
  net_finish
fi

net_add_ns NS srv || { net_fail net_turn_setup "could not create the namespace"; net_finish; }
echo "net: namespace $NS (lo only), coturn $(turnserver --version 2>/dev/null | head -1) on 127.0.0.1:$PORT"

net_spawn TURN_PID ip netns exec "$NS" timeout -k 5 150 turnserver -n \
  --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port=$PORT \
  --min-port=49200 --max-port=49400 \
  --lt-cred-mech --user=u:p --realm=$REALM \
  --no-tls --no-dtls --no-cli --no-tcp-relay --allow-loopback-peers \
  --pidfile="$NET_DIR/turnserver.pid" --db="$NET_DIR/turndb.sqlite" \
  --log-file=stdout --simple-log --verbose >"$NET_DIR/coturn.log" 2>&1

# Wait for coturn's UDP listener.
ready=0
for _ in $(seq 1 50); do
  if ip netns exec "$NS" ss -Hlun "sport = :$PORT" 2>/dev/null | grep -q .; then ready=1; break; fi
  kill -0 "$TURN_PID" 2>/dev/null || break
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  net_fail coturn_started "coturn is not listening on 127.0.0.1:$PORT; its log:"
  tail -30 "$NET_DIR/coturn.log" | sed 's/^/    [coturn] /'
  net_finish
fi
net_pass coturn_started "listening on udp 127.0.0.1:$PORT"

TESTS=(test_relay_only_connects_through_turn test_stun_gathers_srflx_candidate
  test_wrong_credentials_fail test_unsupported_turn_transports_fail)
for t in "${TESTS[@]}"; do
  net_spawn "pid_$t" ip netns exec "$NS" env TEST_ONLY="$t" timeout -k 5 90 \
    "$GODOT" "${NET_GODOT_ARGS[@]}" "$PROJECT" -s res://net/turn_peers.gd -- "$PORT" >"$NET_DIR/$t.log" 2>&1
done
for t in "${TESTS[@]}"; do
  pid_var="pid_$t"
  wait "${!pid_var}"
  echo $? >"$NET_DIR/$t.code"
done
for t in "${TESTS[@]}"; do
  net_judge_godot "${t#test_}" "$NET_DIR/$t.log" "$(cat "$NET_DIR/$t.code")" 1
done

# coturn's side of the story.
coturn_log=$NET_DIR/coturn.log
allocs=$(grep -c 'ALLOCATE processed, success' "$coturn_log")
perms=$(grep -cE '(CREATE_PERMISSION|CHANNEL_BIND) processed, success' "$coturn_log")
net_check turn_server_relayed "coturn: $allocs successful allocations, $perms permissions/channel binds" \
  test "$allocs" -ge 2 -a "$perms" -ge 2

reason=$(grep -m1 'credentials are incorrect' "$coturn_log" | sed 's/^[0-9]*: : //')
net_check wrong_credentials_rejected_by_server "coturn log: ${reason:-nothing}" test -n "$reason"
# What a Godot user sees about it (the plugin does not forward webrtc-rs's own log).
godot_says=$(grep -E 'WebRTC|ERROR' "$NET_DIR/test_wrong_credentials_fail.log" | grep -v 'resources still in use' | head -3 | tr '\n' ' ')
echo "NET wrong_credentials godot_log: ${godot_says:-(nothing about the TURN error)}"

log=$NET_DIR/test_unsupported_turn_transports_fail.log
warn_tls="ignoring 'turns:127.0.0.1:$PORT': TURNS (TURN over TLS) is not supported"
warn_tcp="ignoring 'turn:127.0.0.1:$PORT?transport=tcp': TURN over TCP is not supported"
both_warned() { grep -qF "$warn_tls" "$log" && grep -qF "$warn_tcp" "$log"; }
net_check unsupported_transports_warned "Godot log warns about both URLs by name" both_warned
grep -F "WARNING: WebRTC initialize:" "$log" | sort -u | sed 's/^/NET unsupported_transports warning: /'

# Nothing may be left running: coturn is stopped by the cleanup.
net_finish
