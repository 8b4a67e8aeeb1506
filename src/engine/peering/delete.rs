//! A stray copy's removal: the primary of a clean PG tells each stray to delete its copy
//! (`PeeringState::purge_strays`, MOSDPGRemove), and the stray goes Stray → ToDelete →
//! WaitDeleteReserved (the OSD's local reserver, at the delete priority) → Deleting, which
//! removes the objects a batch at a time (`PG::do_delete_work`) until nothing is left and
//! the OSD forgets the PG. A new interval on the way resets the PG and it peers again
//! with what it has left: from Deleting on it claims nothing (last_backfill MIN).

use super::events::PeeringEvent;
use super::state::{Outgoing, PeeringState};
use crate::engine::pglog::ObjectBound;
use crate::engine::pgstate::PgState;
use crate::engine::reserver::Which;
use crate::engine::statechart::Posts;

type P = Posts<PeeringEvent>;

/// `OSD_DELETE_PRIORITY_NORMAL`, `_FULLISH`, `_FULL` (osd_types.h).
pub const OSD_DELETE_PRIORITY_NORMAL: u32 = 179;
pub const OSD_DELETE_PRIORITY_FULLISH: u32 = 219;
pub const OSD_DELETE_PRIORITY_FULL: u32 = 255;

/// `osd_target_transaction_size`: the most objects one batch removes.
pub const OSD_TARGET_TRANSACTION_SIZE: usize = 30;

/// Models `PeeringState::get_delete_priority`: FULL when this OSD is full or backfillfull
/// in the map, FULLISH when it is nearfull, else NORMAL.
pub fn delete_priority(ps: &PeeringState) -> u32 {
    let Some(f) = ps.fullness.as_ref() else {
        return OSD_DELETE_PRIORITY_NORMAL;
    };
    let me = &ps.whoami;
    if f.full.contains(me) || f.backfillfull.contains(me) {
        OSD_DELETE_PRIORITY_FULL
    } else if f.nearfull.contains(me) {
        OSD_DELETE_PRIORITY_FULLISH
    } else {
        OSD_DELETE_PRIORITY_NORMAL
    }
}

/// Models `PeeringState::proc_replica_info`'s stray branch: a peer neither up nor acting
/// holds stray content; if the PG is already clean it is purged at once.
pub fn note_stray(ps: &mut PeeringState, from: i32) {
    if ps.up.contains(&from) || ps.acting.contains(&from) {
        return;
    }
    ps.stray_set.insert(from);
    if ps.state.has(PgState::CLEAN) {
        purge_strays(ps);
    }
}

/// Models `PeeringState::purge_strays`: MOSDPGRemove to every stray the map shows up
/// (none to a down one); either way its info and missing set are forgotten and it is
/// marked purged; the stray set and the log / missing requests are cleared. (Ceph also
/// drops the stray as a recovery source, `remove_stray_recovery_sources`; a clean PG
/// has nothing missing, so there is none to drop here.)
pub fn purge_strays(ps: &mut PeeringState) {
    let epoch = ps.epoch;
    let strays = std::mem::take(&mut ps.stray_set);
    for osd in strays {
        debug_assert!(
            !ps.acting_recovery_backfill.contains(&osd),
            "pg {} purges osd.{osd}, which is in acting_recovery_backfill",
            ps.pgid
        );
        if ps.osdmap.as_ref().is_some_and(|m| m.is_up(osd)) {
            ps.outbox.push(Outgoing::PgRemove { to: osd, epoch });
        }
        ps.peer_missing.remove(&osd);
        ps.peer_info.remove(&osd);
        ps.peer_purged.insert(osd);
    }
    ps.peer_missing_requested.clear();
}

/// Models `PG::_finish_recovery` (registered by `Clean::Clean` through `PG::on_clean`,
/// run once the transaction commits; here at once): purge the strays, unless the PG is
/// being deleted or is not clean after all ("raced with delete or repair").
pub fn finish_recovery(ps: &mut PeeringState) {
    if ps.deleting || !ps.state.has(PgState::CLEAN) {
        return;
    }
    purge_strays(ps);
}

/// Models `PeeringState::ToDelete::exit`: cancel the local reservation.
pub fn todelete_exit(ps: &mut PeeringState, _: &mut P) {
    ps.outbox.push(Outgoing::CancelReservation {
        which: Which::Local,
    });
}

/// Models `PeeringState::WaitDeleteReserved::WaitDeleteReserved`: note the delete
/// priority, cancel any local reservation and ask the local reserver again (grant:
/// DeleteReserved, preempt: DeleteInterrupted).
pub fn waitdeletereserved_entry(ps: &mut PeeringState, _: &mut P) {
    ps.delete_priority = delete_priority(ps);
    ps.outbox.push(Outgoing::CancelReservation {
        which: Which::Local,
    });
    ps.outbox.push(Outgoing::Reserve {
        which: Which::Local,
        prio: ps.delete_priority,
        grant: Box::new(PeeringEvent::DeleteReserved),
        preempt: Some(Box::new(PeeringEvent::DeleteInterrupted)),
    });
}

/// Models `PeeringState::Deleting::Deleting`: `deleting`; the log rolls forward; the
/// PG now claims no object (last_backfill MIN, `reset_backfill` clears the missing set);
/// `PrimaryLogPG::on_removal` registers the first batch (C_DeleteMore → DeleteSome).
pub fn deleting_entry(ps: &mut PeeringState, _: &mut P) {
    ps.deleting = true;
    ps.info.last_backfill = ObjectBound::Min;
    ps.pg_log.missing.clear();
    ps.outbox.push(Outgoing::ScheduleEvent {
        after_ms: 0,
        event: Box::new(PeeringEvent::DeleteSome),
    });
}

/// Models `PeeringState::Deleting::exit`: not deleting any more; cancel the local
/// reservation.
pub fn deleting_exit(ps: &mut PeeringState, _: &mut P) {
    ps.deleting = false;
    ps.outbox.push(Outgoing::CancelReservation {
        which: Which::Local,
    });
}

/// Models `PG::do_delete_work`: remove up to osd_target_transaction_size objects; if any
/// were removed, the next batch follows once they commit (C_DeleteMore → DeleteSome) and
/// this returns true; with nothing left the PG's collection is removed and this returns
/// false (Deleting terminates the machine; the OSD forgets the PG). `osd_delete_sleep`
/// between batches is not modelled.
pub fn do_delete_work(ps: &mut PeeringState) -> bool {
    let batch: Vec<String> = ps
        .store
        .keys()
        .take(OSD_TARGET_TRANSACTION_SIZE)
        .cloned()
        .collect();
    if batch.is_empty() {
        return false;
    }
    for object in &batch {
        ps.store.remove(object);
    }
    ps.outbox.push(Outgoing::ScheduleEvent {
        after_ms: 0,
        event: Box::new(PeeringEvent::DeleteSome),
    });
    true
}
