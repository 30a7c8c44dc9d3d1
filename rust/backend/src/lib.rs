//! Engine-agnostic WebRTC backend over webrtc-rs.
//!
//! Everything here is called from one "main" thread (the game engine's) and
//! never blocks on the network; webrtc-rs runs on the tokio runtime in
//! [`runtime`] and reports back through queues that the engine drains.

mod bridge;
pub mod channel;
mod channel_registry;
pub mod config;
pub mod error;
mod events;
mod failure;
mod lifecycle;
pub mod log;
pub mod monitor;
pub mod options;
pub mod panic_guard;
pub mod peer;
pub mod runtime;
pub mod sdp;
pub mod state;
pub mod stats;

pub use channel::{
    Channel, Packet, DEFAULT_REMOTE_MAX_MESSAGE_SIZE, MAX_BUFFERED_BYTES, MAX_INBOX_BYTES,
    MAX_MESSAGE_SIZE,
};
pub use channel_registry::MAX_OPEN_CHANNELS;
pub use config::{parse_peer_config, PeerConfig};
pub use error::{Error, ErrorKind, Result};
pub use panic_guard::catch_panic;
pub use peer::{PeerConnection, PeerEvent};
pub use sdp::SdpKind;
pub use state::{ChannelState, ConnectionState, GatheringState, SignalingState};
pub use stats::{CandidateInfo, ChannelStats, PeerStats};
