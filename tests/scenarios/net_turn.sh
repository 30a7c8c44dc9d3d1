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
# and against a second coturn with no UDP listener (--no-udp), TCP and TLS only,
# its certificate issued by a throwaway CA made here (SSL_CERT_FILE names it):
#   relay tcp:   turn:...?transport=tcp connects, 200 messages + 64 KiB each way
#   relay tls:   turns:localhost:PORT likewise, certificate verified
#   wrong creds over TCP: FAILED, the TURN error names the URL
#   untrusted:   SSL_CERT_FILE names another CA: FAILED, the TLS error names the URL
#   unreachable: nothing listens on the TCP port: FAILED, the error names the URL
# Every failure case also checks get_stats().failure_reason.
# Eight Godot processes run in parallel (the failure cases take ~30 s each).
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/net/lib.sh
net_init turn

PORT=34780
# Not PORT+1 or TCP_PORT+1: coturn's alternative listeners take those.
TCP_PORT=34790
TLS_PORT=34795
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

# coturn_listening PID SS_FLAGS PORT... : waits up to 5 s until the coturn with
# PID listens on every PORT (`ss -Hl<SS_FLAGS>`: un for UDP, tn for TCP).
coturn_listening() {
  local pid=$1 flags=$2 port missing
  shift 2
  for _ in $(seq 1 50); do
    missing=0
    for port in "$@"; do
      ip netns exec "$NS" ss "-Hl$flags" "sport = :$port" 2>/dev/null | grep -q . || missing=1
    done
    [ "$missing" = 0 ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

if ! coturn_listening "$TURN_PID" un "$PORT"; then
  net_fail coturn_started "coturn is not listening on 127.0.0.1:$PORT; its log:"
  tail -30 "$NET_DIR/coturn.log" | sed 's/^/    [coturn] /'
  net_finish
fi
net_pass coturn_started "listening on udp 127.0.0.1:$PORT"

# A throwaway CA, a certificate for localhost signed by it, and a second CA
# that signed nothing (what an untrusted server looks like to the client).
pki=$NET_DIR/pki
mkdir -p "$pki"
make_pki() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=gwrs test CA" \
    -keyout "$pki/ca.key" -out "$pki/ca.pem" &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=gwrs other CA" \
      -keyout "$pki/other.key" -out "$pki/other.pem" &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout "$pki/server.key" -out "$pki/server.csr" &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$pki/ext.cnf" &&
    openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
      -CAcreateserial -days 2 -extfile "$pki/ext.cnf" -out "$pki/server.pem"
}
if ! make_pki >"$pki/openssl.log" 2>&1; then
  net_fail tls_certificates "openssl could not make the test CA; its output:"
  sed 's/^/    [openssl] /' "$pki/openssl.log" | tail -10
  net_finish
fi

net_spawn TURN2_PID ip netns exec "$NS" timeout -k 5 150 turnserver -n \
  --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port=$TCP_PORT \
  --tls-listening-port=$TLS_PORT --cert="$pki/server.pem" --pkey="$pki/server.key" \
  --min-port=49500 --max-port=49700 \
  --lt-cred-mech --user=u:p --realm=$REALM \
  --no-udp --no-dtls --no-cli --no-tcp-relay --allow-loopback-peers \
  --pidfile="$NET_DIR/turnserver2.pid" --db="$NET_DIR/turndb2.sqlite" \
  --log-file=stdout --simple-log --verbose >"$NET_DIR/coturn_tcp.log" 2>&1
ready=0
coturn_listening "$TURN2_PID" tn "$TCP_PORT" "$TLS_PORT" && ready=1
udp_listeners=$(ip netns exec "$NS" ss -Hlun "sport = :$TCP_PORT or sport = :$TLS_PORT" 2>/dev/null | wc -l)
if [ "$ready" != 1 ] || [ "$udp_listeners" != 0 ]; then
  net_fail coturn_tcp_started "coturn is not listening on tcp $TCP_PORT and $TLS_PORT only ($udp_listeners UDP listeners); its log:"
  tail -30 "$NET_DIR/coturn_tcp.log" | sed 's/^/    [coturn] /'
  net_finish
fi
net_pass coturn_tcp_started "listening on tcp 127.0.0.1:$TCP_PORT and tls :$TLS_PORT, no udp"

TESTS=(test_relay_only_connects_through_turn test_stun_gathers_srflx_candidate
  test_wrong_credentials_fail test_relay_over_tcp_connects test_relay_over_tls_connects
  test_wrong_credentials_over_tcp_fail test_untrusted_tls_certificate_fails
  test_unreachable_turn_server_fails)
for t in "${TESTS[@]}"; do
  ca=$pki/ca.pem
  [ "$t" = test_untrusted_tls_certificate_fails ] && ca=$pki/other.pem
  net_spawn "pid_$t" ip netns exec "$NS" env TEST_ONLY="$t" SSL_CERT_FILE="$ca" timeout -k 5 90 \
    "$GODOT" "${NET_GODOT_ARGS[@]}" "$PROJECT" -s res://net/turn_peers.gd -- "$PORT" "$TCP_PORT" "$TLS_PORT" \
    >"$NET_DIR/$t.log" 2>&1
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

# The TCP/TLS server relayed for both TCP and TLS clients.
tcp_log=$NET_DIR/coturn_tcp.log
allocs=$(grep -c 'ALLOCATE processed, success' "$tcp_log")
net_check turn_tcp_tls_server_relayed "coturn (no UDP): $allocs successful allocations" test "$allocs" -ge 4
net_check wrong_credentials_over_tcp_rejected_by_server "coturn saw the wrong credentials over TCP" \
  grep -q 'credentials are incorrect' "$tcp_log"

# What a Godot user sees: one error per peer, naming the URL and the cause.
says() { grep -F "$2" "$NET_DIR/$1.log" | head -1 | sed 's/^ *//'; }
wrong_tcp=$(says test_wrong_credentials_over_tcp_fail "TURN server 'turn:127.0.0.1:$TCP_PORT?transport=tcp': allocation failed")
net_check wrong_credentials_over_tcp_error "Godot log: ${wrong_tcp:-nothing}" test -n "$wrong_tcp"
untrusted=$(says test_untrusted_tls_certificate_fails "TURN server 'turns:localhost:$TLS_PORT?transport=tcp' unreachable: TLS handshake")
net_check untrusted_certificate_error "Godot log: ${untrusted:-nothing}" test -n "$untrusted"
net_check untrusted_certificate_named "the error says the certificate is not trusted" \
  grep -qiE "invalid peer certificate|UnknownIssuer" <<<"$untrusted"
wrong_udp=$(says test_wrong_credentials_fail "TURN server 'turn:127.0.0.1:$PORT?transport=udp': allocation failed")
net_check wrong_credentials_error "Godot log: ${wrong_udp:-nothing}" test -n "$wrong_udp"

# Nothing may be left running: coturn is stopped by the cleanup.
net_finish
