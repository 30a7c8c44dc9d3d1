## The visible client: server URL and lobby code fields, create/join/seal
## buttons, a status line and the chat. The players move in the Game node
## (arrow keys) next to this panel.
extends VBoxContainer

## Set by main.gd before the node enters the tree.
var network: Node
var game: Node
var addon_loaded := true

@onready var _url: LineEdit = $Url
@onready var _code: LineEdit = $Code
@onready var _create: Button = $Buttons/Create
@onready var _join: Button = $Buttons/Join
@onready var _seal: Button = $Buttons/Seal
@onready var _leave: Button = $Buttons/Leave
@onready var _topology: OptionButton = $Topology
@onready var _status: Label = $Status
@onready var _chat: RichTextLabel = $Chat
@onready var _chat_input: LineEdit = $ChatInput
@onready var _peers: Label = $Peers

## peer id -> [time_ms, bytes sent, bytes received] at the previous refresh.
var _traffic := {}
var _next_refresh_ms := 0


func _ready() -> void:
	if not addon_loaded:
		_status.text = "The webrtc_rs addon is not loaded: copy addons/webrtc_rs into this project (tools/run-demo.sh does it)."
		_create.disabled = true
		_join.disabled = true
		return
	# Buttons never keep the keyboard focus: the arrow keys stay with the game
	# instead of walking the focus into the text fields.
	for button in [_create, _join, _seal, _leave, _topology]:
		button.focus_mode = Control.FOCUS_NONE
	_topology.add_item("Mesh: everyone connects to everyone")
	_topology.add_item("Host as server: everyone connects to the host")
	_leave.pressed.connect(_leave_lobby)
	_create.pressed.connect(func(): _start(""))
	_join.pressed.connect(_on_join_pressed)
	_seal.pressed.connect(func():
		_seal.disabled = true
		network.seal())
	_chat_input.text_submitted.connect(_send_chat)
	network.status.connect(func(text): _status.text = text)
	network.join_failed.connect(_on_join_failed)
	network.signaling_error.connect(func(message): _add_line("[color=orange]%s[/color]" % _escape(message)))
	network.lobby_joined.connect(_on_lobby_joined)
	network.lobby_sealed.connect(func():
		_seal.disabled = true
		_add_line("[i]the lobby is sealed: nobody else can join[/i]"))
	game.chat_received.connect(func(from_id, text): _add_line("[b]%d:[/b] %s" % [from_id, _escape(text)]))
	multiplayer.peer_connected.connect(func(id):
		_status.text = "connected to peer %d (%d other%s in the lobby)" % [
			id, multiplayer.get_peers().size(), "" if multiplayer.get_peers().size() == 1 else "s"]
		_add_line("[i]peer %d connected[/i]" % id))
	multiplayer.peer_disconnected.connect(func(id): _add_line("[i]peer %d left[/i]" % id))
	game.keyboard_control = true


## The live panel: per peer its RTT, bytes/s each way and the selected pair's
## candidate types (from get_stats()), and the totals of the WebRTC/ monitors.
func _process(_delta: float) -> void:
	var now := Time.get_ticks_msec()
	if now < _next_refresh_ms or network == null:
		return
	_next_refresh_ms = now + 500
	var lines: Array = []
	for id in network.rtc.get_peers():
		var connection: WebRTCPeerConnection = network.rtc.get_peer(id)["connection"]
		if not connection.has_method("get_stats"):
			continue
		var stats: Dictionary = connection.call("get_stats")
		var sent := 0
		var received := 0
		for ch in stats.get("channels", []):
			sent += ch.get("bytes_sent", 0)
			received += ch.get("bytes_received", 0)
		var before: Array = _traffic.get(id, [now, sent, received])
		var seconds: float = max(now - before[0], 1) / 1000.0
		_traffic[id] = [now, sent, received]
		lines.append("peer %d: %s -> %s, RTT %.1f ms, %.1f / %.1f KB/s out / in" % [id,
			stats.get("local_candidate", {}).get("type", "?"), stats.get("remote_candidate", {}).get("type", "?"),
			stats.get("rtt_ms", 0.0), (sent - before[1]) / seconds / 1024.0, (received - before[2]) / seconds / 1024.0])
	if not lines.is_empty():
		lines.append("all: %d connected, %.1f / %.1f KB/s" % [Performance.get_custom_monitor("WebRTC/Connections connected"),
			Performance.get_custom_monitor("WebRTC/Bytes sent per s") / 1024.0,
			Performance.get_custom_monitor("WebRTC/Bytes received per s") / 1024.0])
	_peers.text = "\n".join(lines)


func _on_join_pressed() -> void:
	var code := _code.text.strip_edges()
	if code.is_empty():
		_status.text = "Type the lobby code you were given, then Join (or Create lobby)."
		_code.grab_focus()
		return
	_start(code)


## Clicking outside the panel (the arena) gives the keys back to the game;
## Enter with nothing focused starts typing a chat line.
func _input(event: InputEvent) -> void:
	if event is InputEventMouseButton and event.pressed and not get_global_rect().has_point(event.position):
		get_viewport().gui_release_focus()
	elif event.is_action_pressed("ui_accept") and get_viewport().gui_get_focus_owner() == null and _chat_input.editable:
		_chat_input.grab_focus()
		if _chat_input.has_method("edit"):
			_chat_input.call("edit")
		get_viewport().set_input_as_handled()


func _start(code: String) -> void:
	_create.disabled = true
	_join.disabled = true
	_topology.disabled = true
	network.topology = "server" if _topology.selected == 1 else "mesh"
	var err: Error = network.start(_url.text.strip_edges(), code)
	if err != OK:
		_on_join_failed("cannot connect: %s" % error_string(err))


func _on_join_failed(message: String) -> void:
	_status.text = "could not join: %s" % message
	_create.disabled = false
	_join.disabled = false
	_topology.disabled = false


## Back to the start: out of the lobby, every connection closed, the
## buttons as at launch (also what to do once the host has left).
func _leave_lobby() -> void:
	network.stop()
	game.reset()
	_code.editable = true
	_code.text = ""
	_seal.disabled = true
	_leave.disabled = true
	_chat_input.editable = false
	_on_join_failed("left the lobby")
	_status.text = "Left the lobby. Create a lobby, or type a code and join."
	_add_line("[i]you left the lobby[/i]")


func _on_lobby_joined(my_id: int, code: String) -> void:
	_code.text = code
	_code.editable = false
	_seal.disabled = my_id != 1
	_leave.disabled = false
	_chat_input.editable = true
	game.add_local_player()
	_add_line("[i]you are peer %d in lobby %s; share the code to play together[/i]" % [my_id, code])


func _send_chat(text: String) -> void:
	text = text.strip_edges()
	_chat_input.clear()
	_chat_input.release_focus()
	if text.is_empty():
		return
	if not multiplayer.has_multiplayer_peer() or multiplayer.get_peers().is_empty():
		_add_line("[i]nobody else is connected: not sent[/i]")
		return
	game.send_chat(text)
	_add_line("[b]me:[/b] %s" % _escape(text))


func _add_line(bbcode: String) -> void:
	_chat.append_text(bbcode + "\n")


## Chat text is shown as typed, never as BBCode.
func _escape(text: String) -> String:
	return text.replace("[", "[lb]")
