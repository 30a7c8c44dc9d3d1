#!/usr/bin/env bash
# Prints the path of a wrapper that runs Debian sid's arm64 Godot under
# qemu-user (Debian qemu-user-static) on this x86_64 machine, for the Linux
# arm64 smoke test (tests/scenarios/package_smoke.sh). Emulated: ~25x slower.
#
# No debootstrap and no binfmt: the host's apt, pointed at sid with
# APT::Architecture=arm64 and private state, downloads godot and everything
# it depends on (~116 packages, ~15 s), dpkg-deb unpacks them into a root
# (~500 MB), and the wrapper starts that root's own arm64 loader explicitly.
# Cached in ~/.cache/godot-webrtc-rs/arm64-root; uses $GODOT_ARM64 when set.
set -euo pipefail

if [ -n "${GODOT_ARM64:-}" ]; then
  echo "$GODOT_ARM64"
  exit 0
fi

cache="${GODOT_WEBRTC_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/godot-webrtc-rs}"
root="$cache/arm64-root"
apt_dir="$cache/arm64-apt"
wrapper="$cache/godot-arm64"
log() { echo "provision_godot_arm64: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x "$wrapper" ] && timeout 120 "$wrapper" --version >/dev/null 2>&1; then
  echo "$wrapper"
  exit 0
fi

qemu=$(command -v qemu-aarch64-static || true)
if [ -z "$qemu" ]; then
  log "installing qemu-user-static"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static >&2 \
    || { as_root apt-get update -qq >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static >&2; }
  qemu=$(command -v qemu-aarch64-static) || { log "no qemu-aarch64-static after installing qemu-user-static"; exit 1; }
fi

if [ ! -x "$root/usr/bin/godot" ]; then
  # sid's archive key: from sid's own keyring when the x86_64 Godot root
  # (tools/provision-godot.sh) has it, else the host's.
  keyring=$cache/sid-root/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
  rm -rf "$apt_dir" "$root.partial"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/preferences.d" "$root.partial"
  : >"$apt_dir/status"
  echo "deb [arch=arm64 signed-by=$keyring] $mirror sid main" >"$apt_dir/etc/sources.list"
  apt_opts=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64
    -o Dir::State="$apt_dir" -o Dir::State::Lists="$apt_dir/lists" -o Dir::State::status="$apt_dir/status"
    -o Dir::Cache="$apt_dir" -o Dir::Cache::archives="$apt_dir/archives"
    -o Dir::Etc::SourceList="$apt_dir/etc/sources.list" -o Dir::Etc::SourceParts="$apt_dir/etc/none"
    -o Dir::Etc::Preferences="$apt_dir/etc/none" -o Dir::Etc::PreferencesParts="$apt_dir/etc/preferences.d"
    -o APT::Install-Recommends=false -o APT::Sandbox::User=root -o Debug::NoLocking=true -o Acquire::Check-Valid-Until=false)
  log "downloading sid's arm64 godot and its dependencies"
  apt-get -qq "${apt_opts[@]}" update >&2
  apt-get -qq -y "${apt_opts[@]}" install --download-only godot >&2
  log "unpacking $(ls "$apt_dir"/archives/*.deb | wc -l) packages into $root"
  for deb in "$apt_dir"/archives/*.deb; do
    dpkg-deb -x "$deb" "$root.partial"
  done
  rm -rf "$root" "$apt_dir/archives"
  mv "$root.partial" "$root"
fi

cat >"$wrapper" <<WRAP
#!/bin/sh
# Runs Debian sid's arm64 Godot under qemu-user through its own loader and libraries.
exec "$qemu" "$root/usr/lib/ld-linux-aarch64.so.1" \\
  --library-path "$root/usr/lib/aarch64-linux-gnu:$root/usr/lib/aarch64-linux-gnu/pulseaudio" \\
  "$root/usr/bin/godot" "\$@"
WRAP
chmod +x "$wrapper"
timeout 300 "$wrapper" --version >&2
echo "$wrapper"
