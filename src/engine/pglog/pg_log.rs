//! `PGLog`: a PG's log, its missing set, and what must be written out.

use super::entry::LogEntry;
use super::eversion::Eversion;
use super::handler::LogEntryHandler;
use super::indexed_log::{IndexedLog, TrimConfig};
use super::info::PgInfo;
use super::missing::Missing;
use std::collections::BTreeSet;

/// Models PGLog's dirty tracking (`dirty_to`, `dirty_from`, `writeout_from`, `trimmed` and
/// their `_dups` twins, `dirty_log`): the omap keys the next `write_log_and_missing` must
/// rewrite or remove. Ceph's `is_dirty()` reads these plus the missing set's tracker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirtyMarks {
    pub dirty_to: Eversion,
    pub dirty_from: Eversion,
    pub writeout_from: Eversion,
    pub trimmed: BTreeSet<Eversion>,
    pub dirty_to_dups: Eversion,
    pub dirty_from_dups: Eversion,
    pub write_from_dups: Eversion,
    pub trimmed_dups: BTreeSet<Eversion>,
    pub dirty_log: bool,
}

impl Default for DirtyMarks {
    /// Models `PGLog::undirty`: nothing to write.
    fn default() -> Self {
        DirtyMarks {
            dirty_to: Eversion::ZERO,
            dirty_from: Eversion::MAX,
            writeout_from: Eversion::MAX,
            trimmed: BTreeSet::new(),
            dirty_to_dups: Eversion::ZERO,
            dirty_from_dups: Eversion::MAX,
            write_from_dups: Eversion::MAX,
            trimmed_dups: BTreeSet::new(),
            dirty_log: false,
        }
    }
}

impl DirtyMarks {
    fn any(&self) -> bool {
        *self != DirtyMarks::default()
    }
}

/// Models `PGLog` (src/osd/PGLog.h): the PG's `IndexedLog` and missing set. The merge
/// operations are in `merge.rs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PgLog {
    pub log: IndexedLog,
    pub missing: Missing,
    #[serde(skip)]
    pub(super) dirty: DirtyMarks,
}

impl PgLog {
    pub fn new(log: IndexedLog, missing: Missing) -> Self {
        PgLog {
            log,
            missing,
            dirty: DirtyMarks::default(),
        }
    }

    pub fn dirty(&self) -> &DirtyMarks {
        &self.dirty
    }

    /// Models `PGLog::is_dirty`: something must be written out.
    pub fn is_dirty(&self) -> bool {
        self.dirty.any() || !self.missing.is_clean()
    }

    /// Models `PGLog::undirty`: everything was written out.
    pub fn undirty(&mut self) {
        self.dirty = DirtyMarks::default();
        self.missing.flush();
    }

    /// Models `PGLog::clear`. Like Ceph, `may_include_deletes` survives.
    pub fn clear(&mut self) {
        self.missing.clear();
        self.log.clear();
        self.undirty();
    }

    pub(super) fn mark_dirty_to(&mut self, to: Eversion) {
        self.dirty.dirty_to = self.dirty.dirty_to.max(to);
    }
    pub(super) fn mark_dirty_from(&mut self, from: Eversion) {
        self.dirty.dirty_from = self.dirty.dirty_from.min(from);
    }
    pub(super) fn mark_writeout_from(&mut self, from: Eversion) {
        self.dirty.writeout_from = self.dirty.writeout_from.min(from);
    }
    pub(super) fn mark_dirty_to_dups(&mut self, to: Eversion) {
        self.dirty.dirty_to_dups = self.dirty.dirty_to_dups.max(to);
    }
    pub(super) fn mark_dirty_from_dups(&mut self, from: Eversion) {
        self.dirty.dirty_from_dups = self.dirty.dirty_from_dups.min(from);
    }

    /// Models `PGLog::missing_add`.
    pub fn missing_add(&mut self, oid: &str, need: Eversion, have: Eversion, is_delete: bool) {
        self.missing.add(oid, need, have, is_delete);
    }

    /// Models `PGLog::add`: append a new entry of this PG's own.
    pub fn add(&mut self, e: LogEntry, applied: bool) {
        self.mark_writeout_from(e.version);
        self.log.add(e, applied);
    }

    /// Models `PGLog::trim`: drop entries up to `trim_to` (never past last_complete while
    /// nothing is missing).
    pub fn trim(&mut self, trim_to: Eversion, info: &mut PgInfo, cfg: &TrimConfig) {
        if trim_to <= self.log.tail {
            return;
        }
        debug_assert!(
            self.missing.have_missing() || trim_to <= info.last_complete,
            "trim to {trim_to} past last_complete {}",
            info.last_complete
        );
        let out = self.log.trim(trim_to, cfg);
        self.dirty.trimmed.extend(out.trimmed);
        self.dirty.trimmed_dups.extend(out.trimmed_dups);
        if let Some(v) = out.write_from_dups {
            self.dirty.write_from_dups = self.dirty.write_from_dups.min(v);
        }
        info.log_tail = self.log.tail;
    }

    /// Models `PGLog::roll_forward_to`.
    pub fn roll_forward_to(&mut self, to: Eversion, h: &mut dyn LogEntryHandler) {
        if self.log.roll_forward_to(to, h) {
            self.dirty.dirty_log = true;
        }
    }

    /// Models `PGLog::roll_forward`: nothing in the log can be rolled back any more.
    pub fn roll_forward(&mut self, h: &mut dyn LogEntryHandler) {
        let head = self.log.head;
        self.roll_forward_to(head, h);
    }

    /// Models `PGLog::reset_backfill_claim_log`: backfill starts over from the primary's log.
    pub fn reset_backfill_claim_log(&mut self, o: &IndexedLog, h: &mut dyn LogEntryHandler) {
        let head = self.log.head;
        self.log.trim_rollback_info_to(head, h);
        self.log.claim_log_and_clear_rollback_info(o);
        self.missing.clear();
        self.mark_dirty_to(Eversion::MAX);
        self.mark_dirty_to_dups(Eversion::MAX);
    }
}
