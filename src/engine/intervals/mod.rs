//! PG intervals and the prior set: Ceph's `PastIntervals` (src/osd/osd_types.{h,cc}) and
//! the parts of `PeeringState` (src/osd/PeeringState.cc) that feed and read it.
//!
//! An *interval* is a maximal run of map epochs in which a PG's up set, acting set, their
//! primaries and the pool parameters that matter to it do not change
//! ([`is_new_interval`]). Each time a map starts a new interval the PG records the one that
//! ended ([`check_new_interval`]) and whether it *may have gone read-write*: only then could
//! it have acknowledged writes that a later primary must find. That guess rests on
//! `up_thru`: a primary may not activate before the monitor has recorded, in the OSDMap,
//! that it was alive through the first epoch of its interval. When peering starts, the
//! primary turns the recorded intervals into a [`PriorSet`] ([`build_prior`]): the OSDs to
//! probe, the down OSDs that would have been probed, and — when some interval that may have
//! gone read-write has no surviving member — the OSDs the PG is blocked by (`pg_down`).
//!
//! Each function names, in its doc comment, the Ceph function it models.
//!
//! The input is a per-PG view of one map epoch, [`EpochMap`]: up/acting and primaries as
//! the PG computed them, its pool's parameters and the OSDs' `osd_info_t` fields. The
//! cluster simulator builds one from an [`OsdMap`] with [`EpochMap::from_osdmap`].
//!
//! Simplifications (see the README's Fidelity section):
//! * `is_new_interval` compares acting/up and their primaries, pool size, min_size, pg_num
//!   and pg_num_pending (split/merge) and pool deletion. The `sortbitwise` and
//!   `recovery_deletes` flags, stretch-pool parameters and the pool's EC-optimizations flag
//!   are not modelled (they never change in cephscope), so they never start an interval.
//! * Stretch pools are not modelled: `check_new_interval`'s `stretch_set_can_peer` test is
//!   always true.
//! * The "recoverable" / "could have gone active" predicate is the replicated backend's
//!   (`ReplicatedBackend::RPCRecPred`: at least one shard); for an erasure-coded pool it is
//!   "at least k shards" ([`PoolView::ec_data_chunks`]), a stand-in for
//!   `ECRecPred`/`minimum_to_decode`.
//! * `PastIntervals` keeps both Ceph's `pi_compact_rep` (which every decision reads) and the
//!   full list of recorded intervals with the reason of each (for display); see
//!   [`PastIntervals`].

mod json;
mod past;
mod pgid;
mod prior;

pub use json::cli_intervals;
pub use past::{
    advance_map, check_new_interval, interval_changes, is_new_interval, should_restart_peering,
    CompactInterval, PastInterval, PastIntervals,
};
pub use pgid::{
    pg_get_parent, pg_is_merge_source, pg_is_merge_target, pg_is_split, pg_merge_source_parent,
    pg_split_children,
};
pub use prior::{build_prior, need_up_thru, osd_state_at, OsdState, PriorSet, WhyNote, WhySet};

pub use super::osdmap::{Epoch, OsdId};
use super::osdmap::{Mapping, OsdMap, PgId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::rc::Rc;

/// Ceph's `CRUSH_ITEM_NONE` (`pg_pool_t::pg_CRUSH_ITEM_NONE`): a hole in an erasure-coded
/// PG's up or acting vector (a position with no OSD). Replicated pools shift instead.
pub const CRUSH_ITEM_NONE: OsdId = 0x7fff_ffff;

/// One OSD's state in a map epoch: the `CEPH_OSD_EXISTS`/`CEPH_OSD_UP` bits and the
/// `osd_info_t` fields peering reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsdView {
    /// `CEPH_OSD_EXISTS`: false once the OSD has been removed (`ceph osd rm`).
    pub exists: bool,
    /// `CEPH_OSD_UP`.
    pub up: bool,
    /// The epoch in which the OSD was last marked up.
    pub up_from: Epoch,
    /// The monitor's record that the OSD was alive through this epoch (`MOSDAlive`).
    pub up_thru: Epoch,
    /// The epoch in which the OSD was last marked down.
    pub down_at: Epoch,
    /// The epoch in which an operator last marked the OSD lost (0: never).
    pub lost_at: Epoch,
}

impl OsdView {
    /// An existing OSD that is up since `up_from` and alive through `up_thru`.
    pub fn up(up_from: Epoch, up_thru: Epoch) -> Self {
        OsdView {
            exists: true,
            up: true,
            up_from,
            up_thru,
            down_at: 0,
            lost_at: 0,
        }
    }

    /// An existing OSD that is down since `down_at` (its up_from/up_thru remain).
    pub fn down(up_from: Epoch, up_thru: Epoch, down_at: Epoch) -> Self {
        OsdView {
            up: false,
            down_at,
            ..OsdView::up(up_from, up_thru)
        }
    }
}

/// The PG's pool in a map epoch: the `pg_pool_t` fields intervals depend on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolView {
    pub size: u32,
    pub min_size: u32,
    pub pg_num: u32,
    /// `pg_num_pending`: the pg_num a pending merge will bring the pool down to (equal to
    /// pg_num when no merge is pending; Ceph's `set_pg_num` sets both).
    pub pg_num_pending: u32,
    /// `Some(k)` for an erasure-coded pool whose objects any k shards can rebuild; `None`
    /// for a replicated pool.
    pub ec_data_chunks: Option<u32>,
}

impl PoolView {
    /// A replicated pool.
    pub fn replicated(size: u32, min_size: u32, pg_num: u32) -> Self {
        PoolView {
            size,
            min_size,
            pg_num,
            pg_num_pending: pg_num,
            ec_data_chunks: None,
        }
    }

    /// `pg_pool_t::is_erasure`.
    pub fn is_erasure(&self) -> bool {
        self.ec_data_chunks.is_some()
    }

    /// The `IsPGRecoverablePredicate` of the pool's backend: can these shards serve (and
    /// have served) the PG? Replicated (`ReplicatedBackend::RPCRecPred`): any one shard.
    /// Erasure-coded: at least k shards (a stand-in for `ECRecPred`).
    pub fn recoverable(&self, have: &BTreeSet<PgShard>) -> bool {
        match self.ec_data_chunks {
            None => !have.is_empty(),
            Some(k) => have.len() >= (k as usize).max(1),
        }
    }
}

/// What one PG sees of one OSDMap epoch: its up and acting vectors and primaries (as
/// `OSDMap::pg_to_up_acting_osds` gives them), its pool (`None` once the pool is deleted)
/// and every OSD's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochMap {
    pub epoch: Epoch,
    /// May contain [`CRUSH_ITEM_NONE`] (erasure-coded holes).
    pub up: Vec<OsdId>,
    /// May contain [`CRUSH_ITEM_NONE`] (erasure-coded holes).
    pub acting: Vec<OsdId>,
    /// -1 when up is empty.
    pub up_primary: OsdId,
    /// -1 when acting is empty.
    pub acting_primary: OsdId,
    pub pool: Option<PoolView>,
    /// Shared by every PG's view of the same epoch (an OSD holds ~100 PGs at 4096 PGs on
    /// 120 OSDs: one copy of the OSD table per epoch, not one per PG).
    pub osds: Rc<BTreeMap<OsdId, OsdView>>,
}

impl EpochMap {
    /// `OSDMap::exists`.
    pub fn exists(&self, osd: OsdId) -> bool {
        self.osds.get(&osd).is_some_and(|o| o.exists)
    }

    /// `OSDMap::is_up` (which implies exists).
    pub fn is_up(&self, osd: OsdId) -> bool {
        self.osds.get(&osd).is_some_and(|o| o.exists && o.up)
    }

    /// `OSDMap::get_info(osd)` for an existing OSD.
    pub fn info(&self, osd: OsdId) -> Option<&OsdView> {
        self.osds.get(&osd).filter(|o| o.exists)
    }

    /// `OSDMap::get_up_thru` (0 for an OSD that does not exist; Ceph asserts it exists).
    pub fn up_thru(&self, osd: OsdId) -> Epoch {
        self.info(osd).map_or(0, |o| o.up_thru)
    }

    /// `OSDMap::get_up_from` (0 for an OSD that does not exist; Ceph asserts it exists).
    pub fn up_from(&self, osd: OsdId) -> Epoch {
        self.info(osd).map_or(0, |o| o.up_from)
    }

    fn is_erasure(&self) -> bool {
        self.pool.as_ref().is_some_and(PoolView::is_erasure)
    }

    /// The acting primary as a shard (`PeeringState::primary`): for an erasure-coded pool
    /// its shard is its position in acting.
    pub fn primary_shard(&self) -> PgShard {
        primary_shard_of(&self.acting, self.acting_primary, self.is_erasure())
    }

    /// The up primary as a shard (`PeeringState::up_primary`).
    pub fn up_primary_shard(&self) -> PgShard {
        primary_shard_of(&self.up, self.up_primary, self.is_erasure())
    }

    /// The view PG `pg` has of `map`: its mapping from [`OsdMap::pg_to_up_acting`], its
    /// pool, and every OSD (cephscope's OSDMap forgets removed OSDs, so all listed exist).
    pub fn from_osdmap(map: &OsdMap, pg: PgId) -> EpochMap {
        EpochMap::from_osdmap_mapping(map, pg, map.pg_to_up_acting(pg))
    }

    /// `from_osdmap` with the PG's mapping already computed (the epoch's `MappingTable`):
    /// CRUSH runs once per PG per epoch, at publication, as Ceph's OSDMapMapping.
    pub fn from_osdmap_mapping(map: &OsdMap, pg: PgId, mapping: Mapping) -> EpochMap {
        EpochMap::from_parts(map, pg, mapping, EpochMap::osd_views(map))
    }

    /// Every OSD's state at `map`'s epoch, as a PG's view holds it (build once per epoch,
    /// share between the PGs).
    pub fn osd_views(map: &OsdMap) -> Rc<BTreeMap<OsdId, OsdView>> {
        let views = map.osds.iter().map(|(&id, o)| {
            let view = OsdView {
                exists: true,
                up: o.up,
                up_from: o.up_from,
                up_thru: o.up_thru,
                down_at: o.down_at,
                lost_at: o.lost_at,
            };
            (id, view)
        });
        Rc::new(views.collect())
    }

    /// A PG's view from its mapping and the epoch's shared OSD table.
    pub fn from_parts(
        map: &OsdMap,
        pg: PgId,
        mapping: Mapping,
        osds: Rc<BTreeMap<OsdId, OsdView>>,
    ) -> EpochMap {
        EpochMap {
            epoch: map.epoch,
            up: mapping.up,
            acting: mapping.acting,
            up_primary: mapping.up_primary,
            acting_primary: mapping.acting_primary,
            pool: map
                .pools
                .get(&pg.pool)
                .map(|p| PoolView::replicated(p.size as u32, p.min_size as u32, p.pg_num)),
            osds,
        }
    }
}

fn primary_shard_of(v: &[OsdId], primary: OsdId, ec_pool: bool) -> PgShard {
    if !ec_pool {
        return PgShard::new(primary);
    }
    // PeeringState::init_primary_up_acting: the first position holding the primary.
    v.iter()
        .position(|&o| o == primary)
        .map_or(PgShard::new(primary), |i| {
            PgShard::ec(primary, shard_index(i))
        })
}

/// `pg_shard_t`: an OSD and, for an erasure-coded pool, the shard (position) it holds.
/// Ordered as Ceph orders it: by OSD, then shard, `NO_SHARD` (`None`) first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PgShard {
    pub osd: OsdId,
    /// `None` is Ceph's `shard_id_t::NO_SHARD` (replicated pools).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<u8>,
}

impl PgShard {
    /// `pg_shard_t(osd)`: a replicated pool's shard.
    pub fn new(osd: OsdId) -> Self {
        PgShard { osd, shard: None }
    }

    /// `pg_shard_t(osd, shard)`: an erasure-coded pool's shard.
    pub fn ec(osd: OsdId, shard: u8) -> Self {
        PgShard {
            osd,
            shard: Some(shard),
        }
    }
}

/// As Ceph prints a `pg_shard_t`: `3`, or `3(1)` with a shard.
impl fmt::Display for PgShard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.shard {
            None => write!(f, "{}", self.osd),
            Some(s) => write!(f, "{}({s})", self.osd),
        }
    }
}

fn shard_index(i: usize) -> u8 {
    u8::try_from(i).unwrap_or(u8::MAX)
}

/// `pg_pool_t::convert_to_pg_shards`: the non-NONE members of an up/acting vector as
/// shards (shard = position for an erasure-coded pool).
pub fn shards_of(v: &[OsdId], ec_pool: bool) -> BTreeSet<PgShard> {
    v.iter()
        .enumerate()
        .filter(|(_, &o)| o != CRUSH_ITEM_NONE)
        .map(|(i, &o)| {
            if ec_pool {
                PgShard::ec(o, shard_index(i))
            } else {
                PgShard::new(o)
            }
        })
        .collect()
}

/// `pg_vector_string`: `[1,NONE,3]`.
pub fn osd_vec_string(v: &[OsdId]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|&o| {
            if o == CRUSH_ITEM_NONE {
                "NONE".to_string()
            } else {
                o.to_string()
            }
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// `pg_history_t`: what a PG knows of its recent peering and mapping history, shared with
/// every peering message and merged (only ever raised) by [`PgHistory::merge`]. Scrub
/// stamps, `last_epoch_marked_full` and `prior_readable_until_ub` are not modelled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PgHistory {
    /// The epoch in which the PG (pool or PG) was created.
    pub epoch_created: Epoch,
    /// The epoch in which its pool was created.
    pub epoch_pool_created: Epoch,
    /// Lower bound on the last epoch the PG started (went active) anywhere.
    pub last_epoch_started: Epoch,
    /// First epoch of the interval of `last_epoch_started`.
    pub last_interval_started: Epoch,
    /// Lower bound on the last epoch the PG was completely clean.
    pub last_epoch_clean: Epoch,
    /// First epoch of the interval of `last_epoch_clean`.
    pub last_interval_clean: Epoch,
    /// Last epoch the PG split (as parent or child).
    pub last_epoch_split: Epoch,
    /// Same up set and up primary since this epoch.
    pub same_up_since: Epoch,
    /// Same interval (everything [`is_new_interval`] compares) since this epoch.
    pub same_interval_since: Epoch,
    /// Same acting primary since this epoch.
    pub same_primary_since: Epoch,
}

impl PgHistory {
    /// `pg_history_t(created, stamp)`: a PG created in epoch `created`.
    pub fn new(created: Epoch) -> Self {
        PgHistory {
            epoch_created: created,
            epoch_pool_created: created,
            same_up_since: created,
            same_interval_since: created,
            same_primary_since: created,
            ..PgHistory::default()
        }
    }

    /// `pg_history_t::merge`: raise every field that cannot be computed from the OSDMap to
    /// `other`'s when `other`'s is newer; true if anything changed. The `same_*_since`
    /// fields are not merged (each OSD computes them from its maps).
    pub fn merge(&mut self, other: &PgHistory) -> bool {
        let mut modified = false;
        for (mine, theirs) in [
            (&mut self.epoch_created, other.epoch_created),
            (&mut self.epoch_pool_created, other.epoch_pool_created),
            (&mut self.last_epoch_started, other.last_epoch_started),
            (&mut self.last_interval_started, other.last_interval_started),
            (&mut self.last_epoch_clean, other.last_epoch_clean),
            (&mut self.last_interval_clean, other.last_interval_clean),
            (&mut self.last_epoch_split, other.last_epoch_split),
        ] {
            if *mine < theirs {
                *mine = theirs;
                modified = true;
            }
        }
        modified
    }
}

/// As Ceph prints a `pg_history_t`: `ec=1/1 lis/c=100/100 les/c/f=100/100/0 sis=101`.
impl fmt::Display for PgHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ec={}/{} lis/c={}/{} les/c/f={}/{}/0 sis={}",
            self.epoch_created,
            self.epoch_pool_created,
            self.last_interval_started,
            self.last_interval_clean,
            self.last_epoch_started,
            self.last_epoch_clean,
            self.same_interval_since
        )
    }
}
