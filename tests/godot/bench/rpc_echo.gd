## The RPC endpoint of the bench: `ping` answers with `pong` to its sender.
extends Node

var last_pong := -1


@rpc("any_peer", "reliable")
func ping(seq: int, data: PackedByteArray) -> void:
	pong.rpc_id(multiplayer.get_remote_sender_id(), seq, data)


@rpc("any_peer", "reliable")
func pong(seq: int, _data: PackedByteArray) -> void:
	last_pong = seq
