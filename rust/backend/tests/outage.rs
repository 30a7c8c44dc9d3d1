//! A connection through a UDP relay that can drop everything for a while (a
//! path outage, interfaces up): reliable data sent into the outage must arrive
//! soon after the path comes back, not when SCTP's doubled retransmission
//! timer next happens to fire (vendor/webrtc-sctp/PATCHED.md, the backoff cap).

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use webrtc_rs_backend::{parse_peer_config, ChannelState, PeerConnection, PeerEvent};

/// Two sockets: `facing_a` stands in for b towards a, `facing_b` for a towards b.
struct UdpRelay {
    facing_a: Arc<UdpSocket>,
    facing_b: Arc<UdpSocket>,
    a_real: Arc<Mutex<Option<SocketAddr>>>,
    b_real: Arc<Mutex<Option<SocketAddr>>>,
    blackhole: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl UdpRelay {
    fn start() -> Self {
        let bind = || {
            let socket = UdpSocket::bind("0.0.0.0:0").expect("relay socket");
            socket
                .set_read_timeout(Some(Duration::from_millis(50)))
                .expect("read timeout");
            Arc::new(socket)
        };
        let relay = Self {
            facing_a: bind(),
            facing_b: bind(),
            a_real: Arc::default(),
            b_real: Arc::default(),
            blackhole: Arc::default(),
            stop: Arc::default(),
        };
        relay.forward(&relay.facing_a, &relay.facing_b, &relay.b_real);
        relay.forward(&relay.facing_b, &relay.facing_a, &relay.a_real);
        relay
    }

    /// Copies what `from` receives out of `to`, towards `target`, unless blackholed.
    fn forward(
        &self,
        from: &Arc<UdpSocket>,
        to: &Arc<UdpSocket>,
        target: &Arc<Mutex<Option<SocketAddr>>>,
    ) {
        let (from, to, target) = (Arc::clone(from), Arc::clone(to), Arc::clone(target));
        let (blackhole, stop) = (Arc::clone(&self.blackhole), Arc::clone(&self.stop));
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            while !stop.load(Ordering::SeqCst) {
                let Ok(n) = from.recv(&mut buf) else { continue };
                let target = *target.lock().expect("target");
                if let (Some(target), false) = (target, blackhole.load(Ordering::SeqCst)) {
                    let _ = to.send_to(&buf[..n], target);
                }
            }
        });
    }

    /// Rewrites a host candidate of a (`from_a`) or b to the relay socket that
    /// stands in for that peer; None for every candidate but the first IPv4 UDP one.
    fn rewrite(&self, candidate: &str, from_a: bool) -> Option<String> {
        let mut fields: Vec<String> = candidate.split(' ').map(str::to_owned).collect();
        let ip: std::net::Ipv4Addr = fields.get(4)?.parse().ok()?;
        let port: u16 = fields.get(5)?.parse().ok()?;
        if !fields.get(2)?.eq_ignore_ascii_case("udp") {
            return None;
        }
        let (real, stand_in) = if from_a {
            (&self.a_real, &self.facing_b)
        } else {
            (&self.b_real, &self.facing_a)
        };
        let mut real = real.lock().expect("real");
        if real.is_some() {
            return None;
        }
        *real = Some(SocketAddr::from((ip, port)));
        fields[5] = stand_in
            .local_addr()
            .expect("relay address")
            .port()
            .to_string();
        Some(fields.join(" "))
    }
}

impl Drop for UdpRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn pump(relay: &UdpRelay, a: &mut PeerConnection, b: &mut PeerConnection) {
    deliver(relay, a, b, true);
    deliver(relay, b, a, false);
}

/// Hands `from`'s signaling to `to`, with candidates rewritten to the relay.
fn deliver(relay: &UdpRelay, from: &mut PeerConnection, to: &mut PeerConnection, from_a: bool) {
    while let Some(event) = from.next_event() {
        match event {
            PeerEvent::SessionDescription { kind, sdp } => {
                to.set_remote_description(kind.as_str(), &sdp)
                    .expect("description");
            }
            PeerEvent::IceCandidate {
                mid,
                index,
                candidate,
            } => {
                if let Some(rewritten) = relay.rewrite(&candidate, from_a) {
                    to.add_ice_candidate(&mid, index, &rewritten)
                        .expect("candidate");
                }
            }
            PeerEvent::DataChannel(_) => {}
        }
        // As the engine adapter does right after emitting an answer.
        from.apply_pending_answer().expect("apply the answer");
    }
}

#[test]
fn reliable_data_sent_into_a_10s_outage_arrives_soon_after_it() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let new_peer = || {
        let config = parse_peer_config(&json!({})).expect("config");
        PeerConnection::new(rt.handle().clone(), config).expect("peer")
    };
    let (mut a, mut b) = (new_peer(), new_peer());
    let options = json!({"negotiated": true, "id": 1});
    let ca = a.create_data_channel("rel", &options).expect("a channel");
    let cb = b.create_data_channel("rel", &options).expect("b channel");
    let relay = UdpRelay::start();
    a.create_offer().expect("offer");
    let poll_until = |a: &mut PeerConnection,
                      b: &mut PeerConnection,
                      limit: Duration,
                      done: &mut dyn FnMut() -> bool| {
        let deadline = Instant::now() + limit;
        while !done() {
            if Instant::now() > deadline {
                return false;
            }
            pump(&relay, a, b);
            std::thread::sleep(Duration::from_millis(2));
        }
        true
    };
    let open = |c: &webrtc_rs_backend::Channel| c.state() == ChannelState::Open;
    assert!(
        poll_until(&mut a, &mut b, Duration::from_secs(10), &mut || open(&ca)
            && open(&cb)),
        "channels did not open through the relay"
    );
    ca.send(b"before", false).expect("send");
    assert!(
        poll_until(&mut a, &mut b, Duration::from_secs(5), &mut || cb
            .available_packets()
            > 0),
        "nothing crossed the relay before the outage"
    );
    cb.pop_packet();

    relay.blackhole.store(true, Ordering::SeqCst);
    ca.send(b"during", false).expect("send into the outage");
    poll_until(&mut a, &mut b, Duration::from_secs(10), &mut || false);
    relay.blackhole.store(false, Ordering::SeqCst);
    let restored = Instant::now();
    // Upstream's doubling timer retransmits at 3, 9, 21 s after the send (RTO
    // 3 s before any RTT sample; 1, 3, 7, 15 s with an RTO of 1 s): 11 (5) s
    // after the path is back. Capped at 3 s: 3, 6, 9, 12 s, 2 s after.
    let arrived = poll_until(&mut a, &mut b, Duration::from_secs(12), &mut || {
        cb.available_packets() > 0
    });
    let after = restored.elapsed();
    eprintln!("arrived {after:?} after the path came back");
    assert!(arrived, "the message sent into the outage never arrived");
    assert_eq!(
        cb.pop_packet().map(|p| p.data),
        Some(b"during".to_vec()),
        "wrong message"
    );
    assert!(
        after < Duration::from_secs(4),
        "arrived {after:?} after the path came back (SCTP backoff not capped?)"
    );
    assert!(open(&ca) && open(&cb), "channels closed by the outage");
}
