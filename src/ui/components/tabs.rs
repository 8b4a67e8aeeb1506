//! The page's tabs (WAI-ARIA tabs pattern): one tab stop for the tab list, ← / → / Home /
//! End move between tabs and show the one focused.

use crate::share::View;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The tabs: view, label, id suffix.
pub const TABS: [(View, &str); 5] = [
    (View::Statechart, "Statechart"),
    (View::Intervals, "Intervals"),
    (View::PgLog, "PG log"),
    (View::Cluster, "Cluster"),
    (View::Mds, "MDS"),
];

/// The id of a tab's button and of its panel.
pub fn tab_id(view: View) -> String {
    format!("tab-{}", view.name())
}

pub fn panel_id(view: View) -> String {
    format!("panel-{}", view.name())
}

#[derive(Properties, PartialEq)]
pub struct TabsProps {
    pub active: View,
    pub on_select: Callback<View>,
}

#[function_component(Tabs)]
pub fn tabs(p: &TabsProps) -> Html {
    let active = TABS.iter().position(|(v, _)| *v == p.active).unwrap_or(0);
    let onkeydown = {
        let on_select = p.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            let n = TABS.len();
            let to = match e.key().as_str() {
                "ArrowRight" => (active + 1) % n,
                "ArrowLeft" => (active + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            e.prevent_default();
            focus_sibling(&e, to);
            on_select.emit(TABS[to].0);
        })
    };
    html! {
        <div class="tabs" role="tablist" aria-label="Views" {onkeydown}>
            { for TABS.iter().enumerate().map(|(i, (view, label))| {
                let selected = i == active;
                let view = *view;
                let onclick = p.on_select.reform(move |_: MouseEvent| view);
                html! {
                    <button role="tab" id={tab_id(view)} class="tab"
                        aria-selected={selected.to_string()}
                        aria-controls={panel_id(view)}
                        tabindex={if selected { "0" } else { "-1" }}
                        data-view={view.name()}
                        {onclick}>
                        { *label }
                    </button>
                }
            }) }
        </div>
    }
}

/// Focus the `to`-th tab of the tab list the key event happened in.
fn focus_sibling(e: &KeyboardEvent, to: usize) {
    // The key's target is the focused tab (Yew delegates events, so `current_target` is
    // not the tab list).
    let list = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest("[role=tablist]").ok().flatten());
    let mut tab = list.and_then(|l| l.first_element_child());
    for _ in 0..to {
        tab = tab.and_then(|t| t.next_element_sibling());
    }
    if let Some(tab) = tab.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = tab.focus();
    }
}
