//! cephscope: a deterministic simulation of Ceph's PG peering, recovery and MDS state
//! machines. `engine` is pure Rust (native and wasm32); `layout_json` is the drawn layout
//! (computed natively by `layout_elk`); `share` reads and writes share links; `ui` is the Yew front end (wasm32
//! only).

pub mod engine;
#[cfg(not(target_arch = "wasm32"))]
pub mod layout_elk;
pub mod layout_json;
pub mod share;

#[cfg(target_arch = "wasm32")]
pub mod ui;
