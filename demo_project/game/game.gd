## The shared multiplayer scene: one coloured square per lobby member, chat
## over a reliable RPC and positions synced over an unreliable RPC. It must
## sit at the same node path on every peer (/root/Main/Game) for RPCs to match.
extends Node2D

## A chat line arrived from another peer.
signal chat_received(from_id: int, text: String)
## A position update arrived from another peer.
signal position_received(from_id: int, position: Vector2)

const PLAYER_SIZE := Vector2(32, 32)
const ARENA := Rect2(0, 0, 640, 480)
const SPEED := 240.0
## Positions are sent at this rate (unreliable: a lost one is simply replaced
## by the next).
const SYNC_INTERVAL_S := 0.1
const MAX_CHAT_CHARS := 500

## When true, the arrow keys move the local player (the UI client); bots call
## move_to() instead.
var keyboard_control := false
var local_position := ARENA.get_center()
## peer id -> ColorRect
var _players := {}
var _since_sync := 0.0


func _ready() -> void:
	multiplayer.peer_connected.connect(_add_player)
	multiplayer.peer_disconnected.connect(_remove_player)


func _draw() -> void:
	draw_rect(ARENA, Color(1, 1, 1, 0.4), false, 2.0)


## Call once our multiplayer peer is set: adds the local player at its
## spawn point, marked as ours.
func add_local_player() -> void:
	var me := multiplayer.get_unique_id()
	local_position = spawn_position(me)
	_add_player(me)
	_players[me].position = local_position
	var label: Label = _players[me].get_child(0)
	label.text = "%d you" % me
	var outline := ReferenceRect.new()
	outline.border_color = Color.WHITE
	outline.border_width = 3.0
	outline.editor_only = false
	outline.size = PLAYER_SIZE
	_players[me].add_child(outline)


## Where peer `peer_id` starts: spread over the arena, the same on every peer,
## so that nobody starts hidden under another square.
static func spawn_position(peer_id: int) -> Vector2:
	var free := ARENA.size - PLAYER_SIZE
	return ARENA.position + Vector2(fmod(0.15 + peer_id * 0.618034, 1.0) * free.x,
		fmod(0.35 + peer_id * 0.414214, 1.0) * free.y)


## Removes every player (after leaving a lobby).
func reset() -> void:
	for peer_id in _players.keys():
		_remove_player(peer_id)


func send_chat(text: String) -> void:
	_chat.rpc(text.left(MAX_CHAT_CHARS))


func move_to(to: Vector2) -> void:
	local_position = _clamp_to_arena(to)
	var me := multiplayer.get_unique_id()
	if _players.has(me):
		_players[me].position = local_position


func _process(delta: float) -> void:
	# Arrow keys in a text field edit the text, they do not move the player.
	if keyboard_control and not (get_viewport().gui_get_focus_owner() is LineEdit):
		var direction := Input.get_vector("ui_left", "ui_right", "ui_up", "ui_down")
		if direction != Vector2.ZERO:
			move_to(local_position + direction * SPEED * delta)
	_since_sync += delta
	if _since_sync >= SYNC_INTERVAL_S:
		_since_sync = 0.0
		if multiplayer.has_multiplayer_peer() and not multiplayer.get_peers().is_empty():
			_sync_position.rpc(local_position)


@rpc("any_peer", "reliable")
func _chat(text: String) -> void:
	chat_received.emit(multiplayer.get_remote_sender_id(), text.left(MAX_CHAT_CHARS))


@rpc("any_peer", "unreliable")
func _sync_position(at: Vector2) -> void:
	var from := multiplayer.get_remote_sender_id()
	at = _clamp_to_arena(at)
	if _players.has(from):
		_players[from].position = at
	position_received.emit(from, at)


func _add_player(peer_id: int) -> void:
	if _players.has(peer_id):
		return
	var player := ColorRect.new()
	player.name = "Player%d" % peer_id
	player.size = PLAYER_SIZE
	# A stable colour per id.
	player.color = Color.from_hsv(fmod(peer_id * 0.618034, 1.0), 0.7, 0.95)
	var label := Label.new()
	label.text = str(peer_id)
	label.position = Vector2(4, 4)
	label.add_theme_color_override("font_color", Color.BLACK)
	player.add_child(label)
	player.position = spawn_position(peer_id)
	add_child(player)
	_players[peer_id] = player


func _remove_player(peer_id: int) -> void:
	if _players.has(peer_id):
		_players[peer_id].queue_free()
		_players.erase(peer_id)


func _clamp_to_arena(at: Vector2) -> Vector2:
	return at.clamp(ARENA.position, ARENA.end - PLAYER_SIZE)
