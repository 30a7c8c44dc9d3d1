//! Turns a panic into an `Error`. gdext would catch a panic in a virtual and
//! return OK to the engine, hiding the failure; calling through this guard
//! makes it a real error code instead.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Error, Result};

/// Runs `f`, converting a panic into `ErrorKind::Failed` naming `what`.
pub fn catch_panic<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    // The state touched by `f` is either atomics, mutexes that recover from
    // poisoning, or owned by the caller, who reports the error.
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(Error::failed(format!(
            "internal error in {what}: {}",
            panic_message(payload.as_ref())
        )))
    })
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "unknown panic"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn a_panic_becomes_a_failed_error() {
        let err = catch_panic::<()>("create_offer", || panic!("boom {}", 7)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Failed);
        assert_eq!(err.message, "internal error in create_offer: boom 7");
    }

    #[test]
    fn results_pass_through() {
        assert_eq!(catch_panic("x", || Ok(5)), Ok(5));
        let err = Error::invalid_data("bad");
        assert_eq!(catch_panic::<()>("x", || Err(err.clone())), Err(err));
    }
}
