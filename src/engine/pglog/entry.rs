//! `pg_log_entry_t` and `pg_log_dup_t`.

use super::eversion::Eversion;
use serde::{Serialize, Serializer};
use std::fmt;

/// The operation a log entry records (`pg_log_entry_t::op`, src/osd/osd_types.h).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Modify,
    Clone,
    Delete,
    LostRevert,
    LostDelete,
    LostMark,
    Promote,
    Clean,
    Error,
    Replace,
}

impl Op {
    pub const ALL: [Op; 10] = [
        Op::Modify,
        Op::Clone,
        Op::Delete,
        Op::LostRevert,
        Op::LostDelete,
        Op::LostMark,
        Op::Promote,
        Op::Clean,
        Op::Error,
        Op::Replace,
    ];

    /// Models `pg_log_entry_t::get_op_name`: the name Ceph prints and dumps.
    pub fn ceph_name(self) -> &'static str {
        match self {
            Op::Modify => "modify",
            Op::Clone => "clone",
            Op::Delete => "delete",
            Op::LostRevert => "l_revert",
            Op::LostDelete => "l_delete",
            Op::LostMark => "l_mark",
            Op::Promote => "promote",
            Op::Clean => "clean",
            Op::Error => "error",
            Op::Replace => "replace",
        }
    }

    /// Parses Ceph's name; the `lost_*` spellings are accepted too.
    pub fn parse(name: &str) -> Option<Op> {
        let alias = match name {
            "lost_revert" => "l_revert",
            "lost_delete" => "l_delete",
            "lost_mark" => "l_mark",
            other => other,
        };
        Op::ALL.into_iter().find(|op| op.ceph_name() == alias)
    }
}

impl Serialize for Op {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.ceph_name())
    }
}

/// The part of `ObjectModDesc` peering looks at: whether the entry can be rolled back locally
/// (erasure-coded pools stash the old state; replicated pools mark entries unrollbackable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ModDesc {
    pub can_local_rollback: bool,
}

/// Models `pg_log_entry_t` (src/osd/osd_types.h), without the fields peering never reads
/// (mtime, snaps, extra_reqids, op_returns, clean_regions, written_shards).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub op: Op,
    pub object: String,
    pub version: Eversion,
    pub prior_version: Eversion,
    /// Ceph prints `osd_reqid_t` as `client.4225.0:18529`; absent = `osd_reqid_t()`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reqid: Option<String>,
    pub user_version: u64,
    pub return_code: i32,
    pub mod_desc: ModDesc,
}

impl LogEntry {
    /// An unrollbackable entry, as the test helpers `mk_ple_mod`/`mk_ple_dt` build them
    /// (TestPGLog.cc) and as replicated pools log them.
    pub fn new(op: Op, object: &str, version: Eversion, prior_version: Eversion) -> Self {
        LogEntry {
            op,
            object: object.to_string(),
            version,
            prior_version,
            reqid: None,
            user_version: 0,
            return_code: 0,
            mod_desc: ModDesc {
                can_local_rollback: false,
            },
        }
    }

    /// The same entry with rollback information (`mk_ple_mod_rb`, `mk_ple_dt_rb`).
    pub fn rollbackable(mut self) -> Self {
        self.mod_desc.can_local_rollback = true;
        self
    }

    pub fn with_reqid(mut self, reqid: &str) -> Self {
        self.reqid = Some(reqid.to_string());
        self
    }

    pub fn is_clone(&self) -> bool {
        self.op == Op::Clone
    }
    pub fn is_error(&self) -> bool {
        self.op == Op::Error
    }
    pub fn is_lost_delete(&self) -> bool {
        self.op == Op::LostDelete
    }

    /// Models `pg_log_entry_t::is_update`: the entry leaves an object behind.
    pub fn is_update(&self) -> bool {
        matches!(
            self.op,
            Op::Clone
                | Op::Modify
                | Op::Promote
                | Op::Clean
                | Op::LostRevert
                | Op::LostMark
                | Op::Replace
        )
    }

    /// Models `pg_log_entry_t::is_delete`.
    pub fn is_delete(&self) -> bool {
        matches!(self.op, Op::Delete | Op::LostDelete)
    }

    /// Models `pg_log_entry_t::can_rollback` (`mod_desc.can_rollback()`).
    pub fn can_rollback(&self) -> bool {
        self.mod_desc.can_local_rollback
    }

    pub fn mark_unrollbackable(&mut self) {
        self.mod_desc.can_local_rollback = false;
    }

    /// Models `pg_log_entry_t::object_is_indexed`: ERROR entries never changed the object, so
    /// the by-object index skips them.
    pub fn object_is_indexed(&self) -> bool {
        !self.is_error()
    }

    /// Models `pg_log_entry_t::reqid_is_indexed`.
    pub fn reqid_is_indexed(&self) -> bool {
        self.reqid.is_some() && matches!(self.op, Op::Modify | Op::Delete | Op::Error | Op::Replace)
    }
}

impl fmt::Display for LogEntry {
    /// Like Ceph's `operator<<`: `10'5 (10'4) modify foo`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) {} {}",
            self.version,
            self.prior_version,
            self.op.ceph_name(),
            self.object
        )?;
        if let Some(reqid) = &self.reqid {
            write!(f, " by {reqid}")?;
        }
        Ok(())
    }
}

/// Models `pg_log_dup_t` (src/osd/osd_types.h): what remains of a trimmed entry so a resent
/// client op is still recognised as a duplicate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogDup {
    pub reqid: String,
    pub version: Eversion,
    pub user_version: u64,
    pub return_code: i32,
}

impl LogDup {
    pub fn new(version: Eversion, user_version: u64, reqid: &str, return_code: i32) -> Self {
        LogDup {
            reqid: reqid.to_string(),
            version,
            user_version,
            return_code,
        }
    }

    /// Models `pg_log_dup_t(const pg_log_entry_t&)`.
    pub fn from_entry(e: &LogEntry) -> Self {
        LogDup {
            reqid: e.reqid.clone().unwrap_or_default(),
            version: e.version,
            user_version: e.user_version,
            return_code: e.return_code,
        }
    }

    /// Models `pg_log_dup_t::get_key_name`.
    pub fn key_name(&self) -> String {
        format!("dup_{}", self.version.key_name())
    }
}
