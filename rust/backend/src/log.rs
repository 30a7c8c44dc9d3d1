//! Messages from webrtc-rs worker threads, handed to the engine's log on the
//! main thread (the adapter drains them in `poll`). Bounded: a flood of
//! failures can never grow memory; the surplus is counted, not stored.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crossbeam_channel::{bounded, Receiver, Sender};

const CAPACITY: usize = 256;

static QUEUE: OnceLock<(Sender<String>, Receiver<String>)> = OnceLock::new();
static DROPPED: AtomicUsize = AtomicUsize::new(0);

fn queue() -> &'static (Sender<String>, Receiver<String>) {
    QUEUE.get_or_init(|| bounded(CAPACITY))
}

/// Records an error that happened off the main thread.
pub fn log_error(message: &str) {
    if queue().0.try_send(message.to_owned()).is_err() {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Takes every pending message (and a summary line if some were dropped).
pub fn drain_errors() -> Vec<String> {
    let mut messages: Vec<String> = queue().1.try_iter().collect();
    let dropped = DROPPED.swap(0, Ordering::Relaxed);
    if dropped > 0 {
        messages.push(format!("{dropped} more webrtc errors were not shown"));
    }
    messages
}
