## Joins a lobby through the signaling server and builds a full WebRTC mesh
## with its members: WebRTCMultiplayerPeer.create_mesh(my id), one
## WebRTCPeerConnection per other member, SDP and ICE candidates exchanged
## through the server. It becomes the tree's multiplayer peer, so @rpc
## functions work between all members.
extends Node

const Protocol := preload("res://signaling/protocol.gd")
const SignalingClient := preload("res://client/signaling_client.gd")

## We are in a lobby, with this id; the mesh is set up and peers will follow.
signal lobby_joined(my_id: int, lobby_code: String)
signal lobby_sealed
## We could not get into a lobby (server unreachable, code unknown, lobby sealed...).
signal join_failed(message: String)
## The server refused a request or ended our lobby session after we joined
## (the host left, the server went away). The WebRTC links already made stay up.
signal signaling_error(message: String)
## Human-readable progress, for logs and the UI.
signal status(text: String)

## ICE servers for WebRTCPeerConnection.initialize(). None are needed on one
## machine or a LAN; across the Internet add e.g. {"urls": ["stun:stun.l.google.com:19302"]}.
var ice_servers: Array = []

## Also report every signaling message and connection state change on `status`.
var verbose := false

## "mesh": everyone connects to everyone (create_mesh). "server": the lobby host
## (id 1) is the server (create_server) and the others connect only to it
## (create_client); SceneMultiplayer relays RPCs between clients.
var topology := "mesh"

var signaling: SignalingClient
var rtc := WebRTCMultiplayerPeer.new()
var lobby_code := ""
## peer id -> last connection state seen (verbose mode only)
var _states := {}


func _ready() -> void:
	signaling = SignalingClient.new()
	signaling.name = "Signaling"
	add_child(signaling)
	signaling.connected.connect(func(): status.emit("connected to the signaling server"))
	signaling.disconnected.connect(_on_signaling_disconnected)
	signaling.joined.connect(_on_joined)
	signaling.peer_connected.connect(_on_peer_connected)
	signaling.peer_disconnected.connect(_on_peer_disconnected)
	signaling.description_received.connect(_on_description_received)
	signaling.candidate_received.connect(_on_candidate_received)
	signaling.sealed.connect(func(): lobby_sealed.emit())
	signaling.lobby_closed.connect(func(reason): _report_error("lobby closed: %s" % reason))
	signaling.error_received.connect(func(message): _report_error("server: %s" % message))


## Connects to the server at `url` (unless still connected after a refused
## join) and creates a lobby (empty code) or joins one.
func start(url: String, code := "") -> Error:
	if not signaling.is_active():
		var err := signaling.connect_to_server(url)
		if err != OK:
			return err
		status.emit("connecting to %s" % url)
	signaling.join_lobby(code)
	return OK


## Host only: asks the server to let nobody else join.
func seal() -> void:
	signaling.seal_lobby()


## Leaves the lobby and closes every WebRTC connection; start() can then
## create or join a lobby again.
func stop() -> void:
	signaling.close()
	rtc.close()
	multiplayer.multiplayer_peer = null
	rtc = WebRTCMultiplayerPeer.new()
	lobby_code = ""
	_states.clear()


func _on_joined(my_id: int, code: String) -> void:
	lobby_code = code
	var err: Error
	if topology == "server":
		err = rtc.create_server() if my_id == 1 else rtc.create_client(my_id)
	else:
		err = rtc.create_mesh(my_id)
	if err != OK:
		join_failed.emit("creating the %s peer %d failed: %s" % [topology, my_id, error_string(err)])
		return
	multiplayer.multiplayer_peer = rtc
	status.emit("in lobby %s as peer %d" % [code, my_id])
	lobby_joined.emit(my_id, code)


## A lobby member to connect to: one WebRTCPeerConnection for it.
func _on_peer_connected(peer_id: int) -> void:
	if rtc.has_peer(peer_id):
		return
	# With a server, clients only link to the server (id 1).
	if topology == "server" and rtc.get_unique_id() != 1 and peer_id != 1:
		return
	var connection := WebRTCPeerConnection.new()
	var err := connection.initialize({"iceServers": ice_servers})
	if err != OK:
		signaling_error.emit("WebRTCPeerConnection.initialize failed: %s" % error_string(err))
		return
	# Bind the id, not the connection: a connection holding a Callable bound to
	# itself would never be freed.
	connection.session_description_created.connect(_on_description_created.bind(peer_id))
	connection.ice_candidate_created.connect(_on_candidate_created.bind(peer_id))
	# add_peer creates the (negotiated) channels; the connection must be new.
	err = rtc.add_peer(connection, peer_id)
	if err != OK:
		signaling_error.emit("add_peer(%d) failed: %s" % [peer_id, error_string(err)])
		return
	if Protocol.i_offer(rtc.get_unique_id(), peer_id):
		connection.create_offer()
	status.emit("connecting to peer %d" % peer_id)


func _on_peer_disconnected(peer_id: int) -> void:
	# WebRTCMultiplayerPeer may already have removed a peer whose link closed.
	if rtc.has_peer(peer_id):
		rtc.remove_peer(peer_id)
	status.emit("peer %d left the lobby" % peer_id)


func _on_description_created(type: String, sdp: String, peer_id: int) -> void:
	var connection := _connection(peer_id)
	if connection == null:
		return
	connection.set_local_description(type, sdp)
	signaling.send_description(peer_id, type, sdp)
	_trace("sent %s to %d" % [type, peer_id])


func _on_candidate_created(mid: String, index: int, sdp: String, peer_id: int) -> void:
	signaling.send_candidate(peer_id, mid, index, sdp)
	_trace("sent candidate to %d: %s" % [peer_id, sdp])


func _on_description_received(from_id: int, type: String, sdp: String) -> void:
	_trace("got %s from %d" % [type, from_id])
	var connection := _connection(from_id)
	if connection != null:
		# An offer makes the connection create its answer (session_description_created).
		connection.set_remote_description(type, sdp)


func _on_candidate_received(from_id: int, mid: String, index: int, sdp: String) -> void:
	_trace("got candidate from %d: %s" % [from_id, sdp])
	var connection := _connection(from_id)
	if connection != null:
		connection.add_ice_candidate(mid, index, sdp)


func _on_signaling_disconnected(code: int, reason: String) -> void:
	_report_error("signaling connection closed (%d %s)" % [code, reason])


## Errors before we are in a lobby mean we could not join; later ones do not
## stop the game.
func _report_error(message: String) -> void:
	if lobby_code == "":
		join_failed.emit(message)
	else:
		signaling_error.emit(message)


func _connection(peer_id: int) -> WebRTCPeerConnection:
	if not rtc.has_peer(peer_id):
		push_warning("signaling message for unknown peer %d" % peer_id)
		return null
	return rtc.get_peer(peer_id)["connection"]


func _process(_delta: float) -> void:
	if not verbose:
		return
	for peer_id in rtc.get_peers():
		var state: int = rtc.get_peer(peer_id)["connection"].get_connection_state()
		if _states.get(peer_id, -1) != state:
			_states[peer_id] = state
			_trace("connection to %d: state %d" % [peer_id, state])


func _trace(text: String) -> void:
	if verbose:
		status.emit(text)
