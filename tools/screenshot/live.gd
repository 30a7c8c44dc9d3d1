## The game run for the screenshot: connections with traffic inside one
## process. Peer 2 and peer 3 belong to this tree's WebRTCMultiplayerPeer
## (so the tab shows peer ids); a reliable and an unreliable channel carry
## messages at different rates.
extends Node

var _pairs: Array = []
var _mesh := WebRTCMultiplayerPeer.new()


func _ready() -> void:
	_mesh.create_mesh(1)
	for peer_id in [2, 3]:
		var ours := WebRTCPeerConnection.new()
		var theirs := WebRTCPeerConnection.new()
		_mesh.add_peer(ours, peer_id)
		_link(ours, theirs)
		var remote := WebRTCMultiplayerPeer.new()
		remote.create_mesh(peer_id)
		remote.add_peer(theirs, 1)
		ours.create_offer()
		_pairs.append([ours, theirs, remote])
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	_link(a, b)
	var chat := a.create_data_channel("chat")
	var updates := a.create_data_channel("updates", {"ordered": false, "maxRetransmits": 0})
	b.data_channel_received.connect(func(_c): pass)
	a.create_offer()
	_pairs.append([a, b, null, chat, updates])
	multiplayer.multiplayer_peer = _mesh


static func _link(x: WebRTCPeerConnection, y: WebRTCPeerConnection) -> void:
	x.session_description_created.connect(func(t, s):
		x.set_local_description(t, s)
		y.set_remote_description(t, s))
	y.session_description_created.connect(func(t, s):
		y.set_local_description(t, s)
		x.set_remote_description(t, s))
	x.ice_candidate_created.connect(y.add_ice_candidate)
	y.ice_candidate_created.connect(x.add_ice_candidate)


func _process(_delta: float) -> void:
	var payload := PackedByteArray()
	payload.resize(900)
	for pair in _pairs:
		pair[0].poll()
		pair[1].poll()
		if pair[2] != null:
			pair[2].poll()
			if _mesh.get_connection_status() == MultiplayerPeer.CONNECTION_CONNECTED and _mesh.has_peer(pair[2].get_unique_id()):
				_mesh.set_target_peer(pair[2].get_unique_id())
				_mesh.put_packet(payload)
			while pair[2].get_available_packet_count() > 0:
				pair[2].get_packet()
		elif pair.size() > 3 and pair[3].get_ready_state() == WebRTCDataChannel.STATE_OPEN:
			pair[3].put_packet(payload.slice(0, 200))
			for i in 4:
				pair[4].put_packet(payload)
