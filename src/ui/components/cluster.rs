//! The cluster tab: a built-in cluster scenario (`engine::cluster`) stepped one event at a
//! time. It draws what the engine's run holds — the map's OSDs (up/in, daemon running),
//! every PG's state string, up, acting and primary's path, what is pending, the narration —
//! and sends every choice (step, deliver, drop, kill…) to the reducer. No protocol logic
//! here: which buttons apply is read from the map and the daemons, nothing more. The
//! history is the engine's `Timeline`: Back, the slider and the history list seek on it.

use crate::engine::cluster::Next;
use crate::engine::osdmap::PgId;
use crate::engine::peering::chart::definition;
use crate::engine::peering::state::PeeringState;
use crate::engine::peering::unfound;
use crate::engine::timeline::{Choice, Timeline};
use crate::engine::world::{
    HostSpec, LostModeText, OsdUsage, PendingId, PgInstance, PoolSpec, UserAction, World,
    BACKFILLFULL_PCT, FULL_PCT, NEARFULL_PCT,
};
use crate::ui::components::chart::{ChartKind, Statechart, Token};
use crate::ui::components::narration::scenario_intro;
use crate::ui::state::Action;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties)]
pub struct ClusterProps {
    /// The scenario names, in picker order.
    pub names: Vec<String>,
    pub selected: usize,
    pub timeline: Rc<Timeline>,
    /// The length of the longest history made (steps Step and the slider can replay).
    pub history: usize,
    pub pg: Option<PgId>,
    pub controls: bool,
    /// The scenario's narration unfolded (the full page) or folded (embedded).
    pub intro_open: bool,
    pub on_action: Callback<Action>,
}

impl PartialEq for ClusterProps {
    fn eq(&self, o: &Self) -> bool {
        self.names == o.names
            && self.selected == o.selected
            && Rc::ptr_eq(&self.timeline, &o.timeline)
            && self.history == o.history
            && self.pg == o.pg
            && self.controls == o.controls
            && self.intro_open == o.intro_open
            && self.on_action == o.on_action
    }
}

fn act(cb: &Callback<Action>, a: UserAction) -> Callback<MouseEvent> {
    act_with(cb, Action::Cluster, a)
}

fn act_with(
    cb: &Callback<Action>,
    wrap: fn(Choice) -> Action,
    a: UserAction,
) -> Callback<MouseEvent> {
    cb.reform(move |_: MouseEvent| wrap(Choice::Act { action: a.clone() }))
}

/// The selected PG's commands: a client write (of the next `objN`), `ceph pg
/// force-recovery` / `force-backfill` and their `cancel-`, `mark_unfound_lost`. The engine
/// decides what each does, or refuses it with a message (shown above the view).
fn pg_actions(cb: &Callback<Action>, pg: PgId, ops: usize) -> Html {
    let object = format!("obj{ops}");
    let commands: [(String, UserAction); 7] = [
        (
            format!("write {object}"),
            UserAction::Write {
                pg,
                object: object.clone(),
            },
        ),
        ("force-recovery".into(), UserAction::ForceRecovery { pg }),
        ("force-backfill".into(), UserAction::ForceBackfill { pg }),
        (
            "cancel-force-recovery".into(),
            UserAction::CancelForceRecovery { pg },
        ),
        (
            "cancel-force-backfill".into(),
            UserAction::CancelForceBackfill { pg },
        ),
        (
            "mark_unfound_lost revert".into(),
            UserAction::MarkUnfoundLost {
                pg,
                mode: LostModeText::Revert,
            },
        ),
        (
            "mark_unfound_lost delete".into(),
            UserAction::MarkUnfoundLost {
                pg,
                mode: LostModeText::Delete,
            },
        ),
    ];
    let buttons = commands.into_iter().map(|(label, action)| {
        let aria = format!("pg {pg}: {label}");
        let key = if label.starts_with("write") { "write".to_string() } else { label.replace(' ', "-") };
        let testid = format!("pg-{key}");
        html! { <button onclick={act(cb, action)} aria-label={aria} data-testid={testid}>{ label }</button> }
    });
    html! { <div class="osd-buttons pg-actions" role="group" aria-label={format!("pg {pg} commands")}>{ for buttons }</div> }
}

pub(super) fn pending_label(id: PendingId) -> String {
    match id {
        PendingId::Message(m) => format!("message {m}"),
        PendingId::Timer(t) => format!("timer {t}"),
        PendingId::Advance(a) => format!("map advance {a}"),
    }
}

/// A state path with a line-break opportunity after each `/` (for narrow screens).
fn breakable(path: &str) -> Html {
    breakable_at(path, '/')
}

/// `text` with a line-break opportunity after each `sep` (state strings and paths have no
/// spaces: without it a long one widens its column past the table).
pub(super) fn breakable_at(text: &str, sep: char) -> Html {
    let mut parts = Vec::new();
    for (i, part) in text.split(sep).enumerate() {
        if i > 0 {
            parts.push(html! { <>{ sep }<wbr/></> });
        }
        parts.push(html! { { part.to_string() } });
    }
    html! { <>{ parts }</> }
}

/// How many of the newest steps the history lists. Building, diffing and laying out every
/// entry on each step made a step cost more the longer the run (recovery-preempts-backfill
/// takes 2,477 steps); the History slider reaches the older ones.
pub const HISTORY_SHOWN: usize = 100;

/// The index of the first history entry listed when `len` steps were taken.
pub fn history_start(len: usize) -> usize {
    len.saturating_sub(HISTORY_SHOWN)
}

/// The note above a history list that starts after step 1.
pub fn earlier_steps(first: usize) -> Html {
    if first == 0 {
        return Html::default();
    }
    html! { <p class="history-earlier">{ format!("Steps 1–{first}: use the History slider.") }</p> }
}

#[function_component(ClusterView)]
pub fn cluster_view(p: &ClusterProps) -> Html {
    let run = p.timeline.run();
    let records = p.timeline.records();
    let position = p.timeline.position();
    let world = &run.world;
    let map = world.map();
    let cb = &p.on_action;

    // The scenario picker and the step buttons.
    let mut top = Html::default();
    if p.controls {
        let on_change = cb.reform(|e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            Action::ClusterSelect(select.selected_index().max(0) as usize)
        });
        let mut options = Vec::new();
        for (i, name) in p.names.iter().enumerate() {
            options.push(html! {
                <option value={name.clone()} selected={i == p.selected}>{ name.clone() }</option>
            });
        }
        let done = p.timeline.is_done() && position >= p.history;
        let on_seek = cb.reform(|e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            Action::ClusterSeek(input.value().parse().unwrap_or(0))
        });
        let ahead = p.history.saturating_sub(position);
        // Serialised on click only: the records can be thousands of steps.
        let export = {
            let timeline = p.timeline.clone();
            Callback::from(move |_: MouseEvent| {
                let name = format!("{}-trace.json", timeline.scenario().name);
                crate::ui::browser::download(&name, "application/json", &timeline.trace_json());
            })
        };
        let click = |a: fn() -> Action| cb.reform(move |_: MouseEvent| a());
        top = html! {
            <div class="controls">
                <label for="cluster-scenario">{ "Scenario" }</label>
                <select id="cluster-scenario" data-testid="cluster-scenario" onchange={on_change}>
                    { options }
                </select>
                <div class="buttons">
                    <button onclick={click(|| Action::ClusterRestart)} aria-label="Back to the first step (the history is kept)" disabled={position == 0}>{ "Restart" }</button>
                    <button onclick={click(|| Action::ClusterBack)} aria-label="One step back (left arrow)" disabled={position == 0} data-testid="cluster-back">{ "◀ Back" }</button>
                    <button onclick={click(|| Action::ClusterForward)} aria-label="Take the next step, or redo the next one of the history (right arrow)" disabled={done} data-testid="cluster-step">{ "Step ▶" }</button>
                    <button onclick={export} aria-label="Download the steps so far as JSON (what cephscope run --json prints)" data-testid="cluster-export-json">{ "Trace JSON" }</button>
                    <span class="counter" data-testid="cluster-counter">
                        { format!("{position} steps · e{} · {} ms{}", map.epoch, world.now, if done { " · done" } else { "" }) }
                    </span>
                </div>
                if p.history > 0 {
                    <div class="seek">
                        <label for="cluster-seek">{ "History" }</label>
                        <input id="cluster-seek" type="range" min="0" max={p.history.to_string()}
                            value={position.to_string()} oninput={on_seek} data-testid="cluster-seek"
                            aria-valuetext={format!("step {position} of {}", p.history)} />
                        <span class="counter">{ if ahead > 0 { format!("{ahead} ahead: Step replays them") } else { String::new() } }</span>
                    </div>
                }
            </div>
        };
    }
    let narration = html! { { scenario_intro(&run.scenario.narration, p.intro_open) } };

    let hosts = osd_hosts(
        world,
        &run.scenario.cluster.hosts,
        p.controls,
        cb,
        Action::Cluster,
    );

    // The PGs.
    let states = world.pg_states();
    let mut rows = Vec::new();
    let mut detail = Html::default();
    if let Some(table) = world.mappings.last() {
        for (pg, m) in &table.by_pg {
            let primary = world
                .osds
                .get(&m.acting_primary)
                .and_then(|n| n.pgs.get(pg));
            let path = primary.map_or("-", |i| i.machine.path(definition()));
            let state = states.get(pg).map_or("unknown", String::as_str);
            let selected = p.pg == Some(*pg);
            let pg_v = *pg;
            let onclick = cb.reform(move |_: MouseEvent| Action::ClusterSelectPg(pg_v));
            let row_click = onclick.clone();
            rows.push(html! {
                <tr class={classes!(selected.then_some("selected"))} data-pg={pg.to_string()} onclick={row_click}>
                    <td><button class="link" {onclick} aria-pressed={selected.to_string()} aria-label={format!("Select PG {pg}")}>{ pg.to_string() }</button></td>
                    <td data-testid="pg-state">{ breakable_at(state, '+') }</td>
                    <td class="osds">{ format!("{:?}", m.up) }</td>
                    <td class="osds">{ format!("{:?}", m.acting) }</td>
                    <td class="path">{ format!("osd.{}: ", m.acting_primary) }{ breakable(path) }</td>
                </tr>
            });
            if selected {
                let blocked = primary.map(|i| {
                    i.state
                        .blocked_by
                        .iter()
                        .map(|o| format!("osd.{o}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                let unfound = primary.map(|i| unfound_line(&i.state)).unwrap_or_default();
                let query = primary.map(|i| pg_query(*pg, i)).unwrap_or_default();
                let chart = selected_pg_chart(&p.timeline, *pg, m.acting_primary, &m.acting);
                let pg_buttons = if p.controls {
                    pg_actions(cb, *pg, world.client_ops.len())
                } else {
                    Html::default()
                };
                detail = html! {
                    <>
                    <p class="pg-detail" aria-live="polite">
                        { format!("pg {pg} ({state}) on its primary osd.{}: ", m.acting_primary) }
                        <code>{ path }</code>
                        <br/>
                        { "blocked_by: " }
                        <strong data-testid="blocked-by">{ match blocked {
                            Some(b) if !b.is_empty() => b,
                            Some(_) => "nobody".to_string(),
                            None => "(the primary has no copy of this PG)".to_string(),
                        } }</strong>
                        { unfound }
                    </p>
                    { query }
                    { pg_buttons }
                    { chart }
                    </>
                };
            }
        }
    }

    if let Some(pg) = p.pg.filter(|pg| !map.pools.contains_key(&pg.pool)) {
        detail = html! {
            <p class="pg-detail" aria-live="polite" data-testid="pg-gone">
                { format!("pg {pg}: its pool was deleted; each OSD removes its copy (Stray → ToDelete → Deleting), as the OSD cards' PG counts show") }
            </p>
        };
    }
    let pools = pools_line(world, &run.scenario.cluster.pools, p.controls, cb);

    // What can happen next.
    let next = match run.next() {
        Some(Next::Drop { what }) => format!("script: {what}"),
        Some(Next::Script { at_ms, what, .. }) => format!("script at {at_ms} ms: {what}"),
        Some(Next::Event(e)) => format!("{} ms: {}", e.at_ms, e.what),
        None => "nothing: the run is done".to_string(),
    };
    let mut pending = Vec::new();
    for e in world.pending() {
        let id = e.id;
        let mut buttons = Vec::new();
        if p.controls {
            let label = pending_label(id);
            buttons.push(html! {
                <button onclick={cb.reform(move |_: MouseEvent| Action::Cluster(Choice::Deliver { id }))}
                    aria-label={format!("Deliver {label} now")}>{ "Deliver" }</button>
            });
            if let PendingId::Message(m) = id {
                buttons.push(html! {
                    <button onclick={act(cb, UserAction::Drop { message: m })}
                        aria-label={format!("Drop {label}")}>{ "Drop" }</button>
                });
            }
        }
        pending.push(html! {
            // Keyed: a delivered event leaves the list without the later ones being
            // patched into its place.
            <li key={pending_label(id)}>
                <span class="pending-id">{ pending_label(id) }</span>
                <span class="pending-at">{ format!("{} ms", e.at_ms) }</span>
                <span class="pending-what">{ e.what.clone() }</span>
                <span class="pending-buttons">{ buttons }</span>
            </li>
        });
    }
    let first = history_start(records.len());
    let mut history = Vec::new();
    for (i, r) in records.iter().enumerate().skip(first) {
        let to = i + 1;
        let current = to == position;
        let onclick = cb.reform(move |_: MouseEvent| Action::ClusterSeek(to));
        history.push(html! {
            <li key={to} class={classes!(current.then_some("current"))}>
                <button class="link" {onclick} aria-current={current.then_some("step")}
                    title={format!("Go back to step {to}")}>{ r.step.explanation.clone() }</button>
            </li>
        });
    }

    html! {
        <section class="view cluster-view" aria-label="A simulated cluster, one event at a time">
            { top }
            { narration }
            <div class="cluster-grid">
                <section class="hosts" aria-label="Hosts and OSDs">
                    <h2>{ format!("OSDs (map e{})", map.epoch) }</h2>
                    <ul class="hosts-list">{ hosts }</ul>
                </section>
                <section class="pgs" aria-label="Placement groups">
                    <h2>{ "PGs" }</h2>
                    { pools }
                    <div class="table-scroll">
                        <table class="pg-table" data-testid="pg-table">
                            <thead><tr><th>{ "PG" }</th><th>{ "state" }</th><th>{ "up" }</th><th>{ "acting" }</th><th>{ "primary's state" }</th></tr></thead>
                            <tbody>{ rows }</tbody>
                        </table>
                    </div>
                    { detail }
                </section>
                <section class="events" aria-label="Pending events">
                    <h2>{ "Next" }</h2>
                    <p class="next" data-testid="cluster-next">{ next }</p>
                    <h2>{ "Pending" }</h2>
                    <ul class="pending" data-testid="cluster-pending">{ pending }</ul>
                </section>
                <section class="history" aria-label="Narration">
                    <h2>{ "History" }</h2>
                    // The scroll area keeps its bottom (the newest sentence) in view by
                    // itself (column-reverse): no effect reading scrollHeight, which forced
                    // a layout of the whole page on every step.
                    <div class="history-scroll">
                        <div>
                            { earlier_steps(first) }
                            <ol class="cluster-history" data-testid="cluster-history" start={(first + 1).to_string()}>{ history }</ol>
                        </div>
                    </div>
                </section>
            </div>
        </section>
    }
}

/// The scenario's pools as the map has them (size, min_size, pg_num), each with `ceph osd
/// pool delete`; a pool the map no longer has is shown deleted.
fn pools_line(world: &World, pools: &[PoolSpec], controls: bool, cb: &Callback<Action>) -> Html {
    let map = world.map();
    let items = pools.iter().map(|spec| {
        let Some(pool) = map.pools.get(&spec.id) else {
            return html! {
                <li class="pool deleted" data-testid={format!("pool-{}", spec.id)}>
                    { format!("{} (pool {}): deleted", spec.name, spec.id) }
                </li>
            };
        };
        let text = format!(
            "{} (pool {}): size {}, min_size {}, {} PGs",
            pool.name, spec.id, pool.size, pool.min_size, pool.pg_num
        );
        let button = controls.then(|| {
            let action = UserAction::DeletePool {
                pool: pool.name.clone(),
            };
            html! {
                <button onclick={act(cb, action)} data-testid={format!("delete-pool-{}", spec.id)}
                    aria-label={format!("ceph osd pool delete {0} {0} --yes-i-really-really-mean-it", pool.name)}>
                    { "delete pool" }
                </button>
            }
        });
        html! {
            <li class="pool" data-testid={format!("pool-{}", spec.id)}>
                <span>{ text }</span>
                { for button }
            </li>
        }
    });
    // The monitor's guard (`_check_remove_pool`): Ceph refuses deletions until it is set.
    let allow = world.mon_allow_pool_delete;
    let guard = html! {
        <li class="pool guard" data-testid="mon-allow-pool-delete">
            <span>{ format!("mon_allow_pool_delete: {allow}") }</span>
            if controls {
                <button onclick={act(cb, UserAction::AllowPoolDelete { allow: !allow })}
                    data-testid="toggle-allow-pool-delete"
                    aria-label={format!("ceph config set mon mon_allow_pool_delete {}", !allow)}>
                    { if allow { "refuse deletion" } else { "allow deletion" } }
                </button>
            }
        </li>
    };
    html! { <ul class="pools" aria-label="Pools">{ for items }{ guard }</ul> }
}

/// The hosts and their OSDs (up/down, in/out, lost, daemon running) with the OSD
/// commands; `wrap` makes a cluster choice the tab's action (the Cluster tab's, or the MDS
/// tab's cluster side in a CephFS-over-RADOS run).
pub fn osd_hosts(
    world: &World,
    hosts: &[HostSpec],
    controls: bool,
    cb: &Callback<Action>,
    wrap: fn(Choice) -> Action,
) -> Vec<Html> {
    let map = world.map();
    let mut list = Vec::new();
    for host in hosts {
        let mut osds = Vec::new();
        for &o in &host.osds {
            let entry = map.osds.get(&o);
            let up = entry.is_some_and(|e| e.up);
            let is_in = entry.is_some_and(|e| e.is_in());
            let lost = entry.is_some_and(|e| e.lost_at > 0);
            let running = world.osds.get(&o).is_some_and(|n| n.running);
            let status = format!(
                "{} {}{}",
                if up { "up" } else { "down" },
                if is_in { "in" } else { "out" },
                if lost { " lost" } else { "" }
            );
            let daemon = if running {
                "daemon running"
            } else {
                "daemon stopped"
            };
            let mut buttons = Vec::new();
            if controls {
                let name = format!("osd.{o}");
                if running {
                    buttons.push(html! { <button onclick={act_with(cb, wrap, UserAction::Kill { osd: o })} aria-label={format!("Kill {name}'s daemon")} data-testid={format!("kill-{o}")}>{ "kill" }</button> });
                } else {
                    buttons.push(html! { <button onclick={act_with(cb, wrap, UserAction::Revive { osd: o })} aria-label={format!("Revive {name}'s daemon")} data-testid={format!("revive-{o}")}>{ "revive" }</button> });
                }
                if is_in {
                    buttons.push(html! { <button onclick={act_with(cb, wrap, UserAction::Out { osd: o })} aria-label={format!("Mark {name} out")} data-testid={format!("out-{o}")}>{ "out" }</button> });
                } else {
                    buttons.push(html! { <button onclick={act_with(cb, wrap, UserAction::In { osd: o })} aria-label={format!("Mark {name} in")} data-testid={format!("in-{o}")}>{ "in" }</button> });
                }
                if !up && !lost {
                    buttons.push(html! { <button onclick={act_with(cb, wrap, UserAction::Lost { osd: o })} aria-label={format!("Mark {name} lost")} data-testid={format!("lost-{o}")}>{ "lost" }</button> });
                }
            }
            let usage = world.osd_usage(o).map(|u| osd_usage_text(&u));
            osds.push(html! {
                <li class={classes!("osd", if up { "up" } else { "down" }, (!is_in).then_some("out"))} data-osd={o.to_string()}>
                    <span class="osd-name">{ format!("osd.{o}") }</span>
                    <span class="osd-status" data-testid={format!("osd-status-{o}")}>{ status }</span>
                    <span class="osd-daemon">{ daemon }</span>
                    if let Some((text, title, flag)) = usage {
                        <span class={classes!("osd-usage", flag)} title={title} data-testid={format!("osd-usage-{o}")}>{ text }</span>
                    }
                    <span class="osd-buttons">{ buttons }</span>
                </li>
            });
        }
        list.push(html! {
            <li class="host">
                <span class="host-name">{ host.name.clone() }</span>
                <ul class="osds">{ osds }</ul>
            </li>
        });
    }

    list
}

/// The primary's unfound objects and its `might_have_unfound` with each OSD's status, as
/// `ceph pg <pgid> query` prints them (`peering::unfound::might_have_unfound_status`);
/// nothing while neither is set.
fn unfound_line(ps: &PeeringState) -> Html {
    let status = unfound::might_have_unfound_status(ps);
    if ps.unfound.is_empty() && status.is_empty() {
        return Html::default();
    }
    let objects = if ps.unfound.is_empty() {
        "none".to_string()
    } else {
        ps.unfound.iter().cloned().collect::<Vec<_>>().join(", ")
    };
    let osds = status
        .iter()
        .map(|(o, s)| format!("osd.{o} ({s})"))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <>
        <br/>
        { "unfound: " }<strong data-testid="unfound">{ objects }</strong>
        <br/>
        { "might_have_unfound: " }<span data-testid="might-have-unfound">{ if osds.is_empty() { "-".to_string() } else { osds } }</span>
        </>
    }
}

/// `ceph pg <pgid> query`'s recovery_state on the primary, as the engine builds it
/// (`peering::query::recovery_state`), folded.
fn pg_query(pg: PgId, inst: &PgInstance) -> Html {
    let rs = crate::engine::peering::query::recovery_state(&inst.machine, &inst.state);
    let text = serde_json::to_string_pretty(&serde_json::json!({ "recovery_state": rs }))
        .unwrap_or_default();
    html! {
        <details class="pg-query">
            <summary>{ format!("ceph pg {pg} query: recovery_state") }</summary>
            <pre data-testid="pg-query">{ text }</pre>
        </details>
    }
}

/// An OSD's usage as the card shows it: "4 PGs · 9/10 objects (90%) backfillfull", a
/// title that spells it out, and the class of its flag (none, nearfull, backfillfull,
/// full).
fn osd_usage_text(u: &OsdUsage) -> (String, String, Option<&'static str>) {
    let pgs = format!("{} PG{}", u.pgs, if u.pgs == 1 { "" } else { "s" });
    let flag = if u.full {
        Some("full")
    } else if u.backfillfull {
        Some("backfillfull")
    } else if u.nearfull {
        Some("nearfull")
    } else {
        None
    };
    match u.capacity_objects {
        Some(cap) => {
            let pct = u.objects * 100 / cap.max(1);
            let text = format!(
                "{pgs} · {}/{cap} objects ({pct}%){}",
                u.objects,
                flag.map(|f| format!(" {f}")).unwrap_or_default()
            );
            let title = format!(
                "holds {} PG copies with {} objects of a capacity of {cap}; nearfull at {}%, backfillfull at {}%, full at {}%",
                u.pgs, u.objects, NEARFULL_PCT, BACKFILLFULL_PCT, FULL_PCT
            );
            (text, title, flag)
        }
        None => (
            format!("{pgs} · {} objects", u.objects),
            format!(
                "holds {} PG copies with {} objects (no capacity set)",
                u.pgs, u.objects
            ),
            None,
        ),
    }
}

/// The peering chart with one token per OSD holding `pg` on the state its machine is in,
/// and the transitions the last step took on the primary highlighted.
fn selected_pg_chart(timeline: &Timeline, pg: PgId, primary: i32, acting: &[i32]) -> Html {
    let def = definition();
    let run = timeline.run();
    let tokens: Vec<Token> = run
        .world
        .osds
        .iter()
        .filter(|(_, n)| n.running)
        .filter_map(|(&osd, n)| {
            let inst = n.pgs.get(&pg)?;
            let role = if osd == primary {
                "primary"
            } else if acting.contains(&osd) {
                "replica"
            } else {
                "stray"
            };
            let path = inst.machine.path(def);
            Some(Token {
                id: osd.to_string(),
                text: osd.to_string(),
                title: format!("osd.{osd} ({role}) is in {path}"),
                path,
                role,
            })
        })
        .collect();
    let taken: Vec<crate::ui::components::chart::Taken> = timeline
        .records()
        .last()
        .map(|r| {
            r.step
                .pgs
                .iter()
                .filter(|p| p.pg == pg && p.osd == primary)
                .flat_map(|p| p.micro.iter())
                .filter_map(|m| match m {
                    crate::engine::statechart::Micro::Transit { from, event, to } => {
                        Some((*from, *event, *to))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let current = run
        .world
        .osds
        .get(&primary)
        .and_then(|n| n.pgs.get(&pg))
        .and_then(|i| i.machine.current());
    html! {
        <details class="pg-chart" open=true>
            <summary>{ format!("pg {pg}: each OSD's machine (primary osd.{primary} filled)") }</summary>
            <Statechart kind={ChartKind::Peering} current={current} taken={taken} zoom={0.6} tokens={tokens} />
        </details>
    }
}
