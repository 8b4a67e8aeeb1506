//! The peering flow's reactions (src/osd/PeeringState.cc @00349925): what the primary does
//! in GetInfo, GetLog, GetMissing, WaitUpThru and Active, and what a stray or replica does
//! when the primary queries or activates it. Each function names the Ceph function it
//! models. They change the PG's data, post events and fill the outbox; the OSD (the world)
//! routes the outbox.
//!
//! Stage: logs carry no entries yet (client writes and the pg_log merge are wired next), so
//! proc_master_log / proc_replica_log reduce to adopting infos; recovery and backfill are
//! queued as Ceph does but not run.

use super::acting::{choose_acting, ActingInputs, ChooseActing, ShardInfo};
use super::chart::S;
use super::events::{PeerState, PeeringEvent, QueryKind};
use super::state::{Outgoing, PeeringState};
use crate::engine::intervals::build_prior;
use crate::engine::pgstate::PgState;
use crate::engine::statechart::{Outcome, Posts};
use std::collections::BTreeMap;

type P = Posts<PeeringEvent>;

/// The sender and payload of a peer message event.
fn peer_of(ev: &PeeringEvent) -> Option<(i32, u32, &PeerState)> {
    match ev {
        PeeringEvent::MNotifyRec { from, epoch, peer }
        | PeeringEvent::MInfoRec { from, epoch, peer }
        | PeeringEvent::MLogRec { from, epoch, peer } => peer.as_ref().map(|p| (*from, *epoch, p)),
        _ => None,
    }
}

/// Models `PeeringState::proc_replica_info`: remember the peer's info (unless it is the
/// same as what we have) and merge its history into ours. Returns whether it was new.
fn proc_replica_info(ps: &mut PeeringState, from: i32, peer: &PeerState) -> bool {
    if ps.peer_info.get(&from) == Some(&peer.info) {
        return false;
    }
    ps.peer_info.insert(from, peer.info.clone());
    ps.history.merge(&peer.history);
    true
}

/// Models `PeeringState::Primary::react(const MNotifyRec&)`.
pub fn primary_mnotifyrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        proc_replica_info(ps, from, peer);
    }
    Outcome::Discard
}

/// Models `PeeringState::GetInfo::react(const MNotifyRec&)`: the peer answered; if its
/// history moves last_epoch_started forward, rebuild the prior set and query again; when
/// nobody is outstanding and the PG is not down, GotInfo.
pub fn getinfo_mnotifyrec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    let Some((from, _, peer)) = peer_of(ev) else {
        return Outcome::Discard;
    };
    if ps.peer_info_requested.remove(&from) {
        ps.blocked_by.remove(&from);
    }
    let old_les = ps.history.last_epoch_started;
    if proc_replica_info(ps, from, peer) {
        if old_les < ps.history.last_epoch_started {
            if let Some(map) = ps.osdmap.clone() {
                let prior = build_prior(&map, &ps.history, &ps.past_intervals);
                ps.peer_info_requested
                    .retain(|p| prior.probe.iter().any(|s| s.osd == *p));
                super::reactions::get_infos(ps, &map, &prior);
                ps.prior_set = Some(prior);
            }
        }
        let pg_down = ps.prior_set.as_ref().is_some_and(|p| p.pg_down);
        if ps.peer_info_requested.is_empty() && !pg_down {
            posts.post(PeeringEvent::GotInfo);
        }
    }
    Outcome::Discard
}

/// Every info the primary knows, its own included (choose_acting's `all_info`).
fn all_info(ps: &PeeringState) -> BTreeMap<i32, ShardInfo> {
    let mut infos = ps.peer_info.clone();
    infos.insert(ps.whoami, ps.peer_state().info);
    infos
}

/// Models `PeeringState::GetLog::GetLog`: choose_acting; ask for a pg_temp or give up
/// (Incomplete) when it fails; else take the log from the authoritative OSD (ourselves:
/// GotLog at once).
pub fn getlog_entry(ps: &mut PeeringState, posts: &mut P) {
    let (size, min_size) = ps.pool_sizes();
    let infos = all_info(ps);
    let inputs = ActingInputs {
        whoami: ps.whoami,
        up: &ps.up,
        acting: &ps.acting,
        up_primary: ps.up_primary,
        pool_size: size,
        min_size,
        infos: &infos,
    };
    let (outcome, best, why) = choose_acting(&inputs, false);
    ps.choose_acting_why = best.why.into_iter().chain(why).collect();
    match outcome {
        ChooseActing::NoAuth { want_acting } if !want_acting.is_empty() => {
            ps.want_acting = want_acting;
            ps.outbox.push(Outgoing::WantPgTemp { osds: Vec::new() });
            posts.post(PeeringEvent::NeedActingChange);
        }
        ChooseActing::NoAuth { .. } | ChooseActing::NotRecoverable { .. } => {
            posts.post(PeeringEvent::IsIncomplete);
        }
        ChooseActing::ChangeActing {
            want_acting,
            pg_temp,
        } => {
            ps.want_acting = want_acting;
            ps.outbox.push(Outgoing::WantPgTemp { osds: pg_temp });
            posts.post(PeeringEvent::NeedActingChange);
        }
        ChooseActing::Keep {
            auth,
            acting_recovery_backfill,
            backfill_targets,
        } => {
            ps.want_acting.clear();
            ps.auth_log_shard = Some(auth);
            ps.acting_recovery_backfill = acting_recovery_backfill;
            ps.backfill_targets = backfill_targets;
            if auth == ps.whoami {
                posts.post(PeeringEvent::GotLog);
            } else if ps.info.last_update < infos[&auth].log_tail {
                // "not contiguous": our log ends before theirs begins.
                posts.post(PeeringEvent::IsIncomplete);
            } else {
                ps.outbox.push(Outgoing::Query {
                    to: auth,
                    epoch: ps.epoch,
                    kind: QueryKind::Log,
                });
                ps.blocked_by.insert(auth);
            }
        }
    }
}

/// Models `PeeringState::GetLog::exit`.
pub fn getlog_exit(ps: &mut PeeringState, _: &mut P) {
    ps.blocked_by.clear();
}

/// Models `PeeringState::GetLog::react(const AdvMap&)`: the auth log's OSD went down.
pub fn getlog_advmap(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    let auth_down = match (&ps.osdmap, ps.auth_log_shard) {
        (Some(map), Some(auth)) => !map.is_up(auth),
        _ => false,
    };
    if auth_down {
        posts.post(ev.clone());
        return Outcome::Transit(S::Reset.id());
    }
    Outcome::Forward
}

/// Models `PeeringState::GetLog::react(const MLogRec&)`: only the auth shard's log counts.
pub fn getlog_mlogrec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        if Some(from) == ps.auth_log_shard {
            ps.peer_info.insert(from, peer.info.clone());
            posts.post(PeeringEvent::GotLog);
        }
    }
    Outcome::Discard
}

/// Models `PeeringState::GetLog::react(const GotLog&)`: proc_master_log (adopt the
/// authoritative log: here its head and tail, and les if larger), then GetMissing.
pub fn getlog_gotlog(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    if let Some(auth) = ps.auth_log_shard.filter(|a| *a != ps.whoami) {
        if let Some(a) = ps.peer_info.get(&auth).cloned() {
            if a.last_update > ps.info.last_update {
                ps.info.last_update = a.last_update;
                ps.info.log_tail = ps.info.log_tail.min(a.log_tail);
            }
            ps.info.last_epoch_started = ps.info.last_epoch_started.max(a.last_epoch_started);
        }
    }
    Outcome::Transit(S::GetMissing.id())
}

/// Models `PeeringState::GetMissing::GetMissing`: ask each peer that may miss objects for
/// its log and missing set; peers that are empty, will be backfilled, or are up to date are
/// not asked. Nobody to ask: NeedUpThru or Activate.
pub fn getmissing_entry(ps: &mut PeeringState, posts: &mut P) {
    let peers: Vec<i32> = ps
        .acting_recovery_backfill
        .iter()
        .copied()
        .filter(|p| *p != ps.whoami)
        .collect();
    for peer in peers {
        let Some(pi) = ps.peer_info.get(&peer).cloned() else {
            continue;
        };
        let skip = pi.is_empty()
            || pi.last_update < ps.info.log_tail
            || pi.is_incomplete()
            || (pi.last_update == pi.last_complete && pi.last_update == ps.info.last_update);
        if skip {
            continue;
        }
        ps.outbox.push(Outgoing::Query {
            to: peer,
            epoch: ps.epoch,
            kind: QueryKind::Log,
        });
        ps.peer_missing_requested.insert(peer);
        ps.blocked_by.insert(peer);
    }
    if ps.peer_missing_requested.is_empty() {
        post_after_missing(ps, posts);
    }
}

fn post_after_missing(ps: &PeeringState, posts: &mut P) {
    if ps.need_up_thru {
        posts.post(PeeringEvent::NeedUpThru);
    } else {
        posts.post(PeeringEvent::Activate {
            activation_epoch: ps.epoch,
        });
    }
}

/// Models `PeeringState::GetMissing::exit`.
pub fn getmissing_exit(ps: &mut PeeringState, _: &mut P) {
    ps.blocked_by.clear();
    ps.peer_missing_requested.clear();
}

/// Models `PeeringState::GetMissing::react(const MLogRec&)` (proc_replica_log).
pub fn getmissing_mlogrec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        ps.peer_missing_requested.remove(&from);
        ps.blocked_by.remove(&from);
        ps.peer_info.insert(from, peer.info.clone());
        if ps.peer_missing_requested.is_empty() {
            post_after_missing(ps, posts);
        }
    }
    Outcome::Discard
}

/// Models `PeeringState::WaitUpThru::react(const ActMap&)`: once the map records our
/// up_thru (Peering's AdvMap cleared need_up_thru), Activate; forward.
pub fn waitupthru_actmap(ps: &mut PeeringState, _: &PeeringEvent, posts: &mut P) -> Outcome {
    if !ps.need_up_thru {
        posts.post(PeeringEvent::Activate {
            activation_epoch: ps.epoch,
        });
    }
    Outcome::Forward
}

/// Models `PeeringState::WaitUpThru::react(const MLogRec&)`: a late answer, kept.
pub fn waitupthru_mlogrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        ps.peer_info.insert(from, peer.info.clone());
    }
    Outcome::Discard
}

/// Models `PeeringState::Down::react(const MNotifyRec&)`: a peer's history moved
/// last_epoch_started forward: peering can try again.
pub fn down_mnotifyrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    let Some((_, _, peer)) = peer_of(ev) else {
        return Outcome::Discard;
    };
    let old_les = ps.history.last_epoch_started;
    ps.history.merge(&peer.history);
    if ps.history.last_epoch_started > old_les {
        ps.state.clear(PgState::DOWN);
        ps.state.set(PgState::PEERING);
        return Outcome::Transit(S::GetInfo.id());
    }
    Outcome::Discard
}

/// Models `PeeringState::Incomplete::react(const MNotifyRec&)`: new info → GetLog again.
pub fn incomplete_mnotifyrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        if proc_replica_info(ps, from, peer) {
            return Outcome::Transit(S::GetLog.id());
        }
    }
    Outcome::Discard
}

/// Models `PeeringState::WaitActingChange::react(const AdvMap&)`: a want_acting OSD went
/// down: Reset; else forward (the pg_temp change itself is a new interval for Started).
pub fn waitactingchange_advmap(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    let down = match &ps.osdmap {
        Some(map) => ps.want_acting.iter().any(|o| !map.is_up(*o)),
        None => false,
    };
    if down {
        posts.post(ev.clone());
        return Outcome::Transit(S::Reset.id());
    }
    Outcome::Forward
}

/// Models `PeeringState::Active::Active` (`activate()` on the primary): les := the
/// activation epoch when the acting set can take writes; tell every peer (MOSDPGInfo);
/// UNDERSIZED when the acting set is below the pool size; ACTIVATING. Our own activation
/// commits at once (ActivateCommitted).
pub fn active_entry(ps: &mut PeeringState, posts: &mut P) {
    let (size, min_size) = ps.pool_sizes();
    ps.activation_epoch = ps.epoch;
    if ps.acting.len() >= min_size {
        ps.info.last_epoch_started = ps.epoch;
    }
    ps.need_up_thru = false;
    ps.peer_activated.clear();
    ps.activate_committed = false;
    ps.all_replicas_activated = false;
    let peer = ps.peer_state();
    let peers: Vec<i32> = ps
        .acting_recovery_backfill
        .iter()
        .copied()
        .filter(|p| *p != ps.whoami)
        .collect();
    for to in peers {
        ps.outbox.push(Outgoing::Info {
            to,
            epoch: ps.epoch,
            peer: peer.clone(),
        });
    }
    if size > ps.acting.len() {
        ps.state.set(PgState::UNDERSIZED);
    }
    ps.state.set(PgState::ACTIVATING);
    posts.post(PeeringEvent::ActivateCommitted {
        epoch: ps.epoch,
        activation_epoch: ps.epoch,
    });
}

/// Models `PeeringState::all_activated_and_committed`: DEGRADED when the acting set is
/// short, then AllReplicasActivated.
fn maybe_all_activated(ps: &mut PeeringState, posts: &mut P) {
    let waiting = ps
        .acting_recovery_backfill
        .iter()
        .any(|p| *p != ps.whoami && !ps.peer_activated.contains(p));
    if !ps.activate_committed || waiting || ps.all_replicas_activated {
        return;
    }
    let (size, _) = ps.pool_sizes();
    if ps.acting.len() < size {
        ps.state.set(PgState::DEGRADED);
    } else {
        ps.state.clear(PgState::DEGRADED);
    }
    posts.post(PeeringEvent::AllReplicasActivated);
}

/// Models `PeeringState::Active::react(const ActivateCommitted&)`.
pub fn active_activatecommitted(ps: &mut PeeringState, _: &PeeringEvent, posts: &mut P) -> Outcome {
    ps.activate_committed = true;
    maybe_all_activated(ps, posts);
    Outcome::Discard
}

/// Models `PeeringState::Active::react(const MInfoRec&)`: a replica confirms activation.
pub fn active_minforec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        if ps.acting_recovery_backfill.contains(&from)
            && peer.history.last_epoch_started >= ps.activation_epoch
        {
            ps.peer_info.insert(from, peer.info.clone());
            ps.peer_activated.insert(from);
            maybe_all_activated(ps, posts);
        }
    }
    Outcome::Discard
}

/// Models `PeeringState::Active::react(const AllReplicasActivated&)`: ACTIVE (or PEERED
/// below min_size), history.les := les, share the info, then `on_activate_complete`
/// (PG.cc): RequestBackfill if there are backfill targets, else AllReplicasRecovered.
pub fn active_allreplicasactivated(
    ps: &mut PeeringState,
    _: &PeeringEvent,
    posts: &mut P,
) -> Outcome {
    let (_, min_size) = ps.pool_sizes();
    ps.all_replicas_activated = true;
    ps.state.clear(PgState::ACTIVATING);
    ps.state.clear(PgState::CREATING);
    if ps.acting.len() >= min_size {
        ps.state.set(PgState::ACTIVE);
    } else {
        ps.state.set(PgState::PEERED);
    }
    ps.history.last_epoch_started = ps.info.last_epoch_started;
    ps.history.last_interval_started = ps.history.same_interval_since;
    share_pg_info(ps);
    // on_activate_complete: backfill first if any target needs it, else (nothing is
    // missing while logs carry no entries) every replica is recovered.
    if ps.backfill_targets.is_empty() {
        posts.post(PeeringEvent::AllReplicasRecovered);
    } else {
        posts.post(PeeringEvent::RequestBackfill);
    }
    Outcome::Discard
}

/// Models `PeeringState::share_pg_info`: our info to every other shard.
fn share_pg_info(ps: &mut PeeringState) {
    let peer = ps.peer_state();
    let peers: Vec<i32> = ps
        .acting_recovery_backfill
        .iter()
        .copied()
        .filter(|p| *p != ps.whoami)
        .collect();
    for to in peers {
        ps.outbox.push(Outgoing::Info {
            to,
            epoch: ps.epoch,
            peer: peer.clone(),
        });
    }
}

/// Models `PeeringState::Recovered::Recovered`: if acting differs from up, choose_acting
/// (restricted) asks for the pg_temp to go; when every replica is activated, GoClean.
pub fn recovered_entry(ps: &mut PeeringState, posts: &mut P) {
    if ps.acting != ps.up {
        let (size, min_size) = ps.pool_sizes();
        let infos = all_info(ps);
        let inputs = ActingInputs {
            whoami: ps.whoami,
            up: &ps.up,
            acting: &ps.acting,
            up_primary: ps.up_primary,
            pool_size: size,
            min_size,
            infos: &infos,
        };
        if let (
            ChooseActing::ChangeActing {
                want_acting,
                pg_temp,
            },
            _,
            _,
        ) = choose_acting(&inputs, true)
        {
            ps.want_acting = want_acting;
            ps.outbox.push(Outgoing::WantPgTemp { osds: pg_temp });
        }
    }
    if ps.all_replicas_activated {
        posts.post(PeeringEvent::GoClean);
    }
}

/// Models `PeeringState::Clean::Clean` (try_mark_clean): with a full acting set the PG
/// is CLEAN; history.last_epoch_clean := now and past_intervals are dropped.
pub fn clean_entry(ps: &mut PeeringState, _: &mut P) {
    let (size, _) = ps.pool_sizes();
    if ps.acting.len() == size {
        ps.state.set(PgState::CLEAN);
        ps.history.last_epoch_clean = ps.epoch;
        ps.history.last_interval_clean = ps.history.same_interval_since;
        ps.past_intervals.clear();
    }
    share_pg_info(ps);
}

/// Models `PeeringState::Stray::react(const MLogRec&)`: adopt the primary's log (here its
/// info), then Activate with the primary's les and become a replica.
pub fn stray_mlogrec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    let les = adopt_primary_info(ps, ev);
    posts.post(PeeringEvent::Activate {
        activation_epoch: les,
    });
    Outcome::Transit(S::ReplicaActive.id())
}

/// Models `PeeringState::Stray::react(const MInfoRec&)`: our log matches the primary's
/// (or is rewound to it): Activate with its les and become a replica.
pub fn stray_minforec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    let les = adopt_primary_info(ps, ev);
    posts.post(PeeringEvent::Activate {
        activation_epoch: les,
    });
    Outcome::Transit(S::ReplicaActive.id())
}

/// The primary's les from an activation message; its history merged into ours.
fn adopt_primary_info(ps: &mut PeeringState, ev: &PeeringEvent) -> u32 {
    match peer_of(ev) {
        Some((_, _, peer)) => {
            ps.history.merge(&peer.history);
            if peer.info.last_update > ps.info.last_update {
                ps.info.last_update = peer.info.last_update;
                ps.info.last_complete = peer.info.last_update;
            }
            peer.info.last_epoch_started
        }
        None => match ev {
            PeeringEvent::MLogRec { epoch, .. } | PeeringEvent::MInfoRec { epoch, .. } => *epoch,
            _ => 0,
        },
    }
}

/// Models `PeeringState::fulfill_query` (Stray / ReplicaActive `react(const MQuery&)`):
/// INFO → a notify with our info; LOG / FULLLOG → our log (here: our info) to the querier.
pub fn answer_query(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let PeeringEvent::MQuery { from, kind, .. } = ev {
        let peer = ps.peer_state();
        let out = match kind.unwrap_or_default() {
            QueryKind::Info => Outgoing::Notify {
                to: *from,
                epoch: ps.epoch,
                peer,
            },
            QueryKind::Log | QueryKind::FullLog => Outgoing::Log {
                to: *from,
                epoch: ps.epoch,
                peer,
            },
        };
        ps.outbox.push(out);
    }
    Outcome::Discard
}

/// Models `PeeringState::ReplicaActive::react(const Activate&)` (`activate()` as a
/// replica): les := the primary's activation epoch if larger; the activation commits at
/// once.
pub fn replica_activate(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    if let PeeringEvent::Activate { activation_epoch } = ev {
        ps.state.clear(PgState::DOWN);
        if ps.acting.contains(&ps.whoami) && ps.info.last_epoch_started < *activation_epoch {
            ps.info.last_epoch_started = *activation_epoch;
        }
        ps.activation_epoch = *activation_epoch;
        posts.post(PeeringEvent::ActivateCommitted {
            epoch: ps.epoch,
            activation_epoch: *activation_epoch,
        });
    }
    Outcome::Discard
}

/// Models `PeeringState::ReplicaActive::react(const ActivateCommitted&)`: tell the primary
/// (MOSDPGInfo with history.les = the activation epoch); ACTIVE, or PEERED below min_size.
pub fn replica_activatecommitted(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    let PeeringEvent::ActivateCommitted {
        activation_epoch, ..
    } = ev
    else {
        return Outcome::Discard;
    };
    let mut peer = ps.peer_state();
    peer.history.last_epoch_started = *activation_epoch;
    peer.history.last_interval_started = peer.history.same_interval_since;
    ps.outbox.push(Outgoing::Info {
        to: ps.acting_primary,
        epoch: ps.epoch,
        peer,
    });
    let (_, min_size) = ps.pool_sizes();
    if ps.acting.len() >= min_size {
        ps.state.set(PgState::ACTIVE);
    } else {
        ps.state.set(PgState::PEERED);
    }
    Outcome::Discard
}

/// Models `PeeringState::ReplicaActive::react(const MInfoRec&)` (proc_primary_info):
/// merge the primary's history.
pub fn replica_minforec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let Some((_, _, peer)) = peer_of(ev) {
        ps.history.merge(&peer.history);
    }
    Outcome::Discard
}
