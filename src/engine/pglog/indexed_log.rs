//! `pg_log_t` with `PGLog::IndexedLog`'s index and rollback bookkeeping.

use super::entry::{LogDup, LogEntry};
use super::eversion::Eversion;
use super::handler::LogEntryHandler;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// The trimming knobs (`osd_pg_log_dups_tracked`, `osd_pg_log_trim_max`), Ceph's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrimConfig {
    pub dups_tracked: u64,
    pub trim_max: usize,
}

impl Default for TrimConfig {
    fn default() -> Self {
        TrimConfig {
            dups_tracked: 3000,
            trim_max: 10000,
        }
    }
}

/// What one `IndexedLog::trim` removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrimOutcome {
    /// Versions of the trimmed entries (Ceph's `trimmed` set).
    pub trimmed: Vec<Eversion>,
    /// Versions of the dups dropped because there were too many (`trimmed_dups`).
    pub trimmed_dups: Vec<Eversion>,
    /// The oldest entry turned into a dup (Ceph lowers `write_from_dups` to it).
    pub write_from_dups: Option<Eversion>,
}

/// Models `pg_log_t` plus `PGLog::IndexedLog` (src/osd/osd_types.h, src/osd/PGLog.h).
///
/// The log holds the updates in `(tail, head]`, oldest first. `entries` is public like Ceph's
/// `log` member: code that edits it directly must call [`IndexedLog::index`] afterwards, as
/// Ceph's does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IndexedLog {
    pub head: Eversion,
    pub tail: Eversion,
    /// Rollbackable entries newer than this may still be rolled back.
    can_rollback_to: Eversion,
    /// Rollback information of entries up to here has been handed to `trim`/`rollforward`.
    rollback_info_trimmed_to: Eversion,
    pub entries: VecDeque<LogEntry>,
    /// Trimmed entries kept for duplicate-op detection, oldest first.
    pub dups: VecDeque<LogDup>,
    /// `objects`: object → version of its newest non-ERROR entry. `None` = not indexed
    /// (`PGLOG_INDEXED_OBJECTS` unset): like Ceph, `add` then leaves the index alone.
    #[serde(skip)]
    objects: Option<BTreeMap<String, Eversion>>,
    /// `rollback_info_trimmed_to_riter` as a count: the oldest `ritt_count` entries have been
    /// passed to the handler (the reverse iterator's base is `entries[ritt_count]`).
    #[serde(skip)]
    ritt_count: usize,
}

impl IndexedLog {
    /// Models the `IndexedLog(pg_log_t(...))` constructor: positions the rollback iterator and
    /// indexes everything.
    pub fn from_parts(
        head: Eversion,
        tail: Eversion,
        can_rollback_to: Eversion,
        rollback_info_trimmed_to: Eversion,
        entries: impl IntoIterator<Item = LogEntry>,
        dups: impl IntoIterator<Item = LogDup>,
    ) -> Self {
        let mut log = IndexedLog {
            head,
            tail,
            can_rollback_to,
            rollback_info_trimmed_to,
            entries: entries.into_iter().collect(),
            dups: dups.into_iter().collect(),
            objects: None,
            ritt_count: 0,
        };
        log.reset_rollback_info_trimmed_to_riter();
        log.index();
        log
    }

    /// A log of `entries` after `tail`, head at the newest entry, nothing rollbackable marked
    /// (`can_rollback_to = 0'0`, as a default `pg_log_t`).
    pub fn from_entries(tail: Eversion, entries: impl IntoIterator<Item = LogEntry>) -> Self {
        let entries: Vec<LogEntry> = entries.into_iter().collect();
        let head = entries.last().map_or(tail, |e| e.version);
        IndexedLog::from_parts(head, tail, Eversion::ZERO, Eversion::ZERO, entries, [])
    }

    pub fn get_can_rollback_to(&self) -> Eversion {
        self.can_rollback_to
    }

    pub fn get_rollback_info_trimmed_to(&self) -> Eversion {
        self.rollback_info_trimmed_to
    }

    /// Models `pg_log_t::null`: nothing was ever logged.
    pub fn null(&self) -> bool {
        self.head.is_zero()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at exactly `version` (entries are sorted by version).
    pub fn entry_at(&self, version: Eversion) -> Option<&LogEntry> {
        self.entries
            .binary_search_by(|e| e.version.cmp(&version))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Models a look-up in `objects` (not `logged_object`): the newest indexed entry for the
    /// object, `None` if absent or the log is not indexed.
    pub fn indexed_object(&self, oid: &str) -> Option<&LogEntry> {
        let version = *self.objects.as_ref()?.get(oid)?;
        self.entry_at(version)
    }

    /// Models `logged_object`, which indexes on demand first (Ceph's index is `mutable`).
    pub fn logged_object(&mut self, oid: &str) -> bool {
        if self.objects.is_none() {
            self.index();
        }
        self.indexed_object(oid).is_some()
    }

    pub fn is_indexed(&self) -> bool {
        self.objects.is_some()
    }

    /// Models `index()`: rebuild the by-object index from the entries.
    pub fn index(&mut self) {
        let mut objects = BTreeMap::new();
        for e in self.entries.iter().filter(|e| e.object_is_indexed()) {
            objects.insert(e.object.clone(), e.version);
        }
        self.objects = Some(objects);
    }

    /// Models `unindex()`.
    pub fn unindex(&mut self) {
        self.objects = None;
    }

    /// Models `index(pg_log_entry_t&)`: index one entry unless a newer one is indexed.
    pub fn index_entry(&mut self, e: &LogEntry) {
        if let Some(objects) = self.objects.as_mut().filter(|_| e.object_is_indexed()) {
            let newer_known = objects.get(&e.object).is_some_and(|v| *v >= e.version);
            if !newer_known {
                objects.insert(e.object.clone(), e.version);
            }
        }
    }

    /// Models `unindex(const pg_log_entry_t&)` (only valid when trimming from the tail).
    fn unindex_entry(&mut self, e: &LogEntry) {
        if let Some(objects) = self.objects.as_mut() {
            if objects.get(&e.object) == Some(&e.version) {
                objects.remove(&e.object);
            }
        }
    }

    /// Models `IndexedLog::add`: append the next entry. `applied = false` (not yet applied
    /// to the store) requires that nothing is rollbackable.
    pub fn add(&mut self, e: LogEntry, applied: bool) {
        if !applied {
            debug_assert_eq!(
                self.can_rollback_to, self.head,
                "add(unapplied) with rollbacks"
            );
        }
        debug_assert!(
            e.version > self.head,
            "add {e}: not after head {}",
            self.head
        );
        debug_assert!(
            self.head.version == 0 || e.version.version > self.head.version,
            "add {e}: version counter not after head {}",
            self.head
        );
        self.head = e.version;
        if let Some(objects) = self.objects.as_mut().filter(|_| e.object_is_indexed()) {
            objects.insert(e.object.clone(), e.version);
        }
        // The rollback iterator keeps pointing at the same entry: nothing to adjust.
        self.entries.push_back(e);
        if !applied {
            self.skip_can_rollback_to_to_head();
        }
    }

    /// Prepend older entries (merge_log's tail extension splices them in front). The
    /// rollback iterator's base entry does not move, so it now has `n` more entries behind it.
    pub(super) fn prepend(&mut self, older: Vec<LogEntry>) {
        let n = older.len();
        for e in older.into_iter().rev() {
            self.entries.push_front(e);
        }
        self.ritt_count += n;
    }

    /// Models `advance_can_rollback_to`: raise `can_rollback_to` and
    /// `rollback_info_trimmed_to` to `to`, handing each newly passed entry to `f`. Returns
    /// whether the log must be rewritten.
    fn advance_can_rollback_to(&mut self, to: Eversion, mut f: impl FnMut(&LogEntry)) -> bool {
        let dirty_log = to > self.can_rollback_to || to > self.rollback_info_trimmed_to;
        self.can_rollback_to = self.can_rollback_to.max(to);
        self.rollback_info_trimmed_to = self.rollback_info_trimmed_to.max(to);
        self.ritt_count = self.ritt_count.min(self.entries.len());
        while let Some(e) = self.entries.get(self.ritt_count) {
            if e.version > self.rollback_info_trimmed_to {
                break;
            }
            f(e);
            self.ritt_count += 1;
        }
        dirty_log
    }

    /// Models `reset_rollback_info_trimmed_to_riter`.
    fn reset_rollback_info_trimmed_to_riter(&mut self) {
        let ritt = self.rollback_info_trimmed_to;
        self.ritt_count = self.entries.partition_point(|e| e.version <= ritt);
    }

    /// Models `trim_rollback_info_to`: drop rollback information up to `to`.
    pub fn trim_rollback_info_to(&mut self, to: Eversion, h: &mut dyn LogEntryHandler) {
        self.advance_can_rollback_to(to, |e| h.trim(e));
    }

    /// Models `roll_forward_to`: entries up to `to` become permanent.
    pub fn roll_forward_to(&mut self, to: Eversion, h: &mut dyn LogEntryHandler) -> bool {
        self.advance_can_rollback_to(to, |e| h.rollforward(e))
    }

    /// `roll_forward_to`, also returning the versions rolled forward (for the trace).
    pub(super) fn roll_forward_to_recorded(
        &mut self,
        to: Eversion,
        h: &mut dyn LogEntryHandler,
    ) -> Vec<Eversion> {
        let mut rolled = Vec::new();
        self.advance_can_rollback_to(to, |e| {
            h.rollforward(e);
            rolled.push(e.version);
        });
        rolled
    }

    /// Models `skip_can_rollback_to_to_head`.
    pub fn skip_can_rollback_to_to_head(&mut self) {
        let head = self.head;
        self.advance_can_rollback_to(head, |_| {});
    }

    /// The first entry `rewind_from_head(newhead)` would pop although it is not newer than
    /// `newhead` — where Ceph would `ceph_assert(p->version > newhead)`. `newest_first` walks
    /// a log from its head back.
    pub fn rewind_violation<'a>(
        newest_first: impl IntoIterator<Item = &'a LogEntry>,
        newhead: Eversion,
    ) -> Option<&'a LogEntry> {
        newest_first
            .into_iter()
            .take_while(|e| e.version.version > newhead.version)
            .find(|e| e.version <= newhead)
    }

    /// Models `IndexedLog::rewind_from_head` / `pg_log_t::rewind_from_head`: cut off and
    /// return (oldest first) every entry whose version *counter* is past `newhead`'s, so
    /// `100'10` and an authoritative `122'10` count as the same slot.
    pub fn rewind_from_head(&mut self, newhead: Eversion) -> Vec<LogEntry> {
        debug_assert!(
            newhead >= self.tail,
            "rewind to {newhead} before tail {}",
            self.tail
        );
        debug_assert!(
            IndexedLog::rewind_violation(self.entries.iter().rev(), newhead).is_none(),
            "rewind to {newhead} would pop an entry that is not newer"
        );
        let keep = self.entries.len()
            - self
                .entries
                .iter()
                .rev()
                .take_while(|e| e.version.version > newhead.version)
                .count();
        let divergent: Vec<LogEntry> = self.entries.split_off(keep).into();
        self.head = newhead;
        self.can_rollback_to = self.can_rollback_to.min(newhead);
        self.rollback_info_trimmed_to = self.rollback_info_trimmed_to.min(newhead);
        self.index();
        self.reset_rollback_info_trimmed_to_riter();
        divergent
    }

    /// Models `claim_log_and_clear_rollback_info`: become a copy of `o`, nothing
    /// rollbackable. The old entries' rollback information must already be trimmed.
    pub fn claim_log_and_clear_rollback_info(&mut self, o: &IndexedLog) {
        debug_assert_eq!(
            self.rollback_info_trimmed_to, self.head,
            "untrimmed rollback info"
        );
        debug_assert_eq!(
            self.ritt_count,
            self.entries.len(),
            "rollback iterator not at head"
        );
        *self = IndexedLog::from_parts(
            o.head,
            o.tail,
            o.can_rollback_to,
            o.rollback_info_trimmed_to,
            o.entries.iter().cloned(),
            o.dups.iter().cloned(),
        );
        self.skip_can_rollback_to_to_head();
        self.index();
    }

    /// Models `pg_log_t::copy_after` (src/osd/osd_types.cc), what `fulfill_log` and
    /// `activate()` send: the entries newer than `v`, this log's head and can_rollback_to,
    /// and as tail the newest entry not newer than `v` ("make tail accurate"), or our tail.
    /// Dups are not copied: the simulated cluster never trims, so it has none.
    pub fn copy_after(&self, v: Eversion) -> IndexedLog {
        let keep = self.entries.partition_point(|e| e.version <= v);
        let tail = match keep {
            0 => self.tail,
            n => self.entries[n - 1].version,
        };
        IndexedLog::from_parts(
            self.head,
            tail,
            self.can_rollback_to,
            tail,
            self.entries.range(keep..).cloned(),
            [],
        )
    }

    /// Models `IndexedLog::zero`.
    pub fn zero(&mut self) {
        debug_assert_eq!(
            self.rollback_info_trimmed_to, self.head,
            "untrimmed rollback info"
        );
        *self = IndexedLog::default();
    }

    /// Models `IndexedLog::clear`.
    pub fn clear(&mut self) {
        self.skip_can_rollback_to_to_head();
        self.zero();
    }

    /// Models `IndexedLog::trim` (src/osd/PGLog.cc, after the tracker 53729 fix): drop
    /// entries up to `s`, keep the recent ones as dups, then trim the oldest dups while there
    /// are more than `dups_tracked` (at most `trim_max` per call).
    pub fn trim(&mut self, s: Eversion, cfg: &TrimConfig) -> TrimOutcome {
        debug_assert!(
            s <= self.can_rollback_to,
            "trim to {s} past can_rollback_to"
        );
        let mut out = TrimOutcome::default();
        let newest = self.entries.back().map_or(0, |e| e.version.version);
        let earliest_dup_version = (newest + 1).saturating_sub(cfg.dups_tracked);
        while self.entries.front().is_some_and(|e| e.version <= s) {
            let Some(e) = self.entries.pop_front() else {
                break;
            };
            out.trimmed.push(e.version);
            self.unindex_entry(&e);
            if e.version.version >= earliest_dup_version {
                out.write_from_dups.get_or_insert(e.version);
                self.dups.push_back(LogDup::from_entry(&e));
            }
            self.ritt_count = self.ritt_count.saturating_sub(1);
        }
        for _ in 0..cfg.trim_max {
            if self.dups.len() as u64 <= cfg.dups_tracked {
                break;
            }
            if let Some(dup) = self.dups.pop_front() {
                out.trimmed_dups.push(dup.version);
            }
        }
        self.tail = self.tail.max(s);
        out
    }

    /// Models `get_request`: the version, user version and return code of the newest logged
    /// op with this reqid, else of a dup.
    pub fn get_request(&self, reqid: &str) -> Option<(Eversion, u64, i32)> {
        let logged = self
            .entries
            .iter()
            .rev()
            .find(|e| e.reqid_is_indexed() && e.reqid.as_deref() == Some(reqid))
            .map(|e| (e.version, e.user_version, e.return_code));
        logged.or_else(|| {
            self.dups
                .iter()
                .rev()
                .find(|d| d.reqid == reqid)
                .map(|d| (d.version, d.user_version, d.return_code))
        })
    }
}
