## Reads this process's resident memory, open file descriptors and threads from /proc.
extends RefCounted


static func snapshot() -> Dictionary:
	var stats := {"rss_kb": -1, "threads": -1, "fds": -1}
	# /proc files report a length of 0: read them line by line.
	var status := FileAccess.open("/proc/self/status", FileAccess.READ)
	while status != null and not status.eof_reached():
		var line := status.get_line()
		if line.begins_with("VmRSS:"):
			stats["rss_kb"] = int(line.split(":")[1].strip_edges().split(" ")[0])
		elif line.begins_with("Threads:"):
			stats["threads"] = int(line.split(":")[1].strip_edges())
	var fds := DirAccess.open("/proc/self/fd")
	if fds != null:
		fds.include_hidden = true
		stats["fds"] = fds.get_files().size() + fds.get_directories().size()
	return stats
