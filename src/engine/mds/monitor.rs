//! The MDSMonitor (src/mon/MDSMonitor.cc): beacons into the pending FSMap
//! (`prepare_beacon`), the leader's `tick` (`check_health`, `maybe_resize_cluster`,
//! `maybe_promote_standby`), `fail_mds_gid`, and the `fs` commands. Every change goes to
//! `pending`; the world commits it (`propose_pending`) at most every paxos_propose_interval.

use super::fsmap::{FsMap, Fscid, Gid};
use super::state::{state_transition_valid, DaemonState};
use std::collections::BTreeMap;

/// mds_beacon_grace (s → ms).
pub const MDS_BEACON_GRACE_MS: u64 = 15_000;
/// mds_beacon_interval.
pub const MDS_BEACON_INTERVAL_MS: u64 = 4_000;
/// mon_tick_interval.
pub const MON_TICK_INTERVAL_MS: u64 = 5_000;
/// paxos_propose_interval.
pub const PAXOS_PROPOSE_INTERVAL_MS: u64 = 1_000;

/// An MMDSBeacon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beacon {
    pub gid: Gid,
    pub name: String,
    pub want_state: DaemonState,
    pub seq: u64,
    /// The FSMap epoch the daemon last saw (`MMDSBeacon::last_epoch_seen`).
    pub last_epoch_seen: u32,
}

#[derive(Clone, Debug)]
pub struct MdsMonitor {
    /// The last committed FSMap (`get_fsmap()`), and every committed epoch.
    pub history: Vec<FsMap>,
    /// `get_pending_fsmap_writeable()`; its epoch is the next one.
    pub pending: FsMap,
    pub dirty: bool,
    /// `last_beacon`: gid → stamp (ms).
    pub last_beacon: BTreeMap<Gid, u64>,
    /// The OSDMap epoch: each blocklist (`OSDMonitor::blocklist`) makes a new one.
    pub osd_epoch: u32,
    pub last_tick: Option<u64>,
    /// When the last epoch was committed (ms).
    pub last_commit: u64,
    /// What the monitor logged (clog / dout) since the world last took it.
    pub log: Vec<String>,
}

impl Default for MdsMonitor {
    fn default() -> Self {
        Self::new()
    }
}

impl MdsMonitor {
    pub fn new() -> MdsMonitor {
        let committed = FsMap::new();
        let mut pending = committed.clone();
        pending.epoch += 1;
        MdsMonitor {
            history: vec![FsMap::default(), committed],
            pending,
            dirty: false,
            last_beacon: BTreeMap::new(),
            osd_epoch: 1,
            last_tick: None,
            last_commit: 0,
            log: Vec::new(),
        }
    }

    pub fn committed(&self) -> &FsMap {
        self.history.last().expect("history starts with two maps")
    }

    pub fn at_epoch(&self, epoch: u32) -> Option<&FsMap> {
        self.history.get(epoch as usize)
    }

    /// `PaxosService::propose_pending` → commit: the pending map becomes epoch N.
    pub fn commit(&mut self) -> u32 {
        // Every filesystem the proposal changed gets this epoch (FSMap::modify_daemon and
        // friends set mds_map.epoch = epoch).
        let epoch = self.pending.epoch;
        let prev = self.committed().clone();
        for (f, fs) in self.pending.filesystems.iter_mut() {
            let mut old = prev.filesystems.get(f).cloned();
            if let Some(o) = old.as_mut() {
                o.epoch = fs.epoch;
            }
            if old.as_ref() != Some(fs) {
                fs.epoch = epoch;
            }
        }
        let committed = self.pending.clone();
        let epoch = committed.epoch;
        self.history.push(committed);
        self.pending.epoch += 1;
        self.dirty = false;
        epoch
    }

    /// Commit at `now`.
    pub fn commit_at(&mut self, now: u64) -> u32 {
        self.last_commit = now;
        self.commit()
    }

    pub fn last_commit_ms(&self) -> u64 {
        self.last_commit
    }

    /// `MDSMonitor::fail_mds_gid`: blocklist the daemon's address (a new OSDMap epoch) and
    /// `FSMap::erase` it.
    pub fn fail_mds_gid(&mut self, gid: Gid) {
        let ranked = self.pending.info(gid).is_some_and(|i| i.rank.is_some());
        let blocklist_epoch = if ranked {
            self.osd_epoch += 1;
            self.osd_epoch
        } else {
            0
        };
        self.pending.erase(gid, blocklist_epoch);
        self.last_beacon.remove(&gid);
        self.dirty = true;
    }

    fn human(&self, gid: Gid) -> String {
        self.pending
            .info(gid)
            .map_or(format!("gid {gid}"), |i| format!("mds.{}", i.name))
    }

    /// `MDSMonitor::prepare_beacon` (with preprocess_beacon's stamp). Returns true when the
    /// monitor answers with a null map (the daemon respawns).
    pub fn prepare_beacon(&mut self, now: u64, b: &Beacon) -> bool {
        if b.want_state == DaemonState::Boot {
            // mds_enforce_unique_name: zap the previous instance of this name.
            while let Some(existing) = self
                .pending
                .find_gid_by_name(&b.name)
                .filter(|g| *g != b.gid)
            {
                self.log
                    .push(format!("mon: {} restarted", self.human(existing)));
                self.fail_mds_gid(existing);
            }
            if !self.pending.gid_exists(b.gid) {
                self.pending.insert(b.gid, &b.name, b.seq);
                self.dirty = true;
                self.log.push(format!(
                    "mon: prepare_beacon: mds.{} (gid {}) boots: added as up:standby",
                    b.name, b.gid
                ));
            }
            self.last_beacon.insert(b.gid, now);
            return false;
        }
        let Some(info) = self.pending.info(b.gid).cloned() else {
            self.log.push(format!(
                "mon: mds_beacon from gid {} ({}) is not in fsmap: null map",
                b.gid,
                b.want_state.name()
            ));
            return true;
        };
        self.last_beacon.insert(b.gid, now);
        // preprocess_beacon: an old seq, or a daemon that has not seen the latest map its
        // entry changed in, has its requested state ignored.
        if let Some(ci) = self.committed().info(b.gid) {
            if ci.state_seq > b.seq {
                return false;
            }
            if self.committed().effective_epoch(b.gid) != Some(b.last_epoch_seen) {
                if info.laggy_since.is_some() {
                    if let Some(i) = self.pending.info_mut(b.gid) {
                        i.laggy_since = None;
                    }
                    self.dirty = true;
                }
                return false;
            }
        } else {
            // Not in the committed map and not booting: preprocess_beacon's null map.
            return true;
        }
        let state = b.want_state;
        let evict = if state == DaemonState::Dne {
            true
        } else if (info.state == DaemonState::Standby && state != info.state)
            || (info.state == DaemonState::StandbyReplay
                && state != info.state
                && state != DaemonState::Damaged)
        {
            self.log.push(format!(
                "mon: standby {} attempted to change state to {}, rejecting",
                b.gid,
                state.name()
            ));
            true
        } else if state != info.state && !state_transition_valid(info.state, state) {
            self.log.push(format!(
                "mon: daemon {} reported invalid state transition {} -> {}",
                b.gid,
                info.state.name(),
                state.name()
            ));
            true
        } else {
            false
        };
        if evict {
            self.fail_mds_gid(b.gid);
            return true;
        }
        if info.laggy_since.is_some() {
            if let Some(i) = self.pending.info_mut(b.gid) {
                i.laggy_since = None;
            }
            self.dirty = true;
        }
        if state == info.state {
            return false;
        }
        let rank = info.rank.unwrap_or(-1);
        let fs_name = self
            .pending
            .fscid_of(b.gid)
            .and_then(|f| self.pending.filesystems.get(&f))
            .map_or(String::new(), |f| f.fs_name.clone());
        match state {
            DaemonState::Stopped => {
                self.log.push(format!(
                    "mon: mds.{} finished stopping rank {rank} in filesystem {fs_name}",
                    info.name
                ));
                for g in self.pending.stop(b.gid) {
                    self.last_beacon.remove(&g);
                }
                self.last_beacon.remove(&b.gid);
            }
            DaemonState::Damaged => {
                self.log
                    .push(format!("mon: prepare_beacon: marking rank {rank} damaged"));
                if let Some(fscid) = self.pending.fscid_of(b.gid) {
                    if let Some(f) = self.pending.filesystems[&fscid].get_standby_replay(rank) {
                        self.fail_mds_gid(f);
                    }
                }
                self.osd_epoch += 1;
                let e = self.osd_epoch;
                self.pending.damaged(b.gid, e);
                self.last_beacon.remove(&b.gid);
            }
            _ => {
                if state == DaemonState::Active {
                    self.log.push(format!(
                        "mon: mds.{} is now active in filesystem {fs_name} as rank {rank}",
                        info.name
                    ));
                } else {
                    self.log.push(format!(
                        "mon: prepare_beacon mds.{rank} {} -> {}",
                        info.state.name(),
                        state.name()
                    ));
                }
                if let Some(i) = self.pending.info_mut(b.gid) {
                    i.state = state;
                    i.state_seq = b.seq;
                }
            }
        }
        self.dirty = true;
        false
    }

    /// `MDSMonitor::tick`: check_health, maybe_resize_cluster, maybe_promote_standby.
    pub fn tick(&mut self, now: u64) {
        self.check_health(now);
        let fscids: Vec<_> = self.pending.filesystems.keys().copied().collect();
        for f in &fscids {
            self.maybe_resize_cluster(*f);
        }
        for f in &fscids {
            self.maybe_promote_standby(*f);
        }
        self.last_tick = Some(now);
    }

    /// `MDSMonitor::check_health`: beacon timeouts → laggy → drop_mds.
    fn check_health(&mut self, now: u64) {
        let last_tick = *self.last_tick.get_or_insert(now);
        if now - last_tick > MDS_BEACON_GRACE_MS - MDS_BEACON_INTERVAL_MS {
            self.log
                .push("mon: resetting beacon timeouts due to mon delay".into());
            for s in self.last_beacon.values_mut() {
                *s = now;
            }
        }
        for gid in self.pending.mds_roles.keys() {
            self.last_beacon.entry(*gid).or_insert(now);
        }
        let latest = self.last_beacon.values().copied().max().unwrap_or(0);
        let may_replace = now - latest < MDS_BEACON_INTERVAL_MS.max(MDS_BEACON_GRACE_MS / 2);
        self.last_beacon.retain(|g, _| self.pending.gid_exists(*g));
        let mut to_remove = Vec::new();
        for (gid, stamp) in self.last_beacon.clone() {
            let since = now - stamp;
            if since < MDS_BEACON_GRACE_MS {
                continue;
            }
            let Some(info) = self.pending.info(gid).cloned() else {
                continue;
            };
            self.log.push(format!(
                "mon: no beacon from mds.{}.{} (gid: {gid} state: {}) since {:.1}",
                info.rank.unwrap_or(-1),
                info.inc,
                info.state.name(),
                since as f64 / 1000.0
            ));
            if info.laggy_since.is_none() {
                if let Some(i) = self.pending.info_mut(gid) {
                    i.laggy_since = Some(now);
                }
                self.dirty = true;
            }
            if may_replace {
                to_remove.push(gid);
            }
        }
        for gid in to_remove {
            let Some(info) = self.pending.info(gid).cloned() else {
                continue;
            };
            let rep = match (info.rank, self.pending.fscid_of(gid)) {
                (Some(r), Some(f)) => self
                    .pending
                    .find_replacement_for(f, r)
                    .filter(|g| *g != gid),
                _ => None,
            };
            if self.drop_mds(gid, rep) {
                self.log.push(format!(
                    "mon: MDS mds.{} is removed because it is dead or otherwise unavailable.",
                    info.name
                ));
            }
        }
    }

    /// `MDSMonitor::drop_mds`: a standby is removed; a ranked daemon is failed and replaced
    /// only if there is a replacement.
    fn drop_mds(&mut self, gid: Gid, rep: Option<Gid>) -> bool {
        let Some(info) = self.pending.info(gid).cloned() else {
            return false;
        };
        if matches!(
            info.state,
            DaemonState::Standby | DaemonState::StandbyReplay
        ) {
            self.fail_mds_gid(gid);
            return true;
        }
        let (Some(rank), Some(rep), Some(fscid)) = (info.rank, rep, self.pending.fscid_of(gid))
        else {
            return false;
        };
        if !self.pending.filesystems[&fscid].joinable {
            return false;
        }
        let rep_name = self.human(rep);
        self.log.push(format!(
            "mon: Replacing mds.{} as rank {rank} with standby {rep_name}",
            info.name
        ));
        self.fail_mds_gid(gid);
        self.pending.promote(rep, fscid, rank);
        true
    }

    /// `MDSMonitor::maybe_resize_cluster`: one step towards max_mds per tick.
    fn maybe_resize_cluster(&mut self, fscid: Fscid) {
        let committed_ok = self
            .committed()
            .filesystems
            .get(&fscid)
            .is_some_and(|f| f.is_resizeable());
        let Some(fs) = self.pending.filesystems.get(&fscid) else {
            return;
        };
        if !committed_ok || !fs.is_resizeable() {
            return;
        }
        let (n_in, max) = (fs.in_.len() as i32, fs.max_mds);
        if n_in < max && fs.joinable {
            let mut rank = 0;
            while fs.is_in(rank) {
                rank += 1;
            }
            let Some(gid) = self.pending.find_replacement_for(fscid, rank) else {
                return;
            };
            self.log.push(format!(
                "mon: {} assigned to filesystem {} as rank {rank} (now has {} ranks)",
                self.human(gid),
                fs.fs_name,
                n_in + 1
            ));
            self.pending.promote(gid, fscid, rank);
            self.dirty = true;
        } else if n_in > max {
            let target = n_in - 1;
            if fs.rank_state(target) == DaemonState::Active {
                let gid = fs.up[&target];
                self.log.push(format!("mon: stopping {}", self.human(gid)));
                if let Some(i) = self.pending.info_mut(gid) {
                    i.state = DaemonState::Stopping;
                }
                self.dirty = true;
            }
        }
    }

    /// `MDSMonitor::maybe_promote_standby`: replace failed ranks, then hand standbys out as
    /// standby-replay followers.
    fn maybe_promote_standby(&mut self, fscid: Fscid) {
        let Some(fs) = self.pending.filesystems.get(&fscid) else {
            return;
        };
        if !fs.joinable {
            return;
        }
        for rank in fs.failed.clone() {
            if let Some(gid) = self.pending.find_replacement_for(fscid, rank) {
                self.log.push(format!(
                    "mon: Standby {} assigned to filesystem {} as rank {rank}",
                    self.human(gid),
                    self.pending.filesystems[&fscid].fs_name
                ));
                self.pending.promote(gid, fscid, rank);
                self.dirty = true;
            }
        }
        let fs = &self.pending.filesystems[&fscid];
        if fs.is_resizeable() && fs.allow_standby_replay {
            while let Some(gid) = self.pending.get_available_standby() {
                let fs = &self.pending.filesystems[&fscid];
                let Some(rank) = fs.in_.iter().copied().find(|r| fs.is_followable(*r)) else {
                    break;
                };
                self.log.push(format!(
                    "mon: setting {} to follow mds rank {rank}",
                    self.human(gid)
                ));
                self.pending.assign_standby_replay(gid, fscid, rank);
                self.dirty = true;
            }
        }
    }
}
