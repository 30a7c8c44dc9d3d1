//! Errors the backend reports to its caller. Each kind maps to one Godot `Error`
//! code in the adapter; the message is shown to the user through `push_error`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A user-supplied argument (config key, option, type string) is wrong.
    InvalidParameter,
    /// Peer-supplied content (SDP, ICE candidate) could not be parsed.
    InvalidData,
    /// The call is not allowed in the current state (closed peer, channel not open, …).
    InvalidState,
    /// webrtc-rs failed to do what was asked.
    Failed,
    /// The operation did not finish in time.
    Timeout,
    /// A queue is at its limit; try again once it has drained.
    Full,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }
    pub fn invalid_data(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidData, message)
    }
    pub fn invalid_state(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidState, message)
    }
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Failed, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
