## Produces log traffic for tests/scenarios/logging.sh: an unsupported TURN URL
## (one warning), then a connected pair bombarded with UDP garbage for 2 s
## (webrtc-rs warns per bad packet; the plugin must rate-limit that).
extends SceneTree

const Poll := preload("res://lib/poll.gd")


func _initialize() -> void:
	_run.call_deferred()


func _run() -> void:
	print("LOG_LEVEL_SETTING ", ProjectSettings.get_setting("webrtc_rs/log_level", "<missing>"))
	var probe := WebRTCPeerConnection.new()
	probe.initialize({"iceServers": [{"urls": ["stuns:127.0.0.1:5349"]}]})
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	var ports := []
	var locals := IP.get_local_addresses()
	for pair in [[a, b], [b, a]]:
		pair[0].session_description_created.connect(pair[0].set_local_description)
		pair[0].session_description_created.connect(pair[1].set_remote_description)
		pair[0].ice_candidate_created.connect(pair[1].add_ice_candidate)
		pair[0].ice_candidate_created.connect(func(_mid, _index, line: String):
			var parts := line.trim_prefix("candidate:").split(" ")
			if parts.size() > 7 and parts[7] == "host" and parts[4] in locals:
				ports.append([parts[4], int(parts[5])]))
	var ca := a.create_data_channel("c", {"negotiated": true, "id": 1})
	var cb := b.create_data_channel("c", {"negotiated": true, "id": 1})
	a.create_offer()
	await Poll.until(self, Poll.polling([a, b]), func(): return cb.get_ready_state() == WebRTCDataChannel.STATE_OPEN, 10.0)
	print("OPEN %s" % str(ca.get_ready_state() == WebRTCDataChannel.STATE_OPEN))
	var udp := PacketPeerUDP.new()
	var sent := 0
	var until := Time.get_ticks_msec() + 2000
	while Time.get_ticks_msec() < until:
		for target in ports:
			udp.set_dest_address(target[0], target[1])
			# Looks like an SCTP-over-DTLS record but is garbage.
			udp.put_packet(PackedByteArray([23, 254, 253, 0, 1, 0, 0, 0, 0, 0, 9, 0, 4, 1, 2, 3, 4]))
			sent += 1
		a.poll()
		b.poll()
		await process_frame
	print("GARBAGE SENT %d" % sent)
	a.poll()
	print("DONE")
	quit(0)
