## Helpers of the Godot bench: statistics, this process's CPU time, memory and
## threads from /proc, JSON-line output, and the table of medians.
extends RefCounted

## USER_HZ: the clock ticks of /proc/self/stat.
const TICKS_PER_SECOND := 100.0


## Nearest-rank percentile of sorted numbers (p in 0..100).
static func percentile(sorted: Array, p: float) -> float:
	if sorted.is_empty():
		return NAN
	var rank := int(ceil(p / 100.0 * sorted.size()))
	return float(sorted[clampi(rank, 1, sorted.size()) - 1])


static func median(values: Array) -> float:
	var s := values.duplicate()
	s.sort()
	var n := s.size()
	if n == 0:
		return NAN
	if n % 2 == 1:
		return float(s[n / 2])
	return (float(s[n / 2 - 1]) + float(s[n / 2])) / 2.0


## p50 / p90 / p99 / max of samples, keys suffixed with `unit` ("ms", "us").
static func distribution(samples: Array, unit: String, points := [50, 90, 99]) -> Dictionary:
	var s := samples.duplicate()
	s.sort()
	var out := {}
	for p in points:
		out["p%d_%s" % [p, unit]] = round3(percentile(s, p))
	out["max_%s" % unit] = round3(percentile(s, 100))
	out["n"] = s.size()
	return out


static func round3(x: float) -> float:
	if is_nan(x) or is_inf(x):
		return x
	if absf(x) >= 100.0:
		return snappedf(x, 0.1)
	if absf(x) >= 1.0:
		return snappedf(x, 0.01)
	return snappedf(x, 0.0001)


## User + system CPU time of this process so far, in seconds (10 ms steps).
## /proc files report a length of 0: read them with get_line().
static func cpu_seconds() -> float:
	var file := FileAccess.open("/proc/self/stat", FileAccess.READ)
	if file == null:
		return NAN
	var line := file.get_line()
	var rest := line.substr(line.rfind(")") + 2)
	var fields := rest.split(" ")
	# `rest` starts at field 3 (state): utime is field 14, stime field 15.
	if fields.size() < 13:
		return NAN
	return (float(fields[11]) + float(fields[12])) / TICKS_PER_SECOND


## A numeric `Key:` line of /proc/self/status (kB for memory), or -1.
static func status_value(key: String) -> int:
	var file := FileAccess.open("/proc/self/status", FileAccess.READ)
	while file != null and not file.eof_reached():
		var line := file.get_line()
		if line.begins_with(key + ":"):
			return int(line.split(":")[1].strip_edges().split(" ")[0])
	return -1


## UDP datagrams this machine dropped because a socket's receive buffer was
## full (IPv4 + IPv6, all processes): loss that SCTP repairs, at worst after
## its 1 s minimum retransmission timeout.
static func udp_rcvbuf_errors() -> int:
	var total := 0
	var snmp := FileAccess.open("/proc/net/snmp", FileAccess.READ)
	var names := PackedStringArray()
	while snmp != null and not snmp.eof_reached():
		var line := snmp.get_line()
		if not line.begins_with("Udp:"):
			continue
		if names.is_empty():
			names = line.split(" ", false)
		else:
			var column := names.find("RcvbufErrors")
			var values := line.split(" ", false)
			if column > 0 and column < values.size():
				total += int(values[column])
			break
	var snmp6 := FileAccess.open("/proc/net/snmp6", FileAccess.READ)
	while snmp6 != null and not snmp6.eof_reached():
		var line6 := snmp6.get_line()
		if line6.begins_with("Udp6RcvbufErrors"):
			total += int(line6.substr("Udp6RcvbufErrors".length()).strip_edges())
	return total


## Prints one result line the runner collects: "BENCH {json}".
static func emit_line(line: Dictionary) -> void:
	print("BENCH " + JSON.stringify(line, "", false))


static func payload(size: int, value: int) -> PackedByteArray:
	var data := PackedByteArray()
	data.resize(size)
	data.fill(value)
	return data


## Median of every numeric metric over runs, one line per (row, mode, metric).
static func table(lines: Array) -> String:
	var grid := {}
	var order := []
	for line in lines:
		if not line.get("ok", false) or not line.has("metrics"):
			continue
		for metric in line["metrics"]:
			var value = line["metrics"][metric]
			if not (value is float or value is int):
				continue
			var key := "%s|%s|%s" % [line["row"], line["mode"], metric]
			if not grid.has(key):
				grid[key] = []
				order.append(key)
			grid[key].append(value)
	var out := "%-22s %-6s %-24s %12s %6s\n" % ["row", "mode", "metric", "median", "runs"]
	for key in order:
		var parts: PackedStringArray = key.split("|")
		out += "%-22s %-6s %-24s %12s %6d\n" % [parts[0], parts[1], parts[2], str(round3(median(grid[key]))), grid[key].size()]
	return out
