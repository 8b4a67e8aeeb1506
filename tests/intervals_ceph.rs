//! Ceph's own tests of past intervals and the prior set, ported from src/test/osd/types.cc:
//! `TEST(pg_interval_t, check_new_interval)` (one Rust test per block), the `PITest`
//! prior-set tests, and `TEST(pg_t, split)` / `TEST(pg_t, merge)` (the pg_t arithmetic
//! `is_new_interval` relies on). Each is named after the Ceph test and asserts what Ceph
//! asserts. Then: a real Jewel OSD log (PG 11.4 of the golden trace) replayed, the JSON face
//! (example files, malformed input), `affected_by_map`, and property tests.

use cephscope::engine::intervals::*;
use cephscope::engine::osdmap::PgId;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

// ---------------------------------------------------------------------------------------
// TEST(pg_interval_t, check_new_interval)
//
// Ceph builds two OSDMaps with max_osd 10 and only osd.1 existing (not up), applies one
// Incremental (epoch 41) creating pool 200 (min_size 2, pg_num 4; size left at 0) and
// giving osd.1 up_thru 41, and checks same_interval_since = last_epoch_clean = 40. The
// old and new mappings are acting [1,2] (primary osd.1) and up [1] (up primary osd.1).
// The per-PG maps here carry the mappings themselves. Ceph wraps the body in a 4-pass loop
// whose variable is unused; it runs once here.

const OSD_ID: i32 = 1;
const EPOCH: u32 = 40;
const POOL_ID: u64 = 200;
const PG_NUM: u32 = 4;
const MIN_SIZE: u32 = 2;

/// A pool as Ceph's `Incremental::new_pools[pool_id]` leaves it: size 0.
fn ceph_pool(min_size: u32, pg_num: u32, pg_num_pending: u32) -> PoolView {
    PoolView {
        size: 0,
        min_size,
        pg_num,
        pg_num_pending,
        ec_data_chunks: None,
    }
}

/// A map at epoch 41 where only osd.1 exists (`CEPH_OSD_EXISTS`, not up), with `up_thru`,
/// mapping the PG to acting [1,2] / up [1].
fn ceph_map(pool: PoolView, up_thru: u32) -> EpochMap {
    let mut osds = BTreeMap::new();
    osds.insert(
        OSD_ID,
        OsdView {
            exists: true,
            up: false,
            up_from: 0,
            up_thru,
            down_at: 0,
            lost_at: 0,
        },
    );
    EpochMap {
        epoch: EPOCH + 1,
        up: vec![OSD_ID],
        acting: vec![OSD_ID, OSD_ID + 1],
        up_primary: OSD_ID,
        acting_primary: OSD_ID,
        pool: Some(pool),
        osds: Rc::new(osds),
    }
}

/// The maps both Ceph test maps start as (`inc.new_up_thru[osd_id] = epoch + 1`).
fn base_map() -> EpochMap {
    ceph_map(ceph_pool(MIN_SIZE, PG_NUM, PG_NUM), EPOCH + 1)
}

fn pg(seed: u32) -> PgId {
    PgId {
        pool: POOL_ID,
        seed,
    }
}

/// `PastIntervals::check_new_interval` with `same_interval_since` 40 and the given
/// `last_epoch_clean`, on a fresh `PastIntervals` (Ceph asserts it starts empty).
fn check(
    lastmap: &EpochMap,
    osdmap: &EpochMap,
    last_epoch_clean: u32,
    pgid: PgId,
) -> (Option<PastInterval>, PastIntervals) {
    let history = PgHistory {
        same_interval_since: EPOCH,
        last_epoch_clean,
        ..PgHistory::default()
    };
    let mut past_intervals = PastIntervals::new();
    assert!(past_intervals.is_empty());
    let recorded = check_new_interval(lastmap, osdmap, &history, pgid, &mut past_intervals);
    (recorded, past_intervals)
}

#[test]
fn pg_interval_t_check_new_interval_no_change() {
    // Do nothing if there are no modifications in acting, up or pool size and the pool is
    // not being split.
    let (recorded, past_intervals) = check(&base_map(), &base_map(), EPOCH, pg(0));
    assert!(recorded.is_none());
    assert!(past_intervals.is_empty());
}

#[test]
fn pg_interval_t_check_new_interval_acting_changed() {
    let mut osdmap = base_map();
    osdmap.acting = vec![OSD_ID + 1];
    let (recorded, _) = check(&base_map(), &osdmap, EPOCH, pg(0));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_up_changed() {
    let mut osdmap = base_map();
    osdmap.up = vec![OSD_ID + 1];
    let (recorded, _) = check(&base_map(), &osdmap, EPOCH, pg(0));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_up_primary_changed() {
    // Ceph passes an empty new up vector and a new up primary osd.2.
    let mut osdmap = base_map();
    osdmap.up = vec![];
    osdmap.up_primary = OSD_ID + 1;
    let (recorded, _) = check(&base_map(), &osdmap, EPOCH, pg(0));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_pg_splitting() {
    let osdmap = ceph_map(ceph_pool(MIN_SIZE, PG_NUM ^ 2, PG_NUM ^ 2), 0);
    let (recorded, _) = check(&base_map(), &osdmap, EPOCH, pg(0));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_pg_is_pre_merge_source() {
    let osdmap = ceph_map(ceph_pool(MIN_SIZE, PG_NUM, PG_NUM - 1), 0);
    let (recorded, _) = check(&base_map(), &osdmap, EPOCH, pg(PG_NUM - 1));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_pg_was_pre_merge_source() {
    // Ceph passes the maps in reverse order.
    let lastmap = ceph_map(ceph_pool(MIN_SIZE, PG_NUM, PG_NUM - 1), 0);
    let (recorded, _) = check(&lastmap, &base_map(), EPOCH, pg(PG_NUM - 1));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_pg_is_merge_source() {
    let osdmap = ceph_map(ceph_pool(MIN_SIZE, PG_NUM - 1, PG_NUM - 1), 0);
    let (recorded, _) = check(&base_map(), &osdmap, EPOCH, pg(PG_NUM - 1));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_pg_is_pre_merge_target() {
    // Ceph sets only pg_num_pending on a fresh pool, whose pg_num stays 0.
    let osdmap = ceph_map(ceph_pool(MIN_SIZE, 0, PG_NUM - 1), 0);
    let (recorded, _) = check(&base_map(), &osdmap, EPOCH, pg(PG_NUM / 2 - 1));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_pg_was_pre_merge_target() {
    // Ceph passes the maps in reverse order.
    let lastmap = ceph_map(ceph_pool(MIN_SIZE, 0, PG_NUM - 1), 0);
    let (recorded, _) = check(&lastmap, &base_map(), EPOCH, pg(PG_NUM / 2 - 1));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_pg_is_merge_target() {
    let osdmap = ceph_map(ceph_pool(MIN_SIZE, PG_NUM - 1, PG_NUM - 1), 0);
    let (recorded, _) = check(&base_map(), &osdmap, EPOCH, pg(PG_NUM / 2 - 1));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_pg_size_changed() {
    // Ceph's comment says size; it changes min_size.
    let osdmap = ceph_map(ceph_pool(MIN_SIZE + 1, PG_NUM, PG_NUM), 0);
    let (recorded, _) = check(&base_map(), &osdmap, EPOCH, pg(0));
    assert!(recorded.is_some());
}

#[test]
fn pg_interval_t_check_new_interval_old_acting_empty() {
    // The old acting set was empty: the previous interval could not have been rw.
    let mut lastmap = base_map();
    lastmap.acting = vec![];
    let (recorded, _) = check(&lastmap, &base_map(), EPOCH, pg(0));
    let recorded = recorded.expect("a new interval");
    assert!(recorded.reason.contains("acting set is too small"));
    assert!(!recorded.maybe_went_rw);
}

#[test]
fn pg_interval_t_check_new_interval_old_acting_below_old_min_size() {
    // The old acting set did not have enough OSDs: it could not have been rw. The size of
    // the old acting set must be compared with the min_size of the *old* map
    // (http://tracker.ceph.com/issues/5780): the new map's min_size is lowered to 1 so
    // that comparing with it would pass.
    let mut lastmap = base_map();
    lastmap.acting = vec![OSD_ID];
    let osdmap = ceph_map(ceph_pool(1, PG_NUM, PG_NUM), 0);
    let (recorded, _) = check(&lastmap, &osdmap, EPOCH, pg(0));
    let recorded = recorded.expect("a new interval");
    assert!(recorded.reason.contains("acting set is too small"));
    assert!(!recorded.maybe_went_rw);
}

#[test]
fn pg_interval_t_check_new_interval_primary_up_includes_interval() {
    // The acting set changes. The old acting set primary was up during the previous
    // interval and may have been rw.
    let mut osdmap = base_map();
    osdmap.acting = vec![OSD_ID + 4, OSD_ID + 5];
    let (recorded, past_intervals) = check(&base_map(), &osdmap, EPOCH, pg(0));
    let recorded = recorded.expect("a new interval");
    assert!(recorded.reason.contains("includes interval"));
    assert!(recorded.maybe_went_rw);
    assert_eq!((recorded.first, recorded.last), (EPOCH, EPOCH));
    assert_eq!(past_intervals.size(), 1);
}

#[test]
fn pg_interval_t_check_new_interval_lec_presumed_rw() {
    // The acting set changes. The old acting set primary was not up during the old
    // interval but last_epoch_clean is in the old interval and it may have been rw.
    let mut osdmap = base_map();
    osdmap.acting = vec![OSD_ID + 4, OSD_ID + 5];
    let lastmap = ceph_map(ceph_pool(MIN_SIZE, PG_NUM, PG_NUM), EPOCH - 10);
    let (recorded, _) = check(&lastmap, &osdmap, EPOCH, pg(0));
    let recorded = recorded.expect("a new interval");
    assert!(recorded.reason.contains("presumed to have been rw"));
    assert!(recorded.maybe_went_rw);
}

#[test]
fn pg_interval_t_check_new_interval_does_not_include_interval() {
    // The acting set changes. The old acting set primary was not up during the old
    // interval and last_epoch_clean is before the old interval: the previous interval
    // could not possibly have been rw.
    let mut osdmap = base_map();
    osdmap.acting = vec![OSD_ID + 4, OSD_ID + 5];
    let last_epoch_clean = EPOCH - 10;
    let lastmap = ceph_map(ceph_pool(MIN_SIZE, PG_NUM, PG_NUM), last_epoch_clean);
    let (recorded, past_intervals) = check(&lastmap, &osdmap, last_epoch_clean, pg(0));
    let recorded = recorded.expect("a new interval");
    assert!(recorded.reason.contains("does not include interval"));
    assert!(!recorded.maybe_went_rw);
    // Not kept by pi_compact_rep, but its acting set is still a participant.
    assert_eq!(past_intervals.size(), 0);
    assert!(past_intervals
        .get_all_probe()
        .contains(&PgShard::new(OSD_ID)));
}

// ---------------------------------------------------------------------------------------
// PITest: PastIntervals::PriorSet built from a list of intervals, with
// RequiredPredicate(min_to_peer) (at least that many shards) and MapPredicate (a fixed
// state and lost_at per OSD).

const N: i32 = CRUSH_ITEM_NONE;

fn ival(
    up: &[i32],
    acting: &[i32],
    first: u32,
    last: u32,
    maybe_went_rw: bool,
    primary: i32,
    up_primary: i32,
) -> PastInterval {
    PastInterval::new(
        up.to_vec(),
        acting.to_vec(),
        first,
        last,
        maybe_went_rw,
        primary,
        up_primary,
    )
}

fn pst(osd: i32) -> PgShard {
    PgShard::new(osd)
}

fn pst_ec(osd: i32, shard: u8) -> PgShard {
    PgShard::ec(osd, shard)
}

use OsdState::{Down as DOWN, Lost as LOST, Up as UP};

/// `PITest::run(ec_pool, intervals, last_epoch_started, min_to_peer, osd_states, up,
/// acting, probe, down, blocked_by, pg_down)`: the prior set built from `intervals` must
/// equal the expected one. Returns it, for checks of `why`.
#[allow(clippy::too_many_arguments)]
fn pitest_run(
    ec_pool: bool,
    intervals: Vec<PastInterval>,
    last_epoch_started: u32,
    min_to_peer: usize,
    osd_states: &[(i32, OsdState, u32)],
    up: &[i32],
    acting: &[i32],
    probe: &[PgShard],
    down: &[i32],
    blocked_by: &[(i32, u32)],
    pg_down: bool,
) -> PriorSet {
    let correct = PriorSet::from_parts(
        ec_pool,
        probe.iter().copied().collect(),
        down.iter().copied().collect(),
        blocked_by.iter().copied().collect(),
        pg_down,
    );
    let mut compact = PastIntervals::new();
    for i in intervals {
        compact.add_interval(ec_pool, i);
    }
    let states: BTreeMap<i32, (OsdState, u32)> =
        osd_states.iter().map(|&(o, s, l)| (o, (s, l))).collect();
    let compact_ps = PriorSet::new(
        &compact,
        ec_pool,
        last_epoch_started,
        |have: &BTreeSet<PgShard>| have.len() >= min_to_peer,
        |_start, osd| states[&osd],
        up,
        acting,
    );
    assert_eq!(correct, compact_ps, "\n got {compact_ps}\nwant {correct}");
    compact_ps
}

#[test]
fn pitest_past_intervals_rep() {
    pitest_run(
        false,
        vec![
            ival(&[0, 1, 2], &[0, 1, 2], 10, 20, true, 0, 0),
            ival(&[1, 2], &[1, 2], 21, 30, true, 1, 1),
            ival(&[2], &[2], 31, 35, false, 2, 2),
            ival(&[0, 2], &[0, 2], 36, 50, true, 0, 0),
        ],
        5,
        1,
        &[(0, UP, 0), (1, UP, 0), (2, DOWN, 0)],
        &[0, 1],
        &[0, 1],
        &[pst(0), pst(1)],
        &[2],
        &[],
        false,
    );
}

#[test]
fn pitest_past_intervals_ec() {
    pitest_run(
        true,
        vec![
            ival(&[0, 1, 2], &[0, 1, 2], 10, 20, true, 0, 0),
            ival(&[N, 1, 2], &[N, 1, 2], 21, 30, true, 1, 1),
        ],
        5,
        2,
        &[(0, DOWN, 0), (1, UP, 0), (2, UP, 0)],
        &[N, 1, 2],
        &[N, 1, 2],
        &[pst_ec(1, 1), pst_ec(2, 2)],
        &[0],
        &[],
        false,
    );
}

#[test]
fn pitest_past_intervals_rep_down() {
    let prior = pitest_run(
        false,
        vec![
            ival(&[0, 1, 2], &[0, 1, 2], 10, 20, true, 0, 0),
            ival(&[1, 2], &[1, 2], 21, 30, true, 1, 1),
            ival(&[2], &[2], 31, 35, true, 2, 2),
            ival(&[0, 2], &[0, 2], 36, 50, true, 0, 0),
        ],
        5,
        1,
        &[(0, UP, 0), (1, UP, 0), (2, DOWN, 0)],
        &[0, 1],
        &[0, 1],
        &[pst(0), pst(1)],
        &[2],
        &[(2, 0)],
        true,
    );
    let why = &prior.why[&2];
    assert!(why.iter().any(|n| n.set == WhySet::BlockedBy));
    assert!(why.iter().any(|n| n.set == WhySet::Down));
}

#[test]
fn pitest_past_intervals_ec_down() {
    pitest_run(
        true,
        vec![
            ival(&[0, 1, 2], &[0, 1, 2], 10, 20, true, 0, 0),
            ival(&[N, 1, 2], &[N, 1, 2], 21, 30, true, 1, 1),
            ival(&[N, N, 2], &[N, N, 2], 31, 35, false, 2, 2),
        ],
        5,
        2,
        &[(0, UP, 0), (1, DOWN, 0), (2, UP, 0)],
        &[0, N, 2],
        &[0, N, 2],
        &[pst_ec(0, 0), pst_ec(2, 2)],
        &[1],
        &[(1, 0)],
        true,
    );
}

#[test]
fn pitest_past_intervals_rep_no_subsets() {
    pitest_run(
        false,
        vec![
            ival(&[0, 2], &[0, 2], 10, 20, true, 0, 0),
            ival(&[1, 2], &[1, 2], 21, 30, true, 1, 1),
            ival(&[0, 1], &[0, 1], 31, 35, true, 0, 0),
        ],
        5,
        1,
        &[(0, UP, 0), (1, UP, 0), (2, DOWN, 0)],
        &[0, 1],
        &[0, 1],
        &[pst(0), pst(1)],
        &[2],
        &[],
        false,
    );
}

#[test]
fn pitest_past_intervals_ec_no_subsets() {
    pitest_run(
        true,
        vec![
            ival(&[0, N, 2], &[0, N, 2], 10, 20, true, 0, 0),
            ival(&[N, 1, 2], &[N, 1, 2], 21, 30, true, 1, 1),
            ival(&[0, 1, N], &[0, 1, N], 31, 35, true, 0, 0),
        ],
        5,
        2,
        &[(0, UP, 0), (1, DOWN, 0), (2, UP, 0)],
        &[0, N, 2],
        &[0, N, 2],
        &[pst_ec(0, 0), pst_ec(2, 2)],
        &[1],
        &[(1, 0)],
        true,
    );
}

#[test]
fn pitest_past_intervals_ec_no_subsets2() {
    pitest_run(
        true,
        vec![
            ival(&[N, 1, 2], &[N, 1, 2], 10, 20, true, 0, 0),
            ival(&[0, N, 2], &[0, N, 2], 21, 30, true, 1, 1),
            ival(&[0, 3, N], &[0, 3, N], 31, 35, true, 0, 0),
        ],
        31,
        2,
        &[(0, UP, 0), (1, DOWN, 0), (2, UP, 0), (3, UP, 0)],
        &[0, N, 2],
        &[0, N, 2],
        &[pst_ec(0, 0), pst_ec(2, 2), pst_ec(3, 1)],
        &[1],
        &[],
        false,
    );
}

#[test]
fn pitest_past_intervals_rep_lost() {
    let prior = pitest_run(
        false,
        vec![
            ival(&[0, 1, 2], &[0, 1, 2], 10, 20, true, 0, 0),
            ival(&[1, 2], &[1, 2], 21, 30, true, 1, 1),
            ival(&[2], &[2], 31, 35, true, 2, 2),
            ival(&[0, 2], &[0, 2], 36, 50, true, 0, 0),
        ],
        5,
        1,
        &[(0, UP, 0), (1, UP, 0), (2, LOST, 55)],
        &[0, 1],
        &[0, 1],
        &[pst(0), pst(1)],
        &[2],
        &[],
        false,
    );
    assert!(prior.why[&2]
        .iter()
        .any(|n| n.set == WhySet::Note && n.reason.contains("marked lost in epoch 55")));
}

#[test]
fn pitest_past_intervals_ec_lost() {
    pitest_run(
        true,
        vec![
            ival(&[0, N, 2], &[0, N, 2], 10, 20, true, 0, 0),
            ival(&[N, 1, 2], &[N, 1, 2], 21, 30, true, 1, 1),
            ival(&[0, 1, N], &[0, 1, N], 31, 35, true, 0, 0),
        ],
        5,
        2,
        &[(0, UP, 0), (1, LOST, 36), (2, UP, 0)],
        &[0, N, 2],
        &[0, N, 2],
        &[pst_ec(0, 0), pst_ec(2, 2)],
        &[1],
        &[],
        false,
    );
}

/// `pi_compact_rep::generate_test_instances`' first two lists, checked against the rules
/// of `add_interval` (Ceph only encodes and decodes them): an older interval whose acting
/// set is a superset of a newer one's is dropped, non-rw intervals are not kept, every
/// acting shard is a participant, and bounds run from the first interval's first to the
/// last one's last.
#[test]
fn pi_compact_rep_generate_test_instances() {
    for ec_pool in [true, false] {
        let mut pi = PastIntervals::new();
        for i in [
            ival(&[0, 1, 2], &[0, 1, 2], 10, 20, true, 0, 0),
            ival(&[1, 2], &[1, 2], 21, 30, true, 1, 1),
            ival(&[2], &[2], 31, 35, false, 2, 2),
            ival(&[0, 2], &[0, 2], 36, 50, true, 0, 0),
        ] {
            pi.add_interval(ec_pool, i);
        }
        let kept: Vec<(u32, u32)> = pi
            .compact_intervals()
            .iter()
            .map(|i| (i.first, i.last))
            .collect();
        if ec_pool {
            // Shards differ by position: {1(0),2(1)} is no subset of {0(0),1(1),2(2)}.
            assert_eq!(kept, vec![(10, 20), (21, 30), (36, 50)]);
        } else {
            assert_eq!(kept, vec![(21, 30), (36, 50)]);
        }
        assert_eq!(pi.get_bounds(), (10, 51));
        assert_eq!(pi.recorded().len(), 4);
        let participants: BTreeSet<i32> = pi.get_all_probe().iter().map(|s| s.osd).collect();
        assert_eq!(participants, BTreeSet::from([0, 1, 2]));
        assert_eq!(
            pi.get_might_have_unfound(if ec_pool { pst_ec(0, 0) } else { pst(0) })
                .len(),
            pi.get_all_probe().len() - 1
        );
    }
}

// ---------------------------------------------------------------------------------------
// TEST(pg_t, split) and TEST(pg_t, merge)

fn children(seed: u32, old: u32, new: u32) -> BTreeSet<u32> {
    pg_split_children(seed, old, new)
}

#[test]
fn pg_t_split() {
    let s = |v: &[u32]| v.iter().copied().collect::<BTreeSet<u32>>();
    assert!(!pg_is_split(0, 1, 1));
    assert!(pg_is_split(0, 2, 4));
    assert_eq!(children(0, 2, 4), s(&[2]));
    assert_eq!(children(0, 2, 8), s(&[2, 4, 6]));
    assert_eq!(children(0, 3, 8), s(&[4]));
    assert!(!pg_is_split(0, 6, 8));
    assert!(children(0, 6, 8).is_empty());

    assert_eq!(children(1, 2, 4), s(&[3]));
    assert_eq!(children(1, 2, 6), s(&[3, 5]));
    assert_eq!(children(1, 2, 8), s(&[3, 5, 7]));
    assert_eq!(children(1, 4, 8), s(&[5]));
    assert_eq!(children(1, 3, 8), s(&[3, 5, 7]));
    assert!(children(1, 6, 8).is_empty());

    assert_eq!(children(3, 7, 8), s(&[7]));
    assert_eq!(children(3, 7, 12), s(&[7, 11]));
    assert_eq!(children(3, 7, 11), s(&[7]));
}

#[test]
fn pg_t_merge() {
    assert_eq!(pg_merge_source_parent(7, 8, 7), Some(3));
    assert!(pg_is_merge_target(3, 8, 7));
    assert_eq!(pg_merge_source_parent(7, 8, 5), Some(3));
    assert!(pg_is_merge_target(3, 8, 5));
    assert_eq!(pg_merge_source_parent(7, 8, 4), Some(3));
    assert!(pg_is_merge_target(3, 8, 4));
    assert_eq!(pg_merge_source_parent(7, 8, 3), Some(1));
    assert!(pg_is_merge_target(1, 8, 4));
    assert_eq!(pg_merge_source_parent(7, 9, 8), None);
    assert!(!pg_is_merge_source(7, 9, 8));
    assert!(!pg_is_merge_target(1, 9, 8));
}

// ---------------------------------------------------------------------------------------
// Real data: PG 11.4 on osd.3 (Jewel, pool size 2), epochs 2222-2228, from
// shared/reference/realdata/osd_logs/10_*: osd.0 (the primary) goes down at 2223 and out at
// 2226 (CRUSH then maps [3,2]; pg_temp keeps acting [3] for one epoch). OSD states from the
// cluster outputs (osd.0 up_from 2220 up_thru 2221, osd.2 up_from 2118 up_thru 2220, osd.3
// up_from 2123, up_thru 2221 -> 2223 at 2224 -> 2226 at 2227 -> 2227 at 2228).

fn jewel_map(epoch: u32, up: &[i32], acting: &[i32], osd0_up: bool, osd3_up_thru: u32) -> EpochMap {
    let mut osds = BTreeMap::new();
    osds.insert(
        0,
        if osd0_up {
            OsdView::up(2220, 2221)
        } else {
            OsdView::down(2220, 2221, 2223)
        },
    );
    osds.insert(2, OsdView::up(2118, 2220));
    osds.insert(3, OsdView::up(2123, osd3_up_thru));
    EpochMap {
        epoch,
        up: up.to_vec(),
        acting: acting.to_vec(),
        up_primary: up[0],
        acting_primary: acting[0],
        pool: Some(PoolView::replicated(2, 1, 8)),
        osds: Rc::new(osds),
    }
}

#[test]
fn realdata_jewel_pg_11_4_osd0_down_then_out() {
    let pgid: PgId = "11.4".parse().unwrap();
    let maps = [
        jewel_map(2222, &[0, 3], &[0, 3], true, 2221),
        jewel_map(2223, &[3], &[3], false, 2221),
        jewel_map(2224, &[3], &[3], false, 2223),
        jewel_map(2225, &[3], &[3], false, 2223),
        jewel_map(2226, &[3, 2], &[3], false, 2223),
        jewel_map(2227, &[3, 2], &[3, 2], false, 2226),
        jewel_map(2228, &[3, 2], &[3, 2], false, 2227),
    ];
    // "les/c/f 2222/2222/0 2220/2221/2221"
    let mut history = PgHistory {
        epoch_created: 132,
        last_epoch_started: 2222,
        last_epoch_clean: 2222,
        same_up_since: 2220,
        same_interval_since: 2221,
        same_primary_since: 2221,
        ..PgHistory::default()
    };
    let mut pi = PastIntervals::new();
    let hist = |h: &PgHistory| (h.same_up_since, h.same_interval_since, h.same_primary_since);

    // e2223: "noting past interval(2221-2222 up [0,3](0) acting [0,3](0) maybe_went_rw)",
    // "up_thru 2221 up_from 2220"
    assert!(should_restart_peering(&maps[0], &maps[1], pgid, 3));
    let iv = advance_map(Some(&maps[0]), &maps[1], pgid, 2222, &mut history, &mut pi).unwrap();
    assert_eq!(
        iv.to_string(),
        "interval(2221-2222 up [0,3](0) acting [0,3](0) maybe_went_rw)"
    );
    assert!(iv
        .reason
        .contains("primary osd.0 up 2220-2221 includes interval"));
    assert_eq!(hist(&history), (2223, 2223, 2223));
    // "build_prior final: probe 3 down 0 blocked_by {}"
    let prior = build_prior(&maps[1], &history, &pi);
    assert_eq!(prior.probe, BTreeSet::from([PgShard::new(3)]));
    assert_eq!(prior.down, BTreeSet::from([0]));
    assert!(prior.blocked_by.is_empty() && !prior.pg_down);
    // "up_thru 2221 < same_since 2223, must notify monitor"
    assert!(need_up_thru(&maps[1], 3, &history));
    // e2224: "adjust_need_up_thru now 2223, need_up_thru now false"
    assert!(advance_map(Some(&maps[1]), &maps[2], pgid, 2222, &mut history, &mut pi).is_none());
    assert!(!need_up_thru(&maps[2], 3, &history));
    assert!(!prior.affected_by_map(&maps[2]));

    // The PG goes active and clean at 2224 ("les/c/f 2224/2224/0"): past intervals cleared.
    history.last_epoch_started = 2224;
    history.last_epoch_clean = 2224;
    pi.clear();

    assert!(advance_map(Some(&maps[2]), &maps[3], pgid, 2222, &mut history, &mut pi).is_none());
    // e2226: "interval(2223-2225 up [3](3) acting [3](3)) ... up_thru 2223 up_from 2123",
    // "noting past interval(2223-2225 up [3](3) acting [3](3) maybe_went_rw)"
    let iv = advance_map(Some(&maps[3]), &maps[4], pgid, 2222, &mut history, &mut pi).unwrap();
    assert_eq!(
        iv.to_string(),
        "interval(2223-2225 up [3](3) acting [3](3) maybe_went_rw)"
    );
    assert_eq!(hist(&history), (2226, 2226, 2223));
    // "build_prior final: probe 2,3 down  blocked_by {}"
    let prior = build_prior(&maps[4], &history, &pi);
    assert_eq!(
        prior.probe,
        BTreeSet::from([PgShard::new(2), PgShard::new(3)])
    );
    assert!(prior.down.is_empty() && !prior.pg_down);
    // "up_thru 2223 < same_since 2226, must notify monitor"
    assert!(need_up_thru(&maps[4], 3, &history));

    // e2227: "noting past interval(2226-2226 up [3,2](3) acting [3](3))" (not rw: up_thru
    // 2223, last_epoch_clean 2224)
    let iv = advance_map(Some(&maps[4]), &maps[5], pgid, 2222, &mut history, &mut pi).unwrap();
    assert_eq!(
        iv.to_string(),
        "interval(2226-2226 up [3,2](3) acting [3](3))"
    );
    assert!(iv.reason.contains("does not include interval"));
    assert_eq!(hist(&history), (2226, 2227, 2223));
    let prior = build_prior(&maps[5], &history, &pi);
    assert_eq!(
        prior.probe,
        BTreeSet::from([PgShard::new(2), PgShard::new(3)])
    );
    assert!(prior.down.is_empty() && !prior.pg_down);
    // "up_thru 2226 < same_since 2227, must notify monitor"; at 2228: "now 2227".
    assert!(need_up_thru(&maps[5], 3, &history));
    assert!(advance_map(Some(&maps[5]), &maps[6], pgid, 2222, &mut history, &mut pi).is_none());
    assert!(!need_up_thru(&maps[6], 3, &history));
    assert_eq!(pi.compact_intervals().len(), 1);
    assert_eq!(pi.recorded().len(), 2);
}

// ---------------------------------------------------------------------------------------
// Other behaviour: history, restart, affected_by_map.

fn small_map(epoch: u32, acting: &[i32], osds: &[(i32, OsdView)]) -> EpochMap {
    EpochMap {
        epoch,
        up: acting.to_vec(),
        acting: acting.to_vec(),
        up_primary: acting.first().copied().unwrap_or(-1),
        acting_primary: acting.first().copied().unwrap_or(-1),
        pool: Some(PoolView::replicated(3, 1, 1)),
        osds: Rc::new(osds.iter().cloned().collect()),
    }
}

#[test]
fn should_restart_peering_on_own_boot() {
    let pgid = PgId { pool: 1, seed: 0 };
    let a = small_map(
        10,
        &[1],
        &[(1, OsdView::up(1, 9)), (2, OsdView::down(1, 9, 10))],
    );
    let mut b = a.clone();
    b.epoch = 11;
    Rc::make_mut(&mut b.osds).insert(2, OsdView::up(11, 9));
    assert!(!is_new_interval(&a, &b, pgid));
    assert!(should_restart_peering(&a, &b, pgid, 2));
    assert!(!should_restart_peering(&a, &b, pgid, 1));
}

#[test]
fn pool_deletion_ends_intervals() {
    let pgid = PgId { pool: 1, seed: 0 };
    let a = small_map(10, &[1], &[(1, OsdView::up(1, 10))]);
    let mut b = a.clone();
    b.epoch = 11;
    b.pool = None;
    assert_eq!(interval_changes(&a, &b, pgid).len(), 1);
    let mut c = b.clone();
    c.epoch = 12;
    c.acting = vec![];
    assert!(
        !is_new_interval(&b, &c, pgid),
        "no intervals once the pool is gone"
    );
}

#[test]
fn history_merge_raises_only() {
    let mut h = PgHistory::new(5);
    let other = PgHistory {
        last_epoch_started: 9,
        last_epoch_clean: 3,
        same_interval_since: 100,
        ..PgHistory::default()
    };
    assert!(h.merge(&other));
    assert_eq!(h.last_epoch_started, 9);
    assert_eq!(h.last_epoch_clean, 3);
    assert_eq!(h.same_interval_since, 5, "same_*_since are not merged");
    assert_eq!(h.epoch_created, 5);
    assert!(!h.merge(&other));
}

#[test]
fn affected_by_map_cases() {
    // Prior set of the up_thru example's down case: probe {1,2}, down {0}, blocked by 0.
    let osds = [
        (0, OsdView::down(5, 101, 103)),
        (1, OsdView::up(104, 100)),
        (2, OsdView::up(104, 100)),
    ];
    let map = small_map(104, &[1, 2], &osds);
    let mut pi = PastIntervals::new();
    pi.add_interval(false, ival(&[0], &[0], 101, 102, true, 0, 0));
    let history = PgHistory {
        last_epoch_started: 100,
        same_interval_since: 104,
        ..PgHistory::default()
    };
    let prior = build_prior(&map, &history, &pi);
    assert!(prior.pg_down);
    assert_eq!(prior.blocked_by, BTreeMap::from([(0, 0)]));
    assert!(!prior.affected_by_map(&map));

    let mut next = map.clone();
    next.epoch = 105;
    Rc::make_mut(&mut next.osds).get_mut(&0).unwrap().lost_at = 105;
    assert_eq!(
        prior.affected_by_map_reason(&next).as_deref(),
        Some("osd.0 (re)marked as lost")
    );
    // Marked lost after the interval began: not blocking any more.
    let rebuilt = build_prior(&next, &history, &pi);
    assert!(!rebuilt.pg_down && rebuilt.blocked_by.is_empty());
    assert_eq!(rebuilt.down, BTreeSet::from([0]));

    let mut next = map.clone();
    Rc::make_mut(&mut next.osds).insert(0, OsdView::up(105, 101));
    assert_eq!(
        prior.affected_by_map_reason(&next).as_deref(),
        Some("osd.0 now up")
    );

    let mut next = map.clone();
    Rc::make_mut(&mut next.osds).get_mut(&2).unwrap().up = false;
    assert_eq!(
        prior.affected_by_map_reason(&next).as_deref(),
        Some("osd.2 now down")
    );

    let mut next = map.clone();
    Rc::make_mut(&mut next.osds).get_mut(&0).unwrap().exists = false;
    assert_eq!(
        prior.affected_by_map_reason(&next).as_deref(),
        Some("osd.0 no longer exists")
    );
}

#[test]
fn map_gap_clears_past_intervals() {
    // start_peering_interval: a new interval in the oldest stored map, with the PG not
    // clean since, clears past_intervals.
    let pgid = PgId { pool: 1, seed: 0 };
    let osds = [(1, OsdView::up(1, 10)), (2, OsdView::up(1, 10))];
    let a = small_map(10, &[1, 2], &osds);
    let b = small_map(11, &[2], &osds);
    let mut history = PgHistory {
        same_interval_since: 5,
        last_epoch_clean: 5,
        ..PgHistory::default()
    };
    let mut pi = PastIntervals::new();
    assert!(advance_map(Some(&a), &b, pgid, 11, &mut history, &mut pi).is_some());
    assert!(pi.is_empty());
    assert_eq!(history.same_interval_since, 11);
}

// ---------------------------------------------------------------------------------------
// The JSON face.

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/intervals/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn cli_seed001_q13_up_thru_not_granted() {
    let out = cli_intervals(&data("seed001_q13.json")).unwrap();
    let intervals = out["past_intervals"].as_array().unwrap();
    let spans: Vec<(u64, u64, bool)> = intervals
        .iter()
        .map(|i| {
            (
                i["first"].as_u64().unwrap(),
                i["last"].as_u64().unwrap(),
                i["maybe_went_rw"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        vec![(100, 100, true), (101, 101, false), (102, 102, false)]
    );
    assert!(intervals[1]["reason"]
        .as_str()
        .unwrap()
        .contains("does not include interval"));
    assert!(intervals[2]["reason"]
        .as_str()
        .unwrap()
        .contains("acting set is too small"));
    let prior = &out["prior_set"];
    assert_eq!(prior["probe"], serde_json::json!([1, 2]));
    assert_eq!(prior["down"], serde_json::json!([0]));
    assert_eq!(prior["pg_down"], false);
    assert_eq!(prior["blocked_by"], serde_json::json!([]));
    assert_eq!(out["need_up_thru"], false);
}

#[test]
fn cli_down_pg_up_thru_granted() {
    let out = cli_intervals(&data("down_pg_up_thru_granted.json")).unwrap();
    let intervals = out["past_intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 3);
    assert_eq!(intervals[1]["first"], 101);
    assert_eq!(intervals[1]["last"], 102);
    assert_eq!(intervals[1]["maybe_went_rw"], true);
    assert!(intervals[1]["reason"]
        .as_str()
        .unwrap()
        .contains("primary osd.0 up 5-101 includes interval 101-102"));
    let prior = &out["prior_set"];
    assert_eq!(prior["pg_down"], true);
    assert_eq!(
        prior["blocked_by"],
        serde_json::json!([{"osd": 0, "lost_at": 0}])
    );
    assert_eq!(prior["down"], serde_json::json!([0]));
    assert_eq!(prior["probe"], serde_json::json!([1, 2]));
    let why0 = prior["why"]["0"].as_array().unwrap();
    assert!(why0.iter().any(|n| n["set"] == "blocked_by"));
    // The compact form kept only {0}: [100,100] acting {0,1,2} is a superset.
    assert_eq!(
        out["compact"]["intervals"],
        serde_json::json!([{"first": 101, "last": 102, "acting": ["0"]}])
    );
}

fn minimal_doc() -> serde_json::Value {
    serde_json::json!({
        "history": {"last_epoch_started": 10, "last_epoch_clean": 10},
        "epochs": [
            {"epoch": 10, "up": [0, 1], "acting": [0, 1], "size": 2, "min_size": 1,
             "osds": [{"osd": 0, "up": true, "up_from": 1, "up_thru": 10},
                      {"osd": 1, "up": true, "up_from": 1, "up_thru": 10}]},
            {"epoch": 11, "up": [1], "acting": [1], "size": 2, "min_size": 1,
             "osds": [{"osd": 0, "up": false, "up_from": 1, "up_thru": 10, "down_at": 11},
                      {"osd": 1, "up": true, "up_from": 1, "up_thru": 10}]}
        ]
    })
}

fn cli_err(doc: &serde_json::Value) -> String {
    cli_intervals(&doc.to_string()).expect_err("should be rejected")
}

#[test]
fn cli_minimal_doc_works() {
    let out = cli_intervals(&minimal_doc().to_string()).unwrap();
    assert_eq!(out["past_intervals"][0]["first"], 10);
    assert_eq!(out["past_intervals"][0]["maybe_went_rw"], true);
    assert_eq!(out["history"]["same_interval_since"], 11);
    assert_eq!(out["need_up_thru"], true);
}

#[test]
fn cli_malformed_input_names_the_field() {
    assert!(cli_intervals("{")
        .unwrap_err()
        .starts_with("input is not JSON"));
    assert!(cli_intervals("[]")
        .unwrap_err()
        .contains("input: expected an object"));

    let mut doc = minimal_doc();
    doc["epochs"][1]["acting"] = serde_json::json!(5);
    assert!(cli_err(&doc).starts_with("epochs[1].acting: expected a list of OSD ids"));

    let mut doc = minimal_doc();
    doc["epochs"][1]["acting"] = serde_json::json!([1, 7]);
    let e = cli_err(&doc);
    assert!(
        e.starts_with("epochs[1].acting[1]: osd.7 is unknown"),
        "{e}"
    );

    let mut doc = minimal_doc();
    doc["epochs"][1]["epoch"] = serde_json::json!(10);
    let e = cli_err(&doc);
    assert!(
        e.starts_with("epochs[1].epoch: epochs must increase"),
        "{e}"
    );

    let mut doc = minimal_doc();
    doc["epochs"][0]["acting"] = serde_json::json!([0, "NONE"]);
    assert!(cli_err(&doc).contains("only allowed in an erasure-coded pool"));

    let mut doc = minimal_doc();
    doc["epochs"][0]["osds"][1]["up_thru"] = serde_json::json!(-3);
    assert!(cli_err(&doc).starts_with("epochs[0].osds[1].up_thru: expected"));

    let mut doc = minimal_doc();
    doc["epochs"][0]["acting_primary"] = serde_json::json!(5);
    assert!(cli_err(&doc).starts_with("epochs[0].acting_primary: osd.5 is not in acting"));

    let mut doc = minimal_doc();
    doc["history"]["same_interval_since"] = serde_json::json!(11);
    assert!(cli_err(&doc).starts_with("history.same_interval_since: 11 is after"));

    let mut doc = minimal_doc();
    doc["history"]["last_epoch_stated"] = serde_json::json!(1);
    assert!(cli_err(&doc).starts_with("history: unknown field \"last_epoch_stated\""));

    let mut doc = minimal_doc();
    doc["epochs"][0]["min_size"] = serde_json::json!(3);
    assert!(cli_err(&doc).starts_with("epochs[0].min_size: 3 is larger than size 2"));

    let mut doc = minimal_doc();
    doc["epochs"][0]["osds"][1]["osd"] = serde_json::json!(0);
    assert!(cli_err(&doc).starts_with("epochs[0].osds[1].osd: osd.0 is listed twice"));

    let mut doc = minimal_doc();
    doc["epochs"] = serde_json::json!([]);
    assert!(cli_err(&doc).starts_with("epochs: expected at least one epoch"));

    let mut doc = minimal_doc();
    doc["pgid"] = serde_json::json!("x");
    assert!(cli_err(&doc).starts_with("pgid: "));
}

#[test]
fn cli_pg_num_split_to_the_limit() {
    let mut doc = minimal_doc();
    doc["epochs"][0]["pg_num"] = serde_json::json!(1);
    doc["epochs"][1]["pg_num"] = serde_json::json!(u32::MAX);
    doc["epochs"][1]["acting"] = serde_json::json!([0, 1]);
    doc["epochs"][1]["up"] = serde_json::json!([0, 1]);
    doc["epochs"][1]["osds"][0]["up"] = serde_json::json!(true);
    let out = cli_intervals(&doc.to_string()).unwrap();
    let because = &out["past_intervals"][0]["new_interval_because"];
    // Ceph's set_pg_num moves pg_num_pending too, and the "was pre-merge target" test
    // (is_merge_target on pg_num_pending, read backwards) fires with every split.
    assert_eq!(
        because,
        &serde_json::json!([
            "pg_num 1 -> 4294967295 splits this PG",
            "pg_num_pending 1 -> 4294967295: pre-merge target (is_merge_target)"
        ])
    );
    assert_eq!(out["history"]["last_epoch_split"], 11);
}

#[test]
fn cli_erasure_coded_holes() {
    let doc = serde_json::json!({
        "ec_data_chunks": 2,
        "epochs": [
            {"epoch": 20, "up": [0, 1, 2], "acting": [0, 1, 2], "size": 3, "min_size": 2,
             "osds": [{"osd": 0, "up": true, "up_from": 1, "up_thru": 20},
                      {"osd": 1, "up": true, "up_from": 1, "up_thru": 20},
                      {"osd": 2, "up": true, "up_from": 1, "up_thru": 20}]},
            {"epoch": 21, "up": ["NONE", 1, 2], "acting": ["NONE", 1, 2], "size": 3,
             "min_size": 2,
             "osds": [{"osd": 0, "up": false, "up_from": 1, "up_thru": 20, "down_at": 21},
                      {"osd": 1, "up": true, "up_from": 1, "up_thru": 20},
                      {"osd": 2, "up": true, "up_from": 1, "up_thru": 20}]}
        ]
    });
    let out = cli_intervals(&doc.to_string()).unwrap();
    assert_eq!(
        out["prior_set"]["probe"],
        serde_json::json!(["1(1)", "2(2)"])
    );
    assert_eq!(out["prior_set"]["down"], serde_json::json!([0]));
    assert_eq!(out["current_interval"]["primary"], 1);
}

// ---------------------------------------------------------------------------------------
// Properties.

const MAX_OSD: i32 = 6;

#[derive(Clone, Debug)]
struct EpochSpec {
    gap: u32,
    up: Vec<bool>,
    up_thru_lag: Vec<u32>,
    lost: Vec<bool>,
    osd5_exists: bool,
    pick: Vec<usize>,
    up_differs: bool,
    size: u32,
    min_size: u32,
    pg_num: u32,
}

fn epoch_spec() -> impl Strategy<Value = EpochSpec> {
    (
        1u32..3,
        prop::collection::vec(prop::bool::weighted(0.7), MAX_OSD as usize),
        prop::collection::vec(0u32..4, MAX_OSD as usize),
        prop::collection::vec(prop::bool::weighted(0.1), MAX_OSD as usize),
        prop::bool::ANY,
        prop::collection::vec(0usize..MAX_OSD as usize, 0..4),
        prop::bool::weighted(0.2),
        1u32..4,
        0u32..4,
        prop::sample::select(vec![4u32, 4, 4, 8, 2]),
    )
        .prop_map(
            |(gap, up, up_thru_lag, lost, osd5_exists, pick, up_differs, size, min, pg_num)| {
                EpochSpec {
                    gap,
                    up,
                    up_thru_lag,
                    lost,
                    osd5_exists,
                    pick,
                    up_differs,
                    size,
                    min_size: min.min(size),
                    pg_num,
                }
            },
        )
}

/// Maps that respect the OSDMap's invariants: up and acting hold distinct OSDs that are
/// up; up_thru never runs ahead of the epoch.
fn build_maps(specs: &[EpochSpec]) -> Vec<EpochMap> {
    let mut maps: Vec<EpochMap> = Vec::new();
    let mut epoch = 50;
    for spec in specs {
        epoch += spec.gap;
        let mut osds = BTreeMap::new();
        for o in 0..MAX_OSD {
            let i = o as usize;
            let exists = o != 5 || spec.osd5_exists;
            let prev = maps.last().and_then(|m| m.osds.get(&o)).cloned();
            let was_up = prev.as_ref().is_some_and(|p| p.up);
            let up = exists && spec.up[i];
            let up_from = match (&prev, up && !was_up) {
                (_, true) => epoch,
                (Some(p), false) => p.up_from,
                (None, false) => 1,
            };
            let up_thru = if up {
                epoch.saturating_sub(spec.up_thru_lag[i]).max(up_from)
            } else {
                prev.as_ref().map_or(0, |p| p.up_thru)
            };
            let lost_at = match &prev {
                Some(p) if p.lost_at > 0 => p.lost_at,
                _ if !up && spec.lost[i] => epoch,
                _ => 0,
            };
            let down_at = if !up && was_up {
                epoch
            } else {
                prev.map_or(0, |p| p.down_at)
            };
            osds.insert(
                o,
                OsdView {
                    exists,
                    up,
                    up_from,
                    up_thru,
                    down_at,
                    lost_at,
                },
            );
        }
        let mut acting: Vec<i32> = Vec::new();
        for &p in &spec.pick {
            let o = p as i32;
            if osds[&o].up && !acting.contains(&o) {
                acting.push(o);
            }
        }
        let up = if spec.up_differs {
            acting.iter().rev().copied().collect()
        } else {
            acting.clone()
        };
        maps.push(EpochMap {
            epoch,
            up_primary: up.first().copied().unwrap_or(-1),
            acting_primary: acting.first().copied().unwrap_or(-1),
            up,
            acting,
            pool: Some(PoolView::replicated(spec.size, spec.min_size, spec.pg_num)),
            osds: Rc::new(osds),
        });
    }
    maps
}

fn maps_to_json(maps: &[EpochMap], les: u32, lec: u32) -> serde_json::Value {
    let epochs: Vec<serde_json::Value> = maps
        .iter()
        .map(|m| {
            let pool = m.pool.as_ref().unwrap();
            let osds: Vec<serde_json::Value> = m
                .osds
                .iter()
                .map(|(id, o)| {
                    serde_json::json!({"osd": id, "up": o.up, "exists": o.exists,
                        "up_from": o.up_from, "up_thru": o.up_thru, "down_at": o.down_at,
                        "lost_at": o.lost_at})
                })
                .collect();
            serde_json::json!({"epoch": m.epoch, "up": m.up, "acting": m.acting,
                "up_primary": m.up_primary, "acting_primary": m.acting_primary,
                "size": pool.size, "min_size": pool.min_size, "pg_num": pool.pg_num,
                "osds": osds})
        })
        .collect();
    serde_json::json!({
        "pgid": "1.3",
        "history": {"last_epoch_started": les, "last_epoch_clean": lec},
        "epochs": epochs,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random map sequences never panic (debug assertions on); the recorded intervals are
    /// ordered and contiguous from the first same_interval_since to the current one; the
    /// prior set is consistent; the CLI agrees with the library.
    #[test]
    fn random_map_sequences(
        specs in prop::collection::vec(epoch_spec(), 1..12),
        les_back in 0u32..20,
        lec_back in 0u32..20,
    ) {
        let maps = build_maps(&specs);
        let pgid = PgId { pool: 1, seed: 3 };
        let first_epoch = maps[0].epoch;
        let last = maps.last().unwrap();
        let les = last.epoch.saturating_sub(les_back);
        let lec = first_epoch.saturating_sub(lec_back);
        let mut history = PgHistory {
            last_epoch_started: les,
            last_epoch_clean: lec,
            ..PgHistory::new(first_epoch)
        };
        let mut pi = PastIntervals::new();
        let mut recorded = Vec::new();
        for pair in maps.windows(2) {
            let changed = is_new_interval(&pair[0], &pair[1], pgid);
            let got = advance_map(Some(&pair[0]), &pair[1], pgid, first_epoch, &mut history, &mut pi);
            prop_assert_eq!(changed, got.is_some());
            if let Some(iv) = got {
                prop_assert!(!iv.maybe_went_rw || iv.acting.len() as u32 >= pair[0].pool.as_ref().unwrap().min_size);
                recorded.push(iv);
            }
        }
        let mut expect_first = first_epoch;
        for iv in &recorded {
            prop_assert_eq!(iv.first, expect_first);
            prop_assert!(iv.first <= iv.last);
            expect_first = iv.last + 1;
        }
        prop_assert_eq!(history.same_interval_since, expect_first);
        prop_assert_eq!(pi.recorded(), &recorded[..]);
        if let Some(iv) = recorded.last() {
            prop_assert_eq!(pi.get_bounds(), (first_epoch, iv.last + 1));
        }

        let prior = build_prior(last, &history, &pi);
        for &o in last.acting.iter().chain(&last.up) {
            prop_assert!(prior.probe.contains(&PgShard::new(o)));
        }
        for o in prior.blocked_by.keys() {
            prop_assert!(prior.down.contains(o));
        }
        prop_assert_eq!(prior.pg_down, !prior.blocked_by.is_empty());
        for s in &prior.probe {
            prop_assert!(!prior.down.contains(&s.osd));
        }
        let gone = prior.down.iter().any(|&o| !last.exists(o));
        prop_assert_eq!(prior.affected_by_map(last), gone);

        let out = cli_intervals(&maps_to_json(&maps, les, lec).to_string());
        let out = out.map_err(TestCaseError::fail)?;
        prop_assert_eq!(out["past_intervals"].as_array().unwrap().len(), recorded.len());
        prop_assert_eq!(&out["prior_set"]["pg_down"], &serde_json::json!(prior.pg_down));
        let down: Vec<i32> = prior.down.iter().copied().collect();
        prop_assert_eq!(&out["prior_set"]["down"], &serde_json::json!(down));
    }

    /// Any value put anywhere in a valid document is either accepted or rejected with a
    /// message; never a panic.
    #[test]
    fn cli_never_panics(
        path_pick in 0usize..1000,
        replacement in prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            Just(serde_json::json!(u64::MAX)),
            Just(serde_json::json!(2147483647)),
            Just(serde_json::json!("NONE")),
            "[a-z]{0,4}".prop_map(serde_json::Value::from),
            Just(serde_json::json!([])),
            Just(serde_json::json!([1, 1])),
            Just(serde_json::json!({})),
            Just(serde_json::json!(-1)),
            Just(serde_json::json!(0)),
        ],
    ) {
        let mut doc = minimal_doc();
        let mut paths = Vec::new();
        collect_paths(&doc, String::new(), &mut paths);
        let path = &paths[path_pick % paths.len()];
        if path.is_empty() {
            doc = replacement;
        } else if let Some(slot) = doc.pointer_mut(path) {
            *slot = replacement;
        }
        let _ = cli_intervals(&doc.to_string());
    }
}

fn collect_paths(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        serde_json::Value::Object(m) => {
            for (k, child) in m {
                collect_paths(child, format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                collect_paths(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}
