## Editor side of tools/screenshot-debugger.sh: plays live.tscn, brings the
## Debugger's WebRTC tab to the front once it has live rows, saves the editor
## window to $SHOT_PATH and quits.
@tool
extends EditorPlugin


func _ready() -> void:
	_run.call_deferred()


func _wait(seconds: float) -> void:
	await get_tree().create_timer(seconds).timeout


func _run() -> void:
	await _wait(3.0)
	EditorInterface.play_custom_scene("res://addons/screenshot_driver/live.tscn")
	await _wait(4.0)
	var tab: Control = null
	for node in EditorInterface.get_base_control().find_children("WebRTC", "VBoxContainer", true, false):
		if node.has_method("apply_snapshot"):
			tab = node
	if tab == null:
		printerr("SHOT no WebRTC tab")
		get_tree().quit(1)
		return
	# Bring every container on the way up to the tab to the front: the
	# session's tabs, the Debugger among the bottom panels.
	var child: Node = tab
	var parent := child.get_parent()
	while parent != null:
		if parent is TabContainer:
			parent.current_tab = child.get_index()
		child = parent
		parent = parent.get_parent()
	# A tall tab makes the bottom panel grow to show it.
	tab.custom_minimum_size = Vector2(0, 560)
	EditorInterface.set_main_screen_editor("Script")
	await _wait(6.0)
	print("SHOT rows: ", tab.rows().size(), " ", tab.summary())
	var image := get_viewport().get_texture().get_image()
	var path := OS.get_environment("SHOT_PATH")
	var err := image.save_png(path)
	print("SHOT saved %s: %s" % [path, error_string(err)])
	EditorInterface.stop_playing_scene()
	await _wait(1.0)
	get_tree().quit(0 if err == OK and tab.rows().size() > 0 else 1)
