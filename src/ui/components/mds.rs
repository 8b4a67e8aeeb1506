//! The MDS tab: an MDS scenario (`engine::mds::scenario`) stepped one event at a time. It
//! draws what the engine's run holds — the daemons (process, gid, FSMap state, rank,
//! standby-replay follower, laggy), each filesystem's ranks, the clients, what is pending,
//! the narration and log lines, `ceph fs status` / `ceph mds stat` as the engine prints
//! them, and the MDS chart with one token per running daemon — and sends every choice
//! (step, deliver, start/kill, max_mds…) to the reducer. Which buttons apply is read from
//! the FSMap and the daemons; the rules stay in the engine.

use crate::engine::mds::chart::definition;
use crate::engine::mds::fsmap::MdsMap;
use crate::engine::mds::scenario::{MdsRun, ScriptStep};
use crate::engine::mds::state::DaemonState;
use crate::engine::mds::world::{MdsAction, MdsStep, MdsWorld};
use crate::engine::statechart::Micro;
use crate::share::MdsChoice;
use crate::ui::components::chart::{ChartKind, Statechart, Taken, Token};
use crate::ui::components::cluster::{earlier_steps, history_start};
use crate::ui::components::narration::scenario_intro;
use crate::ui::mdstab::TabRun;
use crate::ui::state::Action;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties)]
pub struct MdsProps {
    pub names: Vec<String>,
    pub selected: usize,
    pub run: Rc<TabRun>,
    /// The length of the longest history made.
    pub history: usize,
    pub controls: bool,
    /// The scenario's narration unfolded (the full page) or folded (embedded).
    pub intro_open: bool,
    pub on_action: Callback<Action>,
}

impl PartialEq for MdsProps {
    fn eq(&self, o: &Self) -> bool {
        self.names == o.names
            && self.selected == o.selected
            && Rc::ptr_eq(&self.run, &o.run)
            && self.history == o.history
            && self.controls == o.controls
            && self.intro_open == o.intro_open
            && self.on_action == o.on_action
    }
}

pub(super) fn act(cb: &Callback<Action>, a: MdsAction) -> Callback<MouseEvent> {
    cb.reform(move |_: MouseEvent| Action::Mds(MdsChoice::Act(a.clone())))
}

#[function_component(MdsView)]
pub fn mds_view(p: &MdsProps) -> Html {
    match &*p.run {
        TabRun::Mds(run) => mds_body(p, run),
        TabRun::Cephfs(run) => super::cephfs::cephfs_body(p, run),
    }
}

fn mds_body(p: &MdsProps, run: &MdsRun) -> Html {
    let cb = &p.on_action;
    let world = &run.world;
    let now = match run.records.last() {
        Some(r) => now_html(r.step.at_ms, &r.step.sentence, &r.step.lines),
        None => nothing_yet(),
    };
    html! {
        <section class="view cluster-view mds-view" aria-label="CephFS metadata servers, one event at a time">
            if p.controls { { controls(p) } }
            { scenario_intro(&run.scenario.narration, p.intro_open) }
            { now }
            <div class="cluster-grid">
                <section class="daemons" aria-label="MDS daemons">
                    { fsmap_section(world, &run.scenario.daemons, p.controls, cb) }
                </section>
                <section class="events" aria-label="Pending events">
                    <h2>{ "Next" }</h2>
                    <p class="next" data-testid="mds-next">{ next(run) }</p>
                    <h2>{ "Pending" }</h2>
                    { pending(world, p.controls, cb) }
                </section>
                <section class="status" aria-label="ceph fs status and ceph mds stat">
                    { fs_status(world) }
                </section>
                { history(cb, run.records.iter().map(|r| (r.step.sentence.as_str(), r.step.routine))) }
            </div>
            { chart(world, run.records.last().map(|r| &r.step)) }
        </section>
    }
}

/// The FSMap side: the daemons, each filesystem's ranks (with `ceph fs new` when there is
/// none), the clients.
pub(super) fn fsmap_section(
    world: &MdsWorld,
    names: &[String],
    controls: bool,
    cb: &Callback<Action>,
) -> Html {
    html! {
        <>
            <h2>{ format!("Daemons (FSMap e{})", world.fsmap().epoch) }</h2>
            { daemons(world, names, controls, cb) }
            { for world.fsmap().filesystems.values().map(|fs| ranks(fs, controls, cb)) }
            if world.fsmap().filesystems.is_empty() && controls {
                <p><button onclick={act(cb, MdsAction::FsNew { fs: "cephfs".into(), metadata_pool: "cephfs_metadata".into(), data_pool: "cephfs_data".into() })}
                    data-testid="mds-fs-new">{ "ceph fs new cephfs cephfs_metadata cephfs_data" }</button></p>
            }
            { clients(world, controls, cb) }
        </>
    }
}

/// `ceph fs status` and `ceph mds stat` as the engine prints them.
pub(super) fn fs_status(world: &MdsWorld) -> Html {
    html! {
        <>
            <h2>{ "$ ceph fs status" }</h2>
            <pre class="ceph-out" data-testid="mds-fs-status">{ world.fs_status() }</pre>
            <h2>{ "$ ceph mds stat" }</h2>
            <pre class="ceph-out" data-testid="mds-stat">{ world.fsmap().print_summary() }</pre>
        </>
    }
}

/// The history list: each step's sentence (routine ones dimmed), newest `HISTORY_SHOWN`.
pub(super) fn history<'a>(
    cb: &Callback<Action>,
    steps: impl ExactSizeIterator<Item = (&'a str, bool)>,
) -> Html {
    let position = steps.len();
    let first = history_start(position);
    html! {
        <section class="history" aria-label="Narration">
            <h2>{ "History" }</h2>
            // Pinned to its newest entry by CSS (column-reverse), as the cluster tab's.
            <div class="history-scroll">
            <div>
            { earlier_steps(first) }
            <ol class="cluster-history" data-testid="mds-history" start={(first + 1).to_string()}>
                { for steps.enumerate().skip(first).map(|(i, (sentence, routine))| {
                    let to = i + 1;
                    let current = to == position;
                    let onclick = cb.reform(move |_: MouseEvent| Action::MdsSeek(to));
                    html! {
                        <li key={to} class={classes!(current.then_some("current"), routine.then_some("routine"))}>
                            <button class="link" {onclick} aria-current={current.then_some("step")}
                                title={format!("Go back to step {to}")}>{ sentence.to_string() }</button>
                        </li>
                    }
                }) }
            </ol>
            </div>
            </div>
        </section>
    }
}

pub(super) fn controls(p: &MdsProps) -> Html {
    let cb = &p.on_action;
    let run = &p.run;
    let position = run.len();
    let on_change = cb.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Action::MdsSelect(select.selected_index().max(0) as usize)
    });
    let on_seek = cb.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Action::MdsSeek(input.value().parse().unwrap_or(0))
    });
    let done = run.is_done() && position >= p.history;
    let click = |a: fn() -> Action| cb.reform(move |_: MouseEvent| a());
    let ahead = p.history.saturating_sub(position);
    // Serialised on click only.
    let export = {
        let run = p.run.clone();
        Callback::from(move |_: MouseEvent| {
            let name = format!("{}-trace.json", run.name());
            crate::ui::browser::download(&name, "application/json", &run.trace_json());
        })
    };
    html! {
        <div class="controls">
            <label for="mds-scenario">{ "Scenario" }</label>
            <select id="mds-scenario" data-testid="mds-scenario" onchange={on_change}>
                { for p.names.iter().enumerate().map(|(i, name)| html! {
                    <option value={name.clone()} selected={i == p.selected}>{ name.clone() }</option>
                }) }
            </select>
            <div class="buttons">
                <button onclick={click(|| Action::MdsRestart)} aria-label="Back to the first step (the history is kept)" disabled={position == 0}>{ "Restart" }</button>
                <button onclick={click(|| Action::MdsBack)} aria-label="One step back (left arrow)" disabled={position == 0} data-testid="mds-back">{ "◀ Back" }</button>
                <button onclick={click(|| Action::MdsForward)} aria-label="Take the next step, or redo the next one of the history (right arrow)" disabled={done} data-testid="mds-step">{ "Step ▶" }</button>
                <button onclick={click(|| Action::MdsNextChange)} aria-label="Step until something changes (skips routine beacons and ticks)" disabled={run.is_done()} data-testid="mds-next-change">{ "Next change ▶▶" }</button>
                <button onclick={export} aria-label="Download the steps so far as JSON (what cephscope run --json prints)" data-testid="mds-export-json">{ "Trace JSON" }</button>
                <span class="counter" data-testid="mds-counter">
                    { format!("{position} steps · {} · {:.1} s{}", epochs(run), run.world().now as f64 / 1000.0, if done { " · done" } else { "" }) }
                </span>
            </div>
            if p.history > 0 {
                <div class="seek">
                    <label for="mds-seek">{ "History" }</label>
                    <input id="mds-seek" type="range" min="0" max={p.history.to_string()}
                        value={position.to_string()} oninput={on_seek} data-testid="mds-seek"
                        aria-valuetext={format!("step {position} of {}", p.history)} />
                    <span class="counter">{ if ahead > 0 { format!("{ahead} ahead: Step replays them") } else { String::new() } }</span>
                </div>
            }
        </div>
    }
}

/// The map epochs the counter shows: the FSMap's, and the OSDMap's under CephFS over RADOS.
fn epochs(run: &TabRun) -> String {
    match run {
        TabRun::Mds(r) => format!("e{}", r.world.fsmap().epoch),
        TabRun::Cephfs(r) => format!(
            "fsmap e{} · osdmap e{}",
            r.mds.fsmap().epoch,
            r.cluster.map().epoch
        ),
    }
}

pub(super) fn nothing_yet() -> Html {
    html! { <p class="mds-now" data-testid="mds-sentence" aria-live="polite">{ "Nothing has happened yet: Step starts the script." }</p> }
}

/// The last step's time, sentence and log lines.
pub(super) fn now_html(at_ms: u64, sentence: &str, lines: &[String]) -> Html {
    html! {
        <div class="mds-now">
            <p data-testid="mds-sentence" aria-live="polite">
                <strong>{ format!("{:.3} s: ", at_ms as f64 / 1000.0) }</strong>{ sentence.to_string() }
            </p>
            if !lines.is_empty() {
                <pre class="ceph-out log-lines" data-testid="mds-lines">{ lines.join("\n") }</pre>
            }
        </div>
    }
}

fn daemons(world: &MdsWorld, names: &[String], controls: bool, cb: &Callback<Action>) -> Html {
    let map = world.fsmap();
    let def = definition();
    let rows = names.iter().map(|name| {
        let d = world.daemons.get(name);
        let alive = d.is_some_and(|d| d.alive);
        let info = d.and_then(|d| map.info(d.gid));
        let state = match (d, info) {
            (None, _) => "never started".to_string(),
            (Some(d), _) if !d.alive => "not running".to_string(),
            (_, Some(i)) => i.state.name().to_string(),
            (Some(_), None) => "not in the FSMap".to_string(),
        };
        let rank = info.and_then(|i| i.rank);
        let (rank_text, standby_for) = match (info, rank) {
            (Some(i), Some(r)) if i.state == DaemonState::StandbyReplay => ("-".to_string(), format!("rank {r}")),
            (_, Some(r)) => (r.to_string(), "-".to_string()),
            _ => ("-".to_string(), "-".to_string()),
        };
        let fs = d
            .and_then(|d| map.fscid_of(d.gid))
            .and_then(|f| map.filesystems.get(&f))
            .map_or("-".to_string(), |m| m.fs_name.clone());
        let laggy = info
            .and_then(|i| i.laggy_since)
            .map_or(String::new(), |t| format!(" (laggy since {:.1} s)", t as f64 / 1000.0));
        // A dead daemon's machine keeps its last state: say it is the last one.
        let machine = match d {
            None => "-".to_string(),
            Some(d) if !d.alive => format!("was {}", d.machine.path(def)),
            Some(d) => d.machine.path(def).to_string(),
        };
        let button = if !controls {
            Html::default()
        } else if alive {
            html! { <button onclick={act(cb, MdsAction::Kill { mds: name.clone() })} aria-label={format!("Kill mds.{name}")} data-testid={format!("mds-kill-{name}")}>{ "kill" }</button> }
        } else {
            html! { <button onclick={act(cb, MdsAction::Start { mds: name.clone() })} aria-label={format!("Start mds.{name}")} data-testid={format!("mds-start-{name}")}>{ "start" }</button> }
        };
        html! {
            <tr class={classes!((!alive).then_some("stopped"))} data-mds={name.clone()}>
                <td>{ format!("mds.{name}") }</td>
                <td>{ d.map_or("-".to_string(), |d| d.gid.to_string()) }</td>
                <td data-testid={format!("mds-state-{name}")}>{ state }{ laggy }</td>
                <td>{ rank_text }</td>
                <td>{ standby_for }</td>
                <td>{ fs }</td>
                <td class="path">{ machine }</td>
                <td>{ button }</td>
            </tr>
        }
    });
    html! {
        <div class="table-scroll">
            <table class="pg-table" data-testid="mds-daemons">
                <thead><tr><th>{ "daemon" }</th><th>{ "gid" }</th><th>{ "FSMap state" }</th><th>{ "rank" }</th><th>{ "standby for" }</th><th>{ "fs" }</th><th>{ "its machine" }</th><th></th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}

fn ranks(fs: &MdsMap, controls: bool, cb: &Callback<Action>) -> Html {
    let mut all: Vec<i32> = fs
        .in_
        .iter()
        .chain(&fs.failed)
        .chain(&fs.damaged)
        .chain(&fs.stopped)
        .copied()
        .collect();
    all.sort_unstable();
    all.dedup();
    let name_of = |gid: u64| {
        fs.mds_info
            .get(&gid)
            .map_or(format!("gid {gid}"), |i| format!("mds.{}", i.name))
    };
    let rows = all.iter().map(|&r| {
        let state = if fs.failed.contains(&r) {
            "failed".to_string()
        } else if fs.damaged.contains(&r) {
            "damaged".to_string()
        } else if fs.stopped.contains(&r) {
            "stopped".to_string()
        } else {
            fs.rank_state(r).name().to_string()
        };
        let holder = fs.up.get(&r).map_or("-".to_string(), |g| {
            let inc = fs.mds_info.get(g).map_or(0, |i| i.inc);
            format!("{} (gid {g}, inc {inc})", name_of(*g))
        });
        let follower = fs.get_standby_replay(r).map_or("-".to_string(), name_of);
        html! {
            <tr data-rank={r.to_string()}>
                <td>{ r.to_string() }</td>
                <td data-testid={format!("rank-state-{r}")}>{ state }</td>
                <td>{ holder }</td>
                <td>{ follower }</td>
            </tr>
        }
    });
    let buttons = if controls {
        let name = fs.fs_name.clone();
        html! {
            <span class="osd-buttons">
                <button onclick={act(cb, MdsAction::SetMaxMds { fs: name.clone(), max_mds: (fs.max_mds - 1).max(1) })}
                    disabled={fs.max_mds <= 1} aria-label={format!("ceph fs set {name} max_mds {}", fs.max_mds - 1)} data-testid="max-mds-down">{ "max_mds −" }</button>
                <button onclick={act(cb, MdsAction::SetMaxMds { fs: name.clone(), max_mds: fs.max_mds + 1 })}
                    aria-label={format!("ceph fs set {name} max_mds {}", fs.max_mds + 1)} data-testid="max-mds-up">{ "max_mds +" }</button>
                <button onclick={act(cb, MdsAction::SetAllowStandbyReplay { fs: name.clone(), allow: !fs.allow_standby_replay })}
                    aria-label={format!("ceph fs set {name} allow_standby_replay {}", !fs.allow_standby_replay)}>
                    { if fs.allow_standby_replay { "standby-replay off" } else { "standby-replay on" } }</button>
                <button onclick={act(cb, MdsAction::SetJoinable { fs: name.clone(), joinable: !fs.joinable })}
                    aria-label={format!("ceph fs set {name} joinable {}", !fs.joinable)}>
                    { if fs.joinable { "joinable off" } else { "joinable on" } }</button>
            </span>
        }
    } else {
        Html::default()
    };
    html! {
        <div class="fs">
            <h3>{ format!("{} (fscid {}): max_mds {}, allow_standby_replay {}, joinable {}", fs.fs_name, fs.fscid, fs.max_mds, fs.allow_standby_replay, fs.joinable) }</h3>
            { buttons }
            <div class="table-scroll">
                <table class="pg-table" data-testid="mds-ranks">
                    <thead><tr><th>{ "rank" }</th><th>{ "state" }</th><th>{ "held by" }</th><th>{ "standby-replay" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </div>
    }
}

fn clients(world: &MdsWorld, controls: bool, cb: &Callback<Action>) -> Html {
    if world.clients.is_empty() {
        return Html::default();
    }
    let items = world.clients.values().map(|c| {
        let status = if c.evicted {
            "evicted".to_string()
        } else if c.fs.is_none() {
            "not mounted".to_string()
        } else {
            let ranks: Vec<String> = c.sessions.keys().map(|r| r.to_string()).collect();
            format!("mounted, sessions with rank {}", if ranks.is_empty() { "none".into() } else { ranks.join(", ") })
        };
        let id = c.id;
        let mut buttons = Vec::new();
        if controls && c.fs.is_none() && !c.evicted {
            buttons.push(html! { <button onclick={act(cb, MdsAction::Mount { client: id, fs: None })} aria-label={format!("Mount client.{id}")}>{ "mount" }</button> });
        }
        if controls && c.responsive {
            buttons.push(html! { <button onclick={act(cb, MdsAction::Hang { client: id })} aria-label={format!("Hang client.{id}")}>{ "hang" }</button> });
        }
        html! {
            <li class="osd">
                <span class="osd-name">{ format!("client.{id}") }</span>
                <span>{ status }{ if c.responsive { "" } else { " · hung" } }</span>
                <span class="osd-daemon">{ format!("{} caps", c.caps) }</span>
                <span class="osd-buttons">{ buttons }</span>
            </li>
        }
    });
    html! {
        <>
            <h3>{ "Clients" }</h3>
            <ul class="osds">{ for items }</ul>
        </>
    }
}

fn next(run: &MdsRun) -> String {
    if run.is_done() {
        return "nothing: the run is done".into();
    }
    let due = run
        .world
        .next_due()
        .filter(|(at, _)| *at <= run.scenario.end_ms);
    match (run.next_script(), due) {
        (Some(s), Some((at, _))) if s.at_ms <= at => script_text(s),
        (Some(s), None) => script_text(s),
        (_, Some((_, id))) => run
            .world
            .pending()
            .into_iter()
            .find(|p| p.id == id)
            .map_or("-".into(), |p| format!("{} ms: {}", p.at_ms, p.what)),
        _ => "nothing".into(),
    }
}

/// A script action as the scenario file writes it.
fn script_text(s: &ScriptStep) -> String {
    let action = serde_json::to_string(&s.action).unwrap_or_default();
    format!("script at {} ms: {action}", s.at_ms)
}

pub(super) fn pending(world: &MdsWorld, controls: bool, cb: &Callback<Action>) -> Html {
    let items = world.pending().into_iter().map(|e| {
        let id = e.id;
        html! {
            <li key={id}>
                <span class="pending-id">{ format!("event {id}") }</span>
                <span class="pending-at">{ format!("{} ms", e.at_ms) }</span>
                <span class="pending-what">{ e.what.clone() }</span>
                if controls {
                    <span class="pending-buttons">
                        <button onclick={cb.reform(move |_: MouseEvent| Action::Mds(MdsChoice::Deliver(id)))}
                            aria-label={format!("Deliver event {id} now")}>{ "Deliver" }</button>
                    </span>
                }
            </li>
        }
    });
    html! { <ul class="pending" data-testid="mds-pending">{ for items }</ul> }
}

/// The MDS chart with one token per running daemon and the last step's daemon
/// transitions highlighted.
pub(super) fn chart(world: &MdsWorld, last: Option<&MdsStep>) -> Html {
    let def = definition();
    let tokens: Vec<Token> = world
        .daemons
        .values()
        .filter(|d| d.alive)
        .filter_map(|d| {
            let path = def.states.get(d.machine.current()?)?.path;
            Some(Token {
                id: d.name.clone(),
                text: d.name.chars().take(2).collect(),
                title: format!("mds.{} (gid {}) is in {path}", d.name, d.gid),
                path,
                role: "mds",
            })
        })
        .collect();
    let taken: Vec<Taken> = last
        .map(|step| {
            step.machines
                .iter()
                .filter(|m| m.machine.starts_with("mds."))
                .flat_map(|m| m.micro.iter())
                .filter_map(|m| match m {
                    Micro::Transit { from, event, to } => Some((*from, *event, *to)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    html! {
        <details class="pg-chart mds-chart" open=true>
            <summary>{ "The MDS state machine: one token per running daemon" }</summary>
            <Statechart kind={ChartKind::Mds} current={None::<usize>} taken={taken} zoom={0.7} tokens={tokens} />
        </details>
    }
}
