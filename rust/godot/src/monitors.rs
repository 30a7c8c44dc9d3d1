//! The `WebRTC/` custom monitors (Debugger ▸ Monitors, and
//! `Performance.get_custom_monitor()` for in-game overlays), over every
//! connection of the process. Values come from the backend's monitor
//! sampler: counts now, rates over the last ~0.5 s; reading them is cheap.

use godot::classes::Performance;
use godot::prelude::*;
use webrtc_rs_backend::monitor::{self, MonitorSample};
use webrtc_rs_backend::ConnectionState;

type Read = fn(&MonitorSample) -> f64;

fn count(s: &MonitorSample, state: ConnectionState) -> f64 {
    s.connections[state as usize] as f64
}

/// Monitor ids (category/name) and what each shows.
const MONITORS: &[(&str, Read)] = &[
    ("WebRTC/Connections connected", |s| {
        count(s, ConnectionState::Connected)
    }),
    ("WebRTC/Connections connecting", |s| {
        count(s, ConnectionState::New) + count(s, ConnectionState::Connecting)
    }),
    ("WebRTC/Connections disconnected", |s| {
        count(s, ConnectionState::Disconnected)
    }),
    ("WebRTC/Connections failed", |s| {
        count(s, ConnectionState::Failed)
    }),
    ("WebRTC/Data channels open", |s| s.channels_open as f64),
    ("WebRTC/Bytes sent per s", |s| s.bytes_sent_per_s),
    ("WebRTC/Bytes received per s", |s| s.bytes_received_per_s),
    ("WebRTC/Messages sent per s", |s| s.messages_sent_per_s),
    ("WebRTC/Messages received per s", |s| {
        s.messages_received_per_s
    }),
    ("WebRTC/RTT mean ms", |s| s.rtt_mean_ms),
    ("WebRTC/RTT worst ms", |s| s.rtt_worst_ms),
    ("WebRTC/Retransmissions per s", |s| s.retransmissions_per_s),
];

pub fn register() {
    let mut performance = Performance::singleton();
    for &(id, read) in MONITORS {
        let name = StringName::from(id);
        if !performance.has_custom_monitor(&name) {
            let callable = Callable::from_fn(id, move |_| read(&monitor::sample()));
            performance.add_custom_monitor(&name, &callable);
        }
    }
}

/// Before the library unloads: Godot would otherwise call into freed code.
pub fn unregister() {
    let mut performance = Performance::singleton();
    for &(id, _) in MONITORS {
        let id = StringName::from(id);
        if performance.has_custom_monitor(&id) {
            performance.remove_custom_monitor(&id);
        }
    }
}
