## WebRTCMultiplayerPeer over our connections: meshes, client/server relay,
## transfer modes, custom channels, RPCs through SceneMultiplayer, leaving and joining.
extends "res://lib/harness.gd"

const RpcNode := preload("res://lib/rpc_node.gd")


## Connects two multiplayer peers with a fresh pair of linked connections.
func _connect(mp_a: WebRTCMultiplayerPeer, id_a: int, mp_b: WebRTCMultiplayerPeer, id_b: int) -> void:
	var ca := WebRTCPeerConnection.new()
	var cb := WebRTCPeerConnection.new()
	link(ca, cb)
	check_eq(mp_a.add_peer(ca, id_b), OK, "add_peer %d to %d" % [id_b, id_a])
	check_eq(mp_b.add_peer(cb, id_a), OK, "add_peer %d to %d" % [id_a, id_b])
	check_eq(ca.create_offer(), OK, "offer %d->%d" % [id_a, id_b])


func _mesh(ids: Array, channels_config := []) -> Dictionary:
	var mesh := {}
	for id in ids:
		var mp := WebRTCMultiplayerPeer.new()
		check_eq(mp.create_mesh(id, channels_config), OK, "create_mesh(%d)" % id)
		mesh[id] = mp
	for i in ids.size():
		for j in range(i + 1, ids.size()):
			_connect(mesh[ids[i]], ids[i], mesh[ids[j]], ids[j])
	return mesh


func _fully_connected(mesh: Dictionary) -> bool:
	for id in mesh:
		for other in mesh:
			if other != id and not mesh[id].has_peer(other):
				return false
			if other != id and not mesh[id].get_peer(other)["connected"]:
				return false
	return true


## Drains every packet of `mp` into a list of [from, channel, mode, bytes].
func _drain(mp: WebRTCMultiplayerPeer, into: Array) -> void:
	while mp.get_available_packet_count() > 0:
		var from := mp.get_packet_peer()
		var channel := mp.get_packet_channel()
		var mode := mp.get_packet_mode()
		into.append([from, channel, mode, mp.get_packet()])


func test_three_peer_mesh_connects_and_routes_packets() -> void:
	var mesh := _mesh([1, 2, 3])
	var connected := {1: [], 2: [], 3: []}
	for id in mesh:
		mesh[id].peer_connected.connect(func(peer_id): connected[id].append(peer_id))
	if not check(await pump_until(mesh.values(), func(): return _fully_connected(mesh)), "mesh of 3 connected"):
		return
	for id in mesh:
		connected[id].sort()
	check_eq(connected, {1: [2, 3], 2: [1, 3], 3: [1, 2]}, "peer_connected on every peer")
	check_eq(mesh[1].get_connection_status(), MultiplayerPeer.CONNECTION_CONNECTED, "status")

	# Targeted, each transfer mode.
	var modes := [MultiplayerPeer.TRANSFER_MODE_RELIABLE, MultiplayerPeer.TRANSFER_MODE_UNRELIABLE_ORDERED, MultiplayerPeer.TRANSFER_MODE_UNRELIABLE]
	for mode in modes:
		mesh[1].transfer_mode = mode
		mesh[1].set_target_peer(2)
		check_eq(mesh[1].put_packet(PackedByteArray([mode])), OK, "targeted put in mode %d" % mode)
	var got2 := []
	var got3 := []
	await pump_until(mesh.values(), func():
		_drain(mesh[2], got2)
		_drain(mesh[3], got3)
		return got2.size() >= 3)
	check_eq(got2.size(), 3, "peer 2 got one packet per mode")
	var seen_modes := []
	for p in got2:
		check_eq(p[0], 1, "packet peer")
		seen_modes.append(p[2])
	seen_modes.sort()
	check_eq(seen_modes, [MultiplayerPeer.TRANSFER_MODE_UNRELIABLE, MultiplayerPeer.TRANSFER_MODE_UNRELIABLE_ORDERED, MultiplayerPeer.TRANSFER_MODE_RELIABLE], "packet modes")
	check_eq(got3.size(), 0, "peer 3 got nothing targeted at 2")

	# Broadcast.
	mesh[3].transfer_mode = MultiplayerPeer.TRANSFER_MODE_RELIABLE
	mesh[3].set_target_peer(MultiplayerPeer.TARGET_PEER_BROADCAST)
	check_eq(mesh[3].put_packet("all".to_utf8_buffer()), OK, "broadcast")
	var got1 := []
	got2.clear()
	await pump_until(mesh.values(), func():
		_drain(mesh[1], got1)
		_drain(mesh[2], got2)
		return got1.size() >= 1 and got2.size() >= 1)
	check(got1.size() == 1 and got1[0][0] == 3 and got1[0][3] == "all".to_utf8_buffer(), "peer 1 got the broadcast")
	check(got2.size() == 1 and got2[0][0] == 3, "peer 2 got the broadcast")
	# Excluding broadcast (negative target).
	mesh[3].set_target_peer(-1)
	mesh[3].put_packet("not 1".to_utf8_buffer())
	got1.clear()
	got2.clear()
	await pump_until(mesh.values(), func():
		_drain(mesh[1], got1)
		_drain(mesh[2], got2)
		return got2.size() >= 1)
	# Then a packet for peer 1 alone, on the same ordered channel: once it is
	# there, anything excluded-but-delivered would have arrived before it.
	mesh[3].set_target_peer(1)
	mesh[3].put_packet("marker".to_utf8_buffer())
	check(await pump_until(mesh.values(), func():
		_drain(mesh[1], got1)
		return got1.size() >= 1), "peer 1 got the packet sent to it")
	check_eq(got1.size(), 1, "excluded peer got nothing else")
	check(got1.size() >= 1 and got1[0][3] == "marker".to_utf8_buffer(), "what it got is the marker")
	_drain(mesh[2], got2)
	check_eq(got2.size(), 1, "others got it")
	for mp in mesh.values():
		mp.close()


func test_unreliable_modes_use_unreliable_channels() -> void:
	var mesh := _mesh([1, 2])
	if not check(await pump_until(mesh.values(), func(): return _fully_connected(mesh)), "connected"):
		return
	var channels: Array = mesh[1].get_peer(2)["channels"]
	check_eq(channels.size(), 3, "three default channels")
	var reliable: WebRTCDataChannel = channels[0]
	var ordered: WebRTCDataChannel = channels[1]
	var unreliable: WebRTCDataChannel = channels[2]
	check(reliable.is_ordered() and reliable.get_max_packet_life_time() == 65535 and reliable.get_max_retransmits() == 65535, "reliable channel is fully reliable")
	check(ordered.is_ordered() and ordered.get_max_packet_life_time() == 1, "unreliable-ordered channel has a 1 ms lifetime")
	check(not unreliable.is_ordered() and unreliable.get_max_packet_life_time() == 1, "unreliable channel is unordered with a 1 ms lifetime")
	for ch in channels:
		check(ch.is_negotiated(), "multiplayer channels are negotiated")
	mesh[1].close()
	mesh[2].close()


func test_custom_channels() -> void:
	var config := [MultiplayerPeer.TRANSFER_MODE_RELIABLE, MultiplayerPeer.TRANSFER_MODE_UNRELIABLE]
	var mesh := _mesh([1, 2], config)
	if not check(await pump_until(mesh.values(), func(): return _fully_connected(mesh)), "connected"):
		return
	check_eq(mesh[1].get_peer(2)["channels"].size(), 5, "3 default + 2 custom channels")
	for channel in [1, 2]:
		mesh[2].transfer_channel = channel
		mesh[2].transfer_mode = config[channel - 1]
		mesh[2].set_target_peer(1)
		check_eq(mesh[2].put_packet(PackedByteArray([channel])), OK, "put on custom channel %d" % channel)
	var got := []
	await pump_until(mesh.values(), func():
		_drain(mesh[1], got)
		return got.size() >= 2)
	var by_channel := {}
	for p in got:
		by_channel[p[1]] = p[3]
	check_eq(by_channel, {1: PackedByteArray([1]), 2: PackedByteArray([2])}, "packets arrive on their custom channels")
	mesh[1].close()
	mesh[2].close()


func test_server_relays_rpcs_between_clients() -> void:
	var server := WebRTCMultiplayerPeer.new()
	check_eq(server.create_server(), OK, "create_server")
	var peers := {1: server}
	for id in [2, 3]:
		var client := WebRTCMultiplayerPeer.new()
		check_eq(client.create_client(id), OK, "create_client")
		peers[id] = client
		_connect(server, 1, client, id)
	var nodes := _scene_nodes(peers)
	# Clients only have a transport to the server; SceneMultiplayer relays.
	var ready := func(): return nodes[2].multiplayer.get_peers().size() == 2 and nodes[3].multiplayer.get_peers().size() == 2
	if not check(await pump_until([], ready), "clients learn about each other through the server"):
		return
	check_eq(peers[2].get_peer(1)["connected"], true, "client 2 connected to the server")
	check(not peers[2].has_peer(3), "clients have no direct transport")
	nodes[2].chat.rpc_id(3, "via server")
	check(await pump_until([], func(): return nodes[3].chats.size() >= 1), "relayed RPC arrives")
	check_eq(nodes[3].chats, [[2, "via server"]], "relayed RPC keeps the real sender id")
	_free_scene_nodes(peers, nodes)


## One SceneMultiplayer per peer, each on its own branch of the tree, with an RpcNode at "Game".
func _scene_nodes(peers: Dictionary) -> Dictionary:
	var nodes := {}
	for id in peers:
		var branch := Node.new()
		branch.name = "Peer%d" % id
		root.add_child(branch)
		var api := SceneMultiplayer.new()
		api.multiplayer_peer = peers[id]
		set_multiplayer(api, branch.get_path())
		var game := RpcNode.new()
		game.name = "Game"
		branch.add_child(game)
		nodes[id] = game
	return nodes


func _free_scene_nodes(peers: Dictionary, nodes: Dictionary) -> void:
	for id in peers:
		peers[id].close()
		var branch: Node = nodes[id].get_parent()
		set_multiplayer(null, branch.get_path())
		branch.queue_free()


func test_rpcs_through_scene_multiplayer() -> void:
	var mesh := _mesh([1, 2, 3])
	var nodes := _scene_nodes(mesh)
	var apis_ready := func():
		for id in mesh:
			if nodes[id].multiplayer.get_peers().size() != 2:
				return false
		return true
	# SceneMultiplayer polls its peer every frame.
	if not check(await pump_until([], apis_ready), "SceneMultiplayer sees both other peers"):
		return
	nodes[2].chat.rpc("hello from 2")
	nodes[3].move.rpc(Vector2(3, 4))
	nodes[1].chat.rpc_id(3, "only for 3")
	var delivered := func():
		return nodes[1].chats.size() >= 1 and nodes[3].chats.size() >= 2 and nodes[1].moves.size() >= 1
	check(await pump_until([], delivered), "RPCs delivered")
	check_eq(nodes[1].chats, [[2, "hello from 2"]], "reliable RPC with sender id")
	var chats3: Array = nodes[3].chats.duplicate()
	chats3.sort()
	check_eq(chats3, [[1, "only for 3"], [2, "hello from 2"]], "rpc_id reaches only its target")
	check_eq(nodes[2].chats, [], "peer 2 does not get its own broadcast nor 1's targeted RPC")
	check(nodes[1].moves.size() >= 1 and nodes[1].moves[0] == [3, Vector2(3, 4)], "unreliable RPC arrives on a clean link")
	_free_scene_nodes(mesh, nodes)


func test_peer_leaving_and_new_peer_joining() -> void:
	var mesh := _mesh([1, 2, 3])
	if not check(await pump_until(mesh.values(), func(): return _fully_connected(mesh)), "mesh of 3 connected"):
		return
	var gone := {1: [], 2: []}
	for id in [1, 2]:
		mesh[id].peer_disconnected.connect(func(peer_id): gone[id].append(peer_id))
	var leaving: WebRTCMultiplayerPeer = mesh[3]
	mesh.erase(3)
	leaving.close()
	var started := Time.get_ticks_msec()
	var noticed := await pump_until(mesh.values(), func(): return gone[1] == [3] and gone[2] == [3], 10.0)
	check(noticed, "remaining peers get peer_disconnected(3) (got %s)" % str(gone))
	print("  peer departure noticed in %d ms" % (Time.get_ticks_msec() - started))
	check(not mesh[1].has_peer(3) and not mesh[2].has_peer(3), "peer 3 removed")
	# A new peer joins the running session.
	var newcomer := WebRTCMultiplayerPeer.new()
	newcomer.create_mesh(4)
	mesh[4] = newcomer
	_connect(mesh[1], 1, newcomer, 4)
	_connect(mesh[2], 2, newcomer, 4)
	if not check(await pump_until(mesh.values(), func(): return _fully_connected(mesh)), "peer 4 joins the mesh"):
		return
	mesh[4].set_target_peer(MultiplayerPeer.TARGET_PEER_BROADCAST)
	mesh[4].put_packet("hi from 4".to_utf8_buffer())
	var got1 := []
	var got2 := []
	check(await pump_until(mesh.values(), func():
		_drain(mesh[1], got1)
		_drain(mesh[2], got2)
		return got1.size() == 1 and got2.size() == 1), "newcomer's broadcast reaches both")
	# disconnect_peer closes the transport, so the other side notices too.
	var gone4 := []
	mesh[4].peer_disconnected.connect(func(peer_id): gone4.append(peer_id))
	mesh[1].disconnect_peer(4)
	check(await pump_until(mesh.values(), func(): return gone4 == [1], 10.0), "disconnect_peer is noticed by the remote (got %s)" % str(gone4))
	for mp in mesh.values():
		mp.close()
