//! PG state bits and `pg_state_string`, as in src/osd/osd_types.{h,cc} (PG_STATE_* and
//! `pg_state_string(uint64_t)`): the tokens and the order Ceph prints them in.

use serde::{Deserialize, Serialize};

/// A set of PG_STATE_* bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PgState(pub u64);

impl PgState {
    /// `creating`: creating
    pub const CREATING: u64 = 1 << 0;
    /// `active`: i am active.  (primary: replicas too)
    pub const ACTIVE: u64 = 1 << 1;
    /// `clean`: peers are complete, clean of stray replicas.
    pub const CLEAN: u64 = 1 << 2;
    /// `down`: a needed replica is down, PG offline
    pub const DOWN: u64 = 1 << 4;
    /// `recovery_unfound`: recovery stopped due to unfound
    pub const RECOVERY_UNFOUND: u64 = 1 << 5;
    /// `backfill_unfound`: backfill stopped due to unfound
    pub const BACKFILL_UNFOUND: u64 = 1 << 6;
    /// `premerge`: i am prepare to merging
    pub const PREMERGE: u64 = 1 << 7;
    /// `scrubbing`: scrubbing
    pub const SCRUBBING: u64 = 1 << 8;
    /// `degraded`: pg contains objects with reduced redundancy
    pub const DEGRADED: u64 = 1 << 10;
    /// `inconsistent`: pg replicas are inconsistent (but shouldn't be)
    pub const INCONSISTENT: u64 = 1 << 11;
    /// `peering`: pg is (re)peering
    pub const PEERING: u64 = 1 << 12;
    /// `repair`: pg should repair on next scrub
    pub const REPAIR: u64 = 1 << 13;
    /// `recovering`: pg is recovering/migrating objects
    pub const RECOVERING: u64 = 1 << 14;
    /// `backfill_wait`: [active] reserving backfill
    pub const BACKFILL_WAIT: u64 = 1 << 15;
    /// `incomplete`: incomplete content, peering failed.
    pub const INCOMPLETE: u64 = 1 << 16;
    /// `stale`: our state for this pg is stale, unknown.
    pub const STALE: u64 = 1 << 17;
    /// `remapped`: pg is explicitly remapped to different OSDs than CRUSH
    pub const REMAPPED: u64 = 1 << 18;
    /// `deep`: deep scrub: check CRC32 on files
    pub const DEEP_SCRUB: u64 = 1 << 19;
    /// `backfilling`: [active] backfilling pg content
    pub const BACKFILLING: u64 = 1 << 20;
    /// `backfill_toofull`: backfill can't proceed: too full
    pub const BACKFILL_TOOFULL: u64 = 1 << 21;
    /// `recovery_wait`: waiting for recovery reservations
    pub const RECOVERY_WAIT: u64 = 1 << 22;
    /// `undersized`: pg acting < pool size
    pub const UNDERSIZED: u64 = 1 << 23;
    /// `activating`: pg is peered but not yet active
    pub const ACTIVATING: u64 = 1 << 24;
    /// `peered`: peered, cannot go active, can recover
    pub const PEERED: u64 = 1 << 25;
    /// `snaptrim`: trimming snaps
    pub const SNAPTRIM: u64 = 1 << 26;
    /// `snaptrim_wait`: queued to trim snaps
    pub const SNAPTRIM_WAIT: u64 = 1 << 27;
    /// `recovery_toofull`: recovery can't proceed: too full
    pub const RECOVERY_TOOFULL: u64 = 1 << 28;
    /// `snaptrim_error`: error stopped trimming snaps
    pub const SNAPTRIM_ERROR: u64 = 1 << 29;
    /// `forced_recovery`: force recovery of this pg before any other
    pub const FORCED_RECOVERY: u64 = 1 << 30;
    /// `forced_backfill`: force backfill of this pg before any other
    pub const FORCED_BACKFILL: u64 = 1 << 31;
    /// `failed_repair`: A repair failed to fix all errors
    pub const FAILED_REPAIR: u64 = 1 << 32;
    /// `laggy`: PG is laggy/unreabable due to slow/delayed pings
    pub const LAGGY: u64 = 1 << 33;
    /// `wait`: PG is waiting for prior intervals' readable period to expire
    pub const WAIT: u64 = 1 << 34;

    /// Bits in the order `pg_state_string` tests them, with their tokens.
    pub const PRINT_ORDER: &[(u64, &str)] = &[
        (Self::STALE, "stale"),
        (Self::CREATING, "creating"),
        (Self::ACTIVE, "active"),
        (Self::ACTIVATING, "activating"),
        (Self::CLEAN, "clean"),
        (Self::RECOVERY_WAIT, "recovery_wait"),
        (Self::RECOVERY_TOOFULL, "recovery_toofull"),
        (Self::RECOVERING, "recovering"),
        (Self::FORCED_RECOVERY, "forced_recovery"),
        (Self::DOWN, "down"),
        (Self::RECOVERY_UNFOUND, "recovery_unfound"),
        (Self::BACKFILL_UNFOUND, "backfill_unfound"),
        (Self::UNDERSIZED, "undersized"),
        (Self::DEGRADED, "degraded"),
        (Self::REMAPPED, "remapped"),
        (Self::PREMERGE, "premerge"),
        (Self::SCRUBBING, "scrubbing"),
        (Self::DEEP_SCRUB, "deep"),
        (Self::INCONSISTENT, "inconsistent"),
        (Self::PEERING, "peering"),
        (Self::REPAIR, "repair"),
        (Self::BACKFILL_WAIT, "backfill_wait"),
        (Self::BACKFILLING, "backfilling"),
        (Self::FORCED_BACKFILL, "forced_backfill"),
        (Self::BACKFILL_TOOFULL, "backfill_toofull"),
        (Self::INCOMPLETE, "incomplete"),
        (Self::PEERED, "peered"),
        (Self::SNAPTRIM, "snaptrim"),
        (Self::SNAPTRIM_WAIT, "snaptrim_wait"),
        (Self::SNAPTRIM_ERROR, "snaptrim_error"),
        (Self::FAILED_REPAIR, "failed_repair"),
        (Self::LAGGY, "laggy"),
        (Self::WAIT, "wait"),
    ];

    pub fn has(self, bit: u64) -> bool {
        self.0 & bit != 0
    }

    pub fn set(&mut self, bit: u64) {
        self.0 |= bit;
    }

    pub fn clear(&mut self, bit: u64) {
        self.0 &= !bit;
    }

    /// Models `pg_state_string(uint64_t)`: tokens joined by `+` in Ceph's order;
    /// no bit at all prints `unknown` (modern Ceph; "inactive" before Nautilus).
    pub fn to_ceph_string(self) -> String {
        let tokens: Vec<&str> = Self::PRINT_ORDER
            .iter()
            .filter(|(bit, _)| self.has(*bit))
            .map(|(_, token)| *token)
            .collect();
        if tokens.is_empty() {
            "unknown".to_string()
        } else {
            tokens.join("+")
        }
    }

    /// Models `pg_string_state`: parse one token.
    pub fn bit_of(token: &str) -> Option<u64> {
        Self::PRINT_ORDER
            .iter()
            .find(|(_, t)| *t == token)
            .map(|(bit, _)| *bit)
    }
}

impl std::fmt::Display for PgState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_ceph_string())
    }
}
