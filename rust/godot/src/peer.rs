//! `WebRTCPeerConnection` for Godot: a thin adapter over the backend's
//! `PeerConnection`. Signals are emitted only from `poll()`, on the main thread.

use godot::classes::web_rtc_peer_connection::{ConnectionState, GatheringState, SignalingState};
use godot::classes::{
    IWebRtcPeerConnectionExtension, WebRtcDataChannel, WebRtcPeerConnectionExtension,
};
use godot::global::Error as GodotError;
use godot::prelude::*;
use serde_json::Value;
use webrtc_rs_backend::log::Level;
use webrtc_rs_backend::{
    catch_panic, parse_peer_config, runtime, Error, PeerConnection, PeerEvent, SdpKind,
};

use crate::channel::WebRtcRsDataChannel;
use crate::convert::{dictionary_to_json, report, stats_to_dictionary, to_godot};

/// The name Godot knows this class by (passed to `set_default_extension`).
pub const CLASS_NAME: &str = "WebRTCRsPeerConnection";

/// The WebRTC peer connection of godot-webrtc-rs (webrtc-rs). `WebRTCPeerConnection.new()` returns
/// one of these once the addon is loaded; use it exactly as Godot documents `WebRTCPeerConnection`.
/// It adds `get_stats()`.
#[derive(GodotClass)]
#[class(tool, base = WebRtcPeerConnectionExtension, rename = WebRTCRsPeerConnection)]
pub struct WebRtcRsPeerConnection {
    base: Base<WebRtcPeerConnectionExtension>,
    /// None only if the runtime is not running or creation failed.
    backend: Option<PeerConnection>,
}

impl WebRtcRsPeerConnection {
    fn open_backend(config: &Value) -> Result<PeerConnection, Error> {
        let handle = runtime::handle()
            .ok_or_else(|| Error::failed("the webrtc-rs runtime is not running"))?;
        let config = parse_peer_config(config)?;
        for warning in &config.warnings {
            godot_warn!("WebRTC initialize: {warning}");
        }
        PeerConnection::new(handle, config)
    }

    fn backend(&mut self, context: &str) -> Result<&mut PeerConnection, GodotError> {
        match self.backend.as_mut() {
            Some(backend) => Ok(backend),
            None => Err(report(
                context,
                &Error::invalid_state(
                    "the peer connection could not be created; call initialize()",
                ),
            )),
        }
    }

    fn call(
        &mut self,
        context: &str,
        f: impl FnOnce(&mut PeerConnection) -> Result<(), Error>,
    ) -> GodotError {
        match self.backend(context) {
            Ok(backend) => {
                let result = catch_panic(context, || f(backend));
                if let Err(e) = &result {
                    backend.note_error(format!("{context}: {e}"));
                }
                to_godot(context, result)
            }
            Err(code) => code,
        }
    }

    fn emit(&mut self, event: PeerEvent) {
        match event {
            PeerEvent::SessionDescription { kind, sdp } => {
                let args = [kind.as_str().to_variant(), sdp.to_variant()];
                self.base_mut()
                    .emit_signal("session_description_created", &args);
                // A handler that passed the answer to set_local_description
                // has applied it; for one that did not, apply it now.
                if kind == SdpKind::Answer {
                    let context = "set_local_description (answer)";
                    if let Some(backend) = self.backend.as_mut() {
                        if let Err(e) = catch_panic(context, || backend.apply_pending_answer()) {
                            report(context, &e);
                        }
                    }
                }
            }
            PeerEvent::IceCandidate {
                mid,
                index,
                candidate,
            } => {
                let args = [mid.to_variant(), index.to_variant(), candidate.to_variant()];
                self.base_mut().emit_signal("ice_candidate_created", &args);
            }
            PeerEvent::DataChannel(channel) => {
                let channel = WebRtcRsDataChannel::wrap(channel);
                let args = [channel.to_variant()];
                self.base_mut().emit_signal("data_channel_received", &args);
            }
        }
    }
}

#[godot_api]
impl WebRtcRsPeerConnection {
    /// Every live connection of this process as of the monitors' latest sample (at most 0.5 s old;
    /// never blocks): one `get_stats()` Dictionary each, plus `id` (see `get_debug_id()`) and `state`
    /// (`WebRTCPeerConnection.ConnectionState`). Empty without connections. The addon's debugger
    /// tab is fed from it.
    #[func]
    fn debug_snapshot() -> VarArray {
        let mut rows = VarArray::new();
        for c in webrtc_rs_backend::monitor::connections() {
            let mut row = stats_to_dictionary(&c.stats);
            row.set("id", c.id as i64);
            row.set("state", c.state as i64);
            rows.push(&row.to_variant());
        }
        rows
    }

    /// This connection's `id` in `debug_snapshot()` (0 if it could not be created); a new one
    /// after `initialize()`.
    #[func]
    fn get_debug_id(&self) -> i64 {
        self.backend.as_ref().map_or(0, |b| b.monitor_id() as i64)
    }

    /// Returns a snapshot of this connection: `ice_state`, `dtls_state` and `sctp_state` (Strings,
    /// e.g. `"connected"`), `local_candidate` and `remote_candidate` of the selected pair (Dictionaries
    /// with `type` (`"host"`, `"srflx"`, `"prflx"` or `"relay"`), `address`, `port`, `protocol`, and
    /// for our own relay candidate `relay_protocol`: `"udp"`, `"tcp"` or `"tls"`, how it reaches its TURN
    /// server; empty before ICE connects), `rtt_ms` (float: the selected pair's latest ICE round trip,
    /// from the connectivity checks and then a consent check every 2 s; 0 before the first) and
    /// `rtt_samples` (how many responses measured it), `channels`: an Array with one Dictionary per open or opening data
    /// channel: `label`, `id`, `state`, `bytes_sent`, `bytes_received`, `messages_sent`,
    /// `messages_received`, `retransmissions` (SCTP DATA chunks of its messages we sent again),
    /// `buffered_amount`, `max_message_size`, `ordered`, `max_retransmits` and `max_packet_life_time` (65535
    /// when not set); `retransmissions` summed over those channels; `messages_lost`: unreliable messages
    /// the remote gave up on (past their `maxRetransmits` or `maxPacketLifeTime`) that never arrived here,
    /// over all channels, counted in SCTP chunks (one per message of up to 1163 bytes); and `failure_reason`: empty unless the connection is
    /// FAILED, then one sentence saying why (no candidate pair succeeded, with the candidate types each
    /// side had and any TURN error such as a 401 or an unreachable server; the DTLS fingerprint did not
    /// match; consent lost after being connected). It is also shown once with `push_error`. `last_errors`
    /// (PackedStringArray) holds the latest errors of calls on this connection, at most 5, newest last.
    ///
    /// Call it as `peer.call("get_stats")` when `peer` is typed as `WebRTCPeerConnection`.
    #[func]
    fn get_stats(&mut self) -> VarDictionary {
        let Ok(backend) = self.backend("get_stats") else {
            return VarDictionary::new();
        };
        match catch_panic("get_stats", || backend.stats()) {
            Ok(stats) => stats_to_dictionary(&stats),
            Err(e) => {
                report("get_stats", &e);
                VarDictionary::new()
            }
        }
    }
}

#[godot_api]
impl IWebRtcPeerConnectionExtension for WebRtcRsPeerConnection {
    fn init(base: Base<WebRtcPeerConnectionExtension>) -> Self {
        // Usable in STATE_NEW without initialize(), as Godot's own demos expect.
        let backend = match Self::open_backend(&Value::Null) {
            Ok(backend) => Some(backend),
            Err(e) => {
                report("peer connection", &e);
                None
            }
        };
        Self { base, backend }
    }

    fn get_connection_state(&self) -> ConnectionState {
        let state = self
            .backend
            .as_ref()
            .map_or(webrtc_rs_backend::ConnectionState::Closed, |b| {
                b.connection_state()
            });
        ConnectionState::from_ord(state as i32)
    }

    fn get_gathering_state(&self) -> GatheringState {
        let state = self
            .backend
            .as_ref()
            .map_or(webrtc_rs_backend::GatheringState::New, |b| {
                b.gathering_state()
            });
        GatheringState::from_ord(state as i32)
    }

    fn get_signaling_state(&self) -> SignalingState {
        let state = self
            .backend
            .as_ref()
            .map_or(webrtc_rs_backend::SignalingState::Closed, |b| {
                b.signaling_state()
            });
        SignalingState::from_ord(state as i32)
    }

    fn initialize(&mut self, config: VarDictionary) -> GodotError {
        // Closes any previous connection first, as Godot documents.
        if let Some(mut old) = self.backend.take() {
            old.close();
        }
        let result = catch_panic("initialize", || {
            dictionary_to_json(&config).and_then(|json| Self::open_backend(&json))
        });
        match result {
            Ok(backend) => {
                self.backend = Some(backend);
                GodotError::OK
            }
            Err(e) => report("initialize", &e),
        }
    }

    fn create_data_channel(
        &mut self,
        label: GString,
        config: VarDictionary,
    ) -> Option<Gd<WebRtcDataChannel>> {
        let options = match dictionary_to_json(&config) {
            Ok(options) => options,
            Err(e) => {
                report("create_data_channel", &e);
                return None;
            }
        };
        let backend = self.backend("create_data_channel").ok()?;
        let label = label.to_string();
        match catch_panic("create_data_channel", || {
            backend.create_data_channel(&label, &options)
        }) {
            Ok(channel) => Some(WebRtcRsDataChannel::wrap(channel).upcast()),
            Err(e) => {
                report("create_data_channel", &e);
                None
            }
        }
    }

    fn create_offer(&mut self) -> GodotError {
        self.call("create_offer", |b| b.create_offer())
    }

    fn set_remote_description(&mut self, kind: GString, sdp: GString) -> GodotError {
        let (kind, sdp) = (kind.to_string(), sdp.to_string());
        self.call("set_remote_description", |b| {
            b.set_remote_description(&kind, &sdp)
        })
    }

    fn set_local_description(&mut self, kind: GString, sdp: GString) -> GodotError {
        let (kind, sdp) = (kind.to_string(), sdp.to_string());
        self.call("set_local_description", |b| {
            b.set_local_description(&kind, &sdp)
        })
    }

    fn add_ice_candidate(&mut self, mid: GString, index: i32, name: GString) -> GodotError {
        let (mid, name) = (mid.to_string(), name.to_string());
        self.call("add_ice_candidate", |b| {
            b.add_ice_candidate(&mid, index, &name)
        })
    }

    fn poll(&mut self) -> GodotError {
        for message in webrtc_rs_backend::log::drain() {
            match message.level {
                Level::Error => godot_error!("WebRTC: {}", message.text),
                Level::Warning => godot_warn!("WebRTC: {}", message.text),
                Level::Info => godot_print!("WebRTC: {}", message.text),
            }
        }
        // Take one event at a time: handlers may call back into this peer.
        loop {
            let Some(event) = self.backend.as_ref().and_then(|b| b.next_event()) else {
                break;
            };
            self.emit(event);
        }
        GodotError::OK
    }

    fn close(&mut self) {
        if let Some(backend) = self.backend.as_mut() {
            backend.close();
        }
    }
}
