## One of two peers in separate Godot processes. Usage:
##   godot --headless -s res://procs/two_process_peer.gd -- <offer|answer> <signaling dir>
## The offerer sends 200 numbered messages and a 64 KiB one; the answerer
## echoes everything back; both check what they got.
extends "res://lib/harness.gd"

const FileSignaling := preload("res://procs/file_signaling.gd")
const COUNT := 200

var role := ""
var signaling
var peer := WebRTCPeerConnection.new()
var channel: WebRTCDataChannel


func test_two_processes_exchange_data() -> void:
	var args := OS.get_cmdline_user_args()
	if not check(args.size() == 2 and args[0] in ["offer", "answer"], "arguments: <offer|answer> <dir>"):
		return
	role = args[0]
	var other := "answer" if role == "offer" else "offer"
	signaling = FileSignaling.new(args[1], role, other)
	peer.session_description_created.connect(func(type, sdp):
		peer.set_local_description(type, sdp)
		signaling.send_description(type, sdp))
	peer.ice_candidate_created.connect(func(mid, index, name):
		signaling.send_candidate(mid, index, name))
	channel = peer.create_data_channel("data", {"negotiated": true, "id": 1})
	if role == "offer":
		check_eq(peer.create_offer(), OK, "create_offer")
	var opened := await _pump_until(func(): return channel.get_ready_state() == WebRTCDataChannel.STATE_OPEN, 20.0)
	if not check(opened, "%s: channel OPEN across processes" % role):
		return
	check_eq(peer.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "connected")
	var big := PackedByteArray()
	big.resize(65536)
	for i in big.size():
		big[i] = i % 256
	if role == "offer":
		for i in COUNT:
			channel.put_packet(("msg %d" % i).to_utf8_buffer())
		channel.put_packet(big)
		var echoed := []
		await _pump_until(func():
			while channel.get_available_packet_count() > 0:
				echoed.append(channel.get_packet())
			return echoed.size() >= COUNT + 1, 20.0)
		check_eq(echoed.size(), COUNT + 1, "all echoes received")
		var in_order := true
		for i in min(COUNT, echoed.size()):
			in_order = in_order and echoed[i].get_string_from_utf8() == "msg %d" % i
		check(in_order, "echoes arrive complete and in order")
		check(echoed.size() > COUNT and echoed[COUNT] == big, "64 KiB message echoed intact")
		channel.put_packet("bye".to_utf8_buffer())
		await _pump_until(func(): return channel.get_buffered_amount() == 0, 5.0)
	else:
		# Lambdas capture locals by value: keep the counters in a Dictionary.
		var seen := {"got": 0, "bye": false}
		await _pump_until(func():
			while channel.get_available_packet_count() > 0:
				var packet := channel.get_packet()
				if packet == "bye".to_utf8_buffer():
					seen["bye"] = true
				else:
					seen["got"] += 1
					channel.put_packet(packet)
			return seen["bye"], 20.0)
		var got: int = seen["got"]
		var bye: bool = seen["bye"]
		check_eq(got, COUNT + 1, "answerer received every message")
		check(bye, "answerer saw the end marker")


func _pump_until(condition: Callable, timeout_s: float) -> bool:
	return await pump_signaled_until(peer, signaling, condition, timeout_s)
