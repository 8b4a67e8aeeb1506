//! The peering merges of `PGLog` (src/osd/PGLog.cc): `merge_log`, `rewind_divergent_log`,
//! `proc_replica_log`, `merge_log_dups`.

use super::decision::MergeDecision;
use super::divergent::{
    append_log_entries_update_missing, merge_divergent_entries, merge_object_divergent_entries,
};
use super::entry::{LogDup, LogEntry};
use super::eversion::Eversion;
use super::handler::LogEntryHandler;
use super::indexed_log::IndexedLog;
use super::info::PgInfo;
use super::missing::Missing;
use super::pg_log::PgLog;
use serde::Serialize;

/// What a merge on our own log reports: its decisions in order, and Ceph's `dirty_info` /
/// `dirty_big_info` out-flags (the PG info must be persisted).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MergeResult {
    pub decisions: Vec<MergeDecision>,
    pub dirty_info: bool,
    pub dirty_big_info: bool,
}

const AUTHORITATIVE_WHY: &str = "proc_master_log hands merge_log the log of the copy \
     find_best_info chose (a complete copy with the newest last_epoch_started and, for a \
     replicated pool, the newest last_update; then the longer log)";

/// Where `merge_log` starts appending the authoritative log: the index in `olog_entries` of
/// the first entry newer than our head, and the last point both logs share (`lower_bound`).
pub fn head_cut_point<'a>(
    olog_entries: impl DoubleEndedIterator<Item = &'a LogEntry> + ExactSizeIterator,
    our_head: Eversion,
    olog_tail: Eversion,
    our_orig_tail: Eversion,
) -> (usize, Eversion) {
    let lower_bound = olog_tail.max(our_orig_tail);
    match olog_entries
        .enumerate()
        .rev()
        .find(|(_, e)| e.version <= our_head)
    {
        Some((i, e)) => (i + 1, lower_bound.max(e.version)),
        None => (0, lower_bound),
    }
}

/// Where a replica's log stops matching the primary's (`proc_replica_log`): our newest entry
/// not after the replica's head, the newer of the two tails, and the replica's new
/// last_update.
pub fn replica_cut_point(
    log: &IndexedLog,
    olog: &IndexedLog,
) -> (Option<Eversion>, Eversion, Eversion) {
    let first_non_divergent = log
        .entries
        .iter()
        .rev()
        .find(|e| e.version <= olog.head)
        .map(|e| e.version);
    // Neither tail can be divergent (a tail was trimmed, so it was committed), but the logs
    // may hold no event between the tails and olog.head (after a split).
    let limit = olog.tail.max(log.tail);
    let lu = match first_non_divergent {
        Some(v) if v >= limit => v,
        _ => limit,
    };
    (first_non_divergent, limit, lu)
}

impl PgLog {
    /// Models `PGLog::merge_log` (src/osd/PGLog.cc): adopt the authoritative log `olog` of
    /// `oinfo` (`proc_master_log` calls it with the log `find_best_info` chose). Extends our
    /// tail, rewinds our divergent head or appends the new entries updating missing, resolves
    /// divergent entries, then merges the dups.
    pub fn merge_log(
        &mut self,
        oinfo: &mut PgInfo,
        mut olog: IndexedLog,
        info: &mut PgInfo,
        rollbacker: &mut dyn LogEntryHandler,
    ) -> MergeResult {
        debug_assert!(
            !self.log.null() || olog.tail.is_zero(),
            "our log is empty but the authoritative log was trimmed to {}",
            olog.tail
        );
        debug_assert!(
            self.log.head >= olog.tail && olog.head >= self.log.tail,
            "logs do not overlap"
        );
        let mut trace = vec![MergeDecision::AuthoritativeLog {
            tail: olog.tail,
            head: olog.head,
            why: AUTHORITATIVE_WHY.into(),
        }];
        let mut result = MergeResult::default();
        let mut changed = false;

        let orig_tail = self.log.tail;
        if olog.tail < self.log.tail {
            self.extend_tail(&mut olog, info, &mut trace);
            changed = true;
        }
        adopt_stats(oinfo, info, &mut trace);

        if olog.head < self.log.head {
            // rewind_divergent_log sets dirty_info itself; `changed` says the same.
            self.rewind_into(olog.head, info, rollbacker, &mut trace);
            changed = true;
        }
        if olog.head > self.log.head {
            self.extend_head(oinfo, &mut olog, orig_tail, info, rollbacker, &mut trace);
            changed = true;
        }
        if self.merge_log_dups(&olog, &mut trace) {
            changed = true;
        }
        if changed {
            result.dirty_info = true;
            result.dirty_big_info = true;
        }
        result.decisions = trace;
        result
    }

    /// merge_log's "extend on tail": prepend the authoritative entries up to our tail. This
    /// only fills in history; missing already matches our log. The entries leave `olog`
    /// (Ceph splices them out), which matters for the head extension after.
    fn extend_tail(
        &mut self,
        olog: &mut IndexedLog,
        info: &mut PgInfo,
        trace: &mut Vec<MergeDecision>,
    ) {
        let our_tail = self.log.tail;
        let n = olog.entries.partition_point(|e| e.version <= our_tail);
        let older: Vec<LogEntry> = olog.entries.drain(..n).collect();
        older.iter().for_each(|e| self.log.index_entry(e));
        self.mark_dirty_to(older.last().map_or(Eversion::ZERO, |e| e.version));
        trace.push(MergeDecision::TailExtended {
            old_tail: our_tail,
            new_tail: olog.tail,
            prepended: older.iter().map(|e| e.version).collect(),
        });
        self.log.prepend(older);
        self.log.tail = olog.tail;
        info.log_tail = olog.tail;
    }

    /// merge_log's "extend on head": cut our log back to the last shared point, append the
    /// authoritative entries after it, then resolve what we cut off.
    fn extend_head(
        &mut self,
        oinfo: &PgInfo,
        olog: &mut IndexedLog,
        orig_tail: Eversion,
        info: &mut PgInfo,
        rollbacker: &mut dyn LogEntryHandler,
        trace: &mut Vec<MergeDecision>,
    ) {
        let (from, lower_bound) =
            head_cut_point(olog.entries.iter(), self.log.head, olog.tail, orig_tail);
        trace.push(MergeDecision::HeadExtending {
            from: self.log.head,
            to: olog.head,
            lower_bound,
        });
        self.mark_dirty_from(lower_bound);

        // Whether a divergent entry can be rolled back is judged against the
        // can_rollback_to from before rewind_from_head lowers it.
        let original_crt = self.log.get_can_rollback_to();
        let divergent = self.log.rewind_from_head(lower_bound);
        trace.extend(
            divergent
                .iter()
                .map(|e| MergeDecision::DivergentFound { entry: e.clone() }),
        );
        let head = self.log.head;
        let rolled = self.log.roll_forward_to_recorded(head, rollbacker);
        trace.push(MergeDecision::RolledForward {
            to: head,
            entries: rolled,
        });

        let new_entries: Vec<LogEntry> = olog.entries.drain(from..).collect();
        append_log_entries_update_missing(
            &info.last_backfill,
            &new_entries,
            false,
            Some(&mut self.log),
            &mut self.missing,
            Some(&mut *rollbacker),
            trace,
        );
        merge_divergent_entries(
            &self.log,
            divergent,
            info,
            original_crt,
            &mut self.missing,
            Some(rollbacker),
            trace,
        );

        trace.push(MergeDecision::LastUpdateSet {
            from: info.last_update,
            to: olog.head,
        });
        info.last_update = olog.head;
        self.log.head = olog.head;
        // We cannot roll back into the entries just received.
        self.log.skip_can_rollback_to_to_head();
        trace.push(MergeDecision::CanRollbackToSet { to: self.log.head });

        info.last_user_version = oinfo.last_user_version;
        info.purged_snaps = oinfo.purged_snaps.clone();
        info.stats.num_objects_missing = self.missing.num_missing() as u64;
    }

    /// Models `PGLog::rewind_divergent_log` (src/osd/PGLog.cc): cut our log back to `newhead`
    /// and resolve the entries cut off. Replicas use it when the primary's log is behind
    /// theirs; `merge_log` when the authoritative head is behind ours.
    pub fn rewind_divergent_log(
        &mut self,
        newhead: Eversion,
        info: &mut PgInfo,
        rollbacker: &mut dyn LogEntryHandler,
    ) -> MergeResult {
        let mut decisions = Vec::new();
        self.rewind_into(newhead, info, rollbacker, &mut decisions);
        MergeResult {
            decisions,
            dirty_info: true,
            dirty_big_info: true,
        }
    }

    fn rewind_into(
        &mut self,
        newhead: Eversion,
        info: &mut PgInfo,
        rollbacker: &mut dyn LogEntryHandler,
        trace: &mut Vec<MergeDecision>,
    ) {
        trace.push(MergeDecision::Rewind {
            from: self.log.head,
            to: newhead,
        });
        // Judge rollbacks against can_rollback_to from before rewind_from_head lowers it.
        let original_crt = self.log.get_can_rollback_to();
        if info.last_complete > newhead {
            trace.push(MergeDecision::LastCompleteSet {
                from: info.last_complete,
                to: newhead,
                why: "nothing after the new head is complete".into(),
            });
            info.last_complete = newhead;
        }
        let divergent = self.log.rewind_from_head(newhead);
        if let Some(first) = divergent.first() {
            self.mark_dirty_from(first.version);
        }
        trace.extend(
            divergent
                .iter()
                .map(|e| MergeDecision::DivergentFound { entry: e.clone() }),
        );
        trace.push(MergeDecision::LastUpdateSet {
            from: info.last_update,
            to: newhead,
        });
        info.last_update = newhead;
        merge_divergent_entries(
            &self.log,
            divergent,
            info,
            original_crt,
            &mut self.missing,
            Some(rollbacker),
            trace,
        );
    }

    /// Models `PGLog::proc_replica_log` (src/osd/PGLog.cc), run on the primary with its own
    /// (authoritative) log in `self`: rewind a copy of the replica's log `olog` to the last
    /// point it shares with ours, fold the divergent entries into the replica's missing set
    /// `omissing`, and lower the replica's `oinfo.last_update` / `last_complete` to match.
    /// Bookkeeping only: no store is touched and `olog` is unchanged. `activate()` later
    /// sends the replica our entries after the new last_update.
    pub fn proc_replica_log(
        &self,
        oinfo: &mut PgInfo,
        olog: &IndexedLog,
        omissing: &mut Missing,
    ) -> Vec<MergeDecision> {
        let mut trace = Vec::new();
        if olog.head < self.log.tail {
            trace.push(MergeDecision::NoOverlap {
                replica_head: olog.head,
                primary_tail: self.log.tail,
            });
            return trace;
        }
        if olog.head == self.log.head {
            trace.push(MergeDecision::SameHead { head: olog.head });
            return trace;
        }
        let (last_shared, limit, lu) = replica_cut_point(&self.log, olog);
        trace.push(MergeDecision::ReplicaCutPoint {
            last_shared,
            limit,
            last_update: lu,
        });

        // Ceph builds `IndexedLog folog(olog)`: a copy, indexed, with olog's can_rollback_to.
        let mut folog = olog.clone();
        folog.index();
        let divergent = folog.rewind_from_head(lu);
        trace.extend(
            divergent
                .iter()
                .map(|e| MergeDecision::DivergentFound { entry: e.clone() }),
        );
        merge_divergent_entries(
            &folog,
            divergent,
            oinfo,
            olog.get_can_rollback_to(),
            omissing,
            None,
            &mut trace,
        );

        if lu < oinfo.last_update {
            trace.push(MergeDecision::LastUpdateSet {
                from: oinfo.last_update,
                to: lu,
            });
            oinfo.last_update = lu;
        }
        let (last_complete, why) = replica_last_complete(oinfo, olog, omissing);
        trace.push(MergeDecision::LastCompleteSet {
            from: oinfo.last_complete,
            to: last_complete,
            why: why.into(),
        });
        oinfo.last_complete = last_complete;
        trace
    }

    /// Models `PGLog::merge_old_entry` (src/osd/PGLog.h), which exists for TestPGLog: resolve
    /// one divergent entry against our log.
    pub fn merge_old_entry(
        &mut self,
        oe: &LogEntry,
        info: &PgInfo,
        rollbacker: &mut dyn LogEntryHandler,
    ) -> Vec<MergeDecision> {
        let mut trace = Vec::new();
        merge_object_divergent_entries(
            &self.log,
            &oe.object,
            std::slice::from_ref(oe),
            info,
            self.log.get_can_rollback_to(),
            &mut self.missing,
            Some(rollbacker),
            &mut trace,
        );
        trace
    }

    /// Models `PGLog::merge_log_dups` (src/osd/PGLog.cc): take the authoritative dups we lack
    /// on either end, then drop dups that overlap the log (newer than its tail). Returns
    /// whether our dups changed.
    pub fn merge_log_dups(&mut self, olog: &IndexedLog, trace: &mut Vec<MergeDecision>) -> bool {
        let mut changed = false;
        if !olog.dups.is_empty() {
            if self.log.dups.is_empty() {
                self.dirty.dirty_from_dups = Eversion::ZERO;
                self.dirty.dirty_to_dups = Eversion::MAX;
                self.log.dups = olog.dups.clone();
                trace.push(MergeDecision::DupsCopied {
                    versions: dup_versions(&self.log.dups),
                });
                changed = true;
            } else {
                changed |= self.append_newer_dups(olog, trace);
                changed |= self.prepend_older_dups(olog, trace);
            }
        }
        changed | self.drop_overlapping_dups(trace)
    }

    fn append_newer_dups(&mut self, olog: &IndexedLog, trace: &mut Vec<MergeDecision>) -> bool {
        let Some(our_newest) = self.log.dups.back().map(|d| d.version) else {
            return false;
        };
        let n = olog.dups.len() - olog.dups.partition_point(|d| d.version <= our_newest);
        if n == 0 {
            return false;
        }
        let newer: Vec<LogDup> = olog
            .dups
            .iter()
            .skip(olog.dups.len() - n)
            .cloned()
            .collect();
        self.mark_dirty_from_dups(newer[0].version);
        trace.push(MergeDecision::DupsAppended {
            versions: newer.iter().map(|d| d.version).collect(),
        });
        self.log.dups.extend(newer);
        true
    }

    fn prepend_older_dups(&mut self, olog: &IndexedLog, trace: &mut Vec<MergeDecision>) -> bool {
        let Some(our_oldest) = self.log.dups.front().map(|d| d.version) else {
            return false;
        };
        let older: Vec<LogDup> = olog
            .dups
            .iter()
            .take_while(|d| d.version < our_oldest)
            .cloned()
            .collect();
        let Some(newest_older) = older.last().map(|d| d.version) else {
            return false;
        };
        self.mark_dirty_to_dups(newest_older);
        trace.push(MergeDecision::DupsPrepended {
            versions: older.iter().map(|d| d.version).collect(),
        });
        for dup in older.into_iter().rev() {
            self.log.dups.push_front(dup);
        }
        true
    }

    /// Current Ceph drops dups *newer than* the tail; older code (and the older TestPGLog.cc
    /// expectations) dropped those *at or after* it.
    fn drop_overlapping_dups(&mut self, trace: &mut Vec<MergeDecision>) -> bool {
        let tail = self.log.tail;
        let mut dropped = Vec::new();
        while let Some(dup) = self.log.dups.back().filter(|d| d.version > tail) {
            let version = dup.version;
            self.mark_dirty_from_dups(version);
            self.log.dups.pop_back();
            dropped.push(version);
        }
        if dropped.is_empty() {
            return false;
        }
        dropped.reverse();
        trace.push(MergeDecision::DupsDropped { versions: dropped });
        true
    }
}

fn dup_versions(dups: &std::collections::VecDeque<LogDup>) -> Vec<Eversion> {
    dups.iter().map(|d| d.version).collect()
}

/// merge_log's stats step: reported_seq/epoch never go backwards; a complete copy
/// (last_backfill MAX) takes the authoritative stats.
fn adopt_stats(oinfo: &mut PgInfo, info: &mut PgInfo, trace: &mut Vec<MergeDecision>) {
    if oinfo.stats.reported_seq < info.stats.reported_seq
        || oinfo.stats.reported_epoch < info.stats.reported_epoch
    {
        oinfo.stats.reported_seq = info.stats.reported_seq;
        oinfo.stats.reported_epoch = info.stats.reported_epoch;
    }
    if info.last_backfill.is_max() {
        info.stats = oinfo.stats.clone();
        trace.push(MergeDecision::StatsAdopted {
            version: info.stats.version,
        });
    }
}

/// proc_replica_log's last_complete: the newest replica entry older than the oldest needed
/// version, or last_update when nothing is missing.
fn replica_last_complete(
    oinfo: &PgInfo,
    olog: &IndexedLog,
    omissing: &Missing,
) -> (Eversion, &'static str) {
    if !omissing.have_missing() {
        return (oinfo.last_update, "nothing is missing");
    }
    let first_missing = omissing.oldest_need();
    let last_complete = olog
        .entries
        .iter()
        .take_while(|e| e.version < first_missing)
        .last()
        .map_or(Eversion::ZERO, |e| e.version);
    (
        last_complete,
        "the newest replica entry older than the oldest missing need",
    )
}
