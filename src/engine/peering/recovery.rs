//! Recovery and backfill: the reservation states of the Active and ReplicaActive
//! sub-machines (src/osd/PeeringState.cc), the priorities they reserve with
//! (`get_recovery_priority` / `get_backfill_priority`), what MRecoveryReserve and
//! MBackfillReserve map to (`get_event`), and the recovery ops of PrimaryLogPG
//! (`start_recovery_ops` → `recover_primary`, `recover_replicas`, `recover_backfill`, with
//! ReplicatedBackend's pull / push / push reply). Every function names what it models.
//!
//! Backfill is PrimaryLogPG's: a backfill target keeps its objects when it activates
//! (last_backfill MIN: none trusted). The primary keeps an interval of its own store
//! (`backfill_info`, `update_range`) and one per target, filled by MOSDPGScan
//! (OP_SCAN_GET_DIGEST → the target's `do_scan` → OP_SCAN_DIGEST, up to
//! `osd_backfill_scan_max` objects); it walks them in object order: an object only the
//! target has → MOSDPGBackfillRemove, the same version → nothing, newer here or absent
//! there → MOSDPGPush. As pushes are acknowledged, MOSDPGBackfill OP_BACKFILL_PROGRESS
//! moves the target's last_backfill; OP_BACKFILL_FINISH (acknowledged by
//! OP_BACKFILL_FINISH_ACK) ends at MAX, then Backfilled.
//!
//! Simplified: one object per pull/push; a pull goes to the lowest-numbered OSD that has
//! the object (Ceph picks among `missing_loc`'s locations); writes to a degraded object
//! wait for recovery in order (Ceph recovers such an object first: `maybe_kick_recovery`);
//! `last_complete` jumps to `last_update` when nothing is missing any more (Ceph advances
//! it object by object); objects are ordered by name, where Ceph orders `hobject_t` by its
//! hash (bit-reversed, `sort_bitwise`) — scans, comparisons and last_backfill all use
//! the same order, so the protocol is the same, only the sequence of objects differs; a
//! scan lists exactly `osd_backfill_scan_max` objects when there are that many (Ceph
//! lists between `osd_backfill_scan_min` and max); the PG stats backfill carries
//! (`pending_backfill_updates`' pg_stat_t, MOSDPGBackfill's stats) are not modelled.

use super::chart::S;
use super::events::{Epoch, OsdId, PeeringEvent};
use super::state::{BackfillInterval, BackfillOp, Outgoing, PeeringState, ReserveOp, ScanOp};
use crate::engine::pglog::{Eversion, LogEntry, Missing, ObjectBound, Op};
use crate::engine::pgstate::PgState;
use crate::engine::reserver::{self, Which};
use crate::engine::statechart::{Outcome, Posts};
use std::collections::{BTreeMap, BTreeSet};

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
/// `osd_backfill_scan_max` (512): at most this many objects in one scan
/// (`scan_range`, the MOSDPGScan digest; Ceph lists at least `osd_backfill_scan_min`, 64,
/// when there are that many).
pub const OSD_BACKFILL_SCAN_MAX: usize = 512;
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
            // The target's own bytes: Ceph's peer_bytes, the num_bytes of the stats in
            // the info the target sent.
            ps.peer_info.get(&to).map_or(0, |i| i.num_bytes),
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

/// Models `PeeringState::Backfilling::cancel_backfill`: release, then
/// `PrimaryLogPG::on_backfill_canceled`: stop waiting for the scans asked (their op
/// ends; a digest that still comes is recorded). Pushes in flight complete, and the
/// intervals stay: backfill resumes from last_backfill_started when reserved again.
fn cancel_backfill(ps: &mut PeeringState) {
    backfill_release_reservations(ps);
    ps.backfill.waiting_on_backfill.clear();
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
/// bytes, be over the backfillfull ratio? Counted: what it stores, the backfill
/// reservations of its PGs (`compute_adjusted_ratio`: other PGs' and this one's, which
/// shrinks as backfilled objects land), and `pending`.
fn tentative_backfill_full(ps: &PeeringState, pending: u64) -> bool {
    let Some(f) = &ps.fullness else { return false };
    if f.capacity == 0 {
        return false;
    }
    let used = f.used + f.reserved_by_others + ps.reserved_bytes + pending;
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
pub(super) fn has_object(ps: &PeeringState, osd: OsdId, object: &str, need: Eversion) -> bool {
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
/// pulls, and recovery pushes per target, not yet answered; each backfill push (one op
/// for all its targets); the scans awaited (one op); each OP_BACKFILL_FINISH not yet
/// acknowledged.
pub fn recovery_ops_active(ps: &PeeringState) -> usize {
    if !ps.is_primary() {
        return 0;
    }
    // A backfill push is one op whatever the number of targets it goes to
    // (`prep_backfill_object_push` → one `start_recovery_op`).
    let pushes: usize = ps
        .pushing
        .iter()
        .map(|(o, peers)| {
            if ps.backfill.backfills_in_flight.contains(o) {
                1
            } else {
                peers.len()
            }
        })
        .sum();
    ps.pulling.len()
        + pushes
        + usize::from(!ps.backfill.waiting_on_backfill.is_empty())
        + ps.backfill.finishing.len()
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
/// backfilling, nothing is missing, no object is being recovered (`recovering` empty) and
/// no scan is awaited (`waiting_on_backfill`), `recover_backfill`. With nothing started and
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
    if backfilling
        && started < max
        && ps.pulling.is_empty()
        && ps.pushing.is_empty()
        && ps.backfill.waiting_on_backfill.is_empty()
        && !super::logs::needs_recovery(ps)
    {
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

/// Models `PeeringState::earliest_backfill`: the smallest last_backfill of the backfill
/// targets (MAX when there are none).
pub fn earliest_backfill(ps: &PeeringState) -> ObjectBound {
    backfill_shards(ps)
        .iter()
        .filter_map(|t| ps.peer_info.get(t).map(|i| i.last_backfill.clone()))
        .min()
        .unwrap_or(ObjectBound::Max)
}

/// Models the backfill part of `PrimaryLogPG::on_activate_complete`: with backfill
/// targets, last_backfill_started := `earliest_backfill()` and `new_backfill` (the next
/// `recover_backfill` resets the intervals).
pub fn on_activate_complete(ps: &mut PeeringState) {
    if backfill_shards(ps).is_empty() {
        return;
    }
    ps.backfill.last_backfill_started = earliest_backfill(ps);
    ps.backfill.new_backfill = true;
}

/// Models `PrimaryLogPG::should_send_op` for a write's MOSDRepOp: every shard gets the
/// transaction except a backfill target for an object beyond both its last_backfill and
/// our last_backfill_started (backfill will bring that object; the target only logs the
/// entry), and an async recovery target for an object it misses ("pending recovery in
/// async_recovery_targets").
pub fn should_send_op(ps: &PeeringState, peer: OsdId, object: &str) -> bool {
    if ps.async_recovery_targets.contains(&peer) {
        return !ps
            .peer_missing
            .get(&peer)
            .is_some_and(|m| m.is_missing(object));
    }
    if !ps.backfill_targets.contains(&peer) {
        return true;
    }
    ps.backfill.last_backfill_started.covers(object)
        || ps
            .peer_info
            .get(&peer)
            .is_some_and(|i| i.last_backfill.covers(object))
}

/// `osd_backfill_scan_max` as this OSD has it.
fn scan_max(ps: &PeeringState) -> usize {
    ps.backfill_scan_max.unwrap_or(OSD_BACKFILL_SCAN_MAX).max(1)
}

/// Models `PGBackend::objects_list_partial` over this OSD's store: up to `max` objects
/// from `begin` on (inclusive), and the next object after them (MAX when the store is
/// exhausted). Objects are in name order (Ceph lists in hobject_t order: by hash,
/// `sort_bitwise`).
fn objects_list_partial(
    store: &BTreeMap<String, Eversion>,
    begin: &ObjectBound,
    max: usize,
) -> (BTreeMap<String, Eversion>, ObjectBound) {
    let mut it: Box<dyn Iterator<Item = (&String, &Eversion)>> = match begin {
        ObjectBound::Min => Box::new(store.iter()),
        ObjectBound::Object(o) => Box::new(store.range::<str, _>((
            std::ops::Bound::Included(o.as_str()),
            std::ops::Bound::Unbounded,
        ))),
        ObjectBound::Max => Box::new(std::iter::empty()),
    };
    let objects: BTreeMap<String, Eversion> = it
        .by_ref()
        .take(max)
        .map(|(o, v)| (o.clone(), *v))
        .collect();
    let next = it
        .next()
        .map_or(ObjectBound::Max, |(o, _)| ObjectBound::Object(o.clone()));
    (objects, next)
}

/// Models `PrimaryLogPG::scan_range`: the interval's objects become what this OSD's
/// store holds from `bi.begin` (at most `max`, osd_backfill_scan_max), and `bi.end` the
/// next object not listed.
fn scan_range(store: &BTreeMap<String, Eversion>, max: usize, bi: &mut BackfillInterval) {
    let (objects, next) = objects_list_partial(store, &bi.begin, max);
    bi.objects = objects;
    bi.end = next;
}

/// Models `PrimaryLogPG::update_range` on the primary's own interval: an interval older
/// than the log tail is scanned again (`scan_range`); otherwise the log entries after
/// the interval's version that fall in `[begin, end)` update it (a write sets the
/// object's version, a delete removes it). Ceph rebuilds a just-reset interval from the
/// log when the log reaches back to 0'0; here a reset interval (version 0'0) is always
/// scanned from the store, which holds the same objects.
fn update_range(ps: &mut PeeringState) {
    let last_update = ps.info.last_update;
    let max = scan_max(ps);
    let bi = &mut ps.backfill.backfill_info;
    if bi.version < ps.info.log_tail || bi.version.is_zero() {
        bi.version = last_update;
        scan_range(&ps.store, max, bi);
        return;
    }
    if bi.version >= last_update {
        return;
    }
    for e in ps
        .pg_log
        .log
        .entries
        .iter()
        .filter(|e| e.version > bi.version)
    {
        let soid = ObjectBound::Object(e.object.clone());
        if soid < bi.begin || soid >= bi.end {
            continue;
        }
        if e.is_update() {
            bi.objects.insert(e.object.clone(), e.version);
        } else if e.is_delete() {
            bi.objects.remove(&e.object);
        }
    }
    bi.version = last_update;
}

/// Models `PrimaryLogPG::earliest_peer_backfill`: the smallest `begin` of the targets'
/// intervals.
fn earliest_peer_backfill(ps: &PeeringState) -> ObjectBound {
    ps.backfill
        .peer_backfill_info
        .values()
        .map(|p| p.begin.clone())
        .min()
        .unwrap_or(ObjectBound::Max)
}

/// Models `PrimaryLogPG::all_peer_done`: every target's interval is empty and reaches MAX.
fn all_peer_done(ps: &PeeringState) -> bool {
    ps.backfill
        .peer_backfill_info
        .values()
        .all(|p| p.extends_to_end() && p.is_empty())
}

/// Models `PrimaryLogPG::recover_backfill`. On a new backfill (`new_backfill`, set by
/// `on_activate_complete`) each target's interval starts empty at its last_backfill and
/// ours at last_backfill_started. Our interval is brought up to date (`update_range`); then, up
/// to `max` ops: a target whose interval ran out gets MOSDPGScan OP_SCAN_GET_DIGEST from
/// where it ended (all such scans count as one op and end the turn: `waiting_on_backfill`);
/// otherwise the earliest object in hobject order (here name order) is compared — only on
/// a target: MOSDPGBackfillRemove to it (not counted as an op); the same version on a
/// target: nothing to send; newer here or absent there: one MOSDPGPush to every such
/// target (`prep_backfill_object_push`) — and last_backfill_started moves to it. Then the
/// targets' new last_backfill: the done objects (`pending_backfill_updates`) before the
/// first push still in flight; MOSDPGBackfill OP_BACKFILL_PROGRESS to each target whose
/// last_backfill moves, OP_BACKFILL_FINISH (last_backfill MAX, one op until
/// FINISH_ACK) once everything is done.
fn recover_backfill(ps: &mut PeeringState, max: usize) -> usize {
    let targets = backfill_shards(ps);
    if ps.backfill.new_backfill {
        ps.backfill.new_backfill = false;
        for t in &targets {
            let lb = ps
                .peer_info
                .get(t)
                .map_or(ObjectBound::Min, |i| i.last_backfill.clone());
            ps.backfill
                .peer_backfill_info
                .insert(*t, BackfillInterval::reset(lb));
        }
        ps.backfill.backfill_info =
            BackfillInterval::reset(ps.backfill.last_backfill_started.clone());
        ps.backfill.backfills_in_flight.clear();
        ps.backfill.pending_backfill_updates.clear();
    }
    for t in &targets {
        ps.backfill.peer_backfill_info.entry(*t).or_default();
    }
    // Our interval, brought up to date with the writes since it was taken.
    ps.backfill.backfill_info.begin = ps.backfill.last_backfill_started.clone();
    update_range(ps);
    let lbs = ps.backfill.last_backfill_started.clone();
    for t in &targets {
        let lb = ps
            .peer_info
            .get(t)
            .map_or(ObjectBound::Min, |i| i.last_backfill.clone());
        let bound = lb.max(lbs.clone());
        if let Some(pbi) = ps.backfill.peer_backfill_info.get_mut(t) {
            pbi.trim_to(&bound);
        }
    }
    ps.backfill.backfill_info.trim_to(&lbs);

    let mut ops = 0;
    let mut to_remove: Vec<(String, Eversion, OsdId)> = Vec::new();
    while ops < max {
        let bi = &ps.backfill.backfill_info;
        if bi.begin <= earliest_peer_backfill(ps) && !bi.extends_to_end() && bi.is_empty() {
            let next = bi.end.clone();
            let mut fresh = BackfillInterval::reset(next);
            fresh.end = ObjectBound::Max;
            ps.backfill.backfill_info = fresh;
            update_range(ps);
            ps.backfill.backfill_info.trim();
        }
        let mut sent_scan = false;
        for t in &targets {
            let pbi = &ps.backfill.peer_backfill_info[t];
            if pbi.begin <= ps.backfill.backfill_info.begin
                && !pbi.extends_to_end()
                && pbi.is_empty()
            {
                let begin = pbi.end.clone();
                ps.outbox.push(Outgoing::Scan {
                    to: *t,
                    epoch: ps.epoch,
                    query_epoch: ps.last_peering_reset,
                    op: ScanOp::GetDigest,
                    begin,
                    end: ObjectBound::Min,
                    objects: BTreeMap::new(),
                });
                ps.backfill.waiting_on_backfill.insert(*t);
                sent_scan = true;
            }
        }
        if sent_scan {
            // Simultaneous scans count as one op; the turn ends until they are answered.
            ops += 1;
            break;
        }
        if ps.backfill.backfill_info.is_empty() && all_peer_done(ps) {
            break; // reached the end for us and every target
        }
        let check = earliest_peer_backfill(ps);
        let bi_begin = ps.backfill.backfill_info.begin.clone();
        if check < bi_begin {
            // Only on the targets whose interval starts there: remove it from them.
            for t in &targets {
                let pbi = ps
                    .backfill
                    .peer_backfill_info
                    .get_mut(t)
                    .expect("set above");
                if pbi.begin != check {
                    continue;
                }
                if let Some((o, v)) = pbi.front() {
                    to_remove.push((o.clone(), *v, *t));
                }
                pbi.pop_front();
            }
            ps.backfill.last_backfill_started = check;
            continue;
        }
        let Some((object, obj_v)) = ps
            .backfill
            .backfill_info
            .front()
            .map(|(o, v)| (o.clone(), *v))
        else {
            break;
        };
        let mut need_ver = Vec::new();
        let mut keep_ver = Vec::new();
        let mut missing = Vec::new();
        for t in &targets {
            let pbi = &ps.backfill.peer_backfill_info[t];
            if check == bi_begin && check == pbi.begin {
                if pbi.front().map(|(_, v)| *v) != Some(obj_v) {
                    need_ver.push(*t);
                } else {
                    keep_ver.push(*t);
                }
            } else {
                // Only targets we have caught up with miss it; the others just have not
                // been scanned this far (`skip_targs`).
                let lb = ps
                    .peer_info
                    .get(t)
                    .map_or(ObjectBound::Min, |i| i.last_backfill.clone());
                if bi_begin > lb {
                    missing.push(*t);
                }
            }
        }
        if !need_ver.is_empty() || !missing.is_empty() {
            // prep_backfill_object_push: one recovery op for every target it goes to.
            let peers: BTreeSet<OsdId> = need_ver.iter().chain(&missing).copied().collect();
            ps.backfill.backfills_in_flight.insert(object.clone());
            for to in &peers {
                ps.outbox.push(Outgoing::Push {
                    to: *to,
                    epoch: ps.epoch,
                    object: object.clone(),
                    version: Some(obj_v),
                    backfill: true,
                });
            }
            ps.pushing.entry(object.clone()).or_default().extend(peers);
            ops += 1;
        }
        ps.backfill.last_backfill_started = bi_begin;
        ps.backfill.pending_backfill_updates.insert(object);
        ps.backfill.backfill_info.pop_front();
        for t in need_ver.iter().chain(&keep_ver) {
            if let Some(pbi) = ps.backfill.peer_backfill_info.get_mut(t) {
                pbi.pop_front();
            }
        }
    }

    // MOSDPGBackfillRemove, one per target with every object to remove.
    let mut removes: BTreeMap<OsdId, Vec<(String, Eversion)>> = BTreeMap::new();
    for (o, v, t) in to_remove {
        if ps.backfill.last_backfill_started.covers(&o) {
            ps.backfill.pending_backfill_updates.insert(o.clone());
        }
        removes.entry(t).or_default().push((o, v));
    }
    for (to, objects) in removes {
        ps.outbox.push(Outgoing::BackfillRemove {
            to,
            epoch: ps.epoch,
            objects,
        });
    }

    // The targets' new last_backfill: every done object before the first push in flight.
    let backfill_pos = ps
        .backfill
        .backfill_info
        .begin
        .clone()
        .min(earliest_peer_backfill(ps));
    let next_to_complete = ps
        .backfill
        .backfills_in_flight
        .iter()
        .next()
        .map_or(backfill_pos.clone(), |o| ObjectBound::Object(o.clone()));
    let mut new_last_backfill = earliest_backfill(ps);
    let done: Vec<String> = ps
        .backfill
        .pending_backfill_updates
        .iter()
        .filter(|o| ObjectBound::Object((*o).clone()) < next_to_complete)
        .cloned()
        .collect();
    for o in done {
        ps.backfill.pending_backfill_updates.remove(&o);
        new_last_backfill = ObjectBound::Object(o);
    }
    if ps.backfill.pending_backfill_updates.is_empty() && backfill_pos.is_max() {
        new_last_backfill = ObjectBound::Max;
        ps.backfill.last_backfill_started = ObjectBound::Max;
    }
    for t in &targets {
        let Some(pinfo) = ps.peer_info.get_mut(t) else {
            continue;
        };
        if new_last_backfill <= pinfo.last_backfill {
            continue;
        }
        // update_peer_last_backfill, then PROGRESS, or FINISH when it reached MAX.
        pinfo.last_backfill = new_last_backfill.clone();
        let op = if new_last_backfill.is_max() {
            ps.backfill.finishing.insert(*t);
            BackfillOp::Finish
        } else {
            BackfillOp::Progress
        };
        ps.outbox.push(Outgoing::Backfill {
            to: *t,
            epoch: ps.epoch,
            query_epoch: ps.last_peering_reset,
            op,
            last_backfill: new_last_backfill.clone(),
        });
    }
    ops
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
/// push leaves last_backfill alone — MOSDPGBackfill moves it) and
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
        // A new object takes its bytes out of the reservation made for it (Ceph's
        // reserved_num_bytes shrinks as the PG's own bytes grow). Fullness is checked
        // when the primary asks for the next scan (do_scan), not on each push.
        let added = if version.is_some() && !ps.store.contains_key(&object) {
            OBJECT_BYTES
        } else {
            0
        };
        apply_push(ps, &object, version);
        ps.reserved_bytes = ps.reserved_bytes.saturating_sub(added);
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
/// `on_peer_recover` on the primary: the peer has the object; a backfill push is done
/// once every target it went to answered (`backfills_in_flight`); once no acting OSD
/// misses it, the writes that waited proceed; `queue_recovery`.
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
        ps.backfill.backfills_in_flight.remove(&object);
    }
    if ps.backfill_targets.contains(&from) {
        // on_peer_recover: nothing more to note; last_backfill moves with
        // OP_BACKFILL_PROGRESS.
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
            let apply = should_send_op(ps, to, &entry.object);
            ps.outbox.push(Outgoing::RepOp {
                to,
                epoch: ps.epoch,
                tid,
                entry: entry.clone(),
                trim_to: Eversion::ZERO,
                apply,
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
/// With it `PG::clear_recovery_state`'s backfill part: the intervals, the scans awaited,
/// the backfills in flight and pending updates, last_backfill_started (MIN).
pub fn clear_recovery_state(ps: &mut PeeringState) {
    ps.pulling.clear();
    ps.pushing.clear();
    ps.unfound.clear();
    ps.remote_reserve_next = 0;
    ps.backfill = Default::default();
}

// ---------------------------------------------------------------- backfill messages

/// Models `PrimaryLogPG::do_scan`. On a backfill target, OP_SCAN_GET_DIGEST: if this OSD
/// is too full (`check_backfill_full`) it queues BackfillTooFull and does not answer;
/// else `scan_range` from `begin` (at most osd_backfill_scan_max objects) and
/// OP_SCAN_DIGEST back with them and where the scan stopped. On the primary,
/// OP_SCAN_DIGEST: the target's interval becomes the digest; when it was the last scan
/// awaited (`waiting_on_backfill`), the op ends (`finish_recovery_op` →
/// `queue_recovery`). A digest after a cancel is recorded but ends nothing.
#[allow(clippy::too_many_arguments)]
pub fn handle_scan(
    ps: &mut PeeringState,
    from: OsdId,
    query_epoch: Epoch,
    op: ScanOp,
    begin: ObjectBound,
    end: ObjectBound,
    objects: BTreeMap<String, Eversion>,
) {
    match op {
        ScanOp::GetDigest => {
            if ps.is_primary() {
                return;
            }
            if tentative_backfill_full(ps, 0) {
                ps.outbox.push(Outgoing::ScheduleEvent {
                    after_ms: 0,
                    event: Box::new(PeeringEvent::BackfillTooFull),
                });
                return;
            }
            let mut bi = BackfillInterval::reset(begin);
            scan_range(&ps.store, scan_max(ps), &mut bi);
            ps.outbox.push(Outgoing::Scan {
                to: from,
                epoch: ps.epoch,
                query_epoch,
                op: ScanOp::Digest,
                begin: bi.begin,
                end: bi.end,
                objects: bi.objects,
            });
        }
        ScanOp::Digest => {
            if !ps.is_primary() || !ps.backfill_targets.contains(&from) {
                return;
            }
            let bi = ps.backfill.peer_backfill_info.entry(from).or_default();
            bi.begin = begin;
            bi.end = end;
            bi.objects = objects;
            if ps.backfill.waiting_on_backfill.remove(&from)
                && ps.backfill.waiting_on_backfill.is_empty()
            {
                ps.outbox.push(Outgoing::QueueRecovery);
            }
        }
    }
}

/// Models `PrimaryLogPG::do_backfill`. On the target, OP_BACKFILL_PROGRESS: its
/// last_backfill becomes the one carried (`update_backfill_progress`);
/// OP_BACKFILL_FINISH: OP_BACKFILL_FINISH_ACK back, RecoveryDone queued (RepRecovering →
/// RepNotRecovering), then the same update (to MAX: backfill complete, so last_complete
/// is last_update). On the primary, OP_BACKFILL_FINISH_ACK: the FINISH op ends
/// (`finish_recovery_op` → `queue_recovery`; the next turn finds backfill done).
pub fn handle_backfill(
    ps: &mut PeeringState,
    from: OsdId,
    query_epoch: Epoch,
    op: BackfillOp,
    last_backfill: ObjectBound,
) {
    match op {
        BackfillOp::Progress | BackfillOp::Finish => {
            if ps.is_primary() {
                return;
            }
            if op == BackfillOp::Finish {
                ps.outbox.push(Outgoing::Backfill {
                    to: from,
                    epoch: ps.epoch,
                    query_epoch,
                    op: BackfillOp::FinishAck,
                    last_backfill: ObjectBound::Max,
                });
                ps.outbox.push(Outgoing::ScheduleEvent {
                    after_ms: 0,
                    event: Box::new(PeeringEvent::RecoveryDone),
                });
            }
            ps.info.last_backfill = last_backfill;
            if ps.info.last_backfill.is_max() {
                ps.info.last_complete = ps.info.last_update;
            }
        }
        BackfillOp::FinishAck => {
            if ps.is_primary() && ps.backfill.finishing.remove(&from) {
                ps.outbox.push(Outgoing::QueueRecovery);
            }
        }
    }
}

/// Models `PrimaryLogPG::do_backfill_remove` on a backfill target: the objects only it
/// had are removed from its store (`remove_snap_mapped_object`); nothing is answered.
pub fn handle_backfill_remove(ps: &mut PeeringState, objects: Vec<(String, Eversion)>) {
    if ps.is_primary() {
        return;
    }
    for (o, _) in objects {
        ps.store.remove(&o);
    }
}
