//! The prior set: `PastIntervals::PriorSet` (its constructor is a template in
//! src/osd/osd_types.h), `PriorSet::affected_by_map` (osd_types.cc) and
//! `PeeringState::build_prior` (PeeringState.cc).

use super::past::PastIntervals;
use super::{osd_vec_string, EpochMap, PgHistory, PgShard, CRUSH_ITEM_NONE};
use crate::engine::osdmap::{Epoch, OsdId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// `PastIntervals::osd_state_t`: an OSD's state now, as the prior set sees it for an
/// interval that started at some epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OsdState {
    Up,
    Down,
    /// Does not exist (any more).
    Dne,
    /// Down, and marked lost after the interval started: not waited for.
    Lost,
}

/// Which part of the prior set a [`WhyNote`] explains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhySet {
    Probe,
    Down,
    BlockedBy,
    /// Not a membership: how the OSD counted for an interval that may have gone rw.
    Note,
}

/// One reason an OSD is where it is in a [`PriorSet`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhyNote {
    pub set: WhySet,
    pub reason: String,
}

/// `PastIntervals::PriorSet`: what the primary must hear from before it can choose an
/// authoritative log (GetInfo).
///
/// * `probe` (`pg query`'s `probing_osds`): the current up and acting shards, and every
///   past acting shard that is up now;
/// * `down` (`down_osds_we_would_probe`): past acting OSDs that are down (or gone) now;
/// * `blocked_by` (`peering_blocked_by`, with each OSD's current `lost_at`): the down OSDs
///   of intervals that may have gone rw and have too few members left to have served
///   them — starting one, or marking it lost, may let peering proceed;
/// * `pg_down`: some such interval exists; the PG is `down`.
///
/// `why` (not in Ceph) explains each OSD's place, for display. Equality is Ceph's
/// `operator==`: `why` is not compared.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PriorSet {
    pub ec_pool: bool,
    pub probe: BTreeSet<PgShard>,
    pub down: BTreeSet<OsdId>,
    pub blocked_by: BTreeMap<OsdId, Epoch>,
    pub pg_down: bool,
    pub why: BTreeMap<OsdId, Vec<WhyNote>>,
}

impl PartialEq for PriorSet {
    /// `PriorSet::operator==`.
    fn eq(&self, rhs: &Self) -> bool {
        self.ec_pool == rhs.ec_pool
            && self.probe == rhs.probe
            && self.down == rhs.down
            && self.blocked_by == rhs.blocked_by
            && self.pg_down == rhs.pg_down
    }
}

impl Eq for PriorSet {}

/// `PriorSet::fmt_print`.
impl fmt::Display for PriorSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let probe: Vec<String> = self.probe.iter().map(PgShard::to_string).collect();
        let down: Vec<String> = self.down.iter().map(i32::to_string).collect();
        let blocked: Vec<String> = self
            .blocked_by
            .iter()
            .map(|(o, l)| format!("{o}={l}"))
            .collect();
        write!(
            f,
            "PriorSet(ec_pool: {}, probe: {{{}}}, down: {{{}}}, blocked_by: {{{}}}, pg_down: {})",
            self.ec_pool,
            probe.join(","),
            down.join(","),
            blocked.join(","),
            self.pg_down
        )
    }
}

fn shard_at(osd: OsdId, i: usize, ec_pool: bool) -> PgShard {
    if ec_pool {
        PgShard::ec(osd, u8::try_from(i).unwrap_or(u8::MAX))
    } else {
        PgShard::new(osd)
    }
}

fn set_string(set: &BTreeSet<PgShard>) -> String {
    let items: Vec<String> = set.iter().map(PgShard::to_string).collect();
    format!("{{{}}}", items.join(","))
}

impl PriorSet {
    /// The `PriorSet(ec_pool, probe, down, blocked_by, pg_down, pcontdec)` constructor
    /// Ceph's tests use to state the expected result.
    pub fn from_parts(
        ec_pool: bool,
        probe: BTreeSet<PgShard>,
        down: BTreeSet<OsdId>,
        blocked_by: BTreeMap<OsdId, Epoch>,
        pg_down: bool,
    ) -> Self {
        PriorSet {
            ec_pool,
            probe,
            down,
            blocked_by,
            pg_down,
            why: BTreeMap::new(),
        }
    }

    fn note(&mut self, osd: OsdId, set: WhySet, reason: String) {
        self.why
            .entry(osd)
            .or_default()
            .push(WhyNote { set, reason });
    }

    /// `PastIntervals::PriorSet::PriorSet(past_intervals, ec_pool, last_epoch_started,
    /// pcontdec, f, up, acting)` (reached through `PastIntervals::get_prior_set`).
    ///
    /// `recoverable` is the pool's `IsPGRecoverablePredicate`; `osd_state(start, osd)` gives
    /// an OSD's state for an interval that started at `start`, and its current `lost_at`
    /// (0 if it does not exist) — `build_prior` passes [`osd_state_at`].
    pub fn new<R, F>(
        past_intervals: &PastIntervals,
        ec_pool: bool,
        last_epoch_started: Epoch,
        recoverable: R,
        osd_state: F,
        up: &[OsdId],
        acting: &[OsdId],
    ) -> PriorSet
    where
        R: Fn(&BTreeSet<PgShard>) -> bool,
        F: Fn(Epoch, OsdId) -> (OsdState, Epoch),
    {
        let mut ps = PriorSet {
            ec_pool,
            ..PriorSet::default()
        };
        // Current acting and up: not because they may hold old data, but so that their
        // infos inform choose_acting().
        for (set_name, v) in [("acting", acting), ("up", up)] {
            for (i, &o) in v.iter().enumerate() {
                if o != CRUSH_ITEM_NONE {
                    ps.probe.insert(shard_at(o, i, ec_pool));
                    ps.note(
                        o,
                        WhySet::Probe,
                        format!("in the current {set_name} set {}", osd_vec_string(v)),
                    );
                }
            }
        }

        for &s in past_intervals.get_all_probe() {
            let (state, lost_at) = osd_state(0, s.osd);
            match state {
                OsdState::Up => {
                    ps.probe.insert(s);
                    ps.note(
                        s.osd,
                        WhySet::Probe,
                        format!(
                            "osd.{s} was in a past acting set and is up: it may hold data \
                             or a newer log"
                        ),
                    );
                }
                OsdState::Dne => {
                    ps.down.insert(s.osd);
                    ps.note(
                        s.osd,
                        WhySet::Down,
                        format!("osd.{s} was in a past acting set and no longer exists"),
                    );
                }
                OsdState::Lost | OsdState::Down => {
                    ps.down.insert(s.osd);
                    let lost = if lost_at > 0 {
                        format!(" (marked lost in epoch {lost_at})")
                    } else {
                        String::new()
                    };
                    ps.note(
                        s.osd,
                        WhySet::Down,
                        format!("osd.{s} was in a past acting set and is down now{lost}"),
                    );
                }
            }
        }

        let rw_intervals: Vec<_> = past_intervals
            .mayberw_back_to(last_epoch_started)
            .cloned()
            .collect();
        for interval in rw_intervals {
            let span = format!(
                "{}-{} (acting {})",
                interval.first,
                interval.last,
                set_string(&interval.acting)
            );
            // Each candidate is up, down (but potentially interesting), or lost (down,
            // but not waited for).
            let mut up_now = BTreeSet::new();
            let mut candidate_blocked_by: BTreeMap<OsdId, Epoch> = BTreeMap::new();
            let mut any_down_now = false;
            let mut notes = Vec::new();
            for &so in &interval.acting {
                let (state, lost_at) = osd_state(interval.first, so.osd);
                match state {
                    OsdState::Up => {
                        up_now.insert(so);
                    }
                    OsdState::Dne => notes.push((
                        so.osd,
                        format!(
                            "no longer exists: not waited for in interval {span}, which may \
                             have gone rw"
                        ),
                    )),
                    OsdState::Lost => {
                        up_now.insert(so);
                        notes.push((
                            so.osd,
                            format!(
                                "down but marked lost in epoch {lost_at}, after interval {span} \
                                 started: counted as not blocking it"
                            ),
                        ));
                    }
                    OsdState::Down => {
                        candidate_blocked_by.insert(so.osd, lost_at);
                        any_down_now = true;
                    }
                }
            }

            // If not enough OSDs survived an interval that may have gone rw, wait for one
            // of its down OSDs to come back so that no acknowledged write is lost.
            if !recoverable(&up_now) && any_down_now {
                debug_assert!(!candidate_blocked_by.is_empty());
                ps.pg_down = true;
                let left = if up_now.is_empty() {
                    "none of its members is up (or lost)".to_string()
                } else {
                    format!(
                        "only {} is up (or lost), too few to have served it",
                        set_string(&up_now)
                    )
                };
                for (&osd, &lost_at) in &candidate_blocked_by {
                    ps.blocked_by.entry(osd).or_insert(lost_at);
                    ps.note(
                        osd,
                        WhySet::BlockedBy,
                        format!(
                            "down, and interval {span} may have gone rw but {left}: peering \
                             waits for this OSD — start it, or mark it lost (lost_at {lost_at})"
                        ),
                    );
                }
            } else {
                for &osd in candidate_blocked_by.keys() {
                    notes.push((
                        osd,
                        format!(
                            "down, but interval {span}, which may have gone rw, is covered by \
                             {} (up or lost)",
                            set_string(&up_now)
                        ),
                    ));
                }
            }
            for (osd, reason) in notes {
                ps.note(osd, WhySet::Note, reason);
            }
        }
        ps
    }

    /// `PriorSet::affected_by_map`: does `map` change what this prior set would be, so
    /// that peering must restart? See [`affected_by_map_reason`](Self::affected_by_map_reason).
    pub fn affected_by_map(&self, map: &EpochMap) -> bool {
        self.affected_by_map_reason(map).is_some()
    }

    /// `PriorSet::affected_by_map`, with the reason Ceph logs: a probed OSD went down (and
    /// is not already in `down`); a blocking OSD no longer exists or was (re)marked lost;
    /// a `down` OSD came up or no longer exists.
    pub fn affected_by_map_reason(&self, map: &EpochMap) -> Option<String> {
        for p in &self.probe {
            let o = p.osd;
            // did someone in the prior set go down?
            if !map.is_up(o) && !self.down.contains(&o) {
                return Some(format!("osd.{o} now down"));
            }
            // did a down osd in cur get (re)marked as lost?
            if let Some(&lost_at) = self.blocked_by.get(&o) {
                match map.info(o) {
                    None => return Some(format!("osd.{o} no longer exists")),
                    Some(info) if info.lost_at != lost_at => {
                        return Some(format!("osd.{o} (re)marked as lost"))
                    }
                    Some(_) => {}
                }
            }
        }
        for &o in &self.down {
            // did someone in the prior down set go up?
            if map.is_up(o) {
                return Some(format!("osd.{o} now up"));
            }
            // did someone in the prior set get lost or destroyed?
            let Some(info) = map.info(o) else {
                return Some(format!("osd.{o} no longer exists"));
            };
            // did a down osd in down get (re)marked as lost?
            if let Some(&lost_at) = self.blocked_by.get(&o) {
                if info.lost_at != lost_at {
                    return Some(format!("osd.{o} (re)marked as lost"));
                }
            }
        }
        None
    }
}

/// The OSD state function `PeeringState::build_prior` hands the prior set: `Up` if up in
/// `map`; else `Dne` if it does not exist; else `Lost` if its `lost_at` is after `start`;
/// else `Down`. Also returns its `lost_at` (0 if it does not exist).
pub fn osd_state_at(map: &EpochMap, start: Epoch, osd: OsdId) -> (OsdState, Epoch) {
    let info = map.info(osd);
    let lost_at = info.map_or(0, |i| i.lost_at);
    let state = if map.is_up(osd) {
        OsdState::Up
    } else if info.is_none() {
        OsdState::Dne
    } else if lost_at > start {
        OsdState::Lost
    } else {
        OsdState::Down
    };
    (state, lost_at)
}

/// `PeeringState::build_prior` on the primary, with the current map `map` (its up and
/// acting are the PG's) and the PG's (merged) history: the prior set from
/// `past_intervals` back to `history.last_epoch_started`, with the pool's recoverable
/// predicate and [`osd_state_at`]. (Ceph then sets the PG's DOWN bit if `pg_down`, sets
/// `need_up_thru` — see [`need_up_thru`] — and makes `probe` the heartbeat probe targets;
/// it also asserts that its history's les is at least every peer's, which the caller must
/// ensure by merging peer histories first.)
pub fn build_prior(
    map: &EpochMap,
    history: &PgHistory,
    past_intervals: &PastIntervals,
) -> PriorSet {
    let ec_pool = map.pool.as_ref().is_some_and(|p| p.is_erasure());
    let pool = map.pool.clone();
    let recoverable = move |have: &BTreeSet<PgShard>| match &pool {
        Some(p) => p.recoverable(have),
        None => !have.is_empty(),
    };
    let mut prior = PriorSet::new(
        past_intervals,
        ec_pool,
        history.last_epoch_started,
        recoverable,
        |start, osd| osd_state_at(map, start, osd),
        &map.up,
        &map.acting,
    );
    let down_osds: BTreeSet<OsdId> = prior
        .down
        .iter()
        .chain(prior.blocked_by.keys())
        .copied()
        .collect();
    for osd in down_osds {
        if let Some(info) = map.info(osd) {
            if !info.up && info.down_at > 0 {
                prior.note(
                    osd,
                    WhySet::Note,
                    format!("marked down in epoch {}", info.down_at),
                );
            }
        }
    }
    prior
}

/// The `need_up_thru` decision of `PeeringState::build_prior` (and
/// `adjust_need_up_thru`): the primary `whoami` must have the monitor record it alive
/// through the start of the current interval before it may activate — true while `map`'s
/// `up_thru[whoami]` is below `history.same_interval_since`.
pub fn need_up_thru(map: &EpochMap, whoami: OsdId, history: &PgHistory) -> bool {
    map.up_thru(whoami) < history.same_interval_since
}
