//! A snapshot of one connection's transport state and traffic, for scripts
//! (the adapter exposes it as `get_stats()`). webrtc-rs 0.17 keeps no RTT or
//! byte counters for candidate pairs, so traffic is counted per channel.

use std::sync::Arc;

use webrtc::ice_transport::ice_candidate::RTCIceCandidate;
use webrtc::peer_connection::RTCPeerConnection;

use crate::channel::Channel;
use crate::state::ChannelState;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandidateInfo {
    /// "host", "srflx", "prflx" or "relay".
    pub kind: String,
    pub address: String,
    pub port: u16,
    pub protocol: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChannelStats {
    pub label: String,
    pub id: u16,
    pub state: ChannelState,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    pub messages_sent: usize,
    pub messages_received: usize,
    pub buffered_amount: usize,
    /// The largest message `send` takes on this channel (see `Channel::max_message_size`).
    pub max_message_size: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeerStats {
    pub ice_state: String,
    pub dtls_state: String,
    pub sctp_state: String,
    pub local_candidate: Option<CandidateInfo>,
    pub remote_candidate: Option<CandidateInfo>,
    pub channels: Vec<ChannelStats>,
}

fn candidate_info(candidate: &RTCIceCandidate) -> CandidateInfo {
    CandidateInfo {
        kind: candidate.typ.to_string(),
        address: candidate.address.clone(),
        port: candidate.port,
        protocol: candidate.protocol.to_string(),
    }
}

pub(crate) async fn collect(pc: &RTCPeerConnection, channels: &[Arc<Channel>]) -> PeerStats {
    let sctp = pc.sctp();
    let dtls = sctp.transport();
    let mut stats = PeerStats {
        ice_state: pc.ice_connection_state().to_string(),
        dtls_state: dtls.state().to_string(),
        sctp_state: sctp.state().to_string(),
        ..PeerStats::default()
    };
    if let Some(pair) = dtls.ice_transport().get_selected_candidate_pair().await {
        stats.local_candidate = Some(candidate_info(&pair.local));
        stats.remote_candidate = Some(candidate_info(&pair.remote));
    }
    stats.channels = channels.iter().map(|c| c.stats()).collect();
    stats
}
