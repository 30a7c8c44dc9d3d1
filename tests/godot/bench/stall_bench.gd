## How long each WebRTC call holds the main thread, with whichever plugin the
## project loads (ours, or the official one for comparison: tools/stall-bench.sh).
##   godot --headless -s res://bench/stall_bench.gd -- [--suite NAME] [--rounds N]
## Three workloads, two peers in this process, signals queued and delivered
## outside poll() so every call is timed on its own:
##   connect:   offer, answer, candidates, until both channels are open
##   channels:  200 in-band channels created on a connected peer, until the
##              remote has announced the last
##   early:     1024 remote candidates (TEST-NET addresses) added before the
##              remote description, then the offer that releases them
## Prints one "BENCH {json}" line per call kind (p50 / p99 / max in µs) and,
## unless --no-limits, "TEST PASS|FAIL" lines judging our limits (no call over
## 50 ms, the typical call within 1 ms) and "N passed, N failed".
extends SceneTree

const Poll := preload("res://lib/poll.gd")
const Lib := preload("res://bench/bench_lib.gd")
const MAX_STALL_US := 50000.0
const TYPICAL_STALL_US := 1000.0

var suite := "godot"
var rounds := 5
var limits := true
## call name -> Array of durations in µs
var samples := {}
## Signals waiting to be delivered: [callable, args]
var outbox: Array = []
## How many of the 1024 early candidates add_ice_candidate took (ours holds all).
var early_accepted := 0


func _initialize() -> void:
	_main.call_deferred()


func _main() -> void:
	var args := OS.get_cmdline_user_args()
	var i := 0
	while i < args.size():
		match args[i]:
			"--suite":
				suite = args[i + 1]
				i += 1
			"--rounds":
				rounds = int(args[i + 1])
				i += 1
			"--no-limits":
				limits = false
		i += 1
	var ok := true
	for round in rounds:
		ok = await _connect_round() and ok
	ok = await _channels_round() and ok
	ok = await _early_candidates_round() and ok
	var passed := 0
	var failed := 0
	var verdict := func(good: bool, what: String):
		if limits:
			print("TEST %s %s" % ["PASS" if good else "FAIL", what])
		return 1 if good else 0
	var worked: int = verdict.call(ok, "stall_workloads_complete")
	passed += worked
	failed += 1 - worked
	var held: int = verdict.call(early_accepted == 1024, "stall_early_candidates_all_held (%d of 1024)" % early_accepted)
	passed += held
	failed += 1 - held
	var pooled: Array = []
	for name in samples.keys():
		var row := Lib.distribution(samples[name], "us", [50, 99])
		row["suite"] = suite
		row["row"] = "stall " + name
		row["ok"] = ok
		print("BENCH " + JSON.stringify(row))
		if name != "poll":
			pooled.append_array(samples[name])
		var good: int = verdict.call(row.max_us <= MAX_STALL_US, "stall_%s_never_above_50_ms (p50 %.0f µs, p99 %.0f µs, max %.0f µs, %d calls)" % [name.replace(" ", "_"), row.p50_us, row.p99_us, row.max_us, row.n])
		passed += good
		failed += 1 - good
	var typical := Lib.distribution(pooled, "us", [50, 99])
	typical["suite"] = suite
	typical["row"] = "stall every call"
	typical["ok"] = ok
	print("BENCH " + JSON.stringify(typical))
	var good: int = verdict.call(typical.p50_us <= TYPICAL_STALL_US, "stall_typical_call_within_1_ms (p50 %.0f µs, p99 %.0f µs over %d calls)" % [typical.p50_us, typical.p99_us, typical.n])
	passed += good
	failed += 1 - good
	if limits:
		print("%d passed, %d failed" % [passed, failed])
	quit(0 if failed == 0 or not limits else 1)


## Runs `callable` with `args`, recording how long it took under `name`.
func _timed(name: String, callable: Callable, args := []) -> Variant:
	var started := Time.get_ticks_usec()
	var result = callable.callv(args)
	var took := Time.get_ticks_usec() - started
	if not samples.has(name):
		samples[name] = []
	samples[name].append(took)
	return result


## Queues signaling between `a` and `b` (delivered by _deliver, not inside poll()).
func _wire(a: WebRTCPeerConnection, b: WebRTCPeerConnection) -> void:
	for pair in [[a, b], [b, a]]:
		var from: WebRTCPeerConnection = pair[0]
		var to: WebRTCPeerConnection = pair[1]
		from.session_description_created.connect(func(type, sdp):
			outbox.append(["set_local_description", from, [type, sdp]])
			outbox.append(["set_remote_description(%s)" % type, to, [type, sdp]]))
		from.ice_candidate_created.connect(func(mid, index, line):
			outbox.append(["add_ice_candidate", to, [mid, index, line]]))


func _deliver() -> void:
	var batch := outbox
	outbox = []
	for item in batch:
		var method: String = item[0].split("(")[0]
		_timed(item[0], Callable(item[1], method), item[2])


func _pump(peers: Array, condition: Callable, timeout_s: float) -> bool:
	return await Poll.until(self, func():
		for peer in peers:
			_timed("poll", peer.poll)
		_deliver(), condition, timeout_s)


func _connect_round() -> bool:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	_wire(a, b)
	var ca: WebRTCDataChannel = _timed("create_data_channel", a.create_data_channel, ["chat"])
	var cb: Array = []
	b.data_channel_received.connect(func(channel): cb.append(channel))
	_timed("create_offer", a.create_offer)
	var opened := await _pump([a, b], func(): return ca.get_ready_state() == WebRTCDataChannel.STATE_OPEN \
		and not cb.is_empty() and cb[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN, 10.0)
	if not opened:
		printerr("stall: connect round did not open")
	_timed("close", a.close)
	_timed("close", b.close)
	return opened


func _channels_round() -> bool:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	_wire(a, b)
	var first: WebRTCDataChannel = a.create_data_channel("first")
	var received: Array = []
	b.data_channel_received.connect(func(channel): received.append(channel))
	a.create_offer()
	if not await _pump([a, b], func(): return first.get_ready_state() == WebRTCDataChannel.STATE_OPEN and received.size() == 1, 10.0):
		printerr("stall: channels round did not connect")
		return false
	var kept: Array = []
	var started := Time.get_ticks_usec()
	for i in 200:
		kept.append(_timed("create_data_channel (connected)", a.create_data_channel, ["c%d" % i]))
	var created_ms := (Time.get_ticks_usec() - started) / 1000.0
	var all := await _pump([a, b], func(): return received.size() == 201, 20.0)
	var told_ms := (Time.get_ticks_usec() - started) / 1000.0
	print("BENCH " + JSON.stringify({"suite": suite, "row": "200 channels on a connected peer", "ok": all,
		"created_ms": Lib.round3(created_ms), "remote_has_all_ms": Lib.round3(told_ms)}))
	if not all:
		printerr("stall: the remote announced %d of 201 channels" % received.size())
	a.close()
	b.close()
	return all


func _early_candidates_round() -> bool:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	var offers: Array = []
	a.session_description_created.connect(func(type, sdp):
		a.set_local_description(type, sdp)
		offers.append([type, sdp]))
	var channel := a.create_data_channel("x")
	a.create_offer()
	if not await _pump([a], func(): return not offers.is_empty(), 10.0):
		printerr("stall: no offer")
		return false
	for i in 1024:
		# TEST-NET-2 addresses (RFC 5737): nothing answers there.
		var line := "candidate:%d 1 udp %d 198.51.100.%d %d typ host" % [i + 1, 2130706431 - i, i % 250 + 1, 40000 + i]
		if _timed("add_ice_candidate (early)", b.add_ice_candidate, ["0", 0, line]) == OK:
			early_accepted += 1
	_timed("set_remote_description (1024 held candidates)", b.set_remote_description, offers[0])
	print("BENCH " + JSON.stringify({"suite": suite, "row": "1024 early candidates", "ok": true, "accepted": early_accepted}))
	# A measuring window, not a wait: poll() while the held candidates are applied.
	await _pump([a, b], func(): return false, 0.5)
	a.close()
	b.close()
	return channel != null
