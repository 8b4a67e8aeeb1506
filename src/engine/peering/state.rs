//! The data a PG's PeeringMachine reacts over: Ceph's `PeeringState` (the machine's
//! context). Reactions read and change it and fill its outbox; they never reach the world
//! directly (Ceph's PeeringState / PeeringCtx split).

use super::events::{Epoch, OsdId};
use crate::engine::intervals::{EpochMap, PastIntervals, PgHistory, PriorSet};
use crate::engine::osdmap::PgId;
use crate::engine::pgstate::PgState;
use serde::Serialize;
use std::collections::BTreeSet;
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
    /// PG_STATE_* bits (`ceph pg dump` state string).
    pub state: PgState,
    /// Set when the machine entered Crashed: in Ceph the OSD aborts.
    pub crashed: bool,
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
}

/// A message a PG's reaction asks its OSD to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum Outgoing {
    /// `pg_query_t::INFO` to a peer (MOSDPGQuery), carrying our history.
    QueryInfo { to: OsdId, epoch: Epoch },
}

impl PeeringState {
    pub fn new(whoami: OsdId) -> Self {
        PeeringState {
            whoami,
            history: PgHistory::new(0),
            up_primary: -1,
            acting_primary: -1,
            ..Default::default()
        }
    }

    /// Models `PeeringState::is_primary`: this OSD is the acting primary.
    pub fn is_primary(&self) -> bool {
        self.acting_primary == self.whoami
    }
}
