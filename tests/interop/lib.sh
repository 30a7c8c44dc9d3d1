# Shared by tests/scenarios/interop_*.sh (sourced, bash). Starts the signaling
# relay and the Godot peer, judges each Godot run, installs what is missing.
# Everything listens on 127.0.0.1 only; every process runs under `timeout`
# and is killed (by its process group id) on every exit path.

interop_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$interop_dir/../.." && pwd)
PROJECT=${PROJECT:-$repo_root/tests/godot}
cache_dir=${GODOT_WEBRTC_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/godot-webrtc-rs}
PY=python3
passed=0
failed=0
skipped=0
pids=()
GROUPS_PER_RUN=10

work=$(mktemp -d "${TMPDIR:-/tmp}/interop.XXXXXX")

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    # Each background job is a `timeout` that leads its own process group.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null
  done
  if [ -n "${LOGS:-}" ] && [ -d "${LOGS:-}" ]; then
    mkdir -p "$LOGS/${scenario_name:-interop}"
    cp "$work"/*.log "$LOGS/${scenario_name:-interop}/" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

is_root() { [ "$(id -u)" = 0 ]; }

pass() { echo "TEST PASS $*"; passed=$((passed + 1)); }
fail() { echo "TEST FAIL $*"; failed=$((failed + 1)); }
skip() { echo "TEST SKIP $*"; skipped=$((skipped + 1)); }

summary() {
  if [ "$skipped" -gt 0 ]; then
    echo "($skipped skipped: see the TEST SKIP lines above)"
  fi
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

apt_install() {
  # apt_install PACKAGE... : as root only, quiet, refreshing the index once if needed.
  is_root || return 1
  export DEBIAN_FRONTEND=noninteractive
  timeout -k 5 600 apt-get install -y -qq "$@" >"$work/apt.log" 2>&1 && return 0
  timeout -k 5 300 apt-get update -qq >>"$work/apt.log" 2>&1
  timeout -k 5 600 apt-get install -y -qq "$@" >>"$work/apt.log" 2>&1 || {
    tail -5 "$work/apt.log" | sed 's/^/  | /'
    return 1
  }
}

# need_python IMPORT=PIP_SPEC... : sets PY to a Python 3 that imports every
# IMPORT, installing the PIP_SPECs (pip, or a venv in the cache when the system
# Python is externally managed) if we are root. Prints TEST SKIP otherwise.
need_python() {
  local imports=() specs=() item check venv=$cache_dir/interop-venv
  for item in "$@"; do imports+=("${item%%=*}"); specs+=("${item#*=}"); done
  check="import $(IFS=,; echo "${imports[*]}")"
  if command -v python3 >/dev/null && timeout 60 python3 -c "$check" 2>/dev/null; then
    PY=python3; return 0
  fi
  if [ -x "$venv/bin/python" ] && timeout 60 "$venv/bin/python" -c "$check" 2>/dev/null; then
    PY=$venv/bin/python; return 0
  fi
  if ! is_root; then
    skip "${scenario_name}: Python modules missing ($check) and we are not root to install them (pip install ${specs[*]})"
    return 1
  fi
  command -v python3 >/dev/null || apt_install python3 python3-pip python3-venv || {
    fail "${scenario_name}.install: could not install python3"; return 1; }
  if timeout -k 5 600 python3 -m pip install -q "${specs[@]}" >"$work/pip.log" 2>&1 \
      && timeout 60 python3 -c "$check" 2>/dev/null; then
    PY=python3; return 0
  fi
  # An externally managed Python (PEP 668, e.g. Debian's): use our own venv.
  if [ ! -x "$venv/bin/pip" ]; then
    rm -rf "$venv"
    timeout -k 5 120 python3 -m venv "$venv" >>"$work/pip.log" 2>&1 \
      || { rm -rf "$venv"; apt_install python3-venv && timeout -k 5 120 python3 -m venv "$venv" >>"$work/pip.log" 2>&1; }
  fi
  if [ -x "$venv/bin/pip" ] && timeout -k 5 600 "$venv/bin/pip" install -q "${specs[@]}" >>"$work/pip.log" 2>&1 \
      && timeout 60 "$venv/bin/python" -c "$check" 2>/dev/null; then
    PY=$venv/bin/python; return 0
  fi
  tail -5 "$work/pip.log" | sed 's/^/  | /'
  fail "${scenario_name}.install: could not install ${specs[*]} as root"
  return 1
}

need_godot() {
  if [ -z "${GODOT:-}" ]; then
    GODOT=$("$repo_root/tools/provision-godot.sh") || { fail "${scenario_name}.godot: could not provision Godot"; return 1; }
  fi
  if [ ! -f "$PROJECT/addons/webrtc_rs/webrtc_rs.gdextension" ]; then
    fail "${scenario_name}.addon: $PROJECT/addons/webrtc_rs is missing (run tests/run_godot_tests.sh, which copies it)"
    return 1
  fi
}

# bg NAME LIMIT CMD... : runs CMD under `timeout LIMIT` in the background,
# output in $work/NAME.log; its pid (= its process group) is remembered.
bg() {
  local name=$1 limit=$2
  shift 2
  timeout -k 5 "$limit" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  last_pid=$!
}

# forget PID : a job that has ended is no longer ours to kill (its pid may be reused).
forget() {
  local keep=() pid
  for pid in "${pids[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  pids=("${keep[@]}")
}

# stop PID : ends one background job we started (and its process group).
stop() {
  kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  forget "$1"
}

start_relay() {
  bg relay 600 "$PY" "$interop_dir/signaling_relay.py" --port 0 --static "$interop_dir"
  local i
  for i in $(seq 1 100); do
    PORT=$(sed -n 's/^READY //p' "$work/relay.log")
    [ -n "$PORT" ] && return 0
    kill -0 "$last_pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "${scenario_name}.relay: the signaling relay did not start"
  sed 's/^/  | /' "$work/relay.log" | tail -20
  return 1
}

# run_godot NAME ROLE ROOM [ARGS...] : one Godot interop peer (foreground),
# then its TEST lines; a crash, a script error or missing lines is a FAIL.
run_godot() {
  local name=$1 role=$2 room=$3 log=$work/godot-$1.log code start
  shift 3
  start=$(date +%s%N)
  # In the background and waited for, so that a signal reaches our trap at once.
  timeout -k 5 45 "$GODOT" --headless --path "$PROJECT" -s res://interop/interop_peer.gd -- \
    "$role" "ws://127.0.0.1:$PORT/ws/$room" "name=$name" "$@" >"$log" 2>&1 &
  local godot_pid=$!
  pids+=("$godot_pid")
  wait "$godot_pid"
  code=$?
  forget "$godot_pid"
  local took=$((($(date +%s%N) - start) / 1000000))
  local p f
  p=$(grep -c '^TEST PASS' "$log")
  f=$(grep -c '^TEST FAIL' "$log")
  grep -E '^TEST (PASS|FAIL)' "$log"
  passed=$((passed + p))
  failed=$((failed + f))
  echo "  ($name: Godot exit $code after $took ms)"
  if [ $((p + f)) -ne "$GROUPS_PER_RUN" ] || grep -qE 'SCRIPT ERROR|\[panic |^ERROR' "$log" \
      || { [ "$f" -eq 0 ] && [ "$code" -ne 0 ]; }; then
    fail "$name.run (Godot exit $code, $((p + f)) of $GROUPS_PER_RUN check lines, or an engine/script error); log:"
    grep -vE '^TEST (PASS|FAIL)' "$log" | tail -40 | sed 's/^/  | /'
  elif [ "$f" -ne 0 ]; then
    grep -vE '^TEST (PASS|FAIL)|^Initialize godot-rust|^Godot Engine|^$' "$log" | tail -60 | sed 's/^/  | /'
  fi
  [ "$f" -eq 0 ]
}
