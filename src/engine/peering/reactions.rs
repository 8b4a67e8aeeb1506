//! The reaction functions of the PeeringMachine: entry/exit actions and custom reactions,
//! each named after the Ceph function it models (`PeeringState::GetInfo::GetInfo` is
//! `getinfo_entry`, `PeeringState::Started::react(const AdvMap&)` is `started_advmap`).
//!
//! Foundation stage: the structure is complete and every reaction returns only outcomes
//! its Ceph counterpart can return; the peering logic behind the conditions (prior set,
//! choose_acting, log merge, reservations) arrives with the peering, pg_log and recovery
//! work. Until then the conditional reactions take their "nothing changed" branch.

use super::chart::S;
use super::events::{PeeringEvent, QueryKind};
use super::state::{Outgoing, PeeringState};
use crate::engine::pgstate::PgState;
use crate::engine::statechart::{Outcome, Posts};

pub use super::flow::*;
pub use super::recovery::*;

type P = Posts<PeeringEvent>;

/// boost::statechart `discard_event()`.
pub fn discard(_: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    Outcome::Discard
}

/// boost::statechart `forward_event()`.
pub fn forward(_: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    Outcome::Forward
}

/// Models `PeeringState::Crashed::Crashed`: Ceph asserts ("we got a bad state machine
/// event"); the simulation marks the PG crashed so tests can fail loudly.
pub fn crashed_entry(ps: &mut PeeringState, _: &mut P) {
    ps.crashed = true;
}

/// Models `PeeringState::Reset::Reset` (`set_last_peering_reset`): messages from before
/// this epoch are stale from now on.
pub fn reset_entry(ps: &mut PeeringState, _: &mut P) {
    ps.last_peering_reset = ps.epoch;
}

/// Models `PeeringState::Start::Start`: post MakePrimary if this OSD is the acting
/// primary, else MakeStray.
pub fn start_entry(ps: &mut PeeringState, posts: &mut P) {
    if ps.is_primary() {
        posts.post(PeeringEvent::MakePrimary);
    } else {
        posts.post(PeeringEvent::MakeStray);
    }
}

/// Models `PeeringState::Stray::Stray`: a stray whose pool the map no longer has posts
/// DeleteStart ("pool is deleted"); otherwise Ceph starts a flush (not modelled). A
/// machine driven without a map has a pool.
pub fn stray_entry(ps: &mut PeeringState, posts: &mut P) {
    if ps.osdmap.as_ref().is_some_and(|m| m.pool.is_none()) {
        posts.post(PeeringEvent::DeleteStart);
    }
}

/// Models `PeeringState::Peering::Peering`: set PG_STATE_PEERING. (A primary that peers
/// holds the PG: see `PeeringState::exists_on_osd`.)
pub fn peering_entry(ps: &mut PeeringState, _: &mut P) {
    ps.state.set(PgState::PEERING);
    ps.exists_on_osd = true;
}

/// Models `PeeringState::Peering::exit`: clear PG_STATE_PEERING (and the probe targets).
pub fn peering_exit(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::PEERING);
}

/// Models `PeeringState::GetInfo::GetInfo`: `build_prior` (DOWN if pg_down; need_up_thru),
/// then `get_infos` (an INFO query to every up OSD of the prior set whose info we lack),
/// then IsDown if the prior set says pg_down, else GotInfo if nobody needs asking.
/// Without a map (a machine driven on its own) there is no prior set to build.
pub fn getinfo_entry(ps: &mut PeeringState, posts: &mut P) {
    let Some(map) = ps.osdmap.clone() else { return };
    let prior = crate::engine::intervals::build_prior(&map, &ps.history, &ps.past_intervals);
    if prior.pg_down {
        ps.state.set(PgState::DOWN);
    }
    ps.need_up_thru = crate::engine::intervals::need_up_thru(&map, ps.whoami, &ps.history);
    get_infos(ps, &map, &prior);
    let pg_down = prior.pg_down;
    ps.prior_set = Some(prior);
    if pg_down {
        posts.post(PeeringEvent::IsDown);
    } else if ps.peer_info_requested.is_empty() {
        posts.post(PeeringEvent::GotInfo);
    }
}

/// Models `PeeringState::GetInfo::get_infos`: an INFO query to every up OSD of the prior
/// set we have no info from (one we have is not asked again); `blocked_by` is whom we
/// wait for.
pub fn get_infos(
    ps: &mut PeeringState,
    map: &crate::engine::intervals::EpochMap,
    prior: &crate::engine::intervals::PriorSet,
) {
    ps.blocked_by.clear();
    for peer in prior.probe.iter().map(|s| s.osd) {
        if peer == ps.whoami || ps.peer_info.contains_key(&peer) {
            continue;
        }
        if ps.peer_info_requested.contains(&peer) {
            ps.blocked_by.insert(peer);
        } else if map.is_up(peer) {
            ps.outbox.push(Outgoing::Query {
                to: peer,
                epoch: ps.epoch,
                kind: QueryKind::Info,
            });
            ps.peer_info_requested.insert(peer);
            ps.blocked_by.insert(peer);
        }
    }
}

/// Models `PeeringState::GetInfo::exit` (`peer_info_requested` is a GetInfo member in
/// Ceph: it goes with the state).
pub fn getinfo_exit(ps: &mut PeeringState, _: &mut P) {
    ps.blocked_by.clear();
    ps.peer_info_requested.clear();
}

/// Models `PeeringState::Down::Down`: PEERING off, DOWN on, blocked by the prior set's
/// down OSDs.
pub fn down_entry(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::PEERING);
    ps.state.set(PgState::DOWN);
    if let Some(prior) = &ps.prior_set {
        ps.blocked_by = prior.down.clone();
    }
}

/// Models `PeeringState::Down::exit`.
pub fn down_exit(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::DOWN);
    ps.blocked_by.clear();
}

/// Models `PeeringState::Incomplete::Incomplete`: PEERING off, INCOMPLETE on.
pub fn incomplete_entry(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::PEERING);
    ps.state.set(PgState::INCOMPLETE);
}

/// Models `PeeringState::Incomplete::exit`.
pub fn incomplete_exit(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::INCOMPLETE);
}

/// Models `PeeringState::Active::exit`: `cancel_local_background_io_reservation`, and
/// clears the Active-only bits.
pub fn active_exit(ps: &mut PeeringState, _: &mut P) {
    ps.outbox.push(Outgoing::CancelReservation {
        which: crate::engine::reserver::Which::Local,
    });
    for bit in [
        PgState::ACTIVATING,
        PgState::DEGRADED,
        PgState::UNDERSIZED,
        PgState::BACKFILL_TOOFULL,
        PgState::BACKFILL_WAIT,
        PgState::RECOVERY_WAIT,
        PgState::RECOVERY_TOOFULL,
    ] {
        ps.state.clear(bit);
    }
}

/// Models `PeeringState::Clean::exit`.
pub fn clean_exit(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::CLEAN);
}

/// Models `PeeringState::should_restart_peering`: a new interval
/// (`PastIntervals::is_new_interval` between the last and the new map), or this OSD went
/// from down to up. Without maps (a machine driven on its own) only the up/acting sets and
/// primaries carried by the AdvMap are compared.
fn should_restart_peering(ps: &PeeringState, ev: &PeeringEvent) -> bool {
    if let (Some(last), Some(new)) = (&ps.lastmap, &ps.osdmap) {
        return crate::engine::intervals::should_restart_peering(last, new, ps.pgid, ps.whoami);
    }
    match ev {
        PeeringEvent::AdvMap {
            up,
            acting,
            up_primary,
            acting_primary,
            ..
        } => {
            *up != ps.up
                || *acting != ps.acting
                || *up_primary != ps.up_primary
                || *acting_primary != ps.acting_primary
        }
        _ => false,
    }
}

/// Models `PeeringState::start_peering_interval`: adopt the new up/acting sets and
/// primaries, record the interval that ended in past_intervals and update the history's
/// `same_*_since` (PastIntervals::check_new_interval), and reset the peering epoch
/// (`set_last_peering_reset`).
fn adopt_map(ps: &mut PeeringState, ev: &PeeringEvent) {
    if let PeeringEvent::AdvMap {
        epoch,
        up,
        acting,
        up_primary,
        acting_primary,
    } = ev
    {
        ps.epoch = *epoch;
        ps.up = up.clone();
        ps.acting = acting.clone();
        ps.up_primary = *up_primary;
        ps.acting_primary = *acting_primary;
        ps.last_peering_reset = *epoch;
        // "should we tell the primary we are here?"
        ps.send_notify = !ps.is_primary();
        // "This will now be remapped during a backfill in cases that it would not have
        // been before."
        if ps.up != ps.acting {
            ps.state.set(PgState::REMAPPED);
        } else {
            ps.state.clear(PgState::REMAPPED);
        }
        // clear_primary_state: nothing learned in the old interval is trusted.
        ps.stray_set.clear();
        ps.might_have_unfound.clear();
        ps.history_les_bound = false;
        // start_peering_interval: strays are purged afresh in each interval.
        ps.peer_purged.clear();
        ps.prior_set = None;
        ps.need_up_thru = false;
        ps.blocked_by.clear();
        ps.peer_info.clear();
        ps.peer_missing_requested.clear();
        ps.want_acting.clear();
        ps.auth_log_shard = None;
        ps.acting_recovery_backfill.clear();
        ps.backfill_targets.clear();
        ps.async_recovery_targets.clear();
        ps.peer_activated.clear();
        ps.all_replicas_activated = false;
        ps.activate_committed = false;
        ps.peer_missing.clear();
        ps.master_log = None;
        ps.merges.clear();
        // PrimaryLogPG::on_change: in-flight and queued client ops.
        super::io::on_change(ps);
        super::recovery::clear_recovery_state(ps);
        for bit in [
            PgState::ACTIVE,
            PgState::PEERED,
            PgState::DOWN,
            PgState::RECOVERY_WAIT,
            PgState::RECOVERY_TOOFULL,
            PgState::RECOVERING,
            PgState::BACKFILLING,
            PgState::RECOVERY_UNFOUND,
            PgState::BACKFILL_UNFOUND,
        ] {
            ps.state.clear(bit);
        }
        if let Some(new) = ps.osdmap.clone() {
            crate::engine::intervals::advance_map(
                ps.lastmap.as_deref(),
                &new,
                ps.pgid,
                1,
                &mut ps.history,
                &mut ps.past_intervals,
            );
        }
    }
}

/// Models `PeeringState::Reset::react(const AdvMap&)`: start_peering_interval if the map
/// starts a new interval; remove_down_peer_info; discard.
pub fn reset_advmap(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if should_restart_peering(ps, ev) {
        adopt_map(ps, ev);
    }
    remove_down_peer_info(ps);
    Outcome::Discard
}

/// Models `PeeringState::remove_down_peer_info`: forget what we learned from peers the
/// new map shows down (their info, missing set, outstanding requests), so a stray that
/// comes back is heard again (Active::react(MNotifyRec) ignores peers it has info from).
pub fn remove_down_peer_info(ps: &mut PeeringState) {
    let Some(map) = ps.osdmap.clone() else { return };
    let down: Vec<_> = ps
        .peer_info
        .keys()
        .copied()
        .filter(|o| !map.is_up(*o))
        .collect();
    for o in down {
        ps.peer_info.remove(&o);
        ps.peer_missing.remove(&o);
        ps.peer_missing_requested.remove(&o);
    }
    // "Remove any downed osds from peer_purged so we can re-purge if necessary."
    ps.peer_purged.retain(|o| map.is_up(*o));
}

/// Models `PeeringState::Reset::react(const ActMap&)`: if `should_send_notify()` and
/// there is a primary, send it our info unasked (MOSDPGNotify); always → Started.
pub fn reset_actmap(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    send_pending_notify(ps);
    Outcome::Transit(S::Started.id())
}

/// Models `PeeringState::Stray::react(const ActMap&)` and
/// `PeeringState::ReplicaActive::react(const ActMap&)`: the pending notify goes out again
/// with every new map until `activate()` clears `send_notify`; discard.
pub fn notify_actmap(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    send_pending_notify(ps);
    Outcome::Discard
}

/// `send_notify(get_primary().osd, pg_notify_t(epoch, epoch, info, past_intervals))`
/// when `should_send_notify() && get_primary().osd >= 0`.
fn send_pending_notify(ps: &mut PeeringState) {
    if ps.should_send_notify() {
        ps.outbox.push(Outgoing::Notify {
            to: ps.acting_primary,
            epoch: ps.epoch,
            peer: ps.peer_state(),
        });
    }
}

/// Models `PeeringState::Started::react(const AdvMap&)`: a new interval re-posts the
/// AdvMap for Reset to process and moves to Reset; otherwise remove_down_peer_info and
/// discard.
pub fn started_advmap(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    if should_restart_peering(ps, ev) {
        posts.post(ev.clone());
        Outcome::Transit(S::Reset.id())
    } else {
        if let PeeringEvent::AdvMap { epoch, .. } = ev {
            ps.epoch = *epoch;
        }
        remove_down_peer_info(ps);
        Outcome::Discard
    }
}

/// Models `PeeringState::Peering::react(const AdvMap&)`: if the new map affects the prior
/// set (a probed OSD went down, a down one came up or was marked lost…) re-post the AdvMap
/// and Reset; else `adjust_need_up_thru` and forward (Started checks for a new interval).
pub fn peering_advmap(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    let Some(map) = ps.osdmap.clone() else {
        return Outcome::Forward;
    };
    if ps
        .prior_set
        .as_ref()
        .is_some_and(|p| p.affected_by_map(&map))
    {
        posts.post(ev.clone());
        return Outcome::Transit(S::Reset.id());
    }
    if ps.need_up_thru && map.up_thru(ps.whoami) >= ps.history.same_interval_since {
        ps.need_up_thru = false;
    }
    Outcome::Forward
}

/// Models `PeeringState::Incomplete::react(const AdvMap&)`.
pub fn incomplete_advmap(_: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    Outcome::Forward
}

/// Models `PeeringState::Recovered::react(const AllReplicasActivated&)`: post GoClean,
/// forward.
pub fn recovered_allreplicasactivated(
    _: &mut PeeringState,
    _: &PeeringEvent,
    posts: &mut P,
) -> Outcome {
    posts.post(PeeringEvent::GoClean);
    Outcome::Forward
}

/// Models `PeeringState::ToDelete::react(const ActMap&)`: re-enter ToDelete (and ask
/// for the reservation again) when the delete priority changed; else discard.
pub fn todelete_actmap(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    if super::delete::delete_priority(ps) != ps.delete_priority {
        return Outcome::Transit(S::ToDelete.id());
    }
    Outcome::Discard
}

/// Models `PeeringState::Deleting::react(const DeleteSome&)` with `PG::do_delete_work`:
/// a batch deleted (discard, another DeleteSome follows), or nothing left: terminate,
/// and the OSD removes the PG.
pub fn deleting_deletesome(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    if super::delete::do_delete_work(ps) {
        Outcome::Discard
    } else {
        Outcome::Terminate
    }
}
