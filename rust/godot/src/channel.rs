//! `WebRTCDataChannel` for Godot: a thin adapter over the backend's `Channel`.
//! Packets and state come straight from the backend, so they are visible
//! without polling the channel (WebRTCMultiplayerPeer never polls it).

use std::sync::Arc;

use godot::classes::web_rtc_data_channel::{ChannelState, WriteMode};
use godot::classes::{IWebRtcDataChannelExtension, WebRtcDataChannelExtension};
use godot::global::Error as GodotError;
use godot::meta::conv::RawPtr;
use godot::prelude::*;
use webrtc_rs_backend::{catch_panic, Channel, ErrorKind, Packet, DEFAULT_REMOTE_MAX_MESSAGE_SIZE};

use crate::convert::report;

/// A data channel of godot-webrtc-rs, returned by `create_data_channel()` and
/// `data_channel_received`. Use it exactly as Godot documents `WebRTCDataChannel`. Messages may be
/// as large as the remote accepts (its `a=max-message-size`, 65536 if it names none), up to 262144
/// bytes; `get_max_packet_size()` tells the limit once the channel is open. At most 16 MiB may wait
/// for the remote: pace sends with `get_buffered_amount()`.
#[derive(GodotClass)]
#[class(tool, base = WebRtcDataChannelExtension, rename = WebRTCRsDataChannel)]
pub struct WebRtcRsDataChannel {
    base: Base<WebRtcDataChannelExtension>,
    /// None only for an instance a script created by hand (it stays CLOSED).
    channel: Option<Arc<Channel>>,
    write_mode: WriteMode,
    /// The packet last handed to Godot; its buffer must live until the next call.
    current: Option<Packet>,
}

impl WebRtcRsDataChannel {
    pub fn wrap(channel: Arc<Channel>) -> Gd<Self> {
        Gd::from_init_fn(|base| Self {
            base,
            channel: Some(channel),
            write_mode: WriteMode::BINARY,
            current: None,
        })
    }
}

#[godot_api]
impl IWebRtcDataChannelExtension for WebRtcRsDataChannel {
    fn init(base: Base<WebRtcDataChannelExtension>) -> Self {
        Self {
            base,
            channel: None,
            write_mode: WriteMode::BINARY,
            current: None,
        }
    }

    unsafe fn get_packet_rawptr(
        &mut self,
        r_buffer: RawPtr<*mut RawPtr<*const u8>>,
        r_buffer_size: RawPtr<*mut i32>,
    ) -> GodotError {
        let Some(packet) = self.channel.as_ref().and_then(|c| c.pop_packet()) else {
            return GodotError::ERR_UNAVAILABLE;
        };
        let packet = self.current.insert(packet);
        // SAFETY: Godot passes valid out-pointers for the buffer address and its
        // size; the buffer is `self.current`, which lives until the next call.
        unsafe {
            *(r_buffer.ptr() as *mut *const u8) = packet.data.as_ptr();
            *r_buffer_size.ptr() = packet.data.len() as i32;
        }
        GodotError::OK
    }

    unsafe fn put_packet_rawptr(&mut self, buffer: RawPtr<*const u8>, size: i32) -> GodotError {
        let Some(channel) = self.channel.as_ref() else {
            return GodotError::ERR_UNAVAILABLE;
        };
        let data: &[u8] = match usize::try_from(size) {
            Ok(0) => &[],
            Ok(len) if !buffer.ptr().is_null() => {
                // SAFETY: Godot passes a buffer of `size` readable bytes that stays
                // valid for the duration of this call; we copy it before returning.
                unsafe { std::slice::from_raw_parts(buffer.ptr(), len) }
            }
            _ => return GodotError::ERR_INVALID_PARAMETER,
        };
        let is_string = self.write_mode == WriteMode::TEXT;
        match catch_panic("put_packet", || channel.send(data, is_string)) {
            Ok(()) => GodotError::OK,
            // Not open yet (or any more): no log, WebRTCMultiplayerPeer
            // broadcasts to peers that are still connecting.
            Err(e) if e.kind == ErrorKind::InvalidState => GodotError::ERR_UNAVAILABLE,
            Err(e) => report("put_packet", &e),
        }
    }

    fn get_available_packet_count(&self) -> i32 {
        self.channel
            .as_ref()
            .map_or(0, |c| c.available_packets().min(i32::MAX as usize) as i32)
    }

    fn get_max_packet_size(&self) -> i32 {
        self.channel
            .as_ref()
            .map_or(DEFAULT_REMOTE_MAX_MESSAGE_SIZE, |c| c.max_message_size()) as i32
    }

    fn poll(&mut self) -> GodotError {
        GodotError::OK
    }

    fn close(&mut self) {
        if let Some(channel) = self.channel.as_ref() {
            channel.close();
        }
    }

    fn set_write_mode(&mut self, mode: WriteMode) {
        self.write_mode = mode;
    }

    fn get_write_mode(&self) -> WriteMode {
        self.write_mode
    }

    fn was_string_packet(&self) -> bool {
        self.current.as_ref().is_some_and(|p| p.is_string)
    }

    fn get_ready_state(&self) -> ChannelState {
        let state = self
            .channel
            .as_ref()
            .map_or(webrtc_rs_backend::ChannelState::Closed, |c| c.state());
        ChannelState::from_ord(state as i32)
    }

    fn get_label(&self) -> GString {
        self.channel
            .as_ref()
            .map_or_else(GString::new, |c| c.label().into())
    }

    fn is_ordered(&self) -> bool {
        self.channel.as_ref().is_some_and(|c| c.is_ordered())
    }

    fn get_id(&self) -> i32 {
        self.channel.as_ref().map_or(65535, |c| c.id() as i32)
    }

    fn get_max_packet_life_time(&self) -> i32 {
        self.channel
            .as_ref()
            .map_or(65535, |c| c.max_packet_life_time() as i32)
    }

    fn get_max_retransmits(&self) -> i32 {
        self.channel
            .as_ref()
            .map_or(65535, |c| c.max_retransmits() as i32)
    }

    fn get_protocol(&self) -> GString {
        self.channel
            .as_ref()
            .map_or_else(GString::new, |c| c.protocol().into())
    }

    fn is_negotiated(&self) -> bool {
        self.channel.as_ref().is_some_and(|c| c.is_negotiated())
    }

    fn get_buffered_amount(&self) -> i32 {
        self.channel
            .as_ref()
            .map_or(0, |c| c.buffered_amount().min(i32::MAX as usize) as i32)
    }
}

impl Drop for WebRtcRsDataChannel {
    fn drop(&mut self) {
        // A channel that scripts drop is closed (the backend also closes on its
        // last reference, but the peer may still hold one through WebRTC).
        if let Some(channel) = self.channel.take() {
            channel.close();
        }
    }
}
