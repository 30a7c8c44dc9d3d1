## Enables the WebRTC debugger tab: the editor side (debugger_plugin.gd) and,
## in the running game, the autoload that sends it snapshots
## (runtime/debug_reporter.gd; it does nothing without a debugger attached).
@tool
extends EditorPlugin

const REPORTER := "WebRTCDebugReporter"

var _debugger: EditorDebuggerPlugin


func _enter_tree() -> void:
	_debugger = preload("debugger_plugin.gd").new()
	add_debugger_plugin(_debugger)


func _exit_tree() -> void:
	remove_debugger_plugin(_debugger)
	_debugger = null


func _enable_plugin() -> void:
	var addon: String = get_script().resource_path.get_base_dir().get_base_dir()
	add_autoload_singleton(REPORTER, addon.path_join("runtime/debug_reporter.gd"))


func _disable_plugin() -> void:
	remove_autoload_singleton(REPORTER)
