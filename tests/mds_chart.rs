//! The MDS chart against Ceph's own doc/cephfs/mds-state-diagram.dot
//! (tests/data/ceph/mds-state-diagram.dot): every edge Ceph draws is a transition the engine
//! declares and can take; the engine's extra edges are exactly the listed ones, each citing
//! the Ceph code that makes it.

use cephscope::engine::mds::chart::{can_transit, definition, edge_ceph, to_dot, MAP_EDGES, S};
use std::collections::{BTreeMap, BTreeSet};

/// (from label, to label) for every edge of Ceph's diagram.
fn ceph_edges() -> BTreeSet<(String, String)> {
    let dot = include_str!("data/ceph/mds-state-diagram.dot");
    let mut labels = BTreeMap::new();
    let mut raw = Vec::new();
    for line in dot.lines().map(str::trim) {
        if let Some((id, rest)) = line.split_once(" [label=\"") {
            labels.insert(id.to_string(), rest.split('"').next().unwrap().to_string());
        } else if let Some((from, rest)) = line.split_once(" -> ") {
            let to = rest.split_whitespace().next().unwrap();
            raw.push((from.to_string(), to.to_string()));
        }
    }
    raw.into_iter()
        .map(|(f, t)| (labels[&f].clone(), labels[&t].clone()))
        .collect()
}

/// The engine's state for a diagram label. The diagram spells `up:standby_replay`; Ceph
/// prints `up:standby-replay` (ceph_mds_state_name), which is the engine's path.
fn state(label: &str) -> S {
    let path = if label == "up:standby_replay" {
        "up:standby-replay"
    } else {
        label
    };
    let def = definition();
    let id = def
        .states
        .iter()
        .position(|s| s.path == path)
        .unwrap_or_else(|| panic!("no state printed {path}"));
    S::from_id(id).unwrap()
}

#[test]
fn every_edge_of_cephs_diagram_is_a_transition_of_the_engine() {
    let edges = ceph_edges();
    assert_eq!(edges.len(), 36, "the diagram has 36 edges");
    for (from, to) in &edges {
        let (f, t) = (state(from), state(to));
        assert!(can_transit(f, t), "{from} -> {to} is not declared");
        assert!(edge_ceph(f, t).is_some_and(|c| c.contains("::")));
        // The runtime accepts it too: the reaction on `from` declares `to` as a target.
        let def = definition();
        assert!(
            def.reactions_of(f.id())
                .any(|r| r.targets().contains(&t.id())),
            "{from} has no reaction to {to}"
        );
    }
}

#[test]
fn the_engines_extra_edges_are_the_documented_ones() {
    let ceph: BTreeSet<(S, S)> = ceph_edges()
        .iter()
        .map(|(f, t)| (state(f), state(t)))
        .collect();
    let extra: Vec<(S, S)> = MAP_EDGES
        .iter()
        .map(|(f, t, _)| (*f, *t))
        .filter(|e| !ceph.contains(e))
        .collect();
    assert_eq!(
        extra,
        vec![
            (S::Dne, S::Creating),
            (S::Creating, S::Dne),
            (S::Stopped, S::Starting),
        ]
    );
    for (f, t) in extra {
        assert!(edge_ceph(f, t).unwrap().contains("FSMap::"));
    }
}

#[test]
fn dot_export_labels_states_as_ceph_prints_them() {
    let dot = to_dot();
    assert!(dot.starts_with("digraph G {"));
    assert!(dot.contains("STATE_BOOT -> STATE_STANDBY [label=\"MMDSMap\""));
    assert!(dot.contains("MDS_BOOT_INITIAL -> MDS_BOOT_OPEN_ROOT [label=\"BootStep\""));
    assert!(dot.contains("STATE_STANDBY_REPLAY [label=\"up:standby-replay\"];"));
    assert!(dot.contains("label = \"STATE_REPLAY\";"));
    assert!(dot.trim_end().ends_with('}'));
}
