//! Property test over random fault schedules (kills, revives, marks down/out/in, lost,
//! dropped messages) on a size 3 / min_size 2 pool: the engine never panics, no PG
//! machine ever reaches Crashed, and once every OSD runs and the network is quiet every
//! OSD has caught up with the newest map and every PG is held by its acting set.
//! CI runs 1,000 schedules; `PROPTEST_CASES=20000 cargo test --release --test world_props`
//! runs a longer campaign (the failing seed is printed and saved by proptest).

use cephscope::engine::peering::chart::definition;
use cephscope::engine::world::{ClusterSpec, HostSpec, PoolSpec, UserAction, World};
use proptest::prelude::*;

fn spec() -> ClusterSpec {
    ClusterSpec {
        hosts: (0..4)
            .map(|h| HostSpec {
                name: format!("node{h}"),
                osds: vec![h * 2, h * 2 + 1],
                weights: vec![],
            })
            .collect(),
        pools: vec![PoolSpec {
            id: 1,
            name: "rbd".into(),
            size: 3,
            min_size: 2,
            pg_num: 8,
        }],
        flags: vec![],
        first_epoch: 1,
        mon_prime_pg_temp: Default::default(),
    }
}

#[derive(Clone, Debug)]
enum Op {
    Steps(u8),
    Act(UserAction),
    DropNext,
}

fn op() -> impl Strategy<Value = Op> {
    let osd = 0..8i32;
    prop_oneof![
        4 => (1..20u8).prop_map(Op::Steps),
        1 => osd.clone().prop_map(|osd| Op::Act(UserAction::Kill { osd })),
        1 => osd.clone().prop_map(|osd| Op::Act(UserAction::Revive { osd })),
        1 => osd.clone().prop_map(|osd| Op::Act(UserAction::MarkDown { osd })),
        1 => osd.clone().prop_map(|osd| Op::Act(UserAction::Out { osd })),
        1 => osd.clone().prop_map(|osd| Op::Act(UserAction::In { osd })),
        1 => osd.prop_map(|osd| Op::Act(UserAction::Lost { osd })),
        1 => Just(Op::DropNext),
    ]
}

fn assert_no_crash(world: &World) -> Result<(), TestCaseError> {
    for (osd, node) in &world.osds {
        for (pg, inst) in &node.pgs {
            prop_assert!(
                !inst.state.crashed,
                "pg {pg} on osd.{osd} crashed (in {})",
                inst.machine.path(definition())
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn random_fault_schedules_keep_the_engine_sane(ops in prop::collection::vec(op(), 1..40)) {
        let mut world = World::new(&spec()).unwrap();
        for op in ops {
            match op {
                Op::Steps(n) => {
                    for _ in 0..n {
                        if world.step().is_none() {
                            break;
                        }
                    }
                }
                // Refusals (killing a dead OSD, losing an up one…) are fine: they are errors, not panics.
                Op::Act(a) => {
                    let _ = world.act(a);
                }
                Op::DropNext => {
                    if let Some(id) = world.net.in_flight().first().map(|e| e.id) {
                        let _ = world.act(UserAction::Drop { message: id });
                    }
                }
            }
            assert_no_crash(&world)?;
        }
        // Heal: every OSD runs; let the cluster settle (bounded).
        for osd in 0..8 {
            let _ = world.act(UserAction::Revive { osd });
        }
        let mut settled = false;
        for _ in 0..20_000 {
            if world.step().is_none() {
                settled = true;
                break;
            }
        }
        prop_assert!(settled, "the cluster did not go quiet");
        assert_no_crash(&world)?;
        let map = world.map().clone();
        for (osd, node) in &world.osds {
            prop_assert!(map.is_up(*osd), "osd.{osd} runs but is not up");
            prop_assert_eq!(node.epoch, map.epoch, "osd.{} is behind", osd);
        }
        for pg in map.pgs() {
            for osd in map.pg_to_up_acting(pg).acting {
                prop_assert!(world.osds[&osd].pgs.contains_key(&pg), "osd.{osd} lacks pg {pg}");
            }
        }
    }
}
