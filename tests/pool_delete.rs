//! `ceph osd pool delete`: the pool leaves the map in one epoch; each OSD's copy of each
//! of its PGs takes that epoch as its final interval change (`is_new_interval`: "pool
//! was deleted this epoch"), goes Reset → Start → Stray, whose constructor posts
//! DeleteStart because the pool is gone, then ToDelete → WaitDeleteReserved → Deleting
//! (`do_delete_work`), and the OSD forgets the PG. The client's ops to the pool fail with
//! ENOENT. An OSD that was down at the time does the same once it returns.

use cephscope::engine::cluster::{self, ClusterRun};
use cephscope::engine::osdmap::PgId;
use cephscope::engine::world::{ClusterSpec, PoolSpec, UserAction, World};

fn pg(text: &str) -> PgId {
    text.parse().unwrap()
}

fn run_to_end(name: &str) -> ClusterRun {
    let mut run = ClusterRun::new(cluster::find(name).unwrap()).unwrap();
    run.run_to_end().unwrap();
    assert!(run.is_done(), "{name} did not settle");
    run
}

/// The states `osd`'s copy of `pg` entered from epoch `from` on.
fn entered_from(run: &ClusterRun, osd: i32, pgid: PgId, from: u32) -> Vec<String> {
    run.entered(osd, pgid)
        .into_iter()
        .filter(|(e, _)| *e >= from)
        .map(|(_, s)| s)
        .collect()
}

const DELETE_PATH: [&str; 7] = [
    "Reset",
    "Started",
    "Start",
    "Started/Stray",
    "Started/ToDelete",
    "Started/ToDelete/WaitDeleteReseved",
    "Started/ToDelete/Deleting",
];

#[test]
fn every_osd_removes_its_copies_of_a_deleted_pools_pgs() {
    let run = run_to_end("pool-delete");
    let world = &run.world;
    assert!(
        !world.map().pools.contains_key(&2),
        "pool 2 is still in the map"
    );
    for (osd, node) in &world.osds {
        let left: Vec<_> = node.pgs.keys().filter(|p| p.pool == 2).collect();
        assert!(left.is_empty(), "osd.{osd} still holds {left:?}");
        for seed in 0..4 {
            let p = PgId { pool: 2, seed };
            assert!(!node.local_reserver.has_reservation(p), "osd.{osd} {p}");
            assert!(!node.remote_reserver.has_reservation(p), "osd.{osd} {p}");
        }
    }
    // The pool was deleted in e3. osd.0 and osd.2 took e3 while running; osd.1 was down
    // and took it after its restart, with the epochs after it. Each copy went the same way.
    for osd in 0..3 {
        for seed in 0..4 {
            let p = PgId { pool: 2, seed };
            let states = entered_from(&run, osd, p, 3);
            assert_eq!(states, DELETE_PATH, "osd.{osd} pg {p}");
        }
    }
    // The other pool is untouched: both PGs are clean again after osd.1's absence.
    let states = world.pg_states();
    assert_eq!(
        states.keys().copied().collect::<Vec<_>>(),
        [pg("1.0"), pg("1.1")]
    );
    assert!(states.values().all(|s| s == "active+clean"), "{states:?}");
    // The write sent as the pool went (op 11) failed with ENOENT; nothing to the pool
    // is acked after that.
    let late = &world.client_ops[&11];
    assert_eq!((late.pg, late.result), (pg("2.2"), Some(-2)));
    assert!(!world.acked.iter().any(|a| a.object == "late.0"));
}

#[test]
fn the_step_sentences_say_what_the_deletion_did() {
    let run = run_to_end("pool-delete");
    let sentences: Vec<&str> = run
        .records
        .iter()
        .map(|r| r.step.explanation.as_str())
        .collect();
    let has = |needle: &str| sentences.iter().any(|s| s.contains(needle));
    assert!(has(
        "ceph osd pool delete scratch scratch --yes-i-really-really-mean-it (pool 2)"
    ));
    assert!(has("the monitor publishes e3: pool 2 deleted"));
    assert!(has(
        "client.0's op 11 (write late.0) fails with ENOENT: pool 2 no longer exists"
    ));
    assert!(has(
        "osd.1 has removed its copy of pg 2.0 (nothing left) and forgets the PG"
    ));
}

/// 4 OSDs, pool 1 `rbd` and pool 2 `scratch` of 4 PGs each, one epoch per change, with
/// the monitor's `mon_allow_pool_delete` as given.
fn two_pool_spec(allow_delete: bool) -> ClusterSpec {
    let mut spec = ClusterSpec {
        paxos: None,
        mon_allow_pool_delete: allow_delete,
        ..ClusterSpec::uniform(4, 1, 4)
    };
    spec.pools.push(PoolSpec {
        id: 2,
        name: "scratch".into(),
        size: 3,
        min_size: 2,
        pg_num: 4,
    });
    spec
}

/// Two pools on 4 OSDs, each PG with a few objects, settled.
fn two_pools() -> World {
    let mut world = World::new(&two_pool_spec(true)).unwrap();
    settle(&mut world);
    for pool in [1, 2] {
        for seed in 0..4 {
            for i in 0..3 {
                let pg = PgId { pool, seed };
                let object = format!("o{pool}.{seed}.{i}");
                world.act(UserAction::Write { pg, object }).unwrap();
            }
        }
    }
    settle(&mut world);
    world
}

fn settle(world: &mut World) {
    for _ in 0..50_000 {
        if world.step().is_none() {
            return;
        }
    }
    panic!("the world did not go quiet");
}

/// A pool deleted while its PGs recover: an OSD was out of the way for some writes and
/// is back, so the PGs hold recovery reservations. Leaving Active releases them (the
/// exits cancel what each state holds), so no reservation of the pool outlives it, and
/// the other pool's PGs recover and go clean.
#[test]
fn a_pool_deleted_during_recovery_leaves_no_reservation_behind() {
    let mut world = two_pools();
    world.act(UserAction::Kill { osd: 3 }).unwrap();
    world.act(UserAction::MarkDown { osd: 3 }).unwrap();
    for _ in 0..200 {
        world.step();
    }
    for pool in [1, 2] {
        for seed in 0..4 {
            let pg = PgId { pool, seed };
            for i in 0..4 {
                let object = format!("more{pool}.{seed}.{i}");
                world.act(UserAction::Write { pg, object }).unwrap();
            }
        }
    }
    for _ in 0..500 {
        world.step();
    }
    world.act(UserAction::Revive { osd: 3 }).unwrap();
    // Step until some PG of the pool is recovering or waiting for a reservation.
    let busy = |w: &World| {
        w.pg_states()
            .iter()
            .any(|(p, s)| p.pool == 2 && (s.contains("recover") || s.contains("backfill")))
    };
    let mut reached = false;
    for _ in 0..5_000 {
        if busy(&world) {
            reached = true;
            break;
        }
        if world.step().is_none() {
            break;
        }
    }
    assert!(
        reached,
        "no PG of pool 2 started recovery: {:?}",
        world.pg_states()
    );
    world
        .act(UserAction::DeletePool {
            pool: "scratch".into(),
        })
        .unwrap();
    settle(&mut world);
    for (osd, node) in &world.osds {
        assert!(
            !node.pgs.keys().any(|p| p.pool == 2),
            "osd.{osd} holds a pool 2 PG"
        );
        for seed in 0..4 {
            let p = PgId { pool: 2, seed };
            assert!(
                !node.local_reserver.has_reservation(p),
                "osd.{osd} local {p}"
            );
            assert!(
                !node.remote_reserver.has_reservation(p),
                "osd.{osd} remote {p}"
            );
        }
    }
    let states = world.pg_states();
    assert_eq!(states.len(), 4);
    assert!(states.values().all(|s| s == "active+clean"), "{states:?}");
}

#[test]
fn commands_on_a_deleted_pool_are_refused_with_the_reason() {
    let mut world = two_pools();
    let delete = || UserAction::DeletePool {
        pool: "scratch".into(),
    };
    let step = world.act(delete()).unwrap();
    assert!(
        step.explanation.contains("pool 2 deleted"),
        "{}",
        step.explanation
    );
    settle(&mut world);
    assert_eq!(
        world.act(delete()).unwrap_err(),
        "pool 'scratch' does not exist"
    );
    let write = UserAction::Write {
        pg: pg("2.0"),
        object: "x".into(),
    };
    assert_eq!(world.act(write).unwrap_err(), "pg 2.0 does not exist");
    assert_eq!(
        world
            .act(UserAction::ForceRecovery { pg: pg("2.1") })
            .unwrap_err(),
        "pg 2.1 does not exist"
    );
    // The other pool still takes writes.
    world
        .act(UserAction::Write {
            pg: pg("1.0"),
            object: "x".into(),
        })
        .unwrap();
    settle(&mut world);
    assert!(world
        .acked
        .iter()
        .any(|a| a.pg == pg("1.0") && a.object == "x"));
}

/// The Next line names a script action as the command a person would type.
#[test]
fn the_next_script_action_reads_as_its_command() {
    let mut run = ClusterRun::new(cluster::find("pool-delete").unwrap()).unwrap();
    let mut seen = Vec::new();
    while let Some(next) = run.next() {
        if let cluster::Next::Script { what, .. } = next {
            seen.push(what);
        }
        run.step().unwrap();
    }
    assert_eq!(seen[0], "client.0 writes scratch.0 in pg 2.0");
    assert!(seen.contains(
        &"ceph osd pool delete scratch scratch --yes-i-really-really-mean-it".to_string()
    ));
    assert!(seen.contains(&"osd.1's daemon dies".to_string()));
}

/// `OSDMonitor::_check_remove_pool`: with `mon_allow_pool_delete` false (Ceph's default)
/// the deletion is refused with Ceph's EPERM message and the map does not change; `ceph
/// config set mon mon_allow_pool_delete true` lets it through, and `false` guards again.
#[test]
fn the_monitor_refuses_deletion_until_mon_allow_pool_delete_is_set() {
    assert!(
        !ClusterSpec::uniform(4, 1, 4).mon_allow_pool_delete,
        "Ceph's default"
    );
    let mut world = World::new(&two_pool_spec(false)).unwrap();
    let delete = |pool: &str| UserAction::DeletePool { pool: pool.into() };
    let epoch = world.map().epoch;
    let refused = world.act(delete("scratch")).map(|_| ()).unwrap_err();
    assert_eq!(
        refused,
        "EPERM: pool deletion is disabled; you must first set the mon_allow_pool_delete \
         config option to true before you can destroy a pool"
    );
    assert_eq!(world.pending_inc, Default::default(), "nothing pending");
    world
        .act(UserAction::AllowPoolDelete { allow: true })
        .unwrap();
    assert_eq!(
        world.map().epoch,
        epoch,
        "a config option, not a map change"
    );
    world.act(delete("scratch")).unwrap();
    for _ in 0..100 {
        if !world.map().pools.contains_key(&2) {
            break;
        }
        world.step();
    }
    assert!(!world.map().pools.contains_key(&2), "scratch is deleted");
    world
        .act(UserAction::AllowPoolDelete { allow: false })
        .unwrap();
    assert!(world
        .act(delete("rbd"))
        .map(|_| ())
        .unwrap_err()
        .starts_with("EPERM: pool deletion is disabled"));
    assert!(world.map().pools.contains_key(&1));
}
