//! What a connection must tell the game, in order, and the one ordering rule
//! signaling needs: a local candidate is never announced before the
//! description it belongs to. Fed from webrtc-rs callbacks (any thread),
//! drained by the engine's poll; testable without sockets.

use std::sync::{Arc, Mutex};

use crossbeam_channel::{unbounded, Receiver, Sender};

use crate::channel::Channel;
use crate::sdp::SdpKind;

/// What the engine must tell the game about, in order.
pub enum PeerEvent {
    SessionDescription {
        kind: SdpKind,
        sdp: String,
    },
    IceCandidate {
        mid: String,
        index: i32,
        candidate: String,
    },
    DataChannel(Arc<Channel>),
}

/// The sending side of a connection's events.
pub(crate) struct EventOutbox {
    events: Sender<PeerEvent>,
    /// Local candidates wait here until their description has been announced.
    gate: Mutex<CandidateGate>,
    /// The media id our candidates go with (the first of our local description).
    local_mid: Mutex<String>,
}

#[derive(Default)]
struct CandidateGate {
    open: bool,
    held: Vec<PeerEvent>,
}

impl EventOutbox {
    pub(crate) fn new() -> (Self, Receiver<PeerEvent>) {
        let (events, receiver) = unbounded();
        let outbox = Self {
            events,
            gate: Mutex::default(),
            local_mid: Mutex::new("0".to_owned()),
        };
        (outbox, receiver)
    }

    pub(crate) fn set_local_mid(&self, mid: &str) {
        *lock(&self.local_mid) = mid.to_owned();
    }

    /// A local candidate line; held until a description has been announced.
    pub(crate) fn push_candidate(&self, line: String) {
        // webrtc-rs leaves mid "" and index 0: with BUNDLE all candidates
        // belong to the first media section of our local description.
        let event = PeerEvent::IceCandidate {
            mid: lock(&self.local_mid).clone(),
            index: 0,
            candidate: line,
        };
        let mut gate = lock(&self.gate);
        if gate.open {
            let _ = self.events.send(event);
        } else {
            gate.held.push(event);
        }
    }

    /// Queues a description, then the candidates that waited for it.
    pub(crate) fn announce_description(&self, kind: SdpKind, sdp: String) {
        let mut gate = lock(&self.gate);
        let _ = self
            .events
            .send(PeerEvent::SessionDescription { kind, sdp });
        for held in gate.held.drain(..) {
            let _ = self.events.send(held);
        }
        gate.open = true;
    }

    pub(crate) fn announce_channel(&self, channel: Arc<Channel>) {
        let _ = self.events.send(PeerEvent::DataChannel(channel));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(events: &Receiver<PeerEvent>) -> Vec<String> {
        events
            .try_iter()
            .map(|e| match e {
                PeerEvent::SessionDescription { kind, .. } => kind.as_str().to_owned(),
                PeerEvent::IceCandidate { mid, candidate, .. } => format!("{mid}:{candidate}"),
                PeerEvent::DataChannel(_) => "channel".to_owned(),
            })
            .collect()
    }

    #[test]
    fn candidates_wait_for_their_description() {
        let (outbox, events) = EventOutbox::new();
        outbox.set_local_mid("data");
        outbox.push_candidate("c1".to_owned());
        outbox.push_candidate("c2".to_owned());
        assert!(kinds(&events).is_empty(), "nothing before the description");
        outbox.announce_description(SdpKind::Offer, "v=0".to_owned());
        outbox.push_candidate("c3".to_owned());
        assert_eq!(kinds(&events), ["offer", "data:c1", "data:c2", "data:c3"]);
    }
}
