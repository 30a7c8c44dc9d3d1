## The command-line client: joins a lobby with the given options and prints
## every chat and position RPC it receives as "RECEIVED ..." lines.
##
##   -- --client --url=ws://127.0.0.1:9080 [--name=c1]
##      [--lobby=new | --lobby=CODE | --lobby-file=PATH] [--bot --expect-peers=N] [--timeout=20]
##      [--topology=mesh|server] [--verbose]
##
## --lobby=new creates a lobby (also the default); with --lobby-file=PATH its
## code is then written to PATH. --lobby-file=PATH alone waits for PATH to
## exist and joins the lobby whose code it holds.
##
## With --bot it plays by itself: once N other peers are connected it sends
## one chat line and moves around (position RPCs), and it quits with exit
## code 0 once it has received a chat line and at least one position from
## each of the N peers, or 1 if that did not happen within --timeout seconds.
## Without --bot it just listens until it is stopped. --verbose also logs the
## signaling traffic and the connection states.
extends Node

## After succeeding, a bot keeps playing this long so the others get its
## last position updates before it leaves.
const LINGER_S := 1.0

## Set by main.gd before the node enters the tree.
var options := {}
var network: Node
var game: Node

var _name := "client"
var _bot := false
var _expected_peers := 0
var _deadline_ms := 0
## from id -> the chat text it sent
var _chats := {}
## from id -> number of position updates received
var _positions := {}
var _started_at_ms := 0
## When the bot started playing (all peers there), -1 before.
var _playing_since_ms := -1
var _succeeded_at_ms := -1
var _finished := false


func _ready() -> void:
	_name = str(options.get("name", "client"))
	_bot = options.has("bot")
	_expected_peers = int(options.get("expect-peers", 0))
	_started_at_ms = Time.get_ticks_msec()
	_deadline_ms = _started_at_ms + int(float(options.get("timeout", 20)) * 1000.0)
	if _bot and _expected_peers < 1:
		_finish(2, "--bot needs --expect-peers=N (N >= 1)")
		return
	if not options.has("url"):
		_finish(2, "--client needs --url=ws://HOST:PORT")
		return
	network.verbose = options.has("verbose")
	network.topology = str(options.get("topology", "mesh"))
	network.status.connect(func(text): _log(text))
	network.join_failed.connect(func(message): _finish(3, "could not join: %s" % message))
	network.signaling_error.connect(func(message): _log("signaling: %s" % message))
	network.lobby_joined.connect(_on_lobby_joined)
	game.chat_received.connect(_on_chat)
	game.position_received.connect(_on_position)
	multiplayer.peer_connected.connect(func(id): _log("PEER CONNECTED %d" % id))
	multiplayer.peer_disconnected.connect(func(id): _log("PEER DISCONNECTED %d" % id))
	var code := await _lobby_code()
	if _finished:
		return
	var err: Error = network.start(str(options["url"]), code)
	if err != OK:
		_finish(3, "cannot connect to %s: %s" % [options["url"], error_string(err)])


## The lobby to join, "" to create one. Waits for --lobby-file if needed.
func _lobby_code() -> String:
	var lobby := str(options.get("lobby", "new" if not options.has("lobby-file") else ""))
	if lobby == "new":
		return ""
	if lobby != "":
		return lobby
	var path := str(options["lobby-file"])
	_log("waiting for a lobby code in %s" % path)
	while not FileAccess.file_exists(path):
		if Time.get_ticks_msec() > _deadline_ms:
			_finish(1, "no lobby code appeared in %s" % path)
			return ""
		await get_tree().create_timer(0.05).timeout
	return FileAccess.get_file_as_string(path).strip_edges()


func _on_lobby_joined(my_id: int, code: String) -> void:
	print("MY ID %d" % my_id)
	print("LOBBY %s" % code)
	game.add_local_player()
	if options.has("lobby-file") and str(options.get("lobby", "")) == "new":
		_write_code(str(options["lobby-file"]), code)


## Writes the code to a temporary file renamed into place, so readers never see half of it.
func _write_code(path: String, code: String) -> void:
	var temporary := path + ".tmp"
	var file := FileAccess.open(temporary, FileAccess.WRITE)
	if file == null:
		_finish(1, "cannot write %s: %s" % [temporary, error_string(FileAccess.get_open_error())])
		return
	file.store_line(code)
	file.close()
	DirAccess.rename_absolute(temporary, path)


func _on_chat(from_id: int, text: String) -> void:
	print("RECEIVED chat from %d: %s" % [from_id, text])
	_chats[from_id] = text


func _on_position(from_id: int, at: Vector2) -> void:
	print("RECEIVED position from %d: %.1f %.1f" % [from_id, at.x, at.y])
	_positions[from_id] = _positions.get(from_id, 0) + 1


func _process(_delta: float) -> void:
	if not _bot or _finished:
		return
	var now := Time.get_ticks_msec()
	var peers := multiplayer.get_peers() if multiplayer.has_multiplayer_peer() else PackedInt32Array()
	if _playing_since_ms < 0 and peers.size() >= _expected_peers:
		_start_playing(peers)
	if _playing_since_ms >= 0:
		# Walk in a circle; game.gd sends the position every 0.1 s.
		var t := (now - _playing_since_ms) / 1000.0
		game.move_to(Vector2(320, 240) + Vector2(cos(t), sin(t)) * 150.0)
	if _succeeded_at_ms < 0 and _heard_from_everyone(peers):
		_succeeded_at_ms = now
		_log("heard from every peer after %d ms" % (now - _started_at_ms))
	if _succeeded_at_ms >= 0 and now - _succeeded_at_ms >= LINGER_S * 1000.0:
		_finish(0, "chat and positions received from %d peers" % _expected_peers)
	elif now > _deadline_ms:
		_finish(1, "timed out: %s" % _missing(peers))


func _start_playing(peers: PackedInt32Array) -> void:
	_playing_since_ms = Time.get_ticks_msec()
	_log("all %d peers connected after %d ms: %s" % [peers.size(), _playing_since_ms - _started_at_ms, peers])
	game.send_chat("hello from %s" % _name)
	if multiplayer.get_unique_id() == 1:
		network.seal()


## True when every one of the expected peers sent a chat line and a position.
func _heard_from_everyone(peers: PackedInt32Array) -> bool:
	if peers.size() < _expected_peers:
		return false
	for id in peers:
		if not _chats.has(id) or _positions.get(id, 0) < 1:
			return false
	return true


func _missing(peers: PackedInt32Array) -> String:
	var missing := []
	if peers.size() < _expected_peers:
		missing.append("only %d of %d peers connected %s" % [peers.size(), _expected_peers, peers])
	for id in peers:
		if not _chats.has(id):
			missing.append("no chat from %d" % id)
		if _positions.get(id, 0) < 1:
			missing.append("no position from %d" % id)
	return ", ".join(missing)


func _finish(code: int, why: String) -> void:
	if _finished:
		return
	_finished = true
	var summary := []
	for id in _positions:
		summary.append("%d: %d" % [id, _positions[id]])
	print("CLIENT %s %s: %s (positions received %s)" % [_name, "OK" if code == 0 else "FAILED", why, ", ".join(summary)])
	get_tree().quit(code)


func _log(text: String) -> void:
	print("[%s %5d ms] %s" % [_name, Time.get_ticks_msec() - _started_at_ms, text])
