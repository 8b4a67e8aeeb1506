//! The PG log view: one built-in example run through `engine::pglog::cli_merge` or
//! `cli_proc_replica_log`. The two logs as they were before (local and authoritative) are
//! drawn as timelines of entries aligned by version, with tail / head / last_update /
//! last_complete marked; stepping replays the engine's `decisions` one by one — the
//! decision's own sentence, the entries it names highlighted, divergent and appended
//! entries marked, the missing set and removed objects as the decisions state them — and
//! ends at the engine's result (`log`, `info`, `missing`, `removed`).
//!
//! Written with plain loops and few generic helpers: each closure handed to an iterator
//! adapter is compiled separately, and the web build's size matters.

use crate::engine::pglog::Eversion;
use crate::ui::examples::{
    self, DecisionView, EntryView, InfoView, LogView, MissingEffect, MissingRow, PgLogModel,
    StoreEffect, PGLOGS,
};
use crate::ui::state::Action;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PgLogProps {
    /// The example (index into `examples::PGLOGS`).
    pub index: usize,
    /// The decision shown; `decisions.len()` is the final result.
    pub step: usize,
    /// The steps a reader may reach.
    pub first: usize,
    pub last: usize,
    /// Show the example picker and the step buttons.
    pub controls: bool,
    pub on_action: Callback<Action>,
}

#[function_component(PgLogView)]
pub fn pglog_view(p: &PgLogProps) -> Html {
    let lanes_ref = use_node_ref();
    {
        // Keep the entries the current decision names in view inside the lanes' own
        // scroll area (never the page's).
        let lanes_ref = lanes_ref.clone();
        use_effect_with((p.index, p.step), move |_| scroll_to_focus(&lanes_ref));
    }
    let mut picker = Html::default();
    if p.controls {
        let on_change = p.on_action.reform(|e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            Action::SelectPgLog(select.selected_index().max(0) as usize)
        });
        let mut options = Vec::new();
        for (i, ex) in PGLOGS.iter().enumerate() {
            options.push(html! {
                <option value={ex.name} selected={i == p.index}>
                    { format!("{} — {}", ex.mode.function(), ex.name) }
                </option>
            });
        }
        picker = html! {
            <div class="picker">
                <label for="pglog-example">{ "Example" }</label>
                <select id="pglog-example" data-testid="pglog-example" onchange={on_change}>
                    { options }
                </select>
            </div>
        };
    }
    let body = match examples::pglog(p.index) {
        Some(Ok(model)) => body(model, p, lanes_ref),
        Some(Err(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        None => html! { <p class="error" role="alert">{ "No such example." }</p> },
    };
    html! {
        <section class="view pglog-view" aria-label="PG log merge, one decision at a time">
            { picker }
            { body }
        </section>
    }
}

/// Scroll the lanes sideways so the first highlighted entry is centred.
fn scroll_to_focus(lanes: &NodeRef) {
    let Some(scroller) = lanes.cast::<web_sys::HtmlElement>() else {
        return;
    };
    let focus = scroller
        .query_selector(".entry.focus")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = focus {
        let left = el.offset_left() + el.offset_width() / 2 - scroller.client_width() / 2;
        scroller.set_scroll_left(left.max(0));
    }
}

/// What the decisions up to the current one have stated, gathered for drawing.
struct Replay<'a> {
    current: Option<&'a DecisionView>,
    /// How many decisions have been taken (the current one included).
    taken: usize,
    divergent: Vec<Eversion>,
    /// Divergent entries whose object has been resolved, with the decision's reason.
    resolved: Vec<(Eversion, String)>,
    appended: Vec<EntryView>,
    focus: Vec<Eversion>,
    /// The missing set as the decisions so far state it, in object order.
    missing: Vec<MissingRow>,
    /// Objects whose missing entry the current decision changed.
    touched: Option<String>,
    /// (object, what happened to its local copy, decision index).
    store: Vec<(String, StoreEffect, usize)>,
}

impl<'a> Replay<'a> {
    fn new(m: &'a PgLogModel, step: usize) -> Replay<'a> {
        let decisions = &m.out.decisions;
        let current = decisions.get(step);
        let mut r = Replay {
            current,
            taken: (step + 1).min(decisions.len()),
            divergent: Vec::new(),
            resolved: Vec::new(),
            appended: Vec::new(),
            focus: current.map(DecisionView::versions).unwrap_or_default(),
            missing: Vec::new(),
            touched: None,
            store: Vec::new(),
        };
        for row in &m.input.local.missing {
            r.set_missing(row.clone());
        }
        for (i, d) in decisions[..r.taken].iter().enumerate() {
            match d.kind.as_str() {
                "DivergentFound" => r.divergent.extend(d.entry().map(|e| e.version)),
                "EntryAppended" => r.appended.extend(d.entry()),
                "DivergentResolved" => {
                    let reason = d.raw.get("reason").and_then(|v| v.as_str()).unwrap_or("");
                    for v in d.versions() {
                        r.resolved.push((v, reason.to_string()));
                    }
                }
                _ => {}
            }
            if let Some((object, effect)) = d.missing_change() {
                if i == step {
                    r.touched = Some(object.clone());
                }
                let at = r.missing.iter().position(|row| row.object == object);
                match (effect, at) {
                    (MissingEffect::Set { need, have }, _) => r.set_missing(MissingRow {
                        object,
                        need,
                        have,
                        flags: String::new(),
                    }),
                    (MissingEffect::HaveReset, Some(at)) => r.missing[at].have = Eversion::ZERO,
                    (MissingEffect::Drop, Some(at)) => {
                        r.missing.remove(at);
                    }
                    (_, None) => {}
                }
            }
            if let Some((object, effect)) = d.store_effect() {
                r.store.push((object, effect, i));
            }
        }
        r
    }

    /// Add or replace an object's missing entry, keeping object order.
    fn set_missing(&mut self, row: MissingRow) {
        match self
            .missing
            .binary_search_by(|x| x.object.as_str().cmp(&row.object))
        {
            Ok(at) => self.missing[at] = row,
            Err(at) => self.missing.insert(at, row),
        }
    }
}

/// A lane's markers: name and version.
fn markers(log: &LogView, info: Option<&InfoView>) -> Vec<(&'static str, Eversion)> {
    let mut v = vec![("tail", log.tail), ("head", log.head)];
    if let Some(info) = info {
        v.push(("last_update", info.last_update));
        v.push(("last_complete", info.last_complete));
    }
    v
}

/// Everything one lane draws.
struct Lane<'a> {
    name: &'a str,
    testid: &'static str,
    /// The grid row of its entries (its markers go in the next).
    row: usize,
    entries: &'a [EntryView],
    appended: &'a [EntryView],
    /// Mark this lane's divergent entries.
    local: bool,
    markers: Vec<(&'static str, Eversion)>,
}

/// The grid column of each version (column 1 holds the lane names).
struct Columns(Vec<Eversion>);

impl Columns {
    fn add(&mut self, v: Eversion) {
        if let Err(at) = self.0.binary_search(&v) {
            self.0.insert(at, v);
        }
    }

    fn of(&self, v: Eversion) -> usize {
        self.0.binary_search(&v).unwrap_or(0) + 2
    }
}

fn entry(e: &EntryView, lane: &Lane<'_>, cols: &Columns, r: &Replay<'_>, appended: bool) -> Html {
    let divergent = lane.local && !appended && r.divergent.contains(&e.version);
    let resolved = if divergent {
        r.resolved.iter().find(|(v, _)| *v == e.version)
    } else {
        None
    };
    let focus = r.focus.contains(&e.version);
    let mut title = format!(
        "{} (prior {}) {} {}",
        e.version, e.prior_version, e.op, e.object
    );
    if divergent {
        title.push_str(" — divergent");
    }
    if let Some((_, reason)) = resolved {
        title.push_str("; resolved: ");
        title.push_str(reason);
    }
    if appended {
        title.push_str(" — appended from the authoritative log");
    }
    let class = classes!(
        "entry",
        e.op.clone(),
        divergent.then_some("divergent"),
        appended.then_some("appended"),
        focus.then_some("focus"),
    );
    html! {
        <div {class} style={format!("grid-row: {}; grid-column: {}", lane.row, cols.of(e.version))}
             data-version={e.version.to_string()} {title}>
            <span class="ver">{ e.version.to_string() }</span>
            <span class="what">{ format!("{} {}", e.op, e.object) }</span>
            if divergent { <span class="tag">{ "divergent" }</span> }
            if resolved.is_some() { <span class="tag resolved">{ "resolved" }</span> }
            if appended { <span class="tag">{ "appended" }</span> }
        </div>
    }
}

fn lane(lane: &Lane<'_>, cols: &Columns, r: &Replay<'_>) -> Html {
    let mut cells: Vec<Html> = Vec::new();
    cells.push(html! {
        <div class="row-label" style={format!("grid-row: {} / {}; grid-column: 1", lane.row, lane.row + 2)}>
            { lane.name.to_string() }
        </div>
    });
    cells.push(html! {
        <div class="lane-line" style={format!("grid-row: {}; grid-column: 2 / {}", lane.row, cols.0.len() + 2)}></div>
    });
    for e in lane.entries {
        cells.push(entry(e, lane, cols, r, false));
    }
    for e in lane.appended {
        cells.push(entry(e, lane, cols, r, true));
    }
    // Markers at the same version share one cell.
    let mut done: Vec<Eversion> = Vec::new();
    for (_, v) in &lane.markers {
        if done.contains(v) {
            continue;
        }
        done.push(*v);
        let mut chips: Vec<Html> = Vec::new();
        for (name, _) in lane.markers.iter().filter(|(_, w)| w == v) {
            chips.push(html! { <span class={classes!("marker", *name)}>{ *name }</span> });
        }
        cells.push(html! {
            <div class="markers" style={format!("grid-row: {}; grid-column: {}", lane.row + 1, cols.of(*v))}>{ chips }</div>
        });
    }
    html! { <div class="lane" data-testid={lane.testid} style="display: contents">{ cells }</div> }
}

fn body(m: &PgLogModel, p: &PgLogProps, lanes_ref: NodeRef) -> Html {
    let decisions = &m.out.decisions;
    let total = decisions.len();
    let step = p.step.min(total);
    let at_result = step == total;
    let r = Replay::new(m, step);
    let (local_name, auth_name) = m.mode.lanes();
    let (local, auth) = (&m.input.local, &m.input.auth);

    let mut lanes = vec![
        Lane {
            name: local_name,
            testid: "lane-local",
            row: 1,
            entries: &local.log.entries,
            appended: &r.appended,
            local: true,
            markers: markers(&local.log, local.info.as_ref()),
        },
        Lane {
            name: auth_name,
            testid: "lane-auth",
            row: 3,
            entries: &auth.log.entries,
            appended: &[],
            local: false,
            markers: markers(&auth.log, auth.info.as_ref()),
        },
    ];
    let result_lane = Lane {
        name: "result (engine)",
        testid: "lane-result",
        row: 5,
        entries: &m.out.log.entries,
        appended: &[],
        local: false,
        markers: markers(&m.out.log, Some(&m.out.info)),
    };
    // Columns: every version an entry or marker of any lane has (the result's too, so
    // the columns do not move when it appears), in order.
    let mut cols = Columns(Vec::new());
    for l in lanes.iter().chain([&result_lane]) {
        for e in l.entries {
            cols.add(e.version);
        }
        for (_, v) in &l.markers {
            cols.add(*v);
        }
    }
    if at_result {
        lanes.push(result_lane);
    }
    let mut grid: Vec<Html> = Vec::new();
    for l in &lanes {
        grid.push(lane(l, &cols, &r));
    }

    let counter = if at_result {
        format!("result ({total} decisions)")
    } else {
        format!("decision {} / {total}", step + 1)
    };
    let (kind, explain) = match r.current {
        Some(d) => (
            format!("Decision {} of {total} · {}", step + 1, d.kind),
            d.explain.clone(),
        ),
        None => (
            "Result".to_string(),
            format!(
                "After {total} decisions: last_update {}, last_complete {}; {} missing, {} removed.",
                m.out.info.last_update,
                m.out.info.last_complete,
                m.out.missing.len(),
                m.out.removed.len()
            ),
        ),
    };
    let buttons = if p.controls {
        let first = p.first;
        html! {
            <div class="buttons">
                <button onclick={p.on_action.reform(move |_: MouseEvent| Action::PgLogSeek(first))}
                        disabled={step <= p.first} aria-label="First decision">{ "Restart" }</button>
                <button onclick={p.on_action.reform(|_: MouseEvent| Action::BackView)}
                        disabled={step <= p.first} data-testid="pglog-back" aria-label="Previous decision (left arrow)">{ "◀ Back" }</button>
                <button onclick={p.on_action.reform(|_: MouseEvent| Action::StepView)}
                        disabled={step >= p.last} data-testid="pglog-step" aria-label="Next decision (right arrow)">{ "Step ▶" }</button>
                <span class="counter" data-testid="pglog-counter">{ counter }</span>
            </div>
        }
    } else {
        html! { <p class="counter" data-testid="pglog-counter">{ counter }</p> }
    };
    let mut list: Vec<Html> = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        let state = if i == step {
            "now"
        } else if i < step {
            "done"
        } else {
            "todo"
        };
        let item = if p.controls && (p.first..=p.last).contains(&i) {
            let onclick = p
                .on_action
                .reform(move |_: MouseEvent| Action::PgLogSeek(i));
            html! { <button class="link" {onclick}>{ d.explain.clone() }</button> }
        } else {
            html! { <span>{ d.explain.clone() }</span> }
        };
        list.push(
            html! { <li class={state} aria-current={(i == step).then_some("step")}>{ item }</li> },
        );
    }

    html! {
        <>
            <p class="description">
                <strong>{ format!("{}: ", m.mode.function()) }</strong>{ m.input.comment.clone() }
            </p>
            <div class="hscroll" ref={lanes_ref} tabindex="0" role="group" aria-label="The logs, oldest entry first (scrolls sideways)">
                <div class="loglanes" style={format!("--columns: {}", cols.0.len())}>{ grid }</div>
            </div>
            <p class="legend">
                <span><span class="swatch focus"></span>{ " named by this decision" }</span>
                <span><span class="swatch divergent"></span>{ " divergent" }</span>
                <span><span class="swatch appended"></span>{ " appended" }</span>
                <span>{ "· the log holds (tail, head]" }</span>
                <span>{ "· markers: the input's, before the merge" }</span>
            </p>
            <div class="pglog-grid">
                <div class="decision-panel">
                    <div class="decision-now" aria-live="polite">
                        <p class="kind">{ kind }</p>
                        <p class="explain" data-testid="decision-explain">{ explain }</p>
                    </div>
                    { buttons }
                </div>
                <div class="state-panel">
                    { missing_panel(m, &r, at_result) }
                    { store_panel(m, &r, at_result) }
                    if at_result { { result_panel(m) } }
                </div>
                <div class="decision-list">
                    <h2>{ "Every decision" }</h2>
                    <ol class="decisions" data-testid="decisions">{ list }</ol>
                </div>
            </div>
        </>
    }
}

fn missing_panel(m: &PgLogModel, r: &Replay<'_>, at_result: bool) -> Html {
    let (title, rows, touched) = if at_result {
        ("Missing set (result)".to_string(), &m.out.missing, None)
    } else {
        (
            format!("Missing set after decision {}", r.taken),
            &r.missing,
            r.touched.as_deref(),
        )
    };
    let table = if rows.is_empty() {
        html! { <p data-testid="missing">{ "Nothing is missing." }</p> }
    } else {
        let mut trs: Vec<Html> = Vec::new();
        for row in rows {
            let delete = if row.flags == "delete" {
                " (delete)"
            } else {
                ""
            };
            trs.push(html! {
                <tr class={classes!((touched == Some(row.object.as_str())).then_some("touched"))}>
                    <td>{ row.object.clone() }</td>
                    <td>{ row.need.to_string() }</td>
                    <td>{ format!("{}{delete}", row.have) }</td>
                </tr>
            });
        }
        html! {
            <table class="missing" data-testid="missing">
                <thead><tr><th scope="col">{ "object" }</th><th scope="col">{ "need" }</th><th scope="col">{ "have" }</th></tr></thead>
                <tbody>{ trs }</tbody>
            </table>
        }
    };
    html! {
        <section class="panel-box">
            <h2>{ title }</h2>
            { table }
        </section>
    }
}

fn none_if_empty(s: String) -> String {
    if s.is_empty() {
        "none".to_string()
    } else {
        s
    }
}

fn store_panel(m: &PgLogModel, r: &Replay<'_>, at_result: bool) -> Html {
    if at_result {
        let mut rolled = String::new();
        for e in &m.out.rolled_back {
            if !rolled.is_empty() {
                rolled.push_str(", ");
            }
            rolled.push_str(&format!("{} {}", e.version, e.object));
        }
        return html! {
            <section class="panel-box">
                <h2>{ "Local copies (result)" }</h2>
                <p>{ "removed: " }<span data-testid="removed">{ none_if_empty(m.out.removed.join(", ")) }</span></p>
                <p>{ "rolled back by the handler: " }{ none_if_empty(rolled) }</p>
            </section>
        };
    }
    let mut removed = String::new();
    let mut items: Vec<Html> = Vec::new();
    for (object, effect, i) in &r.store {
        let word = match effect {
            StoreEffect::Removed => "removed",
            StoreEffect::Stashed => "stashed",
            StoreEffect::RolledBack => "rolled back",
        };
        if *effect == StoreEffect::Removed {
            if !removed.is_empty() {
                removed.push_str(", ");
            }
            removed.push_str(object);
        }
        items.push(html! { <li>{ format!("{object}: {word} (decision {})", i + 1) }</li> });
    }
    html! {
        <section class="panel-box">
            <h2>{ "Local copies so far" }</h2>
            <p>{ "removed: " }<span data-testid="removed">{ none_if_empty(removed) }</span></p>
            if !items.is_empty() { <ul>{ items }</ul> }
        </section>
    }
}

fn result_panel(m: &PgLogModel) -> Html {
    let info = &m.out.info;
    let log = &m.out.log;
    html! {
        <section class="panel-box" data-testid="result">
            <h2>{ "Result info" }</h2>
            <dl class="prior">
                <div><dt>{ "last_update" }</dt><dd>{ info.last_update.to_string() }</dd></div>
                <div><dt>{ "last_complete" }</dt><dd>{ info.last_complete.to_string() }</dd></div>
                <div><dt>{ "log" }</dt><dd>{ format!("({}, {}], {} entries", log.tail, log.head, log.entries.len()) }</dd></div>
                if let Some(lb) = &info.last_backfill { <div><dt>{ "last_backfill" }</dt><dd>{ lb.clone() }</dd></div> }
            </dl>
        </section>
    }
}
