//! The ELK layouts of the PeeringMachine and of the MDS machine: the committed
//! `www/layout/peering.json` and `www/layout/mds.json` are what `layout_elk` computes now,
//! and each layout is geometrically sane.
//!
//! `UPDATE_LAYOUT=1 cargo test --test layout_elk` rewrites the committed files.
#![cfg(not(target_arch = "wasm32"))]

use cephscope::engine::mds::chart::definition as mds_definition;
use cephscope::engine::peering::chart::definition;
use cephscope::engine::statechart::{Event, MachineDef};
use cephscope::layout_elk::{elk_layout, to_json_string};
use cephscope::layout_json::{LayoutJson, StateBox};
use std::path::PathBuf;
use std::sync::OnceLock;

fn committed_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("www/layout")
        .join(file)
}

fn computed() -> &'static LayoutJson {
    static L: OnceLock<LayoutJson> = OnceLock::new();
    L.get_or_init(|| elk_layout(definition()).expect("ELK lays out the PeeringMachine"))
}

fn computed_mds() -> &'static LayoutJson {
    static L: OnceLock<LayoutJson> = OnceLock::new();
    L.get_or_init(|| elk_layout(mds_definition()).expect("ELK lays out the MDS machine"))
}

#[test]
fn update_layout_when_asked() {
    if std::env::var_os("UPDATE_LAYOUT").is_none_or(|v| v != "1") {
        return;
    }
    for (file, layout) in [("peering.json", computed()), ("mds.json", computed_mds())] {
        let path = committed_path(file);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir www/layout");
        std::fs::write(&path, to_json_string(layout)).expect("write the layout file");
    }
}

#[test]
fn committed_layout_is_not_stale() {
    check_not_stale("peering.json", computed());
}

#[test]
fn committed_mds_layout_is_not_stale() {
    check_not_stale("mds.json", computed_mds());
}

fn check_not_stale(file: &str, computed: &LayoutJson) {
    if std::env::var_os("UPDATE_LAYOUT").is_some_and(|v| v == "1") {
        return; // being rewritten by update_layout_when_asked
    }
    let path = committed_path(file);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = to_json_string(computed);
    assert!(
        committed == fresh,
        "{} is stale (or missing): the chart or the layout code changed. \
         Run `cargo run -- layout --write` (or `UPDATE_LAYOUT=1 cargo test --test layout_elk`) \
         and commit the result.",
        path.display()
    );
    // And the browser can read it back.
    assert_eq!(
        &LayoutJson::from_json(&committed).expect("parses"),
        computed
    );
}

#[test]
fn layout_is_deterministic() {
    let again = elk_layout(definition()).expect("layout");
    assert_eq!(to_json_string(&again), to_json_string(computed()));
    let again = elk_layout(mds_definition()).expect("layout");
    assert_eq!(to_json_string(&again), to_json_string(computed_mds()));
}

#[test]
fn mds_counts_match_the_chart() {
    let l = computed_mds();
    let def = mds_definition();
    assert_eq!(l.states.len(), def.states.len());
    for (s, st) in def.states.iter().enumerate() {
        assert_eq!(l.states[s].path, st.path);
    }
    assert!(!l.edges.is_empty());
}

#[test]
fn counts_match_the_chart() {
    let l = computed();
    assert_eq!(l.states.len(), 35);
    assert_eq!(l.edges.len(), 68);
    assert_eq!(l.edges.iter().filter(|e| !e.listed).count(), 3);
    assert!(l.edges.iter().all(|e| !e.event.contains("boost::")));
    for (s, st) in definition().states.iter().enumerate() {
        assert_eq!(l.states[s].path, st.path);
    }
}

const EPS: f64 = 0.11; // coordinates are rounded to 0.1

fn inside(inner: &StateBox, outer: &StateBox) -> bool {
    inner.x >= outer.x - EPS
        && inner.y >= outer.y - EPS
        && inner.x + inner.w <= outer.x + outer.w + EPS
        && inner.y + inner.h <= outer.y + outer.h + EPS
}

fn overlap(a: &StateBox, b: &StateBox) -> bool {
    a.x + EPS < b.x + b.w && b.x + EPS < a.x + a.w && a.y + EPS < b.y + b.h && b.y + EPS < a.y + a.h
}

#[test]
fn boxes_nest_and_siblings_do_not_overlap() {
    boxes_nest(definition(), computed());
    boxes_nest(mds_definition(), computed_mds());
}

fn boxes_nest<H, E: Event>(def: &MachineDef<H, E>, l: &LayoutJson) {
    for (s, st) in def.states.iter().enumerate() {
        let b = &l.states[s];
        assert!(b.w > 0.0 && b.h > 0.0, "{} has an empty box", b.path);
        assert!(
            b.x >= -EPS && b.y >= -EPS && b.x + b.w <= l.width + EPS && b.y + b.h <= l.height + EPS,
            "{} lies outside the drawing",
            b.path
        );
        if let Some(p) = st.parent {
            assert!(
                inside(b, &l.states[p]),
                "{b:?} is not inside its parent {:?}",
                l.states[p]
            );
        }
        for (t, tt) in def.states.iter().enumerate().skip(s + 1) {
            if tt.parent == st.parent {
                assert!(
                    !overlap(b, &l.states[t]),
                    "siblings overlap: {b:?} and {:?}",
                    l.states[t]
                );
            }
        }
    }
}

/// Distance from a point to a box's border (0 on it).
fn border_distance(p: [f64; 2], b: &StateBox) -> f64 {
    let (x, y) = (p[0], p[1]);
    let dx = (b.x - x).max(0.0).max(x - (b.x + b.w));
    let dy = (b.y - y).max(0.0).max(y - (b.y + b.h));
    if dx > 0.0 || dy > 0.0 {
        return dx.hypot(dy); // outside
    }
    (x - b.x).min(b.x + b.w - x).min(y - b.y).min(b.y + b.h - y) // inside
}

#[test]
fn edges_run_from_border_to_border() {
    border_to_border(computed());
    border_to_border(computed_mds());
}

fn border_to_border(l: &LayoutJson) {
    const TOL: f64 = 3.0;
    for e in &l.edges {
        let from = l.state(&e.from).expect("source box");
        let to = l.state(&e.to).expect("target box");
        let (first, last) = (e.sections[0], e.sections[e.sections.len() - 1]);
        assert!(
            border_distance(first, from) <= TOL,
            "{} -{}-> {}: starts at {first:?}, not on {from:?}",
            e.from,
            e.event,
            e.to
        );
        assert!(
            border_distance(last, to) <= TOL,
            "{} -{}-> {}: ends at {last:?}, not on {to:?}",
            e.from,
            e.event,
            e.to
        );
        for w in e.sections.windows(2) {
            assert!(
                (w[0][0] - w[1][0]).abs() <= EPS || (w[0][1] - w[1][1]).abs() <= EPS,
                "{} -{}-> {}: segment {:?}–{:?} is not orthogonal",
                e.from,
                e.event,
                e.to,
                w[0],
                w[1]
            );
        }
    }
}

/// Does the axis-parallel segment a–b enter the interior of `r` (shrunk by half a pixel)?
fn segment_enters(a: [f64; 2], b: [f64; 2], r: &Rect) -> bool {
    let (x0, x1) = (a[0].min(b[0]), a[0].max(b[0]));
    let (y0, y1) = (a[1].min(b[1]), a[1].max(b[1]));
    x0 < r.x + r.w - 0.5 && r.x + 0.5 < x1 + 1e-3 && y0 < r.y + r.h - 0.5 && r.y + 0.5 < y1 + 1e-3
}

/// Distance from an axis-parallel segment to a rectangle (0 if they touch).
fn segment_to_rect(a: [f64; 2], b: [f64; 2], r: &Rect) -> f64 {
    let (x0, x1) = (a[0].min(b[0]), a[0].max(b[0]));
    let (y0, y1) = (a[1].min(b[1]), a[1].max(b[1]));
    let dx = (r.x - x1).max(x0 - (r.x + r.w)).max(0.0);
    let dy = (r.y - y1).max(y0 - (r.y + r.h)).max(0.0);
    dx.hypot(dy)
}

struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn rect(b: &StateBox) -> Rect {
    Rect {
        x: b.x,
        y: b.y,
        w: b.w,
        h: b.h,
    }
}

/// Edges go around, not through, states they do not enter or leave; each label sits
/// next to its own edge.
#[test]
fn edges_avoid_other_states_and_labels_touch_their_edge() {
    edges_avoid(definition(), computed());
    edges_avoid(mds_definition(), computed_mds());
}

fn edges_avoid<H, E: Event>(def: &MachineDef<H, E>, l: &LayoutJson) {
    for e in &l.edges {
        let from = def
            .states
            .iter()
            .position(|s| s.path == e.from)
            .expect("source");
        let to = def
            .states
            .iter()
            .position(|s| s.path == e.to)
            .expect("target");
        let (fa, ta) = (def.ancestry(from), def.ancestry(to));
        for (s, b) in l.states.iter().enumerate() {
            if fa.contains(&s) || ta.contains(&s) {
                continue; // the edge starts, ends or runs inside this box
            }
            for w in e.sections.windows(2) {
                assert!(
                    !segment_enters(w[0], w[1], &rect(b)),
                    "{} -{}-> {} runs through {}",
                    e.from,
                    e.event,
                    e.to,
                    b.path
                );
            }
        }
        let label = Rect {
            x: e.label.x,
            y: e.label.y,
            w: e.label.w,
            h: e.label.h,
        };
        assert!(label.w > 0.0 && label.h > 0.0);
        let d = e
            .sections
            .windows(2)
            .map(|w| segment_to_rect(w[0], w[1], &label))
            .fold(f64::INFINITY, f64::min);
        assert!(
            d <= 5.0,
            "{} -{}-> {}: label {:?} is {d:.1}px from its edge",
            e.from,
            e.event,
            e.to,
            e.label
        );
    }
}
