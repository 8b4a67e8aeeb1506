//! Choosing the authoritative log and the acting set: `find_best_info` and `choose_acting`
//! for replicated pools (src/osd/PeeringState.cc @00349925), as pure functions over the
//! infos the primary has gathered. GetLog's entry calls `choose_acting`; its outcome decides
//! between GotLog, a LOG query, NeedActingChange (pg_temp) and IsIncomplete.
//!
//! Every decision is also returned as a sentence, so the browser can show why an OSD was
//! chosen, skipped, made a backfill target or left out.

use crate::engine::osdmap::{Epoch, OsdId};
use crate::engine::pglog::{Eversion, ObjectBound};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What `find_best_info` and `choose_acting` read of one OSD's `pg_info_t`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ShardInfo {
    pub last_update: Eversion,
    pub last_complete: Eversion,
    pub log_tail: Eversion,
    pub last_backfill: ObjectBound,
    /// `info.last_epoch_started` (the OSD's own, "local-les").
    pub last_epoch_started: Epoch,
    /// `info.history.last_epoch_started`.
    pub history_les: Epoch,
    /// `stats.stats.sum.num_objects_missing` (for approx_missing_objects).
    pub num_objects_missing: u64,
    /// `stats.stats.sum.num_bytes`: what the shard stores of the PG (the primary keeps a
    /// peer's as `peer_bytes`, which a backfill reservation request carries).
    #[serde(default)]
    pub num_bytes: u64,
}

impl Default for ShardInfo {
    /// A new, empty PG: no log, complete (last_backfill MAX), never started.
    fn default() -> Self {
        ShardInfo {
            last_update: Eversion::ZERO,
            last_complete: Eversion::ZERO,
            log_tail: Eversion::ZERO,
            last_backfill: ObjectBound::Max,
            last_epoch_started: 0,
            history_les: 0,
            num_objects_missing: 0,
            num_bytes: 0,
        }
    }
}

impl ShardInfo {
    /// `pg_info_t::is_incomplete`: mid-backfill (`last_backfill != MAX`).
    pub fn is_incomplete(&self) -> bool {
        !self.last_backfill.is_max()
    }

    /// `pg_info_t::is_empty`: no log at all.
    pub fn is_empty(&self) -> bool {
        self.last_update == Eversion::ZERO
    }

    fn has_missing(&self) -> bool {
        self.last_complete != self.last_update
    }
}

/// `osd_force_auth_primary_missing_objects` (default 100).
pub const OSD_FORCE_AUTH_PRIMARY_MISSING_OBJECTS: u64 = 100;
/// `osd_async_recovery_min_cost`: an up replica whose approximate missing count exceeds
/// this is recovered outside the acting set (an async recovery target).
pub const OSD_ASYNC_RECOVERY_MIN_COST: u64 = 100;

/// The result of `find_best_info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BestInfo {
    pub auth: Option<OsdId>,
    /// The les every candidate must reach.
    pub max_les: Epoch,
    /// True when that bound came from some OSD's history.les rather than from a complete
    /// info's own les: if no complete info reaches it, the PG is Incomplete and
    /// `ceph pg query` says `peering_blocked_by_history_les_bound`.
    pub history_les_bound: bool,
    pub why: Vec<String>,
}

/// Models `PeeringState::find_best_info` for a replicated pool (newest last_update wins).
pub fn find_best_info(
    infos: &BTreeMap<OsdId, ShardInfo>,
    restrict_to: Option<&BTreeSet<OsdId>>,
    whoami: OsdId,
) -> BestInfo {
    let mut why = Vec::new();
    let mut max_les = 0;
    let mut history_les_bound = false;
    for (osd, i) in infos {
        if i.history_les > max_les {
            max_les = i.history_les;
            history_les_bound = true;
            why.push(format!(
                "osd.{osd}'s history.les {} raises the bound",
                i.history_les
            ));
        }
        if !i.is_incomplete() && i.last_epoch_started > max_les {
            max_les = i.last_epoch_started;
            history_les_bound = false;
            why.push(format!(
                "osd.{osd} is complete with les {}: the bound is now {max_les}",
                i.last_epoch_started
            ));
        }
    }
    let min_last_update_acceptable = infos
        .values()
        .filter(|i| i.last_epoch_started >= max_les)
        .map(|i| i.last_update)
        .min();
    let Some(min_lu) = min_last_update_acceptable else {
        why.push(format!(
            "no OSD reports les >= {max_les}: no authoritative log"
        ));
        return BestInfo {
            auth: None,
            max_les,
            history_les_bound,
            why,
        };
    };
    let mut best: Option<(OsdId, &ShardInfo)> = None;
    for (&osd, i) in infos {
        if restrict_to.is_some_and(|r| !r.contains(&osd)) {
            why.push(format!("osd.{osd} skipped: neither up nor acting"));
            continue;
        }
        if i.last_update < min_lu {
            why.push(format!(
                "osd.{osd} skipped: last_update {} < {min_lu}",
                i.last_update
            ));
            continue;
        }
        if i.last_epoch_started < max_les {
            why.push(format!(
                "osd.{osd} skipped: les {} < {max_les}",
                i.last_epoch_started
            ));
            continue;
        }
        if i.is_incomplete() {
            why.push(format!(
                "osd.{osd} skipped: incomplete (backfilling, last_backfill {})",
                i.last_backfill
            ));
            continue;
        }
        best = Some(match best {
            None => (osd, i),
            Some(b) if prefer(osd, i, b, whoami) => (osd, i),
            Some(b) => b,
        });
    }
    if let Some((osd, i)) = best {
        why.push(format!(
            "osd.{osd} is authoritative: last_update {}, log_tail {}, les {}",
            i.last_update, i.log_tail, i.last_epoch_started
        ));
    } else {
        why.push("no candidate is complete and reaches the bound".into());
    }
    BestInfo {
        auth: best.map(|(o, _)| o),
        max_les,
        history_les_bound,
        why,
    }
}

/// find_best_info's preference between a candidate and the best so far (replicated):
/// newer last_update, then longer log (smaller tail), then no missing, then ourselves.
fn prefer(osd: OsdId, i: &ShardInfo, (best_osd, b): (OsdId, &ShardInfo), whoami: OsdId) -> bool {
    if i.last_update != b.last_update {
        return i.last_update > b.last_update;
    }
    if i.log_tail != b.log_tail {
        return i.log_tail < b.log_tail;
    }
    if i.has_missing() != b.has_missing() {
        return !i.has_missing();
    }
    osd == whoami && best_osd != whoami
}

/// What `choose_acting` decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChooseActing {
    /// No authoritative log. `want_acting` is `up` (and pg_temp is removed) when up and
    /// acting differ (GetLog posts NeedActingChange), else empty (IsIncomplete).
    NoAuth { want_acting: Vec<OsdId> },
    /// The wanted set cannot recover the PG (fewer than min_size): IsIncomplete.
    NotRecoverable { want: Vec<OsdId> },
    /// The wanted acting set differs from the current one: ask the monitor for
    /// `pg_temp` (empty = remove it) and wait (NeedActingChange).
    ChangeActing {
        want_acting: Vec<OsdId>,
        pg_temp: Vec<OsdId>,
    },
    /// The acting set stays; peering continues with `auth`'s log.
    Keep {
        auth: OsdId,
        acting_recovery_backfill: BTreeSet<OsdId>,
        backfill_targets: BTreeSet<OsdId>,
        /// Up OSDs recovered outside the acting set (in acting_recovery_backfill, not in
        /// acting).
        #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
        async_recovery_targets: BTreeSet<OsdId>,
    },
}

/// The PG's view needed by `choose_acting`.
pub struct ActingInputs<'a> {
    pub whoami: OsdId,
    pub up: &'a [OsdId],
    pub acting: &'a [OsdId],
    pub up_primary: OsdId,
    pub pool_size: usize,
    pub min_size: usize,
    /// Every known info, ours included (`peer_info` + `{pg_whoami: info}`).
    pub infos: &'a BTreeMap<OsdId, ShardInfo>,
    /// The primary's `stray_set` (never async recovery targets).
    pub strays: &'a BTreeSet<OsdId>,
    /// `osd_async_recovery_min_cost`.
    pub async_min_cost: u64,
}

/// Models `PeeringState::choose_acting` for a replicated pool (no stretch rules):
/// find_best_info, select_replicated_primary, calc_replicated_acting, recoverable,
/// `choose_async_recovery_replicated`, then compare with the current acting set.
pub fn choose_acting(
    inp: &ActingInputs,
    restrict_to_up_acting: bool,
) -> (ChooseActing, BestInfo, Vec<String>) {
    let restrict: BTreeSet<OsdId> = inp.up.iter().chain(inp.acting).copied().collect();
    let best = find_best_info(
        inp.infos,
        restrict_to_up_acting.then_some(&restrict),
        inp.whoami,
    );
    let mut why = Vec::new();
    let Some(auth) = best.auth else {
        let want_acting = if inp.up != inp.acting {
            why.push("no authoritative log: ask to drop pg_temp so acting = up".into());
            inp.up.to_vec()
        } else {
            Vec::new()
        };
        return (ChooseActing::NoAuth { want_acting }, best, why);
    };
    let auth_info = &inp.infos[&auth];
    let primary = select_replicated_primary(inp, auth, &mut why);
    let primary_info = &inp.infos[&primary];
    let oldest = primary_info.log_tail.min(auth_info.log_tail);
    let (mut want, backfill) =
        calc_replicated_acting(inp, primary, oldest, restrict_to_up_acting, &mut why);
    if want.len() < inp.min_size {
        why.push(format!(
            "want {want:?} has {} OSDs, fewer than min_size {}: not recoverable",
            want.len(),
            inp.min_size
        ));
        return (ChooseActing::NotRecoverable { want }, best, why);
    }
    // calc_replicated_acting's want_acting_backfill: taken before async recovery moves
    // its targets out of want.
    let acting_recovery_backfill: BTreeSet<OsdId> = want.iter().chain(&backfill).copied().collect();
    let async_targets = choose_async_recovery_replicated(inp, auth, &mut want, &mut why);
    want.truncate(inp.pool_size);
    if want != inp.acting {
        let pg_temp = if want == inp.up {
            Vec::new()
        } else {
            want.clone()
        };
        why.push(format!(
            "want {want:?} differs from acting {:?}: request pg_temp {pg_temp:?}",
            inp.acting
        ));
        return (
            ChooseActing::ChangeActing {
                want_acting: want,
                pg_temp,
            },
            best,
            why,
        );
    }
    (
        ChooseActing::Keep {
            auth,
            acting_recovery_backfill,
            backfill_targets: backfill,
            async_recovery_targets: async_targets,
        },
        best,
        why,
    )
}

/// Models `PeeringState::choose_async_recovery_replicated`: each up, non-stray member of
/// `want` costs its approximate missing count (`num_objects_missing` + how far its
/// last_update's version is from the auth's); those above `osd_async_recovery_min_cost`
/// leave `want`, costliest first, while `want` keeps more than min_size members.
fn choose_async_recovery_replicated(
    inp: &ActingInputs,
    auth: OsdId,
    want: &mut Vec<OsdId>,
    why: &mut Vec<String>,
) -> BTreeSet<OsdId> {
    let auth_version = inp.infos[&auth].last_update.version;
    let mut by_cost: Vec<(u64, OsdId)> = want
        .iter()
        .filter(|o| !inp.strays.contains(o) && inp.up.contains(o))
        .filter_map(|&o| {
            let info = inp.infos.get(&o)?;
            let cost = info.num_objects_missing + auth_version.abs_diff(info.last_update.version);
            (cost > inp.async_min_cost).then_some((cost, o))
        })
        .collect();
    // Ceph's set<pair<cost, shard>> walked in reverse: costliest first, then the higher id.
    by_cost.sort_unstable();
    let mut targets = BTreeSet::new();
    for &(cost, osd) in by_cost.iter().rev() {
        if want.len() <= inp.min_size {
            why.push(format!(
                "osd.{osd} (cost {cost}) stays in acting: want is down to min_size {}",
                inp.min_size
            ));
            break;
        }
        want.retain(|&o| o != osd);
        targets.insert(osd);
        why.push(format!(
            "osd.{osd} misses ~{cost} objects (> osd_async_recovery_min_cost {}): async \
             recovery target, recovered outside the acting set",
            inp.async_min_cost
        ));
    }
    targets
}

/// Models `PeeringState::select_replicated_primary`: the up primary if it is complete,
/// its log overlaps the auth log and it is not too far behind; else the auth shard.
fn select_replicated_primary(inp: &ActingInputs, auth: OsdId, why: &mut Vec<String>) -> OsdId {
    let auth_info = &inp.infos[&auth];
    let Some(upi) = inp.infos.get(&inp.up_primary) else {
        why.push(format!(
            "primary: osd.{auth} (the auth shard; the up primary has no info)"
        ));
        return auth;
    };
    let usable =
        !inp.up.is_empty() && !upi.is_incomplete() && upi.last_update >= auth_info.log_tail;
    let approx_missing = upi.num_objects_missing
        + auth_info
            .last_update
            .version
            .abs_diff(upi.last_update.version);
    if usable && approx_missing <= OSD_FORCE_AUTH_PRIMARY_MISSING_OBJECTS {
        why.push(format!(
            "primary: osd.{} (the up primary, usable)",
            inp.up_primary
        ));
        inp.up_primary
    } else {
        why.push(format!(
            "primary: osd.{auth} (the auth shard; up primary osd.{} is {})",
            inp.up_primary,
            if usable {
                "too far behind"
            } else {
                "not usable"
            }
        ));
        auth
    }
}

/// Models `PeeringState::calc_replicated_acting`: the primary, then up members that can
/// be log-recovered (others become backfill targets), then usable acting members, then
/// (unless restricted) usable strays, newest first, until the pool size is reached.
fn calc_replicated_acting(
    inp: &ActingInputs,
    primary: OsdId,
    oldest: Eversion,
    restrict: bool,
    why: &mut Vec<String>,
) -> (Vec<OsdId>, BTreeSet<OsdId>) {
    let usable = |o: OsdId| {
        inp.infos
            .get(&o)
            .is_some_and(|i| !i.is_incomplete() && i.last_update >= oldest)
    };
    let mut want = vec![primary];
    let mut backfill = BTreeSet::new();
    for &o in inp.up.iter().filter(|&&o| o != primary) {
        if usable(o) {
            want.push(o);
        } else {
            why.push(format!(
                "osd.{o} (up) cannot be log-recovered: backfill target"
            ));
            backfill.insert(o);
        }
    }
    let mut extra = |candidates: Vec<OsdId>, want: &mut Vec<OsdId>, what: &str| {
        let mut c: Vec<(Eversion, OsdId)> = candidates
            .into_iter()
            .filter(|o| !want.contains(o) && !backfill.contains(o) && usable(*o))
            .map(|o| (inp.infos[&o].last_update, o))
            .collect();
        c.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, o) in c {
            if want.len() >= inp.pool_size {
                break;
            }
            why.push(format!("osd.{o} ({what}) fills a slot"));
            want.push(o);
        }
    };
    if want.len() < inp.pool_size {
        extra(inp.acting.to_vec(), &mut want, "acting");
    }
    if want.len() < inp.pool_size && !restrict {
        extra(inp.infos.keys().copied().collect(), &mut want, "stray");
    }
    (want, backfill)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(e: u32, v: u64) -> Eversion {
        Eversion::new(e, v)
    }

    fn info(lu: Eversion, tail: Eversion, les: Epoch, complete: bool) -> ShardInfo {
        ShardInfo {
            last_update: lu,
            last_complete: lu,
            log_tail: tail,
            last_backfill: if complete {
                ObjectBound::Max
            } else {
                ObjectBound::Min
            },
            last_epoch_started: les,
            history_les: les,
            num_objects_missing: 0,
            num_bytes: 0,
        }
    }

    /// The example of Ceph PR 5188 (doc/dev/osd_internals/last_epoch_started.rst), from
    /// a real calc_acting log: osd.1 has the newest local les (477) but is mid-backfill;
    /// find_best_info must ignore its les and choose osd.0.
    #[test]
    fn pr5188_an_incomplete_peers_les_is_ignored() {
        // "les/c 473/473": every history.les is 473.
        let with_history = |mut i: ShardInfo| {
            i.history_les = 473;
            i
        };
        let mut infos = BTreeMap::new();
        infos.insert(0, with_history(info(ev(473, 302), ev(292, 200), 473, true)));
        infos.insert(
            1,
            with_history(info(ev(473, 302), ev(293, 202), 477, false)),
        );
        infos.insert(
            5,
            with_history(info(Eversion::ZERO, Eversion::ZERO, 0, true)),
        );
        let best = find_best_info(&infos, None, 0);
        assert_eq!(
            best.max_les, 473,
            "osd.1's 477 does not count: it is incomplete"
        );
        assert_eq!(best.auth, Some(0));
        // The bound came from history.les (osd.0's own les only equals it); it matters
        // only when no auth is found.
        assert!(best.history_les_bound);
    }

    #[test]
    fn history_les_bound_with_no_complete_info_means_no_auth() {
        let mut infos = BTreeMap::new();
        let mut a = info(ev(10, 5), ev(0, 0), 8, true);
        a.history_les = 12; // someone went active at 12 but we only hear from older copies
        infos.insert(0, a);
        infos.insert(1, info(ev(10, 4), ev(0, 0), 8, true));
        let best = find_best_info(&infos, None, 0);
        assert_eq!(best.auth, None);
        assert!(best.history_les_bound);
    }

    #[test]
    fn newest_last_update_then_longer_log_then_me() {
        let mut infos = BTreeMap::new();
        infos.insert(0, info(ev(10, 5), ev(5, 1), 10, true));
        infos.insert(1, info(ev(10, 6), ev(5, 2), 10, true));
        infos.insert(2, info(ev(10, 6), ev(5, 1), 10, true));
        assert_eq!(find_best_info(&infos, None, 0).auth, Some(2));
        infos.insert(2, info(ev(10, 6), ev(5, 2), 10, true));
        assert_eq!(
            find_best_info(&infos, None, 2).auth,
            Some(2),
            "ties prefer me"
        );
        assert_eq!(find_best_info(&infos, None, 0).auth, Some(1));
    }

    fn inputs<'a>(
        infos: &'a BTreeMap<OsdId, ShardInfo>,
        up: &'a [OsdId],
        acting: &'a [OsdId],
    ) -> ActingInputs<'a> {
        ActingInputs {
            whoami: acting[0],
            up,
            acting,
            up_primary: up[0],
            pool_size: 3,
            min_size: 2,
            infos,
            strays: &NO_STRAYS,
            async_min_cost: OSD_ASYNC_RECOVERY_MIN_COST,
        }
    }

    static NO_STRAYS: BTreeSet<OsdId> = BTreeSet::new();

    #[test]
    fn same_acting_keeps_it_and_an_empty_up_member_becomes_a_backfill_target() {
        let mut infos = BTreeMap::new();
        infos.insert(1, info(ev(20, 9), ev(20, 1), 20, true));
        infos.insert(2, info(ev(20, 9), ev(20, 1), 20, true));
        infos.insert(3, info(Eversion::ZERO, Eversion::ZERO, 0, true));
        let up = [3, 1, 2];
        // The up primary osd.3 is empty: not usable, so osd.1 (auth) must lead; want [1,2]
        // with osd.3 to backfill differs from acting [3,1,2] → pg_temp [1,2].
        let (out, _, _) = choose_acting(&inputs(&infos, &up, &up), false);
        assert_eq!(
            out,
            ChooseActing::ChangeActing {
                want_acting: vec![1, 2],
                pg_temp: vec![1, 2]
            }
        );
        // Under pg_temp [1,2] the same infos keep the acting set, osd.3 backfills.
        let acting = [1, 2];
        let inp = ActingInputs {
            whoami: 1,
            ..inputs(&infos, &up, &acting)
        };
        let (out, _, _) = choose_acting(&inp, false);
        assert_eq!(
            out,
            ChooseActing::Keep {
                auth: 1,
                acting_recovery_backfill: [1, 2, 3].into(),
                backfill_targets: [3].into(),
                async_recovery_targets: BTreeSet::new(),
            }
        );
    }

    #[test]
    fn below_min_size_is_not_recoverable() {
        let mut infos = BTreeMap::new();
        infos.insert(1, info(ev(20, 9), ev(20, 1), 20, true));
        let up = [1];
        let (out, _, why) = choose_acting(&inputs(&infos, &up, &up), false);
        assert_eq!(out, ChooseActing::NotRecoverable { want: vec![1] });
        assert!(why.last().unwrap().contains("min_size"));
    }

    /// `choose_async_recovery_replicated`: an up replica behind by more than the minimum
    /// cost leaves want (so a pg_temp is asked for); with it out of acting already, the
    /// acting set stays and it is an async recovery target in acting_recovery_backfill.
    #[test]
    fn a_replica_far_behind_is_recovered_outside_the_acting_set() {
        let mut infos = BTreeMap::new();
        infos.insert(1, info(ev(7, 10), ev(0, 0), 7, true));
        infos.insert(0, info(ev(7, 10), ev(0, 0), 7, true));
        let mut behind = info(ev(2, 2), ev(0, 0), 2, true);
        behind.num_objects_missing = 1;
        infos.insert(2, behind);
        let up = [1, 2, 0];
        let inp = ActingInputs {
            whoami: 1,
            async_min_cost: 4,
            ..inputs(&infos, &up, &up)
        };
        let (out, _, why) = choose_acting(&inp, false);
        assert_eq!(
            out,
            ChooseActing::ChangeActing {
                want_acting: vec![1, 0],
                pg_temp: vec![1, 0],
            }
        );
        assert!(
            why.iter().any(|w| w.contains("osd.2 misses ~9 objects")),
            "{why:?}"
        );
        let acting = [1, 0];
        let inp = ActingInputs {
            acting: &acting,
            ..inp
        };
        let (out, _, _) = choose_acting(&inp, false);
        assert_eq!(
            out,
            ChooseActing::Keep {
                auth: 1,
                acting_recovery_backfill: [0, 1, 2].into(),
                backfill_targets: BTreeSet::new(),
                async_recovery_targets: [2].into(),
            }
        );
        // Ceph's default minimum (100): the same gap is recovered inside the acting set.
        let inp = ActingInputs {
            async_min_cost: OSD_ASYNC_RECOVERY_MIN_COST,
            ..inp
        };
        assert!(matches!(
            choose_acting(&inp, false).0,
            ChooseActing::ChangeActing { want_acting, .. } if want_acting == [1, 2, 0]
        ));
    }

    /// Candidates go costliest first and only while want keeps more than min_size
    /// members; a stray and an OSD outside up are never candidates.
    #[test]
    fn async_recovery_stops_at_min_size_and_skips_strays() {
        let mut infos = BTreeMap::new();
        infos.insert(1, info(ev(7, 20), ev(0, 0), 7, true));
        infos.insert(2, info(ev(7, 12), ev(0, 0), 7, true));
        infos.insert(3, info(ev(7, 5), ev(0, 0), 7, true));
        let up = [1, 2, 3];
        let inp = ActingInputs {
            whoami: 1,
            async_min_cost: 4,
            ..inputs(&infos, &up, &up)
        };
        // osd.3 (cost 15) goes first; want is then down to min_size 2, so osd.2 (cost 8)
        // stays.
        let (out, _, why) = choose_acting(&inp, false);
        assert!(
            matches!(&out, ChooseActing::ChangeActing { want_acting, .. } if *want_acting == [1, 2]),
            "{out:?}"
        );
        assert!(
            why.iter()
                .any(|w| w.contains("osd.2 (cost 8) stays in acting")),
            "{why:?}"
        );
        let strays: BTreeSet<OsdId> = [3].into();
        let inp = ActingInputs {
            strays: &strays,
            ..inp
        };
        let (out, _, _) = choose_acting(&inp, false);
        assert!(
            matches!(&out, ChooseActing::ChangeActing { want_acting, .. } if *want_acting == [1, 3]),
            "{out:?}"
        );
    }
}
