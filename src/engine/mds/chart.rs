//! The MDS state machine as data, on the generic statechart runtime: the states of
//! `MDSMap::DaemonState` labelled as `ceph_mds_state_name` prints them, the rank-level
//! `down:*` states of Ceph's doc/cephfs/mds-state-diagram.dot, and the boot steps of
//! `MDSRank::boot_start` (MDS_BOOT_INITIAL … MDS_BOOT_REPLAY_DONE) inside `up:replay`.
//!
//! One definition, two kinds of instance in the world (see `world.rs`): each daemon's
//! machine follows what the daemon itself is (MDSDaemon / MDSRank `handle_mds_map`), each
//! rank's machine follows what the FSMap says the rank is (its holder's state, or
//! failed / damaged / stopped / dne) — Ceph's diagram mixes both, so every one of its edges
//! is a transition one of the two takes. State names are Ceph's enum names (DOT-safe), the
//! paths are what Ceph prints.

use super::state::DaemonState;
use crate::engine::statechart::Event;
use crate::engine::statechart::{
    EventMatch, MachineDef, Outcome, Posts, ReactionDef, ReactionKind, StateDef, StateId,
};
use std::sync::OnceLock;

/// What drives an MDS machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MdsEvent {
    /// The daemon process starts (`MDSDaemon::init`, the Beacon starts with want_state BOOT).
    Start,
    /// A new map moves the machine to `to` (the daemon: `MDSDaemon::handle_mds_map` /
    /// `MDSRankDispatcher::handle_mds_map`; a rank: the FSMap the monitor committed).
    MdsMap { epoch: u32, to: S },
    /// A boot step's I/O finished (`C_MDS_BootStart::finish` → `MDSRank::boot_start(next)`).
    BootStep,
}

pub const EVENT_NAMES: [&str; 3] = ["Start", "MMDSMap", "BootStep"];

impl Event for MdsEvent {
    fn name(&self) -> &'static str {
        match self {
            MdsEvent::Start => "Start",
            MdsEvent::MdsMap { .. } => "MMDSMap",
            MdsEvent::BootStep => "BootStep",
        }
    }
    fn describe(&self) -> String {
        match self {
            MdsEvent::Start => "Start".into(),
            MdsEvent::MdsMap { epoch, to } => {
                format!("MMDSMap e{epoch} ({})", definition().states[to.id()].path)
            }
            MdsEvent::BootStep => "BootStep".into(),
        }
    }
}

/// The host the reactions see: nothing (the world decides, the machine records).
pub type MdsDef = MachineDef<(), MdsEvent>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(usize)]
pub enum S {
    Dne,
    Boot,
    Standby,
    StandbyReplay,
    Creating,
    Starting,
    Replay,
    BootInitial,
    BootOpenRoot,
    BootPrepareLog,
    BootReplayDone,
    Resolve,
    Reconnect,
    Rejoin,
    ClientReplay,
    Active,
    Stopping,
    Failed,
    Damaged,
    Stopped,
}

impl S {
    pub const fn id(self) -> StateId {
        self as usize
    }

    pub fn from_id(id: StateId) -> Option<S> {
        ALL.get(id).copied()
    }

    /// The machine state for a daemon state (`up:replay` is entered at MDS_BOOT_INITIAL).
    pub fn of(state: DaemonState) -> S {
        use DaemonState as D;
        match state {
            D::Null | D::Dne => S::Dne,
            D::Boot => S::Boot,
            D::Standby => S::Standby,
            D::StandbyReplay => S::StandbyReplay,
            D::Creating => S::Creating,
            D::Starting => S::Starting,
            D::Replay => S::Replay,
            D::Resolve => S::Resolve,
            D::Reconnect => S::Reconnect,
            D::Rejoin => S::Rejoin,
            D::ClientReplay => S::ClientReplay,
            D::Active => S::Active,
            D::Stopping => S::Stopping,
            D::Stopped => S::Stopped,
            D::Damaged => S::Damaged,
        }
    }

    /// The FSMap state a machine state stands for (`down:failed` and `down:dne` are no
    /// daemon's state: Null and Dne).
    pub fn daemon_state(self) -> DaemonState {
        use DaemonState as D;
        match self.outer() {
            S::Dne => D::Dne,
            S::Failed => D::Null,
            S::Boot => D::Boot,
            S::Standby => D::Standby,
            S::StandbyReplay => D::StandbyReplay,
            S::Creating => D::Creating,
            S::Starting => D::Starting,
            S::Replay => D::Replay,
            S::Resolve => D::Resolve,
            S::Reconnect => D::Reconnect,
            S::Rejoin => D::Rejoin,
            S::ClientReplay => D::ClientReplay,
            S::Active => D::Active,
            S::Stopping => D::Stopping,
            S::Stopped => D::Stopped,
            S::Damaged => D::Damaged,
            _ => D::Null,
        }
    }

    /// The state, collapsing the boot steps into `up:replay`.
    pub fn outer(self) -> S {
        match self {
            S::BootInitial | S::BootOpenRoot | S::BootPrepareLog | S::BootReplayDone => S::Replay,
            s => s,
        }
    }
}

const ALL: [S; 20] = [
    S::Dne,
    S::Boot,
    S::Standby,
    S::StandbyReplay,
    S::Creating,
    S::Starting,
    S::Replay,
    S::BootInitial,
    S::BootOpenRoot,
    S::BootPrepareLog,
    S::BootReplayDone,
    S::Resolve,
    S::Reconnect,
    S::Rejoin,
    S::ClientReplay,
    S::Active,
    S::Stopping,
    S::Failed,
    S::Damaged,
    S::Stopped,
];

/// The MDS machine definition (built once).
pub fn definition() -> &'static MdsDef {
    static DEF: OnceLock<MdsDef> = OnceLock::new();
    DEF.get_or_init(build)
}

/// Every `MMDSMap` reaction's handler: go where the map says (the world checks the move
/// with [`can_transit`] first, so the runtime's declared-target check never fires).
fn to_map_state(_: &mut (), event: &MdsEvent, _: &mut Posts<MdsEvent>) -> Outcome {
    match event {
        MdsEvent::MdsMap { to, .. } => Outcome::Transit(to.id()),
        _ => Outcome::Discard,
    }
}

/// One edge of the chart: (from, to, the Ceph function that makes it).
pub struct Edge {
    pub from: S,
    pub to: S,
    pub ceph: &'static str,
}

/// The `MMDSMap` edges, per source state, in the order the reactions are declared. Each
/// names the Ceph code that makes the move; the ones marked "extra" are not drawn in
/// Ceph's mds-state-diagram.dot.
pub const MAP_EDGES: &[(S, S, &str)] = &[
    // extra (rank): FSMap::promote of a rank not in `in` → STATE_CREATING
    // (MDSMonitor::maybe_resize_cluster).
    (
        S::Dne,
        S::Creating,
        "FSMap::promote (rank not in: creating), from MDSMonitor::maybe_resize_cluster",
    ),
    // MDSDaemon::handle_mds_map: "Monitors have assigned me to become a standby."
    // (MDSMonitor::prepare_beacon inserted the BOOT beacon's gid as STATE_STANDBY).
    (
        S::Boot,
        S::Standby,
        "MDSMonitor::prepare_beacon (BOOT: FSMap::insert as standby); MDSDaemon::handle_mds_map",
    ),
    // FSMap::assign_standby_replay, from MDSMonitor::maybe_promote_standby.
    (
        S::Standby,
        S::StandbyReplay,
        "FSMap::assign_standby_replay, from MDSMonitor::maybe_promote_standby",
    ),
    // FSMap::promote: a rank never in → CREATING.
    (
        S::Standby,
        S::Creating,
        "FSMap::promote (new rank), from MDSMonitor::maybe_resize_cluster",
    ),
    // FSMap::promote: a stopped rank → STARTING.
    (
        S::Standby,
        S::Starting,
        "FSMap::promote (stopped rank), from MDSMonitor::maybe_resize_cluster",
    ),
    // FSMap::promote: a failed rank → REPLAY.
    (
        S::Standby,
        S::Replay,
        "FSMap::promote (failed rank), from MDSMonitor::maybe_promote_standby / drop_mds",
    ),
    // FSMap::promote of the rank's follower (find_replacement_for prefers it).
    (
        S::StandbyReplay,
        S::Replay,
        "FSMap::promote of the follower (FSMap::find_replacement_for)",
    ),
    // MDSRank::damaged: a standby-replay daemon may report DAMAGED (MDSMonitor::prepare_beacon).
    (
        S::StandbyReplay,
        S::Damaged,
        "MDSRank::damaged → MDSMonitor::prepare_beacon (DAMAGED: FSMap::damaged)",
    ),
    // MDSRank::creating_done: request_state(STATE_ACTIVE).
    (
        S::Creating,
        S::Active,
        "MDSRank::boot_create → creating_done (request_state ACTIVE)",
    ),
    // extra (rank): FSMap::erase of a CREATING holder forgets the rank ("so that next time
    // it's handed out to a gid it'll go back into CREATING").
    (
        S::Creating,
        S::Dne,
        "FSMap::erase (holder was CREATING: rank removed from in)",
    ),
    // MDSRank::starting_done: request_state(STATE_ACTIVE).
    (
        S::Starting,
        S::Active,
        "MDSRank::boot_start (MDS_BOOT_PREPARE_LOG) → starting_done",
    ),
    (
        S::Starting,
        S::Failed,
        "MDSMonitor::fail_mds_gid → FSMap::erase (rank to failed)",
    ),
    // MDSRank::replay_done: request RECONNECT if alone, else RESOLVE.
    (
        S::Replay,
        S::Resolve,
        "MDSRank::replay_done (\"i am not alone, moving to state resolve\")",
    ),
    (
        S::Replay,
        S::Reconnect,
        "MDSRank::replay_done (\"i am alone, moving to state reconnect\")",
    ),
    (
        S::Replay,
        S::Failed,
        "MDSMonitor::fail_mds_gid → FSMap::erase (rank to failed)",
    ),
    (
        S::Replay,
        S::Damaged,
        "MDSRank::damaged (boot_start: EINVAL/ENOENT) → FSMap::damaged",
    ),
    (
        S::Resolve,
        S::Reconnect,
        "MDSRank::resolve_done (request_state RECONNECT)",
    ),
    (
        S::Resolve,
        S::Failed,
        "MDSMonitor::fail_mds_gid → FSMap::erase (rank to failed)",
    ),
    (S::Resolve, S::Damaged, "MDSRank::damaged → FSMap::damaged"),
    (
        S::Reconnect,
        S::Rejoin,
        "MDSRank::reconnect_done (request_state REJOIN)",
    ),
    (
        S::Reconnect,
        S::Failed,
        "MDSMonitor::fail_mds_gid → FSMap::erase (rank to failed)",
    ),
    (
        S::Reconnect,
        S::Damaged,
        "MDSRank::damaged → FSMap::damaged",
    ),
    (
        S::Rejoin,
        S::ClientReplay,
        "MDSRank::rejoin_done (replay_queue not empty: CLIENTREPLAY)",
    ),
    (
        S::Rejoin,
        S::Active,
        "MDSRank::rejoin_done (nothing to replay: ACTIVE)",
    ),
    (
        S::Rejoin,
        S::Stopped,
        "MDSRank::rejoin_done (no subtrees, rank != 0: STOPPED)",
    ),
    (
        S::Rejoin,
        S::Failed,
        "MDSMonitor::fail_mds_gid → FSMap::erase (rank to failed)",
    ),
    (S::Rejoin, S::Damaged, "MDSRank::damaged → FSMap::damaged"),
    (
        S::ClientReplay,
        S::Active,
        "MDSRank::clientreplay_done (request_state ACTIVE)",
    ),
    (
        S::ClientReplay,
        S::Failed,
        "MDSMonitor::fail_mds_gid → FSMap::erase (rank to failed)",
    ),
    (
        S::ClientReplay,
        S::Damaged,
        "MDSRank::damaged → FSMap::damaged",
    ),
    (
        S::Active,
        S::Stopping,
        "MDSMonitor::maybe_resize_cluster (in > max_mds: highest rank to STOPPING)",
    ),
    (
        S::Active,
        S::Failed,
        "MDSMonitor::fail_mds_gid → FSMap::erase (rank to failed)",
    ),
    (S::Active, S::Damaged, "MDSRank::damaged → FSMap::damaged"),
    (
        S::Stopping,
        S::Stopped,
        "MDSRank::stopping_done (request_state STOPPED) → FSMap::stop",
    ),
    (
        S::Stopping,
        S::Failed,
        "MDSMonitor::fail_mds_gid → FSMap::erase (rank to failed)",
    ),
    (S::Stopping, S::Damaged, "MDSRank::damaged → FSMap::damaged"),
    // (rank) a standby or the follower takes the failed rank over.
    (
        S::Failed,
        S::Replay,
        "FSMap::promote (failed rank → REPLAY), from MDSMonitor::maybe_promote_standby",
    ),
    // (rank) `ceph mds repaired`: FSMap::undamaged moves the rank back to failed.
    (
        S::Damaged,
        S::Failed,
        "FSMap::undamaged (ceph mds repaired)",
    ),
    // extra (rank): FSMap::promote of a stopped rank → STARTING.
    (
        S::Stopped,
        S::Starting,
        "FSMap::promote (stopped rank: starting), from MDSMonitor::maybe_resize_cluster",
    ),
];

/// Whether the chart declares a map-driven move from `from` (or the state containing it)
/// to `to`.
pub fn can_transit(from: S, to: S) -> bool {
    let from = from.outer();
    MAP_EDGES.iter().any(|(f, t, _)| *f == from && *t == to)
}

/// The shortest chain of chart moves from `from` to `to` (both ends included), when no
/// single move joins them: a rank whose state changed twice within one proposal shows
/// only the last in the published FSMap (a CREATING holder's `want up:active` beacon
/// makes it ACTIVE, then its restart fails it: the maps say creating, then failed).
pub fn shortest_path(from: S, to: S) -> Option<Vec<S>> {
    let from = from.outer();
    let mut seen = vec![from];
    let mut paths = std::collections::VecDeque::from([vec![from]]);
    while let Some(path) = paths.pop_front() {
        let last = *path.last().expect("paths are never empty");
        if last == to {
            return Some(path);
        }
        for (f, t, _) in MAP_EDGES.iter() {
            if *f == last && !seen.contains(t) {
                seen.push(*t);
                let mut next = path.clone();
                next.push(*t);
                paths.push_back(next);
            }
        }
    }
    None
}

/// The Ceph function a move is made by.
pub fn edge_ceph(from: S, to: S) -> Option<&'static str> {
    let from = from.outer();
    MAP_EDGES
        .iter()
        .find(|(f, t, _)| *f == from && *t == to)
        .map(|(_, _, c)| *c)
}

fn build() -> MdsDef {
    use S::*;
    let mut def = MdsDef {
        name: "MDSMap",
        states: Vec::new(),
        initial: Dne.id(),
        events: EVENT_NAMES.to_vec(),
        reactions: Vec::new(),
    };
    let mut state = |s: S, name: &'static str, path: &'static str, parent: Option<S>, doc| {
        debug_assert_eq!(def.states.len(), s.id());
        def.states.push(StateDef {
            name,
            path,
            parent: parent.map(S::id),
            initial: None,
            entry: None,
            exit: None,
            doc,
        });
    };
    state(
        Dne,
        "STATE_DNE",
        "down:dne",
        None,
        "Does not exist: a daemon not running, a rank not in the map.",
    );
    state(
        Boot,
        "STATE_BOOT",
        "up:boot",
        None,
        "The daemon started and sends BOOT beacons; not in the FSMap yet.",
    );
    state(
        Standby,
        "STATE_STANDBY",
        "up:standby",
        None,
        "In the FSMap without a rank, waiting for the monitor to assign one.",
    );
    state(
        StandbyReplay,
        "STATE_STANDBY_REPLAY",
        "up:standby-replay",
        None,
        "Follows a rank, tailing its journal, to take over fast.",
    );
    state(
        Creating,
        "STATE_CREATING",
        "up:creating",
        None,
        "boot_create: writes a new rank's journal, inotable, sessionmap, purge queue.",
    );
    state(
        Starting,
        "STATE_STARTING",
        "up:starting",
        None,
        "boot_start of a previously stopped rank: loads tables, positions at the log end.",
    );
    state(
        Replay,
        "STATE_REPLAY",
        "up:replay",
        None,
        "replay_start → boot_start: loads tables and replays the journal of a failed rank.",
    );
    state(
        BootInitial,
        "MDS_BOOT_INITIAL",
        "up:replay/MDS_BOOT_INITIAL",
        Some(Replay),
        "Opens inotable, sessionmap, the MDS log, the purge queue (and snaptable).",
    );
    state(
        BootOpenRoot,
        "MDS_BOOT_OPEN_ROOT",
        "up:replay/MDS_BOOT_OPEN_ROOT",
        Some(Replay),
        "Loads or discovers the base inodes (mydir; root if this rank owns it).",
    );
    state(
        BootPrepareLog,
        "MDS_BOOT_PREPARE_LOG",
        "up:replay/MDS_BOOT_PREPARE_LOG",
        Some(Replay),
        "Replays the MDS log (mdlog->replay).",
    );
    state(
        BootReplayDone,
        "MDS_BOOT_REPLAY_DONE",
        "up:replay/MDS_BOOT_REPLAY_DONE",
        Some(Replay),
        "validate_sessions, replay_done: the journal is writeable; asks for resolve or reconnect.",
    );
    state(
        Resolve,
        "STATE_RESOLVE",
        "up:resolve",
        None,
        "Multi-active only: resolves cross-rank (peer) updates and ambiguous subtree auth.",
    );
    state(
        Reconnect,
        "STATE_RECONNECT",
        "up:reconnect",
        None,
        "Waits for clients to reconnect their sessions and caps (mds_reconnect_timeout).",
    );
    state(
        Rejoin,
        "STATE_REJOIN",
        "up:rejoin",
        None,
        "Rejoins the distributed cache with the other ranks; loads the inodes of imported caps.",
    );
    state(
        ClientReplay,
        "STATE_CLIENTREPLAY",
        "up:clientreplay",
        None,
        "Replays the client requests that were not yet safe when the rank failed.",
    );
    state(Active, "STATE_ACTIVE", "up:active", None, "Serves clients.");
    state(
        Stopping,
        "STATE_STOPPING",
        "up:stopping",
        None,
        "max_mds shrank: exports its subtrees, flushes its journal, then reports stopped.",
    );
    state(
        Failed,
        "STATE_FAILED",
        "down:failed",
        None,
        "The rank is in but no daemon holds it (its holder was failed).",
    );
    state(
        Damaged,
        "STATE_DAMAGED",
        "down:damaged",
        None,
        "The rank's metadata could not be read: only an operator (`ceph mds repaired`) revives it.",
    );
    state(
        Stopped,
        "STATE_STOPPED",
        "down:stopped",
        None,
        "The rank stopped cleanly (no subtrees, empty log); not in.",
    );
    def.states[Replay.id()].initial = Some(BootInitial.id());

    let mut push = |s: S, event: &'static str, kind, doc| {
        def.reactions.push(ReactionDef {
            state: s.id(),
            event: EventMatch::Named(event),
            kind,
            doc,
        })
    };
    // MDSDaemon::init: the process starts; Beacon's want_state is STATE_BOOT.
    push(
        Dne,
        "Start",
        ReactionKind::Transition(Boot.id()),
        "MDSDaemon::init: the daemon starts and sends BOOT beacons (Beacon::init).",
    );
    for s in ALL {
        let targets: Vec<StateId> = MAP_EDGES
            .iter()
            .filter(|(f, _, _)| *f == s)
            .map(|(_, t, _)| t.id())
            .collect();
        if !targets.is_empty() {
            push(
                s,
                "MMDSMap",
                ReactionKind::Custom {
                    handler: to_map_state,
                    targets,
                },
                "A new MDSMap moves it to the state the map gives (see chart::MAP_EDGES for \
                 the Ceph function behind each move).",
            );
        }
    }
    // MDSRank::boot_start(step): each step's gather completes with C_MDS_BootStart(next).
    push(
        BootInitial,
        "BootStep",
        ReactionKind::Transition(BootOpenRoot.id()),
        "inotable, sessionmap and the log are open: C_MDS_BootStart(MDS_BOOT_OPEN_ROOT).",
    );
    push(
        BootOpenRoot,
        "BootStep",
        ReactionKind::Transition(BootPrepareLog.id()),
        "Base inodes open: C_MDS_BootStart(MDS_BOOT_PREPARE_LOG).",
    );
    push(
        BootPrepareLog,
        "BootStep",
        ReactionKind::Transition(BootReplayDone.id()),
        "mdlog->replay finished: C_MDS_BootStart(MDS_BOOT_REPLAY_DONE).",
    );
    def
}

/// The DOT of the chart (engine::dot's gen_state_diagram.py style), with each state
/// labelled as Ceph prints it.
pub fn to_dot() -> String {
    let def = definition();
    let mut dot = crate::engine::dot::to_dot(def);
    let labels: String = def
        .states
        .iter()
        .enumerate()
        .filter(|(id, _)| !def.is_composite(*id))
        .map(|(_, s)| {
            format!(
                "{} [label=\"{}\"];\n",
                s.name,
                s.path.rsplit('/').next().unwrap_or(s.path)
            )
        })
        .collect();
    if dot.ends_with("}\n") {
        dot.truncate(dot.len() - 2);
        dot.push_str(&labels);
        dot.push_str("}\n");
    }
    dot
}

/// All edges, for docs and tests.
pub fn edges() -> Vec<Edge> {
    MAP_EDGES
        .iter()
        .map(|(from, to, ceph)| Edge {
            from: *from,
            to: *to,
            ceph,
        })
        .collect()
}
