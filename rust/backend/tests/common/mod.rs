//! A UDP relay between two real peers that can drop, delay or blackhole their
//! packets, and the signaling pump that points their candidates at it.
#![allow(dead_code)] // each test file uses part of it

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use webrtc_rs_backend::{parse_peer_config, Channel, PeerConnection, PeerEvent};

/// Two new peers on `rt`, each with its end of negotiated channel 1 ("rel").
pub fn negotiated_pair(
    rt: &tokio::runtime::Runtime,
) -> (PeerConnection, PeerConnection, Arc<Channel>, Arc<Channel>) {
    let new_peer = || {
        let config = parse_peer_config(&json!({})).expect("config");
        PeerConnection::new(rt.handle().clone(), config).expect("peer")
    };
    let (mut a, mut b) = (new_peer(), new_peer());
    let options = json!({"negotiated": true, "id": 1});
    let ca = a.create_data_channel("rel", &options).expect("a channel");
    let cb = b.create_data_channel("rel", &options).expect("b channel");
    (a, b, ca, cb)
}

/// What the relay does to each packet, in each direction on its own.
#[derive(Clone, Copy, Default)]
pub struct Link {
    /// Fraction of packets dropped (0.0..1.0).
    pub loss: f64,
    pub delay: Duration,
    /// Seeds the loss pattern, so that a failing run can be repeated.
    pub seed: u64,
}

/// Two sockets: `facing_a` stands in for b towards a, `facing_b` for a towards b.
pub struct UdpRelay {
    facing_a: Arc<UdpSocket>,
    facing_b: Arc<UdpSocket>,
    a_real: Arc<Mutex<Option<SocketAddr>>>,
    b_real: Arc<Mutex<Option<SocketAddr>>>,
    pub blackhole: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl UdpRelay {
    pub fn start(link: Link) -> Self {
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
        relay.forward(&relay.facing_a, &relay.facing_b, &relay.b_real, link);
        let other_way = Link {
            seed: link.seed.wrapping_add(1),
            ..link
        };
        relay.forward(&relay.facing_b, &relay.facing_a, &relay.a_real, other_way);
        relay
    }

    /// Copies what `from` receives out of `to`, towards `target`, after the
    /// link's delay, unless the link drops it or the relay is blackholed.
    fn forward(
        &self,
        from: &Arc<UdpSocket>,
        to: &Arc<UdpSocket>,
        target: &Arc<Mutex<Option<SocketAddr>>>,
        link: Link,
    ) {
        let (from, to, target) = (Arc::clone(from), Arc::clone(to), Arc::clone(target));
        let (blackhole, stop) = (Arc::clone(&self.blackhole), Arc::clone(&self.stop));
        // A fixed delay keeps the order, so one FIFO line is enough.
        let (line, due_packets) = mpsc::channel::<(Instant, Vec<u8>)>();
        std::thread::spawn(move || {
            for (due, packet) in due_packets {
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                if let Some(target) = *target.lock().expect("target") {
                    let _ = to.send_to(&packet, target);
                }
            }
        });
        std::thread::spawn(move || {
            let mut random = XorShift::seeded(link.seed);
            let mut buf = vec![0u8; 65536];
            while !stop.load(Ordering::SeqCst) {
                let Ok(n) = from.recv(&mut buf) else { continue };
                if blackhole.load(Ordering::SeqCst) || random.next_f64() < link.loss {
                    continue;
                }
                if line
                    .send((Instant::now() + link.delay, buf[..n].to_vec()))
                    .is_err()
                {
                    return;
                }
            }
        });
    }

    /// Rewrites a host candidate of a (`from_a`) or b to the relay socket that
    /// stands in for that peer; None for every candidate but the first IPv4 UDP one.
    pub fn rewrite(&self, candidate: &str, from_a: bool) -> Option<String> {
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

    /// Hands each peer's signaling to the other, candidates pointed at the relay.
    pub fn pump(&self, a: &mut PeerConnection, b: &mut PeerConnection) {
        self.deliver(a, b, true);
        self.deliver(b, a, false);
    }

    fn deliver(&self, from: &mut PeerConnection, to: &mut PeerConnection, from_a: bool) {
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
                    if let Some(rewritten) = self.rewrite(&candidate, from_a) {
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

    /// Pumps both peers every 2 ms until `done`, at most `limit`; false on timeout.
    pub fn poll_until(
        &self,
        a: &mut PeerConnection,
        b: &mut PeerConnection,
        limit: Duration,
        done: &mut dyn FnMut() -> bool,
    ) -> bool {
        let deadline = Instant::now() + limit;
        while !done() {
            if Instant::now() > deadline {
                return false;
            }
            self.pump(a, b);
            std::thread::sleep(Duration::from_millis(2));
        }
        true
    }
}

impl Drop for UdpRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// A small, seeded generator: the loss pattern is repeatable, no crate needed.
struct XorShift(u64);

impl XorShift {
    /// A small seed left as is would drop the first dozen packets (xorshift
    /// starts near zero), so it goes through splitmix64 first.
    fn seeded(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Self((z ^ (z >> 31)) | 1)
    }

    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}
