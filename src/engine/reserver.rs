//! Ceph's `AsyncReserver` (src/common/AsyncReserver.h): a per-OSD pool of background-I/O
//! slots. Each OSD has two, as in `OSDService`: the *local* reserver (a primary's own
//! recovery or backfill) and the *remote* reserver (a replica serving a primary's recovery
//! or backfill), both with `max_allowed = osd_max_backfills` (default 1) and
//! `min_priority = osd_min_recovery_priority` (default 0).
//!
//! Grants and preemptions are callbacks in Ceph (`QueuePeeringEvt`): they queue a peering
//! event for the PG. Here they are returned as [`Fired`] events, which the world queues as
//! steppable pending events (delivered like messages and timers).

use crate::engine::osdmap::{Epoch, PgId};
use crate::engine::peering::events::PeeringEvent;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// `osd_max_backfills` (default 1).
pub const OSD_MAX_BACKFILLS: usize = 1;

/// Priority constants of src/osd/osd_types.h.
pub const OSD_BACKFILL_PRIORITY_BASE: i64 = 100;
pub const OSD_BACKFILL_DEGRADED_PRIORITY_BASE: i64 = 140;
pub const OSD_RECOVERY_PRIORITY_BASE: i64 = 180;
pub const OSD_BACKFILL_INACTIVE_PRIORITY_BASE: i64 = 220;
pub const OSD_RECOVERY_INACTIVE_PRIORITY_BASE: i64 = 220;
pub const OSD_RECOVERY_PRIORITY_MAX: i64 = 253;
pub const OSD_BACKFILL_PRIORITY_FORCED: i64 = 254;
pub const OSD_RECOVERY_PRIORITY_FORCED: i64 = 255;
/// `OSD_POOL_PRIORITY_MIN` / `MAX`: the range of a pool's `recovery_priority`.
pub const OSD_POOL_PRIORITY_MIN: i64 = -10;
pub const OSD_POOL_PRIORITY_MAX: i64 = 10;

/// Models `PeeringState`'s `max_prio_map`: the highest priority each base may reach.
pub fn max_prio_for(base: i64) -> i64 {
    match base {
        OSD_BACKFILL_PRIORITY_BASE => OSD_BACKFILL_DEGRADED_PRIORITY_BASE - 1,
        OSD_BACKFILL_DEGRADED_PRIORITY_BASE => OSD_RECOVERY_PRIORITY_BASE - 1,
        OSD_RECOVERY_PRIORITY_BASE => OSD_BACKFILL_INACTIVE_PRIORITY_BASE - 1,
        _ => OSD_RECOVERY_PRIORITY_MAX,
    }
}

/// Models `PeeringState::clamp_recovery_priority`: the pool's recovery_priority (clamped to
/// [−10, 10]) shifted into [0, 20] and added; the sum is clamped to [0, max].
pub fn clamp_recovery_priority(prio: i64, pool_recovery_priority: i64, max: i64) -> i64 {
    let pool = pool_recovery_priority.clamp(OSD_POOL_PRIORITY_MIN, OSD_POOL_PRIORITY_MAX)
        - OSD_POOL_PRIORITY_MIN;
    (prio + pool).clamp(0, max)
}

/// Which of an OSD's two reservers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Which {
    /// `local_reserver`: the primary's own recovery/backfill slot.
    Local,
    /// `remote_reserver`: a replica's slot for a primary's recovery/backfill.
    Remote,
}

/// A queued reservation: Ceph's `Reservation` (item, priority, grant and preempt
/// callbacks). `epoch` is the map epoch the callbacks were made in (`QueuePeeringEvt`'s
/// epoch: a PG that reset since drops them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reservation {
    pub pg: PgId,
    pub prio: u32,
    pub epoch: Epoch,
    pub grant: PeeringEvent,
    pub preempt: Option<PeeringEvent>,
}

/// A callback that fired: queue `event` for `pg` (sent in `epoch`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fired {
    pub pg: PgId,
    pub epoch: Epoch,
    pub event: PeeringEvent,
}

/// Models `AsyncReserver<T, F>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AsyncReserver {
    pub max_allowed: usize,
    pub min_priority: u32,
    /// `queues`: priority → FIFO of waiting reservations.
    pub queues: BTreeMap<u32, VecDeque<Reservation>>,
    /// `in_progress`: granted reservations.
    pub in_progress: BTreeMap<PgId, Reservation>,
    /// `preempt_by_prio`: granted reservations that can be preempted, by (priority, item).
    pub preempt_by_prio: BTreeSet<(u32, PgId)>,
}

impl Default for AsyncReserver {
    fn default() -> Self {
        AsyncReserver::new(OSD_MAX_BACKFILLS, 0)
    }
}

impl AsyncReserver {
    pub fn new(max_allowed: usize, min_priority: u32) -> Self {
        AsyncReserver {
            max_allowed,
            min_priority,
            queues: BTreeMap::new(),
            in_progress: BTreeMap::new(),
            preempt_by_prio: BTreeSet::new(),
        }
    }

    fn is_queued(&self, pg: PgId) -> bool {
        self.queues.values().any(|q| q.iter().any(|r| r.pg == pg))
    }

    /// Models `AsyncReserver::has_reservation`.
    pub fn has_reservation(&self, pg: PgId) -> bool {
        self.in_progress.contains_key(&pg)
    }

    /// Models `AsyncReserver::request_reservation`: queue at its priority (FIFO within
    /// it), then `do_queues`. Ceph asserts the item is neither queued nor in progress; a
    /// repeated request is ignored here.
    pub fn request_reservation(&mut self, r: Reservation) -> Vec<Fired> {
        if self.is_queued(r.pg) || self.has_reservation(r.pg) {
            return Vec::new();
        }
        self.queues.entry(r.prio).or_default().push_back(r);
        self.do_queues()
    }

    /// Models `AsyncReserver::cancel_reservation`: remove from its queue, or release the
    /// slot; then `do_queues` (someone else may be granted).
    pub fn cancel_reservation(&mut self, pg: PgId) -> Vec<Fired> {
        for q in self.queues.values_mut() {
            q.retain(|r| r.pg != pg);
        }
        self.queues.retain(|_, q| !q.is_empty());
        if let Some(r) = self.in_progress.remove(&pg) {
            self.preempt_by_prio.remove(&(r.prio, pg));
        }
        self.do_queues()
    }

    /// Models `AsyncReserver::update_priority`: a queued reservation moves to the new
    /// priority's queue; a granted one keeps its slot with the new priority (do_queues may
    /// then preempt it).
    pub fn update_priority(&mut self, pg: PgId, prio: u32) -> Vec<Fired> {
        let mut found = None;
        for q in self.queues.values_mut() {
            if let Some(i) = q.iter().position(|r| r.pg == pg) {
                found = q.remove(i);
            }
        }
        self.queues.retain(|_, q| !q.is_empty());
        if let Some(mut r) = found {
            r.prio = prio;
            self.queues.entry(prio).or_default().push_back(r);
        } else if let Some(r) = self.in_progress.get_mut(&pg) {
            if self.preempt_by_prio.remove(&(r.prio, pg)) {
                self.preempt_by_prio.insert((prio, pg));
            }
            r.prio = prio;
        }
        self.do_queues()
    }

    /// Models `AsyncReserver::preempt_one`: the lowest-priority preemptible grant loses its
    /// slot and its preempt callback fires.
    fn preempt_one(&mut self, fired: &mut Vec<Fired>) {
        let Some(&(prio, pg)) = self.preempt_by_prio.iter().next() else {
            return;
        };
        self.preempt_by_prio.remove(&(prio, pg));
        if let Some(r) = self.in_progress.remove(&pg) {
            if let Some(event) = r.preempt {
                fired.push(Fired {
                    pg,
                    epoch: r.epoch,
                    event,
                });
            }
        }
    }

    /// Models `AsyncReserver::do_queues`: first preempt while over the limit (or below
    /// min_priority); then grant from the highest-priority queue while there is room,
    /// preempting a strictly lower-priority preemptible grant when full.
    fn do_queues(&mut self) -> Vec<Fired> {
        let mut fired = Vec::new();
        while let Some(&(prio, _)) = self.preempt_by_prio.iter().next() {
            if self.in_progress.len() > self.max_allowed || prio < self.min_priority {
                self.preempt_one(&mut fired);
            } else {
                break;
            }
        }
        while let Some((&prio, _)) = self.queues.iter().next_back() {
            if prio < self.min_priority {
                break;
            }
            if self.in_progress.len() >= self.max_allowed {
                if let Some(&(low, _)) = self.preempt_by_prio.iter().next() {
                    if prio > low {
                        self.preempt_one(&mut fired);
                    }
                }
            }
            if self.in_progress.len() >= self.max_allowed {
                break;
            }
            let Some(q) = self.queues.get_mut(&prio) else {
                break;
            };
            let Some(r) = q.pop_front() else {
                self.queues.remove(&prio);
                continue;
            };
            if q.is_empty() {
                self.queues.remove(&prio);
            }
            fired.push(Fired {
                pg: r.pg,
                epoch: r.epoch,
                event: r.grant.clone(),
            });
            if r.preempt.is_some() {
                self.preempt_by_prio.insert((r.prio, r.pg));
            }
            self.in_progress.insert(r.pg, r);
        }
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(n: u32) -> PgId {
        format!("1.{n:x}").parse().unwrap()
    }

    fn req(n: u32, prio: u32, preempt: bool) -> Reservation {
        Reservation {
            pg: pg(n),
            prio,
            epoch: 1,
            grant: PeeringEvent::LocalRecoveryReserved,
            preempt: preempt.then_some(PeeringEvent::DeferRecovery { delay: 0 }),
        }
    }

    #[test]
    fn one_slot_fifo_within_a_priority_and_highest_first() {
        let mut r = AsyncReserver::new(1, 0);
        assert_eq!(r.request_reservation(req(1, 180, false)).len(), 1);
        assert!(r.request_reservation(req(2, 180, false)).is_empty());
        assert!(r.request_reservation(req(3, 190, false)).is_empty());
        // 1 releases: the higher priority (3) goes first, then 2.
        let f = r.cancel_reservation(pg(1));
        assert_eq!(f[0].pg, pg(3));
        let f = r.cancel_reservation(pg(3));
        assert_eq!(f[0].pg, pg(2));
    }

    #[test]
    fn a_higher_priority_preempts_a_preemptible_grant() {
        let mut r = AsyncReserver::new(1, 0);
        r.request_reservation(req(1, 110, true));
        let f = r.request_reservation(req(2, 190, true));
        // The preempt callback of 1, then the grant of 2.
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].pg, pg(1));
        assert_eq!(f[0].event, PeeringEvent::DeferRecovery { delay: 0 });
        assert_eq!(f[1].pg, pg(2));
        // Equal priority does not preempt.
        let f = r.request_reservation(req(3, 190, true));
        assert!(f.is_empty());
    }

    #[test]
    fn non_preemptible_grants_are_kept_and_cancel_of_unknown_is_harmless() {
        let mut r = AsyncReserver::new(1, 0);
        r.request_reservation(req(1, 100, false));
        assert!(r.request_reservation(req(2, 250, true)).is_empty());
        assert!(r.cancel_reservation(pg(9)).is_empty());
        assert!(
            r.request_reservation(req(2, 250, true)).is_empty(),
            "dup ignored"
        );
    }

    #[test]
    fn priorities_clamp_as_ceph() {
        // Default pool priority 0 → +10.
        assert_eq!(
            clamp_recovery_priority(OSD_RECOVERY_PRIORITY_BASE, 0, max_prio_for(180)),
            190
        );
        assert_eq!(
            clamp_recovery_priority(OSD_BACKFILL_PRIORITY_BASE, 10, max_prio_for(100)),
            120
        );
        assert_eq!(clamp_recovery_priority(139, 10, max_prio_for(100)), 139);
    }
}
