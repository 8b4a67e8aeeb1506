//! Validation of logs that come from outside (JSON): every condition Ceph `ceph_assert`s on
//! its way through a merge is checked here first, so that the merge's own `debug_assert!`s
//! only ever catch bugs in cephscope, never bad input.
//!
//! Errors name the offending field: `log.entries[2].version: ...` for one copy (the caller
//! prefixes which copy), `local.log...` / `auth.log...` for the two logs of a merge.

use super::entry::LogEntry;
use super::eversion::Eversion;
use super::indexed_log::IndexedLog;
use super::info::PgInfo;
use super::merge::{head_cut_point, replica_cut_point};
use super::missing::Missing;
use std::collections::HashMap;

/// Checks one OSD's copy (log, info, missing) is a state Ceph could be in.
pub fn validate_copy(log: &IndexedLog, info: &PgInfo, missing: &Missing) -> Result<(), String> {
    validate_log(log)?;
    validate_info(log, info)?;
    validate_missing(info, missing)
}

fn validate_log(log: &IndexedLog) -> Result<(), String> {
    if log.tail > log.head {
        return Err(format!(
            "log.tail: {} is after log.head {}",
            log.tail, log.head
        ));
    }
    let mut previous: Option<&LogEntry> = None;
    let mut last_by_object: HashMap<&str, Eversion> = HashMap::new();
    for (i, e) in log.entries.iter().enumerate() {
        let at = format!("log.entries[{i}]");
        validate_name(&e.object).map_err(|m| format!("{at}.object: {m}"))?;
        validate_entry_position(log, previous, e).map_err(|m| format!("{at}.version: {m}"))?;
        if !e.prior_version.is_zero() && e.prior_version >= e.version {
            return Err(format!(
                "{at}.prior_version: {} is not older than the entry's version {}",
                e.prior_version, e.version
            ));
        }
        if !e.is_error() {
            let last = last_by_object.insert(&e.object, e.version);
            if let Some(last) = last.filter(|l| !e.prior_version.is_zero() && e.prior_version != *l)
            {
                return Err(format!(
                    "{at}.prior_version: {} but the previous entry for {} is {last} \
                     (Ceph asserts prior_version chains in _merge_object_divergent_entries)",
                    e.prior_version, e.object
                ));
            }
        }
        previous = Some(e);
    }
    let crt = log.get_can_rollback_to();
    if crt > log.head {
        return Err(format!(
            "log.can_rollback_to: {crt} is after log.head {}",
            log.head
        ));
    }
    if log.get_rollback_info_trimmed_to() > crt {
        return Err(format!(
            "log.rollback_info_trimmed_to: {} is after can_rollback_to {crt}",
            log.get_rollback_info_trimmed_to()
        ));
    }
    for (i, pair) in log.dups.iter().collect::<Vec<_>>().windows(2).enumerate() {
        if pair[1].version <= pair[0].version {
            return Err(format!(
                "log.dups[{}].version: {} is not after the previous dup {}",
                i + 1,
                pair[1].version,
                pair[0].version
            ));
        }
    }
    Ok(())
}

/// Entries lie in `(tail, head]`, in increasing version and version counter (what
/// `read_log_and_missing` and `IndexedLog::add` assert).
fn validate_entry_position(
    log: &IndexedLog,
    previous: Option<&LogEntry>,
    e: &LogEntry,
) -> Result<(), String> {
    let v = e.version;
    if v <= log.tail {
        return Err(format!("{v} is not after log.tail {}", log.tail));
    }
    if v > log.head {
        return Err(format!("{v} is after log.head {}", log.head));
    }
    match previous {
        Some(p) if v <= p.version => Err(format!(
            "{v} is not after the previous entry {} (a log is sorted by version)",
            p.version
        )),
        Some(p) if v.version <= p.version.version => Err(format!(
            "{v}: version counter {} is not after the previous entry's {}",
            v.version, p.version
        )),
        _ => Ok(()),
    }
}

fn validate_name(name: &str) -> Result<(), String> {
    match name {
        "" => Err("an object name cannot be empty".into()),
        "MIN" | "MAX" => Err(format!("\"{name}\" is reserved for the object bounds")),
        _ => Ok(()),
    }
}

fn validate_info(log: &IndexedLog, info: &PgInfo) -> Result<(), String> {
    if info.last_update != log.head {
        return Err(format!(
            "info.last_update: {} differs from log.head {}",
            info.last_update, log.head
        ));
    }
    if info.log_tail != log.tail {
        return Err(format!(
            "info.log_tail: {} differs from log.tail {}",
            info.log_tail, log.tail
        ));
    }
    if info.last_complete > info.last_update {
        return Err(format!(
            "info.last_complete: {} is after last_update {}",
            info.last_complete, info.last_update
        ));
    }
    Ok(())
}

fn validate_missing(info: &PgInfo, missing: &Missing) -> Result<(), String> {
    for (object, item) in missing.items() {
        let at = format!("missing[\"{object}\"]");
        validate_name(object).map_err(|m| format!("{at}.object: {m}"))?;
        if item.need <= item.have {
            return Err(format!(
                "{at}.need: {} is not newer than have {}",
                item.need, item.have
            ));
        }
        if item.need > info.last_update {
            return Err(format!(
                "{at}.need: {} is after info.last_update {}",
                item.need, info.last_update
            ));
        }
        if !info.last_backfill.covers(object) {
            return Err(format!(
                "{at}.object: {object} is after info.last_backfill {} (only objects up to it \
                 are tracked)",
                info.last_backfill
            ));
        }
        if item.is_delete && !missing.may_include_deletes {
            return Err(format!("{at}.flags: \"delete\" needs may_include_deletes"));
        }
    }
    Ok(())
}

/// Checks `merge_log`'s preconditions and that the two histories are consistent where the
/// merge compares them (`local` merges in the authoritative `auth`).
pub fn check_merge_log(local: &IndexedLog, auth: &IndexedLog) -> Result<(), String> {
    if local.null() && !auth.tail.is_zero() {
        return Err(format!(
            "auth.log.tail: local.log is empty, so the authoritative log must start at 0'0, \
             not {}",
            auth.tail
        ));
    }
    if local.head < auth.tail {
        return Err(format!(
            "auth.log.tail: {} is after local.log.head {}: the logs do not overlap",
            auth.tail, local.head
        ));
    }
    if auth.head < local.tail {
        return Err(format!(
            "auth.log.head: {} is before local.log.tail {}: the logs do not overlap",
            auth.head, local.tail
        ));
    }
    if auth.head < local.head {
        return check_rewind(local, auth, 0, auth.head, "auth.log.head");
    }
    if auth.head > local.head {
        return check_head_extension(local, auth);
    }
    Ok(())
}

fn check_head_extension(local: &IndexedLog, auth: &IndexedLog) -> Result<(), String> {
    let prepended = if auth.tail < local.tail {
        auth.entries.partition_point(|e| e.version <= local.tail)
    } else {
        0
    };
    let (from, lower_bound) = head_cut_point(
        auth.entries.range(prepended..),
        local.head,
        auth.tail,
        local.tail,
    );
    check_rewind(local, auth, prepended, lower_bound, "the last shared point")?;
    let first_new = prepended + from;
    match auth.entries.get(first_new) {
        Some(e) if lower_bound.version != 0 && e.version.version <= lower_bound.version => {
            Err(format!(
                "auth.log.entries[{first_new}].version: {}: version counter is not after the \
                 last shared point {lower_bound}, so it cannot be appended",
                e.version
            ))
        }
        _ => Ok(()),
    }
}

/// The entries `rewind_from_head(newhead)` cuts (by version counter) must all be newer than
/// `newhead`. merge_log has put the oldest `prepended` entries of `auth` in front of ours.
fn check_rewind(
    local: &IndexedLog,
    auth: &IndexedLog,
    prepended: usize,
    newhead: Eversion,
    what: &str,
) -> Result<(), String> {
    let older = auth.entries.range(..prepended).rev();
    let newest_first = local.entries.iter().rev().chain(older);
    match IndexedLog::rewind_violation(newest_first, newhead) {
        None => Ok(()),
        Some(e) => Err(inconsistent(&locate(e, local, auth), e, newhead, what)),
    }
}

/// The field path of an entry of `local`, else of `auth` (prepended entries are older than
/// all of local's, so a version is found in one log only).
fn locate(e: &LogEntry, local: &IndexedLog, auth: &IndexedLog) -> String {
    let index = |log: &IndexedLog| log.entries.binary_search_by(|x| x.version.cmp(&e.version));
    match (index(local), index(auth)) {
        (Ok(i), _) => format!("local.log.entries[{i}]"),
        (_, Ok(i)) => format!("auth.log.entries[{i}]"),
        _ => "local.log.entries".into(),
    }
}

fn inconsistent(at: &str, e: &LogEntry, newhead: Eversion, what: &str) -> String {
    format!(
        "{at}.version: {} would be cut off as divergent (version counter past {what} \
         {newhead}) but is not newer than it: the two histories are inconsistent",
        e.version
    )
}

/// Checks `proc_replica_log` can compare the replica's log `replica` with the primary's
/// `primary`: the replica entries it cuts off must be newer than the cut point.
pub fn check_proc_replica_log(primary: &IndexedLog, replica: &IndexedLog) -> Result<(), String> {
    if replica.head < primary.tail || replica.head == primary.head {
        return Ok(());
    }
    let (_, _, lu) = replica_cut_point(primary, replica);
    match IndexedLog::rewind_violation(replica.entries.iter().rev(), lu) {
        None => Ok(()),
        Some(e) => {
            let at = locate(e, replica, &IndexedLog::default());
            Err(inconsistent(&at, e, lu, "the cut point"))
        }
    }
}
