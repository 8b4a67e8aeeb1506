//! Async recovery (`PeeringState::choose_async_recovery_replicated`, Nautilus and later):
//! an up replica that is far behind is recovered outside the acting set. The
//! `async-recovery` scenario (osd_async_recovery_min_cost 4): osd.2 returns 8 writes
//! behind, the primary asks for pg_temp [1,0] without it, the PG goes active with osd.2
//! as an async recovery target (active+recovering+undersized+degraded+remapped), writes to
//! objects osd.2 misses reach it as log entries only and are not blocked, and once it is
//! recovered the pg_temp goes and the PG is clean with osd.2 back in the acting set.

use cephscope::engine::cluster::{self, ClusterRun};
use cephscope::engine::osdmap::PgId;
use std::collections::BTreeSet;

const PG: PgId = PgId { pool: 1, seed: 0 };

fn run() -> ClusterRun {
    let mut run = ClusterRun::new(cluster::find("async-recovery").unwrap()).unwrap();
    run.run_to_end().unwrap();
    assert!(run.is_done());
    run
}

/// Step the scenario until `f` holds for the primary osd.1's PG state.
fn until(f: impl Fn(&ClusterRun) -> bool) -> ClusterRun {
    let mut run = ClusterRun::new(cluster::find("async-recovery").unwrap()).unwrap();
    while !f(&run) {
        assert!(run.step().unwrap().is_some(), "the run ended first");
    }
    run
}

/// The first step that sent a message starting with `head` and containing `needle`.
fn first_step_sending(run: &ClusterRun, head: &str, needle: &str) -> Option<usize> {
    run.records.iter().position(|r| {
        r.step
            .sent
            .iter()
            .any(|s| s.starts_with(head) && s.contains(needle))
    })
}

#[test]
fn a_replica_far_behind_recovers_outside_the_acting_set() {
    let recovering = until(|r| {
        r.world
            .pg_states()
            .get(&PG)
            .is_some_and(|s| s.contains("recovering"))
    });
    let w = &recovering.world;
    assert_eq!(
        w.pg_states()[&PG],
        "active+recovering+undersized+degraded+remapped"
    );
    let m = w.map().pg_to_up_acting(PG);
    assert_eq!((m.up, m.acting), (vec![1, 2, 0], vec![1, 0]));
    let primary = &w.osds[&1].pgs[&PG].state;
    assert_eq!(primary.async_recovery_targets, BTreeSet::from([2]));
    assert_eq!(primary.acting_recovery_backfill, BTreeSet::from([0, 1, 2]));
    assert!(primary.backfill_targets.is_empty());
    // osd.2 took part in the recovery reservation, as a member of acting_recovery_backfill.
    let path = w.osds[&2].pgs[&PG]
        .machine
        .path(cephscope::engine::peering::chart::definition());
    assert_eq!(path, "Started/ReplicaActive/RepRecovering");
}

#[test]
fn writes_go_on_and_reach_the_async_target_as_log_entries() {
    let run = run();
    let sent: Vec<&str> = run
        .records
        .iter()
        .flat_map(|r| r.step.sent.iter())
        .map(String::as_str)
        .collect();
    // rbd_data.9, which osd.2 misses: the entry only; rbd_data.0, which it has: applied.
    assert!(
        sent.iter().any(|s| s.starts_with("MOSDRepOp osd.1 → osd.2")
            && s.contains("modify rbd_data.9")
            && s.contains("empty transaction")),
        "{sent:#?}"
    );
    assert!(sent.iter().any(|s| s.starts_with("MOSDRepOp osd.1 → osd.2")
        && s.contains("modify rbd_data.0")
        && !s.contains("empty transaction")));
    // Both writes were acknowledged, rbd_data.9 before osd.2 had it pushed.
    let ack = |object: &str| {
        run.world
            .acked
            .iter()
            .rev()
            .find(|a| a.object == object)
            .unwrap_or_else(|| panic!("{object} not acked"))
            .version
    };
    let (v9, v0) = (ack("rbd_data.9"), ack("rbd_data.0"));
    assert!(v9 < v0);
    let push9 = first_step_sending(&run, "MOSDPGPush osd.1 → osd.2", "rbd_data.9")
        .expect("rbd_data.9 pushed to osd.2");
    let op11_reply =
        first_step_sending(&run, "MOSDOpReply osd.1 → client.0", "op 11 ").expect("op 11 answered");
    assert!(op11_reply < push9, "the write waited for osd.2's recovery");
    // The push carries the version the write made (its missing entry moved with it).
    assert!(run.records[push9]
        .step
        .sent
        .iter()
        .any(|s| s.contains(&format!("rbd_data.9 {v9}"))));
}

#[test]
fn once_recovered_the_async_target_rejoins_and_the_pg_is_clean() {
    let run = run();
    let w = &run.world;
    assert_eq!(w.pg_states()[&PG], "active+clean");
    let m = w.map().pg_to_up_acting(PG);
    assert_eq!(m.acting, vec![1, 2, 0]);
    assert!(w.map().pg_temp.is_empty());
    let stores: Vec<_> = [0, 1, 2]
        .iter()
        .map(|o| &w.osds[o].pgs[&PG].state.store)
        .collect();
    assert!(stores.iter().all(|s| *s == stores[0]), "{stores:?}");
    assert_eq!(stores[0].len(), 10);
    // The primary went Recovered (waiting there: an async target was left) and re-peered
    // in the next interval rather than going Clean in the old one.
    let entered: Vec<String> = run.entered(1, PG).into_iter().map(|(_, s)| s).collect();
    assert!(
        entered
            .windows(2)
            .any(|w| w[0] == "Started/Primary/Active/Recovered" && w[1] == "Reset"),
        "{entered:?}"
    );
    assert!(!w.osds[&1].pgs[&PG]
        .state
        .async_recovery_targets
        .contains(&2));
}
