#!/usr/bin/env bash
# Runs the backend's tests and the Rust bench as Windows x86_64 executables
# under Wine (Debian wine64), so webrtc-rs's Windows socket, interface and
# timer code really runs: two real peers on loopback (connect, text, binary,
# 65536-byte messages both ways, negotiated and unreliable channels, close,
# a lossy relay, an outage), then `webrtc-rs-bench --short`.
#
#   tools/wine-test.sh            build (cargo, target x86_64-pc-windows-gnu) and run
#
# Debian 12's Wine 8.0 has no bcryptprimitives.dll, whose ProcessPrng Rust's
# std imports since 1.78 (every real Windows 10 and 11 has it). A stub DLL
# exporting ProcessPrng (through RtlGenRandom) is built with MinGW and put
# beside the executables: a test-setup shim only, never shipped.
# The Wine prefix lives in ~/.cache/godot-webrtc-rs/wine (made once, ~20 s).
# CARGO_BUILD_JOBS (default 2) and CARGO_TARGET_DIR are honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-2}"
target=x86_64-pc-windows-gnu
log() { echo "wine-test: $*" >&2; }
die() { log "$*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

wine=/usr/lib/wine/wine64 # Debian puts no wine64 on PATH
if [ ! -x "$wine" ]; then
  is_root || die "Wine is needed (apt-get install wine64)"
  log "apt-get install wine64"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 >&2; }
fi
[ -x "$wine" ] || die "no $wine after installing wine64"
# The MinGW linker and the Rust target, as for the release DLL.
rustup target list --installed | grep -qx "$target" || rustup target add "$target" >&2
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || {
  is_root || die "MinGW is needed (apt-get install gcc-mingw-w64-x86-64)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc-mingw-w64-x86-64 >&2
}
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=${CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER:-x86_64-w64-mingw32-gcc}
export CC_x86_64_pc_windows_gnu=${CC_x86_64_pc_windows_gnu:-x86_64-w64-mingw32-gcc}
export AR_x86_64_pc_windows_gnu=${AR_x86_64_pc_windows_gnu:-x86_64-w64-mingw32-ar}

# Build: the test executables' paths come from cargo's JSON messages.
started=$(date +%s)
log "building the backend tests and the bench for $target"
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
cargo test -j"$jobs" -p webrtc-rs-backend --target "$target" --no-run --message-format=json >"$listing"
cargo build -j"$jobs" -p webrtc-rs-bench --target "$target" --message-format=json >>"$listing"
mapfile -t exes < <(python3 - "$listing" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
        print(msg["executable"])
PY
)
[ ${#exes[@]} -ge 2 ] || die "cargo built no executables"
log "built ${#exes[@]} executables in $(($(date +%s) - started)) s"

# The ProcessPrng stub, beside every executable.
shim_dir=$(dirname "${exes[0]}")
cat >"$shim_dir/processprng.c" <<'C'
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) { /* RtlGenRandom takes a ULONG length */
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, n)) return FALSE;
        data += n; len -= n;
    }
    return TRUE;
}
C
for exe in "${exes[@]}"; do
  dir=$(dirname "$exe")
  [ -f "$dir/bcryptprimitives.dll" ] && continue
  x86_64-w64-mingw32-gcc -O2 -shared -o "$dir/bcryptprimitives.dll" "$shim_dir/processprng.c" \
    -Wl,--export-all-symbols -ladvapi32
done

export WINEPREFIX=${WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/godot-webrtc-rs/wine}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="bcryptprimitives=n;mscoree=;mshtml="
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  log "making the Wine prefix $WINEPREFIX"
  mkdir -p "$WINEPREFIX"
  timeout 300 "$wine" wineboot --init >/dev/null 2>&1 || true
fi
wine_version=$("$wine" --version 2>/dev/null || echo unknown)

failed=0
run() { # name, then the command
  local name=$1 code=0 t0
  shift
  t0=$(date +%s)
  timeout 600 "$@" || code=$?
  if [ "$code" = 0 ]; then
    log "PASS $name ($(($(date +%s) - t0)) s)"
  else
    log "FAIL $name (exit $code)"
    failed=$((failed + 1))
  fi
}
for exe in "${exes[@]}"; do
  name=$(basename "$exe" .exe)
  case "$name" in
    webrtc-rs-bench) run "$name --short" "$wine" "$exe" --short ;;
    *) run "$name" "$wine" "$exe" ;;
  esac
done
log "$wine_version: ${#exes[@]} executables, $failed failed"
[ "$failed" = 0 ]
