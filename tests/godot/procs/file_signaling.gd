## Signaling between two Godot processes through two append-only files of
## JSON lines: each side writes its own file and tails the other's.
extends RefCounted

var _out_path: String
var _in_path: String
var _offset := 0
var _pending := ""


func _init(dir: String, me: String, other: String) -> void:
	_out_path = dir.path_join(me + ".jsonl")
	_in_path = dir.path_join(other + ".jsonl")


func send(message: Dictionary) -> void:
	var mode := FileAccess.READ_WRITE if FileAccess.file_exists(_out_path) else FileAccess.WRITE
	var file := FileAccess.open(_out_path, mode)
	file.seek_end()
	file.store_string(JSON.stringify(message) + "\n")
	file.close()


## Returns the messages the other side wrote since the last call.
func receive() -> Array:
	if not FileAccess.file_exists(_in_path):
		return []
	var file := FileAccess.open(_in_path, FileAccess.READ)
	if file == null:
		return []
	var length := file.get_length()
	if length <= _offset:
		return []
	file.seek(_offset)
	var chunk := file.get_buffer(length - _offset).get_string_from_utf8()
	_offset = length
	_pending += chunk
	var messages := []
	while _pending.contains("\n"):
		var cut := _pending.find("\n")
		var line := _pending.substr(0, cut)
		_pending = _pending.substr(cut + 1)
		var parsed = JSON.parse_string(line)
		if parsed is Dictionary:
			messages.append(parsed)
	return messages
