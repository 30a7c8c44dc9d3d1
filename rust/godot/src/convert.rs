//! Conversions between Godot values and the backend's plain types.

use godot::builtin::{VarDictionary, Variant, VariantType};
use godot::global::Error as GodotError;
use godot::prelude::*;
use serde_json::{Map, Number, Value};
use webrtc_rs_backend::{CandidateInfo, Error, ErrorKind, PeerStats};

/// Deepest nesting accepted in a configuration (real ones are 3 levels deep).
const MAX_DEPTH: usize = 16;

/// Converts a Dictionary of plain values (as scripts pass to `initialize` and
/// `create_data_channel`) to JSON. Other Variant types are an error naming the key.
pub fn dictionary_to_json(dict: &VarDictionary) -> Result<Value, Error> {
    dictionary_value(dict, "", 0)
}

fn dictionary_value(dict: &VarDictionary, path: &str, depth: usize) -> Result<Value, Error> {
    let mut map = Map::new();
    for (key, value) in dict.iter_shared() {
        let Ok(key) = key.try_to::<GString>() else {
            return Err(Error::invalid_parameter(format!(
                "configuration{path} has a non-String key: {key}"
            )));
        };
        let key = key.to_string();
        let child = format!("{path}.{key}");
        map.insert(key, variant_to_json(&value, &child, depth + 1)?);
    }
    Ok(Value::Object(map))
}

fn variant_to_json(value: &Variant, path: &str, depth: usize) -> Result<Value, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::invalid_parameter(format!(
            "configuration{path} is nested too deeply"
        )));
    }
    let unsupported = || {
        Error::invalid_parameter(format!(
            "configuration{path} has an unsupported type {:?} (value {value})",
            value.get_type()
        ))
    };
    Ok(match value.get_type() {
        VariantType::NIL => Value::Null,
        VariantType::BOOL => Value::Bool(value.try_to::<bool>().map_err(|_| unsupported())?),
        VariantType::INT => Value::from(value.try_to::<i64>().map_err(|_| unsupported())?),
        VariantType::FLOAT => {
            let f = value.try_to::<f64>().map_err(|_| unsupported())?;
            Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(unsupported)?
        }
        VariantType::STRING | VariantType::STRING_NAME => Value::String(value.to_string()),
        VariantType::ARRAY => {
            let array = value.try_to::<VarArray>().map_err(|_| unsupported())?;
            let mut items = Vec::with_capacity(array.len());
            for (i, item) in array.iter_shared().enumerate() {
                items.push(variant_to_json(&item, &format!("{path}[{i}]"), depth + 1)?);
            }
            Value::Array(items)
        }
        VariantType::PACKED_STRING_ARRAY => {
            let array = value
                .try_to::<PackedStringArray>()
                .map_err(|_| unsupported())?;
            Value::Array(
                array
                    .as_slice()
                    .iter()
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            )
        }
        VariantType::DICTIONARY => {
            let dict = value.try_to::<VarDictionary>().map_err(|_| unsupported())?;
            dictionary_value(&dict, path, depth)?
        }
        _ => return Err(unsupported()),
    })
}

/// The Godot error code for a backend error.
pub fn godot_error_code(error: &Error) -> GodotError {
    match error.kind {
        ErrorKind::InvalidParameter => GodotError::ERR_INVALID_PARAMETER,
        ErrorKind::InvalidData => GodotError::ERR_INVALID_DATA,
        ErrorKind::InvalidState => GodotError::ERR_UNAVAILABLE,
        ErrorKind::Timeout => GodotError::ERR_TIMEOUT,
        ErrorKind::Failed => GodotError::FAILED,
        // As Godot's WebSocketPeer.put_packet when its outgoing buffer is full.
        ErrorKind::Full => GodotError::ERR_OUT_OF_MEMORY,
    }
}

/// Shows the error in Godot's log (like `push_error`) and returns its code.
pub fn report(context: &str, error: &Error) -> GodotError {
    godot_error!("WebRTC {context}: {}", error.message);
    godot_error_code(error)
}

/// `Ok` as `OK`, errors reported and converted.
pub fn to_godot(context: &str, result: Result<(), Error>) -> GodotError {
    match result {
        Ok(()) => GodotError::OK,
        Err(e) => report(context, &e),
    }
}

/// `PeerConnection::stats` as the Dictionary `get_stats()` documents.
pub fn stats_to_dictionary(stats: &PeerStats) -> VarDictionary {
    let candidate = |c: &Option<CandidateInfo>| {
        let mut dict = VarDictionary::new();
        if let Some(c) = c {
            dict.set("type", c.kind.as_str());
            dict.set("address", c.address.as_str());
            dict.set("port", c.port as i64);
            dict.set("protocol", c.protocol.as_str());
            dict.set("relay_protocol", c.relay_protocol.as_str());
        }
        dict
    };
    let mut channels = VarArray::new();
    for c in &stats.channels {
        let mut dict = VarDictionary::new();
        dict.set("label", c.label.as_str());
        dict.set("id", c.id as i64);
        dict.set("state", c.state as i64);
        dict.set("bytes_sent", c.bytes_sent as i64);
        dict.set("bytes_received", c.bytes_received as i64);
        dict.set("messages_sent", c.messages_sent as i64);
        dict.set("messages_received", c.messages_received as i64);
        dict.set("retransmissions", c.retransmissions as i64);
        dict.set("buffered_amount", c.buffered_amount as i64);
        dict.set("max_message_size", c.max_message_size as i64);
        dict.set("ordered", c.ordered);
        dict.set("max_retransmits", c.max_retransmits as i64);
        dict.set("max_packet_life_time", c.max_packet_life_time as i64);
        channels.push(&dict.to_variant());
    }
    let mut dict = VarDictionary::new();
    dict.set("ice_state", stats.ice_state.as_str());
    dict.set("dtls_state", stats.dtls_state.as_str());
    dict.set("sctp_state", stats.sctp_state.as_str());
    dict.set(
        "local_candidate",
        &candidate(&stats.local_candidate).to_variant(),
    );
    dict.set(
        "remote_candidate",
        &candidate(&stats.remote_candidate).to_variant(),
    );
    dict.set("rtt_ms", stats.rtt_ms);
    dict.set("rtt_samples", stats.rtt_samples as i64);
    dict.set("channels", &channels.to_variant());
    dict.set("retransmissions", stats.retransmissions as i64);
    dict.set("messages_lost", stats.messages_lost as i64);
    dict.set("failure_reason", stats.failure_reason.as_str());
    let errors: PackedStringArray = stats.last_errors.iter().map(GString::from).collect();
    dict.set("last_errors", &errors);
    dict
}
