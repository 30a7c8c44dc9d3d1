#!/usr/bin/env bash
# The runtime's worker thread count follows the project setting
# webrtc_rs/worker_threads (default 1); WEBRTC_RS_WORKER_THREADS overrides it;
# a value out of range is clamped, a non-number ignored, each with a named warning. Peers connect in each case.
set -uo pipefail
passed=0; failed=0
result() { if [ "$1" = 0 ]; then echo "TEST PASS $2"; passed=$((passed + 1)); else echo "TEST FAIL $2"; failed=$((failed + 1)); fi; }
log=$(mktemp)
trap 'rm -f "$log" "$PROJECT/override.cfg"' EXIT

# probe NAME EXPECTED_SETTING EXPECTED_THREADS [env...]: one run of the probe.
probe() {
  local name=$1 setting=$2 threads=$3
  shift 3
  env "$@" timeout -k 5 60 "$GODOT" --headless --path "$PROJECT" -s res://procs/thread_probe.gd >"$log" 2>&1
  local code=$? got
  got=$(sed -n 's/^RUNTIME_THREADS //p' "$log")
  grep -q '^RECEIVED true' "$log" && grep -q "^WORKER_THREADS_SETTING $setting\$" "$log" &&
    [ "$got" = "$threads" ] && [ "$code" = 0 ]
  result $? "$name (setting $setting, runtime threads ${got:-?}, exit $code)"
}

rm -f "$PROJECT/override.cfg"
probe default_is_one_worker_thread 1 1
printf '[webrtc_rs]\n\nworker_threads=3\n' >"$PROJECT/override.cfg"
probe project_setting_sets_worker_threads 3 3
probe environment_variable_overrides_project_setting 3 2 WEBRTC_RS_WORKER_THREADS=2
printf '[webrtc_rs]\n\nworker_threads=0\n' >"$PROJECT/override.cfg"
probe out_of_range_setting_is_clamped 0 1
grep -q "WARNING: webrtc-rs: 0 worker threads in the project setting webrtc_rs/worker_threads is out of range 1..16: using 1" "$log"
result $? "out_of_range_setting_is_a_named_warning"
printf '[webrtc_rs]\n\nworker_threads="two"\n' >"$PROJECT/override.cfg"
probe non_integer_setting_uses_the_default two 1
grep -q "WARNING: webrtc-rs: the project setting webrtc_rs/worker_threads is not an integer: using the default" "$log"
result $? "non_integer_setting_is_a_named_warning"
rm -f "$PROJECT/override.cfg"
probe non_numeric_environment_value_uses_the_default 1 1 WEBRTC_RS_WORKER_THREADS=lots
grep -q "WARNING: webrtc-rs: WEBRTC_RS_WORKER_THREADS='lots' is not a number: using 1 worker thread(s)" "$log"
result $? "non_numeric_environment_value_is_a_named_warning"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
