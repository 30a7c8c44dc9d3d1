//! godot-webrtc-rs patch 3: why a TURN server gave no candidate, per agent.
//!
//! Gathering only logged these; an application explaining a failed
//! connection needs them for its own connection. They are kept per local ICE
//! username fragment (which the application reads from its local
//! description) until it takes or forgets them. Bounded: a few messages per
//! fragment, and a cap on fragments nobody collected (oldest dropped).

use std::collections::VecDeque;
use std::sync::Mutex;

/// Messages kept per username fragment.
const PER_AGENT: usize = 8;
/// Fragments kept at once.
const AGENTS: usize = 1024;

static ERRORS: Mutex<VecDeque<(String, Vec<String>)>> = Mutex::new(VecDeque::new());

/// Records `message` for the agent whose local username fragment is `ufrag`.
pub(crate) fn record(ufrag: &str, message: String) {
    let mut errors = ERRORS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, messages)) = errors.iter_mut().find(|(u, _)| u == ufrag) {
        if messages.len() < PER_AGENT {
            messages.push(message);
        }
        return;
    }
    if errors.len() >= AGENTS {
        errors.pop_front();
    }
    errors.push_back((ufrag.to_owned(), vec![message]));
}

/// The messages recorded for `ufrag` so far (they stay recorded).
pub fn errors_for(ufrag: &str) -> Vec<String> {
    let errors = ERRORS.lock().unwrap_or_else(|e| e.into_inner());
    errors
        .iter()
        .find(|(u, _)| u == ufrag)
        .map(|(_, m)| m.clone())
        .unwrap_or_default()
}

/// Drops what was recorded for `ufrag` (its connection is gone).
pub fn forget(ufrag: &str) {
    let mut errors = ERRORS.lock().unwrap_or_else(|e| e.into_inner());
    errors.retain(|(u, _)| u != ufrag);
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn errors_are_kept_per_fragment_bounded_and_forgotten() {
        record("gather-test-a", "one".to_owned());
        record("gather-test-b", "other".to_owned());
        for i in 0..20 {
            record("gather-test-a", format!("more {i}"));
        }
        let a = errors_for("gather-test-a");
        assert_eq!(a.len(), PER_AGENT);
        assert_eq!(a[0], "one");
        assert_eq!(errors_for("gather-test-b"), vec!["other".to_owned()]);
        forget("gather-test-a");
        assert!(errors_for("gather-test-a").is_empty());
        for i in 0..AGENTS + 5 {
            record(&format!("gather-test-many-{i}"), "x".to_owned());
        }
        assert!(ERRORS.lock().unwrap().len() <= AGENTS);
        assert!(
            errors_for("gather-test-many-0").is_empty(),
            "the oldest went first"
        );
        assert_eq!(
            errors_for(&format!("gather-test-many-{}", AGENTS + 4)).len(),
            1
        );
    }
}
