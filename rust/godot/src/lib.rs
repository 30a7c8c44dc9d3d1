//! Godot 4.3+ GDExtension entry point: registers the two WebRTC classes and
//! makes them the engine's default WebRTC implementation.

mod channel;
mod convert;
mod peer;

use godot::builtin::{VarDictionary, VariantType};
use godot::classes::{ProjectSettings, WebRtcPeerConnection};
use godot::init::{gdextension, ExtensionLibrary, InitStage};
use godot::prelude::*;
use godot::register::info::PropertyHint;

pub use channel::WebRtcRsDataChannel;
pub use peer::WebRtcRsPeerConnection;

struct WebRtcRs;

const LOG_LEVEL_SETTING: &str = "webrtc_rs/log_level";

/// Registers the `webrtc_rs/log_level` project setting (shown in the editor's
/// Project Settings with "Advanced Settings" on) and returns its value.
fn register_log_level_setting() -> String {
    let mut settings = ProjectSettings::singleton();
    let default = "error".to_variant();
    if !settings.has_setting(LOG_LEVEL_SETTING) {
        settings.set_setting(LOG_LEVEL_SETTING, &default);
    }
    settings.set_initial_value(LOG_LEVEL_SETTING, &default);
    let mut info = VarDictionary::new();
    info.set("name", LOG_LEVEL_SETTING);
    info.set("type", VariantType::STRING.ord());
    info.set("hint", PropertyHint::ENUM.ord());
    info.set("hint_string", "error,warn,info,debug,trace,off");
    settings.add_property_info(&info);
    settings
        .get_setting(LOG_LEVEL_SETTING)
        .try_to::<GString>()
        .map(|s| s.to_string())
        .unwrap_or_default()
}

#[gdextension]
unsafe impl ExtensionLibrary for WebRtcRs {
    fn on_stage_init(stage: InitStage) {
        if stage != InitStage::Scene {
            return;
        }
        let level = register_log_level_setting();
        if let Some(warning) = webrtc_rs_backend::log::install_forwarder(Some(&level)) {
            godot_warn!("{warning}");
        }
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
