//! Small function components: each takes props and callbacks and owns no protocol logic.

pub mod app;
#[cfg(not(feature = "lite"))]
pub mod cephfs;
pub mod chart;
#[cfg(not(feature = "lite"))]
pub mod cluster;
pub mod controls;
pub mod export;
#[cfg(feature = "lite")]
pub mod handoff;
#[cfg(not(feature = "lite"))]
pub mod intervals;
pub mod loader;
#[cfg(not(feature = "lite"))]
pub mod mds;
pub mod narration;
#[cfg(not(feature = "lite"))]
pub mod pglog;
pub mod tabs;
