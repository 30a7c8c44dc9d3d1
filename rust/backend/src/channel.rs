//! One data channel: its incoming queue, its outgoing queue and the two loops
//! that move data between them and SCTP.
//!
//! webrtc-rs channels are detached, so we own the read and write loops: the
//! reader fills `inbox` (bounded, with back-pressure instead of drops) and the
//! writer drains an in-order outgoing queue, which ends with the stream reset
//! when the channel is closed. States move only through [`Lifecycle`].
//! Everything the engine reads (state, packets, buffered amount) is visible
//! without a poll call.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use bytes::Bytes;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, Notify};
use webrtc::data::data_channel::DataChannel as RawChannel;
use webrtc::data_channel::RTCDataChannel;
use webrtc::sctp_transport::RTCSctpTransport;

use crate::error::{Error, ErrorKind, Result};
use crate::lifecycle::{CloseStart, Lifecycle};
use crate::log::{log_error, log_warning};
use crate::state::ChannelState;

/// Largest message we accept, advertised as `a=max-message-size` (as browsers
/// and libdatachannel do), and the most we send to a peer that allows it.
pub const MAX_MESSAGE_SIZE: usize = 262_144;
/// What a remote accepts when its description names no `a=max-message-size`
/// (RFC 8841 6.1); also the limit reported before a channel opens.
pub const DEFAULT_REMOTE_MAX_MESSAGE_SIZE: usize = 65_536;
/// Bytes of received, unread messages a channel holds before it stops reading
/// from the network (the sender then sees SCTP back-pressure; nothing is dropped
/// on a reliable channel).
pub const MAX_INBOX_BYTES: usize = 8 * 1024 * 1024;
/// Most bytes `send` lets wait for the remote's acknowledgement, as browsers
/// refuse `send()` past 16 MiB buffered. Pace with the buffered amount.
pub const MAX_BUFFERED_BYTES: usize = 16 * 1024 * 1024;
/// A read buffer starts this small and grows to the largest message received,
/// so an idle channel costs little memory.
const INITIAL_READ_BUFFER: usize = 4096;
/// How long a closing channel waits for the remote to acknowledge what was
/// queued before it resets the stream anyway.
const CLOSE_DRAIN_LIMIT: Duration = Duration::from_secs(30);
/// How often a draining close re-checks in case a wake-up was missed.
const DRAIN_RECHECK: Duration = Duration::from_millis(100);

/// Value Godot reports for unset ids, lifetimes and retransmit counts.
pub const UNSET_U16: u16 = u16::MAX;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub data: Vec<u8>,
    pub is_string: bool,
}

/// What the write loop does next, in the order the engine asked for it.
enum Command {
    Send {
        data: Bytes,
        is_string: bool,
    },
    /// Send everything before this, wait until the remote has it, reset the stream.
    Close,
}

#[derive(Default)]
struct Inbox {
    packets: VecDeque<Packet>,
    bytes: usize,
}

/// What the channel shares with its write loop, which outlives a dropped
/// `Channel` while it finishes a graceful close.
struct Core {
    label: String,
    lifecycle: Lifecycle,
    /// Bytes accepted by `send` but not yet handed to SCTP.
    queued_bytes: AtomicUsize,
    /// Set when the transport is gone: a draining close stops waiting.
    aborted: AtomicBool,
    /// Set when the remote reset its end: it reads nothing more, and SCTP
    /// stops counting acknowledgements for the stream, so draining stops too.
    remote_closed: AtomicBool,
    /// Woken when SCTP's buffered amount reaches 0, or on abort.
    wake: Notify,
    /// True from a graceful close until the write loop has delivered what
    /// was queued (or given up).
    draining: AtomicBool,
    drained: Notify,
}

impl Core {
    /// A CONNECTING channel's shared state.
    fn new(label: String) -> Self {
        Self {
            label,
            lifecycle: Lifecycle::new(),
            queued_bytes: AtomicUsize::new(0),
            aborted: AtomicBool::new(false),
            remote_closed: AtomicBool::new(false),
            wake: Notify::new(),
            draining: AtomicBool::new(false),
            drained: Notify::new(),
        }
    }

    /// Closes the channel because something broke; the first caller logs why.
    fn fail(&self, why: &str) {
        let was = self.lifecycle.get();
        if self.finish() && was != ChannelState::Connecting {
            log_error(&format!("data channel '{}' closed: {why}", self.label));
        }
    }

    /// CLOSED, nothing counted as buffered any more; true if this closed it.
    fn finish(&self) -> bool {
        let closed_now = self.lifecycle.finish_close();
        self.queued_bytes.store(0, Ordering::SeqCst);
        closed_now
    }

    fn set_drained(&self) {
        self.draining.store(false, Ordering::SeqCst);
        self.drained.notify_waiters();
    }
}

/// Takes a channel that is closed for good off webrtc-rs's list of the
/// connection's channels, which would otherwise keep it (and its stream id)
/// for the connection's whole life (vendor/webrtc/PATCHED.md 1).
#[derive(Clone)]
pub(crate) struct Forget {
    transport: Weak<RTCSctpTransport>,
    rtc: Arc<RTCDataChannel>,
}

impl Forget {
    pub(crate) fn new(transport: Weak<RTCSctpTransport>, rtc: &Arc<RTCDataChannel>) -> Self {
        Self {
            transport,
            rtc: Arc::clone(rtc),
        }
    }

    pub(crate) async fn now(self) {
        if let Some(transport) = self.transport.upgrade() {
            transport.remove_data_channel(&self.rtc).await;
        }
    }
}

pub struct Channel {
    rtc: Arc<RTCDataChannel>,
    forget: Forget,
    runtime: Handle,
    core: Arc<Core>,
    inbox: Mutex<Inbox>,
    /// Wakes the reader when the inbox has room again (or the channel is gone).
    inbox_room: Arc<Notify>,
    outbox: mpsc::UnboundedSender<Command>,
    outbox_rx: Mutex<Option<mpsc::UnboundedReceiver<Command>>>,
    raw: OnceLock<Arc<RawChannel>>,
}

impl Channel {
    /// Wraps a webrtc-rs channel of `transport` and starts our loops once it opens.
    pub(crate) fn attach(
        rtc: Arc<RTCDataChannel>,
        transport: Weak<RTCSctpTransport>,
        runtime: Handle,
    ) -> Arc<Self> {
        // `on_open` spawns at once if the channel is already open (created on a
        // connected peer from the main thread), which needs the runtime context.
        let _context = runtime.enter();
        let (outbox, outbox_rx) = mpsc::unbounded_channel();
        let channel = Arc::new(Self {
            core: Arc::new(Core::new(rtc.label().to_owned())),
            forget: Forget::new(transport, &rtc),
            rtc: Arc::clone(&rtc),
            runtime,
            inbox: Mutex::default(),
            inbox_room: Arc::new(Notify::new()),
            outbox,
            outbox_rx: Mutex::new(Some(outbox_rx)),
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
            Err(e) => return self.core.fail(&format!("could not start: {e}")),
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
        let core = Arc::clone(&self.core);
        raw.set_buffered_amount_low_threshold(0);
        raw.on_buffered_amount_low(Box::new(move || {
            core.wake.notify_waiters();
            Box::pin(async {})
        }));
        // Opening races with a local close(): only move forward from CONNECTING.
        if !self.core.lifecycle.open() {
            let rtc = Arc::clone(&self.rtc);
            let forget = self.forget.clone();
            tokio::spawn(async move {
                let _ = rtc.close().await;
                forget.now().await;
            });
            return;
        }
        tokio::spawn(write_loop(
            Arc::clone(&self.core),
            Arc::clone(&self.rtc),
            Arc::clone(&raw),
            rx,
        ));
        tokio::spawn(read_loop(
            Arc::clone(&self.core),
            Arc::downgrade(&self),
            raw,
            Arc::clone(&self.inbox_room),
            self.forget.clone(),
        ));
    }

    pub fn label(&self) -> &str {
        &self.core.label
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

    /// The largest message `send` takes: the smaller of the remote's
    /// `a=max-message-size` and ours, known once the channel is open.
    pub fn max_message_size(&self) -> usize {
        self.raw
            .get()
            .map_or(DEFAULT_REMOTE_MAX_MESSAGE_SIZE, |raw| {
                (raw.config.max_message_size as usize).min(MAX_MESSAGE_SIZE)
            })
    }

    pub fn state(&self) -> ChannelState {
        self.core.lifecycle.get()
    }

    /// The transport is gone (connection failed or closed): CLOSED at once.
    pub(crate) fn abort(&self) {
        self.core.aborted.store(true, Ordering::SeqCst);
        self.core.finish();
        self.core.wake.notify_waiters();
    }

    /// Bytes handed to `send` that the remote has not yet acknowledged.
    pub fn buffered_amount(&self) -> usize {
        if self.state() == ChannelState::Closed {
            return 0;
        }
        // The vendored webrtc-sctp leaves DCEP control messages out of this.
        let in_sctp = self.raw.get().map_or(0, |raw| raw.buffered_amount());
        self.core.queued_bytes.load(Ordering::SeqCst) + in_sctp
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
            retransmissions: raw.map_or(0, |r| r.retransmissions()),
            buffered_amount: self.buffered_amount(),
            max_message_size: self.max_message_size(),
            ordered: self.is_ordered(),
            max_retransmits: self.max_retransmits(),
            max_packet_life_time: self.max_packet_life_time(),
        }
    }

    /// Queues one message. Refused at once (nothing queued) when the channel
    /// is not open, the message is over the negotiated limit, or
    /// [`MAX_BUFFERED_BYTES`] would be exceeded.
    pub fn send(&self, data: &[u8], is_string: bool) -> Result<()> {
        if self.state() != ChannelState::Open {
            return Err(Error::invalid_state("data channel is not open"));
        }
        let limit = self.max_message_size();
        if data.len() > limit {
            return Err(Error::invalid_parameter(format!(
                "message of {} bytes is larger than {limit} bytes, the most this connection allows \
                 (the smaller of the remote's a=max-message-size, {DEFAULT_REMOTE_MAX_MESSAGE_SIZE} if it names none, and our {MAX_MESSAGE_SIZE})",
                data.len()
            )));
        }
        let buffered = self.buffered_amount();
        if buffered + data.len() > MAX_BUFFERED_BYTES {
            return Err(Error::new(
                ErrorKind::Full,
                format!(
                    "data channel '{}' already has {buffered} bytes waiting for the remote; a message of {} \
                     would pass the {MAX_BUFFERED_BYTES}-byte limit (send when get_buffered_amount() is lower)",
                    self.label(),
                    data.len()
                ),
            ));
        }
        self.core
            .queued_bytes
            .fetch_add(data.len(), Ordering::SeqCst);
        let command = Command::Send {
            data: Bytes::copy_from_slice(data),
            is_string,
        };
        self.outbox.send(command).map_err(|_| {
            self.core.queued_bytes.store(0, Ordering::SeqCst);
            Error::invalid_state("data channel is closed")
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

    /// Starts closing: what was queued is still sent; once the remote has
    /// acknowledged it, the stream is reset (the remote's end closes after it
    /// has received everything) and this end reaches CLOSED. The remote
    /// reading queued messages after our reset, and its reset answered when
    /// it closes first, rely on vendor/webrtc-sctp/PATCHED.md 5 and 6.
    pub fn close(&self) {
        match self.core.lifecycle.begin_close() {
            CloseStart::AlreadyClosing => {}
            CloseStart::Abandon => {
                let rtc = Arc::clone(&self.rtc);
                self.runtime.spawn(async move { rtc.close().await });
            }
            CloseStart::Drain => {
                self.core.draining.store(true, Ordering::SeqCst);
                if self.outbox.send(Command::Close).is_err() {
                    // The write loop already ended (it failed): nothing to send.
                    self.core.set_drained();
                    self.core.lifecycle.finish_close();
                    let rtc = Arc::clone(&self.rtc);
                    self.runtime.spawn(async move { rtc.close().await });
                }
            }
        }
    }

    /// `close` as part of closing the connection: CLOSED at once for the
    /// engine, while the write loop still delivers what was queued.
    pub(crate) fn close_with_connection(&self) {
        self.close();
        self.core.lifecycle.finish_close();
    }

    /// Resolves once what was queued before `close` has been delivered, or
    /// delivery gave up, at once if there is nothing to deliver (used to close
    /// the connection only after that).
    pub(crate) fn drained(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let core = Arc::clone(&self.core);
        async move {
            loop {
                let notified = core.drained.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if !core.draining.load(Ordering::SeqCst) {
                    return;
                }
                notified.await;
            }
        }
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.inbox_room.notify_one();
        self.close();
    }
}

/// Closes the channel if a loop panics, instead of leaving it OPEN and silent.
struct PanicGuard(Arc<Core>, &'static str);

impl Drop for PanicGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0
                .fail(&format!("internal error in its {} (a panic)", self.1));
            self.0.set_drained();
        }
    }
}

async fn write_loop(
    core: Arc<Core>,
    rtc: Arc<RTCDataChannel>,
    raw: Arc<RawChannel>,
    mut outbox: mpsc::UnboundedReceiver<Command>,
) {
    let _guard = PanicGuard(Arc::clone(&core), "write loop");
    while let Some(command) = outbox.recv().await {
        match command {
            Command::Send { data, is_string } => {
                let result = raw.write_data_channel(&data, is_string).await;
                core.queued_bytes.fetch_sub(data.len(), Ordering::SeqCst);
                if let Err(e) = result {
                    if !core.aborted.load(Ordering::SeqCst) {
                        core.fail(&format!(
                            "could not send a message of {} bytes: {e}",
                            data.len()
                        ));
                    }
                    break;
                }
            }
            Command::Close => {
                drain(&core, &raw).await;
                break;
            }
        }
    }
    // Nothing more goes out: later sends fail instead of queueing forever.
    outbox.close();
    core.queued_bytes.store(0, Ordering::SeqCst);
    let _ = rtc.close().await;
    core.lifecycle.finish_close();
    core.set_drained();
}

/// Waits until the remote has acknowledged everything sent on this channel
/// (or the transport is gone, or [`CLOSE_DRAIN_LIMIT`] passes).
async fn drain(core: &Core, raw: &RawChannel) {
    let deadline = tokio::time::Instant::now() + CLOSE_DRAIN_LIMIT;
    loop {
        let woken = core.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if raw.buffered_amount() == 0
            || core.aborted.load(Ordering::SeqCst)
            || core.remote_closed.load(Ordering::SeqCst)
        {
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            log_warning(&format!(
                "data channel '{}': {} bytes still unacknowledged {CLOSE_DRAIN_LIMIT:?} after close(); closing anyway",
                core.label,
                raw.buffered_amount()
            ));
            return;
        }
        let _ = tokio::time::timeout(DRAIN_RECHECK, woken).await;
    }
}

async fn read_loop(
    core: Arc<Core>,
    channel_ref: Weak<Channel>,
    raw: Arc<RawChannel>,
    inbox_room: Arc<Notify>,
    forget: Forget,
) {
    let _guard = PanicGuard(Arc::clone(&core), "read loop");
    if read_to_end(&core, &channel_ref, &raw, &inbox_room).await {
        core.remote_closed.store(true, Ordering::SeqCst);
        core.wake.notify_waiters();
        core.lifecycle.finish_close();
    }
    // The remote reset its end (ours is reset on close): the stream is gone.
    forget.now().await;
}

/// Moves messages into the channel's inbox until the remote resets the stream
/// or reading fails (true), or the remote sent too large a message (false).
/// Once the script dropped the channel, what arrives is read and dropped, so
/// the stream still ends with the remote's reset (see [`Forget`]).
async fn read_to_end(
    core: &Core,
    channel_ref: &Weak<Channel>,
    raw: &RawChannel,
    inbox_room: &Notify,
) -> bool {
    let mut buf = vec![0u8; INITIAL_READ_BUFFER];
    loop {
        let received_before = raw.messages_received();
        let result = raw.read_data_channel(&mut buf).await;
        match result {
            // An empty message counts as received; end of stream does not.
            Ok((0, false)) if raw.messages_received() == received_before => return true,
            Ok((n, is_string)) => {
                let Some(channel) = channel_ref.upgrade() else {
                    continue;
                };
                let packet = Packet {
                    data: buf[..n].to_vec(),
                    is_string,
                };
                // Back to a small buffer once large messages stop coming.
                if buf.len() > INITIAL_READ_BUFFER && n <= INITIAL_READ_BUFFER {
                    buf = vec![0u8; INITIAL_READ_BUFFER];
                }
                if channel.push_packet(packet) {
                    drop(channel);
                    // Back-pressure: stop reading until the game drains the inbox.
                    loop {
                        inbox_room.notified().await;
                        match channel_ref.upgrade() {
                            Some(c) if c.inbox_full() => {}
                            _ => break,
                        }
                    }
                }
            }
            // The vendored webrtc-sctp keeps a message that does not fit and
            // names its size: grow the buffer and read it again.
            Err(webrtc::data::Error::Sctp(webrtc::sctp::Error::ErrShortBuffer { size })) => {
                if size > MAX_MESSAGE_SIZE {
                    core.fail(&format!(
                        "the remote sent a message of {size} bytes, more than the {MAX_MESSAGE_SIZE} we accept"
                    ));
                    let _ = raw.close().await;
                    return false;
                }
                buf.resize(size, 0);
            }
            Err(e) => {
                core.fail(&format!("could not receive: {e}"));
                return true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_core() -> Arc<Core> {
        let core = Arc::new(Core::new("t".to_owned()));
        assert!(core.lifecycle.open());
        core
    }

    #[test]
    fn a_panicking_loop_closes_its_channel() {
        let core = open_core();
        core.queued_bytes.store(100, Ordering::SeqCst);
        core.draining.store(true, Ordering::SeqCst);
        let in_task = Arc::clone(&core);
        let result = std::thread::spawn(move || {
            let _guard = PanicGuard(in_task, "write loop");
            panic!("boom");
        })
        .join();
        assert!(result.is_err(), "the loop panicked");
        assert_eq!(core.lifecycle.get(), ChannelState::Closed);
        assert_eq!(core.queued_bytes.load(Ordering::SeqCst), 0);
        assert!(
            !core.draining.load(Ordering::SeqCst),
            "a close waiting on it is released"
        );
    }

    #[test]
    fn a_loop_ending_normally_leaves_the_channel_alone() {
        let core = open_core();
        drop(PanicGuard(Arc::clone(&core), "read loop"));
        assert_eq!(core.lifecycle.get(), ChannelState::Open);
    }
}
