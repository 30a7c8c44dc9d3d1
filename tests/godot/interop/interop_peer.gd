## Godot end of the interop tests: one WebRTCPeerConnection (the addon's)
## talking to another WebRTC implementation (headless Chromium, aiortc)
## through tests/interop/signaling_relay.py. Usage:
##   godot --headless --path tests/godot -s res://interop/interop_peer.gd -- \
##       <offer|answer> <ws://127.0.0.1:PORT/ws/ROOM> [name=PREFIX] [withhold] [mdns=yes|no]
##       [turn=URL relay=udp|tcp|tls]
## name=PREFIX: test names are PREFIX.<group> (default "interop").
## withhold: never send our own ICE candidates, so the connection can only come
##   up if this side reaches a candidate the remote sent (with Chromium's mDNS
##   candidates: only if it resolves a `.local` name).
## mdns=yes|no: the remote's candidates must (not) include `.local` names.
## turn=URL: relay only (iceTransportPolicy "relay") through that TURN server
##   (username "u", credential "p"); relay=PROTOCOL: both ends of the selected
##   pair must then be relay candidates, ours reaching its server over PROTOCOL.
##
## The JSON protocol and the exchange are described in tests/interop/README.md.
## This peer is the judge: it checks what it received itself and what the
## remote reports it received, and prints one "TEST PASS/FAIL <prefix>.<group>"
## line per check group, then "N passed, N failed", and exits 0 only if all passed.
extends SceneTree

const Poll := preload("res://lib/poll.gd")
const NEGOTIATED_ID := 42
const UNRELIABLE_COUNT := 20
const UNRELIABLE_MIN := 10  # unreliable by design: at least half must arrive on loopback
const CLOSE_LIMIT_MS := 5000
const LABELS := ["reliable", "unreliable", "close_by_godot", "close_by_remote", "negotiated"]
const GROUPS := [
	"connect", "remote_candidates", "text_both_ways", "binary_both_ways", "64k_both_ways", "256k_both_ways",
	"unreliable_channel", "negotiated_channel", "close_from_godot", "close_from_remote",
]

var role := ""
var url := ""
var prefix := "interop"
var withhold := false
var expect_mdns := ""  # "yes", "no" or "" (no expectation)
var turn_url := ""
var expect_relay := ""  # "udp", "tcp", "tls" or "" (no expectation)

var ws := WebSocketPeer.new()
var peer := WebRTCPeerConnection.new()
var channels := {}  # label -> WebRTCDataChannel (kept referenced: a dropped channel closes)
var received := {}  # label -> Array of [was_string, PackedByteArray]
var remote_ready = null  # the remote's "ready" message
var remote_report = null  # the remote's "report" message
var remote_left := false
var failures := {}  # group -> Array of reasons
var notes := {}  # group -> Array of informative strings
var description_results := []  # "call(kind) = error code"
var candidate_results := []  # [candidate line, error code]
var remote_sdp_candidates := []  # a=candidate lines of the remote description
var local_candidates := 0
var close_seen_at := -1  # when close_by_remote was first seen CLOSED here (unix ms)
var godot_closed_at := -1
var sdp_log := []  # every description sent and received, printed if the connection fails


func _initialize() -> void:
	_run.call_deferred()


static func now_ms() -> int:
	return int(Time.get_unix_time_from_system() * 1000.0)


# --- payloads, identical in browser_peer.html and aiortc_peer.py ------------

static func text_payload(tag: String) -> String:
	return "text ✓ from " + tag


static func binary_payload() -> PackedByteArray:
	var data := PackedByteArray()
	data.resize(256)
	for i in 256:
		data[i] = i
	return data


static func seeded_payload(size: int, seed: int) -> PackedByteArray:
	var data := PackedByteArray()
	data.resize(size)
	for i in size:
		data[i] = (i * i * 31 + i * 7 + seed) % 256
	return data


static func big_payload(tag: String) -> PackedByteArray:
	return seeded_payload(65536, 11 if tag == "godot" else 13)


## 262144 bytes: the largest message both ends advertise (a=max-message-size).
static func largest_payload(tag: String) -> PackedByteArray:
	return seeded_payload(262144, 17 if tag == "godot" else 19)


static func negotiated_text(tag: String) -> String:
	return "negotiated ✓ from " + tag


static func negotiated_binary() -> PackedByteArray:
	return PackedByteArray([NEGOTIATED_ID, 0, 255, 1])


static func sha256(data: PackedByteArray) -> String:
	var ctx := HashingContext.new()
	ctx.start(HashingContext.HASH_SHA256)
	if data.size() > 0:
		ctx.update(data)
	return ctx.finish().hex_encode()


# --- bookkeeping -------------------------------------------------------------

func fail(group: String, reason: String) -> void:
	failures[group].append(reason)


func expect(group: String, condition: bool, reason: String) -> void:
	if not condition:
		fail(group, reason)


func note(group: String, text: String) -> void:
	notes[group].append(text)


func send(message: Dictionary) -> void:
	if ws.get_ready_state() == WebSocketPeer.STATE_OPEN:
		ws.send_text(JSON.stringify(message))


func finish() -> void:
	send({"type": "done"})
	# Let the relay get "done" before the socket goes away.
	await Poll.until(self, func():
		ws.poll()
		peer.poll(), func(): return ws.get_current_outbound_buffered_amount() == 0, 1.0)
	ws.close()
	peer.close()
	var passed := 0
	var failed := 0
	for group in GROUPS:
		var name: String = "%s.%s" % [prefix, group]
		var details: String = "; ".join(notes[group])
		if failures[group].is_empty():
			passed += 1
			print("TEST PASS %s%s" % [name, " (%s)" % details if details != "" else ""])
		else:
			failed += 1
			print("TEST FAIL %s: %s%s" % [name, "; ".join(failures[group]), " (%s)" % details if details != "" else ""])
	print("%d passed, %d failed" % [passed, failed])
	quit(0 if failed == 0 else 1)


# --- signaling ---------------------------------------------------------------

func _on_local_description(type: String, sdp: String) -> void:
	var err := peer.set_local_description(type, sdp)
	description_results.append("set_local_description(%s) = %d" % [type, err])
	sdp_log.append("local %s:\n%s" % [type, sdp])
	send({"type": "description", "kind": type, "sdp": sdp})


func _on_local_candidate(mid: String, index: int, candidate: String) -> void:
	local_candidates += 1
	if not withhold:
		send({"type": "candidate", "mid": mid, "index": index, "candidate": candidate})


func _on_channel(channel: WebRTCDataChannel) -> void:
	channels[channel.get_label()] = channel


func _on_message(message: Dictionary) -> void:
	match message.get("type", ""):
		"description":
			var kind: String = message["kind"]
			var sdp: String = message["sdp"]
			for line in sdp.split("\n"):
				if line.strip_edges().begins_with("a=candidate:"):
					remote_sdp_candidates.append(line.strip_edges())
			sdp_log.append("remote %s:\n%s" % [kind, sdp])
			var err := peer.set_remote_description(kind, sdp)
			description_results.append("set_remote_description(%s) = %d" % [kind, err])
		"candidate":
			var mid = message.get("mid")
			var index = message.get("index")
			var line: String = str(message["candidate"]) if message.get("candidate") != null else ""
			var err := peer.add_ice_candidate(str(mid) if mid != null else "", int(index) if index != null else 0, line)
			candidate_results.append([line, err])
		"ready":
			remote_ready = message
		"report":
			remote_report = message
		"peer_left":
			remote_left = true


func _poll() -> void:
	ws.poll()
	while ws.get_available_packet_count() > 0:
		var parsed = JSON.parse_string(ws.get_packet().get_string_from_utf8())
		if parsed is Dictionary:
			_on_message(parsed)
	peer.poll()
	for label in channels:
		var channel: WebRTCDataChannel = channels[label]
		while channel.get_available_packet_count() > 0:
			var packet := channel.get_packet()
			if not received.has(label):
				received[label] = []
			received[label].append([channel.was_string_packet(), packet])
	if channels.has("close_by_remote") and close_seen_at < 0 \
			and channels["close_by_remote"].get_ready_state() == WebRTCDataChannel.STATE_CLOSED:
		close_seen_at = now_ms()


func pump_until(condition: Callable, timeout_s: float) -> bool:
	return await Poll.until(self, _poll, condition, timeout_s)


func all_open() -> bool:
	for label in LABELS:
		if not channels.has(label) or channels[label].get_ready_state() != WebRTCDataChannel.STATE_OPEN:
			return false
	return true


# --- the run -----------------------------------------------------------------

func _run() -> void:
	for group in GROUPS:
		failures[group] = []
		notes[group] = []
	for label in LABELS:
		received[label] = []
	var args := OS.get_cmdline_user_args()
	if args.size() < 2 or not args[0] in ["offer", "answer"]:
		fail("connect", "usage: -- <offer|answer> <ws url> [name=PREFIX] [withhold] [mdns=yes|no] [turn=URL relay=PROTOCOL]")
		finish()
		return
	role = args[0]
	url = args[1]
	for arg in args.slice(2):
		if arg.begins_with("name="):
			prefix = arg.trim_prefix("name=")
		elif arg == "withhold":
			withhold = true
		elif arg.begins_with("mdns="):
			expect_mdns = arg.trim_prefix("mdns=")
		elif arg.begins_with("turn="):
			turn_url = arg.trim_prefix("turn=")
		elif arg.begins_with("relay="):
			expect_relay = arg.trim_prefix("relay=")
		else:
			fail("connect", "unknown argument " + arg)

	if turn_url != "":
		var config := {"iceServers": [{"urls": [turn_url], "username": "u", "credential": "p"}], "iceTransportPolicy": "relay"}
		if peer.initialize(config) != OK:
			fail("connect", "initialize(%s) failed" % str(config))
	# Everything is wired before the first signaling message can arrive (the
	# relay delivers what the remote already sent as soon as we join).
	peer.session_description_created.connect(_on_local_description)
	peer.ice_candidate_created.connect(_on_local_candidate)
	peer.data_channel_received.connect(_on_channel)
	channels["negotiated"] = peer.create_data_channel("negotiated", {"negotiated": true, "id": NEGOTIATED_ID})
	if role == "offer":
		channels["reliable"] = peer.create_data_channel("reliable", {"protocol": "interop-v1"})
		channels["unreliable"] = peer.create_data_channel("unreliable", {"ordered": false, "maxRetransmits": 0})
		channels["close_by_godot"] = peer.create_data_channel("close_by_godot")
		channels["close_by_remote"] = peer.create_data_channel("close_by_remote")

	ws.connect_to_url(url)
	if not await pump_until(func(): return ws.get_ready_state() == WebSocketPeer.STATE_OPEN, 10.0):
		fail("connect", "could not reach the signaling relay at " + url)
		for group in GROUPS:
			if group != "connect":
				fail(group, "not connected")
		finish()
		return
	send({"type": "hello", "impl": "godot", "role": role, "withhold": withhold})

	if role == "offer":
		var err := peer.create_offer()
		description_results.append("create_offer = %d" % err)

	# Connect: every channel OPEN here; the remote says the same with "ready".
	var started := Time.get_ticks_msec()
	var sent_ready := [false]
	var opened := await pump_until(func():
		if not sent_ready[0] and all_open():
			sent_ready[0] = true
			send({"type": "ready", "impl": "godot"})
		return sent_ready[0] and remote_ready != null or remote_left, 20.0)
	opened = opened and not remote_left and remote_ready != null
	note("connect", "%d ms" % (Time.get_ticks_msec() - started))
	_judge_connect(opened)
	if not opened:
		for group in GROUPS:
			if group not in ["connect", "remote_candidates"]:
				fail(group, "not connected")
		_judge_candidates()
		finish()
		return

	# Exchange: both sides send everything at once and close their close_by_* channel.
	var reliable: WebRTCDataChannel = channels["reliable"]
	reliable.write_mode = WebRTCDataChannel.WRITE_MODE_TEXT
	expect("text_both_ways", reliable.put_packet(text_payload("godot").to_utf8_buffer()) == OK, "put text failed")
	reliable.write_mode = WebRTCDataChannel.WRITE_MODE_BINARY
	expect("binary_both_ways", reliable.put_packet(binary_payload()) == OK, "put binary failed")
	expect("64k_both_ways", reliable.put_packet(big_payload("godot")) == OK, "put 65536 bytes failed")
	var unreliable: WebRTCDataChannel = channels["unreliable"]
	unreliable.write_mode = WebRTCDataChannel.WRITE_MODE_TEXT
	for i in UNRELIABLE_COUNT:
		expect("unreliable_channel", unreliable.put_packet(("u%d from godot" % i).to_utf8_buffer()) == OK, "put #%d failed" % i)
	var negotiated: WebRTCDataChannel = channels["negotiated"]
	negotiated.write_mode = WebRTCDataChannel.WRITE_MODE_TEXT
	expect("negotiated_channel", negotiated.put_packet(negotiated_text("godot").to_utf8_buffer()) == OK, "put text failed")
	negotiated.write_mode = WebRTCDataChannel.WRITE_MODE_BINARY
	expect("negotiated_channel", negotiated.put_packet(negotiated_binary()) == OK, "put binary failed")
	godot_closed_at = now_ms()
	channels["close_by_godot"].close()
	# Last, so that the other checks do not wait behind it.
	var put_largest := reliable.put_packet(largest_payload("godot"))
	expect("256k_both_ways", put_largest == OK, "put 262144 bytes: error %d" % put_largest)

	var phase := Time.get_ticks_msec()
	var rest_done := [-1]
	await pump_until(func():
		var rest: bool = received["reliable"].size() >= 4 and received["negotiated"].size() >= 2 \
			and close_seen_at >= 0 and remote_report != null
		if rest and rest_done[0] < 0:
			rest_done[0] = Time.get_ticks_msec()
		return remote_left or rest and (received["unreliable"].size() >= UNRELIABLE_COUNT \
			or Time.get_ticks_msec() - rest_done[0] > 1000), 15.0)
	note("text_both_ways", "exchange %d ms" % (Time.get_ticks_msec() - phase))
	_judge_exchange()
	_judge_candidates()
	finish()


# --- checks ------------------------------------------------------------------

func _judge_connect(opened: bool) -> void:
	for result in description_results:
		expect("connect", result.ends_with("= 0"), result)
	if not opened:
		var states := []
		for label in LABELS:
			states.append("%s=%s" % [label, channels[label].get_ready_state() if channels.has(label) else "missing"])
		fail("connect", "not all channels open within 20 s (connection state %d, gathering state %d, signaling state %d, %s; remote ready: %s; remote left: %s)" \
			% [peer.get_connection_state(), peer.get_gathering_state(), peer.get_signaling_state(), ", ".join(states), remote_ready != null, remote_left])
		for sdp in sdp_log:
			print("  | " + sdp.replace("\r\n", "\n").replace("\n", "\n  | "))
	else:
		expect("connect", peer.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED, "connection state %d" % peer.get_connection_state())
		var reliable: WebRTCDataChannel = channels["reliable"]
		expect("connect", reliable.get_protocol() == "interop-v1", "reliable protocol here: '%s'" % reliable.get_protocol())
		var theirs: Dictionary = remote_ready.get("channels", {})
		for label in LABELS:
			expect("connect", theirs.has(label), "remote has no channel " + label)
		if theirs.has("reliable"):
			expect("connect", theirs["reliable"].get("protocol") == "interop-v1", "reliable protocol there: %s" % theirs["reliable"].get("protocol"))
	# With withheld candidates the connection proves this side reached the
	# remote's candidates only if our descriptions carried none either.
	if withhold:
		for entry in sdp_log:
			if entry.begins_with("local "):
				expect("connect", not entry.contains("a=candidate:"), "withhold: our description carried candidates, the check proves nothing")


func _judge_candidates() -> void:
	# Every candidate the remote trickled must be accepted.
	var mdns_names := 0
	var bad := []
	var lines := []
	for result in candidate_results:
		lines.append(result[0])
		if result[1] != OK:
			bad.append("%s -> error %d" % [result[0], result[1]])
	lines.append_array(remote_sdp_candidates)
	for line in lines:
		if String(line).contains(".local "):
			mdns_names += 1
	expect("remote_candidates", bad.is_empty(), "add_ice_candidate refused: " + ", ".join(bad))
	expect("remote_candidates", lines.size() > 0, "the remote sent no candidates")
	expect("remote_candidates", local_candidates > 0, "ice_candidate_created never emitted")
	if expect_mdns == "yes":
		expect("remote_candidates", mdns_names > 0, "the remote sent no .local candidate (mDNS variant)")
	elif expect_mdns == "no":
		expect("remote_candidates", mdns_names == 0, "the remote sent %d .local candidates (mDNS disabled)" % mdns_names)
	note("remote_candidates", "%d trickled + %d in SDP, %d with a .local name; %d local emitted%s" \
		% [candidate_results.size(), remote_sdp_candidates.size(), mdns_names, local_candidates, " (withheld)" if withhold else ""])
	var info = remote_report.get("info", {}) if remote_report != null else {}
	var pair = info.get("selectedPair") if info is Dictionary else null
	if pair is Dictionary and pair.get("local") is Dictionary and pair.get("remote") is Dictionary:
		note("remote_candidates", "remote's selected pair: its %s -> our %s" % [pair["local"].get("type"), pair["remote"].get("type")])
	if expect_relay != "":
		_judge_relay(pair)
	if not failures["remote_candidates"].is_empty():
		for line in lines:
			note("remote_candidates", "got " + String(line))


## Relay only: both ends of both sides' selected pair are relay candidates,
## ours reaching its TURN server over `expect_relay`.
func _judge_relay(their_pair) -> void:
	var stats: Dictionary = peer.call("get_stats")
	var ours: Dictionary = stats.get("local_candidate", {})
	var theirs: Dictionary = stats.get("remote_candidate", {})
	expect("remote_candidates", ours.get("type") == "relay" and theirs.get("type") == "relay",
		"our selected pair is %s -> %s, not relay -> relay" % [ours.get("type"), theirs.get("type")])
	expect("remote_candidates", ours.get("relay_protocol") == expect_relay,
		"our relay reaches its server over '%s', not %s" % [ours.get("relay_protocol"), expect_relay])
	var ok_theirs: bool = their_pair is Dictionary and their_pair.get("local") is Dictionary \
		and their_pair["local"].get("type") == "relay" and their_pair["remote"] is Dictionary and their_pair["remote"].get("type") == "relay"
	expect("remote_candidates", ok_theirs, "the remote's selected pair is not relay -> relay: %s" % str(their_pair))
	if ok_theirs:
		note("remote_candidates", "relay -> relay both sides; ours over %s, theirs over %s; our rtt_ms %.2f" % [
			ours.get("relay_protocol"), their_pair["local"].get("relayProtocol"), stats.get("rtt_ms", -1.0)])


## What the remote says it received: {kind, len, sha256[, text]}.
func _their(label: String, index: int) -> Dictionary:
	var list: Array = remote_report.get(label, []) if remote_report != null else []
	return list[index] if index < list.size() else {}


func _mine(label: String, index: int) -> Array:
	return received[label][index] if index < received[label].size() else [false, null]


func _judge_exchange() -> void:
	if remote_report == null:
		for group in GROUPS:
			if group not in ["connect", "remote_candidates"]:
				fail(group, "no report from the remote (left: %s)" % remote_left)
	var report: Dictionary = remote_report if remote_report != null else {}
	var info = report.get("info", {})
	if info is Dictionary:
		note("connect", "remote connectionState %s" % info.get("connectionState"))

	# Text: a string packet here, a string there.
	var got := _mine("reliable", 0)
	expect("text_both_ways", got[0] == true, "godot: first reliable message is not a string packet")
	expect("text_both_ways", got[1] != null and got[1].get_string_from_utf8() == text_payload("remote"),
		"godot got %s" % (got[1].get_string_from_utf8().left(80) if got[1] != null else "nothing"))
	var their := _their("reliable", 0)
	expect("text_both_ways", their.get("kind") == "text", "remote: text arrived as %s" % their.get("kind"))
	expect("text_both_ways", their.get("text") == text_payload("godot"), "remote got %s" % their.get("text"))

	# Binary.
	got = _mine("reliable", 1)
	expect("binary_both_ways", got[0] == false, "godot: binary message arrived as a string packet")
	expect("binary_both_ways", got[1] == binary_payload(), "godot: binary payload differs (%d bytes)" % (got[1].size() if got[1] != null else -1))
	their = _their("reliable", 1)
	expect("binary_both_ways", their.get("kind") == "binary", "remote: binary arrived as %s" % their.get("kind"))
	expect("binary_both_ways", their.get("sha256") == sha256(binary_payload()), "remote: binary payload differs (%s bytes)" % their.get("len"))

	# 65536 bytes.
	got = _mine("reliable", 2)
	expect("64k_both_ways", got[0] == false, "godot: 64 KiB arrived as a string packet")
	expect("64k_both_ways", got[1] == big_payload("remote"), "godot: 64 KiB payload differs (%d bytes)" % (got[1].size() if got[1] != null else -1))
	their = _their("reliable", 2)
	expect("64k_both_ways", their.get("kind") == "binary", "remote: 64 KiB arrived as %s" % their.get("kind"))
	expect("64k_both_ways", int(their.get("len", -1)) == 65536 and their.get("sha256") == sha256(big_payload("godot")),
		"remote: 64 KiB payload differs (%s bytes)" % their.get("len"))
	# 262144 bytes.
	got = _mine("reliable", 3)
	expect("256k_both_ways", got[0] == false, "godot: 256 KiB arrived as a string packet")
	expect("256k_both_ways", got[1] == largest_payload("remote"), "godot: 256 KiB payload differs (%d bytes)" % (got[1].size() if got[1] != null else -1))
	their = _their("reliable", 3)
	expect("256k_both_ways", int(their.get("len", -1)) == 262144 and their.get("sha256") == sha256(largest_payload("godot")),
		"remote: 256 KiB payload differs (%s bytes)" % their.get("len"))
	expect("text_both_ways", received["reliable"].size() == 4, "godot: %d reliable messages, expected 4" % received["reliable"].size())
	expect("text_both_ways", report.get("reliable", []).size() == 4, "remote: %d reliable messages, expected 4" % report.get("reliable", []).size())

	# Unreliable channel: properties on both ends, messages both ways.
	var unreliable: WebRTCDataChannel = channels["unreliable"]
	expect("unreliable_channel", not unreliable.is_ordered(), "godot: unreliable channel is ordered")
	expect("unreliable_channel", unreliable.get_max_retransmits() == 0, "godot: maxRetransmits %d" % unreliable.get_max_retransmits())
	var props: Dictionary = remote_ready.get("channels", {}).get("unreliable", {})
	expect("unreliable_channel", props.get("ordered") == false, "remote: ordered = %s" % props.get("ordered"))
	expect("unreliable_channel", props.get("maxRetransmits") != null and int(props.get("maxRetransmits")) == 0, "remote: maxRetransmits = %s" % props.get("maxRetransmits"))
	var seen := {}
	for entry in received["unreliable"]:
		var text: String = entry[1].get_string_from_utf8()
		expect("unreliable_channel", entry[0] and text.begins_with("u") and text.ends_with(" from remote") and not seen.has(text),
			"godot: unexpected unreliable message '%s'" % text.left(40))
		seen[text] = true
	expect("unreliable_channel", seen.size() >= UNRELIABLE_MIN, "godot got %d of %d" % [seen.size(), UNRELIABLE_COUNT])
	var theirs: Dictionary = report.get("unreliable_summary", {})
	expect("unreliable_channel", int(theirs.get("distinct", 0)) >= UNRELIABLE_MIN, "remote got %s of %d" % [theirs.get("distinct"), UNRELIABLE_COUNT])
	expect("unreliable_channel", theirs.get("all_valid") == true, "remote: unexpected messages %s" % str(theirs.get("invalid")))
	note("unreliable_channel", "godot got %d/%d, remote got %d/%d" % [seen.size(), UNRELIABLE_COUNT, int(theirs.get("distinct", 0)), UNRELIABLE_COUNT])

	# Negotiated channel: same id both ends, text + binary both ways.
	var negotiated: WebRTCDataChannel = channels["negotiated"]
	expect("negotiated_channel", negotiated.get_id() == NEGOTIATED_ID and negotiated.is_negotiated(), "godot: id %d negotiated %s" % [negotiated.get_id(), negotiated.is_negotiated()])
	props = remote_ready.get("channels", {}).get("negotiated", {})
	expect("negotiated_channel", props.get("id") != null and int(props.get("id")) == NEGOTIATED_ID and props.get("negotiated") == true,
		"remote: id %s negotiated %s" % [props.get("id"), props.get("negotiated")])
	got = _mine("negotiated", 0)
	expect("negotiated_channel", got[0] == true and got[1] != null and got[1].get_string_from_utf8() == negotiated_text("remote"), "godot: negotiated text wrong/missing")
	got = _mine("negotiated", 1)
	expect("negotiated_channel", got[0] == false and got[1] == negotiated_binary(), "godot: negotiated binary wrong/missing")
	their = _their("negotiated", 0)
	expect("negotiated_channel", their.get("kind") == "text" and their.get("text") == negotiated_text("godot"), "remote: negotiated text: %s" % str(their))
	their = _their("negotiated", 1)
	expect("negotiated_channel", their.get("kind") == "binary" and their.get("sha256") == sha256(negotiated_binary()), "remote: negotiated binary: %s" % str(their))

	# Close from Godot: the remote sees its end close.
	var closed_here: int = channels["close_by_godot"].get_ready_state()
	expect("close_from_godot", closed_here == WebRTCDataChannel.STATE_CLOSED, "godot: own closed channel in state %d" % closed_here)
	var close_report: Dictionary = report.get("close_by_godot", {})
	var seen_at = close_report.get("seen_at")
	if seen_at == null:
		fail("close_from_godot", "remote never saw the channel close (state %s)" % close_report.get("state"))
	else:
		var took := int(seen_at) - godot_closed_at
		expect("close_from_godot", took <= CLOSE_LIMIT_MS, "remote saw it after %d ms" % took)
		note("close_from_godot", "remote saw it after %d ms" % took)
	expect("close_from_godot", close_report.get("state") == "closed", "remote channel state %s" % close_report.get("state"))

	# Close from the remote: this side sees its end CLOSED.
	close_report = report.get("close_by_remote", {})
	var closed_at = close_report.get("closed_at")
	if close_seen_at < 0:
		fail("close_from_remote", "godot never saw the channel close (state %d)" % channels["close_by_remote"].get_ready_state())
	elif closed_at == null:
		fail("close_from_remote", "remote did not report closing")
	else:
		var took: int = close_seen_at - int(closed_at)
		expect("close_from_remote", took <= CLOSE_LIMIT_MS, "godot saw it after %d ms" % took)
		note("close_from_remote", "godot saw it after %d ms" % took)
	# The closer's own end finishes closing once this side resets its outgoing
	# stream in turn (RFC 8831 section 6.7).
	expect("close_from_remote", close_report.get("state") == "closed", "remote's own channel still '%s' 3 s after its close(): godot never reset its outgoing stream in reply (see tests/interop/README.md, known failures)" % close_report.get("state"))
	if close_report.get("own_closed_at") != null and closed_at != null:
		note("close_from_remote", "remote's own end closed after %d ms" % (int(close_report["own_closed_at"]) - int(closed_at)))
	# Closing one channel leaves the others and the connection up.
	for group in ["close_from_godot", "close_from_remote"]:
		expect(group, channels["reliable"].get_ready_state() == WebRTCDataChannel.STATE_OPEN, "godot: reliable channel no longer open")
		expect(group, report.get("reliable_state") == "open", "remote: reliable channel %s" % report.get("reliable_state"))
		expect(group, peer.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED, "godot: connection state %d" % peer.get_connection_state())
