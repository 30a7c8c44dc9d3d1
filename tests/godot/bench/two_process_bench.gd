## Reliable throughput and ping-pong RTT between two Godot processes that
## signal through files (like procs/two_process_peer.gd). Usage:
##   godot --headless -s res://bench/two_process_bench.gd -- <offer|answer> <dir> \
##       [--short] [--runs N] [--suite NAME]
## The offerer drives and prints "BENCH {json}" lines (mode "2proc"); the
## answerer counts bulk bytes and echoes pings. Both poll in a tight loop once
## connected. Channels: 1 bulk, 2 control (JSON text), 3 ping.
extends SceneTree

const Poll := preload("res://lib/poll.gd")
const Lib := preload("res://bench/bench_lib.gd")
const FileSignaling := preload("res://procs/file_signaling.gd")
const MAX_BUFFERED := 1 << 20
const OPEN := WebRTCDataChannel.STATE_OPEN

var role := ""
var short := false
var runs := 3
var suite := "godot"
var signaling
var peer := WebRTCPeerConnection.new()
var bulk: WebRTCDataChannel
var control: WebRTCDataChannel
var ping: WebRTCDataChannel
var lines: Array = []


func _initialize() -> void:
	_main.call_deferred()


func _main() -> void:
	var args := OS.get_cmdline_user_args()
	if args.size() < 2 or not args[0] in ["offer", "answer"]:
		printerr("usage: -- <offer|answer> <dir> [--short] [--runs N] [--suite NAME]")
		quit(2)
		return
	role = args[0]
	var runs_given := false
	var i := 2
	while i < args.size():
		match args[i]:
			"--short":
				short = true
			"--runs":
				runs = int(args[i + 1])
				runs_given = true
				i += 1
			"--suite":
				suite = args[i + 1]
				i += 1
		i += 1
	if short and not runs_given:
		runs = 1
	signaling = FileSignaling.new(args[1], role, "answer" if role == "offer" else "offer")
	peer.session_description_created.connect(func(type, sdp):
		peer.set_local_description(type, sdp)
		signaling.send_description(type, sdp))
	peer.ice_candidate_created.connect(func(mid, index, line):
		signaling.send_candidate(mid, index, line))
	bulk = peer.create_data_channel("bulk", {"negotiated": true, "id": 1})
	control = peer.create_data_channel("control", {"negotiated": true, "id": 2})
	ping = peer.create_data_channel("ping", {"negotiated": true, "id": 3})
	control.write_mode = WebRTCDataChannel.WRITE_MODE_TEXT
	if role == "offer":
		peer.create_offer()
	var started := Time.get_ticks_usec()
	var opened := await _connect(20.0)
	var connect_ms := (Time.get_ticks_usec() - started) / 1000.0
	var code := 0
	if role == "offer":
		code = _offerer(opened, connect_ms)
	elif opened:
		code = _answerer()
	else:
		printerr("answer: channels did not open")
		code = 1
	# Let the last messages leave before the process (and its runtime) ends.
	await Poll.until(self, peer.poll, func(): return [bulk, control, ping].all(func(c): return c.get_buffered_amount() == 0), 1.0)
	peer.close()
	quit(code)


## Signals and polls every frame until all three channels are OPEN.
func _connect(timeout_s: float) -> bool:
	return await Poll.until(self, func():
		signaling.deliver_to(peer)
		peer.poll(), func(): return bulk.get_ready_state() == OPEN and control.get_ready_state() == OPEN and ping.get_ready_state() == OPEN, timeout_s)


func _send_control(message: Dictionary) -> void:
	control.put_packet(JSON.stringify(message).to_utf8_buffer())


func _read_control():
	if control.get_available_packet_count() == 0:
		return null
	return JSON.parse_string(control.get_packet().get_string_from_utf8())


func _record(row: String, run: int, result: Dictionary, params := {}) -> void:
	var line := {"suite": suite, "row": row, "mode": "2proc", "run": run, "params": params}
	line.merge(result)
	if not line.has("ok"):
		line["ok"] = false
	Lib.emit_line(line)
	lines.append(line)


func _offerer(opened: bool, connect_ms: float) -> int:
	var planned := ["reliable_1k/2proc", "reliable_16k/2proc", "reliable_64k/2proc", "rtt/2proc"]
	var sizes := {"reliable_1k": 1024, "reliable_16k": 16384, "reliable_64k": 65536}
	var total: int = (4 << 20) if short else (32 << 20)
	var rounds := 300 if short else 1000
	for run in range(1, runs + 1):
		for row in sizes:
			if not opened:
				_record(row, run, {"ok": false, "error": "channels did not open across processes"})
				continue
			_record(row, run, _throughput(sizes[row], total), {"message_bytes": sizes[row], "total_bytes": total})
		if opened:
			_record("rtt", run, _rtt(rounds), {"rounds": rounds, "message_bytes": 32})
		else:
			_record("rtt", run, {"ok": false, "error": "channels did not open across processes"})
	if opened:
		_send_control({"cmd": "bye"})
	var failed := 0
	for line in lines:
		if not line["ok"]:
			failed += 1
	Lib.emit_line({"suite": suite, "row": "_summary", "part": "2proc", "ok": failed == 0 and opened,
		"planned": planned, "failed": failed, "connect_ms": Lib.round3(connect_ms), "runs": runs})
	print("")
	print(Lib.table(lines))
	return 0 if failed == 0 and opened else 1


## Sends `total` bytes; the answerer says when it has them all (and its CPU time).
func _throughput(size: int, total: int) -> Dictionary:
	var message := Lib.payload(size, 0xA5)
	_send_control({"cmd": "expect", "bytes": total})
	var sent := 0
	var cpu_before := Lib.cpu_seconds()
	var drops_before := Lib.udp_rcvbuf_errors()
	var started := Time.get_ticks_usec()
	var deadline := started + 30000000
	var reply = null
	while reply == null:
		while sent < total and bulk.get_buffered_amount() < MAX_BUFFERED:
			if bulk.put_packet(message) != OK:
				return {"ok": false, "error": "put_packet failed after %d bytes" % sent}
			sent += size
		peer.poll()
		reply = _read_control()
		if Time.get_ticks_usec() > deadline:
			return {"ok": false, "error": "the answerer did not confirm %d bytes within 30 s" % total}
	var seconds := (Time.get_ticks_usec() - started) / 1e6
	var cpu := Lib.cpu_seconds() - cpu_before
	if not (reply is Dictionary) or reply.get("cmd") != "got":
		return {"ok": false, "error": "unexpected control reply %s" % str(reply)}
	var mb := total / 1e6
	var cpu_both: float = cpu + float(reply["cpu_s"])
	return {"ok": true, "metrics": {"mb_s": Lib.round3(mb / seconds),
		"cpu_ms_per_mb": Lib.round3(cpu_both * 1000.0 / mb),
		"sender_cpu_ms_per_mb": Lib.round3(cpu * 1000.0 / mb),
		"receiver_cpu_ms_per_mb": Lib.round3(float(reply["cpu_s"]) * 1000.0 / mb),
		"seconds": Lib.round3(seconds), "udp_drops": Lib.udp_rcvbuf_errors() - drops_before}}


func _rtt(rounds: int) -> Dictionary:
	var message := Lib.payload(32, 0x5A)
	var warmup := 20
	var samples := []
	for i in warmup + rounds:
		var started := Time.get_ticks_usec()
		var deadline := started + 5000000
		ping.put_packet(message)
		while ping.get_available_packet_count() == 0:
			if Time.get_ticks_usec() > deadline:
				return {"ok": false, "error": "round %d: no echo within 5 s" % i}
			peer.poll()
		ping.get_packet()
		if i >= warmup:
			samples.append(float(Time.get_ticks_usec() - started))
	return {"ok": true, "metrics": Lib.distribution(samples, "us", [50, 99])}


## Counts bulk bytes, echoes pings and answers control messages until "bye".
func _answerer() -> int:
	var expected := -1
	var got := 0
	var cpu_before := 0.0
	var deadline := Time.get_ticks_msec() + 600000
	while Time.get_ticks_msec() < deadline:
		peer.poll()
		while bulk.get_available_packet_count() > 0:
			got += bulk.get_packet().size()
		while ping.get_available_packet_count() > 0:
			ping.put_packet(ping.get_packet())
		if expected >= 0 and got >= expected:
			_send_control({"cmd": "got", "bytes": got, "cpu_s": Lib.cpu_seconds() - cpu_before})
			expected = -1
			got = 0
		var message = _read_control()
		if message is Dictionary:
			if message.get("cmd") == "expect":
				# Bulk bytes may overtake this message (another channel):
				# `got` already counts them.
				expected = int(message["bytes"])
				cpu_before = Lib.cpu_seconds()
			elif message.get("cmd") == "bye":
				return 0
		if peer.get_connection_state() != WebRTCPeerConnection.STATE_CONNECTED:
			printerr("answer: connection lost")
			return 1
	printerr("answer: no bye within 600 s")
	return 1
