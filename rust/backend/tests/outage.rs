//! A connection through a UDP relay that can drop everything for a while (a
//! path outage, interfaces up): reliable data sent into the outage must arrive
//! soon after the path comes back, not when SCTP's doubled retransmission
//! timer next happens to fire (vendor/webrtc-sctp/PATCHED.md, the backoff cap).

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{negotiated_pair, Link, UdpRelay};
use webrtc_rs_backend::ChannelState;

#[test]
fn reliable_data_sent_into_a_10s_outage_arrives_soon_after_it() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (mut a, mut b, ca, cb) = negotiated_pair(&rt);
    let relay = UdpRelay::start(Link::default());
    a.create_offer().expect("offer");
    let open = |c: &webrtc_rs_backend::Channel| c.state() == ChannelState::Open;
    assert!(
        relay.poll_until(&mut a, &mut b, Duration::from_secs(10), &mut || open(&ca)
            && open(&cb)),
        "channels did not open through the relay"
    );
    ca.send(b"before", false).expect("send");
    assert!(
        relay.poll_until(&mut a, &mut b, Duration::from_secs(5), &mut || cb
            .available_packets()
            > 0),
        "nothing crossed the relay before the outage"
    );
    cb.pop_packet();

    relay.blackhole.store(true, Ordering::SeqCst);
    ca.send(b"during", false).expect("send into the outage");
    relay.poll_until(&mut a, &mut b, Duration::from_secs(10), &mut || false);
    relay.blackhole.store(false, Ordering::SeqCst);
    let restored = Instant::now();
    // Upstream's doubling timer retransmits at 3, 9, 21 s after the send (RTO
    // 3 s before any RTT sample; 1, 3, 7, 15 s with an RTO of 1 s): 11 (5) s
    // after the path is back. Capped at 3 s: 3, 6, 9, 12 s, 2 s after.
    let arrived = relay.poll_until(&mut a, &mut b, Duration::from_secs(12), &mut || {
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
