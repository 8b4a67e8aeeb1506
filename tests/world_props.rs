//! Property test over random fault schedules (kills, revives, marks down/out/in, lost,
//! dropped messages) with client writes and deletes throughout, on a size 3 / min_size 2
//! pool: the engine never panics, no PG machine ever reaches Crashed (nor fails one of the
//! log consistency checks where Ceph would assert), and once every OSD runs and the
//! network is quiet every OSD has caught up with the newest map and every PG is held by
//! its acting set. Recovery and backfill then run to the end: every PG is active+clean
//! (unless an OSD was marked lost: objects may then be unfound), every acknowledged write
//! is in the primary's log, and every acting OSD stores each object at the version the
//! log says, nothing missing, and exactly the primary's objects (see
//! `check_no_acked_write_lost`). A second property runs the same schedules with PG logs
//! of 3 entries and backfill scans of 2 objects, so OSDs that return with stale copies
//! are backfilled (MOSDPGScan, MOSDPGBackfillRemove) rather than log-recovered.
//! A third property adds a second pool, which a schedule may delete (`ceph osd pool
//! delete`): afterwards no OSD holds a PG or a reservation of it.
//! A fourth sets osd_async_recovery_min_cost to 0, so returning OSDs behind are async
//! recovery targets.
//! A fifth runs write-heavy schedules on a cluster that settled first (so faults hit
//! active PGs holding data; from a cold start most ops land while the PGs first peer).
//! CI runs 1,000 + 500 + 300 + 300 + 300 schedules; `PROPTEST_CASES=20000 cargo test --release --test world_props`
//! runs a longer campaign (the failing seed is printed and saved by proptest).

use cephscope::engine::net::Endpoint;
use cephscope::engine::osdmap::PgId;
use cephscope::engine::peering::chart::definition;
use cephscope::engine::world::{ClusterSpec, HostSpec, PaxosSpec, PoolSpec, UserAction, World};
use proptest::prelude::*;
use std::collections::BTreeMap;

mod props_common;
use props_common::assert_no_crash;

/// `batched`: the monitor gathers a second's changes into one epoch (the default) or
/// publishes each at once.
fn spec(log: Option<usize>, scan_max: Option<usize>, batched: bool) -> ClusterSpec {
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
        osd_capacity_objects: None,
        osd_max_pg_log_entries: log,
        osd_backfill_scan_max: scan_max,
        osd_async_recovery_min_cost: None,
        mon_allow_pool_delete: false,
        paxos: batched.then(PaxosSpec::default),
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
        3 => (0..8u32, 0..4u8).prop_map(|(seed, o)| Op::Act(UserAction::Write {
            pg: PgId { pool: 1, seed },
            object: format!("obj{o}"),
        })),
        1 => (0..8u32, 0..4u8).prop_map(|(seed, o)| Op::Act(UserAction::Delete {
            pg: PgId { pool: 1, seed },
            object: format!("obj{o}"),
        })),
    ]
}

/// Once settled, for each PG whose acting primary is Active (Started/Primary/Active/…;
/// a PG still Down or Incomplete has no authoritative log to check against):
/// 1. unless an OSD was marked lost (`ceph osd lost` may legitimately lose data), every
///    acknowledged write to the PG has its entry (same version, same object) in the
///    primary's log: nothing acked was rolled back as divergent (with `trimmed` logs:
///    every acked write the log still covers);
/// 2. for every object, take its newest entry in the primary's log; every acting OSD
///    either stores the object at that version (or not at all after a delete) or has it
///    on its own missing list needing that version: no OSD silently holds stale data;
/// 3. unless an OSD was marked lost or a message between OSDs was dropped, recovery finished: the PG is active+clean (or
///    active+clean+remapped when CRUSH finds fewer OSDs than the pool size) and no acting
///    OSD misses anything (every acting replica holds every acknowledged write) and
///    every acting OSD holds exactly the primary's objects (backfill removed the extras).
fn check_no_acked_write_lost(
    world: &World,
    lost: bool,
    stalled: bool,
    trimmed: bool,
) -> Result<(), TestCaseError> {
    let states = world.pg_states();
    let map = world.map();
    for pg in map.pgs() {
        let m = map.pg_to_up_acting(pg);
        let Some(primary) = world
            .osds
            .get(&m.acting_primary)
            .and_then(|n| n.pgs.get(&pg))
        else {
            continue;
        };
        if !primary
            .machine
            .path(definition())
            .starts_with("Started/Primary/Active")
        {
            continue;
        }
        let plog = &primary.state.pg_log.log;
        if !lost {
            // With `trimmed` logs an acked entry at or before the log tail is gone.
            for ack in world
                .acked
                .iter()
                .filter(|a| a.pg == pg && !(trimmed && a.version <= plog.tail))
            {
                let e = plog.entry_at(ack.version);
                prop_assert!(
                    e.is_some_and(|e| e.object == ack.object && e.is_delete() == ack.deleted),
                    "pg {pg}: acked {ack:?} is not in the log of primary osd.{}",
                    m.acting_primary
                );
            }
        }
        let mut newest = BTreeMap::new();
        for e in plog.entries.iter().filter(|e| !e.is_error()) {
            newest.insert(e.object.clone(), e);
        }
        for osd in &m.acting {
            let st = &world.osds[osd].pgs[&pg].state;
            for (object, e) in &newest {
                let missing = st.pg_log.missing.get(object);
                let stored = st.store.get(object);
                let has = if e.is_delete() {
                    stored.is_none()
                } else {
                    stored == Some(&e.version)
                };
                prop_assert!(
                    has || missing.is_some_and(|i| i.need == e.version),
                    "pg {pg} osd.{osd}: {object} newest {e} but stored {stored:?}, missing {missing:?}"
                );
                prop_assert!(
                    lost || stalled || has,
                    "pg {pg} osd.{osd}: {object} newest {e} but stored {stored:?} after recovery"
                );
            }
        }
        // With fewer hosts in than the pool size, CRUSH's up set is short. A stray (an
        // up but out OSD holding a copy) notifies the primary unasked after each map
        // change (Reset::react / Stray::react(ActMap), send_notify), and choose_acting
        // keeps it in acting through a pg_temp: Ceph's active+clean+remapped. The PG may
        // stay active+undersized(+degraded) only when nobody outside the acting set
        // holds a complete copy, or when the primary heard every such holder (its info
        // is in peer_info) yet did not take it: as in Ceph, a notify that arrives after
        // GetLog's choose_acting is only recorded (Primary::react(MNotifyRec)), and
        // Active::react(MNotifyRec) ignores a peer it already has info from. A stray the
        // clean primary purged (`peer_purged`) may keep its copy: the MOSDPGRemove was
        // not sent (the stray was down in the primary's map) or reached a PG that had
        // reset since (old_peering_evt), and Active ignores a purged peer's notifies
        // until the next interval, as in Ceph.
        if !lost && !stalled {
            let state = states[&pg].as_str();
            let in_hosts: std::collections::BTreeSet<&str> = map
                .osds
                .values()
                .filter(|o| o.up && o.is_in())
                .map(|o| o.host.as_str())
                .collect();
            let short = in_hosts.len() < map.pools[&pg.pool].size;
            let unheard_holder = world.osds.iter().find(|(osd, node)| {
                map.is_up(**osd)
                    && !m.acting.contains(osd)
                    && !primary.state.peer_info.contains_key(osd)
                    && !primary.state.peer_purged.contains(osd)
                    && node
                        .pgs
                        .get(&pg)
                        .is_some_and(|i| i.state.exists_on_osd && !i.state.info.is_incomplete())
            });
            prop_assert!(
                unheard_holder.is_none(),
                "pg {} ({}): the primary never heard of osd.{}, which holds a copy",
                pg,
                states[&pg],
                unheard_holder.map_or(-1, |(o, _)| *o)
            );
            prop_assert!(
                state == "active+clean"
                    || (state == "active+clean+remapped" && m.up != m.acting)
                    || (short && m.acting.len() < 3 && state.starts_with("active+undersized")),
                "pg {} is {} ({})",
                pg,
                state,
                primary.machine.path(definition())
            );
            for osd in &m.acting {
                prop_assert!(
                    world.osds[osd].pgs[&pg].state.store == primary.state.store,
                    "pg {} osd.{}: its objects are not the primary's",
                    pg,
                    osd
                );
            }
        }
    }
    Ok(())
}

/// `spec` with a second pool, `scratch` (id 2, 4 PGs), which a schedule may delete
/// (`mon_allow_pool_delete` set).
fn with_scratch_pool(mut spec: ClusterSpec) -> ClusterSpec {
    spec.mon_allow_pool_delete = true;
    spec.pools.push(PoolSpec {
        id: 2,
        name: "scratch".into(),
        size: 3,
        min_size: 2,
        pg_num: 4,
    });
    spec
}

/// `op()`, plus writes to the scratch pool and its deletion (`ceph osd pool delete`).
fn op_or_pool_delete() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => op(),
        2 => (0..4u32, 0..4u8).prop_map(|(seed, o)| Op::Act(UserAction::Write {
            pg: PgId { pool: 2, seed },
            object: format!("s{o}"),
        })),
        1 => Just(Op::Act(UserAction::DeletePool { pool: "scratch".into() })),
    ]
}

/// `op()` with three times as many writes, so OSDs that come back have missed several.
fn op_write_heavy() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => op(),
        1 => (0..8u32, 0..6u8).prop_map(|(seed, o)| Op::Act(UserAction::Write {
            pg: PgId { pool: 1, seed },
            object: format!("obj{o}"),
        })),
    ]
}

/// Once settled, no OSD holds a PG (nor a reservation for one) of a pool the map no longer
/// has: every copy went Stray → ToDelete → Deleting and was forgotten.
fn check_deleted_pools_are_gone(world: &World) -> Result<(), TestCaseError> {
    let map = world.map();
    for (osd, node) in &world.osds {
        for pg in node.pgs.keys() {
            prop_assert!(
                map.pools.contains_key(&pg.pool),
                "osd.{} still holds pg {} of a deleted pool",
                osd,
                pg
            );
        }
        for seed in 0..4 {
            let pg = PgId { pool: 2, seed };
            if !map.pools.contains_key(&2) {
                prop_assert!(
                    !node.local_reserver.has_reservation(pg),
                    "osd.{} {}",
                    osd,
                    pg
                );
                prop_assert!(
                    !node.remote_reserver.has_reservation(pg),
                    "osd.{} {}",
                    osd,
                    pg
                );
            }
        }
    }
    Ok(())
}

/// One random schedule on `spec`, then heal, settle and check (`trimmed`: the PG logs are
/// short, acked entries may be trimmed).
fn run_schedule(spec: &ClusterSpec, ops: Vec<Op>, trimmed: bool) -> Result<(), TestCaseError> {
    run_schedule_on(World::new(spec).unwrap(), ops, trimmed)
}

/// `run_schedule` on a cluster that first settles (every PG peered and clean), so the
/// schedule's writes land at once and its faults hit active PGs. (From a cold start most
/// of a 40-op schedule happens while the PGs first peer.)
fn run_schedule_warm(spec: &ClusterSpec, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut world = World::new(spec).unwrap();
    for _ in 0..20_000 {
        if world.step().is_none() {
            break;
        }
    }
    run_schedule_on(world, ops, false)
}

fn run_schedule_on(mut world: World, ops: Vec<Op>, trimmed: bool) -> Result<(), TestCaseError> {
    let mut lost = false;
    // A lost peering message between OSDs (the simulation lets one be dropped; Ceph's
    // lossless cluster messenger would resend it) can leave a PG waiting (e.g. in
    // Activating) until the next interval: clean is then not required.
    let mut stalled = false;
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
                let is_lost = matches!(a, UserAction::Lost { .. });
                lost |= world.act(a).is_ok() && is_lost;
            }
            Op::DropNext => {
                if let Some((id, peer)) = world.net.in_flight().first().map(|e| {
                    (
                        e.id,
                        matches!((e.from, e.to), (Endpoint::Osd(_), Endpoint::Osd(_))),
                    )
                }) {
                    stalled |= world.act(UserAction::Drop { message: id }).is_ok() && peer;
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
            prop_assert!(
                world.osds[&osd].pgs.contains_key(&pg),
                "osd.{osd} lacks pg {pg}"
            );
        }
    }
    check_no_acked_write_lost(&world, lost, stalled, trimmed)?;
    check_deleted_pools_are_gone(&world)?;
    Ok(())
}

/// The number of schedules: `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    // 1000 schedules unless PROPTEST_CASES asks for more (an explicit `cases` would
    // override the variable, which ProptestConfig::default() reads).
    #![proptest_config(ProptestConfig { cases: cases(1000), ..ProptestConfig::default() })]

    #[test]
    fn random_fault_schedules_keep_the_engine_sane(
        ops in prop::collection::vec(op(), 1..40),
        batched in any::<bool>(),
    ) {
        run_schedule(&spec(None, None, batched), ops, false)?;
    }
}

proptest! {
    // 500 schedules unless PROPTEST_CASES asks for more (an explicit `cases` would
    // override the variable, which ProptestConfig::default() reads).
    #![proptest_config(ProptestConfig { cases: cases(500), ..ProptestConfig::default() })]

    /// Short logs (3 entries) and scans of 2 objects: returning OSDs with stale copies are
    /// backfilled; every acting OSD still ends with exactly the primary's objects.
    #[test]
    fn random_fault_schedules_with_short_logs_backfill_to_identical_copies(
        ops in prop::collection::vec(op(), 1..40),
        batched in any::<bool>(),
    ) {
        run_schedule(&spec(Some(3), Some(2), batched), ops, true)?;
    }
}

proptest! {
    // 300 schedules unless PROPTEST_CASES asks for more.
    #![proptest_config(ProptestConfig { cases: cases(300), ..ProptestConfig::default() })]

    /// Two pools, and the second may be deleted at any point of the schedule: every OSD
    /// removes its copies of the deleted pool's PGs (also one that was down then), and the
    /// other pool's checks hold as in the first property.
    #[test]
    fn random_fault_schedules_with_a_pool_deletion(
        ops in prop::collection::vec(op_or_pool_delete(), 1..40),
        batched in any::<bool>(),
    ) {
        run_schedule(&with_scratch_pool(spec(None, None, batched)), ops, false)?;
    }
}

proptest! {
    // 300 schedules unless PROPTEST_CASES asks for more.
    #![proptest_config(ProptestConfig { cases: cases(300), ..ProptestConfig::default() })]

    /// osd_async_recovery_min_cost 0, on a settled cluster with three times the writes:
    /// a returning OSD that missed a write is an async recovery target (recovered outside
    /// the acting set, then let back in through a pg_temp change) unless that would leave
    /// min_size; the first property's checks hold.
    #[test]
    fn random_fault_schedules_with_async_recovery(
        ops in prop::collection::vec(op_write_heavy(), 1..40),
        batched in any::<bool>(),
    ) {
        let spec = ClusterSpec {
            osd_async_recovery_min_cost: Some(0),
            ..spec(None, None, batched)
        };
        run_schedule_warm(&spec, ops)?;
    }
}

proptest! {
    // 300 schedules unless PROPTEST_CASES asks for more.
    #![proptest_config(ProptestConfig { cases: cases(300), ..ProptestConfig::default() })]

    /// The first property's schedules with three times the writes, on a cluster that has
    /// settled first: the faults hit active, clean PGs holding data (from a cold start most
    /// of a schedule happens while the PGs first peer, before any write has landed).
    #[test]
    fn random_fault_schedules_on_a_settled_cluster(
        ops in prop::collection::vec(op_write_heavy(), 1..40),
        batched in any::<bool>(),
    ) {
        run_schedule_warm(&spec(None, None, batched), ops)?;
    }
}
