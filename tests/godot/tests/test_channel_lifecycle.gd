## No lost data, no zombie channels: closing with data queued, the remote's
## max-message-size, a full outgoing queue, the buffered amount, signals after
## close() and the answerer's signaling states. Two real peers in one process.
extends "res://lib/harness.gd"


func _message(size: int, seed: int) -> PackedByteArray:
	var data := PackedByteArray()
	data.resize(size)
	for i in size:
		data[i] = (i * 7 + seed) % 251
	return data


## Two linked peers whose first channel is open on both ends; the answer goes
## through `rewrite_answer` on its way to the offerer (to imitate a foreign peer).
func _open_pair(rewrite_answer := Callable()) -> Dictionary:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	var received: Array = []
	b.data_channel_received.connect(func(ch): received.append(ch))
	a.session_description_created.connect(a.set_local_description)
	a.session_description_created.connect(b.set_remote_description)
	a.ice_candidate_created.connect(b.add_ice_candidate)
	b.session_description_created.connect(b.set_local_description)
	b.session_description_created.connect(func(type, sdp):
		a.set_remote_description(type, rewrite_answer.call(sdp) if rewrite_answer.is_valid() else sdp))
	b.ice_candidate_created.connect(a.add_ice_candidate)
	var chat := a.create_data_channel("chat")
	a.create_offer()
	var ok := await pump_until([a, b], func(): return chat.get_ready_state() == WebRTCDataChannel.STATE_OPEN \
		and received.size() == 1 and received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN)
	return {"a": a, "b": b, "chat": chat, "remote": received[0] if ok else null, "received": received}


## The negotiated limit of `peer`'s first channel, as get_stats() reports it
## (the same value the engine gets from _get_max_packet_size).
func _max_message_size(peer: WebRTCPeerConnection) -> int:
	return peer.call("get_stats")["channels"][0]["max_message_size"]


## Reads every message `channel` gets until it is CLOSED (or the time is up).
func _drain_until_closed(peers: Array, channel: WebRTCDataChannel, got: Array, timeout_s := 15.0) -> bool:
	return await pump_until(peers, func():
		while channel.get_available_packet_count() > 0:
			got.append(channel.get_packet())
		return channel.get_ready_state() == WebRTCDataChannel.STATE_CLOSED \
			and channel.get_available_packet_count() == 0, timeout_s)


func test_channel_close_delivers_everything_queued_first() -> void:
	var p := await _open_pair()
	if not check(p.remote != null, "open"):
		return
	var chat: WebRTCDataChannel = p.chat
	# Built first, so the 64 puts come in one burst: 1 MiB is still queued at close().
	var messages: Array = []
	for i in 64:
		messages.append(_message(16384, i))
	for i in 64:
		check_eq(chat.put_packet(messages[i]), OK, "put 16 KiB #%d" % i)
	chat.close()
	check_eq(chat.get_ready_state(), WebRTCDataChannel.STATE_CLOSING, "CLOSING while queued data goes out")
	var got: Array = []
	check(await _drain_until_closed([p.a, p.b], p.remote, got), "remote end reaches CLOSED")
	check_eq(got.size(), 64, "every message queued before close() arrives")
	var intact := true
	for i in got.size():
		intact = intact and got[i] == _message(16384, i)
	check(intact, "in order and intact")
	check(await pump_until([p.a, p.b], func(): return chat.get_ready_state() == WebRTCDataChannel.STATE_CLOSED), "local end reaches CLOSED")
	check_eq(chat.get_buffered_amount(), 0, "nothing buffered once closed")
	check_eq(p.a.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "connection stays up")


func test_connection_close_still_delivers_what_was_queued() -> void:
	var p := await _open_pair()
	if not check(p.remote != null, "open"):
		return
	var chat: WebRTCDataChannel = p.chat
	for i in 64:
		chat.put_packet(_message(16384, i))
	p.a.close()
	check_eq(chat.get_ready_state(), WebRTCDataChannel.STATE_CLOSED, "CLOSED at once for the script")
	var got: Array = []
	check(await _drain_until_closed([p.b], p.remote, got), "remote end reaches CLOSED")
	check_eq(got.size(), 64, "everything queued before WebRTCPeerConnection.close() arrives")


func test_remote_max_message_size_is_honoured_and_the_channel_keeps_working() -> void:
	var p := await _open_pair(func(sdp: String):
		check(sdp.contains("a=max-message-size:262144"), "our answer advertises 262144")
		return sdp.replace("a=max-message-size:262144", "a=max-message-size:16384"))
	if not check(p.remote != null, "open"):
		return
	var chat: WebRTCDataChannel = p.chat
	var remote: WebRTCDataChannel = p.remote
	check_eq(_max_message_size(p.a), 16384, "the remote's limit is ours to send (get_stats)")
	check_eq(_max_message_size(p.b), 262144, "the other way: our own limit")
	check(chat.put_packet(_message(20000, 1)) != OK, "20000 bytes refused at once")
	check_eq(chat.get_ready_state(), WebRTCDataChannel.STATE_OPEN, "still open")
	check_eq(chat.put_packet(_message(16384, 2)), OK, "16384 bytes accepted")
	check(await next_packet([p.a, p.b], remote) == _message(16384, 2), "and delivered")
	check_eq(chat.put_packet(PackedByteArray([5])), OK, "later sends work")
	check_eq(await next_packet([p.a, p.b], remote), PackedByteArray([5]), "and arrive")


func test_messages_of_262144_bytes_both_ways() -> void:
	var p := await _open_pair()
	if not check(p.remote != null, "open"):
		return
	var chat: WebRTCDataChannel = p.chat
	var remote: WebRTCDataChannel = p.remote
	check_eq([_max_message_size(p.a), _max_message_size(p.b)], [262144, 262144], "both ends accept 262144")
	check_eq(chat.put_packet(_message(262144, 3)), OK, "put 262144")
	check(await next_packet([p.a, p.b], remote) == _message(262144, 3), "262144 bytes arrive intact")
	check_eq(remote.put_packet(_message(262144, 4)), OK, "put 262144 back")
	check(await next_packet([p.a, p.b], chat) == _message(262144, 4), "and the other way")
	check(chat.put_packet(_message(262145, 5)) != OK, "262145 refused")
	check_eq(chat.put_packet(PackedByteArray([1])), OK, "small after large")
	check_eq(await next_packet([p.a, p.b], remote), PackedByteArray([1]), "small arrives")


func test_outgoing_queue_is_bounded_and_nothing_accepted_is_lost() -> void:
	var p := await _open_pair()
	if not check(p.remote != null, "open"):
		return
	var chat: WebRTCDataChannel = p.chat
	var remote: WebRTCDataChannel = p.remote
	const LIMIT := 16 * 1024 * 1024
	var accepted := 0
	var refused := OK
	var buffered_when_refused := 0
	var message := _message(65536, 9)
	# Far faster than loopback delivers, and b's inbox stops taking more at 8 MiB.
	for i in 1000:
		var before := chat.get_buffered_amount()
		var err := chat.put_packet(message)
		if err != OK:
			refused = err
			buffered_when_refused = before
			break
		accepted += 1
	check_eq(refused, ERR_OUT_OF_MEMORY, "a full queue refuses with ERR_OUT_OF_MEMORY")
	check(buffered_when_refused + 65536 > LIMIT and buffered_when_refused <= LIMIT, "refused only past 16 MiB buffered (%d)" % buffered_when_refused)
	check_eq(chat.get_ready_state(), WebRTCDataChannel.STATE_OPEN, "still open")
	var count := [0]
	var ok := await pump_until([p.a, p.b], func():
		while remote.get_available_packet_count() > 0:
			count[0] += 1 if remote.get_packet() == message else 1000000
		return count[0] >= accepted, 30.0)
	check(ok and count[0] == accepted, "all %d accepted messages arrive intact (got %d)" % [accepted, count[0]])
	check(await pump_until([p.a, p.b], func(): return chat.get_buffered_amount() == 0), "drains to 0")
	check_eq(chat.put_packet(PackedByteArray([1])), OK, "accepted again once drained")


func test_buffered_amount_counts_only_what_put_packet_accepted() -> void:
	var p := await _open_pair()
	if not check(p.remote != null, "open"):
		return
	var a: WebRTCPeerConnection = p.a
	var buf := a.create_data_channel("buf")
	var opened := await pump_until([p.a, p.b], func(): return buf.get_ready_state() == WebRTCDataChannel.STATE_OPEN)
	if not check(opened, "in-band channel opens"):
		return
	# Checked the moment it is OPEN: its DATA_CHANNEL_OPEN may not be acknowledged yet.
	check_eq(buf.get_buffered_amount(), 0, "no control message counted")
	check_eq(buf.put_packet(PackedByteArray([1, 2, 3])), OK, "put")
	check_eq(buf.get_buffered_amount(), 3, "counts what was put")
	check(await pump_until([p.a, p.b], func(): return buf.get_buffered_amount() == 0), "back to 0 once acknowledged")


func test_nothing_is_emitted_after_close() -> void:
	var a := WebRTCPeerConnection.new()
	var emitted: Array = []
	a.session_description_created.connect(func(type, _sdp): emitted.append(type))
	a.ice_candidate_created.connect(func(_m, _i, _c): emitted.append("candidate"))
	var channel := a.create_data_channel("x")
	# A control peer doing the same but staying open: once it has emitted its
	# offer and a candidate, a closed `a` had every chance to emit too.
	var control := WebRTCPeerConnection.new()
	var control_emitted: Array = []
	control.session_description_created.connect(func(type, _sdp): control_emitted.append(type))
	control.ice_candidate_created.connect(func(_m, _i, _c): control_emitted.append("candidate"))
	var control_channel := control.create_data_channel("x")
	check_eq(a.create_offer(), OK, "create_offer")
	check_eq(control.create_offer(), OK, "control create_offer")
	a.close()
	check(await pump_until([a, control], func(): return control_emitted.has("candidate")), "the control peer emits its offer and a candidate")
	check_eq(control_emitted[0] if not control_emitted.is_empty() else "", "offer", "the control's offer came first")
	check_eq(emitted, [], "no signal after close()")
	check_eq(channel.get_ready_state(), WebRTCDataChannel.STATE_CLOSED, "its channel is CLOSED")
	check(control_channel != null, "the control's channel")
	control.close()


## Godot's class reference: set_remote_description("offer") leads to
## HAVE_REMOTE_OFFER; the answer comes through session_description_created and
## set_local_description("answer") brings it back to STABLE.
func test_answerer_signaling_states_with_set_local_description() -> void:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	var offers: Array = []
	a.session_description_created.connect(func(type, sdp): offers.append([type, sdp]))
	a.ice_candidate_created.connect(b.add_ice_candidate)
	b.ice_candidate_created.connect(a.add_ice_candidate)
	var states: Array = []
	b.session_description_created.connect(func(type, sdp):
		states.append(b.get_signaling_state())
		check_eq(b.set_local_description(type, sdp), OK, "set_local_description(answer)")
		states.append(b.get_signaling_state())
		a.set_remote_description(type, sdp))
	# Godot's class reference: a received channel nobody keeps is closed, which
	# would close `chat` too, perhaps before a poll saw it OPEN.
	var received: Array = []
	b.data_channel_received.connect(received.append)
	var chat := a.create_data_channel("chat")
	a.create_offer()
	await pump_until([a], func(): return offers.size() == 1)
	check_eq(b.set_remote_description(offers[0][0], offers[0][1]), OK, "offer applied")
	check_eq(b.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_HAVE_REMOTE_OFFER, "HAVE_REMOTE_OFFER after the offer")
	check(await pump_until([a, b], func(): return chat.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "connects")
	check_eq(states, [WebRTCPeerConnection.SIGNALING_STATE_HAVE_REMOTE_OFFER, WebRTCPeerConnection.SIGNALING_STATE_STABLE], "states around set_local_description")


## Scripts written for the official plugin never pass the answer to
## set_local_description: it is applied right after it is emitted.
func test_answerer_without_set_local_description_still_connects() -> void:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	a.session_description_created.connect(a.set_local_description)
	a.session_description_created.connect(b.set_remote_description)
	a.ice_candidate_created.connect(b.add_ice_candidate)
	var seen: Array = []
	b.session_description_created.connect(func(type, sdp):
		seen.append(b.get_signaling_state())
		a.set_remote_description(type, sdp))
	b.ice_candidate_created.connect(a.add_ice_candidate)
	var received: Array = []
	b.data_channel_received.connect(received.append)
	var chat := a.create_data_channel("chat")
	a.create_offer()
	check(await pump_until([a, b], func(): return chat.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "connects")
	check_eq(seen, [WebRTCPeerConnection.SIGNALING_STATE_HAVE_REMOTE_OFFER], "answer emitted in HAVE_REMOTE_OFFER")
	check_eq(b.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_STABLE, "STABLE afterwards")


func test_a_vanished_peer_leaves_no_open_channel_behind() -> void:
	var p := await _open_pair()
	if not check(p.remote != null, "open"):
		return
	var chat: WebRTCDataChannel = p.chat
	for i in 32:
		chat.put_packet(_message(65536, i))
	p.b.close()
	check(await pump_until([p.a], func(): return chat.get_ready_state() == WebRTCDataChannel.STATE_CLOSED, 15.0), "CLOSED, not OPEN and silent")
	check_eq(chat.get_buffered_amount(), 0, "buffered amount back to 0")
	check(chat.put_packet(PackedByteArray([1])) != OK, "put_packet fails")
