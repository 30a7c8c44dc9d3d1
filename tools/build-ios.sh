#!/usr/bin/env bash
# Builds the iOS library into addons/webrtc_rs/bin/ under the name
# webrtc_rs.gdextension lists:
#   aarch64-apple-ios -> bin/libwebrtc_rs.ios.arm64.dylib
#
#   tools/build-ios.sh         on a Mac with Xcode
#
# Not run by the test command: linking for iOS needs the iOS SDK's stubs,
# which only Xcode has (zig, which provides the macOS libSystem stub the macOS
# build here uses, has none for iOS), and nothing here can run iOS code to
# check the result. Minimum iOS 12 (IPHONEOS_DEPLOYMENT_TARGET overrides it).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-2}"
bin=addons/webrtc_rs/bin
target_dir="${CARGO_TARGET_DIR:-target}"
die() { echo "build-ios: $*" >&2; exit 1; }

[ "$(uname -s)" = Darwin ] || die "needs macOS with Xcode (the iOS SDK)"
xcrun --sdk iphoneos --show-sdk-path >/dev/null 2>&1 || die "Xcode's iOS SDK not found (xcode-select --install, or install Xcode)"
rustup target list --installed | grep -qx aarch64-apple-ios || rustup target add aarch64-apple-ios

export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-12.0}"
cargo build -j"$jobs" --release -p webrtc-rs-godot --target aarch64-apple-ios
mkdir -p "$bin"
cp "$target_dir/aarch64-apple-ios/release/libwebrtc_rs.dylib" "$bin/libwebrtc_rs.ios.arm64.dylib"
install_name_tool -id @rpath/libwebrtc_rs.ios.arm64.dylib "$bin/libwebrtc_rs.ios.arm64.dylib"
ls -l "$bin/libwebrtc_rs.ios.arm64.dylib"
echo "Godot's iOS export signs the library with your team's identity."
