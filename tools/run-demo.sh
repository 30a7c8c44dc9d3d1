#!/usr/bin/env bash
# Headless end-to-end run of demo_project/ against the built addon:
#   1. copies addons/webrtc_rs into demo_project/addons/ and writes
#      demo_project/.godot/extension_list.cfg (so the project loads it, and
#      opens in the editor with it);
#   2. starts the signaling server on a free port of 127.0.0.1;
#   3. starts DEMO_CLIENTS (3) bot clients in a mesh, then a lobby host acting
#      as server with 4 clients (DEMO_SERVER_CLIENTS=5 processes): the first
#      creates a lobby and writes its code to a file, the others read it and
#      join; each must get a chat RPC and position RPCs from every other one;
#   4. checks the server's protocol (tools/check_signaling.gd), runs the UI
#      client under Xvfb driven through its buttons (tools/ui_smoke.gd) with a
#      bot as the other player, and the minimal two-peers-in-one-scene example.
# Prints every process's output, one "TEST PASS name" / "TEST FAIL name" line
# per check and a final "N passed, M failed"; exits non-zero if anything failed.
#
#   tools/run-demo.sh                 # GODOT=/path/to/godot to use another Godot 4.3+
# Environment: DEMO_CLIENTS (3), DEMO_SERVER_CLIENTS (5), DEMO_TIMEOUT (20, seconds per client),
# DEMO_KEEP_LOGS=1 to keep the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
project=$PWD/demo_project
clients=${DEMO_CLIENTS:-3}
client_timeout=${DEMO_TIMEOUT:-20}

GODOT=$(tools/provision-godot.sh) || { echo "could not provision Godot"; exit 1; }

# 1. The addon, as a user would install it.
if ! ls addons/webrtc_rs/bin/*.so >/dev/null 2>&1; then
  echo "addons/webrtc_rs/bin/ has no library: build it first (tools/build-addon.sh)"
  exit 1
fi
rm -rf "$project/addons/webrtc_rs"
mkdir -p "$project/addons" "$project/.godot"
cp -r addons/webrtc_rs "$project/addons/"
# Written by hand: a fresh `godot --import` can crash at exit in some builds.
echo "res://addons/webrtc_rs/webrtc_rs.gdextension" >"$project/.godot/extension_list.cfg"

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${DEMO_KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0
failed=0
results=()
pass() { results+=("TEST PASS $1"); passed=$((passed + 1)); }
fail() { results+=("TEST FAIL $1"); failed=$((failed + 1)); }

# run NAME LIMIT ARGS... : one headless Godot run in the project, output in
# $work/NAME.log, exit code in $work/NAME.code.
run() {
  local name=$1 limit=$2 code=0
  shift 2
  timeout -k 5 "$limit" "$GODOT" --headless --path "$project" "$@" >"$work/$name.log" 2>&1 || code=$?
  echo "$code" >"$work/$name.code"
}

# show NAME [STATUS] : prints a process's output, each line prefixed with its name.
show() {
  local status=${2:-}
  [ -n "$status" ] || status="exit $(cat "$work/$1.code")"
  echo "----- $1 ($status)"
  sed "s/^/[$1] /" "$work/$1.log"
}

# script_errors NAME : true if the log shows a GDScript runtime error or a panic.
script_errors() { grep -qE 'SCRIPT ERROR|\[panic ' "$work/$1.log"; }

summary() {
  printf '%s\n' "${results[@]}"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# 2. The signaling server, on a port the OS picks (it prints "LISTENING 127.0.0.1:PORT").
# Started directly (not through run) so $server_pid is the timeout process
# that a kill stops, with Godot under it.
timeout -k 5 120 "$GODOT" --headless --path "$project" -- --server --port=0 --bind=127.0.0.1 \
  >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 150); do
  port=$(sed -n 's/^LISTENING 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$work/server.log" 2>/dev/null || true)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  show server "no LISTENING line"
  fail "demo_signaling_server (did not start listening)"
  summary
  exit 1
fi
url=ws://127.0.0.1:$port

# 3. The bot clients, once per topology: a full mesh of DEMO_CLIENTS (3), then a
# server (the lobby host, id 1) with DEMO_SERVER_CLIENTS (4) clients that only
# link to it (SceneMultiplayer relays their RPCs). The first client of a lobby
# creates it and writes its code to a file; the others wait for it and join.
# run_lobby TOPOLOGY PROCESSES
run_lobby() {
  local topology=$1 clients=$2
  local lobby_file=$work/lobby-code-$topology
  local expect=$((clients - 1))
  local pids=() i j name other other_id code count positions
  local -a missing lobby
  declare -A id_of
  for i in $(seq 1 "$clients"); do
    lobby=()
    [ "$i" = 1 ] && lobby=(--lobby=new)
    run "$topology-c$i" $((client_timeout + 15)) -- --client --url="$url" --name="c$i" ${lobby[@]+"${lobby[@]}"} \
      --lobby-file="$lobby_file" --topology="$topology" --bot --expect-peers="$expect" --timeout="$client_timeout" &
    pids+=($!)
  done
  wait "${pids[@]}" || true

  # Each client's id in the lobby (ids follow the joining order, not the names).
  for i in $(seq 1 "$clients"); do
    id_of[c$i]=$(sed -n 's/^MY ID \([0-9][0-9]*\)$/\1/p' "$work/$topology-c$i.log" | head -1)
  done
  for i in $(seq 1 "$clients"); do
    name=c$i
    local log=$work/$topology-$name.log
    show "$topology-$name"
    code=$(cat "$work/$topology-$name.code")
    missing=()
    [ "$code" = 0 ] || missing+=("exit code $code")
    [ -n "${id_of[$name]}" ] || missing+=("no MY ID line")
    grep -q "^CLIENT $name OK" "$log" || missing+=("no 'CLIENT $name OK' line")
    ! script_errors "$topology-$name" || missing+=("script error or panic")
    positions=0
    for j in $(seq 1 "$clients"); do
      other=c$j
      other_id=${id_of[$other]}
      [ "$other" != "$name" ] || continue
      if [ -z "$other_id" ]; then
        missing+=("$other has no id")
        continue
      fi
      # The chat must come from the other client's id and carry its name.
      grep -qxF "RECEIVED chat from $other_id: hello from $other" "$log" ||
        missing+=("no chat from $other (id $other_id)")
      count=$(grep -c "^RECEIVED position from $other_id: " "$log" || true)
      [ "$count" -gt 0 ] || missing+=("no position from $other (id $other_id)")
      positions=$((positions + count))
    done
    if [ "${#missing[@]}" = 0 ]; then
      pass "demo_${topology}_client_$name (peer ${id_of[$name]}: chat from all $expect others, $positions position updates)"
    else
      fail "demo_${topology}_client_$name ($(IFS=';'; echo "${missing[*]}"))"
    fi
  done
}
run_lobby mesh "$clients"
run_lobby server "${DEMO_SERVER_CLIENTS:-5}"

# 4a. The server's protocol, checked from the outside against the same server.
run signaling_check 60 -s res://tools/check_signaling.gd -- --url="$url"
show signaling_check
checks=$(grep -c '^PASS ' "$work/signaling_check.log" || true)
if [ "$(cat "$work/signaling_check.code")" = 0 ] && [ "$checks" -gt 0 ] &&
  ! grep -q '^FAIL ' "$work/signaling_check.log" && ! script_errors signaling_check; then
  pass "demo_signaling_protocol ($checks checks)"
else
  fail "demo_signaling_protocol ($(grep '^FAIL ' "$work/signaling_check.log" | tr '\n' ';'))"
fi

# 4c. The UI client as a person uses it, under a virtual display (Xvfb),
# driven through its own buttons by demo_project/tools/ui_smoke.gd, with a
# bot as the other player.
if ! command -v xvfb-run >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xvfb xauth >/dev/null 2>&1 || true
fi
if command -v xvfb-run >/dev/null 2>&1; then
  ui_lobby=$work/lobby-code-ui
  timeout -k 5 $((client_timeout + 30)) xvfb-run -a -s "-screen 0 1280x720x24" "$GODOT" --path "$project" \
    --rendering-driver opengl3 --audio-driver Dummy -- --ui-smoke --url="$url" --lobby-file="$ui_lobby" \
    --timeout="$client_timeout" >"$work/ui.log" 2>&1 &
  ui_pid=$!
  run ui-bot $((client_timeout + 15)) -- --client --url="$url" --name=bot --lobby-file="$ui_lobby" \
    --bot --expect-peers=1 --timeout="$client_timeout"
  ui_code=0
  wait "$ui_pid" || ui_code=$?
  echo "$ui_code" >"$work/ui.code"
  show ui
  show ui-bot
  if [ "$ui_code" = 0 ] && grep -qx "UI OK" "$work/ui.log" && ! script_errors ui \
    && [ "$(cat "$work/ui-bot.code")" = 0 ]; then
    pass "demo_ui_client (create, status, live panel, chat both ways, spawn points, leave; under Xvfb)"
  else
    fail "demo_ui_client ($(grep '^UI FAILED' "$work/ui.log" || echo "exit $ui_code, bot exit $(cat "$work/ui-bot.code")"))"
  fi
else
  results+=("TEST SKIP demo_ui_client (no xvfb-run: apt-get install xvfb)")
fi

# The server must have survived all of that without a script error.
if kill -0 "$server_pid" 2>/dev/null && ! script_errors server; then
  pass "demo_signaling_server"
else
  fail "demo_signaling_server (died or logged a script error)"
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
show server "stopped by this script"

# 4b. The minimal example: each side must print the other's message.
run minimal 30 res://minimal/minimal.tscn
show minimal
if [ "$(cat "$work/minimal.code")" = 0 ] && ! script_errors minimal &&
  grep -qx "P1 received: Hi from P2" "$work/minimal.log" &&
  grep -qx "P2 received: Hi from P1" "$work/minimal.log"; then
  pass "demo_minimal"
else
  fail "demo_minimal (exit $(cat "$work/minimal.code"))"
fi

summary
