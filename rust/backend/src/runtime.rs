//! The tokio runtime that runs webrtc-rs, owned by the extension: started at
//! load, shut down at unload (a runtime that outlives the engine crashes it at exit).

use std::sync::Mutex;
use std::time::Duration;

use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: Mutex<Option<Runtime>> = Mutex::new(None);

/// Starts the shared runtime if it is not running yet.
pub fn start() -> std::io::Result<()> {
    let mut slot = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_none() {
        let runtime = Builder::new_multi_thread()
            .worker_threads(2)
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
