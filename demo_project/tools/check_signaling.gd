## Checks the signaling server's protocol from the outside, with raw
## WebSocket clients: lobbies, relaying, sealing, leaving, and the errors for
## bad input. Prints "PASS name" or "FAIL name: why" per check and quits with
## exit code 0 only if everything passed.
##
## Run (with a server running): godot --headless --path demo_project -s res://tools/check_signaling.gd -- --url=ws://127.0.0.1:PORT
extends SceneTree

const Cmdline := preload("res://cmdline.gd")
const Protocol := preload("res://signaling/protocol.gd")

## How long to wait for an expected message.
const WAIT_S := 5.0


## A raw WebSocket client that collects the server's messages.
class Client:
	extends RefCounted
	var ws := WebSocketPeer.new()
	var inbox: Array = []
	## Text sent before the connection opened, sent once it does.
	var outbox: Array[String] = []

	func _init(url: String) -> void:
		# Room to send an oversized message, so the server is the one refusing it.
		ws.outbound_buffer_size = Protocol.MAX_MESSAGE_BYTES * 2
		ws.connect_to_url(url)

	func poll() -> void:
		ws.poll()
		if ws.get_ready_state() == WebSocketPeer.STATE_OPEN:
			for text in outbox:
				ws.send_text(text)
			outbox.clear()
		while ws.get_available_packet_count() > 0:
			inbox.append(JSON.parse_string(ws.get_packet().get_string_from_utf8()))

	func send(message) -> void:
		var text: String = message if message is String else JSON.stringify(message)
		if ws.get_ready_state() == WebSocketPeer.STATE_OPEN:
			ws.send_text(text)
		else:
			outbox.append(text)

	func is_closed() -> bool:
		return ws.get_ready_state() == WebSocketPeer.STATE_CLOSED


var _url := ""
var _clients: Array[Client] = []
var _passed := 0
var _failed := 0


func _initialize() -> void:
	_url = str(Cmdline.parse(OS.get_cmdline_user_args()).get("url", ""))
	if _url == "":
		printerr("usage: -s res://tools/check_signaling.gd -- --url=ws://HOST:PORT")
		quit(2)
		return
	_run.call_deferred()


func _run() -> void:
	await _check_lobby_and_relay()
	await _check_host_leaving()
	await _check_oversized_message()
	print("%d checks passed, %d failed" % [_passed, _failed])
	for client in _clients:
		client.ws.close()
	quit(0 if _failed == 0 else 1)


func _check_lobby_and_relay() -> void:
	var host := _connect()
	host.send({"type": "join", "lobby": ""})
	var joined = await _next(host, "joined")
	if not _check("create_lobby", joined != null and joined["id"] == 1 and joined["host"] == 1 and str(joined["lobby"]).length() == 6, joined):
		return
	var code: String = joined["lobby"]

	var guest := _connect()
	guest.send({"type": "join", "lobby": code.to_lower()})
	var guest_joined = await _next(guest, "joined")
	var guest_hears_host = await _next(guest, "peer_connect")
	var host_hears_guest = await _next(host, "peer_connect")
	_check("join_lobby", guest_joined != null and guest_joined["id"] == 2 and guest_joined["lobby"] == code, guest_joined)
	_check("peer_connect_both_ways", guest_hears_host != null and guest_hears_host["id"] == 1 and host_hears_guest != null and host_hears_guest["id"] == 2, [guest_hears_host, host_hears_guest])

	host.send({"type": "offer", "to": 2, "sdp": "v=0 offer", "extra": "not relayed"})
	var offer = await _next(guest, "offer")
	_check("relay_offer", offer == {"type": "offer", "from": 1, "sdp": "v=0 offer"}, offer)
	guest.send({"type": "candidate", "to": 1, "mid": "0", "index": 0, "sdp": "candidate:1 1 udp 1 127.0.0.1 9 typ host"})
	var candidate = await _next(host, "candidate")
	_check("relay_candidate", candidate != null and candidate["from"] == 2 and candidate["mid"] == "0" and candidate["index"] == 0 and str(candidate["sdp"]).begins_with("candidate:"), candidate)

	await _expect_error("relay_to_unknown_peer", host, {"type": "answer", "to": 99, "sdp": "x"}, "no peer 99")
	await _expect_error("malformed_json", host, "{\"type\": \"join\",", "malformed JSON")
	await _expect_error("not_an_object", host, "[1, 2]", "JSON object")
	await _expect_error("unknown_type", host, {"type": "dance"}, "unknown message type 'dance'")
	await _expect_error("missing_field", host, {"type": "offer", "to": 2}, "'sdp'")
	await _expect_error("wrong_field_type", host, {"type": "offer", "to": "two", "sdp": "x"}, "'to'")
	await _expect_error("join_twice", guest, {"type": "join", "lobby": ""}, "already in lobby")
	await _expect_error("seal_by_guest", guest, {"type": "seal"}, "only the host")

	var stranger := _connect()
	await _expect_error("join_unknown_lobby", stranger, {"type": "join", "lobby": "NOSUCH"}, "no lobby with code 'NOSUCH'")
	await _expect_error("relay_before_join", stranger, {"type": "offer", "to": 1, "sdp": "x"}, "join a lobby")
	# Still usable after all those errors: the host seals, and the stranger is refused.
	host.send({"type": "seal"})
	var host_sealed = await _next(host, "sealed")
	var guest_sealed = await _next(guest, "sealed")
	_check("seal", host_sealed != null and guest_sealed != null, [host_sealed, guest_sealed])
	await _expect_error("join_sealed_lobby", stranger, {"type": "join", "lobby": code}, "sealed")

	guest.ws.close()
	var left = await _next(host, "peer_disconnect")
	_check("peer_disconnect", left != null and left["id"] == 2, left)


func _check_host_leaving() -> void:
	var host := _connect()
	host.send({"type": "join", "lobby": ""})
	var joined = await _next(host, "joined")
	if not _check("second_lobby", joined != null, joined):
		return
	var guest := _connect()
	guest.send({"type": "join", "lobby": joined["lobby"]})
	await _next(guest, "joined")
	host.ws.close()
	var closed = await _next(guest, "lobby_closed")
	var dropped := await _until(func(): return guest.is_closed())
	_check("host_leaving_closes_lobby", closed != null and dropped, [closed, guest.ws.get_ready_state()])
	var late := _connect()
	await _expect_error("lobby_gone_after_host_left", late, {"type": "join", "lobby": joined["lobby"]}, "no lobby")


func _check_oversized_message() -> void:
	var client := _connect()
	client.send({"type": "join", "lobby": ""})
	await _next(client, "joined")
	var big := "x".repeat(Protocol.MAX_MESSAGE_BYTES + 1)
	client.send({"type": "offer", "to": 1, "sdp": big})
	var error = await _next(client, "error")
	var dropped := await _until(func(): return client.is_closed())
	_check("oversized_message_dropped", error != null and "limit" in str(error["message"]) and dropped and client.ws.get_close_code() == 4000,
			[error, client.ws.get_ready_state(), client.ws.get_close_code()])


## Sends `message` and expects an error reply whose text contains `expected`.
func _expect_error(check_name: String, client: Client, message, expected: String) -> void:
	client.send(message)
	var error = await _next(client, "error")
	_check(check_name, error != null and expected in str(error["message"]) and not client.is_closed(), error)


func _connect() -> Client:
	var client := Client.new(_url)
	_clients.append(client)
	return client


## Waits for the next message of `type` on `client` (earlier messages of other
## types stay queued). Returns it, or null after WAIT_S.
func _next(client: Client, type: String):
	var found := {}
	await _until(func():
		for i in client.inbox.size():
			var message = client.inbox[i]
			if message is Dictionary and message.get("type") == type:
				found["message"] = message
				client.inbox.remove_at(i)
				return true
		return false)
	var message = found.get("message")
	# JSON numbers are floats; compare ids as ints.
	if message != null:
		for key in ["id", "host", "from", "index"]:
			if message.has(key):
				message[key] = int(message[key])
	return message


## Polls every client each frame until `condition` holds or WAIT_S passes.
func _until(condition: Callable) -> bool:
	var deadline := Time.get_ticks_msec() + int(WAIT_S * 1000.0)
	while Time.get_ticks_msec() < deadline:
		for client in _clients:
			client.poll()
		if condition.call():
			return true
		await process_frame
	return false


func _check(check_name: String, ok: bool, got) -> bool:
	if ok:
		_passed += 1
		print("PASS %s" % check_name)
	else:
		_failed += 1
		print("FAIL %s: got %s" % [check_name, str(got)])
	return ok
