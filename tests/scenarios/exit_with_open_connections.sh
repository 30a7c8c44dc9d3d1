#!/usr/bin/env bash
# Quitting Godot with 10 connections open mid-transfer exits with code 0, fast.
set -uo pipefail
runs=${EXIT_RUNS:-5}
limit_ms=${EXIT_LIMIT_MS:-1000}
passed=0; failed=0
for i in $(seq 1 "$runs"); do
  log=$(mktemp)
  timeout -k 5 60 "$GODOT" --headless --path "$PROJECT" -s res://procs/exit_with_open_connections.gd >"$log" 2>&1
  code=$?
  ended=$(($(date +%s%N) / 1000000))
  quit_at=$(sed -n 's/^QUIT_AT_MS //p' "$log")
  opened=$(sed -n 's/^OPEN //p' "$log")
  took=$((ended - ${quit_at:-0}))
  if [ "$code" = 0 ] && [ -n "$quit_at" ] && [ "$took" -le "$limit_ms" ] && [ "$opened" = "20 of 20" ]; then
    echo "TEST PASS exit_run_$i (open $opened, exit 0 in ${took} ms)"; passed=$((passed + 1))
  else
    echo "TEST FAIL exit_run_$i (exit $code, open '$opened', ${took} ms after quit)"; failed=$((failed + 1))
    tail -20 "$log"
  fi
  rm -f "$log"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
