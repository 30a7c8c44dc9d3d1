## Drives the lobby UI as a person would, through its own buttons and fields
## (tools/run-demo.sh runs it under Xvfb, with a bot client as the other
## player): Join with no code must ask for one; Create makes a lobby, whose
## code goes to --lobby-file; once the bot is connected the status says so and
## the live panel lists it; a chat line goes out and the bot's comes in; its
## square and ours are at different places; once the bot has quit (it quits
## when it has our chat and positions), Leave brings the UI back to the start. Prints "UI OK" and exits 0, or "UI FAILED: ..." and exits 1.
##   godot --path demo_project -- --ui-smoke --url=ws://HOST:PORT --lobby-file=PATH [--timeout=30]
extends Node

var ui: Node
var options: Dictionary
var _chat_from := {}


func _ready() -> void:
	_run.call_deferred()


func _until(condition: Callable, timeout_s: float) -> bool:
	var deadline := Time.get_ticks_msec() + int(timeout_s * 1000.0)
	while Time.get_ticks_msec() < deadline:
		if condition.call():
			return true
		await get_tree().process_frame
	return condition.call()


func _fail(why: String) -> void:
	print("UI FAILED: %s (status: '%s')" % [why, ui.get_node("Status").text])
	get_tree().quit(1)


func _run() -> void:
	var timeout := float(options.get("timeout", 30))
	ui.game.chat_received.connect(func(from_id, text): _chat_from[from_id] = text)
	ui.get_node("Url").text = str(options.get("url", ""))
	ui.get_node("Buttons/Join").pressed.emit()
	if not ui.get_node("Status").text.begins_with("Type the lobby code"):
		_fail("Join with an empty code did not ask for a code")
		return
	ui.get_node("Buttons/Create").pressed.emit()
	if not await _until(func(): return ui.network.lobby_code != "", timeout):
		_fail("no lobby created")
		return
	var file := FileAccess.open(str(options.get("lobby-file", "")), FileAccess.WRITE)
	file.store_string(ui.network.lobby_code)
	file.close()
	print("UI lobby %s" % ui.network.lobby_code)
	if not await _until(func(): return multiplayer.get_peers().size() == 1, timeout):
		_fail("the bot never connected")
		return
	var bot: int = multiplayer.get_peers()[0]
	if not ui.get_node("Status").text.begins_with("connected to peer %d" % bot):
		_fail("the status does not say the peer is connected")
		return
	if not await _until(func(): return ui.get_node("Peers").text.contains("peer %d:" % bot), 5.0):
		_fail("the live panel does not list peer %d" % bot)
		return
	print("UI panel: %s" % ui.get_node("Peers").text.replace("\n", " | "))
	ui.get_node("ChatInput").text_submitted.emit("hello from ui")
	if not await _until(func(): return _chat_from.has(bot), timeout):
		_fail("no chat line from the bot")
		return
	var players: Node = ui.game
	var mine: Control = players.get_node("Player%d" % multiplayer.get_unique_id())
	var theirs: Control = players.get_node("Player%d" % bot)
	if mine.position == theirs.position:
		_fail("both squares at %s" % mine.position)
		return
	# The bot quits once it has our chat line and a position: then Leave.
	if not await _until(func(): return multiplayer.get_peers().is_empty(), timeout):
		_fail("the bot did not finish (did it get our chat line?)")
		return
	ui.get_node("Buttons/Leave").pressed.emit()
	if ui.get_node("Buttons/Create").disabled or multiplayer.multiplayer_peer is WebRTCMultiplayerPeer \
			or not ui.get_node("Status").text.begins_with("Left the lobby"):
		_fail("Leave did not bring the UI back to the start")
		return
	print("UI OK")
	get_tree().quit(0)
