#!/usr/bin/env bash
# Regenerates docs/debugger-tab.png, the README's picture of the Debugger's
# WebRTC tab: a throwaway copy of demo_project/ with the built addon and the
# WebRTC plugin enabled, opened in the real Godot editor under Xvfb, where a
# small driver plugin (tools/screenshot/) plays a scene with live connections
# (tools/screenshot/live.gd), brings the tab to the front and saves the editor
# window.
#   tools/build-addon.sh && tools/screenshot-debugger.sh [OUT.png]
# Needs root (it runs the editor chrooted into the provisioned sid root) and
# Xvfb (Debian xvfb; installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-docs/debugger-tab.png}")
GODOT=$(tools/provision-godot.sh)
if ! command -v Xvfb >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "screenshot-debugger: needs xvfb-run (apt-get install xvfb)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xvfb xauth >&2
fi
# The editor starts the game by running its own executable again; Godot here
# runs through sid's loader (tools/provision-godot.sh), which would be that
# executable, so the editor runs inside the sid root instead (chroot, as
# root), on a private Xvfb display.
[ "$(id -u)" = 0 ] || { echo "screenshot-debugger: run as root (it chroots into the provisioned sid root)" >&2; exit 1; }
sid_root=${GODOT_WEBRTC_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/godot-webrtc-rs}/sid-root
[ -x "$sid_root/usr/bin/godot" ] || { echo "screenshot-debugger: no sid root behind $GODOT" >&2; exit 1; }
work=$sid_root/tmp/screenshot-debugger
display=:$((90 + RANDOM % 100))
cleanup() {
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
  for m in "$sid_root/tmp/.X11-unix" "$sid_root/proc" "$sid_root/dev"; do
    mountpoint -q "$m" && umount -l "$m" || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
rm -rf "$work"
project=$work/project
mkdir -p "$work"
cp -r demo_project "$project"
rm -rf "$project/.godot" "$project/addons"
mkdir -p "$project/addons" "$project/.godot" "$(dirname "$out")"
cp -r addons/webrtc_rs "$project/addons/"
cp -r tools/screenshot "$project/addons/screenshot_driver"
echo "res://addons/webrtc_rs/webrtc_rs.gdextension" >"$project/.godot/extension_list.cfg"
# What enabling the plugin in Project Settings > Plugins writes; the game
# runs headless (a game window of its own fails under Xvfb).
cat >>"$project/project.godot" <<'CFG'

[autoload]

WebRTCDebugReporter="*res://addons/webrtc_rs/runtime/debug_reporter.gd"

[editor]

run/main_run_args="--headless"

[editor_plugins]

enabled=PackedStringArray("res://addons/webrtc_rs/plugin.cfg", "res://addons/screenshot_driver/plugin.cfg")
CFG
Xvfb "$display" -screen 0 1600x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
mkdir -p "$sid_root/tmp/.X11-unix" "$sid_root/proc" "$sid_root/dev"
mount --bind /tmp/.X11-unix "$sid_root/tmp/.X11-unix"
mount -t proc proc "$sid_root/proc"
mount --bind /dev "$sid_root/dev"
# The editor needs OpenGL: Mesa's software renderer, in the sid root.
if [ ! -e "$sid_root/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0" ] || [ ! -e "$sid_root/usr/lib/x86_64-linux-gnu/libEGL.so.1" ]; then
  chroot "$sid_root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libgl1 libglx0 libegl1 libgl1-mesa-dri libglx-mesa0 libegl-mesa0 >&2
fi
code=0
DISPLAY=$display SHOT_PATH=/tmp/screenshot-debugger/shot.png HOME=/tmp/screenshot-debugger \
  timeout -k 5 180 chroot "$sid_root" /usr/bin/godot --editor --path /tmp/screenshot-debugger/project \
  --display-driver x11 --rendering-driver opengl3 --audio-driver Dummy --resolution 1600x900 >"$work/editor.log" 2>&1 || code=$?
grep '^SHOT' "$work/editor.log" >&2 || true
if [ "$code" != 0 ] || [ ! -f "$work/shot.png" ]; then
  grep -v ALSA "$work/editor.log" | head -30 >&2
  echo "screenshot-debugger: the editor run failed (exit $code)" >&2
  exit 1
fi
cp "$work/shot.png" "$out"
echo "$out"
