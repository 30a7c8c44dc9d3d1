## The WebRTC debugger tab's two halves without the editor: the game-side
## snapshot (runtime/debug_reporter.gd) from real connections, and the tab
## (editor/webrtc_tab.gd) building its rows and graphs from snapshots.
extends "res://lib/harness.gd"

const Reporter := preload("res://addons/webrtc_rs/runtime/debug_reporter.gd")
const Tab := preload("res://addons/webrtc_rs/editor/webrtc_tab.gd")


func test_1_snapshot_has_the_documented_shape_and_multiplayer_peer_ids() -> void:
	var p := await open_pair({"ordered": false, "maxRetransmits": 0})
	if p.remote == null:
		return
	var a: WebRTCPeerConnection = p.a
	var b: WebRTCPeerConnection = p.b
	p.chat.put_packet("hello".to_utf8_buffer())
	# A refused call lands in the connection's last errors.
	check(a.add_ice_candidate("0", 0, "candidate:garbage") != OK, "a garbage candidate is refused")
	# a is peer 2 of this tree's WebRTCMultiplayerPeer.
	var mesh := WebRTCMultiplayerPeer.new()
	mesh.create_mesh(1)
	var c := WebRTCPeerConnection.new()
	mesh.add_peer(c, 2)
	get_multiplayer().multiplayer_peer = mesh
	var box := {"snapshot": {}} # a lambda cannot assign to an outer local
	var sampled := await pump_until([a, b], func():
		box.snapshot = Reporter.snapshot(self)
		var rows: Array = box.snapshot.connections.filter(func(r): return r.get("channels", []).size() > 0 \
			and r.channels[0].get("bytes_sent", 0) + r.channels[0].get("bytes_received", 0) > 0)
		return rows.size() == 2)
	var snapshot: Dictionary = box.snapshot
	check(sampled, "both connections appear with their traffic (%d rows)" % snapshot.get("connections", []).size())
	check(snapshot.has("time_ms"), "time_ms")
	var by_id := {}
	for row in snapshot.get("connections", []):
		by_id[row.get("id")] = row
	check(by_id.has(a.call("get_debug_id")) and by_id.has(b.call("get_debug_id")), "rows are keyed by get_debug_id()")
	check_eq(by_id.get(c.call("get_debug_id"), {}).get("peer_id"), 2, "the multiplayer peer's connection has its peer id")
	var row: Dictionary = by_id.get(a.call("get_debug_id"), {})
	for key in ["id", "state", "peer_id", "ice_state", "dtls_state", "sctp_state", "local_candidate",
			"remote_candidate", "rtt_ms", "rtt_samples", "channels", "retransmissions", "messages_lost", "failure_reason",
			"last_errors"]:
		check(row.has(key), "a connection row has %s" % key)
	check_eq(row.get("state"), WebRTCPeerConnection.STATE_CONNECTED, "state")
	check_eq(row.get("peer_id"), 0, "a connection outside the multiplayer peer has peer_id 0")
	var errors: PackedStringArray = row.get("last_errors", PackedStringArray())
	check(errors.size() == 1 and errors[0].begins_with("add_ice_candidate"), "last_errors has the refused candidate: %s" % str(errors))
	var channel: Dictionary = row.get("channels", [{}])[0]
	for key in ["label", "id", "state", "ordered", "max_retransmits", "max_packet_life_time", "bytes_sent",
			"bytes_received", "messages_sent", "messages_received", "buffered_amount", "retransmissions"]:
		check(channel.has(key), "a channel row has %s" % key)
	check_eq([channel.get("label"), channel.get("ordered"), channel.get("max_retransmits")], ["chat", false, 0], "channel options")
	check(var_to_bytes(snapshot).size() < 4096, "a snapshot of three connections is compact (%d bytes)" % var_to_bytes(snapshot).size())
	get_multiplayer().multiplayer_peer = null
	a.close()
	b.close()


## A recorded pair of snapshots, as the game sends them.
static func recorded(time_ms: int, bytes: int, failed := false) -> Dictionary:
	var ok := {"id": 7, "peer_id": 2, "state": 2, "ice_state": "connected", "dtls_state": "connected",
		"sctp_state": "connected", "rtt_ms": 12.5, "rtt_samples": 3, "retransmissions": 1, "messages_lost": 0,
		"failure_reason": "", "last_errors": PackedStringArray(["add_ice_candidate: not a candidate line"]),
		"local_candidate": {"type": "relay", "address": "10.0.0.1", "port": 4000, "protocol": "udp", "relay_protocol": "tcp"},
		"remote_candidate": {"type": "srflx", "address": "203.0.113.5", "port": 5000, "protocol": "udp"},
		"channels": [
			{"label": "reliable", "id": 1, "state": 1, "ordered": true, "max_retransmits": 65535,
				"max_packet_life_time": 65535, "bytes_sent": bytes, "bytes_received": bytes / 2,
				"messages_sent": 10, "messages_received": 5, "buffered_amount": 0, "retransmissions": 1},
			{"label": "unreliable", "id": 2, "state": 1, "ordered": false, "max_retransmits": 0,
				"max_packet_life_time": 65535, "bytes_sent": 0, "bytes_received": 0,
				"messages_sent": 0, "messages_received": 0, "buffered_amount": 0, "retransmissions": 0}]}
	var rows := [ok]
	if failed:
		rows.append({"id": 9, "peer_id": 0, "state": 4, "ice_state": "failed", "dtls_state": "new", "sctp_state": "connecting",
			"rtt_ms": 0.0, "rtt_samples": 0, "channels": [], "local_candidate": {}, "remote_candidate": {},
			"failure_reason": "no candidate pair succeeded (local candidates: 1 host; remote candidates: none)"})
	return {"time_ms": time_ms, "connections": rows}


func test_2_tab_builds_rows_and_graphs_from_snapshots() -> void:
	var tab = Tab.new()
	root.add_child(tab)
	tab.apply_snapshot(recorded(1000, 10000))
	tab.apply_snapshot(recorded(1250, 20240, true))
	var rows: Array = tab.rows()
	print("  rows: ", rows)
	check_eq(rows.size(), 6, "2 connections, 2 channels, 1 error, 1 failure reason")
	check_eq(rows[0].slice(0, 2), ["peer 2", "connected"], "the multiplayer peer's row")
	check_eq(rows[0][2], "connected / connected / connected", "ICE / DTLS / SCTP")
	check_eq(rows[0][3], "relay 10.0.0.1:4000 → srflx 203.0.113.5:5000 (udp via TURN/tcp)", "selected pair")
	check_eq(rows[0][4], "12.5", "RTT")
	check_eq(rows[1].slice(0, 3), ["reliable (id 1)", "open", "ordered, reliable"], "reliable channel row")
	check_eq(rows[2].slice(0, 3), ["unreliable (id 2)", "open", "unordered, maxRetransmits 0"], "unreliable channel row")
	check_eq([rows[3][0], rows[3][2]], ["error", "add_ice_candidate: not a candidate line"], "the last error")
	check_eq(rows[4].slice(0, 2), ["connection 9", "failed"], "a connection outside the multiplayer peer")
	check(rows[5][0] == "failure" and rows[5][2].begins_with("no candidate pair succeeded"), "its failure reason")
	check_eq(tab.summary(), "2 connections: 1 connected, 1 failed", "summary")
	check_eq(tab.history.get(7, []).size(), 2, "two points of history for the connection")
	# 10240 bytes more in 250 ms: 40 KB/s sent in the rate graph.
	var rate: Array = tab._rate_graph.series[0]
	check(rate.size() == 1 and is_equal_approx(rate[0].y, 40.0), "sent KB/s from the two snapshots: %s" % str(rate))
	# Only the last 30 s are kept; a connection that is gone is forgotten.
	tab.apply_snapshot(recorded(40000, 30000))
	check_eq(tab.history.get(7, []).size(), 1, "history older than 30 s dropped")
	check(not tab.history.has(9), "a gone connection's history dropped")
	tab.clear()
	check_eq(tab.rows(), [], "clear() empties the tab")
	tab.queue_free()
