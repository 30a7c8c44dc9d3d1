//! Process-wide totals over every live connection, for the engine's
//! performance monitors (connections by state, open channels, traffic and
//! retransmission rates, RTT).
//!
//! Reading never blocks the caller: [`sample`] returns the latest finished
//! sample and, when it is [`SAMPLE_INTERVAL`] old, starts the next one on the
//! runtime, where each connection's statistics are collected. With no live
//! connection nothing is started and the sample is all zeros. The arithmetic
//! ([`next_sample`]) is a pure function of two sets of totals.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use crate::state::{ChannelState, ConnectionState};
use crate::stats::PeerStats;

/// How often a new sample is started while something reads the monitors.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(500);

/// One connection's counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConnectionTotals {
    pub state: ConnectionState,
    pub channels_open: u32,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub messages_sent: u64,
    pub messages_received: u64,
    pub retransmissions: u64,
    /// The selected pair's RTT while connected and measured.
    pub rtt_ms: Option<f64>,
}

impl ConnectionTotals {
    pub fn from_stats(state: ConnectionState, stats: &PeerStats) -> Self {
        let sum = |f: fn(&crate::stats::ChannelStats) -> usize| -> u64 {
            stats.channels.iter().map(|c| f(c) as u64).sum()
        };
        Self {
            state,
            channels_open: stats
                .channels
                .iter()
                .filter(|c| c.state == ChannelState::Open)
                .count() as u32,
            bytes_sent: sum(|c| c.bytes_sent),
            bytes_received: sum(|c| c.bytes_received),
            messages_sent: sum(|c| c.messages_sent),
            messages_received: sum(|c| c.messages_received),
            retransmissions: stats.retransmissions,
            rtt_ms: (state == ConnectionState::Connected && stats.rtt_samples > 0)
                .then_some(stats.rtt_ms),
        }
    }
}

/// What the monitors show: counts now, rates since the previous sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitorSample {
    /// Live connections by state, indexed by `ConnectionState as usize`.
    pub connections: [u32; 6],
    pub channels_open: u32,
    pub bytes_sent_per_s: f64,
    pub bytes_received_per_s: f64,
    pub messages_sent_per_s: f64,
    pub messages_received_per_s: f64,
    pub retransmissions_per_s: f64,
    /// Over the connected connections with an RTT; 0 when there is none.
    pub rtt_mean_ms: f64,
    pub rtt_worst_ms: f64,
}

/// The sample for `now`; rates count only connections present in `before`
/// too (a new one has no previous counters, a gone one no current ones).
pub fn next_sample(
    before: &HashMap<u64, ConnectionTotals>,
    now: &[(u64, ConnectionTotals)],
    elapsed: Option<Duration>,
) -> MonitorSample {
    let mut sample = MonitorSample::default();
    let mut rtts = Vec::new();
    let (mut sent, mut received, mut msent, mut mreceived, mut rexmit) = (0u64, 0u64, 0, 0, 0);
    for (id, t) in now {
        sample.connections[t.state as usize] += 1;
        sample.channels_open += t.channels_open;
        rtts.extend(t.rtt_ms);
        if let Some(b) = before.get(id) {
            sent += t.bytes_sent.saturating_sub(b.bytes_sent);
            received += t.bytes_received.saturating_sub(b.bytes_received);
            msent += t.messages_sent.saturating_sub(b.messages_sent);
            mreceived += t.messages_received.saturating_sub(b.messages_received);
            rexmit += t.retransmissions.saturating_sub(b.retransmissions);
        }
    }
    if let Some(seconds) = elapsed.map(|e| e.as_secs_f64()).filter(|s| *s > 0.0) {
        sample.bytes_sent_per_s = sent as f64 / seconds;
        sample.bytes_received_per_s = received as f64 / seconds;
        sample.messages_sent_per_s = msent as f64 / seconds;
        sample.messages_received_per_s = mreceived as f64 / seconds;
        sample.retransmissions_per_s = rexmit as f64 / seconds;
    }
    if !rtts.is_empty() {
        sample.rtt_mean_ms = rtts.iter().sum::<f64>() / rtts.len() as f64;
        sample.rtt_worst_ms = rtts.iter().cloned().fold(0.0, f64::max);
    }
    sample
}

/// What [`Monitored::stats`] gives: a connection's state and statistics now,
/// or None once it is gone.
pub(crate) type StatsFuture<'a> =
    Pin<Box<dyn Future<Output = Option<(ConnectionState, PeerStats)>> + Send + 'a>>;

/// A connection the monitors can read (peer.rs implements it).
pub(crate) trait Monitored: Send + Sync {
    fn stats(&self) -> StatsFuture<'_>;
}

/// One connection in the latest sample, for debugger views.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedConnection {
    /// Stable for the connection's life ([`crate::PeerConnection::monitor_id`]).
    pub id: u64,
    pub state: ConnectionState,
    pub stats: PeerStats,
}

type Sources = Vec<(u64, Weak<dyn Monitored>)>;
static SOURCES: Mutex<Sources> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn sources() -> MutexGuard<'static, Sources> {
    let mut sources = SOURCES.lock().unwrap_or_else(|e| e.into_inner());
    sources.retain(|(_, s)| s.strong_count() > 0);
    sources
}

/// Adds a connection and returns its id; it leaves by itself when its last
/// strong reference goes.
pub(crate) fn watch(source: Weak<dyn Monitored>) -> u64 {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    sources().push((id, source));
    id
}

#[derive(Default)]
struct Sampler {
    latest: MonitorSample,
    connections: Vec<WatchedConnection>,
    totals: HashMap<u64, ConnectionTotals>,
    taken_at: Option<Instant>,
    started_at: Option<Instant>,
    refreshing: bool,
}

static SAMPLER: Mutex<Option<Sampler>> = Mutex::new(None);

fn with_sampler<R>(f: impl FnOnce(&mut Sampler) -> R) -> R {
    let mut guard = SAMPLER.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(Sampler::default))
}

/// The latest sample (see the module comment). Cheap: call it every frame.
pub fn sample() -> MonitorSample {
    if sources().is_empty() {
        return with_sampler(|s| {
            *s = Sampler::default();
            s.latest.clone()
        });
    }
    with_sampler(|s| {
        let due = s.started_at.is_none_or(|t| t.elapsed() >= SAMPLE_INTERVAL);
        if !s.refreshing && due {
            if let Some(handle) = crate::runtime::handle() {
                s.refreshing = true;
                s.started_at = Some(Instant::now());
                handle.spawn(refresh());
            }
        }
        s.latest.clone()
    })
}

/// Every live connection as of the latest sample (empty without
/// connections); like [`sample`], it never blocks and starts the next sample
/// when this one is old.
pub fn connections() -> Vec<WatchedConnection> {
    sample();
    with_sampler(|s| s.connections.clone())
}

/// Lets the next sample start even if a refresh ends early.
struct RefreshDone;
impl Drop for RefreshDone {
    fn drop(&mut self) {
        with_sampler(|s| s.refreshing = false);
    }
}

async fn refresh() {
    let _done = RefreshDone;
    let watched: Vec<(u64, std::sync::Arc<dyn Monitored>)> = sources()
        .iter()
        .filter_map(|(id, s)| s.upgrade().map(|s| (*id, s)))
        .collect();
    let mut connections = Vec::with_capacity(watched.len());
    for (id, source) in &watched {
        if let Some((state, stats)) = source.stats().await {
            connections.push(WatchedConnection {
                id: *id,
                state,
                stats,
            });
        }
    }
    let totals: Vec<(u64, ConnectionTotals)> = connections
        .iter()
        .map(|c| (c.id, ConnectionTotals::from_stats(c.state, &c.stats)))
        .collect();
    let now = Instant::now();
    with_sampler(|s| {
        s.latest = next_sample(&s.totals, &totals, s.taken_at.map(|t| now - t));
        s.totals = totals.into_iter().collect();
        s.connections = connections;
        s.taken_at = Some(now);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(state: ConnectionState, bytes: u64, rtt: Option<f64>) -> ConnectionTotals {
        ConnectionTotals {
            state,
            channels_open: 2,
            bytes_sent: bytes,
            bytes_received: bytes / 2,
            messages_sent: bytes / 100,
            messages_received: bytes / 200,
            retransmissions: bytes / 1000,
            rtt_ms: rtt,
        }
    }

    #[test]
    fn rates_come_from_connections_seen_twice() {
        let before: HashMap<_, _> = [
            (1, totals(ConnectionState::Connected, 1000, Some(10.0))),
            (2, totals(ConnectionState::Connected, 5000, Some(30.0))),
        ]
        .into();
        let now = [
            (1, totals(ConnectionState::Connected, 3000, Some(20.0))),
            // 2 is gone; 3 is new: neither makes a rate.
            (3, totals(ConnectionState::Connecting, 9000, None)),
        ];
        let s = next_sample(&before, &now, Some(Duration::from_millis(500)));
        assert_eq!(s.connections[ConnectionState::Connected as usize], 1);
        assert_eq!(s.connections[ConnectionState::Connecting as usize], 1);
        assert_eq!(s.channels_open, 4);
        assert_eq!(s.bytes_sent_per_s, 4000.0);
        assert_eq!(s.bytes_received_per_s, 2000.0);
        assert_eq!(s.messages_sent_per_s, 40.0);
        assert_eq!(s.retransmissions_per_s, 4.0);
        assert_eq!((s.rtt_mean_ms, s.rtt_worst_ms), (20.0, 20.0));
    }

    #[test]
    fn first_sample_has_counts_but_no_rates() {
        let now = [(7, totals(ConnectionState::Connected, 1000, Some(4.0)))];
        let s = next_sample(&HashMap::new(), &now, None);
        assert_eq!(s.connections[ConnectionState::Connected as usize], 1);
        assert_eq!(s.bytes_sent_per_s, 0.0);
        assert_eq!((s.rtt_mean_ms, s.rtt_worst_ms), (4.0, 4.0));
    }

    #[test]
    fn counters_that_went_down_count_as_zero() {
        let before: HashMap<_, _> = [(1, totals(ConnectionState::Connected, 9000, None))].into();
        let now = [(1, totals(ConnectionState::Closed, 0, None))];
        let s = next_sample(&before, &now, Some(Duration::from_secs(1)));
        assert_eq!(s.bytes_sent_per_s, 0.0);
        assert_eq!((s.rtt_mean_ms, s.rtt_worst_ms), (0.0, 0.0));
    }
}
