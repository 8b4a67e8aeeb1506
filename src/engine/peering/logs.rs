//! The PG log inside peering (src/osd/PeeringState.cc @00349925): what a log query is
//! answered with (`fulfill_log`), the primary adopting the authoritative log
//! (`proc_master_log`) and working out a peer's missing set (`proc_replica_log`), the logs
//! `activate()` sends, and a replica merging them (`merge_log`) or rewinding
//! (`rewind_divergent_log`). The merges themselves are `pglog`'s; here they are called
//! with the PG's own log, info, missing set and object store, and recorded.
//!
//! Ceph `ceph_assert`s that the two logs of a merge are consistent; the simulation checks
//! the same conditions first (`pglog::check_*`) and, where Ceph would abort, marks the PG
//! crashed with the reason instead of panicking.

use super::acting::ShardInfo;
use super::events::{PeerState, QueryKind};
use super::io::StoreHandler;
use super::state::{MergeRecord, Outgoing, PeeringState};
use crate::engine::pglog::{
    check_merge_log, check_proc_replica_log, Eversion, IndexedLog, MergeDecision, Missing,
    ObjectBound, PgInfo,
};

/// The `pg_info_t` the log code reads and writes, from what peering keeps.
pub fn pg_info(si: &ShardInfo) -> PgInfo {
    PgInfo {
        last_update: si.last_update,
        last_complete: si.last_complete,
        log_tail: si.log_tail,
        last_backfill: si.last_backfill.clone(),
        ..PgInfo::default()
    }
}

/// Copy back what a merge changed in a `pg_info_t`.
pub fn set_from_pg_info(si: &mut ShardInfo, pi: &PgInfo) {
    si.last_update = pi.last_update;
    si.last_complete = pi.last_complete;
    si.log_tail = pi.log_tail;
    si.last_backfill = pi.last_backfill.clone();
}

/// Where Ceph would `ceph_assert`: the OSD aborts. The PG is marked crashed, with why.
fn assert_failed(ps: &mut PeeringState, what: &str, why: String) {
    ps.crashed = true;
    ps.crash_reason = Some(format!("{what}: {why}"));
}

fn record(ps: &mut PeeringState, kind: &'static str, with: i32, decisions: Vec<MergeDecision>) {
    ps.merges.push(MergeRecord {
        epoch: ps.epoch,
        kind,
        with,
        decisions,
    });
}

/// Models `PeeringState::fulfill_log`: our info, our missing set and the log asked for:
/// after `since` for LOG (the whole log if `since` is before our tail: "the primary should
/// not have requested this"), the whole log for FULLLOG.
pub fn fulfill_log(ps: &PeeringState, to: i32, query_epoch: u32, kind: QueryKind) -> Outgoing {
    let log = match kind {
        QueryKind::Log { since } if since.is_zero() || since >= ps.pg_log.log.tail => {
            ps.pg_log.log.copy_after(since)
        }
        _ => ps.pg_log.log.clone(),
    };
    Outgoing::Log {
        to,
        epoch: ps.epoch,
        query_epoch,
        peer: ps.peer_state_with_log(log, Some(ps.pg_log.missing.clone())),
    }
}

/// Models `PeeringState::merge_log` (→ `PGLog::merge_log`) on our own log, info, missing
/// set and store. Returns the peer's info as the merge left it, or None if Ceph would
/// have aborted.
fn merge_log(
    ps: &mut PeeringState,
    from: i32,
    peer: &PeerState,
    olog: IndexedLog,
) -> Option<PgInfo> {
    if let Err(why) = check_merge_log(&ps.pg_log.log, &olog) {
        assert_failed(ps, "merge_log", why);
        return None;
    }
    let mut oinfo = pg_info(&peer.info);
    let mut info = pg_info(&ps.info);
    let result = ps.pg_log.merge_log(
        &mut oinfo,
        olog,
        &mut info,
        &mut StoreHandler(&mut ps.store),
    );
    set_from_pg_info(&mut ps.info, &info);
    record(ps, "merge_log", from, result.decisions);
    Some(oinfo)
}

/// Models `PeeringState::proc_master_log`: merge the authoritative log into ours (its
/// entries win; ours that it lacks are divergent), remember the auth's info and missing
/// set, and take its last_epoch_started if larger, then its history.
pub fn proc_master_log(ps: &mut PeeringState, from: i32, peer: &PeerState) {
    let Some(olog) = peer.log.clone() else {
        ps.peer_info.insert(from, peer.info.clone());
        return;
    };
    let Some(oinfo) = merge_log(ps, from, peer, olog) else {
        return;
    };
    let mut pi = peer.info.clone();
    set_from_pg_info(&mut pi, &oinfo);
    ps.peer_info.insert(from, pi);
    if peer.info.last_epoch_started > ps.info.last_epoch_started {
        ps.info.last_epoch_started = peer.info.last_epoch_started;
    }
    ps.history.merge(&peer.history);
    let missing = peer.missing.clone().unwrap_or_else(|| Missing::new(true));
    ps.peer_missing.insert(from, missing);
}

/// Models `PeeringState::proc_replica_log` (→ `PGLog::proc_replica_log`): compare the
/// peer's log with ours; its divergent entries become missing objects, its last_update
/// drops to where the logs agree; that info and missing set are what we keep of it.
pub fn proc_replica_log(ps: &mut PeeringState, from: i32, peer: &PeerState) {
    let mut pi = peer.info.clone();
    let mut omissing = peer.missing.clone().unwrap_or_else(|| Missing::new(true));
    if let Some(olog) = &peer.log {
        if let Err(why) = check_proc_replica_log(&ps.pg_log.log, olog) {
            assert_failed(ps, "proc_replica_log", why);
            return;
        }
        let mut oinfo = pg_info(&pi);
        let decisions = ps.pg_log.proc_replica_log(&mut oinfo, olog, &mut omissing);
        set_from_pg_info(&mut pi, &oinfo);
        record(ps, "proc_replica_log", from, decisions);
    }
    ps.peer_info.insert(from, pi);
    ps.peer_missing.insert(from, omissing);
}

/// Models the per-peer part of `PeeringState::activate` on the primary: a peer whose
/// last_update is ours gets our info (MOSDPGInfo; an empty peer a log message); any other
/// gets the entries after its last_update (MOSDPGLog, "catch up"), which also go into our
/// copy of its missing set (`add_next_event`). Then the peer has our last_update, and
/// last_complete too if it misses nothing. A backfill target (or a peer our log no longer
/// covers, or one mid-backfill from MIN) starts backfill: its info becomes ours with
/// last_backfill MIN, it gets that info and a copy of our log (for dup detection), and
/// an empty missing set.
pub fn activate_peer(ps: &mut PeeringState, peer: i32) {
    let Some(mut pi) = ps.peer_info.get(&peer).cloned() else {
        return;
    };
    let backfill = ps.pg_log.log.tail > pi.last_update
        || pi.last_backfill == ObjectBound::Min
        || (ps.backfill_targets.contains(&peer) && pi.last_backfill.is_max());
    if backfill
        && !(pi.last_update == ps.info.last_update
            && !pi.is_empty()
            && !ps.backfill_targets.contains(&peer))
    {
        pi.last_update = ps.info.last_update;
        pi.last_complete = ps.info.last_update;
        pi.last_backfill = ObjectBound::Min;
        pi.last_epoch_started = ps.info.last_epoch_started;
        pi.num_objects_missing = 0;
        let log = ps.pg_log.log.clone();
        pi.log_tail = log.tail;
        let mut peer_state = ps.peer_state_with_log(log, None);
        peer_state.info = pi.clone();
        ps.outbox.push(Outgoing::Log {
            to: peer,
            epoch: ps.epoch,
            query_epoch: ps.last_peering_reset,
            peer: peer_state,
        });
        ps.peer_info.insert(peer, pi);
        ps.peer_missing.insert(peer, Missing::new(true));
        return;
    }
    let mut pm = ps
        .peer_missing
        .remove(&peer)
        .unwrap_or_else(|| Missing::new(true));
    let out = if pi.last_update == ps.info.last_update && !pi.is_empty() {
        Outgoing::Info {
            to: peer,
            epoch: ps.epoch,
            peer: ps.peer_state(),
        }
    } else {
        let log = ps.pg_log.log.copy_after(pi.last_update);
        for e in log.entries.iter().filter(|e| !e.is_error()) {
            pm.add_next_event(e);
        }
        Outgoing::Log {
            to: peer,
            epoch: ps.epoch,
            query_epoch: ps.last_peering_reset,
            peer: ps.peer_state_with_log(log, None),
        }
    };
    ps.outbox.push(out);
    pi.last_update = ps.info.last_update;
    if !pm.have_missing() {
        pi.last_complete = pi.last_update;
    }
    pi.num_objects_missing = pm.num_missing() as u64;
    ps.peer_info.insert(peer, pi);
    ps.peer_missing.insert(peer, pm);
}

/// Models activate()'s "init complete pointer": nothing missing → last_complete :=
/// last_update; else it stays behind (`activate_not_complete`). Then, when the acting set
/// can take writes, `roll_forward` (replicated entries cannot be rolled back anyway).
pub fn activate_log(ps: &mut PeeringState, writeable: bool) {
    if !ps.pg_log.missing.have_missing() {
        ps.info.last_complete = ps.info.last_update;
    }
    ps.info.num_objects_missing = ps.pg_log.missing.num_missing() as u64;
    if writeable {
        ps.pg_log.roll_forward(&mut StoreHandler(&mut ps.store));
    }
}

/// Models the replica side of a primary's log (`Stray::react(const MLogRec&)`,
/// `ReplicaActive::react(const MLogRec&)`): `merge_log` the primary's entries into ours
/// (ours it lacks are divergent: rolled back or their objects marked missing). Ceph then
/// asserts our head is the primary's last_update.
pub fn replica_merge_log(ps: &mut PeeringState, from: i32, peer: &PeerState) {
    let Some(olog) = peer.log.clone() else {
        return;
    };
    if peer.info.last_backfill == ObjectBound::Min {
        // Stray::react(const MLogRec&): "restart backfill": take the primary's info
        // and log (reset_backfill_claim_log). Our objects stay: last_backfill MIN says
        // none is trusted; backfill compares them with the primary's (MOSDPGScan), keeps
        // those at the same version and removes the extras (MOSDPGBackfillRemove).
        ps.info = peer.info.clone();
        ps.pg_log
            .reset_backfill_claim_log(&olog, &mut StoreHandler(&mut ps.store));
        ps.pg_log.missing.clear();
        ps.info.last_update = ps.pg_log.log.head;
        ps.info.log_tail = ps.pg_log.log.tail;
        return;
    }
    if merge_log(ps, from, peer, olog).is_none() {
        return;
    }
    if ps.pg_log.log.head != ps.info.last_update {
        let why = format!(
            "log head {} is not last_update {}",
            ps.pg_log.log.head, ps.info.last_update
        );
        assert_failed(
            ps,
            "ceph_assert(pg_log.get_head() == info.last_update)",
            why,
        );
    }
}

/// Models `Stray::react(const MInfoRec&)`: our log runs past the primary's last_update:
/// `rewind_divergent_log` to it. Ceph then asserts the two last_updates are equal.
pub fn replica_rewind(ps: &mut PeeringState, from: i32, newhead: Eversion) {
    if ps.info.last_update > newhead {
        let log = &ps.pg_log.log;
        if newhead < log.tail
            || IndexedLog::rewind_violation(log.entries.iter().rev(), newhead).is_some()
        {
            let why = format!("cannot rewind {} to {newhead}", log.head);
            assert_failed(ps, "rewind_divergent_log", why);
            return;
        }
        let mut info = pg_info(&ps.info);
        let result =
            ps.pg_log
                .rewind_divergent_log(newhead, &mut info, &mut StoreHandler(&mut ps.store));
        set_from_pg_info(&mut ps.info, &info);
        record(ps, "rewind_divergent_log", from, result.decisions);
    }
    if ps.info.last_update != newhead {
        let why = format!(
            "the primary's last_update {newhead}, ours {}",
            ps.info.last_update
        );
        assert_failed(
            ps,
            "ceph_assert(infoevt.info.last_update == info.last_update)",
            why,
        );
    }
}

/// Models `PeeringState::needs_recovery`: the primary or an acting replica misses objects.
pub fn needs_recovery(ps: &PeeringState) -> bool {
    ps.pg_log.missing.have_missing()
        || ps
            .acting_recovery_backfill
            .iter()
            .filter(|p| **p != ps.whoami && !ps.backfill_targets.contains(p))
            .any(|p| ps.peer_missing.get(p).is_some_and(Missing::have_missing))
}
