//! `create_data_channel()` options (any JSON): never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use webrtc_rs_backend::options::parse_channel_options;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = parse_channel_options("label", &value);
    }
});
