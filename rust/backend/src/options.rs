//! Converts `create_data_channel()` options (as JSON) into a webrtc-rs
//! `RTCDataChannelInit`, rejecting invalid combinations with a clear message.

use serde_json::{Map, Value};
use webrtc::data_channel::data_channel_init::RTCDataChannelInit;

use crate::error::{Error, Result};

/// Highest stream id a data channel may use (65535 is reserved).
pub const MAX_CHANNEL_ID: i64 = 65534;

/// Parses `{"negotiated", "id", "ordered", "maxRetransmits", "maxPacketLifeTime", "protocol"}`.
/// `maxPacketLifetime` (the spelling Godot's WebRTCMultiplayerPeer sends) is accepted too.
pub fn parse_channel_options(label: &str, value: &Value) -> Result<RTCDataChannelInit> {
    let empty = Map::new();
    let map = match value {
        Value::Null => &empty,
        Value::Object(map) => map,
        other => {
            return Err(Error::invalid_parameter(format!(
                "data channel options must be a Dictionary, got {other}"
            )))
        }
    };
    if label.len() > u16::MAX as usize {
        return Err(Error::invalid_parameter(
            "data channel label is longer than 65535 bytes",
        ));
    }
    let negotiated = bool_option(map, "negotiated")?.unwrap_or(false);
    let id = int_option(map, "id", 0, MAX_CHANNEL_ID)?;
    let ordered = bool_option(map, "ordered")?.unwrap_or(true);
    let max_retransmits = int_option(map, "maxRetransmits", 0, u16::MAX as i64)?;
    let lifetime = match (
        int_option(map, "maxPacketLifeTime", 0, u16::MAX as i64)?,
        int_option(map, "maxPacketLifetime", 0, u16::MAX as i64)?,
    ) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::invalid_parameter(
                "data channel options 'maxPacketLifeTime' and 'maxPacketLifetime' disagree",
            ))
        }
        (a, b) => a.or(b),
    };
    if max_retransmits.is_some() && lifetime.is_some() {
        return Err(Error::invalid_parameter(
            "data channel options 'maxRetransmits' and 'maxPacketLifeTime' cannot both be set",
        ));
    }
    let protocol = match map.get("protocol") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.len() <= u16::MAX as usize => s.clone(),
        Some(other) => {
            return Err(Error::invalid_parameter(format!(
                "data channel option 'protocol' must be a String of at most 65535 bytes, got {}",
                short(other)
            )))
        }
    };
    let negotiated_id = match (negotiated, id) {
        (true, Some(id)) => Some(id as u16),
        (true, None) => {
            return Err(Error::invalid_parameter(
                "data channel option 'negotiated': true requires an 'id' (0-65534)",
            ))
        }
        (false, Some(_)) => {
            return Err(Error::invalid_parameter(
                "data channel option 'id' is only used with 'negotiated': true",
            ))
        }
        (false, None) => None,
    };
    Ok(RTCDataChannelInit {
        ordered: Some(ordered),
        max_packet_life_time: lifetime.map(|v| v as u16),
        max_retransmits: max_retransmits.map(|v| v as u16),
        protocol: Some(protocol),
        negotiated: negotiated_id,
    })
}

fn bool_option(map: &Map<String, Value>, key: &str) -> Result<Option<bool>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(Error::invalid_parameter(format!(
            "data channel option '{key}' must be a bool, got {}",
            short(other)
        ))),
    }
}

fn int_option(map: &Map<String, Value>, key: &str, min: i64, max: i64) -> Result<Option<i64>> {
    let Some(value) = map.get(key) else {
        return Ok(None);
    };
    let number = match value {
        Value::Null => return Ok(None),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        _ => None,
    };
    match number {
        Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Error::invalid_parameter(format!(
            "data channel option '{key}' must be an integer from {min} to {max}, got {}",
            short(value)
        ))),
    }
}

/// Keeps error messages readable when a peer or script passes something huge.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_reliable_ordered_in_band() {
        let init = parse_channel_options("x", &json!({})).expect("defaults");
        assert_eq!(init.ordered, Some(true));
        assert_eq!(init.negotiated, None);
        assert_eq!(init.max_retransmits, None);
        assert_eq!(init.max_packet_life_time, None);
    }

    #[test]
    fn godot_multiplayer_spelling_is_honoured() {
        let init = parse_channel_options(
            "x",
            &json!({"negotiated": true, "id": 3, "ordered": false, "maxPacketLifetime": 1}),
        )
        .expect("multiplayer options");
        assert_eq!(init.negotiated, Some(3));
        assert_eq!(init.max_packet_life_time, Some(1));
        assert_eq!(init.ordered, Some(false));
    }

    #[test]
    fn rejects_invalid_combinations() {
        let cases = [
            json!({"negotiated": true}),
            json!({"id": 4}),
            json!({"negotiated": true, "id": 65535}),
            json!({"negotiated": true, "id": -1}),
            json!({"maxRetransmits": 1, "maxPacketLifeTime": 1}),
            json!({"maxPacketLifeTime": -5}),
            json!({"maxRetransmits": 70000}),
            json!({"maxRetransmits": 1.5}),
            json!({"ordered": "yes"}),
            json!({"protocol": 7}),
            json!([1]),
        ];
        for case in cases {
            let err = parse_channel_options("x", &case).expect_err(&case.to_string());
            assert_eq!(
                err.kind,
                crate::error::ErrorKind::InvalidParameter,
                "{case}"
            );
        }
    }
}
