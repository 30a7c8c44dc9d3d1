## Two real peers in one Godot process, wired like Godot's own demos.
extends "res://lib/harness.gd"


func _connected_pair(options := {}) -> Dictionary:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	var received: Array = []
	b.data_channel_received.connect(func(ch): received.append(ch))
	link(a, b)
	var chat := a.create_data_channel("chat", options)
	return {"a": a, "b": b, "chat": chat, "received": received}


func test_default_extension_is_ours_and_usable_without_initialize() -> void:
	var peer := WebRTCPeerConnection.new()
	check(peer.is_class("WebRTCPeerConnectionExtension"), "WebRTCPeerConnection.new() is an extension instance")
	check_eq(peer.get_class(), "WebRTCRsPeerConnection", "class")
	check_eq(peer.get_connection_state(), WebRTCPeerConnection.STATE_NEW, "connection state")
	check_eq(peer.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_STABLE, "signaling state")
	check_eq(peer.get_gathering_state(), WebRTCPeerConnection.GATHERING_STATE_NEW, "gathering state")
	var channel := peer.create_data_channel("x")
	check(channel != null, "create_data_channel works without initialize()")
	check_eq(channel.get_ready_state(), WebRTCDataChannel.STATE_CONNECTING, "new channel state")
	check_eq(peer.poll(), OK, "poll")


func test_offer_answer_connect_and_exchange_text_and_binary() -> void:
	var p := _connected_pair({"protocol": "chat-v1"})
	var a: WebRTCPeerConnection = p.a
	var b: WebRTCPeerConnection = p.b
	var chat: WebRTCDataChannel = p.chat
	var descriptions: Array = []
	var echoes: Array = []
	a.session_description_created.connect(func(type, sdp):
		descriptions.append("a:" + type)
		echoes.append(a.set_local_description(type, sdp)))
	b.session_description_created.connect(func(type, _sdp): descriptions.append("b:" + type))
	var candidates: Array = []
	a.ice_candidate_created.connect(func(mid, index, name): candidates.append([mid, index, name]))
	check_eq(a.create_offer(), OK, "create_offer")
	check_eq(a.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_HAVE_LOCAL_OFFER, "signaling after offer")
	var opened := await pump_until([a, b], func():
		return chat.get_ready_state() == WebRTCDataChannel.STATE_OPEN and p.received.size() == 1 \
			and p.received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN)
	if not check(opened, "both ends OPEN"):
		return
	check_eq(descriptions, ["a:offer", "b:answer"], "session_description_created order")
	check_eq(echoes, [OK], "set_local_description with the emitted description returns OK")
	check(candidates.size() > 0, "ice_candidate_created emitted")
	for c in candidates:
		check_eq(c[0], "0", "candidate media id is the real a=mid")
		check_eq(c[1], 0, "candidate m-line index")
		check(String(c[2]).begins_with("candidate:"), "candidate line: " + str(c[2]))
	check_eq(a.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "a connected")
	check_eq(b.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "b connected")
	check_eq(a.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_STABLE, "a stable")
	check_eq(a.get_gathering_state(), WebRTCPeerConnection.GATHERING_STATE_COMPLETE, "a gathering complete")

	var remote: WebRTCDataChannel = p.received[0]
	check_eq(remote.get_label(), "chat", "remote label")
	check_eq(remote.get_protocol(), "chat-v1", "remote protocol")
	check_eq(remote.get_id(), chat.get_id(), "same stream id on both ends")
	check(chat.get_id() >= 0 and chat.get_id() < 65535, "id assigned after negotiation")
	check(remote.is_ordered() and chat.is_ordered(), "ordered by default")
	check(not remote.is_negotiated() and not chat.is_negotiated(), "in-band")
	check_eq(remote.get_max_retransmits(), 65535, "unset maxRetransmits reads 65535")
	check_eq(remote.get_max_packet_life_time(), 65535, "unset maxPacketLifeTime reads 65535")

	chat.write_mode = WebRTCDataChannel.WRITE_MODE_TEXT
	check_eq(chat.put_packet("héllo".to_utf8_buffer()), OK, "put text")
	chat.write_mode = WebRTCDataChannel.WRITE_MODE_BINARY
	check_eq(chat.put_packet(PackedByteArray([1, 2, 3])), OK, "put binary")
	check_eq(chat.put_var({"k": [1, 2.5, "x"]}), OK, "put_var")
	var got = await next_packet([a, b], remote)
	check_eq(got.get_string_from_utf8() if got != null else null, "héllo", "text payload")
	check(remote.was_string_packet(), "text packet is a string packet")
	got = await next_packet([a, b], remote)
	check_eq(got, PackedByteArray([1, 2, 3]), "binary payload")
	check(not remote.was_string_packet(), "binary packet is not a string packet")
	await pump_until([a, b], func(): return remote.get_available_packet_count() > 0)
	check_eq(remote.get_var(), {"k": [1, 2.5, "x"]}, "get_var")
	check_eq(remote.get_packet(), PackedByteArray(), "empty queue returns nothing")
	check_eq(remote.get_packet_error(), ERR_UNAVAILABLE, "empty queue is ERR_UNAVAILABLE")


func test_64k_messages_both_ways_and_buffered_amount() -> void:
	var p := _connected_pair()
	var a: WebRTCPeerConnection = p.a
	var b: WebRTCPeerConnection = p.b
	var chat: WebRTCDataChannel = p.chat
	a.create_offer()
	if not check(await pump_until([a, b], func(): return p.received.size() == 1 and chat.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "open"):
		return
	var remote: WebRTCDataChannel = p.received[0]
	await pump_until([a, b], func(): return remote.get_ready_state() == WebRTCDataChannel.STATE_OPEN)
	var big := PackedByteArray()
	big.resize(65536)
	for i in big.size():
		big[i] = (i * 31) % 251
	# The channel-open handshake is acknowledged within a round trip.
	check(await pump_until([a, b], func(): return chat.get_buffered_amount() == 0), "nothing buffered once open")
	for i in 20:
		check_eq(chat.put_packet(big), OK, "put 64 KiB #%d" % i)
	check(chat.get_buffered_amount() > 0, "buffered amount counts queued bytes (%d)" % chat.get_buffered_amount())
	for i in 20:
		var got = await next_packet([a, b], remote)
		if not check(got == big, "64 KiB message %d arrives intact" % i):
			break
	check(await pump_until([a, b], func(): return chat.get_buffered_amount() == 0), "buffered amount drains to 0")
	check_eq(remote.put_packet(big), OK, "64 KiB back")
	check_eq(await next_packet([a, b], chat), big, "64 KiB arrives the other way")
	var too_big := PackedByteArray()
	too_big.resize(262145)
	check(chat.put_packet(too_big) != OK, "262145 bytes (over both ends' a=max-message-size) refused")
	check_eq(chat.get_ready_state(), WebRTCDataChannel.STATE_OPEN, "channel still open after refusing")


func test_negotiated_and_unreliable_channel_options() -> void:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	link(a, b)
	var unreliable_opts := {"negotiated": true, "id": 3, "ordered": false, "maxPacketLifetime": 1}
	var rexmit_opts := {"negotiated": true, "id": 4, "maxRetransmits": 0}
	var ua := a.create_data_channel("unreliable", unreliable_opts)
	var ub := b.create_data_channel("unreliable", unreliable_opts)
	var ra := a.create_data_channel("rexmit", rexmit_opts)
	var rb := b.create_data_channel("rexmit", rexmit_opts)
	check_eq(ua.get_id(), 3, "negotiated id known before connecting")
	check(ua.is_negotiated(), "negotiated")
	check(not ua.is_ordered(), "unordered")
	check_eq(ua.get_max_packet_life_time(), 1, "maxPacketLifetime spelling honoured")
	check_eq(ua.get_max_retransmits(), 65535, "no maxRetransmits")
	check_eq(rb.get_max_retransmits(), 0, "maxRetransmits 0")
	check_eq(rb.get_max_packet_life_time(), 65535, "no lifetime")
	a.create_offer()
	var all_open := func():
		for ch in [ua, ub, ra, rb]:
			if ch.get_ready_state() != WebRTCDataChannel.STATE_OPEN:
				return false
		return true
	if not check(await pump_until([a, b], all_open), "negotiated channels open on both sides"):
		return
	for i in 50:
		ua.put_packet(PackedByteArray([i]))
		ra.put_packet(PackedByteArray([i, i]))
	await pump_until([a, b], func(): return ub.get_available_packet_count() >= 50 and rb.get_available_packet_count() >= 50, 3.0)
	check(ub.get_available_packet_count() > 0, "unreliable channel delivers on a clean link")
	check(rb.get_available_packet_count() > 0, "maxRetransmits channel delivers on a clean link")


func test_candidates_before_remote_description_are_queued() -> void:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	var early: Array = []
	var offer := []
	a.session_description_created.connect(func(type, sdp): offer.append([type, sdp]))
	a.ice_candidate_created.connect(func(mid, index, name): early.append([mid, index, name]))
	b.session_description_created.connect(a.set_remote_description)
	b.ice_candidate_created.connect(a.add_ice_candidate)
	var ch := a.create_data_channel("c")
	a.create_offer()
	await pump_until([a], func(): return a.get_gathering_state() == WebRTCPeerConnection.GATHERING_STATE_COMPLETE)
	check(early.size() > 0, "offerer gathered candidates")
	for c in early:
		check_eq(b.add_ice_candidate(c[0], c[1], c[2]), OK, "candidate accepted before the remote description")
		var bare: String = c[2]
		check_eq(b.add_ice_candidate(c[0], c[1], bare.trim_prefix("candidate:")), OK, "candidate accepted without prefix")
	check_eq(b.set_remote_description(offer[0][0], offer[0][1]), OK, "offer applied after candidates")
	var received: Array = []
	b.data_channel_received.connect(func(c): received.append(c))
	check(await pump_until([a, b], func(): return ch.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "connects with queued candidates")


func test_close_notifies_remote_and_initialize_starts_fresh() -> void:
	var p := _connected_pair()
	var a: WebRTCPeerConnection = p.a
	var b: WebRTCPeerConnection = p.b
	var chat: WebRTCDataChannel = p.chat
	a.create_offer()
	if not check(await pump_until([a, b], func(): return p.received.size() == 1 and p.received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN), "open"):
		return
	var remote: WebRTCDataChannel = p.received[0]
	a.close()
	check_eq(a.get_connection_state(), WebRTCPeerConnection.STATE_CLOSED, "CLOSED right after close()")
	check_eq(a.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_CLOSED, "signaling CLOSED")
	check_eq(chat.get_ready_state(), WebRTCDataChannel.STATE_CLOSED, "local channel CLOSED")
	check(chat.put_packet(PackedByteArray([1])) != OK, "put on a closed channel fails")
	check(await pump_until([a, b], func(): return remote.get_ready_state() == WebRTCDataChannel.STATE_CLOSED), "remote channel sees the close")
	check(a.create_offer() != OK, "create_offer after close fails")
	check(a.create_data_channel("late") == null, "create_data_channel after close fails")
	check_eq(a.initialize({}), OK, "initialize after close")
	check_eq(a.get_connection_state(), WebRTCPeerConnection.STATE_NEW, "NEW after initialize")
	# The fresh connection works end to end.
	var c := WebRTCPeerConnection.new()
	for connection in a.session_description_created.get_connections():
		a.session_description_created.disconnect(connection["callable"])
	for connection in a.ice_candidate_created.get_connections():
		a.ice_candidate_created.disconnect(connection["callable"])
	link(a, c)
	# A received channel nobody keeps is closed (Godot's class reference).
	var kept: Array = []
	c.data_channel_received.connect(kept.append)
	var again := a.create_data_channel("again")
	a.create_offer()
	check(await pump_until([a, c], func(): return again.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "re-initialized peer connects")


func test_channel_close_from_either_side() -> void:
	var p := _connected_pair()
	var a: WebRTCPeerConnection = p.a
	var b: WebRTCPeerConnection = p.b
	var extra := a.create_data_channel("extra")
	var chat: WebRTCDataChannel = p.chat
	a.create_offer()
	if not check(await pump_until([a, b], func(): return p.received.size() == 2 and p.received[1].get_ready_state() == WebRTCDataChannel.STATE_OPEN), "both channels open"):
		return
	var remote_chat: WebRTCDataChannel = p.received[0] if p.received[0].get_label() == "chat" else p.received[1]
	var remote_extra: WebRTCDataChannel = p.received[1] if remote_chat == p.received[0] else p.received[0]
	remote_chat.close()
	check(await pump_until([a, b], func(): return chat.get_ready_state() == WebRTCDataChannel.STATE_CLOSED), "closing the answerer's end closes the offerer's")
	check_eq(extra.get_ready_state(), WebRTCDataChannel.STATE_OPEN, "other channel stays open")
	extra.put_packet(PackedByteArray([9]))
	check_eq(await next_packet([a, b], remote_extra), PackedByteArray([9]), "other channel still carries data")
	check_eq(a.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "connection stays up")


func test_dropping_a_peer_closes_it() -> void:
	var p := _connected_pair()
	var b: WebRTCPeerConnection = p.b
	var a: WebRTCPeerConnection = p.a
	a.create_offer()
	if not check(await pump_until([a, b], func(): return p.received.size() == 1 and p.received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN), "open"):
		return
	var remote: WebRTCDataChannel = p.received[0]
	p.erase("a")
	p.erase("chat")
	a = null
	check(await pump_until([b], func(): return remote.get_ready_state() == WebRTCDataChannel.STATE_CLOSED), "remote notices a peer the script dropped")


func test_dropping_a_channel_closes_it() -> void:
	var p := _connected_pair()
	var a: WebRTCPeerConnection = p.a
	var b: WebRTCPeerConnection = p.b
	var keep := a.create_data_channel("keep")
	a.create_offer()
	if not check(await pump_until([a, b], func(): return p.received.size() == 2 and p.received.all(func(c): return c.get_ready_state() == WebRTCDataChannel.STATE_OPEN)), "open"):
		return
	var remote_chat: WebRTCDataChannel = p.received[0] if p.received[0].get_label() == "chat" else p.received[1]
	p.erase("chat")
	check(await pump_until([a, b], func(): return remote_chat.get_ready_state() == WebRTCDataChannel.STATE_CLOSED), "remote sees a channel the script dropped close")
	check_eq(keep.get_ready_state(), WebRTCDataChannel.STATE_OPEN, "the channel still referenced stays open")


func test_channel_created_after_connecting_opens_in_band() -> void:
	var p := _connected_pair()
	var a: WebRTCPeerConnection = p.a
	var b: WebRTCPeerConnection = p.b
	a.create_offer()
	if not check(await pump_until([a, b], func(): return p.received.size() == 1 and p.received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN), "open"):
		return
	var late := a.create_data_channel("late", {"ordered": false})
	check(late != null, "create_data_channel on a connected peer")
	if not check(await pump_until([a, b], func(): return p.received.size() == 2 and late.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "late channel announced and open"):
		return
	var remote_late: WebRTCDataChannel = p.received[1]
	check_eq(remote_late.get_label(), "late", "label")
	check(not remote_late.is_ordered(), "options carried in-band")
	late.put_packet(PackedByteArray([7]))
	check_eq(await next_packet([a, b], remote_late), PackedByteArray([7]), "late channel carries data")


## A host that sends on a negotiated channel the moment it is open, before the
## other side has created its end (vendor/webrtc-sctp/PATCHED.md, section 4):
## that side's channel still opens and gets every message, in order.
func test_negotiated_channel_created_after_the_peer_sent_on_it() -> void:
	var p := _connected_pair()
	var a: WebRTCPeerConnection = p.a
	var b: WebRTCPeerConnection = p.b
	a.create_offer()
	if not check(await pump_until([a, b], func(): return p.received.size() == 1 and p.received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN), "open"):
		return
	var options := {"negotiated": true, "id": 9}
	var early := a.create_data_channel("early", options)
	if not check(await pump_until([a, b], func(): return early.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "a's end open"):
		return
	for i in 20:
		check_eq(early.put_packet(PackedByteArray([i])), OK, "put_packet %d before b's end exists" % i)
	check(await pump_until([a, b], func(): return early.get_buffered_amount() == 0), "b acknowledged them")
	var late := b.create_data_channel("early", options)
	if not check(late != null, "b creates its end after the data arrived"):
		return
	if not check(await pump_until([a, b], func(): return late.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "b's end opens"):
		return
	for i in 20:
		check_eq(await next_packet([a, b], late), PackedByteArray([i]), "message %d" % i)
	check_eq(p.received.size(), 1, "no channel announced in-band")


func test_get_stats_reports_transport_candidates_and_channel_traffic() -> void:
	var p := _connected_pair()
	var a: WebRTCPeerConnection = p.a
	var b: WebRTCPeerConnection = p.b
	var empty: Dictionary = a.call("get_stats")
	check_eq(empty["local_candidate"], {}, "no selected pair before connecting")
	a.create_offer()
	if not check(await pump_until([a, b], func(): return p.received.size() == 1 and p.received[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN), "open"):
		return
	for i in 4:
		p.chat.put_packet(PackedByteArray([1, 2, 3, 4, 5]))
	var remote: WebRTCDataChannel = p.received[0]
	await pump_until([a, b], func(): return remote.get_available_packet_count() == 4)
	var stats: Dictionary = a.call("get_stats")
	check_eq([stats["ice_state"], stats["dtls_state"], stats["sctp_state"]], ["connected", "connected", "connected"], "transport states")
	check(stats["local_candidate"].get("type") in ["host", "prflx", "srflx", "relay"], "local candidate type: %s" % str(stats["local_candidate"]))
	check(stats["remote_candidate"].get("port", 0) > 0, "remote candidate port: %s" % str(stats["remote_candidate"]))
	check_eq(stats["channels"].size(), 1, "one channel")
	var chat: Dictionary = stats["channels"][0]
	check_eq([chat["label"], chat["messages_sent"], chat["bytes_sent"], chat["state"]], ["chat", 4, 20, WebRTCDataChannel.STATE_OPEN], "channel counters")
	var received: Dictionary = b.call("get_stats")["channels"][0]
	check_eq([received["messages_received"], received["bytes_received"]], [4, 20], "remote counters")
	check_eq(stats["failure_reason"], "", "no failure_reason while connected")
	check_eq(stats["local_candidate"].get("relay_protocol"), "", "no relay protocol for a direct pair")
	# The connectivity checks measured the loopback round trip.
	check(stats["rtt_samples"] >= 1, "RTT measured (%d samples)" % stats["rtt_samples"])
	check(stats["rtt_ms"] > 0.0 and stats["rtt_ms"] < 50.0, "loopback rtt_ms %.3f is between 0 and 50" % stats["rtt_ms"])
	print("  loopback rtt_ms %.3f (%d samples)" % [stats["rtt_ms"], stats["rtt_samples"]])
	# Nothing is lost on loopback: nothing resent, nothing given up.
	check_eq([chat["retransmissions"], stats["retransmissions"]], [0, 0], "loopback: nothing resent (channel, connection)")
	check_eq([stats["messages_lost"], b.call("get_stats")["messages_lost"]], [0, 0], "loopback: nothing lost (either side)")

