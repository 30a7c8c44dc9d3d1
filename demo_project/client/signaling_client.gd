## WebSocket client of the lobby signaling server (see signaling/protocol.gd):
## sends requests and turns the server's messages into signals.
extends Node

const Protocol := preload("res://signaling/protocol.gd")

signal connected
## The server closed the connection or it could not be established.
signal disconnected(code: int, reason: String)
signal joined(my_id: int, lobby_code: String)
signal peer_connected(peer_id: int)
signal peer_disconnected(peer_id: int)
signal description_received(from_id: int, type: String, sdp: String)
signal candidate_received(from_id: int, mid: String, index: int, sdp: String)
signal sealed
signal lobby_closed(reason: String)
signal error_received(message: String)

var _ws := WebSocketPeer.new()
## Messages sent before the connection opened, flushed once it does.
var _pending: Array[Dictionary] = []
var _last_state := WebSocketPeer.STATE_CLOSED


func connect_to_server(url: String) -> Error:
	_pending.clear()
	var err := _ws.connect_to_url(url)
	if err == OK:
		_last_state = WebSocketPeer.STATE_CONNECTING
	return err


func close() -> void:
	_ws.close()


## True while connecting or connected.
func is_active() -> bool:
	return _last_state != WebSocketPeer.STATE_CLOSED


## Creates a lobby (empty code) or joins the lobby `code`.
func join_lobby(code := "") -> void:
	_send({"type": "join", "lobby": code})


func seal_lobby() -> void:
	_send({"type": "seal"})


func send_description(to_id: int, type: String, sdp: String) -> void:
	_send({"type": type, "to": to_id, "sdp": sdp})


func send_candidate(to_id: int, mid: String, index: int, sdp: String) -> void:
	_send({"type": "candidate", "to": to_id, "mid": mid, "index": index, "sdp": sdp})


func _send(message: Dictionary) -> void:
	if _ws.get_ready_state() == WebSocketPeer.STATE_OPEN:
		_ws.send_text(JSON.stringify(message))
	else:
		_pending.append(message)


func _process(_delta: float) -> void:
	if _last_state == WebSocketPeer.STATE_CLOSED:
		return
	_ws.poll()
	var state := _ws.get_ready_state()
	if state == WebSocketPeer.STATE_OPEN and _last_state == WebSocketPeer.STATE_CONNECTING:
		_last_state = state
		connected.emit()
		for message in _pending:
			_ws.send_text(JSON.stringify(message))
		_pending.clear()
	# (Godot discards unread messages once a close arrives; the server leaves
	# time to read its last message before closing, see server.gd.)
	while _ws.get_available_packet_count() > 0:
		_handle(_ws.get_packet().get_string_from_utf8())
	if state == WebSocketPeer.STATE_CLOSED:
		_last_state = state
		disconnected.emit(_ws.get_close_code(), _ws.get_close_reason())


func _handle(text: String) -> void:
	var message = Protocol.parse_server_message(text)
	if message == null:
		push_warning("signaling: ignoring a malformed message from the server")
		return
	match message["type"]:
		"joined":
			joined.emit(int(message.get("id", 0)), str(message.get("lobby", "")))
		"peer_connect":
			peer_connected.emit(int(message.get("id", 0)))
		"peer_disconnect":
			peer_disconnected.emit(int(message.get("id", 0)))
		"offer", "answer":
			description_received.emit(int(message.get("from", 0)), message["type"], str(message.get("sdp", "")))
		"candidate":
			candidate_received.emit(int(message.get("from", 0)), str(message.get("mid", "")), int(message.get("index", 0)), str(message.get("sdp", "")))
		"sealed":
			sealed.emit()
		"lobby_closed":
			lobby_closed.emit(str(message.get("reason", "")))
		"error":
			error_received.emit(str(message.get("message", "")))
		_:
			push_warning("signaling: ignoring unknown message type '%s'" % message["type"])
