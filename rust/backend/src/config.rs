//! Converts the `initialize()` configuration Dictionary (as JSON) into a
//! webrtc-rs `RTCConfiguration`, with a message that names the key and value
//! for anything wrong.

use serde_json::{Map, Value};
use webrtc::ice::url::{ProtoType, SchemeType, Url};
use webrtc::ice_transport::ice_server::RTCIceServer;
use webrtc::peer_connection::configuration::RTCConfiguration;
use webrtc::peer_connection::policy::bundle_policy::RTCBundlePolicy;
use webrtc::peer_connection::policy::ice_transport_policy::RTCIceTransportPolicy;

use crate::error::{Error, Result};

/// A validated peer configuration, plus warnings for what was accepted but dropped.
#[derive(Default)]
pub struct PeerConfig {
    pub rtc: RTCConfiguration,
    pub warnings: Vec<String>,
}

/// Parses `{"iceServers": [...], "iceTransportPolicy": ..., "bundlePolicy": ...}`.
/// Unknown keys are ignored, as browsers do.
pub fn parse_peer_config(value: &Value) -> Result<PeerConfig> {
    let mut config = PeerConfig::default();
    let map = match value {
        Value::Null => return Ok(config),
        Value::Object(map) => map,
        other => {
            return Err(Error::invalid_parameter(format!(
                "configuration must be a Dictionary, got {other}"
            )))
        }
    };
    if let Some(servers) = map.get("iceServers") {
        let Value::Array(servers) = servers else {
            return Err(Error::invalid_parameter(format!(
                "configuration key 'iceServers' must be an Array of Dictionaries, got {servers}"
            )));
        };
        for (i, server) in servers.iter().enumerate() {
            if let Some(server) = parse_ice_server(i, server, &mut config.warnings)? {
                config.rtc.ice_servers.push(server);
            }
        }
    }
    if let Some(policy) = map.get("iceTransportPolicy") {
        config.rtc.ice_transport_policy = match policy.as_str() {
            Some("all") => RTCIceTransportPolicy::All,
            Some("relay") => RTCIceTransportPolicy::Relay,
            _ => {
                return Err(Error::invalid_parameter(format!(
                "configuration key 'iceTransportPolicy' must be \"all\" or \"relay\", got {policy}"
            )))
            }
        };
    }
    if let Some(policy) = map.get("bundlePolicy") {
        config.rtc.bundle_policy = match policy.as_str() {
            Some("balanced") => RTCBundlePolicy::Balanced,
            Some("max-compat") => RTCBundlePolicy::MaxCompat,
            Some("max-bundle") => RTCBundlePolicy::MaxBundle,
            _ => {
                return Err(Error::invalid_parameter(format!(
                    "configuration key 'bundlePolicy' must be \"balanced\", \"max-compat\" or \"max-bundle\", got {policy}"
                )))
            }
        };
    }
    Ok(config)
}

fn parse_ice_server(
    index: usize,
    server: &Value,
    warnings: &mut Vec<String>,
) -> Result<Option<RTCIceServer>> {
    let Value::Object(map) = server else {
        return Err(Error::invalid_parameter(format!(
            "iceServers[{index}] must be a Dictionary with 'urls', got {server}"
        )));
    };
    let username = optional_string(map, index, "username")?;
    let credential = optional_string(map, index, "credential")?;
    let urls: Vec<&Value> = match map.get("urls") {
        Some(Value::String(_)) => vec![&map["urls"]],
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => {
            return Err(Error::invalid_parameter(format!(
                "iceServers[{index}].urls must be a String or an Array of Strings, got {other}"
            )))
        }
        None => {
            return Err(Error::invalid_parameter(format!(
                "iceServers[{index}] has no 'urls' key"
            )))
        }
    };
    let mut accepted = Vec::new();
    for url in urls {
        let Some(text) = url.as_str() else {
            return Err(Error::invalid_parameter(format!(
                "iceServers[{index}].urls entries must be Strings, got {url}"
            )));
        };
        let parsed = parse_ice_url(text).map_err(|reason| {
            Error::invalid_parameter(format!("iceServers[{index}].urls: {reason}"))
        })?;
        let is_turn = matches!(parsed.scheme, SchemeType::Turn | SchemeType::Turns);
        if is_turn && (username.is_empty() || credential.is_empty()) {
            return Err(Error::invalid_parameter(format!(
                "iceServers[{index}]: TURN URL '{text}' needs both 'username' and 'credential'"
            )));
        }
        if let Some(why) = unsupported_reason(&parsed) {
            warnings.push(format!("iceServers[{index}]: ignoring '{text}': {why}"));
            continue;
        }
        accepted.push(text.to_owned());
    }
    if accepted.is_empty() {
        return Ok(None);
    }
    Ok(Some(RTCIceServer {
        urls: accepted,
        username,
        credential,
    }))
}

fn optional_string(map: &Map<String, Value>, index: usize, key: &str) -> Result<String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(Error::invalid_parameter(format!(
            "iceServers[{index}].{key} must be a String, got {other}"
        ))),
    }
}

/// Parses one `stun:`/`turn:`/`turns:` URL; the error names the URL and why.
pub fn parse_ice_url(text: &str) -> std::result::Result<Url, String> {
    if text.trim().is_empty() {
        return Err("empty URL".to_owned());
    }
    let url = Url::parse_url(text).map_err(|e| format!("invalid ICE server URL '{text}': {e}"))?;
    if url.host.is_empty() {
        return Err(format!("invalid ICE server URL '{text}': no host"));
    }
    Ok(url)
}

/// TURN is reached over UDP, TCP or TLS (vendored webrtc-ice patch 2); STUN
/// over UDP. What is left is what browsers do not offer either.
fn unsupported_reason(url: &Url) -> Option<&'static str> {
    match (url.scheme, url.proto) {
        (SchemeType::Turn, _) | (SchemeType::Stun, _) | (SchemeType::Turns, ProtoType::Tcp) => None,
        (SchemeType::Turns, _) => Some(
            "TURN over DTLS is not supported (use turns: over TCP/TLS, or turn: over UDP or TCP)",
        ),
        (SchemeType::Stuns, _) => {
            Some("STUN over TLS is not supported (nor used by browsers); use stun: over UDP")
        }
        (SchemeType::Unknown, _) => Some("unknown scheme"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_string_and_array_urls_and_policies() {
        let cfg = parse_peer_config(&json!({
            "iceServers": [
                {"urls": "stun:stun.example.org:3478"},
                {"urls": ["turn:127.0.0.1:3478?transport=udp"], "username": "u", "credential": "p"}
            ],
            "iceTransportPolicy": "relay",
            "bundlePolicy": "max-bundle",
            "somethingElse": 42
        }))
        .expect("valid config");
        assert_eq!(cfg.rtc.ice_servers.len(), 2);
        assert_eq!(cfg.rtc.ice_servers[1].username, "u");
        assert_eq!(cfg.rtc.ice_transport_policy, RTCIceTransportPolicy::Relay);
        assert_eq!(cfg.rtc.bundle_policy, RTCBundlePolicy::MaxBundle);
        assert!(cfg.warnings.is_empty());
    }

    #[test]
    fn turn_over_tcp_and_tls_are_kept_and_stuns_is_dropped_with_a_warning() {
        let cfg = parse_peer_config(&json!({"iceServers": [{
            "urls": ["turn:h:3478", "turn:h:3478?transport=tcp", "turns:h:443",
                     "turns:h?transport=udp", "stuns:h:5349"],
            "username": "u", "credential": "p"}]}))
        .expect("valid config");
        assert_eq!(
            cfg.rtc.ice_servers[0].urls,
            vec!["turn:h:3478", "turn:h:3478?transport=tcp", "turns:h:443"]
        );
        assert_eq!(cfg.warnings.len(), 2, "{:?}", cfg.warnings);
        assert!(
            cfg.warnings[0].contains("turns:h?transport=udp"),
            "{:?}",
            cfg.warnings
        );
        assert!(
            cfg.warnings[1].contains("stuns:h:5349"),
            "{:?}",
            cfg.warnings
        );
    }

    #[test]
    fn rejects_bad_values_naming_the_key() {
        let cases = [
            (json!({"iceServers": "stun:x"}), "iceServers"),
            (json!({"iceServers": [42]}), "iceServers[0]"),
            (json!({"iceServers": [{"urls": 5}]}), "urls"),
            (json!({"iceServers": [{}]}), "urls"),
            (json!({"iceServers": [{"urls": ""}]}), "empty"),
            (json!({"iceServers": [{"urls": "stun:"}]}), "stun:"),
            (json!({"iceServers": [{"urls": "foo://x"}]}), "foo://x"),
            (
                json!({"iceServers": [{"urls": "turn:host:99999", "username": "u", "credential": "p"}]}),
                "99999",
            ),
            (json!({"iceServers": [{"urls": "turn:host"}]}), "credential"),
            (
                json!({"iceServers": [{"urls": "stun:h", "username": 3}]}),
                "username",
            ),
            (json!({"iceTransportPolicy": "none"}), "iceTransportPolicy"),
            (json!({"bundlePolicy": 1}), "bundlePolicy"),
            (json!([1, 2]), "Dictionary"),
        ];
        for (value, needle) in cases {
            let Some(err) = parse_peer_config(&value).err() else {
                panic!("accepted {value}");
            };
            assert_eq!(err.kind, crate::error::ErrorKind::InvalidParameter);
            assert!(
                err.message.contains(needle),
                "{} lacks {needle}",
                err.message
            );
        }
    }
}
