//! A statechart drawn from its committed ELK layout (www/layout/peering.json for the
//! PeeringMachine, www/layout/mds.json for the MDS machine, both generated from the
//! machine definitions by `cephscope layout --write`, read by `ui::layout_js`): nested state boxes, routed
//! transitions with their event labels, the active configuration and the transitions the
//! last step took highlighted. Every state carries `data-state="<full path>"`, every edge
//! `data-edge="<from>|<event>|<to>"`.

use crate::engine::statechart::{Event, MachineDef, StateId};
use crate::layout_json::{EdgePath, LayoutJson, StateBox, HEADER_H};
use std::sync::OnceLock;
use yew::prelude::*;

/// The layout, parsed once. An error (a broken build) is shown instead of the chart.
pub fn peering_layout() -> &'static Result<LayoutJson, String> {
    static LAYOUT: OnceLock<Result<LayoutJson, String>> = OnceLock::new();
    LAYOUT.get_or_init(|| {
        crate::ui::layout_js::parse(include_str!("../../../www/layout/peering.json"))
    })
}

#[cfg(not(feature = "lite"))]
/// The MDS machine's layout, parsed once (only when the MDS tab is first drawn).
fn mds_layout() -> &'static Result<LayoutJson, String> {
    static LAYOUT: OnceLock<Result<LayoutJson, String>> = OnceLock::new();
    LAYOUT.get_or_init(|| crate::ui::layout_js::parse(include_str!("../../../www/layout/mds.json")))
}

/// The scale at which the peering chart's width fits a scroll area `area_width` pixels
/// wide (for the Fit button), within the zoom bounds.
pub fn fit_zoom(area_width: f64) -> Option<f64> {
    let lay = peering_layout().as_ref().ok()?;
    // Leave room for the vertical scrollbar.
    let z = (area_width - 20.0) / lay.width;
    Some(z.clamp(crate::ui::state::ZOOM_MIN, crate::ui::state::ZOOM_MAX))
}

/// Which machine is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Ceph's PeeringMachine (`engine::peering::chart`).
    Peering,
    /// The MDS daemon / rank machine (`engine::mds::chart`).
    Mds,
}

/// A transition taken, as (from path, event label, to path).
pub type Taken = (&'static str, &'static str, &'static str);

/// One machine instance drawn as a token on its current leaf state: an OSD's copy of the
/// selected PG (Cluster tab) or an MDS daemon (MDS tab).
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// `data-token` (the OSD number, the daemon name).
    pub id: String,
    /// The few characters drawn in the circle.
    pub text: String,
    /// The hover text.
    pub title: String,
    pub path: &'static str,
    /// "primary", "replica", "stray" or "mds" (a CSS class).
    pub role: &'static str,
}

#[derive(Properties)]
pub struct StatechartProps {
    pub kind: ChartKind,
    pub current: Option<StateId>,
    /// Transitions the last step took, in order.
    pub taken: Vec<Taken>,
    /// Drawing scale (1.0 = the layout's CSS pixels).
    pub zoom: f64,
    /// Tokens of the OSDs holding the selected PG (the Cluster tab).
    #[prop_or_default]
    pub tokens: Vec<Token>,
}

impl PartialEq for StatechartProps {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.current == other.current
            && self.taken == other.taken
            && self.zoom == other.zoom
            && self.tokens == other.tokens
    }
}

#[function_component(Statechart)]
pub fn statechart(p: &StatechartProps) -> Html {
    let scroller = use_node_ref();
    {
        // Keep the current state in view after each step.
        let scroller = scroller.clone();
        use_effect_with(p.current, move |_| {
            let Some(root) = scroller.cast::<web_sys::Element>() else {
                return;
            };
            let Some(el) = root.query_selector("g.state.leaf.active").ok().flatten() else {
                return;
            };
            // Centre it in the chart's own scroll area only: scrollIntoView also scrolls
            // the page, which on a phone jumped to the chart on every step.
            let (area, state) = (
                root.get_bounding_client_rect(),
                el.get_bounding_client_rect(),
            );
            let dx = state.left() + state.width() / 2.0 - (area.left() + area.width() / 2.0);
            let dy = state.top() + state.height() / 2.0 - (area.top() + area.height() / 2.0);
            root.set_scroll_left(root.scroll_left() + dx.round() as i32);
            root.set_scroll_top(root.scroll_top() + dy.round() as i32);
        });
    }
    let drawing = match p.kind {
        ChartKind::Peering => peering_layout()
            .as_ref()
            .map(|lay| draw(crate::engine::peering::chart::definition(), lay, p)),
        #[cfg(not(feature = "lite"))]
        ChartKind::Mds => mds_layout()
            .as_ref()
            .map(|lay| draw(crate::engine::mds::chart::definition(), lay, p)),
        // The first module draws no MDS chart (the MDS tab is the whole app's).
        #[cfg(feature = "lite")]
        ChartKind::Mds => return html! {},
    };
    let drawing = match drawing {
        Ok(svg) => svg,
        Err(e) => html! { <p class="error" role="alert">{ e.clone() }</p> },
    };
    html! {
        <div class="chart-scroll" ref={scroller} tabindex="0" aria-label="Statechart drawing, scrollable">
            { drawing }
        </div>
    }
}

/// The SVG of one machine's layout with the props' highlights and tokens.
fn draw<H, E: Event>(def: &MachineDef<H, E>, lay: &LayoutJson, p: &StatechartProps) -> Html {
    let active: Vec<&str> = p
        .current
        .map(|c| {
            def.ancestry(c)
                .iter()
                .map(|&s| def.states[s].path)
                .collect()
        })
        .unwrap_or_default();
    let describe = |s: &StateBox| describe_state(def, &s.path);
    let taken = |e: &EdgePath| {
        p.taken
            .iter()
            .any(|(f, ev, t)| *f == e.from && *t == e.to && label(ev) == e.event)
    };
    let composites = lay.states.iter().filter(|s| s.composite);
    let leaves = lay.states.iter().filter(|s| !s.composite);
    html! {
            <svg class="statechart" viewBox={format!("0 0 {} {}", lay.width, lay.height)}
                 width={(lay.width * p.zoom).round().to_string()} height={(lay.height * p.zoom).round().to_string()}
                 role="img"
                 aria-label={format!("{} statechart, current state {}", def.name,
                     p.current.map_or("none", |c| def.states[c].path))}>
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
                    </marker>
                    <marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" class="arrowhead taken" />
                    </marker>
                </defs>
                { for composites.map(|s| state_box(s, active.contains(&s.path.as_str()), describe(s))) }
                { for lay.edges.iter().map(|e| edge(e, taken(e), describe_edge(def, e))) }
                { for leaves.map(|s| state_box(s, active.contains(&s.path.as_str()), describe(s))) }
                { for lay.states.iter().filter(|s| !s.composite).map(|s| tokens_on(s, &p.tokens)) }
            </svg>
    }
}

/// The drawn label of an event (Ceph's catch-all reads better in words).
fn label(event: &str) -> &str {
    match event {
        "boost::statechart::event_base" => "any other event",
        e => e,
    }
}

/// Hover text of a state: its path, what it does, and every reaction it lists.
fn describe_state<H, E: Event>(def: &MachineDef<H, E>, path: &str) -> String {
    let Some(id) = def.states.iter().position(|s| s.path == path) else {
        return path.to_string();
    };
    let st = &def.states[id];
    let reactions: Vec<String> = def
        .reactions_of(id)
        .map(|r| {
            let targets: Vec<&str> = r.targets().iter().map(|&t| def.states[t].name).collect();
            let kind = if r.is_listed() { "" } else { " (never called)" };
            if targets.is_empty() {
                format!("{}{kind}: {}", label(r.event.label()), r.doc)
            } else {
                format!(
                    "{} → {}{kind}: {}",
                    label(r.event.label()),
                    targets.join(" | "),
                    r.doc
                )
            }
        })
        .collect();
    format!(
        "{}\n{}\n\nReactions:\n{}",
        st.path,
        st.doc,
        reactions.join("\n")
    )
}

/// Hover text of an edge: the event and the condition / side effects of the reaction.
fn describe_edge<H, E: Event>(def: &MachineDef<H, E>, e: &EdgePath) -> String {
    let doc = def
        .reactions
        .iter()
        .find(|r| {
            def.states[r.state].path == e.from
                && label(r.event.label()) == e.event
                && r.targets().iter().any(|&t| def.states[t].path == e.to)
        })
        .map_or("", |r| r.doc);
    format!("{} → {} on {}\n{doc}", e.from, e.to, e.event)
}

fn state_box(s: &StateBox, active: bool, title: String) -> Html {
    let class = classes!(
        "state",
        if s.composite { "composite" } else { "leaf" },
        s.initial.then_some("initial"),
        active.then_some("active")
    );
    let (tx, ty, anchor) = if s.composite {
        (s.x + 8.0, s.y + HEADER_H * 0.7, "start")
    } else {
        (s.x + s.w / 2.0, s.y + s.h / 2.0 + 4.0, "middle")
    };
    html! {
        <g class={class} data-state={s.path.clone()}>
            <title>{ title }</title>
            <rect x={s.x.to_string()} y={s.y.to_string()} width={s.w.to_string()} height={s.h.to_string()} rx="6" />
            <text x={tx.to_string()} y={ty.to_string()} text-anchor={anchor}>{ s.name.clone() }</text>
        </g>
    }
}

/// The tokens on one leaf state, in a row along its bottom edge.
fn tokens_on(s: &StateBox, tokens: &[Token]) -> Html {
    const R: f64 = 15.0;
    let here: Vec<&Token> = tokens.iter().filter(|t| t.path == s.path).collect();
    html! {
        { for here.iter().enumerate().map(|(i, t)| {
            // Along the box's bottom edge, overlapping it, so they read at any zoom.
            let cx = s.x + R + i as f64 * (2.0 * R + 3.0);
            let cy = s.y + s.h;
            html! {
                <g class={classes!("token", t.role)} data-token={t.id.clone()}>
                    <title>{ t.title.clone() }</title>
                    <circle cx={cx.to_string()} cy={cy.to_string()} r={R.to_string()} />
                    <text x={cx.to_string()} y={(cy + 5.5).to_string()} text-anchor="middle">{ t.text.clone() }</text>
                </g>
            }
        }) }
    }
}

fn edge(e: &EdgePath, taken: bool, title: String) -> Html {
    let points: Vec<String> = e.sections.iter().map(|[x, y]| format!("{x},{y}")).collect();
    let class = classes!(
        "edge",
        taken.then_some("taken"),
        (!e.listed).then_some("unlisted")
    );
    let marker = if taken {
        "url(#arrow-taken)"
    } else {
        "url(#arrow)"
    };
    html! {
        <g class={class} data-edge={format!("{}|{}|{}", e.from, e.event, e.to)}>
            <title>{ title }</title>
            <polyline points={points.join(" ")} marker-end={marker} />
            <text x={e.label.x.to_string()} y={(e.label.y + e.label.h * 0.75).to_string()}>{ e.event.clone() }</text>
        </g>
    }
}
