#!/usr/bin/env bash
# Smoke test of the distributable zip (tools/package.sh): unpacks the newest
# dist/godot-webrtc-rs-*.zip into a fresh Godot project, as a user installing
# it would, and checks
#   - the layout (everything under addons/webrtc_rs/, LICENSE, README.md);
#   - the packaged .gdextension: each debug entry names the same file as its
#     release entry, and the Linux x86_64 library is in the zip (in CI, also
#     the Windows x86_64, Linux arm64 and macOS ones);
#   - the Linux x86_64 library exports only the entry symbol, and which glibc
#     it needs (printed as "minimum glibc: X.Y");
#   - the Windows DLL / Linux arm64 / macOS universal library, when packaged
#     (macOS: tools/check-macos-dylib.sh);
#   - that headless Godot loads it (the editor binary loads the debug entry,
#     i.e. the release file) and two WebRTCPeerConnections connect and
#     exchange a message both ways; with the Linux arm64 library packaged, the
#     same in Debian's arm64 Godot under qemu-user (tools/provision-godot-arm64.sh).
# Prints TEST PASS/FAIL lines and "N passed, N failed"; fails when there is no zip.
# Uses $GODOT (provisioned when unset).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

passed=0
failed=0
pass() { echo "TEST PASS $1"; passed=$((passed + 1)); }
fail() { echo "TEST FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

zip_path=$(ls -t dist/godot-webrtc-rs-*.zip 2>/dev/null | head -1)
if [ -z "$zip_path" ]; then
  fail package_zip_exists "no dist/godot-webrtc-rs-*.zip; run tools/package.sh first"
  finish
fi
echo "zip: $zip_path ($(stat -c %s "$zip_path") bytes)"
pass package_zip_exists

GODOT=${GODOT:-$(tools/provision-godot.sh)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
project=$work/project
addon=$project/addons/webrtc_rs
ext=$addon/webrtc_rs.gdextension

# --- layout ------------------------------------------------------------------
mkdir -p "$project"
unzip -q "$zip_path" -d "$project"
outside=$(unzip -Z1 "$zip_path" | grep -v '^addons/\(webrtc_rs/.*\)\?$' || true)
missing=""
for f in webrtc_rs.gdextension LICENSE README.md bin/libwebrtc_rs.linux.x86_64.so plugin.cfg editor/plugin.gd \
  editor/debugger_plugin.gd editor/webrtc_tab.gd runtime/debug_reporter.gd; do
  [ -f "$addon/$f" ] || missing="$missing $f"
done
# CI packages with --cross (tests/run.sh): every platform built here must be in it.
if [ "${CI:-}" = true ]; then
  for f in bin/webrtc_rs.windows.x86_64.dll bin/libwebrtc_rs.linux.arm64.so bin/libwebrtc_rs.macos.universal.dylib; do
    [ -f "$addon/$f" ] || missing="$missing $f"
  done
fi
if [ -z "$outside" ] && [ -z "$missing" ]; then
  pass package_layout
else
  fail package_layout "outside addons/webrtc_rs/: [$outside] missing: [$missing]"
fi
unzip -Z1 "$zip_path" | sed 's/^/  /'

# --- the .gdextension ----------------------------------------------------------
problems=""
libraries=$(sed -n '/^\[libraries\]/,/^\[/p' "$ext" | grep -E '^[a-z0-9_.]+[[:space:]]*=' | sed 's/[[:space:]]*=[[:space:]]*/=/; s/"//g')
while IFS='=' read -r key file; do
  [ -n "$key" ] || continue
  case "$key" in
    *.debug*) release_key=${key/.debug/.release} ;;
    *.release*) release_key="" ;;
    *) problems="$problems; $key is neither debug nor release" ; continue ;;
  esac
  if [ -n "$release_key" ]; then
    release_file=$(echo "$libraries" | sed -n "s/^${release_key//./\\.}=//p")
    [ "$file" = "$release_file" ] || problems="$problems; $key=$file but $release_key=${release_file:-<none>}"
  fi
  if [ ! -e "$addon/$file" ]; then
    case "$key" in
      linux.*.x86_64) problems="$problems; $key lists $file, which is not in the zip" ;;
      *) ;; # not packaged (CI checks its four above); users can add the file (README)
    esac
  fi
done <<<"$libraries"
grep -q '^entry_symbol = "gdext_rust_init"' "$ext" || problems="$problems; entry_symbol"
sed -n '/^\[libraries\]/,$p' "$ext" | grep -v '^;' | sed 's/^/  /'
if [ -z "$problems" ]; then pass package_gdextension; else fail package_gdextension "${problems#; }"; fi

# --- the Linux x86_64 library: exports and glibc -------------------------------
so=$addon/bin/libwebrtc_rs.linux.x86_64.so
if [ -f "$so" ]; then
  file "$so"
  echo "size: $(stat -c %s "$so") bytes"
  exports=$(nm -D --defined-only "$so" | awk '{print $NF}' | sed 's/@.*//' | sort -u)
  echo "exports: $(echo "$exports" | tr '\n' ' ')"
  # gdext itself also exports __cxa_thread_atexit_impl on Linux: its hot-reload
  # workaround that forwards to glibc's (godot-ffi linux_reload_workaround.rs).
  extra=$(echo "$exports" | grep -vxE 'gdext_rust_init|__cxa_thread_atexit_impl' || true)
  if echo "$exports" | grep -qx gdext_rust_init && [ -z "$extra" ]; then
    pass package_linux_exports_only_entry
  else
    fail package_linux_exports_only_entry "unexpected exports: $(echo "$extra" | head -20 | tr '\n' ' ')"
  fi
  echo "needs: $(objdump -p "$so" | awk '/NEEDED/ {print $2}' | tr '\n' ' ')"
  glibc=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1)
  # The symbols that need more than glibc 2.17 (Rust's own baseline); weak ones are optional.
  echo "glibc symbols newer than 2.17: $(objdump -T "$so" | awk 'match($0, /\(GLIBC_[0-9.]+\)/) {
      v = substr($0, RSTART + 7, RLENGTH - 8); split(v, p, ".")
      if (p[1] > 2 || p[2] > 17) print $NF "@" v ($2 == "w" ? "(weak)" : "") }' | sort -t@ -k2 -V | tr '\n' ' ')"
  echo "minimum glibc: ${glibc#GLIBC_}"
fi

# --- the cross-built libraries, when packaged -----------------------------------
dll=$addon/bin/webrtc_rs.windows.x86_64.dll
if [ -f "$dll" ]; then
  dump=objdump
  command -v x86_64-w64-mingw32-objdump >/dev/null 2>&1 && dump=x86_64-w64-mingw32-objdump
  file "$dll"
  pe=$("$dump" -p "$dll")
  dll_exports=$(echo "$pe" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' | sed -n 's/^[[:space:]]*\[ *[0-9]*\] //p' | sort -u)
  imports=$(echo "$pe" | sed -n 's/^[[:space:]]*DLL Name: //p' | sort -fu)
  echo "dll exports: $(echo "$dll_exports" | tr '\n' ' ')"
  echo "dll imports: $(echo "$imports" | tr '\n' ' ')"
  bad=$(echo "$imports" | grep -viE '^(kernel32|kernelbase|ntdll|msvcrt|ucrtbase|api-ms-win-[a-z0-9-]+|ws2_32|bcrypt|bcryptprimitives|advapi32|userenv|iphlpapi|secur32|crypt32|ncrypt|ole32|oleaut32|shell32|user32|dbghelp|synchronization|mswsock|powrprof|winmm|dnsapi)\.dll$' || true)
  if [ "$dll_exports" = gdext_rust_init ] && [ -z "$bad" ]; then
    pass package_windows_dll
  else
    fail package_windows_dll "exports [$dll_exports], non-system imports [$bad]"
  fi
fi
arm=$addon/bin/libwebrtc_rs.linux.arm64.so
if [ -f "$arm" ]; then
  file "$arm"
  arm_exports=$(readelf --dyn-syms -W "$arm" | awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") && $4 != "NOTYPE" {print $8}' | sed 's/@.*//' | sort -u)
  extra=$(echo "$arm_exports" | grep -vxE 'gdext_rust_init|__cxa_thread_atexit_impl' || true)
  echo "arm64 exports: $(echo "$arm_exports" | tr '\n' ' ')"
  echo "arm64 minimum glibc: $(readelf --dyn-syms -W "$arm" | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1 | sed 's/GLIBC_//')"
  if readelf -h "$arm" | grep -q 'Machine:.*AArch64' && echo "$arm_exports" | grep -qx gdext_rust_init && [ -z "$extra" ]; then
    pass package_linux_arm64
  else
    fail package_linux_arm64 "not AArch64 or unexpected exports: $(echo "$extra" | tr '\n' ' ')"
  fi
fi

mac=$addon/bin/libwebrtc_rs.macos.universal.dylib
if [ -f "$mac" ]; then
  file "$mac"
  if report=$(tools/check-macos-dylib.sh "$mac" 2>&1); then
    echo "$report"
    pass package_macos_universal
  else
    fail package_macos_universal "$report"
  fi
fi

# --- load it in Godot and connect two peers --------------------------------------
cat >"$project/project.godot" <<'EOF'
; Fresh project for the package smoke test.
config_version=5

[application]

config/name="godot-webrtc-rs package smoke"
config/features=PackedStringArray("4.3")
EOF
mkdir -p "$project/.godot"
# Written by hand: a fresh `--import` can crash at exit.
echo "res://addons/webrtc_rs/webrtc_rs.gdextension" >"$project/.godot/extension_list.cfg"
cat >"$project/smoke.gd" <<'EOF'
extends SceneTree

var failures := 0


func _initialize() -> void:
	_run.call_deferred()


func expect(ok: bool, what: String) -> void:
	print(("SMOKE ok: " if ok else "SMOKE FAILED: ") + what)
	if not ok:
		failures += 1


func pump_until(peers: Array, condition: Callable, timeout_s := 15.0) -> bool:
	var deadline := Time.get_ticks_msec() + int(timeout_s * 1000.0)
	while Time.get_ticks_msec() < deadline:
		for peer in peers:
			peer.poll()
		if condition.call():
			return true
		await process_frame
	return condition.call()


func _run() -> void:
	print("SMOKE extensions: ", GDExtensionManager.get_loaded_extensions())
	print("SMOKE architecture: ", Engine.get_architecture_name())
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	expect(a.get_class() == "WebRTCRsPeerConnection", "WebRTCPeerConnection.new() is a %s" % a.get_class())
	a.session_description_created.connect(a.set_local_description)
	a.session_description_created.connect(b.set_remote_description)
	a.ice_candidate_created.connect(b.add_ice_candidate)
	b.session_description_created.connect(b.set_local_description)
	b.session_description_created.connect(a.set_remote_description)
	b.ice_candidate_created.connect(a.add_ice_candidate)
	var received: Array = []
	b.data_channel_received.connect(func(ch): received.append(ch))
	var chat := a.create_data_channel("smoke")
	expect(chat != null, "create_data_channel")
	expect(a.create_offer() == OK, "create_offer")
	var opened := await pump_until([a, b], func():
		return chat.get_ready_state() == WebRTCDataChannel.STATE_OPEN and received.size() == 1 \
			and received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN)
	expect(opened, "both ends open")
	expect(a.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED, "a connected")
	if opened:
		var remote: WebRTCDataChannel = received[0]
		chat.put_packet("hello from the package".to_utf8_buffer())
		var got := await pump_until([a, b], func(): return remote.get_available_packet_count() > 0)
		var text := remote.get_packet().get_string_from_utf8() if got else ""
		expect(text == "hello from the package", "a -> b message: '%s'" % text)
		remote.put_packet("and back".to_utf8_buffer())
		got = await pump_until([a, b], func(): return chat.get_available_packet_count() > 0)
		text = chat.get_packet().get_string_from_utf8() if got else ""
		expect(text == "and back", "b -> a message: '%s'" % text)
	a.close()
	b.close()
	print("SMOKE done, %d failed" % failures)
	quit(0 if failures == 0 else 1)
EOF
# smoke_run NAME GODOT TIMEOUT ARCHITECTURE: the script above in that Godot.
smoke_run() {
  local name=$1 godot=$2 limit=$3 arch=$4 log=$work/$1.log code
  timeout -k 5 "$limit" "$godot" --headless --path "$project" -s res://smoke.gd >"$log" 2>&1
  code=$?
  grep -E '^SMOKE' "$log"
  if [ "$code" -eq 0 ] && grep -q '^SMOKE done, 0 failed$' "$log" && grep -qx "SMOKE architecture: $arch" "$log" \
    && ! grep -qE 'SCRIPT ERROR|\[panic ' "$log"; then
    pass "$name"
  else
    fail "$name" "exit $code"
    tail -40 "$log" | sed 's/^/    /'
  fi
}
smoke_run package_godot_connects_and_exchanges "$GODOT" 60 x86_64
log=$work/package_godot_connects_and_exchanges.log
# Loading must be clean: no engine error or warning at all, in particular none
# for the entries of platforms Godot is not running on (macOS, Android, iOS:
# listed, files absent).
if grep -E '^(ERROR|WARNING|SCRIPT ERROR):' "$log" >"$work/ext_errors"; then
  fail package_no_extension_errors "$(head -5 "$work/ext_errors" | tr '\n' ' ')"
else
  pass package_no_extension_errors
fi

# --- the Linux arm64 library in arm64 Godot, under qemu-user --------------------
# Emulated (~25x slower): the same two peers, with a generous limit.
if [ -f "$arm" ]; then
  if godot_arm64=$(tools/provision-godot-arm64.sh); then
    started=$(date +%s)
    smoke_run package_linux_arm64_godot_connects "$godot_arm64" 300 arm64
    echo "arm64 Godot under qemu: $(($(date +%s) - started)) s"
  else
    fail package_linux_arm64_godot_connects "could not provision arm64 Godot (tools/provision-godot-arm64.sh)"
  fi
fi
finish
