//! The steps a merge takes, in Ceph's order, for the browser to animate and the CLI to print.

use super::entry::LogEntry;
use super::eversion::Eversion;
use super::missing::MissingItem;
use serde::Serialize;

/// How one step changed an object's missing entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change")]
pub enum MissingChange {
    Unchanged,
    Added { item: MissingItem },
    Updated { item: MissingItem },
    Removed,
}

impl MissingChange {
    /// The change between an object's missing entry before and after a step.
    pub fn between(before: Option<MissingItem>, after: Option<MissingItem>) -> Self {
        match (before, after) {
            (None, None) => MissingChange::Unchanged,
            (None, Some(item)) => MissingChange::Added { item },
            (Some(old), Some(item)) if old == item => MissingChange::Unchanged,
            (Some(_), Some(item)) => MissingChange::Updated { item },
            (Some(_), None) => MissingChange::Removed,
        }
    }

    fn phrase(&self) -> String {
        match self {
            MissingChange::Unchanged => "the missing set is unchanged".into(),
            MissingChange::Added { item } => {
                format!("it is now missing (need {}, have {})", item.need, item.have)
            }
            MissingChange::Updated { item } => {
                format!(
                    "its missing entry becomes need {}, have {}",
                    item.need, item.have
                )
            }
            MissingChange::Removed => "it is no longer missing".into(),
        }
    }
}

/// What `append_log_entries_update_missing` asks of the object store for one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StoreAction {
    Nothing,
    Remove,
    TryStash,
}

/// Which of `_merge_object_divergent_entries`' cases applied (numbered as in Ceph's comment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "case")]
pub enum DivergentCase {
    /// The object sorts after `last_backfill`: this OSD does not track it.
    AfterLastBackfill,
    /// Every divergent entry is an ERROR entry, which never changed the object.
    OnlyErrorEntries,
    /// Case 1: the merged log has a newer entry for the object.
    NewerEntryInLog { newer: Eversion },
    /// Case 2: the first divergent entry created the object (prior 0'0 or a CLONE).
    Creation,
    /// Case 3: the object is already missing.
    AlreadyMissing,
    /// Case 4: every divergent entry can be rolled back.
    Rollbackable,
    /// Case 5: `blocking` cannot be rolled back (no rollback info, or not after
    /// can_rollback_to).
    NotRollbackable { blocking: Eversion },
}

impl DivergentCase {
    /// Ceph's reasoning for the case, citing `_merge_object_divergent_entries`.
    pub fn reason(&self) -> String {
        match self {
            DivergentCase::AfterLastBackfill => {
                "the object is after last_backfill, so backfill will bring it (case 0)".into()
            }
            DivergentCase::OnlyErrorEntries => {
                "only ERROR entries, which never changed the object, are divergent".into()
            }
            DivergentCase::NewerEntryInLog { newer } => format!(
                "case 1: the log has a newer entry {newer}, so merge_log already put the \
                 object in missing; our copy is untrustworthy"
            ),
            DivergentCase::Creation => {
                "case 2: the divergent entries created the object, so it must not exist".into()
            }
            DivergentCase::AlreadyMissing => {
                "case 3: the object is already missing; only its needed version changes".into()
            }
            DivergentCase::Rollbackable => {
                "case 4: every divergent entry can be rolled back locally".into()
            }
            DivergentCase::NotRollbackable { blocking } => {
                format!("case 5: {blocking} cannot be rolled back, so the object must be recovered")
            }
        }
    }
}

/// What resolving an object's divergent entries did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action")]
pub enum DivergentAction {
    Nothing,
    /// Case 1: `have` reset to 0'0; the local copy removed unless it did not exist.
    HaveReset {
        store_removed: bool,
    },
    /// Case 2: dropped from missing (if there) and the local copy removed.
    RemovedObject {
        dropped_missing: bool,
        store_removed: bool,
    },
    /// Case 3, `have == prior_version`: we already have the right version.
    AlreadyMissingDropped,
    /// Case 3 otherwise: need the prior version, keep `have`.
    AlreadyMissingRevised {
        need: Eversion,
        have: Eversion,
    },
    /// Case 4: rolled back, newest first.
    RolledBack {
        entries: Vec<Eversion>,
    },
    /// Case 5: the local copy removed unless it did not exist; missing `{need, 0'0}`.
    MarkedMissing {
        need: Eversion,
        store_removed: bool,
    },
}

/// One decision of a PG log merge, in the order Ceph takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind")]
pub enum MergeDecision {
    /// `merge_log` adopts `olog` as authoritative.
    AuthoritativeLog {
        tail: Eversion,
        head: Eversion,
        why: String,
    },
    /// `merge_log`: the authoritative log reaches further back; its older entries are
    /// prepended (history only, missing untouched).
    TailExtended {
        old_tail: Eversion,
        new_tail: Eversion,
        prepended: Vec<Eversion>,
    },
    /// `merge_log`: our last_backfill is MAX, so the authoritative stats are copied.
    StatsAdopted {
        version: Eversion,
    },
    /// `rewind_divergent_log`: our log runs past `to`.
    Rewind {
        from: Eversion,
        to: Eversion,
    },
    /// `merge_log`: the authoritative log runs past ours; entries after `lower_bound` (the
    /// last shared point) are appended.
    HeadExtending {
        from: Eversion,
        to: Eversion,
        lower_bound: Eversion,
    },
    /// An entry of the log being rewound that the authoritative history does not have.
    DivergentFound {
        entry: LogEntry,
    },
    /// `roll_forward_to`: these entries can no longer be rolled back.
    RolledForward {
        to: Eversion,
        entries: Vec<Eversion>,
    },
    /// `append_log_entries_update_missing`: one authoritative entry appended.
    EntryAppended {
        entry: LogEntry,
        missing: MissingChange,
        store: StoreAction,
    },
    /// `_merge_object_divergent_entries` for one object.
    DivergentResolved {
        object: String,
        entries: Vec<Eversion>,
        case: DivergentCase,
        action: DivergentAction,
        reason: String,
    },
    LastUpdateSet {
        from: Eversion,
        to: Eversion,
    },
    LastCompleteSet {
        from: Eversion,
        to: Eversion,
        why: String,
    },
    /// `skip_can_rollback_to_to_head`: nothing received can be rolled back.
    CanRollbackToSet {
        to: Eversion,
    },
    /// `merge_log_dups`: we had no dups; all of the authoritative ones are copied.
    DupsCopied {
        versions: Vec<Eversion>,
    },
    /// `merge_log_dups`: newer authoritative dups appended.
    DupsAppended {
        versions: Vec<Eversion>,
    },
    /// `merge_log_dups`: older authoritative dups prepended.
    DupsPrepended {
        versions: Vec<Eversion>,
    },
    /// `merge_log_dups`: dups that overlap the log (newer than its tail) dropped.
    DupsDropped {
        versions: Vec<Eversion>,
    },
    /// `proc_replica_log`: the replica's log ends before ours starts.
    NoOverlap {
        replica_head: Eversion,
        primary_tail: Eversion,
    },
    /// `proc_replica_log`: the replica's head is ours; nothing can be divergent.
    SameHead {
        head: Eversion,
    },
    /// `proc_replica_log`: where the replica's log stops matching ours.
    ReplicaCutPoint {
        last_shared: Option<Eversion>,
        limit: Eversion,
        last_update: Eversion,
    },
}

/// A list of versions for a sentence; long lists (a whole log rolled forward) are shortened.
fn versions(vs: &[Eversion]) -> String {
    match vs {
        [first, second, .., last] if vs.len() > 4 => {
            format!("{first}, {second}, ..., {last} ({} entries)", vs.len())
        }
        _ => {
            let shown: Vec<String> = vs.iter().map(ToString::to_string).collect();
            shown.join(", ")
        }
    }
}

impl MergeDecision {
    /// One plain-English sentence saying what happened and why.
    pub fn explain(&self) -> String {
        match self {
            MergeDecision::AuthoritativeLog { tail, head, why } => {
                format!("The log ({tail},{head}] is authoritative: {why}.")
            }
            MergeDecision::TailExtended {
                old_tail,
                new_tail,
                prepended,
            } => format!(
                "The authoritative log goes back further, so our tail moves from {old_tail} to \
                 {new_tail} and {} older entries are prepended; this is history only.",
                prepended.len()
            ),
            MergeDecision::StatsAdopted { version } => format!(
                "Our copy is complete (last_backfill MAX), so we take the authoritative PG \
                 stats (version {version})."
            ),
            MergeDecision::Rewind { from, to } => format!(
                "Our log runs to {from} but the authoritative history stops at {to}, so \
                 everything after {to} is cut off as divergent."
            ),
            MergeDecision::HeadExtending {
                from,
                to,
                lower_bound,
            } => format!(
                "The authoritative log runs on to {to} past our {from}; {lower_bound} is the \
                 last point both share, so our entries after it are divergent."
            ),
            MergeDecision::DivergentFound { entry } => {
                format!("{entry} is divergent: the authoritative history does not contain it.")
            }
            MergeDecision::RolledForward { to, entries } if entries.is_empty() => {
                format!("Our remaining entries up to {to} were already permanent.")
            }
            MergeDecision::RolledForward { to, entries } => format!(
                "Entries up to {to} become permanent: {} can no longer be rolled back.",
                versions(entries)
            ),
            MergeDecision::EntryAppended {
                entry,
                missing,
                store,
            } => {
                let store = match store {
                    StoreAction::Nothing => "",
                    StoreAction::Remove => " and the local copy is deleted",
                    StoreAction::TryStash => " and the local copy is stashed",
                };
                format!("Appended {entry}: {}{store}.", missing.phrase())
            }
            MergeDecision::DivergentResolved {
                object,
                action,
                reason,
                ..
            } => format!("{object}: {} ({reason}).", action_phrase(action)),
            MergeDecision::LastUpdateSet { from, to } => {
                format!("last_update goes from {from} to {to}.")
            }
            MergeDecision::LastCompleteSet { from, to, why } => {
                format!("last_complete goes from {from} to {to}: {why}.")
            }
            MergeDecision::CanRollbackToSet { to } => format!(
                "can_rollback_to moves to the head {to}: entries just received cannot be \
                 rolled back."
            ),
            MergeDecision::DupsCopied { versions: vs } => {
                format!(
                    "We had no dup entries, so all {} authoritative ones are copied.",
                    vs.len()
                )
            }
            MergeDecision::DupsAppended { versions: vs } => {
                format!("Newer dup entries {} are appended.", versions(vs))
            }
            MergeDecision::DupsPrepended { versions: vs } => {
                format!("Older dup entries {} are prepended.", versions(vs))
            }
            MergeDecision::DupsDropped { versions: vs } => format!(
                "Dup entries {} overlap the log itself and are dropped.",
                versions(vs)
            ),
            MergeDecision::NoOverlap {
                replica_head,
                primary_tail,
            } => format!(
                "The replica's log ends at {replica_head}, before our tail {primary_tail}: \
                 nothing to compare, it will need backfill."
            ),
            MergeDecision::SameHead { head } => {
                format!("The replica's log ends at our head {head}: nothing is divergent.")
            }
            MergeDecision::ReplicaCutPoint {
                last_shared,
                limit,
                last_update,
            } => match last_shared {
                Some(v) if v >= limit => format!(
                    "Our newest entry not after the replica's head is {v}, so the replica \
                     matches us up to {last_update}; its entries after that are divergent."
                ),
                _ => format!(
                    "No entry of ours between the tails and the replica's head, so the replica \
                     matches us only up to {limit}, the newer of the two tails."
                ),
            },
        }
    }
}

fn action_phrase(action: &DivergentAction) -> String {
    let removed = |r: &bool| {
        if *r {
            "the local copy is removed"
        } else {
            "nothing is removed locally"
        }
    };
    match action {
        DivergentAction::Nothing => "nothing to do".into(),
        DivergentAction::HaveReset { store_removed } => {
            format!(
                "what we have is reset to 0'0 and {}",
                removed(store_removed)
            )
        }
        DivergentAction::RemovedObject {
            dropped_missing,
            store_removed,
        } => {
            let missing = if *dropped_missing {
                "dropped from missing"
            } else {
                "not missing"
            };
            format!("{missing}, and {}", removed(store_removed))
        }
        DivergentAction::AlreadyMissingDropped => {
            "we already have the prior version, so it is no longer missing".into()
        }
        DivergentAction::AlreadyMissingRevised { need, have } => {
            format!("it stays missing, now needing {need} (have {have})")
        }
        DivergentAction::RolledBack { entries } => {
            format!(
                "rolled back locally ({}, newest first), so it is not missing",
                versions(entries)
            )
        }
        DivergentAction::MarkedMissing {
            need,
            store_removed,
        } => format!("{} and it is missing at {need}", removed(store_removed)),
    }
}
