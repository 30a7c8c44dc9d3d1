//! The tokio runtime that runs webrtc-rs, owned by the extension: started at
//! load, shut down at unload (a runtime that outlives the engine crashes it at exit).

use std::sync::Mutex;
use std::time::Duration;

use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: Mutex<Option<Runtime>> = Mutex::new(None);

/// Worker threads unless configured otherwise. One worker runs every task of a
/// message's path back to back; with two, tokio hands tasks between threads and
/// each hand-off can wake a sleeping thread (measured in Godot: +20 µs RTT p50 and
/// +43 µs p99, for 10-50 % more bulk throughput; see the README's Performance).
pub const DEFAULT_WORKER_THREADS: usize = 1;
/// Upper bound of the setting: beyond this, threads only add contention.
pub const MAX_WORKER_THREADS: usize = 16;
/// Environment variable that overrides the engine's project setting.
pub const WORKER_THREADS_ENV: &str = "WEBRTC_RS_WORKER_THREADS";

/// The worker thread count to use: `WEBRTC_RS_WORKER_THREADS` if set, else
/// `project_setting` (the engine's `webrtc_rs/worker_threads`), else the default.
/// Returns a warning to show when the value in use is not a number from 1 to
/// [`MAX_WORKER_THREADS`] (it is then clamped, or the default if not a number).
pub fn configured_worker_threads(project_setting: Option<i64>) -> (usize, Option<String>) {
    match std::env::var(WORKER_THREADS_ENV) {
        Ok(value) => match value.trim().parse::<i64>() {
            Ok(n) => clamp_worker_threads(n, &format!("the environment variable {WORKER_THREADS_ENV}")),
            Err(_) => (
                DEFAULT_WORKER_THREADS,
                Some(format!(
                    "webrtc-rs: {WORKER_THREADS_ENV}='{value}' is not a number: using {DEFAULT_WORKER_THREADS} worker thread(s)"
                )),
            ),
        },
        Err(_) => match project_setting {
            Some(n) => clamp_worker_threads(n, "the project setting webrtc_rs/worker_threads"),
            None => (DEFAULT_WORKER_THREADS, None),
        },
    }
}

fn clamp_worker_threads(n: i64, source: &str) -> (usize, Option<String>) {
    let clamped = n.clamp(1, MAX_WORKER_THREADS as i64) as usize;
    let warning = (clamped as i64 != n).then(|| {
        format!(
            "webrtc-rs: {n} worker threads in {source} is out of range 1..{MAX_WORKER_THREADS}: using {clamped}"
        )
    });
    (clamped, warning)
}

/// Starts the shared runtime with `worker_threads` workers if it is not running yet.
pub fn start(worker_threads: usize) -> std::io::Result<()> {
    let mut slot = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_none() {
        let runtime = Builder::new_multi_thread()
            .worker_threads(worker_threads.clamp(1, MAX_WORKER_THREADS))
            // Only DNS lookups of STUN/TURN host names block (the vendored
            // webrtc-sctp no longer does); a small cap keeps the game's thread
            // count bounded however many peers resolve at once.
            .max_blocking_threads(4)
            .thread_name("webrtc-rs")
            .enable_all()
            .build()?;
        *slot = Some(runtime);
    }
    Ok(())
}

/// A handle to the running runtime, or None before `start` / after `shutdown`.
pub fn handle() -> Option<Handle> {
    let slot = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    slot.as_ref().map(|rt| rt.handle().clone())
}

/// Stops all tasks; connections still open are dropped without ceremony.
pub fn shutdown() {
    let runtime = RUNTIME.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(runtime) = runtime {
        runtime.shutdown_timeout(Duration::from_millis(500));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_threads_are_clamped_with_a_named_warning() {
        assert_eq!(clamp_worker_threads(2, "x"), (2, None));
        let (n, warning) = clamp_worker_threads(0, "the project setting webrtc_rs/worker_threads");
        assert_eq!(n, 1);
        assert!(warning.is_some_and(|w| w.contains("webrtc_rs/worker_threads")));
        assert_eq!(clamp_worker_threads(1000, "x").0, MAX_WORKER_THREADS);
    }
}
