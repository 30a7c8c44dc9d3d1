## One of two peers, each in its own network namespace, joined by an emulated
## link with loss and delay (tests/scenarios/net_lossy.sh). Signaling goes
## through files in a shared directory; so does the handshake with the scenario
## script that breaks and restores the link. Usage:
##   godot --headless -s res://net/lossy_peer.gd -- <offer|answer> <dir>
## The test methods run in order and share one connection. Lines starting with
## "NET " are measurements.
##
## Files in <dir>: round1/ and round2/ (signaling); for each link event PHASE
## (blackhole, blip, cut): <role>.ready_PHASE (this peer waits for it),
## PHASE.start and PHASE.end (written by the scenario, holding the Unix time in
## ms at which the link broke and came back), <role>.done_PHASE (this peer is
## done with it).
extends "res://lib/harness.gd"

const FileSignaling := preload("res://procs/file_signaling.gd")

const CONNECT_LIMIT_S := 15.0
const RELIABLE_COUNT := 500
const UNRELIABLE_COUNT := 1000
const UNRELIABLE_RATE := 400 ## messages per second
const STALL_MS := 1000 ## a longer silence on an unreliable channel is a stall
const RECOVER_LIMIT_S := 10.0 ## after a brief outage, traffic must flow again within this
const CUT_LIMIT_S := 60.0 ## how long a peer may take to report FAILED after the cut

var role := ""
var dir := ""
var signaling
var peer := WebRTCPeerConnection.new()
## Negotiated: reliable ordered (id 1) and unordered with maxRetransmits 0 (id 2).
var rel: WebRTCDataChannel
var unrel: WebRTCDataChannel
## In-band (DCEP), unordered with maxRetransmits 0, created by the offerer.
var inband: WebRTCDataChannel
var connected := false
## Control messages ("RDONE", "USENT x", "ODONE n") seen on the reliable channel.
var control := {}


func _ready_args() -> bool:
	if role != "":
		return true
	var args := OS.get_cmdline_user_args()
	if not check(args.size() == 2 and args[0] in ["offer", "answer"], "arguments: <offer|answer> <dir>"):
		return false
	role = args[0]
	dir = args[1]
	peer.session_description_created.connect(func(type, sdp):
		peer.set_local_description(type, sdp)
		signaling.send_description(type, sdp))
	peer.data_channel_received.connect(func(channel): inband = channel)
	peer.ice_candidate_created.connect(func(mid, index, line):
		print("NET %s candidate %s" % [role, line])
		signaling.send_candidate(mid, index, line))
	return true


## Starts a connection with signaling in <dir>/<round_name>.
func _start(round_name: String) -> void:
	var round_dir := dir.path_join(round_name)
	DirAccess.make_dir_recursive_absolute(round_dir)
	signaling = FileSignaling.new(round_dir, role, "answer" if role == "offer" else "offer")
	rel = peer.create_data_channel("rel", {"negotiated": true, "id": 1})
	unrel = peer.create_data_channel("unrel", {"negotiated": true, "id": 2, "ordered": false, "maxRetransmits": 0})
	control = {}
	inband = null
	if role == "offer":
		inband = peer.create_data_channel("inband", {"ordered": false, "maxRetransmits": 0})
		check_eq(peer.create_offer(), OK, "create_offer")


func _all_open() -> bool:
	return _channel_states() == [WebRTCDataChannel.STATE_OPEN, WebRTCDataChannel.STATE_OPEN, WebRTCDataChannel.STATE_OPEN]


## Ready states of [rel, unrel, inband]; -1 for an in-band channel not received yet.
func _channel_states() -> Array:
	return [rel, unrel, inband].map(func(channel): return channel.get_ready_state() if channel != null else -1)


## Connection, ICE gathering and signaling states, and the channels', for the log.
func _describe() -> String:
	return "connection=%d gathering=%d signaling=%d channels [rel, unrel, inband]=%s" % [
		peer.get_connection_state(), peer.get_gathering_state(), peer.get_signaling_state(), str(_channel_states())]


func _pump_until(condition: Callable, timeout_s: float) -> bool:
	return await pump_signaled_until(peer, signaling, condition, timeout_s)


static func _now_unix_ms() -> int:
	return int(Time.get_unix_time_from_system() * 1000.0)


func _mark(name: String) -> void:
	var file := FileAccess.open(dir.path_join(name), FileAccess.WRITE)
	file.store_string(str(_now_unix_ms()))
	file.close()


## The Unix ms time stored in <dir>/<name>, or -1 while it is not (fully) there.
func _marker_time(name: String) -> int:
	var path := dir.path_join(name)
	if not FileAccess.file_exists(path):
		return -1
	var text := FileAccess.get_file_as_string(path).strip_edges()
	return int(text) if text.is_valid_int() else -1


## Message i on the reliable channel: "R <i> " plus a pattern, 100..499 bytes.
static func _reliable_message(i: int) -> PackedByteArray:
	var head := ("R %d " % i).to_utf8_buffer()
	var size := 100 + (i * 53) % 400
	var out := head.duplicate()
	out.resize(size)
	for k in range(head.size(), size):
		out[k] = (i + k) % 251
	return out


## Takes a reliable-channel packet: control messages go into `control`, data is returned.
func _take_reliable() -> Variant:
	var packet := rel.get_packet()
	if packet.size() <= 24:
		var text := packet.get_string_from_ascii()
		# "USENT <label>" is kept whole; "ODONE <count>" and "RDONE" by their first word.
		var key := text if text.begins_with("USENT") else text.get_slice(" ", 0)
		if key in ["RDONE", "ODONE"] or text.begins_with("USENT "):
			control[key] = [Time.get_ticks_msec(), text]
			return null
	return packet


## Throws away what arrived on the unreliable channels (and on the reliable one if `reliable`).
func _drain(reliable: bool) -> void:
	for channel in ([rel, unrel, inband] if reliable else [unrel, inband]):
		while channel != null and channel.get_available_packet_count() > 0:
			if channel == rel:
				_take_reliable()
			else:
				channel.get_packet()


func test_1_connects_over_lossy_link() -> void:
	if not _ready_args():
		return
	check_eq(peer.initialize({}), OK, "initialize")
	var started := Time.get_ticks_msec()
	_start("round1")
	var opened := await _pump_until(_all_open, CONNECT_LIMIT_S)
	print("NET %s connect_ms %d %s" % [role, Time.get_ticks_msec() - started, _describe()])
	check(opened, "%s: all three channels OPEN over the lossy link within %d s" % [role, CONNECT_LIMIT_S])
	# Agree with the other peer on whether this attempt worked for both.
	var other := "answer" if role == "offer" else "offer"
	_mark("%s.attempt1_%s" % [role, "ok" if opened else "stuck"])
	var other_ok := dir.path_join("%s.attempt1_ok" % other)
	var other_stuck := dir.path_join("%s.attempt1_stuck" % other)
	await _pump_until(func(): return FileAccess.file_exists(other_ok) or FileAccess.file_exists(other_stuck), 20.0)
	connected = opened and FileAccess.file_exists(other_ok)
	if connected:
		return
	# A stuck attempt fails this test; a second one lets the other tests run.
	print("NET %s first attempt stuck (%s): connecting again for the other tests" % [role, _describe()])
	peer.close()
	peer.initialize({})
	started = Time.get_ticks_msec()
	_start("round1b")
	connected = await _pump_until(_all_open, CONNECT_LIMIT_S)
	print("NET %s second attempt connect_ms %d %s" % [role, Time.get_ticks_msec() - started, _describe()])


func test_2_reliable_ordered_delivers_all() -> void:
	if not check(connected, "connected"):
		return
	var started := Time.get_ticks_msec()
	var sent_bytes := 0
	for i in RELIABLE_COUNT:
		var message := _reliable_message(i)
		sent_bytes += message.size()
		check_eq(rel.put_packet(message), OK, "put reliable %d" % i)
	var r := {"next": 0, "bad": [], "done_sent": false}
	var finished := await _pump_until(func():
		while rel.get_available_packet_count() > 0:
			var packet = _take_reliable()
			if packet == null:
				continue
			if packet != _reliable_message(r.next) and r.bad.size() < 5:
				r.bad.append("expected message %d, got %s" % [r.next, packet.slice(0, 12).get_string_from_ascii()])
			r.next += 1
		if r.next >= RELIABLE_COUNT and not r.done_sent:
			r.done_sent = true
			rel.put_packet("RDONE".to_utf8_buffer())
		return r.done_sent and control.has("RDONE"), 60.0)
	var took := Time.get_ticks_msec() - started
	print("NET %s reliable received=%d of %d in_order=%s ms=%d (%d bytes each way, %.1f KB/s)" % [
		role, r.next, RELIABLE_COUNT, str(r.bad.is_empty()), took, sent_bytes, sent_bytes * 1000.0 / max(took, 1) / 1024.0])
	check_eq(r.next, RELIABLE_COUNT, "%s received every reliable message" % role)
	check(r.bad.is_empty(), "every reliable message intact and in order: %s" % str(r.bad))
	check(finished, "the other peer received all of ours too (RDONE)")
	# Consent checks (every 2 s) have measured the path by now: ~2 x the delay.
	var delay_ms := int(OS.get_environment("LOSSY_DELAY_MS")) if OS.has_environment("LOSSY_DELAY_MS") else 50
	await _pump_until(func(): return peer.call("get_stats").get("rtt_samples", 0) >= 2, 10.0)
	var stats: Dictionary = peer.call("get_stats")
	print("NET %s rtt_ms %.1f (%d samples, link delay %d ms each way)" % [role, stats.get("rtt_ms", -1.0), stats.get("rtt_samples", 0), delay_ms])
	check(stats.get("rtt_samples", 0) >= 2, "%s: get_stats() has RTT samples" % role)
	check(stats.get("rtt_ms", 0.0) >= 1.8 * delay_ms and stats.get("rtt_ms", 0.0) <= 2 * delay_ms + 150,
		"%s: rtt_ms %.1f is about twice the %d ms delay" % [role, stats.get("rtt_ms", -1.0), delay_ms])
	# SCTP resent what the link lost (about 10 % of ~60 KB in chunks of <= 499 bytes).
	var loss := _channel_stats(stats, rel.get_label())
	print("NET %s reliable retransmissions=%d (connection: %d)" % [role,
		loss.get("retransmissions", -1), stats.get("retransmissions", -1)])
	check(loss.get("retransmissions", 0) > 0, "%s: the reliable channel counts retransmissions" % role)
	check(loss.get("retransmissions", 0) < RELIABLE_COUNT, "%s: fewer retransmissions than messages" % role)
	check(stats.get("retransmissions", 0) >= loss.get("retransmissions", 0), "%s: the connection total includes the channel's" % role)


## The entry of `label` in get_stats().channels ({} if none).
func _channel_stats(stats: Dictionary, label: String) -> Dictionary:
	for c in stats.get("channels", []):
		if c.get("label", "") == label:
			return c
	return {}


func test_3_inband_unreliable_loses_some_never_stalls() -> void:
	if not check(connected, "connected"):
		return
	check(not inband.is_ordered(), "in-band channel is unordered on this end")
	check_eq(inband.get_max_retransmits(), 0, "in-band channel maxRetransmits on this end")
	await _unreliable_run(inband, "inband")


## Godot's WebRTCMultiplayerPeer uses negotiated channels for its unreliable modes.
func test_4_negotiated_unreliable_loses_some_never_stalls() -> void:
	if not check(connected, "connected"):
		return
	await _unreliable_run(unrel, "negotiated")


## Both peers send UNRELIABLE_COUNT numbered messages on `channel` at
## UNRELIABLE_RATE, then say so on the reliable channel; checks what arrived.
func _unreliable_run(channel: WebRTCDataChannel, label: String) -> void:
	var started := Time.get_ticks_msec()
	var s := {"sent": 0, "usent_sent": false, "seen": {}, "dups": 0, "reordered": 0, "last_id": -1,
		"arrivals": [], "highest": -1}
	var pad := PackedByteArray()
	pad.resize(80)
	var key := "USENT " + label
	var lost_before: int = peer.call("get_stats").get("messages_lost", 0)
	var finished := await _pump_until(func():
		var due: int = min(UNRELIABLE_COUNT, (Time.get_ticks_msec() - started) * UNRELIABLE_RATE / 1000 + 1)
		while s.sent < due:
			var message := ("U %d " % s.sent).to_utf8_buffer()
			message.append_array(pad)
			channel.put_packet(message)
			s.sent += 1
		if s.sent >= UNRELIABLE_COUNT and not s.usent_sent:
			s.usent_sent = true
			rel.put_packet(key.to_utf8_buffer())
		_take_unreliable(channel, s)
		while rel.get_available_packet_count() > 0:
			_take_reliable()
		# Stragglers: wait a second after the peer said it sent everything.
		return s.usent_sent and control.has(key) and Time.get_ticks_msec() - control[key][0] > 1000, 30.0)
	# What the peer gave up on and we never got is counted here once its
	# FORWARD-TSN has arrived (the last ones may wait for its T3 timer).
	var lost := {"n": 0}
	var accounted := await _pump_until(func():
		_take_unreliable(channel, s)
		lost.n = peer.call("get_stats").get("messages_lost", 0) - lost_before
		return s.seen.size() + lost.n >= UNRELIABLE_COUNT, 10.0)
	var got: int = s.seen.size()
	var arrivals: Array = s.arrivals
	var max_gap := 0
	for k in range(1, arrivals.size()):
		max_gap = max(max_gap, arrivals[k] - arrivals[k - 1])
	var ratio := float(got) / UNRELIABLE_COUNT
	print("NET %s unreliable_%s delivered=%d of %d ratio=%.3f max_gap_ms=%d duplicates=%d reordered=%d highest_id=%d" % [
		role, label, got, UNRELIABLE_COUNT, ratio, max_gap, s.dups, s.reordered, s.highest])
	check(finished, "%s: the other peer finished sending (%s)" % [role, key])
	check(got > 0, "some unreliable messages arrive")
	check(got < UNRELIABLE_COUNT, "a lossy link loses some unreliable messages (%d of %d arrived)" % [got, UNRELIABLE_COUNT])
	check(ratio > 0.5, "most unreliable messages arrive on a 10%%-loss link (ratio %.3f)" % ratio)
	check_eq(s.dups, 0, "no duplicates")
	check(max_gap < STALL_MS, "never stalls: longest silence %d ms < %d ms" % [max_gap, STALL_MS])
	check(s.highest >= UNRELIABLE_COUNT - 20, "still delivering at the end (highest id %d)" % s.highest)
	# maxRetransmits 0: what was lost is never sent again.
	var loss := _channel_stats(peer.call("get_stats"), channel.get_label())
	print("NET %s unreliable_%s retransmissions=%d" % [role, label, loss.get("retransmissions", -1)])
	check_eq(loss.get("retransmissions", -1), 0, "%s: maxRetransmits 0 never retransmits (%s)" % [role, label])
	# Every message is either delivered or counted lost (each is one chunk).
	print("NET %s unreliable_%s messages_lost=%d (delivered %d + lost = %d of %d)" % [
		role, label, lost.n, got, got + lost.n, UNRELIABLE_COUNT])
	check(accounted, "%s: messages_lost accounts for every undelivered message (%s)" % [role, label])
	check_eq(got + lost.n, UNRELIABLE_COUNT, "%s: delivered + messages_lost = sent (%s)" % [role, label])


## Reads what arrived on `channel` into the run's tally `s`.
func _take_unreliable(channel: WebRTCDataChannel, s: Dictionary) -> void:
	while channel.get_available_packet_count() > 0:
		var id := int(channel.get_packet().get_string_from_ascii().get_slice(" ", 1))
		if s.seen.has(id):
			s.dups += 1
			continue
		s.seen[id] = true
		s.arrivals.append(Time.get_ticks_msec())
		if id < s.last_id:
			s.reordered += 1
		s.last_id = id
		s.highest = max(s.highest, id)


## Waits until the scenario has started link event `phase`; returns its start
## time (Unix ms), or -1. Unreliable traffic is thrown away meanwhile; reliable
## messages are left for the phase (the other peer may start first).
func _wait_phase_start(phase: String) -> int:
	_mark("%s.ready_%s" % [role, phase])
	await _pump_until(func():
		_drain(false)
		return _marker_time(phase + ".start") >= 0, 90.0)
	return _marker_time(phase + ".start")


## A brief outage (`phase`, made by the scenario) shorter than ICE's 5 s
## disconnected timeout: the connection must ride it out. Both peers keep
## sending during it; afterwards every reliable message must arrive in order
## and unreliable traffic must flow again.
func _brief_outage(phase: String, what: String) -> void:
	if not connected:
		_mark("%s.ready_%s" % [role, phase])
		_mark("%s.done_%s" % [role, phase])
		check(false, "connected")
		return
	control.erase("ODONE") # from an earlier outage
	var start_ms := await _wait_phase_start(phase)
	if not check(start_ms >= 0, "the scenario started the %s" % what):
		_mark("%s.done_%s" % [role, phase])
		return
	var r := {"sent": 0, "next": 0, "bad": 0, "ticks_after": 0, "first_tick_after": -1, "last_send": 0,
		"states": [], "channel_states": [], "put_errors": [], "odone_sent": false, "end": -1}
	var finished := await _pump_until(func():
		var now := _now_unix_ms()
		if r.end < 0:
			r.end = _marker_time(phase + ".end")
		var state := peer.get_connection_state()
		if r.states.is_empty() or r.states[-1][0] != state:
			r.states.append([state, now - start_ms])
		var channels := _channel_states()
		if r.channel_states.is_empty() or r.channel_states[-1][0] != channels:
			r.channel_states.append([channels, now - start_ms])
		# A numbered reliable message and an unreliable tick every 100 ms.
		if Time.get_ticks_msec() - r.last_send >= 100 and not r.odone_sent:
			r.last_send = Time.get_ticks_msec()
			var err := rel.put_packet(("O %d" % r.sent).to_utf8_buffer())
			if err == OK:
				r.sent += 1
			elif r.put_errors.size() < 3:
				r.put_errors.append(["rel", err, now - start_ms])
			err = inband.put_packet("tick".to_utf8_buffer()) if inband != null else ERR_UNCONFIGURED
			if err != OK and r.put_errors.size() < 3:
				r.put_errors.append(["inband", err, now - start_ms])
		# Once the link is back: a few more, then say how many were sent.
		if r.end >= 0 and now - r.end > 500 and not r.odone_sent:
			r.odone_sent = true
			rel.put_packet(("ODONE %d" % r.sent).to_utf8_buffer())
		while rel.get_available_packet_count() > 0:
			var packet = _take_reliable()
			var text: String = packet.get_string_from_ascii() if packet != null else ""
			if not text.begins_with("O "):
				continue # a control message, or a leftover of an earlier phase
			if text != "O %d" % r.next:
				r.bad += 1
			r.next += 1
		while inband != null and inband.get_available_packet_count() > 0:
			inband.get_packet()
			if r.end >= 0:
				r.ticks_after += 1
				if r.first_tick_after < 0:
					r.first_tick_after = now - r.end
		while unrel.get_available_packet_count() > 0:
			unrel.get_packet()
		if state == WebRTCPeerConnection.STATE_FAILED:
			return true
		var recovered: bool = r.end >= 0 and control.has("ODONE") and r.next >= int(control["ODONE"][1].get_slice(" ", 1))
		var gave_up: bool = r.end >= 0 and now - r.end > RECOVER_LIMIT_S * 1000
		return recovered or gave_up, 30.0 + RECOVER_LIMIT_S)
	var expected := int(control["ODONE"][1].get_slice(" ", 1)) if control.has("ODONE") else -1
	print("NET %s %s outage_ms=%d connection states=%s channel states [rel, unrel, inband]=%s" % [
		role, phase, r.end - start_ms if r.end >= 0 else -1, str(r.states), str(r.channel_states)])
	print("NET %s %s reliable sent=%d received=%d of %d out_of_order=%d; unreliable after: %d, first %d ms after the link came back; put_packet errors [channel, error, ms]=%s" % [
		role, phase, r.sent, r.next, expected, r.bad, r.ticks_after, r.first_tick_after, str(r.put_errors)])
	_mark("%s.done_%s" % [role, phase])
	check(r.end >= 0, "the scenario ended the %s" % what)
	check_eq(peer.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "%s: still CONNECTED after a %s" % [role, what])
	check(_all_open(), "%s: channels still OPEN after a %s (states %s)" % [role, what, str(r.channel_states[-1][0])])
	check(expected >= 0 and r.next == expected and r.bad == 0,
		"%s: every reliable message sent around the %s arrives in order (%d of %d)" % [role, what, r.next, expected])
	check(r.ticks_after > 0, "%s: unreliable traffic flows again after the %s" % [role, what])


func test_5_survives_2s_blackhole() -> void:
	await _brief_outage("blackhole", "2 s outage along the path (interfaces up)")


func test_6_survives_1s_interface_down() -> void:
	await _brief_outage("blip", "1 s local interface down (on the offer side)")


func test_7_link_cut_goes_disconnected_then_failed() -> void:
	var start_ms := await _wait_phase_start("cut")
	if not check(start_ms >= 0, "the scenario cut the link"):
		_mark(role + ".done_cut")
		return
	# Keep talking during the cut, as a game would.
	var r := {"disconnected": -1, "failed": -1, "states": [], "channel_states": [], "last_send": 0}
	await _pump_until(func():
		var since_cut := _now_unix_ms() - start_ms
		if Time.get_ticks_msec() - r.last_send >= 100:
			r.last_send = Time.get_ticks_msec()
			unrel.put_packet("tick".to_utf8_buffer())
			rel.put_packet("tock".to_utf8_buffer())
		_drain(true)
		var channels := _channel_states()
		if r.channel_states.is_empty() or r.channel_states[-1][0] != channels:
			r.channel_states.append([channels, since_cut])
		var state := peer.get_connection_state()
		if r.states.is_empty() or r.states[-1][0] != state:
			r.states.append([state, since_cut])
		if state == WebRTCPeerConnection.STATE_DISCONNECTED and r.disconnected < 0:
			r.disconnected = since_cut
		if state == WebRTCPeerConnection.STATE_FAILED and r.failed < 0:
			r.failed = since_cut
		return r.failed >= 0 or state == WebRTCPeerConnection.STATE_CLOSED, CUT_LIMIT_S)
	print("NET %s cut disconnected_ms=%d failed_ms=%d connection states=%s channel states [rel, unrel, inband]=%s (ms after the cut)" % [
		role, r.disconnected, r.failed, str(r.states), str(r.channel_states)])
	_mark(role + ".done_cut")
	check(r.disconnected >= 0, "%s reports DISCONNECTED after the cut" % role)
	check(r.failed >= 0, "%s reports FAILED within %d s of the cut" % [role, CUT_LIMIT_S])
	if r.failed >= 0:
		check_eq(_channel_states(),
			[WebRTCDataChannel.STATE_CLOSED, WebRTCDataChannel.STATE_CLOSED, WebRTCDataChannel.STATE_CLOSED],
			"channels CLOSED after FAILED")
		# It was connected, then the path went away: the reason says so.
		var reason: String = peer.call("get_stats").get("failure_reason", "")
		print("NET %s cut failure_reason: %s" % [role, reason])
		check(reason.begins_with("consent lost"), "%s failure_reason is consent lost (%s)" % [role, reason])


func test_8_close_initialize_reconnects_after_restore() -> void:
	if not _ready_args():
		return
	var waited := await _pump_until(func(): return _marker_time("cut.end") >= 0, 90.0)
	if not check(waited, "the scenario restored the link"):
		return
	var started := Time.get_ticks_msec()
	peer.close()
	check_eq(peer.get_connection_state(), WebRTCPeerConnection.STATE_CLOSED, "CLOSED after close()")
	check_eq(peer.initialize({}), OK, "initialize() again")
	check_eq(peer.get_connection_state(), WebRTCPeerConnection.STATE_NEW, "NEW after initialize()")
	_start("round2")
	var open := await _pump_until(_all_open, 30.0)
	print("NET %s reconnect_ms %d %s" % [role, Time.get_ticks_msec() - started, _describe()])
	if not check(open, "%s: channels OPEN again after close() + initialize()" % role):
		return
	check_eq(peer.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "CONNECTED again")
	const COUNT := 100
	for i in COUNT:
		rel.put_packet(_reliable_message(i))
	var r := {"next": 0, "bad": 0, "done_sent": false}
	await _pump_until(func():
		while rel.get_available_packet_count() > 0:
			var packet = _take_reliable()
			if packet == null:
				continue
			if packet != _reliable_message(r.next):
				r.bad += 1
			r.next += 1
		if r.next >= COUNT and not r.done_sent:
			r.done_sent = true
			rel.put_packet("RDONE".to_utf8_buffer())
		return r.done_sent and control.has("RDONE"), 30.0)
	print("NET %s after_reconnect reliable received=%d of %d" % [role, r.next, COUNT])
	check_eq(r.next, COUNT, "every message after reconnecting")
	check_eq(r.bad, 0, "in order and intact")
	check(control.has("RDONE"), "the other peer got ours too")
	# Let the RDONE reach the other side before closing.
	await _pump_until(func(): return rel.get_buffered_amount() == 0, 5.0)
	await _pump_until(func(): return false, 0.5)
	peer.close()
