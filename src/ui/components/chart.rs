//! The statechart drawn as SVG from the machine definition: nested boxes, every state
//! carrying `data-state="<full path>"`, the active configuration highlighted.

use crate::engine::peering::chart::PeeringDef;
use crate::engine::statechart::StateId;
use crate::layout::{layout, Rect};
use yew::prelude::*;

#[derive(Properties)]
pub struct StatechartProps {
    pub def: &'static PeeringDef,
    pub current: Option<StateId>,
}

impl PartialEq for StatechartProps {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.def, other.def) && self.current == other.current
    }
}

#[function_component(Statechart)]
pub fn statechart(p: &StatechartProps) -> Html {
    let def = p.def;
    let lay = use_memo((), move |_| layout(def));
    let active: Vec<StateId> = p.current.map(|c| def.ancestry(c)).unwrap_or_default();
    let view_box = format!("-4 -4 {} {}", lay.width + 8.0, lay.height + 8.0);
    // Composites first so leaves draw on top.
    let mut order: Vec<StateId> = (0..def.states.len()).collect();
    order.sort_by_key(|&s| (!def.is_composite(s), def.ancestry(s).len()));
    html! {
        <svg class="statechart" viewBox={view_box} role="img"
             aria-label={format!("{} statechart, current state {}", def.name,
                 p.current.map_or("none", |c| def.states[c].path))}>
            { for order.into_iter().map(|s| state_box(def, s, &lay.boxes[s], active.contains(&s))) }
        </svg>
    }
}

fn state_box(def: &PeeringDef, s: StateId, r: &Rect, active: bool) -> Html {
    let st = &def.states[s];
    let composite = def.is_composite(s);
    let initial = match st.parent {
        Some(p) => def.states[p].initial == Some(s),
        None => def.initial == s,
    };
    let class = classes!(
        "state",
        composite.then_some("composite"),
        initial.then_some("initial"),
        active.then_some("active")
    );
    let reactions: Vec<String> = def
        .reactions_of(s)
        .map(|r| {
            let targets: Vec<&str> = r.targets().iter().map(|&t| def.states[t].name).collect();
            let label = match r.event.label() {
                "boost::statechart::event_base" => "any other event",
                l => l,
            };
            if targets.is_empty() {
                format!("{label}: {}", r.doc)
            } else {
                format!("{label} → {}: {}", targets.join(" | "), r.doc)
            }
        })
        .collect();
    let title = format!("{}\n{}\n\n{}", st.path, st.doc, reactions.join("\n"));
    let (tx, ty) = if composite {
        (r.x + 8.0, r.y + 15.0)
    } else {
        (r.x + r.w / 2.0, r.y + r.h / 2.0 + 4.0)
    };
    html! {
        <g class={class} data-state={st.path}>
            <title>{ title }</title>
            <rect x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={r.h.to_string()} rx="6" />
            <text x={tx.to_string()} y={ty.to_string()} text-anchor={if composite { "start" } else { "middle" }}>{ st.name }</text>
        </g>
    }
}
