//! The one place that moves a data channel through CONNECTING → OPEN →
//! CLOSING → CLOSED. Every thread that changes a channel's state (the engine's
//! main thread, the channel's read and write loops, the peer's callbacks) goes
//! through these transitions, so no state is ever skipped back or reopened.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::state::ChannelState;

/// What `begin_close` found, so the caller knows what is left to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CloseStart {
    /// It was OPEN and is CLOSING now: send what is queued, then reset the stream.
    Drain,
    /// It had not opened: it is CLOSED now, there is nothing to send.
    Abandon,
    /// Already CLOSING or CLOSED: nothing to do.
    AlreadyClosing,
}

#[derive(Debug)]
pub(crate) struct Lifecycle(AtomicU8);

impl Lifecycle {
    pub(crate) fn new() -> Self {
        Self(AtomicU8::new(ChannelState::Connecting as u8))
    }

    pub(crate) fn get(&self) -> ChannelState {
        ChannelState::from_u8(self.0.load(Ordering::SeqCst))
    }

    /// CONNECTING → OPEN. False if the channel was closed before it opened.
    pub(crate) fn open(&self) -> bool {
        self.0
            .compare_exchange(
                ChannelState::Connecting as u8,
                ChannelState::Open as u8,
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok()
    }

    /// OPEN → CLOSING, or CONNECTING → CLOSED.
    pub(crate) fn begin_close(&self) -> CloseStart {
        let mut current = self.0.load(Ordering::SeqCst);
        loop {
            let (next, outcome) = match ChannelState::from_u8(current) {
                ChannelState::Open => (ChannelState::Closing, CloseStart::Drain),
                ChannelState::Connecting => (ChannelState::Closed, CloseStart::Abandon),
                ChannelState::Closing | ChannelState::Closed => return CloseStart::AlreadyClosing,
            };
            match self
                .0
                .compare_exchange(current, next as u8, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return outcome,
                Err(actual) => current = actual,
            }
        }
    }

    /// Any state → CLOSED. True if this call closed it (so exactly one caller
    /// reports why).
    pub(crate) fn finish_close(&self) -> bool {
        self.0.swap(ChannelState::Closed as u8, Ordering::SeqCst) != ChannelState::Closed as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_once_and_only_from_connecting() {
        let l = Lifecycle::new();
        assert_eq!(l.get(), ChannelState::Connecting);
        assert!(l.open());
        assert_eq!(l.get(), ChannelState::Open);
        assert!(!l.open(), "already open");
        l.finish_close();
        assert!(!l.open(), "a closed channel never reopens");
        assert_eq!(l.get(), ChannelState::Closed);
    }

    #[test]
    fn closing_an_open_channel_drains_first() {
        let l = Lifecycle::new();
        l.open();
        assert_eq!(l.begin_close(), CloseStart::Drain);
        assert_eq!(l.get(), ChannelState::Closing);
        assert_eq!(l.begin_close(), CloseStart::AlreadyClosing);
        assert!(!l.open(), "CLOSING never goes back to OPEN");
        assert!(l.finish_close());
        assert!(!l.finish_close(), "only the first finish reports");
        assert_eq!(l.begin_close(), CloseStart::AlreadyClosing);
    }

    #[test]
    fn closing_before_open_abandons_and_the_late_open_loses() {
        let l = Lifecycle::new();
        assert_eq!(l.begin_close(), CloseStart::Abandon);
        assert_eq!(l.get(), ChannelState::Closed);
        assert!(!l.open());
        assert!(!l.finish_close());
    }
}
