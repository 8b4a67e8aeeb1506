//! Cluster scenarios end to end: the built-in stories reach the states their narrations
//! promise, the golden Jewel log's state sequence is reproduced, and runs are
//! deterministic.

use cephscope::engine::cluster::{self, ClusterRun};
use cephscope::engine::osdmap::PgId;
use std::collections::BTreeSet;

fn run(name: &str) -> ClusterRun {
    let mut run = ClusterRun::new(cluster::find(name).expect("built-in")).expect("valid");
    run.run_to_end().expect("the script runs");
    run
}

fn pg(text: &str) -> PgId {
    text.parse().unwrap()
}

/// Step a scenario and collect, after every step, the followed PG's state string and
/// blocked_by on its acting primary.
fn states_of(name: &str, pgid: PgId) -> Vec<(String, BTreeSet<i32>)> {
    let mut run = ClusterRun::new(cluster::find(name).unwrap()).unwrap();
    let mut seen = Vec::new();
    while run.step().unwrap().is_some() {
        let m = &run.world.mappings.last().unwrap().by_pg[&pgid];
        if let Some(inst) = run
            .world
            .osds
            .get(&m.acting_primary)
            .filter(|n| n.running)
            .and_then(|n| n.pgs.get(&pgid))
        {
            seen.push((
                inst.state.state.to_ceph_string(),
                inst.state.blocked_by.clone(),
            ));
        }
    }
    seen
}

/// Every built-in settles with every PG active, except the one whose lesson is a PG that
/// cannot peer (`les-bound-incomplete`: its PG 1.0 is asserted below).
#[test]
fn every_builtin_scenario_runs_and_ends_with_every_pg_active() {
    for s in cluster::builtin() {
        let name = s.name.clone();
        let r = run(&name);
        let expected_inactive = |pgid: &PgId| name == "les-bound-incomplete" && *pgid == pg("1.0");
        assert!(
            r.is_done(),
            "{name} did not settle in {} steps",
            r.records.len()
        );
        for (pgid, state) in r.world.pg_states() {
            if expected_inactive(&pgid) {
                continue;
            }
            assert!(
                state.starts_with("active"),
                "{name}: pg {pgid} ends {state}\n{}",
                r.pg_summary(None)
            );
        }
    }
}

#[test]
fn runs_are_deterministic() {
    for s in cluster::builtin() {
        let a = run(&s.name).trace_text(None);
        let b = run(&s.name).trace_text(None);
        assert_eq!(a, b, "{}", s.name);
    }
}

/// shared/reference/realdata/osd_logs/10_*_transitions.tsv, osd.3 / PG 11.4, from the
/// osd.0 down onwards, in today's state names. Two differences from the Jewel log are
/// Ceph's, not cephscope's: Jewel declared NeedActingChange's transition on Primary (so
/// it exited and re-entered Started/Primary) and named the state
/// Started/Primary/Peering/WaitActingChange; today GetLog declares it and the state is
/// Started/Primary/WaitActingChange. The log ends with recovery because its PG held an
/// object osd.2 lacked; the scenario writes one (rbd_data.1) before the kill, so once the
/// pg_temp is gone osd.3 reserves (local, then osd.2's remote slot), pushes it to osd.2
/// and goes Recovered → Clean, as the log does.
/// Epochs: the scenario starts at e2221 so that, with the monitor batching a second's
/// changes (as the real one did: WaitUpThru lasted 0.73 s there), osd.0's down is e2223
/// and the up_thru e2224 as in the log. The log's e2225 (2.4 s later) is a change it does
/// not name and that touched nothing of PG 11.4; the scenario has none, so osd.0's out is
/// e2225 here where the log has e2226.
const GOLDEN: &[(Option<u32>, &str)] = &[
    (Some(2223), "Reset"),
    (Some(2223), "Started"),
    (Some(2223), "Start"),
    (Some(2223), "Started/Primary"),
    (Some(2223), "Started/Primary/Peering"),
    (Some(2223), "Started/Primary/Peering/GetInfo"),
    (Some(2223), "Started/Primary/Peering/GetLog"),
    (Some(2223), "Started/Primary/Peering/GetMissing"),
    (Some(2223), "Started/Primary/Peering/WaitUpThru"),
    (Some(2224), "Started/Primary/Active"),
    (Some(2224), "Started/Primary/Active/Activating"),
    (Some(2224), "Started/Primary/Active/Recovered"),
    (Some(2224), "Started/Primary/Active/Clean"),
    (Some(2225), "Reset"),
    (Some(2225), "Started"),
    (Some(2225), "Start"),
    (Some(2225), "Started/Primary"),
    (Some(2225), "Started/Primary/Peering"),
    (Some(2225), "Started/Primary/Peering/GetInfo"),
    (None, "Started/Primary/Peering/GetLog"),
    (None, "Started/Primary/WaitActingChange"),
    (None, "Reset"),
    (None, "Started"),
    (None, "Start"),
    (None, "Started/Primary"),
    (None, "Started/Primary/Peering"),
    (None, "Started/Primary/Peering/GetInfo"),
    (None, "Started/Primary/Peering/GetLog"),
    (None, "Started/Primary/Peering/GetMissing"),
    (None, "Started/Primary/Peering/WaitUpThru"),
    (None, "Started/Primary/Active"),
    (None, "Started/Primary/Active/Activating"),
    (None, "Started/Primary/Active/WaitLocalRecoveryReserved"),
    (None, "Started/Primary/Active/WaitRemoteRecoveryReserved"),
    (None, "Started/Primary/Active/Recovering"),
    (None, "Started/Primary/Active/Recovered"),
    (None, "Started/Primary/Active/Clean"),
];

#[test]
fn golden_jewel_log_osd3_pg_11_4_enters_the_same_states() {
    let r = run("jewel-osd0-down-out");
    let entered = r.entered(3, pg("11.4"));
    let from = entered
        .iter()
        .position(|(_, s)| s == "Reset" && entered.iter().any(|(e, _)| *e >= 2223))
        .map(|_| {
            entered
                .iter()
                .position(|(e, s)| *e >= 2223 && s == "Reset")
                .unwrap()
        })
        .expect("osd.3 resets PG 11.4 when osd.0 goes down");
    // Before: a replica of [0,3] (Stray → ReplicaActive), as in the log's first lines.
    assert!(entered[..from]
        .iter()
        .any(|(_, s)| s == "Started/ReplicaActive/RepNotRecovering"));
    assert!(entered.len() >= from + GOLDEN.len(), "{entered:?}");
    let got = &entered[from..from + GOLDEN.len()];
    for (i, ((want_epoch, want), (epoch, state))) in GOLDEN.iter().zip(got).enumerate() {
        assert_eq!(state, want, "entry {i}: got {got:?}");
        if let Some(e) = want_epoch {
            assert_eq!(epoch, e, "entry {i} ({state}): epoch");
        }
    }
    // Nothing after Clean: the log's last line.
    let rest: Vec<&str> = entered[from + GOLDEN.len()..]
        .iter()
        .map(|(_, s)| s.as_str())
        .collect();
    assert!(rest.is_empty(), "{rest:?}");
    // osd.2 holds the object, and the PG is active+clean.
    let osd2 = &r.world.osds[&2].pgs[&pg("11.4")].state;
    assert!(osd2.store.contains_key("rbd_data.1"));
    assert_eq!(r.world.pg_states()[&pg("11.4")], "active+clean");
    // The monitor primed pg_temp [0,3] at the down (Jewel) and dropped it after the
    // primary asked (the cluster outputs' "pg_temp 11.4 [0,3]" and "remapped").
    let epochs: Vec<&String> = r.records.iter().flat_map(|x| &x.step.epochs).collect();
    assert!(epochs
        .iter()
        .any(|e| e.starts_with("e2223:") && e.contains("pg_temp 11.4 [0, 3]")));
    assert!(epochs.iter().any(|e| e.contains("pg_temp 11.4 removed")));
}

/// osd_logs/11_*: a map change that touches neither up nor acting of a PG starts no new
/// interval for it — every PG that never had osd.0 in its up or acting set is reset once
/// (its creation) on its primary, through osd.0's down and out.
#[test]
fn pgs_without_osd0_start_no_new_interval() {
    let r = run("jewel-osd0-down-out");
    let mut checked = 0;
    for (pgid, m) in &r.world.mappings.last().unwrap().by_pg {
        let touched = r
            .world
            .mappings
            .iter()
            .any(|t| t.by_pg[pgid].up.contains(&0) || t.by_pg[pgid].acting.contains(&0));
        if touched {
            continue;
        }
        let resets = r
            .entered(m.acting_primary, *pgid)
            .iter()
            .filter(|(_, s)| s == "Reset")
            .count();
        assert_eq!(resets, 1, "pg {pgid} on osd.{}", m.acting_primary);
        checked += 1;
    }
    assert!(
        checked >= 2,
        "the scenario has PGs away from osd.0 ({checked})"
    );
}

#[test]
fn seed000_pg_is_down_blocked_by_node_c_until_marked_lost() {
    for name in ["seed000-down-lost", "seed000-down-revive"] {
        let states = states_of(name, pg("1.0"));
        let down = states
            .iter()
            .find(|(s, _)| s.contains("down"))
            .unwrap_or_else(|| panic!("{name}: pg 1.0 is never down: {states:?}"));
        // Today's Down::Down clears PG_STATE_PEERING: "down". Seed 000 (Hammer, where
        // GetInfo set DOWN and stayed peering) saw "down+peering".
        assert_eq!(down.0, "down", "{name}");
        assert!(
            !down.1.is_empty() && down.1.iter().all(|o| [4, 5].contains(o)),
            "{name}: blocked_by {:?}",
            down.1
        );
        assert!(states.last().unwrap().0.starts_with("active"), "{name}");
    }
}

#[test]
fn seed001_q13_up_thru_decides_whether_the_pg_is_down() {
    let with = states_of("seed001-q13-up-thru", pg("1.0"));
    assert!(
        with.iter()
            .any(|(s, b)| s.contains("down") && *b == BTreeSet::from([1])),
        "B had up_thru for its lone interval: the PG waits for osd.1: {with:?}"
    );
    let without = states_of("seed001-q13-no-up-thru", pg("1.0"));
    assert!(
        without.iter().all(|(s, _)| !s.contains("down")),
        "B never got up_thru: its interval cannot have gone rw: {without:?}"
    );
    let r = run("seed001-q13-no-up-thru");
    assert!(r
        .records
        .iter()
        .any(|x| x.step.event.contains("MOSDAlive osd.1") && x.step.event.contains("lost")));
}

#[test]
fn bad_scenarios_name_what_is_wrong() {
    let good = include_str!("../src/engine/scenarios/seed001-q13-up-thru.json");
    let cases = [
        (
            good.replace("\"osd\": 2}", "\"osd\": 9}"),
            "osd.9 is not in the cluster",
        ),
        (
            good.replace("\"size\": 3", "\"size\": 4"),
            "larger than the number of hosts",
        ),
        (good.replace("\"1.0\"", "\"1.z\""), "not hexadecimal"),
        (
            good.replace("\"at_ms\": 240000", "\"at_ms\": 1"),
            "out of time order",
        ),
        (
            good.replace("\"kill\"", "\"explode\""),
            "script[0] (at 60000 ms): unknown variant `explode`",
        ),
        (
            good.replace("\"osd\": 2}", "\"osd\": \"two\"}"),
            "script[1] (at 120000 ms): invalid type: string \"two\"",
        ),
        ("{".to_string(), "cluster scenario JSON"),
    ];
    for (json, want) in cases {
        let err = cluster::from_json(&json).expect_err(want);
        assert!(err.contains(want), "{err}");
    }
}

/// Not a timed test: it prints the native time of the golden scenario in the test profile
/// (compare with the same figure under wasm in Node, tests/wasm_node.rs).
#[test]
fn golden_scenario_time_is_reported() {
    let mut times: Vec<f64> = (0..50)
        .map(|_| {
            let start = std::time::Instant::now();
            run("jewel-osd0-down-out");
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    times.sort_by(f64::total_cmp);
    println!(
        "jewel-osd0-down-out end to end, native: {mean:.2} ms per run (mean of 50), median {:.2} ms, fastest {:.2} ms",
        times[times.len() / 2],
        times[0]
    );
}

/// backfill-toofull: osd.0 (5 of 10 objects) would pass its backfillfull ratio with PG
/// 1.0's 4 objects, so it rejects the backfill reservation (REJECT_TOOFULL →
/// backfill_toofull, NotBackfilling); a delete frees space and the retry after
/// osd_backfill_retry_interval backfills it; the pg_temp goes and the PG is clean on
/// [2,0], osd.0 holding every object at the primary's version.
#[test]
fn backfill_toofull_resolves_when_a_delete_frees_space() {
    let name = "backfill-toofull";
    let states = states_of(name, pg("1.0"));
    let strings: Vec<&str> = states.iter().map(|(s, _)| s.as_str()).collect();
    for want in [
        "active+remapped+backfill_wait",
        "active+remapped+backfill_toofull",
        "active+remapped+backfill_wait+backfill_toofull",
        "active+remapped+backfilling",
        "active+clean",
    ] {
        assert!(strings.contains(&want), "{name}: never {want}: {strings:?}");
    }
    let r = run(name);
    let entered: Vec<String> = r
        .entered(2, pg("1.0"))
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let i = entered
        .iter()
        .position(|s| s.ends_with("/NotBackfilling"))
        .expect("NotBackfilling");
    assert_eq!(
        entered[i + 1..i + 4],
        [
            "Started/Primary/Active/WaitLocalBackfillReserved",
            "Started/Primary/Active/WaitRemoteBackfillReserved",
            "Started/Primary/Active/Backfilling"
        ]
    );
    assert!(entered[i + 4..].iter().any(|s| s.ends_with("/Recovered")));
    let primary = &r.world.osds[&2].pgs[&pg("1.0")].state;
    let target = &r.world.osds[&0].pgs[&pg("1.0")].state;
    assert_eq!(primary.store.len(), 4);
    assert_eq!(target.store, primary.store);
    assert!(target.info.last_backfill.is_max());
    let m = &r.world.mappings.last().unwrap().by_pg[&pg("1.0")];
    assert_eq!(m.acting, vec![2, 0]);
    assert_eq!(r.world.pg_states()[&pg("1.0")], "active+clean");
}

/// les-bound-incomplete (issue #3's scenario 4): osd.0 was activated as a backfill target
/// in e10 (history.les 10) but never backfilled; once osd.2 is lost, the primary osd.1 has
/// only its own complete but older copy (les 3) and osd.0's incomplete one. find_best_info's
/// bound comes from osd.0's history.les, no complete copy reaches it, there is no
/// authoritative log: GetLog → Incomplete, and the PG stays incomplete.
#[test]
fn les_bound_incomplete_has_no_authoritative_log() {
    let name = "les-bound-incomplete";
    let r = run(name);
    assert_eq!(r.world.pg_states()[&pg("1.0")], "incomplete");
    let entered: Vec<String> = r
        .entered(1, pg("1.0"))
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        entered.last().map(String::as_str),
        Some("Started/Primary/Peering/Incomplete")
    );
    let primary = &r.world.osds[&1].pgs[&pg("1.0")].state;
    let target = &r.world.osds[&0].pgs[&pg("1.0")].state;
    assert!(
        primary.info.last_backfill.is_max(),
        "osd.1's copy is complete"
    );
    assert!(
        !target.info.last_backfill.is_max(),
        "osd.0 never backfilled"
    );
    // osd.0 was activated in e10 (les 10, its history.les 10); osd.1's les is from e3.
    assert!(target.info.last_epoch_started > primary.info.last_epoch_started);
    assert!(target.info.last_update > primary.info.last_update);
    let why = primary.choose_acting_why.join("; ");
    assert!(why.contains("osd.0's history.les"), "{why}");
    assert!(why.contains("osd.0 skipped: incomplete"), "{why}");
    assert!(why.contains("no candidate is complete"), "{why}");
    // The other PGs are healthy: only the les bound keeps 1.0 from peering.
    for other in ["1.1", "1.2", "1.3"] {
        assert_eq!(r.world.pg_states()[&pg(other)], "active+clean", "{other}");
    }
}

/// unfound-object: osd.2 knows (from osd.1's log) a version only osd.1 had; osd.1 is
/// down, so the object is unfound (NotRecovering, recovery_unfound). mark_unfound_lost is
/// refused until osd.1 is marked lost; then revert goes back to osd.2's older copy and the
/// PG becomes clean.
#[test]
fn unfound_object_waits_for_lost_then_reverts() {
    use cephscope::engine::world::{LostModeText, UserAction};
    let name = "unfound-object";
    let mut run = ClusterRun::new(cluster::find(name).unwrap()).unwrap();
    while run.world.now < 55_000 {
        run.step().unwrap().expect("runs to 55 s");
    }
    let st = &run.world.osds[&2].pgs[&pg("1.0")].state;
    assert_eq!(
        st.state.to_ceph_string(),
        "active+recovery_unfound+undersized+degraded"
    );
    assert_eq!(
        run.world.osds[&2].pgs[&pg("1.0")]
            .machine
            .path(cephscope::engine::peering::chart::definition()),
        "Started/Primary/Active/NotRecovering"
    );
    assert!(st.unfound.contains("rbd_data.0"));
    let refused = run
        .world
        .act(UserAction::MarkUnfoundLost {
            pg: pg("1.0"),
            mode: LostModeText::Revert,
        })
        .unwrap_err();
    assert!(
        refused.contains("haven't probed all sources") && refused.contains("osd.1"),
        "{refused}"
    );
    run.run_to_end().unwrap();
    let st = &run.world.osds[&2].pgs[&pg("1.0")].state;
    assert!(!st.pg_log.missing.have_missing());
    assert!(st.store.contains_key("rbd_data.0"), "reverted, not deleted");
    assert!(st
        .pg_log
        .log
        .entries
        .iter()
        .any(|e| e.op == cephscope::engine::pglog::Op::LostRevert));
    assert_eq!(run.world.pg_states()[&pg("1.0")], "active+clean");
}

/// unfound-found-on-stray: the only holder of rbd_data.0's newest version, osd.1, comes
/// back while out, so it is a stray and no new interval starts. Ceph's primary finds the
/// object anyway: its ActMap runs discover_all_missing (a FULLLOG query to osd.1),
/// Active::react(MLogRec) runs search_for_missing, osd.1 is told its own info and
/// activates, and recovery pulls the object from it. Then the stray is purged.
#[test]
fn an_unfound_object_is_found_on_a_returning_stray() {
    let name = "unfound-found-on-stray";
    let mut run = ClusterRun::new(cluster::find(name).unwrap()).unwrap();
    let def = cephscope::engine::peering::chart::definition();
    while run.world.now < 89_000 {
        run.step().unwrap().expect("runs to 89 s");
    }
    let primary = &run.world.osds[&3].pgs[&pg("1.0")];
    assert_eq!(
        primary.machine.path(def),
        "Started/Primary/Active/NotRecovering"
    );
    assert_eq!(
        primary.state.state.to_ceph_string(),
        "active+recovery_unfound+degraded"
    );
    assert!(primary.state.unfound.contains("rbd_data.0"));
    assert!(
        primary.state.might_have_unfound.contains(&1),
        "osd.1 was in the past intervals: {:?}",
        primary.state.might_have_unfound
    );
    let mut sentences = Vec::new();
    while let Some(step) = run.step().unwrap() {
        sentences.push(step.step.explanation.clone());
        // No new interval: the primary stays in this one (e9, the map that marked osd.1 down).
        let primary = &run.world.osds[&3].pgs[&pg("1.0")];
        assert!(primary
            .machine
            .path(def)
            .starts_with("Started/Primary/Active"));
    }
    let find = |needle: &str| {
        sentences
            .iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("no step says {needle:?}:\n{}", sentences.join("\n")))
    };
    let asked = find("asks osd.1 for its whole log and missing set (discover_all_missing");
    let answered = find("osd.1 holds objects pg 1.0 needs: a recovery source now");
    let activated = find("pg 1.0 on osd.1 Started/Stray → Started/ReplicaActive");
    let pulled = find("MOSDPGPull osd.3 → osd.1 (1.0 rbd_data.0");
    let purged = find("which purges this stray copy");
    assert!(asked < answered && answered < activated && activated < pulled && pulled < purged);
    let primary = &run.world.osds[&3].pgs[&pg("1.0")];
    assert_eq!(run.world.pg_states()[&pg("1.0")], "active+clean");
    assert!(primary.state.unfound.is_empty());
    let newest = primary.state.pg_log.log.head;
    for osd in [3, 0] {
        let copy = &run.world.osds[&osd].pgs[&pg("1.0")].state;
        assert_eq!(copy.store.get("rbd_data.0"), Some(&newest), "osd.{osd}");
    }
    assert!(
        !run.world.osds[&1].pgs.contains_key(&pg("1.0")),
        "the stray's copy is deleted once the PG is clean"
    );
}

/// luminous-osd-stop-start: the pg_dump_health/11_* recipes 5.4 and 5.5 print
/// `active+recovery_wait+degraded` (log recovery of a returning OSD) and
/// `active+undersized+degraded+remapped+backfilling` (a returning OSD past the log's
/// tail); both PGs end active+clean with the returning osd.2 holding every object.
#[test]
fn luminous_stop_start_recovers_one_pg_and_backfills_the_other() {
    let name = "luminous-osd-stop-start";
    let s0: Vec<String> = states_of(name, pg("1.0"))
        .into_iter()
        .map(|x| x.0)
        .collect();
    let s1: Vec<String> = states_of(name, pg("1.1"))
        .into_iter()
        .map(|x| x.0)
        .collect();
    assert!(
        s0.iter().any(|s| s == "active+recovery_wait+degraded"),
        "{s0:?}"
    );
    assert!(
        s0.iter().any(|s| s == "active+recovering+degraded"),
        "{s0:?}"
    );
    assert!(
        s1.iter()
            .any(|s| s == "active+undersized+degraded+remapped+backfilling"),
        "{s1:?}"
    );
    let r = run(name);
    for p in ["1.0", "1.1"] {
        assert_eq!(r.world.pg_states()[&pg(p)], "active+clean", "pg {p}");
        let primary = r.world.mappings.last().unwrap().by_pg[&pg(p)].acting_primary;
        let want = &r.world.osds[&primary].pgs[&pg(p)].state.store;
        assert_eq!(&r.world.osds[&2].pgs[&pg(p)].state.store, want, "pg {p}");
    }
}

/// shared/reference/realdata/pg_dump_health/10_*: the cluster-wide view of the golden
/// failure (`ceph -s` / `ceph -w` on 9 OSDs, 632 PGs). On a similar cluster — the golden
/// scenario's 9 OSDs on 3 hosts, a pool of 64 PGs with one object in each and one PG
/// whose log was trimmed — the aggregate state counts move the same way: all
/// active+clean; after osd.0 is marked down, the PGs that had it are
/// active+undersized+degraded and the rest active+clean (the log's "139
/// active+undersized+degraded, 493 active+clean"); after it is marked out, peering,
/// activating, log recovery (active+recovery_wait+degraded, active+recovering+degraded)
/// and backfill of the trimmed PG (…+remapped+backfill_wait / backfilling) until every PG
/// is active+clean again.
#[test]
fn the_cluster_wide_states_move_as_in_the_jewel_outputs() {
    use std::collections::BTreeMap;
    let mut s = cluster::find("jewel-osd0-down-out").unwrap();
    s.name = "jewel-osd0-down-out-64".into();
    s.cluster.pools[0].pg_num = 64;
    s.cluster.osd_max_pg_log_entries = Some(4);
    let mut script = Vec::new();
    let mut at = 1_000;
    for seed in 0..64 {
        script.push(format!(
            r#"{{"at_ms": {at}, "action": "write", "pg": "11.{seed:x}", "object": "obj{seed}"}}"#
        ));
        at += 10;
    }
    for i in 0..6 {
        script.push(format!(
            r#"{{"at_ms": {at}, "action": "write", "pg": "11.4", "object": "big{i}"}}"#
        ));
        at += 10;
    }
    script.push(r#"{"at_ms": 60000, "action": "kill", "osd": 0}"#.into());
    let json = format!(
        r#"{{"name": "x", "narration": "", "cluster": {}, "script": [{}]}}"#,
        serde_json::to_string(&s.cluster).unwrap(),
        script.join(",")
    );
    let mut run = ClusterRun::new(cluster::from_json(&json).unwrap()).unwrap();
    let counts = |run: &ClusterRun| {
        let mut c: BTreeMap<String, usize> = BTreeMap::new();
        for state in run.world.pg_states().values() {
            *c.entry(state.clone()).or_default() += 1;
        }
        c
    };
    let only = |c: &BTreeMap<String, usize>, states: &[&str]| {
        c.keys().all(|k| states.contains(&k.as_str()))
    };
    let mut seen_after_out: BTreeSet<String> = BTreeSet::new();
    let mut before_out = None;
    while !run.is_done() {
        run.step().unwrap();
        let c = counts(&run);
        let map = run.world.map();
        let down = !map.is_up(0);
        let out = !map.osds[&0].is_in();
        if !down {
            // Before the failure is noticed the PGs settle to active+clean.
            continue;
        }
        if !out {
            before_out = Some(c);
        } else {
            seen_after_out.extend(c.keys().cloned());
        }
    }
    // Just before the out: only the two states of the log's `ceph -s` at e2225.
    let before_out = before_out.expect("osd.0 was down before it was out");
    assert!(
        only(&before_out, &["active+clean", "active+undersized+degraded"]),
        "{before_out:?}"
    );
    let had_osd0 = before_out["active+undersized+degraded"];
    assert!(
        had_osd0 > 0 && before_out["active+clean"] > 0,
        "{before_out:?}"
    );
    // After the out: the states the log's `ceph -w` lines show while it recovers.
    for state in [
        "peering",
        "active+recovery_wait+degraded",
        "active+recovering+degraded",
    ] {
        assert!(
            seen_after_out.contains(state),
            "{state} not seen: {seen_after_out:?}"
        );
    }
    assert!(
        seen_after_out
            .iter()
            .any(|s| s.contains("backfill_wait") || s.contains("backfilling")),
        "{seen_after_out:?}"
    );
    let end = counts(&run);
    assert_eq!(end.keys().collect::<Vec<_>>(), ["active+clean"], "{end:?}");
    assert_eq!(end["active+clean"], 64);
}

/// The user kills an OSD before the script does: the script's own kill is then refused by
/// the world, and the run records it as skipped (with why) and goes on, rather than
/// stopping on an error at every Step. Without any user choice a refused script action is
/// still an error of the scenario (what `cephscope run` reports).
#[test]
fn a_script_action_the_users_choices_made_moot_is_skipped_not_an_error() {
    use cephscope::engine::cluster::{ScriptAction, StepOrigin};
    use cephscope::engine::world::UserAction;
    let s = cluster::find("seed000-down-lost").unwrap();
    let osd = s
        .script
        .iter()
        .find_map(|st| match &st.action {
            ScriptAction::User(UserAction::Kill { osd }) => Some(*osd),
            _ => None,
        })
        .expect("the story kills an OSD");
    let mut run = ClusterRun::new(s.clone()).unwrap();
    run.act(UserAction::Kill { osd }).unwrap();
    run.run_to_end().unwrap();
    let skipped: Vec<&str> = run
        .records
        .iter()
        .filter(|r| {
            matches!(r.origin, StepOrigin::Script) && r.step.explanation.contains("is skipped")
        })
        .map(|r| r.step.explanation.as_str())
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].starts_with(&format!(
            "The script's {{\"action\":\"kill\",\"osd\":{osd}}} is skipped: "
        )),
        "{}",
        skipped[0]
    );
    assert!(skipped[0].ends_with("(the user's choices changed the story)."));
    // A scenario whose script repeats that kill on its own is an error, as before.
    let mut twice = s;
    let first = twice
        .script
        .iter()
        .position(|st| st.action == ScriptAction::User(UserAction::Kill { osd }))
        .unwrap();
    let again = twice.script[first].clone();
    twice.script.insert(first + 1, again);
    let mut run = ClusterRun::new(twice).unwrap();
    assert!(run.run_to_end().unwrap_err().contains("script["));
}

/// `ceph pg query`'s recovery_state for a down PG (seed 000) has the shape of Ceph's
/// troubleshooting example: the innermost state first, then Peering with probing_osds,
/// "peering is blocked due to down osds", down_osds_we_would_probe and peering_blocked_by
/// (current_lost_at and the comment), then Started — from the engine's prior set. Once
/// the PG is active, Active lists might_have_unfound and recovery_progress.
#[test]
fn pg_query_recovery_state_says_why_a_pg_is_down() {
    use cephscope::engine::peering::query::recovery_state;
    let mut run = ClusterRun::new(cluster::find("seed000-down-lost").unwrap()).unwrap();
    let primary_of = |run: &ClusterRun| {
        let m = &run.world.mappings.last().unwrap().by_pg[&pg("1.0")];
        m.acting_primary
    };
    loop {
        run.step()
            .unwrap()
            .expect("pg 1.0 goes down before the run ends");
        if run.world.pg_states()[&pg("1.0")] == "down" {
            break;
        }
    }
    let inst = &run.world.osds[&primary_of(&run)].pgs[&pg("1.0")];
    let rs = recovery_state(&inst.machine, &inst.state);
    let names: Vec<&str> = rs
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Started/Primary/Peering/Down",
            "Started/Primary/Peering",
            "Started"
        ]
    );
    assert_eq!(
        rs[0]["comment"],
        "not enough up instances of this PG to go active"
    );
    let peering = &rs[1];
    let prior = inst.state.prior_set.as_ref().unwrap();
    assert_eq!(peering["blocked"], "peering is blocked due to down osds");
    let down: Vec<i64> = peering["down_osds_we_would_probe"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(
        down,
        prior.down.iter().map(|&o| i64::from(o)).collect::<Vec<_>>()
    );
    let blocked = peering["peering_blocked_by"].as_array().unwrap();
    assert_eq!(blocked.len(), prior.blocked_by.len());
    assert!(!blocked.is_empty());
    for b in blocked {
        let osd = b["osd"].as_i64().unwrap() as i32;
        assert_eq!(b["current_lost_at"], prior.blocked_by[&osd]);
        assert_eq!(
            b["comment"],
            "starting or marking this osd lost may let us proceed"
        );
    }
    assert_eq!(
        peering["probing_osds"].as_array().unwrap().len(),
        prior.probe.len()
    );
    run.run_to_end().unwrap();
    let inst = &run.world.osds[&primary_of(&run)].pgs[&pg("1.0")];
    let rs = recovery_state(&inst.machine, &inst.state);
    assert_eq!(rs[0]["name"], "Started/Primary/Active");
    assert!(rs[0]["might_have_unfound"].is_array());
    assert!(rs[0]["recovery_progress"]["backfill_targets"].is_array());
    assert_eq!(rs[1]["name"], "Started");
}
