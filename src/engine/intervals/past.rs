//! Recording past intervals: `PastIntervals::is_new_interval`,
//! `PastIntervals::check_new_interval`, `pi_compact_rep` (src/osd/osd_types.cc) and the
//! history bookkeeping of `PeeringState::start_peering_interval`.

use super::pgid::{pg_is_merge_source, pg_is_merge_target, pg_is_split};
use super::{osd_vec_string, shards_of, EpochMap, PgHistory, PgShard, CRUSH_ITEM_NONE};
use crate::engine::osdmap::{Epoch, OsdId, PgId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// `PastIntervals::pg_interval_t`: one finished interval `[first, last]` (inclusive), as the
/// PG recorded it, with `reason` explaining `maybe_went_rw` in words (Ceph writes the same
/// explanation to the debug log; the phrases Ceph's tests look for are kept verbatim:
/// "acting set is too small", "includes interval", "presumed to have been rw",
/// "does not include interval").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastInterval {
    pub first: Epoch,
    pub last: Epoch,
    pub up: Vec<OsdId>,
    pub acting: Vec<OsdId>,
    /// The acting primary (-1: none).
    pub primary: OsdId,
    pub up_primary: OsdId,
    /// Could the PG have gone active, and so have accepted writes, in this interval?
    pub maybe_went_rw: bool,
    pub reason: String,
}

impl PastInterval {
    /// `pg_interval_t(up, acting, first, last, maybe_went_rw, primary, up_primary)`, as
    /// Ceph's tests build them (no reason).
    pub fn new(
        up: Vec<OsdId>,
        acting: Vec<OsdId>,
        first: Epoch,
        last: Epoch,
        maybe_went_rw: bool,
        primary: OsdId,
        up_primary: OsdId,
    ) -> Self {
        PastInterval {
            first,
            last,
            up,
            acting,
            primary,
            up_primary,
            maybe_went_rw,
            reason: String::new(),
        }
    }
}

/// `pg_interval_t::fmt_print`: `interval(40-40 up [1](1) acting [1,2](1) maybe_went_rw)`.
impl fmt::Display for PastInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "interval({}-{} up {}({}) acting {}({}){})",
            self.first,
            self.last,
            osd_vec_string(&self.up),
            self.up_primary,
            osd_vec_string(&self.acting),
            self.primary,
            if self.maybe_went_rw {
                " maybe_went_rw"
            } else {
                ""
            }
        )
    }
}

/// `compact_interval_t`: what `pi_compact_rep` keeps of an interval that may have gone rw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactInterval {
    pub first: Epoch,
    pub last: Epoch,
    pub acting: BTreeSet<PgShard>,
}

impl CompactInterval {
    /// `compact_interval_t::supersedes`: every member of `self` is in `other` (so reaching
    /// one member of `self` also reaches one of `other`).
    pub fn supersedes(&self, other: &CompactInterval) -> bool {
        self.acting.iter().all(|s| other.acting.contains(s))
    }
}

/// `PastIntervals`: the intervals since the PG was last clean.
///
/// Ceph (since Luminous) stores only `pi_compact_rep`, because peering asks just two
/// questions of it: which OSDs might hold unfound objects (`all_participants`: every acting
/// member of every interval) and which sets of OSDs must be reached, one member of each, to
/// be sure to meet a witness of every acknowledged write (`intervals`: only those that may
/// have gone rw, and an older one is dropped when a newer one's acting set is a subset of
/// it). That loses the up sets, the primaries, the intervals that could not have gone rw,
/// the older supersets and the order in which members sat in acting; the old
/// `pi_simple_rep` (the map of every `pg_interval_t`) kept them.
///
/// Here both are kept: the compact form, on which [`PriorSet`](super::PriorSet) and every
/// decision is built exactly as in Ceph, and the full list of recorded intervals with their
/// reasons, for display.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastIntervals {
    /// `pi_compact_rep::first`: first epoch covered (0 with `last` 0: empty).
    first: Epoch,
    /// `pi_compact_rep::last`: last epoch covered, inclusive.
    last: Epoch,
    /// `pi_compact_rep::all_participants`.
    all_participants: BTreeSet<PgShard>,
    /// `pi_compact_rep::intervals`, oldest first.
    compact: Vec<CompactInterval>,
    /// Every interval recorded since the last [`clear`](Self::clear), oldest first (not in
    /// Ceph's representation).
    recorded: Vec<PastInterval>,
}

impl PastIntervals {
    pub fn new() -> Self {
        Self::default()
    }

    /// `PastIntervals::add_interval` (`pi_compact_rep::add_interval`).
    pub fn add_interval(&mut self, ec_pool: bool, interval: PastInterval) {
        if self.first == 0 {
            self.first = interval.first;
        }
        debug_assert!(
            interval.last > self.last,
            "pi_compact_rep::add_interval: interval last {} <= last {}",
            interval.last,
            self.last
        );
        self.last = interval.last;
        let acting = shards_of(&interval.acting, ec_pool);
        self.all_participants.extend(acting.iter().copied());
        let maybe_went_rw = interval.maybe_went_rw;
        let (first, last) = (interval.first, interval.last);
        self.recorded.push(interval);
        if !maybe_went_rw {
            return;
        }
        let newest = CompactInterval {
            first,
            last,
            acting,
        };
        self.compact.retain(|older| !newest.supersedes(older));
        self.compact.push(newest);
    }

    /// `PastIntervals::empty` (`pi_compact_rep::empty`).
    pub fn is_empty(&self) -> bool {
        self.first > self.last || (self.first == 0 && self.last == 0)
    }

    /// `PastIntervals::clear`: forget everything (the PG became clean, or a map gap).
    pub fn clear(&mut self) {
        *self = PastIntervals::default();
    }

    /// `PastIntervals::get_bounds`: the epochs covered, `[first, last + 1)`.
    pub fn get_bounds(&self) -> (Epoch, Epoch) {
        (self.first, self.last.saturating_add(1))
    }

    /// `PastIntervals::adjust_start_backwards`.
    pub fn adjust_start_backwards(&mut self, last_epoch_clean: Epoch) {
        self.first = last_epoch_clean;
    }

    /// `PastIntervals::size`: how many intervals the compact form keeps.
    pub fn size(&self) -> usize {
        self.compact.len()
    }

    /// `PastIntervals::get_all_probe`: every shard that was in an acting set.
    pub fn get_all_probe(&self) -> &BTreeSet<PgShard> {
        &self.all_participants
    }

    /// `PastIntervals::get_might_have_unfound`: every past acting shard but `whoami`.
    pub fn get_might_have_unfound(&self, whoami: PgShard) -> BTreeSet<PgShard> {
        let mut set = self.all_participants.clone();
        set.remove(&whoami);
        set
    }

    /// `PastIntervals::iterate_mayberw_back_to(les, f)`: the kept intervals that may have
    /// gone rw, newest first, stopping at the first that ended before `les`.
    pub fn mayberw_back_to(&self, les: Epoch) -> impl Iterator<Item = &CompactInterval> {
        self.compact.iter().rev().take_while(move |i| i.last >= les)
    }

    /// `pi_compact_rep::intervals`, oldest first.
    pub fn compact_intervals(&self) -> &[CompactInterval] {
        &self.compact
    }

    /// Every interval recorded (rw or not), oldest first. Not in Ceph's representation.
    pub fn recorded(&self) -> &[PastInterval] {
        &self.recorded
    }
}

/// `operator<<(PastIntervals)` (`pi_compact_rep::print`):
/// `([101,102] all_participants=[0,1,2] intervals=[([101,102] acting=[0])])`.
impl fmt::Display for PastIntervals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |it: &mut dyn Iterator<Item = String>| it.collect::<Vec<_>>().join(",");
        let intervals = join(&mut self.compact.iter().map(|i| {
            format!(
                "([{},{}] acting={{{}}})",
                i.first,
                i.last,
                join(&mut i.acting.iter().map(PgShard::to_string))
            )
        }));
        write!(
            f,
            "([{},{}] all_participants={{{}}} intervals=[{}])",
            self.first,
            self.last,
            join(&mut self.all_participants.iter().map(PgShard::to_string)),
            intervals
        )
    }
}

fn primary_string(osd: OsdId) -> String {
    if osd < 0 {
        "none".to_string()
    } else {
        format!("osd.{osd}")
    }
}

/// What `PastIntervals::is_new_interval` finds changed between `lastmap` and `osdmap`, in
/// words, in Ceph's order; empty when the interval goes on. A pool absent from `lastmap`
/// never starts an interval ("after pool is deleted there are no more interval changes");
/// a pool deleted in `osdmap` always does (the final one).
pub fn interval_changes(lastmap: &EpochMap, osdmap: &EpochMap, pgid: PgId) -> Vec<String> {
    let Some(plast) = &lastmap.pool else {
        return Vec::new();
    };
    let Some(pi) = &osdmap.pool else {
        return vec!["the pool was deleted (final interval change)".to_string()];
    };
    let mut changes = Vec::new();
    let seed = pgid.seed;
    if lastmap.acting_primary != osdmap.acting_primary {
        changes.push(format!(
            "acting primary {} -> {}",
            primary_string(lastmap.acting_primary),
            primary_string(osdmap.acting_primary)
        ));
    }
    if lastmap.acting != osdmap.acting {
        changes.push(format!(
            "acting {} -> {}",
            osd_vec_string(&lastmap.acting),
            osd_vec_string(&osdmap.acting)
        ));
    }
    if lastmap.up_primary != osdmap.up_primary {
        changes.push(format!(
            "up primary {} -> {}",
            primary_string(lastmap.up_primary),
            primary_string(osdmap.up_primary)
        ));
    }
    if lastmap.up != osdmap.up {
        changes.push(format!(
            "up {} -> {}",
            osd_vec_string(&lastmap.up),
            osd_vec_string(&osdmap.up)
        ));
    }
    if plast.min_size != pi.min_size {
        changes.push(format!("min_size {} -> {}", plast.min_size, pi.min_size));
    }
    if plast.size != pi.size {
        changes.push(format!("size {} -> {}", plast.size, pi.size));
    }
    let (old_num, new_num) = (plast.pg_num, pi.pg_num);
    let (old_pending, new_pending) = (plast.pg_num_pending, pi.pg_num_pending);
    if pg_is_split(seed, old_num, new_num) {
        changes.push(format!("pg_num {old_num} -> {new_num} splits this PG"));
    }
    if pg_is_merge_source(seed, old_pending, new_pending)
        || pg_is_merge_source(seed, new_pending, old_pending)
    {
        changes.push(format!(
            "pg_num_pending {old_pending} -> {new_pending}: pre-merge source (is_merge_source)"
        ));
    }
    if pg_is_merge_source(seed, old_num, new_num) {
        changes.push(format!(
            "pg_num {old_num} -> {new_num} merges this PG into another (merge source)"
        ));
    }
    if pg_is_merge_target(seed, old_pending, new_pending)
        || pg_is_merge_target(seed, new_pending, old_pending)
    {
        changes.push(format!(
            "pg_num_pending {old_pending} -> {new_pending}: pre-merge target (is_merge_target)"
        ));
    }
    if pg_is_merge_target(seed, old_num, new_num) {
        changes.push(format!(
            "pg_num {old_num} -> {new_num} merges another PG into this one (merge target)"
        ));
    }
    changes
}

/// `PastIntervals::is_new_interval(old/new primaries, acting, up, osdmap, lastmap, pgid)`:
/// does `osdmap` start a new interval for the PG? See [`interval_changes`].
pub fn is_new_interval(lastmap: &EpochMap, osdmap: &EpochMap, pgid: PgId) -> bool {
    !interval_changes(lastmap, osdmap, pgid).is_empty()
}

/// `PeeringState::should_restart_peering`: a new interval, or OSD `whoami` (the OSD
/// running the PG) was down in `lastmap` and is up in `osdmap`.
pub fn should_restart_peering(
    lastmap: &EpochMap,
    osdmap: &EpochMap,
    pgid: PgId,
    whoami: OsdId,
) -> bool {
    is_new_interval(lastmap, osdmap, pgid) || (!lastmap.is_up(whoami) && osdmap.is_up(whoami))
}

/// `PastIntervals::check_new_interval`: called with the map `osdmap` that may start a new
/// interval and the one before it, `lastmap`. If [`is_new_interval`], records the interval
/// that ended, `[history.same_interval_since, osdmap.epoch - 1]` with lastmap's up/acting
/// and primaries, into `past_intervals` and returns it; otherwise records nothing and
/// returns `None`.
///
/// `maybe_went_rw` (the reason says which rule decided):
/// * false if the acting set could not have gone active: no member, no primary, fewer
///   members than lastmap's pool `min_size` (lastmap's, not osdmap's: Ceph bug #5780), or
///   the members cannot serve the PG (the pool's recoverable predicate);
/// * true if lastmap's `up_from`/`up_thru` of the primary cover the interval's first epoch
///   (`up_from <= first <= up_thru`): the monitor recorded it alive through the start of
///   the interval, so it may have activated;
/// * true if `last_epoch_clean` falls inside the interval: the PG must have been rw for
///   recovery to complete (and the oldest interval, whose true start is unknown, must not
///   depend on up_thru timing);
/// * false otherwise: the primary never got its up_thru, so it never went active.
pub fn check_new_interval(
    lastmap: &EpochMap,
    osdmap: &EpochMap,
    history: &PgHistory,
    pgid: PgId,
    past_intervals: &mut PastIntervals,
) -> Option<PastInterval> {
    if !is_new_interval(lastmap, osdmap, pgid) {
        return None;
    }
    // is_new_interval is false when lastmap has no pool (Ceph asserts it here).
    let old_pool = lastmap.pool.as_ref()?;
    let first = history.same_interval_since;
    let last = osdmap.epoch.saturating_sub(1);
    debug_assert!(
        first <= last,
        "check_new_interval: first {first} > last {last}"
    );
    let primary = lastmap.acting_primary;
    let num_acting = lastmap
        .acting
        .iter()
        .filter(|&&o| o != CRUSH_ITEM_NONE)
        .count();
    let old_acting_shards = shards_of(&lastmap.acting, old_pool.is_erasure());
    let lec = history.last_epoch_clean;
    let span = format!("{first}-{last}");

    let too_small = if num_acting == 0 {
        Some("acting set is too small: it is empty".to_string())
    } else if primary == -1 {
        Some("acting set is too small: it has no primary".to_string())
    } else if (num_acting as u64) < u64::from(old_pool.min_size) {
        Some(format!(
            "acting set is too small: {num_acting} OSD(s) < min_size {} (of epoch {}), so it \
             could not have gone active",
            old_pool.min_size, lastmap.epoch
        ))
    } else if !old_pool.recoverable(&old_acting_shards) {
        Some(format!(
            "acting set is too small: shards {} could not have served the PG",
            osd_vec_string(&lastmap.acting)
        ))
    } else {
        None
    };

    let (maybe_went_rw, reason) = if let Some(why) = too_small {
        (false, why)
    } else {
        debug_assert!(
            lastmap.exists(primary),
            "check_new_interval: primary osd.{primary} does not exist in epoch {}",
            lastmap.epoch
        );
        let up_thru = lastmap.up_thru(primary);
        let up_from = lastmap.up_from(primary);
        if up_thru >= first && up_from <= first {
            (
                true,
                format!(
                    "primary osd.{primary} up {up_from}-{up_thru} includes interval {span}: \
                     up_thru {up_thru} >= first {first}, so it may have gone active and \
                     accepted writes"
                ),
            )
        } else if lec >= first && lec <= last {
            (
                true,
                format!(
                    "includes last_epoch_clean {lec} and presumed to have been rw (recovery \
                     completed in it), although primary osd.{primary} up \
                     {up_from}-{up_thru} does not cover its start"
                ),
            )
        } else {
            let detail = if up_from > first {
                format!("up_from {up_from} > first {first}")
            } else {
                format!("up_thru {up_thru} < first {first}")
            };
            (
                false,
                format!(
                    "primary osd.{primary} up {up_from}-{up_thru} does not include interval \
                     {span} ({detail}): it never got the up_thru it needs to go active"
                ),
            )
        }
    };

    let interval = PastInterval {
        first,
        last,
        up: lastmap.up.clone(),
        acting: lastmap.acting.clone(),
        primary,
        up_primary: lastmap.up_primary,
        maybe_went_rw,
        reason,
    };
    past_intervals.add_interval(old_pool.is_erasure(), interval.clone());
    Some(interval)
}

/// The history and past-interval bookkeeping of `PeeringState::start_peering_interval` for
/// the map `osdmap` (`lastmap`: the one before it, `None` for the PG's first map):
/// [`check_new_interval`]; on a new interval, clear `past_intervals` on a map gap
/// (`osdmap` is the oldest map the OSD stores and the PG was not clean since) and set
/// `same_interval_since` (and `last_epoch_split` on a split); set `same_up_since` if the up
/// set or up primary changed and `same_primary_since` if the acting primary (shard) did.
///
/// Ceph calls `start_peering_interval` only when [`should_restart_peering`] says so; calling
/// this for every map records the same history, since every change it records is also a
/// new interval. Returns the interval recorded, if any.
pub fn advance_map(
    lastmap: Option<&EpochMap>,
    osdmap: &EpochMap,
    pgid: PgId,
    oldest_stored_map: Epoch,
    history: &mut PgHistory,
    past_intervals: &mut PastIntervals,
) -> Option<PastInterval> {
    let Some(lastmap) = lastmap else {
        // "no lastmap": the PG's first map (its previous up/acting were empty).
        history.same_interval_since = osdmap.epoch;
        history.same_up_since = osdmap.epoch;
        history.same_primary_since = osdmap.epoch;
        return None;
    };
    debug_assert!(history.same_interval_since != 0);
    let recorded = check_new_interval(lastmap, osdmap, history, pgid, past_intervals);
    if recorded.is_some() {
        if osdmap.epoch == oldest_stored_map && history.last_epoch_clean < osdmap.epoch {
            // "map gap, clearing past_intervals and faking": our information is incomplete
            // and useless; someone else was clean after everything we know.
            past_intervals.clear();
        }
        history.same_interval_since = osdmap.epoch;
        if let (Some(old), Some(new)) = (&lastmap.pool, &osdmap.pool) {
            if pg_is_split(pgid.seed, old.pg_num, new.pg_num) {
                history.last_epoch_split = osdmap.epoch;
            }
        }
    }
    if lastmap.up_primary_shard() != osdmap.up_primary_shard() || lastmap.up != osdmap.up {
        history.same_up_since = osdmap.epoch;
    }
    if lastmap.primary_shard() != osdmap.primary_shard() {
        history.same_primary_since = osdmap.epoch;
    }
    recorded
}
