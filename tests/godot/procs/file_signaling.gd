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


## Sends this side's description (from `session_description_created`).
func send_description(type: String, sdp: String) -> void:
	send({"type": type, "sdp": sdp})


## Sends one of this side's candidates (from `ice_candidate_created`).
func send_candidate(mid: String, index: int, candidate: String) -> void:
	send({"mid": mid, "index": index, "candidate": candidate})


## Applies the descriptions and candidates the other side sent since the last
## call to `peer`. Returns the calls that failed as [what, error] pairs.
func deliver_to(peer: WebRTCPeerConnection) -> Array:
	var failures := []
	for message in receive():
		if message.has("sdp"):
			var error: Error = peer.set_remote_description(message["type"], message["sdp"])
			if error != OK:
				failures.append(["remote description", error])
		elif message.has("candidate"):
			var error: Error = peer.add_ice_candidate(message["mid"], int(message["index"]), message["candidate"])
			if error != OK:
				failures.append(["remote candidate", error])
	return failures


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
