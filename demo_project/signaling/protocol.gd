## The signaling protocol shared by the server and the client: JSON text
## messages over a WebSocket, each an object with a "type".
##
## Client -> server:
##   {"type": "join", "lobby": ""}            create a lobby (you become its host, id 1)
##   {"type": "join", "lobby": "CODE"}        join the lobby CODE
##   {"type": "seal"}                         host only: nobody else may join
##   {"type": "offer",  "to": ID, "sdp": S}   relayed to member ID
##   {"type": "answer", "to": ID, "sdp": S}   relayed to member ID
##   {"type": "candidate", "to": ID, "mid": M, "index": N, "sdp": C}  relayed to member ID
##
## Server -> client:
##   {"type": "joined", "lobby": CODE, "id": ID, "host": 1}   your id in the lobby
##   {"type": "peer_connect", "id": ID}       another member (sent both ways, so
##                                             everyone learns about everyone)
##   {"type": "peer_disconnect", "id": ID}    a member left
##   {"type": "sealed"}                       the host sealed the lobby
##   {"type": "lobby_closed", "reason": R}    the host left; the server then drops you
##   {"type": "offer" | "answer" | "candidate", "from": ID, ...}  relayed, "to" replaced by "from"
##   {"type": "error", "message": TEXT}       your last message was refused
##
## Who offers: for each pair of members, the one with the LOWER id creates the
## offer (so the host, id 1, offers to everyone, and a newcomer, who always
## gets the highest id, waits for offers from everyone already there).
extends RefCounted

## Longest message accepted, in bytes (UTF-8). Longer ones get an error and the
## sender is dropped.
const MAX_MESSAGE_BYTES := 64 * 1024

## Fields each client message type must have, with their JSON types
## (JSON numbers are floats in Godot).
const CLIENT_FIELDS := {
	"join": {"lobby": TYPE_STRING},
	"seal": {},
	"offer": {"to": TYPE_FLOAT, "sdp": TYPE_STRING},
	"answer": {"to": TYPE_FLOAT, "sdp": TYPE_STRING},
	"candidate": {"to": TYPE_FLOAT, "mid": TYPE_STRING, "index": TYPE_FLOAT, "sdp": TYPE_STRING},
}

## Message types relayed from one member to another.
const RELAYED := ["offer", "answer", "candidate"]


## Returns true if the peer `my_id` must create the offer towards `other_id`.
static func i_offer(my_id: int, other_id: int) -> bool:
	return my_id < other_id


## Parses and validates one client message. Returns {"message": Dictionary}
## or {"error": "what is wrong"}.
static func parse_client_message(text: String) -> Dictionary:
	var json := JSON.new()
	if json.parse(text) != OK:
		return {"error": "malformed JSON: %s" % json.get_error_message()}
	var message = json.data
	if typeof(message) != TYPE_DICTIONARY:
		return {"error": "a message must be a JSON object"}
	if typeof(message.get("type")) != TYPE_STRING:
		return {"error": "missing string field 'type'"}
	if not CLIENT_FIELDS.has(message["type"]):
		return {"error": "unknown message type '%s'" % message["type"]}
	var fields: Dictionary = CLIENT_FIELDS[message["type"]]
	for field in fields:
		if typeof(message.get(field)) != fields[field]:
			var type_name := "number" if fields[field] == TYPE_FLOAT else "string"
			return {"error": "'%s' needs a %s field '%s'" % [message["type"], type_name, field]}
		# Ids and indexes are whole numbers.
		if fields[field] == TYPE_FLOAT and message[field] != floorf(message[field]):
			return {"error": "'%s' field '%s' must be a whole number" % [message["type"], field]}
	return {"message": message}


## Parses a server message (the client trusts the server, but not blindly:
## anything that is not an object with a "type" is reported as null).
static func parse_server_message(text: String):
	var json := JSON.new()
	if json.parse(text) != OK or typeof(json.data) != TYPE_DICTIONARY:
		return null
	if typeof(json.data.get("type")) != TYPE_STRING:
		return null
	return json.data
