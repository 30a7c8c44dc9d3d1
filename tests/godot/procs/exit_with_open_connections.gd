## Opens 10 connections, starts sending on all of them and quits mid-transfer.
## Prints the wall-clock time of the quit call so the caller can time the exit.
extends SceneTree

const Poll := preload("res://lib/poll.gd")
const Harness := preload("res://lib/harness.gd")

var peers := []
var channels := []


func _initialize() -> void:
	_run.call_deferred()


func _run() -> void:
	for i in 10:
		var a := WebRTCPeerConnection.new()
		var b := WebRTCPeerConnection.new()
		Harness.link(a, b)
		var ch := a.create_data_channel("bulk", {"negotiated": true, "id": 0})
		channels.append(ch)
		channels.append(b.create_data_channel("bulk", {"negotiated": true, "id": 0}))
		a.create_offer()
		peers.append_array([a, b])
	await Poll.until(self, Poll.polling(peers), func(): return channels.all(func(c): return c.get_ready_state() == WebRTCDataChannel.STATE_OPEN), 10.0)
	var open := channels.filter(func(c): return c.get_ready_state() == WebRTCDataChannel.STATE_OPEN).size()
	print("OPEN %d of %d" % [open, channels.size()])
	var chunk := PackedByteArray()
	chunk.resize(16384)
	for round in 20:
		for c in channels:
			c.put_packet(chunk)
	print("QUIT_AT_MS %d" % int(Time.get_unix_time_from_system() * 1000.0))
	quit(0)
