## Peers against real coturn STUN/TURN servers on 127.0.0.1 (run by
## tests/scenarios/net_turn.sh inside a network namespace whose only interface
## is lo). Usage:
##   TEST_ONLY=test_x godot --headless -s res://net/turn_peers.gd -- \
##       <udp server port> <tcp-only server port> <its TLS port>
## The second server has no UDP listener (coturn --no-udp): a peer reaches it
## over TCP or TLS (host name "localhost", certificate from the test's CA) or not at all.
## Lines starting with "NET " are measurements the scenario prints.
extends "res://lib/harness.gd"

## How long a peer may take to report FAILED when it can never connect.
## webrtc-rs gives up checking after disconnected (5 s) + failed (25 s) timeouts.
const FAIL_LIMIT_S := 50.0

## A 65536-byte message each way: more than one SCTP packet, many TURN frames.
const LARGE := 65536
## A port no server of the scenario listens on.
const UNUSED_PORT := 34799

var port := 0
var tcp_port := 0
var tls_port := 0


## "turn", "?transport=udp" -> "turn:127.0.0.1:<port>?transport=udp"
func _server(scheme: String, query := "") -> String:
	return "%s:127.0.0.1:%d%s" % [scheme, port, query]


func _read_args() -> bool:
	var args := OS.get_cmdline_user_args()
	var ok := args.size() >= 3
	for arg in args:
		ok = ok and arg.is_valid_int()
	if not check(ok, "arguments: <udp port> <tcp port> <tls port>"):
		return false
	port = int(args[0])
	tcp_port = int(args[1])
	tls_port = int(args[2])
	return true


## A relay-only configuration with one TURN URL.
static func _relay_only(url: String, credential := "p") -> Dictionary:
	return {
		"iceServers": [{"urls": [url], "username": "u", "credential": credential}],
		"iceTransportPolicy": "relay",
	}


## "candidate:1 1 udp 50331647 ..." -> 50331647
static func candidate_priority(line: String) -> int:
	var parts := line.split(" ", false)
	return int(parts[3]) if parts.size() > 3 else -1


## "candidate:1 1 udp 16777215 127.0.0.1 49200 typ relay raddr ..." -> "relay"
static func candidate_type(line: String) -> String:
	var parts := line.split(" ", false)
	var at := parts.find("typ")
	return parts[at + 1] if at >= 0 and at + 1 < parts.size() else "?"


## "candidate:1 1 udp 16777215 127.0.0.1 49200 typ ..." -> "127.0.0.1"
static func candidate_address(line: String) -> String:
	var parts := line.split(" ", false)
	return parts[4] if parts.size() > 4 else "?"


## Two linked peers with `config`, negotiated channel id 1 on both, and every
## candidate each one emits recorded.
func _pair(config: Dictionary) -> Dictionary:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	var p := {"a": a, "b": b, "candidates": {"a": [], "b": []}}
	p["init_a"] = a.initialize(config)
	p["init_b"] = b.initialize(config)
	link(a, b)
	a.ice_candidate_created.connect(func(_mid, _index, line): p.candidates.a.append(line))
	b.ice_candidate_created.connect(func(_mid, _index, line): p.candidates.b.append(line))
	p["ca"] = a.create_data_channel("data", {"negotiated": true, "id": 1})
	p["cb"] = b.create_data_channel("data", {"negotiated": true, "id": 1})
	return p


func _types(lines: Array) -> Array:
	return lines.map(func(line): return candidate_type(line))


## Offers on the relay-only pair `p` and expects neither peer to gather a
## candidate (`why` says why not) or ever connect, and both to reach FAILED
## with a `failure_reason` that says no pair succeeded and contains `cause`.
func _expect_no_candidates_then_failed(p: Dictionary, label: String, why: String, cause: String) -> void:
	var started := Time.get_ticks_msec()
	check_eq(p.a.create_offer(), OK, "create_offer")
	var r: Dictionary = await _time_to_failed(p, started)
	print("NET %s failed_ms a=%d b=%d (limit %d s) states a=%s b=%s" % [label, r.a, r.b, FAIL_LIMIT_S, str(r.states_a), str(r.states_b)])
	print("NET %s candidates a=%s b=%s" % [label, str(p.candidates.a), str(p.candidates.b)])
	check(not r.connected, "never CONNECTED")
	check(p.candidates.a.is_empty() and p.candidates.b.is_empty(), why)
	check(r.a >= 0, "a reaches FAILED within %d s" % FAIL_LIMIT_S)
	check(r.b >= 0, "b reaches FAILED within %d s" % FAIL_LIMIT_S)
	for side in ["a", "b"]:
		var reason: String = p[side].call("get_stats").get("failure_reason", "")
		print("NET %s failure_reason_%s: %s" % [label, side, reason])
		check(reason.begins_with("no candidate pair succeeded (local candidates: none; remote candidates: none)"),
			"%s failure_reason says no pair succeeded (%s)" % [side, reason])
		check(cause in reason, "%s failure_reason contains '%s'" % [side, cause])
	p.a.close()
	p.b.close()


## Waits until both peers report FAILED; returns [ms for a, ms for b] (-1: never),
## and records whether either ever reported CONNECTED.
func _time_to_failed(p: Dictionary, started: int) -> Dictionary:
	var r := {"a": -1, "b": -1, "connected": false, "states_a": [], "states_b": []}
	await pump_until([p.a, p.b], func():
		for side in ["a", "b"]:
			var state: int = p[side].get_connection_state()
			var seen: Array = r["states_" + side]
			if seen.is_empty() or seen[-1] != state:
				seen.append(state)
			if state == WebRTCPeerConnection.STATE_CONNECTED:
				r.connected = true
			if state == WebRTCPeerConnection.STATE_FAILED and r[side] < 0:
				r[side] = Time.get_ticks_msec() - started
		return r.a >= 0 and r.b >= 0, FAIL_LIMIT_S)
	return r


## Connects a relay-only pair with `config`, then sends 200 ordered messages
## and one LARGE message each way; every byte crosses the TURN server. A relay
## candidate's type preference (priority >> 24) is `type_preference`: 2 over
## UDP, 1 over TCP, 0 over TLS, as libwebrtc ranks them.
func _relay_exchange(label: String, config: Dictionary, type_preference: int) -> void:
	var p := _pair(config)
	check_eq([p.init_a, p.init_b], [OK, OK], "initialize")
	var ca: WebRTCDataChannel = p.ca
	var cb: WebRTCDataChannel = p.cb
	var started := Time.get_ticks_msec()
	check_eq(p.a.create_offer(), OK, "create_offer")
	var open := await pump_until([p.a, p.b], func():
		return ca.get_ready_state() == WebRTCDataChannel.STATE_OPEN and cb.get_ready_state() == WebRTCDataChannel.STATE_OPEN, 20.0)
	var took := Time.get_ticks_msec() - started
	print("NET %s_connect_ms %d" % [label, took])
	print("NET %s_candidates_a %s" % [label, str(p.candidates.a)])
	print("NET %s_candidates_b %s" % [label, str(p.candidates.b)])
	if not check(open, "channel OPEN on both ends through TURN (%s)" % label):
		return
	# webrtc-ice waited 2 s before nominating a relay pair (2019-2023 ms every
	# time); with only relay pairs possible there is nothing to wait for.
	check(took < 1000, "relay-only connect within 1 s (took %d ms)" % took)
	check_eq(p.a.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "a connected")
	check_eq(p.b.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "b connected")
	for side in ["a", "b"]:
		var lines: Array = p.candidates[side]
		check(lines.size() > 0, "%s emitted candidates" % side)
		for line in lines:
			check_eq(candidate_type(line), "relay", "%s candidate type (%s)" % [side, line])
			check_eq(candidate_address(line), "127.0.0.1", "%s relay address is the TURN server's relay-ip" % side)
			check_eq(candidate_priority(line) >> 24, type_preference, "%s relay type preference (%s)" % [side, line])
	# With only relay candidates on both sides, every byte goes through coturn.
	const COUNT := 200
	var large := PackedByteArray()
	large.resize(LARGE)
	for i in LARGE:
		large[i] = (i * 7 + 3) % 251
	for i in COUNT:
		ca.put_packet(("a%d" % i).to_utf8_buffer())
		cb.put_packet(("b%d" % i).to_utf8_buffer())
	check_eq(ca.put_packet(large), OK, "a sends %d bytes" % LARGE)
	check_eq(cb.put_packet(large), OK, "b sends %d bytes" % LARGE)
	var got := {"a": [], "b": []}
	var large_got := {"a": PackedByteArray(), "b": PackedByteArray()}
	var exchange_started := Time.get_ticks_msec()
	await pump_until([p.a, p.b], func():
		for side in ["a", "b"]:
			var channel: WebRTCDataChannel = ca if side == "a" else cb
			while channel.get_available_packet_count() > 0:
				var packet := channel.get_packet()
				if packet.size() == LARGE:
					large_got[side] = packet
				else:
					got[side].append(packet.get_string_from_utf8())
		return got.a.size() >= COUNT and got.b.size() >= COUNT \
			and large_got.a.size() == LARGE and large_got.b.size() == LARGE, 20.0)
	var want_a := []
	var want_b := []
	for i in COUNT:
		want_a.append("b%d" % i)
		want_b.append("a%d" % i)
	check(got.a == want_a, "a received b's %d messages in order (got %d)" % [COUNT, got.a.size()])
	check(got.b == want_b, "b received a's %d messages in order (got %d)" % [COUNT, got.b.size()])
	check(large_got.a == large, "a received b's %d-byte message intact" % LARGE)
	check(large_got.b == large, "b received a's %d-byte message intact" % LARGE)
	# How the selected relay reaches coturn, and the round trip through it.
	var protocol: String = ["tls", "tcp", "udp"][type_preference]
	for side in ["a", "b"]:
		var stats: Dictionary = p[side].call("get_stats")
		check_eq(stats.local_candidate.get("relay_protocol"), protocol, "%s relay_protocol" % side)
		check(stats.rtt_samples >= 1 and stats.rtt_ms > 0.0 and stats.rtt_ms < 100.0,
			"%s rtt_ms through the relay %.2f (%d samples)" % [side, stats.rtt_ms, stats.rtt_samples])
		print("NET %s_rtt_ms_%s %.2f" % [label, side, stats.rtt_ms])
	print("NET %s_exchange %d+%d messages, 2 x %d bytes in %d ms" % [
		label, got.a.size(), got.b.size(), LARGE, Time.get_ticks_msec() - exchange_started])
	p.a.close()
	p.b.close()


func test_relay_only_connects_through_turn() -> void:
	if not _read_args():
		return
	var config := _relay_only(_server("turn", "?transport=udp"))
	config.iceServers.append({"urls": [_server("stun")]})
	await _relay_exchange("relay", config, 2)


## The server has no UDP listener: only TCP gets through.
func test_relay_over_tcp_connects() -> void:
	if _read_args():
		await _relay_exchange("relay_tcp", _relay_only("turn:127.0.0.1:%d?transport=tcp" % tcp_port), 1)


## TLS to the server's TLS port, verified against the test's CA (SSL_CERT_FILE).
func test_relay_over_tls_connects() -> void:
	if _read_args():
		await _relay_exchange("relay_tls", _relay_only("turns:localhost:%d" % tls_port), 0)


func test_stun_gathers_srflx_candidate() -> void:
	if not _read_args():
		return
	var config := {"iceServers": [{"urls": [_server("stun")]}]}
	var p := _pair(config)
	check_eq([p.init_a, p.init_b], [OK, OK], "initialize")
	var ca: WebRTCDataChannel = p.ca
	var cb: WebRTCDataChannel = p.cb
	var started := Time.get_ticks_msec()
	check_eq(p.a.create_offer(), OK, "create_offer")
	var gathered := await pump_until([p.a, p.b], func():
		return p.a.get_gathering_state() == WebRTCPeerConnection.GATHERING_STATE_COMPLETE \
			and p.b.get_gathering_state() == WebRTCPeerConnection.GATHERING_STATE_COMPLETE, 15.0)
	print("NET stun_gather_ms %d" % (Time.get_ticks_msec() - started))
	print("NET stun_candidates_a %s" % str(p.candidates.a))
	print("NET stun_candidates_b %s" % str(p.candidates.b))
	check(gathered, "gathering completes on both peers")
	for side in ["a", "b"]:
		var lines: Array = p.candidates[side]
		var srflx := lines.filter(func(line): return candidate_type(line) == "srflx")
		if check(srflx.size() > 0, "%s gathered a typ srflx candidate: %s" % [side, str(lines)]):
			# The server sees us from 127.0.0.1: the reflexive address is loopback.
			check_eq(candidate_address(srflx[0]), "127.0.0.1", "%s srflx address" % side)
	# Only lo exists in this namespace and webrtc-rs skips loopback host candidates,
	# so if the peers connect at all it is through their srflx candidates.
	var open := await pump_until([p.a, p.b], func():
		return ca.get_ready_state() == WebRTCDataChannel.STATE_OPEN and cb.get_ready_state() == WebRTCDataChannel.STATE_OPEN, 15.0)
	print("NET stun_connected %s after %d ms (host candidates: a=%d b=%d)" % [
		str(open), Time.get_ticks_msec() - started,
		_types(p.candidates.a).count("host"), _types(p.candidates.b).count("host")])
	if check(open, "peers connect through their srflx candidates"):
		ca.put_packet("ping".to_utf8_buffer())
		var got = await next_packet([p.a, p.b], cb)
		check_eq(got.get_string_from_utf8() if got != null else null, "ping", "message over the srflx pair")
	p.a.close()
	p.b.close()


func test_wrong_credentials_fail() -> void:
	if not _read_args():
		return
	var config := {
		"iceServers": [{"urls": [_server("turn", "?transport=udp")], "username": "u", "credential": "wrong"}],
		"iceTransportPolicy": "relay",
	}
	var p := _pair(config)
	check_eq([p.init_a, p.init_b], [OK, OK], "initialize accepts the (wrong) credentials")
	await _expect_no_candidates_then_failed(p, "wrong_credentials", "no relay candidate without a TURN allocation",
		"TURN server '%s': allocation failed: Allocate error response (error 401: Unauthorized)" % _server("turn", "?transport=udp"))


func test_wrong_credentials_over_tcp_fail() -> void:
	if not _read_args():
		return
	var p := _pair(_relay_only("turn:127.0.0.1:%d?transport=tcp" % tcp_port, "wrong"))
	check_eq([p.init_a, p.init_b], [OK, OK], "initialize accepts the (wrong) credentials")
	await _expect_no_candidates_then_failed(p, "wrong_credentials_tcp", "no relay candidate without a TURN allocation",
		"TURN server 'turn:127.0.0.1:%d?transport=tcp': allocation failed: Allocate error response (error 401: Unauthorized)" % tcp_port)


## Run with SSL_CERT_FILE naming another CA: the server's certificate does not
## verify, so there is no allocation; the scenario checks the error names the URL.
func test_untrusted_tls_certificate_fails() -> void:
	if not _read_args():
		return
	var p := _pair(_relay_only("turns:localhost:%d" % tls_port))
	check_eq([p.init_a, p.init_b], [OK, OK], "initialize")
	await _expect_no_candidates_then_failed(p, "untrusted_tls", "no relay candidate from a server whose certificate does not verify",
		"TURN server 'turns:localhost:%d?transport=tcp' unreachable: TLS handshake with 127.0.0.1:%d failed: invalid peer certificate: UnknownIssuer" % [tls_port, tls_port])


## Nothing listens on the port: the TCP connect is refused.
func test_unreachable_turn_server_fails() -> void:
	if not _read_args():
		return
	var url := "turn:127.0.0.1:%d?transport=tcp" % UNUSED_PORT
	var p := _pair(_relay_only(url))
	check_eq([p.init_a, p.init_b], [OK, OK], "initialize")
	await _expect_no_candidates_then_failed(p, "unreachable", "no relay candidate from a server that cannot be reached",
		"TURN server '%s' unreachable: cannot connect to 127.0.0.1:%d over TCP" % [url, UNUSED_PORT])
