//! Backfill as PrimaryLogPG::recover_backfill does it: a backfill target keeps its objects,
//! the primary asks for them (MOSDPGScan), removes what only the target has
//! (MOSDPGBackfillRemove), pushes what is newer or absent (MOSDPGPush), skips what is at
//! the same version, and moves the target's last_backfill with MOSDPGBackfill PROGRESS
//! before FINISH.

use cephscope::engine::osdmap::PgId;
use cephscope::engine::pglog::ObjectBound;
use cephscope::engine::world::{ClusterSpec, HostSpec, PoolSpec, UserAction, World, WorldStep};

const PG: PgId = PgId { pool: 1, seed: 0 };

fn spec() -> ClusterSpec {
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
    settle(world, steps);
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
    let mut world = World::new(&spec()).unwrap();
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
        let newest = world
            .acked
            .iter()
            .rev()
            .find(|x| x.object == w.object)
            .unwrap();
        for o in &acting {
            let st = &world.osds[o].pgs[&PG].state;
            let want = (!newest.deleted).then_some(&newest.version);
            assert_eq!(st.store.get(&w.object), want, "osd.{o} {}", w.object);
        }
    }
    assert!(!st.store.contains_key("extra"));
}
