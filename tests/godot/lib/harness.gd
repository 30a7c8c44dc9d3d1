## Minimal test harness: runs every `test_*` method of the script that extends
## it (in declaration order), then prints "N passed, N failed" and quits with
## exit code 0 only if everything passed.
extends SceneTree

const Poll := preload("res://lib/poll.gd")

var _passed := 0
var _failed := 0
var _current_ok := true
var _current := ""


func _initialize() -> void:
	_run_all.call_deferred()


func _run_all() -> void:
	var names: Array[String] = []
	for method in get_script().get_script_method_list():
		var method_name: String = method["name"]
		if method_name.begins_with("test_") and not names.has(method_name):
			names.append(method_name)
	var only := OS.get_environment("TEST_ONLY")
	for method_name in names:
		if only != "" and method_name != only:
			continue
		_current = method_name
		_current_ok = true
		var started := Time.get_ticks_msec()
		await call(method_name)
		var took := Time.get_ticks_msec() - started
		if _current_ok:
			_passed += 1
			print("TEST PASS %s (%d ms)" % [method_name, took])
		else:
			_failed += 1
			print("TEST FAIL %s (%d ms)" % [method_name, took])
	print("%d passed, %d failed" % [_passed, _failed])
	quit(0 if _failed == 0 else 1)


## Records a failed expectation (the test goes on, so one run shows every failure).
func check(condition: bool, message: String) -> bool:
	if not condition:
		_current_ok = false
		printerr("  CHECK FAILED in %s: %s" % [_current, message])
	return condition


func check_eq(actual, expected, message: String) -> bool:
	return check(actual == expected, "%s: expected %s, got %s" % [message, str(expected), str(actual)])


## Polls `peers` every frame until `condition` is true or `timeout_s` passes.
func pump_until(peers: Array, condition: Callable, timeout_s := 10.0) -> bool:
	return await Poll.until(self, Poll.polling(peers), condition, timeout_s)


## pump_until for one `peer` whose remote side talks through `signaling`
## (procs/file_signaling.gd): its messages are delivered every frame, and each
## call that fails them is a failed check.
func pump_signaled_until(peer: WebRTCPeerConnection, signaling, condition: Callable, timeout_s: float) -> bool:
	return await pump_until([peer], func():
		for failure in signaling.deliver_to(peer):
			check_eq(failure[1], OK, failure[0])
		return condition.call(), timeout_s)


## Polls `peers` until `value` has returned the same thing for `steady_ms`
## (e.g. a process's open files once closes have finished); false on timeout.
func pump_until_steady(peers: Array, value: Callable, steady_ms := 250, timeout_s := 10.0) -> bool:
	var seen := {"value": null, "since": Time.get_ticks_msec()}
	return await pump_until(peers, func():
		var now = value.call()
		if now != seen.value:
			seen.value = now
			seen.since = Time.get_ticks_msec()
		return Time.get_ticks_msec() - seen.since >= steady_ms, timeout_s)


## Wires two peers to each other the way Godot's own demos do. Static, so
## scripts that are not tests use it too: preload("res://lib/harness.gd").link(a, b).
static func link(a: WebRTCPeerConnection, b: WebRTCPeerConnection) -> void:
	a.session_description_created.connect(a.set_local_description)
	a.session_description_created.connect(b.set_remote_description)
	a.ice_candidate_created.connect(b.add_ice_candidate)
	b.session_description_created.connect(b.set_local_description)
	b.session_description_created.connect(a.set_remote_description)
	b.ice_candidate_created.connect(a.add_ice_candidate)


## Two linked peers with one channel `chat` (created with `options`) open at
## both ends: {a, b, chat, remote}; `remote` is null (and a check failed) if
## it did not open.
func open_pair(options := {}) -> Dictionary:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	var received: Array = []
	b.data_channel_received.connect(func(ch): received.append(ch))
	link(a, b)
	var chat := a.create_data_channel("chat", options)
	a.create_offer()
	var opened := await pump_until([a, b], func():
		return chat.get_ready_state() == WebRTCDataChannel.STATE_OPEN and received.size() == 1 \
			and received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN)
	check(opened, "both ends open")
	return {"a": a, "b": b, "chat": chat, "remote": received[0] if opened else null}


## Waits for the next packet on `channel` (polling `peers`), or null on timeout.
func next_packet(peers: Array, channel: WebRTCDataChannel, timeout_s := 10.0):
	var ok := await pump_until(peers, func(): return channel.get_available_packet_count() > 0, timeout_s)
	if not ok:
		return null
	return channel.get_packet()
