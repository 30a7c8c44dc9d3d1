## Headless Godot bench of the WebRTC extension through the public Godot API
## only. Two peers in this process; rows (see tools/bench.sh):
##   connect, reliable_1k/16k/64k (+ CPU per MB), rtt, unreliable_1200 — each
##     in mode "tight" (a while loop calling poll() without awaiting frames)
##     and "frame" (poll once per frame at --fps, like a game);
##   rpc_rtt: SceneMultiplayer RPC round trip over WebRTCMultiplayerPeer;
##   memory: peak RSS and OS threads;
##   process: CPU seconds and peak RSS of the run up to the scale rows (the
##     same work for any plugin, so tools/bench.sh --against compares them);
##   scale_64 / scale_256: that many connections (pairs) at once.
## Usage:
##   godot --headless --path tests/godot -s res://bench/bench.gd -- \
##       [--short] [--runs N] [--suite NAME] [--only ROW,...] [--fps N]
## Prints "BENCH {json}" per row per run, a "_summary" line, then a table;
## exits 0 only if every planned row produced numbers.
extends SceneTree

const Lib := preload("res://bench/bench_lib.gd")
const RpcEcho := preload("res://bench/rpc_echo.gd")
const Harness := preload("res://lib/harness.gd")

## Senders keep at most this many bytes not yet acknowledged.
const MAX_BUFFERED := 1 << 20
const OPEN := WebRTCDataChannel.STATE_OPEN

var short := false
var runs := 3
var suite := "godot"
var only: PackedStringArray = []
var fps := 60
var lines: Array = []
var planned: Array = []


func _initialize() -> void:
	_main.call_deferred()


func _parse_args() -> bool:
	var args := OS.get_cmdline_user_args()
	var i := 0
	var runs_given := false
	while i < args.size():
		var arg: String = args[i]
		var value: String = args[i + 1] if i + 1 < args.size() else ""
		match arg:
			"--short":
				short = true
			"--runs":
				runs = int(value)
				runs_given = true
				i += 1
			"--suite":
				suite = value
				i += 1
			"--only":
				only = value.split(",", false)
				i += 1
			"--fps":
				fps = int(value)
				i += 1
			_:
				printerr("bench: unknown argument " + arg)
				return false
		i += 1
	if short and not runs_given:
		runs = 1
	return runs > 0


func _wanted(row: String) -> bool:
	if only.is_empty():
		return true
	for prefix in only:
		if row.begins_with(prefix):
			return true
	return false


## Sizes of each row; `frame` rows are smaller where a frame-bound loop is slow.
func _sizes() -> Dictionary:
	if short:
		return {"connects": 10, "frame_connects": 4, "bulk": 4 << 20, "frame_bulk": 4 << 20, "cap_s": 3.0, "rtt": 300,
			"frame_rtt": 15, "unreliable": 3000, "rpc": 200, "frame_rpc": 15, "scale": [64]}
	return {"connects": 100, "frame_connects": 12, "bulk": 48 << 20, "frame_bulk": 16 << 20, "cap_s": 10.0, "rtt": 1000,
		"frame_rtt": 60, "unreliable": 20000, "rpc": 1000, "frame_rpc": 60, "scale": [64, 256]}


func _record(row: String, mode: String, run: int, result: Dictionary, params := {}) -> void:
	var line := {"suite": suite, "row": row, "mode": mode, "run": run, "params": params}
	line.merge(result)
	if not line.has("ok"):
		line["ok"] = false
	Lib.emit_line(line)
	lines.append(line)


func _fail(message: String) -> Dictionary:
	return {"ok": false, "error": message}


func _main() -> void:
	if not _parse_args():
		Lib.emit_line({"suite": suite, "row": "_summary", "part": "inproc", "ok": false, "error": "bad arguments"})
		quit(2)
		return
	var sizes := _sizes()
	var modes := ["tight", "frame"]
	for mode in modes:
		for row in ["connect", "reliable_1k", "reliable_16k", "reliable_64k", "rtt", "unreliable_1200", "rpc_rtt"]:
			if _wanted(row):
				planned.append("%s/%s" % [row, mode])
	if _wanted("memory"):
		planned.append("memory/tight")
	if _wanted("process"):
		planned.append("process/all")
	for n in sizes["scale"]:
		if _wanted("scale_%d" % n):
			planned.append("scale_%d/scale" % n)
	print("bench: suite %s, %d run(s), %s mode, frame rows at %d fps" % [suite, runs, "short" if short else "full", fps])

	for run in range(1, runs + 1):
		for mode in modes:
			var frame: bool = mode == "frame"
			Engine.max_fps = fps if frame else 0
			if _wanted("connect"):
				var n: int = sizes["frame_connects"] if frame else sizes["connects"]
				_record("connect", mode, run, await _connect_distribution(n, frame), {"connects": n})
			await _data_rows(run, mode, sizes)
			if _wanted("rpc_rtt"):
				var rounds: int = sizes["frame_rpc"] if frame else sizes["rpc"]
				_record("rpc_rtt", mode, run, await _rpc_rtt(rounds, frame), {"rounds": rounds})
		Engine.max_fps = 0
		if _wanted("memory"):
			_record("memory", "tight", run, {"ok": true, "metrics": {
				"peak_rss_mb": Lib.round3(Lib.status_value("VmHWM") / 1024.0),
				"rss_mb": Lib.round3(Lib.status_value("VmRSS") / 1024.0),
				"threads": Lib.status_value("Threads")}})
	# Before the scale rows: the same work for any plugin, whatever they cost.
	if _wanted("process"):
		_record("process", "all", 1, {"ok": true, "metrics": {"cpu_s": Lib.round3(Lib.cpu_seconds()),
			"wall_s": Lib.round3(Time.get_ticks_msec() / 1000.0),
			"peak_rss_mb": Lib.round3(Lib.status_value("VmHWM") / 1024.0)}})
	# Scale rows once (they are long and their memory would skew the peak above).
	Engine.max_fps = 0
	for n in sizes["scale"]:
		if _wanted("scale_%d" % n):
			_record("scale_%d" % n, "scale", 1, await _scale(n), {"connections": n, "peers": 2 * n})

	var failed := 0
	for line in lines:
		if not line["ok"]:
			failed += 1
	var missing := []
	for item in planned:
		var parts: PackedStringArray = item.split("/")
		var found := false
		for line in lines:
			found = found or (line["ok"] and line["row"] == parts[0] and line["mode"] == parts[1])
		if not found:
			missing.append(item)
	var ok := failed == 0 and missing.is_empty()
	Lib.emit_line({"suite": suite, "row": "_summary", "part": "inproc", "ok": ok, "planned": planned,
		"failed": failed, "missing": missing, "runs": runs, "short": short, "fps": fps,
		"peak_rss_kb": Lib.status_value("VmHWM"), "threads": Lib.status_value("Threads"),
		"godot": Engine.get_version_info()["string"]})
	print("")
	print(Lib.table(lines))
	quit(0 if ok else 1)


## Polls `peers` until `condition` holds: every frame, or in a tight loop.
func _pump_until(peers: Array, condition: Callable, timeout_s: float, frame: bool) -> bool:
	var deadline := Time.get_ticks_msec() + int(timeout_s * 1000.0)
	while true:
		for peer in peers:
			peer.poll()
		if condition.call():
			return true
		if Time.get_ticks_msec() > deadline:
			return false
		if frame:
			await process_frame
	return false


func _settle(peers: Array, seconds: float) -> void:
	await _pump_until(peers, func(): return false, seconds, true)


## ---- (a) connect --------------------------------------------------------

func _connect_once(frame: bool) -> float:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	Harness.link(a, b)
	var got := {"channel": null}
	b.data_channel_received.connect(func(channel): got["channel"] = channel)
	var channel := a.create_data_channel("bench", {})
	var started := Time.get_ticks_usec()
	if a.create_offer() != OK:
		return -1.0
	var opened := await _pump_until([a, b], func():
		return channel.get_ready_state() == OPEN and got["channel"] != null and got["channel"].get_ready_state() == OPEN, 15.0, frame)
	var ms := (Time.get_ticks_usec() - started) / 1000.0
	a.close()
	b.close()
	await _settle([], 0.03)
	return ms if opened else -1.0


func _connect_distribution(count: int, frame: bool) -> Dictionary:
	var samples := []
	# Slow connects (~1 s) waited for a retransmission or a nomination delay.
	var fast := []
	for i in count:
		var ms := await _connect_once(frame)
		if ms < 0.0:
			return _fail("connect %d of %d did not open within 15 s" % [i + 1, count])
		samples.append(ms)
		if ms <= 500.0:
			fast.append(ms)
	var metrics := Lib.distribution(samples, "ms", [50, 90])
	metrics["min_ms"] = Lib.round3(samples.min())
	metrics["slow_pct"] = Lib.round3(100.0 * (count - fast.size()) / count)
	fast.sort()
	if not fast.is_empty():
		metrics["fast_p50_ms"] = Lib.round3(Lib.percentile(fast, 50))
	return {"ok": true, "metrics": metrics}


## ---- (b) (c) (d) data rows on one connected pair ---------------------------

## A connected pair with negotiated channels: 1 reliable bulk, 2 reliable
## ping-pong, 3 unreliable unordered without retransmits. [a's end, b's end].
func _data_pair() -> Dictionary:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	Harness.link(a, b)
	var pair := {"a": a, "b": b}
	var specs := {"bulk": {"negotiated": true, "id": 1}, "ping": {"negotiated": true, "id": 2},
		"lossy": {"negotiated": true, "id": 3, "ordered": false, "maxRetransmits": 0}}
	var all := []
	for label in specs:
		pair[label] = [a.create_data_channel(label, specs[label]), b.create_data_channel(label, specs[label])]
		all.append_array(pair[label])
	for channel in all:
		if channel == null:
			return {}
	a.create_offer()
	var opened := await _pump_until([a, b], func():
		for channel in all:
			if channel.get_ready_state() != OPEN:
				return false
		return true, 15.0, false)
	return pair if opened else {}


func _data_rows(run: int, mode: String, sizes: Dictionary) -> void:
	var frame := mode == "frame"
	var bulk_rows := {"reliable_1k": 1024, "reliable_16k": 16384, "reliable_64k": 65536}
	var wanted := []
	for row in ["reliable_1k", "reliable_16k", "reliable_64k", "rtt", "unreliable_1200"]:
		if _wanted(row):
			wanted.append(row)
	if wanted.is_empty():
		return
	var pair := await _data_pair()
	var bulk: int = sizes["frame_bulk"] if frame else sizes["bulk"]
	for row in wanted:
		if pair.is_empty():
			_record(row, mode, run, _fail("the data pair did not open within 15 s"))
		elif bulk_rows.has(row):
			_record(row, mode, run, await _reliable(pair, bulk_rows[row], bulk, sizes["cap_s"], frame),
				{"message_bytes": bulk_rows[row], "total_bytes": bulk, "max_buffered": MAX_BUFFERED})
		elif row == "rtt":
			var rounds: int = sizes["frame_rtt"] if frame else sizes["rtt"]
			_record(row, mode, run, await _rtt(pair, rounds, frame), {"rounds": rounds, "message_bytes": 32})
		else:
			_record(row, mode, run, await _unreliable(pair, sizes["unreliable"], frame),
				{"messages": sizes["unreliable"], "message_bytes": 1200, "max_buffered": MAX_BUFFERED})
	if not pair.is_empty():
		pair["a"].close()
		pair["b"].close()
		await _settle([], 0.05)


func _reliable(pair: Dictionary, size: int, total: int, cap_s: float, frame: bool) -> Dictionary:
	var tx: WebRTCDataChannel = pair["bulk"][0]
	var rx: WebRTCDataChannel = pair["bulk"][1]
	var a: WebRTCPeerConnection = pair["a"]
	var b: WebRTCPeerConnection = pair["b"]
	var message := Lib.payload(size, 0xA5)
	var sent := 0
	var got := 0
	var frames := 0
	var capped := false
	var cap_usec := int(cap_s * 1e6)
	var cpu_before := Lib.cpu_seconds()
	var drops_before := Lib.udp_rcvbuf_errors()
	var started := Time.get_ticks_usec()
	while got < total:
		while sent < total and tx.get_buffered_amount() < MAX_BUFFERED:
			if tx.put_packet(message) != OK:
				return _fail("put_packet failed after %d bytes" % sent)
			sent += size
		while rx.get_available_packet_count() > 0:
			got += rx.get_packet().size()
		if Time.get_ticks_usec() - started > cap_usec:
			capped = true
			break
		a.poll()
		b.poll()
		if frame:
			frames += 1
			await process_frame
	var seconds := (Time.get_ticks_usec() - started) / 1e6
	var cpu := Lib.cpu_seconds() - cpu_before
	var drops := Lib.udp_rcvbuf_errors() - drops_before
	# Leave the channel empty for the next row.
	var drained := await _pump_until([a, b], func():
		while rx.get_available_packet_count() > 0:
			rx.get_packet()
		return tx.get_buffered_amount() == 0, 10.0, frame)
	if got == 0:
		return _fail("nothing received")
	if not drained:
		return _fail("the sender did not drain")
	var mb := got / 1e6
	var metrics := {"mb_s": Lib.round3(mb / seconds), "cpu_ms_per_mb": Lib.round3(cpu * 1000.0 / mb),
		"cpu_pct": Lib.round3(100.0 * cpu / seconds), "mb": Lib.round3(mb), "seconds": Lib.round3(seconds),
		"udp_drops": drops, "time_capped": capped}
	if frame:
		metrics["fps"] = Lib.round3(frames / seconds)
	return {"ok": true, "metrics": metrics}


func _rtt(pair: Dictionary, rounds: int, frame: bool) -> Dictionary:
	var ca: WebRTCDataChannel = pair["ping"][0]
	var cb: WebRTCDataChannel = pair["ping"][1]
	var a: WebRTCPeerConnection = pair["a"]
	var b: WebRTCPeerConnection = pair["b"]
	var message := Lib.payload(32, 0x5A)
	var warmup := 5 if frame else 20
	var samples := []
	for i in warmup + rounds:
		var started := Time.get_ticks_usec()
		var deadline := started + 5000000
		if ca.put_packet(message) != OK:
			return _fail("put_packet failed in round %d" % i)
		while true:
			if cb.get_available_packet_count() > 0:
				cb.put_packet(cb.get_packet())
			if ca.get_available_packet_count() > 0:
				ca.get_packet()
				break
			if Time.get_ticks_usec() > deadline:
				return _fail("round %d: no echo within 5 s" % i)
			a.poll()
			b.poll()
			if frame:
				await process_frame
		if i >= warmup:
			samples.append(float(Time.get_ticks_usec() - started))
	var metrics := Lib.distribution(samples, "us", [50, 99])
	if frame:
		metrics["p50_ms"] = Lib.round3(metrics["p50_us"] / 1000.0)
	return {"ok": true, "metrics": metrics}


func _unreliable(pair: Dictionary, count: int, frame: bool) -> Dictionary:
	var tx: WebRTCDataChannel = pair["lossy"][0]
	var rx: WebRTCDataChannel = pair["lossy"][1]
	var a: WebRTCPeerConnection = pair["a"]
	var b: WebRTCPeerConnection = pair["b"]
	var message := Lib.payload(1200, 0x33)
	var sent := 0
	var got := 0
	var drops_before := Lib.udp_rcvbuf_errors()
	var started := Time.get_ticks_usec()
	var last_arrival := started
	var all_sent := -1
	while true:
		while sent < count and tx.get_buffered_amount() < MAX_BUFFERED:
			if tx.put_packet(message) != OK:
				return _fail("put_packet failed after %d messages" % sent)
			sent += 1
		while rx.get_available_packet_count() > 0:
			rx.get_packet()
			got += 1
			last_arrival = Time.get_ticks_usec()
		var now := Time.get_ticks_usec()
		if sent == count and all_sent < 0 and tx.get_buffered_amount() == 0:
			all_sent = now
		if got == count:
			break
		# Whatever has not arrived 300 ms after the last send or arrival is lost.
		if all_sent >= 0 and now - maxi(all_sent, last_arrival) > 300000:
			break
		if now - started > 20000000:
			break
		a.poll()
		b.poll()
		if frame:
			await process_frame
	if all_sent < 0:
		all_sent = Time.get_ticks_usec()
	if got == 0:
		return _fail("nothing received")
	var send_seconds := maxf((all_sent - started) / 1e6, 1e-6)
	var recv_seconds := maxf((last_arrival - started) / 1e6, 1e-6)
	return {"ok": true, "metrics": {"mb_s": Lib.round3(sent * 1200 / 1e6 / send_seconds),
		"recv_mb_s": Lib.round3(got * 1200 / 1e6 / recv_seconds),
		"delivered_pct": Lib.round3(100.0 * got / sent), "sent": sent, "received": got,
		"udp_drops": Lib.udp_rcvbuf_errors() - drops_before}}


## ---- (e) RPC round trip through SceneMultiplayer ------------------------------

func _rpc_rtt(rounds: int, frame: bool) -> Dictionary:
	var mps := {1: WebRTCMultiplayerPeer.new(), 2: WebRTCMultiplayerPeer.new()}
	for id in mps:
		mps[id].create_mesh(id)
	var c1 := WebRTCPeerConnection.new()
	var c2 := WebRTCPeerConnection.new()
	Harness.link(c1, c2)
	mps[1].add_peer(c1, 2)
	mps[2].add_peer(c2, 1)
	c1.create_offer()
	var apis := {}
	var nodes := {}
	for id in mps:
		var branch := Node.new()
		branch.name = "BenchPeer%d" % id
		root.add_child(branch)
		var api := SceneMultiplayer.new()
		api.multiplayer_peer = mps[id]
		set_multiplayer(api, branch.get_path())
		var node := RpcEcho.new()
		node.name = "Game"
		branch.add_child(node)
		apis[id] = api
		nodes[id] = node
	var result := {}
	# The tree polls every SceneMultiplayer once per frame.
	var ready := await _pump_until([], func(): return apis[1].get_peers().size() == 1 and apis[2].get_peers().size() == 1, 15.0, true)
	if not ready:
		result = _fail("SceneMultiplayer peers did not connect within 15 s")
	else:
		var data := Lib.payload(32, 0x42)
		var warmup := 5 if frame else 20
		var samples := []
		for i in warmup + rounds:
			var started := Time.get_ticks_usec()
			var deadline := started + 5000000
			nodes[1].ping.rpc_id(2, i, data)
			while nodes[1].last_pong != i:
				if Time.get_ticks_usec() > deadline:
					break
				if frame:
					await process_frame
				else:
					apis[1].poll()
					apis[2].poll()
			if nodes[1].last_pong != i:
				result = _fail("RPC %d: no answer within 5 s" % i)
				break
			if i >= warmup:
				samples.append(float(Time.get_ticks_usec() - started))
		if result.is_empty():
			var metrics := Lib.distribution(samples, "us", [50, 99])
			if frame:
				metrics["p50_ms"] = Lib.round3(metrics["p50_us"] / 1000.0)
			result = {"ok": true, "metrics": metrics}
	for id in mps:
		mps[id].close()
		var branch: Node = nodes[id].get_parent()
		set_multiplayer(null, branch.get_path())
		branch.queue_free()
	await _settle([], 0.05)
	return result


## ---- (g) many connections at once -------------------------------------------

func _scale(n: int) -> Dictionary:
	await _settle([], 0.2)
	var rss_before := Lib.status_value("VmRSS")
	var threads_before := Lib.status_value("Threads")
	var peers := []
	var pairs := []
	for i in n:
		var a := WebRTCPeerConnection.new()
		var b := WebRTCPeerConnection.new()
		Harness.link(a, b)
		var ca := a.create_data_channel("data", {"negotiated": true, "id": 1})
		var cb := b.create_data_channel("data", {"negotiated": true, "id": 1})
		if ca == null or cb == null:
			return _fail("could not create channels for connection %d" % i)
		pairs.append([ca, cb, -1.0])
		peers.append(a)
		peers.append(b)
	var created_ms := 0.0
	var started := Time.get_ticks_usec()
	for i in n:
		peers[2 * i].create_offer()
	created_ms = (Time.get_ticks_usec() - started) / 1000.0
	# A server-like loop: poll everything, then sleep 1 ms.
	var open := 0
	var deadline := started + 90000000
	while open < n and Time.get_ticks_usec() < deadline:
		for peer in peers:
			peer.poll()
		var now := Time.get_ticks_usec()
		for p in pairs:
			if p[2] < 0.0 and p[0].get_ready_state() == OPEN and p[1].get_ready_state() == OPEN:
				p[2] = (now - started) / 1000.0
				open += 1
		OS.delay_usec(1000)
	var all_open_ms := (Time.get_ticks_usec() - started) / 1000.0
	var result := {}
	if open < n:
		result = _fail("only %d of %d connections opened within 90 s" % [open, n])
	else:
		# Let retransmissions and late tasks settle, then measure idle costs.
		await _pump_until(peers, func(): return false, 1.0, true)
		var rss_after := Lib.status_value("VmRSS")
		var times := []
		var baseline := []
		for k in 200:
			var t0 := Time.get_ticks_usec()
			for peer in peers:
				peer.poll()
			var t1 := Time.get_ticks_usec()
			for peer in peers:
				peer.get_instance_id()
			var t2 := Time.get_ticks_usec()
			times.append(float(t1 - t0))
			baseline.append(float(t2 - t1))
		var connect_times := []
		for p in pairs:
			connect_times.append(p[2])
		var d := Lib.distribution(connect_times, "ms", [50, 90])
		var poll_us := Lib.median(times)
		result = {"ok": true, "metrics": {
			"connect_p50_ms": d["p50_ms"], "connect_p90_ms": d["p90_ms"], "connect_max_ms": d["max_ms"],
			"all_open_ms": Lib.round3(all_open_ms), "create_offers_ms": Lib.round3(created_ms),
			"rss_kb_per_peer": Lib.round3(float(rss_after - rss_before) / peers.size()),
			"rss_mb_total": Lib.round3(rss_after / 1024.0),
			"poll_us_total": Lib.round3(poll_us), "poll_us_per_peer": Lib.round3(poll_us / peers.size()),
			"poll_us_p99_total": Lib.round3(Lib.percentile(_sorted(times), 99)),
			"call_baseline_us_per_peer": Lib.round3(Lib.median(baseline) / peers.size()),
			"threads": Lib.status_value("Threads"), "threads_before": threads_before}}
	for peer in peers:
		peer.close()
	peers.clear()
	pairs.clear()
	await _settle([], 0.5)
	return result


func _sorted(values: Array) -> Array:
	var s := values.duplicate()
	s.sort()
	return s
