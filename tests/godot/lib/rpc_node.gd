## A node with a reliable and an unreliable RPC that records what it receives.
extends Node

var chats: Array = []
var moves: Array = []


@rpc("any_peer", "reliable")
func chat(text: String) -> void:
	chats.append([multiplayer.get_remote_sender_id(), text])


@rpc("any_peer", "unreliable")
func move(position: Vector2) -> void:
	moves.append([multiplayer.get_remote_sender_id(), position])
