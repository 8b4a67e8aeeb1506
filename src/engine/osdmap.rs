//! The OSDMap: epochs, OSD states, pools, pg_temp and flags, and the placement of a PG onto
//! OSDs (up set) and the acting set.
//!
//! Placement is CRUSH-like, not CRUSH: one rule "take root, chooseleaf firstn 0 type host",
//! evaluated with straw2 buckets whose draws use Ceph's own rjenkins1 hash
//! (`crush_hash32_rjenkins1_3`) and an integer fixed-point logarithm in place of
//! `crush_ln`'s tables. Placements are therefore stable, weighted and host-distinct like a
//! real cluster's, but not the same OSD ids a real cluster would pick. Integer-only, so
//! native and wasm32 place identically.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::rc::Rc;

pub type OsdId = i32;
pub type Epoch = u32;
pub type PoolId = u64;

/// A placement group id, printed as Ceph does: pool, then the seed in hex (`11.4`, `1.1f`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct PgId {
    pub pool: PoolId,
    pub seed: u32,
}

impl fmt::Display for PgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:x}", self.pool, self.seed)
    }
}

impl std::str::FromStr for PgId {
    type Err = String;

    /// Parse `pool.seedhex`, as `ceph pg` commands take it.
    fn from_str(s: &str) -> Result<Self, String> {
        let (pool, seed) = s
            .split_once('.')
            .ok_or_else(|| format!("'{s}' is not a PG id (expected POOL.SEED, e.g. 1.0)"))?;
        let pool = pool
            .parse()
            .map_err(|_| format!("'{s}': pool '{pool}' is not a number"))?;
        let seed = u32::from_str_radix(seed, 16)
            .map_err(|_| format!("'{s}': seed '{seed}' is not hexadecimal"))?;
        Ok(PgId { pool, seed })
    }
}

/// One OSD's entry in the map (`osd_info_t`, `osd_xinfo_t` and the state bits).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsdEntry {
    pub host: String,
    pub up: bool,
    /// Reweight in 1/0x10000 units (`ceph osd in` = 0x10000, `out` = 0), as `osd_weight`.
    pub weight: u32,
    /// CRUSH weight in 1/0x10000 units (1 TiB = 0x10000 by convention).
    pub crush_weight: u32,
    pub up_from: Epoch,
    pub up_thru: Epoch,
    pub down_at: Epoch,
    pub lost_at: Epoch,
}

pub const WEIGHT_IN: u32 = 0x10000;

impl OsdEntry {
    pub fn is_in(&self) -> bool {
        self.weight > 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    pub name: String,
    pub size: usize,
    pub min_size: usize,
    pub pg_num: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    Noout,
    Nodown,
    Noup,
}

/// Where a PG maps at one epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mapping {
    pub up: Vec<OsdId>,
    pub up_primary: OsdId,
    pub acting: Vec<OsdId>,
    pub acting_primary: OsdId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsdMap {
    pub epoch: Epoch,
    pub osds: BTreeMap<OsdId, OsdEntry>,
    pub pools: BTreeMap<PoolId, Pool>,
    pub pg_temp: BTreeMap<PgId, Vec<OsdId>>,
    pub flags: BTreeSet<Flag>,
}

impl OsdMap {
    pub fn is_up(&self, osd: OsdId) -> bool {
        self.osds.get(&osd).is_some_and(|o| o.up)
    }

    pub fn up_thru_of(&self, osd: OsdId) -> Epoch {
        self.osds.get(&osd).map_or(0, |o| o.up_thru)
    }

    pub fn exists(&self, osd: OsdId) -> bool {
        self.osds.contains_key(&osd)
    }

    /// Hosts and their OSDs, in name order.
    pub fn hosts(&self) -> BTreeMap<&str, Vec<OsdId>> {
        let mut hosts: BTreeMap<&str, Vec<OsdId>> = BTreeMap::new();
        for (id, o) in &self.osds {
            hosts.entry(o.host.as_str()).or_default().push(*id);
        }
        hosts
    }

    /// Every PG of every pool.
    pub fn pgs(&self) -> Vec<PgId> {
        self.pools
            .iter()
            .flat_map(|(&pool, p)| (0..p.pg_num).map(move |seed| PgId { pool, seed }))
            .collect()
    }

    /// Models `OSDMap::_pg_to_raw_osds`: the CRUSH result, before removing down OSDs.
    pub fn pg_to_raw_osds(&self, pg: PgId) -> Vec<OsdId> {
        let Some(pool) = self.pools.get(&pg.pool) else {
            return Vec::new();
        };
        self.pg_to_raw_osds_in(&HostBuckets::of(self), pg, pool.size)
            .0
    }

    /// `_pg_to_raw_osds` with the CRUSH buckets built once for the whole map. Also returns
    /// every OSD whose reweight the run consulted (CRUSH's `is_out` on each candidate: the
    /// raw set and the candidates rejected as out), sorted: the run depends on nothing
    /// else of the OSDs, never on up/down.
    pub(crate) fn pg_to_raw_osds_in(
        &self,
        buckets: &HostBuckets,
        pg: PgId,
        size: usize,
    ) -> (Vec<OsdId>, Vec<OsdId>) {
        let mut consulted = Vec::new();
        let raw = chooseleaf_firstn_host(self, buckets, placement_seed(pg), size, &mut consulted);
        consulted.sort_unstable();
        consulted.dedup();
        (raw, consulted)
    }

    /// Models `OSDMap::_raw_to_up_osds` for a replicated pool: drop OSDs that are down
    /// or do not exist (the set shrinks; erasure pools would keep a hole).
    pub fn raw_to_up_osds(&self, raw: &[OsdId]) -> Vec<OsdId> {
        raw.iter().copied().filter(|&o| self.is_up(o)).collect()
    }

    /// Models `OSDMap::pg_to_up_acting_osds`: acting is pg_temp (less its down OSDs, as
    /// `_get_temp_osds` does for replicated pools) when set, else up; primaries are the
    /// first members (no primary_temp or primary affinity).
    pub fn pg_to_up_acting(&self, pg: PgId) -> Mapping {
        let raw = match self.pools.get(&pg.pool) {
            Some(pool) => {
                self.pg_to_raw_osds_in(&HostBuckets::of(self), pg, pool.size)
                    .0
            }
            None => Vec::new(),
        };
        self.raw_to_up_acting(pg, &raw)
    }

    /// The rest of `pg_to_up_acting_osds` once CRUSH gave `raw`: `_raw_to_up_osds`,
    /// `_get_temp_osds` and the primaries.
    pub(crate) fn raw_to_up_acting(&self, pg: PgId, raw: &[OsdId]) -> Mapping {
        let up = self.raw_to_up_osds(raw);
        let temp: Vec<OsdId> = self
            .pg_temp
            .get(&pg)
            .map(|t| t.iter().copied().filter(|&o| self.is_up(o)).collect())
            .unwrap_or_default();
        let acting = if temp.is_empty() { up.clone() } else { temp };
        Mapping {
            up_primary: up.first().copied().unwrap_or(-1),
            acting_primary: acting.first().copied().unwrap_or(-1),
            up,
            acting,
        }
    }

    /// Whether CRUSH places the same in both maps for the same reweights: the same OSDs
    /// on the same hosts with the same CRUSH weights, and the same pools.
    fn same_crush_inputs(&self, other: &OsdMap) -> bool {
        self.pools == other.pools
            && self.osds.len() == other.osds.len()
            && self.osds.iter().zip(&other.osds).all(|((a, x), (b, y))| {
                a == b && x.host == y.host && x.crush_weight == y.crush_weight
            })
    }
}

/// One PG's entry in a [`MappingTable`]: its mapping, and the CRUSH result it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgEntry {
    pg: PgId,
    mapping: Mapping,
    /// `_pg_to_raw_osds`'s result.
    raw: Vec<OsdId>,
    /// The OSDs whose reweight CRUSH consulted for this PG, sorted.
    consulted: Vec<OsdId>,
}

/// Every PG's mapping at one epoch, in PG order, each entry shared with the epochs it did
/// not change in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PgMappings {
    /// Each pool's first index in `entries`, and its pg_num.
    pools: BTreeMap<PoolId, (usize, u32)>,
    entries: Vec<Rc<PgEntry>>,
}

type PgMappingsIter<'a> = std::iter::Map<
    std::slice::Iter<'a, Rc<PgEntry>>,
    fn(&'a Rc<PgEntry>) -> (&'a PgId, &'a Mapping),
>;

impl PgMappings {
    fn index(&self, pg: &PgId) -> Option<usize> {
        let &(first, pg_num) = self.pools.get(&pg.pool)?;
        (pg.seed < pg_num).then_some(first + pg.seed as usize)
    }

    /// The PG's mapping (None for a PG of no pool).
    pub fn get(&self, pg: &PgId) -> Option<&Mapping> {
        self.index(pg).map(|i| &self.entries[i].mapping)
    }

    /// Every PG and its mapping, in PG order.
    pub fn iter(&self) -> PgMappingsIter<'_> {
        self.entries.iter().map(|e| (&e.pg, &e.mapping))
    }

    /// Every PG, in order.
    pub fn keys(&self) -> impl Iterator<Item = &PgId> {
        self.entries.iter().map(|e| &e.pg)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl std::ops::Index<&PgId> for PgMappings {
    type Output = Mapping;
    /// Panics for a PG of no pool, as a map's index does for a missing key.
    fn index(&self, pg: &PgId) -> &Mapping {
        self.get(pg)
            .unwrap_or_else(|| panic!("pg {pg} is in no pool"))
    }
}

impl<'a> IntoIterator for &'a PgMappings {
    type Item = (&'a PgId, &'a Mapping);
    type IntoIter = PgMappingsIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Every PG's mapping at one epoch, and the PGs each OSD is in (up or acting): Ceph's
/// `OSDMapMapping`, computed once per epoch so that an OSD processing a map touches only
/// its own PGs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappingTable {
    pub by_pg: PgMappings,
    /// The PGs each OSD is in (up or acting), sorted; OSDs in none are absent.
    by_osd: BTreeMap<OsdId, Rc<Vec<PgId>>>,
    /// The PGs whose CRUSH run consulted each OSD's reweight (its raw set holds the OSD,
    /// or rejected it as out), sorted: what an up/down or reweight change of it can move.
    consulted_by: BTreeMap<OsdId, Rc<Vec<PgId>>>,
}

impl MappingTable {
    /// Models `OSDMapMapping::update`: CRUSH for every PG.
    pub fn compute(map: &OsdMap) -> MappingTable {
        let mut table = MappingTable::default();
        let buckets = HostBuckets::of(map);
        for (&pool, p) in &map.pools {
            table
                .by_pg
                .pools
                .insert(pool, (table.by_pg.entries.len(), p.pg_num));
            for seed in 0..p.pg_num {
                let pg = PgId { pool, seed };
                let (raw, consulted) = map.pg_to_raw_osds_in(&buckets, pg, p.size);
                let mapping = map.raw_to_up_acting(pg, &raw);
                let entry = PgEntry {
                    pg,
                    mapping,
                    raw,
                    consulted,
                };
                for osd in members(&entry.mapping) {
                    Rc::make_mut(table.by_osd.entry(osd).or_default()).push(pg);
                }
                for &osd in &entry.consulted {
                    Rc::make_mut(table.consulted_by.entry(osd).or_default()).push(pg);
                }
                table.by_pg.entries.push(Rc::new(entry));
            }
        }
        table
    }

    /// `OSDMapMapping::update` for `next`, a later map than `prev`'s (the table of `prev`):
    /// the same result as [`MappingTable::compute`], without redoing what cannot have
    /// changed. CRUSH (`_pg_to_raw_osds`) depends on the CRUSH map, the pools and the
    /// reweights its run consulted, never on up/down; so only the PGs that consulted an
    /// OSD whose reweight or up/down state changed, or whose pg_temp changed or names such
    /// an OSD, are mapped again, and CRUSH runs again only for those that consulted a
    /// changed reweight; an epoch that moves no PG (up_thru, lost, flags) shares `prev`.
    /// Returns the table and the PGs it mapped again, in order (their mapping may be the
    /// same).
    pub fn next(
        prev_map: &OsdMap,
        prev: &Rc<MappingTable>,
        next: &OsdMap,
    ) -> (Rc<MappingTable>, Vec<PgId>) {
        if !prev_map.same_crush_inputs(next) {
            let table = MappingTable::compute(next);
            let all = table.by_pg.keys().copied().collect();
            return (Rc::new(table), all);
        }
        let mut reweighted = Vec::new();
        let mut flipped = Vec::new();
        for ((&o, a), b) in prev_map.osds.iter().zip(next.osds.values()) {
            if a.weight != b.weight {
                reweighted.push(o);
            }
            if a.up != b.up {
                flipped.push(o);
            }
        }
        let mut dirty: BTreeSet<PgId> = BTreeSet::new();
        for o in reweighted.iter().chain(&flipped) {
            dirty.extend(prev.consulted_by.get(o).iter().flat_map(|v| v.iter()));
        }
        for (pg, temp) in &next.pg_temp {
            if prev_map.pg_temp.get(pg) != Some(temp) || temp.iter().any(|o| flipped.contains(o)) {
                dirty.insert(*pg);
            }
        }
        for pg in prev_map.pg_temp.keys() {
            if !next.pg_temp.contains_key(pg) {
                dirty.insert(*pg);
            }
        }
        if dirty.is_empty() {
            return (prev.clone(), Vec::new());
        }
        let mut table = MappingTable::clone(prev);
        let buckets = (!reweighted.is_empty()).then(|| HostBuckets::of(next));
        let mut remapped = Vec::with_capacity(dirty.len());
        for pg in dirty {
            let Some(i) = table.by_pg.index(&pg) else {
                continue; // a pg_temp of no pool
            };
            remapped.push(pg);
            let old = table.by_pg.entries[i].clone();
            let (raw, consulted) = match &buckets {
                Some(b) if old.consulted.iter().any(|o| reweighted.contains(o)) => {
                    let size = next.pools[&pg.pool].size;
                    next.pg_to_raw_osds_in(b, pg, size)
                }
                _ => (old.raw.clone(), old.consulted.clone()),
            };
            let mapping = next.raw_to_up_acting(pg, &raw);
            let (old_members, new_members) = (members(&old.mapping), members(&mapping));
            update_index(&mut table.by_osd, pg, &old_members, &new_members);
            update_index(&mut table.consulted_by, pg, &old.consulted, &consulted);
            table.by_pg.entries[i] = Rc::new(PgEntry {
                pg,
                mapping,
                raw,
                consulted,
            });
        }
        (Rc::new(table), remapped)
    }

    /// The PGs `osd` is in at this epoch.
    pub fn pgs_of(&self, osd: OsdId) -> &[PgId] {
        self.by_osd.get(&osd).map_or(&[], |v| v.as_slice())
    }
}

/// The OSDs a PG is in: up and acting, sorted.
fn members(m: &Mapping) -> Vec<OsdId> {
    let mut v: Vec<OsdId> = m.up.iter().chain(&m.acting).copied().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Moves `pg` in a per-OSD index from the OSDs of `old` (sorted) to those of `new`
/// (sorted), keeping each OSD's list sorted and dropping emptied ones.
fn update_index(
    index: &mut BTreeMap<OsdId, Rc<Vec<PgId>>>,
    pg: PgId,
    old: &[OsdId],
    new: &[OsdId],
) {
    if old == new {
        return;
    }
    for o in old.iter().filter(|o| !new.contains(o)) {
        if let Some(list) = index.get_mut(o) {
            let list_mut = Rc::make_mut(list);
            if let Ok(at) = list_mut.binary_search(&pg) {
                list_mut.remove(at);
            }
            if list_mut.is_empty() {
                index.remove(o);
            }
        }
    }
    for o in new.iter().filter(|o| !old.contains(o)) {
        let list = Rc::make_mut(index.entry(*o).or_default());
        if let Err(at) = list.binary_search(&pg) {
            list.insert(at, pg);
        }
    }
}

/// `crush_hash32_rjenkins1_3` from Ceph's src/crush/hash.c.
pub fn crush_hash32_3(a: u32, b: u32, c: u32) -> u32 {
    let mut a = a;
    let mut b = b;
    let mut c = c;
    let mut hash = 1315423911u32 ^ a ^ b ^ c;
    let mut x = 231232u32;
    let mut y = 1232u32;
    hashmix(&mut a, &mut b, &mut hash);
    hashmix(&mut c, &mut x, &mut hash);
    hashmix(&mut y, &mut a, &mut hash);
    hashmix(&mut b, &mut x, &mut hash);
    hashmix(&mut y, &mut c, &mut hash);
    hash
}

/// `crush_hashmix` (Robert Jenkins' 96-bit mix).
fn hashmix(a: &mut u32, b: &mut u32, c: &mut u32) {
    macro_rules! step {
        ($x:ident, $y:ident, $z:ident, $op:tt, $n:expr) => {
            *$x = $x.wrapping_sub(*$y);
            *$x = $x.wrapping_sub(*$z);
            *$x ^= *$z $op $n;
        };
    }
    step!(a, b, c, >>, 13);
    step!(b, c, a, <<, 8);
    step!(c, a, b, >>, 13);
    step!(a, b, c, >>, 12);
    step!(b, c, a, <<, 16);
    step!(c, a, b, >>, 5);
    step!(a, b, c, >>, 3);
    step!(b, c, a, <<, 10);
    step!(c, a, b, >>, 15);
}

/// The placement seed of a PG (Ceph: `pg_pool_t::raw_pg_to_pps`, which hashes the seed
/// with the pool id so pools do not overlap).
fn placement_seed(pg: PgId) -> u32 {
    crush_hash32_3(pg.seed, pg.pool as u32, 0x5eed)
}

/// log2(v) for 1 ≤ v ≤ 0x10000 in 1/2^16 fixed point, by the bit-by-bit squaring method:
/// deterministic integer arithmetic standing in for `crush_ln`.
fn log2_fixed(v: u32) -> i64 {
    debug_assert!((1..=0x10000).contains(&v));
    let int_part = 31 - v.leading_zeros() as i64;
    // Normalise to [1, 2) in Q30.
    let mut x: u64 = (v as u64) << (30 - int_part);
    let mut frac: i64 = 0;
    for bit in (0..16).rev() {
        // x < 2^31, so x² < 2^62 never overflows: wrapping_mul is the same product
        // without the overflow check, which wasm32 (no 64×64→128 multiply) makes a call
        // to __multi3 in builds with overflow checks — a million of them for the table.
        x = x.wrapping_mul(x) >> 30;
        if x >= 2 << 30 {
            x >>= 1;
            frac |= 1 << bit;
        }
    }
    (int_part << 16) | frac
}

/// `log2_fixed` of every 16-bit draw, computed once: Ceph's crush_ln uses lookup tables
/// too (RH_LH_tbl, LL_tbl); placing 4096 PGs draws hundreds of thousands of straws.
fn log2_table() -> &'static [i32] {
    static TABLE: std::sync::OnceLock<Vec<i32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::iter::once(0)
            .chain((1..=0x10000u32).map(|v| log2_fixed(v) as i32))
            .collect()
    })
}

/// straw2's draw for one item: ln(u)/weight with u uniform in (0, 1], compared as
/// (log2(u) - 16) / weight. Higher wins; a zero weight never wins.
fn straw2_draw(x: u32, item: i64, r: u32, weight: u32) -> i64 {
    if weight == 0 {
        return i64::MIN;
    }
    let u = (crush_hash32_3(x, item as u32, r) & 0xffff) + 1;
    let log = log2_table()[u as usize] as i64 - (16 << 16); // ≤ 0
    (log << 16) / weight as i64
}

/// The CRUSH hierarchy of the map, a root of host buckets in name order, each with its
/// OSDs and their CRUSH weights and the host's weight (their sum): built once per map, not
/// once per PG (a map of 4096 PGs places them all when it is published).
pub(crate) struct HostBuckets {
    hosts: Vec<HostBucket>,
}

/// A host bucket: its name, its OSDs with their CRUSH weights, and its weight.
type HostBucket = (String, Vec<(OsdId, u32)>, u32);

impl HostBuckets {
    pub(crate) fn of(map: &OsdMap) -> HostBuckets {
        let hosts = map
            .hosts()
            .into_iter()
            .map(|(name, osds)| {
                let osds: Vec<(OsdId, u32)> = osds
                    .iter()
                    .map(|o| (*o, map.osds[o].crush_weight))
                    .collect();
                let w = osds.iter().map(|(_, w)| w).sum();
                (name.to_string(), osds, w)
            })
            .collect();
        HostBuckets { hosts }
    }
}

/// "chooseleaf firstn `size` type host" over straw2 buckets: for each replica, pick a host
/// by straw2 (host weight = sum of its OSDs' CRUSH weights), then an OSD in it, retrying
/// with a new r on a collision or an OSD that is out (reweight rejection, `is_out`).
fn chooseleaf_firstn_host(
    map: &OsdMap,
    buckets: &HostBuckets,
    x: u32,
    size: usize,
    consulted: &mut Vec<OsdId>,
) -> Vec<OsdId> {
    let host_list = &buckets.hosts;
    let mut chosen_hosts: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    // choose_total_tries = 50, as Ceph's default tunables.
    for rep in 0..size as u32 {
        for attempt in 0..50u32 {
            // crush_choose_firstn: a retry draws again with r = rep + ftotal.
            let r = rep + attempt;
            let Some((host, osds, _)) = host_list
                .iter()
                .enumerate()
                .max_by_key(|(i, h)| (straw2_draw(x, -1 - *i as i64, r, h.2), *i))
                .map(|(_, h)| h)
            else {
                return out;
            };
            let host = host.as_str();
            if chosen_hosts.contains(&host) {
                continue;
            }
            let Some(&(osd, _)) = osds
                .iter()
                .max_by_key(|&&(o, w)| (straw2_draw(x, o as i64, r, w), o))
            else {
                continue;
            };
            consulted.push(osd);
            if is_out(map, osd, x) {
                continue;
            }
            chosen_hosts.push(host);
            out.push(osd);
            break;
        }
    }
    out
}

/// Models CRUSH's `is_out`: an OSD with reweight w is rejected for a fraction 1 - w of
/// placements (0 = always, 0x10000 = never).
fn is_out(map: &OsdMap, osd: OsdId, x: u32) -> bool {
    let w = map.osds[&osd].weight;
    if w >= WEIGHT_IN {
        return false;
    }
    if w == 0 {
        return true;
    }
    (crush_hash32_3(x, osd as u32, 0) & 0xffff) >= w
}

/// `ceph_str_hash_rjenkins` (src/common/ceph_hash.cc): Bob Jenkins' lookup2 over the
/// name's bytes, the hash a replicated pool (`object_hash` rjenkins) places objects by.
pub fn ceph_str_hash_rjenkins(name: &[u8]) -> u32 {
    let word = |k: &[u8]| u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
    let (mut a, mut b, mut c) = (0x9e37_79b9u32, 0x9e37_79b9u32, 0u32);
    let mut k = name;
    while k.len() >= 12 {
        a = a.wrapping_add(word(&k[0..4]));
        b = b.wrapping_add(word(&k[4..8]));
        c = c.wrapping_add(word(&k[8..12]));
        hashmix(&mut a, &mut b, &mut c);
        k = &k[12..];
    }
    c = c.wrapping_add(name.len() as u32);
    // The tail: bytes 0-3 into a, 4-7 into b, 8-10 into c's upper bytes (its first byte
    // holds the length).
    for (i, byte) in k.iter().enumerate() {
        let v = u32::from(*byte);
        match i {
            0..=3 => a = a.wrapping_add(v << (8 * i)),
            4..=7 => b = b.wrapping_add(v << (8 * (i - 4))),
            _ => c = c.wrapping_add(v << (8 * (i - 7))),
        }
    }
    hashmix(&mut a, &mut b, &mut c);
    c
}

/// `ceph_stable_mod` (src/include/rados.h): x mod b that moves few objects when b grows.
pub fn ceph_stable_mod(x: u32, b: u32, bmask: u32) -> u32 {
    if x & bmask < b {
        x & bmask
    } else {
        x & (bmask >> 1)
    }
}

impl OsdMap {
    /// The PG an object of `pool` lives in: `OSDMap::object_locator_to_pg` (the name's
    /// rjenkins hash) then `pg_pool_t::raw_pg_to_pg` (`ceph_stable_mod` by pg_num with
    /// `pg_num_mask`). None when the pool does not exist.
    pub fn object_to_pg(&self, pool: PoolId, name: &str) -> Option<PgId> {
        let pg_num = self.pools.get(&pool)?.pg_num.max(1);
        let bits = u32::BITS - (pg_num - 1).leading_zeros();
        let mask = if bits == 0 { 0 } else { (1u32 << bits) - 1 };
        let seed = ceph_stable_mod(ceph_str_hash_rjenkins(name.as_bytes()), pg_num, mask);
        Some(PgId { pool, seed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_fixed_is_exact_on_powers_of_two_and_monotonic() {
        assert_eq!(log2_fixed(1), 0);
        assert_eq!(log2_fixed(2), 1 << 16);
        assert_eq!(log2_fixed(0x10000), 16 << 16);
        let mut last = -1;
        for v in 1..=0x10000 {
            let l = log2_fixed(v);
            assert!(l >= last);
            last = l;
        }
        // log2(3) = 1.58496...
        assert!((log2_fixed(3) - 103872).abs() <= 2);
    }

    /// Real `ceph osd map` output: `object 'foo' -> pg 3.7fc1f406 (3.6)` (and in Ceph's
    /// qa scripts, the files `foo__head_7FC1F406` and `bar__head_EFE6384B`; with pg_num 32,
    /// 'foo' → .6 and 'bar' → .b).
    #[test]
    fn object_names_hash_and_map_as_ceph() {
        assert_eq!(ceph_str_hash_rjenkins(b"foo"), 0x7fc1_f406);
        assert_eq!(ceph_str_hash_rjenkins(b"bar"), 0xefe6_384b);
        assert_eq!(ceph_stable_mod(0xefe6_384b, 32, 31), 0xb);
        assert_eq!(ceph_stable_mod(0x7fc1_f406, 32, 31), 6);
        assert_eq!(ceph_stable_mod(0x7fc1_f406, 8, 7), 6);
        assert_eq!(ceph_stable_mod(0x7fc1_f40e, 12, 15), 6);
    }

    #[test]
    fn pg_ids_print_and_parse_as_ceph() {
        let pg = PgId { pool: 11, seed: 4 };
        assert_eq!(pg.to_string(), "11.4");
        assert_eq!(
            "1.1f".parse::<PgId>().unwrap(),
            PgId {
                pool: 1,
                seed: 0x1f
            }
        );
        assert!("1".parse::<PgId>().is_err());
        assert!("x.1".parse::<PgId>().is_err());
        assert!("1.g".parse::<PgId>().is_err());
    }
}
