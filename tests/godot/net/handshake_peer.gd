## One of two peers in separate network namespaces (tests/scenarios/net_handshake_loss.sh).
## Connects once per round, each time with a fresh initialize() and a new
## offer/answer, while the scenario's link emulator drops one chosen packet of
## the ICE/DTLS/SCTP handshake. Usage:
##   godot --headless -s res://net/handshake_peer.gd -- <offer|answer> <dir> <watch seconds>
## Round k starts once <dir>/c<k>.go exists (the scenario has set the drop rule);
## <dir>/end ends the loop. The peer writes its result to <dir>/c<k>.<role>:
## "ok <ms to open>" (the answerer: and to get the offerer's first message)
## or "stuck <what it saw>"; an attempt that does not open
## within OPEN_LIMIT_S is watched <watch seconds> more, to see whether it ends.
extends "res://lib/harness.gd"

const FileSignaling := preload("res://procs/file_signaling.gd")
const OPEN_LIMIT_S := 10.0

var role := ""
var dir := ""
var signaling
var peer := WebRTCPeerConnection.new()
var inband: WebRTCDataChannel


func _pump_until(condition: Callable, timeout_s: float) -> bool:
	return await Poll.until(self, func():
		if signaling != null:
			signaling.deliver_to(peer)
			peer.poll(), condition, timeout_s)


func _write(name: String, text: String) -> void:
	var file := FileAccess.open(dir.path_join(name), FileAccess.WRITE)
	file.store_string(text)
	file.close()


func test_connection_attempts() -> void:
	var args := OS.get_cmdline_user_args()
	if not check(args.size() == 3 and args[0] in ["offer", "answer"] and args[2].is_valid_float(),
			"arguments: <offer|answer> <dir> <watch seconds>"):
		return
	role = args[0]
	dir = args[1]
	var watch_s := float(args[2])
	var other := "answer" if role == "offer" else "offer"
	peer.session_description_created.connect(func(type, sdp):
		peer.set_local_description(type, sdp)
		signaling.send_description(type, sdp))
	peer.ice_candidate_created.connect(func(mid, index, line):
		signaling.send_candidate(mid, index, line))
	peer.data_channel_received.connect(func(channel): inband = channel)
	var rounds := 0
	while true:
		var go := dir.path_join("c%d.go" % rounds)
		var end := dir.path_join("end")
		var started_or_ended := await _pump_until(func(): return FileAccess.file_exists(go) or FileAccess.file_exists(end), 120.0)
		if not check(started_or_ended, "the scenario started round %d or ended" % rounds) or not FileAccess.file_exists(go):
			break
		var label := FileAccess.get_file_as_string(go).strip_edges()
		var round_dir := dir.path_join("c%d" % rounds)
		DirAccess.make_dir_recursive_absolute(round_dir)
		signaling = FileSignaling.new(round_dir, role, other)
		peer.initialize({})
		inband = null
		var negotiated := peer.create_data_channel("rel", {"negotiated": true, "id": 1})
		if role == "offer":
			# A 30-byte label gives its DATA_CHANNEL_OPEN a datagram size nothing
			# else has (109 bytes), so net_handshake_loss.sh can drop exactly it.
			inband = peer.create_data_channel("inband (its DCEP open is lost)", {})
			peer.create_offer()
		var started := Time.get_ticks_msec()
		# The offerer sends on its in-band channel the moment it opens, so that
		# data can overtake a lost DATA_CHANNEL_OPEN; the answerer must get it.
		var sent := [false]
		var is_open := func():
			if role == "offer" and not sent[0] and inband != null and inband.get_ready_state() == WebRTCDataChannel.STATE_OPEN:
				sent[0] = inband.put_packet("first".to_utf8_buffer()) == OK
			return negotiated.get_ready_state() == WebRTCDataChannel.STATE_OPEN and inband != null \
				and inband.get_ready_state() == WebRTCDataChannel.STATE_OPEN \
				and (role == "offer" or inband.get_available_packet_count() > 0)
		var opened := await _pump_until(is_open, OPEN_LIMIT_S)
		var result := "ok %d" % (Time.get_ticks_msec() - started)
		if not opened:
			# What becomes of a stuck attempt: [connection state, ms], the channels' states.
			var timeline := [[peer.get_connection_state(), Time.get_ticks_msec() - started]]
			await _pump_until(func():
				var state := peer.get_connection_state()
				if timeline[-1][0] != state:
					timeline.append([state, Time.get_ticks_msec() - started])
				return state == WebRTCPeerConnection.STATE_FAILED or is_open.call(), watch_s)
			result = "stuck; watched for %d s: connection states %s ([state, ms after start]), negotiated channel %d, in-band channel %s" % [
				(Time.get_ticks_msec() - started) / 1000, str(timeline), negotiated.get_ready_state(),
				str(inband.get_ready_state()) if inband != null else "not received"]
		print("NET %s %s: %s" % [role, label, result])
		_write("c%d.%s" % [rounds, role], result)
		# Close only once the other peer is done with this round too.
		var other_done := dir.path_join("c%d.%s" % [rounds, other])
		await _pump_until(func(): return FileAccess.file_exists(other_done), OPEN_LIMIT_S + watch_s + 10.0)
		peer.close()
		signaling = null
		rounds += 1
	check(rounds > 0, "at least one round ran")
