//! The MDS tab for a CephFS-over-RADOS scenario (`engine::mds::rados::CephfsRun`): the MDS
//! side as for an MDS scenario (daemons, ranks, clients, the chart), and beside it what the
//! MDS's metadata I/O needs from RADOS — the objecter's ops with the PG each object maps to
//! and why each one waits (`CephfsRun::ops`), the OSDs with their commands, the metadata
//! pool's PGs (state, acting set, blocked_by, the objects they hold), `ceph health detail`,
//! and both worlds' pending events. It renders the run; the rules are the engine's.

use super::cluster::{breakable_at, osd_hosts, pending_label};
use super::mds::{
    chart, controls, fs_status, fsmap_section, history, nothing_yet, now_html, pending, MdsProps,
};
use crate::engine::mds::rados::{CephfsRun, OpStatus, OpView};
use crate::engine::timeline::Choice;
use crate::engine::world::{PendingId, UserAction};
use crate::share::MdsChoice;
use crate::ui::components::narration::scenario_intro;
use crate::ui::state::Action;
use yew::prelude::*;

/// How many of each world's pending events are listed (the rest are counted).
const PENDING_SHOWN: usize = 40;

/// How many object names a PG row lists.
const OBJECTS_SHOWN: usize = 4;

fn cluster_choice(c: Choice) -> Action {
    Action::Mds(MdsChoice::Cluster(c))
}

pub(super) fn cephfs_body(p: &MdsProps, run: &CephfsRun) -> Html {
    let cb = &p.on_action;
    let now = match run.records.last() {
        Some(r) => {
            let lines: Vec<String> = r
                .body()
                .into_iter()
                .chain(r.lines.iter().cloned())
                .collect();
            now_html(r.at_ms, &r.sentence, &lines)
        }
        None => nothing_yet(),
    };
    let health = run.health().join("\n");
    html! {
        <section class="view cluster-view mds-view cephfs-view" aria-label="CephFS over RADOS, one event at a time">
            if p.controls { { controls(p) } }
            { scenario_intro(&run.scenario.narration, p.intro_open) }
            { now }
            <div class="cluster-grid">
                <section class="daemons" aria-label="MDS daemons">
                    { fsmap_section(&run.mds, &run.scenario.daemons, p.controls, cb) }
                </section>
                <section class="objecter" aria-label="The metadata I/O: RADOS ops">
                    <h2>{ "Metadata I/O (the objecter's RADOS ops)" }</h2>
                    { ops(&run.ops()) }
                </section>
                <section class="hosts" aria-label="Hosts and OSDs">
                    <h2>{ format!("OSDs (OSDMap e{})", run.cluster.map().epoch) }</h2>
                    <ul class="hosts-list">{ osd_hosts(&run.cluster, &run.scenario.cluster.hosts, p.controls, cb, cluster_choice) }</ul>
                </section>
                <section class="pgs" aria-label="The metadata pool's PGs">
                    { metadata_pgs(run) }
                </section>
                <section class="events" aria-label="Pending events">
                    <h2>{ "Next" }</h2>
                    <p class="next" data-testid="mds-next">{ run.next_text() }</p>
                    <h2>{ "Pending: MDS" }</h2>
                    { pending(&run.mds, p.controls, cb) }
                    <h2>{ "Pending: cluster" }</h2>
                    { cluster_pending(run, p.controls, cb) }
                </section>
                <section class="status" aria-label="ceph health detail, ceph fs status and ceph mds stat">
                    <h2>{ "$ ceph health detail" }</h2>
                    <pre class="ceph-out" data-testid="cephfs-health">{ health }</pre>
                    { fs_status(&run.mds) }
                </section>
                { history(cb, run.records.iter().map(|r| (r.sentence.as_str(), r.is_routine()))) }
            </div>
            { chart(&run.mds, run.records.last().and_then(|r| r.mds.as_ref())) }
        </section>
    }
}

/// The objecter's ops: who sent each, what it is, where its objects live, why it waits.
fn ops(ops: &[OpView]) -> Html {
    if ops.is_empty() {
        return html! { <p data-testid="cephfs-ops-none">{ "No metadata I/O in flight." }</p> };
    }
    let items = ops.iter().map(|op| {
        let objects = op
            .objects
            .iter()
            .map(|(o, pg)| format!("{o} → PG {}", pg.map_or("?".into(), |p| p.to_string())))
            .collect::<Vec<_>>()
            .join(", ");
        let waits = matches!(op.status, OpStatus::Waits(_));
        html! {
            <li key={op.id} class={classes!("op", waits.then_some("waits"))} data-op={op.id.to_string()}>
                <span class="op-head">
                    { format!("op {} · {} · {} since {:.1} s", op.id, op.who, if op.write { "write" } else { "read" }, op.since_ms as f64 / 1000.0) }
                </span>
                <span class="op-what">{ op.what.clone() }</span>
                <span class="op-objects">{ objects }</span>
                <span class="op-status" data-testid="cephfs-op-status">{ op.status.text() }</span>
            </li>
        }
    });
    html! { <ul class="ops" data-testid="cephfs-ops">{ for items }</ul> }
}

/// The metadata pool's PGs: state string, acting set and primary, blocked_by, and the
/// objects the primary's copy holds (the journal, tables and directories hashed there).
fn metadata_pgs(run: &CephfsRun) -> Html {
    let world = &run.cluster;
    let Some(pool) = run.metadata_pool() else {
        return Html::default();
    };
    let pool_name = world
        .map()
        .pools
        .get(&pool)
        .map_or(String::new(), |p| p.name.clone());
    let states = world.pg_states();
    let rows = world.mappings.last().into_iter().flat_map(|t| t.by_pg.iter()).filter(|(pg, _)| pg.pool == pool).map(|(pg, m)| {
        let state = states.get(pg).map_or("unknown", String::as_str);
        let inst = world.osds.get(&m.acting_primary).and_then(|n| n.pgs.get(pg));
        let blocked = inst.map_or(String::new(), |i| {
            i.state.blocked_by.iter().map(|o| format!("osd.{o}")).collect::<Vec<_>>().join(", ")
        });
        let objects = inst.map_or(String::new(), |i| {
            let mut names: Vec<&str> = i.state.store.keys().take(OBJECTS_SHOWN).map(String::as_str).collect();
            if i.state.store.len() > OBJECTS_SHOWN {
                names.push("…");
            }
            names.join(", ")
        });
        html! {
            <tr key={pg.to_string()} data-pg={pg.to_string()}>
                <td>{ pg.to_string() }</td>
                <td data-testid="pg-state">{ breakable_at(state, '+') }</td>
                <td class="osds">{ format!("{:?}", m.acting) }</td>
                <td>{ if m.acting_primary >= 0 { format!("osd.{}", m.acting_primary) } else { "-".into() } }</td>
                <td data-testid="blocked-by">{ blocked }</td>
                <td class="objects">{ objects }</td>
            </tr>
        }
    });
    html! {
        <>
            <h2>{ format!("PGs of {pool_name}") }</h2>
            <div class="table-scroll">
                <table class="pg-table" data-testid="cephfs-pgs">
                    <thead><tr><th>{ "PG" }</th><th>{ "state" }</th><th>{ "acting" }</th><th>{ "primary" }</th><th>{ "blocked_by" }</th><th>{ "objects" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </>
    }
}

/// The cluster's pending messages and timers, with Deliver (and Drop for a message).
fn cluster_pending(run: &CephfsRun, controls: bool, cb: &Callback<Action>) -> Html {
    let all = run.cluster.pending();
    let more = all.len().saturating_sub(PENDING_SHOWN);
    let items = all.into_iter().take(PENDING_SHOWN).map(|e| {
        let id = e.id;
        let label = pending_label(id);
        html! {
            <li key={label.clone()}>
                <span class="pending-id">{ label.clone() }</span>
                <span class="pending-at">{ format!("{} ms", e.at_ms) }</span>
                <span class="pending-what">{ e.what.clone() }</span>
                if controls {
                    <span class="pending-buttons">
                        <button onclick={cb.reform(move |_: MouseEvent| cluster_choice(Choice::Deliver { id }))}
                            aria-label={format!("Deliver {label} now")}>{ "Deliver" }</button>
                        if let PendingId::Message(message) = id {
                            <button onclick={cb.reform(move |_: MouseEvent| cluster_choice(Choice::Act { action: UserAction::Drop { message } }))}
                                aria-label={format!("Drop {label}")}>{ "Drop" }</button>
                        }
                    </span>
                }
            </li>
        }
    });
    html! {
        <>
            <ul class="pending" data-testid="cephfs-cluster-pending">{ for items }</ul>
            if more > 0 { <p class="note">{ format!("and {more} more") }</p> }
        </>
    }
}
