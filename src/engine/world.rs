//! The simulated cluster: a monitor, OSDs holding PG machines, the network between them,
//! and a logical clock with timers. The world owns everything that moves between actors
//! (Ceph's PeeringCtx split: a PG machine reacts to an event and fills an outbox; the world
//! routes it). One step = one event: a message delivered, a timer fired, or a user action.
//!
//! Maps, boots, failures, outs, PG creation, the AdvMap/ActMap sequence, the peering
//! messages (query, notify, info, log) and client writes are routed here; every protocol
//! decision is in `peering/` (the PG machines, `peering::io` for client I/O) and `pglog`.
//! The client (Ceph's Objecter) lives here too: it sends each op to the PG's acting
//! primary, resends it when a new map moves the primary, and records what was
//! acknowledged (`acked`), so that loss is checkable.

use crate::engine::intervals::{EpochMap, OsdView, PgHistory};
use crate::engine::monitor::{
    self, Incremental, PrimeStyle, MON_OSD_DOWN_OUT_INTERVAL_MS, MON_OSD_REPORT_TIMEOUT_MS,
    OSD_HEARTBEAT_GRACE_MS,
};
use crate::engine::net::{Endpoint, Network, TimeMs};
use crate::engine::osdmap::{
    Epoch, Flag, Mapping, MappingTable, OsdEntry, OsdId, OsdMap, PgId, Pool, PoolId, WEIGHT_IN,
};
use crate::engine::peering::chart::definition;
use crate::engine::peering::events::{PeerState, PeeringEvent, QueryKind};
use crate::engine::peering::io;
use crate::engine::peering::recovery;
use crate::engine::peering::state::PeeringState;
use crate::engine::peering::state::{BackfillOp, ClientOp, Fullness, Outgoing, ReserveOp, ScanOp};
use crate::engine::pglog::{Eversion, LogEntry, ObjectBound};
use crate::engine::pgstate::PgState;
use crate::engine::reserver::{AsyncReserver, Fired, Reservation, Which};
use crate::engine::statechart::{Machine, Micro};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// One-way network latency.
pub const NET_LATENCY_MS: TimeMs = 1;
/// How long an OSD takes to notice a faulted monitor session and reconnect.
pub const MON_RECONNECT_MS: TimeMs = 1_000;

/// The cluster a scenario starts from.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    pub hosts: Vec<HostSpec>,
    pub pools: Vec<PoolSpec>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    /// The epoch of the first map (default 1), so a scenario can use a real cluster's
    /// epoch numbers.
    #[serde(default = "first_epoch_default")]
    pub first_epoch: Epoch,
    /// Which monitor release's pg_temp priming to model (default: current Ceph).
    #[serde(default)]
    pub mon_prime_pg_temp: PrimeStyle,
    /// Each OSD's capacity in objects of 4 MiB (none: fullness is not modelled). Usage is
    /// what the OSD's PG copies store; the ratios are Ceph's defaults
    /// (`mon_osd_nearfull_ratio` .85, `mon_osd_backfillfull_ratio` .90,
    /// `mon_osd_full_ratio` .95).
    #[serde(default)]
    pub osd_capacity_objects: Option<u64>,
    /// How many entries each PG log keeps (`osd_min_pg_log_entries` /
    /// `osd_max_pg_log_entries` as one value; none: never trimmed, Ceph's defaults of
    /// 250 / 10000 are never reached here). A short log makes a returning or new OSD a
    /// backfill target.
    #[serde(default)]
    pub osd_max_pg_log_entries: Option<usize>,
    /// How many objects one backfill scan lists (`osd_backfill_scan_max`; none: Ceph's
    /// 512). A small value makes backfill ask for several digests.
    #[serde(default)]
    pub osd_backfill_scan_max: Option<usize>,
    /// `osd_async_recovery_min_cost` (none: Ceph's 100): an up replica missing more
    /// objects than this is recovered outside the acting set. A small value shows async
    /// recovery with a few writes.
    #[serde(default)]
    pub osd_async_recovery_min_cost: Option<u64>,
    /// The monitor's `mon_allow_pool_delete` (Ceph's default: false, so `ceph osd pool
    /// delete` is refused until `ceph config set mon mon_allow_pool_delete true`).
    #[serde(default)]
    pub mon_allow_pool_delete: bool,
    /// The monitor's Paxos proposal timing (`paxos_propose_interval`, `paxos_min_wait`).
    /// Absent: Ceph's 1 s and 0.05 s, so changes that arrive within a second share an
    /// epoch, as on a real cluster. `null`: no batching, every accepted change is its own
    /// epoch at once (a teaching simplification, handy to see one change per map).
    #[serde(default = "paxos_default")]
    pub paxos: Option<PaxosSpec>,
}

/// How long the monitor lets changes gather in its pending Incremental before proposing
/// them as the next epoch (PaxosService::should_propose).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaxosSpec {
    /// `paxos_propose_interval` in ms (Ceph: 1.0 s): the least time between two commits.
    #[serde(default = "propose_interval_default")]
    pub propose_interval_ms: TimeMs,
    /// `paxos_min_wait` in ms (Ceph: 0.05 s): the wait when the last commit is older than
    /// the propose interval.
    #[serde(default = "min_wait_default")]
    pub min_wait_ms: TimeMs,
}

fn paxos_default() -> Option<PaxosSpec> {
    Some(PaxosSpec::default())
}

fn propose_interval_default() -> TimeMs {
    1_000
}

fn min_wait_default() -> TimeMs {
    50
}

impl Default for PaxosSpec {
    fn default() -> PaxosSpec {
        PaxosSpec {
            propose_interval_ms: propose_interval_default(),
            min_wait_ms: min_wait_default(),
        }
    }
}

/// `mon_osd_backfillfull_ratio` (0.90), in percent.
pub const BACKFILLFULL_PCT: u64 = 90;
/// `mon_osd_full_ratio` (0.95), in percent.
pub const FULL_PCT: u64 = 95;
/// `mon_osd_nearfull_ratio` (0.85), in percent.
pub const NEARFULL_PCT: u64 = 85;

fn first_epoch_default() -> Epoch {
    1
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSpec {
    pub name: String,
    pub osds: Vec<OsdId>,
    /// CRUSH weights of `osds`, in order (as `ceph osd tree` prints them; default 1.0
    /// each).
    #[serde(default)]
    pub weights: Vec<f64>,
}

impl HostSpec {
    /// CRUSH weight of the i-th OSD in 16.16 fixed point.
    fn crush_weight(&self, i: usize) -> u32 {
        let w = self.weights.get(i).copied().unwrap_or(1.0);
        (w * 65536.0).round() as u32
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    pub id: PoolId,
    pub name: String,
    pub size: usize,
    pub min_size: usize,
    pub pg_num: u32,
}

impl ClusterSpec {
    /// `hosts` hosts `node0…` of `per_host` OSDs each (numbered in order), one replicated
    /// pool 1 "rbd" of size 3 / min_size 2 with `pg_num` PGs, defaults for the rest: the
    /// cluster the benchmarks measure.
    pub fn uniform(hosts: i32, per_host: i32, pg_num: u32) -> ClusterSpec {
        ClusterSpec {
            hosts: (0..hosts)
                .map(|h| HostSpec {
                    name: format!("node{h}"),
                    osds: (0..per_host).map(|i| h * per_host + i).collect(),
                    weights: vec![],
                })
                .collect(),
            pools: vec![PoolSpec {
                id: 1,
                name: "rbd".into(),
                size: 3,
                min_size: 2,
                pg_num,
            }],
            flags: vec![],
            first_epoch: 1,
            mon_prime_pg_temp: PrimeStyle::default(),
            osd_capacity_objects: None,
            osd_max_pg_log_entries: None,
            osd_backfill_scan_max: None,
            osd_async_recovery_min_cost: None,
            mon_allow_pool_delete: false,
            paxos: paxos_default(),
        }
    }

    /// Check the spec, naming the first thing that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = BTreeSet::new();
        if self.hosts.is_empty() {
            return Err("cluster.hosts: a cluster needs at least one host".into());
        }
        if self.osd_backfill_scan_max == Some(0) {
            return Err("cluster.osd_backfill_scan_max: a scan lists at least 1 object".into());
        }
        for (h, host) in self.hosts.iter().enumerate() {
            if host.osds.is_empty() {
                return Err(format!("cluster.hosts[{h}] ({}): no OSDs", host.name));
            }
            for &o in &host.osds {
                if o < 0 {
                    return Err(format!("cluster.hosts[{h}].osds: {o} is not an OSD id"));
                }
                if !seen.insert(o) {
                    return Err(format!("cluster.hosts[{h}].osds: osd.{o} is listed twice"));
                }
            }
            if !host.weights.is_empty() && host.weights.len() != host.osds.len() {
                return Err(format!(
                    "cluster.hosts[{h}].weights: {} weights for {} OSDs",
                    host.weights.len(),
                    host.osds.len()
                ));
            }
            if let Some(w) = host.weights.iter().find(|w| !(**w > 0.0 && **w <= 1000.0)) {
                return Err(format!(
                    "cluster.hosts[{h}].weights: {w} (need 0 < weight <= 1000)"
                ));
            }
        }
        let mut pool_ids = BTreeSet::new();
        for (i, p) in self.pools.iter().enumerate() {
            let at = format!("cluster.pools[{i}] ({})", p.name);
            if !pool_ids.insert(p.id) {
                return Err(format!("{at}: pool id {} is used twice", p.id));
            }
            if p.size == 0 || p.min_size == 0 || p.min_size > p.size {
                return Err(format!(
                    "{at}: size {} / min_size {} (need 1 <= min_size <= size)",
                    p.size, p.min_size
                ));
            }
            if p.size > self.hosts.len() {
                return Err(format!(
                    "{at}: size {} is larger than the number of hosts ({}); replicas go on distinct hosts",
                    p.size,
                    self.hosts.len()
                ));
            }
            if p.pg_num == 0 || p.pg_num > 4096 {
                return Err(format!("{at}: pg_num {} (need 1..=4096)", p.pg_num));
            }
        }
        if self.first_epoch == 0 || self.first_epoch > 1_000_000 {
            return Err(format!(
                "cluster.first_epoch: {} (need 1..=1000000)",
                self.first_epoch
            ));
        }
        Ok(())
    }

    /// The OSDMap at epoch 1: every OSD up and in, every pool created.
    fn initial_map(&self) -> OsdMap {
        let mut osds = BTreeMap::new();
        for host in &self.hosts {
            for (i, &o) in host.osds.iter().enumerate() {
                osds.insert(
                    o,
                    OsdEntry {
                        host: host.name.clone(),
                        up: true,
                        weight: WEIGHT_IN,
                        crush_weight: host.crush_weight(i),
                        up_from: self.first_epoch,
                        up_thru: 0,
                        down_at: 0,
                        lost_at: 0,
                    },
                );
            }
        }
        let pools = self
            .pools
            .iter()
            .map(|p| {
                (
                    p.id,
                    Pool {
                        name: p.name.clone(),
                        size: p.size,
                        min_size: p.min_size,
                        pg_num: p.pg_num,
                    },
                )
            })
            .collect();
        OsdMap {
            epoch: self.first_epoch,
            osds,
            pools,
            pg_temp: BTreeMap::new(),
            flags: self.flags.iter().copied().collect(),
        }
    }
}

/// What travels on the network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum Msg {
    /// MOSDMap: the maps up to `epoch` (the receiver fetches what it lacks from the
    /// world's map history, as it would from the monitor).
    OsdMap { epoch: Epoch },
    /// MOSDBoot: a started OSD asks to be marked up. `incarnation` stands for the
    /// daemon's addresses (a restarted daemon binds new ones).
    Boot { incarnation: u64 },
    /// MOSDFailure: heartbeat peers report `target` failed.
    Failure { target: OsdId },
    /// MOSDAlive: the OSD wants up_thru ≥ `want`; `have` is its newest map.
    Alive { want: Epoch, have: Epoch },
    /// MOSDPGTemp: the primary asks for a pg_temp (empty: remove it).
    PgTemp { pg: PgId, osds: Vec<OsdId> },
    /// MOSDPGQuery: a `pg_query_t` (INFO, LOG, FULLLOG) sent in `epoch`.
    PgQuery {
        pg: PgId,
        epoch: Epoch,
        kind: QueryKind,
    },
    /// MOSDPGNotify: a peer's info, sent in `epoch`.
    PgNotify {
        pg: PgId,
        epoch: Epoch,
        peer: PeerState,
    },
    /// MOSDPGInfo: activation or its acknowledgement.
    PgInfo {
        pg: PgId,
        epoch: Epoch,
        peer: PeerState,
    },
    /// MOSDPGLog: a log (and info) for the primary or a replica. `query_epoch` is the
    /// epoch of the query it answers, or the primary's last_peering_reset for an
    /// activation: the receiver judges staleness by it.
    PgLog {
        pg: PgId,
        epoch: Epoch,
        query_epoch: Epoch,
        peer: PeerState,
    },
    /// MOSDOp: a client write or delete, sent with the client's map epoch.
    ClientOp {
        pg: PgId,
        epoch: Epoch,
        op: ClientOp,
    },
    /// MOSDOpReply: `result` 0 (written at `version`) or an error.
    ClientReply {
        pg: PgId,
        op: u64,
        version: Eversion,
        result: i32,
    },
    /// MOSDRepOp: the primary's write for a replica (`apply` false: an empty
    /// transaction, the entry is only logged — a backfill target beyond backfill).
    RepOp {
        pg: PgId,
        epoch: Epoch,
        tid: u64,
        entry: LogEntry,
        trim_to: Eversion,
        apply: bool,
    },
    /// MOSDRepOpReply: the replica applied it.
    RepOpReply { pg: PgId, epoch: Epoch, tid: u64 },
    /// MRecoveryReserve (`backfill` false) or MBackfillReserve.
    Reserve {
        pg: PgId,
        epoch: Epoch,
        backfill: bool,
        op: ReserveOp,
        priority: u32,
        primary_bytes: u64,
        local_bytes: u64,
    },
    /// MOSDPGPull: the primary asks for an object.
    Pull {
        pg: PgId,
        epoch: Epoch,
        object: String,
    },
    /// MOSDPGPush: an object (None: deleted); `backfill` for a backfill push.
    Push {
        pg: PgId,
        epoch: Epoch,
        object: String,
        version: Option<Eversion>,
        backfill: bool,
    },
    /// MOSDPGPushReply.
    PushReply {
        pg: PgId,
        epoch: Epoch,
        object: String,
    },
    /// MOSDPGScan: OP_SCAN_GET_DIGEST (primary → backfill target, "your objects from
    /// `begin`") or OP_SCAN_DIGEST (the answer: the objects of `[begin, end)` with their
    /// versions). `query_epoch`: the primary's last_peering_reset, echoed.
    Scan {
        pg: PgId,
        epoch: Epoch,
        query_epoch: Epoch,
        op: ScanOp,
        begin: ObjectBound,
        end: ObjectBound,
        objects: BTreeMap<String, Eversion>,
    },
    /// MOSDPGBackfill: OP_BACKFILL_PROGRESS / OP_BACKFILL_FINISH (the target's new
    /// last_backfill) or OP_BACKFILL_FINISH_ACK.
    Backfill {
        pg: PgId,
        epoch: Epoch,
        query_epoch: Epoch,
        op: BackfillOp,
        last_backfill: ObjectBound,
    },
    /// MOSDPGBackfillRemove: objects only the backfill target has, to remove.
    BackfillRemove {
        pg: PgId,
        epoch: Epoch,
        objects: Vec<(String, Eversion)>,
    },
    /// MOSDPGRemove: a clean PG's primary tells a stray to delete its copy
    /// (`PeeringState::purge_strays`).
    PgRemove { pg: PgId, epoch: Epoch },
}

impl Msg {
    pub fn name(&self) -> &'static str {
        match self {
            Msg::OsdMap { .. } => "MOSDMap",
            Msg::Boot { .. } => "MOSDBoot",
            Msg::Failure { .. } => "MOSDFailure",
            Msg::Alive { .. } => "MOSDAlive",
            Msg::PgTemp { .. } => "MOSDPGTemp",
            Msg::PgQuery { .. } => "MOSDPGQuery",
            Msg::PgNotify { .. } => "MOSDPGNotify",
            Msg::PgInfo { .. } => "MOSDPGInfo",
            Msg::PgLog { .. } => "MOSDPGLog",
            Msg::ClientOp { .. } => "MOSDOp",
            Msg::ClientReply { .. } => "MOSDOpReply",
            Msg::RepOp { .. } => "MOSDRepOp",
            Msg::RepOpReply { .. } => "MOSDRepOpReply",
            Msg::Reserve {
                backfill: false, ..
            } => "MRecoveryReserve",
            Msg::Reserve { .. } => "MBackfillReserve",
            Msg::Pull { .. } => "MOSDPGPull",
            Msg::Push { .. } => "MOSDPGPush",
            Msg::PushReply { .. } => "MOSDPGPushReply",
            Msg::Scan { .. } => "MOSDPGScan",
            Msg::Backfill { .. } => "MOSDPGBackfill",
            Msg::BackfillRemove { .. } => "MOSDPGBackfillRemove",
            Msg::PgRemove { .. } => "MOSDPGRemove",
        }
    }
}

/// Timers of the logical clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum TimerKind {
    /// osd_heartbeat_grace after `osd` stopped: its peers report it failed.
    HeartbeatGrace { osd: OsdId },
    /// mon_osd_down_out_interval after `osd` was marked down: mark it out.
    DownOut { osd: OsdId },
    /// `osd`'s session with the monitor faulted (a message on it was lost); it reconnects.
    MonReconnect { osd: OsdId },
    /// mon_osd_report_timeout since `osd` last sent a beacon: the monitor marks it down.
    ReportTimeout { osd: OsdId },
    /// A peering event queued for a PG (`PGPeeringEvent`: a reserver's grant or
    /// preemption, `schedule_event_after`, a retry timer), made in `epoch`.
    PgEvent {
        osd: OsdId,
        #[serde(with = "pg_text")]
        pg: PgId,
        epoch: Epoch,
        event: Box<PeeringEvent>,
    },
    /// `queue_recovery`: the OSD's recovery thread runs the PG's `start_recovery_ops`.
    Recovery {
        osd: OsdId,
        #[serde(with = "pg_text")]
        pg: PgId,
        epoch: Epoch,
    },
    /// PaxosService's `proposal_timer`: the monitor proposes its pending Incremental as
    /// the next epoch (propose_pending).
    Propose,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Timer {
    pub id: u64,
    pub at: TimeMs,
    pub kind: TimerKind,
}

/// Something a user (or a scenario script) does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum UserAction {
    /// Stop the OSD daemon (crash, power off): it sends and receives nothing.
    Kill { osd: OsdId },
    /// Start the OSD daemon again: it boots with the data it had.
    Revive { osd: OsdId },
    /// `ceph osd down N`.
    MarkDown { osd: OsdId },
    /// `ceph osd out N`.
    Out { osd: OsdId },
    /// `ceph osd in N`.
    In { osd: OsdId },
    /// `ceph osd lost N --yes-i-really-mean-it`.
    Lost { osd: OsdId },
    /// `ceph osd pool delete NAME NAME --yes-i-really-really-mean-it`.
    DeletePool { pool: String },
    /// `ceph config set mon mon_allow_pool_delete true|false` (ConfigMonitor): the option
    /// the monitor's `OSDMonitor::_check_remove_pool` reads (`g_conf()`).
    AllowPoolDelete { allow: bool },
    /// Lose one message in flight.
    Drop { message: u64 },
    /// A client writes (creates or replaces) `object` in `pg` ("1.0").
    Write {
        #[serde(with = "pg_text")]
        pg: PgId,
        object: String,
    },
    /// A client deletes `object` in `pg`.
    Delete {
        #[serde(with = "pg_text")]
        pg: PgId,
        object: String,
    },
    /// `ceph pg <pg> mark_unfound_lost revert|delete`.
    MarkUnfoundLost {
        #[serde(with = "pg_text")]
        pg: PgId,
        mode: LostModeText,
    },
    /// `ceph pg force-recovery <pg>`.
    ForceRecovery {
        #[serde(with = "pg_text")]
        pg: PgId,
    },
    /// `ceph pg force-backfill <pg>`.
    ForceBackfill {
        #[serde(with = "pg_text")]
        pg: PgId,
    },
    /// `ceph pg cancel-force-recovery <pg>`.
    CancelForceRecovery {
        #[serde(with = "pg_text")]
        pg: PgId,
    },
    /// `ceph pg cancel-force-backfill <pg>`.
    CancelForceBackfill {
        #[serde(with = "pg_text")]
        pg: PgId,
    },
}

impl UserAction {
    /// The action as the command or event a person would type or see (`ceph osd out 3`,
    /// `client.0 writes obj1 in pg 1.0`): what the Next line of a script says.
    pub fn command_text(&self) -> String {
        match self {
            UserAction::Kill { osd } => format!("osd.{osd}'s daemon dies"),
            UserAction::Revive { osd } => format!("osd.{osd}'s daemon starts"),
            UserAction::MarkDown { osd } => format!("ceph osd down {osd}"),
            UserAction::Out { osd } => format!("ceph osd out {osd}"),
            UserAction::In { osd } => format!("ceph osd in {osd}"),
            UserAction::Lost { osd } => format!("ceph osd lost {osd} --yes-i-really-mean-it"),
            UserAction::DeletePool { pool } => {
                format!("ceph osd pool delete {pool} {pool} --yes-i-really-really-mean-it")
            }
            UserAction::AllowPoolDelete { allow } => {
                format!("ceph config set mon mon_allow_pool_delete {allow}")
            }
            UserAction::Drop { message } => format!("message #{message} is lost"),
            UserAction::Write { pg, object } => format!("client.0 writes {object} in pg {pg}"),
            UserAction::Delete { pg, object } => format!("client.0 deletes {object} in pg {pg}"),
            UserAction::MarkUnfoundLost { pg, mode } => format!(
                "ceph pg {pg} mark_unfound_lost {}",
                match mode {
                    LostModeText::Revert => "revert",
                    LostModeText::Delete => "delete",
                }
            ),
            UserAction::ForceRecovery { pg } => format!("ceph pg force-recovery {pg}"),
            UserAction::ForceBackfill { pg } => format!("ceph pg force-backfill {pg}"),
            UserAction::CancelForceRecovery { pg } => format!("ceph pg cancel-force-recovery {pg}"),
            UserAction::CancelForceBackfill { pg } => format!("ceph pg cancel-force-backfill {pg}"),
        }
    }
}

/// `revert` or `delete`, as the command takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LostModeText {
    Revert,
    Delete,
}

/// PG ids in user actions are written as Ceph prints them: `"1.0"`, `"11.4"`.
mod pg_text {
    use crate::engine::osdmap::PgId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(pg: &PgId, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(pg)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PgId, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A client op as the client (Objecter) tracks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClientOpState {
    pub pg: PgId,
    pub op: ClientOp,
    /// The OSD it was last sent to (-1: the PG had no primary).
    pub target: OsdId,
    /// The reply's result once acknowledged.
    pub result: Option<i32>,
}

/// A write the client got an acknowledgement for: it must survive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AckedWrite {
    pub pg: PgId,
    pub object: String,
    pub version: Eversion,
    pub deleted: bool,
}

/// A PG instance on an OSD: its machine and the data it reacts over.
#[derive(Clone, Debug)]
pub struct PgInstance {
    pub machine: Machine,
    pub state: PeeringState,
}

/// One OSD daemon and what it stores.
#[derive(Clone, Debug)]
pub struct OsdNode {
    pub running: bool,
    /// The up_thru this OSD asked the monitor for (`up_thru_wanted`).
    pub up_thru_wanted: Epoch,
    /// The up_from of this daemon instance once the map marks it up (`Epoch::MAX` until
    /// then; 0 for the first instance). I/O is only served by PGs that peered since
    /// (a restarted OSD loads its PGs from disk and peers again before serving; messages
    /// addressed to the old instance never reach the new one).
    pub instance_up_from: Epoch,
    /// The newest map epoch when this instance started.
    pub started_at: Epoch,
    /// Peer messages sent in an epoch this OSD has no map for yet: they wait for the map
    /// (Ceph's OSD queues such peering events until it has caught up).
    pub waiting_for_map: Vec<(Endpoint, Msg)>,
    /// The newest map epoch this OSD has processed (its PGs may lag: see
    /// [`QueuedAdvance`]).
    pub epoch: Epoch,
    /// This OSD's PGs with a map advance queued, and its id in `World::advances`.
    pub advance_queued: BTreeMap<PgId, u64>,
    /// Shared between clones of the world until one of them changes the PG (`Rc::make_mut`):
    /// a history snapshot copies a pointer per PG, not every PG's log and object store.
    pub pgs: BTreeMap<PgId, Rc<PgInstance>>,
    /// `OSDService::local_reserver` and `remote_reserver`.
    pub local_reserver: AsyncReserver,
    pub remote_reserver: AsyncReserver,
    /// `OSDService::awaiting_throttle`: primary PGs whose recovery turn found this OSD's
    /// `osd_recovery_max_active` budget used up; queued again as ops finish.
    pub awaiting_throttle: Vec<PgId>,
    /// How many times this daemon was started (0 for the first): stands for the
    /// addresses a new instance binds, which the map records at boot.
    pub incarnation: u64,
}

/// What one PG machine did during a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PgSteps {
    pub osd: OsdId,
    pub pg: PgId,
    /// The map epoch the PG had processed when it reacted (the `pg_epoch` of Ceph's log).
    pub epoch: Epoch,
    pub micro: Vec<Micro>,
    pub from: &'static str,
    pub to: &'static str,
}

/// What an OSD holds (`World::osd_usage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OsdUsage {
    /// PG copies on the OSD (any state, strays and copies being deleted included).
    pub pgs: usize,
    pub objects: u64,
    /// The capacity in objects, when the cluster sets one.
    pub capacity_objects: Option<u64>,
    /// At or over `mon_osd_nearfull_ratio` / `mon_osd_backfillfull_ratio` /
    /// `mon_osd_full_ratio`.
    pub nearfull: bool,
    pub backfillfull: bool,
    pub full: bool,
}

/// Everything one step did, and why, in one sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorldStep {
    pub step: u64,
    pub at_ms: TimeMs,
    pub event: String,
    pub pgs: Vec<PgSteps>,
    pub sent: Vec<String>,
    pub epochs: Vec<String>,
    pub explanation: String,
}

/// Something that can happen next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PendingId {
    Message(u64),
    Timer(u64),
    /// A PG's queued map advance ([`QueuedAdvance`]).
    Advance(u64),
}

/// A PG's turn to catch up with its OSD's newest map: the NullEvt `OSD::consume_map`
/// queues for every PG the OSD holds or the new epochs map to it (`enqueue_peering_evt`),
/// which `OSD::dequeue_peering_evt` runs through `PG::advance_pg` (AdvMap for each epoch,
/// then ActMap). Each PG advances in a step of its own, as each is its own work item in
/// Ceph's sharded op queue; an event that reaches the PG first advances it first (it was
/// queued behind the NullEvt), and the NullEvt, with nothing left to do, is dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueuedAdvance {
    pub osd: OsdId,
    #[serde(with = "pg_text")]
    pub pg: PgId,
    /// When the map that queued it was consumed.
    pub at: TimeMs,
    /// The OSD's epoch before that map: a PG this OSD does not hold yet is created at the
    /// first later epoch that maps it here.
    pub since: Epoch,
}

#[derive(Clone, Debug, Serialize)]
pub struct Pending {
    pub id: PendingId,
    pub at_ms: TimeMs,
    pub what: String,
}

#[derive(Clone, Debug)]
pub struct World {
    pub now: TimeMs,
    /// Every published map; `maps[e - first_epoch]` is epoch e.
    pub maps: Vec<Rc<OsdMap>>,
    /// Every epoch's PG mappings, parallel to `maps`.
    pub mappings: Vec<Rc<MappingTable>>,
    /// Every epoch's OSD table as the PGs' map views share it, parallel to `maps`.
    pub osd_views: Vec<Rc<BTreeMap<OsdId, OsdView>>>,
    /// The PG map advances queued on the OSDs, by id (ids grow with time, so this is
    /// also their order).
    pub advances: BTreeMap<u64, QueuedAdvance>,
    pub osds: BTreeMap<OsdId, OsdNode>,
    pub net: Network<Msg>,
    pub timers: Vec<Timer>,
    /// OSDs the monitor marked out by itself (they come back in when they boot).
    pub auto_out: BTreeSet<OsdId>,
    /// The instance (incarnation) the map marked up for each OSD: its addresses in the
    /// OSDMap, which tell a duplicate MOSDBoot from a restarted daemon's.
    pub mon_instances: BTreeMap<OsdId, u64>,
    /// Every client op by id, acknowledged or not.
    pub client_ops: BTreeMap<u64, ClientOpState>,
    /// Every acknowledged write, in acknowledgement order.
    pub acked: Vec<AckedWrite>,
    /// The epoch of `maps[0]`.
    pub first_epoch: Epoch,
    pub prime_style: PrimeStyle,
    /// Each OSD's capacity in objects (ClusterSpec::osd_capacity_objects).
    pub osd_capacity_objects: Option<u64>,
    pub osd_max_pg_log_entries: Option<usize>,
    pub osd_backfill_scan_max: Option<usize>,
    pub osd_async_recovery_min_cost: Option<u64>,
    /// The monitor's `mon_allow_pool_delete` (ClusterSpec, then `ceph config set`).
    pub mon_allow_pool_delete: bool,
    /// The monitor's `pending_inc`: accepted changes waiting for the next proposal.
    pub pending_inc: Incremental,
    /// When the monitor last committed (published) an epoch (`last_commit_time`).
    pub last_commit_ms: TimeMs,
    /// None: no batching, each change is its own epoch (ClusterSpec::paxos).
    pub paxos: Option<PaxosSpec>,
    next_timer: u64,
    next_advance: u64,
    steps: u64,
}

/// What a step produced, collected while it runs.
#[derive(Default)]
struct StepLog {
    /// What the monitor queued in its pending Incremental this step.
    queued: Vec<String>,
    pgs: Vec<PgSteps>,
    sent: Vec<String>,
    epochs: Vec<String>,
    /// The PG map advances an OSD queued this step (`osd.3 queues 4 PGs …`).
    advances: Vec<String>,
    /// Plain words on what a PG's reaction did that its move does not say (a stray's
    /// copy deleted a batch at a time).
    notes: Vec<String>,
}

impl World {
    /// A cluster at epoch 1 with every OSD up; each OSD is sent map 1, which creates its PGs.
    pub fn new(spec: &ClusterSpec) -> Result<World, String> {
        spec.validate()?;
        let map = spec.initial_map();
        let mon_instances = map.osds.keys().map(|&o| (o, 0u64)).collect();
        let osds = map
            .osds
            .keys()
            .map(|&o| {
                (
                    o,
                    OsdNode {
                        running: true,
                        up_thru_wanted: 0,
                        instance_up_from: 0,
                        started_at: 0,
                        waiting_for_map: Vec::new(),
                        epoch: 0,
                        advance_queued: BTreeMap::new(),
                        pgs: BTreeMap::new(),
                        local_reserver: AsyncReserver::default(),
                        remote_reserver: AsyncReserver::default(),
                        awaiting_throttle: Vec::new(),
                        incarnation: 0,
                    },
                )
            })
            .collect();
        let mut world = World {
            now: 0,
            mappings: vec![Rc::new(MappingTable::compute(&map))],
            osd_views: vec![EpochMap::osd_views(&map)],
            advances: BTreeMap::new(),
            maps: vec![Rc::new(map)],
            osds,
            net: Network::new(NET_LATENCY_MS),
            timers: Vec::new(),
            auto_out: BTreeSet::new(),
            mon_instances,
            client_ops: BTreeMap::new(),
            acked: Vec::new(),
            first_epoch: spec.first_epoch,
            prime_style: spec.mon_prime_pg_temp,
            osd_capacity_objects: spec.osd_capacity_objects,
            osd_max_pg_log_entries: spec.osd_max_pg_log_entries,
            osd_backfill_scan_max: spec.osd_backfill_scan_max,
            osd_async_recovery_min_cost: spec.osd_async_recovery_min_cost,
            mon_allow_pool_delete: spec.mon_allow_pool_delete,
            pending_inc: Incremental::default(),
            last_commit_ms: 0,
            paxos: spec.paxos,
            next_timer: 1,
            next_advance: 1,
            steps: 0,
        };
        let mut log = StepLog::default();
        world.broadcast_map(&mut log);
        Ok(world)
    }

    pub fn map(&self) -> &OsdMap {
        self.maps.last().expect("the world always has epoch 1")
    }

    pub fn map_at(&self, epoch: Epoch) -> Option<&OsdMap> {
        self.maps
            .get(epoch.checked_sub(self.first_epoch)? as usize)
            .map(|m| &**m)
    }

    /// Everything that can happen next, earliest first.
    pub fn pending(&self) -> Vec<Pending> {
        let mut out: Vec<Pending> = self
            .net
            .deliverable()
            .into_iter()
            .map(|e| Pending {
                id: PendingId::Message(e.id),
                at_ms: e.deliver_at,
                what: describe_envelope(e),
            })
            .chain(self.timers.iter().map(|t| Pending {
                id: PendingId::Timer(t.id),
                at_ms: t.at,
                what: timer_text(&t.kind),
            }))
            .chain(self.advances.iter().map(|(&id, a)| Pending {
                id: PendingId::Advance(id),
                at_ms: a.at,
                what: self.advance_text(a),
            }))
            .collect();
        out.sort_by_key(|p| (p.at_ms, p.id));
        out
    }

    /// The earliest pending event (what `pending()[0]` is), without describing every
    /// pending event: thousands are in flight after a failure in a large cluster.
    pub fn next_pending(&self) -> Option<Pending> {
        let (at_ms, id) = self.next_due()?;
        let what = match id {
            PendingId::Message(m) => self.net.get(m).map(describe_envelope),
            PendingId::Timer(t) => self
                .timers
                .iter()
                .find(|x| x.id == t)
                .map(|x| timer_text(&x.kind)),
            PendingId::Advance(a) => self.advances.get(&a).map(|a| self.advance_text(a)),
        }
        .unwrap_or_default();
        Some(Pending { id, at_ms, what })
    }

    /// When the earliest pending event is due, and its id: `next_pending` without the
    /// description (stepping does not need it; the step describes what it delivers).
    pub fn next_due(&self) -> Option<(TimeMs, PendingId)> {
        let message = self
            .net
            .next_due()
            .map(|e| (e.deliver_at, PendingId::Message(e.id)));
        let timer = self
            .timers
            .iter()
            .map(|t| (t.at, PendingId::Timer(t.id)))
            .min();
        let advance = self
            .advances
            .iter()
            .next()
            .map(|(&id, a)| (a.at, PendingId::Advance(id)));
        message.into_iter().chain(timer).chain(advance).min()
    }

    /// `osd.3 pg 11.4 advances to e2225`: a queued advance as the pending list and the
    /// step records name it.
    fn advance_text(&self, a: &QueuedAdvance) -> String {
        let to = self.osds.get(&a.osd).map_or(0, |n| n.epoch);
        format!("osd.{} pg {} advances to map e{to}", a.osd, a.pg)
    }

    /// Deliver the next event in time order. None when nothing is pending.
    pub fn step(&mut self) -> Option<WorldStep> {
        let (_, id) = self.next_due()?;
        self.deliver(id).ok()
    }

    /// Deliver a chosen event (per-connection FIFO is kept: a message cannot overtake an
    /// older one on its connection).
    pub fn deliver(&mut self, id: PendingId) -> Result<WorldStep, String> {
        let mut log = StepLog::default();
        let event = match id {
            PendingId::Message(m) => {
                let env = self.net.take(m).map_err(|e| e.to_string())?;
                self.now = self.now.max(env.deliver_at);
                let text = describe_envelope(&env);
                self.receive(env.from, env.to, env.msg, &mut log);
                text
            }
            PendingId::Timer(t) => {
                let pos = self
                    .timers
                    .iter()
                    .position(|x| x.id == t)
                    .ok_or_else(|| format!("timer #{t} is not pending"))?;
                let timer = self.timers.remove(pos);
                self.now = self.now.max(timer.at);
                let text = timer_text(&timer.kind);
                self.fire(timer.kind, &mut log);
                text
            }
            PendingId::Advance(a) => {
                let advance = self
                    .advances
                    .get(&a)
                    .ok_or_else(|| format!("map advance #{a} is not pending"))?;
                self.now = self.now.max(advance.at);
                let text = self.advance_text(advance);
                let (osd, pg) = (advance.osd, advance.pg);
                self.advance_pg(osd, pg, &mut log);
                text
            }
        };
        Ok(self.finish(event, log))
    }

    /// A user action, applied now.
    pub fn act(&mut self, action: UserAction) -> Result<WorldStep, String> {
        let mut log = StepLog::default();
        let text = self.apply_action(&action, &mut log)?;
        Ok(self.finish(text, log))
    }

    fn finish(&mut self, event: String, log: StepLog) -> WorldStep {
        self.steps += 1;
        let explanation = explain(&event, &log);
        WorldStep {
            step: self.steps,
            at_ms: self.now,
            event,
            pgs: log.pgs,
            sent: log.sent,
            epochs: log.epochs,
            explanation,
        }
    }

    /// A step in which nothing happens: a scenario's script action the world refused
    /// once the user's own choices had made it moot (`kill osd.0` of an OSD the user
    /// already killed). The run records it, with why, and goes on.
    pub fn nothing_done(&mut self, event: String, explanation: String) -> WorldStep {
        self.steps += 1;
        WorldStep {
            step: self.steps,
            at_ms: self.now,
            event,
            pgs: Vec::new(),
            sent: Vec::new(),
            epochs: Vec::new(),
            explanation,
        }
    }

    fn osd_exists(&self, osd: OsdId) -> Result<(), String> {
        if self.osds.contains_key(&osd) {
            Ok(())
        } else {
            Err(format!("osd.{osd} does not exist"))
        }
    }

    fn apply_action(&mut self, action: &UserAction, log: &mut StepLog) -> Result<String, String> {
        match *action {
            UserAction::Kill { osd } => {
                self.osd_exists(osd)?;
                let node = self.osds.get_mut(&osd).expect("checked");
                if !node.running {
                    return Err(format!("osd.{osd} is not running"));
                }
                node.running = false;
                for inst in node.pgs.values_mut() {
                    io::on_daemon_stop(&mut Rc::make_mut(inst).state);
                }
                // The reservers and queued peering events live in memory.
                node.local_reserver = AsyncReserver::default();
                node.remote_reserver = AsyncReserver::default();
                node.awaiting_throttle.clear();
                for id in std::mem::take(&mut node.advance_queued).into_values() {
                    self.advances.remove(&id);
                }
                self.timers.retain(|t| {
                    !matches!(t.kind, TimerKind::PgEvent { osd: o, .. } | TimerKind::Recovery { osd: o, .. } if o == osd)
                });
                self.net.reset_endpoint(Endpoint::Osd(osd));
                self.add_timer(OSD_HEARTBEAT_GRACE_MS, TimerKind::HeartbeatGrace { osd });
                Ok(format!("osd.{osd} stops (its daemon dies)"))
            }
            UserAction::Revive { osd } => {
                self.osd_exists(osd)?;
                let newest = self.map().epoch;
                let node = self.osds.get_mut(&osd).expect("checked");
                if node.running {
                    return Err(format!("osd.{osd} is already running"));
                }
                node.running = true;
                node.incarnation += 1;
                node.instance_up_from = Epoch::MAX;
                node.started_at = newest;
                self.timers.retain(|t| {
                    t.kind != TimerKind::HeartbeatGrace { osd }
                        && t.kind != TimerKind::ReportTimeout { osd }
                });
                self.rearm_heartbeats();
                let incarnation = self.osds[&osd].incarnation;
                self.send(
                    Endpoint::Osd(osd),
                    Endpoint::Mon,
                    Msg::Boot { incarnation },
                    log,
                );
                Ok(format!(
                    "osd.{osd} starts and asks the monitor to mark it up"
                ))
            }
            UserAction::MarkDown { osd } => {
                self.mon_change(|m, inc| monitor::cmd_down(m, inc, osd), log)?;
                self.add_timer(MON_OSD_DOWN_OUT_INTERVAL_MS, TimerKind::DownOut { osd });
                Ok(format!("ceph osd down {osd}"))
            }
            UserAction::Out { osd } => {
                self.mon_change(|m, inc| monitor::cmd_set_in(m, inc, osd, false), log)?;
                Ok(format!("ceph osd out {osd}"))
            }
            UserAction::In { osd } => {
                self.mon_change(|m, inc| monitor::cmd_set_in(m, inc, osd, true), log)?;
                self.auto_out.remove(&osd);
                Ok(format!("ceph osd in {osd}"))
            }
            UserAction::Lost { osd } => {
                self.mon_change(|m, inc| monitor::cmd_lost(m, inc, osd), log)?;
                Ok(format!("ceph osd lost {osd} --yes-i-really-mean-it"))
            }
            UserAction::AllowPoolDelete { allow } => {
                // A config option, not a map change: the monitor reads it when a
                // deletion comes (`_check_remove_pool`).
                self.mon_allow_pool_delete = allow;
                Ok(format!(
                    "ceph config set mon mon_allow_pool_delete {allow}: the monitor {} pool deletion",
                    if allow { "now allows" } else { "refuses" }
                ))
            }
            UserAction::DeletePool { ref pool } => {
                let mut id = 0;
                let allow = self.mon_allow_pool_delete;
                self.mon_change(
                    |m, inc| {
                        id = monitor::cmd_pool_delete(m, inc, pool, allow)?;
                        Ok(())
                    },
                    log,
                )?;
                Ok(format!(
                    "ceph osd pool delete {pool} {pool} --yes-i-really-really-mean-it \
                     (pool {id}): its PGs' copies will be removed"
                ))
            }
            UserAction::Drop { message } => {
                let replication = self.net.in_flight().iter().any(|e| {
                    e.id == message
                        && matches!(
                            e.msg,
                            Msg::RepOp { .. }
                                | Msg::RepOpReply { .. }
                                | Msg::Reserve { .. }
                                | Msg::Pull { .. }
                                | Msg::Push { .. }
                                | Msg::PushReply { .. }
                                | Msg::Scan { .. }
                                | Msg::Backfill { .. }
                                | Msg::BackfillRemove { .. }
                        )
                });
                if replication {
                    // Ceph's cluster messenger is lossless between OSDs (lossless_peer): a
                    // faulted session reconnects and resends; only a daemon restart loses
                    // what was in flight (Kill).
                    return Err(format!(
                        "message #{message} is replication or recovery between OSDs, on a \
                         lossless connection: it cannot be lost (kill an OSD instead)"
                    ));
                }
                let env = self.net.drop_message(message).map_err(|e| e.to_string())?;
                // A client session is lossy: on the reset the Objecter resends the op
                // (Objecter::ms_handle_reset); a dup is recognised by its reqid.
                let client_op = match &env.msg {
                    Msg::ClientOp { op, .. } => Some(op.id),
                    Msg::ClientReply { op, .. } => Some(*op),
                    _ => None,
                };
                if let Some(id) = client_op {
                    self.client_send(id, log);
                }
                // A lost message faults its connection. Toward the monitor the OSD
                // reconnects and re-sends what it still wants (OSD::ms_handle_connect).
                if let (Endpoint::Osd(osd), Endpoint::Mon) | (Endpoint::Mon, Endpoint::Osd(osd)) =
                    (env.from, env.to)
                {
                    self.add_timer(MON_RECONNECT_MS, TimerKind::MonReconnect { osd });
                }
                Ok(format!(
                    "{} {} → {} is lost",
                    env.msg.name(),
                    env.from,
                    env.to
                ))
            }
            UserAction::Write { pg, ref object } => self.client_submit(pg, object, false, log),
            UserAction::Delete { pg, ref object } => self.client_submit(pg, object, true, log),
            UserAction::MarkUnfoundLost { pg, mode } => self.mark_unfound_lost(pg, mode, log),
            UserAction::ForceRecovery { pg } => self.force_recovery(pg, false, false),
            UserAction::ForceBackfill { pg } => self.force_recovery(pg, true, false),
            UserAction::CancelForceRecovery { pg } => self.force_recovery(pg, false, true),
            UserAction::CancelForceBackfill { pg } => self.force_recovery(pg, true, true),
        }
    }

    /// `ceph pg [cancel-]force-recovery|force-backfill <pg>`: models the mgr's
    /// `DaemonServer` command, which skips a PG whose reported state makes the request
    /// pointless ("doesn't require recovery", not an error) and refuses one already
    /// forced (-EINVAL); otherwise MOSDForceRecovery goes to the primary, whose
    /// `OSD::handle_fast_force_recovery` queues SetForceRecovery / UnsetForceRecovery /
    /// SetForceBackfill / UnsetForceBackfill for the PG (a steppable pending event; the
    /// mgr → OSD message itself is not modelled).
    fn force_recovery(&mut self, pg: PgId, backfill: bool, cancel: bool) -> Result<String, String> {
        let (cmd, what, forced, wants, event) = match (backfill, cancel) {
            (false, false) => (
                "force-recovery",
                "recovery",
                PgState::FORCED_RECOVERY,
                PgState::DEGRADED | PgState::RECOVERY_WAIT | PgState::RECOVERING,
                PeeringEvent::SetForceRecovery,
            ),
            (true, false) => (
                "force-backfill",
                "backfilling",
                PgState::FORCED_BACKFILL,
                PgState::DEGRADED | PgState::BACKFILL_WAIT | PgState::BACKFILLING,
                PeeringEvent::SetForceBackfill,
            ),
            (false, true) => (
                "cancel-force-recovery",
                "recovery",
                PgState::FORCED_RECOVERY,
                0,
                PeeringEvent::UnsetForceRecovery,
            ),
            (true, true) => (
                "cancel-force-backfill",
                "backfill",
                PgState::FORCED_BACKFILL,
                0,
                PeeringEvent::UnsetForceBackfill,
            ),
        };
        let table = self.mappings.last().expect("the world always has epoch 1");
        let primary = table
            .by_pg
            .get(&pg)
            .map(|m| m.acting_primary)
            .ok_or_else(|| format!("pg {pg} does not exist"))?;
        let inst = self
            .osds
            .get(&primary)
            .filter(|n| n.running)
            .and_then(|n| n.pgs.get(&pg))
            .ok_or_else(|| format!("pg {pg} has no running primary"))?;
        let state = inst.state.state;
        let epoch = inst.state.epoch;
        let head = format!("ceph pg {cmd} {pg}");
        if cancel {
            if !state.has(forced) {
                let noun = if backfill { "backfill" } else { "recovery" };
                return Ok(format!("{head}: pg {pg} {noun} not forced; nothing to do"));
            }
        } else if state.0 & wants == 0 {
            return Ok(format!(
                "{head}: pg {pg} doesn't require {what}; nothing to do"
            ));
        } else if state.has(forced) {
            let noun = if backfill { "backfill" } else { "recovery" };
            return Err(format!("{head}: pg {pg} {noun} already forced"));
        }
        self.add_timer(
            0,
            TimerKind::PgEvent {
                osd: primary,
                pg,
                epoch,
                event: Box::new(event),
            },
        );
        Ok(format!(
            "{head}: instructing pg(s) [{pg}] on osd.{primary} to {cmd}"
        ))
    }

    /// `ceph pg <pg> mark_unfound_lost`: the command goes to the PG's acting primary,
    /// whose `peering::recovery::mark_unfound_lost` decides.
    fn mark_unfound_lost(
        &mut self,
        pg: PgId,
        mode: LostModeText,
        log: &mut StepLog,
    ) -> Result<String, String> {
        let table = self.mappings.last().expect("the world always has epoch 1");
        let primary = table
            .by_pg
            .get(&pg)
            .map(|m| m.acting_primary)
            .ok_or_else(|| format!("pg {pg} does not exist"))?;
        self.advance_pg(primary, pg, log);
        let inst = self
            .osds
            .get_mut(&primary)
            .filter(|n| n.running)
            .and_then(|n| n.pgs.get_mut(&pg).map(Rc::make_mut))
            .ok_or_else(|| format!("pg {pg} has no running primary"))?;
        let mode = match mode {
            LostModeText::Revert => recovery::LostMode::Revert,
            LostModeText::Delete => recovery::LostMode::Delete,
        };
        let (text, events) = recovery::mark_unfound_lost(&mut inst.state, mode)?;
        let epoch = inst.state.epoch;
        for event in events {
            self.add_timer(
                0,
                TimerKind::PgEvent {
                    osd: primary,
                    pg,
                    epoch,
                    event: Box::new(event),
                },
            );
        }
        self.drain_outbox(primary, pg, log);
        Ok(format!(
            "ceph pg {pg} mark_unfound_lost {}: {text}",
            match mode {
                recovery::LostMode::Revert => "revert",
                recovery::LostMode::Delete => "delete",
            }
        ))
    }

    /// What `osd` knows of fullness as PG `pg` sees it (None when capacity is not
    /// modelled): each OSD's usage is the objects its PG copies store; the backfill
    /// reservations of the OSD's other PGs are counted apart (the PG adds its own).
    fn fullness_for(&self, osd: OsdId, pg: PgId) -> Option<Rc<Fullness>> {
        let cap_objects = self.osd_capacity_objects?;
        let capacity = cap_objects * recovery::OBJECT_BYTES;
        let used_of = |n: &OsdNode| -> u64 {
            n.pgs
                .values()
                .map(|i| i.state.store.len() as u64)
                .sum::<u64>()
                * recovery::OBJECT_BYTES
        };
        let mut f = Fullness {
            capacity,
            backfillfull_pct: BACKFILLFULL_PCT,
            ..Fullness::default()
        };
        for (&o, n) in &self.osds {
            let used = used_of(n);
            if used * 100 >= capacity * FULL_PCT {
                f.full.insert(o);
            }
            if used * 100 >= capacity * BACKFILLFULL_PCT {
                f.backfillfull.insert(o);
            }
            if used * 100 >= capacity * NEARFULL_PCT {
                f.nearfull.insert(o);
            }
            if o == osd {
                f.used = used;
                f.reserved_by_others = n
                    .pgs
                    .iter()
                    .filter(|(p, _)| **p != pg)
                    .map(|(_, i)| i.state.reserved_bytes)
                    .sum();
            }
        }
        Some(Rc::new(f))
    }

    /// Process one event on one PG instance (if it exists and its daemon runs), record
    /// it and route its outbox.
    fn pg_process(&mut self, osd: OsdId, pg: PgId, event: PeeringEvent, log: &mut StepLog) {
        let fullness = self.fullness_for(osd, pg);
        let Some(node) = self.osds.get_mut(&osd).filter(|n| n.running) else {
            return;
        };
        let osd_epoch = node.epoch;
        let Some(inst) = node.pgs.get_mut(&pg).map(Rc::make_mut) else {
            return;
        };
        inst.state.fullness = fullness;
        debug_assert_eq!(
            inst.state.epoch, osd_epoch,
            "osd.{osd} pg {pg} takes an event before advancing to its OSD's map"
        );
        let def = definition();
        let before = inst.machine.path(def);
        let batch = matches!(event, PeeringEvent::DeleteSome).then(|| inst.state.store.len());
        // The unfound-object search runs in Active only (peering::unfound).
        let search = before.starts_with("Started/Primary/Active").then(|| {
            let log_from = match &event {
                PeeringEvent::MLogRec { from, .. } => Some(*from),
                _ => None,
            };
            (inst.state.peer_missing_requested.clone(), log_from)
        });
        let mut micro = Vec::new();
        inst.machine
            .process(def, &mut inst.state, event, &mut micro);
        if let Some(had) = batch.filter(|_| before == "Started/ToDelete/Deleting") {
            log.notes
                .push(deletion_note(osd, pg, had, &inst.state, &inst.machine));
        }
        if let Some((asked_before, log_from)) = search {
            log.notes
                .extend(discovery_note(pg, &asked_before, log_from, &inst.state));
        }
        log.pgs.push(PgSteps {
            osd,
            pg,
            epoch: inst.state.epoch,
            micro,
            from: before,
            // A machine that terminated in Deleting: the OSD is about to forget the PG.
            to: if inst.machine.is_terminated() {
                "(deleted)"
            } else {
                inst.machine.path(def)
            },
        });
        self.drain_outbox(osd, pg, log);
        self.remove_if_deleted(osd, pg);
        self.maybe_queue_recovery(osd);
    }

    /// Models the end of `PG::do_delete_work` (`set_delete_complete`,
    /// `OSD::try_finish_pg_delete`): a PG whose machine terminated in Deleting has no
    /// objects left, and the OSD forgets it. (Its local reservation went with Deleting's
    /// and ToDelete's exits, which terminate() ran.)
    fn remove_if_deleted(&mut self, osd: OsdId, pg: PgId) {
        let Some(node) = self.osds.get_mut(&osd) else {
            return;
        };
        if !node.pgs.get(&pg).is_some_and(|i| i.machine.is_terminated()) {
            return;
        }
        debug_assert!(
            node.pgs[&pg].state.store.is_empty(),
            "osd.{osd} pg {pg} terminated with objects left"
        );
        node.pgs.remove(&pg);
        debug_assert!(!node.local_reserver.has_reservation(pg));
    }

    /// `OSDService::recovery_ops_active`: the pulls and pushes in flight of the PGs
    /// this OSD is primary for (started by `start_recovery_op`, ended by
    /// `finish_recovery_op`).
    fn recovery_ops_active(&self, osd: OsdId) -> usize {
        self.osds.get(&osd).map_or(0, |n| {
            n.pgs
                .values()
                .map(|i| recovery::recovery_ops_active(&i.state))
                .sum()
        })
    }

    /// Models `OSDService::_maybe_queue_recovery`: while this OSD has recovery budget,
    /// the PGs waiting in awaiting_throttle get a recovery turn again, in order.
    fn maybe_queue_recovery(&mut self, osd: OsdId) {
        // Nobody waits (the common case): nothing to count. Counting walks the OSD's PGs
        // and the timers, which made every PG event cost more on a bigger cluster.
        if self
            .osds
            .get(&osd)
            .is_none_or(|n| n.awaiting_throttle.is_empty())
        {
            return;
        }
        // A turn already queued counts as reserved (`recovery_ops_reserved`).
        let reserved = self
            .timers
            .iter()
            .filter(|t| matches!(t.kind, TimerKind::Recovery { osd: o, .. } if o == osd))
            .count();
        let mut available = recovery::OSD_RECOVERY_MAX_ACTIVE
            .saturating_sub(self.recovery_ops_active(osd) + reserved);
        while available > 0 {
            let Some(node) = self.osds.get_mut(&osd) else {
                return;
            };
            if node.awaiting_throttle.is_empty() {
                return;
            }
            let pg = node.awaiting_throttle.remove(0);
            let Some(epoch) = node.pgs.get(&pg).map(|i| i.state.epoch) else {
                continue;
            };
            if !self.recovery_turn_queued(osd, pg) {
                self.add_timer(0, TimerKind::Recovery { osd, pg, epoch });
            }
            available -= 1;
        }
    }

    fn recovery_turn_queued(&self, osd: OsdId, pg: PgId) -> bool {
        self.timers.iter().any(
            |t| matches!(t.kind, TimerKind::Recovery { osd: o, pg: p, .. } if o == osd && p == pg),
        )
    }

    /// Grants and preemptions of a reserver become queued peering events.
    fn queue_fired(&mut self, osd: OsdId, fired: Vec<Fired>) {
        for f in fired {
            self.add_timer(
                0,
                TimerKind::PgEvent {
                    osd,
                    pg: f.pg,
                    epoch: f.epoch,
                    event: Box::new(f.event),
                },
            );
        }
    }

    /// Models the client's `Objecter::op_submit`: the op goes to the PG's acting primary in
    /// the newest map (`_calc_target`), tagged with that map's epoch.
    fn client_submit(
        &mut self,
        pg: PgId,
        object: &str,
        delete: bool,
        log: &mut StepLog,
    ) -> Result<String, String> {
        if !self.map().pgs().contains(&pg) {
            return Err(format!("pg {pg} does not exist"));
        }
        if object.is_empty() || object == "MIN" || object == "MAX" {
            return Err(format!("'{object}' is not an object name"));
        }
        let id = self.client_ops.len() as u64 + 1;
        let op = ClientOp {
            id,
            object: object.to_string(),
            delete,
        };
        self.client_ops.insert(
            id,
            ClientOpState {
                pg,
                op,
                target: -1,
                result: None,
            },
        );
        self.client_send(id, log);
        let verb = if delete { "deletes" } else { "writes" };
        Ok(format!("client.0 {verb} {object} in pg {pg} (op {id})"))
    }

    /// Send (or resend) an op to its PG's acting primary in the newest map.
    fn client_send(&mut self, id: u64, log: &mut StepLog) {
        let epoch = self.map().epoch;
        let table = self
            .mappings
            .last()
            .expect("the world always has epoch 1")
            .clone();
        let Some(state) = self.client_ops.get_mut(&id) else {
            return;
        };
        let primary = table.by_pg.get(&state.pg).map_or(-1, |m| m.acting_primary);
        state.target = primary;
        if primary < 0 {
            return;
        }
        let msg = Msg::ClientOp {
            pg: state.pg,
            epoch,
            op: state.op.clone(),
        };
        self.send(Endpoint::Client(0), Endpoint::Osd(primary), msg, log);
    }

    /// Models `Objecter::handle_osd_map` → `_scan_requests`: an unacknowledged op whose
    /// PG's acting primary moved is resent to the new primary; one whose pool the map no
    /// longer has completes with -ENOENT (`_calc_target` → RECALC_OP_TARGET_POOL_DNE,
    /// `_check_op_pool_dne`).
    fn client_resend(&mut self, log: &mut StepLog) {
        let pools = &self
            .maps
            .last()
            .expect("the world always has epoch 1")
            .pools;
        for (id, op) in &mut self.client_ops {
            if op.result.is_none() && !pools.contains_key(&op.pg.pool) {
                op.result = Some(io::ENOENT);
                log.notes.push(format!(
                    "client.0's op {id} ({} {}) fails with ENOENT: pool {} no longer exists",
                    if op.op.delete { "delete" } else { "write" },
                    op.op.object,
                    op.pg.pool
                ));
            }
        }
        let table = self
            .mappings
            .last()
            .expect("the world always has epoch 1")
            .clone();
        let moved: Vec<u64> = self
            .client_ops
            .iter()
            .filter(|(_, s)| s.result.is_none())
            .filter(|(_, s)| table.by_pg.get(&s.pg).map_or(-1, |m| m.acting_primary) != s.target)
            .map(|(&id, _)| id)
            .collect();
        for id in moved {
            self.client_send(id, log);
        }
    }

    /// Models `Objecter::handle_osd_op_reply`: only a reply from the OSD the op was last
    /// sent to counts (an older attempt's reply is ignored); a success is recorded.
    fn client_reply(&mut self, from: OsdId, id: u64, version: Eversion, result: i32) {
        let Some(state) = self.client_ops.get_mut(&id) else {
            return;
        };
        if state.result.is_some() || state.target != from {
            return;
        }
        state.result = Some(result);
        if result == 0 {
            self.acked.push(AckedWrite {
                pg: state.pg,
                object: state.op.object.clone(),
                version,
                deleted: state.op.delete,
            });
        }
    }

    /// A daemon that starts heartbeats its peers: every OSD the map still shows up but
    /// whose daemon is gone gets a heartbeat grace again (and will be reported).
    fn rearm_heartbeats(&mut self) {
        let dead_but_up: Vec<OsdId> = self
            .osds
            .iter()
            .filter(|(o, n)| !n.running && self.map().is_up(**o))
            .map(|(&o, _)| o)
            .collect();
        for osd in dead_but_up {
            let armed = self
                .timers
                .iter()
                .any(|t| t.kind == TimerKind::HeartbeatGrace { osd });
            if !armed {
                self.add_timer(OSD_HEARTBEAT_GRACE_MS, TimerKind::HeartbeatGrace { osd });
            }
        }
    }

    fn add_timer(&mut self, after: TimeMs, kind: TimerKind) {
        let id = self.next_timer;
        self.next_timer += 1;
        self.timers.push(Timer {
            id,
            at: self.now + after,
            kind,
        });
    }

    fn send(&mut self, from: Endpoint, to: Endpoint, msg: Msg, log: &mut StepLog) {
        log.sent.push(describe_msg(from, to, &msg));
        self.net.send(self.now, from, to, msg);
    }

    /// The monitor applies one change (a command) to its pending Incremental, checked
    /// against the committed map (OSDMonitor::prepare_command_impl), and proposes.
    fn mon_change(
        &mut self,
        change: impl FnOnce(&OsdMap, &mut Incremental) -> Result<(), String>,
        log: &mut StepLog,
    ) -> Result<(), String> {
        let mut inc = Incremental::default();
        change(self.map(), &mut inc)?;
        // A command proposes at once, with whatever else is pending (cephscope's
        // simplification: Ceph lets it wait for the proposal timer like any update; a
        // scripted command is meant to take effect when the script issues it).
        // (Without batching mon_queue has published already.)
        if self.mon_queue(inc, log) && self.paxos.is_some() {
            self.timers.retain(|t| t.kind != TimerKind::Propose);
            self.mon_propose(log);
        }
        Ok(())
    }

    /// Models OSDMonitor::prepare_* writing into `pending_inc` and PaxosService::dispatch
    /// then calling should_propose / propose_pending via `proposal_timer`: the change is
    /// merged into the pending Incremental (what it already holds is not queued again,
    /// as the prepare_* functions ignore an already-pending change) and the propose timer
    /// is armed if it is not. Returns whether anything new was queued.
    fn mon_queue(&mut self, inc: Incremental, log: &mut StepLog) -> bool {
        let added = self.pending_inc.merge(&inc);
        if added.is_empty() {
            return false;
        }
        log.queued.push(added.describe_changes());
        let Some(paxos) = self.paxos else {
            self.mon_propose(log);
            return true;
        };
        if !self.timers.iter().any(|t| t.kind == TimerKind::Propose) {
            let delay = self.propose_delay(paxos);
            self.add_timer(delay, TimerKind::Propose);
        }
        true
    }

    /// Models PaxosService::should_propose's delay: none while the map is at its first
    /// epoch (`last_committed <= 1`); `paxos_min_wait` when more than
    /// `paxos_propose_interval` passed since the last commit; otherwise the rest of the
    /// interval.
    fn propose_delay(&self, paxos: PaxosSpec) -> TimeMs {
        if self.map().epoch <= 1 {
            return 0;
        }
        let since = self.now.saturating_sub(self.last_commit_ms);
        if since > paxos.propose_interval_ms {
            paxos.min_wait_ms
        } else {
            paxos.propose_interval_ms - since
        }
    }

    /// Models PaxosService::propose_pending (the proposal timer fired): the pending
    /// Incremental becomes the next epoch.
    fn mon_propose(&mut self, log: &mut StepLog) {
        let inc = std::mem::take(&mut self.pending_inc);
        self.publish(inc, log);
    }

    /// Models OSDMonitor::encode_pending for what cephscope tracks: pg_temp priming
    /// (`maybe_prime_pg_temp`), `OSDMap::clean_temps`, then the new epoch.
    fn publish(&mut self, mut inc: Incremental, log: &mut StepLog) {
        if inc.is_empty() {
            return;
        }
        let current = self
            .mappings
            .last()
            .expect("the world always has a map")
            .clone();
        let map = self
            .maps
            .last()
            .expect("the world always has a map")
            .clone();
        // The mapping of the epoch before priming: priming and clean_temps only change
        // pg_temp, so the final table starts from it.
        let primed_from = monitor::apply(&map, &inc);
        let (tentative, remapped) = MappingTable::next(&map, &current, &primed_from);
        monitor::prime_pg_temp(
            &map,
            &current,
            &tentative,
            &remapped,
            &mut inc,
            self.prime_style,
        );
        monitor::clean_temps(&map, &tentative, &mut inc);
        let next = monitor::apply(&map, &inc);
        let (table, _) = MappingTable::next(&primed_from, &tentative, &next);
        debug_assert!(
            *table == MappingTable::compute(&next),
            "the incremental mapping of e{} differs from a full one",
            next.epoch
        );
        log.epochs.push(inc.describe(next.epoch));
        self.last_commit_ms = self.now;
        for &o in &inc.new_down {
            self.add_timer(MON_OSD_DOWN_OUT_INTERVAL_MS, TimerKind::DownOut { osd: o });
        }
        self.mappings.push(table);
        self.osd_views.push(EpochMap::osd_views(&next));
        self.maps.push(Rc::new(next));
        self.broadcast_map(log);
        self.client_resend(log);
    }

    /// The monitor sends the newest map to every running OSD (their subscriptions).
    fn broadcast_map(&mut self, log: &mut StepLog) {
        let epoch = self.map().epoch;
        let running: Vec<OsdId> = self
            .osds
            .iter()
            .filter(|(_, n)| n.running)
            .map(|(&o, _)| o)
            .collect();
        for o in running {
            self.send(Endpoint::Mon, Endpoint::Osd(o), Msg::OsdMap { epoch }, log);
        }
    }

    fn fire(&mut self, kind: TimerKind, log: &mut StepLog) {
        match kind {
            TimerKind::HeartbeatGrace { osd } => {
                if self.osds[&osd].running || !self.map().is_up(osd) {
                    return;
                }
                // The lowest-numbered running peer reports it (any heartbeat peer would).
                // With nobody left to notice, only the monitor's own timeout will.
                match self.osds.iter().find(|(_, n)| n.running).map(|(&o, _)| o) {
                    Some(reporter) => self.send(
                        Endpoint::Osd(reporter),
                        Endpoint::Mon,
                        Msg::Failure { target: osd },
                        log,
                    ),
                    None => self.add_timer(
                        MON_OSD_REPORT_TIMEOUT_MS - OSD_HEARTBEAT_GRACE_MS,
                        TimerKind::ReportTimeout { osd },
                    ),
                }
            }
            TimerKind::MonReconnect { osd } => self.mon_reconnect(osd, log),
            TimerKind::ReportTimeout { osd } => {
                // Models OSDMonitor::handle_osd_timeouts.
                if self.osds[&osd].running {
                    return;
                }
                let mut inc = Incremental::default();
                if monitor::cmd_down(self.map(), &mut inc, osd).is_ok() {
                    self.mon_queue(inc, log);
                }
            }
            TimerKind::Propose => self.mon_propose(log),
            TimerKind::PgEvent {
                osd,
                pg,
                epoch,
                event,
            } => {
                // OSD::dequeue_peering_evt: the PG advances to the OSD's map, then an
                // event from before its last reset is stale (pg_has_reset_since).
                self.advance_pg(osd, pg, log);
                let fresh = self
                    .osds
                    .get(&osd)
                    .and_then(|n| n.pgs.get(&pg))
                    .is_some_and(|i| epoch >= i.state.last_peering_reset);
                if fresh {
                    self.pg_process(osd, pg, *event, log);
                }
            }
            TimerKind::Recovery { osd, pg, epoch } => {
                // OSD::do_recovery → PrimaryLogPG::start_recovery_ops, with the pushes
                // OSDService::_recover_now leaves (osd_recovery_max_active minus this
                // OSD's recovery ops in flight); none left: the PG waits in
                // awaiting_throttle.
                self.advance_pg(osd, pg, log);
                let fullness = self.fullness_for(osd, pg);
                let available =
                    recovery::OSD_RECOVERY_MAX_ACTIVE.saturating_sub(self.recovery_ops_active(osd));
                let Some(node) = self.osds.get_mut(&osd).filter(|n| n.running) else {
                    return;
                };
                let Some(inst) = node.pgs.get_mut(&pg).map(Rc::make_mut) else {
                    return;
                };
                if epoch < inst.state.last_peering_reset {
                    return;
                }
                if available == 0 {
                    if recovery::wants_recovery_turn(&inst.state)
                        && !node.awaiting_throttle.contains(&pg)
                    {
                        node.awaiting_throttle.push(pg);
                    }
                    return;
                }
                inst.state.fullness = fullness;
                let events = recovery::start_recovery_ops(&mut inst.state, available);
                let epoch = inst.state.epoch;
                for event in events {
                    self.add_timer(
                        0,
                        TimerKind::PgEvent {
                            osd,
                            pg,
                            epoch,
                            event: Box::new(event),
                        },
                    );
                }
                self.drain_outbox(osd, pg, log);
                self.maybe_queue_recovery(osd);
            }
            TimerKind::DownOut { osd } => {
                let map = self.map();
                if map.is_up(osd) || !map.osds[&osd].is_in() || map.flags.contains(&Flag::Noout) {
                    return;
                }
                let mut inc = Incremental::default();
                if monitor::cmd_set_in(map, &mut inc, osd, false).is_ok() {
                    self.auto_out.insert(osd);
                    self.mon_queue(inc, log);
                }
            }
        }
    }

    /// Models OSD::ms_handle_connect for the monitor session: renew the map subscription
    /// (the monitor sends the newest map), boot again if not up or still booting (the map
    /// may show the previous instance up), re-send failure reports.
    fn mon_reconnect(&mut self, osd: OsdId, log: &mut StepLog) {
        if !self.osds[&osd].running {
            return;
        }
        let epoch = self.map().epoch;
        self.send(
            Endpoint::Mon,
            Endpoint::Osd(osd),
            Msg::OsdMap { epoch },
            log,
        );
        // A booting daemon re-sends MOSDBoot (`is_booting() → _send_boot`), also while
        // the map still shows its previous instance up.
        if !self.map().is_up(osd) || self.osds[&osd].instance_up_from == Epoch::MAX {
            let incarnation = self.osds[&osd].incarnation;
            self.send(
                Endpoint::Osd(osd),
                Endpoint::Mon,
                Msg::Boot { incarnation },
                log,
            );
        }
        let reportable: Vec<OsdId> = self
            .osds
            .iter()
            .filter(|(o, n)| {
                !n.running
                    && self.map().is_up(**o)
                    && !self
                        .timers
                        .iter()
                        .any(|t| t.kind == TimerKind::HeartbeatGrace { osd: **o })
            })
            .map(|(o, _)| *o)
            .collect();
        for target in reportable {
            self.send(
                Endpoint::Osd(osd),
                Endpoint::Mon,
                Msg::Failure { target },
                log,
            );
        }
    }

    fn receive(&mut self, from: Endpoint, to: Endpoint, msg: Msg, log: &mut StepLog) {
        match (to, msg) {
            (Endpoint::Mon, msg) => self.mon_receive(from, msg, log),
            (
                Endpoint::Client(_),
                Msg::ClientReply {
                    op,
                    version,
                    result,
                    ..
                },
            ) => {
                if let Endpoint::Osd(from) = from {
                    self.client_reply(from, op, version, result);
                }
            }
            (
                Endpoint::Osd(osd),
                msg @ (Msg::ClientOp { .. }
                | Msg::RepOp { .. }
                | Msg::RepOpReply { .. }
                | Msg::Pull { .. }
                | Msg::Push { .. }
                | Msg::PushReply { .. }
                | Msg::Scan { .. }
                | Msg::Backfill { .. }
                | Msg::BackfillRemove { .. }),
            ) => {
                self.osd_io_msg(osd, from, msg, log);
            }
            (Endpoint::Osd(osd), Msg::OsdMap { epoch }) => self.osd_consume_map(osd, epoch, log),
            (Endpoint::Osd(osd), msg) => {
                if let Endpoint::Osd(from) = from {
                    self.osd_peering_msg(osd, from, msg, log);
                }
            }
            _ => {}
        }
    }

    fn mon_receive(&mut self, from: Endpoint, msg: Msg, log: &mut StepLog) {
        let Endpoint::Osd(sender) = from else { return };
        let mut inc = Incremental::default();
        let map = self.map();
        let changed = match msg {
            Msg::Boot { incarnation } => {
                self.mon_boot(sender, incarnation, log);
                return;
            }
            Msg::Failure { target } => monitor::failure_reported(map, &mut inc, target).is_ok(),
            Msg::Alive { want, have } => monitor::alive(map, &mut inc, sender, want, have),
            Msg::PgTemp { pg, osds } => monitor::pg_temp(map, &mut inc, pg, osds).is_ok(),
            _ => false,
        };
        if changed {
            self.mon_queue(inc, log);
        }
    }

    /// Models OSDMonitor::preprocess_boot / prepare_boot. A daemon that restarted while
    /// the map still shows its old instance up is first marked down (one epoch), then up
    /// (the next); the booting OSD always gets the newest map (`_booted`, send_latest).
    fn mon_boot(&mut self, osd: OsdId, incarnation: u64, log: &mut StepLog) {
        // OSDMonitor::preprocess_boot: a boot from the instance the map already shows up
        // (same addresses) is a duplicate — a booting OSD re-sends MOSDBoot with each map
        // until it sees itself up — and is answered with the latest map (`_booted(op,
        // false)`); only a boot from a new instance marks the old one down first.
        if self.map().is_up(osd) && self.mon_instances.get(&osd) == Some(&incarnation) {
            let epoch = self.map().epoch;
            self.send(
                Endpoint::Mon,
                Endpoint::Osd(osd),
                Msg::OsdMap { epoch },
                log,
            );
            return;
        }
        // OSDMonitor::prepare_boot: the map shows the old instance up, so it is marked
        // down in pending_inc and the boot waits for that epoch (C_RetryMessage; here
        // the OSD, seeing itself down in it, sends MOSDBoot again).
        if self.map().is_up(osd) {
            let mut inc = Incremental::default();
            if monitor::cmd_down(self.map(), &mut inc, osd).is_ok() {
                self.mon_queue(inc, log);
            }
            return;
        }
        // "already pending boot": the proposal under way answers it.
        if self.pending_inc.new_up.contains(&osd) {
            return;
        }
        let mut inc = Incremental::default();
        let auto_out = self.auto_out.contains(&osd);
        match monitor::boot(self.map(), &mut inc, osd, auto_out) {
            Ok(()) => {
                self.auto_out.remove(&osd);
                self.mon_instances.insert(osd, incarnation);
                self.mon_queue(inc, log);
            }
            Err(_) => {
                let epoch = self.map().epoch;
                self.send(
                    Endpoint::Mon,
                    Endpoint::Osd(osd),
                    Msg::OsdMap { epoch },
                    log,
                );
            }
        }
    }

    /// Models OSD::handle_osd_map → consume_map: the OSD takes the new epochs, and every
    /// PG it holds or the new epochs map here gets a queued advance ([`QueuedAdvance`]):
    /// the PGs advance later, each in its own step (`advance_pg`). Messages that waited
    /// for these epochs are handled now.
    fn osd_consume_map(&mut self, osd: OsdId, epoch: Epoch, log: &mut StepLog) {
        let Some(node) = self.osds.get(&osd) else {
            return;
        };
        if !node.running || node.epoch >= epoch {
            return;
        }
        let since = node.epoch;
        // OSD::consume_map: a NullEvt for every PG this OSD holds, and for every PG the new
        // epochs map here (OSD::handle_pg_create_info makes those).
        let mut pgs: BTreeSet<PgId> = node.pgs.keys().copied().collect();
        for e in (since + 1).max(self.first_epoch)..=epoch {
            if let Some(table) = self.table_at(e) {
                pgs.extend(table.pgs_of(osd).iter().copied());
            }
        }
        let node = self.osds.get_mut(&osd).expect("checked");
        let mut queued = 0;
        for pg in pgs {
            if node.advance_queued.contains_key(&pg) {
                continue; // its NullEvt is still queued: it advances to the newest map
            }
            let id = self.next_advance;
            self.next_advance += 1;
            node.advance_queued.insert(pg, id);
            let advance = QueuedAdvance {
                osd,
                pg,
                at: self.now,
                since,
            };
            self.advances.insert(id, advance);
            queued += 1;
        }
        if queued > 0 {
            let s = if queued == 1 { "" } else { "s" };
            log.advances.push(format!(
                "osd.{osd} queues {queued} PG{s} to advance to e{epoch}"
            ));
        }
        node.epoch = epoch;
        // OSD::_committed_osd_maps: a booting instance is active once a map shows it up
        // from an epoch after it started (`bind_epoch < up_from`).
        if let Some(e) = epoch
            .checked_sub(self.first_epoch)
            .and_then(|i| self.maps.get(i as usize))
            .and_then(|m| m.osds.get(&osd))
        {
            if e.up && e.up_from > node.started_at && node.instance_up_from == Epoch::MAX {
                node.instance_up_from = e.up_from;
            }
        }
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut node.waiting_for_map)
            .into_iter()
            .partition(|(_, m)| msg_epoch(m) <= epoch);
        node.waiting_for_map = waiting;
        for (from, msg) in ready {
            self.receive(from, Endpoint::Osd(osd), msg, log);
        }
        // An OSD that finds itself marked down while running boots again ("wrongly marked
        // me down"), unless `noup` is set: then it waits (OSD::_preboot).
        if !self.map().is_up(osd) && !self.map().flags.contains(&Flag::Noup) {
            let incarnation = self.osds[&osd].incarnation;
            self.send(
                Endpoint::Osd(osd),
                Endpoint::Mon,
                Msg::Boot { incarnation },
                log,
            );
        }
    }

    /// The mapping table of epoch `e`, if published.
    fn table_at(&self, e: Epoch) -> Option<&Rc<MappingTable>> {
        self.mappings.get(e.checked_sub(self.first_epoch)? as usize)
    }

    /// Models `PG::advance_pg` (run by `OSD::dequeue_peering_evt` before any peering
    /// event, and for the NullEvt `OSD::consume_map` queued): the PG takes AdvMap for
    /// every epoch from its own to its OSD's (`PeeringState::advance_map`), then ActMap
    /// (`activate_map`). A PG this OSD does not hold yet is created at the first of those
    /// epochs that maps it here. Does nothing for a PG already at its OSD's epoch; either
    /// way the PG's queued advance, if any, is done.
    fn advance_pg(&mut self, osd: OsdId, pg: PgId, log: &mut StepLog) {
        let Some(node) = self.osds.get_mut(&osd) else {
            return;
        };
        let since = match node.advance_queued.remove(&pg) {
            Some(id) => self.advances.remove(&id).map(|a| a.since),
            None => None,
        };
        let target = node.epoch;
        let from_epoch = match node.pgs.get(&pg) {
            Some(inst) => inst.state.epoch,
            None => match since {
                Some(since) => since,
                None => return, // not held here, and no map brought it
            },
        };
        if !node.running || from_epoch >= target {
            return;
        }
        let def = definition();
        let mut micro = Vec::new();
        let mut from = None;
        // `pg_to_up_acting_osds` for a PG whose pool the map no longer has.
        let nowhere = Mapping {
            up: Vec::new(),
            up_primary: -1,
            acting: Vec::new(),
            acting_primary: -1,
        };
        for e in (from_epoch + 1).max(self.first_epoch)..=target {
            let i = (e - self.first_epoch) as usize;
            let (Some(map), Some(table), Some(views)) = (
                self.maps.get(i),
                self.mappings.get(i),
                self.osd_views.get(i),
            ) else {
                break;
            };
            let node = self.osds.get_mut(&osd).expect("checked");
            let m = match table.by_pg.get(&pg) {
                Some(m) => m,
                // The pool is gone: `pg_to_up_acting_osds` maps the PG nowhere, which is
                // its final interval change (a PG not held here is not created).
                None if node.pgs.contains_key(&pg) && !map.pools.contains_key(&pg.pool) => &nowhere,
                None => continue,
            };
            if let std::collections::btree_map::Entry::Vacant(slot) = node.pgs.entry(pg) {
                if !m.up.contains(&osd) && !m.acting.contains(&osd) {
                    continue; // not mapped here in this epoch
                }
                let mut state = PeeringState::new(osd);
                state.pgid = pg;
                state.history = PgHistory::new(map.epoch);
                state.pg_log_entries = self.osd_max_pg_log_entries;
                state.backfill_scan_max = self.osd_backfill_scan_max;
                state.async_recovery_min_cost = self.osd_async_recovery_min_cost;
                let mut machine = Machine::new();
                machine.initiate(def, &mut state, &mut micro);
                machine.process(def, &mut state, PeeringEvent::Initialize, &mut micro);
                from = Some("(new)");
                slot.insert(Rc::new(PgInstance { machine, state }));
            }
            let inst = Rc::make_mut(node.pgs.get_mut(&pg).expect("inserted above"));
            from.get_or_insert_with(|| inst.machine.path(def));
            // PeeringState::advance_map: the map reference moves before the event.
            inst.state.epoch = map.epoch;
            inst.state.lastmap = inst.state.osdmap.take();
            let view = EpochMap::from_parts(map, pg, m.clone(), views.clone());
            inst.state.osdmap = Some(Rc::new(view));
            inst.machine.process(
                def,
                &mut inst.state,
                PeeringEvent::AdvMap {
                    epoch: map.epoch,
                    up: m.up.clone(),
                    acting: m.acting.clone(),
                    up_primary: m.up_primary,
                    acting_primary: m.acting_primary,
                },
                &mut micro,
            );
        }
        let Some(from) = from else {
            return; // never mapped here: nothing was created
        };
        let node = self.osds.get_mut(&osd).expect("checked");
        let inst = Rc::make_mut(node.pgs.get_mut(&pg).expect("advanced above"));
        let search = inst
            .machine
            .path(def)
            .starts_with("Started/Primary/Active")
            .then(|| inst.state.peer_missing_requested.clone());
        inst.machine.process(
            def,
            &mut inst.state,
            PeeringEvent::ActMap { epoch: target },
            &mut micro,
        );
        if let Some(asked_before) = search {
            log.notes
                .extend(discovery_note(pg, &asked_before, None, &inst.state));
        }
        log.pgs.push(PgSteps {
            osd,
            pg,
            epoch: inst.state.epoch,
            micro,
            from,
            to: inst.machine.path(def),
        });
        self.drain_outbox(osd, pg, log);
    }

    /// Models OSD::ms_fast_dispatch → `PG::do_request` for client and replication ops: an
    /// op from a newer map waits for it (`require_same_or_newer_map`); the PG's
    /// `peering::io` handlers decide; the replies are routed.
    fn osd_io_msg(&mut self, osd: OsdId, from: Endpoint, msg: Msg, log: &mut StepLog) {
        let Some(node) = self.osds.get_mut(&osd) else {
            return;
        };
        if !node.running {
            return;
        }
        if msg_epoch(&msg) > node.epoch {
            node.waiting_for_map.push((from, msg));
            return;
        }
        if matches!(from, Endpoint::Osd(_)) && !addressed_to_instance(node, &msg) {
            return;
        }
        let pg = match &msg {
            Msg::ClientOp { pg, .. }
            | Msg::RepOp { pg, .. }
            | Msg::RepOpReply { pg, .. }
            | Msg::Pull { pg, .. }
            | Msg::Push { pg, .. }
            | Msg::PushReply { pg, .. }
            | Msg::Scan { pg, .. }
            | Msg::Backfill { pg, .. }
            | Msg::BackfillRemove { pg, .. } => *pg,
            _ => return,
        };
        let floor = node.instance_up_from;
        // The op was queued behind the PG's NullEvt, if it has one.
        self.advance_pg(osd, pg, log);
        // A backfill target checks its fullness when asked for a scan (do_scan's
        // check_backfill_full): with today's usage, not the last event's.
        let fullness = matches!(msg, Msg::Scan { .. })
            .then(|| self.fullness_for(osd, pg))
            .flatten();
        let Some(node) = self.osds.get_mut(&osd) else {
            return;
        };
        let Some(inst) = node.pgs.get_mut(&pg).map(Rc::make_mut) else {
            return; // no such PG here (yet): dropped, the client resends on a map change
        };
        if fullness.is_some() {
            inst.state.fullness = fullness;
        }
        if floor == Epoch::MAX || inst.state.last_peering_reset < floor {
            return; // this instance has not peered yet: the op was for the old one
        }
        let state = &mut inst.state;
        match (msg, from) {
            (Msg::ClientOp { op, .. }, _) => io::do_op(state, op),
            (
                Msg::RepOp {
                    epoch,
                    tid,
                    entry,
                    trim_to,
                    apply,
                    ..
                },
                Endpoint::Osd(f),
            ) => io::do_repop(state, f, epoch, tid, entry, trim_to, apply),
            (Msg::RepOpReply { tid, .. }, Endpoint::Osd(f)) => io::do_repop_reply(state, f, tid),
            // Recovery messages from before the PG's current interval are stale
            // (PG::can_discard_*).
            (Msg::Pull { epoch, .. }, _)
            | (Msg::Push { epoch, .. }, _)
            | (Msg::PushReply { epoch, .. }, _)
            | (Msg::BackfillRemove { epoch, .. }, _)
                if epoch < state.last_peering_reset => {}
            // MOSDPGScan / MOSDPGBackfill: `old_peering_msg(map_epoch, query_epoch)`.
            (
                Msg::Scan {
                    epoch, query_epoch, ..
                }
                | Msg::Backfill {
                    epoch, query_epoch, ..
                },
                _,
            ) if epoch < state.last_peering_reset || query_epoch < state.last_peering_reset => {}
            (Msg::Pull { object, .. }, Endpoint::Osd(f)) => recovery::handle_pull(state, f, object),
            (
                Msg::Push {
                    object,
                    version,
                    backfill,
                    ..
                },
                Endpoint::Osd(f),
            ) => recovery::handle_push(state, f, object, version, backfill),
            (Msg::PushReply { object, .. }, Endpoint::Osd(f)) => {
                recovery::handle_push_reply(state, f, object)
            }
            (
                Msg::Scan {
                    query_epoch,
                    op,
                    begin,
                    end,
                    objects,
                    ..
                },
                Endpoint::Osd(f),
            ) => recovery::handle_scan(state, f, query_epoch, op, begin, end, objects),
            (
                Msg::Backfill {
                    query_epoch,
                    op,
                    last_backfill,
                    ..
                },
                Endpoint::Osd(f),
            ) => recovery::handle_backfill(state, f, query_epoch, op, last_backfill),
            (Msg::BackfillRemove { objects, .. }, Endpoint::Osd(_)) => {
                recovery::handle_backfill_remove(state, objects)
            }
            _ => {}
        }
        self.drain_outbox(osd, pg, log);
        // A finished recovery op frees budget (OSDService::finish_recovery_op).
        self.maybe_queue_recovery(osd);
    }

    /// Models OSD::dequeue_peering_evt for a peer message: the PG gets the matching event
    /// unless the message predates its last peering reset (`pg_has_reset_since` of the
    /// epoch the message answers: stale). A message from a map this OSD lacks waits for
    /// it. A query for a PG this OSD lacks is answered with an empty notify
    /// (handle_pg_query_nopg).
    fn osd_peering_msg(&mut self, osd: OsdId, from: OsdId, msg: Msg, log: &mut StepLog) {
        let Some(node) = self.osds.get_mut(&osd) else {
            return;
        };
        if !node.running {
            return;
        }
        if msg_epoch(&msg) > node.epoch {
            node.waiting_for_map.push((Endpoint::Osd(from), msg));
            return;
        }
        if !addressed_to_instance(node, &msg) {
            return;
        }
        let (pg, epoch, event) = match msg {
            Msg::PgQuery { pg, epoch, kind } => (
                pg,
                epoch,
                PeeringEvent::MQuery {
                    from,
                    epoch,
                    kind: Some(kind),
                },
            ),
            Msg::PgNotify { pg, epoch, peer } => (
                pg,
                epoch,
                PeeringEvent::MNotifyRec {
                    from,
                    epoch,
                    peer: Some(peer),
                },
            ),
            Msg::PgInfo { pg, epoch, peer } => (
                pg,
                epoch,
                PeeringEvent::MInfoRec {
                    from,
                    epoch,
                    peer: Some(peer),
                },
            ),
            Msg::PgLog {
                pg,
                epoch,
                query_epoch,
                peer,
            } => (
                pg,
                query_epoch,
                PeeringEvent::MLogRec {
                    from,
                    epoch,
                    peer: Some(peer),
                },
            ),
            Msg::Reserve {
                pg,
                epoch,
                backfill,
                op,
                priority,
                primary_bytes,
                local_bytes,
            } => (
                pg,
                epoch,
                recovery::reserve_event(backfill, op, priority, primary_bytes, local_bytes),
            ),
            // OSD::handle_fast_pg_remove: a PGPeeringEvent(epoch, epoch, DeleteStart) for
            // the PG; old_peering_evt discards it if the PG has reset since.
            Msg::PgRemove { pg, epoch } => (pg, epoch, PeeringEvent::DeleteStart),
            _ => return,
        };
        // The message was queued behind the PG's NullEvt, if it has one.
        self.advance_pg(osd, pg, log);
        let node = self.osds.get_mut(&osd).expect("checked");
        let Some(inst) = node.pgs.get_mut(&pg).map(Rc::make_mut) else {
            if let PeeringEvent::MQuery { .. } = event {
                // OSD::handle_pg_query_nopg: an empty notify, sent in this OSD's epoch
                // for the query's epoch; the querier's `old_peering_msg` checks the
                // latter, which is the epoch this model's one-epoch message carries.
                let reply = Msg::PgNotify {
                    pg,
                    epoch,
                    peer: PeerState::default(),
                };
                self.send(Endpoint::Osd(osd), Endpoint::Osd(from), reply, log);
            }
            return;
        };
        if epoch < inst.state.last_peering_reset {
            if matches!(event, PeeringEvent::DeleteStart) {
                log.notes.push(format!(
                    "osd.{osd} ignores it: pg {pg} reset in e{} since (old_peering_evt), \
                     so it keeps its copy",
                    inst.state.last_peering_reset
                ));
            }
            return; // stale: sent before this PG's current interval began
        }
        if matches!(event, PeeringEvent::DeleteStart) {
            log.notes.push(format!(
                "pg {pg} is clean on its primary osd.{from}, which purges this stray copy"
            ));
        }
        self.pg_process(osd, pg, event, log);
    }

    /// Models the OSD dispatching a PG's PeeringCtx: peer messages, pg_temp wishes, and
    /// MOSDAlive when the PG needs up_thru (OSD::queue_want_up_thru).
    ///
    /// Peer messages follow `OSD::dispatch_context`: nothing is sent unless this OSD is up
    /// in its newest map and active (a booting daemon, or one marked down, drops its PGs'
    /// messages; they peer again once it is marked up), and nothing goes to a peer that
    /// map shows down.
    fn drain_outbox(&mut self, osd: OsdId, pg: PgId, log: &mut StepLog) {
        let Some(node) = self.osds.get(&osd) else {
            return;
        };
        let curmap = node
            .epoch
            .checked_sub(self.first_epoch)
            .and_then(|i| self.maps.get(i as usize))
            .cloned();
        let active =
            node.instance_up_from != Epoch::MAX && curmap.as_ref().is_some_and(|m| m.is_up(osd));
        let Some(node) = self.osds.get_mut(&osd) else {
            return;
        };
        let Some(inst) = node.pgs.get_mut(&pg).map(Rc::make_mut) else {
            return;
        };
        let outbox = std::mem::take(&mut inst.state.outbox);
        let want_up_thru = inst
            .state
            .need_up_thru
            .then_some(inst.state.history.same_interval_since);
        let have = node.epoch;
        let pg_epoch = inst.state.epoch;
        for out in outbox {
            // Calls on the OSD (PeeringListener): reservers, scheduled events, the
            // recovery queue.
            match out {
                Outgoing::Reserve {
                    which,
                    prio,
                    grant,
                    preempt,
                } => {
                    let node = self.osds.get_mut(&osd).expect("checked");
                    let r = Reservation {
                        pg,
                        prio,
                        epoch: pg_epoch,
                        grant: *grant,
                        preempt: preempt.map(|p| *p),
                    };
                    let fired = match which {
                        Which::Local => node.local_reserver.request_reservation(r),
                        Which::Remote => node.remote_reserver.request_reservation(r),
                    };
                    self.queue_fired(osd, fired);
                    continue;
                }
                Outgoing::CancelReservation { which } => {
                    let node = self.osds.get_mut(&osd).expect("checked");
                    let fired = match which {
                        Which::Local => node.local_reserver.cancel_reservation(pg),
                        Which::Remote => node.remote_reserver.cancel_reservation(pg),
                    };
                    self.queue_fired(osd, fired);
                    continue;
                }
                Outgoing::UpdateLocalPriority { prio } => {
                    let node = self.osds.get_mut(&osd).expect("checked");
                    let fired = node.local_reserver.update_priority(pg, prio);
                    self.queue_fired(osd, fired);
                    continue;
                }
                Outgoing::ScheduleEvent { after_ms, event } => {
                    self.add_timer(
                        after_ms,
                        TimerKind::PgEvent {
                            osd,
                            pg,
                            epoch: pg_epoch,
                            event,
                        },
                    );
                    continue;
                }
                Outgoing::QueueRecovery => {
                    // OSDService::queue_for_recovery: the PG joins awaiting_throttle (FIFO,
                    // so PGs sharing the OSD's budget take turns), then
                    // _maybe_queue_recovery gives turns while there is budget.
                    if !self.recovery_turn_queued(osd, pg) {
                        let node = self.osds.get_mut(&osd).expect("checked");
                        if !node.awaiting_throttle.contains(&pg) {
                            node.awaiting_throttle.push(pg);
                        }
                    }
                    self.maybe_queue_recovery(osd);
                    continue;
                }
                _ => {}
            }
            if let Outgoing::Query { to, .. }
            | Outgoing::Notify { to, .. }
            | Outgoing::Info { to, .. }
            | Outgoing::Log { to, .. }
            | Outgoing::ReserveMsg { to, .. }
            | Outgoing::Pull { to, .. }
            | Outgoing::Push { to, .. }
            | Outgoing::PushReply { to, .. }
            | Outgoing::Scan { to, .. }
            | Outgoing::Backfill { to, .. }
            | Outgoing::BackfillRemove { to, .. }
            | Outgoing::PgRemove { to, .. } = out
            {
                if !active || !curmap.as_ref().is_some_and(|m| m.is_up(to)) {
                    continue;
                }
            }
            let (to, msg) = match out {
                Outgoing::Query { to, epoch, kind } => {
                    (Endpoint::Osd(to), Msg::PgQuery { pg, epoch, kind })
                }
                Outgoing::Notify { to, epoch, peer } => {
                    (Endpoint::Osd(to), Msg::PgNotify { pg, epoch, peer })
                }
                Outgoing::Info { to, epoch, peer } => {
                    (Endpoint::Osd(to), Msg::PgInfo { pg, epoch, peer })
                }
                Outgoing::Log {
                    to,
                    epoch,
                    query_epoch,
                    peer,
                } => (
                    Endpoint::Osd(to),
                    Msg::PgLog {
                        pg,
                        epoch,
                        query_epoch,
                        peer,
                    },
                ),
                Outgoing::WantPgTemp { osds } => (Endpoint::Mon, Msg::PgTemp { pg, osds }),
                Outgoing::RepOp {
                    to,
                    epoch,
                    tid,
                    entry,
                    trim_to,
                    apply,
                } => (
                    Endpoint::Osd(to),
                    Msg::RepOp {
                        pg,
                        epoch,
                        tid,
                        entry,
                        trim_to,
                        apply,
                    },
                ),
                Outgoing::RepOpReply { to, epoch, tid } => {
                    (Endpoint::Osd(to), Msg::RepOpReply { pg, epoch, tid })
                }
                Outgoing::ReserveMsg {
                    to,
                    epoch,
                    backfill,
                    op,
                    priority,
                    primary_bytes,
                    local_bytes,
                } => (
                    Endpoint::Osd(to),
                    Msg::Reserve {
                        pg,
                        epoch,
                        backfill,
                        op,
                        priority,
                        primary_bytes,
                        local_bytes,
                    },
                ),
                Outgoing::Pull { to, epoch, object } => {
                    (Endpoint::Osd(to), Msg::Pull { pg, epoch, object })
                }
                Outgoing::Push {
                    to,
                    epoch,
                    object,
                    version,
                    backfill,
                } => (
                    Endpoint::Osd(to),
                    Msg::Push {
                        pg,
                        epoch,
                        object,
                        version,
                        backfill,
                    },
                ),
                Outgoing::PushReply { to, epoch, object } => {
                    (Endpoint::Osd(to), Msg::PushReply { pg, epoch, object })
                }
                Outgoing::Scan {
                    to,
                    epoch,
                    query_epoch,
                    op,
                    begin,
                    end,
                    objects,
                } => (
                    Endpoint::Osd(to),
                    Msg::Scan {
                        pg,
                        epoch,
                        query_epoch,
                        op,
                        begin,
                        end,
                        objects,
                    },
                ),
                Outgoing::Backfill {
                    to,
                    epoch,
                    query_epoch,
                    op,
                    last_backfill,
                } => (
                    Endpoint::Osd(to),
                    Msg::Backfill {
                        pg,
                        epoch,
                        query_epoch,
                        op,
                        last_backfill,
                    },
                ),
                Outgoing::PgRemove { to, epoch } => {
                    (Endpoint::Osd(to), Msg::PgRemove { pg, epoch })
                }
                Outgoing::BackfillRemove { to, epoch, objects } => (
                    Endpoint::Osd(to),
                    Msg::BackfillRemove { pg, epoch, objects },
                ),
                Outgoing::Reserve { .. }
                | Outgoing::CancelReservation { .. }
                | Outgoing::UpdateLocalPriority { .. }
                | Outgoing::ScheduleEvent { .. }
                | Outgoing::QueueRecovery => continue,
                Outgoing::ClientReply {
                    op,
                    version,
                    result,
                } => (
                    Endpoint::Client(0),
                    Msg::ClientReply {
                        pg,
                        op,
                        version,
                        result,
                    },
                ),
            };
            self.send(Endpoint::Osd(osd), to, msg, log);
        }
        if let Some(want) = want_up_thru {
            let recorded = self.map().up_thru_of(osd);
            let node = self.osds.get_mut(&osd).expect("checked");
            if want > node.up_thru_wanted && recorded < want {
                node.up_thru_wanted = want;
                self.send(
                    Endpoint::Osd(osd),
                    Endpoint::Mon,
                    Msg::Alive { want, have },
                    log,
                );
            }
        }
    }

    /// `ceph osd df`-like: the PG copies an OSD holds, their objects, and, when the
    /// cluster has a capacity (`osd_capacity_objects`), how full the OSD is against the
    /// backfillfull and full ratios (the same figures `fullness_for` gives the PGs).
    pub fn osd_usage(&self, osd: OsdId) -> Option<OsdUsage> {
        let node = self.osds.get(&osd)?;
        let objects: u64 = node.pgs.values().map(|i| i.state.store.len() as u64).sum();
        let capacity = self.osd_capacity_objects;
        let pct = capacity.map(|c| objects * 100 / c.max(1));
        Some(OsdUsage {
            pgs: node.pgs.len(),
            objects,
            capacity_objects: capacity,
            nearfull: pct.is_some_and(|p| p >= NEARFULL_PCT),
            backfillfull: pct.is_some_and(|p| p >= BACKFILLFULL_PCT),
            full: pct.is_some_and(|p| p >= FULL_PCT),
        })
    }

    /// `ceph pg dump`-like: every PG's state string as its acting primary reports it.
    pub fn pg_states(&self) -> BTreeMap<PgId, String> {
        let table = self.mappings.last().expect("the world always has epoch 1");
        table
            .by_pg
            .iter()
            .map(|(&pg, m)| {
                let primary = m.acting_primary;
                let state = self
                    .osds
                    .get(&primary)
                    .filter(|n| n.running)
                    .and_then(|n| n.pgs.get(&pg))
                    .map_or("stale".to_string(), |i| i.state.state.to_ceph_string());
                (pg, state)
            })
            .collect()
    }
}

/// What the primary's unfound-object search did in this step, if anything
/// (`peering::unfound`): the FULLLOG queries of `discover_all_missing`, or what
/// `search_for_missing` made of a peer's answer.
fn discovery_note(
    pg: PgId,
    asked_before: &BTreeSet<OsdId>,
    log_from: Option<OsdId>,
    state: &PeeringState,
) -> Option<String> {
    let asked: Vec<String> = state
        .peer_missing_requested
        .difference(asked_before)
        .map(|o| format!("osd.{o}"))
        .collect();
    if let [one] = asked.as_slice() {
        return Some(format!(
            "pg {pg} asks {one} for its whole log and missing set (discover_all_missing: \
             {one} might hold objects the PG misses)"
        ));
    }
    if !asked.is_empty() {
        return Some(format!(
            "pg {pg} asks {} for their whole logs and missing sets (discover_all_missing: \
             they might hold objects the PG misses)",
            asked.join(", ")
        ));
    }
    let from = log_from?;
    let told = state
        .outbox
        .iter()
        .any(|o| matches!(o, Outgoing::Info { to, .. } if *to == from));
    Some(if told {
        format!(
            "osd.{from} holds objects pg {pg} needs: a recovery source now \
             (search_for_missing), sent its own info back so that it activates"
        )
    } else {
        format!("osd.{from} holds none of the objects pg {pg} needs (search_for_missing)")
    })
}

/// What a DeleteSome in Deleting did to `osd`'s copy of `pg`, which held `had` objects.
fn deletion_note(
    osd: OsdId,
    pg: PgId,
    had: usize,
    state: &PeeringState,
    machine: &crate::engine::statechart::Machine,
) -> String {
    let left = state.store.len();
    if machine.is_terminated() {
        format!("osd.{osd} has removed its copy of pg {pg} (nothing left) and forgets the PG")
    } else {
        format!(
            "osd.{osd} deletes {} of pg {pg}'s objects ({left} left)",
            had - left
        )
    }
}

/// Whether a message from another OSD, sent in `msg_epoch`, reached this daemon instance.
/// The sender addressed it to the instance its map showed (OSDService::get_con_osd_cluster:
/// the cluster address of that epoch's map). A restarted daemon binds new addresses, so
/// a message sent before a map showed this instance up (`up_from`) went to the old
/// instance and is lost with it; a booting instance (not marked up yet) gets none.
fn addressed_to_instance(node: &OsdNode, msg: &Msg) -> bool {
    msg_epoch(msg) >= node.instance_up_from
}

/// The epoch a peer message was sent in.
fn msg_epoch(msg: &Msg) -> Epoch {
    match msg {
        Msg::PgQuery { epoch, .. }
        | Msg::PgNotify { epoch, .. }
        | Msg::PgInfo { epoch, .. }
        | Msg::PgLog { epoch, .. }
        | Msg::ClientOp { epoch, .. }
        | Msg::RepOp { epoch, .. }
        | Msg::RepOpReply { epoch, .. }
        | Msg::Reserve { epoch, .. }
        | Msg::Pull { epoch, .. }
        | Msg::Push { epoch, .. }
        | Msg::PushReply { epoch, .. }
        | Msg::Scan { epoch, .. }
        | Msg::Backfill { epoch, .. }
        | Msg::BackfillRemove { epoch, .. }
        | Msg::PgRemove { epoch, .. } => *epoch,
        _ => 0,
    }
}

/// A message in flight as the pending list and the step records print it
/// (`MOSDPGQuery osd.3 → osd.2 (11.4 Info e2226)`).
fn describe_envelope(e: &crate::engine::net::Envelope<Msg>) -> String {
    describe_msg(e.from, e.to, &e.msg)
}

/// `MOSDPGInfo osd.1 → osd.3 (11.4 e2224 …)`: a message as the trace names it.
fn describe_msg(from: Endpoint, to: Endpoint, msg: &Msg) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = write!(out, "{} {from} → {to}", msg.name());
    let _ = write_msg_detail(&mut out, msg);
    out
}

/// Appends a message's details (` (11.4 e2224 …)`) to `out`: written in place, as a step
/// formats one line per message sent and per event.
fn write_msg_detail(out: &mut String, msg: &Msg) -> std::fmt::Result {
    use std::fmt::Write;
    match msg {
        Msg::OsdMap { epoch } => write!(out, " (e{epoch})"),
        Msg::Failure { target } => write!(out, " (osd.{target} failed)"),
        Msg::Alive { want, have } => write!(out, " (want up_thru {want}, have e{have})"),
        Msg::PgTemp { pg, osds } => write!(out, " ({pg} {osds:?})"),
        Msg::Boot { .. } => Ok(()),
        Msg::PgQuery { pg, epoch, kind } => write!(out, " ({pg} {kind:?} e{epoch})"),
        Msg::PgNotify { pg, epoch, peer }
        | Msg::PgInfo { pg, epoch, peer }
        | Msg::PgLog {
            pg, epoch, peer, ..
        } => write!(
            out,
            " ({pg} e{epoch} last_update {} les {}{})",
            peer.info.last_update,
            peer.info.last_epoch_started,
            peer.log.as_ref().map_or(String::new(), |l| format!(
                ", log ({},{}] {} entries",
                l.tail,
                l.head,
                l.entries.len()
            ))
        ),
        Msg::ClientOp { pg, epoch, op } => write!(
            out,
            " ({pg} {} {} op {} e{epoch})",
            if op.delete { "delete" } else { "write" },
            op.object,
            op.id
        ),
        Msg::ClientReply {
            pg,
            op,
            version,
            result,
        } => write!(out, " ({pg} op {op} result {result} version {version})"),
        Msg::RepOp {
            pg,
            epoch,
            entry,
            apply,
            ..
        } => {
            let empty = if *apply { "" } else { ", empty transaction" };
            write!(out, " ({pg} {entry}{empty} e{epoch})")
        }
        Msg::RepOpReply { pg, epoch, tid } => write!(out, " ({pg} tid {tid} e{epoch})"),
        Msg::Reserve {
            pg,
            epoch,
            op,
            priority,
            ..
        } => {
            let prio = if *priority > 0 {
                format!(" prio {priority}")
            } else {
                String::new()
            };
            write!(out, " ({pg} {}{prio} e{epoch})", reserve_op_text(*op))
        }
        Msg::Pull { pg, epoch, object } => write!(out, " ({pg} {object} e{epoch})"),
        Msg::Push {
            pg,
            epoch,
            object,
            version,
            backfill,
        } => {
            let what = match version {
                Some(v) => format!("{object} {v}"),
                None => format!("{object} deleted"),
            };
            let bf = if *backfill { " backfill" } else { "" };
            write!(out, " ({pg} {what}{bf} e{epoch})")
        }
        Msg::PushReply { pg, epoch, object } => write!(out, " ({pg} {object} e{epoch})"),
        Msg::Scan {
            pg,
            epoch,
            op: ScanOp::GetDigest,
            begin,
            ..
        } => write!(out, " ({pg} get_digest: its objects from {begin} e{epoch})"),
        Msg::Scan {
            pg,
            epoch,
            op: ScanOp::Digest,
            begin,
            end,
            objects,
            ..
        } => write!(
            out,
            " ({pg} digest [{begin}, {end}): {} e{epoch})",
            objects_text(objects.iter())
        ),
        Msg::Backfill {
            pg,
            epoch,
            op,
            last_backfill,
            ..
        } => match op {
            BackfillOp::Progress => {
                write!(
                    out,
                    " ({pg} progress: last_backfill {last_backfill} e{epoch})"
                )
            }
            BackfillOp::Finish => write!(out, " ({pg} finish: last_backfill MAX e{epoch})"),
            BackfillOp::FinishAck => write!(out, " ({pg} finish_ack e{epoch})"),
        },
        Msg::BackfillRemove { pg, epoch, objects } => write!(
            out,
            " ({pg} remove {} e{epoch})",
            objects_text(objects.iter().map(|(o, v)| (o, v)))
        ),
        Msg::PgRemove { pg, epoch } => write!(out, " ({pg} e{epoch})"),
    }
}

/// A scan digest's or a removal's objects: `rbd_data.0 4'1, rbd_data.2 4'3` (the first
/// few, then how many more), `no objects` when empty.
fn objects_text<'a>(objects: impl ExactSizeIterator<Item = (&'a String, &'a Eversion)>) -> String {
    const SHOWN: usize = 4;
    let n = objects.len();
    if n == 0 {
        return "no objects".to_string();
    }
    let mut parts: Vec<String> = objects
        .take(SHOWN)
        .map(|(o, v)| format!("{o} {v}"))
        .collect();
    if n > SHOWN {
        parts.push(format!("and {} more", n - SHOWN));
    }
    parts.join(", ")
}

fn reserve_op_text(op: ReserveOp) -> &'static str {
    match op {
        ReserveOp::Request => "REQUEST",
        ReserveOp::Grant => "GRANT",
        ReserveOp::Release => "RELEASE",
        ReserveOp::RejectTooFull => "REJECT_TOOFULL",
        ReserveOp::Revoke => "REVOKE",
        ReserveOp::RevokeTooFull => "REVOKE_TOOFULL",
    }
}

fn timer_text(kind: &TimerKind) -> String {
    match kind {
        TimerKind::HeartbeatGrace { osd } => {
            format!("osd_heartbeat_grace expires for osd.{osd}")
        }
        TimerKind::DownOut { osd } => {
            format!("mon_osd_down_out_interval expires for osd.{osd}")
        }
        TimerKind::MonReconnect { osd } => format!("osd.{osd} reconnects to the monitor"),
        TimerKind::ReportTimeout { osd } => {
            format!("mon_osd_report_timeout expires for osd.{osd} (no beacon)")
        }
        TimerKind::PgEvent { osd, pg, event, .. } => {
            format!("osd.{osd} pg {pg} queued event {}", event.type_name())
        }
        TimerKind::Recovery { osd, pg, .. } => {
            format!("osd.{osd} recovery thread runs pg {pg} (start_recovery_ops)")
        }
        TimerKind::Propose => {
            "the monitor's proposal timer fires: it publishes its pending changes as the next epoch"
                .to_string()
        }
    }
}

/// One sentence: what happened, and what it caused.
fn explain(event: &str, log: &StepLog) -> String {
    let mut s = event.to_string();
    if log.epochs.is_empty() {
        for q in &log.queued {
            s.push_str(&format!("; the monitor queues {q} for the next epoch"));
        }
    }
    if !log.epochs.is_empty() {
        s.push_str(&format!(
            "; the monitor publishes {}",
            log.epochs.join(", ")
        ));
    }
    for a in &log.advances {
        s.push_str("; ");
        s.push_str(a);
    }
    let moved: Vec<String> = log
        .pgs
        .iter()
        .filter(|p| p.from != p.to)
        .map(|p| format!("pg {} on osd.{} {} → {}", p.pg, p.osd, p.from, p.to))
        .collect();
    for n in &log.notes {
        s.push_str("; ");
        s.push_str(n);
    }
    if !moved.is_empty() {
        let shown: Vec<&String> = moved.iter().take(3).collect();
        let more = moved.len().saturating_sub(3);
        s.push_str(&format!(
            "; {}{}",
            shown
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    s
}
