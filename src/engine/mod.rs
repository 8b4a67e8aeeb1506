//! The simulation engine: pure Rust, no web dependency. Everything that models Ceph lives here.

pub mod intervals;
pub mod pglog;
