#!/usr/bin/env bash
# How long each WebRTC call holds the main thread (tests/godot/bench/stall_bench.gd):
# a connect, 200 in-band channels on a connected peer and 1024 early candidates;
# no call may take over 50 ms and the typical one (p50 of all calls) at most 1 ms.
# The same script measures the official plugin: tools/stall-bench.sh.
set -uo pipefail
timeout -k 5 120 "$GODOT" --headless --path "$PROJECT" -s res://bench/stall_bench.gd
