## Parses Godot's user arguments (those after `--`) into a Dictionary:
## "--port=9080" -> {"port": "9080"}, "--server" -> {"server": true}.
extends RefCounted


static func parse(args: PackedStringArray) -> Dictionary:
	var options := {}
	for arg in args:
		if not arg.begins_with("--"):
			push_warning("ignoring argument '%s' (options look like --name or --name=value)" % arg)
			continue
		var pair := arg.substr(2).split("=", true, 1)
		options[pair[0]] = pair[1] if pair.size() == 2 else true
	return options
