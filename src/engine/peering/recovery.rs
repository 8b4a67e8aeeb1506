//! Recovery and backfill: the reservation states of the Active and ReplicaActive
//! sub-machines (src/osd/PeeringState.cc), the priorities they reserve with
//! (`get_recovery_priority` / `get_backfill_priority`), what MRecoveryReserve and
//! MBackfillReserve map to (`get_event`), and the recovery ops of PrimaryLogPG
//! (`start_recovery_ops` → `recover_primary`, `recover_replicas`, `recover_backfill`, with
//! ReplicatedBackend's pull / push / push reply). Every function names what it models.
//!
//! Simplified: one object per pull/push; a pull goes to the lowest-numbered OSD that has
//! the object (Ceph picks among `missing_loc`'s locations); writes to a degraded object
//! wait for recovery in order (Ceph recovers such an object first: `maybe_kick_recovery`);
//! `last_complete` jumps to `last_update` when nothing is missing any more (Ceph advances
//! it object by object); backfill pushes every object of the primary in name order from
//! the target's last_backfill (no MOSDPGScan; a backfill target starting from MIN has
//! its store emptied when it activates, where Ceph removes the extras as the scan finds
//! them).

use super::chart::S;
use super::events::{Epoch, OsdId, PeeringEvent};
use super::state::{Outgoing, PeeringState, ReserveOp};
use crate::engine::pglog::{Eversion, LogEntry, Missing, ObjectBound, Op};
use crate::engine::pgstate::PgState;
use crate::engine::reserver::{self, Which};
use crate::engine::statechart::{Outcome, Posts};
use std::collections::BTreeSet;

type P = Posts<PeeringEvent>;

/// `osd_recovery_max_active`: recovery ops in flight per OSD, shared by the PGs it is
/// primary for (`OSDService::_recover_now`). Current Ceph's default is 0, meaning
/// `osd_recovery_max_active_hdd` (3) or `_ssd` (10) by the OSD's device; this models an
/// HDD OSD.
pub const OSD_RECOVERY_MAX_ACTIVE: usize = 3;
/// `osd_recovery_retry_interval` (30 s).
pub const OSD_RECOVERY_RETRY_INTERVAL_MS: u64 = 30_000;
/// `osd_backfill_retry_interval` (30 s).
pub const OSD_BACKFILL_RETRY_INTERVAL_MS: u64 = 30_000;
/// The size every object has here (4 MiB, RBD's default object size).
pub const OBJECT_BYTES: u64 = 4 << 20;

// ---------------------------------------------------------------- priorities

/// Models `PeeringState::get_recovery_priority`: OSD_RECOVERY_PRIORITY_FORCED (255) when
/// FORCED_RECOVERY is set; else 180, or 220 + (min_size − shards without missing) when
/// degraded below min_size; then the pool's recovery_priority (0 here: no pool option)
/// via `clamp_recovery_priority`.
pub fn get_recovery_priority(ps: &PeeringState) -> u32 {
    if ps.state.has(PgState::FORCED_RECOVERY) {
        return reserver::OSD_RECOVERY_PRIORITY_FORCED as u32;
    }
    let (_, min_size) = ps.pool_sizes();
    let mut base = reserver::OSD_RECOVERY_PRIORITY_BASE;
    let mut ret = base;
    let avail_no_missing = ps
        .acting
        .iter()
        .filter(|o| {
            if **o == ps.whoami {
                !ps.pg_log.missing.have_missing()
            } else {
                !ps.peer_missing.get(o).is_some_and(Missing::have_missing)
            }
        })
        .count();
    if ps.state.has(PgState::DEGRADED) && avail_no_missing < min_size {
        base = reserver::OSD_RECOVERY_INACTIVE_PRIORITY_BASE;
        ret = base + (min_size - avail_no_missing) as i64;
    }
    reserver::clamp_recovery_priority(ret, 0, reserver::max_prio_for(base)) as u32
}

/// Models `PeeringState::get_backfill_priority`: OSD_BACKFILL_PRIORITY_FORCED (254) when
/// FORCED_BACKFILL is set; else 220 + (min_size − acting) below min_size, 140 + (size −
/// acting) when undersized, 140 when degraded, else 100; then `clamp_recovery_priority`
/// with the pool's recovery_priority (0).
pub fn get_backfill_priority(ps: &PeeringState) -> u32 {
    if ps.state.has(PgState::FORCED_BACKFILL) {
        return reserver::OSD_BACKFILL_PRIORITY_FORCED as u32;
    }
    let (size, min_size) = ps.pool_sizes();
    let acting = ps.acting.len();
    let (base, ret) = if acting < min_size {
        let b = reserver::OSD_BACKFILL_INACTIVE_PRIORITY_BASE;
        (b, b + (min_size - acting) as i64)
    } else if ps.state.has(PgState::UNDERSIZED) {
        let b = reserver::OSD_BACKFILL_DEGRADED_PRIORITY_BASE;
        (b, b + size.saturating_sub(acting) as i64)
    } else if ps.state.has(PgState::DEGRADED) {
        let b = reserver::OSD_BACKFILL_DEGRADED_PRIORITY_BASE;
        (b, b)
    } else {
        let b = reserver::OSD_BACKFILL_PRIORITY_BASE;
        (b, b)
    };
    reserver::clamp_recovery_priority(ret, 0, reserver::max_prio_for(base)) as u32
}

// ---------------------------------------------------------------- force-recovery / force-backfill

/// Models `PeeringState::set_force_recovery`: setting FORCED_RECOVERY needs the PG
/// degraded, recovery_wait or recovering (and the bit not yet set); clearing needs it set.
/// When the bit changed, the local reservation moves to the new `get_recovery_priority`
/// (`update_local_background_io_priority`). Returns whether it changed.
pub fn set_force_recovery(ps: &mut PeeringState, on: bool) -> bool {
    let wants = PgState::DEGRADED | PgState::RECOVERY_WAIT | PgState::RECOVERING;
    set_forced(
        ps,
        PgState::FORCED_RECOVERY,
        wants,
        on,
        get_recovery_priority,
    )
}

/// Models `PeeringState::set_force_backfill`: as `set_force_recovery` with FORCED_BACKFILL
/// (degraded, backfill_wait or backfilling) and `get_backfill_priority`.
pub fn set_force_backfill(ps: &mut PeeringState, on: bool) -> bool {
    let wants = PgState::DEGRADED | PgState::BACKFILL_WAIT | PgState::BACKFILLING;
    set_forced(
        ps,
        PgState::FORCED_BACKFILL,
        wants,
        on,
        get_backfill_priority,
    )
}

fn set_forced(
    ps: &mut PeeringState,
    bit: u64,
    wants: u64,
    on: bool,
    prio: fn(&PeeringState) -> u32,
) -> bool {
    let did = if on {
        !ps.state.has(bit) && ps.state.0 & wants != 0
    } else {
        ps.state.has(bit)
    };
    if !did {
        return false;
    }
    if on {
        ps.state.set(bit);
    } else {
        ps.state.clear(bit);
    }
    ps.outbox
        .push(Outgoing::UpdateLocalPriority { prio: prio(ps) });
    true
}

/// Models `PeeringState::Primary::react(const SetForceRecovery&)` and its three siblings
/// (`UnsetForceRecovery`, `SetForceBackfill`, `UnsetForceBackfill`): toggle the bit
/// (`set_force_recovery` / `set_force_backfill`), discard the event.
pub fn primary_set_force(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    match ev {
        PeeringEvent::SetForceRecovery => set_force_recovery(ps, true),
        PeeringEvent::UnsetForceRecovery => set_force_recovery(ps, false),
        PeeringEvent::SetForceBackfill => set_force_backfill(ps, true),
        PeeringEvent::UnsetForceBackfill => set_force_backfill(ps, false),
        _ => false,
    };
    Outcome::Discard
}

// ---------------------------------------------------------------- messages → events

/// Models `MRecoveryReserve::get_event` / `MBackfillReserve::get_event`: what a
/// reservation message becomes for the receiving PG.
pub fn reserve_event(
    backfill: bool,
    op: ReserveOp,
    priority: u32,
    primary_bytes: u64,
    local_bytes: u64,
) -> PeeringEvent {
    use PeeringEvent as E;
    match (backfill, op) {
        (false, ReserveOp::Request) => E::RequestRecoveryPrio { priority },
        (false, ReserveOp::Grant) => E::RemoteRecoveryReserved,
        (false, ReserveOp::Release) => E::RecoveryDone,
        (false, _) => E::DeferRecovery { delay: 0 },
        (true, ReserveOp::Request) => E::RequestBackfillPrio {
            priority,
            primary_num_bytes: primary_bytes,
            local_num_bytes: local_bytes,
        },
        (true, ReserveOp::Grant) => E::RemoteBackfillReserved,
        (true, ReserveOp::RejectTooFull) => E::RemoteReservationRejectedTooFull,
        (true, ReserveOp::Release) => E::RemoteReservationCanceled,
        (true, ReserveOp::RevokeTooFull) => E::RemoteReservationRevokedTooFull,
        (true, ReserveOp::Revoke) => E::RemoteReservationRevoked,
    }
}

fn send_reserve(ps: &mut PeeringState, to: OsdId, backfill: bool, op: ReserveOp) {
    let priority = if op == ReserveOp::Request {
        if backfill {
            get_backfill_priority(ps)
        } else {
            get_recovery_priority(ps)
        }
    } else {
        0
    };
    let (primary_bytes, local_bytes) = if backfill && op == ReserveOp::Request {
        (
            ps.store.len() as u64 * OBJECT_BYTES,
            // The target's own bytes (Ceph's peer_bytes, from its stats): backfill
            // targets here start empty.
            0,
        )
    } else {
        (0, 0)
    };
    ps.outbox.push(Outgoing::ReserveMsg {
        to,
        epoch: ps.epoch,
        backfill,
        op,
        priority,
        primary_bytes,
        local_bytes,
    });
}

/// `remote_shards_to_reserve_recovery`: acting_recovery_backfill but us.
fn recovery_shards(ps: &PeeringState) -> Vec<OsdId> {
    ps.acting_recovery_backfill
        .iter()
        .copied()
        .filter(|o| *o != ps.whoami)
        .collect()
}

/// `remote_shards_to_reserve_backfill`: the backfill targets.
fn backfill_shards(ps: &PeeringState) -> Vec<OsdId> {
    ps.backfill_targets
        .iter()
        .copied()
        .filter(|o| *o != ps.whoami)
        .collect()
}

fn cancel_local(ps: &mut PeeringState) {
    ps.outbox.push(Outgoing::CancelReservation {
        which: Which::Local,
    });
}

// ---------------------------------------------------------------- primary: recovery

/// Models `PeeringState::WaitLocalRecoveryReserved::WaitLocalRecoveryReserved`: if an OSD
/// of acting_recovery_backfill is full (`check_osdmap_full`), post RecoveryTooFull;
/// else RECOVERY_WAIT and ask the local reserver (grant: LocalRecoveryReserved, preempt:
/// DeferRecovery(0)).
pub fn waitlocalrecoveryreserved_entry(ps: &mut PeeringState, posts: &mut P) {
    let full = ps.fullness.as_ref().is_some_and(|f| {
        ps.acting_recovery_backfill
            .iter()
            .any(|o| f.full.contains(o))
    });
    if full {
        posts.post(PeeringEvent::RecoveryTooFull);
        return;
    }
    ps.state.clear(PgState::RECOVERY_TOOFULL);
    ps.state.set(PgState::RECOVERY_WAIT);
    ps.outbox.push(Outgoing::Reserve {
        which: Which::Local,
        prio: get_recovery_priority(ps),
        grant: Box::new(PeeringEvent::LocalRecoveryReserved),
        preempt: Some(Box::new(PeeringEvent::DeferRecovery { delay: 0 })),
    });
}

/// Models `PeeringState::WaitLocalRecoveryReserved::react(const RecoveryTooFull&)`:
/// RECOVERY_TOOFULL, DoRecovery again after osd_recovery_retry_interval.
pub fn recovery_toofull(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    ps.state.set(PgState::RECOVERY_TOOFULL);
    ps.outbox.push(Outgoing::ScheduleEvent {
        after_ms: OSD_RECOVERY_RETRY_INTERVAL_MS,
        event: Box::new(PeeringEvent::DoRecovery),
    });
    Outcome::Transit(S::NotRecovering.id())
}

/// Models `PeeringState::WaitRemoteRecoveryReserved::WaitRemoteRecoveryReserved`: start
/// at the first remote shard (post RemoteRecoveryReserved).
pub fn waitremoterecoveryreserved_entry(ps: &mut PeeringState, posts: &mut P) {
    ps.remote_reserve_next = 0;
    posts.post(PeeringEvent::RemoteRecoveryReserved);
}

/// Models `PeeringState::WaitRemoteRecoveryReserved::react(const
/// RemoteRecoveryReserved&)`: MRecoveryReserve REQUEST to the next remote shard, in
/// order; after the last grant, AllRemotesReserved.
pub fn waitremoterecovery_reserved(
    ps: &mut PeeringState,
    _: &PeeringEvent,
    posts: &mut P,
) -> Outcome {
    let shards = recovery_shards(ps);
    if let Some(&to) = shards.get(ps.remote_reserve_next) {
        send_reserve(ps, to, false, ReserveOp::Request);
        ps.remote_reserve_next += 1;
    } else {
        posts.post(PeeringEvent::AllRemotesReserved);
    }
    Outcome::Discard
}

/// Models `PeeringState::Recovering::Recovering`: RECOVERING (RECOVERY_WAIT and
/// RECOVERY_TOOFULL off), `queue_recovery`.
pub fn recovering_entry(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::RECOVERY_WAIT);
    ps.state.clear(PgState::RECOVERY_TOOFULL);
    ps.state.set(PgState::RECOVERING);
    ps.outbox.push(Outgoing::QueueRecovery);
}

/// Models `PeeringState::Recovering::exit`.
pub fn recovering_exit(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::RECOVERING);
}

/// Models `PeeringState::Recovering::release_reservations`: MRecoveryReserve RELEASE to
/// every remote shard.
fn release_recovery_reservations(ps: &mut PeeringState) {
    for to in recovery_shards(ps) {
        send_reserve(ps, to, false, ReserveOp::Release);
    }
}

/// Models `PeeringState::Recovering::react(const AllReplicasRecovered&)`: release the
/// remote and local reservations → Recovered.
pub fn recovering_allreplicasrecovered(
    ps: &mut PeeringState,
    _: &PeeringEvent,
    _: &mut P,
) -> Outcome {
    ps.state.clear(PgState::FORCED_RECOVERY);
    release_recovery_reservations(ps);
    cancel_local(ps);
    Outcome::Transit(S::Recovered.id())
}

/// Models `PeeringState::Recovering::react(const RequestBackfill&)`: release → backfill.
pub fn recovering_requestbackfill(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    ps.state.clear(PgState::FORCED_RECOVERY);
    release_recovery_reservations(ps);
    cancel_local(ps);
    Outcome::Transit(S::WaitLocalBackfillReserved.id())
}

/// Models `PeeringState::Recovering::react(const DeferRecovery&)`: only while RECOVERING
/// (recovery may have just finished); RECOVERY_WAIT, release everything, DoRecovery after
/// the delay.
pub fn recovering_defer(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if !ps.state.has(PgState::RECOVERING) {
        return Outcome::Discard;
    }
    let delay = match ev {
        PeeringEvent::DeferRecovery { delay } => *delay as u64,
        _ => 0,
    };
    ps.state.set(PgState::RECOVERY_WAIT);
    cancel_local(ps);
    release_recovery_reservations(ps);
    ps.outbox.push(Outgoing::ScheduleEvent {
        after_ms: delay * 1000,
        event: Box::new(PeeringEvent::DoRecovery),
    });
    Outcome::Transit(S::NotRecovering.id())
}

/// Models `PeeringState::Recovering::react(const UnfoundRecovery&)`: RECOVERY_UNFOUND,
/// release everything.
pub fn recovering_unfound(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    ps.state.set(PgState::RECOVERY_UNFOUND);
    cancel_local(ps);
    release_recovery_reservations(ps);
    Outcome::Transit(S::NotRecovering.id())
}

/// Models `PeeringState::NotRecovering::exit`: RECOVERY_UNFOUND off.
pub fn notrecovering_exit(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::RECOVERY_UNFOUND);
}

// ---------------------------------------------------------------- primary: backfill

/// Models `PeeringState::WaitLocalBackfillReserved::WaitLocalBackfillReserved`:
/// BACKFILL_WAIT; ask the local reserver (grant LocalBackfillReserved, preempt
/// DeferBackfill(0)).
pub fn waitlocalbackfillreserved_entry(ps: &mut PeeringState, _: &mut P) {
    ps.state.set(PgState::BACKFILL_WAIT);
    ps.outbox.push(Outgoing::Reserve {
        which: Which::Local,
        prio: get_backfill_priority(ps),
        grant: Box::new(PeeringEvent::LocalBackfillReserved),
        preempt: Some(Box::new(PeeringEvent::DeferBackfill { delay: 0 })),
    });
}

/// Models `PeeringState::WaitRemoteBackfillReserved::WaitRemoteBackfillReserved`.
pub fn waitremotebackfillreserved_entry(ps: &mut PeeringState, posts: &mut P) {
    ps.remote_reserve_next = 0;
    posts.post(PeeringEvent::RemoteBackfillReserved);
}

/// Models `PeeringState::WaitRemoteBackfillReserved::react(const
/// RemoteBackfillReserved&)`: MBackfillReserve REQUEST (priority, our bytes, the target's
/// bytes) to the next backfill target; after the last, AllBackfillsReserved.
pub fn waitremotebackfill_reserved(
    ps: &mut PeeringState,
    _: &PeeringEvent,
    posts: &mut P,
) -> Outcome {
    let shards = backfill_shards(ps);
    if let Some(&to) = shards.get(ps.remote_reserve_next) {
        send_reserve(ps, to, true, ReserveOp::Request);
        ps.remote_reserve_next += 1;
    } else {
        posts.post(PeeringEvent::AllBackfillsReserved);
    }
    Outcome::Discard
}

/// Models `PeeringState::WaitRemoteBackfillReserved::retry` behind its
/// RemoteReservationRejectedTooFull (BACKFILL_TOOFULL) and RemoteReservationRevoked
/// reactions: cancel the local reservation, RELEASE the targets asked so far,
/// BACKFILL_WAIT off, RequestBackfill after osd_backfill_retry_interval.
pub fn remote_backfill_retry(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if matches!(ev, PeeringEvent::RemoteReservationRejectedTooFull) {
        ps.state.set(PgState::BACKFILL_TOOFULL);
    }
    cancel_local(ps);
    let asked: Vec<OsdId> = backfill_shards(ps)
        .into_iter()
        .take(ps.remote_reserve_next)
        .collect();
    for to in asked {
        send_reserve(ps, to, true, ReserveOp::Release);
    }
    ps.state.clear(PgState::BACKFILL_WAIT);
    ps.outbox.push(Outgoing::ScheduleEvent {
        after_ms: OSD_BACKFILL_RETRY_INTERVAL_MS,
        event: Box::new(PeeringEvent::RequestBackfill),
    });
    Outcome::Transit(S::NotBackfilling.id())
}

/// Models `PeeringState::Backfilling::Backfilling`: BACKFILLING (BACKFILL_TOOFULL and
/// BACKFILL_WAIT off), `on_backfill_reserved` → queue_recovery.
pub fn backfilling_entry(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::BACKFILL_TOOFULL);
    ps.state.clear(PgState::BACKFILL_WAIT);
    ps.state.set(PgState::BACKFILLING);
    ps.outbox.push(Outgoing::QueueRecovery);
}

/// Models `PeeringState::Backfilling::exit`.
pub fn backfilling_exit(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::BACKFILLING);
    ps.state.clear(PgState::FORCED_BACKFILL);
}

/// Models `PeeringState::Backfilling::backfill_release_reservations`: the local slot, and
/// RELEASE to every backfill target.
fn backfill_release_reservations(ps: &mut PeeringState) {
    cancel_local(ps);
    for to in backfill_shards(ps) {
        send_reserve(ps, to, true, ReserveOp::Release);
    }
}

/// Models `PeeringState::Backfilling::cancel_backfill`: release, and forget the backfill
/// ops in flight (`on_backfill_canceled`).
fn cancel_backfill(ps: &mut PeeringState) {
    backfill_release_reservations(ps);
    let targets = ps.backfill_targets.clone();
    for peers in ps.pushing.values_mut() {
        peers.retain(|p| !targets.contains(p));
    }
    ps.pushing.retain(|_, p| !p.is_empty());
}

/// Models `PeeringState::Backfilling::react(const Backfilled&)`: release → Recovered.
pub fn backfilling_backfilled(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    backfill_release_reservations(ps);
    Outcome::Transit(S::Recovered.id())
}

/// Models `PeeringState::Backfilling::react(const DeferBackfill&)`: BACKFILL_WAIT, cancel,
/// RequestBackfill after the delay.
pub fn backfill_defer(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    let delay = match ev {
        PeeringEvent::DeferBackfill { delay } => *delay as u64,
        _ => 0,
    };
    ps.state.set(PgState::BACKFILL_WAIT);
    ps.state.clear(PgState::BACKFILLING);
    cancel_backfill(ps);
    ps.outbox.push(Outgoing::ScheduleEvent {
        after_ms: delay * 1000,
        event: Box::new(PeeringEvent::RequestBackfill),
    });
    Outcome::Transit(S::NotBackfilling.id())
}

/// Models `PeeringState::Backfilling::react(const UnfoundBackfill&)`.
pub fn backfill_unfound(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    ps.state.set(PgState::BACKFILL_UNFOUND);
    ps.state.clear(PgState::BACKFILLING);
    cancel_backfill(ps);
    Outcome::Transit(S::NotBackfilling.id())
}

/// Models `PeeringState::Backfilling::react(const RemoteReservationRevokedTooFull&)`:
/// BACKFILL_TOOFULL, cancel, RequestBackfill after osd_backfill_retry_interval.
pub fn backfill_toofull(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    ps.state.set(PgState::BACKFILL_TOOFULL);
    ps.state.clear(PgState::BACKFILLING);
    cancel_backfill(ps);
    ps.outbox.push(Outgoing::ScheduleEvent {
        after_ms: OSD_BACKFILL_RETRY_INTERVAL_MS,
        event: Box::new(PeeringEvent::RequestBackfill),
    });
    Outcome::Transit(S::NotBackfilling.id())
}

/// Models `PeeringState::Backfilling::react(const RemoteReservationRevoked&)`:
/// BACKFILL_WAIT, cancel; reserve again if backfill is still needed, else discard.
pub fn backfilling_revoked(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    ps.state.set(PgState::BACKFILL_WAIT);
    cancel_backfill(ps);
    if needs_backfill(ps) {
        Outcome::Transit(S::WaitLocalBackfillReserved.id())
    } else {
        Outcome::Discard
    }
}

/// Models `PeeringState::NotBackfilling::exit`: BACKFILL_UNFOUND off.
pub fn notbackfilling_exit(ps: &mut PeeringState, _: &mut P) {
    ps.state.clear(PgState::BACKFILL_UNFOUND);
}

/// Models `PeeringState::needs_backfill`: a backfill target whose last_backfill is not
/// MAX yet.
pub fn needs_backfill(ps: &PeeringState) -> bool {
    ps.backfill_targets.iter().any(|t| {
        ps.peer_info
            .get(t)
            .is_none_or(|i| !i.last_backfill.is_max())
    })
}

// ---------------------------------------------------------------- replica

/// Models `PeeringState::RepNotRecovering::react(const RequestRecoveryPrio&)`: queue a
/// remote reservation (grant RemoteRecoveryReserved, preempt RemoteRecoveryPreempted).
pub fn rep_request_recovery(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    let prio = match ev {
        PeeringEvent::RequestRecoveryPrio { priority } if *priority > 0 => *priority,
        _ => get_recovery_priority(ps),
    };
    ps.outbox.push(Outgoing::Reserve {
        which: Which::Remote,
        prio,
        grant: Box::new(PeeringEvent::RemoteRecoveryReserved),
        preempt: Some(Box::new(PeeringEvent::RemoteRecoveryPreempted)),
    });
    Outcome::Transit(S::RepWaitRecoveryReserved.id())
}

/// Models `OSDService::tentative_backfill_full`: would this OSD, with `pending` more
/// bytes, be over the backfillfull ratio?
fn tentative_backfill_full(ps: &PeeringState, pending: u64) -> bool {
    let Some(f) = &ps.fullness else { return false };
    if f.capacity == 0 {
        return false;
    }
    let used = f.used + f.reserved_by_others + pending;
    used * 100 >= f.capacity * f.backfillfull_pct
}

/// Models `PeeringState::RepNotRecovering::react(const RequestBackfillPrio&)`: too full
/// for what the primary holds beyond what we have (`pending_backfill`) → post
/// RejectTooFullRemoteReservation; else set the bytes aside and queue a remote
/// reservation (grant RemoteBackfillReserved, preempt RemoteBackfillPreempted).
pub fn rep_request_backfill(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    let (prio, primary, local) = match ev {
        PeeringEvent::RequestBackfillPrio {
            priority,
            primary_num_bytes,
            local_num_bytes,
        } => (*priority, *primary_num_bytes, *local_num_bytes),
        _ => (get_backfill_priority(ps), 0, 0),
    };
    let pending = primary.saturating_sub(local);
    if tentative_backfill_full(ps, pending) {
        posts.post(PeeringEvent::RejectTooFullRemoteReservation);
    } else {
        ps.reserved_bytes = pending;
        ps.outbox.push(Outgoing::Reserve {
            which: Which::Remote,
            prio,
            grant: Box::new(PeeringEvent::RemoteBackfillReserved),
            preempt: Some(Box::new(PeeringEvent::RemoteBackfillPreempted)),
        });
    }
    Outcome::Transit(S::RepWaitBackfillReserved.id())
}

fn send_to_primary(ps: &mut PeeringState, backfill: bool, op: ReserveOp) {
    let to = ps.acting_primary;
    ps.outbox.push(Outgoing::ReserveMsg {
        to,
        epoch: ps.epoch,
        backfill,
        op,
        priority: 0,
        primary_bytes: 0,
        local_bytes: 0,
    });
}

/// Models `PeeringState::RepWaitRecoveryReserved::react(const RemoteRecoveryReserved&)`:
/// MRecoveryReserve GRANT to the primary.
pub fn rep_grant_recovery(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    send_to_primary(ps, false, ReserveOp::Grant);
    Outcome::Transit(S::RepRecovering.id())
}

/// Models `PeeringState::RepWaitBackfillReserved::react(const RemoteBackfillReserved&)`:
/// MBackfillReserve GRANT to the primary.
pub fn rep_grant_backfill(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    send_to_primary(ps, true, ReserveOp::Grant);
    Outcome::Transit(S::RepRecovering.id())
}

/// Models `PeeringState::reject_reservation` behind the
/// `react(const RejectTooFullRemoteReservation&)` of RepWaitBackfillReserved and
/// RepNotRecovering: REJECT_TOOFULL to the primary, post
/// RemoteReservationRejectedTooFull.
pub fn rep_reject_toofull(ps: &mut PeeringState, _: &PeeringEvent, posts: &mut P) -> Outcome {
    send_to_primary(ps, true, ReserveOp::RejectTooFull);
    posts.post(PeeringEvent::RemoteReservationRejectedTooFull);
    Outcome::Discard
}

/// Models the replica's reactions that give the reservation up
/// (`RepWaitBackfillReserved::react(RemoteReservationRejectedTooFull / Canceled)`,
/// `RepWaitRecoveryReserved::react(RemoteReservationCanceled)`): unreserve the space,
/// cancel the remote reservation.
pub fn rep_cancel(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    ps.reserved_bytes = 0;
    ps.outbox.push(Outgoing::CancelReservation {
        which: Which::Remote,
    });
    Outcome::Transit(S::RepNotRecovering.id())
}

/// Models `PeeringState::RepRecovering::react(const RemoteRecoveryPreempted&)` (REVOKE
/// on MRecoveryReserve), `react(const RemoteBackfillPreempted&)` (REVOKE) and
/// `react(const BackfillTooFull&)` (REVOKE_TOOFULL): unreserve the space and tell the
/// primary.
pub fn rep_revoke(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    ps.reserved_bytes = 0;
    match ev {
        PeeringEvent::RemoteRecoveryPreempted => send_to_primary(ps, false, ReserveOp::Revoke),
        PeeringEvent::RemoteBackfillPreempted => send_to_primary(ps, true, ReserveOp::Revoke),
        _ => send_to_primary(ps, true, ReserveOp::RevokeTooFull),
    }
    Outcome::Discard
}

/// Models `PeeringState::RepRecovering::exit` and `ReplicaActive::exit`: unreserve the
/// space, cancel the remote reservation.
pub fn reprecovering_exit(ps: &mut PeeringState, _: &mut P) {
    ps.reserved_bytes = 0;
    ps.outbox.push(Outgoing::CancelReservation {
        which: Which::Remote,
    });
}

// ---------------------------------------------------------------- recovery ops

/// Whether `osd` has `object` at `need` or newer, as the primary knows
/// (`MissingLoc::is_readable`-like: a peer whose log covers the entry, that does not miss
/// the object and, when backfilling, whose last_backfill covers it).
fn has_object(ps: &PeeringState, osd: OsdId, object: &str, need: Eversion) -> bool {
    let Some(info) = ps.peer_info.get(&osd) else {
        return false;
    };
    let Some(missing) = ps.peer_missing.get(&osd) else {
        return false;
    };
    info.last_update >= need
        && !missing.is_missing(object)
        && info.last_backfill.covers(object)
        && !ps.backfill_targets.contains(&osd)
}

/// Models `MissingLoc`'s locations for an object the primary misses: the up peers that
/// have it.
fn locations(ps: &PeeringState, object: &str, need: Eversion) -> Vec<OsdId> {
    let up = |o: OsdId| ps.osdmap.as_ref().is_none_or(|m| m.is_up(o));
    ps.peer_info
        .keys()
        .copied()
        .filter(|o| *o != ps.whoami && up(*o) && has_object(ps, *o, object, need))
        .collect()
}

/// This PG's recovery ops in flight (its share of `OSDService::recovery_ops_active`):
/// pulls, and pushes per target, not yet answered.
pub fn recovery_ops_active(ps: &PeeringState) -> usize {
    if !ps.is_primary() {
        return 0;
    }
    ps.pulling.len() + ps.pushing.values().map(BTreeSet::len).sum::<usize>()
}

/// Whether a recovery turn would do anything for this PG (a primary recovering or
/// backfilling): what may wait in the OSD's awaiting_throttle.
pub fn wants_recovery_turn(ps: &PeeringState) -> bool {
    ps.is_primary() && (ps.state.has(PgState::RECOVERING) || ps.state.has(PgState::BACKFILLING))
}

/// Models `PrimaryLogPG::start_recovery_ops` (run by the OSD's recovery thread,
/// `OSD::do_recovery`): up to `max` ops (what `OSDService::_recover_now` left of the OSD's
/// osd_recovery_max_active; at least 1) — the primary's own objects
/// first (`recover_primary`), then the replicas' (`recover_replicas`), then, when
/// backfilling and nothing is missing, `recover_backfill`. With nothing started and
/// nothing in flight: unfound objects left → UnfoundRecovery / UnfoundBackfill; else
/// recovery is done (RECOVERING off, RequestBackfill or AllReplicasRecovered) or backfill
/// is (BACKFILLING off, Backfilled).
pub fn start_recovery_ops(ps: &mut PeeringState, max: usize) -> Vec<PeeringEvent> {
    let recovering = ps.state.has(PgState::RECOVERING);
    let backfilling = ps.state.has(PgState::BACKFILLING);
    if !wants_recovery_turn(ps) || max == 0 {
        return Vec::new();
    }
    let mut started = recover_primary(ps, max);
    if started < max && !ps.pg_log.missing.have_missing() {
        started += recover_replicas(ps, max - started);
    }
    if backfilling && started < max && !super::logs::needs_recovery(ps) {
        started += recover_backfill(ps, max - started);
    }
    update_degraded(ps);
    if started > 0 || recovery_ops_active(ps) > 0 {
        return Vec::new();
    }
    if super::logs::needs_recovery(ps) {
        return if backfilling {
            vec![PeeringEvent::UnfoundBackfill]
        } else {
            vec![PeeringEvent::UnfoundRecovery]
        };
    }
    if recovering {
        ps.state.clear(PgState::RECOVERING);
        ps.state.clear(PgState::FORCED_RECOVERY);
        if needs_backfill(ps) {
            vec![PeeringEvent::RequestBackfill]
        } else {
            ps.state.clear(PgState::FORCED_BACKFILL);
            vec![PeeringEvent::AllReplicasRecovered]
        }
    } else {
        ps.state.clear(PgState::BACKFILLING);
        ps.state.clear(PgState::FORCED_BACKFILL);
        vec![PeeringEvent::Backfilled]
    }
}

/// Models `PrimaryLogPG::recover_primary`: for each object we miss (oldest need first),
/// a delete is applied locally; otherwise MOSDPGPull to an OSD that has it; none →
/// unfound (`missing_loc.is_unfound`).
fn recover_primary(ps: &mut PeeringState, max: usize) -> usize {
    let mut started = 0;
    ps.unfound.clear();
    let items: Vec<(String, Eversion, bool)> = ps
        .pg_log
        .missing
        .items()
        .iter()
        .map(|(o, i)| (o.clone(), i.need, i.is_delete))
        .collect();
    let mut order: Vec<_> = items;
    order.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    for (object, need, is_delete) in order {
        if ps.pulling.contains_key(&object) {
            continue;
        }
        if is_delete {
            // Recovery of a delete: remove it here (`recover_missing` → `prep_object_replica_deletes`).
            ps.store.remove(&object);
            ps.pg_log.missing.got_item(&object);
            continue;
        }
        let Some(&from) = locations(ps, &object, need).first() else {
            ps.unfound.insert(object);
            continue;
        };
        if started >= max {
            break;
        }
        ps.outbox.push(Outgoing::Pull {
            to: from,
            epoch: ps.epoch,
            object: object.clone(),
        });
        ps.pulling.insert(object, from);
        started += 1;
    }
    complete_pointer(ps);
    started
}

/// Models `PrimaryLogPG::recover_replicas`: acting replicas, fewest missing first
/// (`get_replica_recovery_order`); for each object one misses, MOSDPGPush (a delete is
/// pushed as a delete).
fn recover_replicas(ps: &mut PeeringState, max: usize) -> usize {
    let mut peers: Vec<(usize, OsdId)> = ps
        .acting_recovery_backfill
        .iter()
        .filter(|p| **p != ps.whoami && !ps.backfill_targets.contains(p))
        .filter_map(|p| ps.peer_missing.get(p).map(|m| (m.num_missing(), *p)))
        .filter(|(n, _)| *n > 0)
        .collect();
    peers.sort();
    let mut started = 0;
    for (_, peer) in peers {
        let objects: Vec<String> = ps.peer_missing[&peer].items().keys().cloned().collect();
        for object in objects {
            if started >= max {
                return started;
            }
            if ps.pushing.get(&object).is_some_and(|s| s.contains(&peer)) {
                continue;
            }
            if ps.pg_log.missing.is_missing(&object) {
                continue; // we must have it first (unfound on the primary)
            }
            let version = ps.store.get(&object).copied();
            ps.outbox.push(Outgoing::Push {
                to: peer,
                epoch: ps.epoch,
                object: object.clone(),
                version,
                backfill: false,
            });
            ps.pushing.entry(object).or_default().insert(peer);
            started += 1;
        }
    }
    started
}

/// Models `PrimaryLogPG::recover_backfill` (without MOSDPGScan): for each backfill
/// target, push our objects in name order after its last_backfill; when a target has
/// everything, its last_backfill becomes MAX (the final MOSDPGBackfill).
fn recover_backfill(ps: &mut PeeringState, max: usize) -> usize {
    let mut started = 0;
    let targets: Vec<OsdId> = ps.backfill_targets.iter().copied().collect();
    for t in targets {
        let Some(info) = ps.peer_info.get(&t).cloned() else {
            continue;
        };
        if info.last_backfill.is_max() {
            continue;
        }
        let in_flight: Vec<&String> = ps
            .pushing
            .iter()
            .filter(|(_, p)| p.contains(&t))
            .map(|(o, _)| o)
            .collect();
        let next: Vec<(String, Eversion)> = ps
            .store
            .iter()
            .filter(|(o, _)| !info.last_backfill.covers(o) && !in_flight.contains(o))
            .map(|(o, v)| (o.clone(), *v))
            .take(max - started)
            .collect();
        if next.is_empty() && in_flight.is_empty() {
            // The last MOSDPGBackfill (OP_BACKFILL_FINISH): last_backfill MAX once acked.
            ps.outbox.push(Outgoing::Push {
                to: t,
                epoch: ps.epoch,
                object: String::new(),
                version: None,
                backfill: true,
            });
            ps.pushing.entry(String::new()).or_default().insert(t);
            started += 1;
            continue;
        }
        for (object, v) in next {
            ps.outbox.push(Outgoing::Push {
                to: t,
                epoch: ps.epoch,
                object: object.clone(),
                version: Some(v),
                backfill: true,
            });
            ps.pushing.entry(object).or_default().insert(t);
            started += 1;
        }
        if started >= max {
            break;
        }
    }
    started
}

/// `last_complete` follows the missing set (simplified: last_update once nothing is
/// missing).
fn complete_pointer(ps: &mut PeeringState) {
    if !ps.pg_log.missing.have_missing() {
        ps.info.last_complete = ps.info.last_update;
    }
    ps.info.num_objects_missing = ps.pg_log.missing.num_missing() as u64;
}

/// DEGRADED as `update_calc_stats` would find it: the acting set is short, or an acting
/// OSD misses objects.
pub fn update_degraded(ps: &mut PeeringState) {
    let (size, _) = ps.pool_sizes();
    if ps.acting.len() < size || super::logs::needs_recovery(ps) {
        ps.state.set(PgState::DEGRADED);
    } else {
        ps.state.clear(PgState::DEGRADED);
    }
}

/// Models `ReplicatedBackend::handle_pull` on the OSD asked: MOSDPGPush with the version
/// it stores (or "deleted").
pub fn handle_pull(ps: &mut PeeringState, from: OsdId, object: String) {
    let version = ps.store.get(&object).copied();
    ps.outbox.push(Outgoing::Push {
        to: from,
        epoch: ps.epoch,
        object,
        version,
        backfill: false,
    });
}

/// Models `ReplicatedBackend::handle_push` (a replica, or a backfill target, receiving a
/// push: store it, `on_local_recover` → missing.got, reply MOSDPGPushReply; a backfill
/// push moves last_backfill to the object, the final one to MAX) and
/// `handle_pull_response` on the primary (store it, `recover_got`, requeue the writes that
/// waited for it, `queue_recovery`).
pub fn handle_push(
    ps: &mut PeeringState,
    from: OsdId,
    object: String,
    version: Option<Eversion>,
    backfill: bool,
) {
    if ps.is_primary() {
        if ps.pulling.get(&object) != Some(&from) {
            return;
        }
        ps.pulling.remove(&object);
        apply_push(ps, &object, version);
        complete_pointer(ps);
        requeue_if_recovered(ps, &object);
        ps.outbox.push(Outgoing::QueueRecovery);
        return;
    }
    if backfill {
        if object.is_empty() {
            ps.info.last_backfill = ObjectBound::Max;
            ps.info.last_complete = ps.info.last_update;
        } else {
            apply_push(ps, &object, version);
            ps.info.last_backfill = ObjectBound::Object(object.clone());
            if tentative_backfill_full(ps, 0) {
                ps.outbox.push(Outgoing::ScheduleEvent {
                    after_ms: 0,
                    event: Box::new(PeeringEvent::BackfillTooFull),
                });
            }
        }
    } else {
        apply_push(ps, &object, version);
        complete_pointer(ps);
    }
    ps.outbox.push(Outgoing::PushReply {
        to: from,
        epoch: ps.epoch,
        object,
    });
}

fn apply_push(ps: &mut PeeringState, object: &str, version: Option<Eversion>) {
    match version {
        Some(v) => {
            ps.store.insert(object.to_string(), v);
        }
        None => {
            ps.store.remove(object);
        }
    }
    if ps.pg_log.missing.is_missing(object) {
        ps.pg_log.missing.got_item(object);
    }
}

/// Models `ReplicatedBackend::handle_push_reply` → `on_global_recover` /
/// `on_peer_recover` on the primary: the peer has the object; for a backfill target its
/// last_backfill moves; once no acting OSD misses it, the writes that waited proceed;
/// `queue_recovery`.
pub fn handle_push_reply(ps: &mut PeeringState, from: OsdId, object: String) {
    if !ps.is_primary() {
        return;
    }
    let Some(peers) = ps.pushing.get_mut(&object) else {
        return;
    };
    if !peers.remove(&from) {
        return;
    }
    if peers.is_empty() {
        ps.pushing.remove(&object);
    }
    if ps.backfill_targets.contains(&from) {
        if let Some(i) = ps.peer_info.get_mut(&from) {
            if object.is_empty() {
                i.last_backfill = ObjectBound::Max;
            } else if !i.last_backfill.covers(&object) {
                i.last_backfill = ObjectBound::Object(object.clone());
            }
        }
    } else if let Some(m) = ps.peer_missing.get_mut(&from) {
        if m.is_missing(&object) {
            m.got_item(&object);
        }
        let pi_missing = m.num_missing() as u64;
        if let Some(i) = ps.peer_info.get_mut(&from) {
            i.num_objects_missing = pi_missing;
            if pi_missing == 0 {
                i.last_complete = i.last_update;
            }
        }
    }
    requeue_if_recovered(ps, &object);
    ps.outbox.push(Outgoing::QueueRecovery);
}

/// The writes in `waiting_for_degraded` for an object nobody acting misses any more go
/// through do_op again (`requeue_ops(waiting_for_degraded_object[soid])`).
fn requeue_if_recovered(ps: &mut PeeringState, object: &str) {
    let degraded = ps.pg_log.missing.is_missing(object)
        || ps.pushing.contains_key(object)
        || ps
            .acting
            .iter()
            .filter(|o| **o != ps.whoami)
            .any(|o| ps.peer_missing.get(o).is_some_and(|m| m.is_missing(object)));
    if degraded {
        return;
    }
    if let Some(ops) = ps.waiting_for_degraded.remove(object) {
        for op in ops {
            super::io::do_op(ps, op);
        }
    }
}

// ---------------------------------------------------------------- unfound

/// Models `MissingLoc::might_have_unfound` with `all_unfound_are_queried_or_lost`: the
/// OSDs that might hold an unfound object — every OSD of the PG's past intervals since
/// it was last clean (the prior set's probe and down sets) — and those of them neither
/// queried (their info and missing set known) nor marked lost since they were last up.
pub fn unprobed_sources(ps: &PeeringState) -> BTreeSet<OsdId> {
    let Some(map) = &ps.osdmap else {
        return BTreeSet::new();
    };
    let mut might: BTreeSet<OsdId> = BTreeSet::new();
    if let Some(prior) = &ps.prior_set {
        might.extend(prior.probe.iter().map(|s| s.osd));
        might.extend(prior.down.iter().copied());
    }
    might.extend(ps.past_intervals.get_all_probe().iter().map(|s| s.osd));
    might.remove(&ps.whoami);
    might
        .into_iter()
        .filter(|o| !ps.peer_missing.contains_key(o))
        .filter(|o| map.info(*o).is_none_or(|v| v.lost_at <= v.up_from))
        .collect()
}

/// What `mark_unfound_lost` does with an unfound object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LostMode {
    Revert,
    Delete,
}

/// Models `PrimaryLogPG::mark_all_unfound_lost` (`ceph pg <pgid> mark_unfound_lost
/// revert|delete`): refused (-EINVAL) while some OSD that might have the objects was
/// neither probed nor marked lost; otherwise each unfound object gets a log entry —
/// LOST_REVERT to the newest version we have (`pick_newest_available`: our `have`), or
/// LOST_DELETE when there is none or `delete` was asked — the object leaves our missing
/// set, the replicas' missing sets learn the entry (`add_next_event`), the entry is
/// replicated (MOSDRepOp via `issue_repop`), and recovery is queued again (DoRecovery).
pub fn mark_unfound_lost(
    ps: &mut PeeringState,
    mode: LostMode,
) -> Result<(String, Vec<PeeringEvent>), String> {
    if !ps.is_primary() || !ps.state.has(PgState::ACTIVE) {
        return Err(format!("pg {} is not active on its primary", ps.pgid));
    }
    if ps.unfound.is_empty() {
        return Err(format!("pg {} has no unfound objects", ps.pgid));
    }
    let unprobed = unprobed_sources(ps);
    if !unprobed.is_empty() {
        return Err(format!(
            "pg has {} unfound objects but we haven't probed all sources, not marking \
             lost (not probed and not lost: {})",
            ps.unfound.len(),
            unprobed
                .iter()
                .map(|o| format!("osd.{o}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let n = ps.unfound.len();
    let objects: Vec<String> = std::mem::take(&mut ps.unfound).into_iter().collect();
    for object in objects {
        let item = ps.pg_log.missing.get(&object).cloned();
        let have = item.as_ref().map_or(Eversion::ZERO, |i| i.have);
        let need = item.as_ref().map_or(Eversion::ZERO, |i| i.need);
        let v = Eversion::new(ps.epoch, ps.pg_log.log.head.version + 1);
        let revert = mode == LostMode::Revert && !have.is_zero();
        let op = if revert {
            Op::LostRevert
        } else {
            Op::LostDelete
        };
        let entry = LogEntry::new(op, &object, v, need);
        if revert {
            ps.store.insert(object.clone(), v);
        } else {
            ps.store.remove(&object);
        }
        ps.pg_log.missing.got_item(&object);
        ps.info.last_update = v;
        ps.pg_log.add(entry.clone(), true);
        let tid = ps.next_tid;
        ps.next_tid += 1;
        let peers: Vec<OsdId> = ps
            .acting_recovery_backfill
            .iter()
            .copied()
            .filter(|o| *o != ps.whoami)
            .collect();
        for to in peers {
            if let Some(m) = ps.peer_missing.get_mut(&to) {
                m.add_next_event(&entry);
            }
            if let Some(i) = ps.peer_info.get_mut(&to) {
                i.last_update = v;
            }
            ps.outbox.push(Outgoing::RepOp {
                to,
                epoch: ps.epoch,
                tid,
                entry: entry.clone(),
                trim_to: Eversion::ZERO,
            });
        }
    }
    complete_pointer(ps);
    Ok((
        format!("pg has {n} objects unfound and apparently lost marking"),
        vec![PeeringEvent::DoRecovery],
    ))
}

/// An epoch marker for events the PG queues for itself.
pub fn now_epoch(ps: &PeeringState) -> Epoch {
    ps.epoch
}

/// Models `PeeringState::Backfilling::react(const RemoteReservationRejectedTooFull&)`:
/// compat with old replicas, re-posted as RemoteReservationRevokedTooFull.
pub fn backfilling_rejected_toofull(
    _: &mut PeeringState,
    _: &PeeringEvent,
    posts: &mut P,
) -> Outcome {
    posts.post(PeeringEvent::RemoteReservationRevokedTooFull);
    Outcome::Discard
}

/// Models `PeeringState::RepWaitRecoveryReserved::react(const
/// RemoteReservationRejectedTooFull&)`: compat, re-posted as RemoteReservationCanceled.
pub fn rep_rejected_as_canceled(_: &mut PeeringState, _: &PeeringEvent, posts: &mut P) -> Outcome {
    posts.post(PeeringEvent::RemoteReservationCanceled);
    Outcome::Discard
}

/// Models `PeeringState::ReplicaActive::exit`: `unreserve_recovery_space`,
/// `cancel_remote_recovery_reservation`.
pub fn replicaactive_exit(ps: &mut PeeringState, _: &mut P) {
    ps.reserved_bytes = 0;
    ps.outbox.push(Outgoing::CancelReservation {
        which: Which::Remote,
    });
}

/// Models `PrimaryLogPG::on_change`'s recovery part (`clear_recovery_state`): the ops in
/// flight and what was learned of unfound objects are forgotten.
pub fn clear_recovery_state(ps: &mut PeeringState) {
    ps.pulling.clear();
    ps.pushing.clear();
    ps.unfound.clear();
    ps.remote_reserve_next = 0;
}
