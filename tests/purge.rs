//! A stray's copy is removed once the PG is clean (`PeeringState::purge_strays`,
//! MOSDPGRemove; on the stray ToDelete → WaitDeleteReserved → Deleting, `PG::do_delete_work`
//! a batch at a time, then the OSD forgets the PG), and a new interval that reaches a PG
//! being deleted resets it: it peers again and, claiming nothing (last_backfill MIN), is
//! backfilled.

use cephscope::engine::osdmap::PgId;
use cephscope::engine::world::{ClusterSpec, PendingId, UserAction, World, WorldStep};

const PG: PgId = PgId { pool: 1, seed: 0 };

/// 4 hosts of one OSD each, one pool of size 3 with one PG, and `objects` objects in it.
fn cluster_with_objects(objects: usize) -> World {
    // One OSD per host, so the out OSD's PG moves to the fourth host; a map per change.
    let spec = ClusterSpec {
        paxos: None,
        ..ClusterSpec::uniform(4, 1, 1)
    };
    let mut world = World::new(&spec).unwrap();
    run(&mut world, 2000);
    for i in 0..objects {
        world
            .act(UserAction::Write {
                pg: PG,
                object: format!("obj{i:03}"),
            })
            .unwrap();
    }
    run(&mut world, 20_000);
    assert_eq!(world.pg_states()[&PG], "active+clean");
    world
}

fn run(world: &mut World, limit: usize) -> Vec<WorldStep> {
    let mut steps = Vec::new();
    while steps.len() < limit {
        let Some(step) = world.step() else { break };
        steps.push(step);
    }
    assert!(steps.len() < limit, "the world did not go quiet");
    steps
}

/// The paths `osd`'s copy of the PG moved to, in order.
fn paths_on(steps: &[WorldStep], osd: i32) -> Vec<&'static str> {
    steps
        .iter()
        .flat_map(|s| s.pgs.iter())
        .filter(|p| p.osd == osd && p.pg == PG && p.from != p.to)
        .map(|p| p.to)
        .collect()
}

/// Every acting OSD holds exactly the primary's objects.
fn assert_acting_copies_equal(world: &World) {
    let m = world.map().pg_to_up_acting(PG);
    let primary = &world.osds[&m.acting_primary].pgs[&PG].state.store;
    for osd in &m.acting {
        assert_eq!(
            &world.osds[osd].pgs[&PG].state.store, primary,
            "osd.{osd}'s copy of {PG}"
        );
    }
}

#[test]
fn a_clean_pg_purges_its_stray_and_the_stray_deletes_its_copy() {
    // 70 objects: more than osd_target_transaction_size (30), so three batches.
    let mut world = cluster_with_objects(70);
    let before = world.map().pg_to_up_acting(PG);
    let stray = before.acting[2];
    // Marked out, the OSD stays up: the PG moves to the fourth OSD, and once it is clean
    // the old copy is a stray's.
    world.act(UserAction::Out { osd: stray }).unwrap();
    let held = world.osd_usage(stray).unwrap();
    assert_eq!((held.pgs, held.objects), (1, 70));
    let steps = run(&mut world, 50_000);
    let after = world.map().pg_to_up_acting(PG);
    assert!(!after.acting.contains(&stray), "{after:?}");
    let held = world.osd_usage(stray).unwrap();
    assert_eq!(
        (held.pgs, held.objects),
        (0, 0),
        "the stray holds nothing now"
    );
    assert_eq!(world.pg_states()[&PG], "active+clean");
    assert_acting_copies_equal(&world);

    let remove = steps
        .iter()
        .position(|s| {
            s.event.starts_with(&format!(
                "MOSDPGRemove osd.{} → osd.{stray}",
                after.acting_primary
            ))
        })
        .expect("the primary sends the stray MOSDPGRemove");
    let cleaned = steps
        .iter()
        .position(|s| {
            s.pgs
                .iter()
                .any(|p| p.osd == after.acting_primary && p.to == "Started/Primary/Active/Clean")
        })
        .expect("the PG goes clean");
    assert!(cleaned < remove, "purged only once clean");
    let moves = paths_on(&steps[remove..], stray);
    assert_eq!(
        moves,
        [
            "Started/ToDelete/WaitDeleteReseved",
            "Started/ToDelete/Deleting",
            "(deleted)"
        ]
    );
    let batches = steps[remove..]
        .iter()
        .flat_map(|s| s.pgs.iter())
        .filter(|p| p.osd == stray && format!("{:?}", p.micro).contains("DeleteSome"))
        .count();
    assert_eq!(
        batches, 4,
        "30 + 30 + 10 objects, then an empty batch ends it"
    );
    assert!(
        !world.osds[&stray].pgs.contains_key(&PG),
        "osd.{stray} forgot the PG"
    );
    assert!(!world.osds[&stray].local_reserver.has_reservation(PG));
}

#[test]
fn a_new_interval_interrupts_a_deletion_and_the_pg_is_backfilled() {
    let mut world = cluster_with_objects(70);
    let stray = world.map().pg_to_up_acting(PG).acting[2];
    world.act(UserAction::Out { osd: stray }).unwrap();
    // Step until the stray's copy enters Deleting and has removed its first batch.
    let mut batches = 0;
    for _ in 0..50_000 {
        let step = world.step().expect("the deletion starts");
        batches += step
            .pgs
            .iter()
            .filter(|p| {
                p.osd == stray
                    && p.to == "Started/ToDelete/Deleting"
                    && format!("{:?}", p.micro).contains("DeleteSome")
            })
            .count();
        if batches == 1 {
            break;
        }
    }
    let left = world.osds[&stray].pgs[&PG].state.store.len();
    assert_eq!(left, 40, "one batch of 30 removed");
    // Back in: the OSD maps into the PG's up set again. Its map and its PG's advance are
    // delivered before the next batch, so the new interval reaches the PG mid-deletion.
    world.act(UserAction::In { osd: stray }).unwrap();
    let map_to_stray = world
        .pending()
        .into_iter()
        .find(|p| p.what.starts_with(&format!("MOSDMap mon.a → osd.{stray}")))
        .expect("the new map goes to the stray");
    world.deliver(map_to_stray.id).unwrap();
    let advance = world
        .pending()
        .into_iter()
        .find(|p| {
            matches!(p.id, PendingId::Advance(_))
                && p.what.starts_with(&format!("osd.{stray} pg {PG}"))
        })
        .expect("the PG's advance is queued");
    let step = world.deliver(advance.id).unwrap();
    let p = step.pgs.iter().find(|p| p.osd == stray).unwrap();
    assert_eq!(p.from, "Started/ToDelete/Deleting");
    assert!(p.to.starts_with("Started/"), "{}", p.to);
    let inst = &world.osds[&stray].pgs[&PG];
    assert!(!inst.state.deleting);
    assert!(!world.osds[&stray].local_reserver.has_reservation(PG));
    let steps = run(&mut world, 50_000);
    let m = world.map().pg_to_up_acting(PG);
    assert!(m.acting.contains(&stray), "{m:?}");
    assert_eq!(world.pg_states()[&PG], "active+clean");
    assert_acting_copies_equal(&world);
    // The copy claimed nothing after Deleting began, so it came back by backfill.
    assert!(
        paths_on(&steps, stray)
            .iter()
            .any(|p| p.contains("RepWaitBackfillReserved")),
        "{:?}",
        paths_on(&steps, stray)
    );
}

/// `get_delete_priority`: 255 on a full or backfillfull OSD, 219 (FULLISH) on a nearfull
/// one, else 179 — from the fullness the world computed for this OSD.
#[test]
fn the_delete_priority_follows_the_osds_fullness() {
    use cephscope::engine::peering::delete::*;
    use cephscope::engine::peering::state::{Fullness, PeeringState};
    use std::rc::Rc;
    let mut ps = PeeringState::new(2);
    assert_eq!(
        delete_priority(&ps),
        OSD_DELETE_PRIORITY_NORMAL,
        "no capacity set"
    );
    let with = |f: fn(&mut Fullness)| {
        let mut full = Fullness::default();
        f(&mut full);
        Some(Rc::new(full))
    };
    ps.fullness = with(|_| {});
    assert_eq!(delete_priority(&ps), OSD_DELETE_PRIORITY_NORMAL);
    ps.fullness = with(|f| {
        f.nearfull.insert(2);
    });
    assert_eq!(delete_priority(&ps), OSD_DELETE_PRIORITY_FULLISH);
    ps.fullness = with(|f| {
        f.nearfull.insert(2);
        f.backfillfull.insert(2);
    });
    assert_eq!(delete_priority(&ps), OSD_DELETE_PRIORITY_FULL);
    ps.fullness = with(|f| {
        f.full.insert(3);
        f.nearfull.insert(3);
    });
    assert_eq!(
        delete_priority(&ps),
        OSD_DELETE_PRIORITY_NORMAL,
        "another OSD's fullness"
    );
}
