## The one "poll until" loop of the tests, benches and probes: runs `step`
## (polling peers, delivering signaling) every frame until `condition` holds
## or `timeout_s` passes. Static, so SceneTree scripts that are not tests use
## it too: `await Poll.until(self, step, condition, timeout_s)`.
extends RefCounted


static func until(tree: SceneTree, step: Callable, condition: Callable, timeout_s: float) -> bool:
	var deadline := Time.get_ticks_msec() + int(timeout_s * 1000.0)
	while Time.get_ticks_msec() < deadline:
		step.call()
		if condition.call():
			return true
		await tree.process_frame
	return condition.call()


## A step that polls every peer of `peers`.
static func polling(peers: Array) -> Callable:
	return func():
		for peer in peers:
			peer.poll()
