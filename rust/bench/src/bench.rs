//! The backend's rows, driven the way the Godot adapter drives it: two peers in
//! this process, one main thread that relays signaling and moves data by
//! calling the backend (in a spinning loop, or once per frame), and the
//! shared two-worker tokio runtime the extension uses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use webrtc_rs_backend::{
    parse_peer_config, runtime, Channel, ChannelState, PeerConnection, PeerEvent,
};

use crate::stats::{cpu_seconds, percentile, round, sorted, status_value, udp_rcvbuf_errors};

/// Senders keep at most this many bytes buffered (not yet acknowledged).
pub const MAX_BUFFERED: usize = 1 << 20;
/// A connect slower than this waited for a retransmission or a nomination delay
/// (before the fix in peer.rs, webrtc-rs waited 1 s to nominate a peer-reflexive pair).
const SLOW_CONNECT_MS: f64 = 500.0;

/// How the main thread waits between two passes over the peers.
#[derive(Clone, Copy)]
enum Pace {
    /// Go again at once, spinning (the Godot bench's "tight" while loop).
    Tight,
    /// Sleep until the next tick of a fixed frame rate (its "frame" mode).
    Frame(Duration),
}

impl Pace {
    fn name(self) -> &'static str {
        match self {
            Pace::Tight => "tight",
            Pace::Frame(_) => "frame",
        }
    }

    fn is_frame(self) -> bool {
        matches!(self, Pace::Frame(_))
    }

    /// Waits for the next pass; `clock` is the last frame's start.
    fn wait(self, clock: &mut Instant) {
        match self {
            Pace::Tight => std::hint::spin_loop(),
            Pace::Frame(interval) => {
                let next = *clock + interval;
                let now = Instant::now();
                if next > now {
                    std::thread::sleep(next - now);
                    *clock = next;
                } else {
                    *clock = now;
                }
            }
        }
    }
}

pub struct Options {
    pub short: bool,
    pub runs: usize,
    pub suite: String,
    /// Row names to run (empty: all).
    pub only: Vec<String>,
    /// Frame rate of the "frame" rows (0: no frame rows).
    pub fps: u32,
}

/// How big each row is, by mode.
struct Sizes {
    connects: usize,
    frame_connects: usize,
    frame_bulk_bytes: usize,
    frame_rtt_rounds: usize,
    bulk_bytes: usize,
    bulk_time_cap: Duration,
    rtt_rounds: usize,
    unreliable_count: usize,
}

impl Sizes {
    fn new(short: bool) -> Self {
        if short {
            Sizes {
                connects: 10,
                frame_connects: 4,
                frame_bulk_bytes: 4 << 20,
                frame_rtt_rounds: 15,
                bulk_bytes: 4 << 20,
                bulk_time_cap: Duration::from_secs(3),
                rtt_rounds: 300,
                unreliable_count: 3000,
            }
        } else {
            Sizes {
                connects: 30,
                frame_connects: 12,
                frame_bulk_bytes: 16 << 20,
                frame_rtt_rounds: 60,
                bulk_bytes: 48 << 20,
                bulk_time_cap: Duration::from_secs(10),
                rtt_rounds: 1000,
                unreliable_count: 20000,
            }
        }
    }
}

type RowResult = Result<Value, String>;

/// Runs every row `runs` times; prints and returns one JSON value per row per run.
pub fn run_all(opts: &Options) -> Vec<Value> {
    // The same worker count the extension would use (WEBRTC_RS_WORKER_THREADS).
    let (worker_threads, warning) = runtime::configured_worker_threads(None);
    if let Some(warning) = warning {
        eprintln!("{warning}");
    }
    runtime::start(worker_threads).expect("tokio runtime");
    let sizes = Sizes::new(opts.short);
    let wanted =
        |row: &str| opts.only.is_empty() || opts.only.iter().any(|o| row.starts_with(o.as_str()));
    let mut paces = vec![Pace::Tight];
    if opts.fps > 0 {
        paces.push(Pace::Frame(Duration::from_secs_f64(
            1.0 / f64::from(opts.fps),
        )));
    }
    let bulk_rows = [
        ("reliable_1k", 1024usize),
        ("reliable_16k", 16384),
        ("reliable_64k", 65536),
    ];
    let data_rows = [
        "reliable_1k",
        "reliable_16k",
        "reliable_64k",
        "rtt",
        "unreliable_1200",
    ];
    let mut planned: Vec<String> = Vec::new();
    for pace in &paces {
        for row in std::iter::once("connect").chain(data_rows) {
            if wanted(row) {
                planned.push(format!("{row}/{}", pace.name()));
            }
        }
    }
    let mut lines = Vec::new();
    let mut emit = |row: &str, pace: Pace, run: usize, result: RowResult, params: Value| {
        let mode = pace.name();
        let line = match result {
            Ok(metrics) => json!({"suite": opts.suite, "row": row, "mode": mode, "run": run,
                "ok": true, "metrics": metrics, "params": params}),
            Err(error) => json!({"suite": opts.suite, "row": row, "mode": mode, "run": run,
                "ok": false, "error": error, "params": params}),
        };
        println!("{line}");
        lines.push(line);
    };
    for run in 1..=opts.runs {
        for &pace in &paces {
            let frame = pace.is_frame();
            if wanted("connect") {
                let n = if frame {
                    sizes.frame_connects
                } else {
                    sizes.connects
                };
                emit(
                    "connect",
                    pace,
                    run,
                    connect_distribution(n, pace),
                    json!({"connects": n}),
                );
            }
            let rows: Vec<&str> = data_rows.into_iter().filter(|r| wanted(r)).collect();
            if rows.is_empty() {
                continue;
            }
            let mut pair = match DataPair::open() {
                Ok(pair) => pair,
                Err(e) => {
                    for row in rows {
                        emit(row, pace, run, Err(e.clone()), json!({}));
                    }
                    continue;
                }
            };
            let bulk = if frame {
                sizes.frame_bulk_bytes
            } else {
                sizes.bulk_bytes
            };
            for row in rows {
                if let Some(&(_, size)) = bulk_rows.iter().find(|(r, _)| *r == row) {
                    let result = pair.reliable(size, bulk, sizes.bulk_time_cap, pace);
                    emit(
                        row,
                        pace,
                        run,
                        result,
                        json!({"message_bytes": size, "total_bytes": bulk,
                        "max_buffered": MAX_BUFFERED}),
                    );
                } else if row == "rtt" {
                    let rounds = if frame {
                        sizes.frame_rtt_rounds
                    } else {
                        sizes.rtt_rounds
                    };
                    emit(
                        row,
                        pace,
                        run,
                        pair.rtt(rounds, pace),
                        json!({"rounds": rounds, "message_bytes": 32}),
                    );
                } else {
                    emit(
                        row,
                        pace,
                        run,
                        pair.unreliable(sizes.unreliable_count, pace),
                        json!({"messages": sizes.unreliable_count, "message_bytes": 1200,
                            "max_buffered": MAX_BUFFERED}),
                    );
                }
            }
            pair.pair.close();
            drop(pair);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let failed = lines.iter().filter(|l| l["ok"] != json!(true)).count();
    let summary = json!({"suite": opts.suite, "row": "_summary", "part": "rust", "ok": failed == 0,
        "planned": planned, "failed": failed, "runs": opts.runs, "short": opts.short, "fps": opts.fps,
        "peak_rss_kb": status_value("VmHWM"), "threads": status_value("Threads"),
        "worker_threads": worker_threads});
    println!("{summary}");
    lines.push(summary);
    lines
}

fn peer() -> Result<PeerConnection, String> {
    let handle = runtime::handle().ok_or("runtime not running")?;
    let config = parse_peer_config(&json!({})).map_err(|e| e.message)?;
    PeerConnection::new(handle, config).map_err(|e| e.message)
}

/// Two peers whose signaling is relayed in-process, like `link()` in the Godot tests.
struct Pair {
    a: PeerConnection,
    b: PeerConnection,
    /// In-band channels announced to b.
    received_by_b: Vec<Arc<Channel>>,
}

impl Pair {
    fn new() -> Result<Self, String> {
        Ok(Pair {
            a: peer()?,
            b: peer()?,
            received_by_b: Vec::new(),
        })
    }

    /// What one `poll()` of both peers does: hand every queued event to the other side.
    fn pump(&mut self) -> Result<(), String> {
        while let Some(event) = self.a.next_event() {
            deliver(event, &mut self.b, None)?;
        }
        while let Some(event) = self.b.next_event() {
            deliver(event, &mut self.a, Some(&mut self.received_by_b))?;
        }
        // As the engine adapter does right after emitting an answer.
        self.b.apply_pending_answer().map_err(|e| e.message)
    }

    fn pump_until(
        &mut self,
        timeout: Duration,
        pace: Pace,
        mut done: impl FnMut(&Pair) -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut clock = Instant::now();
        loop {
            self.pump()?;
            if done(self) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("timed out after {timeout:?}"));
            }
            pace.wait(&mut clock);
        }
    }

    fn close(&mut self) {
        self.a.close();
        self.b.close();
    }
}

/// Hands `event` of one peer to the other (`to`); channels the first peer
/// announces go to `channels`.
fn deliver(
    event: PeerEvent,
    to: &mut PeerConnection,
    channels: Option<&mut Vec<Arc<Channel>>>,
) -> Result<(), String> {
    match event {
        PeerEvent::SessionDescription { kind, sdp } => to
            .set_remote_description(kind.as_str(), &sdp)
            .map_err(|e| e.message),
        PeerEvent::IceCandidate {
            mid,
            index,
            candidate,
        } => to
            .add_ice_candidate(&mid, index, &candidate)
            .map_err(|e| e.message),
        PeerEvent::DataChannel(channel) => {
            if let Some(channels) = channels {
                channels.push(channel);
            }
            Ok(())
        }
    }
}

fn is_open(channel: &Channel) -> bool {
    channel.state() == ChannelState::Open
}

/// One connect: create_offer until the in-band channel is OPEN on both sides.
fn connect_once(pace: Pace) -> Result<f64, String> {
    let mut pair = Pair::new()?;
    let channel = pair
        .a
        .create_data_channel("bench", &json!({}))
        .map_err(|e| e.message)?;
    let started = Instant::now();
    pair.a.create_offer().map_err(|e| e.message)?;
    pair.pump_until(Duration::from_secs(15), pace, |p| {
        is_open(&channel) && p.received_by_b.first().is_some_and(|c| is_open(c))
    })?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    pair.close();
    drop(pair);
    // Let the closed pair's tasks wind down before the next one starts.
    std::thread::sleep(Duration::from_millis(30));
    Ok(ms)
}

fn connect_distribution(count: usize, pace: Pace) -> RowResult {
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        samples.push(connect_once(pace)?);
    }
    // Slow connects (~1 s) waited for a retransmission or a nomination delay.
    let fast = sorted(
        samples
            .iter()
            .copied()
            .filter(|&ms| ms <= SLOW_CONNECT_MS)
            .collect(),
    );
    let s = sorted(samples);
    let slow_pct = 100.0 * (s.len() - fast.len()) as f64 / s.len() as f64;
    Ok(
        json!({"p50_ms": round(percentile(&s, 50.0)), "p90_ms": round(percentile(&s, 90.0)),
        "max_ms": round(percentile(&s, 100.0)), "min_ms": round(s[0]),
        "fast_p50_ms": round(percentile(&fast, 50.0)), "slow_pct": round(slow_pct), "n": s.len()}),
    )
}

/// A connected pair with negotiated channels: 1 reliable bulk, 2 reliable
/// ping-pong, 3 unreliable unordered (no retransmits). `x.0` is a's end.
struct DataPair {
    pair: Pair,
    bulk: (Arc<Channel>, Arc<Channel>),
    ping: (Arc<Channel>, Arc<Channel>),
    lossy: (Arc<Channel>, Arc<Channel>),
}

impl DataPair {
    fn open() -> Result<Self, String> {
        let mut pair = Pair::new()?;
        let mut both =
            |label: &str, options: Value| -> Result<(Arc<Channel>, Arc<Channel>), String> {
                let a = pair
                    .a
                    .create_data_channel(label, &options)
                    .map_err(|e| e.message)?;
                let b = pair
                    .b
                    .create_data_channel(label, &options)
                    .map_err(|e| e.message)?;
                Ok((a, b))
            };
        let bulk = both("bulk", json!({"negotiated": true, "id": 1}))?;
        let ping = both("ping", json!({"negotiated": true, "id": 2}))?;
        let lossy = both(
            "lossy",
            json!({"negotiated": true, "id": 3, "ordered": false, "maxRetransmits": 0}),
        )?;
        pair.a.create_offer().map_err(|e| e.message)?;
        let all = [&bulk.0, &bulk.1, &ping.0, &ping.1, &lossy.0, &lossy.1].map(Arc::clone);
        pair.pump_until(Duration::from_secs(15), Pace::Tight, |_| {
            all.iter().all(|c| is_open(c))
        })
        .map_err(|e| format!("data pair did not open: {e}"))?;
        Ok(DataPair {
            pair,
            bulk,
            ping,
            lossy,
        })
    }

    /// Sends `total` bytes in `size`-byte messages a→b, keeping ≤ MAX_BUFFERED in flight.
    fn reliable(&mut self, size: usize, total: usize, cap: Duration, pace: Pace) -> RowResult {
        let (tx, rx) = (Arc::clone(&self.bulk.0), Arc::clone(&self.bulk.1));
        let message = vec![0xA5u8; size];
        let (mut sent, mut got) = (0usize, 0usize);
        let cpu_before = cpu_seconds();
        let drops_before = udp_rcvbuf_errors();
        let started = Instant::now();
        let mut clock = started;
        let mut capped = false;
        while got < total {
            while sent < total && tx.buffered_amount() < MAX_BUFFERED {
                tx.send(&message, false).map_err(|e| e.message)?;
                sent += size;
            }
            while let Some(packet) = rx.pop_packet() {
                got += packet.data.len();
            }
            if started.elapsed() > cap {
                capped = true;
                break;
            }
            self.pair.pump()?;
            pace.wait(&mut clock);
        }
        let seconds = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu_before;
        let drops = udp_rcvbuf_errors() - drops_before;
        // Leave the channel empty for the next row.
        let drained = self.pair.pump_until(Duration::from_secs(10), pace, |_| {
            while rx.pop_packet().is_some() {}
            tx.buffered_amount() == 0
        });
        if got == 0 {
            return Err("nothing received".into());
        }
        drained.map_err(|e| format!("sender did not drain: {e}"))?;
        let mb = got as f64 / 1e6;
        Ok(
            json!({"mb_s": round(mb / seconds), "cpu_ms_per_mb": round(cpu * 1000.0 / mb),
            "cpu_pct": round(100.0 * cpu / seconds), "mb": round(mb), "seconds": round(seconds),
            "udp_drops": drops, "time_capped": capped}),
        )
    }

    /// 32-byte ping a→b, echoed b→a, one at a time.
    fn rtt(&mut self, rounds: usize, pace: Pace) -> RowResult {
        let (a, b) = (Arc::clone(&self.ping.0), Arc::clone(&self.ping.1));
        let message = [0x5Au8; 32];
        let warmup = if pace.is_frame() { 5 } else { 20 };
        let mut samples = Vec::with_capacity(rounds);
        for round_index in 0..warmup + rounds {
            let started = Instant::now();
            let mut clock = started;
            let deadline = started + Duration::from_secs(5);
            a.send(&message, false).map_err(|e| e.message)?;
            loop {
                if let Some(packet) = b.pop_packet() {
                    b.send(&packet.data, false).map_err(|e| e.message)?;
                }
                if a.pop_packet().is_some() {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(format!("round {round_index}: no echo within 5 s"));
                }
                self.pair.pump()?;
                pace.wait(&mut clock);
            }
            if round_index >= warmup {
                samples.push(started.elapsed().as_secs_f64() * 1e6);
            }
        }
        let s = sorted(samples);
        Ok(
            json!({"p50_us": round(percentile(&s, 50.0)), "p99_us": round(percentile(&s, 99.0)),
            "max_us": round(percentile(&s, 100.0)), "n": s.len()}),
        )
    }

    /// `count` 1200-byte messages on the unreliable channel, paced like `reliable`.
    fn unreliable(&mut self, count: usize, pace: Pace) -> RowResult {
        let (tx, rx) = (Arc::clone(&self.lossy.0), Arc::clone(&self.lossy.1));
        let message = vec![0x33u8; 1200];
        let (mut sent, mut got) = (0usize, 0usize);
        let drops_before = udp_rcvbuf_errors();
        let started = Instant::now();
        let mut last_arrival = started;
        let mut clock = started;
        let mut all_sent: Option<Instant> = None;
        let cap = Duration::from_secs(20);
        loop {
            while sent < count && tx.buffered_amount() < MAX_BUFFERED {
                tx.send(&message, false).map_err(|e| e.message)?;
                sent += 1;
            }
            while rx.pop_packet().is_some() {
                got += 1;
                last_arrival = Instant::now();
            }
            let now = Instant::now();
            if sent == count && all_sent.is_none() && tx.buffered_amount() == 0 {
                all_sent = Some(now);
            }
            if got == count {
                break;
            }
            if let Some(done) = all_sent {
                // Whatever has not arrived 300 ms after the last send or arrival is lost.
                if now.duration_since(done.max(last_arrival)) > Duration::from_millis(300) {
                    break;
                }
            }
            if now.duration_since(started) > cap {
                break;
            }
            self.pair.pump()?;
            pace.wait(&mut clock);
        }
        // Send rate: until every message left the sender's buffer.
        let send_seconds = all_sent
            .unwrap_or_else(Instant::now)
            .duration_since(started)
            .as_secs_f64();
        let recv_seconds = last_arrival.duration_since(started).as_secs_f64();
        if got == 0 {
            return Err("nothing received".into());
        }
        let bytes = |n: usize| (n * 1200) as f64 / 1e6;
        Ok(json!({"mb_s": round(bytes(sent) / send_seconds.max(1e-9)),
            "recv_mb_s": round(bytes(got) / recv_seconds.max(1e-9)),
            "delivered_pct": round(100.0 * got as f64 / sent as f64), "sent": sent, "received": got,
            "udp_drops": udp_rcvbuf_errors() - drops_before}))
    }
}
