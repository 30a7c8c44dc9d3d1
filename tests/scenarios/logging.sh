#!/usr/bin/env bash
# webrtc-rs's log reaches Godot's output with levels (WEBRTC_RS_LOG, or the
# project setting webrtc_rs/log_level), warnings name what they are about, and
# a flood of per-packet messages is rate-limited.
set -uo pipefail
passed=0; failed=0
result() { if [ "$1" = 0 ]; then echo "TEST PASS $2"; passed=$((passed + 1)); else echo "TEST FAIL $2"; failed=$((failed + 1)); fi; }
log=$(mktemp); debug_log=$(mktemp)

warn_log=$(mktemp)
setting_log=$(mktemp); env_over_setting_log=$(mktemp)
trap 'rm -f "$log" "$debug_log" "$warn_log" "$setting_log" "$env_over_setting_log" "$PROJECT/override.cfg"' EXIT
timeout -k 5 60 "$GODOT" --headless --path "$PROJECT" -s res://procs/log_probe.gd >"$log" 2>&1
code=$?
grep -q '^OPEN true' "$log" && grep -q '^DONE' "$log" && [ "$code" = 0 ]
result $? "log_probe_runs (exit $code)"
grep -q '^LOG_LEVEL_SETTING error$' "$log"
result $? "project_setting_registered_with_default_error"
grep -q "WARNING: WebRTC initialize: iceServers\[0\]: ignoring 'stuns:127.0.0.1:5349'" "$log"
result $? "unsupported_turn_url_is_a_named_warning"
[ "$(grep -c 'WebRTC: webrtc' "$log" || true)" = 0 ]
result $? "default_level_shows_no_routine_webrtc_rs_warnings"

WEBRTC_RS_LOG=warn timeout -k 5 60 "$GODOT" --headless --path "$PROJECT" -s res://procs/log_probe.gd >"$warn_log" 2>&1
sent=$(sed -n 's/^GARBAGE SENT //p' "$warn_log")
lines=$(grep -c 'WebRTC: ' "$warn_log" || true)
# webrtc-rs warns per bad packet; at most 20 lines a second (plus one summary) get through.
[ -n "$sent" ] && [ "$sent" -gt 100 ] && [ "$lines" -gt 0 ] && [ "$lines" -le 80 ]
result $? "warn_level_garbage_flood_is_rate_limited (${sent:-0} bad packets, $lines log lines)"

WEBRTC_RS_LOG=debug timeout -k 5 60 "$GODOT" --headless --path "$PROJECT" -s res://procs/log_probe.gd >"$debug_log" 2>&1
debug_lines=$(grep -c '^WebRTC: ' "$debug_log" || true)
[ "$debug_lines" -gt 0 ] && grep -q 'rate limit' "$debug_log"
result $? "debug_level_prints_webrtc_rs_records ($debug_lines info/debug lines, the rest counted)"

# The project setting (here through override.cfg, which Godot reads after
# project.godot) sets the level; the environment variable wins over it.
printf '[webrtc_rs]\n\nlog_level="debug"\n' >"$PROJECT/override.cfg"
timeout -k 5 60 "$GODOT" --headless --path "$PROJECT" -s res://procs/log_probe.gd >"$setting_log" 2>&1
setting_lines=$(grep -c '^WebRTC: ' "$setting_log" || true)
grep -q '^LOG_LEVEL_SETTING debug$' "$setting_log" && [ "$setting_lines" -gt 0 ]
result $? "project_setting_debug_prints_webrtc_rs_records ($setting_lines lines)"
WEBRTC_RS_LOG=off timeout -k 5 60 "$GODOT" --headless --path "$PROJECT" -s res://procs/log_probe.gd >"$env_over_setting_log" 2>&1
grep -q '^DONE' "$env_over_setting_log" && [ "$(grep -c '^WebRTC: ' "$env_over_setting_log" || true)" = 0 ]
result $? "environment_variable_overrides_project_setting"
printf '[webrtc_rs]\n\nlog_level="loud"\n' >"$PROJECT/override.cfg"
timeout -k 5 60 "$GODOT" --headless --path "$PROJECT" -s res://procs/log_probe.gd >"$setting_log" 2>&1
grep -q '^DONE' "$setting_log" && grep -q "WARNING: webrtc-rs: unknown log level 'loud' in the project setting webrtc_rs/log_level" "$setting_log"
result $? "unknown_project_setting_level_is_a_named_warning"
rm -f "$PROJECT/override.cfg"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
