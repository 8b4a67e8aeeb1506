//! The Cluster and MDS tabs in a real headless Chromium (wasm-bindgen-test), asserting on
//! the DOM against what the engine computes for the same choices: Back and the history on
//! `engine::timeline::Timeline`, share links that carry the user's choices (`h=`), and the
//! MDS tab's daemons, ranks, `ceph fs status` and chart tokens, and its CephFS-over-RADOS
//! runs (the objecter's ops, the metadata pool's PGs, health). (A file of its own: the
//! runner gives each test binary 20 s.)
#![cfg(all(target_arch = "wasm32", not(feature = "lite")))]

use cephscope::engine::cluster;
use cephscope::engine::mds::scenario::{self as mds_scenario, MdsRun};
use cephscope::engine::timeline::Timeline;
use cephscope::share::{parse_choices, parse_mds_choices, MdsChoice};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod web_common;
use web_common::{count, link, mounted_at, sleep, texts, until};

wasm_bindgen_test_configure!(run_in_browser);

fn text(root: &web_sys::Element, selector: &str) -> Option<String> {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
}

async fn click(root: &web_sys::Element, selector: &str) {
    let el: web_sys::HtmlElement = root
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into()
        .unwrap();
    el.click();
    sleep(5).await;
}

fn counter_steps(root: &web_sys::Element, testid: &str) -> Option<usize> {
    text(root, &format!("[data-testid={testid}]"))?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

/// Each PG's state string, from the engine, in the table's order.
fn engine_pg_states(t: &Timeline) -> Vec<String> {
    let world = &t.run().world;
    let states = world.pg_states();
    world
        .mappings
        .last()
        .map(|m| {
            m.by_pg
                .keys()
                .map(|pg| states.get(pg).cloned().unwrap_or_else(|| "unknown".into()))
                .collect()
        })
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn cluster_back_and_the_slider_go_back_on_the_timeline_and_step_redoes() {
    let root = mounted_at("#view=cluster&scenario=seed000-down-lost&step=0").await;
    until("the cluster tab", || {
        count(&root, "[data-testid=pg-table]") == 1
    })
    .await;
    for n in 1..=12 {
        click(&root, "[data-testid=cluster-step]").await;
        until("a step", || {
            counter_steps(&root, "cluster-counter") == Some(n)
        })
        .await;
    }
    let scenario = cluster::find("seed000-down-lost").unwrap();
    let mut t = Timeline::new(scenario).unwrap();
    t.seek(12).unwrap();
    assert_eq!(texts(&root, "[data-testid=pg-state]"), engine_pg_states(&t));
    click(&root, "[data-testid=cluster-back]").await;
    until("one step back", || {
        counter_steps(&root, "cluster-counter") == Some(11)
    })
    .await;
    t.back().unwrap();
    assert_eq!(texts(&root, "[data-testid=pg-state]"), engine_pg_states(&t));
    assert_eq!(count(&root, "[data-testid=cluster-history] li"), 11);
    // The slider shows the longest history; going to 3 and stepping replays it.
    let seek: web_sys::HtmlInputElement = root
        .query_selector("[data-testid=cluster-seek]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(seek.max(), "12");
    seek.set_value("3");
    seek.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    until("step 3", || {
        counter_steps(&root, "cluster-counter") == Some(3)
    })
    .await;
    t.seek(3).unwrap();
    assert_eq!(texts(&root, "[data-testid=pg-state]"), engine_pg_states(&t));
    // Clicking a history entry goes to that step.
    click(
        &root,
        "[data-testid=cluster-history] li:nth-child(2) button",
    )
    .await;
    until("step 2", || {
        counter_steps(&root, "cluster-counter") == Some(2)
    })
    .await;
    click(&root, "[data-testid=cluster-step]").await;
    until("redo to 3", || {
        counter_steps(&root, "cluster-counter") == Some(3)
    })
    .await;
    assert_eq!(texts(&root, "[data-testid=pg-state]"), engine_pg_states(&t));
}

#[wasm_bindgen_test]
async fn a_cluster_link_with_choices_replays_them() {
    let h = "v2_n4_k2_n3";
    let root = mounted_at(&format!("#view=cluster&scenario=seed000-down-lost&h={h}")).await;
    until("8 steps", || {
        counter_steps(&root, "cluster-counter") == Some(8)
    })
    .await;
    let t = Timeline::replay(
        cluster::find("seed000-down-lost").unwrap(),
        &parse_choices(h).unwrap(),
    )
    .unwrap();
    assert_eq!(texts(&root, "[data-testid=pg-state]"), engine_pg_states(&t));
    // osd.2's daemon was killed by the link's choice: it offers revive.
    assert_eq!(count(&root, "[data-testid=revive-2]"), 1);
    // The page writes the same history back into its link.
    let expected = format!("#view=cluster&scenario=seed000-down-lost&h={h}");
    let hash = || link(&root);
    for _ in 0..100 {
        if hash() == expected {
            break;
        }
        sleep(10).await;
    }
    assert_eq!(hash(), expected);
    // A choice made here goes into the link.
    click(&root, "[data-testid=revive-2]").await;
    until("the revive in the link", || link(&root).ends_with("_r2")).await;
}

/// Each OSD card shows what the engine says the OSD holds (`World::osd_usage`): PG
/// copies, objects against the capacity, and the backfillfull flag.
#[wasm_bindgen_test]
async fn osd_cards_show_the_engines_usage_and_fullness() {
    let h = "v2_n120";
    let root = mounted_at(&format!("#view=cluster&scenario=backfill-toofull&h={h}")).await;
    until("120 steps", || {
        counter_steps(&root, "cluster-counter") == Some(120)
    })
    .await;
    let t = Timeline::replay(
        cluster::find("backfill-toofull").unwrap(),
        &parse_choices(h).unwrap(),
    )
    .unwrap();
    let world = &t.run().world;
    let mut flagged = 0;
    for osd in world.map().osds.keys() {
        let u = world.osd_usage(*osd).unwrap();
        let cap = u.capacity_objects.expect("the scenario sets a capacity");
        let shown = text(&root, &format!("[data-testid=osd-usage-{osd}]")).unwrap();
        let want = format!(
            "{} PGs · {}/{cap} objects ({}%)",
            u.pgs,
            u.objects,
            u.objects * 100 / cap
        );
        assert!(
            shown.starts_with(&want),
            "osd.{osd}: {shown:?}, want {want:?}"
        );
        assert_eq!(
            shown.ends_with("backfillfull"),
            u.backfillfull,
            "osd.{osd}: {shown}"
        );
        flagged += usize::from(u.backfillfull);
    }
    assert_eq!(flagged, 1, "osd.2 holds 9 of 10 objects: backfillfull");
}

#[wasm_bindgen_test]
async fn a_malformed_history_link_says_what_is_wrong() {
    let root = mounted_at("#view=cluster&scenario=seed000-down-lost&h=v2_n2_q7").await;
    until("the alert", || count(&root, "[role=alert]") == 1).await;
    let alert = text(&root, "[role=alert]").unwrap();
    assert!(alert.contains("h= token 2 'q7': not a choice"), "{alert}");
    let root = mounted_at("#view=mds&scenario=mds-failover-single-rank&h=v9_n").await;
    until("the alert", || count(&root, "[role=alert]") == 1).await;
    let alert = text(&root, "[role=alert]").unwrap();
    assert!(
        alert.contains("h= is version 'v9', this app reads v2"),
        "{alert}"
    );
    // A history the engine refuses (no such pending event) stops where it fails.
    let root = mounted_at("#view=cluster&scenario=seed000-down-lost&h=v2_n2_m999999").await;
    until("the alert", || count(&root, "[role=alert]") == 1).await;
    let alert = text(&root, "[role=alert]").unwrap();
    assert!(alert.contains("stops at step 2"), "{alert}");
    assert_eq!(counter_steps(&root, "cluster-counter"), Some(2));
}

#[wasm_bindgen_test]
async fn the_mds_tab_shows_the_engine_daemons_status_and_tokens() {
    let root = mounted_at("#view=mds&scenario=mds-failover-single-rank&step=30").await;
    until("30 MDS steps", || {
        counter_steps(&root, "mds-counter") == Some(30)
    })
    .await;
    let mut run = MdsRun::new(mds_scenario::find("mds-failover-single-rank").unwrap()).unwrap();
    for _ in 0..30 {
        run.step().unwrap();
    }
    let map = run.world.fsmap();
    for (name, d) in &run.world.daemons {
        let shown = text(&root, &format!("[data-testid=mds-state-{name}]")).unwrap();
        let state = map.info(d.gid).map(|i| i.state.name()).unwrap();
        assert!(shown.starts_with(state), "mds.{name}: {shown} vs {state}");
    }
    assert_eq!(
        text(&root, "[data-testid=mds-fs-status]").unwrap(),
        run.world.fs_status()
    );
    assert_eq!(
        text(&root, "[data-testid=mds-stat]").unwrap(),
        map.print_summary()
    );
    assert_eq!(
        text(&root, "[data-testid=mds-sentence]").unwrap(),
        format!(
            "{:.3} s: {}",
            run.records.last().unwrap().step.at_ms as f64 / 1000.0,
            run.records.last().unwrap().step.sentence
        )
    );
    // The chart: every MDS state drawn, one token per running daemon.
    let def = cephscope::engine::mds::chart::definition();
    assert_eq!(
        count(&root, ".mds-chart [data-state]"),
        def.states.len() as u32
    );
    assert_eq!(count(&root, ".mds-chart g.token"), 2);
    // Kill the standby: its row says so, its token goes, and the link carries it.
    let standby = run
        .world
        .daemons
        .values()
        .find(|d| map.info(d.gid).and_then(|i| i.rank).is_none())
        .unwrap()
        .name
        .clone();
    click(&root, &format!("[data-testid=mds-kill-{standby}]")).await;
    until("the kill", || {
        text(&root, &format!("[data-testid=mds-state-{standby}]")).as_deref() == Some("not running")
    })
    .await;
    assert_eq!(count(&root, ".mds-chart g.token"), 1);
    let hash = link(&root);
    assert!(hash.ends_with(&format!("h=v2_n30_k{standby}")), "{hash}");
    let choices = parse_mds_choices(hash.split("h=").nth(1).unwrap()).unwrap();
    assert_eq!(
        choices.last(),
        Some(&MdsChoice::Act(
            cephscope::engine::mds::world::MdsAction::Kill {
                mds: standby.clone()
            }
        ))
    );
    // Back undoes it (replayed from the start), Step redoes it.
    click(&root, "[data-testid=mds-back]").await;
    until("back", || counter_steps(&root, "mds-counter") == Some(30)).await;
    assert_eq!(count(&root, ".mds-chart g.token"), 2);
    click(&root, "[data-testid=mds-step]").await;
    until("redo", || counter_steps(&root, "mds-counter") == Some(31)).await;
    assert_eq!(count(&root, ".mds-chart g.token"), 1);
}

#[wasm_bindgen_test]
async fn a_cephfs_run_shows_the_objecters_waits_and_the_metadata_pgs_as_the_engine_does() {
    use cephscope::engine::mds::rados::{self, CephfsRun, CrossAction, OpStatus};
    use cephscope::engine::world::UserAction;
    let name = "cephfs-replay-stuck-on-down-pg";
    let root = mounted_at(&format!("#view=mds&scenario={name}&step=938")).await;
    until("938 steps", || {
        counter_steps(&root, "mds-counter") == Some(938)
    })
    .await;
    let mut run = CephfsRun::new(rados::find(name).unwrap()).unwrap();
    for _ in 0..938 {
        run.step().unwrap();
    }
    // mds.b's boot reads wait on a down PG, and the page says so as the engine does.
    let ops = run.ops();
    assert!(
        ops.iter().any(
            |o| matches!(&o.status, OpStatus::Waits(w) if w.contains("is down, blocked by osd."))
        ),
        "{ops:?}"
    );
    assert_eq!(
        texts(&root, "[data-testid=cephfs-op-status]"),
        ops.iter().map(|o| o.status.text()).collect::<Vec<_>>()
    );
    // The metadata pool's PGs, in order, with the engine's state strings.
    let pool = run.metadata_pool().unwrap();
    let states = run.cluster.pg_states();
    let engine: Vec<String> = states
        .iter()
        .filter(|(pg, _)| pg.pool == pool)
        .map(|(_, s)| s.clone())
        .collect();
    assert_eq!(
        texts(&root, "[data-testid=cephfs-pgs] [data-testid=pg-state]"),
        engine
    );
    assert_eq!(
        text(&root, "[data-testid=cephfs-health]").unwrap(),
        run.health().join("\n")
    );
    assert_eq!(
        text(&root, "[data-testid=mds-next]").unwrap(),
        run.next_text()
    );
    // Give up on osd.4 in the page: the link carries it (O + the cluster token), and the
    // engine given the same choice says the same.
    click(&root, "[data-testid=lost-4]").await;
    until("the lost", || {
        counter_steps(&root, "mds-counter") == Some(939)
    })
    .await;
    let hash = link(&root);
    assert!(hash.ends_with("h=v2_n938_Ol4"), "{hash}");
    let rec = run
        .act(CrossAction::Cluster(UserAction::Lost { osd: 4 }))
        .unwrap();
    let sentence = format!("{:.3} s: {}", rec.at_ms as f64 / 1000.0, rec.sentence);
    assert_eq!(text(&root, "[data-testid=mds-sentence]").unwrap(), sentence);
}

/// A scenario loaded from a file travels in the share link (`src=`): opening the link in a
/// fresh page loads the same scenario text and lands on the same step, even when its name
/// is a built-in's; a garbled `src=` is a message in the page, not a panic.
#[wasm_bindgen_test]
fn a_loaded_scenario_travels_in_the_link() {
    use cephscope::engine::timeline::Choice;
    use cephscope::share::{parse_hash, to_hash};
    use cephscope::ui::state::{Action, State};
    use std::rc::Rc;
    use yew::Reducible;
    let text = include_str!("../src/engine/scenarios/seed000-down-lost.json").to_string();
    let state = Rc::new(State::default()).reduce(Action::Load {
        name: "mine.json".into(),
        text: text.clone(),
    });
    assert_eq!(state.error, None);
    let loaded = state.cluster_selected;
    assert!(
        loaded >= cluster::builtin().len(),
        "the file is a new scenario"
    );
    let mut state = state;
    for _ in 0..5 {
        state = state.reduce(Action::Cluster(Choice::Next));
    }
    let at = state.cluster.position();
    let link = state.link();
    assert_eq!(link.source.as_deref(), Some(text.as_str()));
    let hash = to_hash(&link);
    let opened = Rc::new(State::default()).reduce(Action::Open(parse_hash(&hash)));
    assert_eq!(opened.error, None, "{hash}");
    assert_eq!(opened.cluster.position(), at);
    assert_eq!(opened.cluster_selected, cluster::builtin().len());
    assert_eq!(opened.link().source.as_deref(), Some(text.as_str()));

    let garbled = hash.replace("src=", "src=%%");
    let opened = Rc::new(State::default()).reduce(Action::Open(parse_hash(&garbled)));
    assert!(opened.error.is_some(), "a garbled src= is reported");

    // A cluster scenario in a link that shows another tab is refused, not looked up there.
    let elsewhere = hash.replace("view=cluster", "view=mds");
    let opened = Rc::new(State::default()).reduce(Action::Open(parse_hash(&elsewhere)));
    let error = opened.error.clone().unwrap_or_default();
    assert!(
        error.contains("belongs to the cluster view"),
        "{elsewhere}: {error}"
    );
    let elsewhere = hash.replace("view=cluster&", "");
    let opened = Rc::new(State::default()).reduce(Action::Open(parse_hash(&elsewhere)));
    assert!(
        opened.error.is_some(),
        "{elsewhere}: the statechart tab is not the cluster's"
    );
}

/// The selected PG's unfound objects and its `might_have_unfound`, with the status
/// `ceph pg query` gives each OSD, come from the engine: before osd.1 returns it is down;
/// once discover_all_missing asked it, "querying"; after its answer, "already probed".
#[wasm_bindgen_test]
async fn the_pg_detail_shows_unfound_objects_and_might_have_unfound() {
    let name = "unfound-found-on-stray";
    for (steps, unfound, osd1) in [
        (106, "rbd_data.0", "osd.1 (osd is down)"),
        (116, "rbd_data.0", "osd.1 (querying)"),
        (119, "rbd_data.0", "osd.1 (already probed)"),
    ] {
        let h = format!("v2_n{steps}");
        let root = mounted_at(&format!("#view=cluster&scenario={name}&h={h}")).await;
        until(&format!("{steps} steps"), || {
            counter_steps(&root, "cluster-counter") == Some(steps)
        })
        .await;
        let t =
            Timeline::replay(cluster::find(name).unwrap(), &parse_choices(&h).unwrap()).unwrap();
        let ps = &t.run().world.osds[&3].pgs[&"1.0".parse().unwrap()].state;
        let want: Vec<String> = cephscope::engine::peering::unfound::might_have_unfound_status(ps)
            .iter()
            .map(|(o, s)| format!("osd.{o} ({s})"))
            .collect();
        let shown = text(&root, "[data-testid=might-have-unfound]").unwrap();
        assert_eq!(shown, want.join(", "), "after {steps} steps");
        assert!(shown.contains(osd1), "after {steps} steps: {shown}");
        assert_eq!(text(&root, "[data-testid=unfound]").unwrap(), unfound);
    }
}

/// The PG detail's `ceph pg query` recovery_state is the engine's, as JSON text: for
/// seed 000's down PG, Down's comment and Peering's peering_blocked_by.
#[wasm_bindgen_test]
async fn the_pg_detail_shows_the_engines_pg_query_recovery_state() {
    let name = "seed000-down-lost";
    let mut run = cluster::ClusterRun::new(cluster::find(name).unwrap()).unwrap();
    let mut steps = 0;
    while run.world.pg_states()[&"1.0".parse().unwrap()] != "down" {
        run.step().unwrap().expect("pg 1.0 goes down");
        steps += 1;
    }
    let root = mounted_at(&format!("#view=cluster&scenario={name}&h=v2_n{steps}")).await;
    until(&format!("{steps} steps"), || {
        counter_steps(&root, "cluster-counter") == Some(steps)
    })
    .await;
    let primary = run.world.mappings.last().unwrap().by_pg[&"1.0".parse().unwrap()].acting_primary;
    let inst = &run.world.osds[&primary].pgs[&"1.0".parse().unwrap()];
    let rs = cephscope::engine::peering::query::recovery_state(&inst.machine, &inst.state);
    let want = serde_json::to_string_pretty(&serde_json::json!({ "recovery_state": rs })).unwrap();
    let shown = text(&root, "[data-testid=pg-query]").unwrap();
    assert_eq!(shown, want);
    assert!(
        shown.contains("peering is blocked due to down osds"),
        "{shown}"
    );
    assert!(
        shown.contains("not enough up instances of this PG to go active"),
        "{shown}"
    );
}

/// The pools line draws the map's pools with `ceph osd pool delete`; deleting one is a
/// choice like any other: the pool shows deleted, its PGs leave the table (the engine's
/// mapping has none), the link carries the choice (`p<name>`), and a selected PG of the
/// pool says where its copies went.
#[wasm_bindgen_test]
async fn deleting_a_pool_removes_its_pgs_from_the_table_and_goes_into_the_link() {
    let root = mounted_at("#view=cluster&scenario=pool-delete").await;
    until("the pools line", || {
        count(&root, "[data-testid=delete-pool-2]") == 1
    })
    .await;
    assert_eq!(count(&root, "[data-testid=pg-state]"), 6);
    click(&root, "[data-pg='2.1'] button").await;
    click(&root, "[data-testid=delete-pool-2]").await;
    until("the deletion in the link", || {
        link(&root).ends_with("_pscratch")
    })
    .await;
    let pool = text(&root, "[data-testid=pool-2]").unwrap();
    assert_eq!(pool, "scratch (pool 2): deleted");
    assert_eq!(count(&root, "[data-testid=delete-pool-2]"), 0);
    assert_eq!(count(&root, "[data-testid=delete-pool-1]"), 1);
    let h = link(&root)
        .split("h=")
        .nth(1)
        .expect("a history in the link")
        .to_string();
    let t = Timeline::replay(
        cluster::find("pool-delete").unwrap(),
        &parse_choices(&h).unwrap(),
    )
    .unwrap();
    assert!(!t.run().world.map().pools.contains_key(&2));
    assert_eq!(texts(&root, "[data-testid=pg-state]"), engine_pg_states(&t));
    assert_eq!(count(&root, "[data-testid=pg-state]"), 2);
    assert!(text(&root, "[data-testid=pg-gone]")
        .unwrap()
        .starts_with("pg 2.1: its pool was deleted"));
}

/// The pools line shows the monitor's `mon_allow_pool_delete` (false in a scenario that
/// does not set it, as Ceph's default): a deletion is refused with Ceph's EPERM message
/// and the pool stays; the toggle (`ceph config set mon mon_allow_pool_delete true`) goes
/// into the link (`g1`), and the deletion then goes through.
#[wasm_bindgen_test]
async fn pool_deletion_waits_for_mon_allow_pool_delete() {
    let root = mounted_at("#view=cluster&scenario=seed000-down-lost").await;
    until("the guard", || {
        count(&root, "[data-testid=mon-allow-pool-delete]") == 1
    })
    .await;
    assert_eq!(
        text(&root, "[data-testid=mon-allow-pool-delete] span").unwrap(),
        "mon_allow_pool_delete: false"
    );
    click(&root, "[data-testid=delete-pool-1]").await;
    until("the refusal", || count(&root, ".error[role=alert]") == 1).await;
    let error = text(&root, ".error[role=alert] span").unwrap();
    assert!(error.contains("EPERM: pool deletion is disabled; you must first set the mon_allow_pool_delete config option to true"), "{error}");
    assert_eq!(
        count(&root, "[data-testid=delete-pool-1]"),
        1,
        "the pool stays"
    );
    click(&root, "[data-testid=toggle-allow-pool-delete]").await;
    until("the guard set", || {
        text(&root, "[data-testid=mon-allow-pool-delete] span").as_deref()
            == Some("mon_allow_pool_delete: true")
    })
    .await;
    assert!(link(&root).ends_with("_g1"), "{}", link(&root));
    click(&root, "[data-testid=delete-pool-1]").await;
    until("the pool deleted", || {
        count(&root, "[data-testid=delete-pool-1]") == 0
    })
    .await;
    assert!(link(&root).ends_with("_g1_prbd"), "{}", link(&root));
}
