## Game side of the WebRTC debugger tab (an autoload added by the addon's
## editor plugin). While a debugger is attached to a debug build it sends a
## snapshot of every peer connection twice a second (as often as the
## monitors' sampler refreshes); otherwise, and in release exports, it does
## nothing.
##
## The message is "webrtc:snapshot" with one Dictionary: `time_ms` (the game's
## Time.get_ticks_msec()) and `connections`, an Array with, per connection,
## what WebRTCRsPeerConnection.debug_snapshot() gives (get_stats() plus `id`
## and `state`) and `peer_id`: its id in the scene tree's
## WebRTCMultiplayerPeer, or 0.
extends Node

const INTERVAL_MS := 500

var _next_ms := 0


func _ready() -> void:
	process_mode = Node.PROCESS_MODE_ALWAYS
	set_process(OS.is_debug_build() and EngineDebugger.is_active())


func _process(_delta: float) -> void:
	var now := Time.get_ticks_msec()
	if now < _next_ms:
		return
	_next_ms = now + INTERVAL_MS
	EngineDebugger.send_message("webrtc:snapshot", [snapshot(get_tree())])


## The message's Dictionary (see above); `tree` may be null.
static func snapshot(tree: SceneTree) -> Dictionary:
	var peer_ids := {}
	if tree != null and tree.get_multiplayer() != null:
		var multiplayer_peer = tree.get_multiplayer().multiplayer_peer
		if multiplayer_peer is WebRTCMultiplayerPeer:
			for id in multiplayer_peer.get_peers():
				var connection = multiplayer_peer.get_peer(id).get("connection")
				if connection != null and connection.has_method("get_debug_id"):
					peer_ids[connection.get_debug_id()] = id
	var rows: Array = []
	for row in WebRTCRsPeerConnection.debug_snapshot():
		row["peer_id"] = peer_ids.get(row["id"], 0)
		rows.append(row)
	return {"time_ms": Time.get_ticks_msec(), "connections": rows}
