#!/usr/bin/env bash
# Cross-builds the release library from a Linux x86_64 host and puts it into
# addons/webrtc_rs/bin/ under the name webrtc_rs.gdextension expects:
#   x86_64-pc-windows-gnu      -> bin/webrtc_rs.windows.x86_64.dll
#   aarch64-unknown-linux-gnu  -> bin/libwebrtc_rs.linux.arm64.so
#   universal2-apple-darwin    -> bin/libwebrtc_rs.macos.universal.dylib
#                                 (x86_64 + arm64, macOS 11 or later)
# and on request only (each is another ~4 min release build; the test
# command has no room for them):
#   i686-pc-windows-gnu            -> bin/webrtc_rs.windows.x86_32.dll
#   armv7-unknown-linux-gnueabihf  -> bin/libwebrtc_rs.linux.arm32.so
#   i686-unknown-linux-gnu         -> bin/libwebrtc_rs.linux.x86_32.so
#
#   tools/cross-build.sh                 the first three
#   tools/cross-build.sh TRIPLE...       only those (also: windows, windows-x86_32,
#                                        linux-arm64, linux-arm32, linux-x86_32, macos)
#
# Needs the rustup target and a C cross toolchain (the linker, and the C
# compiler `ring` builds its assembly/C with). Missing pieces are installed when
# running as root (rustup target add; apt-get install gcc-mingw-w64-x86-64 /
# gcc-aarch64-linux-gnu libc6-dev-arm64-cross); otherwise the script says what
# to install. macOS needs no Apple SDK: zig (PyPI ziglang, pip-installed when
# missing) compiles the C, rust-lld links against stub libraries
# (tools/macos-ld.sh), llvm-lipo-14 (Debian llvm-14) makes the universal file.
#
# The linkers are passed as CARGO_TARGET_<TRIPLE>_LINKER (and CC_/AR_<triple>
# for build scripts) for this run only, rather than through a committed
# .cargo/config.toml: the toolchain names are Debian's, and a config file would
# also apply to everyone's builds of the workspace (and fuzz/). Set those
# variables yourself to use other toolchains; they are not overridden.
# CARGO_BUILD_JOBS (default 2) and CARGO_TARGET_DIR are honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-2}"
bin=addons/webrtc_rs/bin
target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p "$bin"

log() { echo "cross-build: $*" >&2; }
die() { log "$*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# target triple -> "gcc-prefix cargo-output installed-name apt-packages"
describe() {
  case "$1" in
    x86_64-pc-windows-gnu)
      echo "x86_64-w64-mingw32 webrtc_rs.dll webrtc_rs.windows.x86_64.dll gcc-mingw-w64-x86-64" ;;
    i686-pc-windows-gnu)
      echo "i686-w64-mingw32 webrtc_rs.dll webrtc_rs.windows.x86_32.dll gcc-mingw-w64-i686" ;;
    aarch64-unknown-linux-gnu)
      # gcc-aarch64-linux-gnu only recommends the C library headers ring needs.
      echo "aarch64-linux-gnu libwebrtc_rs.so libwebrtc_rs.linux.arm64.so gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
    armv7-unknown-linux-gnueabihf)
      echo "arm-linux-gnueabihf libwebrtc_rs.so libwebrtc_rs.linux.arm32.so gcc-arm-linux-gnueabihf libc6-dev-armhf-cross" ;;
    i686-unknown-linux-gnu)
      echo "i686-linux-gnu libwebrtc_rs.so libwebrtc_rs.linux.x86_32.so gcc-i686-linux-gnu libc6-dev-i386-cross" ;;
    *) return 1 ;;
  esac
}

ensure_rust_target() {
  local triple=$1
  if rustup target list --installed | grep -qx "$triple"; then
    return
  fi
  log "rustup target add $triple"
  rustup target add "$triple" >&2 || die "could not add the Rust target $triple"
}

# The cross C compiler works when it can compile against its C library headers.
toolchain_works() {
  command -v "$1-gcc" >/dev/null 2>&1 \
    && printf '#include <stdint.h>\n#include <stdio.h>\nint x;\n' | "$1-gcc" -x c -c -o /dev/null - 2>/dev/null
}

ensure_toolchain() {
  local prefix=$1
  shift
  if toolchain_works "$prefix"; then
    return
  fi
  if ! is_root; then
    die "no working $prefix-gcc: install it (Debian/Ubuntu: sudo apt-get install $*) or set CARGO_TARGET_*_LINKER and CC_*"
  fi
  log "apt-get install $*"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
  fi
  toolchain_works "$prefix" || die "$prefix-gcc still cannot compile C after installing $*"
}

# Checks what the built library exports and links against.
check_windows() {
  local dll=$1 objdump=objdump imports bad
  command -v "$2-objdump" >/dev/null 2>&1 && objdump=$2-objdump
  file "$dll" >&2
  "$objdump" -p "$dll" >"$dll.objdump.tmp"
  # The export table lists the exported names after the "[Ordinal/Name Pointer] Table" header.
  if ! sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' "$dll.objdump.tmp" | grep -qw gdext_rust_init; then
    rm -f "$dll.objdump.tmp"
    die "$dll does not export gdext_rust_init"
  fi
  imports=$(sed -n 's/^[[:space:]]*DLL Name: //p' "$dll.objdump.tmp" | sort -fu)
  rm -f "$dll.objdump.tmp"
  log "$dll imports: $(echo "$imports" | tr '\n' ' ')"
  # Only DLLs every Windows has; a MinGW runtime DLL here (libgcc_s_seh-1,
  # libwinpthread-1, libstdc++-6) would make the plugin fail to load for users.
  bad=$(echo "$imports" | grep -viE '^(kernel32|kernelbase|ntdll|msvcrt|ucrtbase|api-ms-win-[a-z0-9-]+|ws2_32|bcrypt|bcryptprimitives|advapi32|userenv|iphlpapi|secur32|crypt32|ncrypt|ole32|oleaut32|shell32|user32|dbghelp|synchronization|mswsock|powrprof|winmm|dnsapi)\.dll$' || true)
  [ -z "$bad" ] || die "$dll imports non-system DLLs: $bad"
}

# check_linux SO PREFIX MACHINE: an ELF for MACHINE (as readelf -h names it).
check_linux() {
  local so=$1 readelf=readelf machine=$3 exports
  command -v "$2-readelf" >/dev/null 2>&1 && readelf=$2-readelf
  file "$so" >&2
  "$readelf" -h "$so" | grep -q "Machine:.*$machine" || die "$so is not an ELF for $machine"
  exports=$("$readelf" --dyn-syms -W "$so" | awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") && $4 != "NOTYPE" {print $8}' | sed 's/@.*//' | sort -u)
  echo "$exports" | grep -qx gdext_rust_init || die "$so does not export gdext_rust_init"
  log "$so exports: $(echo "$exports" | tr '\n' ' ')"
  log "$so needs: $("$readelf" -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')" \
    "glibc >= $("$readelf" --dyn-syms -W "$so" | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1)"
}

# macOS: Godot loads one universal library, built here without an Apple SDK:
# zig compiles ring's C and assembly, rustup's rust-lld links each slice
# against stub libraries (tools/macos-ld.sh, which says why not zig's linker),
# llvm-lipo joins them. Only the entry symbol is exported, and the load
# commands name macOS 11 as the minimum.
MACOS_MIN=11.0
ensure_zig() {
  python3 -m ziglang version >/dev/null 2>&1 && return
  log "pip install ziglang"
  python3 -m pip install -q ziglang >&2 || die "could not install ziglang (pip install ziglang)"
}

ensure_llvm_tools() {
  command -v llvm-objdump-14 >/dev/null 2>&1 && command -v llvm-lipo-14 >/dev/null 2>&1 && return
  is_root || die "llvm-14 is needed to build and check the macOS library (apt-get install llvm-14)"
  log "apt-get install llvm-14"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends llvm-14 >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends llvm-14 >&2; }
}

# The stub SDK: zig's libSystem.tbd, its targets narrowed to the two macOS
# slices (rust-lld rejects zig's arm64e.x1 and takes arm64 for arm64e).
macos_stub_sdk() {
  local sdk=${XDG_CACHE_HOME:-$HOME/.cache}/godot-webrtc-rs/macos-stub-sdk zig_lib
  zig_lib=$(python3 -c 'import ziglang, os; print(os.path.dirname(ziglang.__file__))')/lib
  mkdir -p "$sdk/usr/lib"
  python3 - "$zig_lib/libc/darwin/libSystem.tbd" "$sdk/usr/lib/libSystem.tbd" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def narrow(match):
    kept = []
    for t in match.group(1).replace("\n", " ").split(","):
        t = t.strip().replace("arm64e-", "arm64-")
        if t in ("x86_64-macos", "arm64-macos") and t not in kept:
            kept.append(t)
    return "targets: [ " + ", ".join(kept) + " ]"
open(sys.argv[2], "w").write(re.sub(r"targets:\s*\[([^\]]*)\]", narrow, text))
PY
  echo "$sdk"
}

build_macos() {
  local out=$bin/libwebrtc_rs.macos.universal.dylib started sdk triple arch upper slices=()
  ensure_zig
  ensure_llvm_tools
  sdk=$(macos_stub_sdk)
  for triple in x86_64-apple-darwin aarch64-apple-darwin; do
    ensure_rust_target "$triple"
    arch=${triple%%-*}
    upper=$(echo "$triple" | tr 'a-z-' 'A-Z_')
    mkdir -p "$target_dir/macos-cc"
    cc=$(cd "$target_dir/macos-cc" && pwd)/$arch-cc
    # zig takes its own -target, not the --target= cc-rs passes.
    cat >"$cc" <<EOF
#!/usr/bin/env bash
args=()
for arg in "\$@"; do case "\$arg" in --target=*) ;; *) args+=("\$arg") ;; esac; done
exec python3 -m ziglang cc -target $arch-macos.$MACOS_MIN "\${args[@]}"
EOF
    chmod +x "$cc"
    log "building $triple (rust-lld against the stub SDK, macOS $MACOS_MIN)"
    started=$(date +%s)
    env MACOSX_DEPLOYMENT_TARGET=$MACOS_MIN MACOS_STUB_SDK="$sdk" \
      "CARGO_TARGET_${upper}_LINKER=$PWD/tools/macos-ld.sh" \
      "CARGO_TARGET_${upper}_RUSTFLAGS=-C linker-flavor=ld64.lld" \
      "CC_${triple//-/_}=$cc" "AR_${triple//-/_}=llvm-ar-14" \
      cargo build -j"$jobs" -p webrtc-rs-godot --release --target "$triple" >&2
    log "$triple built in $(($(date +%s) - started)) s"
    slices+=("$target_dir/$triple/release/libwebrtc_rs.dylib")
  done
  llvm-lipo-14 -create "${slices[@]}" -output "$out"
  tools/check-macos-dylib.sh "$out" >&2 || die "$out does not pass tools/check-macos-dylib.sh"
}

targets=()
for arg in "$@"; do
  case "$arg" in
    windows | windows-x86_64) targets+=(x86_64-pc-windows-gnu) ;;
    windows-x86_32) targets+=(i686-pc-windows-gnu) ;;
    linux-arm64 | arm64) targets+=(aarch64-unknown-linux-gnu) ;;
    linux-arm32) targets+=(armv7-unknown-linux-gnueabihf) ;;
    linux-x86_32) targets+=(i686-unknown-linux-gnu) ;;
    macos | macos-universal) targets+=(universal2-apple-darwin) ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) targets+=("$arg") ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-pc-windows-gnu aarch64-unknown-linux-gnu universal2-apple-darwin)

for triple in "${targets[@]}"; do
  if [ "$triple" = universal2-apple-darwin ]; then
    build_macos
    continue
  fi
  desc=$(describe "$triple") \
    || die "unsupported target $triple (supported: x86_64-pc-windows-gnu, i686-pc-windows-gnu, aarch64-unknown-linux-gnu, armv7-unknown-linux-gnueabihf, i686-unknown-linux-gnu, universal2-apple-darwin)"
  read -r prefix output installed packages <<<"$desc"
  ensure_rust_target "$triple"
  upper=$(echo "$triple" | tr 'a-z-' 'A-Z_')
  lower=$(echo "$triple" | tr '-' '_')
  linker_var="CARGO_TARGET_${upper}_LINKER"
  if [ -z "${!linker_var:-}" ]; then
    # shellcheck disable=SC2086 # a list of package names
    ensure_toolchain "$prefix" $packages
    export "$linker_var=$prefix-gcc"
  fi
  cc_var="CC_$lower" ar_var="AR_$lower"
  [ -n "${!cc_var:-}" ] || export "$cc_var=$prefix-gcc"
  [ -n "${!ar_var:-}" ] || export "$ar_var=$prefix-ar"

  log "building $triple (linker ${!linker_var})"
  started=$(date +%s)
  cargo build -j"$jobs" -p webrtc-rs-godot --release --target "$triple"
  log "$triple built in $(($(date +%s) - started)) s"
  cp "$target_dir/$triple/release/$output" "$bin/$installed"
  case "$triple" in
    *-windows-gnu) check_windows "$bin/$installed" "$prefix" ;;
    aarch64-*) check_linux "$bin/$installed" "$prefix" AArch64 ;;
    armv7-*) check_linux "$bin/$installed" "$prefix" ARM ;;
    i686-*) check_linux "$bin/$installed" "$prefix" 80386 ;;
  esac
done
ls -l "$bin"
