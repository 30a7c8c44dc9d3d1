//! Why a connection failed, in words a game developer can act on. The
//! evidence is collected while the connection runs (candidates each way,
//! whether ICE ever connected, TURN errors, the remote's DTLS certificate);
//! `explain` turns it into one sentence and is testable without sockets.

use sha2::{Digest, Sha256};

/// How many candidates of each type one side had.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CandidateTally {
    host: u32,
    srflx: u32,
    prflx: u32,
    relay: u32,
}

impl CandidateTally {
    /// Counts one candidate of type `kind` ("host", "srflx", "prflx", "relay").
    pub(crate) fn add(&mut self, kind: &str) {
        let slot = match kind {
            "host" => &mut self.host,
            "srflx" => &mut self.srflx,
            "prflx" => &mut self.prflx,
            "relay" => &mut self.relay,
            _ => return,
        };
        *slot = slot.saturating_add(1);
    }

    /// Counts the candidate of an SDP candidate line, if it is one.
    pub(crate) fn add_line(&mut self, line: &str) {
        let mut words = line.split_whitespace();
        if words.any(|w| w == "typ") {
            if let Some(kind) = words.next() {
                self.add(kind);
            }
        }
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// "2 host, 1 relay", or "none".
    fn describe(&self) -> String {
        let parts: Vec<String> = [
            ("host", self.host),
            ("srflx", self.srflx),
            ("prflx", self.prflx),
            ("relay", self.relay),
        ]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
        if parts.is_empty() {
            "none".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// What a connection saw, kept until it fails (or is closed).
#[derive(Debug, Default)]
pub(crate) struct Evidence {
    pub local: CandidateTally,
    pub remote: CandidateTally,
    /// ICE reached connected (or completed) at least once.
    pub ice_connected: bool,
    /// Configured TURN URLs (none: a relay could not have helped).
    pub turn_servers: usize,
    /// `a=fingerprint:sha-256` values of the remote description, lower case.
    pub remote_fingerprints: Vec<String>,
    /// `a=ice-ufrag` of each local description (gathering errors are kept by it).
    pub local_ufrags: Vec<String>,
}

impl Evidence {
    /// Learns the candidates and fingerprints of a remote description.
    pub(crate) fn learn_remote_description(&mut self, sdp: &str) {
        self.remote_fingerprints.clear();
        for line in sdp.lines() {
            if let Some(candidate) = line.strip_prefix("a=candidate:") {
                self.remote.add_line(candidate);
            } else if let Some(fp) = line.strip_prefix("a=fingerprint:sha-256 ") {
                self.remote_fingerprints
                    .push(fp.trim().to_ascii_lowercase());
            }
        }
    }

    /// Learns the ICE username fragment of a local description.
    pub(crate) fn learn_local_description(&mut self, sdp: &str) {
        let ufrag = sdp
            .lines()
            .find_map(|line| line.strip_prefix("a=ice-ufrag:"))
            .map(str::trim);
        if let Some(ufrag) = ufrag {
            if !self.local_ufrags.iter().any(|u| u == ufrag) {
                self.local_ufrags.push(ufrag.to_owned());
            }
        }
    }
}

/// The DTLS side of a failure.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Dtls {
    /// DTLS did not fail (ICE did).
    NotFailed,
    /// DTLS failed; `certificate` is the remote certificate's DER, if the
    /// handshake got that far.
    Failed { certificate: Vec<u8> },
}

/// "ab:cd:..." (lower case), as `a=fingerprint:sha-256` writes it.
pub(crate) fn sha256_fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// One sentence saying why the connection failed. `turn_errors` are what
/// gathering recorded for this connection (unreachable server, 401, ...).
pub(crate) fn explain(evidence: &Evidence, dtls: &Dtls, turn_errors: &[String]) -> String {
    if let Dtls::Failed { certificate } = dtls {
        if !certificate.is_empty() {
            let actual = sha256_fingerprint(certificate);
            if !evidence.remote_fingerprints.contains(&actual) {
                return format!(
                    "the DTLS fingerprint did not match: the remote's certificate is sha-256 {actual}, \
                     its description announced {} (the description was altered on the way, or belongs to another connection)",
                    if evidence.remote_fingerprints.is_empty() {
                        "none".to_owned()
                    } else {
                        evidence.remote_fingerprints.join(" or ")
                    }
                );
            }
        }
        return "the DTLS handshake failed after ICE connected".to_owned();
    }
    if evidence.ice_connected {
        return "consent lost: the remote stopped answering ICE checks after the connection was up \
                (the network path broke, or the remote went away without closing)"
            .to_owned();
    }
    let mut reason = format!(
        "no candidate pair succeeded (local candidates: {}; remote candidates: {})",
        evidence.local.describe(),
        evidence.remote.describe()
    );
    for error in turn_errors {
        reason.push_str("; ");
        reason.push_str(error);
    }
    // With candidates of our own but none from the remote, signaling is the
    // usual culprit (with none of our own, the errors above say why).
    if evidence.remote.is_empty() && !evidence.local.is_empty() {
        reason.push_str(
            "; no remote candidate arrived: pass every ice_candidate_created of the other peer to this one's add_ice_candidate",
        );
    }
    if evidence.turn_servers == 0 && evidence.local.relay == 0 && evidence.remote.relay == 0 {
        reason.push_str("; neither side had a relay candidate: add a TURN server for peers behind symmetric NATs or firewalls");
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(local: &[&str], remote: &[&str]) -> Evidence {
        let mut e = Evidence::default();
        local.iter().for_each(|k| e.local.add(k));
        remote.iter().for_each(|k| e.remote.add(k));
        e
    }

    #[test]
    fn no_pair_names_the_candidates_tried_and_the_turn_errors() {
        let mut e = evidence(&["host", "host", "srflx"], &["relay"]);
        e.turn_servers = 1;
        let errors = ["TURN server 'turn:h:3478?transport=udp': allocation failed: 401".to_owned()];
        let reason = explain(&e, &Dtls::NotFailed, &errors);
        assert!(reason.starts_with("no candidate pair succeeded (local candidates: 2 host, 1 srflx; remote candidates: 1 relay)"), "{reason}");
        assert!(reason.contains("allocation failed: 401"), "{reason}");
        assert!(!reason.contains("add a TURN server"), "{reason}");
    }

    #[test]
    fn missing_remote_candidates_and_relays_are_pointed_out() {
        let reason = explain(&evidence(&["host"], &[]), &Dtls::NotFailed, &[]);
        assert!(reason.contains("remote candidates: none"), "{reason}");
        assert!(reason.contains("add_ice_candidate"), "{reason}");
        assert!(reason.contains("add a TURN server"), "{reason}");
    }

    #[test]
    fn no_signaling_hint_when_we_had_no_candidates_either() {
        let errors = ["TURN server 'turns:h:443?transport=tcp' unreachable: refused".to_owned()];
        let reason = explain(&evidence(&[], &[]), &Dtls::NotFailed, &errors);
        assert!(reason.contains("unreachable: refused"), "{reason}");
        assert!(!reason.contains("add_ice_candidate"), "{reason}");
    }

    #[test]
    fn consent_lost_after_connecting() {
        let mut e = evidence(&["host"], &["host"]);
        e.ice_connected = true;
        assert!(explain(&e, &Dtls::NotFailed, &[]).starts_with("consent lost"));
    }

    #[test]
    fn a_certificate_that_does_not_match_the_fingerprint_is_named() {
        let certificate = b"not really DER".to_vec();
        let mut e = evidence(&["host"], &["host"]);
        e.ice_connected = true;
        e.learn_remote_description("v=0\r\na=fingerprint:sha-256 AA:BB\r\n");
        let reason = explain(
            &e,
            &Dtls::Failed {
                certificate: certificate.clone(),
            },
            &[],
        );
        assert!(
            reason.starts_with("the DTLS fingerprint did not match"),
            "{reason}"
        );
        assert!(
            reason.contains(&sha256_fingerprint(&certificate)),
            "{reason}"
        );
        assert!(reason.contains("announced aa:bb"), "{reason}");
        // The right fingerprint: DTLS failed for another reason.
        let line = format!(
            "a=fingerprint:sha-256 {}\r\n",
            sha256_fingerprint(&certificate).to_uppercase()
        );
        e.learn_remote_description(&line);
        let reason = explain(&e, &Dtls::Failed { certificate }, &[]);
        assert_eq!(reason, "the DTLS handshake failed after ICE connected");
    }

    #[test]
    fn descriptions_teach_candidates_and_ufrags() {
        let mut e = Evidence::default();
        e.learn_remote_description(
            "v=0\r\na=candidate:1 1 udp 2130706431 10.0.0.1 5000 typ host\r\na=candidate:2 1 udp 1 1.2.3.4 6000 typ relay raddr 0.0.0.0 rport 0\r\n",
        );
        assert_eq!(e.remote.describe(), "1 host, 1 relay");
        e.learn_local_description("v=0\r\na=ice-ufrag:abcd\r\n");
        e.learn_local_description("v=0\r\na=ice-ufrag:abcd\r\n");
        assert_eq!(e.local_ufrags, vec!["abcd".to_owned()]);
        let mut t = CandidateTally::default();
        t.add_line("1 1 udp 1 1.2.3.4 6000 typ srflx raddr 0.0.0.0 rport 0");
        t.add_line("garbage");
        assert_eq!(t.describe(), "1 srflx");
    }
}
