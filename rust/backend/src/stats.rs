//! A snapshot of one connection's transport state and traffic, for scripts
//! (the adapter exposes it as `get_stats()`). Traffic is counted per channel;
//! the round-trip time is the selected pair's latest ICE check (connectivity
//! checks, then a consent check every 2 s: vendored webrtc-ice patch 4);
//! retransmissions are what our side of each channel's SCTP stream sent again
//! (webrtc-sctp patch 14); messages_lost is what the remote gave up on (an
//! unreliable channel's maxRetransmits or maxPacketLifeTime) that never
//! arrived here (webrtc-sctp patch 15): only the receiving side can tell.

use std::sync::Arc;

use webrtc::ice_transport::ice_candidate::RTCIceCandidate;
use webrtc::peer_connection::RTCPeerConnection;
use webrtc::stats::StatsReportType;

use crate::channel::Channel;
use crate::state::ChannelState;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CandidateInfo {
    /// "host", "srflx", "prflx" or "relay".
    pub kind: String,
    pub address: String,
    pub port: u16,
    pub protocol: String,
    /// How a relay candidate of ours reaches its TURN server: "udp", "tcp"
    /// or "tls"; "" otherwise.
    pub relay_protocol: String,
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
    /// DATA chunks of this channel's messages we sent again (timer expiry or
    /// fast retransmit; vendored webrtc-sctp patch 14).
    pub retransmissions: u64,
    pub buffered_amount: usize,
    /// The largest message `send` takes on this channel (see `Channel::max_message_size`).
    pub max_message_size: usize,
    pub ordered: bool,
    /// 65535 when not set (as Godot reports it).
    pub max_retransmits: u16,
    pub max_packet_life_time: u16,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeerStats {
    pub ice_state: String,
    pub dtls_state: String,
    pub sctp_state: String,
    pub local_candidate: Option<CandidateInfo>,
    pub remote_candidate: Option<CandidateInfo>,
    /// The selected pair's latest ICE round trip in milliseconds (0 before one).
    pub rtt_ms: f64,
    /// How many check responses that pair has measured (one per ~2 s once connected).
    pub rtt_samples: u64,
    pub channels: Vec<ChannelStats>,
    /// The sum of the channels' `retransmissions`.
    pub retransmissions: u64,
    /// Unreliable messages the remote abandoned that never arrived here, over
    /// all channels, counted in SCTP DATA chunks: exact for messages of up to
    /// 1163 bytes (one chunk); a larger lost message counts once per missing chunk.
    pub messages_lost: u64,
    /// Why the connection failed ("" unless it has): see failure.rs.
    pub failure_reason: String,
    /// The latest errors of calls on this connection (at most 5, newest last).
    pub last_errors: Vec<String>,
}

fn candidate_info(candidate: &RTCIceCandidate) -> CandidateInfo {
    CandidateInfo {
        kind: candidate.typ.to_string(),
        address: candidate.address.clone(),
        port: candidate.port,
        protocol: candidate.protocol.to_string(),
        relay_protocol: String::new(),
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
        let mut local = candidate_info(&pair.local);
        for report in pc.get_stats().await.reports.values() {
            match report {
                StatsReportType::CandidatePair(p)
                    if p.local_candidate_id == pair.local.stats_id
                        && p.remote_candidate_id == pair.remote.stats_id =>
                {
                    stats.rtt_ms = p.current_round_trip_time * 1000.0;
                    stats.rtt_samples = p.responses_received;
                }
                StatsReportType::LocalCandidate(c) if c.id == pair.local.stats_id => {
                    local.relay_protocol = c.relay_protocol.clone();
                }
                _ => {}
            }
        }
        stats.local_candidate = Some(local);
        stats.remote_candidate = Some(candidate_info(&pair.remote));
    }
    stats.channels = channels.iter().map(|c| c.stats()).collect();
    stats.retransmissions = stats.channels.iter().map(|c| c.retransmissions).sum();
    stats.messages_lost = sctp.abandoned_chunks_lost().await;
    stats
}
