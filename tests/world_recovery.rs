//! Which transitions of the Active and ReplicaActive sub-machines (Ceph's recovery and
//! backfill reservation states) the built-in cluster scenarios and the recovery tests
//! take: every `Micro::Transit` of every run is collected and compared with the chart's
//! edges whose source is inside Started/Primary/Active or Started/ReplicaActive. The
//! edges no run takes are listed with the reason (`NOT_TAKEN`); the test fails when an
//! edge is neither taken nor listed, or is listed but taken.

use cephscope::engine::cluster::{self, ClusterRun};
use cephscope::engine::osdmap::PgId;
use cephscope::engine::peering::chart::{definition, S};
use cephscope::engine::statechart::{EventMatch, Micro};
use cephscope::engine::world::{ClusterSpec, HostSpec, PoolSpec, UserAction, World, WorldStep};
use std::collections::{BTreeMap, BTreeSet};

type Edge = (String, String, String);

/// Edges of the two sub-machines that no run takes, and why.
const NOT_TAKEN: &[(&str, &str, &str, &str)] = &[
    (
        "Backfilling",
        "UnfoundBackfill",
        "NotBackfilling",
        "backfill runs only once nothing is missing (recover_backfill after recovery); an \
      unfound object stops recovery first (UnfoundRecovery)",
    ),
    (
        "Clean",
        "DoRecovery",
        "WaitLocalRecoveryReserved",
        "Ceph posts DoRecovery to a clean PG when scrub repair finds missing objects (not \
      modelled); `ceph pg force-recovery` cannot: the mgr skips a PG that is not degraded, \
      recovery_wait or recovering (DaemonServer), set_force_recovery needs the same, Clean \
      ignores SetForceRecovery, and none of them posts DoRecovery",
    ),
    (
        "Recovered",
        "DoRecovery",
        "WaitLocalRecoveryReserved",
        "as Clean: DoRecovery while Recovered comes from scrub repair (not modelled); \
      force-recovery only sets FORCED_RECOVERY and the reservation priority",
    ),
    (
        "RepNotRecovering",
        "RecoveryDone",
        "RepNotRecovering",
        "compat with pre-reservation primaries (a RELEASE to a replica that holds nothing); a \
      current primary only releases replicas it reserved",
    ),
    (
        "RepNotRecovering",
        "RemoteReservationRejectedTooFull",
        "RepNotRecovering",
        "the replica posts it only from RepWaitBackfillReserved (RequestBackfillPrio transits \
      there first); a REJECT_TOOFULL sent to a replica is pre-Nautilus compat",
    ),
    (
        "RepRecovering",
        "RemoteReservationRejectedTooFull",
        "RepNotRecovering",
        "compat with old primaries that sent REJECT_TOOFULL to replicas",
    ),
    (
        "RepWaitRecoveryReserved",
        "RemoteReservationCanceled",
        "RepNotRecovering",
        "reached only through the compat RemoteReservationRejectedTooFull re-post: \
      MRecoveryReserve has no REJECT and its RELEASE maps to RecoveryDone",
    ),
];

fn in_submachine(mut s: usize) -> bool {
    let def = definition();
    loop {
        if s == S::Active.id() || s == S::ReplicaActive.id() {
            return true;
        }
        match def.states[s].parent {
            Some(p) => s = p,
            None => return false,
        }
    }
}

fn chart_edges() -> BTreeSet<Edge> {
    let def = definition();
    let mut out = BTreeSet::new();
    for r in &def.reactions {
        if !in_submachine(r.state) || r.state == S::Active.id() || r.state == S::ReplicaActive.id()
        {
            continue;
        }
        let EventMatch::Named(ev) = r.event else {
            continue;
        };
        for t in r.targets() {
            if in_submachine(t) {
                out.insert((
                    def.states[r.state].name.to_string(),
                    ev.to_string(),
                    def.states[t].name.to_string(),
                ));
            }
        }
    }
    out
}

fn taken_in(run: &ClusterRun, taken: &mut BTreeMap<Edge, String>, name: &str) {
    let steps: Vec<&WorldStep> = run.records.iter().map(|r| &r.step).collect();
    taken_in_steps(&steps, taken, name);
}

fn taken_in_steps(steps: &[&WorldStep], taken: &mut BTreeMap<Edge, String>, name: &str) {
    let def = definition();
    let short = |s: &str| {
        def.states
            .iter()
            .find(|d| d.path == s || d.name == s)
            .map_or(s.to_string(), |d| d.name.to_string())
    };
    for r in steps {
        for p in &r.pgs {
            for m in &p.micro {
                if let Micro::Transit { from, event, to } = m {
                    taken
                        .entry((short(from), event.to_string(), short(to)))
                        .or_insert_with(|| name.to_string());
                }
            }
        }
    }
}

#[test]
fn active_and_replicaactive_transitions_are_all_taken_or_explained() {
    let mut taken = BTreeMap::new();
    for s in cluster::builtin() {
        let name = s.name.clone();
        let mut run = ClusterRun::new(s).unwrap();
        run.run_to_end().unwrap();
        taken_in(&run, &mut taken, &name);
    }
    for (name, steps) in [
        ("recovery_then_backfill", recovery_then_backfill()),
        ("recovery_toofull", recovery_toofull()),
    ] {
        let refs: Vec<&WorldStep> = steps.iter().collect();
        taken_in_steps(&refs, &mut taken, name);
    }
    let edges = chart_edges();
    let listed: BTreeSet<Edge> = NOT_TAKEN
        .iter()
        .map(|(a, b, c, _)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    let mut report = String::new();
    let mut covered = 0;
    for e in &edges {
        match taken.get(e) {
            Some(by) => {
                covered += 1;
                report.push_str(&format!("  taken  {} --{}--> {} ({by})\n", e.0, e.1, e.2));
            }
            None => report.push_str(&format!("  MISSING {} --{}--> {}\n", e.0, e.1, e.2)),
        }
    }
    println!(
        "Active/ReplicaActive transitions taken: {covered} of {}\n{report}",
        edges.len()
    );
    let unexplained: Vec<&Edge> = edges
        .iter()
        .filter(|e| !taken.contains_key(*e) && !listed.contains(*e))
        .collect();
    let wrongly_listed: Vec<&Edge> = listed.iter().filter(|e| taken.contains_key(*e)).collect();
    assert!(
        unexplained.is_empty() && wrongly_listed.is_empty(),
        "not taken and not explained: {unexplained:?}; listed but taken: {wrongly_listed:?}\n{report}"
    );
}

const PG: PgId = PgId { pool: 1, seed: 0 };

fn spec(hosts: i32, size: usize, capacity: Option<u64>, log: Option<usize>) -> ClusterSpec {
    ClusterSpec {
        hosts: (0..hosts)
            .map(|h| HostSpec {
                name: format!("node{h}"),
                osds: vec![h],
                weights: vec![],
            })
            .collect(),
        pools: vec![PoolSpec {
            id: 1,
            name: "rbd".into(),
            size,
            min_size: 1,
            pg_num: 1,
        }],
        flags: vec![],
        first_epoch: 1,
        mon_prime_pg_temp: Default::default(),
        osd_capacity_objects: capacity,
        osd_max_pg_log_entries: log,
        osd_backfill_scan_max: None,
        osd_async_recovery_min_cost: None,
        mon_allow_pool_delete: false,
        paxos: None,
    }
}

fn settle(world: &mut World, steps: &mut Vec<WorldStep>) {
    for _ in 0..100_000 {
        match world.step() {
            Some(s) => steps.push(s),
            None => return,
        }
    }
    panic!("the cluster did not go quiet");
}

fn act(world: &mut World, steps: &mut Vec<WorldStep>, a: UserAction) {
    steps.push(world.act(a).unwrap());
}

fn write(world: &mut World, steps: &mut Vec<WorldStep>, object: &str, delete: bool) {
    let object = object.to_string();
    let a = if delete {
        UserAction::Delete { pg: PG, object }
    } else {
        UserAction::Write { pg: PG, object }
    };
    act(world, steps, a);
}

/// A replica that was down misses a write; its replacement (CRUSH picks another OSD while
/// it is down) is backfilled, the log being short; when it returns and another OSD goes
/// out the PG recovers it from the log and ends active+clean with every acting OSD
/// holding the newest acked version of every object.
fn recovery_then_backfill() -> Vec<WorldStep> {
    let mut steps = Vec::new();
    let mut world = World::new(&spec(5, 3, None, Some(3))).unwrap();
    settle(&mut world, &mut steps);
    let set = world.map().pg_to_up_acting(PG).acting;
    let (b, c) = (set[1], set[2]);
    for i in 0..5 {
        write(&mut world, &mut steps, &format!("obj{i}"), false);
        settle(&mut world, &mut steps);
    }
    act(&mut world, &mut steps, UserAction::Kill { osd: b });
    settle(&mut world, &mut steps);
    write(&mut world, &mut steps, "obj0", false);
    settle(&mut world, &mut steps);
    act(&mut world, &mut steps, UserAction::Revive { osd: b });
    // As soon as the map shows b up (before any PG peered with it), c goes out.
    while !world.map().is_up(b) {
        steps.push(world.step().expect("b boots"));
    }
    act(&mut world, &mut steps, UserAction::Out { osd: c });
    settle(&mut world, &mut steps);
    assert_eq!(world.pg_states()[&PG], "active+clean");
    let acting = world.map().pg_to_up_acting(PG).acting;
    assert!(!acting.contains(&c));
    for w in &world.acked {
        for o in &acting {
            let st = &world.osds[o].pgs[&PG].state;
            let newest = world
                .acked
                .iter()
                .rev()
                .find(|x| x.object == w.object)
                .unwrap();
            assert_eq!(
                st.store.get(&w.object),
                Some(&newest.version),
                "osd.{o} {}",
                w.object
            );
        }
    }
    steps
}

/// Recovery with a full OSD (≥ mon_osd_full_ratio) in acting_recovery_backfill:
/// WaitLocalRecoveryReserved → RecoveryTooFull → NotRecovering (recovery_toofull), DoRecovery
/// again after osd_recovery_retry_interval; deletes free the space and recovery completes.
fn recovery_toofull() -> Vec<WorldStep> {
    let mut steps = Vec::new();
    let mut world = World::new(&spec(3, 3, Some(10), None)).unwrap();
    settle(&mut world, &mut steps);
    let set = world.map().pg_to_up_acting(PG).acting;
    for i in 0..9 {
        write(&mut world, &mut steps, &format!("obj{i}"), false);
    }
    settle(&mut world, &mut steps);
    act(&mut world, &mut steps, UserAction::Kill { osd: set[2] });
    settle(&mut world, &mut steps);
    write(&mut world, &mut steps, "obj9", false);
    settle(&mut world, &mut steps);
    act(&mut world, &mut steps, UserAction::Revive { osd: set[2] });
    // Step until the primary reports recovery_toofull.
    let mut seen = false;
    for _ in 0..10_000 {
        let Some(s) = world.step() else { break };
        steps.push(s);
        if world.pg_states()[&PG].contains("recovery_toofull") {
            seen = true;
            break;
        }
    }
    assert!(seen, "recovery_toofull: {:?}", world.pg_states());
    write(&mut world, &mut steps, "obj0", true);
    write(&mut world, &mut steps, "obj1", true);
    settle(&mut world, &mut steps);
    assert_eq!(world.pg_states()[&PG], "active+clean");
    let st = &world.osds[&set[2]].pgs[&PG].state;
    assert!(st.store.contains_key("obj9"));
    steps
}

#[test]
fn a_returning_osd_and_a_replacement_end_clean() {
    recovery_then_backfill();
}

#[test]
fn recovery_toofull_retries_until_space_is_freed() {
    recovery_toofull();
}

/// Every PG active+clean, and every acting OSD holds the newest acknowledged version of
/// every object written to its PG (deleted objects absent).
fn assert_clean_with_every_acked_write(world: &World) {
    for (pg, state) in world.pg_states() {
        assert_eq!(state, "active+clean", "pg {pg}");
    }
    for w in &world.acked {
        let newest = world
            .acked
            .iter()
            .rev()
            .find(|x| x.pg == w.pg && x.object == w.object)
            .unwrap();
        for o in world.map().pg_to_up_acting(w.pg).acting {
            let st = &world.osds[&o].pgs[&w.pg].state;
            let want = (!newest.deleted).then_some(&newest.version);
            assert_eq!(
                st.store.get(&w.object),
                want,
                "osd.{o} pg {} {}",
                w.pg,
                w.object
            );
        }
    }
}

/// The preemption story: recovery (190) preempts backfill (110) in the local and the
/// remote reservers; every PG still ends clean with every acked write on its acting set.
#[test]
fn recovery_preempts_backfill_and_everything_ends_clean() {
    let s = cluster::find("recovery-preempts-backfill").unwrap();
    let mut run = ClusterRun::new(s).unwrap();
    run.run_to_end().unwrap();
    let mut taken = BTreeMap::new();
    taken_in(&run, &mut taken, "recovery-preempts-backfill");
    for (a, b, c) in [
        ("Backfilling", "DeferBackfill", "NotBackfilling"),
        (
            "Backfilling",
            "RemoteReservationRevoked",
            "WaitLocalBackfillReserved",
        ),
        (
            "WaitRemoteBackfillReserved",
            "RemoteReservationRevoked",
            "NotBackfilling",
        ),
        (
            "RepWaitBackfillReserved",
            "RemoteReservationCanceled",
            "RepNotRecovering",
        ),
    ] {
        let e = (a.to_string(), b.to_string(), c.to_string());
        assert!(taken.contains_key(&e), "{e:?} not taken");
    }
    assert_clean_with_every_acked_write(&run.world);
}

/// `ceph pg force-recovery`: skipped on a clean PG, refused when already forced; a forced
/// PG shows `forced_recovery`, its reservation at 255 preempts a recovering PG
/// (Recovering → NotRecovering), and the bit clears once it is recovered.
#[test]
fn force_recovery_preempts_and_clears() {
    let s = cluster::find("force-recovery").unwrap();
    let mut run = ClusterRun::new(s).unwrap();
    let pg: PgId = "1.2".parse().unwrap();
    let mut seen_forced = false;
    let mut refused = None;
    while !run.is_done() {
        let forced_before = seen_forced;
        if run.step().unwrap().is_none() {
            break;
        }
        seen_forced |= run.world.pg_states()[&pg].contains("forced_recovery");
        if seen_forced && !forced_before {
            refused = Some(run.act(UserAction::ForceRecovery { pg }).map(|_| ()));
        }
    }
    assert!(seen_forced, "pg 1.2 never showed forced_recovery");
    let err = refused.unwrap().unwrap_err();
    assert!(err.contains("recovery already forced"), "{err}");
    let texts: Vec<&str> = run.records.iter().map(|r| r.step.event.as_str()).collect();
    assert!(
        texts.iter().any(|t| t.contains("doesn't require recovery")),
        "{texts:?}"
    );
    let mut taken = BTreeMap::new();
    taken_in(&run, &mut taken, "force-recovery");
    let e = (
        "Recovering".into(),
        "DeferRecovery".into(),
        "NotRecovering".into(),
    );
    assert!(taken.contains_key(&e));
    assert_clean_with_every_acked_write(&run.world);
    // Cancel on a PG that is not forced: nothing to do, not an error.
    let rec = run.act(UserAction::CancelForceRecovery { pg }).unwrap();
    assert!(
        rec.step.event.contains("recovery not forced"),
        "{}",
        rec.step.event
    );
}

/// `ceph pg force-backfill` on a PG waiting for backfill: forced_backfill, its local
/// reservation moves to OSD_BACKFILL_PRIORITY_FORCED (254); cleared when backfill ends.
#[test]
fn force_backfill_raises_the_local_reservation_to_254() {
    let s = cluster::find("recovery-preempts-backfill").unwrap();
    let mut run = ClusterRun::new(s).unwrap();
    let pg: PgId = "1.7".parse().unwrap();
    let mut forced = false;
    while !run.is_done() {
        if run.step().unwrap().is_none() {
            break;
        }
        let state = run.world.pg_states()[&pg].clone();
        if !forced && state.contains("backfill_wait") {
            let rec = run.act(UserAction::ForceBackfill { pg }).unwrap();
            assert!(rec.step.event.contains("instructing"), "{}", rec.step.event);
            run.step().unwrap(); // the SetForceBackfill event is due now
            while !run.world.pg_states()[&pg].contains("forced_backfill") {
                run.step().unwrap();
            }
            let primary = run.world.map().pg_to_up_acting(pg).acting_primary;
            let r = &run.world.osds[&primary].local_reserver;
            let prio = r.in_progress.get(&pg).map(|r| r.prio).or_else(|| {
                r.queues
                    .iter()
                    .find(|(_, q)| q.iter().any(|x| x.pg == pg))
                    .map(|(p, _)| *p)
            });
            assert_eq!(prio, Some(254), "{r:?}");
            forced = true;
        }
    }
    assert!(forced, "pg 1.7 never waited for backfill");
    assert_clean_with_every_acked_write(&run.world);
}

fn check_budget(world: &World, what: &str, shared: &mut bool, throttled: &mut bool) {
    use cephscope::engine::peering::recovery::{recovery_ops_active, OSD_RECOVERY_MAX_ACTIVE};
    for (osd, node) in &world.osds {
        let per_pg: Vec<usize> = node
            .pgs
            .values()
            .map(|i| recovery_ops_active(&i.state))
            .filter(|n| *n > 0)
            .collect();
        let total: usize = per_pg.iter().sum();
        assert!(
            total <= OSD_RECOVERY_MAX_ACTIVE,
            "{what}: osd.{osd} has {total} recovery ops in flight"
        );
        *shared |= per_pg.len() > 1;
        *throttled |= !node.awaiting_throttle.is_empty();
    }
}

/// `osd_recovery_max_active` is the OSD's budget (OSDService::_recover_now), shared by
/// the PGs it is primary for: never more than 3 pulls/pushes in flight per OSD in any
/// built-in scenario.
#[test]
fn recovery_ops_in_flight_stay_within_each_osds_budget() {
    let (mut shared, mut throttled) = (false, false);
    for s in cluster::builtin() {
        let name = s.name.clone();
        let mut run = ClusterRun::new(s).unwrap();
        while !run.is_done() {
            if run.step().unwrap().is_none() {
                break;
            }
            check_budget(&run.world, &name, &mut shared, &mut throttled);
        }
    }
}

/// With `osd_max_backfills` 4 (`ceph config set osd osd_max_backfills 4`) a primary
/// recovers several PGs at once; they share its 3 recovery ops (a PG whose turn finds
/// none left waits in awaiting_throttle, FIFO, and gets a turn as ops finish), never more
/// than 3 in flight per OSD, and every PG ends clean with every acked write.
#[test]
fn several_pgs_of_one_primary_share_its_recovery_ops() {
    let mut steps = Vec::new();
    let mut world = World::new(&ClusterSpec {
        pools: vec![PoolSpec {
            pg_num: 8,
            ..spec(3, 3, None, None).pools[0].clone()
        }],
        ..spec(3, 3, None, None)
    })
    .unwrap();
    settle(&mut world, &mut steps);
    act(&mut world, &mut steps, UserAction::Kill { osd: 2 });
    settle(&mut world, &mut steps);
    // After the kill: a daemon's reservers start from the defaults.
    for node in world.osds.values_mut() {
        node.local_reserver.max_allowed = 4;
        node.remote_reserver.max_allowed = 4;
    }
    for seed in 0..8 {
        let pg = PgId { pool: 1, seed };
        for i in 0..6 {
            let object = format!("obj{seed}.{i}");
            act(&mut world, &mut steps, UserAction::Write { pg, object });
        }
    }
    settle(&mut world, &mut steps);
    act(&mut world, &mut steps, UserAction::Revive { osd: 2 });
    let (mut shared, mut throttled) = (false, false);
    for _ in 0..100_000 {
        let Some(s) = world.step() else { break };
        steps.push(s);
        check_budget(&world, "max_backfills 4", &mut shared, &mut throttled);
    }
    assert!(throttled, "no recovery turn waited for the OSD's budget");
    assert_clean_with_every_acked_write(&world);
}

/// backfill-revoked-toofull: the returning osd.2 keeps its stale copies and grants (it
/// already holds the PG's bytes); writes to PG 1.1 fill it past backfillfull between two
/// scans, so the next scan request revokes (REVOKE_TOOFULL → NotBackfilling,
/// backfill_toofull); after the retry backfill resumes from the last_backfill it reached
/// (the first scan of the second reservation starts after MIN) and everything ends clean.
#[test]
fn a_target_filled_between_scans_revokes_and_resumes() {
    let s = cluster::find("backfill-revoked-toofull").unwrap();
    let mut run = ClusterRun::new(s).unwrap();
    let pg: PgId = "1.0".parse().unwrap();
    let mut toofull = false;
    while !run.is_done() {
        if run.step().unwrap().is_none() {
            break;
        }
        toofull |= run.world.pg_states()[&pg].contains("backfill_toofull");
    }
    assert!(toofull, "pg 1.0 never showed backfill_toofull");
    let events: Vec<&str> = run.records.iter().map(|r| r.step.event.as_str()).collect();
    let revoke = events
        .iter()
        .position(|e| e.contains("REVOKE_TOOFULL"))
        .expect("osd.2 revokes");
    let scans: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.starts_with("MOSDPGScan osd.1 → osd.2") && e.contains("get_digest"))
        .map(|(i, _)| i)
        .collect();
    assert!(
        scans.iter().filter(|&&i| i < revoke).count() >= 2,
        "{events:?}"
    );
    let resumed = scans
        .iter()
        .find(|&&i| i > revoke)
        .expect("backfill resumes");
    assert!(
        !events[*resumed].contains("from MIN"),
        "{}",
        events[*resumed]
    );
    let mut taken = BTreeMap::new();
    taken_in(&run, &mut taken, "backfill-revoked-toofull");
    let e = (
        "Backfilling".into(),
        "RemoteReservationRevokedTooFull".into(),
        "NotBackfilling".into(),
    );
    assert!(taken.contains_key(&e));
    assert_clean_with_every_acked_write(&run.world);
}
