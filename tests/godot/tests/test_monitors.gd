## The WebRTC/ custom monitors follow real connections and traffic.
extends "res://lib/harness.gd"

const MONITORS := [
	"WebRTC/Connections connected", "WebRTC/Connections connecting",
	"WebRTC/Connections disconnected", "WebRTC/Connections failed",
	"WebRTC/Data channels open", "WebRTC/Bytes sent per s", "WebRTC/Bytes received per s",
	"WebRTC/Messages sent per s", "WebRTC/Messages received per s",
	"WebRTC/RTT mean ms", "WebRTC/RTT worst ms", "WebRTC/Retransmissions per s",
]


static func monitor(id: String) -> float:
	return Performance.get_custom_monitor(id)


func test_1_every_monitor_is_registered_and_zero_without_connections() -> void:
	for id in MONITORS:
		check(Performance.has_custom_monitor(id), "%s is registered" % id)
		check_eq(monitor(id), 0.0, "%s with no connection" % id)


func test_2_counts_follow_connections_and_channels() -> void:
	var p := await open_pair()
	var counted := await pump_until([p.a, p.b], func():
		return monitor("WebRTC/Connections connected") == 2.0 and monitor("WebRTC/Data channels open") == 2.0)
	check(counted, "2 connected, 2 channel ends open (saw %d, %d)" % [
		monitor("WebRTC/Connections connected"), monitor("WebRTC/Data channels open")])
	# Connectivity checks measured the loopback path.
	var measured := await pump_until([p.a, p.b], func(): return monitor("WebRTC/RTT mean ms") > 0.0)
	check(measured, "RTT mean measured")
	check(monitor("WebRTC/RTT mean ms") < 50.0 and monitor("WebRTC/RTT worst ms") >= monitor("WebRTC/RTT mean ms"),
		"loopback RTT mean %.3f ms, worst %.3f ms" % [monitor("WebRTC/RTT mean ms"), monitor("WebRTC/RTT worst ms")])
	p.chat.close()
	var closed := await pump_until([p.a, p.b], func(): return monitor("WebRTC/Data channels open") == 0.0)
	check(closed, "a closed channel leaves the count (saw %d)" % monitor("WebRTC/Data channels open"))
	p.a.close()
	p.b.close()
	var gone := await pump_until([p.a, p.b], func(): return monitor("WebRTC/Connections connected") == 0.0)
	check(gone, "closed connections are not counted as connected")


## 1000-byte messages at 200 per second from a to b for 3 s: the rates
## settle near 200 KB/s and 200 messages/s each way they are counted.
func test_3_rates_follow_traffic() -> void:
	var p := await open_pair()
	if p.remote == null:
		return
	var payload := PackedByteArray()
	payload.resize(1000)
	var started := Time.get_ticks_msec()
	var state := {"sent": 0, "received": 0, "samples": []}
	await pump_until([p.a, p.b], func():
		var elapsed := Time.get_ticks_msec() - started
		while state.sent < elapsed / 5:
			p.chat.put_packet(payload)
			state.sent += 1
		while p.remote.get_available_packet_count() > 0:
			p.remote.get_packet()
			state.received += 1
		# The first second only fills the window of the rate.
		if elapsed > 1500:
			state.samples.append([monitor("WebRTC/Bytes sent per s"), monitor("WebRTC/Bytes received per s"),
				monitor("WebRTC/Messages sent per s"), monitor("WebRTC/Messages received per s")])
		return elapsed > 3000, 10.0)
	check(state.samples.size() > 10, "sampled the monitors (%d reads)" % state.samples.size())
	var median := func(column: int) -> float:
		var values: Array = state.samples.map(func(s): return s[column])
		values.sort()
		return values[values.size() / 2] if values.size() > 0 else 0.0
	var bytes_sent: float = median.call(0)
	var bytes_received: float = median.call(1)
	var messages_sent: float = median.call(2)
	var messages_received: float = median.call(3)
	print("  monitors: %.0f B/s sent, %.0f B/s received, %.1f msg/s sent, %.1f msg/s received (%d sent, %d received)" % [
		bytes_sent, bytes_received, messages_sent, messages_received, state.sent, state.received])
	check(bytes_sent > 140000.0 and bytes_sent < 260000.0, "bytes sent per s %.0f is about 200000" % bytes_sent)
	check(bytes_received > 140000.0 and bytes_received < 260000.0, "bytes received per s %.0f is about 200000" % bytes_received)
	check(messages_sent > 140.0 and messages_sent < 260.0, "messages sent per s %.1f is about 200" % messages_sent)
	check(messages_received > 140.0 and messages_received < 260.0, "messages received per s %.1f is about 200" % messages_received)
	check_eq(monitor("WebRTC/Retransmissions per s"), 0.0, "nothing resent on loopback")
	p.a.close()
	p.b.close()
