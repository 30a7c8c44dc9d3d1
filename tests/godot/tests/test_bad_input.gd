## Bad input gets a non-OK Error (and a message), never a crash or a hang.
extends "res://lib/harness.gd"


func test_initialize_rejects_bad_configuration() -> void:
	var peer := WebRTCPeerConnection.new()
	var bad := [
		{"iceServers": "stun:stun.example.org"},
		{"iceServers": [42]},
		{"iceServers": [{"urls": 5}]},
		{"iceServers": [{}]},
		{"iceServers": [{"urls": ""}]},
		{"iceServers": [{"urls": "stun:"}]},
		{"iceServers": [{"urls": "foo://x"}]},
		{"iceServers": [{"urls": "turn:host:99999", "username": "u", "credential": "p"}]},
		{"iceServers": [{"urls": "turn:127.0.0.1:3478"}]},
		{"iceServers": [{"urls": ["stun:ok.example.org", Vector2(1, 2)]}]},
		{"iceTransportPolicy": "sometimes"},
		{"bundlePolicy": 3},
	]
	for config in bad:
		check_eq(peer.initialize(config), ERR_INVALID_PARAMETER, "initialize(%s)" % str(config))
	check_eq(peer.initialize({"iceServers": [{"urls": ["stun:127.0.0.1:3478"]}], "iceTransportPolicy": "all", "bundlePolicy": "max-bundle", "unknown": 1}), OK, "good config")
	check_eq(peer.get_connection_state(), WebRTCPeerConnection.STATE_NEW, "NEW after initialize")


func test_create_data_channel_rejects_bad_options() -> void:
	var peer := WebRTCPeerConnection.new()
	var bad := [
		{"negotiated": true},
		{"id": 1},
		{"negotiated": true, "id": 65535},
		{"negotiated": true, "id": -1},
		{"maxRetransmits": 1, "maxPacketLifeTime": 1},
		{"maxPacketLifeTime": -1},
		{"ordered": "yes"},
		{"protocol": 12},
	]
	for options in bad:
		check(peer.create_data_channel("x", options) == null, "create_data_channel(%s) is null" % str(options))
	var kept := peer.create_data_channel("ok", {"negotiated": true, "id": 1})
	check(kept != null, "good negotiated channel")
	check(peer.create_data_channel("dup", {"negotiated": true, "id": 1}) == null, "duplicate negotiated id")


func test_bad_descriptions_and_candidates() -> void:
	var peer := WebRTCPeerConnection.new()
	var keep := peer.create_data_channel("x")
	check_eq(peer.set_remote_description("offer", "garbage"), ERR_INVALID_DATA, "garbage SDP")
	check_eq(peer.set_remote_description("offer", ""), ERR_INVALID_DATA, "empty SDP")
	check_eq(peer.set_remote_description("offer", "v=0\r\n\u0001\u0002binary"), ERR_INVALID_DATA, "binary SDP")
	check_eq(peer.set_remote_description("offer", "v=0\r\n" + "a=x\r\n".repeat(60000)), ERR_INVALID_DATA, "oversized SDP")
	check_eq(peer.set_remote_description("rollback", "v=0"), ERR_INVALID_PARAMETER, "unknown type")
	check_eq(peer.set_remote_description("answer", "v=0"), ERR_UNAVAILABLE, "answer without an offer")
	check_eq(peer.set_local_description("offer", "nonsense"), ERR_INVALID_DATA, "garbage local SDP")
	check_eq(peer.add_ice_candidate("0", 0, "candidate:garbage"), ERR_INVALID_DATA, "garbage candidate")
	check_eq(peer.add_ice_candidate("0", 0, "candidate:1 1 udp"), ERR_INVALID_DATA, "truncated candidate")
	check_eq(peer.add_ice_candidate("0", 0, ""), OK, "empty candidate (end of candidates) is fine")
	var emitted: Array = []
	peer.session_description_created.connect(func(type, _sdp): emitted.append(type))
	check_eq(peer.create_offer(), OK, "offer")
	check(peer.create_offer() != OK, "a second create_offer while one is pending fails")
	check(await pump_until([peer], func(): return not emitted.is_empty()), "the offer is emitted")
	check_eq(emitted, ["offer"], "exactly one offer")
	check_eq(keep.get_ready_state(), WebRTCDataChannel.STATE_CONNECTING, "the refused calls left the channel waiting")
	check_eq(peer.get_signaling_state(), WebRTCPeerConnection.SIGNALING_STATE_HAVE_LOCAL_OFFER, "the one good offer stands")
	peer.close()
	check_eq(keep.get_ready_state(), WebRTCDataChannel.STATE_CLOSED, "close() closes the channel")
	check(peer.set_remote_description("offer", "v=0") != OK, "calls after close fail")
	check(peer.add_ice_candidate("0", 0, "candidate:1 1 udp 1 127.0.0.1 5000 typ host") != OK, "candidate after close fails")


func test_wrong_state_calls_on_channels() -> void:
	var peer := WebRTCPeerConnection.new()
	var channel := peer.create_data_channel("x")
	check_eq(channel.put_packet(PackedByteArray([1])), ERR_UNAVAILABLE, "put on a CONNECTING channel")
	check_eq(channel.get_packet_error(), OK, "no stale packet error")
	check_eq(channel.get_available_packet_count(), 0, "no packets")
	channel.close()
	check_eq(channel.get_ready_state(), WebRTCDataChannel.STATE_CLOSED, "closing a never-opened channel")


func test_candidate_for_unknown_media_id() -> void:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	link(a, b)
	# A received channel nobody keeps is closed (Godot's class reference).
	var kept: Array = []
	b.data_channel_received.connect(kept.append)
	var keep := a.create_data_channel("x")
	a.create_offer()
	await pump_until([a, b], func(): return b.get_signaling_state() == WebRTCPeerConnection.SIGNALING_STATE_STABLE and a.get_signaling_state() == WebRTCPeerConnection.SIGNALING_STATE_STABLE)
	var line := "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host"
	check_eq(b.add_ice_candidate("no-such-mid", 0, line), ERR_INVALID_PARAMETER, "unknown mid")
	check_eq(b.add_ice_candidate("", 7, line), ERR_INVALID_PARAMETER, "unknown m-line index")
	check_eq(b.add_ice_candidate("0", 0, line), OK, "known mid")
	# The refused candidates changed nothing: the connection still opens.
	check(await pump_until([a, b], func(): return keep.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "the channel opens")
