//! The simulation engine: pure Rust, no web dependency. Everything that models Ceph lives here.

pub mod cluster;
pub mod dot;
pub mod intervals;
pub mod mds;
pub mod monitor;
pub mod net;
pub mod osdmap;
pub mod peering;
pub mod pglog;
pub mod pgstate;
pub mod reserver;
pub mod scenario;
pub mod statechart;
pub mod timeline;
pub mod world;
