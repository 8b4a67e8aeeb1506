//! Backfill as PrimaryLogPG::recover_backfill does it: a backfill target keeps its objects,
//! the primary asks for them (MOSDPGScan), removes what only the target has
//! (MOSDPGBackfillRemove), pushes what is newer or absent (MOSDPGPush), skips what is at
//! the same version, and moves the target's last_backfill with MOSDPGBackfill PROGRESS
//! before FINISH.

use cephscope::engine::osdmap::PgId;
use cephscope::engine::pglog::{Eversion, ObjectBound};
use cephscope::engine::world::{ClusterSpec, HostSpec, PoolSpec, UserAction, World, WorldStep};

const PG: PgId = PgId { pool: 1, seed: 0 };

fn spec(scan_max: Option<usize>) -> ClusterSpec {
    ClusterSpec {
        hosts: (0..3)
            .map(|h| HostSpec {
                name: format!("node{h}"),
                osds: vec![h],
                weights: vec![],
            })
            .collect(),
        pools: vec![PoolSpec {
            id: 1,
            name: "rbd".into(),
            size: 3,
            min_size: 1,
            pg_num: 1,
        }],
        flags: vec![],
        first_epoch: 1,
        mon_prime_pg_temp: Default::default(),
        osd_capacity_objects: None,
        // A short log: the returning OSD is behind its tail, so it is backfilled.
        osd_max_pg_log_entries: Some(2),
        osd_backfill_scan_max: scan_max,
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

fn op(object: &str, delete: bool) -> UserAction {
    let object = object.to_string();
    if delete {
        UserAction::Delete { pg: PG, object }
    } else {
        UserAction::Write { pg: PG, object }
    }
}

fn write(world: &mut World, steps: &mut Vec<WorldStep>, object: &str, delete: bool) {
    act(world, steps, op(object, delete));
    settle(world, steps);
}

/// Every PG active+clean; every acting OSD holds exactly the primary's objects, and the
/// newest acknowledged version of every object written (deleted ones absent).
fn assert_clean_and_identical(world: &World) {
    assert_eq!(world.pg_states()[&PG], "active+clean");
    let acting = world.map().pg_to_up_acting(PG).acting;
    let primary = &world.osds[&acting[0]].pgs[&PG].state;
    for w in &world.acked {
        let want = newest_acked(world, &w.object);
        assert_eq!(primary.store.get(&w.object), want, "primary {}", w.object);
    }
    for o in &acting {
        let st = &world.osds[o].pgs[&PG].state;
        assert_eq!(st.store, primary.store, "osd.{o}'s objects");
        assert_eq!(st.info.last_backfill, ObjectBound::Max, "osd.{o}");
    }
}

/// The newest acknowledged version of `object` (None: its newest acked op deleted it).
fn newest_acked<'a>(world: &'a World, object: &str) -> Option<&'a Eversion> {
    let newest = world.acked.iter().rev().find(|x| x.object == object)?;
    (!newest.deleted).then_some(&newest.version)
}

/// The messages delivered to or from `osd` of one type, as the step sentences name them.
fn delivered<'a>(steps: &'a [WorldStep], name: &str, to: i32) -> Vec<(usize, &'a str)> {
    let arrow = format!("→ osd.{to} ");
    steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.event.starts_with(&format!("{name} ")) && s.event.contains(&arrow))
        .map(|(i, s)| (i, s.event.as_str()))
        .collect()
}

#[test]
fn backfill_scans_removes_extras_skips_same_versions_and_reports_progress() {
    let mut steps = Vec::new();
    let mut world = World::new(&spec(None)).unwrap();
    settle(&mut world, &mut steps);
    let acting = world.map().pg_to_up_acting(PG).acting;
    let (primary, target) = (acting[0], acting[2]);
    for o in ["extra", "older", "same"] {
        write(&mut world, &mut steps, o, false);
    }
    act(&mut world, &mut steps, UserAction::Kill { osd: target });
    settle(&mut world, &mut steps);
    // While the target is down: the primary deletes one of its objects, rewrites
    // another, and writes enough new objects to trim the log past the target.
    write(&mut world, &mut steps, "extra", true);
    write(&mut world, &mut steps, "older", false);
    for i in 0..5 {
        write(&mut world, &mut steps, &format!("fill{i}"), false);
    }
    let before_revive = steps.len();
    act(&mut world, &mut steps, UserAction::Revive { osd: target });
    settle(&mut world, &mut steps);
    let steps = &steps[before_revive..];

    // The target kept its objects at activation and was asked for them.
    let scans = delivered(steps, "MOSDPGScan", target);
    assert!(
        scans.iter().any(|(_, e)| e.contains("get_digest")),
        "no MOSDPGScan get_digest to osd.{target}"
    );
    let digests = delivered(steps, "MOSDPGScan", primary);
    assert!(
        digests.iter().any(|(_, e)| e.contains("digest [MIN, MAX)")
            && e.contains("extra")
            && e.contains("same")),
        "the target's digest should list its old objects: {digests:?}"
    );
    // The object the primary deleted is removed from the target.
    let removes = delivered(steps, "MOSDPGBackfillRemove", target);
    assert!(
        removes.iter().any(|(_, e)| e.contains("remove extra ")),
        "no MOSDPGBackfillRemove of extra: {removes:?}"
    );
    // The object at an older version is pushed; the one at the same version is not.
    let pushes = delivered(steps, "MOSDPGPush", target);
    assert!(
        pushes.iter().any(|(_, e)| e.contains(" older ")),
        "older was not pushed: {pushes:?}"
    );
    assert!(
        !pushes.iter().any(|(_, e)| e.contains(" same ")),
        "same was pushed although the target had it at the same version: {pushes:?}"
    );
    for i in 0..5 {
        let o = format!(" fill{i} ");
        assert!(
            pushes.iter().any(|(_, e)| e.contains(&o)),
            "fill{i} not pushed"
        );
    }
    // last_backfill moves through PROGRESS before FINISH (MAX), acknowledged.
    let backfill = delivered(steps, "MOSDPGBackfill", target);
    let progress: Vec<_> = backfill
        .iter()
        .filter(|(_, e)| e.contains("progress: last_backfill "))
        .collect();
    let finish: Vec<_> = backfill
        .iter()
        .filter(|(_, e)| e.contains("finish: last_backfill MAX"))
        .collect();
    assert!(
        !progress.is_empty(),
        "no OP_BACKFILL_PROGRESS: {backfill:?}"
    );
    assert_eq!(finish.len(), 1, "{backfill:?}");
    assert!(progress.iter().all(|(i, _)| *i < finish[0].0));
    assert!(
        delivered(steps, "MOSDPGBackfill", primary)
            .iter()
            .any(|(i, e)| e.contains("finish_ack") && *i > finish[0].0),
        "no OP_BACKFILL_FINISH_ACK"
    );

    // The PG ends active+clean with the target in acting, complete, holding every acked
    // write (and not the deleted object).
    assert_eq!(world.pg_states()[&PG], "active+clean");
    let acting = world.map().pg_to_up_acting(PG).acting;
    assert!(acting.contains(&target));
    let st = &world.osds[&target].pgs[&PG].state;
    assert_eq!(st.info.last_backfill, ObjectBound::Max);
    for w in &world.acked {
        let want = newest_acked(&world, &w.object);
        for o in &acting {
            let st = &world.osds[o].pgs[&PG].state;
            assert_eq!(st.store.get(&w.object), want, "osd.{o} {}", w.object);
        }
    }
    assert!(!st.store.contains_key("extra"));
    assert_clean_and_identical(&world);
}

/// With `osd_backfill_scan_max` 2 the target's objects come in several digests and the
/// primary rescans its own store as it goes; client writes and deletes land during
/// backfill, before and beyond last_backfill_started (the latter reach the target as
/// empty transactions). At the end every acting OSD holds exactly the primary's objects.
#[test]
fn small_scans_and_writes_during_backfill_end_identical() {
    let mut steps = Vec::new();
    let mut world = World::new(&spec(Some(2))).unwrap();
    settle(&mut world, &mut steps);
    let acting = world.map().pg_to_up_acting(PG).acting;
    let (primary, target) = (acting[0], acting[2]);
    for i in 0..10 {
        write(&mut world, &mut steps, &format!("o{i}"), false);
    }
    act(&mut world, &mut steps, UserAction::Kill { osd: target });
    settle(&mut world, &mut steps);
    for (o, delete) in [("o1", true), ("o5", true), ("o2", false), ("o7", false)] {
        write(&mut world, &mut steps, o, delete);
    }
    for i in 0..4 {
        write(&mut world, &mut steps, &format!("n{i}"), false);
    }
    let before_revive = steps.len();
    act(&mut world, &mut steps, UserAction::Revive { osd: target });
    // While backfilling: writes and deletes on both sides of the backfill position.
    let mut during = vec![
        ("o0", false),
        ("o9", false),
        ("n1", true),
        ("o8", true),
        ("p0", false),
        ("o3", false),
        ("a0", false),
        ("o6", true),
    ];
    let mut n = 0;
    let mut landed = 0;
    for _ in 0..100_000 {
        let Some(s) = world.step() else { break };
        steps.push(s);
        n += 1;
        if world.pg_states()[&PG].contains("backfilling") && n % 4 == 0 && !during.is_empty() {
            let (o, delete) = during.remove(0);
            act(&mut world, &mut steps, op(o, delete));
            landed += 1;
        }
    }
    assert!(world.step().is_none(), "the cluster did not go quiet");
    assert!(landed >= 4, "only {landed} ops landed during backfill");
    let steps = &steps[before_revive..];
    let scans: Vec<_> = delivered(steps, "MOSDPGScan", target)
        .into_iter()
        .filter(|(_, e)| e.contains("get_digest"))
        .collect();
    assert!(scans.len() > 2, "expected several scans: {scans:?}");
    assert!(
        delivered(steps, "MOSDPGScan", primary)
            .iter()
            .any(|(_, e)| e.contains("digest [MIN, o2)")),
        "the first digest should stop after 2 objects"
    );
    assert!(!delivered(steps, "MOSDPGBackfillRemove", target).is_empty());
    assert!(steps
        .iter()
        .any(|s| s.event.starts_with("MOSDRepOp") && s.event.contains("empty transaction")));
    assert_clean_and_identical(&world);
}

#[test]
fn a_scan_of_zero_objects_is_refused() {
    let mut spec = spec(Some(0));
    assert!(World::new(&spec)
        .unwrap_err()
        .contains("osd_backfill_scan_max"));
    spec.osd_backfill_scan_max = Some(1);
    assert!(World::new(&spec).is_ok());
}
