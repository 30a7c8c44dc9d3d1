## Entry point. Picks the mode from the user arguments (after `--`):
##   -- --server [--port=9080] [--bind=127.0.0.1]   the signaling server (headless)
##   -- --client --url=ws://HOST:PORT [...]          a command-line client (see client/headless_client.gd)
##   (nothing)                                       the lobby/chat/movement UI
##   -- --ui-smoke --url=... --lobby-file=PATH        that UI, driven by tools/ui_smoke.gd (tests)
## Clients put the shared game at /root/Main/Game, so UI and command-line
## clients can play together.
extends Node

const Cmdline := preload("res://cmdline.gd")
const Server := preload("res://signaling/server.gd")
const RtcClient := preload("res://client/rtc_client.gd")
const HeadlessClient := preload("res://client/headless_client.gd")
const Game := preload("res://game/game.gd")
const LobbyUi := preload("res://ui/lobby_ui.tscn")

const DEFAULT_PORT := 9080
## The class the addon registers as WebRTCPeerConnection's implementation.
const ADDON_CLASS := "WebRTCRsPeerConnection"


func _ready() -> void:
	var options := Cmdline.parse(OS.get_cmdline_user_args())
	if options.has("server"):
		_start_server(options)
	elif options.has("client"):
		_start_client(options)
	elif DisplayServer.get_name() == "headless":
		print("usage: godot --headless --path demo_project -- --server [--port=N] [--bind=ADDRESS]")
		print("       godot --headless --path demo_project -- --client --url=ws://HOST:PORT [--lobby=new|CODE] [--lobby-file=PATH] [--name=NAME] [--bot --expect-peers=N] [--timeout=S]")
		get_tree().quit(2)
	else:
		_start_ui(options)


func _start_server(options: Dictionary) -> void:
	var server := Server.new()
	server.name = "Server"
	add_child(server)
	var port := int(options.get("port", DEFAULT_PORT))
	if server.start(port, str(options.get("bind", "127.0.0.1"))) != OK:
		get_tree().quit(1)
		return
	# With a display, say so in the window instead of leaving it blank.
	if DisplayServer.get_name() != "headless":
		var label := Label.new()
		label.position = Vector2(16, 16)
		add_child(label)
		var timer := Timer.new()
		timer.wait_time = 0.5
		timer.autostart = true
		timer.timeout.connect(func(): label.text = server.summary() + "\n(clients: godot --path demo_project)")
		add_child(timer)
		label.text = server.summary()


func _start_client(options: Dictionary) -> void:
	if not _addon_loaded():
		get_tree().quit(1)
		return
	var nodes := _add_network_and_game()
	var client := HeadlessClient.new()
	client.name = "HeadlessClient"
	client.options = options
	client.network = nodes[0]
	client.game = nodes[1]
	add_child(client)


func _start_ui(options: Dictionary) -> void:
	var nodes := _add_network_and_game()
	var ui := LobbyUi.instantiate()
	ui.network = nodes[0]
	ui.game = nodes[1]
	ui.addon_loaded = _addon_loaded()
	add_child(ui)
	if options.has("ui-smoke"):
		var smoke: Node = preload("res://tools/ui_smoke.gd").new()
		smoke.ui = ui
		smoke.options = options
		add_child(smoke)


## Adds the WebRTC client ("Network") and the shared game ("Game").
func _add_network_and_game() -> Array:
	var network := RtcClient.new()
	network.name = "Network"
	add_child(network)
	var game := Game.new()
	game.name = "Game"
	add_child(game)
	return [network, game]


func _addon_loaded() -> bool:
	if ClassDB.class_exists(ADDON_CLASS):
		return true
	printerr("The webrtc_rs addon is not loaded: copy addons/webrtc_rs into demo_project/addons/ (tools/run-demo.sh does it) and open the project once in the editor, or write .godot/extension_list.cfg.")
	return false
