//! The monitor's OSDMap updates, as `OSDMonitor` makes them: every change is collected in
//! an [`Incremental`] (Ceph's `OSDMap::Incremental`, the monitor's `pending_inc`) and
//! published as the next epoch. The world decides when to publish; this module only says
//! what a request or command changes, and refuses what Ceph refuses.

use crate::engine::osdmap::{Epoch, Flag, MappingTable, OsdId, OsdMap, PgId, PoolId, WEIGHT_IN};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `mon_osd_down_out_interval` (seconds in Ceph): a down OSD is marked out after this.
pub const MON_OSD_DOWN_OUT_INTERVAL_MS: u64 = 600_000;
/// `osd_heartbeat_grace`: peers report an OSD failed after this without heartbeats.
pub const OSD_HEARTBEAT_GRACE_MS: u64 = 20_000;
/// `mon_osd_report_timeout`: the monitor marks an OSD down by itself when it has heard
/// nothing from it (no beacon) for this long (OSDMonitor::handle_osd_timeouts) — what
/// happens when no peer is left to report it.
pub const MON_OSD_REPORT_TIMEOUT_MS: u64 = 900_000;

/// One epoch's worth of changes (`OSDMap::Incremental`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Incremental {
    /// OSDs that booted (`new_up_client`): up, up_from := the new epoch.
    pub new_up: Vec<OsdId>,
    /// OSDs marked down (`new_state` toggling CEPH_OSD_UP).
    pub new_down: Vec<OsdId>,
    /// Reweights (`new_weight`): 0 = out, 0x10000 = in.
    pub new_weight: BTreeMap<OsdId, u32>,
    /// `new_up_thru` from MOSDAlive.
    pub new_up_thru: BTreeMap<OsdId, Epoch>,
    /// `new_lost`: lost_at := the new epoch.
    pub new_lost: Vec<OsdId>,
    /// `new_pg_temp`: an empty list removes the PG's pg_temp.
    pub new_pg_temp: BTreeMap<PgId, Vec<OsdId>>,
    /// `old_pools`: pools deleted in this epoch (`ceph osd pool delete`).
    pub old_pools: Vec<PoolId>,
}

impl Incremental {
    pub fn is_empty(&self) -> bool {
        *self == Incremental::default()
    }

    /// Merges `other` into this pending Incremental (later changes win for weights and
    /// pg_temp; up_thru never goes down) and returns what was new.
    pub fn merge(&mut self, other: &Incremental) -> Incremental {
        let mut added = Incremental::default();
        merge_osds(&mut self.new_up, &other.new_up, &mut added.new_up);
        merge_osds(&mut self.new_down, &other.new_down, &mut added.new_down);
        merge_osds(&mut self.new_lost, &other.new_lost, &mut added.new_lost);
        merge_map(
            &mut self.new_weight,
            &other.new_weight,
            &mut added.new_weight,
            |c, n| c != n,
        );
        merge_map(
            &mut self.new_up_thru,
            &other.new_up_thru,
            &mut added.new_up_thru,
            |c, n| c < n,
        );
        merge_map(
            &mut self.new_pg_temp,
            &other.new_pg_temp,
            &mut added.new_pg_temp,
            |c, n| c != n,
        );
        for pool in &other.old_pools {
            if !self.old_pools.contains(pool) {
                self.old_pools.push(*pool);
                added.old_pools.push(*pool);
            }
        }
        added
    }

    /// What the epoch changes, in words (`e2224: osd.0 down; pg_temp 11.4 [3,1]`).
    pub fn describe(&self, epoch: Epoch) -> String {
        format!("e{epoch}: {}", self.describe_changes())
    }

    /// The changes alone, in words (`osd.0 down; pg_temp 11.4 [3,1]`).
    pub fn describe_changes(&self) -> String {
        let mut parts = Vec::new();
        parts.extend(self.new_down.iter().map(|o| format!("osd.{o} down")));
        parts.extend(self.new_up.iter().map(|o| format!("osd.{o} boot (up)")));
        for (o, w) in &self.new_weight {
            parts.push(if *w == 0 {
                format!("osd.{o} out")
            } else {
                format!("osd.{o} in")
            });
        }
        parts.extend(
            self.new_up_thru
                .iter()
                .map(|(o, e)| format!("osd.{o} up_thru {e}")),
        );
        parts.extend(self.new_lost.iter().map(|o| format!("osd.{o} lost")));
        for (pg, osds) in &self.new_pg_temp {
            parts.push(if osds.is_empty() {
                format!("pg_temp {pg} removed")
            } else {
                format!("pg_temp {pg} {osds:?}")
            });
        }
        parts.extend(self.old_pools.iter().map(|p| format!("pool {p} deleted")));
        parts.join("; ")
    }
}

/// Adds to `pending` the OSDs of `new` it does not hold yet, noting them in `added`.
fn merge_osds(pending: &mut Vec<OsdId>, new: &[OsdId], added: &mut Vec<OsdId>) {
    for o in new {
        if !pending.contains(o) {
            pending.push(*o);
            added.push(*o);
        }
    }
}

/// Takes each entry of `new` into `pending` where `replaces(current, new)` (or nothing is
/// pending for its key yet), noting it in `added`.
fn merge_map<K: Ord + Copy, V: Clone>(
    pending: &mut BTreeMap<K, V>,
    new: &BTreeMap<K, V>,
    added: &mut BTreeMap<K, V>,
    replaces: impl Fn(&V, &V) -> bool,
) {
    for (k, v) in new {
        if pending.get(k).is_none_or(|cur| replaces(cur, v)) {
            pending.insert(*k, v.clone());
            added.insert(*k, v.clone());
        }
    }
}

/// Models `OSDMap::apply_incremental`: the next epoch.
pub fn apply(map: &OsdMap, inc: &Incremental) -> OsdMap {
    let mut next = map.clone();
    next.epoch = map.epoch + 1;
    let e = next.epoch;
    for o in &inc.new_down {
        if let Some(osd) = next.osds.get_mut(o) {
            osd.up = false;
            osd.down_at = e;
        }
    }
    for o in &inc.new_up {
        if let Some(osd) = next.osds.get_mut(o) {
            osd.up = true;
            osd.up_from = e;
        }
    }
    for (o, w) in &inc.new_weight {
        if let Some(osd) = next.osds.get_mut(o) {
            osd.weight = *w;
        }
    }
    for (o, t) in &inc.new_up_thru {
        if let Some(osd) = next.osds.get_mut(o) {
            osd.up_thru = *t;
        }
    }
    for o in &inc.new_lost {
        if let Some(osd) = next.osds.get_mut(o) {
            osd.lost_at = e;
        }
    }
    for (pg, osds) in &inc.new_pg_temp {
        if osds.is_empty() {
            next.pg_temp.remove(pg);
        } else {
            next.pg_temp.insert(*pg, osds.clone());
        }
    }
    for pool in &inc.old_pools {
        next.pools.remove(pool);
        // A pg_temp still pending for one of its PGs goes with it.
        next.pg_temp.retain(|pg, _| pg.pool != *pool);
    }
    next
}

/// Which monitor's `prime_pg_temp` to model (`mon_osd_prime_pg_temp` is on by default in
/// both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrimeStyle {
    /// Current OSDMonitor::prime_pg_temp: when the next map's up equals its acting set it
    /// emplaces an *empty* pg_temp, so a plain mapping change keeps no temporary mapping
    /// and the new primary peers with the new acting set at once.
    #[default]
    Current,
    /// Jewel's OSDMonitor::prime_pg_temp: a PG whose acting set changes keeps its previous
    /// acting set as pg_temp (when that set is non-empty and at least min_size), also when
    /// an OSD goes down: the golden log's e2223 map primes `pg_temp 11.4 [0,3]` (acting
    /// [3] while osd.0 is down; "139 remapped pgs"), so when osd.0 is out at e2226 the
    /// PG is `[3,2]/[3]` and its primary must ask for the new set (WaitActingChange).
    Jewel,
}

/// Models `OSDMonitor::maybe_prime_pg_temp` + `prime_pg_temp`, run while the monitor
/// encodes a pending epoch: OSDs going down, booting or reweighted make their PGs
/// "interesting"; each PG whose acting set would change gets a pg_temp entry (unless the
/// pending epoch already names one: "do not touch a mapping if a change is pending").
/// `next_mapping` is the table of `apply(map, inc)` and `remapped` the PGs it mapped
/// again ([`MappingTable::next`]): every other PG maps as before, and `prime_one` leaves
/// such a PG alone, so "all" PGs are only those.
pub fn prime_pg_temp(
    map: &OsdMap,
    mapping: &MappingTable,
    next_mapping: &MappingTable,
    remapped: &[PgId],
    inc: &mut Incremental,
    style: PrimeStyle,
) {
    let mut osds: Vec<OsdId> = inc.new_down.clone();
    osds.extend(inc.new_weight.keys().copied());
    let all = !inc.new_up.is_empty()
        || inc
            .new_weight
            .iter()
            .any(|(o, w)| *w >= map.osds.get(o).map_or(0, |e| e.weight));
    if osds.is_empty() && !all {
        return;
    }
    let pgs: Vec<PgId> = if all {
        remapped.to_vec()
    } else {
        let mut v: Vec<PgId> = osds
            .iter()
            .flat_map(|o| mapping.pgs_of(*o).to_vec())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    for pg in pgs {
        if inc.new_pg_temp.contains_key(&pg) {
            continue;
        }
        if let Some(temp) = prime_one(map, mapping, next_mapping, pg, inc, style) {
            inc.new_pg_temp.insert(pg, temp);
        }
    }
}

/// One PG of `prime_pg_temp`: the pg_temp to emplace, if any.
fn prime_one(
    map: &OsdMap,
    mapping: &MappingTable,
    next_mapping: &MappingTable,
    pg: PgId,
    inc: &Incremental,
    style: PrimeStyle,
) -> Option<Vec<OsdId>> {
    let cur = mapping.by_pg.get(&pg)?;
    let n = next_mapping.by_pg.get(&pg)?;
    let min_size = map.pools.get(&pg.pool)?.min_size;
    match style {
        PrimeStyle::Current => {
            if cur.acting == n.acting && !(cur.up != cur.acting && n.up == n.acting) {
                return None; // no change since last epoch
            }
        }
        PrimeStyle::Jewel => {
            if cur.acting == n.acting {
                return None;
            }
        }
    }
    if cur.acting.is_empty() || cur.acting.len() < min_size {
        return None; // "can be no worse off than before"
    }
    if style == PrimeStyle::Current && n.up == n.acting {
        // "next_up == next_acting now, clear pg_temp": emplace an empty entry, which only
        // matters when the PG had one (in the next map: `inc` names none for this PG).
        debug_assert!(!inc.new_pg_temp.contains_key(&pg));
        return map.pg_temp.contains_key(&pg).then(Vec::new);
    }
    Some(cur.acting.clone())
}

/// Models `OSDMap::clean_temps`: drop pg_temp entries of the next map whose OSDs are all
/// down, that are longer than the pool's size, or that equal the PG's up set
/// (redundant). An entry naming a down OSD stays: `_get_temp_osds` leaves the down OSD
/// out of the acting set (the Jewel log's `pg_temp 11.4 [0,3]` gives acting [3]).
/// `next_mapping` is a table of the next map before or after its pg_temp changes: up
/// does not depend on pg_temp.
pub fn clean_temps(map: &OsdMap, next_mapping: &MappingTable, inc: &mut Incremental) {
    let next = apply(map, inc);
    if next.pg_temp.is_empty() {
        return;
    }
    for (pg, temp) in &next.pg_temp {
        let Some(pool) = next.pools.get(&pg.pool) else {
            inc.new_pg_temp.insert(*pg, Vec::new());
            continue;
        };
        let up = match next_mapping.by_pg.get(pg) {
            Some(m) => m.up.clone(),
            // A pg_temp for a seed beyond pg_num: no table entry, CRUSH places it anyway.
            None => next.raw_to_up_osds(&next.pg_to_raw_osds(*pg)),
        };
        let all_down = temp.iter().all(|o| !next.is_up(*o));
        if all_down || temp.len() > pool.size || *temp == up {
            if map.pg_temp.contains_key(pg) {
                inc.new_pg_temp.insert(*pg, Vec::new());
            } else {
                inc.new_pg_temp.remove(pg);
            }
        }
    }
}

fn known(map: &OsdMap, osd: OsdId) -> Result<(), String> {
    if map.exists(osd) {
        Ok(())
    } else {
        Err(format!("osd.{osd} does not exist"))
    }
}

/// Models `ceph osd down N` (OSDMonitor::prepare_command_impl "osd down").
pub fn cmd_down(map: &OsdMap, inc: &mut Incremental, osd: OsdId) -> Result<(), String> {
    known(map, osd)?;
    if !map.is_up(osd) {
        return Err(format!("osd.{osd} is already down"));
    }
    inc.new_down.push(osd);
    Ok(())
}

/// Models the monitor accepting failure reports for `osd` (OSDMonitor::check_failure):
/// refused while the `nodown` flag is set.
pub fn failure_reported(map: &OsdMap, inc: &mut Incremental, osd: OsdId) -> Result<(), String> {
    if map.flags.contains(&Flag::Nodown) {
        return Err(format!("nodown is set: osd.{osd} stays up"));
    }
    cmd_down(map, inc, osd)
}

/// Models OSDMonitor::prepare_boot: the OSD is up from the new epoch; refused under
/// `noup`. An OSD the monitor marked out automatically is marked back in
/// (`mon_osd_auto_mark_auto_out_in`).
pub fn boot(
    map: &OsdMap,
    inc: &mut Incremental,
    osd: OsdId,
    was_auto_out: bool,
) -> Result<(), String> {
    known(map, osd)?;
    if map.flags.contains(&Flag::Noup) {
        return Err(format!("noup is set: osd.{osd} stays down"));
    }
    if map.is_up(osd) {
        return Err(format!("osd.{osd} is already up"));
    }
    inc.new_up.push(osd);
    if was_auto_out {
        inc.new_weight.insert(osd, WEIGHT_IN);
    }
    Ok(())
}

/// Models `ceph osd out N` / `ceph osd in N`.
pub fn cmd_set_in(
    map: &OsdMap,
    inc: &mut Incremental,
    osd: OsdId,
    is_in: bool,
) -> Result<(), String> {
    known(map, osd)?;
    let current = map.osds[&osd].is_in();
    if current == is_in {
        return Err(format!(
            "osd.{osd} is already {}",
            if is_in { "in" } else { "out" }
        ));
    }
    inc.new_weight
        .insert(osd, if is_in { WEIGHT_IN } else { 0 });
    Ok(())
}

/// Models `ceph osd lost N --yes-i-really-mean-it`: only a down OSD can be marked lost.
pub fn cmd_lost(map: &OsdMap, inc: &mut Incremental, osd: OsdId) -> Result<(), String> {
    known(map, osd)?;
    if map.is_up(osd) {
        return Err(format!(
            "osd.{osd} is not down; only a down OSD can be marked lost"
        ));
    }
    inc.new_lost.push(osd);
    Ok(())
}

/// Models `ceph osd pool delete NAME NAME --yes-i-really-really-mean-it`
/// (`OSDMonitor::_prepare_remove_pool`): the pool goes into `old_pools`, and each of its
/// PGs' pg_temp is removed in the same epoch ("remove any pg_temp mappings for this
/// pool"), after `_check_remove_pool`'s guard: with `mon_allow_pool_delete` false (Ceph's
/// default) it is refused with Ceph's EPERM message. (Its earlier checks: a pool in use by
/// CephFS is refused by the CephFS run, `mds::rados`; cache tiers are not modelled.)
pub fn cmd_pool_delete(
    map: &OsdMap,
    inc: &mut Incremental,
    name: &str,
    allow: bool,
) -> Result<PoolId, String> {
    let Some((&pool, _)) = map.pools.iter().find(|(_, p)| p.name == name) else {
        return Err(format!("pool '{name}' does not exist"));
    };
    if !allow {
        return Err("EPERM: pool deletion is disabled; you must first set the \
                    mon_allow_pool_delete config option to true before you can destroy a pool"
            .into());
    }
    for pg in map.pg_temp.keys().filter(|pg| pg.pool == pool) {
        inc.new_pg_temp.insert(*pg, Vec::new());
    }
    inc.old_pools.push(pool);
    Ok(pool)
}

/// Models OSDMonitor::preprocess_alive + prepare_alive for an MOSDAlive carrying `want`
/// (the up_thru the OSD needs) and `have` (the newest map the OSD has): nothing to do if
/// up_thru already reaches `want`; otherwise up_thru := `have` ("set to the latest map the
/// OSD has", never lowered: update_up_thru). Returns whether the map changes.
pub fn alive(map: &OsdMap, inc: &mut Incremental, osd: OsdId, want: Epoch, have: Epoch) -> bool {
    let Some(o) = map.osds.get(&osd) else {
        return false;
    };
    if o.up_thru >= want {
        return false;
    }
    let entry = inc.new_up_thru.entry(osd).or_insert(o.up_thru);
    *entry = (*entry).max(have);
    true
}

/// Models OSDMonitor::prepare_pgtemp: install (or, with an empty list, remove) a pg_temp.
pub fn pg_temp(
    map: &OsdMap,
    inc: &mut Incremental,
    pg: PgId,
    osds: Vec<OsdId>,
) -> Result<(), String> {
    if !map.pools.contains_key(&pg.pool) {
        return Err(format!("pg {pg}: pool {} does not exist", pg.pool));
    }
    if let Some(bad) = osds.iter().find(|o| !map.exists(**o)) {
        return Err(format!(
            "pg_temp for {pg} names osd.{bad}, which does not exist"
        ));
    }
    inc.new_pg_temp.insert(pg, osds);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::osdmap::{OsdEntry, Pool};
    use std::collections::BTreeSet;

    fn map() -> OsdMap {
        let osds = (0..3)
            .map(|i| {
                (
                    i,
                    OsdEntry {
                        host: format!("node{i}"),
                        up: true,
                        weight: WEIGHT_IN,
                        crush_weight: 0x10000,
                        up_from: 1,
                        up_thru: 0,
                        down_at: 0,
                        lost_at: 0,
                    },
                )
            })
            .collect();
        let pools = [(
            1,
            Pool {
                name: "rbd".into(),
                size: 3,
                min_size: 2,
                pg_num: 8,
            },
        )]
        .into();
        OsdMap {
            epoch: 100,
            osds,
            pools,
            pg_temp: BTreeMap::new(),
            flags: BTreeSet::new(),
        }
    }

    #[test]
    fn down_then_lost_then_boot() {
        let m = map();
        let mut inc = Incremental::default();
        cmd_down(&m, &mut inc, 1).unwrap();
        assert_eq!(inc.describe(101), "e101: osd.1 down");
        let m = apply(&m, &inc);
        assert_eq!(m.epoch, 101);
        assert!(!m.is_up(1));
        assert_eq!(m.osds[&1].down_at, 101);
        assert!(cmd_down(&m, &mut Incremental::default(), 1).is_err());
        assert!(
            cmd_lost(&map(), &mut Incremental::default(), 1).is_err(),
            "up OSDs cannot be lost"
        );
        let mut inc = Incremental::default();
        cmd_lost(&m, &mut inc, 1).unwrap();
        let m = apply(&m, &inc);
        assert_eq!(m.osds[&1].lost_at, 102);
        let mut inc = Incremental::default();
        boot(&m, &mut inc, 1, true).unwrap();
        let m = apply(&m, &inc);
        assert!(m.is_up(1));
        assert_eq!(m.osds[&1].up_from, 103);
    }

    #[test]
    fn up_thru_is_set_to_the_osds_newest_map() {
        let m = map();
        let mut inc = Incremental::default();
        assert!(alive(&m, &mut inc, 0, 98, 100));
        let m = apply(&m, &inc);
        assert_eq!(m.osds[&0].up_thru, 100);
        assert!(
            !alive(&m, &mut Incremental::default(), 0, 99, 101),
            "already covered"
        );
    }

    #[test]
    fn flags_and_bad_ids_are_refused_with_reasons() {
        let mut m = map();
        m.flags.insert(Flag::Nodown);
        assert_eq!(
            failure_reported(&m, &mut Incremental::default(), 0).unwrap_err(),
            "nodown is set: osd.0 stays up"
        );
        assert_eq!(
            cmd_set_in(&m, &mut Incremental::default(), 9, false).unwrap_err(),
            "osd.9 does not exist"
        );
        let pg = PgId { pool: 7, seed: 0 };
        assert!(pg_temp(&m, &mut Incremental::default(), pg, vec![0]).is_err());
    }

    /// `_prepare_remove_pool`: the pool and its PGs' pg_temp go in one epoch; the other
    /// pools' pg_temp stay; an unknown name is refused.
    #[test]
    fn pool_delete_removes_the_pool_and_its_pg_temps() {
        let mut m = map();
        m.pools.insert(
            2,
            Pool {
                name: "scratch".into(),
                size: 3,
                min_size: 2,
                pg_num: 4,
            },
        );
        let (p1, p2) = (PgId { pool: 1, seed: 0 }, PgId { pool: 2, seed: 3 });
        m.pg_temp.insert(p1, vec![0, 1]);
        m.pg_temp.insert(p2, vec![1, 2]);
        let mut inc = Incremental::default();
        let refused = cmd_pool_delete(&m, &mut inc, "scratch", false).unwrap_err();
        assert!(refused.starts_with("EPERM: pool deletion is disabled; you must first set the mon_allow_pool_delete config option to true"), "{refused}");
        assert_eq!(
            inc,
            Incremental::default(),
            "a refused deletion changes nothing"
        );
        assert_eq!(cmd_pool_delete(&m, &mut inc, "scratch", true), Ok(2));
        assert_eq!(
            inc.describe(101),
            "e101: pg_temp 2.3 removed; pool 2 deleted"
        );
        let next = apply(&m, &inc);
        assert_eq!(next.pools.keys().copied().collect::<Vec<_>>(), [1]);
        assert_eq!(next.pg_temp.keys().copied().collect::<Vec<_>>(), [p1]);
        assert_eq!(
            cmd_pool_delete(&next, &mut Incremental::default(), "scratch", true),
            Err("pool 'scratch' does not exist".to_string())
        );
    }
}
