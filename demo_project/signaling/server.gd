## Lobby signaling server on Godot's own TCPServer + WebSocketPeer (no extra
## runtime). It only introduces lobby members to each other and relays their
## offers, answers and ICE candidates; game data then flows peer to peer over
## WebRTC. The protocol is described in protocol.gd.
##
## Run headless: godot --headless --path demo_project -- --server [--port=N] [--bind=ADDRESS]
## (--port=0 picks a free port; the server prints "LISTENING <address>:<port>").
extends Node

const Protocol := preload("res://signaling/protocol.gd")
const Lobby := preload("res://signaling/lobby.gd")

## A client that has not joined a lobby this long after connecting is dropped.
const JOIN_TIMEOUT_MS := 10000
## A client being dropped gets its last message (the reason) this long before
## the WebSocket close: Godot's WebSocketPeer discards unread messages once a
## close frame arrives, so a close right behind the message could swallow it.
const DROP_GRACE_MS := 500
## A client being dropped is forgotten this long after that, even if it never
## answers the WebSocket close handshake.
const CLOSE_TIMEOUT_MS := 2500
## Lobby codes: no 0/O or 1/I, easy to read out loud.
const CODE_ALPHABET := "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
const CODE_LENGTH := 6
## WebSocket close code used when the server drops a client (4000-4999 are
## free for applications).
const CLOSE_DROPPED := 4000


## One WebSocket client of the server.
class Connection:
	extends RefCounted
	var number: int
	var ws := WebSocketPeer.new()
	## Code of the lobby this client is in, "" before joining.
	var lobby_code := ""
	## Its peer id in that lobby, 0 before joining.
	var peer_id := 0
	## The lobby it joined, kept for the logs after it left.
	var joined_lobby := ""
	var connected_at := Time.get_ticks_msec()
	## When the server started dropping it, -1 while it is alive.
	var closing_since := -1
	## Why it is dropped (the WebSocket close reason).
	var close_reason := ""
	var close_started := false

	## Sends `message`, then closes the connection DROP_GRACE_MS later (see _poll).
	func drop(message: Dictionary, reason: String) -> void:
		send(message)
		closing_since = Time.get_ticks_msec()
		close_reason = reason

	func send(message: Dictionary) -> void:
		if ws.get_ready_state() == WebSocketPeer.STATE_OPEN:
			ws.send_text(JSON.stringify(message))

	func label() -> String:
		if peer_id == 0:
			return "connection %d" % number
		return "connection %d (peer %d of lobby %s)" % [number, peer_id, joined_lobby]


var _tcp := TCPServer.new()
var _connections: Array[Connection] = []
## lobby code -> Lobby
var _lobbies := {}
var _next_connection := 1


## Starts listening. Returns OK or the error of TCPServer.listen().
func start(port: int, bind_address := "127.0.0.1") -> Error:
	var err := _tcp.listen(port, bind_address)
	if err != OK:
		printerr("SERVER cannot listen on %s:%d: %s" % [bind_address, port, error_string(err)])
		return err
	print("LISTENING %s:%d" % [bind_address, _tcp.get_local_port()])
	return OK


## One line for a window: where it listens, how many lobbies and clients.
func summary() -> String:
	return "Signaling server on port %d: %d lobb%s, %d client%s" % [_tcp.get_local_port(),
		_lobbies.size(), "y" if _lobbies.size() == 1 else "ies",
		_connections.size(), "" if _connections.size() == 1 else "s"]


## Closes every connection and stops listening.
func stop() -> void:
	for connection in _connections:
		connection.ws.close()
	_connections.clear()
	_lobbies.clear()
	_tcp.stop()


func _exit_tree() -> void:
	stop()


func _process(_delta: float) -> void:
	while _tcp.is_connection_available():
		_accept(_tcp.take_connection())
	# Handlers may drop connections: iterate over a copy.
	for connection in _connections.duplicate():
		_poll(connection)


func _accept(stream: StreamPeerTCP) -> void:
	var connection := Connection.new()
	connection.number = _next_connection
	_next_connection += 1
	# Big enough to receive (and refuse with a message) anything up to 4x the
	# protocol limit; larger frames are cut off by the WebSocket layer itself.
	connection.ws.inbound_buffer_size = Protocol.MAX_MESSAGE_BYTES * 4
	connection.ws.accept_stream(stream)
	_connections.append(connection)
	print("SERVER %s opened" % connection.label())


func _poll(connection: Connection) -> void:
	connection.ws.poll()
	var now := Time.get_ticks_msec()
	var state := connection.ws.get_ready_state()
	if state == WebSocketPeer.STATE_CLOSED:
		_forget(connection)
	elif connection.closing_since >= 0:
		if not connection.close_started and now - connection.closing_since >= DROP_GRACE_MS:
			connection.close_started = true
			connection.ws.close(CLOSE_DROPPED, connection.close_reason.left(120))
		if now - connection.closing_since > CLOSE_TIMEOUT_MS:
			_forget(connection)
	elif connection.lobby_code == "" and now - connection.connected_at > JOIN_TIMEOUT_MS:
		_drop(connection, "no lobby joined within %d ms" % JOIN_TIMEOUT_MS)
	elif state == WebSocketPeer.STATE_OPEN:
		while connection.closing_since < 0 and connection.ws.get_available_packet_count() > 0:
			var packet := connection.ws.get_packet()
			_receive(connection, packet, connection.ws.was_string_packet())


## Handles one message from `connection`.
func _receive(connection: Connection, packet: PackedByteArray, is_text: bool) -> void:
	if packet.size() > Protocol.MAX_MESSAGE_BYTES:
		_drop(connection, "message of %d bytes is over the %d byte limit" % [packet.size(), Protocol.MAX_MESSAGE_BYTES])
		return
	if not is_text:
		_refuse(connection, "binary messages are not supported, send JSON text")
		return
	var parsed := Protocol.parse_client_message(packet.get_string_from_utf8())
	if parsed.has("error"):
		_refuse(connection, parsed["error"])
		return
	var message: Dictionary = parsed["message"]
	var type: String = message["type"]
	if type == "join":
		_join(connection, message["lobby"])
	elif connection.lobby_code == "":
		_refuse(connection, "join a lobby before sending '%s'" % type)
	elif type == "seal":
		_seal(connection)
	else:
		_relay(connection, message)


func _join(connection: Connection, code: String) -> void:
	if connection.lobby_code != "":
		_refuse(connection, "already in lobby %s" % connection.lobby_code)
		return
	var lobby: Lobby
	if code == "":
		lobby = Lobby.new(_new_code())
		_lobbies[lobby.code] = lobby
		print("SERVER lobby %s created" % lobby.code)
	else:
		code = code.strip_edges().to_upper()
		lobby = _lobbies.get(code)
		if lobby == null:
			_refuse_join(connection, "no lobby with code '%s'" % code)
			return
		if lobby.sealed:
			_refuse_join(connection, "lobby %s is sealed: the host closed it to new players" % code)
			return
		if lobby.is_full():
			_refuse_join(connection, "lobby %s is full (%d players)" % [code, Lobby.MAX_MEMBERS])
			return
	connection.lobby_code = lobby.code
	connection.joined_lobby = lobby.code
	connection.peer_id = lobby.add(connection)
	print("SERVER %s joined" % connection.label())
	connection.send({"type": "joined", "lobby": lobby.code, "id": connection.peer_id, "host": Lobby.HOST_ID})
	# The newcomer hears about everyone before anyone can send it an offer
	# (messages on one WebSocket arrive in order).
	for id in lobby.members:
		if id != connection.peer_id:
			connection.send({"type": "peer_connect", "id": id})
	lobby.broadcast({"type": "peer_connect", "id": connection.peer_id}, connection.peer_id)


## A join that failed: the client may try another code, so its join
## deadline starts again from this attempt.
func _refuse_join(connection: Connection, reason: String) -> void:
	connection.connected_at = Time.get_ticks_msec()
	_refuse(connection, reason)


func _seal(connection: Connection) -> void:
	if connection.peer_id != Lobby.HOST_ID:
		_refuse(connection, "only the host can seal the lobby")
		return
	var lobby: Lobby = _lobbies[connection.lobby_code]
	lobby.sealed = true
	print("SERVER lobby %s sealed" % lobby.code)
	lobby.broadcast({"type": "sealed"})


## Passes an offer, answer or candidate on to its target, with "from" instead of "to".
func _relay(connection: Connection, message: Dictionary) -> void:
	var lobby: Lobby = _lobbies[connection.lobby_code]
	var to := int(message["to"])
	if to == connection.peer_id or not lobby.members.has(to):
		_refuse(connection, "no peer %d in lobby %s to send '%s' to" % [to, lobby.code, message["type"]])
		return
	# Only the known fields travel on, never anything else a client added.
	var relayed := {"type": message["type"], "from": connection.peer_id, "sdp": message["sdp"]}
	if message["type"] == "candidate":
		relayed["mid"] = message["mid"]
		relayed["index"] = int(message["index"])
	lobby.members[to].send(relayed)


## Replies with an error; the client stays connected.
func _refuse(connection: Connection, reason: String) -> void:
	print("SERVER refused %s: %s" % [connection.label(), reason])
	connection.send({"type": "error", "message": reason})


## Replies with an error, then closes the connection and leaves its lobby.
func _drop(connection: Connection, reason: String) -> void:
	print("SERVER dropping %s: %s" % [connection.label(), reason])
	_leave_lobby(connection)
	connection.drop({"type": "error", "message": reason}, reason)


func _forget(connection: Connection) -> void:
	_leave_lobby(connection)
	_connections.erase(connection)
	print("SERVER %s closed" % connection.label())


## Takes `connection` out of its lobby: the others hear peer_disconnect, or,
## if it was the host, the lobby is removed and everyone else is dropped.
func _leave_lobby(connection: Connection) -> void:
	if connection.lobby_code == "" or not _lobbies.has(connection.lobby_code):
		return
	var lobby: Lobby = _lobbies[connection.lobby_code]
	lobby.remove(connection.peer_id)
	connection.lobby_code = ""
	if connection.peer_id == Lobby.HOST_ID:
		_lobbies.erase(lobby.code)
		print("SERVER lobby %s removed: its host left" % lobby.code)
		for id in lobby.members:
			var member: Connection = lobby.members[id]
			member.lobby_code = ""
			member.drop({"type": "lobby_closed", "reason": "the host left"}, "lobby closed")
	else:
		lobby.broadcast({"type": "peer_disconnect", "id": connection.peer_id})


func _new_code() -> String:
	while true:
		var code := ""
		for i in CODE_LENGTH:
			code += CODE_ALPHABET[randi() % CODE_ALPHABET.length()]
		if not _lobbies.has(code):
			return code
	return ""
