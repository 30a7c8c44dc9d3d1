//! Session descriptions from the remote peer: parsing must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use webrtc_rs_backend::sdp::{parse_description, SdpKind};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for kind in [SdpKind::Offer, SdpKind::Answer, SdpKind::Pranswer] {
        if let Ok(description) = parse_description(kind, &text) {
            let _ = description.first_mid();
        }
    }
    let _ = SdpKind::parse(&text);
});
