//! The parts of `pg_info_t` the PG log reads and writes.

use super::eversion::{Eversion, ObjectBound};
use serde::Serialize;
use std::collections::BTreeSet;

/// The parts of `pg_stat_t` that `merge_log` touches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PgStats {
    pub version: Eversion,
    pub reported_seq: u64,
    pub reported_epoch: u32,
    /// `stats.stats.sum.num_objects_missing`.
    pub num_objects_missing: u64,
}

/// Models the log-related part of `pg_info_t` (src/osd/osd_types.h).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PgInfo {
    /// Newest update in the log (`log.head`).
    pub last_update: Eversion,
    /// Every update up to here is applied locally.
    pub last_complete: Eversion,
    /// The log covers `(log_tail, last_update]`.
    pub log_tail: Eversion,
    pub last_user_version: u64,
    /// Objects after this are not here (backfill in progress); `MAX` = complete.
    pub last_backfill: ObjectBound,
    /// `interval_set<snapid_t>` flattened to the snap ids.
    pub purged_snaps: BTreeSet<u64>,
    pub stats: PgStats,
}
