#!/usr/bin/env bash
# Quitting Godot with 10 connections open mid-transfer exits with code 0 within
# 1 s of quit(), every time (EXIT_RUNS runs, 200 by default).
set -uo pipefail
runs=${EXIT_RUNS:-200}
limit_ms=${EXIT_LIMIT_MS:-1000}
failed=0
times=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for i in $(seq 1 "$runs"); do
  timeout -k 5 60 "$GODOT" --headless --path "$PROJECT" -s res://procs/exit_with_open_connections.gd >"$log" 2>&1
  code=$?
  ended=$(($(date +%s%N) / 1000000))
  quit_at=$(sed -n 's/^QUIT_AT_MS //p' "$log")
  opened=$(sed -n 's/^OPEN //p' "$log")
  took=$((ended - ${quit_at:-0}))
  if [ "$code" = 0 ] && [ -n "$quit_at" ] && [ "$took" -le "$limit_ms" ] && [ "$opened" = "20 of 20" ] &&
    ! grep -qE '\[panic |SCRIPT ERROR' "$log"; then
    times+=("$took")
  else
    echo "TEST FAIL exit_run_$i (exit $code, open '$opened', ${took} ms after quit)"
    tail -20 "$log"
    failed=$((failed + 1))
  fi
done
if [ "$failed" = 0 ]; then
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  median=$(echo "$sorted" | sed -n "$(((runs + 1) / 2))p")
  echo "TEST PASS exit_with_open_connections ($runs runs, all exit 0; ms from quit() to exit: median $median, max $(echo "$sorted" | tail -n 1))"
  echo "1 passed, 0 failed"
else
  echo "0 passed, $failed failed"
fi
[ "$failed" = 0 ]
