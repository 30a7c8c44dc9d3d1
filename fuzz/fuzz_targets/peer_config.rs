//! `initialize()` configurations (any JSON, including ICE server URLs): never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use webrtc_rs_backend::config::{parse_ice_url, parse_peer_config};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = parse_peer_config(&value);
    }
    let _ = parse_ice_url(&String::from_utf8_lossy(data));
});
