#!/usr/bin/env bash
# Two peers in two separate Godot processes, signaling through files.
set -uo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() { timeout -k 5 90 "$GODOT" --headless --path "$PROJECT" -s res://procs/two_process_peer.gd -- "$1" "$dir" >"$dir/$1.log" 2>&1; echo $? >"$dir/$1.code"; }
run offer & run answer & wait
status=0
passed=0; failed=0
for role in offer answer; do
  code=$(cat "$dir/$role.code")
  sed "s/^/$role: /" "$dir/$role.log" | grep -E "TEST|CHECK|ERROR|passed" 
  if [ "$code" = 0 ] && grep -q '^1 passed, 0 failed$' "$dir/$role.log"; then
    echo "TEST PASS two_processes_$role"; passed=$((passed + 1))
  else
    echo "TEST FAIL two_processes_$role (exit $code)"; failed=$((failed + 1)); status=1
    tail -30 "$dir/$role.log"
  fi
done
echo "$passed passed, $failed failed"
exit $status
