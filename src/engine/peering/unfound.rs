//! Looking for missing objects outside the acting set: the primary asks every OSD that
//! might hold them (`might_have_unfound`) for its whole log and missing set, and a peer
//! whose answer covers an object becomes a recovery source (`missing_loc`) — activated,
//! so that it can be pulled from.
//!
//! In Ceph these are `PeeringState::build_might_have_unfound`, `discover_all_missing` and
//! `search_for_missing`, called from `activate()`, `Active::react(const MNotifyRec&)`,
//! `Active::react(const ActMap&)` and `Active::react(const MLogRec&)`. Where an object can
//! be read from is still computed when recovery runs (`recovery::locations`: any peer
//! whose info and missing set the primary knows and that has it); what this module adds
//! is how the primary comes to know a stray's missing set.

use super::events::{PeerState, PeeringEvent, QueryKind};
use super::logs;
use super::state::{Outgoing, PeeringState};
use crate::engine::intervals::{PgHistory, PgShard};
use crate::engine::pglog::Eversion;
use crate::engine::pgstate::PgState;
use crate::engine::statechart::{Outcome, Posts};

/// Models `PeeringState::build_might_have_unfound` (called by `activate()` when recovery
/// is needed): every OSD of the past intervals since the PG was last clean
/// (`PastIntervals::get_might_have_unfound`), and every peer we have an info from
/// (strays included); never ourselves.
pub fn build_might_have_unfound(ps: &mut PeeringState) {
    let whoami = PgShard {
        osd: ps.whoami,
        shard: None,
    };
    let past = ps.past_intervals.get_might_have_unfound(whoami);
    ps.might_have_unfound = past
        .into_iter()
        .map(|s| s.osd)
        .chain(ps.peer_info.keys().copied())
        .filter(|o| *o != ps.whoami)
        .collect();
}

/// Models `PeeringState::discover_all_missing`: ask each OSD of `might_have_unfound` for
/// its whole log and missing set (pg_query_t FULLLOG) — unless the map shows it down, it
/// was purged, its info says it is empty, or its missing set is known or already asked
/// for. Returns whether a query went out.
pub fn discover_all_missing(ps: &mut PeeringState) -> bool {
    let Some(map) = ps.osdmap.clone() else {
        return false;
    };
    let candidates: Vec<i32> = ps.might_have_unfound.iter().copied().collect();
    let mut any = false;
    for peer in candidates {
        let skip = !map.is_up(peer)
            || ps.peer_purged.contains(&peer)
            || ps.peer_info.get(&peer).is_some_and(|i| i.is_empty())
            || ps.peer_missing.contains_key(&peer)
            || ps.peer_missing_requested.contains(&peer);
        if skip {
            continue;
        }
        ps.peer_missing_requested.insert(peer);
        ps.outbox.push(Outgoing::Query {
            to: peer,
            epoch: ps.epoch,
            kind: QueryKind::FullLog,
        });
        any = true;
    }
    any
}

/// Models the `might_have_unfound` section of `Active::react(const QueryState&)` (`ceph pg
/// <pgid> query`): each OSD with what the primary knows of it — "already probed" (its
/// missing set is known), "querying", "osd is down" or "not queried".
pub fn might_have_unfound_status(ps: &PeeringState) -> Vec<(i32, &'static str)> {
    let up = |o: i32| ps.osdmap.as_ref().is_some_and(|m| m.is_up(o));
    ps.might_have_unfound
        .iter()
        .map(|&o| {
            let status = if ps.peer_missing.contains_key(&o) {
                "already probed"
            } else if ps.peer_missing_requested.contains(&o) {
                "querying"
            } else if !up(o) {
                "osd is down"
            } else {
                "not queried"
            };
            (o, status)
        })
        .collect()
}

/// Whether the primary knows of objects no reachable OSD has (`have_unfound`:
/// `missing_loc.num_unfound() > 0`), as its last recovery turn found them.
pub fn have_unfound(ps: &PeeringState) -> bool {
    !ps.unfound.is_empty()
}

/// Models `PeeringState::search_for_missing` (`MissingLoc::add_source_info`): does `from`
/// hold, at the version needed, an object that we or an acting OSD miss? If so it is a
/// recovery source, and it gets its own info back (MOSDPGInfo), which — as in Ceph —
/// makes a stray activate (`Stray::react(const MInfoRec&)`) so that it serves the pulls.
pub fn search_for_missing(ps: &mut PeeringState, from: i32) -> bool {
    let needed = needs_recovery_map(ps);
    let found = needed
        .iter()
        .any(|(object, need)| super::recovery::has_object(ps, from, object, *need));
    let Some(info) = ps.peer_info.get(&from).cloned() else {
        return false;
    };
    if found && !info.is_empty() {
        // tinfo: the peer's own info; its history merges as a no-op there.
        ps.outbox.push(Outgoing::Info {
            to: from,
            epoch: ps.epoch,
            peer: PeerState {
                info,
                history: PgHistory::default(),
                log: None,
                missing: None,
            },
        });
    }
    found
}

/// `MissingLoc::needs_recovery_map`: every object the primary or an acting OSD (not a
/// backfill target) misses, with the version needed.
fn needs_recovery_map(ps: &PeeringState) -> Vec<(String, Eversion)> {
    let mut needed: Vec<(String, Eversion)> = ps
        .pg_log
        .missing
        .items()
        .iter()
        .map(|(o, i)| (o.clone(), i.need))
        .collect();
    for peer in &ps.acting_recovery_backfill {
        if *peer == ps.whoami || ps.backfill_targets.contains(peer) {
            continue;
        }
        if let Some(m) = ps.peer_missing.get(peer) {
            needed.extend(m.items().iter().map(|(o, i)| (o.clone(), i.need)));
        }
    }
    needed.sort();
    needed.dedup();
    needed
}

/// The primary's part of `activate()` that looks for missing objects: when recovery is
/// needed, build `might_have_unfound` and query its members (`discover_all_missing`).
pub fn on_activate(ps: &mut PeeringState) {
    ps.might_have_unfound.clear();
    if logs::needs_recovery(ps) {
        build_might_have_unfound(ps);
        discover_all_missing(ps);
    }
}

/// Models the part of `PeeringState::Active::react(const MNotifyRec&)` after
/// proc_replica_info: with unfound objects, or degraded and the peer one that might have
/// them, discover_all_missing.
pub fn on_new_peer(ps: &mut PeeringState, from: i32) {
    let degraded = ps.state.has(PgState::DEGRADED);
    if have_unfound(ps) || (degraded && ps.might_have_unfound.contains(&from)) {
        discover_all_missing(ps);
    }
}

/// Models `PeeringState::Active::react(const ActMap&)` (its unfound part): an object may
/// have become unfound, or a holder may be up again: discover_all_missing; forward.
pub fn active_actmap(
    ps: &mut PeeringState,
    _: &PeeringEvent,
    _: &mut Posts<PeeringEvent>,
) -> Outcome {
    if ps.is_primary() && have_unfound(ps) {
        discover_all_missing(ps);
    }
    Outcome::Forward
}

/// Models `PeeringState::Active::react(const MLogRec&)`: a peer's whole log and missing
/// set (the answer to discover_all_missing's query): proc_replica_log, then
/// search_for_missing; if it has something we need and the PG is ACTIVE, DoRecovery.
pub fn active_mlogrec(
    ps: &mut PeeringState,
    ev: &PeeringEvent,
    posts: &mut Posts<PeeringEvent>,
) -> Outcome {
    let PeeringEvent::MLogRec {
        from,
        peer: Some(peer),
        ..
    } = ev
    else {
        return Outcome::Discard;
    };
    logs::proc_replica_log(ps, *from, peer);
    let got_missing = search_for_missing(ps, *from);
    if got_missing && ps.state.has(PgState::ACTIVE) {
        posts.post(PeeringEvent::DoRecovery);
    }
    Outcome::Discard
}
