//! State enums, numbered exactly like Godot's so the adapter converts with `as i32`.

use webrtc::data_channel::data_channel_state::RTCDataChannelState;
use webrtc::ice_transport::ice_gathering_state::RTCIceGatheringState;
use webrtc::peer_connection::peer_connection_state::RTCPeerConnectionState;
use webrtc::peer_connection::signaling_state::RTCSignalingState;

/// `WebRTCPeerConnection.ConnectionState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ConnectionState {
    New = 0,
    Connecting = 1,
    Connected = 2,
    Disconnected = 3,
    Failed = 4,
    Closed = 5,
}

impl From<RTCPeerConnectionState> for ConnectionState {
    fn from(s: RTCPeerConnectionState) -> Self {
        match s {
            RTCPeerConnectionState::Unspecified | RTCPeerConnectionState::New => Self::New,
            RTCPeerConnectionState::Connecting => Self::Connecting,
            RTCPeerConnectionState::Connected => Self::Connected,
            RTCPeerConnectionState::Disconnected => Self::Disconnected,
            RTCPeerConnectionState::Failed => Self::Failed,
            RTCPeerConnectionState::Closed => Self::Closed,
        }
    }
}

/// `WebRTCPeerConnection.GatheringState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum GatheringState {
    New = 0,
    Gathering = 1,
    Complete = 2,
}

impl From<RTCIceGatheringState> for GatheringState {
    fn from(s: RTCIceGatheringState) -> Self {
        match s {
            RTCIceGatheringState::Unspecified | RTCIceGatheringState::New => Self::New,
            RTCIceGatheringState::Gathering => Self::Gathering,
            RTCIceGatheringState::Complete => Self::Complete,
        }
    }
}

/// `WebRTCPeerConnection.SignalingState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum SignalingState {
    Stable = 0,
    HaveLocalOffer = 1,
    HaveRemoteOffer = 2,
    HaveLocalPranswer = 3,
    HaveRemotePranswer = 4,
    Closed = 5,
}

impl From<RTCSignalingState> for SignalingState {
    fn from(s: RTCSignalingState) -> Self {
        match s {
            RTCSignalingState::Unspecified | RTCSignalingState::Stable => Self::Stable,
            RTCSignalingState::HaveLocalOffer => Self::HaveLocalOffer,
            RTCSignalingState::HaveRemoteOffer => Self::HaveRemoteOffer,
            RTCSignalingState::HaveLocalPranswer => Self::HaveLocalPranswer,
            RTCSignalingState::HaveRemotePranswer => Self::HaveRemotePranswer,
            RTCSignalingState::Closed => Self::Closed,
        }
    }
}

/// `WebRTCDataChannel.ChannelState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ChannelState {
    Connecting = 0,
    Open = 1,
    Closing = 2,
    Closed = 3,
}

impl ChannelState {
    pub(crate) fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Connecting,
            1 => Self::Open,
            2 => Self::Closing,
            _ => Self::Closed,
        }
    }
}

impl From<RTCDataChannelState> for ChannelState {
    fn from(s: RTCDataChannelState) -> Self {
        match s {
            RTCDataChannelState::Unspecified | RTCDataChannelState::Connecting => Self::Connecting,
            RTCDataChannelState::Open => Self::Open,
            RTCDataChannelState::Closing => Self::Closing,
            RTCDataChannelState::Closed => Self::Closed,
        }
    }
}
