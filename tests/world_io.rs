//! Client writes on the simulated cluster and the PG log through peering: writes are
//! acknowledged once every acting replica applied them; they wait while the PG peers; an
//! OSD that was down comes back missing exactly what it missed; a primary's unreplicated
//! (divergent) entry is found and undone by merge_log when it returns.

use cephscope::engine::net::Endpoint;
use cephscope::engine::osdmap::PgId;
use cephscope::engine::peering::chart::definition;
use cephscope::engine::pglog::{Eversion, MergeDecision};
use cephscope::engine::pgstate::PgState;
use cephscope::engine::world::{
    ClusterSpec, HostSpec, Msg, PendingId, PoolSpec, UserAction, World,
};
use std::collections::BTreeSet;

const PG: PgId = PgId { pool: 1, seed: 0 };

fn spec(hosts: usize) -> ClusterSpec {
    ClusterSpec {
        hosts: (0..hosts)
            .map(|h| HostSpec {
                name: format!("node{h}"),
                osds: vec![h as i32],
                weights: vec![],
            })
            .collect(),
        pools: vec![PoolSpec {
            id: 1,
            name: "rbd".into(),
            size: 3,
            min_size: 2,
            pg_num: 1,
        }],
        flags: vec![],
        first_epoch: 1,
        mon_prime_pg_temp: Default::default(),
        osd_capacity_objects: None,
        osd_max_pg_log_entries: None,
        osd_backfill_scan_max: None,
        osd_async_recovery_min_cost: None,
        mon_allow_pool_delete: false,
        paxos: None,
    }
}

fn settle(world: &mut World) {
    for _ in 0..100_000 {
        if world.step().is_none() {
            return;
        }
    }
    panic!("the cluster did not go quiet");
}

/// Step until `done` holds (checked after every step) or nothing is pending.
fn settle_until(world: &mut World, done: impl Fn(&World) -> bool) {
    for _ in 0..100_000 {
        if done(world) || world.step().is_none() {
            return;
        }
    }
    panic!("the cluster did not go quiet");
}

fn write(world: &mut World, object: &str) {
    world
        .act(UserAction::Write {
            pg: PG,
            object: object.into(),
        })
        .unwrap();
}

fn acting(world: &World) -> Vec<i32> {
    world.map().pg_to_up_acting(PG).acting
}

fn path(world: &World, osd: i32) -> &'static str {
    world.osds[&osd].pgs[&PG].machine.path(definition())
}

fn missing_objects(world: &World, osd: i32) -> BTreeSet<String> {
    let state = &world.osds[&osd].pgs[&PG].state;
    state.pg_log.missing.items().keys().cloned().collect()
}

#[test]
fn user_actions_take_pg_ids_as_ceph_prints_them() {
    let a: UserAction =
        serde_json::from_str(r#"{"action":"write","pg":"1.0","object":"foo"}"#).unwrap();
    assert_eq!(
        a,
        UserAction::Write {
            pg: PG,
            object: "foo".into()
        }
    );
    let d: UserAction =
        serde_json::from_str(r#"{"action":"delete","pg":"1.1f","object":"x"}"#).unwrap();
    assert_eq!(
        serde_json::to_string(&d).unwrap(),
        r#"{"action":"delete","pg":"1.1f","object":"x"}"#
    );
    assert!(
        serde_json::from_str::<UserAction>(r#"{"action":"write","pg":"x","object":"f"}"#).is_err()
    );
    let mut world = World::new(&spec(3)).unwrap();
    let missing_pg = UserAction::Write {
        pg: PgId { pool: 1, seed: 9 },
        object: "f".into(),
    };
    assert!(world
        .act(missing_pg)
        .unwrap_err()
        .contains("does not exist"));
}

/// Writes on an active+clean PG: each is acknowledged only once every acting OSD has the
/// entry in its log and the object in its store; afterwards all logs have the same head.
#[test]
fn writes_are_acknowledged_after_every_replica_applied_them() {
    let mut world = World::new(&spec(3)).unwrap();
    settle(&mut world);
    for object in ["foo", "bar", "foo"] {
        write(&mut world, object);
    }
    world
        .act(UserAction::Delete {
            pg: PG,
            object: "bar".into(),
        })
        .unwrap();
    let mut seen = 0;
    while world.step().is_some() {
        for ack in &world.acked[seen..] {
            for osd in acting(&world) {
                let state = &world.osds[&osd].pgs[&PG].state;
                let e = state.pg_log.log.entry_at(ack.version);
                assert!(
                    e.is_some_and(|e| e.object == ack.object),
                    "osd.{osd} lacks {ack:?} when it is acked"
                );
                assert!(state.pg_log.log.head >= ack.version);
            }
        }
        seen = world.acked.len();
    }
    let versions: Vec<Eversion> = world.acked.iter().map(|a| a.version).collect();
    assert_eq!(versions.len(), 4);
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(world.acked[3].deleted);
    let heads: BTreeSet<Eversion> = acting(&world)
        .iter()
        .map(|o| world.osds[o].pgs[&PG].state.pg_log.log.head)
        .collect();
    assert_eq!(heads.len(), 1, "log heads differ: {heads:?}");
    for osd in acting(&world) {
        let state = &world.osds[&osd].pgs[&PG].state;
        assert_eq!(state.info.last_update, state.pg_log.log.head);
        assert_eq!(state.store.keys().collect::<Vec<_>>(), vec!["foo"]);
        assert_eq!(state.store["foo"], versions[2]);
    }
    assert_eq!(world.pg_states()[&PG], "active+clean");
}

/// A write sent while the PG peers waits in the primary's waiting_for_peered and is
/// acknowledged only once the PG is active again.
#[test]
fn writes_wait_while_the_pg_peers() {
    let mut world = World::new(&spec(3)).unwrap();
    settle(&mut world);
    let before = acting(&world);
    let primary = before[0];
    // A replica marked down (its daemon keeps running, so it boots again): new intervals.
    world.act(UserAction::MarkDown { osd: before[1] }).unwrap();
    write(&mut world, "foo");
    let mut queued = false;
    while world.step().is_some() {
        let state = &world.osds[&primary].pgs[&PG].state;
        if !state.waiting_for_peered.is_empty() {
            queued = true;
            assert!(world.acked.is_empty(), "acked while the PG was peering");
        }
        if !world.acked.is_empty() {
            assert!(queued, "the write never waited");
        }
    }
    assert!(queued);
    assert_eq!(world.acked.len(), 1);
    assert_eq!(world.pg_states()[&PG], "active+clean");
}

/// An OSD down while writes go on comes back; after peering its missing set holds exactly
/// the objects it missed (at the versions acked), the primary's peer_missing agrees, and the
/// PG waits for its recovery reservation; a write to a missing object waits for the
/// object's recovery. Then recovery pushes the objects: active+clean, every write acked.
#[test]
fn an_osd_back_from_down_misses_exactly_what_it_missed() {
    let mut world = World::new(&spec(3)).unwrap();
    settle(&mut world);
    write(&mut world, "old");
    settle(&mut world);
    let set = acting(&world);
    let (primary, gone) = (set[0], set[2]);
    world.act(UserAction::Kill { osd: gone }).unwrap();
    settle(&mut world);
    assert_eq!(acting(&world).len(), 2);
    write(&mut world, "a");
    write(&mut world, "b");
    write(&mut world, "a");
    settle(&mut world);
    assert_eq!(world.acked.len(), 4, "min_size 2: writes go on");
    world.act(UserAction::Revive { osd: gone }).unwrap();
    settle_until(&mut world, |w| {
        w.osds[&primary].pgs[&PG].machine.path(definition())
            == "Started/Primary/Active/WaitLocalRecoveryReserved"
    });
    assert_eq!(acting(&world), set);
    let want: BTreeSet<String> = ["a", "b"].map(String::from).into();
    assert_eq!(missing_objects(&world, gone), want);
    let state = &world.osds[&primary].pgs[&PG].state;
    let pm: BTreeSet<String> = state.peer_missing[&gone].items().keys().cloned().collect();
    assert_eq!(pm, want);
    let need_a = state.peer_missing[&gone].get("a").unwrap().need;
    assert_eq!(need_a, world.acked[3].version);
    assert!(state.pg_log.missing.items().is_empty());
    assert_eq!(
        path(&world, primary),
        "Started/Primary/Active/WaitLocalRecoveryReserved"
    );
    assert_eq!(world.pg_states()[&PG], "active+recovery_wait+degraded");
    let gone_state = &world.osds[&gone].pgs[&PG].state;
    assert_eq!(gone_state.pg_log.log.head, state.pg_log.log.head);
    assert_eq!(gone_state.store["old"], world.acked[0].version);
    assert!(!gone_state.store.contains_key("a"));
    // A write to a missing object waits for recovery; one to a clean object goes through.
    write(&mut world, "a");
    write(&mut world, "c");
    settle_until(&mut world, |w| w.acked.len() == 5);
    assert_eq!(world.acked[4].object, "c");
    let state = &world.osds[&primary].pgs[&PG].state;
    assert_eq!(state.waiting_for_degraded["a"].len(), 1);
    // Recovery: the objects are pushed, the waiting write proceeds, the PG is clean.
    settle(&mut world);
    assert_eq!(world.acked.len(), 6);
    assert_eq!(world.acked[5].object, "a");
    assert_eq!(world.pg_states()[&PG], "active+clean");
    for osd in &set {
        let st = &world.osds[osd].pgs[&PG].state;
        assert!(!st.pg_log.missing.have_missing(), "osd.{osd}");
        assert_eq!(st.store["a"], world.acked[5].version, "osd.{osd}");
        assert_eq!(st.store["b"], world.acked[2].version, "osd.{osd}");
    }
}

/// The primary logs and applies a write, then dies before any replica gets it. The others
/// go on (the client resends the op to the new primary, which writes it at a new version).
/// When the old primary returns, merge_log finds its entry divergent: it leaves its log and
/// the object is on its missing list at the version the others wrote.
#[test]
fn an_unreplicated_entry_of_a_dead_primary_is_divergent_when_it_returns() {
    let mut world = World::new(&spec(3)).unwrap();
    settle(&mut world);
    write(&mut world, "x");
    settle(&mut world);
    let old = acting(&world);
    let primary = old[0];
    write(&mut world, "x");
    let op = world
        .net
        .in_flight()
        .iter()
        .find(|e| matches!(e.msg, Msg::ClientOp { .. }) && e.to == Endpoint::Osd(primary))
        .map(|e| e.id)
        .unwrap();
    world.deliver(PendingId::Message(op)).unwrap();
    let divergent = world.osds[&primary].pgs[&PG].state.pg_log.log.head;
    assert!(divergent > world.acked[0].version);
    world.act(UserAction::Kill { osd: primary }).unwrap();
    settle(&mut world);
    assert_eq!(
        world.acked.len(),
        2,
        "the resent write is acked by the new primary"
    );
    let rewritten = world.acked[1].version;
    assert_ne!(rewritten, divergent);
    world.act(UserAction::Revive { osd: primary }).unwrap();
    settle_until(&mut world, |w| {
        let st = &w.osds[&primary].pgs[&PG].state;
        st.pg_log.missing.is_missing("x") && st.state.has(PgState::ACTIVE)
    });
    let state = &world.osds[&primary].pgs[&PG].state;
    assert!(
        state.pg_log.log.entry_at(divergent).is_none(),
        "the divergent entry left the log"
    );
    let found = state.merges.iter().any(|m| {
        m.decisions.iter().any(
            |d| matches!(d, MergeDecision::DivergentFound { entry } if entry.version == divergent),
        )
    });
    assert!(
        found,
        "merge_log reported the divergent entry: {:?}",
        state.merges
    );
    let item = state.pg_log.missing.get("x").expect("x is missing");
    assert_eq!(item.need, rewritten);
    let auth = acting(&world)[0];
    assert_eq!(
        world.osds[&auth].pgs[&PG].state.pg_log.log.head,
        state.pg_log.log.head
    );
    // Recovery brings x back at the version the others wrote.
    settle(&mut world);
    let state = &world.osds[&primary].pgs[&PG].state;
    assert_eq!(state.store["x"], rewritten);
    assert_eq!(world.pg_states()[&PG], "active+clean");
}

/// A replica restarts before the monitor noticed it died (the map still shows its old
/// instance up) and its MOSDBoot is lost. Until a map marks the new instance up it is
/// booting: its PGs send no peer messages (OSD::dispatch_context needs `is_active()`), and
/// what peers send to the old instance's address never reaches it, so a write's MOSDRepOp
/// is neither applied nor acknowledged. The daemon re-sends MOSDBoot when its monitor
/// session reconnects (OSD::ms_handle_connect, `is_booting()`); once marked up it peers
/// again, gets the entry in the activation log and has the object missing at that version;
/// the write waits for its recovery (the property test's `Kill, DropNext, …, Revive, …,
/// DropNext, Write` case, where the new instance had silently skipped the MOSDRepOp).
#[test]
fn a_restarted_replica_whose_boot_was_lost_misses_the_write_once_marked_up() {
    let mut world = World::new(&spec(3)).unwrap();
    settle(&mut world);
    let set = acting(&world);
    let (primary, replica) = (set[0], set[2]);
    let old_up_from = world.map().osds[&replica].up_from;
    world.act(UserAction::Kill { osd: replica }).unwrap();
    world.act(UserAction::Revive { osd: replica }).unwrap();
    let boot = world
        .net
        .in_flight()
        .iter()
        .find(|e| matches!(e.msg, Msg::Boot { .. }) && e.from == Endpoint::Osd(replica))
        .map(|e| e.id)
        .unwrap();
    world.act(UserAction::Drop { message: boot }).unwrap();
    write(&mut world, "foo");
    let mut booting_steps = 0;
    let recovering = |w: &World| {
        w.osds[&primary].pgs[&PG].machine.path(definition())
            == "Started/Primary/Active/WaitLocalRecoveryReserved"
    };
    while !recovering(&world) {
        let Some(step) = world.step() else { break };
        if world.map().osds[&replica].up_from == old_up_from {
            booting_steps += 1;
            let from_replica = format!("osd.{replica} → osd.");
            assert!(
                !step.sent.iter().any(|s| s.contains(&from_replica)),
                "the booting osd.{replica} sent {:?}",
                step.sent
            );
        }
    }
    assert!(booting_steps > 0);
    assert!(
        world.map().osds[&replica].up_from > old_up_from,
        "the re-sent MOSDBoot marked the new instance up"
    );
    assert_eq!(acting(&world), set);
    assert!(world.acked.is_empty(), "acked without osd.{replica}");
    let pstate = &world.osds[&primary].pgs[&PG].state;
    let version = pstate.pg_log.log.head;
    assert_eq!(pstate.store.get("foo"), Some(&version));
    for osd in &set[1..] {
        let state = &world.osds[osd].pgs[&PG].state;
        assert!(state.pg_log.log.entry_at(version).is_some(), "osd.{osd}");
        let stored = state.store.get("foo") == Some(&version);
        let missing = state
            .pg_log
            .missing
            .get("foo")
            .is_some_and(|i| i.need == version);
        assert!(stored || missing, "osd.{osd} silently lacks foo {version}");
    }
    assert_eq!(
        missing_objects(&world, replica),
        BTreeSet::from(["foo".to_string()])
    );
    assert!(pstate.peer_missing[&replica].is_missing("foo"));
    assert_eq!(pstate.waiting_for_degraded["foo"].len(), 1);
    assert_eq!(world.pg_states()[&PG], "active+recovery_wait+degraded");
    // Recovery pushes foo; the write waiting for it is then acked.
    settle(&mut world);
    assert_eq!(world.acked.len(), 1);
    assert_eq!(world.pg_states()[&PG], "active+clean");
}
