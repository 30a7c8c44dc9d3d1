## One lobby of the signaling server: its code, its members by peer id, and
## whether the host sealed it. The host is always peer 1; others get 2, 3, ...
## in the order they join (ids are never reused within a lobby).
extends RefCounted

const HOST_ID := 1
## Most members a lobby takes (WebRTC meshes grow as n^2 connections).
const MAX_MEMBERS := 16

var code: String
var sealed := false
## peer id -> the server's connection object of that member.
var members := {}
var _next_id := HOST_ID


func _init(lobby_code: String) -> void:
	code = lobby_code


func is_full() -> bool:
	return members.size() >= MAX_MEMBERS


## Adds a member and returns its new peer id.
func add(connection: Object) -> int:
	var id := _next_id
	_next_id += 1
	members[id] = connection
	return id


func remove(peer_id: int) -> void:
	members.erase(peer_id)


## Sends `message` to every member except `except_id`.
func broadcast(message: Dictionary, except_id := 0) -> void:
	for id in members:
		if id != except_id:
			members[id].send(message)
