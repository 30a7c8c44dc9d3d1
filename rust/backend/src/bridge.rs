//! The one way the main thread waits on webrtc-rs: a local call (no network
//! wait) run to completion on the shared runtime, with a timeout, its error
//! turned into ours. Everything that need not be waited for is spawned instead.

use std::future::Future;
use std::time::Duration;

use tokio::runtime::Handle;

use crate::error::{Error, ErrorKind, Result};

/// Longest a local webrtc-rs call may take before we give up on it.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `future` from the main thread; `what` and `kind` describe a failure.
pub(crate) fn run<T, E: std::fmt::Display>(
    runtime: &Handle,
    what: &str,
    kind: ErrorKind,
    future: impl Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    match runtime.block_on(async { tokio::time::timeout(CALL_TIMEOUT, future).await }) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Error::new(kind, format!("could not {what}: {e}"))),
        Err(_) => Err(Error::new(
            ErrorKind::Timeout,
            format!("could not {what}: timed out after {CALL_TIMEOUT:?}"),
        )),
    }
}
