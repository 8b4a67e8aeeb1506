//! A simple nested-box layout of a [`MachineDef`] for drawing: each composite state is a
//! box holding its substates in rows. Deterministic and dependency-free; the routed ELK
//! layout (committed JSON, checked for staleness) replaces it in the browser app.

use crate::engine::statechart::{Event, MachineDef, StateId};
use serde::Serialize;

pub const LEAF_W: f64 = 200.0;
pub const LEAF_H: f64 = 30.0;
const GAP: f64 = 10.0;
const PAD: f64 = 10.0;
const HEADER: f64 = 22.0;
/// A composite wraps its children into rows no wider than this.
const MAX_ROW_W: f64 = 1000.0;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Layout {
    /// One rectangle per state, indexed by StateId.
    pub boxes: Vec<Rect>,
    pub width: f64,
    pub height: f64,
}

/// Lay out every state of `def`; top-level states are the children of an invisible root.
pub fn layout<H, E: Event>(def: &MachineDef<H, E>) -> Layout {
    let mut sizes = vec![(0.0, 0.0); def.states.len()];
    let mut boxes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0
        };
        def.states.len()
    ];
    let roots = children(def, None);
    for &r in &roots {
        measure(def, r, &mut sizes);
    }
    let (w, h) = place_children(def, &roots, 0.0, 0.0, &sizes, &mut boxes);
    Layout {
        boxes,
        width: w,
        height: h,
    }
}

fn children<H, E: Event>(def: &MachineDef<H, E>, parent: Option<StateId>) -> Vec<StateId> {
    (0..def.states.len())
        .filter(|&s| def.states[s].parent == parent)
        .collect()
}

/// Rows of children: wrap when a row would exceed MAX_ROW_W.
fn rows(kids: &[StateId], sizes: &[(f64, f64)]) -> Vec<Vec<StateId>> {
    let mut rows: Vec<Vec<StateId>> = vec![Vec::new()];
    let mut row_w = 0.0;
    for &k in kids {
        let w = sizes[k].0;
        let current = rows.last_mut().expect("rows is never empty");
        if !current.is_empty() && row_w + GAP + w > MAX_ROW_W {
            rows.push(vec![k]);
            row_w = w;
        } else {
            row_w += if current.is_empty() { w } else { GAP + w };
            current.push(k);
        }
    }
    rows
}

fn rows_size(rows: &[Vec<StateId>], sizes: &[(f64, f64)]) -> (f64, f64) {
    let mut w: f64 = 0.0;
    let mut h = 0.0;
    for (i, row) in rows.iter().enumerate() {
        let row_w: f64 = row.iter().map(|&k| sizes[k].0).sum::<f64>()
            + GAP * (row.len().saturating_sub(1)) as f64;
        let row_h = row.iter().map(|&k| sizes[k].1).fold(0.0, f64::max);
        w = w.max(row_w);
        h += row_h + if i > 0 { GAP } else { 0.0 };
    }
    (w, h)
}

fn measure<H, E: Event>(def: &MachineDef<H, E>, s: StateId, sizes: &mut Vec<(f64, f64)>) {
    let kids = children(def, Some(s));
    if kids.is_empty() {
        sizes[s] = (LEAF_W, LEAF_H);
        return;
    }
    for &k in &kids {
        measure(def, k, sizes);
    }
    let (w, h) = rows_size(&rows(&kids, sizes), sizes);
    sizes[s] = (w + 2.0 * PAD, h + HEADER + PAD);
}

fn place_children<H, E: Event>(
    def: &MachineDef<H, E>,
    kids: &[StateId],
    x0: f64,
    y0: f64,
    sizes: &[(f64, f64)],
    boxes: &mut Vec<Rect>,
) -> (f64, f64) {
    let rows = rows(kids, sizes);
    let mut y = y0;
    for row in &rows {
        let mut x = x0;
        let row_h = row.iter().map(|&k| sizes[k].1).fold(0.0, f64::max);
        for &k in row {
            place(def, k, x, y, sizes, boxes);
            x += sizes[k].0 + GAP;
        }
        y += row_h + GAP;
    }
    rows_size(&rows, sizes)
}

fn place<H, E: Event>(
    def: &MachineDef<H, E>,
    s: StateId,
    x: f64,
    y: f64,
    sizes: &[(f64, f64)],
    boxes: &mut Vec<Rect>,
) {
    let (w, h) = sizes[s];
    boxes[s] = Rect { x, y, w, h };
    let kids = children(def, Some(s));
    if !kids.is_empty() {
        place_children(def, &kids, x + PAD, y + HEADER, sizes, boxes);
    }
}
