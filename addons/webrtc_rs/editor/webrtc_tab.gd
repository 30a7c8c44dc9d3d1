## The Debugger's "WebRTC" tab: one row per peer connection of the running
## game (peer id, state, ICE/DTLS/SCTP states, selected pair, RTT, traffic),
## its channels below it, the failure reason of a failed one, and for the
## selected connection graphs of RTT and throughput over the last 30 s.
## Fed by apply_snapshot() with the game's "webrtc:snapshot" messages; it uses
## no editor API, so tests drive it headless with recorded snapshots.
@tool
extends VBoxContainer

const HISTORY_MS := 30000
const STATES := ["new", "connecting", "connected", "disconnected", "failed", "closed"]
const CHANNEL_STATES := ["connecting", "open", "closing", "closed"]
const UNSET := 65535
const COLUMNS := ["connection", "state", "ICE / DTLS / SCTP", "selected pair", "RTT ms", "sent / received"]

## Per connection id: Array of [time_ms, rtt_ms, bytes_sent, bytes_received].
var history := {}
var _summary := Label.new()
var _tree := Tree.new()
var _rtt_graph := Graph.new()
var _rate_graph := Graph.new()
var _selected_id := -1
var _last: Dictionary = {}


## A line graph of the last HISTORY_MS of one or two series.
class Graph extends Control:
	var title := ""
	var unit := ""
	## Arrays of Vector2(time_ms, value), one per series.
	var series: Array = []
	var colors: Array[Color] = [Color(0.35, 0.75, 1.0), Color(1.0, 0.6, 0.3)]

	func _draw() -> void:
		var box := Rect2(Vector2.ZERO, size)
		draw_rect(box, Color(0, 0, 0, 0.25))
		var top := 0.0
		var end_ms := 0.0
		for points in series:
			for p in points:
				top = max(top, p.y)
				end_ms = max(end_ms, p.x)
		top = max(top * 1.1, 1.0)
		var font := get_theme_default_font()
		var font_size := get_theme_default_font_size()
		draw_string(font, Vector2(4, font_size + 2), "%s (max %.1f %s, last 30 s)" % [title, top / 1.1, unit],
			HORIZONTAL_ALIGNMENT_LEFT, -1, font_size)
		for i in series.size():
			var line := PackedVector2Array()
			for p in series[i]:
				var x: float = size.x * (1.0 - (end_ms - p.x) / HISTORY_MS)
				line.append(Vector2(x, size.y - size.y * p.y / top))
			if line.size() >= 2:
				draw_polyline(line, colors[i % colors.size()], 2.0)


func _init() -> void:
	size_flags_vertical = Control.SIZE_EXPAND_FILL
	add_child(_summary)
	_tree.columns = COLUMNS.size()
	_tree.hide_root = true
	_tree.column_titles_visible = true
	_tree.size_flags_vertical = Control.SIZE_EXPAND_FILL
	for i in COLUMNS.size():
		_tree.set_column_title(i, COLUMNS[i])
	_tree.item_selected.connect(_on_item_selected)
	add_child(_tree)
	var graphs := HBoxContainer.new()
	graphs.custom_minimum_size = Vector2(0, 140)
	for graph in [_rtt_graph, _rate_graph]:
		graph.size_flags_horizontal = Control.SIZE_EXPAND_FILL
		graphs.add_child(graph)
	_rtt_graph.title = "RTT"
	_rtt_graph.unit = "ms"
	_rate_graph.title = "KB/s sent (blue) / received (orange)"
	_rate_graph.unit = "KB/s"
	add_child(graphs)
	clear()


## Forgets everything (a new game session started).
func clear() -> void:
	history.clear()
	_selected_id = -1
	_last = {}
	_tree.clear()
	_summary.text = "No WebRTC connections yet (enable the plugin and run the game with the debugger)."
	_update_graphs()


## Takes one "webrtc:snapshot" Dictionary (runtime/debug_reporter.gd).
func apply_snapshot(snapshot: Dictionary) -> void:
	_last = snapshot
	var now: int = snapshot.get("time_ms", 0)
	var connections: Array = snapshot.get("connections", [])
	var live := {}
	for c in connections:
		var id: int = c.get("id", 0)
		live[id] = true
		var points: Array = history.get(id, [])
		points.append([now, c.get("rtt_ms", 0.0), _sum(c, "bytes_sent"), _sum(c, "bytes_received")])
		while points.size() > 0 and now - points[0][0] > HISTORY_MS:
			points.pop_front()
		history[id] = points
	for id in history.keys():
		if not live.has(id):
			history.erase(id)
	if _selected_id < 0 and connections.size() > 0:
		_selected_id = connections[0].get("id", -1)
	_rebuild(connections)
	_update_graphs()


## The tree's rows as text, one Array of column strings per row, in order
## (connections, each followed by its channels and any failure reason).
func rows() -> Array:
	var out: Array = []
	var root := _tree.get_root()
	if root == null:
		return out
	_collect(root, out)
	return out


func summary() -> String:
	return _summary.text


func _collect(item: TreeItem, out: Array) -> void:
	for child in item.get_children():
		var texts: Array = []
		for i in _tree.columns:
			texts.append(child.get_text(i))
		out.append(texts)
		_collect(child, out)


func _rebuild(connections: Array) -> void:
	_tree.clear()
	var root := _tree.create_item()
	var by_state := {}
	for c in connections:
		var state: String = _name(STATES, c.get("state", 0))
		by_state[state] = by_state.get(state, 0) + 1
		var row := _tree.create_item(root)
		row.set_metadata(0, c.get("id", 0))
		var peer_id: int = c.get("peer_id", 0)
		row.set_text(0, ("peer %d" % peer_id) if peer_id != 0 else ("connection %d" % c.get("id", 0)))
		row.set_text(1, state)
		row.set_text(2, "%s / %s / %s" % [c.get("ice_state", ""), c.get("dtls_state", ""), c.get("sctp_state", "")])
		row.set_text(3, _pair(c))
		row.set_text(4, "%.1f" % c.get("rtt_ms", 0.0) if c.get("rtt_samples", 0) > 0 else "")
		row.set_text(5, "%s / %s" % [String.humanize_size(_sum(c, "bytes_sent")), String.humanize_size(_sum(c, "bytes_received"))])
		if c.get("id", 0) == _selected_id:
			row.select(0)
		for ch in c.get("channels", []):
			var item := _tree.create_item(row)
			item.set_text(0, "%s (id %d)" % [ch.get("label", ""), ch.get("id", 0)])
			item.set_text(1, _name(CHANNEL_STATES, ch.get("state", 0)))
			item.set_text(2, _reliability(ch))
			item.set_text(3, "%d retransmissions, %s buffered" % [ch.get("retransmissions", 0), String.humanize_size(ch.get("buffered_amount", 0))])
			item.set_text(5, "%s / %s (%d / %d msgs)" % [String.humanize_size(ch.get("bytes_sent", 0)),
				String.humanize_size(ch.get("bytes_received", 0)), ch.get("messages_sent", 0), ch.get("messages_received", 0)])
		for message in c.get("last_errors", []):
			var item := _tree.create_item(row)
			item.set_text(0, "error")
			item.set_text(2, message)
		var reason: String = c.get("failure_reason", "")
		if reason != "":
			var item := _tree.create_item(row)
			item.set_text(0, "failure")
			item.set_text(2, reason)
	var parts: Array = []
	for state in STATES:
		if by_state.has(state):
			parts.append("%d %s" % [by_state[state], state])
	_summary.text = "%d connection%s: %s" % [connections.size(), "" if connections.size() == 1 else "s", ", ".join(parts)] \
		if connections.size() > 0 else "No WebRTC connections."


func _update_graphs() -> void:
	var points: Array = history.get(_selected_id, [])
	var rtt: Array = []
	var sent: Array = []
	var received: Array = []
	for i in points.size():
		rtt.append(Vector2(points[i][0], points[i][1]))
		if i > 0:
			var seconds: float = max(points[i][0] - points[i - 1][0], 1) / 1000.0
			sent.append(Vector2(points[i][0], (points[i][2] - points[i - 1][2]) / seconds / 1024.0))
			received.append(Vector2(points[i][0], (points[i][3] - points[i - 1][3]) / seconds / 1024.0))
	_rtt_graph.series = [rtt]
	_rate_graph.series = [sent, received]
	_rtt_graph.queue_redraw()
	_rate_graph.queue_redraw()


func _on_item_selected() -> void:
	var item := _tree.get_selected()
	while item != null and item.get_parent() != _tree.get_root():
		item = item.get_parent()
	if item != null:
		_selected_id = item.get_metadata(0)
		_update_graphs()


static func _name(names: Array, index: int) -> String:
	return names[index] if index >= 0 and index < names.size() else str(index)


static func _sum(connection: Dictionary, key: String) -> int:
	var total := 0
	for ch in connection.get("channels", []):
		total += ch.get(key, 0)
	return total


static func _pair(c: Dictionary) -> String:
	var local: Dictionary = c.get("local_candidate", {})
	var remote: Dictionary = c.get("remote_candidate", {})
	if local.is_empty():
		return ""
	var via: String = (" via TURN/%s" % local.get("relay_protocol")) if local.get("relay_protocol", "") != "" else ""
	return "%s %s:%d → %s %s:%d (%s%s)" % [local.get("type", ""), local.get("address", ""), local.get("port", 0),
		remote.get("type", ""), remote.get("address", ""), remote.get("port", 0), local.get("protocol", ""), via]


static func _reliability(ch: Dictionary) -> String:
	var order := "ordered" if ch.get("ordered", true) else "unordered"
	if ch.get("max_retransmits", UNSET) != UNSET:
		return "%s, maxRetransmits %d" % [order, ch.get("max_retransmits")]
	if ch.get("max_packet_life_time", UNSET) != UNSET:
		return "%s, maxPacketLifeTime %d ms" % [order, ch.get("max_packet_life_time")]
	return "%s, reliable" % order
