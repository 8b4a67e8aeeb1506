//! The peering flow's reactions (src/osd/PeeringState.cc @00349925): what the primary does
//! in GetInfo, GetLog, GetMissing, WaitUpThru and Active, and what a stray or replica does
//! when the primary queries or activates it. Each function names the Ceph function it
//! models. They change the PG's data, post events and fill the outbox; the OSD (the world)
//! routes the outbox.
//!
//! The PG log travels with the flow (`logs.rs`): GetLog merges the authoritative log
//! (proc_master_log), GetMissing works out each peer's missing set (proc_replica_log),
//! activate() sends each replica the entries it lacks. Recovery and backfill are queued as
//! Ceph does but not run: a PG with missing objects stops in WaitLocalRecoveryReserved.

use super::acting::{choose_acting, ActingInputs, BestInfo, ChooseActing, ShardInfo};
use super::chart::S;
use super::events::{PeerState, PeeringEvent, QueryKind};
use super::logs;
use super::state::{Outgoing, PeeringState};
use crate::engine::intervals::build_prior;
use crate::engine::pglog::{Eversion, Missing};
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

/// Models `PeeringState::proc_replica_info`: remember the peer's info and merge its
/// history into ours, unless we already have an info with the same last_update ("got
/// dup") or the sender has not been up since it sent it (`has_been_up_since`); a peer
/// heard from might hold objects we miss (`might_have_unfound`). Returns whether it was
/// new. A new peer neither up nor acting holds stray content
/// (`stray_set`); a clean PG purges it at once (`purge_strays`, MOSDPGRemove).
fn proc_replica_info(ps: &mut PeeringState, from: i32, sent: u32, peer: &PeerState) -> bool {
    if ps
        .peer_info
        .get(&from)
        .is_some_and(|i| i.last_update == peer.info.last_update)
    {
        return false;
    }
    if !ps.has_been_up_since(from, sent) {
        return false;
    }
    ps.peer_info.insert(from, peer.info.clone());
    ps.might_have_unfound.insert(from);
    ps.history.merge(&peer.history);
    super::delete::note_stray(ps, from);
    true
}

/// Models `PeeringState::Primary::react(const MNotifyRec&)`.
pub fn primary_mnotifyrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let Some((from, sent, peer)) = peer_of(ev) {
        proc_replica_info(ps, from, sent, peer);
    }
    Outcome::Discard
}

/// Models `PeeringState::GetInfo::react(const MNotifyRec&)`: the peer answered; if its
/// history moves last_epoch_started forward, rebuild the prior set and query again; when
/// nobody is outstanding and the PG is not down, GotInfo.
pub fn getinfo_mnotifyrec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    let Some((from, sent, peer)) = peer_of(ev) else {
        return Outcome::Discard;
    };
    if ps.peer_info_requested.remove(&from) {
        ps.blocked_by.remove(&from);
    }
    let old_les = ps.history.last_epoch_started;
    if proc_replica_info(ps, from, sent, peer) {
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

/// Models `PeeringState::Active::react(const MNotifyRec&)`: a notify from a peer we
/// already have info from is ignored; from a new one (a stray announcing itself after a
/// map change, or a former acting member coming back) proc_replica_info, then
/// `choose_acting(restrict_to_up_acting = false, request_pg_temp_change_only = true)`:
/// if the peer makes a better acting set, a pg_temp is requested and the new map starts
/// a new interval; peering is not restarted here. Before that, with unfound objects (or
/// degraded and the peer in might_have_unfound), `discover_all_missing`
/// (`unfound::on_new_peer`).
pub fn active_mnotifyrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    let Some((from, sent, peer)) = peer_of(ev) else {
        return Outcome::Discard;
    };
    if ps.peer_info.contains_key(&from) {
        return Outcome::Discard;
    }
    if ps.peer_purged.contains(&from) {
        return Outcome::Discard; // "already purged that peer, ignoring"
    }
    let new = proc_replica_info(ps, from, sent, peer);
    super::unfound::on_new_peer(ps, from);
    if new {
        choose_acting_pg_temp_only(ps);
    }
    Outcome::Discard
}

/// Models `PeeringState::Active::react(const AdvMap&)` (the part about want_acting):
/// when the map does not start a new interval but an OSD of want_acting that is neither
/// up nor acting (a stray we asked for) went down, remove_down_peer_info and
/// choose_acting again (pg_temp change only), so the pg_temp request drops it; forward.
pub fn active_advmap(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    let Some(map) = ps.osdmap.clone() else {
        return Outcome::Forward;
    };
    let new_interval = ps.lastmap.as_ref().is_some_and(|last| {
        crate::engine::intervals::should_restart_peering(last, &map, ps.pgid, ps.whoami)
    });
    let stray_down = ps
        .want_acting
        .iter()
        .any(|o| !map.is_up(*o) && !ps.acting.contains(o) && !ps.up.contains(o));
    if !new_interval && stray_down {
        super::reactions::remove_down_peer_info(ps);
        choose_acting_pg_temp_only(ps);
    }
    Outcome::Forward
}

/// `choose_acting(auth, false, &history_les_bound, true)` as Active calls it: only a
/// different wanted acting set matters (queue_want_pg_temp); the peering data
/// (acting_recovery_backfill, backfill targets) stays.
fn choose_acting_pg_temp_only(ps: &mut PeeringState) {
    // Active's own history_les_bound is a local that nothing reads.
    let (outcome, _) = choose_acting_recorded(ps);
    match outcome {
        ChooseActing::ChangeActing {
            want_acting,
            pg_temp,
        } => {
            ps.want_acting = want_acting;
            ps.outbox.push(Outgoing::WantPgTemp { osds: pg_temp });
        }
        ChooseActing::NoAuth { want_acting } if !want_acting.is_empty() => {
            ps.want_acting = want_acting;
            ps.outbox.push(Outgoing::WantPgTemp { osds: Vec::new() });
        }
        ChooseActing::NotRecoverable { .. } => ps.want_acting.clear(),
        ChooseActing::NoAuth { .. } | ChooseActing::Keep { .. } => {}
    }
}

/// `PeeringState::choose_acting` on the PG's own state (up, acting, pool sizes, all_info),
fn run_choose_acting(
    ps: &PeeringState,
    restrict_to_up_acting: bool,
) -> (ChooseActing, BestInfo, Vec<String>) {
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
        strays: &ps.stray_set,
        async_min_cost: ps
            .async_recovery_min_cost
            .unwrap_or(super::acting::OSD_ASYNC_RECOVERY_MIN_COST),
    };
    choose_acting(&inputs, restrict_to_up_acting)
}

/// `run_choose_acting` (unrestricted), keeping its reasons for display; also whether
/// find_best_info's les bound came from an OSD's history (its `history_les_bound`).
fn choose_acting_recorded(ps: &mut PeeringState) -> (ChooseActing, bool) {
    let (outcome, best, why) = run_choose_acting(ps, false);
    ps.choose_acting_why = best.why.into_iter().chain(why).collect();
    (outcome, best.history_les_bound)
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
    // GetLog passes Peering's history_les_bound, which Peering's QueryState dumps.
    let (outcome, les_bound) = choose_acting_recorded(ps);
    ps.history_les_bound = les_bound;
    let infos = all_info(ps);
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
            async_recovery_targets,
        } => {
            ps.want_acting.clear();
            ps.auth_log_shard = Some(auth);
            ps.acting_recovery_backfill = acting_recovery_backfill;
            ps.backfill_targets = backfill_targets;
            ps.async_recovery_targets = async_recovery_targets;
            if auth == ps.whoami {
                posts.post(PeeringEvent::GotLog);
            } else if ps.info.last_update < infos[&auth].log_tail {
                // "not contiguous": our log ends before theirs begins.
                posts.post(PeeringEvent::IsIncomplete);
            } else {
                let since = request_log_from(ps, &infos[&auth]);
                ps.outbox.push(Outgoing::Query {
                    to: auth,
                    epoch: ps.epoch,
                    kind: QueryKind::Log { since },
                });
                ps.blocked_by.insert(auth);
            }
        }
    }
}

/// GetLog's "how much log to request?": from our last_update, or from an older
/// last_update of a peer whose log ends before our tail but after the auth's tail (so the
/// merged log covers it).
fn request_log_from(ps: &PeeringState, best: &ShardInfo) -> Eversion {
    let mut from = ps.info.last_update;
    for p in ps
        .acting_recovery_backfill
        .iter()
        .filter(|p| **p != ps.whoami)
    {
        if let Some(ri) = ps.peer_info.get(p) {
            if ri.last_update < ps.info.log_tail
                && ri.last_update >= best.log_tail
                && ri.last_update < from
            {
                from = ri.last_update;
            }
        }
    }
    from
}

/// Models `PeeringState::GetLog::exit`.
pub fn getlog_exit(ps: &mut PeeringState, _: &mut P) {
    ps.blocked_by.clear();
    ps.master_log = None;
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
            ps.master_log = Some(peer.clone());
            posts.post(PeeringEvent::GotLog);
        }
    }
    Outcome::Discard
}

/// Models `PeeringState::GetLog::react(const GotLog&)`: if the auth shard's log came,
/// proc_master_log merges it into ours; then GetMissing.
pub fn getlog_gotlog(ps: &mut PeeringState, _: &PeeringEvent, _: &mut P) -> Outcome {
    if let (Some(auth), Some(msg)) = (ps.auth_log_shard, ps.master_log.take()) {
        logs::proc_master_log(ps, auth, &msg);
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
        // Empty, not contiguous (backfill), will fully backfill, or no missing and an
        // identical log: nothing to ask (and an empty missing set to start from).
        ps.peer_missing.insert(peer, Missing::new(true));
        let skip = pi.is_empty()
            || pi.last_update < ps.pg_log.log.tail
            || pi.last_backfill == crate::engine::pglog::ObjectBound::Min
            || (pi.last_update == pi.last_complete && pi.last_update == ps.info.last_update);
        if skip {
            continue;
        }
        // Enough log to see divergent entries: since the peer's last_epoch_started.
        let since = Eversion::new(pi.last_epoch_started, 0);
        let kind = if pi.log_tail <= since {
            QueryKind::Log { since }
        } else {
            QueryKind::FullLog
        };
        ps.outbox.push(Outgoing::Query {
            to: peer,
            epoch: ps.epoch,
            kind,
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

/// Models `PeeringState::GetMissing::react(const MLogRec&)`: proc_replica_log gives the
/// peer's true missing set and last_update; after the last answer NeedUpThru or Activate.
pub fn getmissing_mlogrec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        ps.peer_missing_requested.remove(&from);
        ps.blocked_by.remove(&from);
        logs::proc_replica_log(ps, from, peer);
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

/// Models `PeeringState::WaitUpThru::react(const MLogRec&)`: a late answer: its missing
/// set and info are kept ("Noting missing").
pub fn waitupthru_mlogrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        let missing = peer.missing.clone().unwrap_or_else(|| Missing::new(true));
        ps.peer_missing.insert(from, missing);
        ps.peer_info.insert(from, peer.info.clone());
    }
    Outcome::Discard
}

/// Models `PeeringState::Down::react(const MNotifyRec&)`: the history of a peer we have
/// no info from (and that has been up since it sent it) is merged; if that moved
/// last_epoch_started forward, peering can try again.
pub fn down_mnotifyrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    let Some((from, sent, peer)) = peer_of(ev) else {
        return Outcome::Discard;
    };
    let old_les = ps.history.last_epoch_started;
    if !ps.peer_info.contains_key(&from) && ps.has_been_up_since(from, sent) {
        ps.history.merge(&peer.history);
    }
    if ps.history.last_epoch_started > old_les {
        ps.state.clear(PgState::DOWN);
        ps.state.set(PgState::PEERING);
        return Outcome::Transit(S::GetInfo.id());
    }
    Outcome::Discard
}

/// Models `PeeringState::Incomplete::react(const MNotifyRec&)`: new info → GetLog again.
pub fn incomplete_mnotifyrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let Some((from, sent, peer)) = peer_of(ev) {
        if proc_replica_info(ps, from, sent, peer) {
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
/// activation epoch when the acting set can take writes; our complete pointer; each peer
/// gets our info or the log entries it lacks (`logs::activate_peer`); UNDERSIZED when the
/// acting set is below the pool size; ACTIVATING. Our own activation commits at once
/// (ActivateCommitted).
pub fn active_entry(ps: &mut PeeringState, posts: &mut P) {
    let (size, min_size) = ps.pool_sizes();
    ps.activation_epoch = ps.epoch;
    ps.send_notify = false;
    let writeable = ps.acting.len() >= min_size;
    if writeable {
        ps.info.last_epoch_started = ps.epoch;
    }
    ps.need_up_thru = false;
    ps.peer_activated.clear();
    ps.activate_committed = false;
    ps.all_replicas_activated = false;
    logs::activate_log(ps, writeable);
    let peers: Vec<i32> = ps
        .acting_recovery_backfill
        .iter()
        .copied()
        .filter(|p| *p != ps.whoami)
        .collect();
    for to in peers {
        logs::activate_peer(ps, to);
    }
    super::unfound::on_activate(ps);
    if size > ps.acting.len() {
        ps.state.set(PgState::UNDERSIZED);
    }
    ps.state.set(PgState::ACTIVATING);
    posts.post(PeeringEvent::ActivateCommitted {
        epoch: ps.epoch,
        activation_epoch: ps.epoch,
    });
}

/// Models `PeeringState::all_activated_and_committed`: DEGRADED when update_calc_stats
/// finds degraded objects (here: the acting set is short, or an acting OSD misses
/// objects), then AllReplicasActivated.
fn maybe_all_activated(ps: &mut PeeringState, posts: &mut P) {
    let waiting = ps
        .acting_recovery_backfill
        .iter()
        .any(|p| *p != ps.whoami && !ps.peer_activated.contains(p));
    if !ps.activate_committed || waiting || ps.all_replicas_activated {
        return;
    }
    let (size, _) = ps.pool_sizes();
    if ps.acting.len() < size || logs::needs_recovery(ps) {
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
/// below min_size), history.les := les, share the info, requeue the client ops that
/// waited for the PG, then `on_activate_complete` (PrimaryLogPG.cc): DoRecovery if an
/// acting OSD misses objects (needs_recovery), else RequestBackfill if there are backfill
/// targets, else AllReplicasRecovered; backfill will start from the targets' earliest
/// last_backfill (`recovery::on_activate_complete`; set before the requeued ops run, as
/// Ceph requeues them to its op queue).
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
    super::recovery::on_activate_complete(ps);
    super::io::requeue_ops(ps);
    if logs::needs_recovery(ps) {
        posts.post(PeeringEvent::DoRecovery);
    } else if ps.backfill_targets.is_empty() {
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
/// (restricted) asks for the pg_temp to go (an async recovery target, recovered now,
/// rejoins the acting set that way); else, with async recovery targets, choose_acting
/// resets them (nothing needs recovery). GoClean when every replica is activated and no
/// async recovery target is left: until then the PG waits here for the new interval.
pub fn recovered_entry(ps: &mut PeeringState, posts: &mut P) {
    if ps.acting != ps.up {
        if let (
            ChooseActing::ChangeActing {
                want_acting,
                pg_temp,
            },
            _,
            _,
        ) = run_choose_acting(ps, true)
        {
            ps.want_acting = want_acting;
            ps.outbox.push(Outgoing::WantPgTemp { osds: pg_temp });
        }
    } else if !ps.async_recovery_targets.is_empty() {
        if let (
            ChooseActing::Keep {
                async_recovery_targets,
                ..
            },
            _,
            _,
        ) = run_choose_acting(ps, true)
        {
            ps.async_recovery_targets = async_recovery_targets;
        }
    }
    if ps.all_replicas_activated && ps.async_recovery_targets.is_empty() {
        posts.post(PeeringEvent::GoClean);
    }
}

/// Models `PeeringState::Clean::Clean` (try_mark_clean): with a full acting set the PG
/// is CLEAN; history.last_epoch_clean := now and past_intervals are dropped; then the
/// strays are purged (`PG::_finish_recovery`, on the transaction's commit in Ceph).
pub fn clean_entry(ps: &mut PeeringState, _: &mut P) {
    let (size, _) = ps.pool_sizes();
    if ps.acting.len() == size {
        ps.state.set(PgState::CLEAN);
        ps.history.last_epoch_clean = ps.epoch;
        ps.history.last_interval_clean = ps.history.same_interval_since;
        ps.past_intervals.clear();
    }
    share_pg_info(ps);
    // PG::on_clean → finish_recovery: C_PG_FinishRecovery runs _finish_recovery on commit.
    super::delete::finish_recovery(ps);
}

/// Models `PeeringState::Stray::react(const MLogRec&)`: merge_log the primary's log into
/// ours, then Activate with the primary's les and become a replica.
pub fn stray_mlogrec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        logs::replica_merge_log(ps, from, peer);
    }
    let les = adopt_primary_info(ps, ev);
    posts.post(PeeringEvent::Activate {
        activation_epoch: les,
    });
    Outcome::Transit(S::ReplicaActive.id())
}

/// Models `PeeringState::Stray::react(const MInfoRec&)`: our log matches the primary's
/// (or is rewound to it: rewind_divergent_log): Activate with its les and become a
/// replica.
pub fn stray_minforec(ps: &mut PeeringState, ev: &PeeringEvent, posts: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        logs::replica_rewind(ps, from, peer.info.last_update);
    }
    let les = adopt_primary_info(ps, ev);
    posts.post(PeeringEvent::Activate {
        activation_epoch: les,
    });
    Outcome::Transit(S::ReplicaActive.id())
}

/// The primary's les from an activation message; its history merged into ours. The
/// message creates the PG on this OSD if Ceph did not have it yet
/// (`OSD::handle_pg_create_info`).
fn adopt_primary_info(ps: &mut PeeringState, ev: &PeeringEvent) -> u32 {
    ps.exists_on_osd = true;
    match peer_of(ev) {
        Some((_, _, peer)) => {
            ps.history.merge(&peer.history);
            peer.info.last_epoch_started
        }
        None => match ev {
            PeeringEvent::MLogRec { epoch, .. } | PeeringEvent::MInfoRec { epoch, .. } => *epoch,
            _ => 0,
        },
    }
}

/// Models `PeeringState::fulfill_query` (Stray / ReplicaActive `react(const MQuery&)`):
/// INFO → a notify with our info; LOG / FULLLOG → fulfill_log (info, missing, log).
pub fn answer_query(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let PeeringEvent::MQuery {
        from, epoch, kind, ..
    } = ev
    {
        let out = match kind.unwrap_or_default() {
            QueryKind::Info => Outgoing::Notify {
                to: *from,
                epoch: ps.epoch,
                peer: ps.peer_state(),
            },
            kind => logs::fulfill_log(ps, *from, *epoch, kind),
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
        ps.send_notify = false;
        if ps.acting.contains(&ps.whoami) && ps.info.last_epoch_started < *activation_epoch {
            ps.info.last_epoch_started = *activation_epoch;
        }
        let (_, min_size) = ps.pool_sizes();
        logs::activate_log(ps, ps.acting.len() >= min_size);
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

/// Models `PeeringState::ReplicaActive::react(const MLogRec&)`: merge_log the primary's
/// log.
pub fn replica_mlogrec(ps: &mut PeeringState, ev: &PeeringEvent, _: &mut P) -> Outcome {
    if let Some((from, _, peer)) = peer_of(ev) {
        logs::replica_merge_log(ps, from, peer);
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
