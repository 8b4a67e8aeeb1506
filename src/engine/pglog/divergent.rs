//! Resolving divergent entries and appending authoritative ones (the static helpers of
//! `PGLog` in src/osd/PGLog.h).

use super::decision::{DivergentAction, DivergentCase, MergeDecision, MissingChange, StoreAction};
use super::entry::LogEntry;
use super::eversion::{Eversion, ObjectBound};
use super::handler::LogEntryHandler;
use super::indexed_log::IndexedLog;
use super::info::PgInfo;
use super::missing::Missing;
use std::collections::BTreeMap;

/// Ceph's `LogEntryHandler *rollbacker`, which may be null (`proc_replica_log` only does the
/// bookkeeping). Each call reports whether a handler was there to act.
pub type Rollbacker<'a> = Option<&'a mut dyn LogEntryHandler>;

/// Reborrows the handler for a nested call (`Option::as_deref_mut` would keep the trait
/// object's longer lifetime, which `&mut`'s invariance then refuses).
fn reborrow<'s>(rb: &'s mut Rollbacker<'_>) -> Rollbacker<'s> {
    match rb {
        Some(h) => Some(&mut **h),
        None => None,
    }
}

fn remove(rb: &mut Rollbacker<'_>, oid: &str) -> bool {
    rb.as_deref_mut().map(|h| h.remove(oid)).is_some()
}

fn trim_all(rb: &mut Rollbacker<'_>, entries: &[LogEntry]) {
    if let Some(h) = rb.as_deref_mut() {
        entries.iter().for_each(|e| h.trim(e));
    }
}

/// Models `PGLog::_merge_divergent_entries` (src/osd/PGLog.h): split the divergent entries
/// by object and resolve each object in object order.
pub fn merge_divergent_entries(
    log: &IndexedLog,
    entries: Vec<LogEntry>,
    info: &PgInfo,
    olog_can_rollback_to: Eversion,
    missing: &mut Missing,
    mut rollbacker: Rollbacker<'_>,
    trace: &mut Vec<MergeDecision>,
) {
    let mut by_object: BTreeMap<String, Vec<LogEntry>> = BTreeMap::new();
    for e in entries {
        by_object.entry(e.object.clone()).or_default().push(e);
    }
    for (hoid, object_entries) in &by_object {
        merge_object_divergent_entries(
            log,
            hoid,
            object_entries,
            info,
            olog_can_rollback_to,
            missing,
            reborrow(&mut rollbacker),
            trace,
        );
    }
}

/// Models `PGLog::_merge_object_divergent_entries` (src/osd/PGLog.h): decide what to do
/// with one object whose entries (oldest first) were cut off the log, against the merged
/// `log`. The five cases are Ceph's; see [`DivergentCase`].
#[allow(clippy::too_many_arguments)] // Ceph's signature, kept so the port reads alongside it.
pub fn merge_object_divergent_entries(
    log: &IndexedLog,
    hoid: &str,
    orig_entries: &[LogEntry],
    info: &PgInfo,
    olog_can_rollback_to: Eversion,
    missing: &mut Missing,
    mut rollbacker: Rollbacker<'_>,
    trace: &mut Vec<MergeDecision>,
) {
    let mut resolved = |case: DivergentCase, action: DivergentAction, entries: &[LogEntry]| {
        trace.push(MergeDecision::DivergentResolved {
            object: hoid.to_string(),
            entries: entries.iter().map(|e| e.version).collect(),
            reason: case.reason(),
            case,
            action,
        });
    };
    if !info.last_backfill.covers(hoid) {
        resolved(
            DivergentCase::AfterLastBackfill,
            DivergentAction::Nothing,
            orig_entries,
        );
        return;
    }
    let entries = strip_error_entries(hoid, orig_entries);
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        resolved(
            DivergentCase::OnlyErrorEntries,
            DivergentAction::Nothing,
            orig_entries,
        );
        return;
    };
    let prior_version = first.prior_version;
    let object_not_in_store = !missing.is_missing(hoid) && last.is_delete();

    if let Some(newer) = log
        .indexed_object(hoid)
        .filter(|e| e.version >= first.version)
    {
        // Case 1: merge_log already appended a newer entry and updated missing for it.
        debug_assert!(newer.version > last.version, "{newer} is not after {last}");
        let should_be_missing =
            newer.is_update() || (missing.may_include_deletes && newer.is_delete());
        debug_assert!(
            if should_be_missing {
                missing.get(hoid).is_some_and(|i| i.need == newer.version)
            } else {
                !missing.is_missing(hoid)
            },
            "missing set not updated for {newer}"
        );
        missing.revise_have(hoid, Eversion::ZERO);
        missing.mark_fully_dirty(hoid);
        let store_removed = !object_not_in_store && remove(&mut rollbacker, hoid);
        trim_all(&mut rollbacker, &entries);
        let case = DivergentCase::NewerEntryInLog {
            newer: newer.version,
        };
        resolved(case, DivergentAction::HaveReset { store_removed }, &entries);
        return;
    }

    if prior_version.is_zero() || first.is_clone() {
        // Case 2: the object did not exist before the divergent entries.
        let dropped_missing = missing.is_missing(hoid);
        missing.rm_item(hoid);
        let store_removed = !object_not_in_store && remove(&mut rollbacker, hoid);
        trim_all(&mut rollbacker, &entries);
        let action = DivergentAction::RemovedObject {
            dropped_missing,
            store_removed,
        };
        resolved(DivergentCase::Creation, action, &entries);
        return;
    }

    if let Some(item) = missing.get(hoid).copied() {
        // Case 3: already missing; only the needed version moves back.
        let action = if item.have == prior_version {
            missing.rm_item(hoid);
            DivergentAction::AlreadyMissingDropped
        } else {
            missing.revise_need(hoid, prior_version, false);
            DivergentAction::AlreadyMissingRevised {
                need: prior_version,
                have: item.have,
            }
        };
        trim_all(&mut rollbacker, &entries);
        resolved(DivergentCase::AlreadyMissing, action, &entries);
        return;
    }

    let blocking = entries
        .iter()
        .rev()
        .find(|e| !e.can_rollback() || e.version <= olog_can_rollback_to);
    match blocking {
        None => {
            // Case 4: undo the entries locally, newest first; the object is not missing.
            if let Some(h) = rollbacker.as_deref_mut() {
                entries.iter().rev().for_each(|e| h.rollback(e));
            }
            let rolled: Vec<Eversion> = entries.iter().rev().map(|e| e.version).collect();
            let action = DivergentAction::RolledBack { entries: rolled };
            resolved(DivergentCase::Rollbackable, action, &entries);
        }
        Some(blocking) => {
            // Case 5: throw the local copy away and recover prior_version.
            let blocking = blocking.version;
            let store_removed = !object_not_in_store && remove(&mut rollbacker, hoid);
            trim_all(&mut rollbacker, &entries);
            missing.add(hoid, prior_version, Eversion::ZERO, false);
            let action = DivergentAction::MarkedMissing {
                need: prior_version,
                store_removed,
            };
            resolved(
                DivergentCase::NotRollbackable { blocking },
                action,
                &entries,
            );
        }
    }
}

/// The non-ERROR entries, checking Ceph's asserts: one object, increasing versions, each
/// `prior_version` the previous kept entry (except the first non-error one and creations).
fn strip_error_entries(hoid: &str, orig_entries: &[LogEntry]) -> Vec<LogEntry> {
    debug_assert!(!orig_entries.is_empty(), "no divergent entries for {hoid}");
    let mut kept: Vec<LogEntry> = Vec::with_capacity(orig_entries.len());
    let mut last = Eversion::ZERO;
    for (i, e) in orig_entries.iter().enumerate() {
        debug_assert_eq!(e.object, hoid, "divergent entry {e} is not on {hoid}");
        let first_non_error = kept.is_empty() && !e.is_error();
        if i != 0 && !e.prior_version.is_zero() && !first_non_error {
            debug_assert!(e.version > last, "{e} not after {last}");
            debug_assert!(
                e.prior_version == last || e.is_error(),
                "{e}: prior is not {last}"
            );
        }
        if !e.is_error() {
            last = e.version;
            kept.push(e.clone());
        }
    }
    kept
}

/// Models `PGLog::append_log_entries_update_missing` (src/osd/PGLog.h): append authoritative
/// entries to `log` (if given) and apply each to the missing set and the store. Returns
/// whether the PG stats must be invalidated (some entry was not an ERROR).
pub fn append_log_entries_update_missing(
    last_backfill: &ObjectBound,
    entries: &[LogEntry],
    maintain_rollback: bool,
    mut log: Option<&mut IndexedLog>,
    missing: &mut Missing,
    mut rollbacker: Rollbacker<'_>,
    trace: &mut Vec<MergeDecision>,
) -> bool {
    if let (Some(log), Some(first)) = (log.as_deref(), entries.first()) {
        debug_assert!(
            log.head < first.version,
            "appending {first} at head {}",
            log.head
        );
    }
    let mut invalidate_stats = false;
    for e in entries {
        invalidate_stats = invalidate_stats || !e.is_error();
        if let Some(log) = log.as_deref_mut() {
            log.add(e.clone(), true);
        }
        let before = missing.get(&e.object).copied();
        let mut store = StoreAction::Nothing;
        if last_backfill.covers(&e.object) && !e.is_error() {
            if missing.may_include_deletes {
                missing.add_next_event(e);
            } else {
                if e.is_delete() {
                    missing.rm(&e.object, e.version);
                } else {
                    missing.add_next_event(e);
                }
                store = apply_to_store(e, maintain_rollback, &mut rollbacker);
            }
        }
        trace.push(MergeDecision::EntryAppended {
            entry: e.clone(),
            missing: MissingChange::between(before, missing.get(&e.object).copied()),
            store,
        });
    }
    invalidate_stats
}

/// Deletes are applied now (unless deletes may wait in the missing set); a rollbackable lost
/// delete only stashes the object ("hack to match PG::mark_all_unfound_lost").
fn apply_to_store(e: &LogEntry, maintain_rollback: bool, rb: &mut Rollbacker<'_>) -> StoreAction {
    let Some(h) = rb.as_deref_mut() else {
        return StoreAction::Nothing;
    };
    if maintain_rollback && e.is_lost_delete() && e.can_rollback() {
        h.try_stash(&e.object, e.version.version);
        StoreAction::TryStash
    } else if e.is_delete() {
        h.remove(&e.object);
        StoreAction::Remove
    } else {
        StoreAction::Nothing
    }
}
