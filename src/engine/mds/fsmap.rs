//! The FSMap (src/mds/FSMap.{h,cc}) and each filesystem's MDSMap (src/mds/MDSMap.{h,cc}):
//! ranks in / up / failed / damaged / stopped, daemons (`mds_info_t`), standbys, and the
//! operations the monitor applies (`insert`, `promote`, `assign_standby_replay`, `erase`,
//! `damaged`, `undamaged`, `stop`, `find_replacement_for`, `get_available_standby`).

use super::state::DaemonState;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub type Gid = u64;
pub type Rank = i32;
pub type Fscid = i32;

/// `MDSMap::mds_info_t`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MdsInfo {
    pub gid: Gid,
    pub name: String,
    /// MDS_RANK_NONE is None.
    pub rank: Option<Rank>,
    /// The incarnation: the FSMap epoch of the promotion (`FSMap::promote`: inc = epoch).
    pub inc: u32,
    pub state: DaemonState,
    pub state_seq: u64,
    /// Logical ms since when the monitor has had no beacon (`laggy_since`).
    pub laggy_since: Option<u64>,
}

/// One filesystem's `MDSMap`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MdsMap {
    pub fs_name: String,
    pub fscid: Fscid,
    pub epoch: u32,
    pub max_mds: i32,
    /// `!CEPH_MDSMAP_NOT_JOINABLE`.
    pub joinable: bool,
    /// CEPH_MDSMAP_ALLOW_STANDBY_REPLAY.
    pub allow_standby_replay: bool,
    #[serde(rename = "in")]
    pub in_: BTreeSet<Rank>,
    pub up: BTreeMap<Rank, Gid>,
    pub failed: BTreeSet<Rank>,
    pub damaged: BTreeSet<Rank>,
    pub stopped: BTreeSet<Rank>,
    pub mds_info: BTreeMap<Gid, MdsInfo>,
    pub last_failure_osd_epoch: u32,
    pub metadata_pool: String,
    pub data_pools: Vec<String>,
}

impl MdsMap {
    fn count(&self, state: DaemonState) -> usize {
        self.mds_info.values().filter(|i| i.state == state).count()
    }

    /// `MDSMap::is_degraded`.
    pub fn is_degraded(&self) -> bool {
        !self.failed.is_empty()
            || !self.damaged.is_empty()
            || self.mds_info.values().any(|i| i.state.is_degraded())
    }

    /// `MDSMap::is_resizeable`.
    pub fn is_resizeable(&self) -> bool {
        !self.is_degraded()
            && self.count(DaemonState::Creating) == 0
            && self.count(DaemonState::Starting) == 0
            && self.count(DaemonState::Stopping) == 0
    }

    /// `MDSMap::is_resolving`.
    pub fn is_resolving(&self) -> bool {
        self.count(DaemonState::Resolve) > 0
            && self.count(DaemonState::Replay) == 0
            && self.failed.is_empty()
            && self.damaged.is_empty()
    }

    /// `MDSMap::is_rejoining`.
    pub fn is_rejoining(&self) -> bool {
        self.count(DaemonState::Rejoin) > 0
            && self.count(DaemonState::Replay) == 0
            && self.count(DaemonState::Reconnect) == 0
            && self.count(DaemonState::Resolve) == 0
            && self.failed.is_empty()
            && self.damaged.is_empty()
    }

    /// `MDSMap::get_standby_replay`.
    pub fn get_standby_replay(&self, rank: Rank) -> Option<Gid> {
        self.mds_info
            .values()
            .find(|i| i.rank == Some(rank) && i.state == DaemonState::StandbyReplay)
            .map(|i| i.gid)
    }

    /// `MDSMap::is_followable`: up, not degraded, no follower yet.
    pub fn is_followable(&self, rank: Rank) -> bool {
        self.up
            .get(&rank)
            .and_then(|g| self.mds_info.get(g))
            .is_some_and(|i| !i.state.is_degraded() && self.get_standby_replay(rank).is_none())
    }

    /// `MDSMap::get_state(rank)`: the holder's state, STATE_NULL if not up.
    pub fn rank_state(&self, rank: Rank) -> DaemonState {
        self.up
            .get(&rank)
            .and_then(|g| self.mds_info.get(g))
            .map_or(DaemonState::Null, |i| i.state)
    }

    /// `MDSMap::get_recovery_mds_set`: failed, damaged, and ranks in REPLAY..STOPPING.
    pub fn recovery_set(&self) -> BTreeSet<Rank> {
        let mut s: BTreeSet<Rank> = self.failed.union(&self.damaged).copied().collect();
        for i in self.mds_info.values() {
            let c = i.state.code();
            if (8..=14).contains(&c) {
                if let Some(r) = i.rank {
                    s.insert(r);
                }
            }
        }
        s
    }

    /// `MDSMap::get_down_mds_set`: failed ∪ damaged.
    pub fn down_set(&self) -> BTreeSet<Rank> {
        self.failed.union(&self.damaged).copied().collect()
    }

    /// `MDSMap::is_in`.
    pub fn is_in(&self, rank: Rank) -> bool {
        self.up.contains_key(&rank) || self.failed.contains(&rank)
    }
}

/// `FSMap`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FsMap {
    pub epoch: u32,
    pub next_filesystem_id: Fscid,
    pub filesystems: BTreeMap<Fscid, MdsMap>,
    pub standby_daemons: BTreeMap<Gid, MdsInfo>,
    /// gid → the filesystem it belongs to (None: a standby).
    pub mds_roles: BTreeMap<Gid, Option<Fscid>>,
    /// The epoch each standby was inserted in (`standby_epochs`).
    pub standby_epochs: BTreeMap<Gid, u32>,
}

impl FsMap {
    pub fn new() -> FsMap {
        FsMap {
            epoch: 1,
            next_filesystem_id: 1,
            ..FsMap::default()
        }
    }

    pub fn gid_exists(&self, gid: Gid) -> bool {
        self.mds_roles.contains_key(&gid)
    }

    pub fn info(&self, gid: Gid) -> Option<&MdsInfo> {
        match self.mds_roles.get(&gid)? {
            None => self.standby_daemons.get(&gid),
            Some(f) => self.filesystems.get(f)?.mds_info.get(&gid),
        }
    }

    pub fn info_mut(&mut self, gid: Gid) -> Option<&mut MdsInfo> {
        match *self.mds_roles.get(&gid)? {
            None => self.standby_daemons.get_mut(&gid),
            Some(f) => self.filesystems.get_mut(&f)?.mds_info.get_mut(&gid),
        }
    }

    /// The latest epoch a daemon should have seen (preprocess_beacon's effective_epoch):
    /// its filesystem's MDSMap epoch, or the epoch it became a standby in.
    pub fn effective_epoch(&self, gid: Gid) -> Option<u32> {
        match self.mds_roles.get(&gid)? {
            None => self.standby_epochs.get(&gid).copied(),
            Some(f) => self.filesystems.get(f).map(|m| m.epoch),
        }
    }

    /// `MDSMap::get_state_gid` across the FSMap (STATE_NULL if not in it).
    pub fn state_gid(&self, gid: Gid) -> DaemonState {
        self.info(gid).map_or(DaemonState::Null, |i| i.state)
    }

    pub fn fscid_of(&self, gid: Gid) -> Option<Fscid> {
        self.mds_roles.get(&gid).copied().flatten()
    }

    pub fn fs_by_name(&self, name: &str) -> Option<&MdsMap> {
        self.filesystems.values().find(|f| f.fs_name == name)
    }

    /// `FSMap::find_mds_gid_by_name`.
    pub fn find_gid_by_name(&self, name: &str) -> Option<Gid> {
        self.mds_roles
            .keys()
            .copied()
            .find(|g| self.info(*g).is_some_and(|i| i.name == name))
    }

    /// `FSMap::create_filesystem` (`ceph fs new`): no ranks yet, max_mds 1, joinable.
    pub fn create_filesystem(&mut self, name: &str, metadata_pool: &str, data_pool: &str) -> Fscid {
        let fscid = self.next_filesystem_id;
        self.next_filesystem_id += 1;
        self.filesystems.insert(
            fscid,
            MdsMap {
                fs_name: name.to_string(),
                fscid,
                epoch: self.epoch,
                max_mds: 1,
                joinable: true,
                allow_standby_replay: false,
                in_: BTreeSet::new(),
                up: BTreeMap::new(),
                failed: BTreeSet::new(),
                damaged: BTreeSet::new(),
                stopped: BTreeSet::new(),
                mds_info: BTreeMap::new(),
                last_failure_osd_epoch: 0,
                metadata_pool: metadata_pool.to_string(),
                data_pools: vec![data_pool.to_string()],
            },
        );
        fscid
    }

    /// `FSMap::insert`: a new daemon, as STATE_STANDBY without a rank.
    pub fn insert(&mut self, gid: Gid, name: &str, seq: u64) {
        self.mds_roles.insert(gid, None);
        self.standby_epochs.insert(gid, self.epoch);
        self.standby_daemons.insert(
            gid,
            MdsInfo {
                gid,
                name: name.to_string(),
                rank: None,
                inc: 0,
                state: DaemonState::Standby,
                state_seq: seq,
                laggy_since: None,
            },
        );
    }

    /// `FSMap::get_available_standby` (no affinity, no compat: the first non-laggy standby
    /// in gid order).
    pub fn get_available_standby(&self) -> Option<Gid> {
        self.standby_daemons
            .values()
            .find(|i| i.laggy_since.is_none())
            .map(|i| i.gid)
    }

    /// `FSMap::find_replacement_for`: the rank's standby-replay follower, else a standby.
    pub fn find_replacement_for(&self, fscid: Fscid, rank: Rank) -> Option<Gid> {
        if let Some(fs) = self.filesystems.get(&fscid) {
            if let Some(g) = fs.get_standby_replay(rank) {
                return Some(g);
            }
        }
        self.get_available_standby()
    }

    /// `FSMap::promote`: STARTING if the rank was stopped, CREATING if it was not in,
    /// else REPLAY (the rank leaves failed); inc := epoch.
    pub fn promote(&mut self, gid: Gid, fscid: Fscid, rank: Rank) -> Option<DaemonState> {
        let epoch = self.epoch;
        let is_follower = self.mds_roles.get(&gid)?.is_some();
        let mut info = if is_follower {
            self.filesystems.get_mut(&fscid)?.mds_info.remove(&gid)?
        } else {
            self.standby_epochs.remove(&gid);
            self.standby_daemons.remove(&gid)?
        };
        let fs = self.filesystems.get_mut(&fscid)?;
        info.state = if fs.stopped.remove(&rank) {
            DaemonState::Starting
        } else if !fs.is_in(rank) {
            DaemonState::Creating
        } else {
            fs.failed.remove(&rank);
            DaemonState::Replay
        };
        info.rank = Some(rank);
        info.inc = epoch;
        let state = info.state;
        fs.mds_info.insert(gid, info);
        fs.in_.insert(rank);
        fs.up.insert(rank, gid);
        fs.epoch = epoch;
        self.mds_roles.insert(gid, Some(fscid));
        Some(state)
    }

    /// `FSMap::assign_standby_replay`.
    pub fn assign_standby_replay(&mut self, gid: Gid, fscid: Fscid, rank: Rank) {
        let epoch = self.epoch;
        let (Some(mut info), Some(fs)) = (
            self.standby_daemons.remove(&gid),
            self.filesystems.get_mut(&fscid),
        ) else {
            return;
        };
        self.standby_epochs.remove(&gid);
        info.rank = Some(rank);
        info.state = DaemonState::StandbyReplay;
        fs.mds_info.insert(gid, info);
        fs.epoch = epoch;
        self.mds_roles.insert(gid, Some(fscid));
    }

    /// `FSMap::erase`: a standby is removed; a follower leaves its rank; a ranked daemon's
    /// rank is forgotten if it was CREATING, else it goes to failed.
    pub fn erase(&mut self, gid: Gid, blocklist_epoch: u32) {
        let epoch = self.epoch;
        match self.mds_roles.remove(&gid) {
            Some(None) => {
                self.standby_daemons.remove(&gid);
                self.standby_epochs.remove(&gid);
            }
            Some(Some(fscid)) => {
                if let Some(fs) = self.filesystems.get_mut(&fscid) {
                    if let Some(info) = fs.mds_info.remove(&gid) {
                        if let (Some(rank), true) =
                            (info.rank, info.state != DaemonState::StandbyReplay)
                        {
                            if info.state == DaemonState::Creating {
                                fs.in_.remove(&rank);
                            } else {
                                fs.failed.insert(rank);
                            }
                            fs.up.remove(&rank);
                        }
                    }
                    fs.last_failure_osd_epoch = blocklist_epoch;
                    fs.epoch = epoch;
                }
            }
            None => {}
        }
    }

    /// `FSMap::damaged`: erase the holder, the rank leaves failed and joins damaged.
    pub fn damaged(&mut self, gid: Gid, blocklist_epoch: u32) {
        let Some(fscid) = self.fscid_of(gid) else {
            return;
        };
        let Some(rank) = self.info(gid).and_then(|i| i.rank) else {
            return;
        };
        self.erase(gid, blocklist_epoch);
        if let Some(fs) = self.filesystems.get_mut(&fscid) {
            fs.failed.remove(&rank);
            fs.damaged.insert(rank);
        }
    }

    /// `FSMap::undamaged` (`ceph mds repaired`): damaged → failed.
    pub fn undamaged(&mut self, fscid: Fscid, rank: Rank) -> bool {
        let epoch = self.epoch;
        let Some(fs) = self.filesystems.get_mut(&fscid) else {
            return false;
        };
        if fs.damaged.remove(&rank) {
            fs.failed.insert(rank);
            fs.epoch = epoch;
            true
        } else {
            false
        }
    }

    /// `FSMap::stop`: the rank leaves up and in, joins stopped; its followers are erased.
    pub fn stop(&mut self, gid: Gid) -> Vec<Gid> {
        let epoch = self.epoch;
        let Some(fscid) = self.fscid_of(gid) else {
            return Vec::new();
        };
        let Some(rank) = self.info(gid).and_then(|i| i.rank) else {
            return Vec::new();
        };
        let followers: Vec<Gid> = {
            let Some(fs) = self.filesystems.get_mut(&fscid) else {
                return Vec::new();
            };
            fs.up.remove(&rank);
            fs.in_.remove(&rank);
            fs.stopped.insert(rank);
            fs.mds_info
                .values()
                .filter(|i| i.rank == Some(rank) && i.state == DaemonState::StandbyReplay)
                .map(|i| i.gid)
                .collect()
        };
        for f in &followers {
            self.erase(*f, 0);
        }
        if let Some(fs) = self.filesystems.get_mut(&fscid) {
            fs.mds_info.remove(&gid);
            fs.epoch = epoch;
        }
        self.mds_roles.remove(&gid);
        followers
    }

    /// `ceph mds stat`: `FSMap::print_summary` (plain text).
    pub fn print_summary(&self) -> String {
        let mut out = String::new();
        if self.filesystems.len() <= 3 {
            let parts: Vec<String> = self
                .filesystems
                .values()
                .map(|fs| {
                    if fs.is_degraded() {
                        format!("{}:{}/{}", fs.fs_name, fs.up.len(), fs.in_.len())
                    } else {
                        format!("{}:{}", fs.fs_name, fs.in_.len())
                    }
                })
                .collect();
            out.push_str(&parts.join(" "));
        } else {
            out.push_str(&format!("{} fs", self.filesystems.len()));
        }
        // by_state is a std::map<DaemonState, unsigned>: numeric order of the states.
        let mut by_state: BTreeMap<i32, (DaemonState, i64)> = BTreeMap::new();
        by_state.insert(
            DaemonState::Standby.code(),
            (DaemonState::Standby, self.standby_daemons.len() as i64),
        );
        let mut by_rank: BTreeMap<(Fscid, Rank), (DaemonState, String)> = BTreeMap::new();
        for (gid, fscid) in &self.mds_roles {
            let Some(fscid) = fscid else { continue };
            let Some(info) = self
                .filesystems
                .get(fscid)
                .and_then(|f| f.mds_info.get(gid))
            else {
                continue;
            };
            let mut s = info.state.name().to_string();
            if info.laggy_since.is_some() {
                s.push_str("(laggy or crashed)");
            }
            if info.state != DaemonState::StandbyReplay {
                if let Some(r) = info.rank {
                    by_rank.insert((*fscid, r), (info.state, format!("{}={}", info.name, s)));
                }
            }
            by_state
                .entry(info.state.code())
                .or_insert((info.state, 0))
                .1 += 1;
        }
        if !by_rank.is_empty() && by_rank.len() < 5 {
            let items: Vec<String> = if self.filesystems.len() > 1 {
                let pretty: BTreeMap<String, String> = by_rank
                    .iter()
                    .map(|((f, r), (_, s))| {
                        (format!("{}:{}", self.filesystems[f].fs_name, r), s.clone())
                    })
                    .collect();
                pretty
                    .into_iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect()
            } else {
                by_rank
                    .iter()
                    .map(|((_, r), (_, s))| format!("{r}={s}"))
                    .collect()
            };
            for (state, _) in by_rank.values() {
                if let Some(e) = by_state.get_mut(&state.code()) {
                    e.1 -= 1;
                }
            }
            out.push_str(&format!(" {{{}}}", items.join(",")));
        }
        for (state, count) in by_state.values() {
            if *count > 0 {
                out.push_str(&format!(" {count} {}", state.name()));
            }
        }
        let failed: usize = self.filesystems.values().map(|f| f.failed.len()).sum();
        let damaged: usize = self.filesystems.values().map(|f| f.damaged.len()).sum();
        if failed > 0 {
            out.push_str(&format!(", {failed} failed"));
        }
        if damaged > 0 {
            out.push_str(&format!(", {damaged} damaged"));
        }
        out
    }
}

/// PrettyTable(border=False, left_padding_width=0, right_padding_width=2) as the mgr status
/// module prints it: every column centred to its widest cell.
pub fn pretty_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (c, w) in widths.iter().enumerate() {
            let text = cells.get(c).copied().unwrap_or("");
            let excess = w.saturating_sub(text.chars().count());
            // PrettyTable._justify("c"): an odd excess puts the extra space on the right
            // for odd-length text, on the left for even-length text.
            let (l, r) = if excess % 2 == 1 {
                if text.chars().count() % 2 == 1 {
                    (excess / 2, excess / 2 + 1)
                } else {
                    (excess / 2 + 1, excess / 2)
                }
            } else {
                (excess / 2, excess / 2)
            };
            s.push_str(&" ".repeat(l));
            s.push_str(text);
            s.push_str(&" ".repeat(r + 2));
        }
        s
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}
