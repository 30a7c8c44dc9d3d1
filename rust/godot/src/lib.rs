//! Godot 4.3+ GDExtension entry point: registers the two WebRTC classes and
//! makes them the engine's default WebRTC implementation.

mod channel;
mod convert;
mod monitors;
mod peer;

use godot::builtin::VarDictionary;
use godot::classes::{ProjectSettings, WebRtcPeerConnection};
use godot::init::{gdextension, ExtensionLibrary, InitStage};
use godot::prelude::*;
use godot::register::info::PropertyHint;

pub use channel::WebRtcRsDataChannel;
pub use peer::WebRtcRsPeerConnection;

struct WebRtcRs;

const LOG_LEVEL_SETTING: &str = "webrtc_rs/log_level";
const WORKER_THREADS_SETTING: &str = "webrtc_rs/worker_threads";

/// Registers a project setting (shown in the editor's Project Settings with
/// "Advanced Settings" on) with its default and editor hint; returns its value.
fn register_setting(
    name: &str,
    default: Variant,
    hint: PropertyHint,
    hint_string: &str,
) -> Variant {
    let mut settings = ProjectSettings::singleton();
    if !settings.has_setting(name) {
        settings.set_setting(name, &default);
    }
    settings.set_initial_value(name, &default);
    let mut info = VarDictionary::new();
    info.set("name", name);
    info.set("type", default.get_type().ord());
    info.set("hint", hint.ord());
    info.set("hint_string", hint_string);
    settings.add_property_info(&info);
    settings.get_setting(name)
}

fn register_log_level_setting() -> String {
    register_setting(
        LOG_LEVEL_SETTING,
        "error".to_variant(),
        PropertyHint::ENUM,
        "error,warn,info,debug,trace,off",
    )
    .try_to::<GString>()
    .map(|s| s.to_string())
    .unwrap_or_default()
}

/// Worker threads of the network runtime; a restart applies a change.
fn register_worker_threads_setting() -> Option<i64> {
    let default = webrtc_rs_backend::runtime::DEFAULT_WORKER_THREADS as i64;
    let range = format!("1,{}", webrtc_rs_backend::runtime::MAX_WORKER_THREADS);
    register_setting(
        WORKER_THREADS_SETTING,
        default.to_variant(),
        PropertyHint::RANGE,
        &range,
    )
    .try_to::<i64>()
    .inspect_err(|_| {
        godot_warn!("webrtc-rs: the project setting {WORKER_THREADS_SETTING} is not an integer: using the default")
    })
    .ok()
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
        let (worker_threads, warning) = webrtc_rs_backend::runtime::configured_worker_threads(
            register_worker_threads_setting(),
        );
        if let Some(warning) = warning {
            godot_warn!("{warning}");
        }
        if let Err(e) = webrtc_rs_backend::runtime::start(worker_threads) {
            godot_error!("webrtc-rs: could not start its worker threads: {e}");
            return;
        }
        WebRtcPeerConnection::set_default_extension(&StringName::from(peer::CLASS_NAME));
        monitors::register();
    }

    fn on_stage_deinit(stage: InitStage) {
        if stage == InitStage::Scene {
            monitors::unregister();
            // A runtime that outlives the engine crashes it at exit.
            webrtc_rs_backend::runtime::shutdown();
        }
    }
}
