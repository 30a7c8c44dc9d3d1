#!/usr/bin/env bash
# Benchmarks: the backend in pure Rust (rust/bench) and the extension in a
# headless Godot (tests/godot/bench), then one combined table of medians.
#   tools/bench.sh [--short] [--runs N]
#     --short   seconds-long sizes, 1 run unless --runs is given, debug builds
#               only (for CI: exits non-zero if any row produced no number)
#     --runs N  runs per row (default 3; the table shows the median)
# Full mode also benchmarks the release builds (the release library is loaded
# through a copy of the .gdextension whose debug entry points at it).
# Writes every JSON line to target/bench/bench-<time>.jsonl (and latest.jsonl),
# and every log to target/bench/logs-<time>/.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

short=""
runs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short="--short" ;;
    --runs) runs="${2:-}"; shift ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
case "$runs" in '' | *[!0-9]* | 0) runs=$([ -n "$short" ] && echo 1 || echo 3) ;; esac
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
echo "udp:    net.core.rmem_max $(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo '?') bytes (the plugin asks for 4194304; below that, bursts can overflow the socket)"
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

# A private copy of the test project per build, so the bench never races the
# test runner (which rebuilds tests/godot/addons) and the release variant can
# point the editor's debug entry at the release library.
stage() {
  local project=$out_dir/project-$1
  rm -rf "$project"
  mkdir -p "$project/addons" "$project/.godot"
  cp tests/godot/project.godot "$project/"
  cp -r tests/godot/lib tests/godot/procs tests/godot/bench "$project/"
  cp -r addons/webrtc_rs "$project/addons/"
  if [ "$1" = release ]; then
    sed -i 's|^linux.debug.x86_64 = .*|linux.debug.x86_64 = "bin/libwebrtc_rs.linux.x86_64.so"|' \
      "$project/addons/webrtc_rs/webrtc_rs.gdextension"
  fi
  echo "res://addons/webrtc_rs/webrtc_rs.gdextension" >"$project/.godot/extension_list.cfg"
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

# godot_bench VARIANT SUITE : in-process and two-process Godot benches
godot_bench() {
  local project suite=$2 code
  project=$(stage "$1")
  godot_inproc "$project" "$suite"

  section "Godot two processes: $suite"
  local dir
  dir=$(mktemp -d)
  timeout -k 5 "$limit" "$GODOT" --headless --path "$project" -s res://bench/two_process_bench.gd -- \
    answer "$dir" $short --runs "$runs" >"$logs/$suite-2proc-answer.log" 2>&1 &
  local answer=$!
  timeout -k 5 "$limit" "$GODOT" --headless --path "$project" -s res://bench/two_process_bench.gd -- \
    offer "$dir" $short --runs "$runs" --suite "$suite" >"$logs/$suite-2proc-offer.log" 2>&1
  code=$?
  wait "$answer" || { echo "(answerer exited $?)"; fail=1; }
  rm -rf "$dir"
  sed -n 's/^BENCH //p' "$logs/$suite-2proc-offer.log" >>"$results"
  summarize "$logs/$suite-2proc-offer.log" "$code"
  [ $code -eq 0 ] || fail=1
  if grep -lE 'SCRIPT ERROR|\[panic ' "$logs/$suite"-2proc-*.log; then
    echo "(script errors or panics in the logs above)"
    fail=1
  fi
  expect="$expect,$suite:2proc"
}

rust_bench debug rust-dev
[ -z "$short" ] && rust_bench release rust-release
godot_bench debug godot-debug
if [ -z "$short" ]; then
  godot_bench release godot-release
  # The same release library with two runtime worker threads instead of one
  # (the webrtc_rs/worker_threads trade-off: bulk throughput against latency).
  WEBRTC_RS_WORKER_THREADS=2 godot_inproc "$out_dir/project-release" godot-release-2w
fi

section "combined table (medians of $runs run(s); MB = 10^6 bytes)"
ln -sf "$(basename "$results")" "$out_dir/latest.jsonl"
"$root/target/debug/webrtc-rs-bench" report --check "${expect#,}" "$results" || fail=1
echo
echo "JSON lines: $results"
echo "logs:       $logs"
echo "took $(($(date +%s) - started)) s"
if [ $fail -ne 0 ]; then
  echo "bench: FAILED (a row produced no number, or a bench did not finish)"
  exit 1
fi
echo "bench: OK"
