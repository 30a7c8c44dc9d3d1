//! One data channel: its state, its incoming queue and its outgoing queue.
//!
//! webrtc-rs channels are detached, so we own the read and write loops: the
//! reader fills `inbox` (bounded, with back-pressure instead of drops) and the
//! writer drains an in-order outgoing queue. Everything the engine reads
//! (state, packets, buffered amount) is visible without a poll call.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use bytes::Bytes;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, Notify};
use webrtc::data::data_channel::DataChannel as RawChannel;
use webrtc::data_channel::RTCDataChannel;

use crate::error::{Error, ErrorKind, Result};
use crate::log::log_error;
use crate::state::ChannelState;

/// Largest message we send or accept: the SDP default (no `a=max-message-size`),
/// which every browser and libdatachannel honour towards us.
pub const MAX_MESSAGE_SIZE: usize = 65536;
/// Bytes of received, unread messages a channel holds before it stops reading
/// from the network (the sender then sees SCTP back-pressure; nothing is dropped
/// on a reliable channel).
pub const MAX_INBOX_BYTES: usize = 8 * 1024 * 1024;

/// Value Godot reports for unset ids, lifetimes and retransmit counts.
pub const UNSET_U16: u16 = u16::MAX;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub data: Vec<u8>,
    pub is_string: bool,
}

struct Outgoing {
    data: Bytes,
    is_string: bool,
}

#[derive(Default)]
struct Inbox {
    packets: VecDeque<Packet>,
    bytes: usize,
}

pub struct Channel {
    rtc: Arc<RTCDataChannel>,
    runtime: Handle,
    state: AtomicU8,
    inbox: Mutex<Inbox>,
    /// Wakes the reader when the inbox has room again (or the channel is gone).
    inbox_room: Arc<Notify>,
    outbox: mpsc::UnboundedSender<Outgoing>,
    outbox_rx: Mutex<Option<mpsc::UnboundedReceiver<Outgoing>>>,
    /// Bytes accepted by `send` but not yet handed to SCTP.
    queued_bytes: AtomicUsize,
    raw: OnceLock<Arc<RawChannel>>,
}

impl Channel {
    /// Wraps a webrtc-rs channel and starts our loops once it opens.
    pub(crate) fn attach(rtc: Arc<RTCDataChannel>, runtime: Handle) -> Arc<Self> {
        // `on_open` spawns at once if the channel is already open (created on a
        // connected peer from the main thread), which needs the runtime context.
        let _context = runtime.enter();
        let (outbox, outbox_rx) = mpsc::unbounded_channel();
        let channel = Arc::new(Self {
            rtc: Arc::clone(&rtc),
            runtime,
            state: AtomicU8::new(ChannelState::Connecting as u8),
            inbox: Mutex::default(),
            inbox_room: Arc::new(Notify::new()),
            outbox,
            outbox_rx: Mutex::new(Some(outbox_rx)),
            queued_bytes: AtomicUsize::new(0),
            raw: OnceLock::new(),
        });
        let weak = Arc::downgrade(&channel);
        rtc.on_open(Box::new(move || {
            Box::pin(async move {
                if let Some(channel) = weak.upgrade() {
                    channel.start_loops().await;
                }
            })
        }));
        channel
    }

    async fn start_loops(self: Arc<Self>) {
        let raw = match self.rtc.detach().await {
            Ok(raw) => raw,
            Err(e) => {
                log_error(&format!(
                    "data channel '{}' could not start: {e}",
                    self.label()
                ));
                self.set_state(ChannelState::Closed);
                return;
            }
        };
        let rx = self
            .outbox_rx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let Some(rx) = rx else { return };
        if self.raw.set(Arc::clone(&raw)).is_err() {
            return;
        }
        // Opening races with a local close(): only move forward from CONNECTING.
        if self
            .state
            .compare_exchange(
                ChannelState::Connecting as u8,
                ChannelState::Open as u8,
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_err()
        {
            let rtc = Arc::clone(&self.rtc);
            tokio::spawn(async move { rtc.close().await });
            return;
        }
        let weak = Arc::downgrade(&self);
        tokio::spawn(write_loop(weak.clone(), Arc::clone(&raw), rx));
        tokio::spawn(read_loop(weak, raw, Arc::clone(&self.inbox_room)));
    }

    pub fn label(&self) -> &str {
        self.rtc.label()
    }
    pub fn protocol(&self) -> &str {
        self.rtc.protocol()
    }
    pub fn is_ordered(&self) -> bool {
        self.rtc.ordered()
    }
    pub fn is_negotiated(&self) -> bool {
        self.rtc.negotiated()
    }
    /// The SCTP stream id; in-band channels get theirs when the connection opens.
    pub fn id(&self) -> u16 {
        match self.raw.get() {
            Some(raw) => raw.stream_identifier(),
            None if self.is_negotiated() => self.rtc.id(),
            None => UNSET_U16,
        }
    }
    pub fn max_packet_life_time(&self) -> u16 {
        self.rtc.max_packet_lifetime().unwrap_or(UNSET_U16)
    }
    pub fn max_retransmits(&self) -> u16 {
        self.rtc.max_retransmits().unwrap_or(UNSET_U16)
    }

    pub fn state(&self) -> ChannelState {
        ChannelState::from_u8(self.state.load(Ordering::SeqCst))
    }

    pub(crate) fn set_state(&self, state: ChannelState) {
        self.state.store(state as u8, Ordering::SeqCst);
    }

    /// Bytes handed to `send` that the remote has not yet acknowledged.
    pub fn buffered_amount(&self) -> usize {
        let in_sctp = self.raw.get().map_or(0, |raw| raw.buffered_amount());
        self.queued_bytes.load(Ordering::SeqCst) + in_sctp
    }

    /// Traffic counters of this channel (zero until it opens).
    pub fn stats(&self) -> crate::stats::ChannelStats {
        let raw = self.raw.get();
        crate::stats::ChannelStats {
            label: self.label().to_owned(),
            id: self.id(),
            state: self.state(),
            bytes_sent: raw.map_or(0, |r| r.bytes_sent()),
            bytes_received: raw.map_or(0, |r| r.bytes_received()),
            messages_sent: raw.map_or(0, |r| r.messages_sent()),
            messages_received: raw.map_or(0, |r| r.messages_received()),
            buffered_amount: self.buffered_amount(),
        }
    }

    /// Queues one message. Cheap and silent-safe on a channel that is not open.
    pub fn send(&self, data: &[u8], is_string: bool) -> Result<()> {
        if self.state() != ChannelState::Open {
            return Err(Error::invalid_state("data channel is not open"));
        }
        if data.len() > MAX_MESSAGE_SIZE {
            return Err(Error::invalid_parameter(format!(
                "packet of {} bytes is larger than the data channel limit of {MAX_MESSAGE_SIZE} bytes",
                data.len()
            )));
        }
        self.queued_bytes.fetch_add(data.len(), Ordering::SeqCst);
        let message = Outgoing {
            data: Bytes::copy_from_slice(data),
            is_string,
        };
        self.outbox.send(message).map_err(|_| {
            self.queued_bytes.fetch_sub(data.len(), Ordering::SeqCst);
            Error::new(ErrorKind::InvalidState, "data channel is closed")
        })
    }

    /// Number of received messages waiting to be read.
    pub fn available_packets(&self) -> usize {
        self.lock_inbox().packets.len()
    }

    /// Takes the oldest received message.
    pub fn pop_packet(&self) -> Option<Packet> {
        let mut inbox = self.lock_inbox();
        let packet = inbox.packets.pop_front()?;
        let was_full = inbox.bytes >= MAX_INBOX_BYTES;
        inbox.bytes -= packet.data.len();
        drop(inbox);
        if was_full {
            self.inbox_room.notify_one();
        }
        Some(packet)
    }

    fn lock_inbox(&self) -> std::sync::MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Returns true while the inbox is over its limit.
    fn push_packet(&self, packet: Packet) -> bool {
        let mut inbox = self.lock_inbox();
        inbox.bytes += packet.data.len();
        inbox.packets.push_back(packet);
        inbox.bytes >= MAX_INBOX_BYTES
    }

    fn inbox_full(&self) -> bool {
        self.lock_inbox().bytes >= MAX_INBOX_BYTES
    }

    /// Starts closing: the remote sees its channel close, ours reaches CLOSED
    /// when the stream reset completes.
    pub fn close(&self) {
        match self.state() {
            ChannelState::Closed | ChannelState::Closing => return,
            ChannelState::Connecting if self.raw.get().is_none() => {
                self.set_state(ChannelState::Closed)
            }
            _ => self.set_state(ChannelState::Closing),
        }
        let rtc = Arc::clone(&self.rtc);
        self.runtime.spawn(async move { rtc.close().await });
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.inbox_room.notify_one();
        if self.state() != ChannelState::Closed {
            let rtc = Arc::clone(&self.rtc);
            self.runtime.spawn(async move { rtc.close().await });
        }
    }
}

async fn write_loop(
    channel: Weak<Channel>,
    raw: Arc<RawChannel>,
    mut outbox: mpsc::UnboundedReceiver<Outgoing>,
) {
    while let Some(message) = outbox.recv().await {
        let len = message.data.len();
        let result = raw
            .write_data_channel(&message.data, message.is_string)
            .await;
        let Some(channel) = channel.upgrade() else {
            break;
        };
        channel.queued_bytes.fetch_sub(len, Ordering::SeqCst);
        if let Err(e) = result {
            if channel.state() == ChannelState::Open {
                log_error(&format!(
                    "data channel '{}' send failed: {e}",
                    channel.label()
                ));
            }
            break;
        }
    }
}

async fn read_loop(channel_ref: Weak<Channel>, raw: Arc<RawChannel>, inbox_room: Arc<Notify>) {
    let mut buf = vec![0u8; MAX_MESSAGE_SIZE];
    loop {
        let received_before = raw.messages_received();
        let result = raw.read_data_channel(&mut buf).await;
        let Some(channel) = channel_ref.upgrade() else {
            return;
        };
        match result {
            // An empty message counts as received; end of stream does not.
            Ok((0, false)) if raw.messages_received() == received_before => break,
            Ok((n, is_string)) => {
                let packet = Packet {
                    data: buf[..n].to_vec(),
                    is_string,
                };
                if channel.push_packet(packet) {
                    drop(channel);
                    // Back-pressure: stop reading until the game drains the inbox.
                    loop {
                        inbox_room.notified().await;
                        match channel_ref.upgrade() {
                            None => return,
                            Some(c) if !c.inbox_full() => break,
                            Some(_) => {}
                        }
                    }
                }
            }
            Err(e) => {
                if channel.state() == ChannelState::Open {
                    log_error(&format!("data channel '{}' closed: {e}", channel.label()));
                }
                break;
            }
        }
    }
    if let Some(channel) = channel_ref.upgrade() {
        channel.set_state(ChannelState::Closed);
    }
}
