//! Session descriptions and ICE candidates coming from signaling: parsed and
//! checked before they reach webrtc-rs, so bad input gets a precise message.

use webrtc::ice::candidate::candidate_base::unmarshal_candidate;
use webrtc::peer_connection::sdp::session_description::RTCSessionDescription;

use crate::error::{Error, Result};

/// Larger descriptions are refused outright (real ones are a few KiB).
pub const MAX_SDP_BYTES: usize = 256 * 1024;
/// Larger candidate lines are refused outright (real ones are ~100 bytes).
pub const MAX_CANDIDATE_BYTES: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdpKind {
    Offer,
    Answer,
    Pranswer,
}

impl SdpKind {
    pub fn parse(kind: &str) -> Result<Self> {
        match kind {
            "offer" => Ok(Self::Offer),
            "answer" => Ok(Self::Answer),
            "pranswer" => Ok(Self::Pranswer),
            other => Err(Error::invalid_parameter(format!(
                "unknown session description type '{}' (expected \"offer\", \"answer\" or \"pranswer\")",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Answer => "answer",
            Self::Pranswer => "pranswer",
        }
    }
}

/// A description checked by us, with the media sections we care about.
pub struct Description {
    pub rtc: RTCSessionDescription,
    /// `(media kind, a=mid)` of each m-line, in order.
    pub media: Vec<(String, Option<String>)>,
}

impl Description {
    /// The `a=mid` of the first media section: with BUNDLE every candidate belongs to it.
    pub fn first_mid(&self) -> Option<&str> {
        self.media.first().and_then(|(_, mid)| mid.as_deref())
    }
}

/// Parses `sdp` as a description of `kind`, refusing oversized or malformed text.
pub fn parse_description(kind: SdpKind, sdp: &str) -> Result<Description> {
    if sdp.len() > MAX_SDP_BYTES {
        return Err(Error::invalid_data(format!(
            "session description is {} bytes, more than the {MAX_SDP_BYTES} allowed",
            sdp.len()
        )));
    }
    if !sdp.starts_with("v=0") {
        return Err(Error::invalid_data(
            "malformed session description: it must start with \"v=0\"",
        ));
    }
    let sdp = sdp.to_owned();
    let parsed = match kind {
        SdpKind::Offer => RTCSessionDescription::offer(sdp),
        SdpKind::Answer => RTCSessionDescription::answer(sdp),
        SdpKind::Pranswer => RTCSessionDescription::pranswer(sdp),
    };
    let malformed =
        |e: webrtc::Error| Error::invalid_data(format!("malformed session description: {e}"));
    let rtc = parsed.map_err(malformed)?;
    let media: Vec<(String, Option<String>)> = rtc
        .unmarshal()
        .map_err(malformed)?
        .media_descriptions
        .iter()
        .map(|m| {
            let mid = m
                .attributes
                .iter()
                .find(|a| a.key == "mid")
                .and_then(|a| a.value.clone());
            (m.media_name.media.clone(), mid)
        })
        .collect();
    if !media.iter().any(|(kind, _)| kind == "application") {
        return Err(Error::invalid_data(
            "session description has no data channel (m=application) section; \
             create at least one data channel before create_offer()",
        ));
    }
    Ok(Description { rtc, media })
}

/// `sdp` with `a=max-message-size:<size>` in its data channel section, after
/// `a=sctp-port`, unless it already names one. webrtc-rs writes none, so its
/// peers assume 65536 (RFC 8841 6.1); we announce what we really accept. The
/// attribute only informs the remote, so we apply the unmodified description.
pub fn with_max_message_size(sdp: &str, size: usize) -> String {
    if sdp.contains("a=max-message-size:") {
        return sdp.to_owned();
    }
    let mut out = String::with_capacity(sdp.len() + 32);
    let mut in_application = false;
    for line in sdp.split_inclusive('\n') {
        if line.starts_with("m=") {
            in_application = line.starts_with("m=application");
        }
        out.push_str(line);
        if in_application && line.starts_with("a=sctp-port:") {
            out.push_str(&format!("a=max-message-size:{size}\r\n"));
        }
    }
    out
}

/// Checks an ICE candidate line (with or without the `candidate:` prefix).
/// Returns the line without the prefix; empty means "end of candidates".
pub fn check_candidate(candidate: &str) -> Result<&str> {
    if candidate.len() > MAX_CANDIDATE_BYTES {
        return Err(Error::invalid_data(format!(
            "ICE candidate is {} bytes, more than the {MAX_CANDIDATE_BYTES} allowed",
            candidate.len()
        )));
    }
    let line = candidate.trim();
    let line = line.strip_prefix("a=").unwrap_or(line);
    let line = line.strip_prefix("candidate:").unwrap_or(line);
    if line.is_empty() {
        return Ok(line);
    }
    unmarshal_candidate(line).map_err(|e| {
        Error::invalid_data(format!(
            "malformed ICE candidate '{}': {e}",
            line.chars().take(120).collect::<String>()
        ))
    })?;
    Ok(line)
}

/// A candidate must name a media section of the remote description, by mid or index.
pub(crate) fn check_media_id(remote: &Description, mid: &str, index: i32) -> Result<()> {
    let mids: Vec<&str> = remote
        .media
        .iter()
        .filter_map(|(_, mid)| mid.as_deref())
        .collect();
    let known = if mid.is_empty() {
        index >= 0 && (index as usize) < remote.media.len()
    } else {
        mids.contains(&mid)
    };
    if known {
        Ok(())
    } else {
        Err(Error::invalid_parameter(format!(
            "add_ice_candidate: media id '{}' / index {index} is not in the remote description (known: {mids:?})",
            mid.chars().take(40).collect::<String>()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_kinds() {
        assert_eq!(SdpKind::parse("offer"), Ok(SdpKind::Offer));
        assert!(SdpKind::parse("rollback").is_err());
        assert!(SdpKind::parse("").is_err());
    }

    #[test]
    fn garbage_descriptions_are_invalid_data() {
        for sdp in ["", "hello", "v=0\r\nthis is not sdp", "v=0\u{0}\u{1}\u{2}"] {
            let err = parse_description(SdpKind::Offer, sdp).err().expect(sdp);
            assert_eq!(err.kind, crate::error::ErrorKind::InvalidData, "{sdp:?}");
        }
        let huge = format!("v=0\r\n{}", "a=x\r\n".repeat(100_000));
        assert!(parse_description(SdpKind::Offer, &huge).is_err());
    }

    #[test]
    fn max_message_size_goes_into_the_data_channel_section_once() {
        let sdp = "v=0\r\nm=audio 9 RTP/AVP 0\r\na=sctp-port:1\r\n\
                   m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\na=sctp-port:5000\r\na=x\r\n";
        let out = with_max_message_size(sdp, 262144);
        assert_eq!(
            out,
            sdp.replace(
                "a=sctp-port:5000\r\n",
                "a=sctp-port:5000\r\na=max-message-size:262144\r\n"
            )
        );
        assert_eq!(
            with_max_message_size(&out, 1),
            out,
            "an existing value is kept"
        );
    }

    #[test]
    fn candidates_with_and_without_prefix() {
        let line = "1 1 udp 2130706431 127.0.0.1 50000 typ host";
        assert_eq!(check_candidate(line), Ok(line));
        assert_eq!(check_candidate(&format!("candidate:{line}")), Ok(line));
        assert_eq!(check_candidate(""), Ok(""));
        for bad in [
            "garbage",
            "candidate:1 1 udp",
            "1 1 udp x 127.0.0.1 5 typ host",
        ] {
            assert!(check_candidate(bad).is_err(), "{bad}");
        }
    }
}
