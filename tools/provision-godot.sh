#!/usr/bin/env bash
# Prints the path of a runnable headless Godot (4.3+).
# Uses $GODOT when set; otherwise provisions Debian sid's `godot` package into a
# cache directory outside the checkout and prints a wrapper that runs it through
# sid's own dynamic loader (the host's glibc is too old for sid's binaries).
set -euo pipefail

if [ -n "${GODOT:-}" ]; then
  echo "$GODOT"
  exit 0
fi

cache="${GODOT_WEBRTC_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/godot-webrtc-rs}"
root="$cache/sid-root"
wrapper="$cache/godot"

if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
  echo "$wrapper"
  exit 0
fi

log() { echo "provision_godot: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

mkdir -p "$cache"
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi

if [ ! -x "$root/usr/bin/godot" ]; then
  rm -rf "$root.partial"
  log "debootstrap sid into $root (about a minute)"
  as_root debootstrap --variant=minbase sid "$root.partial" >&2
  as_root chroot "$root.partial" apt-get -qq -o Acquire::Check-Valid-Until=false update >&2
  log "installing Debian's godot package"
  as_root chroot "$root.partial" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends godot >&2
  rm -rf "$root"
  mv "$root.partial" "$root"
fi

cat >"$wrapper" <<WRAP
#!/bin/sh
# Runs Debian sid's Godot through sid's own loader and libraries.
exec "$root/usr/lib64/ld-linux-x86-64.so.2" \\
  --library-path "$root/usr/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu/pulseaudio" \\
  "$root/usr/bin/godot" "\$@"
WRAP
chmod +x "$wrapper"
"$wrapper" --version >&2
echo "$wrapper"
