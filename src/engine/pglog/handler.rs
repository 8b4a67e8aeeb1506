//! `PGLog::LogEntryHandler`: how the log's decisions reach the object store.

use super::entry::LogEntry;
use super::eversion::Eversion;
use serde::Serialize;

/// Models `PGLog::LogEntryHandler` (src/osd/PGLog.h). The PG log never touches objects itself;
/// it asks the handler (in Ceph, the PG's transaction) to do so.
pub trait LogEntryHandler {
    /// Undo a divergent entry using its stashed rollback information.
    fn rollback(&mut self, entry: &LogEntry);
    /// The entry can no longer be rolled back: make it permanent.
    fn rollforward(&mut self, entry: &LogEntry);
    /// Drop the entry's rollback information.
    fn trim(&mut self, entry: &LogEntry);
    /// Delete the local copy of the object.
    fn remove(&mut self, object: &str);
    /// Move the object aside at `version` so a lost delete can still be rolled back.
    fn try_stash(&mut self, object: &str, version: u64);
}

/// A handler that records every call, in order, instead of changing a store. `removed` and
/// `rolled_back` are what Ceph's own test handler (`LogHandler` in TestPGLog.cc) checks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordingHandler {
    pub removed: Vec<String>,
    pub rolled_back: Vec<LogEntry>,
    pub rolled_forward: Vec<Eversion>,
    pub trimmed: Vec<Eversion>,
    pub stashed: Vec<(String, u64)>,
}

impl LogEntryHandler for RecordingHandler {
    fn rollback(&mut self, entry: &LogEntry) {
        self.rolled_back.push(entry.clone());
    }
    fn rollforward(&mut self, entry: &LogEntry) {
        self.rolled_forward.push(entry.version);
    }
    fn trim(&mut self, entry: &LogEntry) {
        self.trimmed.push(entry.version);
    }
    fn remove(&mut self, object: &str) {
        self.removed.push(object.to_string());
    }
    fn try_stash(&mut self, object: &str, version: u64) {
        self.stashed.push((object.to_string(), version));
    }
}
