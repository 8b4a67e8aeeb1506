//! The data a PG's PeeringMachine reacts over: Ceph's `PeeringState` (the machine's
//! context). Reactions read and change it and fill its outbox; they never reach the world
//! directly (Ceph's PeeringState / PeeringCtx split).

use super::acting::ShardInfo;
use super::events::{Epoch, OsdId, PeerState, PeeringEvent, QueryKind};
use crate::engine::intervals::{EpochMap, PastIntervals, PgHistory, PriorSet};
use crate::engine::osdmap::PgId;
use crate::engine::pglog::{
    Eversion, IndexedLog, LogEntry, MergeDecision, Missing, ObjectBound, PgLog,
};
use crate::engine::pgstate::PgState;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Per-PG peering data on one OSD.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PeeringState {
    pub pgid: PgId,
    /// This OSD (`pg_whoami`).
    pub whoami: OsdId,
    /// `info.history`: the epochs that bound the PG's past (created, les, lec,
    /// same_interval_since, …).
    pub history: PgHistory,
    /// The intervals since the PG was last clean (recorded by start_peering_interval).
    pub past_intervals: PastIntervals,
    /// The PG's view of the newest map this OSD processed (`osdmap_ref`) and of the one
    /// before it. The OSD sets both before delivering AdvMap (PeeringState::advance_map).
    /// None when a machine is driven without a cluster (machine walkthroughs).
    #[serde(skip)]
    pub osdmap: Option<Rc<EpochMap>>,
    #[serde(skip)]
    pub lastmap: Option<Rc<EpochMap>>,
    /// The map epoch this PG has processed.
    pub epoch: Epoch,
    pub up: Vec<OsdId>,
    pub acting: Vec<OsdId>,
    pub up_primary: OsdId,
    pub acting_primary: OsdId,
    /// Epoch of the last `start_peering_interval` (Ceph's `last_peering_reset`).
    pub last_peering_reset: Epoch,
    /// Ceph's `send_notify`: "should we tell the primary we are here?" Set by
    /// `start_peering_interval` to `!is_primary()`, cleared by `activate()`; while set,
    /// Reset's, Stray's and ReplicaActive's ActMap send the primary our info unasked.
    pub send_notify: bool,
    /// Whether Ceph would hold this PG on this OSD at all. The simulation gives an OSD an
    /// instance for every PG the map places on it; Ceph creates a replica's PG only when a
    /// primary activates it (MOSDPGLog / MOSDPGInfo), and a primary's when it peers as
    /// primary. Until then the instance stands for "no PG here": it answers queries as
    /// `OSD::handle_pg_query_nopg` would and sends nothing unasked.
    pub exists_on_osd: bool,
    /// PG_STATE_* bits (`ceph pg dump` state string).
    pub state: PgState,
    /// Set when the machine entered Crashed, or where Ceph would `ceph_assert`: in Ceph
    /// the OSD aborts.
    pub crashed: bool,
    /// Why, when it was an assertion (which check, and what it found).
    pub crash_reason: Option<String>,
    /// Peering's prior set (built by GetInfo's entry: `build_prior`).
    pub prior_set: Option<PriorSet>,
    /// OSDs asked for their info and not yet answered (GetInfo's `peer_info_requested`).
    pub peer_info_requested: BTreeSet<OsdId>,
    /// `blocked_by`: whom peering waits for (`ceph pg query` "blocked_by").
    pub blocked_by: BTreeSet<OsdId>,
    /// The primary needs the monitor to record up_thru for this interval first.
    pub need_up_thru: bool,
    /// Messages the reactions want sent; the OSD (the world) routes and clears it
    /// (Ceph's PeeringCtx).
    pub outbox: Vec<Outgoing>,
    /// This OSD's `pg_info_t` (the parts peering reads).
    pub info: ShardInfo,
    /// What the primary learned of each peer (`peer_info`).
    pub peer_info: BTreeMap<OsdId, ShardInfo>,
    /// The acting set choose_acting asked for (pg_temp), while waiting for it.
    pub want_acting: Vec<OsdId>,
    /// The OSD whose log is authoritative (GetLog's `auth_log_shard`).
    pub auth_log_shard: Option<OsdId>,
    /// The auth shard's answer, kept until GotLog (GetLog's `msg`).
    pub master_log: Option<PeerState>,
    /// The acting set plus backfill and async recovery targets, fixed by choose_acting.
    pub acting_recovery_backfill: BTreeSet<OsdId>,
    pub backfill_targets: BTreeSet<OsdId>,
    /// Up OSDs log-recovered outside the acting set (`async_recovery_targets`).
    pub async_recovery_targets: BTreeSet<OsdId>,
    /// Peers asked for their log and missing set (GetMissing's `peer_missing_requested`;
    /// in Active, discover_all_missing's FULLLOG queries).
    pub peer_missing_requested: BTreeSet<OsdId>,
    /// The epoch activate() ran in, and the replicas that confirmed it (Active).
    pub activation_epoch: Epoch,
    pub peer_activated: BTreeSet<OsdId>,
    /// Peers that sent an info while neither up nor acting: copies to purge once the PG
    /// is clean (`stray_set`).
    pub stray_set: BTreeSet<OsdId>,
    /// Strays purged this interval (`peer_purged`): Active ignores their notifies.
    pub peer_purged: BTreeSet<OsdId>,
    /// OSDs that might hold objects we miss (`might_have_unfound`, built by activate()
    /// when recovery is needed; `unfound::build_might_have_unfound`).
    pub might_have_unfound: BTreeSet<OsdId>,
    /// In Deleting (`PeeringState::deleting`).
    pub deleting: bool,
    /// ToDelete's reservation priority (`ToDelete::priority`).
    pub delete_priority: u32,
    pub activate_committed: bool,
    pub all_replicas_activated: bool,
    /// Why the last choose_acting decided as it did (for display).
    pub choose_acting_why: Vec<String>,
    /// Peering's `history_les_bound`: GetLog's find_best_info took its les bound from an
    /// OSD's history.les (`ceph pg query`: peering_blocked_by_history_les_bound).
    pub history_les_bound: bool,
    /// This OSD's PG log and missing set (`pg_log`). `info.last_update` / `log_tail` /
    /// `last_complete` always match it.
    pub pg_log: PgLog,
    /// This OSD's copy of the PG's objects: object → the version stored (what the object
    /// store holds; data itself is not modelled).
    pub store: BTreeMap<String, Eversion>,
    /// What the primary knows each peer lacks (`peer_missing`).
    pub peer_missing: BTreeMap<OsdId, Missing>,
    /// The log merges of the current interval, in order, with their decisions, for the
    /// browser to replay.
    pub merges: Vec<MergeRecord>,
    /// Client ops waiting for the PG to be peered (`waiting_for_peered`).
    pub waiting_for_peered: Vec<ClientOp>,
    /// Client ops on a peered PG that cannot take writes (`waiting_for_active`).
    pub waiting_for_active: Vec<ClientOp>,
    /// Client ops on objects some acting OSD is missing: they wait for recovery
    /// (`waiting_for_unreadable_object` / `waiting_for_degraded_object`).
    pub waiting_for_degraded: BTreeMap<String, Vec<ClientOp>>,
    /// Writes replicated and not yet applied by every acting replica (`repop_map`).
    pub repops: BTreeMap<u64, RepOp>,
    /// The next replication transaction id (`get_tid`).
    pub next_tid: u64,
    /// Recovery in flight on the primary: objects pulled, and from whom
    /// (`recovering` + `pulling` of ReplicatedBackend).
    pub pulling: BTreeMap<String, OsdId>,
    /// Objects pushed and not yet acknowledged, to whom (`pushing`).
    pub pushing: BTreeMap<String, BTreeSet<OsdId>>,
    /// Backfill on the primary (PrimaryLogPG's `peer_backfill_info`, `backfill_info`,
    /// `last_backfill_started`, `new_backfill`, `waiting_on_backfill`,
    /// `backfills_in_flight`, `pending_backfill_updates`).
    pub backfill: BackfillState,
    /// How many remote shards WaitRemote*Reserved has asked so far (Ceph's
    /// `remote_recovery_reservation_it` / `backfill_osd_it`).
    pub remote_reserve_next: usize,
    /// Objects the primary misses that no reachable OSD has (`missing_loc` unfound).
    pub unfound: BTreeSet<String>,
    /// What this OSD knows of the cluster's fullness (the OSDMap's full/backfillfull
    /// flags and this OSD's statfs, `OSDService::osd_stat`), set by the OSD before each
    /// event.
    #[serde(skip)]
    pub fullness: Option<Rc<Fullness>>,
    /// Bytes a remote backfill reservation set aside on this replica
    /// (`set_reserved_num_bytes`).
    pub reserved_bytes: u64,
    /// How many log entries a PG keeps (`osd_min_pg_log_entries` /
    /// `osd_max_pg_log_entries` as one value); None: never trimmed.
    pub pg_log_entries: Option<usize>,
    /// `osd_backfill_scan_max`; None: `recovery::OSD_BACKFILL_SCAN_MAX` (512).
    pub backfill_scan_max: Option<usize>,
    /// `osd_async_recovery_min_cost`; None: `acting::OSD_ASYNC_RECOVERY_MIN_COST` (100).
    pub async_recovery_min_cost: Option<u64>,
}

/// Models `BackfillInterval` (src/osd/PG.h): what a scan found in `[begin, end)` — each
/// object and its version — and the PG's `last_update` when it was taken (`version`). The
/// primary keeps one of its own store and one per backfill target (filled by the
/// target's MOSDPGScan digest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackfillInterval {
    pub version: Eversion,
    pub objects: BTreeMap<String, Eversion>,
    pub begin: ObjectBound,
    pub end: ObjectBound,
}

impl Default for BackfillInterval {
    /// `BackfillInterval()`: begin = end = `hobject_t()` (MIN).
    fn default() -> Self {
        BackfillInterval::reset(ObjectBound::Min)
    }
}

impl BackfillInterval {
    /// `BackfillInterval::reset`: empty, begin = end = `start`, version zero.
    pub fn reset(start: ObjectBound) -> Self {
        BackfillInterval {
            version: Eversion::ZERO,
            objects: BTreeMap::new(),
            begin: start.clone(),
            end: start,
        }
    }

    /// `empty()`: no objects in the interval.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// `extends_to_end()`: the interval reaches MAX.
    pub fn extends_to_end(&self) -> bool {
        self.end.is_max()
    }

    /// `trim()`: begin moves to the first object (or to end when there is none).
    pub fn trim(&mut self) {
        self.begin = match self.objects.keys().next() {
            Some(o) => ObjectBound::Object(o.clone()),
            None => self.end.clone(),
        };
    }

    /// `trim_to(soid)`: drop the objects at or before `soid`, then `trim()`.
    pub fn trim_to(&mut self, soid: &ObjectBound) {
        self.objects.retain(|o, _| !soid.covers(o));
        self.trim();
    }

    /// `pop_front()`: drop the first object, then `trim()`.
    pub fn pop_front(&mut self) {
        if let Some(first) = self.objects.keys().next().cloned() {
            self.objects.remove(&first);
        }
        self.trim();
    }

    /// The first object and its version.
    pub fn front(&self) -> Option<(&String, &Eversion)> {
        self.objects.iter().next()
    }
}

/// The primary's backfill bookkeeping (PrimaryLogPG's members of the same names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackfillState {
    /// Set by `on_activate_complete` when there are backfill targets: the next
    /// `recover_backfill` starts the intervals from the targets' last_backfill.
    pub new_backfill: bool,
    /// Where backfill has got to: every object at or before it was compared, pushed or
    /// removed (`last_backfill_started`).
    pub last_backfill_started: ObjectBound,
    /// The primary's own scan (`backfill_info`).
    pub backfill_info: BackfillInterval,
    /// Each backfill target's last digest (`peer_backfill_info`).
    pub peer_backfill_info: BTreeMap<OsdId, BackfillInterval>,
    /// Targets asked for a digest (MOSDPGScan OP_SCAN_GET_DIGEST) and not yet answered
    /// (`waiting_on_backfill`): together one recovery op.
    pub waiting_on_backfill: BTreeSet<OsdId>,
    /// Objects pushed by backfill and not yet acknowledged by every target they went to
    /// (`backfills_in_flight`).
    pub backfills_in_flight: BTreeSet<String>,
    /// Objects done (compared, pushed or removed) whose completion has not yet moved the
    /// targets' last_backfill (`pending_backfill_updates`; the stats are not modelled).
    pub pending_backfill_updates: BTreeSet<String>,
    /// Targets sent MOSDPGBackfill OP_BACKFILL_FINISH, not yet acknowledged: one
    /// recovery op each (`start_recovery_op(hobject_t::get_max())`).
    pub finishing: BTreeSet<OsdId>,
}

impl Default for BackfillState {
    /// Nothing started: last_backfill_started `hobject_t()` (MIN), as
    /// `_clear_recovery_state` leaves it.
    fn default() -> Self {
        BackfillState {
            new_backfill: false,
            last_backfill_started: ObjectBound::Min,
            backfill_info: BackfillInterval::default(),
            peer_backfill_info: BTreeMap::new(),
            waiting_on_backfill: BTreeSet::new(),
            backfills_in_flight: BTreeSet::new(),
            pending_backfill_updates: BTreeSet::new(),
            finishing: BTreeSet::new(),
        }
    }
}

/// MOSDPGScan's operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum ScanOp {
    /// `OP_SCAN_GET_DIGEST`: primary → target, "list your objects from `begin`".
    GetDigest,
    /// `OP_SCAN_DIGEST`: target → primary, the objects of `[begin, end)` and versions.
    Digest,
}

/// MOSDPGBackfill's operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum BackfillOp {
    /// `OP_BACKFILL_PROGRESS`: the target's last_backfill moves to the one carried.
    Progress,
    /// `OP_BACKFILL_FINISH`: last_backfill MAX; the target answers FINISH_ACK.
    Finish,
    /// `OP_BACKFILL_FINISH_ACK`.
    FinishAck,
}

/// Fullness as an OSD sees it: each OSD's state (from the OSDMap's flags, which the
/// monitor sets from the OSDs' reports) and this OSD's own usage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fullness {
    /// OSDs over the full ratio (`OSDMap::is_full`).
    pub full: BTreeSet<OsdId>,
    /// OSDs over the backfillfull ratio.
    pub backfillfull: BTreeSet<OsdId>,
    /// OSDs over the nearfull ratio (`mon_osd_nearfull_ratio`).
    pub nearfull: BTreeSet<OsdId>,
    /// This OSD's used and total bytes (`osd_stat.statfs`).
    pub used: u64,
    pub capacity: u64,
    /// `mon_osd_backfillfull_ratio` (0.90), in percent.
    pub backfillfull_pct: u64,
    /// Bytes other PGs' backfill reservations already set aside on this OSD.
    pub reserved_by_others: u64,
}

/// MRecoveryReserve / MBackfillReserve operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum ReserveOp {
    Request,
    Grant,
    Release,
    /// MBackfillReserve only (`REJECT_TOOFULL`).
    RejectTooFull,
    Revoke,
    /// MBackfillReserve only (`REVOKE_TOOFULL`).
    RevokeTooFull,
}

/// One client operation (an `MOSDOp` with one write or delete).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ClientOp {
    /// The client's op id; the reqid `client.0.0:<id>` identifies the op in the log.
    pub id: u64,
    pub object: String,
    pub delete: bool,
}

impl ClientOp {
    /// The `osd_reqid_t` the log entry records (for duplicate detection).
    pub fn reqid(&self) -> String {
        format!("client.0.0:{}", self.id)
    }
}

/// Models `PrimaryLogPG::RepGather`: a write sent to the replicas, waiting for their
/// commits (`waiting_for_commit`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RepOp {
    pub op: ClientOp,
    pub version: Eversion,
    pub waiting_on: BTreeSet<OsdId>,
    /// Resent copies of the op (same reqid) waiting for this write: they get the same
    /// reply (Ceph's `waiting_for_ondisk` on a dup).
    pub dups: Vec<ClientOp>,
}

/// One log merge and where it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergeRecord {
    pub epoch: Epoch,
    /// `merge_log` (proc_master_log, or a replica activating), `rewind_divergent_log`, or
    /// `proc_replica_log` (the primary working out a peer's missing set).
    pub kind: &'static str,
    /// The other OSD: whose log was merged in, or whose log was examined.
    pub with: OsdId,
    pub decisions: Vec<MergeDecision>,
}

impl PeeringState {
    /// What this PG tells peers about itself.
    pub fn peer_state(&self) -> PeerState {
        let mut info = self.info.clone();
        info.history_les = self.history.last_epoch_started;
        info.num_objects_missing = self.pg_log.missing.num_missing() as u64;
        info.num_bytes = self.store.len() as u64 * super::recovery::OBJECT_BYTES;
        PeerState {
            info,
            history: self.history.clone(),
            log: None,
            missing: None,
        }
    }

    /// Our info and history with a log (an MOSDPGLog).
    pub fn peer_state_with_log(&self, log: IndexedLog, missing: Option<Missing>) -> PeerState {
        PeerState {
            log: Some(log),
            missing,
            ..self.peer_state()
        }
    }

    pub fn pool_sizes(&self) -> (usize, usize) {
        self.osdmap
            .as_ref()
            .and_then(|m| m.pool.as_ref())
            .map_or((self.acting.len().max(1), 1), |p| {
                (p.size as usize, p.min_size as usize)
            })
    }
}

/// A message a PG's reaction asks its OSD to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum Outgoing {
    /// A `pg_query_t` (MOSDPGQuery) to a peer, carrying our history.
    Query {
        to: OsdId,
        epoch: Epoch,
        kind: QueryKind,
    },
    /// MOSDPGNotify: our info, to the primary (an answer to INFO, or after a new map).
    Notify {
        to: OsdId,
        epoch: Epoch,
        peer: PeerState,
    },
    /// MOSDPGInfo: activation (primary → replica) or its acknowledgement.
    Info {
        to: OsdId,
        epoch: Epoch,
        peer: PeerState,
    },
    /// MOSDPGLog: an answer to LOG / FULLLOG, or activation with log entries.
    /// `query_epoch`: the query's epoch, or the primary's last_peering_reset.
    Log {
        to: OsdId,
        epoch: Epoch,
        query_epoch: Epoch,
        peer: PeerState,
    },
    /// Ask the monitor for a pg_temp (empty: remove it) (queue_want_pg_temp).
    WantPgTemp { osds: Vec<OsdId> },
    /// MOSDRepOp: a write for a replica to log and apply.
    RepOp {
        to: OsdId,
        epoch: Epoch,
        tid: u64,
        entry: LogEntry,
        /// `pg_trim_to`: the replica trims its log up to here.
        trim_to: Eversion,
        /// False when `should_send_op` says no (a backfill target, the object beyond
        /// both its last_backfill and the primary's last_backfill_started): Ceph ships
        /// an empty transaction, the target only logs the entry.
        apply: bool,
    },
    /// MOSDRepOpReply: the replica applied (committed) the write.
    RepOpReply { to: OsdId, epoch: Epoch, tid: u64 },
    /// MOSDOpReply to the client: `result` 0 with the write's version, or an error.
    ClientReply {
        op: u64,
        version: Eversion,
        result: i32,
    },
    /// `request_local_background_io_reservation` / `request_remote_recovery_reservation`
    /// on this OSD's reserver.
    Reserve {
        which: crate::engine::reserver::Which,
        prio: u32,
        grant: Box<PeeringEvent>,
        preempt: Option<Box<PeeringEvent>>,
    },
    /// `cancel_local_background_io_reservation` / `cancel_remote_recovery_reservation`.
    CancelReservation {
        which: crate::engine::reserver::Which,
    },
    /// `update_local_background_io_priority`: the local reservation (queued or granted)
    /// moves to `prio` (`AsyncReserver::update_priority`).
    UpdateLocalPriority { prio: u32 },
    /// `schedule_event_after` / `schedule_recovery_retry`: queue `event` after `after_ms`.
    ScheduleEvent {
        after_ms: u64,
        event: Box<PeeringEvent>,
    },
    /// `queue_recovery`: the OSD's recovery thread will run `start_recovery_ops`.
    QueueRecovery,
    /// MRecoveryReserve (`backfill: false`) or MBackfillReserve.
    ReserveMsg {
        to: OsdId,
        epoch: Epoch,
        backfill: bool,
        op: ReserveOp,
        priority: u32,
        primary_bytes: u64,
        local_bytes: u64,
    },
    /// MOSDPGPull: ask `to` for `object`.
    Pull {
        to: OsdId,
        epoch: Epoch,
        object: String,
    },
    /// MOSDPGPush: the object at `version` (None: it is deleted). `backfill`: a backfill
    /// push (`prep_backfill_object_push`; the target's last_backfill moves only with
    /// MOSDPGBackfill).
    Push {
        to: OsdId,
        epoch: Epoch,
        object: String,
        version: Option<Eversion>,
        backfill: bool,
    },
    /// MOSDPGPushReply.
    PushReply {
        to: OsdId,
        epoch: Epoch,
        object: String,
    },
    /// MOSDPGScan: OP_SCAN_GET_DIGEST from `begin`, or the OP_SCAN_DIGEST answer with the
    /// objects of `[begin, end)`. `query_epoch`: the primary's last_peering_reset (echoed
    /// in the answer).
    Scan {
        to: OsdId,
        epoch: Epoch,
        query_epoch: Epoch,
        op: ScanOp,
        begin: ObjectBound,
        end: ObjectBound,
        objects: BTreeMap<String, Eversion>,
    },
    /// MOSDPGBackfill: PROGRESS / FINISH with the target's new last_backfill, or
    /// FINISH_ACK.
    Backfill {
        to: OsdId,
        epoch: Epoch,
        query_epoch: Epoch,
        op: BackfillOp,
        last_backfill: ObjectBound,
    },
    /// MOSDPGRemove: the stray `to` is to delete its copy (`purge_strays`).
    PgRemove { to: OsdId, epoch: Epoch },
    /// MOSDPGBackfillRemove: objects (and the versions the target reported) only the
    /// target has.
    BackfillRemove {
        to: OsdId,
        epoch: Epoch,
        objects: Vec<(String, Eversion)>,
    },
}

impl PeeringState {
    pub fn new(whoami: OsdId) -> Self {
        PeeringState {
            whoami,
            history: PgHistory::new(0),
            up_primary: -1,
            acting_primary: -1,
            pg_log: PgLog::new(IndexedLog::default(), Missing::new(true)),
            ..Default::default()
        }
    }

    /// Models `PeeringState::is_primary`: this OSD is the acting primary.
    pub fn is_primary(&self) -> bool {
        self.acting_primary == self.whoami
    }

    /// Models `PeeringState::should_send_notify` (the `send_notify` flag) together with
    /// the callers' `get_primary().osd >= 0`, for a PG Ceph would hold here.
    pub fn should_send_notify(&self) -> bool {
        self.send_notify && self.acting_primary >= 0 && self.exists_on_osd
    }

    /// `OSDMap::has_been_up_since(osd, epoch)` in the PG's current map: up, and up
    /// since `epoch` or earlier. Without a map (a machine driven alone) every peer is.
    pub fn has_been_up_since(&self, osd: OsdId, epoch: Epoch) -> bool {
        self.osdmap
            .as_ref()
            .is_none_or(|m| m.is_up(osd) && m.info(osd).is_some_and(|o| o.up_from <= epoch))
    }
}
