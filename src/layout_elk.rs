//! Routed layout of a [`MachineDef`] with ELK (the pure-Rust port of the Eclipse Layout
//! Kernel, crate `org-eclipse-elk-graph-json`): layered algorithm, top-down, orthogonal
//! edges, the whole hierarchy in one run (`INCLUDE_CHILDREN`). Native only; its output is
//! committed as `www/layout/peering.json` (see [`crate::layout_json`]) and a test checks it
//! is not stale.
//!
//! The ELK graph: one node per state, nested by `parent`; one edge per (reaction, target)
//! labelled with its event, declared in the node ELK wants as its container (the lowest
//! common ancestor of source and target, the source itself when it contains the target,
//! the parent for a self-loop). Sizes come from text lengths; ELK sizes the composites.

use crate::engine::statechart::{Event, MachineDef, StateId};
use crate::layout_json::{EdgePath, LabelBox, LayoutJson, StateBox, EDGE_FONT_PX, HEADER_H};
use org_eclipse_elk_graph_json::org::eclipse::elk::graph::json::layout_api::layout_value;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};

/// Approximate advance of one character of a state name at
/// [`STATE_FONT_PX`](crate::layout_json::STATE_FONT_PX).
const STATE_CHAR_W: f64 = 7.0;
/// Approximate advance of one character of an edge label at [`EDGE_FONT_PX`].
const EDGE_CHAR_W: f64 = 5.7;
const LEAF_PAD_X: f64 = 24.0;
const LEAF_H: f64 = 30.0;
const COMPOSITE_PAD: f64 = 12.0;
const LABEL_PAD_X: f64 = 4.0;
const LABEL_H: f64 = EDGE_FONT_PX + 4.0;

/// Layout options given to ELK as global defaults, so they apply at every level of the
/// hierarchy (ELK options set on a node apply to that node only, not to its children).
fn global_options() -> Value {
    json!({
        "elk.algorithm": "layered",
        "elk.hierarchyHandling": "INCLUDE_CHILDREN",
        "elk.direction": "DOWN",
        "elk.edgeRouting": "ORTHOGONAL",
        // Absolute coordinates for nodes, edge sections and labels.
        "elk.json.shapeCoords": "ROOT",
        "elk.json.edgeCoords": "ROOT",
        "elk.edgeLabels.placement": "CENTER",
        "elk.spacing.nodeNode": 20,
        "elk.layered.spacing.nodeNodeBetweenLayers": 20,
        "elk.spacing.edgeNode": 10,
        "elk.layered.spacing.edgeNodeBetweenLayers": 10,
        "elk.spacing.edgeEdge": 10,
        "elk.layered.spacing.edgeEdgeBetweenLayers": 10,
        "elk.spacing.edgeLabel": 2,
        // Shortens the long vertical runs (about 5% less height here).
        "elk.layered.compaction.postCompaction.strategy": "EDGE_LENGTH",
    })
}

/// Options on the root node only. Model order on the root (with children listed in
/// [`flow_order`]) keeps Initial and the machine's main flow left to right and gives the
/// most compact drawing; set on every composite it makes the drawing about 50% wider.
fn root_options() -> Value {
    json!({
        "elk.padding": "[top=12,left=12,bottom=12,right=12]",
        "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
        "elk.layered.nodePlacement.bk.fixedAlignment": "BALANCED",
    })
}

/// The ELK id of a state's node.
fn node_id(s: StateId) -> String {
    format!("s{s}")
}

/// The text drawn on an edge for its event.
pub fn edge_text(label: &str) -> &str {
    match label {
        "boost::statechart::event_base" => "any other event",
        l => l,
    }
}

/// Where ELK wants an edge declared: its container node, or None for the root graph.
fn container<H, E: Event>(def: &MachineDef<H, E>, from: StateId, to: StateId) -> Option<StateId> {
    if from == to {
        return def.states[from].parent;
    }
    // Lowest common ancestor, each state counting as its own ancestor.
    let from_chain = def.ancestry(from);
    def.ancestry(to)
        .into_iter()
        .find(|a| from_chain.contains(a))
}

/// One (reaction, target) pair: the unit drawn as an edge, in reaction order.
struct EdgeRef {
    from: StateId,
    to: StateId,
    text: &'static str,
    listed: bool,
}

fn edge_refs<H, E: Event>(def: &MachineDef<H, E>) -> Vec<EdgeRef> {
    def.reactions
        .iter()
        .flat_map(|r| {
            r.targets().into_iter().map(move |t| EdgeRef {
                from: r.state,
                to: t,
                text: edge_text(r.event.label()),
                listed: r.is_listed(),
            })
        })
        .collect()
}

fn text_w(text: &str, char_w: f64) -> f64 {
    text.chars().count() as f64 * char_w
}

/// States in the order a reader follows them: breadth-first from the initial state along
/// transitions (entering a state also reaches its initial substate), then any unreached
/// ones in definition order. ELK's model-order options keep siblings in this order.
fn flow_order<H, E: Event>(def: &MachineDef<H, E>) -> Vec<StateId> {
    let n = def.states.len();
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut queue = VecDeque::from([def.initial]);
    let edges = edge_refs(def);
    while let Some(s) = queue.pop_front() {
        if std::mem::replace(&mut seen[s], true) {
            continue;
        }
        order.push(s);
        queue.extend(def.states[s].initial);
        queue.extend(edges.iter().filter(|e| e.from == s).map(|e| e.to));
        queue.extend((0..n).filter(|&k| def.states[k].parent == Some(s)));
    }
    order.extend((0..n).filter(|&s| !seen[s]));
    order
}

/// Build the ELK JSON graph for `def`.
pub fn elk_graph<H, E: Event>(def: &MachineDef<H, E>) -> Value {
    let edges = edge_refs(def);
    // Edges grouped by container (None = root), keeping reaction order.
    let n = def.states.len();
    let mut edges_in: Vec<Vec<Value>> = vec![Vec::new(); n + 1];
    for (i, e) in edges.iter().enumerate() {
        let slot = container(def, e.from, e.to).unwrap_or(n);
        edges_in[slot].push(json!({
            "id": format!("e{i}"),
            "sources": [node_id(e.from)],
            "targets": [node_id(e.to)],
            "labels": [{
                "text": e.text,
                "width": text_w(e.text, EDGE_CHAR_W) + 2.0 * LABEL_PAD_X,
                "height": LABEL_H,
            }],
        }));
    }

    fn node<H, E: Event>(
        def: &MachineDef<H, E>,
        s: StateId,
        order: &[StateId],
        edges_in: &mut [Vec<Value>],
    ) -> Value {
        let st = &def.states[s];
        let kids: Vec<StateId> = order
            .iter()
            .copied()
            .filter(|&k| def.states[k].parent == Some(s))
            .collect();
        let name_w = text_w(st.name, STATE_CHAR_W);
        let mut obj = Map::new();
        obj.insert("id".into(), json!(node_id(s)));
        if kids.is_empty() {
            obj.insert("width".into(), json!(name_w + LEAF_PAD_X));
            obj.insert("height".into(), json!(LEAF_H));
        } else {
            obj.insert(
                "layoutOptions".into(),
                json!({
                    "elk.padding": format!(
                        "[top={},left={p},bottom={p},right={p}]",
                        HEADER_H + COMPOSITE_PAD / 2.0,
                        p = COMPOSITE_PAD
                    ),
                    "elk.nodeSize.constraints": "[MINIMUM_SIZE]",
                    "elk.nodeSize.minimum": format!("({}, {})", name_w + 2.0 * COMPOSITE_PAD, HEADER_H + LEAF_H),
                }),
            );
            let children: Vec<Value> = kids
                .iter()
                .map(|&k| node(def, k, order, edges_in))
                .collect();
            obj.insert("children".into(), Value::Array(children));
        }
        let own = std::mem::take(&mut edges_in[s]);
        if !own.is_empty() {
            obj.insert("edges".into(), Value::Array(own));
        }
        Value::Object(obj)
    }

    let order = flow_order(def);
    let roots: Vec<StateId> = order
        .iter()
        .copied()
        .filter(|&s| def.states[s].parent.is_none())
        .collect();
    let children: Vec<Value> = roots
        .iter()
        .map(|&r| node(def, r, &order, &mut edges_in))
        .collect();
    json!({
        "id": "root",
        "layoutOptions": root_options(),
        "children": children,
        "edges": std::mem::take(&mut edges_in[n]),
    })
}

/// Round to 0.1 px (and turn -0.0 into 0.0) so the output is stable.
fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0 + 0.0
}

fn num(v: &Value, key: &str) -> Result<f64, String> {
    v.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("ELK output: missing number {key:?} in {v}"))
}

fn point(v: &Value) -> Result<[f64; 2], String> {
    Ok([r1(num(v, "x")?), r1(num(v, "y")?)])
}

/// Lay out `def` with ELK; every coordinate in the result is absolute.
pub fn elk_layout<H, E: Event>(def: &MachineDef<H, E>) -> Result<LayoutJson, String> {
    let out = layout_value(elk_graph(def), &global_options().to_string())?;

    // Index the laid-out nodes and edges by id.
    let mut nodes = BTreeMap::new();
    let mut edges = BTreeMap::new();
    fn walk<'a>(
        v: &'a Value,
        nodes: &mut BTreeMap<&'a str, &'a Value>,
        edges: &mut BTreeMap<&'a str, &'a Value>,
    ) {
        for c in v
            .get("children")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(id) = c.get("id").and_then(Value::as_str) {
                nodes.insert(id, c);
            }
            walk(c, nodes, edges);
        }
        for e in v
            .get("edges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(id) = e.get("id").and_then(Value::as_str) {
                edges.insert(id, e);
            }
        }
    }
    walk(&out, &mut nodes, &mut edges);

    let mut states = Vec::with_capacity(def.states.len());
    for (s, st) in def.states.iter().enumerate() {
        let v = nodes
            .get(node_id(s).as_str())
            .ok_or_else(|| format!("ELK output has no node for {}", st.path))?;
        let initial = match st.parent {
            Some(p) => def.states[p].initial == Some(s),
            None => def.initial == s,
        };
        states.push(StateBox {
            path: st.path.to_string(),
            name: st.name.to_string(),
            x: r1(num(v, "x")?),
            y: r1(num(v, "y")?),
            w: r1(num(v, "width")?),
            h: r1(num(v, "height")?),
            composite: def.is_composite(s),
            initial,
        });
    }

    let mut paths = Vec::new();
    for (i, e) in edge_refs(def).iter().enumerate() {
        let v = edges
            .get(format!("e{i}").as_str())
            .ok_or_else(|| format!("ELK output has no edge e{i}"))?;
        let mut pts: Vec<[f64; 2]> = Vec::new();
        for sec in v
            .get("sections")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let start = point(sec.get("startPoint").unwrap_or(&Value::Null))?;
            if pts.last() != Some(&start) {
                pts.push(start);
            }
            for b in sec
                .get("bendPoints")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                pts.push(point(b)?);
            }
            pts.push(point(sec.get("endPoint").unwrap_or(&Value::Null))?);
        }
        if pts.len() < 2 {
            return Err(format!("ELK output: edge e{i} has no route"));
        }
        let l = v
            .get("labels")
            .and_then(|l| l.get(0))
            .ok_or_else(|| format!("ELK output: edge e{i} has no label"))?;
        paths.push(EdgePath {
            from: def.states[e.from].path.to_string(),
            to: def.states[e.to].path.to_string(),
            event: e.text.to_string(),
            listed: e.listed,
            sections: pts,
            label: LabelBox {
                x: r1(num(l, "x")?),
                y: r1(num(l, "y")?),
                w: r1(num(l, "width")?),
                h: r1(num(l, "height")?),
            },
        });
    }

    Ok(LayoutJson {
        width: r1(num(&out, "width")?),
        height: r1(num(&out, "height")?),
        states,
        edges: paths,
    })
}

/// The committed form: pretty, one state or edge per line, keys in declaration order,
/// coordinates already rounded to 0.1, newline-terminated.
pub fn to_json_string(layout: &LayoutJson) -> String {
    fn line<T: serde::Serialize>(v: &T) -> String {
        format!(
            "    {}",
            serde_json::to_string(v).expect("layout data always serializes")
        )
    }
    let states: Vec<String> = layout.states.iter().map(line).collect();
    let edges: Vec<String> = layout.edges.iter().map(line).collect();
    format!(
        "{{\n  \"width\": {},\n  \"height\": {},\n  \"states\": [\n{}\n  ],\n  \"edges\": [\n{}\n  ]\n}}\n",
        json!(layout.width),
        json!(layout.height),
        states.join(",\n"),
        edges.join(",\n")
    )
}
