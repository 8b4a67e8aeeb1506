//! CephFS over RADOS: an [`MdsWorld`] beside a cluster [`World`] (the OSD / PG
//! simulator), so the MDS's metadata I/O needs the metadata pool's PGs. A daemon's
//! journal, tables and base inodes are named objects (`objects.rs`); each lives in the PG
//! the cluster's placement gives (`OsdMap::object_to_pg`). Writes (boot_create, journal
//! entries, cephfs-journal-tool) are real client writes of the cluster world
//! (`UserAction::Write`: the PG queues them until it is active, the OSDs replicate and
//! acknowledge them). Reads are answered from the acting primary's copy of the PG once
//! that PG is active and the object is not missing there, as `PrimaryLogPG::do_op` serves
//! them after `waiting_for_peered` / `waiting_for_active` / `wait_for_unfound_object` /
//! `wait_for_missing_object`; an absent object answers -ENOENT. An MDS whose reads wait
//! stays in its state (beacons still flow, so the monitor replaces nobody).
//!
//! Steps interleave deterministically: first any objecter work that can happen now (a
//! write to send, an op to answer), then the earliest of the script action, the cluster's
//! next event and the MDS world's next event, in that order on equal times.

use super::fsmap::FsMap;
use super::scenario::{ClientSpec, MdsScenario, ScriptStep as MdsScriptStep};
use super::state::DaemonState;
use super::world::{MdsAction, MdsStep, MdsWorld, RadosError};
use crate::engine::osdmap::{PgId, PoolId};
use crate::engine::pgstate::PgState;
use crate::engine::statechart::Micro;
use crate::engine::world::{ClusterSpec, PendingId, UserAction, World, WorldStep};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// `mds_op_complaint_time`: an op blocked this long is a slow metadata IO.
pub const MDS_OP_COMPLAINT_TIME_MS: u64 = 30_000;

/// An op whose PGs are active and that is simply on its way: not worth a line.
const IN_FLIGHT: &str = "in flight";

/// A script action: for the MDS world, for the cluster, or `status` (print the health).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CrossAction {
    Mds(MdsAction),
    Cluster(UserAction),
    /// `ceph health detail`, `ceph fs status`, `ceph mds stat` and the metadata pool's PGs
    /// into the trace.
    Status,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CrossStep {
    pub at_ms: u64,
    pub action: CrossAction,
}

#[derive(Clone, Debug, Serialize)]
pub struct CephfsScenario {
    pub name: String,
    pub narration: String,
    pub cluster: ClusterSpec,
    pub daemons: Vec<String>,
    pub clients: Vec<ClientSpec>,
    pub script: Vec<CrossStep>,
    pub end_ms: u64,
    pub max_steps: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    narration: String,
    cluster: ClusterSpec,
    daemons: Vec<String>,
    #[serde(default)]
    clients: Vec<ClientSpec>,
    script: Vec<serde_json::Value>,
    end_ms: u64,
    #[serde(default = "default_max_steps")]
    max_steps: usize,
}

fn default_max_steps() -> usize {
    50_000
}

/// Who an objecter op belongs to: `mds.b`, or `cephfs-journal-tool` (no daemon).
fn owner_name(owner: Option<&str>) -> String {
    owner.map_or("cephfs-journal-tool".into(), |n| format!("mds.{n}"))
}

/// The built-in cross-layer scenarios (src/engine/mds/scenarios/cephfs-*.json).
pub const BUILTIN_JSON: [&str; 2] = [
    include_str!("scenarios/cephfs-replay-stuck-on-down-pg.json"),
    include_str!("scenarios/cephfs-journal-lost-damaged-repaired.json"),
];

pub fn builtin() -> Vec<CephfsScenario> {
    BUILTIN_JSON
        .iter()
        .filter_map(|j| from_json(j).ok())
        .collect()
}

pub fn find(name: &str) -> Option<CephfsScenario> {
    builtin().into_iter().find(|s| s.name == name)
}

/// Whether a scenario file is a cross-layer one: it names both a cluster and daemons.
pub fn is_cephfs_json(v: &serde_json::Value) -> bool {
    v.get("cluster").is_some() && v.get("daemons").is_some()
}

/// Parse and check a scenario, naming what is wrong.
pub fn from_json(text: &str) -> Result<CephfsScenario, String> {
    let raw: RawScenario = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut script = Vec::new();
    for (i, v) in raw.script.iter().enumerate() {
        script.push(parse_step(i, v)?);
    }
    let s = CephfsScenario {
        name: raw.name,
        narration: raw.narration,
        cluster: raw.cluster,
        daemons: raw.daemons,
        clients: raw.clients,
        script,
        end_ms: raw.end_ms,
        max_steps: raw.max_steps,
    };
    s.validate()?;
    Ok(s)
}

fn parse_step(i: usize, v: &serde_json::Value) -> Result<CrossStep, String> {
    let mut obj = v
        .as_object()
        .cloned()
        .ok_or_else(|| format!("script[{i}]: not an object"))?;
    let at_ms = obj
        .remove("at_ms")
        .and_then(|t| t.as_u64())
        .ok_or_else(|| format!("script[{i}].at_ms: missing or not a number of ms"))?;
    let at = format!("script[{i}] (at {at_ms} ms)");
    let rest = serde_json::Value::Object(obj);
    if rest.get("action").and_then(|a| a.as_str()) == Some("status") {
        return Ok(CrossStep {
            at_ms,
            action: CrossAction::Status,
        });
    }
    let mds = serde_json::from_value::<MdsAction>(rest.clone());
    let cluster = serde_json::from_value::<UserAction>(rest);
    let action = match (mds, cluster) {
        (Ok(a), _) => CrossAction::Mds(a),
        (_, Ok(a)) => CrossAction::Cluster(a),
        (Err(m), Err(c)) => {
            return Err(format!(
                "{at}: not an MDS action ({m}) nor a cluster action ({c}) nor status"
            ))
        }
    };
    Ok(CrossStep { at_ms, action })
}

impl CephfsScenario {
    /// The MDS part as an MDS scenario (its checks apply).
    fn mds_part(&self) -> MdsScenario {
        MdsScenario {
            name: self.name.clone(),
            narration: self.narration.clone(),
            daemons: self.daemons.clone(),
            clients: self.clients.clone(),
            script: self
                .script
                .iter()
                .filter_map(|s| match &s.action {
                    CrossAction::Mds(a) => Some(MdsScriptStep {
                        at_ms: s.at_ms,
                        action: a.clone(),
                    }),
                    _ => None,
                })
                .collect(),
            end_ms: self.end_ms,
            max_steps: self.max_steps.min(1_000_000),
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        self.mds_part().validate()?;
        self.cluster
            .validate()
            .map_err(|e| format!("cluster: {e}"))?;
        let mut last = 0;
        for (i, s) in self.script.iter().enumerate() {
            if s.at_ms < last {
                return Err(format!(
                    "script[{i}] (at {} ms).at_ms: out of time order (after {last} ms)",
                    s.at_ms
                ));
            }
            last = s.at_ms;
            if let CrossAction::Mds(MdsAction::FsNew {
                metadata_pool,
                data_pool,
                ..
            }) = &s.action
            {
                for p in [metadata_pool, data_pool] {
                    if !self.cluster.pools.iter().any(|q| &q.name == p) {
                        return Err(format!(
                            "script[{i}] (at {} ms): no pool named '{p}' in cluster.pools",
                            s.at_ms
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Where a step came from.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CephfsOrigin {
    Script {
        index: usize,
    },
    /// The objecter sent an op's writes, or the OSDs answered it.
    Objecter {
        op: u64,
    },
    Cluster,
    Mds {
        id: u64,
    },
    /// A choice made in the browser: an action now, or a chosen delivery.
    User,
}

/// One choice of a CephFS-over-RADOS run (the browser's buttons, its share links): the
/// next step in time order, a user action now, or a chosen delivery (an MDS event, or a
/// cluster message or timer) before earlier ones.
#[derive(Clone, Debug, PartialEq)]
pub enum CephfsChoice {
    Next,
    Act(CrossAction),
    DeliverMds(u64),
    DeliverCluster(PendingId),
}

/// A RADOS op of the MDS (or of cephfs-journal-tool) as the objecter sees it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpView {
    pub id: u64,
    /// `mds.b`, or `cephfs-journal-tool`.
    pub who: String,
    pub what: String,
    pub write: bool,
    /// Each object with the PG it maps to.
    pub objects: Vec<(String, Option<PgId>)>,
    pub status: OpStatus,
    pub since_ms: u64,
}

/// Where an objecter op is (`CephfsRun::ops`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpStatus {
    /// A write the objecter has not sent yet (the next step sends it).
    NotSent,
    /// Sent to PGs that are active: on its way.
    InFlight,
    /// The next step completes it; `Some(object)` when a read answers ENOENT for it.
    Ready(Option<String>),
    /// Why it waits (`PG 1.3 is down, blocked by osd.5`).
    Waits(String),
}

impl OpStatus {
    pub fn text(&self) -> String {
        match self {
            OpStatus::NotSent => "not sent yet".into(),
            OpStatus::InFlight => "in flight".into(),
            OpStatus::Ready(None) => "ready: the next step completes it".into(),
            OpStatus::Ready(Some(o)) => format!("ready: {o} answers -2 (ENOENT)"),
            OpStatus::Waits(why) => format!("waits: {why}"),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CephfsRecord {
    pub origin: CephfsOrigin,
    pub at_ms: u64,
    pub sentence: String,
    /// Extra lines (objecter waits, status output).
    pub lines: Vec<String>,
    pub mds: Option<MdsStep>,
    pub cluster: Vec<WorldStep>,
    /// Each daemon's state line after the step.
    pub states: Vec<String>,
}

/// What one object read would get now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadState {
    Ready,
    Enoent,
    /// Why it waits (`PG 1.3 is down`).
    Blocked(String),
}

#[derive(Clone, Debug)]
pub struct CephfsRun {
    pub scenario: CephfsScenario,
    pub cluster: World,
    pub mds: MdsWorld,
    /// Shared, so that cloning a run (the web app's reducer does on every step) copies
    /// pointers, not every record.
    pub records: Vec<Rc<CephfsRecord>>,
    next_script: usize,
    /// RADOS op → the cluster client ops carrying its writes.
    submitted: BTreeMap<u64, Vec<u64>>,
    /// (op, why) already logged as waiting.
    noted: BTreeSet<(u64, String)>,
    /// Has the user chosen anything? Then a script action a world refuses is skipped
    /// (recorded with why), not an error of the scenario.
    user_chose: bool,
}

enum Next {
    Objecter(u64),
    Script(usize),
    Cluster,
    Mds(u64),
}

impl CephfsRun {
    pub fn new(scenario: CephfsScenario) -> Result<CephfsRun, String> {
        scenario.validate()?;
        let cluster = World::new(&scenario.cluster)?;
        let mut mds = MdsWorld::new();
        mds.rados = true;
        for c in &scenario.clients {
            mds.add_client(c.id, c.caps, c.unsafe_requests);
        }
        Ok(CephfsRun {
            scenario,
            cluster,
            mds,
            records: Vec::new(),
            next_script: 0,
            submitted: BTreeMap::new(),
            noted: BTreeSet::new(),
            user_chose: false,
        })
    }

    fn now(&self) -> u64 {
        self.cluster.now.max(self.mds.now)
    }

    fn set_now(&mut self, t: u64) {
        let t = t.max(self.now());
        self.cluster.now = t;
        self.mds.now = t;
    }

    fn pool_id(&self, name: &str) -> Option<PoolId> {
        self.cluster
            .map()
            .pools
            .iter()
            .find(|(_, p)| p.name == name)
            .map(|(id, _)| *id)
    }

    /// Whether a filesystem uses `pool` as its metadata or a data pool.
    fn pool_in_use(&self, pool: &str) -> bool {
        self.mds
            .fsmap()
            .filesystems
            .values()
            .any(|f| f.metadata_pool == pool || f.data_pools.iter().any(|d| d == pool))
    }

    /// The PG holding `object` of pool `pool` in the newest map.
    pub fn pg_of(&self, pool: &str, object: &str) -> Option<PgId> {
        self.cluster.map().object_to_pg(self.pool_id(pool)?, object)
    }

    /// What a read of `object` gets now from its PG's acting primary.
    pub fn read_state(&self, pool: &str, object: &str) -> ReadState {
        let Some(pg) = self.pg_of(pool, object) else {
            return ReadState::Blocked(format!("no pool {pool}"));
        };
        let table = self.cluster.mappings.last().expect("epoch 1 exists");
        let primary = table.by_pg.get(&pg).map_or(-1, |m| m.acting_primary);
        if primary < 0 {
            return ReadState::Blocked(format!("PG {pg} has no acting primary"));
        }
        let state = self
            .cluster
            .pg_states()
            .get(&pg)
            .cloned()
            .unwrap_or_default();
        let Some(node) = self.cluster.osds.get(&primary).filter(|n| n.running) else {
            return ReadState::Blocked(format!(
                "PG {pg}'s primary osd.{primary} is not running (stale)"
            ));
        };
        let Some(inst) = node.pgs.get(&pg) else {
            return ReadState::Blocked(format!("PG {pg} is not on osd.{primary} yet"));
        };
        let floor = node.instance_up_from;
        if floor == u32::MAX || inst.state.last_peering_reset < floor {
            return ReadState::Blocked(format!("PG {pg} on osd.{primary} has not peered"));
        }
        if !inst.state.state.has(PgState::ACTIVE) {
            let blocked: Vec<String> = inst
                .state
                .blocked_by
                .iter()
                .map(|o| format!("osd.{o}"))
                .collect();
            let by = if blocked.is_empty() {
                String::new()
            } else {
                format!(", blocked by {}", blocked.join(", "))
            };
            return ReadState::Blocked(format!("PG {pg} is {state}{by}"));
        }
        if inst.state.pg_log.missing.is_missing(object) {
            return ReadState::Blocked(if inst.state.unfound.contains(object) {
                format!("{object} is unfound in PG {pg} ({state})")
            } else {
                format!("{object} is missing on PG {pg}'s primary: waits for its recovery")
            });
        }
        if inst.state.store.contains_key(object) {
            ReadState::Ready
        } else {
            ReadState::Enoent
        }
    }

    /// An op's state now: Some(result) when it can complete, else the reason it waits.
    fn op_outcome(&self, id: u64) -> Result<Result<(), RadosError>, String> {
        let op = &self.mds.rados_ops[&id];
        if op.write {
            let Some(ids) = self.submitted.get(&id) else {
                return Err("not sent".into());
            };
            for (cid, obj) in ids.iter().zip(&op.objects) {
                match self.cluster.client_ops.get(cid).and_then(|c| c.result) {
                    Some(_) => {}
                    None => {
                        let pg = self
                            .pg_of(&op.pool, obj)
                            .map_or("?".into(), |p| p.to_string());
                        let st = self
                            .pg_of(&op.pool, obj)
                            .and_then(|p| self.cluster.pg_states().get(&p).cloned())
                            .unwrap_or_default();
                        if st.contains("active") {
                            return Err(IN_FLIGHT.into());
                        }
                        return Err(format!("the write of {obj} waits in PG {pg} ({st})"));
                    }
                }
            }
            return Ok(Ok(()));
        }
        for obj in &op.objects {
            match self.read_state(&op.pool, obj) {
                ReadState::Ready => {}
                ReadState::Enoent => return Ok(Err((obj.clone(), -2))),
                ReadState::Blocked(why) => return Err(why),
            }
        }
        Ok(Ok(()))
    }

    fn next(&self) -> Option<Next> {
        for id in self.mds.rados_ops.keys() {
            let op = &self.mds.rados_ops[id];
            if op.write && !self.submitted.contains_key(id) {
                return Some(Next::Objecter(*id));
            }
            if self.op_outcome(*id).is_ok() {
                return Some(Next::Objecter(*id));
            }
        }
        let end = self.scenario.end_ms;
        let script = self
            .scenario
            .script
            .get(self.next_script)
            .map(|s| (s.at_ms, 0u8));
        let cluster = self
            .cluster
            .next_pending()
            .map(|p| (p.at_ms, 1u8))
            .filter(|(t, _)| *t <= end);
        let mds = self
            .mds
            .next_due()
            .map(|(t, _)| (t, 2u8))
            .filter(|(t, _)| *t <= end);
        let best = [script, cluster, mds].into_iter().flatten().min()?;
        Some(match best.1 {
            0 => Next::Script(self.next_script),
            1 => Next::Cluster,
            _ => Next::Mds(self.mds.next_due().expect("checked").1),
        })
    }

    pub fn is_done(&self) -> bool {
        self.records.len() >= self.scenario.max_steps || self.next().is_none()
    }

    /// Take the next step. `Ok(None)` when done; an error when a script action is refused.
    pub fn step(&mut self) -> Result<Option<&CephfsRecord>, String> {
        if self.records.len() >= self.scenario.max_steps {
            return Ok(None);
        }
        let Some(next) = self.next() else {
            return Ok(None);
        };
        let mut rec = CephfsRecord {
            origin: CephfsOrigin::Cluster,
            at_ms: 0,
            sentence: String::new(),
            lines: Vec::new(),
            mds: None,
            cluster: Vec::new(),
            states: Vec::new(),
        };
        match next {
            Next::Objecter(id) => {
                rec.origin = CephfsOrigin::Objecter { op: id };
                self.objecter(id, &mut rec)?;
            }
            Next::Script(i) => {
                rec.origin = CephfsOrigin::Script { index: i };
                self.next_script += 1;
                let s = self.scenario.script[i].clone();
                self.set_now(s.at_ms);
                let what = serde_json::to_string(&s.action).unwrap_or_default();
                if let Err(e) = self.apply(s.action, &mut rec) {
                    if !self.user_chose {
                        return Err(format!("script[{i}] (at {} ms): {e}", s.at_ms));
                    }
                    rec.sentence = crate::engine::cluster::skipped_sentence(&what, &e);
                }
            }
            Next::Cluster => {
                let st = self.cluster.step().ok_or("the cluster had nothing to do")?;
                self.set_now(st.at_ms);
                rec.add_cluster(st);
            }
            Next::Mds(id) => {
                rec.origin = CephfsOrigin::Mds { id };
                let st = self.mds.deliver(id)?;
                self.set_now(st.at_ms);
                rec.add_mds(st);
            }
        }
        Ok(Some(self.push(rec)))
    }

    /// Finish a record: the waits it revealed, its time, the daemons' states.
    fn push(&mut self, mut rec: CephfsRecord) -> &CephfsRecord {
        self.user_chose |= matches!(rec.origin, CephfsOrigin::User);
        self.note_waits(&mut rec);
        rec.at_ms = self.now();
        rec.states = self.mds.state_lines();
        self.records.push(Rc::new(rec));
        self.records.last().map(|r| &**r).expect("just pushed")
    }

    fn user_record() -> CephfsRecord {
        CephfsRecord {
            origin: CephfsOrigin::User,
            at_ms: 0,
            sentence: String::new(),
            lines: Vec::new(),
            mds: None,
            cluster: Vec::new(),
            states: Vec::new(),
        }
    }

    /// Carry out a script or user action on the world it names; on an error nothing
    /// changed (the worlds refuse before they act).
    fn apply(&mut self, action: CrossAction, rec: &mut CephfsRecord) -> Result<(), String> {
        match action {
            CrossAction::Mds(a) => rec.add_mds(self.mds.act(a)?),
            CrossAction::Cluster(UserAction::DeletePool { pool }) if self.pool_in_use(&pool) => {
                // OSDMonitor::_check_remove_pool (-EBUSY).
                return Err(format!("pool '{pool}' is in use by CephFS"));
            }
            CrossAction::Cluster(a) => rec.add_cluster(self.cluster.act(a)?),
            CrossAction::Status => {
                rec.sentence = "The operator looks at the cluster.".into();
                rec.lines = self.status_lines();
            }
        }
        Ok(())
    }

    /// A user action now (the browser's kill / start / lost… buttons): an MDS action, a
    /// cluster action, or `status`.
    pub fn act(&mut self, action: CrossAction) -> Result<&CephfsRecord, String> {
        let mut rec = Self::user_record();
        let now = self.now();
        self.set_now(now);
        self.apply(action, &mut rec)?;
        Ok(self.push(rec))
    }

    /// Deliver a chosen pending MDS event now, before earlier ones.
    pub fn deliver_mds(&mut self, id: u64) -> Result<&CephfsRecord, String> {
        let mut rec = Self::user_record();
        let st = self.mds.deliver(id)?;
        self.set_now(st.at_ms);
        rec.add_mds(st);
        Ok(self.push(rec))
    }

    /// Deliver a chosen cluster message or timer now (per-connection FIFO kept).
    pub fn deliver_cluster(&mut self, id: PendingId) -> Result<&CephfsRecord, String> {
        let mut rec = Self::user_record();
        let st = self.cluster.deliver(id)?;
        self.set_now(st.at_ms);
        rec.add_cluster(st);
        Ok(self.push(rec))
    }

    /// Take one choice; `Ok(false)` when it is `Next` and the run is done.
    pub fn take(&mut self, choice: &CephfsChoice) -> Result<bool, String> {
        match choice {
            CephfsChoice::Next => self.step().map(|r| r.is_some()),
            CephfsChoice::Act(a) => self.act(a.clone()).map(|_| true),
            CephfsChoice::DeliverMds(id) => self.deliver_mds(*id).map(|_| true),
            CephfsChoice::DeliverCluster(id) => self.deliver_cluster(*id).map(|_| true),
        }
    }

    /// What `step` takes next, in one line (the browser's "Next").
    pub fn next_text(&self) -> String {
        match self.next() {
            None => "nothing: the run is done".into(),
            Some(Next::Objecter(id)) => {
                let op = &self.mds.rados_ops[&id];
                if op.write && !self.submitted.contains_key(&id) {
                    format!("the objecter sends op {id}'s writes ({})", op.what)
                } else {
                    format!("the objecter completes op {id} ({})", op.what)
                }
            }
            Some(Next::Script(i)) => {
                let s = &self.scenario.script[i];
                let action = serde_json::to_string(&s.action).unwrap_or_default();
                format!("script at {} ms: {action}", s.at_ms)
            }
            Some(Next::Cluster) => self
                .cluster
                .next_pending()
                .map_or("-".into(), |p| format!("{} ms: {}", p.at_ms, p.what)),
            Some(Next::Mds(id)) => self
                .mds
                .pending()
                .into_iter()
                .find(|p| p.id == id)
                .map_or("-".into(), |p| format!("{} ms: {}", p.at_ms, p.what)),
        }
    }

    /// Every RADOS op the objecter holds, with its objects' PGs and why it waits.
    pub fn ops(&self) -> Vec<OpView> {
        self.mds
            .rados_ops
            .iter()
            .map(|(&id, op)| {
                let status = match self.op_outcome(id) {
                    _ if op.write && !self.submitted.contains_key(&id) => OpStatus::NotSent,
                    Ok(Ok(())) => OpStatus::Ready(None),
                    Ok(Err((obj, _))) => OpStatus::Ready(Some(obj)),
                    Err(why) if why == IN_FLIGHT => OpStatus::InFlight,
                    Err(why) => OpStatus::Waits(why),
                };
                OpView {
                    id,
                    who: owner_name(op.owner.as_deref()),
                    what: op.what.clone(),
                    write: op.write,
                    objects: op
                        .objects
                        .iter()
                        .map(|o| (o.clone(), self.pg_of(&op.pool, o)))
                        .collect(),
                    status,
                    since_ms: op.since_ms,
                }
            })
            .collect()
    }

    /// The pool holding the filesystem's metadata (the first filesystem's, else the
    /// first pool): the PGs the tab lists.
    pub fn metadata_pool(&self) -> Option<PoolId> {
        let fs = self.mds.fsmap().filesystems.values().next();
        let named = fs.and_then(|f| self.pool_id(&f.metadata_pool));
        named.or_else(|| self.cluster.map().pools.keys().next().copied())
    }

    /// Every step's record so far as JSON: what `cephscope run SCENARIO --json` prints.
    pub fn trace_json(&self) -> String {
        serde_json::to_string_pretty(&self.records)
            .map(|s| s + "\n")
            .unwrap_or_default()
    }

    /// Send an op's writes to the cluster, or hand the OSDs' answer to the MDS world.
    fn objecter(&mut self, id: u64, rec: &mut CephfsRecord) -> Result<(), String> {
        let now = self.now();
        self.set_now(now);
        let op = self.mds.rados_ops[&id].clone();
        if op.write && !self.submitted.contains_key(&id) {
            let mut ids = Vec::new();
            let mut pgs = Vec::new();
            for obj in &op.objects {
                let pg = self
                    .pg_of(&op.pool, obj)
                    .ok_or_else(|| format!("no pool named '{}' in the cluster", op.pool))?;
                let st = self.cluster.act(UserAction::Write {
                    pg,
                    object: obj.clone(),
                })?;
                ids.push(self.cluster.client_ops.len() as u64);
                rec.cluster.push(st);
                pgs.push(format!("{obj} → PG {pg}"));
            }
            self.submitted.insert(id, ids);
            let who = owner_name(op.owner.as_deref());
            rec.sentence = format!(
                "{who}'s objecter sends its writes ({}) to the primaries of their PGs: {}.",
                op.what,
                pgs.join(", ")
            );
            return Ok(());
        }
        let result = self
            .op_outcome(id)
            .map_err(|w| format!("op {id} is not ready: {w}"))?;
        self.submitted.remove(&id);
        if !op.write {
            let places: Vec<String> = op
                .objects
                .iter()
                .map(|o| {
                    format!(
                        "{o} → PG {}",
                        self.pg_of(&op.pool, o)
                            .map_or("?".into(), |p| p.to_string())
                    )
                })
                .collect();
            rec.lines
                .push(format!("objecter: op {id} answered: {}", places.join(", ")));
        }
        rec.add_mds(self.mds.rados_reply(id, result)?);
        Ok(())
    }

    /// Log, once per reason, each op that waits and why.
    fn note_waits(&mut self, rec: &mut CephfsRecord) {
        let ids: Vec<u64> = self.mds.rados_ops.keys().copied().collect();
        for id in ids {
            if let Err(why) = self.op_outcome(id) {
                if why == "not sent" || why == IN_FLIGHT || !self.noted.insert((id, why.clone())) {
                    continue;
                }
                let op = &self.mds.rados_ops[&id];
                let who = owner_name(op.owner.as_deref());
                rec.lines.push(format!(
                    "objecter: {who}'s op {id} ({}) waits: {why}",
                    op.what
                ));
            }
        }
    }

    pub fn run_to_end(&mut self) -> Result<(), String> {
        while self.step()?.is_some() {}
        Ok(())
    }

    /// `ceph health detail` for what is modelled: FS_DEGRADED, MDS_DAMAGE,
    /// MDS_SLOW_METADATA_IO (ops blocked over mds_op_complaint_time), PG_AVAILABILITY.
    pub fn health(&self) -> Vec<String> {
        let mut checks = Vec::new();
        let map: &FsMap = self.mds.fsmap();
        let degraded: Vec<&str> = map
            .filesystems
            .values()
            .filter(|f| f.is_degraded())
            .map(|f| f.fs_name.as_str())
            .collect();
        if !degraded.is_empty() {
            checks.push(format!(
                "[WRN] FS_DEGRADED: {} filesystem is degraded",
                degraded.len()
            ));
            for f in degraded {
                checks.push(format!("    fs {f} is degraded"));
            }
        }
        let damaged: usize = map.filesystems.values().map(|f| f.damaged.len()).sum();
        if damaged > 0 {
            checks.push(format!("[ERR] MDS_DAMAGE: {damaged} mds daemon damaged"));
            for f in map.filesystems.values() {
                for r in &f.damaged {
                    checks.push(format!("    fs {} mds.{r} is damaged", f.fs_name));
                }
            }
        }
        let now = self.now();
        let mut slow: BTreeMap<String, (usize, u64)> = BTreeMap::new();
        for op in self.mds.rados_ops.values() {
            let age = now.saturating_sub(op.since_ms);
            if age > MDS_OP_COMPLAINT_TIME_MS {
                if let Some(n) = &op.owner {
                    let e = slow.entry(n.clone()).or_default();
                    e.0 += 1;
                    e.1 = e.1.max(age);
                }
            }
        }
        if !slow.is_empty() {
            checks.push(format!(
                "[WRN] MDS_SLOW_METADATA_IO: {} MDSs report slow metadata IOs",
                slow.len()
            ));
            for (n, (count, age)) in &slow {
                let rank = self.mds.daemons.get(n).and_then(|d| d.rank).unwrap_or(0);
                checks.push(format!(
                    "    mds.{n}(mds.{rank}): {count} slow metadata IOs are blocked > 30 secs, oldest blocked for {} secs",
                    age / 1000
                ));
            }
        }
        let states = self.cluster.pg_states();
        let inactive: Vec<(&PgId, &String)> = states
            .iter()
            .filter(|(_, s)| !s.contains("active"))
            .collect();
        if !inactive.is_empty() {
            let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
            for (_, s) in &inactive {
                let k = ["down", "incomplete", "stale", "peering"]
                    .into_iter()
                    .find(|k| s.contains(k))
                    .unwrap_or("inactive");
                *kinds.entry(k).or_default() += 1;
            }
            let what: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} pgs {k}")).collect();
            checks.push(format!(
                "[WRN] PG_AVAILABILITY: Reduced data availability: {} pgs inactive, {}",
                inactive.len(),
                what.join(", ")
            ));
            for (pg, s) in inactive {
                checks.push(format!("    pg {pg} is {s}"));
            }
        }
        let degraded = states.values().filter(|s| s.contains("degraded")).count();
        let undersized = states.values().filter(|s| s.contains("undersized")).count();
        if degraded + undersized > 0 {
            checks.push(format!(
                "[WRN] PG_DEGRADED: Degraded data redundancy: {degraded} pgs degraded, {undersized} pgs undersized"
            ));
        }
        let unfound: usize = states
            .keys()
            .filter_map(|pg| {
                let m = self.cluster.mappings.last()?.by_pg.get(pg)?;
                let n = self.cluster.osds.get(&m.acting_primary)?;
                n.pgs.get(pg).map(|i| i.state.unfound.len())
            })
            .sum();
        if unfound > 0 {
            checks.push(format!("[WRN] OBJECT_UNFOUND: {unfound} objects unfound"));
        }
        let level = if checks.iter().any(|c| c.starts_with("[ERR]")) {
            "HEALTH_ERR"
        } else if checks.is_empty() {
            "HEALTH_OK"
        } else {
            "HEALTH_WARN"
        };
        std::iter::once(level.to_string()).chain(checks).collect()
    }

    /// The operator's view: health, `ceph fs status`, `ceph mds stat`, the PGs.
    pub fn status_lines(&self) -> Vec<String> {
        let mut out = vec!["$ ceph health detail".to_string()];
        out.extend(self.health());
        out.push("$ ceph fs status".into());
        out.extend(self.mds.fs_status().lines().map(str::to_string));
        out.push("$ ceph mds stat".into());
        out.push(self.mds.fsmap().print_summary());
        out.push("$ ceph pg ls (state)".into());
        for (pg, s) in self.cluster.pg_states() {
            out.push(format!("pg {pg} {s}"));
        }
        out
    }

    /// Each daemon's states in order.
    pub fn daemon_histories(&self) -> BTreeMap<String, Vec<DaemonState>> {
        self.mds.daemon_histories()
    }

    /// The trace: one sentence per step, the MDS log lines, every machine transition (MDS
    /// daemons and ranks, PG primaries and replicas), the daemons' states; steps that
    /// change nothing (routine beacons, ticks, heartbeats) are counted, not printed. Then
    /// the operator's view.
    pub fn trace_text(&self) -> String {
        let mut out = String::new();
        let mut routine = 0;
        for r in &self.records {
            if r.is_routine() {
                routine += 1;
                continue;
            }
            let body = r.body();
            if routine > 0 {
                out.push_str(&format!("   ({routine} routine steps)\n"));
                routine = 0;
            }
            let t = r.at_ms as f64 / 1000.0;
            out.push_str(&format!("# {t:>8.3}s: {}\n", r.sentence));
            for l in body.iter().chain(&r.lines) {
                out.push_str(&format!("{t:>10.3} {l}\n"));
            }
            if r.mds.as_ref().is_some_and(|m| !m.routine) {
                for s in &r.states {
                    out.push_str(&format!("           | {s}\n"));
                }
            }
        }
        if routine > 0 {
            out.push_str(&format!("   ({routine} routine steps)\n"));
        }
        out.push('\n');
        for l in self.status_lines() {
            out.push_str(&l);
            out.push('\n');
        }
        out
    }
}

impl CephfsRecord {
    /// The MDS world's step as this step's: its sentence, its machines and lines.
    fn add_mds(&mut self, st: MdsStep) {
        self.sentence = st.sentence.clone();
        self.mds = Some(st);
    }

    /// A cluster world's step as (part of) this step's, its explanation the sentence.
    fn add_cluster(&mut self, st: WorldStep) {
        self.sentence = st.explanation.clone();
        self.cluster.push(st);
    }

    /// A step that changed nothing worth a line: a routine beacon, tick or heartbeat (the
    /// trace counts them; the browser's "Next change" skips them). Script actions, the
    /// objecter's steps and the user's choices always count.
    pub fn is_routine(&self) -> bool {
        let always = matches!(
            self.origin,
            CephfsOrigin::Script { .. } | CephfsOrigin::Objecter { .. } | CephfsOrigin::User
        );
        !always && self.lines.is_empty() && self.body().is_empty()
    }

    /// The step's log lines and machine transitions (empty for a routine step).
    pub fn body(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(m) = self.mds.as_ref().filter(|m| !m.routine) {
            out.extend(m.lines.iter().cloned());
            for ms in &m.machines {
                for micro in &ms.micro {
                    if let Micro::Transit { from, to, event } = micro {
                        out.push(format!("{} {from} -> {to} ({event})", ms.machine));
                    }
                }
            }
        }
        for w in &self.cluster {
            for e in &w.epochs {
                out.push(format!("mon: {e}"));
            }
            for p in &w.pgs {
                if p.from != p.to {
                    out.push(format!(
                        "e{} osd.{} pg {} {} -> {}",
                        p.epoch, p.osd, p.pg, p.from, p.to
                    ));
                }
            }
        }
        out
    }
}
