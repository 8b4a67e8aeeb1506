//! Client I/O on a PG (src/osd/PrimaryLogPG.cc, ReplicatedBackend.cc): the primary admits
//! or queues a client write, gives it the next eversion, logs and applies it, replicates it
//! (MOSDRepOp) and replies to the client once every acting replica has applied it. Each
//! function names the Ceph function it models. Like the peering reactions they change the
//! PG's data and fill its outbox; the OSD (the world) routes.
//!
//! Simplified: one op per message, one object per op, writes replace the whole object (the
//! store keeps only the version), a delete of an absent object is answered -ENOENT
//! without an ERROR log entry (Ceph logs one, `record_write_error`), and "applied" is
//! "committed" (no separate on-disk ack).

use super::state::{ClientOp, Outgoing, PeeringState, RepOp};
use crate::engine::pglog::{Eversion, LogEntry, LogEntryHandler, Op};
use crate::engine::pgstate::PgState;
use std::collections::BTreeMap;

/// `-ENOENT`, what a delete of an object that does not exist returns.
pub const ENOENT: i32 = -2;

/// Models `PrimaryLogPG::do_request` / `do_op`'s admission checks, in Ceph's order: not
/// peered → `waiting_for_peered`; peered but not active (below min_size) →
/// `waiting_for_active`; an object some acting OSD is missing → wait for its recovery
/// (`wait_for_unreadable_object` / `wait_for_degraded_object`); a reqid already in the
/// log is a resent op (`check_in_progress_op` / `get_request`): answered, not redone.
/// A non-primary drops the op (the client resends on the map change).
pub fn do_op(ps: &mut PeeringState, op: ClientOp) {
    if !ps.is_primary() {
        return;
    }
    if !ps.state.has(PgState::ACTIVE) && !ps.state.has(PgState::PEERED) {
        ps.waiting_for_peered.push(op);
        return;
    }
    let (_, min_size) = ps.pool_sizes();
    if !ps.state.has(PgState::ACTIVE) || ps.acting.len() < min_size {
        ps.waiting_for_active.push(op);
        return;
    }
    if is_degraded_object(ps, &op.object) {
        ps.waiting_for_degraded
            .entry(op.object.clone())
            .or_default()
            .push(op);
        return;
    }
    if reply_to_dup(ps, &op) {
        return;
    }
    execute_ctx(ps, op);
}

/// Models `PrimaryLogPG::is_unreadable_object` (missing on the primary) and
/// `is_degraded_or_backfilling_object` (missing on an acting replica).
fn is_degraded_object(ps: &PeeringState, object: &str) -> bool {
    ps.pg_log.missing.is_missing(object)
        || ps.pushing.contains_key(object)
        || ps
            .acting
            .iter()
            .filter(|o| **o != ps.whoami)
            .any(|o| ps.peer_missing.get(o).is_some_and(|m| m.is_missing(object)))
}

/// Models do_op's dup check: the reqid is logged (`pg_log.get_log().get_request`). If
/// that write is still being replicated the op waits for it (`waiting_for_ondisk`), else
/// it is complete (`already_complete`) and answered with the logged version.
fn reply_to_dup(ps: &mut PeeringState, op: &ClientOp) -> bool {
    let Some((version, _, rc)) = ps.pg_log.log.get_request(&op.reqid()) else {
        return false;
    };
    if let Some(repop) = ps.repops.values_mut().find(|r| r.version == version) {
        repop.dups.push(op.clone());
        return true;
    }
    ps.outbox.push(Outgoing::ClientReply {
        op: op.id,
        version,
        result: rc,
    });
    true
}

/// Models `PrimaryLogPG::execute_ctx` → `prepare_transaction` / `finish_ctx` →
/// `issue_repop`: the next version (`get_next_version`: this map's epoch, the log head's
/// counter + 1), the log entry (prior_version = the object's current version), applied
/// here, then MOSDRepOp to every other acting OSD. With no replicas the write is done.
fn execute_ctx(ps: &mut PeeringState, op: ClientOp) {
    let prior = ps.store.get(&op.object).copied();
    if op.delete && prior.is_none() {
        ps.outbox.push(Outgoing::ClientReply {
            op: op.id,
            version: ps.info.last_update,
            result: ENOENT,
        });
        return;
    }
    let version = Eversion::new(ps.epoch, ps.pg_log.log.head.version + 1);
    let kind = if op.delete { Op::Delete } else { Op::Modify };
    let entry = LogEntry::new(kind, &op.object, version, prior.unwrap_or(Eversion::ZERO))
        .with_reqid(&op.reqid());
    append_log(ps, entry.clone());
    let tid = ps.next_tid;
    ps.next_tid += 1;
    let trim_to = calc_trim_to(ps);
    trim_log(ps, trim_to);
    // issue_repop: every shard of acting_recovery_backfill (a backfill target, or an async
    // recovery target missing the object, logs the entry; it gets the transaction only if
    // `should_send_op`).
    let replicas: Vec<i32> = ps
        .acting
        .iter()
        .chain(ps.backfill_targets.iter())
        .chain(ps.async_recovery_targets.iter())
        .copied()
        .filter(|o| *o != ps.whoami)
        .collect::<std::collections::BTreeSet<i32>>()
        .into_iter()
        .collect();
    pre_submit_op(ps, &entry);
    for &to in &replicas {
        let apply = super::recovery::should_send_op(ps, to, &entry.object);
        ps.outbox.push(Outgoing::RepOp {
            to,
            epoch: ps.epoch,
            tid,
            entry: entry.clone(),
            trim_to,
            apply,
        });
    }
    let repop = RepOp {
        op,
        version,
        waiting_on: replicas.into_iter().collect(),
        dups: Vec::new(),
    };
    if repop.waiting_on.is_empty() {
        reply_committed(ps, &repop);
    } else {
        ps.repops.insert(tid, repop);
    }
}

/// Models `PeeringState::pre_submit_op`: every peer of acting_recovery_backfill will have
/// the entry, so its info's last_update moves to it ("keep peer_info up to date";
/// last_complete follows a peer's commit here, `do_repop_reply`); an async recovery
/// target that misses the object gets only the log entry, so the primary's record of
/// what it misses moves to the new version (`peer_missing[i].add_next_event`); it is
/// recovered later.
fn pre_submit_op(ps: &mut PeeringState, entry: &LogEntry) {
    for peer in ps
        .acting_recovery_backfill
        .iter()
        .filter(|p| **p != ps.whoami)
    {
        if let Some(pi) = ps.peer_info.get_mut(peer) {
            pi.last_update = pi.last_update.max(entry.version);
        }
    }
    for peer in &ps.async_recovery_targets {
        if let Some(m) = ps.peer_missing.get_mut(peer) {
            if m.is_missing(&entry.object) {
                m.add_next_event(entry);
            }
        }
    }
}

/// Models `PeeringState::append_log` + `PGLog::add` and the transaction's apply: the
/// entry goes into the log, the object store takes the new version (a delete removes the
/// object), and info follows the log (last_complete too while nothing is missing).
/// Models `PeeringState::calc_trim_to` (simplified: one target, `pg_log_entries`, for
/// clean and degraded PGs alike): trim the oldest entries beyond the target, never past
/// `min_last_complete_ondisk` (the oldest last_complete of acting_recovery_backfill) nor
/// `can_rollback_to`. Zero: nothing to trim.
pub fn calc_trim_to(ps: &PeeringState) -> Eversion {
    let Some(target) = ps.pg_log_entries else {
        return Eversion::ZERO;
    };
    let n = ps.pg_log.log.entries.len();
    if n <= target {
        return Eversion::ZERO;
    }
    let mut limit = ps.info.last_complete;
    for p in ps
        .acting_recovery_backfill
        .iter()
        .filter(|p| **p != ps.whoami)
    {
        if ps.backfill_targets.contains(p) {
            continue;
        }
        match ps.peer_info.get(p) {
            Some(i) => limit = limit.min(i.last_complete),
            None => return Eversion::ZERO,
        }
    }
    limit = limit.min(ps.pg_log.log.get_can_rollback_to());
    let to = ps.pg_log.log.entries[n - target - 1].version;
    to.min(limit)
}

/// Models `PGLog::trim` on this PG (with info.log_tail following).
pub fn trim_log(ps: &mut PeeringState, trim_to: Eversion) {
    let bound = ps
        .info
        .last_complete
        .min(ps.pg_log.log.get_can_rollback_to());
    let trim_to = trim_to.min(bound);
    if trim_to <= ps.pg_log.log.tail {
        return;
    }
    let mut info = super::logs::pg_info(&ps.info);
    ps.pg_log.trim(
        trim_to,
        &mut info,
        &crate::engine::pglog::TrimConfig::default(),
    );
    super::logs::set_from_pg_info(&mut ps.info, &info);
    ps.info.log_tail = ps.pg_log.log.tail;
}

fn append_log(ps: &mut PeeringState, entry: LogEntry) {
    apply_to_store(&mut ps.store, &entry);
    ps.info.last_update = entry.version;
    if !ps.pg_log.missing.have_missing() {
        ps.info.last_complete = entry.version;
    }
    ps.pg_log.add(entry, true);
    // Replicated entries cannot be rolled back: append_log rolls forward to the new
    // entry (`roll_forward_to`).
    ps.pg_log.roll_forward(&mut StoreHandler(&mut ps.store));
}

fn apply_to_store(store: &mut BTreeMap<String, Eversion>, e: &LogEntry) {
    if e.is_delete() {
        store.remove(&e.object);
    } else {
        store.insert(e.object.clone(), e.version);
    }
}

/// Models `ReplicatedBackend::do_repop` on a replica (after `can_discard_replica_op`: a
/// write from before this interval, or one this log already has, is dropped): log the
/// entry, apply it (unless the primary sent an empty transaction: `apply` false, an
/// object backfill has not reached), and reply MOSDRepOpReply.
pub fn do_repop(
    ps: &mut PeeringState,
    from: i32,
    epoch: u32,
    tid: u64,
    entry: LogEntry,
    trim_to: Eversion,
    apply: bool,
) {
    let stale = epoch < ps.history.same_interval_since
        || ps.is_primary()
        || from != ps.acting_primary
        || entry.version <= ps.pg_log.log.head
        || entry.version.version <= ps.pg_log.log.head.version;
    if stale {
        return;
    }
    if apply {
        append_log(ps, entry);
    } else {
        // An empty transaction: logged, not applied (backfill or, for an object this
        // async recovery target misses, recovery will bring it). ReplicatedBackend::
        // do_repop: a missing object's need moves to the new version
        // (`add_local_next_event`).
        if ps.pg_log.missing.is_missing(&entry.object) {
            ps.pg_log.missing.add_next_event(&entry);
        }
        ps.info.last_update = entry.version;
        if !ps.pg_log.missing.have_missing() {
            ps.info.last_complete = entry.version;
        }
        ps.pg_log.add(entry, true);
        ps.pg_log.roll_forward(&mut StoreHandler(&mut ps.store));
    }
    trim_log(ps, trim_to);
    ps.outbox.push(Outgoing::RepOpReply {
        to: from,
        epoch: ps.epoch,
        tid,
    });
}

/// Models `ReplicatedBackend::do_repop_reply` → `PrimaryLogPG::repop_all_committed` /
/// `eval_repop`: once every replica committed, reply to the client (and to resent
/// copies of the op).
pub fn do_repop_reply(ps: &mut PeeringState, from: i32, tid: u64) {
    let Some(repop) = ps.repops.get_mut(&tid) else {
        return; // cancelled by a new interval (on_change)
    };
    repop.waiting_on.remove(&from);
    let version = repop.version;
    // The replica's last_complete_ondisk (`peer_last_complete_ondisk`).
    if ps.peer_missing.get(&from).is_none_or(|m| !m.have_missing()) {
        if let Some(i) = ps.peer_info.get_mut(&from) {
            if i.last_complete < version {
                i.last_complete = version;
                i.last_update = i.last_update.max(version);
            }
        }
    }
    let Some(repop) = ps.repops.get_mut(&tid) else {
        return;
    };
    if repop.waiting_on.is_empty() {
        if let Some(repop) = ps.repops.remove(&tid) {
            reply_committed(ps, &repop);
        }
    }
}

fn reply_committed(ps: &mut PeeringState, repop: &RepOp) {
    for op in std::iter::once(&repop.op).chain(&repop.dups) {
        ps.outbox.push(Outgoing::ClientReply {
            op: op.id,
            version: repop.version,
            result: 0,
        });
    }
}

/// Models the requeue when the PG becomes peered (`requeue_ops(waiting_for_peered)`) and,
/// if it can take writes, active (`requeue_ops(waiting_for_active)`): the waiting ops go
/// through `do_op` again, in order.
pub fn requeue_ops(ps: &mut PeeringState) {
    let mut ops = std::mem::take(&mut ps.waiting_for_peered);
    if ps.state.has(PgState::ACTIVE) {
        ops.extend(std::mem::take(&mut ps.waiting_for_active));
    }
    for op in ops {
        do_op(ps, op);
    }
}

/// Models `PrimaryLogPG::on_change` at a new interval: in-flight writes are cancelled
/// (`apply_and_flush_repops`) and, like every queued op, requeued if we are still the
/// primary (they wait for peering again), else dropped (the client resends to the new
/// primary). Entries already logged stay in the log; peering decides their fate.
pub fn on_change(ps: &mut PeeringState) {
    let mut ops: Vec<ClientOp> = Vec::new();
    for repop in std::mem::take(&mut ps.repops).into_values() {
        ops.push(repop.op);
        ops.extend(repop.dups);
    }
    ops.append(&mut ps.waiting_for_peered);
    ops.append(&mut ps.waiting_for_active);
    for queued in std::mem::take(&mut ps.waiting_for_degraded).into_values() {
        ops.extend(queued);
    }
    if ps.is_primary() {
        ps.waiting_for_peered = ops;
    }
}

/// The daemon stopped: everything held in memory (queued and in-flight ops) is gone; the
/// log and the object store are on disk and stay.
pub fn on_daemon_stop(ps: &mut PeeringState) {
    ps.repops.clear();
    ps.waiting_for_peered.clear();
    ps.waiting_for_active.clear();
    ps.waiting_for_degraded.clear();
}

/// Models `PGLog::LogEntryHandler` as the PG's object store transaction
/// (`PG::PGLogEntryHandler`): what merges ask of the store. Replicated pools log
/// unrollbackable entries, so `rollback` only undoes the version bookkeeping.
pub struct StoreHandler<'a>(pub &'a mut BTreeMap<String, Eversion>);

impl LogEntryHandler for StoreHandler<'_> {
    fn rollback(&mut self, entry: &LogEntry) {
        if entry.prior_version.is_zero() {
            self.0.remove(&entry.object);
        } else {
            self.0.insert(entry.object.clone(), entry.prior_version);
        }
    }
    fn rollforward(&mut self, _: &LogEntry) {}
    fn trim(&mut self, _: &LogEntry) {}
    fn remove(&mut self, object: &str) {
        self.0.remove(object);
    }
    fn try_stash(&mut self, object: &str, _: u64) {
        self.0.remove(object);
    }
}
