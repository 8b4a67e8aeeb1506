//! Small function components: each takes props and callbacks and owns no protocol logic.

pub mod app;
pub mod cephfs;
pub mod chart;
pub mod cluster;
pub mod controls;
pub mod export;
pub mod intervals;
pub mod loader;
pub mod mds;
pub mod narration;
pub mod pglog;
pub mod tabs;
