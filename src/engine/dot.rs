//! DOT export of any [`MachineDef`], in the style of Ceph's doc/scripts/gen_state_diagram.py:
//! one `subgraph clusterN` per composite state, initial states drawn as `Mdiamond`, edges
//! labelled with the event name, and `ltail`/`lhead` where an end is a composite state (the
//! edge is then drawn from / to that composite's initial leaf, as Ceph's script does).

use crate::engine::statechart::{Event, MachineDef, StateId};
use std::fmt::Write;

/// The colour cycle gen_state_diagram.py gives successive edges.
const EDGE_COLOURS: [&str; 7] = [
    "#000000", "#1e90ff", "#ff0000", "#0000ff", "#ffa500", "#40e0d0", "#c71585",
];

/// Render `def` as DOT.
pub fn to_dot<H, E: Event>(def: &MachineDef<H, E>) -> String {
    let clusters = cluster_numbers(def);
    let mut out = String::from("digraph G {\n\tsize=\"7,7\"\n\tcompound=true;\n");
    write_cluster(def, &clusters, None, 1, &mut out);
    write_edges(def, &clusters, &mut out);
    out.push_str("}\n");
    out
}

/// Cluster numbers: 0 for the machine, then composites in declaration order (pre-order).
fn cluster_numbers<H, E: Event>(def: &MachineDef<H, E>) -> Vec<Option<usize>> {
    let mut numbers = vec![None; def.states.len()];
    let mut next = 1;
    // Pre-order walk from the machine root.
    fn walk<H, E: Event>(
        def: &MachineDef<H, E>,
        parent: Option<StateId>,
        numbers: &mut [Option<usize>],
        next: &mut usize,
    ) {
        for (id, s) in def.states.iter().enumerate() {
            if s.parent == parent && def.is_composite(id) {
                numbers[id] = Some(*next);
                *next += 1;
                walk(def, Some(id), numbers, next);
            }
        }
    }
    walk(def, None, &mut numbers, &mut next);
    numbers
}

fn is_initial<H, E: Event>(def: &MachineDef<H, E>, id: StateId) -> bool {
    match def.states[id].parent {
        None => def.initial == id,
        Some(p) => def.states[p].initial == Some(id),
    }
}

fn write_cluster<H, E: Event>(
    def: &MachineDef<H, E>,
    clusters: &[Option<usize>],
    composite: Option<StateId>,
    depth: usize,
    out: &mut String,
) {
    let tabs = "\t".repeat(depth);
    let (number, label) = match composite {
        None => (0, def.name),
        Some(c) => (clusters[c].unwrap_or(0), def.states[c].name),
    };
    let _ = writeln!(out, "{tabs}subgraph cluster{number} {{");
    let _ = writeln!(out, "{tabs}\tlabel = \"{label}\";");
    let _ = writeln!(out, "{tabs}\tcolor = \"black\";");
    if composite.is_some_and(|c| is_initial(def, c)) {
        let _ = writeln!(out, "{tabs}\tstyle = \"filled\";");
        let _ = writeln!(out, "{tabs}\tfillcolor = \"lightgrey\";");
    }
    for (id, s) in def.states.iter().enumerate() {
        if s.parent != composite {
            continue;
        }
        if def.is_composite(id) {
            write_cluster(def, clusters, Some(id), depth + 1, out);
        } else if is_initial(def, id) {
            let _ = writeln!(
                out,
                "{tabs}\t{}[shape=Mdiamond style=filled fillcolor=lightgrey];",
                s.name
            );
        } else {
            let _ = writeln!(out, "{tabs}\t{};", s.name);
        }
    }
    let _ = writeln!(out, "{tabs}}}");
}

fn write_edges<H, E: Event>(def: &MachineDef<H, E>, clusters: &[Option<usize>], out: &mut String) {
    let mut colour = 0;
    for reaction in &def.reactions {
        for target in reaction.targets() {
            let source = reaction.state;
            let from = def.states[def.initial_leaf(source)].name;
            let to = def.states[def.initial_leaf(target)].name;
            let c = EDGE_COLOURS[colour % EDGE_COLOURS.len()];
            colour += 1;
            let _ = write!(
                out,
                "{from} -> {to} [label=\"{}\",color=\"{c}\",fontcolor=\"{c}\",",
                reaction.event.label()
            );
            if let Some(n) = clusters[source] {
                let _ = write!(out, "ltail=cluster{n},");
            }
            if let Some(n) = clusters[target] {
                let _ = write!(out, "lhead=cluster{n},");
            }
            out.push_str("];\n");
        }
    }
}
