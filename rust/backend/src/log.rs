//! Messages for the engine's log: our own errors from worker threads, and
//! webrtc-rs's own `log` records at the level the user asks for (environment
//! variable `WEBRTC_RS_LOG` = off, error (default), warn, info, debug or trace;
//! webrtc-rs warns about routine events, such as interfaces it cannot bind).
//!
//! Bounded and rate-limited, so a flood (say, a peer sending garbage that
//! webrtc-rs warns about per packet) can neither spam the log nor grow memory:
//! the surplus is counted and reported as one line.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender};

const CAPACITY: usize = 256;
/// Messages let through per second; the rest are counted, not shown.
const PER_SECOND: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogMessage {
    pub level: Level,
    pub text: String,
}

static QUEUE: OnceLock<(Sender<LogMessage>, Receiver<LogMessage>)> = OnceLock::new();
static SUPPRESSED: AtomicUsize = AtomicUsize::new(0);
static WINDOW: Mutex<Option<(Instant, u32)>> = Mutex::new(None);
static LAST_SUMMARY: Mutex<Option<Instant>> = Mutex::new(None);

fn queue() -> &'static (Sender<LogMessage>, Receiver<LogMessage>) {
    QUEUE.get_or_init(|| bounded(CAPACITY))
}

fn within_rate() -> bool {
    let mut window = WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    match window.as_mut() {
        Some((start, count)) if now.duration_since(*start) < Duration::from_secs(1) => {
            *count += 1;
            *count <= PER_SECOND
        }
        _ => {
            *window = Some((now, 1));
            true
        }
    }
}

fn push(level: Level, text: String) {
    if !within_rate() || queue().0.try_send(LogMessage { level, text }).is_err() {
        SUPPRESSED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Records an error that happened off the main thread.
pub fn log_error(message: &str) {
    push(Level::Error, message.to_owned());
}

/// Records a warning that happened off the main thread.
pub fn log_warning(message: &str) {
    push(Level::Warning, message.to_owned());
}

/// Takes every pending message, plus (at most once a second) one line
/// counting those suppressed.
pub fn drain() -> Vec<LogMessage> {
    let mut messages: Vec<LogMessage> = queue().1.try_iter().collect();
    let mut last = LAST_SUMMARY.lock().unwrap_or_else(|e| e.into_inner());
    let due = last.is_none_or(|at| at.elapsed() >= Duration::from_secs(1));
    if due && SUPPRESSED.load(Ordering::Relaxed) > 0 {
        *last = Some(Instant::now());
        let suppressed = SUPPRESSED.swap(0, Ordering::Relaxed);
        messages.push(LogMessage {
            level: Level::Warning,
            text: format!("{suppressed} more webrtc messages were not shown (rate limit)"),
        });
    }
    messages
}

struct Forwarder;

impl log::Log for Forwarder {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            log::Level::Error => Level::Error,
            log::Level::Warn => Level::Warning,
            _ => Level::Info,
        };
        push(level, format!("{}: {}", record.target(), record.args()));
    }

    fn flush(&self) {}
}

/// Parses a level name (`off`, `error`, `warn`/`warning`, `info`, `debug`, `trace`).
fn parse_level(value: &str) -> Option<log::LevelFilter> {
    match value.trim().to_ascii_lowercase().as_str() {
        "off" => Some(log::LevelFilter::Off),
        "error" => Some(log::LevelFilter::Error),
        "warn" | "warning" => Some(log::LevelFilter::Warn),
        "info" => Some(log::LevelFilter::Info),
        "debug" => Some(log::LevelFilter::Debug),
        "trace" => Some(log::LevelFilter::Trace),
        _ => None,
    }
}

/// Parses a `WEBRTC_RS_LOG` value; unknown values fall back to errors only.
pub fn level_from_setting(value: Option<&str>) -> log::LevelFilter {
    value
        .and_then(parse_level)
        .unwrap_or(log::LevelFilter::Error)
}

/// Routes webrtc-rs's `log` records here, at the level the environment
/// variable `WEBRTC_RS_LOG` asks for, or else `project_setting` (the engine's
/// `webrtc_rs/log_level`). Does nothing if another logger is already installed.
/// Returns a warning to show when the level in use is not a level name.
pub fn install_forwarder(project_setting: Option<&str>) -> Option<String> {
    let env = std::env::var("WEBRTC_RS_LOG").ok();
    let (value, source) = match env.as_deref() {
        Some(value) => (Some(value), "the environment variable WEBRTC_RS_LOG"),
        None => (project_setting, "the project setting webrtc_rs/log_level"),
    };
    if log::set_logger(&Forwarder).is_ok() {
        log::set_max_level(level_from_setting(value));
    }
    let value = value?;
    parse_level(value).is_none().then(|| {
        format!(
            "webrtc-rs: unknown log level '{value}' in {source} (use off, error, warn, info, debug or trace): logging errors only"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_with_a_safe_default() {
        assert_eq!(level_from_setting(Some("DEBUG")), log::LevelFilter::Debug);
        assert_eq!(level_from_setting(Some("off")), log::LevelFilter::Off);
        assert_eq!(level_from_setting(Some("warn")), log::LevelFilter::Warn);
        assert_eq!(
            level_from_setting(Some("nonsense")),
            log::LevelFilter::Error
        );
        assert_eq!(level_from_setting(None), log::LevelFilter::Error);
    }

    #[test]
    fn a_flood_is_rate_limited_and_counted() {
        for i in 0..1000 {
            log_error(&format!("error {i}"));
        }
        let messages = drain();
        let shown = messages.iter().filter(|m| m.level == Level::Error).count();
        assert!(shown <= PER_SECOND as usize, "{shown} shown");
        let summary = messages.last().expect("summary line");
        assert!(summary.text.contains("not shown"), "{}", summary.text);
        log_error("one more, within the same second");
        let again = drain();
        assert!(
            again.iter().all(|m| !m.text.contains("not shown")),
            "at most one summary a second: {again:?}"
        );
    }
}
