//! The routed layout of a statechart as plain data: what `www/layout/peering.json` holds.
//!
//! It is computed natively with ELK (`crate::layout_elk`, not built for wasm32), committed,
//! and read by the browser, so this module has no ELK dependency and compiles everywhere.
//! All coordinates are absolute (the drawing's top-left corner is 0,0), in CSS pixels,
//! rounded to 0.1.

use serde::{Deserialize, Serialize};

/// Font sizes the box and label sizes were measured for (about 7 px per character for
/// state names, 6 px for edge labels); a renderer should draw text at these sizes.
pub const STATE_FONT_PX: f64 = 12.0;
pub const EDGE_FONT_PX: f64 = 10.0;
/// Height of a composite state's header band, where its name is drawn (top-left).
pub const HEADER_H: f64 = 24.0;

/// A whole laid-out machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayoutJson {
    pub width: f64,
    pub height: f64,
    /// One box per state, in the definition's state order (index = `StateId`).
    pub states: Vec<StateBox>,
    /// One edge per (reaction, target), in the definition's reaction order.
    pub edges: Vec<EdgePath>,
}

/// A state's box. Composite boxes contain their substates' boxes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StateBox {
    /// NamedState path (`Started/Primary/Peering/GetInfo`), unique.
    pub path: String,
    /// Class name (`GetInfo`), the text drawn.
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub composite: bool,
    /// The initial substate of its parent (or the machine's initial state).
    pub initial: bool,
}

/// One drawn transition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EdgePath {
    /// Path of the reacting state.
    pub from: String,
    /// Path of the target state.
    pub to: String,
    /// The label drawn: the event's type name, or "any other event" for
    /// `boost::statechart::event_base`.
    pub event: String,
    /// False for the `react()` handlers boost never calls (drawn, never taken).
    pub listed: bool,
    /// The routed polyline, `[x, y]` points from the source border to the target border
    /// (orthogonal segments).
    pub sections: Vec<[f64; 2]>,
    /// The box of the edge's label (text drawn left-aligned, vertically centred in it).
    pub label: LabelBox,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelBox {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl LayoutJson {
    /// Parse the committed layout JSON.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("bad layout JSON: {e}"))
    }

    /// The box of the state at `path`.
    pub fn state(&self, path: &str) -> Option<&StateBox> {
        self.states.iter().find(|s| s.path == path)
    }
}
