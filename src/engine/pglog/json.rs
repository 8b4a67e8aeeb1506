//! JSON in and out for the CLI's `merge` and `proc-replica-log`.
//!
//! Input: `{"local": COPY, "auth": COPY}` where a COPY is
//! `{"log": {"head", "tail", "entries": [ENTRY], "dups"?, "can_rollback_to"?,
//! "rollback_info_trimmed_to"?}, "info": {"last_update", "last_complete", "log_tail",
//! "last_backfill", ...}, "missing"?: [ITEM] | {"missing": [ITEM], "may_include_deletes"}}`,
//! ENTRY `{"version", "prior_version", "op", "object", "reqid"?, "user_version"?,
//! "return_code"?, "mod_desc"?: {"can_local_rollback"}}` and ITEM `{"object", "need",
//! "have", "flags"}` — the field names of Ceph's `pg_log_t`, `pg_log_entry_t`, `pg_info_t`
//! and `pg_missing_t` dumps (Ceph's `pg_log_t::dump` calls the entry array `log`; both
//! `entries` and `log` are accepted). Versions are Ceph's `"epoch'version"` strings.
//!
//! Nothing here panics on bad input: every field is checked, then [`validate_copy`] and the
//! merge's own precondition check run before the merge.

use super::check::{check_merge_log, check_proc_replica_log, validate_copy};
use super::decision::MergeDecision;
use super::entry::{LogDup, LogEntry, ModDesc, Op};
use super::eversion::{Eversion, ObjectBound};
use super::handler::RecordingHandler;
use super::indexed_log::IndexedLog;
use super::info::PgInfo;
use super::missing::Missing;
use super::pg_log::PgLog;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// `cephscope pglog merge`: `local` runs Ceph's `PGLog::merge_log` with the authoritative
/// copy `auth` (its log and info; its missing set is not used). Returns local's merged
/// `log`, `info` and `missing`, the objects `removed` and entries `rolled_back` through the
/// LogEntryHandler, and the `decisions`.
pub fn cli_merge(json: &str) -> Result<Value, String> {
    let doc = parse_document(json)?;
    let root = At::root(&doc);
    let local = OsdCopy::parse(&root.field("local")?)?;
    let auth = OsdCopy::parse(&root.field("auth")?)?;
    check_merge_log(&local.log, &auth.log)?;

    let mut pglog = PgLog::new(local.log, local.missing);
    let (mut info, mut oinfo) = (local.info, auth.info);
    let mut handler = RecordingHandler::default();
    let result = pglog.merge_log(&mut oinfo, auth.log, &mut info, &mut handler);
    Ok(output(
        &pglog.log,
        &info,
        &pglog.missing,
        &handler,
        &result.decisions,
    ))
}

/// `cephscope pglog proc-replica-log`: Ceph's `PGLog::proc_replica_log(oinfo, olog,
/// omissing, from)` runs on the primary, whose own log (`auth.log`) is authoritative and
/// unchanged; `local` is the replica's copy as the primary received it (`oinfo`, `olog`,
/// `omissing`). It returns nothing but rewrites `oinfo.last_update`/`last_complete` and
/// `omissing` to what the replica has that matches the primary. Output: the replica's
/// (unchanged) `log`, its new `info` and `missing`, empty `removed`/`rolled_back` (Ceph
/// passes no rollbacker: this is bookkeeping on the primary), and the `decisions`.
pub fn cli_proc_replica_log(json: &str) -> Result<Value, String> {
    let doc = parse_document(json)?;
    let root = At::root(&doc);
    let replica = OsdCopy::parse(&root.field("local")?)?;
    let auth = root.field("auth")?;
    let primary_log = parse_log(&auth.field("log")?)?;
    match auth.opt_field("info") {
        Some(info) => {
            let primary_info = parse_info(&info)?;
            validate_copy(&primary_log, &primary_info, &Missing::default())
        }
        None => validate_copy(
            &primary_log,
            &info_matching(&primary_log),
            &Missing::default(),
        ),
    }
    .map_err(|m| format!("auth.{m}"))?;
    check_proc_replica_log(&primary_log, &replica.log)?;

    let primary = PgLog::new(primary_log, Missing::default());
    let (mut oinfo, mut omissing) = (replica.info, replica.missing);
    let decisions = primary.proc_replica_log(&mut oinfo, &replica.log, &mut omissing);
    Ok(output(
        &replica.log,
        &oinfo,
        &omissing,
        &RecordingHandler::default(),
        &decisions,
    ))
}

fn info_matching(log: &IndexedLog) -> PgInfo {
    PgInfo {
        last_update: log.head,
        last_complete: log.head,
        log_tail: log.tail,
        ..PgInfo::default()
    }
}

fn output(
    log: &IndexedLog,
    info: &PgInfo,
    missing: &Missing,
    handler: &RecordingHandler,
    decisions: &[MergeDecision],
) -> Value {
    let decisions: Vec<Value> = decisions.iter().map(decision_json).collect();
    json!({
        "log": log,
        "info": info,
        "missing": missing,
        "removed": handler.removed,
        "rolled_back": handler.rolled_back,
        "decisions": decisions,
    })
}

/// A decision as JSON, with its one-sentence `explain`.
fn decision_json(d: &MergeDecision) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert("explain".into(), Value::String(d.explain()));
    }
    v
}

fn parse_document(json: &str) -> Result<Value, String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("input is not JSON: {e}"))?;
    At::root(&doc).object()?;
    Ok(doc)
}

/// One OSD's copy of the PG: its log, info and missing set, validated together.
struct OsdCopy {
    log: IndexedLog,
    info: PgInfo,
    missing: Missing,
}

impl OsdCopy {
    fn parse(at: &At<'_>) -> Result<OsdCopy, String> {
        let copy = OsdCopy {
            log: parse_log(&at.field("log")?)?,
            info: parse_info(&at.field("info")?)?,
            missing: match at.opt_field("missing") {
                Some(m) => parse_missing(&m)?,
                None => Missing::default(),
            },
        };
        validate_copy(&copy.log, &copy.info, &copy.missing)
            .map_err(|m| format!("{}.{m}", at.path))?;
        Ok(copy)
    }
}

fn parse_log(at: &At<'_>) -> Result<IndexedLog, String> {
    let entries = match at.opt_field("entries") {
        Some(e) => e,
        None => at
            .field("log")
            .map_err(|_| format!("{}: missing field \"entries\" (or Ceph's \"log\")", at.path))?,
    };
    let entries = entries
        .items()?
        .iter()
        .map(parse_entry)
        .collect::<Result<Vec<_>, _>>()?;
    let dups = match at.opt_field("dups") {
        Some(d) => d
            .items()?
            .iter()
            .map(parse_dup)
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let zero_unless = |name: &str| -> Result<Eversion, String> {
        at.opt_field(name)
            .map_or(Ok(Eversion::ZERO), |f| f.eversion())
    };
    Ok(IndexedLog::from_parts(
        at.field("head")?.eversion()?,
        at.field("tail")?.eversion()?,
        zero_unless("can_rollback_to")?,
        zero_unless("rollback_info_trimmed_to")?,
        entries,
        dups,
    ))
}

fn parse_entry(at: &At<'_>) -> Result<LogEntry, String> {
    let op_at = at.field("op")?;
    let op_name = op_at.str()?;
    let op = Op::parse(op_name).ok_or_else(|| {
        let names: Vec<&str> = Op::ALL.iter().map(|o| o.ceph_name()).collect();
        format!(
            "{}: unknown op \"{op_name}\" (expected one of {})",
            op_at.path,
            names.join(", ")
        )
    })?;
    let can_local_rollback = match at.opt_field("mod_desc") {
        Some(m) => m.field("can_local_rollback")?.bool()?,
        None => false,
    };
    Ok(LogEntry {
        op,
        object: at.field("object")?.str()?.to_string(),
        version: at.field("version")?.eversion()?,
        prior_version: at.field("prior_version")?.eversion()?,
        reqid: at
            .opt_field("reqid")
            .map(|r| r.str().map(str::to_string))
            .transpose()?,
        user_version: at.opt_field("user_version").map_or(Ok(0), |f| f.u64())?,
        return_code: at.opt_field("return_code").map_or(Ok(0), |f| f.i32())?,
        mod_desc: ModDesc { can_local_rollback },
    })
}

fn parse_dup(at: &At<'_>) -> Result<LogDup, String> {
    Ok(LogDup {
        reqid: at.field("reqid")?.str()?.to_string(),
        version: at.field("version")?.eversion()?,
        user_version: at.opt_field("user_version").map_or(Ok(0), |f| f.u64())?,
        return_code: at.opt_field("return_code").map_or(Ok(0), |f| f.i32())?,
    })
}

fn parse_info(at: &At<'_>) -> Result<PgInfo, String> {
    let bound_at = at.field("last_backfill")?;
    let last_backfill: ObjectBound = bound_at
        .str()?
        .parse()
        .map_err(|m| format!("{}: {m}", bound_at.path))?;
    let purged_snaps = match at.opt_field("purged_snaps") {
        Some(p) => p
            .items()?
            .iter()
            .map(At::u64)
            .collect::<Result<BTreeSet<_>, _>>()?,
        None => BTreeSet::new(),
    };
    Ok(PgInfo {
        last_update: at.field("last_update")?.eversion()?,
        last_complete: at.field("last_complete")?.eversion()?,
        log_tail: at.field("log_tail")?.eversion()?,
        last_user_version: at
            .opt_field("last_user_version")
            .map_or(Ok(0), |f| f.u64())?,
        last_backfill,
        purged_snaps,
        ..PgInfo::default()
    })
}

/// Either a bare item array or Ceph's `pg_missing_t::dump` object.
fn parse_missing(at: &At<'_>) -> Result<Missing, String> {
    let (items, may_include_deletes) = match at.value {
        Value::Object(_) => (
            at.field("missing")?,
            at.opt_field("may_include_deletes")
                .map_or(Ok(false), |f| f.bool())?,
        ),
        _ => (at.clone(), false),
    };
    let mut missing = Missing::new(may_include_deletes);
    for item in items.items()? {
        let object = item.field("object")?.str()?.to_string();
        if missing.is_missing(&object) {
            return Err(format!("{}.object: {object} is listed twice", item.path));
        }
        let flags_at = item.opt_field("flags");
        let is_delete = match flags_at.as_ref().map(At::str).transpose()? {
            None | Some("none") => false,
            Some("delete") => true,
            Some(other) => {
                return Err(format!(
                    "{}.flags: expected \"none\" or \"delete\", got \"{other}\"",
                    item.path
                ))
            }
        };
        let need = item.field("need")?.eversion()?;
        let have = item.field("have")?.eversion()?;
        missing.add(&object, need, have, is_delete);
    }
    missing.flush();
    Ok(missing)
}

/// A JSON value and the path that leads to it, for error messages.
#[derive(Clone)]
struct At<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> At<'a> {
    fn root(value: &'a Value) -> Self {
        At {
            value,
            path: String::new(),
        }
    }

    fn child_path(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    fn object(&self) -> Result<&'a Map<String, Value>, String> {
        self.value
            .as_object()
            .ok_or_else(|| self.expected("an object"))
    }

    fn field(&self, name: &str) -> Result<At<'a>, String> {
        self.object()?;
        self.opt_field(name)
            .ok_or_else(|| format!("{}: missing field \"{name}\"", self.display_path()))
    }

    fn opt_field(&self, name: &str) -> Option<At<'a>> {
        let value = self.value.as_object()?.get(name)?;
        Some(At {
            value,
            path: self.child_path(name),
        })
    }

    fn items(&self) -> Result<Vec<At<'a>>, String> {
        let array = self
            .value
            .as_array()
            .ok_or_else(|| self.expected("an array"))?;
        Ok(array
            .iter()
            .enumerate()
            .map(|(i, value)| At {
                value,
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }

    fn str(&self) -> Result<&'a str, String> {
        self.value.as_str().ok_or_else(|| self.expected("a string"))
    }

    fn bool(&self) -> Result<bool, String> {
        self.value
            .as_bool()
            .ok_or_else(|| self.expected("true or false"))
    }

    fn u64(&self) -> Result<u64, String> {
        self.value
            .as_u64()
            .ok_or_else(|| self.expected("a non-negative integer"))
    }

    fn i32(&self) -> Result<i32, String> {
        self.value
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| self.expected("a 32-bit integer"))
    }

    fn eversion(&self) -> Result<Eversion, String> {
        let s = self
            .value
            .as_str()
            .ok_or_else(|| self.expected("\"epoch'version\""))?;
        s.parse()
            .map_err(|m| format!("{}: {m}", self.display_path()))
    }

    fn expected(&self, what: &str) -> String {
        format!(
            "{}: expected {what}, got {}",
            self.display_path(),
            self.value
        )
    }

    fn display_path(&self) -> &str {
        if self.path.is_empty() {
            "input"
        } else {
            &self.path
        }
    }
}
