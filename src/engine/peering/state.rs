//! The data a PG's PeeringMachine reacts over: Ceph's `PeeringState` (the machine's
//! context). Reactions read and change it and fill its outbox; they never reach the world
//! directly (Ceph's PeeringState / PeeringCtx split).

use super::events::{Epoch, OsdId};
use crate::engine::intervals::{EpochMap, PastIntervals, PgHistory};
use crate::engine::osdmap::PgId;
use crate::engine::pgstate::PgState;
use serde::Serialize;
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
