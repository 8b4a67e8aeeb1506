//! Ceph's PeeringMachine as data: the 35 states of src/osd/PeeringState.h @00349925, their
//! hierarchy and initial substates, and every reaction each state lists, in Ceph's order.
//! `cephscope dot peering`, the browser's graph and the docs are generated from
//! [`definition`]; a test checks it against the DOT Ceph's own gen_state_diagram.py draws.

use super::events::{PeeringEvent, EVENT_NAMES};
use super::reactions as r;
use super::state::PeeringState;
use crate::engine::statechart::{
    Action, EventMatch, Handler, MachineDef, ReactionDef, ReactionKind, StateDef, StateId,
};
use std::sync::OnceLock;

pub type PeeringDef = MachineDef<PeeringState, PeeringEvent>;

/// The states, in the order Ceph's diagram lists them (declaration order in PeeringState.h,
/// grouped by parent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(usize)]
pub enum S {
    Crashed,
    Initial,
    Reset,
    Started,
    Start,
    Primary,
    WaitActingChange,
    Peering,
    GetInfo,
    GetLog,
    GetMissing,
    WaitUpThru,
    Down,
    Incomplete,
    Active,
    Clean,
    Recovered,
    Backfilling,
    WaitRemoteBackfillReserved,
    WaitLocalBackfillReserved,
    NotBackfilling,
    NotRecovering,
    Recovering,
    WaitRemoteRecoveryReserved,
    WaitLocalRecoveryReserved,
    Activating,
    ReplicaActive,
    RepRecovering,
    RepWaitBackfillReserved,
    RepWaitRecoveryReserved,
    RepNotRecovering,
    Stray,
    ToDelete,
    WaitDeleteReserved,
    Deleting,
}

impl S {
    pub const fn id(self) -> StateId {
        self as usize
    }
}

/// The PeeringMachine definition (built once).
pub fn definition() -> &'static PeeringDef {
    static DEF: OnceLock<PeeringDef> = OnceLock::new();
    DEF.get_or_init(build)
}

struct Builder {
    def: PeeringDef,
}

impl Builder {
    fn state(&mut self, s: S, path: &'static str, parent: Option<S>, doc: &'static str) {
        debug_assert_eq!(
            self.def.states.len(),
            s.id(),
            "states out of order at {s:?}"
        );
        let name = path.rsplit('/').next().unwrap_or(path);
        // Ceph's NamedState for WaitDeleteReserved misspells it; the class name is right.
        let name = if s == S::WaitDeleteReserved {
            "WaitDeleteReserved"
        } else {
            name
        };
        self.def.states.push(StateDef {
            name,
            path,
            parent: parent.map(S::id),
            initial: None,
            entry: None,
            exit: None,
            doc,
        });
    }

    fn initial(&mut self, composite: S, initial: S) {
        self.def.states[composite.id()].initial = Some(initial.id());
    }

    fn entry(&mut self, s: S, action: Action<PeeringState, PeeringEvent>) {
        self.def.states[s.id()].entry = Some(action);
    }

    fn exit(&mut self, s: S, action: Action<PeeringState, PeeringEvent>) {
        self.def.states[s.id()].exit = Some(action);
    }

    fn push(
        &mut self,
        s: S,
        event: EventMatch,
        kind: ReactionKind<PeeringState, PeeringEvent>,
        doc: &'static str,
    ) {
        if let EventMatch::Named(n) = event {
            debug_assert!(EVENT_NAMES.contains(&n), "unknown event {n}");
        }
        self.def.reactions.push(ReactionDef {
            state: s.id(),
            event,
            kind,
            doc,
        });
    }

    /// `transition<Ev, Target>`.
    fn transition(&mut self, s: S, event: &'static str, target: S, doc: &'static str) {
        self.push(
            s,
            EventMatch::Named(event),
            ReactionKind::Transition(target.id()),
            doc,
        );
    }

    /// `transition<boost::statechart::event_base, Crashed>`.
    fn crash_on_unhandled(&mut self, s: S) {
        self.push(
            s,
            EventMatch::Any,
            ReactionKind::Transition(S::Crashed.id()),
            "any event no inner state handles: Ceph aborts (\"bad state machine event\")",
        );
    }

    /// `custom_reaction<Ev>` with the states its `transit<>` can return.
    fn custom(
        &mut self,
        s: S,
        event: &'static str,
        handler: Handler<PeeringState, PeeringEvent>,
        targets: &[S],
        doc: &'static str,
    ) {
        let targets = targets.iter().map(|t| t.id()).collect();
        self.push(
            s,
            EventMatch::Named(event),
            ReactionKind::Custom { handler, targets },
            doc,
        );
    }

    /// A `custom_reaction<Ev>` whose handler only discards the event.
    fn ignore(&mut self, s: S, events: &[&'static str], doc: &'static str) {
        for e in events {
            self.custom(s, e, r::discard, &[], doc);
        }
    }

    /// A `custom_reaction<Ev>` whose handler only forwards the event to the parent.
    fn pass_up(&mut self, s: S, events: &[&'static str], doc: &'static str) {
        for e in events {
            self.custom(s, e, r::forward, &[], doc);
        }
    }

    /// A `react()` with a `transit<>` that Ceph never calls because the state does not
    /// list the event (drawn by Ceph's diagram script, never taken).
    fn unlisted(&mut self, s: S, event: &'static str, target: S, doc: &'static str) {
        self.push(
            s,
            EventMatch::Named(event),
            ReactionKind::Unlisted {
                targets: vec![target.id()],
            },
            doc,
        );
    }
}

fn build() -> PeeringDef {
    let mut b = Builder {
        def: MachineDef {
            name: "PeeringMachine",
            states: Vec::new(),
            initial: S::Initial.id(),
            events: EVENT_NAMES.to_vec(),
            reactions: Vec::new(),
        },
    };
    declare_states(&mut b);
    declare_machine_level(&mut b);
    declare_primary(&mut b);
    declare_peering(&mut b);
    declare_active(&mut b);
    declare_replica(&mut b);
    declare_delete(&mut b);
    b.def
}

fn declare_states(b: &mut Builder) {
    use S::*;
    b.state(
        Crashed,
        "Crashed",
        None,
        "A bad event reached Reset, Initial or Started: the OSD aborts.",
    );
    b.state(
        Initial,
        "Initial",
        None,
        "The PG was just created or loaded; waits for Initialize.",
    );
    b.state(
        Reset,
        "Reset",
        None,
        "A new interval began: per-interval state is cleared; waits for ActMap.",
    );
    b.state(
        Started,
        "Started",
        None,
        "The PG is running in the current interval.",
    );
    b.state(
        Start,
        "Start",
        Some(Started),
        "Decides the role: primary or stray.",
    );
    b.state(
        Primary,
        "Started/Primary",
        Some(Started),
        "This OSD is the acting primary.",
    );
    b.state(
        WaitActingChange,
        "Started/Primary/WaitActingChange",
        Some(Primary),
        "Waits for the monitor to install the pg_temp the primary asked for.",
    );
    b.state(
        Peering,
        "Started/Primary/Peering",
        Some(Primary),
        "Bringing the acting set into agreement about the PG's history.",
    );
    b.state(
        GetInfo,
        "Started/Primary/Peering/GetInfo",
        Some(Peering),
        "Queries every OSD of the prior set for its pg_info.",
    );
    b.state(
        GetLog,
        "Started/Primary/Peering/GetLog",
        Some(Peering),
        "Chooses the authoritative log and the acting set, fetches that log.",
    );
    b.state(
        GetMissing,
        "Started/Primary/Peering/GetMissing",
        Some(Peering),
        "Fetches the peers' logs to learn what each is missing.",
    );
    b.state(
        WaitUpThru,
        "Started/Primary/Peering/WaitUpThru",
        Some(Peering),
        "Waits for the monitor to record up_thru for this interval.",
    );
    b.state(
        Down,
        "Started/Primary/Peering/Down",
        Some(Peering),
        "A past interval that may have accepted writes has no surviving OSD to ask.",
    );
    b.state(
        Incomplete,
        "Started/Primary/Peering/Incomplete",
        Some(Peering),
        "No usable authoritative log: missing history or too few OSDs.",
    );
    b.state(
        Active,
        "Started/Primary/Active",
        Some(Primary),
        "The PG serves I/O; recovery and backfill run here.",
    );
    b.state(
        Clean,
        "Started/Primary/Active/Clean",
        Some(Active),
        "Every acting OSD has every object: active+clean.",
    );
    b.state(
        Recovered,
        "Started/Primary/Active/Recovered",
        Some(Active),
        "Recovery is done; waits for every replica to be activated.",
    );
    b.state(
        Backfilling,
        "Started/Primary/Active/Backfilling",
        Some(Active),
        "Copies objects to the backfill targets in order.",
    );
    b.state(
        WaitRemoteBackfillReserved,
        "Started/Primary/Active/WaitRemoteBackfillReserved",
        Some(Active),
        "Asks each backfill target for a reservation, one at a time.",
    );
    b.state(
        WaitLocalBackfillReserved,
        "Started/Primary/Active/WaitLocalBackfillReserved",
        Some(Active),
        "Waits for a local backfill slot (osd_max_backfills).",
    );
    b.state(
        NotBackfilling,
        "Started/Primary/Active/NotBackfilling",
        Some(Active),
        "Backfill is deferred, too full or has unfound objects.",
    );
    b.state(
        NotRecovering,
        "Started/Primary/Active/NotRecovering",
        Some(Active),
        "Recovery is deferred, too full or has unfound objects.",
    );
    b.state(
        Recovering,
        "Started/Primary/Active/Recovering",
        Some(Active),
        "Pulls and pushes missing objects from the log.",
    );
    b.state(
        WaitRemoteRecoveryReserved,
        "Started/Primary/Active/WaitRemoteRecoveryReserved",
        Some(Active),
        "Asks each replica for a recovery reservation, one at a time.",
    );
    b.state(
        WaitLocalRecoveryReserved,
        "Started/Primary/Active/WaitLocalRecoveryReserved",
        Some(Active),
        "Waits for a local recovery slot.",
    );
    b.state(
        Activating,
        "Started/Primary/Active/Activating",
        Some(Active),
        "Activation sent to the replicas; waits for them to commit.",
    );
    b.state(
        ReplicaActive,
        "Started/ReplicaActive",
        Some(Started),
        "A replica of an active PG.",
    );
    b.state(
        RepRecovering,
        "Started/ReplicaActive/RepRecovering",
        Some(ReplicaActive),
        "This replica is being recovered or backfilled.",
    );
    b.state(
        RepWaitBackfillReserved,
        "Started/ReplicaActive/RepWaitBackfillReserved",
        Some(ReplicaActive),
        "Waits for a local slot to grant the primary's backfill request.",
    );
    b.state(
        RepWaitRecoveryReserved,
        "Started/ReplicaActive/RepWaitRecoveryReserved",
        Some(ReplicaActive),
        "Waits for a local slot to grant the primary's recovery request.",
    );
    b.state(
        RepNotRecovering,
        "Started/ReplicaActive/RepNotRecovering",
        Some(ReplicaActive),
        "An active replica with nothing being recovered.",
    );
    b.state(
        Stray,
        "Started/Stray",
        Some(Started),
        "Not primary: answers queries and waits for the primary's info or log. Entered with its pool deleted, it posts DeleteStart.",
    );
    b.state(
        ToDelete,
        "Started/ToDelete",
        Some(Started),
        "The PG is no longer needed here and will be removed.",
    );
    b.state(
        WaitDeleteReserved,
        "Started/ToDelete/WaitDeleteReseved",
        Some(ToDelete),
        "Waits for a local reservation to delete (Ceph's state name has the typo).",
    );
    b.state(
        Deleting,
        "Started/ToDelete/Deleting",
        Some(ToDelete),
        "Removes the PG's objects in batches.",
    );

    b.initial(Started, Start);
    b.initial(Primary, Peering);
    b.initial(Peering, GetInfo);
    b.initial(Active, Activating);
    b.initial(ReplicaActive, RepNotRecovering);
    b.initial(ToDelete, WaitDeleteReserved);

    b.entry(Crashed, r::crashed_entry);
    b.entry(Reset, r::reset_entry);
    b.entry(Start, r::start_entry);
    b.entry(Stray, r::stray_entry);
    b.entry(Peering, r::peering_entry);
    b.exit(Peering, r::peering_exit);
    b.entry(GetInfo, r::getinfo_entry);
    b.entry(GetLog, r::getlog_entry);
    b.exit(GetLog, r::getlog_exit);
    b.entry(GetMissing, r::getmissing_entry);
    b.exit(GetMissing, r::getmissing_exit);
    b.entry(Recovered, r::recovered_entry);
    b.exit(GetInfo, r::getinfo_exit);
    b.entry(Down, r::down_entry);
    b.exit(Down, r::down_exit);
    b.entry(Incomplete, r::incomplete_entry);
    b.exit(Incomplete, r::incomplete_exit);
    b.entry(Active, r::active_entry);
    b.exit(Active, r::active_exit);
    b.entry(Clean, r::clean_entry);
    b.entry(
        WaitLocalRecoveryReserved,
        r::waitlocalrecoveryreserved_entry,
    );
    b.entry(
        WaitRemoteRecoveryReserved,
        r::waitremoterecoveryreserved_entry,
    );
    b.entry(Recovering, r::recovering_entry);
    b.exit(Recovering, r::recovering_exit);
    b.exit(NotRecovering, r::notrecovering_exit);
    b.entry(
        WaitLocalBackfillReserved,
        r::waitlocalbackfillreserved_entry,
    );
    b.entry(
        WaitRemoteBackfillReserved,
        r::waitremotebackfillreserved_entry,
    );
    b.entry(Backfilling, r::backfilling_entry);
    b.exit(Backfilling, r::backfilling_exit);
    b.exit(NotBackfilling, r::notbackfilling_exit);
    b.exit(RepRecovering, r::reprecovering_exit);
    b.exit(ReplicaActive, r::replicaactive_exit);
    b.exit(Clean, r::clean_exit);
    b.exit(ToDelete, super::delete::todelete_exit);
    b.entry(WaitDeleteReserved, super::delete::waitdeletereserved_entry);
    b.entry(Deleting, super::delete::deleting_entry);
    b.exit(Deleting, super::delete::deleting_exit);
}

// The reaction lists below follow each state's `reactions` typedef in PeeringState.h
// @00349925 entry by entry, in order (tests/peering_chart.rs checks them against
// tests/data/ceph/reactions.txt). Handlers that Ceph resolves to the generic
// `react(const event_base&)` discard.

const DUMP: &str = "`ceph pg query`: dumps this state";

/// Initial, Reset, Started, Start, Stray.
fn declare_machine_level(b: &mut Builder) {
    use S::*;
    b.transition(Initial, "Initialize", Reset, "the PG is loaded or created");
    b.ignore(Initial, &["NullEvt"], "ignored");
    b.crash_on_unhandled(Initial);
    for (event, target) in [
        ("MNotifyRec", Primary),
        ("MInfoRec", Stray),
        ("MLogRec", Stray),
    ] {
        b.unlisted(
            Initial,
            event,
            target,
            "dead code: Initial::react exists but the event is not in Initial's reactions, \
             so a real one goes to Crashed",
        );
    }

    b.ignore(Reset, &["QueryState", "QueryUnfound"], DUMP);
    b.custom(
        Reset,
        "AdvMap",
        r::reset_advmap,
        &[],
        "start_peering_interval if should_restart_peering; discard",
    );
    b.custom(
        Reset,
        "ActMap",
        r::reset_actmap,
        &[Started],
        "always: send a pending notify to the primary, then Started",
    );
    b.ignore(Reset, &["NullEvt"], "ignored");
    b.ignore(
        Reset,
        &["IntervalFlush"],
        "stop blocking outgoing recovery messages",
    );
    b.crash_on_unhandled(Reset);

    b.ignore(Started, &["QueryState", "QueryUnfound"], DUMP);
    b.custom(
        Started,
        "AdvMap",
        r::started_advmap,
        &[Reset],
        "should_restart_peering (new interval, or this OSD came back up): re-post AdvMap, Reset",
    );
    b.ignore(
        Started,
        &["IntervalFlush"],
        "stop blocking outgoing recovery messages",
    );
    b.ignore(
        Started,
        &[
            "NullEvt",
            "SetForceRecovery",
            "UnsetForceRecovery",
            "SetForceBackfill",
            "UnsetForceBackfill",
            "RequestScrub",
            "CheckReadable",
        ],
        "ignored here (a primary handles the force and scrub requests first)",
    );
    b.crash_on_unhandled(Started);

    b.transition(
        Start,
        "MakePrimary",
        Primary,
        "posted by Start's entry: this OSD is the acting primary",
    );
    b.transition(
        Start,
        "MakeStray",
        Stray,
        "posted by Start's entry: not the primary",
    );

    b.custom(
        Stray,
        "MQuery",
        r::answer_query,
        &[],
        "answer the primary's INFO / LOG / FULLLOG query",
    );
    b.custom(
        Stray,
        "MLogRec",
        r::stray_mlogrec,
        &[ReplicaActive],
        "merge the primary's log (or restart backfill); post Activate",
    );
    b.custom(
        Stray,
        "MInfoRec",
        r::stray_minforec,
        &[ReplicaActive],
        "rewind divergent entries if ahead of the primary; post Activate",
    );
    b.custom(
        Stray,
        "ActMap",
        r::notify_actmap,
        &[],
        "send a pending notify to the primary",
    );
    b.ignore(Stray, &["RecoveryDone"], "ignored");
    b.transition(
        Stray,
        "DeleteStart",
        ToDelete,
        "the pool is gone or the PG moved away for good",
    );
}

fn declare_primary(b: &mut Builder) {
    use S::*;
    b.ignore(Primary, &["ActMap"], "publish stats");
    b.custom(
        Primary,
        "MNotifyRec",
        r::primary_mnotifyrec,
        &[],
        "proc_replica_info: record the peer's info",
    );
    for e in [
        "SetForceRecovery",
        "UnsetForceRecovery",
        "SetForceBackfill",
        "UnsetForceBackfill",
    ] {
        b.custom(
            Primary,
            e,
            r::primary_set_force,
            &[],
            "toggle the FORCED_* bit; the local reservation takes the new priority",
        );
    }
    b.ignore(Primary, &["RequestScrub"], "schedule a scrub");

    b.pass_up(WaitActingChange, &["QueryState"], DUMP);
    b.ignore(WaitActingChange, &["QueryUnfound"], DUMP);
    b.custom(
        WaitActingChange,
        "AdvMap",
        r::waitactingchange_advmap,
        &[Reset],
        "a want_acting OSD went down: re-post AdvMap, Reset; else forward",
    );
    b.ignore(
        WaitActingChange,
        &["MLogRec", "MInfoRec", "MNotifyRec"],
        "ignored while waiting for pg_temp",
    );
}

fn declare_peering(b: &mut Builder) {
    use S::*;
    b.pass_up(
        Peering,
        &["QueryState"],
        "dumps past_intervals, probing_osds, down_osds_we_would_probe, peering_blocked_by",
    );
    b.ignore(Peering, &["QueryUnfound"], DUMP);
    b.transition(
        Peering,
        "Activate",
        Active,
        "posted by GetMissing or WaitUpThru",
    );
    b.custom(
        Peering,
        "AdvMap",
        r::peering_advmap,
        &[Reset],
        "the prior set is affected by the new map: re-post AdvMap, Reset; else forward",
    );

    b.ignore(GetInfo, &["QueryState", "QueryUnfound"], DUMP);
    b.transition(
        GetInfo,
        "GotInfo",
        GetLog,
        "every OSD of the prior set that can answer did",
    );
    b.custom(
        GetInfo,
        "MNotifyRec",
        r::getinfo_mnotifyrec,
        &[],
        "record the peer's info; when nobody is outstanding post GotInfo",
    );
    b.transition(GetInfo, "IsDown", Down, "the prior set says pg_down");

    b.ignore(GetLog, &["QueryState", "QueryUnfound"], DUMP);
    b.custom(
        GetLog,
        "MLogRec",
        r::getlog_mlogrec,
        &[],
        "the log from the auth shard: keep it, post GotLog",
    );
    b.custom(
        GetLog,
        "GotLog",
        r::getlog_gotlog,
        &[GetMissing],
        "proc_master_log if a log came, then GetMissing",
    );
    b.custom(
        GetLog,
        "AdvMap",
        r::getlog_advmap,
        &[Reset],
        "the auth log's OSD went down: re-post AdvMap, Reset; else forward",
    );
    b.transition(
        GetLog,
        "NeedActingChange",
        WaitActingChange,
        "choose_acting wants another acting set: pg_temp requested",
    );
    b.transition(
        GetLog,
        "IsIncomplete",
        Incomplete,
        "choose_acting found no usable authoritative log",
    );

    b.ignore(GetMissing, &["QueryState", "QueryUnfound"], DUMP);
    b.custom(
        GetMissing,
        "MLogRec",
        r::getmissing_mlogrec,
        &[],
        "proc_replica_log; after the last answer post NeedUpThru or Activate",
    );
    b.transition(
        GetMissing,
        "NeedUpThru",
        WaitUpThru,
        "the monitor has not yet recorded up_thru for this interval",
    );

    b.ignore(WaitUpThru, &["QueryState", "QueryUnfound"], DUMP);
    b.custom(
        WaitUpThru,
        "ActMap",
        r::waitupthru_actmap,
        &[],
        "up_thru recorded: post Activate; forward",
    );
    b.custom(
        WaitUpThru,
        "MLogRec",
        r::waitupthru_mlogrec,
        &[],
        "a late log answer: store the peer's missing set",
    );

    b.ignore(Down, &["QueryState", "QueryUnfound"], DUMP);
    b.custom(
        Down,
        "MNotifyRec",
        r::down_mnotifyrec,
        &[GetInfo],
        "history.last_epoch_started advanced: GetInfo again",
    );

    b.custom(
        Incomplete,
        "AdvMap",
        r::incomplete_advmap,
        &[Reset],
        "the pool's min_size went down (or the pool is gone): re-post AdvMap, Reset",
    );
    b.custom(
        Incomplete,
        "MNotifyRec",
        r::incomplete_mnotifyrec,
        &[GetLog],
        "proc_replica_info learned something new: GetLog again",
    );
    b.ignore(Incomplete, &["QueryUnfound", "QueryState"], DUMP);
}

fn declare_active(b: &mut Builder) {
    use S::*;
    b.ignore(Active, &["QueryState", "QueryUnfound"], DUMP);
    b.custom(
        Active,
        "ActMap",
        super::unfound::active_actmap,
        &[],
        "with unfound objects, discover_all_missing; forward",
    );
    b.custom(
        Active,
        "AdvMap",
        r::active_advmap,
        &[],
        "a stray of want_acting went down: choose_acting again; forward (Started handles a new interval)",
    );
    b.custom(
        Active,
        "MInfoRec",
        r::active_minforec,
        &[],
        "a replica confirms its activation; when all have, AllReplicasActivated",
    );
    b.custom(
        Active,
        "MNotifyRec",
        r::active_mnotifyrec,
        &[],
        "a new peer: proc_replica_info, then choose_acting may ask for a pg_temp",
    );
    b.custom(
        Active,
        "MLogRec",
        super::unfound::active_mlogrec,
        &[],
        "a peer's whole log: proc_replica_log, search_for_missing; found something: DoRecovery",
    );
    b.ignore(Active, &["MTrim"], "peer log bookkeeping while active");
    b.ignore(Active, &["Backfilled"], "discarded at this level");
    b.custom(
        Active,
        "ActivateCommitted",
        r::active_activatecommitted,
        &[],
        "our own activation is durable",
    );
    b.custom(
        Active,
        "AllReplicasActivated",
        r::active_allreplicasactivated,
        &[],
        "set ACTIVE (or PEERED), history.les := les; queue recovery",
    );
    b.ignore(
        Active,
        &[
            "DeferRecovery",
            "DeferBackfill",
            "UnfoundRecovery",
            "UnfoundBackfill",
            "RemoteReservationRevokedTooFull",
            "RemoteReservationRevoked",
            "DoRecovery",
        ],
        "discarded at this level (only the substates that care react)",
    );
    b.ignore(
        Active,
        &["RenewLease", "MLeaseAck", "CheckReadable"],
        "read-lease bookkeeping",
    );

    b.transition(
        Clean,
        "DoRecovery",
        WaitLocalRecoveryReserved,
        "new missing objects were found",
    );
    b.ignore(
        Clean,
        &["SetForceRecovery", "SetForceBackfill"],
        "ignored while clean",
    );

    b.transition(Recovered, "GoClean", Clean, "every replica is activated");
    b.transition(
        Recovered,
        "DoRecovery",
        WaitLocalRecoveryReserved,
        "new missing objects were found",
    );
    b.custom(
        Recovered,
        "AllReplicasActivated",
        r::recovered_allreplicasactivated,
        &[],
        "post GoClean and forward",
    );

    b.custom(
        Backfilling,
        "Backfilled",
        r::backfilling_backfilled,
        &[Recovered],
        "release local and remote backfill reservations",
    );
    b.custom(
        Backfilling,
        "DeferBackfill",
        r::backfill_defer,
        &[NotBackfilling],
        "BACKFILL_WAIT; retry RequestBackfill after the delay",
    );
    b.custom(
        Backfilling,
        "UnfoundBackfill",
        r::backfill_unfound,
        &[NotBackfilling],
        "BACKFILL_UNFOUND",
    );
    b.custom(
        Backfilling,
        "RemoteReservationRejectedTooFull",
        r::backfilling_rejected_toofull,
        &[],
        "compat: re-posted as RemoteReservationRevokedTooFull",
    );
    b.custom(
        Backfilling,
        "RemoteReservationRevokedTooFull",
        r::backfill_toofull,
        &[NotBackfilling],
        "BACKFILL_TOOFULL; RequestBackfill after osd_backfill_retry_interval",
    );
    b.custom(
        Backfilling,
        "RemoteReservationRevoked",
        r::backfilling_revoked,
        &[WaitLocalBackfillReserved],
        "only if needs_backfill(), else discard",
    );

    b.custom(
        WaitRemoteBackfillReserved,
        "RemoteBackfillReserved",
        r::waitremotebackfill_reserved,
        &[],
        "ask the next backfill target; after the last post AllBackfillsReserved",
    );
    b.custom(
        WaitRemoteBackfillReserved,
        "RemoteReservationRejectedTooFull",
        r::remote_backfill_retry,
        &[NotBackfilling],
        "BACKFILL_TOOFULL; retry()",
    );
    b.custom(
        WaitRemoteBackfillReserved,
        "RemoteReservationRevoked",
        r::remote_backfill_retry,
        &[NotBackfilling],
        "retry()",
    );
    b.transition(
        WaitRemoteBackfillReserved,
        "AllBackfillsReserved",
        Backfilling,
        "every backfill target granted",
    );

    b.transition(
        WaitLocalBackfillReserved,
        "LocalBackfillReserved",
        WaitRemoteBackfillReserved,
        "the local reserver granted a slot",
    );
    b.ignore(
        WaitLocalBackfillReserved,
        &["RemoteBackfillReserved"],
        "ignored",
    );

    b.ignore(NotBackfilling, &["QueryUnfound"], DUMP);
    b.transition(
        NotBackfilling,
        "RequestBackfill",
        WaitLocalBackfillReserved,
        "the retry timer fired",
    );
    b.ignore(
        NotBackfilling,
        &["RemoteBackfillReserved", "RemoteReservationRejectedTooFull"],
        "ignored",
    );

    b.ignore(NotRecovering, &["QueryUnfound"], DUMP);
    b.transition(
        NotRecovering,
        "DoRecovery",
        WaitLocalRecoveryReserved,
        "the retry timer fired",
    );
    b.ignore(
        NotRecovering,
        &["DeferRecovery", "UnfoundRecovery"],
        "ignored",
    );

    b.custom(
        Recovering,
        "AllReplicasRecovered",
        r::recovering_allreplicasrecovered,
        &[Recovered],
        "release the reservations",
    );
    b.custom(
        Recovering,
        "DeferRecovery",
        r::recovering_defer,
        &[NotRecovering],
        "only if RECOVERING is set; DoRecovery after the delay",
    );
    b.custom(
        Recovering,
        "UnfoundRecovery",
        r::recovering_unfound,
        &[NotRecovering],
        "RECOVERY_UNFOUND",
    );
    b.custom(
        Recovering,
        "RequestBackfill",
        r::recovering_requestbackfill,
        &[WaitLocalBackfillReserved],
        "release; backfill is needed next",
    );

    b.custom(
        WaitRemoteRecoveryReserved,
        "RemoteRecoveryReserved",
        r::waitremoterecovery_reserved,
        &[],
        "ask the next replica; after the last grant post AllRemotesReserved",
    );
    b.transition(
        WaitRemoteRecoveryReserved,
        "AllRemotesReserved",
        Recovering,
        "every replica granted",
    );

    b.transition(
        WaitLocalRecoveryReserved,
        "LocalRecoveryReserved",
        WaitRemoteRecoveryReserved,
        "the local reserver granted a slot",
    );
    b.custom(
        WaitLocalRecoveryReserved,
        "RecoveryTooFull",
        r::recovery_toofull,
        &[NotRecovering],
        "RECOVERY_TOOFULL; DoRecovery after osd_recovery_retry_interval",
    );

    b.transition(
        Activating,
        "AllReplicasRecovered",
        Recovered,
        "nothing to recover or backfill",
    );
    b.transition(
        Activating,
        "DoRecovery",
        WaitLocalRecoveryReserved,
        "some acting OSD misses objects",
    );
    b.transition(
        Activating,
        "RequestBackfill",
        WaitLocalBackfillReserved,
        "some OSD needs backfill",
    );
}

fn declare_replica(b: &mut Builder) {
    use S::*;
    b.ignore(ReplicaActive, &["QueryState", "QueryUnfound"], DUMP);
    b.custom(
        ReplicaActive,
        "ActMap",
        r::notify_actmap,
        &[],
        "send a pending notify to the primary",
    );
    b.custom(
        ReplicaActive,
        "MQuery",
        r::answer_query,
        &[],
        "answer the primary's query",
    );
    b.custom(
        ReplicaActive,
        "MInfoRec",
        r::replica_minforec,
        &[],
        "proc_primary_info: merge the primary's history",
    );
    b.custom(
        ReplicaActive,
        "MLogRec",
        r::replica_mlogrec,
        &[],
        "log bookkeeping (merge_log, trim)",
    );
    b.ignore(
        ReplicaActive,
        &["MTrim"],
        "log bookkeeping (merge_log, trim)",
    );
    b.custom(
        ReplicaActive,
        "Activate",
        r::replica_activate,
        &[],
        "activate() as a replica: les := the primary's activation epoch",
    );
    b.custom(
        ReplicaActive,
        "ActivateCommitted",
        r::replica_activatecommitted,
        &[],
        "tell the primary; ACTIVE (or PEERED)",
    );
    b.ignore(
        ReplicaActive,
        &[
            "DeferRecovery",
            "DeferBackfill",
            "UnfoundRecovery",
            "UnfoundBackfill",
            "RemoteBackfillPreempted",
            "RemoteRecoveryPreempted",
            "RecoveryDone",
        ],
        "ignored",
    );
    b.transition(
        ReplicaActive,
        "DeleteStart",
        ToDelete,
        "the PG is to be removed from this OSD",
    );
    b.ignore(ReplicaActive, &["MLease"], "read lease: reply MLeaseAck");

    b.transition(
        RepRecovering,
        "RecoveryDone",
        RepNotRecovering,
        "the primary released the reservation",
    );
    b.transition(
        RepRecovering,
        "RemoteReservationRejectedTooFull",
        RepNotRecovering,
        "compat with old peers",
    );
    b.transition(
        RepRecovering,
        "RemoteReservationCanceled",
        RepNotRecovering,
        "the primary cancelled",
    );
    for ev in [
        "BackfillTooFull",
        "RemoteRecoveryPreempted",
        "RemoteBackfillPreempted",
    ] {
        b.custom(
            RepRecovering,
            ev,
            r::rep_revoke,
            &[],
            "release space, send REVOKE(_TOOFULL)",
        );
    }

    b.custom(
        RepWaitBackfillReserved,
        "RemoteBackfillReserved",
        r::rep_grant_backfill,
        &[RepRecovering],
        "send MBackfillReserve GRANT",
    );
    b.custom(
        RepWaitBackfillReserved,
        "RejectTooFullRemoteReservation",
        r::rep_reject_toofull,
        &[],
        "send REJECT_TOOFULL, post RemoteReservationRejectedTooFull",
    );
    b.custom(
        RepWaitBackfillReserved,
        "RemoteReservationRejectedTooFull",
        r::rep_cancel,
        &[RepNotRecovering],
        "unreserve, cancel",
    );
    b.custom(
        RepWaitBackfillReserved,
        "RemoteReservationCanceled",
        r::rep_cancel,
        &[RepNotRecovering],
        "unreserve, cancel",
    );

    b.custom(
        RepWaitRecoveryReserved,
        "RemoteRecoveryReserved",
        r::rep_grant_recovery,
        &[RepRecovering],
        "send MRecoveryReserve GRANT to the primary",
    );
    b.custom(
        RepWaitRecoveryReserved,
        "RemoteReservationRejectedTooFull",
        r::rep_rejected_as_canceled,
        &[],
        "compat: re-posted as RemoteReservationCanceled",
    );
    b.custom(
        RepWaitRecoveryReserved,
        "RemoteReservationCanceled",
        r::rep_cancel,
        &[RepNotRecovering],
        "unreserve space, cancel the remote reservation",
    );

    b.custom(
        RepNotRecovering,
        "RequestRecoveryPrio",
        r::rep_request_recovery,
        &[RepWaitRecoveryReserved],
        "queue a remote reservation",
    );
    b.custom(
        RepNotRecovering,
        "RequestBackfillPrio",
        r::rep_request_backfill,
        &[RepWaitBackfillReserved],
        "reserve space (or post RejectTooFullRemoteReservation); queue a remote reservation",
    );
    b.custom(
        RepNotRecovering,
        "RejectTooFullRemoteReservation",
        r::rep_reject_toofull,
        &[],
        "send REJECT_TOOFULL to the primary",
    );
    b.transition(
        RepNotRecovering,
        "RemoteReservationRejectedTooFull",
        RepNotRecovering,
        "self re-entry",
    );
    b.transition(
        RepNotRecovering,
        "RemoteReservationCanceled",
        RepNotRecovering,
        "self re-entry",
    );
    b.ignore(
        RepNotRecovering,
        &["RemoteRecoveryReserved", "RemoteBackfillReserved"],
        "raced with a RELEASE: ignored",
    );
    b.transition(
        RepNotRecovering,
        "RecoveryDone",
        RepNotRecovering,
        "self, compat with pre-reservation peers",
    );
}

fn declare_delete(b: &mut Builder) {
    use S::*;
    b.custom(
        ToDelete,
        "ActMap",
        r::todelete_actmap,
        &[ToDelete],
        "re-enter if the delete priority changed",
    );
    b.ignore(ToDelete, &["ActivateCommitted", "DeleteSome"], "ignored");

    b.transition(
        WaitDeleteReserved,
        "DeleteReserved",
        Deleting,
        "the local reserver granted the delete",
    );

    b.custom(
        Deleting,
        "DeleteSome",
        r::deleting_deletesome,
        &[],
        "delete a batch; when finished, terminate",
    );
    b.transition(
        Deleting,
        "DeleteInterrupted",
        WaitDeleteReserved,
        "the local reservation was preempted",
    );
}
