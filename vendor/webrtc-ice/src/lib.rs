#![warn(rust_2018_idioms)]
#![allow(dead_code)]

pub mod agent;
pub mod candidate;
pub mod control;
mod error;
pub mod external_ip_mapper;
// godot-webrtc-rs patch 3: TURN errors per agent.
pub mod gather_errors;
pub mod mdns;
pub mod network_type;
pub mod priority;
pub mod rand;
pub mod state;
pub mod stats;
pub mod tcp_type;
// godot-webrtc-rs patch 2: TURN over TCP and TLS.
pub mod turn_stream;
pub mod udp_mux;
pub mod udp_network;
pub mod url;
pub mod use_candidate;
pub mod util;

pub use error::Error;
