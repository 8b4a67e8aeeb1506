//! MDS daemons (src/mds/MDSDaemon.cc, MDSRank.cc, Beacon.cc, Server.cc) and clients: what a
//! daemon does with each MDSMap (`MDSDaemon::handle_mds_map`,
//! `MDSRankDispatcher::handle_mds_map`), the `*_start` / `*_done` steps of each state, its
//! beacons, and the client sessions reconnect / rejoin / clientreplay work on.

use super::chart::S;
use super::fsmap::{Fscid, Gid, Rank};
use super::state::DaemonState;
use crate::engine::statechart::Machine;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// mds_reconnect_timeout.
pub const MDS_RECONNECT_TIMEOUT_MS: u64 = 45_000;
/// Simulated durations of the daemon's RADOS work (not Ceph settings): each boot step's
/// reads, replaying a journal, writing a new rank, one rejoin, one replayed request.
pub const BOOT_STEP_MS: u64 = 100;
pub const JOURNAL_REPLAY_MS: u64 = 300;
pub const BOOT_CREATE_MS: u64 = 200;
pub const RESOLVE_MS: u64 = 100;
pub const REJOIN_MS: u64 = 100;
pub const CLIENT_REQUEST_MS: u64 = 50;
pub const EXPORT_MS: u64 = 500;

/// One MDS daemon (an `MDSDaemon`, with its `MDSRank` once it holds one).
#[derive(Clone, Debug, Serialize)]
pub struct MdsDaemon {
    pub name: String,
    pub gid: Gid,
    pub alive: bool,
    #[serde(skip)]
    pub machine: Machine,
    /// Beacon::want_state.
    pub want_state: DaemonState,
    pub beacon_seq: u64,
    /// The epoch of the last MDSMap it handled.
    pub map_epoch: u32,
    /// Its state in that map (STATE_NULL before it is in one).
    pub state: DaemonState,
    pub rank: Option<Rank>,
    pub fscid: Option<Fscid>,
    pub inc: u32,
    /// Bumped on respawn and when a gather restarts: older timers are stale.
    pub gen: u64,
    pub standby_replaying: bool,
    /// Server::client_reconnect_gather.
    pub reconnect_wait: BTreeSet<u64>,
    pub reconnect_started_ms: u64,
    /// Caps the clients reconnected (MDCache::cap_imports), loaded in rejoin.
    pub imported_caps: u32,
    /// MDSRank::replay_queue: client requests to replay in clientreplay.
    pub replay_queue: u32,
    /// States this daemon has been in (for tests and the trace).
    pub history: Vec<DaemonState>,
}

impl MdsDaemon {
    pub fn new(name: &str, gid: Gid) -> MdsDaemon {
        MdsDaemon {
            name: name.to_string(),
            gid,
            alive: true,
            machine: Machine::new(),
            want_state: DaemonState::Boot,
            beacon_seq: 0,
            map_epoch: 0,
            state: DaemonState::Null,
            rank: None,
            fscid: None,
            inc: 0,
            gen: 0,
            standby_replaying: false,
            reconnect_wait: BTreeSet::new(),
            reconnect_started_ms: 0,
            imported_caps: 0,
            replay_queue: 0,
            history: vec![DaemonState::Boot],
        }
    }

    /// How Ceph's log prefixes the daemon: `mds.0.2738` with a rank, `mds.a` without.
    pub fn who(&self) -> String {
        match self.rank {
            Some(r) if self.state != DaemonState::StandbyReplay => format!("mds.{r}.{}", self.inc),
            _ => format!("mds.{}", self.name),
        }
    }

    /// The chart state of this daemon's machine.
    pub fn chart_state(&self) -> Option<S> {
        self.machine.current().and_then(S::from_id)
    }
}

/// A client session with one rank (`Session` in the rank's SessionMap).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClientSession {
    pub caps: u32,
    /// Requests answered but not yet safe in the journal: replayed after a failover.
    pub unsafe_requests: u32,
    /// The incarnation it last reconnected to.
    pub reconnected_inc: u32,
}

/// A CephFS client (`Client`): its sessions with ranks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Client {
    pub id: u64,
    /// A hung client does not answer: it will not reconnect and gets evicted.
    pub responsive: bool,
    pub caps: u32,
    pub unsafe_requests: u32,
    pub fs: Option<Fscid>,
    pub sessions: BTreeMap<Rank, ClientSession>,
    pub map_epoch: u32,
    pub evicted: bool,
}
