//! The channels of one connection: which are still alive, and how many a
//! remote may have open at once.
//!
//! A remote can open up to 65535 in-band channels, each with its own tasks and
//! read buffer on our side; past [`MAX_OPEN_CHANNELS`] open channels (ours and
//! theirs), a channel the remote opens is closed at once (the remote sees it
//! close) and one warning says so. The script's own `create_data_channel`
//! calls are not capped: the game trusts its own code.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use webrtc::data_channel::RTCDataChannel;
use webrtc::sctp_transport::RTCSctpTransport;

use crate::channel::{Channel, Forget};
use crate::log::log_warning;
use crate::state::ChannelState;

/// Most channels open at once on one connection before the remote's new ones
/// are refused (browsers allow 65534; 1024 is more than any game uses).
pub const MAX_OPEN_CHANNELS: usize = 1024;

#[derive(Default)]
pub(crate) struct ChannelRegistry {
    channels: Mutex<Vec<Weak<Channel>>>,
    /// The refusal warning is logged once per connection, not per channel.
    warned: AtomicBool,
}

impl ChannelRegistry {
    pub(crate) fn register(&self, channel: &Arc<Channel>) {
        self.lock_pruned().push(Arc::downgrade(channel));
    }

    /// The channels someone (the script or a task) still holds.
    pub(crate) fn live(&self) -> Vec<Arc<Channel>> {
        self.lock_pruned()
            .iter()
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// How many channels the registry holds.
    pub(crate) fn kept(&self) -> usize {
        self.lock_pruned().len()
    }

    /// Closes every channel at once (the connection failed or closed).
    pub(crate) fn abort_all(&self) {
        for channel in self.live() {
            channel.abort();
        }
    }

    /// Whether a channel the remote just opened may be announced; if not, it
    /// must be closed, and the first refusal is logged. (The vendored
    /// webrtc-sctp queues up to 1024 streams for acceptance: PATCHED.md 10.)
    pub(crate) fn admit_remote(&self) -> bool {
        let open = self
            .live()
            .iter()
            .filter(|c| c.state() != ChannelState::Closed)
            .count();
        let admitted = has_room(open);
        if !admitted && !self.warned.swap(true, Ordering::SeqCst) {
            log_warning(&format!(
                "the remote peer opened more than {MAX_OPEN_CHANNELS} data channels on one connection: \
                 its new channels are closed at once (the connection and its open channels keep working)"
            ));
        }
        admitted
    }

    /// The list, without the entries of channels nobody holds any more.
    fn lock_pruned(&self) -> std::sync::MutexGuard<'_, Vec<Weak<Channel>>> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.retain(|c| c.strong_count() > 0);
        channels
    }
}

/// Closes a channel the remote opened past the cap: its stream is reset, so
/// the remote sees it close. webrtc-rs announces a channel before it is open,
/// and closing it then does nothing, so this waits for the open. Then webrtc-rs
/// forgets it (the remote's stream ids are not ours to reuse, so at once).
pub(crate) fn refuse_channel(rtc: &Arc<RTCDataChannel>, transport: Weak<RTCSctpTransport>) {
    let weak = Arc::downgrade(rtc);
    rtc.on_open(Box::new(move || {
        Box::pin(async move {
            let Some(rtc) = weak.upgrade() else { return };
            // Detached mode: take the channel (webrtc-rs warns otherwise), then close it.
            if let Ok(detached) = rtc.detach().await {
                let _ = detached.close().await;
            }
            Forget::new(transport, &rtc).now().await;
        })
    }));
}

fn has_room(open: usize) -> bool {
    open < MAX_OPEN_CHANNELS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_until_the_cap() {
        assert!(has_room(0));
        assert!(has_room(MAX_OPEN_CHANNELS - 1));
        assert!(!has_room(MAX_OPEN_CHANNELS));
        assert!(!has_room(MAX_OPEN_CHANNELS + 5));
    }
}
