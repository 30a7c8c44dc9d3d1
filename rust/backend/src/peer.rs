//! One peer connection, driven from the engine's main thread.
//!
//! Every call is synchronous and returns a precise error; the few webrtc-rs
//! calls it makes only touch local state (no network wait), so they run on the
//! shared runtime with a timeout. Callbacks from webrtc-rs only enqueue plain
//! data, which the engine takes with `next_event` from its poll.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use crossbeam_channel::Receiver;
use serde_json::Value;
use tokio::runtime::Handle;
use webrtc::api::setting_engine::{SctpMaxMessageSize, SettingEngine};
use webrtc::api::APIBuilder;
use webrtc::dtls_transport::dtls_transport_state::RTCDtlsTransportState;
use webrtc::ice_transport::ice_candidate::RTCIceCandidateInit;
use webrtc::ice_transport::ice_connection_state::RTCIceConnectionState;
use webrtc::peer_connection::peer_connection_state::RTCPeerConnectionState;
use webrtc::peer_connection::policy::ice_transport_policy::RTCIceTransportPolicy;
use webrtc::peer_connection::sdp::session_description::RTCSessionDescription;
use webrtc::peer_connection::RTCPeerConnection;

use crate::bridge::run;
use crate::channel::{Channel, MAX_MESSAGE_SIZE};
use crate::channel_registry::{refuse_channel, ChannelRegistry};
use crate::config::PeerConfig;
use crate::error::{Error, ErrorKind, Result};
use crate::events::EventOutbox;
pub use crate::events::PeerEvent;
use crate::failure::{self, Dtls, Evidence};
use crate::log::log_error;
use crate::monitor::{self, Monitored, StatsFuture};
use crate::options::parse_channel_options;
use crate::sdp::{
    check_candidate, check_media_id, parse_description, with_max_message_size, Description, SdpKind,
};
use crate::state::{ChannelState, ConnectionState, GatheringState, SignalingState};
use crate::stats::{self, PeerStats};

/// Remote candidates held while no remote description is set.
const MAX_PENDING_CANDIDATES: usize = 1024;
/// How long `close()` lets the channels deliver what they had queued before
/// the transport is shut down.
const CLOSE_FLUSH_LIMIT: Duration = Duration::from_secs(5);

/// State shared with webrtc-rs callbacks (which hold it weakly).
struct Shared {
    outbox: EventOutbox,
    channels: ChannelRegistry,
    closed: AtomicBool,
    /// Latched: a failed connection reports FAILED until the script closes it.
    failed: AtomicBool,
    /// What the connection saw, to say why it failed (failure.rs).
    evidence: Mutex<Evidence>,
    /// Why it failed, once it has.
    failure_reason: OnceLock<String>,
    /// The latest errors of calls on it, newest last (for debugger views).
    errors: Mutex<VecDeque<String>>,
}

/// How many of a connection's latest errors `stats().last_errors` keeps.
const KEPT_ERRORS: usize = 5;

impl Shared {
    fn evidence(&self) -> std::sync::MutexGuard<'_, Evidence> {
        self.evidence.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn note_error(&self, message: String) {
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        if errors.len() == KEPT_ERRORS {
            errors.pop_front();
        }
        errors.push_back(message);
    }

    /// What `stats()` adds to the transport's statistics.
    fn annotate(&self, stats: &mut PeerStats) {
        stats.failure_reason = self.failure_reason.get().cloned().unwrap_or_default();
        let errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        stats.last_errors = errors.iter().cloned().collect();
    }

    /// Works out why the connection failed, keeps it for `get_stats()` and
    /// says it once in the log.
    async fn record_failure(&self, pc: &RTCPeerConnection) {
        let dtls = pc.sctp().transport();
        let dtls = if dtls.state() == RTCDtlsTransportState::Failed {
            Dtls::Failed {
                certificate: dtls.get_remote_certificate().await.to_vec(),
            }
        } else {
            Dtls::NotFailed
        };
        let reason = {
            let evidence = self.evidence();
            let turn_errors: Vec<String> = evidence
                .local_ufrags
                .iter()
                .flat_map(|u| webrtc::ice::gather_errors::errors_for(u))
                .collect();
            failure::explain(&evidence, &dtls, &turn_errors)
        };
        if self.failure_reason.set(reason.clone()).is_ok() {
            log_error(&format!("connection failed: {reason}"));
        }
    }
}

/// The state a script sees: CLOSED once closed, FAILED (latched) once failed.
fn state_of(pc: &RTCPeerConnection, shared: &Shared) -> ConnectionState {
    if shared.closed.load(Ordering::SeqCst) {
        ConnectionState::Closed
    } else if shared.failed.load(Ordering::SeqCst) {
        ConnectionState::Failed
    } else {
        pc.connection_state().into()
    }
}

/// Transport state, selected candidates, RTT, per-channel traffic, the
/// failure reason and the latest errors (`get_stats()` and the monitors).
async fn full_stats(pc: &RTCPeerConnection, shared: &Shared) -> PeerStats {
    let channels = shared.channels.live();
    let mut stats = stats::collect(pc, &channels).await;
    shared.annotate(&mut stats);
    stats
}

/// What the monitors read of one connection (monitor.rs holds it weakly;
/// it holds the connection weakly, so neither keeps the other alive).
struct Watched {
    pc: Weak<RTCPeerConnection>,
    shared: Weak<Shared>,
}

impl Monitored for Watched {
    fn stats(&self) -> StatsFuture<'_> {
        Box::pin(async move {
            let (pc, shared) = (self.pc.upgrade()?, self.shared.upgrade()?);
            let stats = full_stats(&pc, &shared).await;
            Some((state_of(&pc, &shared), stats))
        })
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        for ufrag in &self.evidence().local_ufrags {
            webrtc::ice::gather_errors::forget(ufrag);
        }
    }
}

pub struct PeerConnection {
    runtime: Handle,
    pc: Arc<RTCPeerConnection>,
    shared: Arc<Shared>,
    /// Keeps this connection on the monitors' list (monitor.rs).
    _watched: Arc<dyn Monitored>,
    monitor_id: u64,
    events: Receiver<PeerEvent>,
    pending_candidates: Vec<RTCIceCandidateInit>,
    /// The last description we applied locally, as announced, to accept its echo.
    local_description: Option<(SdpKind, String)>,
    /// The answer announced but not applied yet: `set_local_description`
    /// applies it (the signaling state is HAVE_REMOTE_OFFER until then).
    pending_answer: Option<(RTCSessionDescription, String)>,
    /// The last remote description applied: candidates must match its media.
    remote_description: Option<Description>,
}

impl PeerConnection {
    /// Creates a connection in state NEW. `config` comes from `parse_peer_config`.
    pub fn new(runtime: Handle, config: PeerConfig) -> Result<Self> {
        let mut settings = SettingEngine::default();
        // We run our own read/write loops (see channel.rs), which is also what
        // lets us receive 65536-byte messages.
        settings.detach_data_channels();
        // A peer's first checks usually arrive before its candidates do, so
        // they create a peer-reflexive remote candidate for what is really its
        // host address; webrtc-rs keeps matching the responses to that one,
        // and its default 1 s wait before nominating a peer-reflexive pair made
        // a large share of connects take a second.
        settings.set_prflx_acceptance_min_wait(Some(Duration::ZERO));
        // webrtc-ice waits 2 s from the start before it nominates a relay pair,
        // in case a better one turns up; with iceTransportPolicy "relay" none
        // can, so every relay-only connect took 2.0 s for nothing.
        if config.rtc.ice_transport_policy == RTCIceTransportPolicy::Relay {
            settings.set_relay_acceptance_min_wait(Some(Duration::ZERO));
        }
        // Send up to what the remote's a=max-message-size allows, to our own limit.
        settings.set_sctp_max_message_size_can_send(SctpMaxMessageSize::Bounded(
            MAX_MESSAGE_SIZE as u32,
        ));
        let api = APIBuilder::new().with_setting_engine(settings).build();
        let evidence = Evidence {
            turn_servers: config
                .rtc
                .ice_servers
                .iter()
                .flat_map(|s| &s.urls)
                .filter(|u| u.starts_with("turn"))
                .count(),
            ..Evidence::default()
        };

        let pc = run(
            &runtime,
            "create the peer connection",
            ErrorKind::InvalidParameter,
            async { api.new_peer_connection(config.rtc).await },
        )?;
        let (outbox, events) = EventOutbox::new();
        let shared = Arc::new(Shared {
            outbox,
            channels: ChannelRegistry::default(),
            closed: AtomicBool::new(false),
            failed: AtomicBool::new(false),
            evidence: Mutex::new(evidence),
            failure_reason: OnceLock::new(),
            errors: Mutex::new(VecDeque::new()),
        });
        let pc = Arc::new(pc);
        let watched: Arc<dyn Monitored> = Arc::new(Watched {
            pc: Arc::downgrade(&pc),
            shared: Arc::downgrade(&shared),
        });
        let monitor_id = monitor::watch(Arc::downgrade(&watched));
        let peer = Self {
            runtime,
            pc,
            shared,
            _watched: watched,
            monitor_id,
            events,
            pending_candidates: Vec::new(),
            local_description: None,
            pending_answer: None,
            remote_description: None,
        };
        peer.install_callbacks();
        Ok(peer)
    }

    fn install_callbacks(&self) {
        let weak = Arc::downgrade(&self.shared);
        self.pc.on_ice_candidate(Box::new(move |candidate| {
            if let (Some(shared), Some(candidate)) = (weak.upgrade(), candidate) {
                shared.evidence().local.add(&candidate.typ.to_string());
                match candidate.to_json() {
                    Ok(init) => shared.outbox.push_candidate(init.candidate),
                    Err(e) => log_error(&format!("could not serialize a local ICE candidate: {e}")),
                }
            }
            Box::pin(async {})
        }));

        let weak = Arc::downgrade(&self.shared);
        let weak_pc = Arc::downgrade(&self.pc);
        self.pc
            .on_peer_connection_state_change(Box::new(move |state| {
                let shared = weak.upgrade();
                let pc = weak_pc.clone();
                Box::pin(async move {
                    let Some(shared) = shared else { return };
                    match state {
                        RTCPeerConnectionState::Failed => {
                            // The reason first: a script that sees FAILED
                            // may ask get_stats() for it at once.
                            if let Some(pc) = pc.upgrade() {
                                shared.record_failure(&pc).await;
                            }
                            shared.failed.store(true, Ordering::SeqCst);
                            shared.channels.abort_all();
                            // Stop answering ICE checks too, so the remote
                            // (e.g. after a fingerprint mismatch it cannot see)
                            // loses consent and fails as well.
                            if let Some(pc) = pc.upgrade() {
                                let _ = pc.close().await;
                            }
                        }
                        RTCPeerConnectionState::Closed => shared.channels.abort_all(),
                        _ => {}
                    }
                })
            }));

        let weak = Arc::downgrade(&self.shared);
        self.pc
            .on_ice_connection_state_change(Box::new(move |state| {
                if matches!(
                    state,
                    RTCIceConnectionState::Connected | RTCIceConnectionState::Completed
                ) {
                    if let Some(shared) = weak.upgrade() {
                        shared.evidence().ice_connected = true;
                    }
                }
                Box::pin(async {})
            }));

        let weak = Arc::downgrade(&self.shared);
        let runtime = self.runtime.clone();
        let transport = Arc::downgrade(&self.pc.sctp());
        self.pc.on_data_channel(Box::new(move |rtc| {
            let Some(shared) = weak.upgrade() else {
                return Box::pin(async {});
            };
            if shared.closed.load(Ordering::SeqCst) {
                return Box::pin(async {});
            }
            if !shared.channels.admit_remote() {
                refuse_channel(&rtc, transport.clone());
                return Box::pin(async {});
            }
            let channel = Channel::attach(rtc, transport.clone(), runtime.clone());
            shared.channels.register(&channel);
            shared.outbox.announce_channel(channel);
            Box::pin(async {})
        }));
    }

    fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::SeqCst)
    }

    fn ensure_not_closed(&self, what: &str) -> Result<()> {
        if self.is_closed() {
            Err(Error::invalid_state(format!(
                "{what}: the peer connection is closed (call initialize() to start a new one)"
            )))
        } else {
            Ok(())
        }
    }

    /// Keeps `message` among this connection's latest errors
    /// (`stats().last_errors`); the engine adapter notes every failed call.
    pub fn note_error(&self, message: String) {
        self.shared.note_error(message);
    }

    /// This connection's id in [`monitor::connections`].
    pub fn monitor_id(&self) -> u64 {
        self.monitor_id
    }

    pub fn connection_state(&self) -> ConnectionState {
        state_of(&self.pc, &self.shared)
    }

    pub fn gathering_state(&self) -> GatheringState {
        self.pc.ice_gathering_state().into()
    }

    pub fn signaling_state(&self) -> SignalingState {
        if self.is_closed() {
            SignalingState::Closed
        } else {
            self.pc.signaling_state().into()
        }
    }

    /// The next thing to tell the game, if any; nothing once closed.
    pub fn next_event(&self) -> Option<PeerEvent> {
        if self.is_closed() {
            while self.events.try_recv().is_ok() {}
            return None;
        }
        self.events.try_recv().ok()
    }

    pub fn create_data_channel(&mut self, label: &str, options: &Value) -> Result<Arc<Channel>> {
        self.ensure_not_closed("create_data_channel")?;
        let init = parse_channel_options(label, options)?;
        if let Some(id) = init.negotiated {
            let taken =
                self.shared.channels.live().iter().any(|c| {
                    c.is_negotiated() && c.id() == id && c.state() != ChannelState::Closed
                });
            if taken {
                return Err(Error::invalid_parameter(format!(
                    "a negotiated data channel with id {id} already exists on this connection"
                )));
            }
        }
        let pc = Arc::clone(&self.pc);
        let label_owned = label.to_owned();
        let rtc = run(
            &self.runtime,
            "create the data channel",
            ErrorKind::Failed,
            // A negotiated id the peer already sent on is claimed with its
            // data (vendor/webrtc-sctp/PATCHED.md 4).
            async move { pc.create_data_channel(&label_owned, Some(init)).await },
        )?;
        let transport = Arc::downgrade(&self.pc.sctp());
        let channel = Channel::attach(rtc, transport, self.runtime.clone());
        self.shared.channels.register(&channel);
        Ok(channel)
    }

    /// Creates an offer, applies it, and queues it for `session_description_created`.
    pub fn create_offer(&mut self) -> Result<()> {
        self.ensure_not_closed("create_offer")?;
        if self.signaling_state() != SignalingState::Stable {
            return Err(Error::invalid_state(format!(
                "create_offer: signaling state is {:?}, an offer can only be made in STABLE",
                self.signaling_state()
            )));
        }
        if self.shared.channels.live().is_empty() {
            return Err(Error::invalid_state(
                "create_offer: create at least one data channel first (a connection without one has nothing to negotiate)",
            ));
        }
        let pc = Arc::clone(&self.pc);
        let offer = run(
            &self.runtime,
            "create an offer",
            ErrorKind::Failed,
            async move { pc.create_offer(None).await },
        )?;
        self.apply_and_announce(SdpKind::Offer, offer)
    }

    fn apply_and_announce(
        &mut self,
        kind: SdpKind,
        description: RTCSessionDescription,
    ) -> Result<()> {
        let announced = self.announced_text(kind, &description)?;
        self.apply_local(kind, description, announced.clone())?;
        self.shared.outbox.announce_description(kind, announced);
        Ok(())
    }

    /// The text the remote gets for a description we created: ours plus our
    /// `a=max-message-size`. Also learns the media id candidates go with.
    fn announced_text(&self, kind: SdpKind, description: &RTCSessionDescription) -> Result<String> {
        let parsed = parse_description(kind, &description.sdp)?;
        if let Some(mid) = parsed.first_mid() {
            self.shared.outbox.set_local_mid(mid);
        }
        Ok(with_max_message_size(&description.sdp, MAX_MESSAGE_SIZE))
    }

    fn apply_local(
        &mut self,
        kind: SdpKind,
        description: RTCSessionDescription,
        announced: String,
    ) -> Result<()> {
        let pc = Arc::clone(&self.pc);
        run(
            &self.runtime,
            "apply the local description",
            ErrorKind::Failed,
            async move { pc.set_local_description(description).await },
        )?;
        self.shared.evidence().learn_local_description(&announced);
        self.local_description = Some((kind, announced));
        Ok(())
    }

    /// Applies the answer announced by `set_remote_description` if the
    /// script's handler did not pass it to `set_local_description` (scripts
    /// written for the official plugin never do). The engine calls this right
    /// after emitting the answer.
    pub fn apply_pending_answer(&mut self) -> Result<()> {
        // `take()` moves the whole (large) description even when there is none;
        // callers that poll this every frame should pay nothing (callgrind).
        if self.pending_answer.is_none() {
            return Ok(());
        }
        match self.pending_answer.take() {
            Some((answer, announced)) if !self.is_closed() => {
                self.apply_local(SdpKind::Answer, answer, announced)
            }
            _ => Ok(()),
        }
    }

    /// Applies the remote description; for an offer, also creates the answer
    /// and queues it for `session_description_created` (signaling state
    /// HAVE_REMOTE_OFFER until the answer is applied).
    pub fn set_remote_description(&mut self, kind: &str, sdp: &str) -> Result<()> {
        self.ensure_not_closed("set_remote_description")?;
        let kind = SdpKind::parse(kind)?;
        let state = self.signaling_state();
        let allowed = match kind {
            SdpKind::Offer => matches!(
                state,
                SignalingState::Stable | SignalingState::HaveRemoteOffer
            ),
            SdpKind::Answer | SdpKind::Pranswer => matches!(
                state,
                SignalingState::HaveLocalOffer | SignalingState::HaveRemotePranswer
            ),
        };
        if !allowed {
            return Err(Error::invalid_state(format!(
                "set_remote_description: cannot apply a remote {} in signaling state {state:?}",
                kind.as_str()
            )));
        }
        let description = parse_description(kind, sdp)?;
        let pc = Arc::clone(&self.pc);
        let rtc = description.rtc.clone();
        run(
            &self.runtime,
            "apply the remote description",
            ErrorKind::InvalidData,
            async move { pc.set_remote_description(rtc).await },
        )?;
        self.shared.evidence().learn_remote_description(sdp);
        self.remote_description = Some(description);
        if kind == SdpKind::Offer {
            let pc = Arc::clone(&self.pc);
            let answer = run(
                &self.runtime,
                "create an answer",
                ErrorKind::Failed,
                async move { pc.create_answer(None).await },
            )?;
            let announced = self.announced_text(SdpKind::Answer, &answer)?;
            self.pending_answer = Some((answer, announced.clone()));
            self.shared
                .outbox
                .announce_description(SdpKind::Answer, announced);
        }
        // After the answer: adding them competes with creating it.
        self.flush_pending_candidates();
        Ok(())
    }

    /// Accepts the echo of a description we announced; applies any other one.
    pub fn set_local_description(&mut self, kind: &str, sdp: &str) -> Result<()> {
        self.ensure_not_closed("set_local_description")?;
        let kind = SdpKind::parse(kind)?;
        if let Some((_, announced)) = &self.pending_answer {
            if kind == SdpKind::Answer && announced == sdp {
                return self.apply_pending_answer();
            }
        }
        if let Some((applied_kind, applied_sdp)) = &self.local_description {
            if *applied_kind == kind && applied_sdp == sdp {
                return Ok(());
            }
        }
        let description = parse_description(kind, sdp)?.rtc;
        let pc = Arc::clone(&self.pc);
        run(
            &self.runtime,
            "apply the local description",
            ErrorKind::InvalidData,
            async move { pc.set_local_description(description).await },
        )?;
        if kind == SdpKind::Answer {
            // The script's own answer replaces the one we announced.
            self.pending_answer = None;
        }
        self.shared.evidence().learn_local_description(sdp);
        self.local_description = Some((kind, sdp.to_owned()));
        Ok(())
    }

    /// Adds a remote candidate; before the remote description it is held and
    /// applied right after it.
    pub fn add_ice_candidate(&mut self, mid: &str, index: i32, candidate: &str) -> Result<()> {
        self.ensure_not_closed("add_ice_candidate")?;
        let line = check_candidate(candidate)?;
        if line.is_empty() {
            return Ok(()); // end-of-candidates marker
        }
        self.shared.evidence().remote.add_line(line);
        let init = RTCIceCandidateInit {
            candidate: format!("candidate:{line}"),
            sdp_mid: Some(mid.to_owned()),
            sdp_mline_index: u16::try_from(index).ok(),
            username_fragment: None,
        };
        let Some(remote) = &self.remote_description else {
            if self.pending_candidates.len() >= MAX_PENDING_CANDIDATES {
                return Err(Error::invalid_state(format!(
                    "add_ice_candidate: more than {MAX_PENDING_CANDIDATES} candidates arrived before the remote description"
                )));
            }
            self.pending_candidates.push(init);
            return Ok(());
        };
        check_media_id(remote, mid, index)?;
        let pc = Arc::clone(&self.pc);
        run(
            &self.runtime,
            "add the ICE candidate",
            ErrorKind::InvalidData,
            async move { pc.add_ice_candidate(init).await },
        )
    }

    /// Hands the candidates held before the remote description to webrtc-rs
    /// in one background task: each was validated when it was added, and
    /// waiting for 1024 of them one by one held the main thread ~30 ms.
    fn flush_pending_candidates(&mut self) {
        let held = std::mem::take(&mut self.pending_candidates);
        if held.is_empty() {
            return;
        }
        let pc = Arc::clone(&self.pc);
        let shared = Arc::downgrade(&self.shared);
        self.runtime.spawn(async move {
            for init in held {
                // Closed meanwhile: the rest would only fail.
                if shared
                    .upgrade()
                    .is_none_or(|s| s.closed.load(Ordering::SeqCst))
                {
                    return;
                }
                if let Err(e) = pc.add_ice_candidate(init).await {
                    log_error(&format!("could not add a held ICE candidate: {e}"));
                }
            }
        });
    }

    /// Transport state, selected candidates, RTT and per-channel traffic.
    pub fn stats(&self) -> Result<PeerStats> {
        let pc = Arc::clone(&self.pc);
        let shared = Arc::clone(&self.shared);
        run(
            &self.runtime,
            "collect statistics",
            ErrorKind::Failed,
            async move { Ok::<_, std::convert::Infallible>(full_stats(&pc, &shared).await) },
        )
    }

    /// How many channels this connection keeps track of: in our registry, and
    /// in webrtc-rs's list (vendor/webrtc/PATCHED.md 1). For churn tests.
    #[doc(hidden)]
    pub fn kept_channel_counts(&self) -> Result<(usize, usize)> {
        let sctp = self.pc.sctp();
        let webrtc_count = run(
            &self.runtime,
            "count the channels",
            ErrorKind::Failed,
            async move { Ok::<_, std::convert::Infallible>(sctp.data_channel_count().await) },
        )?;
        Ok((self.shared.channels.kept(), webrtc_count))
    }

    /// Closes every channel and the connection: everything reports CLOSED at
    /// once and nothing more is emitted, but what the channels had queued is
    /// still delivered (for up to [`CLOSE_FLUSH_LIMIT`]) and their streams
    /// reset before the transport shuts down; the remote sees its channels close.
    pub fn close(&mut self) {
        if self.shared.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        while self.events.try_recv().is_ok() {}
        let channels = self.shared.channels.live();
        for channel in &channels {
            channel.close_with_connection();
        }
        self.pending_candidates.clear();
        self.pending_answer = None;
        let pc = Arc::clone(&self.pc);
        self.runtime.spawn(async move {
            let flushed = async {
                for channel in &channels {
                    channel.drained().await;
                }
            };
            let _ = tokio::time::timeout(CLOSE_FLUSH_LIMIT, flushed).await;
            if let Err(e) = pc.close().await {
                log_error(&format!("closing the peer connection: {e}"));
            }
            for channel in &channels {
                channel.abort();
            }
        });
    }
}

impl Drop for PeerConnection {
    fn drop(&mut self) {
        self.close();
    }
}
