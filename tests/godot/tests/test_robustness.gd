## Churn, flooding, freeing in every order, tampered fingerprints and stray UDP.
extends "res://lib/harness.gd"

const ProcessStats := preload("res://lib/process_stats.gd")


## A linked pair with one negotiated channel on each side.
func _pair(options := {"negotiated": true, "id": 1}) -> Dictionary:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	link(a, b)
	return {"a": a, "b": b, "ca": a.create_data_channel("c", options), "cb": b.create_data_channel("c", options)}


func _open(pair: Dictionary) -> bool:
	return pair.ca.get_ready_state() == WebRTCDataChannel.STATE_OPEN and pair.cb.get_ready_state() == WebRTCDataChannel.STATE_OPEN


func _open_files() -> int:
	return ProcessStats.snapshot().fds


func _until_pairs(pairs: Array, condition: Callable, timeout_s := 10.0) -> bool:
	var peers := []
	for pair in pairs:
		peers.append_array([pair.a, pair.b])
	return await pump_until(peers, condition, timeout_s)


func test_churn_1000_connections_with_flat_resources() -> void:
	var cycles := int(OS.get_environment("CHURN_CYCLES")) if OS.get_environment("CHURN_CYCLES") != "" else 1000
	var batch := 10
	var baseline := {}
	var done := 0
	var started := Time.get_ticks_msec()
	while done < cycles:
		var pairs := []
		for i in batch:
			var pair := _pair()
			pair.a.create_offer()
			pairs.append(pair)
		var all_open := func(): return pairs.all(func(p): return _open(p))
		if not check(await _until_pairs(pairs, all_open), "batch at cycle %d connects" % done):
			return
		for pair in pairs:
			pair.ca.put_packet(PackedByteArray([done % 256]))
		var all_got := func(): return pairs.all(func(p): return p.cb.get_available_packet_count() > 0)
		if not check(await _until_pairs(pairs, all_got), "batch at cycle %d exchanges" % done):
			return
		for pair in pairs:
			check_eq(pair.cb.get_packet(), PackedByteArray([done % 256]), "payload")
			pair.a.close()
			pair.b.close()
		pairs.clear()
		done += batch
		await process_frame
		if done == 100:
			# Let the closes finish, then take the baseline after warm-up.
			check(await pump_until_steady([], _open_files), "open files settle after 100 cycles")
			baseline = ProcessStats.snapshot()
	check(await pump_until_steady([], _open_files), "open files settle at the end")
	var final := ProcessStats.snapshot()
	print("  churn: %d cycles in %d ms; after 100: %s; after %d: %s" % [cycles, Time.get_ticks_msec() - started, str(baseline), cycles, str(final)])
	if cycles >= 200:
		check(final.rss_kb - baseline.rss_kb < 40 * 1024, "RSS flat (grew %d KiB)" % (final.rss_kb - baseline.rss_kb))
		check(final.fds - baseline.fds <= 8, "open files flat (%d -> %d)" % [baseline.fds, final.fds])
		check(final.threads - baseline.threads <= 4, "threads flat (%d -> %d)" % [baseline.threads, final.threads])


func test_64_peers_closing_at_once() -> void:
	var pairs := []
	for i in 32:
		var pair := _pair()
		pair.a.create_offer()
		pairs.append(pair)
	if not check(await _until_pairs(pairs, func(): return pairs.all(func(p): return _open(p)), 20.0), "64 peers connected"):
		return
	var started := Time.get_ticks_usec()
	for pair in pairs:
		pair.a.close()
		pair.b.close()
	var took := Time.get_ticks_usec() - started
	print("  closing 64 peers took %d us on the main thread" % took)
	check(took < 1000000, "closing 64 peers does not block the game (%d us)" % took)
	for pair in pairs:
		check_eq(pair.a.get_connection_state(), WebRTCPeerConnection.STATE_CLOSED, "closed")
		check_eq(pair.cb.get_ready_state(), WebRTCDataChannel.STATE_CLOSED, "channels closed")
	check(await pump_until_steady([], _open_files), "open files settle after the closes")


func test_freeing_peers_and_channels_in_every_order() -> void:
	var orders := [["a", "ca", "b", "cb"], ["ca", "a", "cb", "b"], ["b", "a", "ca", "cb"], ["cb", "ca", "b", "a"], ["close", "a", "b", "ca", "cb"]]
	for order in orders:
		var pair := _pair()
		pair.a.create_offer()
		if not check(await _until_pairs([pair], func(): return _open(pair)), "connected for order %s" % str(order)):
			continue
		pair.ca.put_packet(PackedByteArray([1, 2, 3]))
		# Weak references only: once the script lets go, nothing of ours may keep an object alive.
		var freed := []
		for key in ["a", "b", "ca", "cb"]:
			freed.append(weakref(pair[key]))
		var remote: WebRTCDataChannel = pair.cb
		for key in order:
			if key == "close":
				pair.a.close()
				pair.b.close()
			else:
				pair.erase(key)
			await process_frame
		check(freed[3].get_ref() != null, "the remote channel lives while the script holds it (order %s)" % str(order))
		remote = null
		await process_frame
		for i in freed.size():
			check(freed[i].get_ref() == null, "%s freed once unreferenced (order %s)" % [["a", "b", "ca", "cb"][i], str(order)])
	check(await pump_until_steady([], _open_files), "open files settle after the frees")
	# No crash on the way; the process must also exit cleanly (runner checks).


## A peer that opens and closes channels forever must not grow our memory
## (webrtc-rs kept every closed channel: vendor/webrtc/PATCHED.md 1). In-band
## channels opened by either side and closed by either side, BATCH at a time.
func test_5000_channel_open_close_cycles_keep_memory_flat() -> void:
	var cycles := int(OS.get_environment("CHANNEL_CHURN_CYCLES")) if OS.get_environment("CHANNEL_CHURN_CYCLES") != "" else 5000
	var warmup := int(cycles * 0.2)
	var batch := 20
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	link(a, b)
	var remote_of := {"a": [], "b": []}  # channels announced to a and to b, not yet taken
	a.data_channel_received.connect(func(channel): remote_of.a.append(channel))
	b.data_channel_received.connect(func(channel): remote_of.b.append(channel))
	var keep := a.create_data_channel("keep", {"negotiated": true, "id": 0})
	var keep_b := b.create_data_channel("keep", {"negotiated": true, "id": 0})
	a.create_offer()
	if not check(await pump_until([a, b], func(): return keep.get_ready_state() == WebRTCDataChannel.STATE_OPEN and keep_b.get_ready_state() == WebRTCDataChannel.STATE_OPEN), "connected"):
		return
	var baseline := {}
	var started := Time.get_ticks_msec()
	var done := 0
	var slowest := 0
	while done < cycles:
		var batch_started := Time.get_ticks_msec()
		# Half opened by a, half by b; each pair is [opener's end, the other's end].
		var pairs := []
		for i in batch:
			var opener: WebRTCPeerConnection = a if i % 2 == 0 else b
			pairs.append([opener.create_data_channel("c%d" % i), null, i % 2 == 0])
		var announced := func():
			return remote_of.a.size() + remote_of.b.size() >= batch
		if not check(await pump_until([a, b], announced), "cycle %d: all %d channels announced" % [done, batch]):
			return
		for pair in pairs:
			var theirs: Array = remote_of.b if pair[2] else remote_of.a
			for k in theirs.size():
				if theirs[k].get_label() == pair[0].get_label():
					pair[1] = theirs[k]
					theirs.remove_at(k)
					break
		var both_open := func():
			return pairs.all(func(p): return p[1] != null and p[0].get_ready_state() == WebRTCDataChannel.STATE_OPEN and p[1].get_ready_state() == WebRTCDataChannel.STATE_OPEN)
		if not check(await pump_until([a, b], both_open), "cycle %d: all open on both ends" % done):
			return
		for pair in pairs:
			pair[0].put_packet(PackedByteArray([done % 256]))
		var delivered := func(): return pairs.all(func(p): return p[1].get_available_packet_count() > 0)
		if not check(await pump_until([a, b], delivered), "cycle %d: every channel carries a message" % done):
			return
		for k in pairs.size():
			# Closed by the opener or by the other end, alternately.
			pairs[k][(k >> 1) & 1].close()
		var both_closed := func():
			return pairs.all(func(p): return p[0].get_ready_state() == WebRTCDataChannel.STATE_CLOSED and p[1].get_ready_state() == WebRTCDataChannel.STATE_CLOSED)
		if not check(await pump_until([a, b], both_closed), "cycle %d: all closed on both ends" % done):
			return
		pairs.clear()
		done += batch
		var batch_ms := Time.get_ticks_msec() - batch_started
		slowest = max(slowest, batch_ms)
		if done == warmup:
			baseline = ProcessStats.snapshot()
	var final := ProcessStats.snapshot()
	var per_cycle := float(final.rss_kb - baseline.rss_kb) / (cycles - warmup)
	print("  channel churn: %d cycles in %d ms (slowest batch of %d: %d ms); RSS after %d: %d KiB, after %d: %d KiB (%.3f KiB per cycle)" % [
		cycles, Time.get_ticks_msec() - started, batch, slowest, warmup, baseline.rss_kb, cycles, final.rss_kb, per_cycle])
	if cycles >= 1000:
		check(per_cycle < 0.1, "RSS grows less than 0.1 KiB per cycle (%.3f)" % per_cycle)
	var stats_a: Dictionary = a.call("get_stats")
	var stats_b: Dictionary = b.call("get_stats")
	check_eq([stats_a.channels.size(), stats_b.channels.size()], [1, 1], "get_stats() lists only the open channel")
	check_eq(keep.put_packet("still here".to_utf8_buffer()), OK, "put after the churn")
	check_eq(await next_packet([a, b], keep_b), "still here".to_utf8_buffer(), "the connection still carries data")
	a.close()
	b.close()


func test_flooding_peer_is_bounded_and_lossless() -> void:
	var pair := _pair()
	pair.a.create_offer()
	if not check(await _until_pairs([pair], func(): return _open(pair)), "connected"):
		return
	var chunk := PackedByteArray()
	chunk.resize(16384)
	# Up to 24 MiB, three times the 8 MiB inbox limit: the sender's 16 MiB
	# bound (ERR_OUT_OF_MEMORY) stops it first.
	var total := 0
	var before := ProcessStats.snapshot()
	for i in 1536:
		chunk[0] = i % 256
		chunk[1] = i / 256
		var err: int = pair.ca.put_packet(chunk)
		if err != OK:
			check_eq(err, ERR_OUT_OF_MEMORY, "put %d refused only because 16 MiB are buffered" % i)
			break
		total += 1
	check(total * 16384 >= 16 * 1024 * 1024, "at least 16 MiB accepted (%d packets)" % total)
	# The receiver does not read: its inbox fills to the limit, then SCTP stops the sender.
	check(await _until_pairs([pair], func(): return pair.cb.get_available_packet_count() >= 512), "the receiver's inbox fills to 8 MiB")
	# Then nothing moves any more: the sender's buffered amount stays put for 250 ms.
	var still := {"last": -1, "since": 0}
	var settled := func():
		var now: int = pair.ca.get_buffered_amount()
		if now != still.last:
			still.last = now
			still.since = Time.get_ticks_msec()
		return Time.get_ticks_msec() - still.since >= 250
	check(await _until_pairs([pair], settled), "the sender stops once the receiver's window is full")
	var queued: int = pair.cb.get_available_packet_count()
	var pending: int = pair.ca.get_buffered_amount()
	print("  flood: receiver holds %d packets (%d KiB), sender still has %d KiB buffered" % [queued, queued * 16, pending / 1024])
	check(queued * 16384 <= 8 * 1024 * 1024 + 65536, "receiver inbox bounded by 8 MiB (%d packets)" % queued)
	check(queued > 0, "receiver got data")
	check(pending > 4 * 1024 * 1024, "back-pressure reaches the sender (%d bytes still buffered)" % pending)
	# Now drain everything: nothing was dropped, order kept.
	# Lambdas capture by value: count through a Dictionary instead.
	var state := {"received": 0, "in_order": true}
	var drain_state := func():
		while pair.cb.get_available_packet_count() > 0:
			var p: PackedByteArray = pair.cb.get_packet()
			var n: int = state.received
			state.in_order = state.in_order and p[0] == n % 256 and p[1] == n / 256
			state.received = n + 1
		return state.received >= total
	check(await _until_pairs([pair], drain_state, 30.0), "all %d packets delivered after draining (got %d)" % [total, state.received])
	check(state.in_order, "in order")
	var after := ProcessStats.snapshot()
	print("  flood: RSS %d -> %d KiB" % [before.rss_kb, after.rss_kb])
	pair.a.close()
	pair.b.close()


## A remote may have at most 1024 channels open on one connection: its 1025th
## and later are closed at once (it sees them close), the rest keep working.
func test_remote_opening_more_than_1024_channels_is_capped() -> void:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	link(a, b)
	var received: Array = []
	b.data_channel_received.connect(func(channel): received.append(channel))
	var before := ProcessStats.snapshot()
	var opened: Array = []
	for i in 1030:
		opened.append(a.create_data_channel("c%d" % i))
	a.create_offer()
	var count := func(state: int) -> int:
		return opened.filter(func(c): return c.get_ready_state() == state).size()
	var settled := func(): return received.size() >= 1024 and count.call(WebRTCDataChannel.STATE_CLOSED) >= 6
	check(await pump_until([a, b], settled, 30.0), "every channel settles (b got %d, a has %d open, %d closed)" % [received.size(), count.call(WebRTCDataChannel.STATE_OPEN), count.call(WebRTCDataChannel.STATE_CLOSED)])
	var after := ProcessStats.snapshot()
	print("  1024 open channels: RSS %d -> %d KiB (%.1f KiB per channel, both ends), threads %d -> %d" % [before.rss_kb, after.rss_kb, (after.rss_kb - before.rss_kb) / 1024.0, before.threads, after.threads])
	check_eq(received.size(), 1024, "b announced 1024 channels")
	check_eq(count.call(WebRTCDataChannel.STATE_OPEN), 1024, "1024 of a's channels are open")
	check_eq(count.call(WebRTCDataChannel.STATE_CLOSED), 6, "the 6 past the cap were closed")
	check(after.threads - before.threads <= 4, "no thread per channel (%d -> %d)" % [before.threads, after.threads])
	# The connection and its open channels keep working.
	if check(not received.is_empty(), "b has channels"):
		var target: WebRTCDataChannel = received[received.size() - 1]
		var senders: Array = opened.filter(func(c): return c.get_label() == target.get_label())
		if check_eq(senders.size(), 1, "a's end of b's last channel"):
			check_eq(senders[0].put_packet("still here".to_utf8_buffer()), OK, "put on an admitted channel")
			var packet = await next_packet([a, b], target)
			check_eq(packet, "still here".to_utf8_buffer(), "delivered past the cap")
	check_eq(a.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "a still connected")
	a.close()
	b.close()


func test_tampered_fingerprint_never_connects() -> void:
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	var ca := a.create_data_channel("c", {"negotiated": true, "id": 1})
	var cb := b.create_data_channel("c", {"negotiated": true, "id": 1})
	a.session_description_created.connect(func(type, sdp):
		# A man in the middle swaps one byte of the certificate fingerprint.
		var regex := RegEx.create_from_string("(a=fingerprint:sha-256 )([0-9A-F]{2})")
		var m := regex.search(sdp)
		check(m != null, "offer has a sha-256 fingerprint")
		var byte := m.get_string(2)
		var swapped := "00" if byte != "00" else "11"
		b.set_remote_description(type, sdp.substr(0, m.get_start(2)) + swapped + sdp.substr(m.get_end(2))))
	a.ice_candidate_created.connect(b.add_ice_candidate)
	b.session_description_created.connect(a.set_remote_description)
	b.ice_candidate_created.connect(a.add_ice_candidate)
	a.create_offer()
	var seen := {"b_connected": false, "opened": false, "a_lost_at": 0}
	var started := Time.get_ticks_msec()
	await pump_until([a, b], func():
		seen.b_connected = seen.b_connected or b.get_connection_state() == WebRTCPeerConnection.STATE_CONNECTED
		seen.opened = seen.opened or ca.get_ready_state() == WebRTCDataChannel.STATE_OPEN or cb.get_ready_state() == WebRTCDataChannel.STATE_OPEN
		if seen.a_lost_at == 0 and a.get_connection_state() in [WebRTCPeerConnection.STATE_DISCONNECTED, WebRTCPeerConnection.STATE_FAILED]:
			seen.a_lost_at = Time.get_ticks_msec() - started
		return seen.a_lost_at > 0 and b.get_connection_state() == WebRTCPeerConnection.STATE_FAILED, 15.0)
	check(not seen.b_connected, "the side given the tampered fingerprint never reports CONNECTED")
	check_eq(b.get_connection_state(), WebRTCPeerConnection.STATE_FAILED, "and reaches FAILED")
	check(not seen.opened, "no data channel opens on either side")
	# The other side completed its half of the handshake; it loses ICE consent
	# once the verifying side shuts down, and so stops reporting CONNECTED.
	check(seen.a_lost_at > 0, "the offerer leaves CONNECTED (state %d)" % a.get_connection_state())
	var reason: String = b.call("get_stats").get("failure_reason", "")
	check(reason.begins_with("the DTLS fingerprint did not match"), "b's failure_reason names the fingerprint (%s)" % reason)
	print("  tampered fingerprint: failure_reason: %s" % reason)
	if a.get_connection_state() != WebRTCPeerConnection.STATE_FAILED:
		check_eq(a.call("get_stats").get("failure_reason", "?"), "", "a has not failed: no failure_reason")
	print("  tampered fingerprint: verifier FAILED, offerer DISCONNECTED after %d ms" % seen.a_lost_at)


func test_stray_udp_garbage_changes_nothing() -> void:
	var pair := _pair()
	var ports := []
	var locals := IP.get_local_addresses()
	for peer in [pair.a, pair.b]:
		peer.ice_candidate_created.connect(func(_mid, _index, line: String):
			var parts := line.trim_prefix("candidate:").split(" ")
			# Only this machine's own addresses: the garbage never leaves the host.
			if parts.size() > 7 and parts[7] == "host" and parts[4] in locals:
				ports.append([parts[4], int(parts[5])]))
	pair.a.create_offer()
	if not check(await _until_pairs([pair], func(): return _open(pair)), "connected"):
		return
	check(ports.size() > 0, "found host candidate ports")
	var udp := PacketPeerUDP.new()
	var rng := RandomNumberGenerator.new()
	rng.seed = 42
	for round in 20:
		for target in ports:
			udp.set_dest_address(target[0], target[1])
			var junk := PackedByteArray()
			junk.resize(rng.randi_range(1, 1200))
			for i in junk.size():
				junk[i] = rng.randi() % 256
			# First bytes that look like STUN, DTLS and garbage in turn.
			junk[0] = [0, 1, 22, 23, 128, 255][round % 6]
			udp.put_packet(junk)
		await process_frame
		pair.a.poll()
		pair.b.poll()
	udp.close()
	for i in 20:
		pair.ca.put_packet(PackedByteArray([i]))
	var state := {"got": 0}
	check(await _until_pairs([pair], func():
		while pair.cb.get_available_packet_count() > 0:
			pair.cb.get_packet()
			state.got += 1
		return state.got >= 20), "channel still delivers after the garbage (%d of 20)" % state.got)
	check_eq(pair.a.get_connection_state(), WebRTCPeerConnection.STATE_CONNECTED, "still connected")
	pair.a.close()
	pair.b.close()
