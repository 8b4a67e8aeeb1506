//! The built-in examples of the intervals and PG log views (the JSON files of
//! `tests/data/`, embedded), and typed views of what the engine returns for them
//! (`engine::intervals::cli_intervals`, `engine::pglog::cli_merge` /
//! `cli_proc_replica_log`). The engine is run once per example; nothing here decides
//! anything Ceph decides — the types only name the fields of the engine's output, and the
//! inputs are read only to draw them (the maps of each epoch, the logs before the merge).
//!
//! The fields are read from the `serde_json::Value`s by hand rather than with serde's
//! derives: that keeps the web build small (the engine's own JSON code is already in it).

use crate::engine::intervals::{cli_intervals, PastInterval, PgHistory, WhyNote, WhySet};
use crate::engine::pglog::{cli_merge, cli_proc_replica_log, Eversion};
use serde_json::Value;
use std::sync::OnceLock;

/// A built-in intervals example: a file of tests/data/intervals/.
pub struct IntervalsExample {
    pub name: &'static str,
    pub json: &'static str,
}

pub const INTERVALS: [IntervalsExample; 2] = [
    IntervalsExample {
        name: "seed001_q13",
        json: include_str!("../../tests/data/intervals/seed001_q13.json"),
    },
    IntervalsExample {
        name: "down_pg_up_thru_granted",
        json: include_str!("../../tests/data/intervals/down_pg_up_thru_granted.json"),
    },
];

/// Which PGLog function an example runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PgLogMode {
    /// `PGLog::merge_log` (the primary adopting the authoritative log, `proc_master_log`).
    Merge,
    /// `PGLog::proc_replica_log` (the primary working out a replica's missing set).
    ProcReplicaLog,
}

impl PgLogMode {
    /// The Ceph function, as the page names it.
    pub fn function(self) -> &'static str {
        match self {
            PgLogMode::Merge => "PGLog::merge_log",
            PgLogMode::ProcReplicaLog => "PGLog::proc_replica_log",
        }
    }

    /// What `local` and `auth` are in this mode.
    pub fn lanes(self) -> (&'static str, &'static str) {
        match self {
            PgLogMode::Merge => ("ours (local)", "authoritative"),
            PgLogMode::ProcReplicaLog => ("replica (local)", "primary (authoritative)"),
        }
    }
}

/// A built-in PG log example: a file of tests/data/pglog/.
pub struct PgLogExample {
    pub name: &'static str,
    pub mode: PgLogMode,
    pub json: &'static str,
}

pub const PGLOGS: [PgLogExample; 2] = [
    PgLogExample {
        name: "merge_divergent",
        mode: PgLogMode::Merge,
        json: include_str!("../../tests/data/pglog/merge_divergent.json"),
    },
    PgLogExample {
        name: "proc_replica_log",
        mode: PgLogMode::ProcReplicaLog,
        json: include_str!("../../tests/data/pglog/proc_replica_log.json"),
    },
];

/// The first sentence of a description, without a trailing "(see …)" parenthesis: a
/// one-line title.
pub fn first_sentence(text: &str) -> String {
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    let sentence = text[..end].trim().trim_end_matches('.');
    let sentence = match (sentence.rfind(" ("), sentence.ends_with(')')) {
        (Some(i), true) => &sentence[..i],
        _ => sentence,
    };
    sentence.trim().to_string()
}

// ---------------------------------------------------------------------------------------
// Reading values

const NULL: Value = Value::Null;

fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&NULL)
}

fn items(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn epoch(v: &Value) -> u32 {
    v.as_u64()
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn opt_epoch(v: &Value) -> Option<u32> {
    v.as_u64().map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// An OSD id; -1 (none) when absent.
fn osd(v: &Value) -> i32 {
    v.as_i64().map_or(-1, |n| i32::try_from(n).unwrap_or(-1))
}

fn osds(v: &Value) -> Vec<i32> {
    items(v).iter().map(osd).collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn texts(v: &Value) -> Vec<String> {
    items(v).iter().map(text).collect()
}

fn version(v: &Value) -> Eversion {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Intervals

/// `cli_intervals`' output, typed.
#[derive(Clone, Debug)]
pub struct IntervalsOut {
    pub pgid: String,
    pub past_intervals: Vec<RecordedInterval>,
    pub current_interval: CurrentInterval,
    pub history: PgHistory,
    pub compact: Compact,
    pub prior_set: PriorOut,
    pub need_up_thru: bool,
}

/// One recorded past interval and what started the next one.
#[derive(Clone, Debug)]
pub struct RecordedInterval {
    pub interval: PastInterval,
    pub new_interval_because: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct CurrentInterval {
    pub first: u32,
    pub up: Vec<i32>,
    pub acting: Vec<i32>,
    pub up_primary: i32,
    pub primary: i32,
}

/// Ceph's compact form (`pi_compact_rep`).
#[derive(Clone, Debug)]
pub struct Compact {
    pub bounds: [u32; 2],
    pub all_participants: Vec<String>,
    /// first, last, acting.
    pub intervals: Vec<(u32, u32, Vec<String>)>,
}

/// The prior set: probe (as Ceph prints its members: `1`, `3(1)`), down, blocked_by
/// (osd, lost_at), pg_down, and the engine's "why" notes per OSD, in OSD order.
#[derive(Clone, Debug)]
pub struct PriorOut {
    pub probe: Vec<String>,
    pub down: Vec<i32>,
    pub blocked_by: Vec<(i32, u32)>,
    pub pg_down: bool,
    pub why: Vec<(i32, Vec<WhyNote>)>,
}

fn why_set(name: &str) -> WhySet {
    match name {
        "probe" => WhySet::Probe,
        "down" => WhySet::Down,
        "blocked_by" => WhySet::BlockedBy,
        _ => WhySet::Note,
    }
}

fn history(v: &Value) -> PgHistory {
    let e = |k: &str| epoch(get(v, k));
    PgHistory {
        epoch_created: e("epoch_created"),
        epoch_pool_created: e("epoch_pool_created"),
        last_epoch_started: e("last_epoch_started"),
        last_interval_started: e("last_interval_started"),
        last_epoch_clean: e("last_epoch_clean"),
        last_interval_clean: e("last_interval_clean"),
        last_epoch_split: e("last_epoch_split"),
        same_up_since: e("same_up_since"),
        same_interval_since: e("same_interval_since"),
        same_primary_since: e("same_primary_since"),
    }
}

impl IntervalsOut {
    fn read(v: &Value) -> IntervalsOut {
        let past_intervals = items(get(v, "past_intervals"))
            .iter()
            .map(|p| RecordedInterval {
                interval: PastInterval {
                    first: epoch(get(p, "first")),
                    last: epoch(get(p, "last")),
                    up: osds(get(p, "up")),
                    acting: osds(get(p, "acting")),
                    primary: osd(get(p, "primary")),
                    up_primary: osd(get(p, "up_primary")),
                    maybe_went_rw: get(p, "maybe_went_rw").as_bool() == Some(true),
                    reason: text(get(p, "reason")),
                },
                new_interval_because: texts(get(p, "new_interval_because")),
            })
            .collect();
        let cur = get(v, "current_interval");
        let compact = get(v, "compact");
        let bounds = items(get(compact, "bounds"));
        let prior = get(v, "prior_set");
        // In OSD order (the JSON keys are strings, and "10" < "2").
        let mut why: Vec<(i32, Vec<WhyNote>)> = Vec::new();
        for (key, notes) in get(prior, "why").as_object().into_iter().flatten() {
            let notes = items(notes)
                .iter()
                .map(|n| WhyNote {
                    set: why_set(get(n, "set").as_str().unwrap_or("")),
                    reason: text(get(n, "reason")),
                })
                .collect();
            let id = key.parse().unwrap_or(i32::MAX);
            let at = why.partition_point(|(o, _)| *o < id);
            why.insert(at, (id, notes));
        }
        IntervalsOut {
            pgid: text(get(v, "pgid")),
            past_intervals,
            current_interval: CurrentInterval {
                first: epoch(get(cur, "first")),
                up: osds(get(cur, "up")),
                acting: osds(get(cur, "acting")),
                up_primary: osd(get(cur, "up_primary")),
                primary: osd(get(cur, "primary")),
            },
            history: history(get(v, "history")),
            compact: Compact {
                bounds: [
                    bounds.first().map_or(0, epoch),
                    bounds.get(1).map_or(0, epoch),
                ],
                all_participants: texts(get(compact, "all_participants")),
                intervals: items(get(compact, "intervals"))
                    .iter()
                    .map(|c| {
                        (
                            epoch(get(c, "first")),
                            epoch(get(c, "last")),
                            texts(get(c, "acting")),
                        )
                    })
                    .collect(),
            },
            prior_set: PriorOut {
                probe: texts(get(prior, "probe")),
                down: osds(get(prior, "down")),
                blocked_by: items(get(prior, "blocked_by"))
                    .iter()
                    .map(|b| (osd(get(b, "osd")), epoch(get(b, "lost_at"))))
                    .collect(),
                pg_down: get(prior, "pg_down").as_bool() == Some(true),
                why,
            },
            need_up_thru: get(v, "need_up_thru").as_bool() == Some(true),
        }
    }
}

/// The example's input, read only to draw each epoch's map.
#[derive(Clone, Debug, Default)]
pub struct IntervalsInput {
    pub description: String,
    pub epochs: Vec<InputEpoch>,
}

#[derive(Clone, Debug)]
pub struct InputEpoch {
    pub epoch: u32,
    /// As written (`NONE` for a hole).
    pub up: Vec<String>,
    pub acting: Vec<String>,
    pub acting_primary: Option<i32>,
    pub osds: Vec<InputOsd>,
}

/// An OSD as the input lists it in one epoch (fields left out are shown as absent).
#[derive(Clone, Debug)]
pub struct InputOsd {
    pub osd: i32,
    pub up: bool,
    pub exists: Option<bool>,
    pub up_from: Option<u32>,
    pub up_thru: Option<u32>,
    pub down_at: Option<u32>,
    pub lost_at: Option<u32>,
}

impl IntervalsInput {
    fn read(v: &Value) -> IntervalsInput {
        let epochs = items(get(v, "epochs"))
            .iter()
            .map(|e| InputEpoch {
                epoch: epoch(get(e, "epoch")),
                up: texts(get(e, "up")),
                acting: texts(get(e, "acting")),
                acting_primary: get(e, "acting_primary")
                    .as_i64()
                    .and_then(|p| i32::try_from(p).ok()),
                osds: items(get(e, "osds"))
                    .iter()
                    .map(|o| InputOsd {
                        osd: osd(get(o, "osd")),
                        up: get(o, "up").as_bool() == Some(true),
                        exists: get(o, "exists").as_bool(),
                        up_from: opt_epoch(get(o, "up_from")),
                        up_thru: opt_epoch(get(o, "up_thru")),
                        down_at: opt_epoch(get(o, "down_at")),
                        lost_at: opt_epoch(get(o, "lost_at")),
                    })
                    .collect(),
            })
            .collect();
        IntervalsInput {
            description: text(get(v, "description")),
            epochs,
        }
    }
}

/// One intervals example: its input and the engine's output.
pub struct IntervalsModel {
    pub name: &'static str,
    pub title: String,
    pub input: IntervalsInput,
    pub out: IntervalsOut,
}

fn parse(name: &str, json: &str) -> Result<Value, String> {
    serde_json::from_str(json).map_err(|e| format!("{name}: the example could not be read: {e}"))
}

fn build_intervals(ex: &IntervalsExample) -> Result<IntervalsModel, String> {
    let out = IntervalsOut::read(&cli_intervals(ex.json)?);
    let input = IntervalsInput::read(&parse(ex.name, ex.json)?);
    Ok(IntervalsModel {
        name: ex.name,
        title: first_sentence(&input.description),
        input,
        out,
    })
}

/// The intervals example `i`, run through the engine once.
pub fn intervals(i: usize) -> Option<&'static Result<IntervalsModel, String>> {
    static MODELS: OnceLock<Vec<Result<IntervalsModel, String>>> = OnceLock::new();
    MODELS
        .get_or_init(|| INTERVALS.iter().map(build_intervals).collect())
        .get(i)
}

// ---------------------------------------------------------------------------------------
// PG log

/// A log entry as the input and the engine print it.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryView {
    pub version: Eversion,
    pub prior_version: Eversion,
    pub op: String,
    pub object: String,
}

impl EntryView {
    fn read(v: &Value) -> EntryView {
        EntryView {
            version: version(get(v, "version")),
            prior_version: version(get(v, "prior_version")),
            op: text(get(v, "op")),
            object: text(get(v, "object")),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogView {
    pub head: Eversion,
    pub tail: Eversion,
    pub entries: Vec<EntryView>,
}

impl LogView {
    fn read(v: &Value) -> LogView {
        // Ceph's own dump calls the entries "log"; the engine's input accepts both.
        let entries = match v.get("entries") {
            Some(e) => e,
            None => get(v, "log"),
        };
        LogView {
            head: version(get(v, "head")),
            tail: version(get(v, "tail")),
            entries: items(entries).iter().map(EntryView::read).collect(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct InfoView {
    pub last_update: Eversion,
    pub last_complete: Eversion,
    pub last_backfill: Option<String>,
}

impl InfoView {
    fn read(v: &Value) -> Option<InfoView> {
        v.is_object().then(|| InfoView {
            last_update: version(get(v, "last_update")),
            last_complete: version(get(v, "last_complete")),
            last_backfill: get(v, "last_backfill").as_str().map(str::to_string),
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MissingRow {
    pub object: String,
    pub need: Eversion,
    pub have: Eversion,
    pub flags: String,
}

/// A missing set as Ceph dumps it (`{"missing": [...], ...}`) or as a bare list.
fn missing_rows(v: &Value) -> Vec<MissingRow> {
    let list = if v.is_object() { get(v, "missing") } else { v };
    items(list)
        .iter()
        .map(|m| MissingRow {
            object: text(get(m, "object")),
            need: version(get(m, "need")),
            have: version(get(m, "have")),
            flags: text(get(m, "flags")),
        })
        .collect()
}

/// One OSD's copy in the input.
#[derive(Clone, Debug)]
pub struct CopyView {
    pub log: LogView,
    pub info: Option<InfoView>,
    pub missing: Vec<MissingRow>,
}

impl CopyView {
    fn read(v: &Value) -> CopyView {
        CopyView {
            log: LogView::read(get(v, "log")),
            info: InfoView::read(get(v, "info")),
            missing: missing_rows(get(v, "missing")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct PgLogInput {
    pub comment: String,
    pub local: CopyView,
    pub auth: CopyView,
}

/// One decision the engine took, with its sentence; `raw` keeps every field.
#[derive(Clone, Debug)]
pub struct DecisionView {
    pub kind: String,
    pub explain: String,
    pub raw: Value,
}

impl DecisionView {
    fn from_value(raw: Value) -> DecisionView {
        DecisionView {
            kind: text(get(&raw, "kind")),
            explain: text(get(&raw, "explain")),
            raw,
        }
    }

    /// The entry a decision is about (`entry`: DivergentFound, EntryAppended).
    pub fn entry(&self) -> Option<EntryView> {
        self.raw.get("entry").map(EntryView::read)
    }

    /// The object a decision is about (`object`, or its entry's).
    pub fn object(&self) -> Option<String> {
        match self.raw.get("object") {
            Some(o) => Some(text(o)),
            None => self.entry().map(|e| e.object),
        }
    }

    /// Every version the decision names in its own fields (`entry.version`, `from`, `to`,
    /// `lower_bound`, `entries`, …), to highlight those entries.
    pub fn versions(&self) -> Vec<Eversion> {
        let mut out = Vec::new();
        let Value::Object(map) = &self.raw else {
            return out;
        };
        let mut push = |v: &Value| {
            if let Some(e) = v.as_str().and_then(|s| s.parse().ok()) {
                out.push(e);
            }
        };
        for (key, v) in map {
            match (key.as_str(), v) {
                ("explain" | "kind" | "why" | "reason", _) => {}
                ("entry", e) => push(get(e, "version")),
                (_, Value::Array(list)) => list.iter().for_each(&mut push),
                (_, v) => push(v),
            }
        }
        out
    }

    /// The decision's effect on the missing set, as it states it: `(object, change)`.
    pub fn missing_change(&self) -> Option<(String, MissingEffect)> {
        let object = self.object()?;
        let set = |v: &Value| MissingEffect::Set {
            need: version(get(v, "need")),
            have: version(get(v, "have")),
        };
        let effect = match self.kind.as_str() {
            "EntryAppended" => {
                let m = get(&self.raw, "missing");
                match get(m, "change").as_str()? {
                    "Added" | "Updated" => set(get(m, "item")),
                    "Removed" => MissingEffect::Drop,
                    _ => return None,
                }
            }
            "DivergentResolved" => {
                let a = get(&self.raw, "action");
                match get(a, "action").as_str()? {
                    // Case 1: `revise_have(0'0)`.
                    "HaveReset" => MissingEffect::HaveReset,
                    "RemovedObject" if get(a, "dropped_missing").as_bool()? => MissingEffect::Drop,
                    "AlreadyMissingDropped" => MissingEffect::Drop,
                    "AlreadyMissingRevised" => set(a),
                    // Case 5: missing `{need, 0'0}`.
                    "MarkedMissing" => MissingEffect::Set {
                        need: version(get(a, "need")),
                        have: Eversion::ZERO,
                    },
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some((object, effect))
    }

    /// What the decision says it did to the object's local copy (the handler's
    /// `remove`, `try_stash`, or a rollback).
    pub fn store_effect(&self) -> Option<(String, StoreEffect)> {
        let object = self.object()?;
        let effect = match self.kind.as_str() {
            "EntryAppended" => match get(&self.raw, "store").as_str()? {
                "Remove" => StoreEffect::Removed,
                "TryStash" => StoreEffect::Stashed,
                _ => return None,
            },
            "DivergentResolved" => {
                let a = get(&self.raw, "action");
                if get(a, "store_removed").as_bool() == Some(true) {
                    StoreEffect::Removed
                } else if get(a, "action").as_str() == Some("RolledBack") {
                    StoreEffect::RolledBack
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        Some((object, effect))
    }
}

/// What a decision says it did to one object's missing entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingEffect {
    Set { need: Eversion, have: Eversion },
    HaveReset,
    Drop,
}

/// What a decision says it did to one object's local copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreEffect {
    Removed,
    Stashed,
    RolledBack,
}

/// The engine's result of a PG log example.
#[derive(Clone, Debug)]
pub struct PgLogOut {
    pub log: LogView,
    pub info: InfoView,
    pub missing: Vec<MissingRow>,
    pub removed: Vec<String>,
    pub rolled_back: Vec<EntryView>,
    pub decisions: Vec<DecisionView>,
}

/// One PG log example: the logs before, and the engine's decisions and result.
pub struct PgLogModel {
    pub name: &'static str,
    pub mode: PgLogMode,
    pub input: PgLogInput,
    pub out: PgLogOut,
}

fn build_pglog(ex: &PgLogExample) -> Result<PgLogModel, String> {
    let mut value = match ex.mode {
        PgLogMode::Merge => cli_merge(ex.json)?,
        PgLogMode::ProcReplicaLog => cli_proc_replica_log(ex.json)?,
    };
    let decisions = match value.get_mut("decisions").map(Value::take) {
        Some(Value::Array(list)) => list.into_iter().map(DecisionView::from_value).collect(),
        _ => Vec::new(),
    };
    let input = parse(ex.name, ex.json)?;
    Ok(PgLogModel {
        name: ex.name,
        mode: ex.mode,
        input: PgLogInput {
            comment: text(get(&input, "_comment")),
            local: CopyView::read(get(&input, "local")),
            auth: CopyView::read(get(&input, "auth")),
        },
        out: PgLogOut {
            log: LogView::read(get(&value, "log")),
            info: InfoView::read(get(&value, "info"))
                .ok_or("the engine's PG log output has no info")?,
            missing: missing_rows(get(&value, "missing")),
            removed: texts(get(&value, "removed")),
            rolled_back: items(get(&value, "rolled_back"))
                .iter()
                .map(EntryView::read)
                .collect(),
            decisions,
        },
    })
}

/// The PG log example `i`, run through the engine once.
pub fn pglog(i: usize) -> Option<&'static Result<PgLogModel, String>> {
    static MODELS: OnceLock<Vec<Result<PgLogModel, String>>> = OnceLock::new();
    MODELS
        .get_or_init(|| PGLOGS.iter().map(build_pglog).collect())
        .get(i)
}

/// How many decisions PG log example `i` has (0 if it failed).
pub fn decision_count(i: usize) -> usize {
    pglog(i)
        .and_then(|m| m.as_ref().ok())
        .map_or(0, |m| m.out.decisions.len())
}
