#!/usr/bin/env bash
# Checks a macOS library for the addon (tools/cross-build.sh runs it after the
# build, tests/scenarios/package_smoke.sh on the packaged file):
#   a fat Mach-O with exactly the x86_64 and arm64 slices, and in each slice
#   - only the entry symbol _gdext_rust_init exported,
#   - only /usr/lib/libSystem.B.dylib and /System/Library/Frameworks linked,
#   - minimum macOS 11.0 in the load commands (LC_BUILD_VERSION),
#   - an @rpath install name (not the build machine's path),
#   - a code signature on the arm64 slice (ad hoc is enough to load).
#   tools/check-macos-dylib.sh FILE [MIN_MACOS]
# Prints what it found, one line per slice; exits 1 naming the first problem.
# Needs llvm-lipo-14, llvm-nm-14 and llvm-objdump-14 (Debian llvm-14).
set -euo pipefail
dylib=${1:?usage: tools/check-macos-dylib.sh FILE [MIN_MACOS]}
min=${2:-11.0}
die() { echo "check-macos-dylib: $*" >&2; exit 1; }
for tool in llvm-lipo-14 llvm-nm-14 llvm-objdump-14; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is needed (apt-get install llvm-14)"
done

archs=$(llvm-lipo-14 -archs "$dylib") || die "$dylib is not a Mach-O file"
[ "$(echo $archs | tr ' ' '\n' | sort | paste -sd' ')" = "arm64 x86_64" ] \
  || die "$dylib has the slices '$archs', not arm64 and x86_64"
for arch in x86_64 arm64; do
  exports=$(llvm-nm-14 --arch="$arch" -g --defined-only "$dylib" | awk '{print $NF}' | sort -u)
  [ "$exports" = _gdext_rust_init ] \
    || die "$dylib ($arch) exports $(echo "$exports" | wc -l) symbols, not just _gdext_rust_init: $(echo "$exports" | head -5 | tr '\n' ' ')"
  headers=$(llvm-objdump-14 --macho --private-headers --arch="$arch" "$dylib")
  libs=$(echo "$headers" | awk '/cmd LC_LOAD_DYLIB|cmd LC_LOAD_WEAK_DYLIB|cmd LC_REEXPORT_DYLIB/ {getline; getline; print $2}' | sort -u)
  minos=$(echo "$headers" | awk '/cmd LC_BUILD_VERSION/ {b = 1} b && $1 == "minos" {print $2; exit}')
  bad=$(echo "$libs" | grep -vE '^(/usr/lib/libSystem\.B\.dylib|/System/Library/Frameworks/.*)$' || true)
  [ -n "$libs" ] || die "$dylib ($arch): no linked libraries found in the load commands"
  [ -z "$bad" ] || die "$dylib ($arch) links against more than libSystem and system frameworks: $bad"
  [ "$minos" = "$min" ] || die "$dylib ($arch) records minimum macOS '${minos:-none}', not $min"
  # Its own name must not be the build machine's path.
  id=$(echo "$headers" | awk '/cmd LC_ID_DYLIB/ {getline; getline; print $2}')
  case "$id" in @rpath/*) ;; *) die "$dylib ($arch) names itself '$id', not @rpath/..." ;; esac
  # Apple silicon loads no unsigned code; an ad-hoc signature is enough.
  signed=no
  echo "$headers" | grep -q 'cmd LC_CODE_SIGNATURE' && signed=yes
  [ "$arch" != arm64 ] || [ "$signed" = yes ] || die "$dylib (arm64) has no code signature (LC_CODE_SIGNATURE)"
  echo "macOS $arch: exports _gdext_rust_init only; links $(echo "$libs" | tr '\n' ' '); minimum macOS $minos; id $id; signed: $signed"
done
