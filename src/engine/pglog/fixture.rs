//! A ready-made `merge_log` input, for benchmarks and examples.

use super::decision::MergeDecision;
use super::entry::{LogEntry, Op};
use super::eversion::Eversion;
use super::handler::RecordingHandler;
use super::indexed_log::IndexedLog;
use super::info::PgInfo;
use super::missing::Missing;
use super::pg_log::PgLog;
use std::collections::HashMap;

/// Everything `PgLog::merge_log` takes: our log (with missing) and info, and the
/// authoritative log and info.
#[derive(Clone, Debug)]
pub struct MergeInput {
    pub local: PgLog,
    pub info: PgInfo,
    pub olog: IndexedLog,
    pub oinfo: PgInfo,
}

/// What `MergeInput::merge` leaves behind.
#[derive(Clone, Debug)]
pub struct MergeOutput {
    pub local: PgLog,
    pub info: PgInfo,
    pub handler: RecordingHandler,
    pub decisions: Vec<MergeDecision>,
}

impl MergeInput {
    /// Runs `merge_log` with a recording handler.
    pub fn merge(self) -> MergeOutput {
        let MergeInput {
            mut local,
            mut info,
            olog,
            mut oinfo,
        } = self;
        let mut handler = RecordingHandler::default();
        let result = local.merge_log(&mut oinfo, olog, &mut info, &mut handler);
        MergeOutput {
            local,
            info,
            handler,
            decisions: result.decisions,
        }
    }
}

/// Two `n`-entry logs sharing their first `n - divergent` entries: ours then holds
/// `divergent` entries written in epoch 2 by a primary that died, the authoritative log
/// `divergent` different ones written in epoch 3 by its successor (the case merge_log's
/// "extend on head" handles). Objects are reused so some divergent objects have newer
/// authoritative entries (case 1), some were created divergently (case 2), the rest must be
/// recovered (case 5).
pub fn bench_fixture(n: usize, divergent: usize) -> MergeInput {
    let divergent = divergent.min(n);
    let objects = (n / 4).max(1);
    let mut history = History::default();
    let base: Vec<LogEntry> = (1..=n - divergent)
        .map(|i| history.write(1, i, format!("obj_{}", i % objects)))
        .collect();

    let mut ours = history.clone();
    let mut local_entries = base.clone();
    local_entries.extend((n - divergent + 1..=n).map(|i| {
        // Every third divergent write creates a new object.
        let name = if i % 3 == 0 {
            format!("new_{i}")
        } else {
            format!("obj_{}", (i * 7) % objects)
        };
        ours.write(2, i, name)
    }));

    let mut auth_entries = base;
    auth_entries.extend(
        (n - divergent + 1..=n).map(|i| history.write(3, i, format!("obj_{}", (i * 13) % objects))),
    );

    let local_log = IndexedLog::from_entries(Eversion::ZERO, local_entries);
    let olog = IndexedLog::from_entries(Eversion::ZERO, auth_entries);
    let info = info_for(&local_log);
    let oinfo = info_for(&olog);
    MergeInput {
        local: PgLog::new(local_log, Missing::new(true)),
        info,
        olog,
        oinfo,
    }
}

fn info_for(log: &IndexedLog) -> PgInfo {
    PgInfo {
        last_update: log.head,
        last_complete: log.head,
        log_tail: log.tail,
        ..PgInfo::default()
    }
}

/// The current version of each object, so entries chain their `prior_version`s.
#[derive(Clone, Default)]
struct History {
    current: HashMap<String, Eversion>,
}

impl History {
    fn write(&mut self, epoch: u32, version: usize, object: String) -> LogEntry {
        let v = Eversion::new(epoch, version as u64);
        let prior = self.current.insert(object.clone(), v).unwrap_or_default();
        LogEntry::new(Op::Modify, &object, v, prior)
    }
}
