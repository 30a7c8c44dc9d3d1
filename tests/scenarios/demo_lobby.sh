#!/usr/bin/env bash
# The demo project end to end (tools/run-demo.sh): signaling server, 3 bot
# clients in one lobby exchanging chat (reliable RPC) and positions
# (unreliable RPC) over a WebRTC mesh, then a server with 4 clients in
# separate processes, the server's protocol checks, and the minimal
# two-peers example. Prints a TEST PASS/FAIL line per check and
# "N passed, M failed". Uses $GODOT (set by tests/run_godot_tests.sh);
# $PROJECT is not used: the demo has its own project, demo_project/.
set -uo pipefail
cd "$(dirname "$0")/../.."
DEMO_TIMEOUT=${DEMO_TIMEOUT:-20} exec tools/run-demo.sh
