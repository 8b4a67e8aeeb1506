//! Ceph's PG log (src/osd/PGLog.{h,cc}, the log types of src/osd/osd_types.h): the ordered
//! record of a PG's updates, the missing set derived from it, and the merges peering runs to
//! agree on one history — `merge_log` (the primary adopting the authoritative log, and a
//! replica activating), `rewind_divergent_log`, `proc_replica_log` (the primary working out
//! a replica's missing objects), with `_merge_object_divergent_entries`' five cases.
//!
//! Every merge also returns its decisions as [`MergeDecision`]s, in the order Ceph takes
//! them, and reports what it asks of the object store through a [`LogEntryHandler`]
//! ([`RecordingHandler`] records the calls).
//!
//! Simplifications (see the README's Fidelity section): objects are plain names ordered
//! byte-wise (Ceph orders `hobject_t` by pool, reversed hash, namespace, key, name, snap);
//! entries keep only what peering reads; EC partial writes, clean regions, split and
//! `divergent_priors` are not modelled.

mod check;
mod decision;
mod divergent;
mod entry;
mod eversion;
mod fixture;
mod handler;
mod indexed_log;
mod info;
mod json;
mod merge;
mod missing;
mod pg_log;

pub use check::{check_merge_log, check_proc_replica_log, validate_copy};
pub use decision::{DivergentAction, DivergentCase, MergeDecision, MissingChange, StoreAction};
pub use divergent::{
    append_log_entries_update_missing, merge_divergent_entries, merge_object_divergent_entries,
    Rollbacker,
};
pub use entry::{LogDup, LogEntry, ModDesc, Op};
pub use eversion::{Eversion, ObjectBound};
pub use fixture::{bench_fixture, MergeInput, MergeOutput};
pub use handler::{LogEntryHandler, RecordingHandler};
pub use indexed_log::{IndexedLog, TrimConfig, TrimOutcome};
pub use info::{PgInfo, PgStats};
pub use json::{cli_merge, cli_proc_replica_log};
pub use merge::{head_cut_point, replica_cut_point, MergeResult};
pub use missing::{Missing, MissingItem};
pub use pg_log::{DirtyMarks, PgLog};
