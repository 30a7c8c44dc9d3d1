## The smallest WebRTC example (like Godot's webrtc_minimal demo): two
## WebRTCPeerConnections in one scene, linked directly by their signals
## instead of a signaling server. Each side sends one message as soon as its
## channel is OPEN (never earlier: put_packet on a channel that is not open
## fails) and prints what it receives.
##
## Run: godot --headless --path demo_project res://minimal/minimal.tscn
## Headless, it quits with exit code 0 once both messages arrived (1 after
## TIMEOUT_S without them).
extends Node

const TIMEOUT_S := 10.0

var p1 := WebRTCPeerConnection.new()
var p2 := WebRTCPeerConnection.new()
# Negotiated channels: both sides create the same channel (same id), no
# in-band announcement needed.
var ch1 := p1.create_data_channel("chat", {"id": 1, "negotiated": true})
var ch2 := p2.create_data_channel("chat", {"id": 1, "negotiated": true})

var _sent1 := false
var _sent2 := false
var _received := {}
var _started_ms := Time.get_ticks_msec()


func _ready() -> void:
	# Each peer sets its own descriptions and hands them to the other...
	p1.session_description_created.connect(p1.set_local_description)
	p1.session_description_created.connect(p2.set_remote_description)
	p2.session_description_created.connect(p2.set_local_description)
	p2.session_description_created.connect(p1.set_remote_description)
	# ...and the same for ICE candidates.
	p1.ice_candidate_created.connect(p2.add_ice_candidate)
	p2.ice_candidate_created.connect(p1.add_ice_candidate)
	# p1 offers; p2 answers by itself when it gets the offer.
	p1.create_offer()


func _process(_delta: float) -> void:
	# Signals are emitted from poll().
	p1.poll()
	p2.poll()
	if not _sent1 and ch1.get_ready_state() == WebRTCDataChannel.STATE_OPEN:
		_sent1 = ch1.put_packet("Hi from P1".to_utf8_buffer()) == OK
	if not _sent2 and ch2.get_ready_state() == WebRTCDataChannel.STATE_OPEN:
		_sent2 = ch2.put_packet("Hi from P2".to_utf8_buffer()) == OK
	_receive("P1", ch1)
	_receive("P2", ch2)
	if DisplayServer.get_name() != "headless":
		return
	if _received.size() == 2:
		get_tree().quit(0)
	elif Time.get_ticks_msec() - _started_ms > TIMEOUT_S * 1000.0:
		printerr("MINIMAL timed out: received %s, states %d/%d" % [_received, ch1.get_ready_state(), ch2.get_ready_state()])
		get_tree().quit(1)


func _receive(who: String, channel: WebRTCDataChannel) -> void:
	while channel.get_available_packet_count() > 0:
		var text := channel.get_packet().get_string_from_utf8()
		print("%s received: %s" % [who, text])
		_received[who] = text
