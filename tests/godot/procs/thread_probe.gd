## For tests/scenarios/worker_threads.sh: prints the webrtc_rs/worker_threads
## setting and how many of this process's threads belong to the plugin's
## runtime, after a pair connected and exchanged a message (so the runtime
## has done real work).
extends SceneTree

const Poll := preload("res://lib/poll.gd")
const Harness := preload("res://lib/harness.gd")


func _initialize() -> void:
	_run.call_deferred()


func _run() -> void:
	print("WORKER_THREADS_SETTING ", ProjectSettings.get_setting("webrtc_rs/worker_threads", "<missing>"))
	var a := WebRTCPeerConnection.new()
	var b := WebRTCPeerConnection.new()
	Harness.link(a, b)
	var ca := a.create_data_channel("c", {"negotiated": true, "id": 1})
	var cb := b.create_data_channel("c", {"negotiated": true, "id": 1})
	a.create_offer()
	await Poll.until(self, func():
		a.poll()
		b.poll()
		if ca.get_ready_state() == WebRTCDataChannel.STATE_OPEN and ca.get_buffered_amount() == 0:
			ca.put_packet("ping".to_utf8_buffer()), func(): return cb.get_available_packet_count() > 0, 10.0)
	print("RECEIVED %s" % str(cb.get_available_packet_count() > 0))
	print("RUNTIME_THREADS %d" % _threads_named("webrtc-rs"))
	a.close()
	b.close()
	quit(0)


## Threads of this process whose name is `name` (tokio names every runtime thread).
func _threads_named(name: String) -> int:
	var count := 0
	for task in DirAccess.get_directories_at("/proc/self/task"):
		var comm := FileAccess.open("/proc/self/task/%s/comm" % task, FileAccess.READ)
		if comm != null and comm.get_line().strip_edges() == name:
			count += 1
	return count
