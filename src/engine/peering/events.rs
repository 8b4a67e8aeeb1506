//! The 63 event types of Ceph's PeeringMachine (src/osd/PeeringState.h and
//! src/osd/PGPeeringEvent.h), as one enum. Payloads carry what the simulation needs; the
//! variant name is the C++ class name, which is what reactions match on.

use crate::engine::intervals::PgHistory;
use crate::engine::peering::acting::ShardInfo;
use crate::engine::pglog::{Eversion, IndexedLog, Missing};
use crate::engine::statechart::Event;
use serde::{Deserialize, Serialize};

/// What a peer message carries of the sender's PG: its `pg_info_t` (the parts peering
/// reads) and its history; an MOSDPGLog also carries a log (`MOSDPGLog::log`, a
/// `pg_log_t`: all or the tail end of the sender's log) and, answering a query, the
/// sender's missing set (`MOSDPGLog::missing`). Scripts cannot supply logs (they are
/// built by the simulated OSDs), so those two fields are never read from JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerState {
    pub info: ShardInfo,
    pub history: PgHistory,
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub log: Option<IndexedLog>,
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Missing>,
}

/// What a `pg_query_t` asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryKind {
    /// `pg_query_t::INFO`: answer with a notify.
    #[default]
    Info,
    /// `pg_query_t::LOG`: the log after `since` (`pg_query_t::since`).
    Log { since: Eversion },
    /// `pg_query_t::FULLLOG`: the whole log.
    FullLog,
}

/// An OSD id (`osd.N`).
pub type OsdId = i32;
/// An OSDMap epoch.
pub type Epoch = u32;

macro_rules! peering_events {
    ($( $(#[$doc:meta])* $name:ident $({ $($field:ident : $ty:ty),* $(,)? })? ),* $(,)?) => {
        /// One event of the PeeringMachine. Field-less variants are Ceph's payload-free
        /// events.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type")]
        pub enum PeeringEvent {
            $( $(#[$doc])* $name $({ $($field: $ty),* })? ),*
        }

        /// Every event type name, in declaration order (PeeringState.h, then
        /// PGPeeringEvent.h).
        pub const EVENT_NAMES: &[&str] = &[$(stringify!($name)),*];

        impl PeeringEvent {
            pub fn type_name(&self) -> &'static str {
                match self {
                    $( PeeringEvent::$name { .. } => stringify!($name) ),*
                }
            }
        }
    };
}

peering_events! {
    // ---- declared in PeeringState.h (43) ----
    /// `ceph pg query`: dump the state.
    QueryState,
    QueryUnfound,
    /// A new OSDMap (`lastmap` → `osdmap`) with this PG's new up/acting sets.
    AdvMap { epoch: Epoch, up: Vec<OsdId>, acting: Vec<OsdId>, up_primary: OsdId, acting_primary: OsdId },
    /// The map has been fully applied ("activated") on this OSD.
    ActMap { epoch: Epoch },
    Activate { activation_epoch: Epoch },
    ActivateCommitted { epoch: Epoch, activation_epoch: Epoch },
    UnfoundBackfill,
    UnfoundRecovery,
    RequestScrub { deep: bool, repair: bool },
    Initialize,
    GotInfo,
    NeedUpThru,
    Backfilled,
    LocalBackfillReserved,
    RejectTooFullRemoteReservation,
    RequestBackfill,
    RemoteRecoveryPreempted,
    RemoteBackfillPreempted,
    BackfillTooFull,
    RecoveryTooFull,
    MakePrimary,
    MakeStray,
    NeedActingChange,
    IsIncomplete,
    IsDown,
    AllReplicasRecovered,
    DoRecovery,
    LocalRecoveryReserved,
    AllRemotesReserved,
    AllBackfillsReserved,
    GoClean,
    AllReplicasActivated,
    IntervalFlush,
    DeleteStart,
    DeleteSome,
    SetForceRecovery,
    UnsetForceRecovery,
    SetForceBackfill,
    UnsetForceBackfill,
    DeleteReserved,
    DeleteInterrupted,
    CheckReadable,
    GotLog,
    // ---- declared in PGPeeringEvent.h (20) ----
    /// A pg_info_t from a peer (MOSDPGInfo).
    MInfoRec { from: OsdId, epoch: Epoch, peer: Option<PeerState> },
    /// A log (+ info, missing) from a peer (MOSDPGLog).
    MLogRec { from: OsdId, epoch: Epoch, peer: Option<PeerState> },
    /// A pg_notify_t from a peer (MOSDPGNotify): its info and past intervals.
    MNotifyRec { from: OsdId, epoch: Epoch, peer: Option<PeerState> },
    /// A pg_query_t (INFO, LOG, FULLLOG) from the primary.
    MQuery { from: OsdId, epoch: Epoch, kind: Option<QueryKind> },
    MTrim { from: OsdId, epoch: Epoch },
    RequestBackfillPrio { priority: u32, primary_num_bytes: u64, local_num_bytes: u64 },
    RequestRecoveryPrio { priority: u32 },
    DeferRecovery { delay: u32 },
    DeferBackfill { delay: u32 },
    NullEvt,
    RemoteBackfillReserved,
    RemoteReservationRejectedTooFull,
    RemoteReservationRevokedTooFull,
    RemoteReservationRevoked,
    RemoteReservationCanceled,
    RemoteRecoveryReserved,
    RecoveryDone,
    RenewLease,
    MLease,
    MLeaseAck,
}

impl Event for PeeringEvent {
    fn name(&self) -> &'static str {
        self.type_name()
    }

    /// Roughly what Ceph's `print()` writes for the event.
    fn describe(&self) -> String {
        use PeeringEvent::*;
        match self {
            AdvMap {
                epoch, up, acting, ..
            } => {
                format!("AdvMap e{epoch} up {up:?} acting {acting:?}")
            }
            ActMap { epoch } => format!("ActMap e{epoch}"),
            Activate { activation_epoch } => format!("Activate from {activation_epoch}"),
            MInfoRec { from, epoch, .. } => format!("MInfoRec from {from} e{epoch}"),
            MLogRec { from, epoch, .. } => format!("MLogRec from {from} e{epoch}"),
            MNotifyRec { from, epoch, .. } => format!("MNotifyRec from {from} e{epoch}"),
            MQuery {
                from, epoch, kind, ..
            } => format!("MQuery {:?} from {from} e{epoch}", kind.unwrap_or_default()),
            other => other.type_name().to_string(),
        }
    }
}
