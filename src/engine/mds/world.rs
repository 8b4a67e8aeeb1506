//! The MDS world: the monitor, MDS daemons, clients, messages in flight and timers on a
//! logical clock, stepped one event at a time with the PG world's API (`pending`, `step`,
//! `deliver`, `act`), each step a record with one plain sentence. Deterministic: ordered
//! maps, event order (time, id), no randomness.

use super::chart::{can_transit, definition, edge_ceph, shortest_path, MdsEvent, S};
use super::daemon::*;
use super::fsmap::{FsMap, Fscid, Gid, MdsMap, Rank};
use super::monitor::*;
use super::objects;
use super::state::DaemonState;
use crate::engine::statechart::{Machine, Micro};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Message latency between any two entities.
pub const NET_MS: u64 = 5;
/// The first gid handed out (Ceph's global ids are large and increasing).
pub const FIRST_GID: Gid = 4100;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Msg {
    /// MMDSBeacon, daemon → monitor.
    Beacon {
        gid: Gid,
        name: String,
        want_state: DaemonState,
        seq: u64,
        last_epoch_seen: u32,
    },
    /// MMDSMap, monitor → daemon (the committed epoch) or client.
    MdsMap { epoch: u32 },
    /// The null MDSMap prepare_beacon answers an unknown or evicted gid with.
    NullMap,
    /// MClientReconnect, client → the rank's daemon.
    ClientReconnect {
        client: u64,
        rank: Rank,
        caps: u32,
        unsafe_requests: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// Beacon::_send every mds_beacon_interval.
    Beacon,
    /// MDSMonitor::tick every mon_tick_interval.
    MonTick,
    /// propose_pending after paxos_propose_interval.
    Propose,
    /// A boot_start step's I/O finished (C_MDS_BootStart).
    BootStep,
    /// boot_create's gather finished (creating_done).
    CreateDone,
    /// boot_start of a STARTING rank reached starting_done.
    StartingDone,
    /// The standby-replay pass finished.
    StandbyReplayPass,
    /// The resolve gather completed (resolve_done).
    ResolveDone,
    /// Server::reconnect_tick after mds_reconnect_timeout.
    ReconnectTimeout,
    /// The rejoin gather completed (rejoin_done).
    RejoinDone,
    /// One queued client request replayed (queue_one_replay).
    ClientReplayOne,
    /// Subtrees exported, journal flushed (stopping_done).
    StoppingDone,
}

/// A metadata-pool operation (an Objecter op of the daemon, or of cephfs-journal-tool)
/// waiting for RADOS. Only made when the world runs beside a cluster (`MdsWorld::rados`):
/// the cross-layer runner (`mds::rados`) sends writes to the cluster's OSDs and answers
/// reads from the PGs that hold the objects, then calls [`MdsWorld::rados_reply`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RadosOp {
    pub id: u64,
    /// The daemon that issued it; None: cephfs-journal-tool.
    pub owner: Option<String>,
    pub gen: u64,
    pub write: bool,
    /// The metadata pool's name (FSMap `metadata_pool`).
    pub pool: String,
    pub objects: Vec<String>,
    /// What the daemon does once the op completes: this timer, `after` ms later (the
    /// rest of the step's work). None: nothing waits for it.
    pub then: Option<TimerKind>,
    pub after: u64,
    /// The step it belongs to, for the log and the narration.
    pub what: String,
    pub since_ms: u64,
}

/// A read's error: the object and the errno (-2: ENOENT).
pub type RadosError = (String, i32);

/// Who sends or owns something.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Entity {
    Mon,
    Mds(String),
    Client(u64),
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Entity::Mon => write!(f, "mon"),
            Entity::Mds(n) => write!(f, "mds.{n}"),
            Entity::Client(c) => write!(f, "client.{c}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Ev {
    Msg {
        from: Entity,
        to: Entity,
        gid: Option<Gid>,
        msg: Msg,
    },
    Timer {
        owner: Entity,
        gen: u64,
        timer: TimerKind,
    },
}

/// An event waiting to happen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pending {
    pub id: u64,
    pub at_ms: u64,
    pub ev: Ev,
    pub what: String,
}

/// What a user (or script) can do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum MdsAction {
    /// Start (or restart) the ceph-mds daemon `mds`.
    Start { mds: String },
    /// The daemon's process dies (kill -9): no more beacons.
    Kill { mds: String },
    /// `ceph fs new <fs> <metadata_pool> <data_pool>`.
    FsNew {
        fs: String,
        metadata_pool: String,
        data_pool: String,
    },
    /// `ceph fs set <fs> max_mds <n>`.
    SetMaxMds { fs: String, max_mds: i32 },
    /// `ceph fs set <fs> allow_standby_replay <bool>`.
    SetAllowStandbyReplay { fs: String, allow: bool },
    /// `ceph fs set <fs> joinable <bool>`.
    SetJoinable { fs: String, joinable: bool },
    /// The client mounts `fs` (default: the first): opens a session with every active rank.
    Mount {
        client: u64,
        #[serde(default)]
        fs: Option<String>,
    },
    /// The client stops answering (it will not reconnect).
    Hang { client: u64 },
    /// The client creates or changes `ops` files: the rank it has a session with
    /// journals the updates (EUpdate) to its current journal object.
    MetadataOps { client: u64, ops: u32 },
    /// `ceph mds repaired <fs>:<rank>` (MDSMonitor `mds repaired` → FSMap::undamaged).
    Repaired { fs: String, rank: Rank },
    /// `cephfs-journal-tool --rank=<fs>:<rank> journal reset` (Resetter::reset): a new
    /// journal header whose entries start at a fresh object; the old entries are dropped.
    JournalReset { fs: String, rank: Rank },
}

/// One machine's micro-steps in a step.
#[derive(Clone, Debug, Serialize)]
pub struct MachineSteps {
    /// `mds.a` (a daemon) or `cephfs:0` (a rank).
    pub machine: String,
    pub micro: Vec<Micro>,
}

/// What one step did.
#[derive(Clone, Debug, Serialize)]
pub struct MdsStep {
    pub at_ms: u64,
    pub sentence: String,
    /// Ceph-log-like lines.
    pub lines: Vec<String>,
    pub machines: Vec<MachineSteps>,
    /// The FSMap epoch after the step.
    pub epoch: u32,
    /// A beacon or tick that changed nothing.
    pub routine: bool,
}

#[derive(Clone, Debug)]
pub struct MdsWorld {
    pub now: u64,
    pub mon: MdsMonitor,
    pub daemons: BTreeMap<String, MdsDaemon>,
    pub clients: BTreeMap<u64, Client>,
    /// Each rank's SessionMap as stored in RADOS: (fscid, rank) → client → session.
    pub sessionmaps: BTreeMap<(Fscid, Rank), BTreeMap<u64, ClientSession>>,
    /// Each rank's machine (what the FSMap says the rank is).
    pub rank_machines: BTreeMap<(Fscid, Rank), (Machine, Gid, Vec<DaemonState>)>,
    /// True when a cluster world serves the metadata pool: the daemons' metadata I/O
    /// becomes [`RadosOp`]s the cross-layer runner answers. False: it takes a fixed time.
    pub rados: bool,
    /// RADOS ops in flight, by id.
    pub rados_ops: BTreeMap<u64, RadosOp>,
    /// Each rank's current journal data object number (1 until a journal reset).
    pub journal_objects: BTreeMap<(Fscid, Rank), u64>,
    next_op: u64,
    pending: BTreeMap<u64, (u64, Ev)>,
    next_id: u64,
    next_gid: Gid,
    propose_at: Option<u64>,
    // The step under construction.
    lines: Vec<String>,
    machines: Vec<MachineSteps>,
    changed: bool,
}

impl Default for MdsWorld {
    fn default() -> Self {
        Self::new()
    }
}

impl MdsWorld {
    /// Each daemon's states in order (restarts included: up:boot again).
    pub fn daemon_histories(&self) -> BTreeMap<String, Vec<DaemonState>> {
        self.daemons
            .iter()
            .map(|(n, d)| (n.clone(), d.history.clone()))
            .collect()
    }

    pub fn new() -> MdsWorld {
        let mut w = MdsWorld {
            now: 0,
            mon: MdsMonitor::new(),
            daemons: BTreeMap::new(),
            clients: BTreeMap::new(),
            sessionmaps: BTreeMap::new(),
            rank_machines: BTreeMap::new(),
            rados: false,
            rados_ops: BTreeMap::new(),
            journal_objects: BTreeMap::new(),
            next_op: 1,
            pending: BTreeMap::new(),
            next_id: 1,
            next_gid: FIRST_GID,
            propose_at: None,
            lines: Vec::new(),
            machines: Vec::new(),
            changed: false,
        };
        w.schedule(
            MON_TICK_INTERVAL_MS,
            Ev::Timer {
                owner: Entity::Mon,
                gen: 0,
                timer: TimerKind::MonTick,
            },
        );
        w
    }

    pub fn add_client(&mut self, id: u64, caps: u32, unsafe_requests: u32) {
        self.clients.insert(
            id,
            Client {
                id,
                responsive: true,
                caps,
                unsafe_requests,
                fs: None,
                sessions: BTreeMap::new(),
                map_epoch: 0,
                evicted: false,
            },
        );
    }

    pub fn fsmap(&self) -> &FsMap {
        self.mon.committed()
    }

    fn schedule(&mut self, after: u64, ev: Ev) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.insert(id, (self.now + after, ev));
        id
    }

    fn send(&mut self, from: Entity, to: Entity, gid: Option<Gid>, msg: Msg) {
        self.schedule(NET_MS, Ev::Msg { from, to, gid, msg });
    }

    fn timer(&mut self, name: &str, after: u64, timer: TimerKind) {
        let gen = self.daemons.get(name).map_or(0, |d| d.gen);
        self.schedule(
            after,
            Ev::Timer {
                owner: Entity::Mds(name.to_string()),
                gen,
                timer,
            },
        );
    }

    fn log(&mut self, line: String) {
        self.lines.push(line);
    }

    /// A rank's current journal data object number.
    pub fn journal_object(&self, fscid: Fscid, rank: Rank) -> u64 {
        self.journal_objects
            .get(&(fscid, rank))
            .copied()
            .unwrap_or(1)
    }

    /// What a journal reader (`Journaler::recover` + `_replay_thread`) reads: the header
    /// and the current entries object of the daemon's rank.
    fn journal_read_set(&self, name: &str) -> Vec<String> {
        let (f, r) = self
            .daemons
            .get(name)
            .map_or((0, 0), |d| (d.fscid.unwrap_or(0), d.rank.unwrap_or(0)));
        vec![
            objects::journal_header(r),
            objects::journal_object(r, self.journal_object(f, r)),
        ]
    }

    /// The metadata pool of the daemon's filesystem (committed map).
    fn metadata_pool_of(&self, name: &str) -> String {
        self.daemons
            .get(name)
            .and_then(|d| d.fscid)
            .and_then(|f| self.fsmap().filesystems.get(&f))
            .map_or(String::new(), |fs| fs.metadata_pool.clone())
    }

    /// A step's metadata I/O (the gather of `MDSRank::boot_start` / `boot_create`, the
    /// Journaler's reads and writes). Alone, it takes a fixed time (`then` after its
    /// delay); beside a cluster it is a [`RadosOp`] that completes when the OSDs answer.
    fn io(
        &mut self,
        name: &str,
        write: bool,
        objects: Vec<String>,
        then: (TimerKind, u64),
        what: &str,
    ) {
        if !self.rados {
            self.timer(name, then.1, then.0);
            return;
        }
        let pool = self.metadata_pool_of(name);
        let gen = self.daemons.get(name).map_or(0, |d| d.gen);
        self.submit_op(Some(name), gen, write, pool, objects, Some(then), what);
    }

    #[allow(clippy::too_many_arguments)]
    fn submit_op(
        &mut self,
        owner: Option<&str>,
        gen: u64,
        write: bool,
        pool: String,
        objects: Vec<String>,
        then: Option<(TimerKind, u64)>,
        what: &str,
    ) {
        let id = self.next_op;
        self.next_op += 1;
        let who = owner.map_or("cephfs-journal-tool".to_string(), |n| self.who(n));
        self.log(format!(
            "{who} objecter: osd_op {} {} in pool {pool} ({what})",
            if write { "write" } else { "read" },
            objects.join(", ")
        ));
        self.rados_ops.insert(
            id,
            RadosOp {
                id,
                owner: owner.map(str::to_string),
                gen,
                write,
                pool,
                objects,
                after: then.as_ref().map_or(0, |t| t.1),
                then: then.map(|t| t.0),
                what: what.to_string(),
                since_ms: self.now,
            },
        );
        self.changed = true;
    }

    /// The OSDs answered a [`RadosOp`] (`Objecter::handle_osd_op_reply` → the op's
    /// context): Ok lets the daemon's step go on; a read's -ENOENT / -EINVAL is damage.
    pub fn rados_reply(
        &mut self,
        id: u64,
        result: Result<(), RadosError>,
    ) -> Result<MdsStep, String> {
        let op = self
            .rados_ops
            .remove(&id)
            .ok_or_else(|| format!("no RADOS op {id} in flight"))?;
        self.begin();
        let sentence = self.complete_op(op, result);
        Ok(self.finish(sentence))
    }

    fn complete_op(&mut self, op: RadosOp, result: Result<(), RadosError>) -> String {
        let verb = if op.write { "writes" } else { "reads" };
        let Some(name) = op.owner.clone() else {
            self.log("cephfs-journal-tool: journal reset done".into());
            return format!(
                "The OSDs acknowledge cephfs-journal-tool's writes ({}): the journal is reset.",
                op.what
            );
        };
        let live = self
            .daemons
            .get(&name)
            .is_some_and(|d| d.alive && d.gen == op.gen);
        if !live {
            return format!("The OSDs answer mds.{name}'s {verb} ({}), but that instance is gone or moved on: ignored.", op.what);
        }
        let who = self.who(&name);
        match result {
            Ok(()) => {
                self.changed = true;
                match op.then {
                    Some(t) => {
                        self.timer(&name, op.after, t);
                        format!(
                            "The OSDs answer {who}'s {verb} of {} ({}): its step goes on.",
                            op.objects.join(", "),
                            op.what
                        )
                    }
                    None => {
                        self.log(format!("{who} journal entries safe ({})", op.what));
                        format!("The OSDs acknowledge {who}'s journal write ({}): the updates are safe.", op.what)
                    }
                }
            }
            Err((object, errno)) => self.read_error(&name, &object, errno, &op.what),
        }
    }

    /// A read failed. A standby-replay daemon respawns (the journal was trimmed or
    /// rewritten under it: -EAGAIN in `MDLog::_replay_thread`, `boot_start` respawns);
    /// a rank loading its metadata is damaged: `MDLog::_replay_thread` ("missing journal
    /// object") for the journal's entries, `MDSRank::boot_start` ("Error loading MDS
    /// rank") for the tables and base inodes, then `MDSRank::damaged`.
    fn read_error(&mut self, name: &str, object: &str, errno: i32, what: &str) -> String {
        let who = self.who(name);
        self.changed = true;
        let standby = self
            .daemons
            .get(name)
            .is_some_and(|d| d.state == DaemonState::StandbyReplay);
        let text = errno_text(errno);
        if standby {
            self.log(format!(
                "{who} _replay journaler got error {errno}, aborting"
            ));
            self.log(format!(
                "{who} boot_start encountered an error EAGAIN, respawning since we fell behind journal"
            ));
            self.respawn(name);
            return format!("{who}'s read of {object} fails ({text}) while it follows the journal: it respawns.");
        }
        let rank = self.daemons.get(name).and_then(|d| d.rank).unwrap_or(0);
        let journal = object.starts_with(&format!(
            "{:x}.",
            objects::MDS_INO_LOG_OFFSET + rank.max(0) as u64
        )) && !object.ends_with(".00000000");
        if journal {
            self.log(format!(
                "{who} _replay journaler got error {errno}, aborting"
            ));
            self.log(format!("log [ERR] : missing journal object ({object})"));
        } else {
            self.log(format!(
                "log [ERR] : Error loading MDS rank {rank}: {text} ({object})"
            ));
        }
        self.damaged(name);
        format!("{who}'s read of {object} ({what}) returns {text}: its metadata is damaged, so it reports the rank damaged (MDSRank::damaged) and waits to respawn.")
    }

    /// `MDSRank::damaged`: want_state DAMAGED, a beacon, and (once the monitor's map
    /// removes it, Beacon::send_and_wait's answer) respawn into standby.
    fn damaged(&mut self, name: &str) {
        self.request_state(name, DaemonState::Damaged);
    }

    /// Everything waiting, earliest first.
    pub fn pending(&self) -> Vec<Pending> {
        let mut v: Vec<Pending> = self
            .pending
            .iter()
            .map(|(id, (at, ev))| Pending {
                id: *id,
                at_ms: *at,
                ev: ev.clone(),
                what: describe(ev),
            })
            .collect();
        v.sort_by_key(|p| (p.at_ms, p.id));
        v
    }

    /// The earliest pending event's (time, id).
    pub fn next_due(&self) -> Option<(u64, u64)> {
        self.pending.iter().map(|(id, (at, _))| (*at, *id)).min()
    }

    /// Deliver the earliest pending event.
    pub fn step(&mut self) -> Option<MdsStep> {
        let (_, id) = self.next_due()?;
        self.deliver(id).ok()
    }

    /// Deliver one pending event (a message or a timer), out of order if wanted.
    pub fn deliver(&mut self, id: u64) -> Result<MdsStep, String> {
        let (at, ev) = self
            .pending
            .remove(&id)
            .ok_or_else(|| format!("no pending event {id}"))?;
        self.now = self.now.max(at);
        self.begin();
        let sentence = self.handle(ev);
        Ok(self.finish(sentence))
    }

    /// A user action, now.
    pub fn act(&mut self, action: MdsAction) -> Result<MdsStep, String> {
        self.begin();
        let sentence = self.apply(action)?;
        Ok(self.finish(sentence))
    }

    fn begin(&mut self) {
        self.lines.clear();
        self.machines.clear();
        self.changed = false;
    }

    fn finish(&mut self, sentence: String) -> MdsStep {
        self.maybe_schedule_propose();
        let routine = !self.changed && self.machines.is_empty();
        MdsStep {
            at_ms: self.now,
            sentence,
            lines: std::mem::take(&mut self.lines),
            machines: std::mem::take(&mut self.machines),
            epoch: self.fsmap().epoch,
            routine,
        }
    }

    fn maybe_schedule_propose(&mut self) {
        if self.mon.dirty && self.propose_at.is_none() {
            let last = self.mon.last_commit_ms();
            let at = (last + PAXOS_PROPOSE_INTERVAL_MS).max(self.now);
            self.propose_at = Some(at);
            let after = at - self.now;
            self.schedule(
                after,
                Ev::Timer {
                    owner: Entity::Mon,
                    gen: 0,
                    timer: TimerKind::Propose,
                },
            );
        }
    }

    fn take_mon_log(&mut self) {
        let log = std::mem::take(&mut self.mon.log);
        if !log.is_empty() {
            self.changed = true;
        }
        self.lines.extend(log);
    }

    fn handle(&mut self, ev: Ev) -> String {
        match ev {
            Ev::Timer {
                owner: Entity::Mon,
                timer,
                ..
            } => match timer {
                TimerKind::MonTick => {
                    self.schedule(
                        MON_TICK_INTERVAL_MS,
                        Ev::Timer {
                            owner: Entity::Mon,
                            gen: 0,
                            timer: TimerKind::MonTick,
                        },
                    );
                    self.mon.tick(self.now);
                    self.take_mon_log();
                    "The monitor ticks (MDSMonitor::tick): beacon timeouts, max_mds, failed ranks, standby-replay.".into()
                }
                TimerKind::Propose => {
                    self.propose_at = None;
                    self.propose()
                }
                _ => "(a monitor timer it does not use)".into(),
            },
            Ev::Timer {
                owner: Entity::Mds(name),
                gen,
                timer,
            } => {
                let live = self
                    .daemons
                    .get(&name)
                    .is_some_and(|d| d.alive && d.gen == gen);
                if !live {
                    return format!("mds.{name}'s {timer:?} timer is stale (the daemon restarted or moved on): ignored.");
                }
                self.daemon_timer(&name, timer)
            }
            Ev::Timer {
                owner: Entity::Client(_),
                ..
            } => "(a client timer)".into(),
            Ev::Msg { from, to, gid, msg } => self.handle_msg(from, to, gid, msg),
        }
    }

    /// propose_pending → commit → send the map to subscribers → on_active → tick.
    fn propose(&mut self) -> String {
        if !self.mon.dirty {
            return "Nothing to propose.".into();
        }
        let epoch = self.mon.commit_at(self.now);
        self.changed = true;
        let summary = self.fsmap().print_summary();
        self.log(format!("mon: fsmap e{epoch}: {summary}"));
        self.sync_rank_machines(epoch);
        let names: Vec<(String, Gid)> = self
            .daemons
            .values()
            .filter(|d| d.alive)
            .map(|d| (d.name.clone(), d.gid))
            .collect();
        for (n, g) in names {
            self.send(Entity::Mon, Entity::Mds(n), Some(g), Msg::MdsMap { epoch });
        }
        let clients: Vec<u64> = self.clients.keys().copied().collect();
        for c in clients {
            self.send(Entity::Mon, Entity::Client(c), None, Msg::MdsMap { epoch });
        }
        // MDSMonitor::on_active → tick().
        self.mon.tick(self.now);
        self.take_mon_log();
        format!("The monitor commits FSMap e{epoch} ({summary}) and sends it to every daemon and client.")
    }

    /// Move each rank's machine to what the committed FSMap says the rank is.
    fn sync_rank_machines(&mut self, epoch: u32) {
        let fsmap = self.fsmap().clone();
        for (fscid, fs) in &fsmap.filesystems {
            let ranks: Vec<Rank> = fs
                .in_
                .iter()
                .chain(fs.stopped.iter())
                .chain(fs.damaged.iter())
                .copied()
                .chain(
                    self.rank_machines
                        .keys()
                        .filter(|(f, _)| f == fscid)
                        .map(|(_, r)| *r),
                )
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            for rank in ranks {
                let (target_s, target, holder) = rank_view(fs, rank);
                let key = (*fscid, rank);
                let entry = self.rank_machines.entry(key).or_insert_with(|| {
                    let mut m = Machine::new();
                    m.initiate(definition(), &mut (), &mut Vec::new());
                    (m, 0, vec![DaemonState::Dne])
                });
                let cur = entry
                    .0
                    .current()
                    .and_then(S::from_id)
                    .unwrap_or(S::Dne)
                    .outer();
                let mut path = Vec::new();
                // A new holder in the same state: the old one failed, a standby took over.
                // `FSMap::erase` puts the rank into failed, unless its holder was still
                // CREATING: then the rank is forgotten (out of `in`, back to dne) and the
                // standby `promote`d into it creates it afresh.
                if holder != 0 && entry.1 != 0 && holder != entry.1 && cur != S::Failed {
                    path.push(if cur == S::Creating {
                        (S::Dne, DaemonState::Dne)
                    } else {
                        (S::Failed, DaemonState::Null)
                    });
                }
                // `ceph mds repaired` and the promotion of a standby in one proposal: the
                // rank went damaged → failed (FSMap::undamaged) → replay (promote).
                if path.is_empty()
                    && cur != target_s
                    && !can_transit(cur, target_s)
                    && can_transit(cur, S::Failed)
                    && can_transit(S::Failed, target_s)
                {
                    path.push((S::Failed, DaemonState::Null));
                }
                let label = format!("{}:{rank}", fs.fs_name);
                // States set and replaced within one proposal: the published maps show
                // only the last; the machine takes the chart's moves between them.
                if path.is_empty() && cur != target_s && !can_transit(cur, target_s) {
                    if let Some(chain) = shortest_path(cur, target_s) {
                        let names: Vec<&str> = chain
                            .iter()
                            .map(|s| definition().states[s.id()].path)
                            .collect();
                        self.lines.push(format!(
                            "rank {label}: {} within one proposal (FSMap e{epoch} shows the last)",
                            names.join(" -> ")
                        ));
                        for mid in &chain[1..chain.len() - 1] {
                            path.push((*mid, mid.daemon_state()));
                        }
                    }
                }
                if cur != target_s || !path.is_empty() {
                    path.push((target_s, target));
                }
                entry.1 = holder;
                for (to, st) in path {
                    let entry = self.rank_machines.get_mut(&key).expect("inserted above");
                    let from = entry.0.current().and_then(S::from_id).unwrap_or(S::Dne);
                    if from.outer() == to {
                        continue;
                    }
                    if !can_transit(from, to) {
                        self.lines.push(format!(
                            "rank {label}: {} -> {} is not a transition of the chart (not taken)",
                            definition().states[from.id()].path,
                            definition().states[to.id()].path
                        ));
                        continue;
                    }
                    let mut micro = Vec::new();
                    entry.0.process(
                        definition(),
                        &mut (),
                        MdsEvent::MdsMap { epoch, to },
                        &mut micro,
                    );
                    entry.2.push(st);
                    self.machines.push(MachineSteps {
                        machine: label.clone(),
                        micro,
                    });
                }
            }
        }
    }

    fn handle_msg(&mut self, from: Entity, to: Entity, gid: Option<Gid>, msg: Msg) -> String {
        match (to.clone(), msg) {
            (
                Entity::Mon,
                Msg::Beacon {
                    gid,
                    name,
                    want_state,
                    seq,
                    last_epoch_seen,
                },
            ) => {
                let b = Beacon {
                    gid,
                    name: name.clone(),
                    want_state,
                    seq,
                    last_epoch_seen,
                };
                let was_dirty = self.mon.dirty;
                let null = self.mon.prepare_beacon(self.now, &b);
                self.take_mon_log();
                if self.mon.dirty && !was_dirty {
                    self.changed = true;
                }
                if null {
                    self.send(
                        Entity::Mon,
                        Entity::Mds(name.clone()),
                        Some(gid),
                        Msg::NullMap,
                    );
                    self.changed = true;
                }
                format!(
                    "The monitor gets mds.{name}'s beacon (gid {gid}, want {}, seq {seq}).",
                    want_state.name()
                )
            }
            (Entity::Mds(name), msg) => {
                let live = self
                    .daemons
                    .get(&name)
                    .is_some_and(|d| d.alive && Some(d.gid) == gid);
                if !live {
                    return format!(
                        "A message for mds.{name} (gid {}) is dropped: that instance is gone.",
                        gid.unwrap_or(0)
                    );
                }
                match msg {
                    Msg::MdsMap { epoch } => self.daemon_handle_map(&name, epoch, false),
                    Msg::NullMap => self.daemon_handle_map(&name, 0, true),
                    Msg::ClientReconnect {
                        client,
                        rank,
                        caps,
                        unsafe_requests,
                    } => self.handle_client_reconnect(&name, client, rank, caps, unsafe_requests),
                    Msg::Beacon { .. } => "(a beacon sent to a daemon)".into(),
                }
            }
            (Entity::Client(c), Msg::MdsMap { epoch }) => self.client_handle_map(c, epoch),
            (to, _) => format!("{from} → {to}: nothing to do"),
        }
    }

    // ---- daemons -------------------------------------------------------------------

    fn send_beacon(&mut self, name: &str) {
        let Some(d) = self.daemons.get_mut(name) else {
            return;
        };
        d.beacon_seq += 1;
        let (gid, want, seq, epoch) = (d.gid, d.want_state, d.beacon_seq, d.map_epoch);
        // `Beacon::_send` sets last_epoch_seen to its MDSMap's epoch: for a daemon in a
        // filesystem that is the filesystem's MDSMap epoch (the FSMap epoch that last
        // changed it, what preprocess_beacon compares), not a later FSMap epoch that
        // only changed the standbys.
        let seen = self
            .mon
            .at_epoch(epoch)
            .filter(|m| m.fscid_of(gid).is_some())
            .and_then(|m| m.effective_epoch(gid))
            .unwrap_or(epoch);
        self.send(
            Entity::Mds(name.to_string()),
            Entity::Mon,
            None,
            Msg::Beacon {
                gid,
                name: name.to_string(),
                want_state: want,
                seq,
                last_epoch_seen: seen,
            },
        );
    }

    /// `MDSRank::request_state`: set want_state and send a beacon now.
    fn request_state(&mut self, name: &str, s: DaemonState) {
        let who = self.who(name);
        self.log(format!("{who} request_state {}", s.name()));
        if let Some(d) = self.daemons.get_mut(name) {
            d.want_state = s;
        }
        self.send_beacon(name);
        self.changed = true;
    }

    fn who(&self, name: &str) -> String {
        self.daemons
            .get(name)
            .map_or(format!("mds.{name}"), |d| d.who())
    }

    /// Move a daemon's machine, recording its micro-steps.
    fn daemon_transit(&mut self, name: &str, to: S, epoch: u32) {
        let Some(d) = self.daemons.get_mut(name) else {
            return;
        };
        let from = d.chart_state().unwrap_or(S::Dne);
        if from.outer() == to {
            return;
        }
        // A booting daemon whose boot beacon and promotion the monitor committed in one
        // epoch never sees a map with itself as standby; MDSDaemon::handle_mds_map still
        // passes through standby ("up:standby --> up:standby-replay" in its log).
        if from.outer() == S::Boot && to != S::Standby && can_transit(S::Boot, S::Standby) {
            self.daemon_transit(name, S::Standby, epoch);
            return self.daemon_transit(name, to, epoch);
        }
        if !can_transit(from, to) {
            self.lines.push(format!(
                "mds.{name}: {} -> {} is not a transition of the chart (not taken)",
                definition().states[from.id()].path,
                definition().states[to.id()].path
            ));
            return;
        }
        let mut micro = Vec::new();
        d.machine.process(
            definition(),
            &mut (),
            MdsEvent::MdsMap { epoch, to },
            &mut micro,
        );
        self.machines.push(MachineSteps {
            machine: format!("mds.{name}"),
            micro,
        });
    }

    /// A new ceph-mds process (`MDSDaemon::init`): a new gid, BOOT beacons.
    fn start_daemon(&mut self, name: &str) {
        let gid = self.next_gid;
        self.next_gid += 1;
        let old_history = self
            .daemons
            .get(name)
            .map(|d| d.history.clone())
            .unwrap_or_default();
        self.rados_ops
            .retain(|_, o| o.owner.as_deref() != Some(name));
        let mut d = MdsDaemon::new(name, gid);
        d.gen = self.daemons.get(name).map_or(0, |o| o.gen + 1);
        d.history = old_history;
        d.history.push(DaemonState::Boot);
        let mut micro = Vec::new();
        d.machine.initiate(definition(), &mut (), &mut micro);
        d.machine
            .process(definition(), &mut (), MdsEvent::Start, &mut micro);
        self.machines.push(MachineSteps {
            machine: format!("mds.{name}"),
            micro,
        });
        self.daemons.insert(name.to_string(), d);
        self.log(format!(
            "mds.{name} starting (gid {gid}): want_state up:boot"
        ));
        self.send_beacon(name);
        self.timer(name, MDS_BEACON_INTERVAL_MS, TimerKind::Beacon);
        self.changed = true;
    }

    /// `MDSDaemon::respawn`: exec itself again (a new process, a new gid).
    fn respawn(&mut self, name: &str) {
        self.log(format!("mds.{name} respawn!"));
        self.start_daemon(name);
    }

    fn enter(&mut self, name: &str, state: DaemonState) {
        if let Some(d) = self.daemons.get_mut(name) {
            d.state = state;
            d.history.push(state);
        }
    }

    /// `MDSDaemon::handle_mds_map`, then `MDSRankDispatcher::handle_mds_map` if it holds a
    /// rank.
    fn daemon_handle_map(&mut self, name: &str, epoch: u32, null: bool) -> String {
        let Some(d) = self.daemons.get(name).cloned() else {
            return String::new();
        };
        if !null && epoch <= d.map_epoch {
            return format!(
                "mds.{name} discards old map e{epoch} (has e{}).",
                d.map_epoch
            );
        }
        let empty = FsMap::default();
        let oldmap = self.mon.at_epoch(d.map_epoch).cloned().unwrap_or_default();
        let newmap = if null {
            empty
        } else {
            self.mon.at_epoch(epoch).cloned().unwrap_or_default()
        };
        let gid = d.gid;
        let old_state = oldmap.state_gid(gid);
        let new_state = newmap.state_gid(gid);
        if let Some(dd) = self.daemons.get_mut(name) {
            if !null {
                dd.map_epoch = epoch;
            }
        }
        self.changed = true;
        let shown = if null {
            "a null map".to_string()
        } else {
            format!("MDSMap e{epoch}")
        };
        self.log(format!("mds.{name} Updating MDS map to version {epoch}"));
        if old_state != DaemonState::Null && new_state == DaemonState::Null {
            self.log(format!("mds.{name} Map removed me [mds.{name}{{{}:{gid}}} state {}] from cluster; respawning!", d.rank.unwrap_or(-1), old_state.name()));
            let cur = d.chart_state().unwrap_or(S::Dne);
            let to = if d.want_state == DaemonState::Stopped {
                S::Stopped
            } else if d.want_state == DaemonState::Damaged {
                S::Damaged
            } else {
                S::Failed
            };
            if can_transit(cur, to) {
                self.daemon_transit(name, to, epoch);
                self.enter(
                    name,
                    match to {
                        S::Stopped => DaemonState::Stopped,
                        S::Damaged => DaemonState::Damaged,
                        _ => DaemonState::Null,
                    },
                );
            }
            self.respawn(name);
            return format!("mds.{name} gets {shown} without itself: the monitor removed it, so it respawns as a new daemon.");
        }
        let Some(fscid) = newmap.fscid_of(gid) else {
            if new_state == DaemonState::Standby && old_state == DaemonState::Null {
                self.log(format!(
                    "mds.{name} Monitors have assigned me to become a standby."
                ));
                if let Some(dd) = self.daemons.get_mut(name) {
                    dd.want_state = DaemonState::Standby;
                }
                self.daemon_transit(name, S::Standby, epoch);
                self.enter(name, DaemonState::Standby);
                self.changed = true;
                return format!("mds.{name} gets MDSMap e{epoch}: the monitor made it a standby.");
            }
            return format!(
                "mds.{name} gets {shown}: nothing changes for it ({}).",
                if new_state == DaemonState::Null {
                    "not in the map yet".to_string()
                } else {
                    new_state.name().to_string()
                }
            );
        };
        let fs = newmap.filesystems[&fscid].clone();
        let info = fs.mds_info[&gid].clone();
        let rank = info.rank.unwrap_or(0);
        // "monitor may skip sending me the STANDBY map": NULL counts as STANDBY.
        let oldstate = if old_state == DaemonState::Null {
            DaemonState::Standby
        } else {
            old_state
        };
        let state = new_state;
        if let Some(dd) = self.daemons.get_mut(name) {
            dd.rank = Some(rank);
            dd.fscid = Some(fscid);
            dd.inc = info.inc;
        }
        let oldfs = oldmap.filesystems.get(&fscid).cloned();
        let mut sentence = format!(
            "mds.{name} gets MDSMap e{epoch}: it stays {}.",
            state.name()
        );
        if oldstate != state {
            let who = self.who(name);
            if state == DaemonState::StandbyReplay {
                self.log(format!(
                    "{who} handle_mds_map i am now mds.{gid}.{} replaying mds.{rank}.{}",
                    info.inc, info.inc
                ));
            } else {
                self.log(format!("{who} handle_mds_map i am now {who}"));
            }
            self.log(format!(
                "{who} handle_mds_map state change {} --> {}",
                oldstate.name(),
                state.name()
            ));
            if let Some(dd) = self.daemons.get_mut(name) {
                dd.want_state = state;
            }
            self.daemon_transit(name, S::of(state), epoch);
            self.enter(name, state);
            self.changed = true;
            sentence = format!(
                "mds.{name} gets MDSMap e{epoch} and goes {} → {} (rank {rank}).",
                oldstate.name(),
                state.name()
            );
            if oldstate == DaemonState::StandbyReplay {
                self.log(format!(
                    "{who} Monitor activated us! Deactivating replay loop"
                ));
                self.takeover_final_pass(name);
            } else {
                if matches!(state, DaemonState::Active | DaemonState::ClientReplay)
                    && matches!(
                        oldstate,
                        DaemonState::Creating | DaemonState::Rejoin | DaemonState::Reconnect
                    )
                {
                    self.log(format!("{who} recovery_done -- successful recovery!"));
                }
                match state {
                    DaemonState::Active => self.log(format!("{who} active_start")),
                    DaemonState::Replay | DaemonState::StandbyReplay => {
                        self.replay_start(name, &fs)
                    }
                    DaemonState::Resolve => {
                        self.log(format!("{who} resolve_start"));
                        self.log(format!("{who} reopen_log"));
                        self.log_recovery_set(name, &fs);
                    }
                    DaemonState::Reconnect => self.reconnect_start(name, fscid, rank, oldstate),
                    DaemonState::Rejoin => self.log(format!("{who} rejoin_start")),
                    DaemonState::ClientReplay => {
                        self.log(format!("{who} clientreplay_start"));
                        self.queue_one_replay(name);
                    }
                    DaemonState::Creating => {
                        self.log(format!("{who} boot_create"));
                        let objs = objects::created(rank, self.journal_object(fscid, rank));
                        self.io(
                            name,
                            true,
                            objs,
                            (TimerKind::CreateDone, BOOT_CREATE_MS),
                            "boot_create: the new rank's journal, tables and directories",
                        );
                    }
                    DaemonState::Starting => {
                        self.log(format!(
                            "{who} Booting: 0: opening inotable, sessionmap, mds log"
                        ));
                        let mut objs = objects::boot_initial(rank);
                        objs.push(objects::purge_queue_header(rank));
                        objs.extend(objects::boot_open_root(rank));
                        self.io(
                            name,
                            false,
                            objs,
                            (TimerKind::StartingDone, 3 * BOOT_STEP_MS),
                            "boot_start of the stopped rank: tables, purge queue, mydir",
                        );
                    }
                    DaemonState::Stopping => {
                        self.log(format!("{who} Stopping..."));
                        if fs.in_.len() == 1 {
                            self.evict_all(fscid, rank, &who);
                        }
                        self.timer(name, EXPORT_MS, TimerKind::StoppingDone);
                    }
                    _ => {}
                }
            }
        }
        let code = state.code();
        // Did someone fail? (state >= RESOLVE): handle_mds_failure restarts my gathers.
        if (9..=14).contains(&code) {
            if let Some(ofs) = &oldfs {
                let newly_down: Vec<Rank> = fs
                    .down_set()
                    .into_iter()
                    .filter(|r| ofs.up.contains_key(r) && !ofs.down_set().contains(r))
                    .collect();
                let restarted: Vec<Rank> = fs
                    .up
                    .iter()
                    .filter(|(r, g)| ofs.up.get(r).is_some_and(|og| og != *g))
                    .map(|(r, _)| *r)
                    .collect();
                for r in newly_down.iter().chain(restarted.iter()) {
                    if *r != rank {
                        let who = self.who(name);
                        self.log(format!("{who} handle_mds_failure mds.{r}"));
                        if matches!(state, DaemonState::Resolve | DaemonState::Rejoin) {
                            // The resolve / rejoin gathers start again once the map allows.
                            if let Some(dd) = self.daemons.get_mut(name) {
                                dd.gen += 1;
                            }
                            self.timer(name, MDS_BEACON_INTERVAL_MS, TimerKind::Beacon);
                        }
                    }
                }
            }
            // RESOLVE: is someone newly resolving?
            let old_resolving = oldfs.as_ref().is_some_and(|o| o.is_resolving());
            if (!old_resolving || oldstate != state)
                && fs.is_resolving()
                && state == DaemonState::Resolve
            {
                let who = self.who(name);
                let set: Vec<String> = fs
                    .mds_info
                    .values()
                    .filter(|i| i.state == DaemonState::Resolve)
                    .filter_map(|i| i.rank)
                    .map(|r| r.to_string())
                    .collect();
                self.log(format!("{who}  resolve set is {}", set.join(",")));
                self.log_recovery_set(name, &fs);
                self.timer(name, RESOLVE_MS, TimerKind::ResolveDone);
            } else if state == DaemonState::Resolve
                && fs.is_resolving()
                && !self.has_timer(name, &TimerKind::ResolveDone)
            {
                self.timer(name, RESOLVE_MS, TimerKind::ResolveDone);
            } else if state == DaemonState::Resolve && !fs.is_resolving() {
                let who = self.who(name);
                self.log(format!(
                    "{who} resolve waits: another rank is still replaying or failed"
                ));
            }
        }
        // REJOIN: is everybody finally rejoining?
        if state == DaemonState::Rejoin {
            if fs.is_rejoining() {
                if !self.has_timer(name, &TimerKind::RejoinDone) {
                    let who = self.who(name);
                    self.log(format!("{who} rejoin_joint_start"));
                    let caps = self.daemons.get(name).map_or(0, |d| d.imported_caps) as u64;
                    self.timer(name, REJOIN_MS + caps, TimerKind::RejoinDone);
                }
            } else {
                let who = self.who(name);
                self.log(format!(
                    "{who} rejoin waits: another rank is not yet in rejoin"
                ));
            }
        }
        sentence
    }

    /// Another up rank whose daemon is dead: the resolve / rejoin gathers need an answer
    /// from every rank (MMDSResolve / MMDSCacheRejoin acks), so they cannot complete.
    fn silent_peer(&self, name: &str) -> Option<Rank> {
        let d = self.daemons.get(name)?;
        let fs = self.mon.at_epoch(d.map_epoch)?.filesystems.get(&d.fscid?)?;
        fs.up
            .iter()
            .filter(|(r, _)| Some(**r) != d.rank)
            .find(|(_, g)| !self.daemons.values().any(|o| o.alive && o.gid == **g))
            .map(|(r, _)| *r)
    }

    fn has_timer(&self, name: &str, kind: &TimerKind) -> bool {
        let gen = self.daemons.get(name).map_or(0, |d| d.gen);
        self.pending.values().any(|(_, ev)| matches!(ev, Ev::Timer { owner: Entity::Mds(n), gen: g, timer } if n == name && *g == gen && timer == kind))
    }

    fn log_recovery_set(&mut self, name: &str, fs: &MdsMap) {
        let me = self.daemons.get(name).and_then(|d| d.rank);
        let set: Vec<String> = fs
            .recovery_set()
            .into_iter()
            .filter(|r| Some(*r) != me)
            .map(|r| r.to_string())
            .collect();
        let who = self.who(name);
        self.log(format!("{who}  recovery set is {}", set.join(",")));
    }

    /// `MDSRank::replay_start` → `boot_start(MDS_BOOT_INITIAL)`.
    fn replay_start(&mut self, name: &str, fs: &MdsMap) {
        let who = self.who(name);
        let rank = self.daemons.get(name).and_then(|d| d.rank).unwrap_or(0);
        self.log(format!("{who} replay_start"));
        let standby = self
            .daemons
            .get(name)
            .is_some_and(|d| d.state == DaemonState::StandbyReplay);
        if let Some(d) = self.daemons.get_mut(name) {
            d.standby_replaying = standby;
        }
        if !standby {
            self.log_recovery_set(name, fs);
            // Beside a cluster the blocklist is not published in its OSDMap (not modelled).
            if fs.last_failure_osd_epoch > 0 && !self.rados {
                // The daemon's objecter has the OSDMap (no wait modelled).
                self.log(format!(
                    "{who}  waiting for osdmap {} (which blocklists prior instance)",
                    fs.last_failure_osd_epoch
                ));
            }
            self.log(format!(
                "{who} Booting: 0: opening inotable, sessionmap, mds log, purge queue"
            ));
            self.io(
                name,
                false,
                objects::boot_initial(rank),
                (TimerKind::BootStep, BOOT_STEP_MS),
                "MDS_BOOT_INITIAL: inotable, sessionmap, the journal pointer and header",
            );
        } else {
            let objs = self.journal_read_set(name);
            self.io(
                name,
                false,
                objs,
                (TimerKind::StandbyReplayPass, JOURNAL_REPLAY_MS),
                "standby-replay: the journal it follows",
            );
        }
    }

    /// Leaving standby-replay: `standby_replay_restart` (final takeover pass) →
    /// `boot_start(MDS_BOOT_PREPARE_LOG)`: the tables are loaded, only the journal's tail
    /// remains.
    fn takeover_final_pass(&mut self, name: &str) {
        let who = self.who(name);
        self.log(format!(
            "{who} standby_replay_restart (final takeover pass)"
        ));
        for _ in 0..2 {
            if let Some(d) = self.daemons.get_mut(name) {
                let mut micro = Vec::new();
                d.machine
                    .process(definition(), &mut (), MdsEvent::BootStep, &mut micro);
                self.machines.push(MachineSteps {
                    machine: format!("mds.{name}"),
                    micro,
                });
            }
        }
        if let Some(d) = self.daemons.get_mut(name) {
            d.standby_replaying = false;
        }
        let objs = self.journal_read_set(name);
        self.io(
            name,
            false,
            objs,
            (TimerKind::BootStep, BOOT_STEP_MS),
            "the final takeover pass: reread_head_and_probe of the journal",
        );
    }

    fn daemon_timer(&mut self, name: &str, timer: TimerKind) -> String {
        let who = self.who(name);
        match timer {
            TimerKind::Beacon => {
                self.send_beacon(name);
                self.timer(name, MDS_BEACON_INTERVAL_MS, TimerKind::Beacon);
                let want = self
                    .daemons
                    .get(name)
                    .map_or(DaemonState::Null, |d| d.want_state);
                format!("mds.{name} sends its beacon (want {}).", want.name())
            }
            TimerKind::BootStep => {
                let Some(d) = self.daemons.get_mut(name) else {
                    return String::new();
                };
                let mut micro = Vec::new();
                d.machine
                    .process(definition(), &mut (), MdsEvent::BootStep, &mut micro);
                self.machines.push(MachineSteps {
                    machine: format!("mds.{name}"),
                    micro,
                });
                let now_at = self.daemons.get(name).and_then(|d| d.chart_state());
                match now_at {
                    Some(S::BootOpenRoot) => {
                        self.log(format!("{who} Booting: 1: loading/discovering base inodes"));
                        let rank = self.daemons.get(name).and_then(|d| d.rank).unwrap_or(0);
                        self.io(
                            name,
                            false,
                            objects::boot_open_root(rank),
                            (TimerKind::BootStep, BOOT_STEP_MS),
                            "MDS_BOOT_OPEN_ROOT: the base inodes",
                        );
                        format!("{who} has its tables open and loads the base inodes (MDS_BOOT_OPEN_ROOT).")
                    }
                    Some(S::BootPrepareLog) => {
                        self.log(format!("{who} Booting: 2: replaying mds log"));
                        let (f, rank) = self
                            .daemons
                            .get(name)
                            .map_or((0, 0), |d| (d.fscid.unwrap_or(0), d.rank.unwrap_or(0)));
                        let objs = objects::boot_prepare_log(rank, self.journal_object(f, rank));
                        self.io(
                            name,
                            false,
                            objs,
                            (TimerKind::BootStep, JOURNAL_REPLAY_MS),
                            "MDS_BOOT_PREPARE_LOG: the purge queue and the journal's entries",
                        );
                        format!("{who} replays the journal (MDS_BOOT_PREPARE_LOG).")
                    }
                    _ => {
                        self.log(format!("{who} Booting: 3: replay done"));
                        self.replay_done(name)
                    }
                }
            }
            TimerKind::StandbyReplayPass => {
                self.log(format!(
                    "{who} Finished replaying journal as standby-replay"
                ));
                format!("mds.{name} has caught up with the journal it follows (the replay loop every mds_replay_interval is not stepped).")
            }
            TimerKind::CreateDone => {
                self.log(format!("{who} creating_done"));
                self.request_state(name, DaemonState::Active);
                format!(
                    "{who} has written the new rank's journal and tables and asks to be active."
                )
            }
            TimerKind::StartingDone => {
                self.log(format!(
                    "{who} Booting: 2: positioning at end of old mds log"
                ));
                self.log(format!("{who} starting_done"));
                self.request_state(name, DaemonState::Active);
                format!("{who} has loaded the stopped rank and asks to be active.")
            }
            TimerKind::ResolveDone => {
                if let Some(r) = self.silent_peer(name) {
                    self.changed = true;
                    self.log(format!("{who} resolve waits for mds.{r}'s resolve ack (its daemon does not answer)"));
                    return format!("{who} cannot finish resolve: rank {r}'s daemon does not answer; it waits for the map to change.");
                }
                self.log(format!("{who} resolve_done"));
                self.request_state(name, DaemonState::Reconnect);
                format!("{who} has resolved cross-rank operations with the other ranks and asks for reconnect.")
            }
            TimerKind::ReconnectTimeout => self.reconnect_timeout(name),
            TimerKind::RejoinDone => {
                if let Some(r) = self.silent_peer(name) {
                    self.changed = true;
                    self.log(format!("{who} rejoin waits for mds.{r}'s cache rejoin ack (its daemon does not answer)"));
                    return format!("{who} cannot finish rejoin: rank {r}'s daemon does not answer; it waits for the map to change.");
                }
                self.log(format!("{who} rejoin_done"));
                let queue = self.daemons.get(name).map_or(0, |d| d.replay_queue);
                if queue == 0 {
                    self.request_state(name, DaemonState::Active);
                    format!("{who} has rejoined the cache; no client requests to replay, so it asks to be active.")
                } else {
                    self.request_state(name, DaemonState::ClientReplay);
                    format!("{who} has rejoined the cache; {queue} client requests wait to be replayed, so it asks for clientreplay.")
                }
            }
            TimerKind::ClientReplayOne => {
                if let Some(d) = self.daemons.get_mut(name) {
                    d.replay_queue = d.replay_queue.saturating_sub(1);
                }
                self.log(format!("{who}  replayed one client request"));
                self.queue_one_replay(name);
                format!("{who} replays a client request.")
            }
            TimerKind::StoppingDone => {
                self.log(format!("{who} Finished stopping..."));
                if let (Some(f), Some(r)) = self
                    .daemons
                    .get(name)
                    .map_or((None, None), |d| (d.fscid, d.rank))
                {
                    // Its sessions moved to the remaining ranks (the export is not modelled).
                    self.sessionmaps.remove(&(f, r));
                    for c in self.clients.values_mut() {
                        c.sessions.remove(&r);
                    }
                }
                self.request_state(name, DaemonState::Stopped);
                format!(
                    "{who} has exported its subtrees and flushed its journal; it reports stopped."
                )
            }
            TimerKind::MonTick | TimerKind::Propose => String::new(),
        }
    }

    /// `MDSRank::replay_done`.
    fn replay_done(&mut self, name: &str) -> String {
        let who = self.who(name);
        let Some(d) = self.daemons.get(name).cloned() else {
            return String::new();
        };
        self.log(format!("{who} replay_done"));
        self.log(format!("{who} making mds journal writeable"));
        let fs = d.fscid.and_then(|f| {
            self.mon
                .at_epoch(d.map_epoch)
                .and_then(|m| m.filesystems.get(&f))
                .cloned()
        });
        let alone = fs
            .as_ref()
            .is_some_and(|f| f.in_.len() == 1 && f.failed.is_empty());
        if alone {
            self.log(format!("{who} i am alone, moving to state reconnect"));
            self.request_state(name, DaemonState::Reconnect);
            format!("{who} finished replaying the journal; it is the only rank, so it asks for reconnect.")
        } else {
            self.log(format!("{who} i am not alone, moving to state resolve"));
            self.request_state(name, DaemonState::Resolve);
            format!(
                "{who} finished replaying the journal; other ranks exist, so it asks for resolve."
            )
        }
    }

    /// `MDSRank::reconnect_start` → `Server::reconnect_clients`.
    fn reconnect_start(&mut self, name: &str, fscid: Fscid, rank: Rank, last: DaemonState) {
        let who = self.who(name);
        self.log(format!("{who} reconnect_start"));
        if last == DaemonState::Replay {
            self.log(format!("{who} reopen_log"));
        }
        let sessions: Vec<u64> = self
            .sessionmaps
            .get(&(fscid, rank))
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default();
        self.log(format!(
            "{who}.server reconnect_clients -- {} sessions",
            sessions.len()
        ));
        let now = self.now;
        if let Some(d) = self.daemons.get_mut(name) {
            d.reconnect_wait = sessions.iter().copied().collect();
            d.reconnect_started_ms = now;
            d.imported_caps = 0;
            d.replay_queue = 0;
        }
        if sessions.is_empty() {
            self.log(format!("{who} reconnect_done"));
            self.request_state(name, DaemonState::Rejoin);
        } else {
            self.timer(name, MDS_RECONNECT_TIMEOUT_MS, TimerKind::ReconnectTimeout);
        }
    }

    /// `Server::handle_client_reconnect`.
    fn handle_client_reconnect(
        &mut self,
        name: &str,
        client: u64,
        rank: Rank,
        caps: u32,
        unsafe_requests: u32,
    ) -> String {
        let who = self.who(name);
        let Some(d) = self.daemons.get_mut(name) else {
            return String::new();
        };
        if d.state != DaemonState::Reconnect
            || d.rank != Some(rank)
            || !d.reconnect_wait.remove(&client)
        {
            return format!("{who} ignores client.{client}'s reconnect: not waiting for it.");
        }
        d.imported_caps += caps;
        d.replay_queue += unsafe_requests;
        let after = (self.now - d.reconnect_started_ms) as f64 / 1000.0;
        let done = d.reconnect_wait.is_empty();
        self.log(format!(
            "log [DBG] : reconnect by client.{client} after {after:.6}"
        ));
        self.changed = true;
        if done {
            if let Some(d) = self.daemons.get_mut(name) {
                d.gen += 1;
            }
            self.timer(name, MDS_BEACON_INTERVAL_MS, TimerKind::Beacon);
            self.log(format!("{who} reconnect_done"));
            self.request_state(name, DaemonState::Rejoin);
            format!("client.{client} reconnects to {who} with {caps} caps and {unsafe_requests} unsafe requests; every session is back, so {who} asks for rejoin.")
        } else {
            format!("client.{client} reconnects to {who} with {caps} caps and {unsafe_requests} unsafe requests.")
        }
    }

    /// `Server::reconnect_tick`: after mds_reconnect_timeout the missing clients are evicted.
    fn reconnect_timeout(&mut self, name: &str) -> String {
        let who = self.who(name);
        let Some(d) = self.daemons.get(name).cloned() else {
            return String::new();
        };
        if d.state != DaemonState::Reconnect {
            return format!("{who}'s reconnect timer fired after it left reconnect: ignored.");
        }
        let (Some(f), Some(r)) = (d.fscid, d.rank) else {
            return String::new();
        };
        for c in &d.reconnect_wait {
            self.log(format!("{who}.server reconnect gave up on client.{c}"));
            self.log(format!("log [WRN] : evicting unresponsive client client.{c}, after waiting {} seconds during MDS startup", MDS_RECONNECT_TIMEOUT_MS / 1000));
            if let Some(m) = self.sessionmaps.get_mut(&(f, r)) {
                m.remove(c);
            }
            if let Some(cl) = self.clients.get_mut(c) {
                cl.sessions.remove(&r);
                cl.evicted = true;
            }
        }
        if let Some(dd) = self.daemons.get_mut(name) {
            dd.reconnect_wait.clear();
        }
        self.log(format!("{who} reconnect_done"));
        self.request_state(name, DaemonState::Rejoin);
        format!("{who} waited mds_reconnect_timeout (45 s): it evicts the clients that did not reconnect and asks for rejoin.")
    }

    /// `MDSRank::queue_one_replay` / `maybe_clientreplay_done`.
    fn queue_one_replay(&mut self, name: &str) {
        let queue = self.daemons.get(name).map_or(0, |d| d.replay_queue);
        if queue > 0 {
            self.timer(name, CLIENT_REQUEST_MS, TimerKind::ClientReplayOne);
        } else {
            let who = self.who(name);
            self.log(format!("{who} clientreplay_done"));
            self.request_state(name, DaemonState::Active);
        }
    }

    fn evict_all(&mut self, fscid: Fscid, rank: Rank, who: &str) {
        if let Some(m) = self.sessionmaps.remove(&(fscid, rank)) {
            for c in m.keys() {
                self.lines.push(format!(
                    "{who} Evicting client.{c} (stopping the last rank)"
                ));
                if let Some(cl) = self.clients.get_mut(c) {
                    cl.sessions.remove(&rank);
                }
            }
        }
    }

    // ---- clients -------------------------------------------------------------------

    /// The client's MDSMap subscription: a rank it has a session with is in reconnect
    /// under a new incarnation → MClientReconnect with its caps and unsafe requests.
    fn client_handle_map(&mut self, id: u64, epoch: u32) -> String {
        let Some(map) = self.mon.at_epoch(epoch).cloned() else {
            return String::new();
        };
        let Some(c) = self.clients.get_mut(&id) else {
            return String::new();
        };
        if epoch <= c.map_epoch {
            return format!("client.{id} discards old map e{epoch}.");
        }
        c.map_epoch = epoch;
        let Some(fs) = c.fs.and_then(|f| map.filesystems.get(&f)) else {
            return format!("client.{id} gets MDSMap e{epoch}.");
        };
        let mut sends = Vec::new();
        if c.responsive {
            for (rank, s) in c.sessions.iter_mut() {
                if fs.rank_state(*rank) == DaemonState::Reconnect {
                    let gid = fs.up[rank];
                    let info = &fs.mds_info[&gid];
                    if s.reconnected_inc != info.inc {
                        s.reconnected_inc = info.inc;
                        sends.push((info.name.clone(), gid, *rank, s.caps, s.unsafe_requests));
                    }
                }
            }
        }
        if sends.is_empty() {
            return format!("client.{id} gets MDSMap e{epoch}.");
        }
        let mut parts = Vec::new();
        for (name, gid, rank, caps, unsafe_requests) in sends {
            self.send(
                Entity::Client(id),
                Entity::Mds(name.clone()),
                Some(gid),
                Msg::ClientReconnect {
                    client: id,
                    rank,
                    caps,
                    unsafe_requests,
                },
            );
            parts.push(format!("mds.{name} (rank {rank})"));
        }
        self.changed = true;
        format!("client.{id} gets MDSMap e{epoch}: its rank is in reconnect, so it sends MClientReconnect to {}.", parts.join(", "))
    }

    // ---- user actions --------------------------------------------------------------

    fn fscid(&self, fs: &str) -> Result<Fscid, String> {
        self.mon
            .pending
            .fs_by_name(fs)
            .map(|f| f.fscid)
            .ok_or_else(|| format!("no filesystem named '{fs}'"))
    }

    fn apply(&mut self, action: MdsAction) -> Result<String, String> {
        self.changed = true;
        match action {
            MdsAction::Start { mds } => {
                if self.daemons.get(&mds).is_some_and(|d| d.alive) {
                    return Err(format!("mds.{mds} is already running"));
                }
                self.start_daemon(&mds);
                Ok(format!(
                    "ceph-mds -i {mds} starts and sends a BOOT beacon to the monitor."
                ))
            }
            MdsAction::Kill { mds } => {
                let Some(d) = self.daemons.get_mut(&mds).filter(|d| d.alive) else {
                    return Err(format!("mds.{mds} is not running"));
                };
                d.alive = false;
                d.gen += 1;
                // Its Objecter ops die with the process (the OSDs may still apply a write
                // already sent; nobody waits for the answer).
                self.rados_ops
                    .retain(|_, o| o.owner.as_deref() != Some(mds.as_str()));
                let (state, gid) = (d.state, d.gid);
                d.history.push(DaemonState::Dne);
                self.log(format!("mds.{mds} (gid {gid}) killed in {}", state.name()));
                Ok(format!(
                    "mds.{mds}'s process dies while {}: it sends no more beacons.",
                    state.name()
                ))
            }
            MdsAction::FsNew {
                fs,
                metadata_pool,
                data_pool,
            } => {
                if self.mon.pending.fs_by_name(&fs).is_some() {
                    return Err(format!("filesystem '{fs}' already exists"));
                }
                let fscid = self
                    .mon
                    .pending
                    .create_filesystem(&fs, &metadata_pool, &data_pool);
                self.mon.dirty = true;
                for c in self.clients.values_mut() {
                    c.fs.get_or_insert(fscid);
                }
                self.log(format!(
                    "mon: new fs with metadata pool {metadata_pool} and data pool {data_pool}"
                ));
                Ok(format!("ceph fs new {fs} {metadata_pool} {data_pool}: the monitor adds filesystem '{fs}' (fscid {fscid}) with no ranks yet."))
            }
            MdsAction::SetMaxMds { fs, max_mds } => {
                let f = self.fscid(&fs)?;
                if !(0..=256).contains(&max_mds) {
                    return Err(format!("max_mds: {max_mds} (need 0..=256)"));
                }
                if let Some(m) = self.mon.pending.filesystems.get_mut(&f) {
                    m.max_mds = max_mds;
                }
                self.mon.dirty = true;
                Ok(format!("ceph fs set {fs} max_mds {max_mds}."))
            }
            MdsAction::SetAllowStandbyReplay { fs, allow } => {
                let f = self.fscid(&fs)?;
                if let Some(m) = self.mon.pending.filesystems.get_mut(&f) {
                    m.allow_standby_replay = allow;
                }
                self.mon.dirty = true;
                Ok(format!("ceph fs set {fs} allow_standby_replay {allow}."))
            }
            MdsAction::SetJoinable { fs, joinable } => {
                let f = self.fscid(&fs)?;
                if let Some(m) = self.mon.pending.filesystems.get_mut(&f) {
                    m.joinable = joinable;
                }
                self.mon.dirty = true;
                Ok(format!("ceph fs set {fs} joinable {joinable}."))
            }
            MdsAction::Mount { client, fs } => {
                let f = match &fs {
                    Some(name) => self
                        .fsmap()
                        .fs_by_name(name)
                        .map(|m| m.fscid)
                        .ok_or_else(|| format!("no filesystem named '{name}'"))?,
                    None => *self
                        .fsmap()
                        .filesystems
                        .keys()
                        .next()
                        .ok_or("no filesystem to mount")?,
                };
                let map = self.fsmap().filesystems[&f].clone();
                let Some(c) = self.clients.get_mut(&client) else {
                    return Err(format!("client.{client} is not in the scenario"));
                };
                c.fs = Some(f);
                let active: Vec<Rank> = map
                    .up
                    .keys()
                    .copied()
                    .filter(|r| map.rank_state(*r) == DaemonState::Active)
                    .collect();
                if active.is_empty() {
                    return Err(format!(
                        "client.{client} cannot mount {}: no active rank",
                        map.fs_name
                    ));
                }
                let (caps, unsafe_requests) = (c.caps, c.unsafe_requests);
                for r in &active {
                    let inc = map.mds_info[&map.up[r]].inc;
                    let s = ClientSession {
                        caps,
                        unsafe_requests,
                        reconnected_inc: inc,
                    };
                    c.sessions.insert(*r, s.clone());
                    self.sessionmaps
                        .entry((f, *r))
                        .or_default()
                        .insert(client, s);
                }
                let ranks: Vec<String> = active.iter().map(|r| r.to_string()).collect();
                Ok(format!("client.{client} mounts {} and opens sessions with rank(s) {} ({caps} caps, {unsafe_requests} unsafe requests each).", map.fs_name, ranks.join(",")))
            }
            MdsAction::MetadataOps { client, ops } => self.metadata_ops(client, ops),
            MdsAction::Repaired { fs, rank } => {
                let f = self.fscid(&fs)?;
                if self.mon.pending.undamaged(f, rank) {
                    self.mon.dirty = true;
                    self.log(format!("mon: repaired: restoring rank {fs}:{rank}"));
                    Ok(format!("ceph mds repaired {fs}:{rank}: the monitor moves the rank from damaged back to failed (FSMap::undamaged), so a standby can take it."))
                } else {
                    self.log(format!("mon: repaired: no-op on rank {fs}:{rank}"));
                    Ok(format!(
                        "ceph mds repaired {fs}:{rank}: the rank is not damaged, nothing to do."
                    ))
                }
            }
            MdsAction::JournalReset { fs, rank } => self.journal_reset(&fs, rank),
            MdsAction::Hang { client } => {
                let Some(c) = self.clients.get_mut(&client) else {
                    return Err(format!("client.{client} is not in the scenario"));
                };
                c.responsive = false;
                Ok(format!("client.{client} hangs: it will not reconnect."))
            }
        }
    }

    /// The client's updates go to the first rank it has a session with; its daemon
    /// journals them (`MDLog::submit_entry`, EUpdate) to the current journal object.
    fn metadata_ops(&mut self, client: u64, ops: u32) -> Result<String, String> {
        let c = self
            .clients
            .get(&client)
            .ok_or_else(|| format!("client.{client} is not in the scenario"))?;
        let (Some(f), Some(rank)) = (c.fs, c.sessions.keys().next().copied()) else {
            return Err(format!("client.{client} has no session (mount first)"));
        };
        let map = self
            .fsmap()
            .filesystems
            .get(&f)
            .cloned()
            .ok_or("no filesystem")?;
        if map.rank_state(rank) != DaemonState::Active {
            return Err(format!(
                "client.{client}: rank {rank} is {}, not active (requests wait)",
                map.rank_state(rank).name()
            ));
        }
        let holder = map.mds_info[&map.up[&rank]].name.clone();
        let obj = objects::journal_object(rank, self.journal_object(f, rank));
        if self.rados {
            let gen = self.daemons.get(&holder).map_or(0, |d| d.gen);
            let what = format!("EUpdate x{ops} from client.{client}");
            self.submit_op(
                Some(&holder),
                gen,
                true,
                map.metadata_pool.clone(),
                vec![obj.clone()],
                None,
                &what,
            );
        }
        Ok(format!("client.{client} makes {ops} metadata changes: mds.{holder} (rank {rank}) journals them to {obj}."))
    }

    /// `cephfs-journal-tool journal reset` (Resetter::reset): a new header and an
    /// EResetJournal at the next object; the old entries are never read again. The tool
    /// works on an offline rank (the disaster-recovery procedure): a rank some daemon
    /// holds is refused here.
    fn journal_reset(&mut self, fs: &str, rank: Rank) -> Result<String, String> {
        let f = self.fscid(fs)?;
        let map = self
            .fsmap()
            .filesystems
            .get(&f)
            .cloned()
            .ok_or("no filesystem")?;
        if !map.in_.contains(&rank) && !map.damaged.contains(&rank) {
            return Err(format!("{fs}:{rank} is not a rank of the filesystem"));
        }
        if let Some(g) = map.up.get(&rank) {
            return Err(format!(
                "{fs}:{rank} is held by mds.{} ({}): stop it first",
                map.mds_info[g].name,
                map.mds_info[g].state.name()
            ));
        }
        let old = self.journal_object(f, rank);
        self.journal_objects.insert((f, rank), old + 1);
        let header = objects::journal_header(rank);
        let new = objects::journal_object(rank, old + 1);
        if self.rados {
            self.submit_op(
                None,
                0,
                true,
                map.metadata_pool.clone(),
                vec![header.clone(), new.clone()],
                None,
                &format!("journal reset of {fs}:{rank}"),
            );
        }
        Ok(format!("cephfs-journal-tool --rank={fs}:{rank} journal reset: a new {header} whose entries start at {new}; the events in {} are dropped (metadata not yet written back to its directories is lost).", objects::journal_object(rank, old)))
    }

    /// Each daemon's state line: `mds.a gid 4100 up:active rank 0 (cephfs)`.
    pub fn state_lines(&self) -> Vec<String> {
        let map = self.fsmap();
        self.daemons
            .values()
            .map(|d| {
                if !d.alive {
                    return format!("mds.{} (gid {}) not running", d.name, d.gid);
                }
                let path = d.machine.path(definition());
                match map.info(d.gid) {
                    Some(i) => format!(
                        "mds.{} gid {} {}{} [daemon: {path}]",
                        d.name,
                        d.gid,
                        i.state.name(),
                        i.rank.map_or(String::new(), |r| format!(" rank {r}"))
                    ),
                    None => format!(
                        "mds.{} gid {} not in the FSMap [daemon: {path}]",
                        d.name, d.gid
                    ),
                }
            })
            .collect()
    }

    /// `ceph fs status`, as the mgr status module prints it (DNS/INOS/DIRS are not
    /// modelled: 0; CAPS are the clients' caps with the rank; pool usage is not modelled).
    pub fn fs_status(&self) -> String {
        let map = self.fsmap();
        let mut out = String::new();
        for fs in map.filesystems.values() {
            let mut rows = Vec::new();
            for rank in &fs.in_ {
                match fs.up.get(rank).and_then(|g| fs.mds_info.get(g)) {
                    Some(info) => {
                        let mut state = info
                            .state
                            .name()
                            .split(':')
                            .nth(1)
                            .unwrap_or("")
                            .to_string();
                        if info.laggy_since.is_some() {
                            state.push_str("(laggy)");
                        }
                        let activity = if state == "active" {
                            "Reqs:    0 /s".to_string()
                        } else {
                            String::new()
                        };
                        let caps: u32 = self
                            .sessionmaps
                            .get(&(fs.fscid, *rank))
                            .map_or(0, |m| m.values().map(|s| s.caps).sum());
                        rows.push(vec![
                            rank.to_string(),
                            state,
                            info.name.clone(),
                            activity,
                            "0".into(),
                            "0".into(),
                            "0".into(),
                            caps.to_string(),
                        ]);
                    }
                    None => rows.push(vec![
                        rank.to_string(),
                        "failed".into(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]),
                }
            }
            for info in fs
                .mds_info
                .values()
                .filter(|i| i.state == DaemonState::StandbyReplay)
            {
                rows.push(vec![
                    format!("{}-s", info.rank.unwrap_or(0)),
                    "standby-replay".into(),
                    info.name.clone(),
                    "Evts:    0 /s".into(),
                    "0".into(),
                    "0".into(),
                    "0".into(),
                    "0".into(),
                ]);
            }
            let clients = fs
                .up
                .keys()
                .next()
                .and_then(|r| self.sessionmaps.get(&(fs.fscid, *r)))
                .map_or(0, |m| m.len());
            out.push_str(&format!("{} - {} clients\n", fs.fs_name, clients));
            out.push_str(&"=".repeat(fs.fs_name.len()));
            out.push('\n');
            out.push_str(&super::fsmap::pretty_table(
                &[
                    "RANK", "STATE", "MDS", "ACTIVITY", "DNS", "INOS", "DIRS", "CAPS",
                ],
                &rows,
            ));
            let pools: Vec<Vec<String>> = std::iter::once(vec![
                fs.metadata_pool.clone(),
                "metadata".into(),
                "-".into(),
                "-".into(),
            ])
            .chain(
                fs.data_pools
                    .iter()
                    .map(|p| vec![p.clone(), "data".into(), "-".into(), "-".into()]),
            )
            .collect();
            out.push('\n');
            out.push_str(&super::fsmap::pretty_table(
                &["POOL", "TYPE", "USED", "AVAIL"],
                &pools,
            ));
        }
        out.push('\n');
        let standbys: Vec<Vec<String>> = map
            .standby_daemons
            .values()
            .map(|i| vec![i.name.clone()])
            .collect();
        out.push_str(&super::fsmap::pretty_table(&["STANDBY MDS"], &standbys));
        out
    }

    /// The ranks' state histories, `cephfs:0` → states.
    pub fn rank_histories(&self) -> BTreeMap<String, Vec<DaemonState>> {
        let map = self.fsmap();
        self.rank_machines
            .iter()
            .map(|((f, r), (_, _, h))| {
                let name = map
                    .filesystems
                    .get(f)
                    .map_or(f.to_string(), |m| m.fs_name.clone());
                (format!("{name}:{r}"), h.clone())
            })
            .collect()
    }

    /// The Ceph function each recorded transition of a step was made by.
    pub fn explain(from: S, to: S) -> Option<&'static str> {
        edge_ceph(from, to)
    }
}

/// What the FSMap says a rank is (the chart state, and the state recorded in its history:
/// STATE_NULL for down:failed), and who holds it (0: nobody).
fn rank_view(fs: &MdsMap, rank: Rank) -> (S, DaemonState, Gid) {
    if let Some(g) = fs.up.get(&rank) {
        let st = fs.mds_info.get(g).map_or(DaemonState::Null, |i| i.state);
        (S::of(st), st, *g)
    } else if fs.damaged.contains(&rank) {
        (S::Damaged, DaemonState::Damaged, 0)
    } else if fs.failed.contains(&rank) {
        (S::Failed, DaemonState::Null, 0)
    } else if fs.stopped.contains(&rank) {
        (S::Stopped, DaemonState::Stopped, 0)
    } else {
        (S::Dne, DaemonState::Dne, 0)
    }
}

/// How Ceph prints an errno (`cpp_strerror`).
fn errno_text(errno: i32) -> String {
    match errno {
        -2 => "(2) No such file or directory".into(),
        -22 => "(22) Invalid argument".into(),
        e => format!("({}) error", -e),
    }
}

fn describe(ev: &Ev) -> String {
    match ev {
        Ev::Msg { from, to, msg, .. } => match msg {
            Msg::Beacon {
                want_state, seq, ..
            } => format!("{from} → mon: beacon want {} seq {seq}", want_state.name()),
            Msg::MdsMap { epoch } => format!("mon → {to}: MDSMap e{epoch}"),
            Msg::NullMap => format!("mon → {to}: null MDSMap"),
            Msg::ClientReconnect { rank, caps, .. } => {
                format!("{from} → {to}: MClientReconnect rank {rank} ({caps} caps)")
            }
        },
        Ev::Timer { owner, timer, .. } => format!("{owner}: {timer:?} timer"),
    }
}
