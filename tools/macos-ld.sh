#!/usr/bin/env bash
# The linker tools/cross-build.sh gives rustc for the macOS targets: LLVM's
# ld64 (rustup's rust-lld, flavor darwin), linking against stub libraries
# (text-based .tbd files, as Apple's SDK has them) instead of an Apple SDK.
#
# Why not zig's linker (cargo zigbuild): it ignores -exported_symbols_list, so
# the library exported all ~27,000 of its symbols, and it has no stubs for
# system frameworks, which rustls-native-certs needs (Security and
# CoreFoundation: the system trust store).
#
# The stub SDK is $MACOS_STUB_SDK (passed on as -syslibroot; not SDKROOT,
# which would also point the C compiler at it): usr/lib/
# libSystem.tbd is zig's (prepared by cross-build.sh); the framework and
# library stubs are written here, per link, from the symbols the inputs
# leave undefined, so each stub names exactly what the library imports.
# A symbol that no stub may hold stops the link with its name.
set -euo pipefail
sdk=${MACOS_STUB_SDK:?macos-ld.sh: MACOS_STUB_SDK must name the stub SDK (tools/cross-build.sh sets it)}
host=$(rustc -vV | sed -n 's/^host: //p')
lld="$(rustc --print sysroot)/lib/rustlib/$host/bin/rust-lld"
nm=${LLVM_NM:-llvm-nm-14}

inputs=() frameworks=() libs=()
prev=
for arg in "$@"; do
  case "$prev" in
    -framework) frameworks+=("$arg") ;;
  esac
  case "$arg" in
    *.o | *.rlib | *.a) inputs+=("$arg") ;;
    -l*) libs+=("${arg#-l}") ;;
  esac
  prev=$arg
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# What the inputs define and what they need; rlibs also hold metadata
# members that nm cannot read (ignored).
{ "$nm" --defined-only --extern-only -j "${inputs[@]}" 2>/dev/null || true; } | sort -u >"$work/defined"
{ "$nm" --undefined-only -j "${inputs[@]}" 2>/dev/null || true; } | sort -u >"$work/undefined"
[ -s "$work/defined" ] || { echo "macos-ld.sh: $nm read no symbols from the inputs" >&2; exit 1; }
grep -o "'\?_[A-Za-z0-9_\$.]*'\?" "$sdk/usr/lib/libSystem.tbd" | tr -d "'" | sort -u >"$work/libsystem"
comm -23 "$work/undefined" "$work/defined" | comm -23 - "$work/libsystem" >"$work/needed" || true

# Where each remaining symbol lives, by its prefix.
stub_of() {
  case "$1" in
    _Sec* | _kSec* | _SSL* | _kSSL*) echo Security ;;
    _CF* | _kCF* | __CF* | __kCF*) echo CoreFoundation ;;
    _iconv* | _libiconv*) echo iconv ;;
    *) echo "" ;;
  esac
}
write_tbd() { # path install-name symbols-file
  {
    echo "--- !tapi-tbd"
    echo "tbd-version: 4"
    echo "targets: [ x86_64-macos, arm64-macos ]"
    echo "install-name: '$2'"
    echo "exports:"
    echo "  - targets: [ x86_64-macos, arm64-macos ]"
    echo "    symbols: [ $(sed "s/.*/'&'/" "$3" | paste -sd, | sed 's/,/, /g') ]"
    echo "..."
  } >"$1"
}

: >"$work/unplaced"
for name in Security CoreFoundation iconv; do : >"$work/$name"; done
while read -r symbol; do
  stub=$(stub_of "$symbol")
  if [ -n "$stub" ]; then echo "$symbol" >>"$work/$stub"; else echo "$symbol" >>"$work/unplaced"; fi
done <"$work/needed"
if [ -s "$work/unplaced" ]; then
  echo "macos-ld.sh: no system library known to define: $(head -20 "$work/unplaced" | tr '\n' ' ')" >&2
  exit 1
fi

for framework in "${frameworks[@]}"; do
  case "$framework" in
    Security | CoreFoundation) ;;
    *) echo "macos-ld.sh: no stub for framework $framework" >&2; exit 1 ;;
  esac
  dir=$sdk/System/Library/Frameworks/$framework.framework
  mkdir -p "$dir"
  write_tbd "$dir/$framework.tbd" "/System/Library/Frameworks/$framework.framework/Versions/A/$framework" "$work/$framework"
done
for lib in "${libs[@]}"; do
  case "$lib" in
    System) ;;
    c | m) ln -sf libSystem.tbd "$sdk/usr/lib/lib$lib.tbd" ;;
    iconv) write_tbd "$sdk/usr/lib/libiconv.tbd" /usr/lib/libiconv.2.dylib "$work/iconv" ;;
    *) echo "macos-ld.sh: no stub for -l$lib" >&2; exit 1 ;;
  esac
done

# Libraries nothing uses (libiconv, which Rust's libc always names) are not
# loaded at all.
# The library's own install name would be its build path; Godot loads it by
# path, so a neutral @rpath name is enough. rust-lld signs the arm64 slice
# ad hoc, as Apple's linker does (Apple silicon runs no unsigned code).
output=
prev=
for arg in "$@"; do
  [ "$prev" = -o ] && output=$arg
  prev=$arg
done
exec "$lld" "$@" -syslibroot "$sdk" -dead_strip_dylibs -install_name "@rpath/$(basename "${output:-libwebrtc_rs.dylib}")"
