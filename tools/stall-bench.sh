#!/usr/bin/env bash
# Main-thread stall per WebRTC call, ours against the official plugin
# (godotengine/webrtc-native) in the same run, interleaved:
# tests/godot/bench/stall_bench.gd (a connect, 200 in-band channels on a
# connected peer, 1024 early candidates) once per plugin per set.
#   tools/stall-bench.sh [--sets N] [--official DIR]
#     --sets N        interleaved sets (default 3); the table shows the median
#     --official DIR  the official plugin's addon folder
#                     (default ../shared/anchor/webrtc_native; ours only if absent)
# Uses the addon as built (tools/build-addon.sh); logs in target/stall-bench/.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sets=3
official=$root/../shared/anchor/webrtc_native
while [ $# -gt 0 ]; do
  case "$1" in
    --sets) sets="${2:-}"; shift ;;
    --official) official="${2:-}"; shift ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "stall-bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
case "$sets" in '' | *[!0-9]* | 0) echo "stall-bench.sh: --sets needs a positive number" >&2; exit 2 ;; esac
unset RUST_BACKTRACE RUST_LIB_BACKTRACE # gdext records a backtrace per borrow otherwise
GODOT=$(tools/provision-godot.sh) || { echo "could not provision Godot"; exit 1; }
[ -f addons/webrtc_rs/bin/libwebrtc_rs.linux.x86_64.debug.so ] || tools/build-addon.sh || exit 1
out=$root/target/stall-bench
rm -rf "$out"
mkdir -p "$out"

# stage NAME ADDON_DIR GDEXTENSION_FILE : a private project loading one plugin.
stage() {
  local project=$out/project-$1
  mkdir -p "$project/addons" "$project/.godot"
  cp tests/godot/project.godot "$project/"
  cp -r tests/godot/lib tests/godot/bench "$project/"
  cp -r "$2" "$project/addons/"
  echo "res://addons/$(basename "$2")/$3" >"$project/.godot/extension_list.cfg"
}
stage ours addons/webrtc_rs webrtc_rs.gdextension
suites=(ours)
if [ -f "$official/webrtc_native.gdextension" ]; then
  stage official "$official" webrtc_native.gdextension
  suites+=(official)
else
  echo "stall-bench: no official plugin at $official: measuring ours only"
fi

for set in $(seq "$sets"); do
  for suite in "${suites[@]}"; do
    timeout -k 5 180 "$GODOT" --headless --path "$out/project-$suite" -s res://bench/stall_bench.gd -- \
      --suite "$suite" --no-limits >"$out/$suite-$set.log" 2>&1
    echo "set $set, $suite: exit $?, $(grep -c '^BENCH ' "$out/$suite-$set.log") rows"
    grep '^BENCH ' "$out/$suite-$set.log" | sed 's/^BENCH //' >>"$out/results.jsonl"
  done
done

# The table: per row, the median over the sets of p50 / p99 / max (µs), per plugin.
python3 - "$out/results.jsonl" "${suites[@]}" <<'EOF'
import json, statistics, sys
path, suites = sys.argv[1], sys.argv[2:]
rows = {}
for line in open(path):
    r = json.loads(line)
    rows.setdefault(r["row"], {}).setdefault(r["suite"], []).append(r)
def cell(results):
    if not results:
        return "-"
    if "p50_us" in results[0]:
        med = lambda k: statistics.median(r[k] for r in results)
        return "%.0f / %.0f / %.0f" % (med("p50_us"), med("p99_us"), med("max_us"))
    keys = [k for k in results[0] if k not in ("row", "suite", "ok")]
    return ", ".join("%s %s" % (k, statistics.median(r[k] for r in results)) for k in keys) + \
        ("" if all(r["ok"] for r in results) else " (not ok)")
print("| row (p50 / p99 / max µs; median of sets) | " + " | ".join(suites) + " |")
print("| --- |" + " --- |" * len(suites))
for name, by_suite in rows.items():
    print("| %s | %s |" % (name, " | ".join(cell(by_suite.get(s, [])) for s in suites)))
EOF
