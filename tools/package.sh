#!/usr/bin/env bash
# Builds the release library and packs the addon for distribution (GitHub
# release, Godot Asset Library): dist/godot-webrtc-rs-<version>.zip, whose root
# holds addons/webrtc_rs/ with
#   bin/               the release libraries built by this run
#   webrtc_rs.gdextension
#                      every debug entry points at the same optimized file as
#                      the release entry (the editor loads the debug entries)
#   LICENSE, README.md
#   plugin.cfg, editor/, runtime/   the WebRTC debugger tab (an editor plugin)
#
#   tools/package.sh           Linux x86_64 only
#   tools/package.sh --cross   also Windows x86_64, Linux arm64 and macOS universal
#                              (tools/cross-build.sh)
#
# Entries for Android and iOS (and the others, when not built) stay listed although their files are not
# in the zip: Godot only resolves the entry matching the platform it runs on,
# so they are ignored elsewhere; users who need those platforms build the file
# themselves (README) and drop it into bin/ under the listed name.
# CARGO_BUILD_JOBS (default 2) and CARGO_TARGET_DIR are honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs="${CARGO_BUILD_JOBS:-2}"
target_dir="${CARGO_TARGET_DIR:-target}"
addon=addons/webrtc_rs
bin=$addon/bin

cross=false
for arg in "$@"; do
  case "$arg" in
    --cross) cross=true ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "package: unknown argument $arg" >&2; exit 2 ;;
  esac
done

log() { echo "package: $*" >&2; }

# [workspace.package] version of the root Cargo.toml.
version=$(awk '
  /^\[/ { in_section = ($0 == "[workspace.package]") }
  in_section && /^version[[:space:]]*=/ { gsub(/.*=[[:space:]]*"|".*/, ""); print; exit }
' Cargo.toml)
[ -n "$version" ] || { log "no [workspace.package] version in Cargo.toml"; exit 1; }
for f in LICENSE README.md "$addon/webrtc_rs.gdextension"; do
  [ -f "$f" ] || { log "missing $f"; exit 1; }
done

mkdir -p "$bin"
log "building the Linux x86_64 release library"
started=$(date +%s)
cargo build -j"$jobs" -p webrtc-rs-godot --release
log "linux x86_64 built in $(($(date +%s) - started)) s"
cp "$target_dir/release/libwebrtc_rs.so" "$bin/libwebrtc_rs.linux.x86_64.so"
built=(libwebrtc_rs.linux.x86_64.so)
if $cross; then
  tools/cross-build.sh x86_64-pc-windows-gnu aarch64-unknown-linux-gnu universal2-apple-darwin
  built+=(webrtc_rs.windows.x86_64.dll libwebrtc_rs.linux.arm64.so libwebrtc_rs.macos.universal.dylib)
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
out=$stage/$addon
mkdir -p "$out/bin"
for lib in "${built[@]}"; do
  cp "$bin/$lib" "$out/bin/$lib"
done
cp LICENSE README.md "$out/"
# The debugger tab: editor plugin (enabled in Project Settings > Plugins) and
# the game-side reporter it adds as an autoload.
cp -r "$addon/plugin.cfg" "$addon/editor" "$addon/runtime" "$out/"

# The [configuration] section is the addon's own; [libraries] is generated.
has() { [ -f "$out/bin/$1" ]; }
entry() { printf '%s.debug%s = "bin/%s"\n%s.release%s = "bin/%s"\n' "$1" "$2" "$3" "$1" "$2" "$3"; }
{
  sed '/^\[libraries\]/,$d' "$addon/webrtc_rs.gdextension"
  echo "[libraries]"
  echo
  echo "; Packaged by tools/package.sh: debug entries (what the editor loads) use the"
  echo "; optimized release libraries too."
  # platform, ".arch" (or ""), file
  platforms="linux .x86_64 libwebrtc_rs.linux.x86_64.so
linux .arm64 libwebrtc_rs.linux.arm64.so
linux .arm32 libwebrtc_rs.linux.arm32.so
linux .x86_32 libwebrtc_rs.linux.x86_32.so
windows .x86_64 webrtc_rs.windows.x86_64.dll
windows .x86_32 webrtc_rs.windows.x86_32.dll
macos - libwebrtc_rs.macos.universal.dylib
android .arm64 libwebrtc_rs.android.arm64.so
android .x86_64 libwebrtc_rs.android.x86_64.so
ios - libwebrtc_rs.ios.arm64.dylib"
  while read -r platform arch file; do
    if has "$file"; then entry "$platform" "${arch#-}" "$file"; fi
  done <<<"$platforms"
  echo
  echo "; Not in this package: build these yourself (see README.md) and put them into"
  echo "; bin/ under these names. Godot ignores entries for platforms it is not running on."
  while read -r platform arch file; do
    if ! has "$file"; then entry "$platform" "${arch#-}" "$file"; fi
  done <<<"$platforms"
} >"$out/webrtc_rs.gdextension"

mkdir -p dist
zip_path=$root/dist/godot-webrtc-rs-$version.zip
rm -f "$zip_path"
(cd "$stage" && zip -q -r -X -9 "$zip_path" addons)
log "wrote dist/godot-webrtc-rs-$version.zip"
(cd "$out" && ls -l bin/* | awk '{print "  " $5 "\t" $NF}') >&2
unzip -l "$zip_path" >&2
echo "$zip_path"
