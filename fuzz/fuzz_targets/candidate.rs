//! ICE candidate lines from the remote peer: validation must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use webrtc_rs_backend::sdp::check_candidate;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = check_candidate(&text);
});
