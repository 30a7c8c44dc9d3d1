#!/usr/bin/env bash
# Benchmarks: the backend in pure Rust (rust/bench) and the extension in a
# headless Godot (tests/godot/bench), then one combined table of medians.
#   tools/bench.sh [--short] [--runs N] [--against ADDON_DIR]
#     --short   seconds-long sizes, 1 run unless --runs is given, debug builds
#               only (for CI: exits non-zero if any row produced no number)
#     --runs N  runs per row (default 3; the table shows the median)
#     --against ADDON_DIR
#               instead: the Godot benches (in-process and two-process) of our
#               addon and of ADDON_DIR (an addon folder with one .gdextension,
#               e.g. ../shared/anchor/webrtc_native), interleaved (ours, theirs,
#               ours, ...), at this machine's socket-buffer limits and, as root,
#               at the stock Linux limit (net.core.rmem_max = wmem_max = 212992,
#               restored on exit); RTT gets at least 5 runs. Prints one table
#               per build and limit with ours ÷ theirs and the targets.
# Full mode also benchmarks the release builds (the release library is loaded
# through a copy of the .gdextension whose debug entry points at it).
# Writes every JSON line to target/bench/bench-<time>.jsonl (and latest.jsonl),
# and every log to target/bench/logs-<time>/.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

short=""
runs=""
against=""
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short="--short" ;;
    --runs) runs="${2:-}"; shift ;;
    --against) against="${2:-}"; shift ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
case "$runs" in '' | *[!0-9]* | 0) runs=$([ -n "$short" ] && echo 1 || echo 3) ;; esac
if [ -n "$against" ]; then
  against=$(cd "$against" 2>/dev/null && pwd) || { echo "bench.sh: no addon folder $against" >&2; exit 2; }
  against_gdext=$(cd "$against" && ls ./*.gdextension 2>/dev/null | head -1)
  [ -n "$against_gdext" ] || { echo "bench.sh: no .gdextension in $against" >&2; exit 2; }
  against_gdext=${against_gdext#./}
fi
mode=$([ -n "$short" ] && echo short || echo full)
jobs="${CARGO_BUILD_JOBS:-2}"
started=$(date +%s)

stamp=$(date -u +%Y%m%d-%H%M%S)
out_dir=$root/target/bench
logs=$out_dir/logs-$stamp
results=$out_dir/bench-$stamp.jsonl
mkdir -p "$logs"
: >"$results"

section() { printf '\n== %s\n' "$*"; }
fail=0

# gdext's debug builds ("safeguards strict") capture a std::backtrace on every
# bind()/bind_mut() when RUST_BACKTRACE is set: ~13 us per extension call
# instead of ~0.7. Measure what a user gets, without it.
backtrace_note=""
if [ -n "${RUST_BACKTRACE:-}${RUST_LIB_BACKTRACE:-}" ]; then
  backtrace_note=" (RUST_BACKTRACE=${RUST_BACKTRACE:-} was set: unset for the bench)"
fi
unset RUST_BACKTRACE RUST_LIB_BACKTRACE

section "machine"
echo "cpus:   $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
echo "kernel: $(uname -srm)"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; anything above ~0.5 means the numbers are noisy)"
# The plugin asks for 4 MiB UDP receive buffers; the kernel grants at most rmem_max.
echo "udp:    net.core.rmem_max $(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo '?') bytes (the plugin asks for 4194304; --against also measures at the stock 212992)"
echo "mode:   $mode, $runs run(s) per row$backtrace_note"
echo "workers: ${WEBRTC_RS_WORKER_THREADS:-1 (default)} runtime worker thread(s)$([ -n "${WEBRTC_RS_WORKER_THREADS:-}" ] && echo ", from WEBRTC_RS_WORKER_THREADS")"
commit=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
dirty=$(git status --porcelain -- rust Cargo.toml Cargo.lock tests/godot 2>/dev/null | grep -q . && echo true || echo false)
echo "code:   $commit$([ "$dirty" = true ] && echo " + uncommitted changes")"
printf '{"suite":"machine","row":"_machine","ok":true,"nproc":%s,"cpu":"%s","kernel":"%s","load":"%s","mode":"%s","runs":%s,"commit":"%s","dirty":%s,"time":"%s"}\n' \
  "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/"//g')" "$(uname -sr)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$mode" "$runs" "$commit" "$dirty" "$stamp" >>"$results"

section "build"
profiles="dev"
[ -z "$short" ] && profiles="dev release"
# build COMMAND... : runs a build step into the build log; shows it on failure.
build() {
  if ! CARGO_BUILD_JOBS=$jobs nice "$@" >>"$logs/build.log" 2>&1; then
    tail -40 "$logs/build.log"
    echo "bench: build failed: $*"
    exit 1
  fi
}
build cargo build -j"$jobs" -p webrtc-rs-bench
if [ -z "$short" ]; then
  build cargo build -j"$jobs" -p webrtc-rs-bench --release
  build tools/build-addon.sh --release
else
  build tools/build-addon.sh
fi
echo "built: rust bench and addon ($profiles profile)"
GODOT=$(tools/provision-godot.sh) || { echo "could not provision Godot"; exit 1; }

# A private copy of the test project per plugin and build, so the bench never
# races the test runner (which rebuilds tests/godot/addons) and the release
# variant can point the editor's debug entry at the release library.
#   stage NAME ADDON_DIR GDEXTENSION_FILE debug|release  (prints the project)
stage() {
  local project=$out_dir/project-$1-$4 addon gdext
  addon=$(basename "$2")
  gdext=$project/addons/$addon/$3
  rm -rf "$project"
  mkdir -p "$project/addons" "$project/.godot"
  cp tests/godot/project.godot "$project/"
  cp -r tests/godot/lib tests/godot/procs tests/godot/bench "$project/"
  cp -r "$2" "$project/addons/"
  if [ "$4" = release ]; then
    local release
    release=$(sed -n 's/^linux.release.x86_64 = //p' "$gdext")
    sed -i "s|^linux.debug.x86_64 = .*|linux.debug.x86_64 = $release|" "$gdext"
  fi
  echo "res://addons/$addon/$3" >"$project/.godot/extension_list.cfg"
  echo "$project"
}

if [ -n "$short" ]; then limit=120; else limit=1200; fi

# summarize LOG EXIT_CODE : one line per bench process (its own table stays in the log).
summarize() {
  local rows failed
  rows=$(grep -cE '^(BENCH )?\{.*"ok":true' "$1")
  failed=$(grep -E '^(BENCH )?\{' "$1" | grep -v '"row":"_summary"' | grep -c '"ok":false')
  echo "$rows result lines, $failed failed, exit code $2 (log: ${1#"$root"/})"
  grep -E '"ok":false|SCRIPT ERROR|ERROR:' "$1" | head -5
}
expect=""

# rust_bench PROFILE SUITE
rust_bench() {
  local bin=$root/target/$1/webrtc-rs-bench
  section "pure Rust backend: $2"
  timeout -k 5 "$limit" "$bin" $short --runs "$runs" --suite "$2" >"$logs/$2.log" 2>&1
  local code=$?
  grep '^{' "$logs/$2.log" >>"$results"
  summarize "$logs/$2.log" "$code"
  [ $code -eq 0 ] || fail=1
  expect="$expect,$2:rust"
}

# godot_inproc PROJECT SUITE : the in-process Godot bench
godot_inproc() {
  local project=$1 suite=$2 code
  section "Godot in-process: $suite"
  timeout -k 5 "$limit" "$GODOT" --headless --path "$project" -s res://bench/bench.gd -- \
    $short --runs "$runs" --suite "$suite" >"$logs/$suite.log" 2>&1
  code=$?
  sed -n 's/^BENCH //p' "$logs/$suite.log" >>"$results"
  summarize "$logs/$suite.log" "$code"
  [ $code -eq 0 ] || fail=1
  if grep -lE 'SCRIPT ERROR|\[panic ' "$logs/$suite.log"; then
    echo "(script errors or panics in the log above)"
    fail=1
  fi
  expect="$expect,$suite:inproc"
}

# two_process PROJECT SUITE LOG_PREFIX RUNS : the two-process bench (an
# answerer in the background, the offerer driving); the offerer's rows go to
# the results. Returns the offerer's exit code, or the answerer's if only it failed.
two_process() {
  local dir answer code answer_code
  dir=$(mktemp -d)
  timeout -k 5 "$limit" "$GODOT" --headless --path "$1" -s res://bench/two_process_bench.gd -- \
    answer "$dir" $short --runs "$4" >"$3-answer.log" 2>&1 &
  answer=$!
  timeout -k 5 "$limit" "$GODOT" --headless --path "$1" -s res://bench/two_process_bench.gd -- \
    offer "$dir" $short --runs "$4" --suite "$2" >"$3-offer.log" 2>&1
  code=$?
  wait "$answer"
  answer_code=$?
  rm -rf "$dir"
  sed -n 's/^BENCH //p' "$3-offer.log" >>"$results"
  [ $answer_code -eq 0 ] || echo "  (answerer exited $answer_code)"
  [ $code -ne 0 ] && return $code
  return $answer_code
}

# godot_bench VARIANT SUITE : in-process and two-process Godot benches
godot_bench() {
  local project suite=$2 code
  project=$(stage ours addons/webrtc_rs webrtc_rs.gdextension "$1")
  godot_inproc "$project" "$suite"

  section "Godot two processes: $suite"
  two_process "$project" "$suite" "$logs/$suite-2proc" "$runs"
  code=$?
  summarize "$logs/$suite-2proc-offer.log" "$code"
  [ $code -eq 0 ] || fail=1
  if grep -lE 'SCRIPT ERROR|\[panic ' "$logs/$suite"-2proc-*.log; then
    echo "(script errors or panics in the logs above)"
    fail=1
  fi
  expect="$expect,$suite:2proc"
}

# finish TITLE SUBCOMMAND [ARGS...] : the table (webrtc-rs-bench report or
# compare, checking the expected suites), where the files are, the verdict; exits.
finish() {
  section "$1"
  shift
  ln -sf "$(basename "$results")" "$out_dir/latest.jsonl"
  "$root/target/debug/webrtc-rs-bench" "$@" --check "${expect#,}" "$results" || fail=1
  echo
  echo "JSON lines: $results"
  echo "logs:       $logs"
  echo "took $(($(date +%s) - started)) s"
  if [ $fail -ne 0 ]; then
    echo "bench: FAILED (a row produced no number, or a bench did not finish)"
    exit 1
  fi
  echo "bench: OK"
  exit 0
}

# ---- --against: our addon and another one, interleaved, at both limits ----

stock_limit=212992
limit_files=(/proc/sys/net/core/rmem_max /proc/sys/net/core/wmem_max)
saved_limits=()
restore_limits() {
  [ ${#saved_limits[@]} -eq 2 ] || return 0
  echo "${saved_limits[0]}" >"${limit_files[0]}"
  echo "${saved_limits[1]}" >"${limit_files[1]}"
}
# set_limits machine|stock
set_limits() {
  if [ "$1" = stock ] && [ ${#saved_limits[@]} -eq 2 ]; then
    echo "$stock_limit" >"${limit_files[0]}" && echo "$stock_limit" >"${limit_files[1]}"
  else
    restore_limits
  fi
}

# against_run PLUGIN BUILD LIMIT ROUND [ROWS] : one in-process (and, without
# ROWS, two-process) bench of one plugin; suite PLUGIN-BUILD-LIMIT.
against_run() {
  local suite=$1-$2-$3 project=$out_dir/project-$1-$2 log=$logs/$1-$2-$3-$4 code
  # Not the scale rows: the official plugin 1.2.1 opened 9 of 256 (and once 0 of
  # 64) connections within their 90 s, which is a finding, not a ratio.
  local only=(--only "${5:-connect,reliable,rtt,unreliable,rpc_rtt,memory,process}")
  timeout -k 5 "$limit" "$GODOT" --headless --path "$project" -s res://bench/bench.gd -- \
    $short --runs 1 --suite "$suite" "${only[@]}" >"$log.log" 2>&1
  code=$?
  sed -n 's/^BENCH //p' "$log.log" >>"$results"
  echo "  $suite round $4${5:+ ($5)}: $(summarize "$log.log" "$code" | head -1)"
  # A row the other plugin could not finish is its result, not our failure.
  [ $code -eq 0 ] || [ "$1" = theirs ] || fail=1
  grep -qE 'SCRIPT ERROR|\[panic ' "$log.log" && { echo "  (script errors or panics in $log.log)"; fail=1; }
  [ -n "${5:-}" ] && return
  two_process "$project" "$suite" "$log-2proc" 1
  code=$?
  [ $code -eq 0 ] || { echo "  $suite two-process round $4: exit $code"; [ "$1" = theirs ] || fail=1; }
}

compare_plugins() {
  local builds=(debug) limits=() rmem
  [ -z "$short" ] && builds=(debug release)
  for build in "${builds[@]}"; do
    stage ours addons/webrtc_rs webrtc_rs.gdextension "$build" >/dev/null
    stage theirs "$against" "$against_gdext" "$build" >/dev/null
  done
  rmem=$(cat "${limit_files[0]}")
  if [ "$rmem" -le "$stock_limit" ]; then
    limits=(stock)
    echo "limits: this machine is at the stock limit (rmem_max $rmem): one set of rows"
  else
    limits=(machine)
    if [ "$(id -u)" = 0 ] && [ -w "${limit_files[0]}" ] && [ -w "${limit_files[1]}" ]; then
      saved_limits=("$rmem" "$(cat "${limit_files[1]}")")
      trap restore_limits EXIT
      trap 'restore_limits; exit 130' INT TERM HUP
      limits+=(stock)
      echo "limits: machine (rmem_max ${saved_limits[0]}, wmem_max ${saved_limits[1]}) and stock ($stock_limit, set for those rows and restored after)"
    else
      echo "limits: machine only (rmem_max $rmem); run as root to measure the stock limit ($stock_limit) too"
    fi
  fi
  local rounds=$runs rtt_rounds=$runs
  [ -z "$short" ] && [ "$rtt_rounds" -lt 5 ] && rtt_rounds=5
  for lim in "${limits[@]}"; do
    set_limits "$lim"
    section "Godot, ours and $(basename "$against"), $lim limits (rmem_max $(cat "${limit_files[0]}"))"
    for round in $(seq "$rtt_rounds"); do
      for build in "${builds[@]}"; do
        for plugin in ours theirs; do
          if [ "$round" -le "$rounds" ]; then
            against_run "$plugin" "$build" "$lim" "$round"
            # Only our rows gate: the other plugin's failures are shown, not ours to fix.
            [ "$round" -eq 1 ] && [ "$plugin" = ours ] && expect="$expect,$plugin-$build-$lim:inproc,$plugin-$build-$lim:2proc"
          else
            against_run "$plugin" "$build" "$lim" "$round" rtt
          fi
        done
      done
    done
  done
  restore_limits
  finish "ours ÷ $(basename "$against") (theirs), same run; medians of $rounds run(s), RTT of $rtt_rounds; MB = 10^6 bytes" \
    compare --name "$(basename "$against")"
}
[ -n "$against" ] && compare_plugins

rust_bench debug rust-dev
[ -z "$short" ] && rust_bench release rust-release
godot_bench debug godot-debug
if [ -z "$short" ]; then
  godot_bench release godot-release
  # The same release library with two runtime worker threads instead of one
  # (the webrtc_rs/worker_threads trade-off: bulk throughput against latency).
  WEBRTC_RS_WORKER_THREADS=2 godot_inproc "$out_dir/project-ours-release" godot-release-2w
fi

finish "combined table (medians of $runs run(s); MB = 10^6 bytes)" report
