## Gives every debug session a "WebRTC" tab and feeds it the game's
## "webrtc:snapshot" messages (runtime/debug_reporter.gd).
@tool
extends EditorDebuggerPlugin

const Tab := preload("webrtc_tab.gd")

var _tabs := {}


func _has_capture(capture: String) -> bool:
	return capture == "webrtc"


func _capture(message: String, data: Array, session_id: int) -> bool:
	if message != "webrtc:snapshot":
		return false
	var tab = _tabs.get(session_id)
	if tab != null and data.size() == 1 and data[0] is Dictionary:
		tab.apply_snapshot(data[0])
	return true


func _setup_session(session_id: int) -> void:
	var tab := Tab.new()
	tab.name = "WebRTC"
	_tabs[session_id] = tab
	var session := get_session(session_id)
	session.started.connect(tab.clear)
	session.add_session_tab(tab)
