//! MDS daemon states (`MDSMap::DaemonState`, `CEPH_MDS_STATE_*` in src/include/ceph_fs.h) and
//! `MDSMap::state_transition_valid` (src/mds/MDSMap.cc).

use serde::{Deserialize, Serialize};

/// `MDSMap::DaemonState`, with Ceph's numeric codes (> 0: the rank is "in").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DaemonState {
    /// STATE_NULL (-10): not in the map (`MDSMap::get_state_gid` of an unknown gid).
    Null,
    /// STATE_STANDBY_REPLAY (-8).
    StandbyReplay,
    /// STATE_STARTING (-7).
    Starting,
    /// STATE_CREATING (-6).
    Creating,
    /// STATE_STANDBY (-5).
    Standby,
    /// STATE_BOOT (-4).
    Boot,
    /// STATE_STOPPED (-1).
    Stopped,
    /// STATE_DNE (0).
    Dne,
    /// STATE_REPLAY (8).
    Replay,
    /// STATE_RESOLVE (9).
    Resolve,
    /// STATE_RECONNECT (10).
    Reconnect,
    /// STATE_REJOIN (11).
    Rejoin,
    /// STATE_CLIENTREPLAY (12).
    ClientReplay,
    /// STATE_ACTIVE (13).
    Active,
    /// STATE_STOPPING (14).
    Stopping,
    /// STATE_DAMAGED (15).
    Damaged,
}

impl DaemonState {
    /// The `CEPH_MDS_STATE_*` value.
    pub fn code(self) -> i32 {
        use DaemonState::*;
        match self {
            Null => -10,
            StandbyReplay => -8,
            Starting => -7,
            Creating => -6,
            Standby => -5,
            Boot => -4,
            Stopped => -1,
            Dne => 0,
            Replay => 8,
            Resolve => 9,
            Reconnect => 10,
            Rejoin => 11,
            ClientReplay => 12,
            Active => 13,
            Stopping => 14,
            Damaged => 15,
        }
    }

    /// `ceph_mds_state_name`.
    pub fn name(self) -> &'static str {
        use DaemonState::*;
        match self {
            Null => "null",
            StandbyReplay => "up:standby-replay",
            Starting => "up:starting",
            Creating => "up:creating",
            Standby => "up:standby",
            Boot => "up:boot",
            Stopped => "down:stopped",
            Dne => "down:dne",
            Replay => "up:replay",
            Resolve => "up:resolve",
            Reconnect => "up:reconnect",
            Rejoin => "up:rejoin",
            ClientReplay => "up:clientreplay",
            Active => "up:active",
            Stopping => "up:stopping",
            Damaged => "down:damaged",
        }
    }

    /// `mds_info_t::is_degraded`: REPLAY ≤ state ≤ CLIENTREPLAY.
    pub fn is_degraded(self) -> bool {
        let c = self.code();
        (8..=12).contains(&c)
    }

    /// States in `CEPH_MDS_STATE_*` numeric order (the order `std::map<DaemonState, _>`
    /// iterates in FSMap::print_summary).
    pub fn by_code(self) -> i32 {
        self.code()
    }
}

/// `MDSMap::state_transition_valid(prev, next)`, rule for rule.
pub fn state_transition_valid(prev: DaemonState, next: DaemonState) -> bool {
    use DaemonState::*;
    if next == prev || next == Damaged {
        return true;
    }
    match prev {
        Boot => next == Standby,
        Standby => matches!(next, StandbyReplay | Replay | Creating | Starting),
        Creating | Starting => next == Active,
        StandbyReplay => next == Replay,
        Replay => matches!(next, Resolve | Reconnect),
        // "Once I have entered replay, the only allowable transitions are to the next
        // along in the sequence. Except..." REJOIN → ACTIVE (no client replay) or STOPPED
        // (no subtrees).
        Resolve | Reconnect | Rejoin | ClientReplay => {
            if prev == Rejoin && matches!(next, Active | Stopped) {
                return true;
            }
            next.code() == prev.code() + 1
        }
        Active => next == Stopping,
        Stopping => next == Stopped,
        // "Unknown prev state"
        _ => false,
    }
}
