//! The engine's PeeringMachine definition against the DOT Ceph's own gen_state_diagram.py
//! draws from PeeringState.{h,cc} (tests/data/ceph/peering_statechart.dot): the same states,
//! the same parents, the same initial substates, the same (source, event, target) edges.

use cephscope::engine::dot::to_dot;
use cephscope::engine::peering::chart::definition;
use cephscope::engine::statechart::ReactionKind;
use std::collections::{BTreeMap, BTreeSet};

/// What a DOT in gen_state_diagram.py's style says about a machine.
#[derive(Default, Debug)]
struct Chart {
    /// state → parent (None: the machine itself).
    parent: BTreeMap<String, Option<String>>,
    /// composite (or "" for the machine) → initial substate.
    initial: BTreeMap<String, String>,
    edges: BTreeSet<(String, String, String)>,
}

fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let start = attrs.find(&format!("{key}="))? + key.len() + 1;
    let rest = &attrs[start..];
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    let end = rest.find(['"', ',', ']', ' ']).unwrap_or(rest.len());
    Some(&rest[..end])
}

fn parse_dot(dot: &str) -> Chart {
    let mut chart = Chart::default();
    // Stack of (cluster id, label) for open subgraphs.
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut cluster_label: BTreeMap<String, String> = BTreeMap::new();
    let mut pending_cluster: Option<String> = None;
    let mut raw_edges = Vec::new();
    for line in dot.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("subgraph ") {
            pending_cluster = Some(rest.trim_end_matches(" {").to_string());
        } else if let Some(label) = line.strip_prefix("label = \"") {
            let label = label.trim_end_matches("\";").to_string();
            let id = pending_cluster.take().expect("label outside a subgraph");
            cluster_label.insert(id.clone(), label.clone());
            let parent = stack.last().map(|(_, l)| l.clone());
            if let Some(p) = &parent {
                let p = if stack.len() == 1 {
                    None
                } else {
                    Some(p.clone())
                };
                chart.parent.insert(label.clone(), p);
            }
            stack.push((id, label));
        } else if line == "style = \"filled\";" {
            // A cluster drawn filled is its parent's initial substate.
            let (_, me) = stack.last().unwrap().clone();
            let (_, parent) = stack[stack.len() - 2].clone();
            chart.initial.insert(parent, me);
        } else if line == "}" {
            stack.pop();
        } else if line.contains("->") {
            raw_edges.push(line.to_string());
        } else if !stack.is_empty() && !line.contains('=') && line.ends_with(';')
            || line.contains("[shape=Mdiamond")
        {
            let name = line.split(['[', ';']).next().unwrap().trim().to_string();
            let parent = if stack.len() == 1 {
                None
            } else {
                Some(stack.last().unwrap().1.clone())
            };
            if line.contains("Mdiamond") {
                let key = parent.clone().unwrap_or_default();
                chart.initial.insert(key, name.clone());
            }
            chart.parent.insert(name, parent);
        }
    }
    for line in raw_edges {
        let (ends, attrs) = line.split_once('[').unwrap();
        let (from, to) = ends.split_once("->").unwrap();
        let mut from = from.trim().to_string();
        let mut to = to.trim().to_string();
        if let Some(c) = attr(attrs, "ltail") {
            from = cluster_label[c].clone();
        }
        if let Some(c) = attr(attrs, "lhead") {
            to = cluster_label[c].clone();
        }
        let label = attr(attrs, "label").unwrap().to_string();
        chart.edges.insert((from, label, to));
    }
    chart
}

fn ceph_chart() -> Chart {
    parse_dot(include_str!("data/ceph/peering_statechart.dot"))
}

fn engine_chart() -> Chart {
    parse_dot(&to_dot(definition()))
}

#[test]
fn ceph_reference_has_35_states_and_68_edges() {
    let ceph = ceph_chart();
    assert_eq!(ceph.parent.len(), 35);
    let edge_lines = include_str!("data/ceph/peering_statechart.dot")
        .lines()
        .filter(|l| l.contains("->"))
        .count();
    assert_eq!(edge_lines, 68);
}

#[test]
fn same_states_and_parents_as_ceph() {
    assert_eq!(engine_chart().parent, ceph_chart().parent);
}

#[test]
fn same_initial_substates_as_ceph() {
    assert_eq!(engine_chart().initial, ceph_chart().initial);
}

#[test]
fn same_transitions_as_ceph() {
    let ceph = ceph_chart().edges;
    let ours = engine_chart().edges;
    let missing: Vec<_> = ceph.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&ceph).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    assert_eq!(ours.len(), 68);
}

#[test]
fn definition_has_35_states_63_events_68_transitions() {
    let def = definition();
    assert_eq!(def.states.len(), 35);
    assert_eq!(def.events.len(), 63);
    let transitions: usize = def.reactions.iter().map(|r| r.targets().len()).sum();
    assert_eq!(transitions, 68);
}

#[test]
fn every_reaction_names_a_declared_event_once_per_state() {
    let def = definition();
    let mut seen = BTreeSet::new();
    for r in &def.reactions {
        let label = r.event.label();
        if label != "boost::statechart::event_base" {
            assert!(
                def.events.contains(&label),
                "{label} is not a declared event"
            );
        }
        assert!(
            seen.insert((r.state, label, r.is_listed())),
            "{} lists {label} twice",
            def.states[r.state].name
        );
    }
}

#[test]
fn state_paths_are_cephs_namedstate_strings() {
    let def = definition();
    for s in &def.states {
        let expected = match s.parent {
            None => s.name.to_string(),
            Some(p) => format!("{}/{}", def.states[p].path, s.name),
        };
        if s.name == "WaitDeleteReserved" {
            // Ceph's NamedState string has a typo; `ceph pg query` prints it so.
            assert_eq!(s.path, "Started/ToDelete/WaitDeleteReseved");
        } else if s.name == "Start" {
            // Start's NamedState is plain "Start" (the Jewel log shows `enter Start`).
            assert_eq!(s.path, "Start");
        } else {
            assert_eq!(s.path, expected);
        }
    }
}

/// Every state lists exactly Ceph's reactions, in Ceph's order (PeeringState.h
/// @00349925, extracted into tests/data/ceph/reactions.txt).
#[test]
fn reaction_lists_match_peeringstate_h() {
    let def = definition();
    let mut checked = 0;
    for line in include_str!("data/ceph/reactions.txt").lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        checked += 1;
        let (state, list) = line.split_once(':').unwrap();
        let id = def
            .state_by_name(state)
            .unwrap_or_else(|| panic!("no state {state}"));
        let expected: Vec<String> = list
            .split(">, ")
            .map(|s| s.trim().trim_end_matches('>').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let ours: Vec<String> = def
            .reactions_of(id)
            .filter(|r| r.is_listed())
            .map(|r| {
                let event = match r.event.label() {
                    "boost::statechart::event_base" => "ANY",
                    e => e,
                };
                match &r.kind {
                    ReactionKind::Transition(t) => format!("t<{event}, {}", def.states[*t].name),
                    _ => format!("c<{event}"),
                }
            })
            .collect();
        assert_eq!(ours, expected, "reactions of {state}");
    }
    assert_eq!(checked, 35);
}
