//! Godot 4.3+ GDExtension entry point: registers the two WebRTC classes and
//! makes them the engine's default WebRTC implementation.

mod channel;
mod convert;
mod peer;

use godot::classes::WebRtcPeerConnection;
use godot::init::{gdextension, ExtensionLibrary, InitStage};
use godot::prelude::*;

pub use channel::WebRtcRsDataChannel;
pub use peer::WebRtcRsPeerConnection;

struct WebRtcRs;

#[gdextension]
unsafe impl ExtensionLibrary for WebRtcRs {
    fn on_stage_init(stage: InitStage) {
        if stage != InitStage::Scene {
            return;
        }
        webrtc_rs_backend::log::install_forwarder();
        if let Err(e) = webrtc_rs_backend::runtime::start() {
            godot_error!("webrtc-rs: could not start its worker threads: {e}");
            return;
        }
        WebRtcPeerConnection::set_default_extension(&StringName::from(peer::CLASS_NAME));
    }

    fn on_stage_deinit(stage: InitStage) {
        if stage == InitStage::Scene {
            // A runtime that outlives the engine crashes it at exit.
            webrtc_rs_backend::runtime::shutdown();
        }
    }
}
