//! The data a PG's PeeringMachine reacts over: Ceph's `PeeringState` (the machine's
//! context). Reactions read and change it and fill its outbox; they never reach the world
//! directly (Ceph's PeeringState / PeeringCtx split).

use super::events::{Epoch, OsdId};
use crate::engine::pgstate::PgState;
use serde::Serialize;

/// Per-PG peering data on one OSD.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PeeringState {
    /// This OSD (`pg_whoami`).
    pub whoami: OsdId,
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
