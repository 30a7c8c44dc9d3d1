//! Two real webrtc-rs peers on loopback, signaled in-process, driven exactly
//! the way the engine adapter drives them (one thread, polling).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::runtime::Runtime;
use webrtc_rs_backend::{
    parse_peer_config, Channel, ChannelState, ConnectionState, ErrorKind, PeerConnection,
    PeerEvent, SignalingState,
};

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn peer(rt: &Runtime) -> PeerConnection {
    let config = parse_peer_config(&json!({})).expect("config");
    PeerConnection::new(rt.handle().clone(), config).expect("peer")
}

/// Relays signaling both ways; returns channels announced by each side.
#[derive(Default)]
struct Relay {
    received_by_a: Vec<Arc<Channel>>,
    received_by_b: Vec<Arc<Channel>>,
    /// Hold candidates back instead of delivering them (to test queueing).
    hold_candidates: bool,
    held: Vec<(bool, String, i32, String)>,
    /// Hold descriptions back too: (to_b, kind, sdp).
    hold_descriptions: bool,
    held_descriptions: Vec<(bool, String, String)>,
}

impl Relay {
    fn pump(&mut self, a: &mut PeerConnection, b: &mut PeerConnection) {
        while let Some(event) = a.next_event() {
            self.deliver(event, b, true);
        }
        while let Some(event) = b.next_event() {
            self.deliver(event, a, false);
        }
        // As the engine adapter does right after emitting an answer.
        a.apply_pending_answer().expect("apply a's answer");
        b.apply_pending_answer().expect("apply b's answer");
    }

    fn deliver(&mut self, event: PeerEvent, to: &mut PeerConnection, to_b: bool) {
        match event {
            PeerEvent::SessionDescription { kind, sdp } => {
                if self.hold_descriptions {
                    self.held_descriptions
                        .push((to_b, kind.as_str().to_owned(), sdp));
                } else {
                    assert!(to.set_remote_description(kind.as_str(), &sdp).is_ok());
                }
            }
            PeerEvent::IceCandidate {
                mid,
                index,
                candidate,
            } => {
                assert!(!mid.is_empty(), "candidate without a real mid");
                if self.hold_candidates {
                    self.held.push((to_b, mid, index, candidate));
                } else {
                    to.add_ice_candidate(&mid, index, &candidate)
                        .expect("candidate");
                }
            }
            PeerEvent::DataChannel(channel) => {
                if to_b {
                    self.received_by_a.push(channel)
                } else {
                    self.received_by_b.push(channel)
                }
            }
        }
    }
}

fn wait_until(
    what: &str,
    relay: &mut Relay,
    a: &mut PeerConnection,
    b: &mut PeerConnection,
    mut done: impl FnMut(&Relay) -> bool,
) {
    wait_for(what, relay, a, b, |r, _, _| done(r));
}

/// Waits until `channel` (created by `a`) is open on both ends.
fn wait_until_open(
    channel: &Channel,
    relay: &mut Relay,
    a: &mut PeerConnection,
    b: &mut PeerConnection,
) {
    wait_until("open", relay, a, b, |r| {
        channel.state() == ChannelState::Open
            && r.received_by_b
                .first()
                .is_some_and(|c| c.state() == ChannelState::Open)
    });
}

fn recv(channel: &Channel) -> webrtc_rs_backend::Packet {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(p) = channel.pop_packet() {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "no packet on '{}'",
            channel.label()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn in_band_channel_carries_text_binary_and_64k_both_ways() {
    let rt = runtime();
    let (mut a, mut b) = (peer(&rt), peer(&rt));
    assert_eq!(a.connection_state(), ConnectionState::New);
    let chat = a
        .create_data_channel("chat", &json!({"protocol": "p1"}))
        .expect("channel");
    assert_eq!(chat.id(), u16::MAX, "in-band id unknown before negotiation");
    a.create_offer().expect("offer");
    assert_eq!(a.signaling_state(), SignalingState::HaveLocalOffer);
    let mut relay = Relay::default();
    wait_until_open(&chat, &mut relay, &mut a, &mut b);
    assert_eq!(a.connection_state(), ConnectionState::Connected);
    let remote = Arc::clone(&relay.received_by_b[0]);
    assert_eq!(remote.label(), "chat");
    assert_eq!(remote.protocol(), "p1");
    assert_eq!(remote.id(), chat.id());
    assert!(chat.id() != u16::MAX);

    chat.send(b"hello", true).expect("send text");
    chat.send(&[0, 1, 2], false).expect("send binary");
    chat.send(&[], false).expect("send empty");
    let big: Vec<u8> = (0..65536u32).map(|i| (i * 7) as u8).collect();
    chat.send(&big, false).expect("send 64 KiB");
    let p = recv(&remote);
    assert_eq!((p.data.as_slice(), p.is_string), (&b"hello"[..], true));
    let p = recv(&remote);
    assert_eq!((p.data.as_slice(), p.is_string), (&[0u8, 1, 2][..], false));
    assert_eq!(recv(&remote).data.len(), 0);
    assert_eq!(recv(&remote).data, big);

    remote.send(&big, true).expect("reply 64 KiB");
    assert_eq!(recv(&chat).data, big);
    // Both advertise a=max-message-size:262144, and read buffers grow to fit.
    let largest: Vec<u8> = (0..262_144u32).map(|i| (i * 13) as u8).collect();
    assert_eq!(chat.max_message_size(), 262_144);
    remote.send(&largest, false).expect("reply 256 KiB");
    assert_eq!(recv(&chat).data, largest);
    chat.send(&largest, false).expect("send 256 KiB");
    assert_eq!(recv(&remote).data, largest);
    assert_eq!(
        chat.send(&vec![0; 262_145], false)
            .expect_err("too big")
            .kind,
        ErrorKind::InvalidParameter
    );

    chat.close();
    let deadline = Instant::now() + Duration::from_secs(5);
    while remote.state() != ChannelState::Closed || chat.state() != ChannelState::Closed {
        assert!(Instant::now() < deadline, "close did not reach both ends");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        remote.send(b"x", false).expect_err("closed").kind,
        ErrorKind::InvalidState
    );
}

#[test]
fn negotiated_unreliable_channels_and_early_candidates() {
    let rt = runtime();
    let (mut a, mut b) = (peer(&rt), peer(&rt));
    let opts = json!({"negotiated": true, "id": 3, "ordered": false, "maxPacketLifetime": 1});
    let ca = a.create_data_channel("u", &opts).expect("a channel");
    let cb = b.create_data_channel("u", &opts).expect("b channel");
    assert_eq!(
        (ca.id(), ca.max_packet_life_time(), ca.max_retransmits()),
        (3, 1, u16::MAX)
    );
    assert!(!ca.is_ordered() && ca.is_negotiated());
    assert_eq!(
        a.create_data_channel("dup", &opts).err().map(|e| e.kind),
        Some(ErrorKind::InvalidParameter)
    );
    let mut relay = Relay {
        hold_candidates: true,
        hold_descriptions: true,
        ..Relay::default()
    };
    a.create_offer().expect("offer");
    wait_until(
        "a's offer and candidates",
        &mut relay,
        &mut a,
        &mut b,
        |r| !r.held_descriptions.is_empty() && r.held.iter().any(|(to_b, ..)| *to_b),
    );
    // b gets a's candidates before it has any remote description: it holds
    // them and applies them once the offer arrives.
    for (_, mid, index, candidate) in std::mem::take(&mut relay.held) {
        b.add_ice_candidate(&mid, index, &candidate)
            .expect("held candidate");
    }
    assert_eq!(b.signaling_state(), SignalingState::Stable);
    let (to_b, kind, offer) = relay.held_descriptions.remove(0);
    assert!(to_b && kind == "offer");
    b.set_remote_description(&kind, &offer).expect("the offer");
    // From here on a never learns a candidate of b's, so the connection can
    // only come up through the candidates b held (b's checks reach a).
    relay.hold_descriptions = false;
    wait_until("open", &mut relay, &mut a, &mut b, |_| {
        ca.state() == ChannelState::Open && cb.state() == ChannelState::Open
    });
    for i in 0..100u8 {
        ca.send(&[i; 1000], false).expect("send");
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while cb.available_packets() < 100 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(cb.available_packets() > 0);
    assert!(relay.received_by_a.is_empty() && relay.received_by_b.is_empty());
}

#[test]
fn bad_input_is_rejected_with_the_right_kind() {
    let rt = runtime();
    let mut a = peer(&rt);
    assert_eq!(
        a.set_remote_description("offer", "garbage")
            .err()
            .map(|e| e.kind),
        Some(ErrorKind::InvalidData)
    );
    assert_eq!(
        a.set_remote_description("bogus", "v=0")
            .err()
            .map(|e| e.kind),
        Some(ErrorKind::InvalidParameter)
    );
    assert_eq!(
        a.set_remote_description("answer", "v=0")
            .err()
            .map(|e| e.kind),
        Some(ErrorKind::InvalidState)
    );
    assert_eq!(
        a.add_ice_candidate("0", 0, "candidate:nonsense")
            .err()
            .map(|e| e.kind),
        Some(ErrorKind::InvalidData)
    );
    assert_eq!(
        a.create_offer().err().map(|e| e.kind),
        Some(ErrorKind::InvalidState),
        "offer without channels"
    );
    let _keep = a.create_data_channel("x", &json!({})).expect("channel");
    a.create_offer().expect("offer");
    assert_eq!(
        a.create_offer().err().map(|e| e.kind),
        Some(ErrorKind::InvalidState),
        "second offer while one is pending"
    );
    a.close();
    assert_eq!(a.connection_state(), ConnectionState::Closed);
    assert_eq!(a.signaling_state(), SignalingState::Closed);
    assert_eq!(
        a.create_data_channel("y", &json!({})).err().map(|e| e.kind),
        Some(ErrorKind::InvalidState)
    );
}

#[test]
fn channel_created_on_a_connected_peer_opens_in_band() {
    let rt = runtime();
    let (mut a, mut b) = (peer(&rt), peer(&rt));
    let first = a.create_data_channel("first", &json!({})).expect("channel");
    a.create_offer().expect("offer");
    let mut relay = Relay::default();
    wait_until("open", &mut relay, &mut a, &mut b, |_| {
        first.state() == ChannelState::Open
    });
    let late = a
        .create_data_channel("late", &json!({"ordered": false}))
        .expect("late channel from the main thread");
    wait_until("late channel", &mut relay, &mut a, &mut b, |r| {
        late.state() == ChannelState::Open && r.received_by_b.len() == 2
    });
    let remote = Arc::clone(&relay.received_by_b[1]);
    assert_eq!(remote.label(), "late");
    assert!(!remote.is_ordered());
    late.send(b"x", false).expect("send");
    assert_eq!(recv(&remote).data, b"x");
}

/// A negotiated channel whose peer opens it and sends before we open ours (a
/// host sending as soon as it connects): our side still opens, and the early
/// messages wait for it, in order (vendor/webrtc-sctp/PATCHED.md).
#[test]
fn negotiated_channel_opened_after_the_peer_sent_on_it_gets_every_message() {
    let rt = runtime();
    let (mut a, mut b) = (peer(&rt), peer(&rt));
    let options = json!({"negotiated": true, "id": 0});
    let ca = a.create_data_channel("first", &options).expect("a channel");
    let cb = b.create_data_channel("first", &options).expect("b channel");
    a.create_offer().expect("offer");
    let mut relay = Relay::default();
    wait_until("open", &mut relay, &mut a, &mut b, |_| {
        ca.state() == ChannelState::Open && cb.state() == ChannelState::Open
    });
    let options = json!({"negotiated": true, "id": 5});
    let early = a.create_data_channel("late", &options).expect("a's side");
    wait_until("a's side open", &mut relay, &mut a, &mut b, |_| {
        early.state() == ChannelState::Open
    });
    for i in 0..20u8 {
        early.send(&[i; 100], false).expect("send before b opens");
    }
    // Every message reaches b, which has no channel 5 yet, and is acknowledged.
    wait_until(
        "b acknowledged the messages",
        &mut relay,
        &mut a,
        &mut b,
        |_| early.buffered_amount() == 0,
    );
    let late = b.create_data_channel("late", &options).expect("b's side");
    wait_until("b's side open", &mut relay, &mut a, &mut b, |_| {
        late.state() == ChannelState::Open
    });
    for i in 0..20u8 {
        assert_eq!(recv(&late).data, vec![i; 100], "message {i}");
    }
    late.send(b"back", false).expect("reply");
    assert_eq!(recv(&early).data, b"back");
    assert!(
        relay.received_by_a.is_empty() && relay.received_by_b.is_empty(),
        "no channel announced in-band"
    );
}

#[test]
fn stats_report_transport_states_candidates_and_channel_traffic() {
    let rt = runtime();
    let (mut a, mut b) = (peer(&rt), peer(&rt));
    let before = a.stats().expect("stats before connecting");
    assert_eq!(before.local_candidate, None);
    let opts = json!({"negotiated": true, "id": 5});
    let ca = a.create_data_channel("s", &opts).expect("channel");
    let cb = b.create_data_channel("s", &opts).expect("channel");
    a.create_offer().expect("offer");
    let mut relay = Relay::default();
    wait_until("open", &mut relay, &mut a, &mut b, |_| {
        ca.state() == ChannelState::Open && cb.state() == ChannelState::Open
    });
    for _ in 0..3 {
        ca.send(&[7; 100], false).expect("send");
    }
    for _ in 0..3 {
        recv(&cb);
    }
    let stats = a.stats().expect("stats");
    assert_eq!(
        (
            stats.ice_state.as_str(),
            stats.dtls_state.as_str(),
            stats.sctp_state.as_str()
        ),
        ("connected", "connected", "connected")
    );
    let local = stats.local_candidate.expect("selected local candidate");
    let remote = stats.remote_candidate.expect("selected remote candidate");
    assert!(
        ["host", "prflx", "srflx", "relay"].contains(&local.kind.as_str()),
        "{local:?}"
    );
    assert!(remote.port > 0 && !remote.address.is_empty(), "{remote:?}");
    let channel = &stats.channels[0];
    assert_eq!((channel.label.as_str(), channel.id), ("s", 5));
    assert_eq!((channel.messages_sent, channel.bytes_sent), (3, 300));
    let remote_stats = b.stats().expect("remote stats");
    assert_eq!(remote_stats.channels[0].messages_received, 3);
    assert_eq!(remote_stats.channels[0].bytes_received, 300);
}

/// Trickled candidates arrive after the first checks, so the first pair that
/// works is peer-reflexive; webrtc-rs waited 1 s before nominating one, which
/// hit 20-30 % of loopback connects. Eight in a row must all be quick.
#[test]
fn connects_do_not_wait_for_the_peer_reflexive_nomination_delay() {
    let rt = runtime();
    let mut times_ms = Vec::new();
    for _ in 0..8 {
        let (mut a, mut b) = (peer(&rt), peer(&rt));
        let chat = a.create_data_channel("c", &json!({})).expect("channel");
        let started = Instant::now();
        a.create_offer().expect("offer");
        let mut relay = Relay::default();
        wait_until_open(&chat, &mut relay, &mut a, &mut b);
        times_ms.push(started.elapsed().as_millis());
        a.close();
        b.close();
    }
    assert!(
        times_ms.iter().all(|&ms| ms < 900),
        "a connect waited ~1 s: {times_ms:?} ms"
    );
}

/// Like `wait_until`, with both peers visible to the condition.
fn wait_for(
    what: &str,
    relay: &mut Relay,
    a: &mut PeerConnection,
    b: &mut PeerConnection,
    mut done: impl FnMut(&Relay, &PeerConnection, &PeerConnection) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(relay, a, b) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        relay.pump(a, b);
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A peer that opens and closes channels forever leaves nothing behind: in-band
/// channels opened by either side and closed by either side, and negotiated
/// ones, are gone from our registry and from webrtc-rs's list of the
/// connection's channels once both ends are CLOSED (vendor/webrtc/PATCHED.md 1).
#[test]
fn closed_channels_leave_nothing_behind() {
    let rt = runtime();
    let (mut a, mut b) = (peer(&rt), peer(&rt));
    let first = a.create_data_channel("first", &json!({})).expect("channel");
    a.create_offer().expect("offer");
    let mut relay = Relay::default();
    wait_until_open(&first, &mut relay, &mut a, &mut b);
    let remote_first = relay.received_by_b.remove(0);
    let baseline = (
        a.kept_channel_counts().expect("a"),
        b.kept_channel_counts().expect("b"),
    );
    assert_eq!(baseline, ((1, 1), (1, 1)), "one channel on each side");
    for cycle in 0..90 {
        let negotiated = cycle % 3 == 2;
        let a_opens = cycle % 2 == 0;
        let (ours, theirs) = if negotiated {
            let options = json!({"negotiated": true, "id": 7});
            let ours = a.create_data_channel("n", &options).expect("a's end");
            let theirs = b.create_data_channel("n", &options).expect("b's end");
            (ours, theirs)
        } else {
            let opener = if a_opens { &mut a } else { &mut b };
            let ours = opener
                .create_data_channel("c", &json!({}))
                .expect("channel");
            wait_until("announced", &mut relay, &mut a, &mut b, |r| {
                !r.received_by_a.is_empty() || !r.received_by_b.is_empty()
            });
            let theirs = relay
                .received_by_b
                .pop()
                .or_else(|| relay.received_by_a.pop())
                .expect("announced channel");
            (ours, theirs)
        };
        wait_until("both ends open", &mut relay, &mut a, &mut b, |_| {
            ours.state() == ChannelState::Open && theirs.state() == ChannelState::Open
        });
        ours.send(b"x", false).expect("send");
        assert_eq!(recv(&theirs).data, b"x", "cycle {cycle}");
        if (cycle / 2) % 2 == 0 {
            ours.close();
        } else {
            theirs.close();
        }
        wait_until("both ends closed", &mut relay, &mut a, &mut b, |_| {
            ours.state() == ChannelState::Closed && theirs.state() == ChannelState::Closed
        });
        drop((ours, theirs));
        wait_for("nothing kept", &mut relay, &mut a, &mut b, |_, a, b| {
            (a.kept_channel_counts().ok(), b.kept_channel_counts().ok())
                == (Some(baseline.0), Some(baseline.1))
        });
    }
    // The connection still carries data.
    first.send(b"still here", false).expect("send");
    assert_eq!(recv(&remote_first).data, b"still here");
}
