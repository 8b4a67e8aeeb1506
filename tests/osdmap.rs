//! Placement and mapping rules of the OSDMap (src/engine/osdmap.rs).

use cephscope::engine::osdmap::{OsdEntry, OsdMap, PgId, Pool, WEIGHT_IN};
use std::collections::{BTreeMap, BTreeSet};

/// `hosts` hosts with `per_host` OSDs each, numbered host-major, one pool.
fn cluster(hosts: usize, per_host: usize, size: usize, pg_num: u32) -> OsdMap {
    let mut osds = BTreeMap::new();
    for h in 0..hosts {
        for i in 0..per_host {
            osds.insert(
                (h * per_host + i) as i32,
                OsdEntry {
                    host: format!("node{h}"),
                    up: true,
                    weight: WEIGHT_IN,
                    crush_weight: 0x10000,
                    up_from: 1,
                    up_thru: 0,
                    down_at: 0,
                    lost_at: 0,
                },
            );
        }
    }
    let mut pools = BTreeMap::new();
    pools.insert(
        1,
        Pool {
            name: "rbd".into(),
            size,
            min_size: size.div_ceil(2),
            pg_num,
        },
    );
    OsdMap {
        epoch: 1,
        osds,
        pools,
        pg_temp: BTreeMap::new(),
        flags: BTreeSet::new(),
    }
}

#[test]
fn every_pg_gets_size_osds_on_distinct_hosts() {
    let map = cluster(4, 3, 3, 64);
    for pg in map.pgs() {
        let up = map.pg_to_up_acting(pg).up;
        assert_eq!(up.len(), 3, "pg {pg}");
        let hosts: BTreeSet<&str> = up.iter().map(|o| map.osds[o].host.as_str()).collect();
        assert_eq!(hosts.len(), 3, "pg {pg} up {up:?}");
    }
}

#[test]
fn placement_spreads_primaries_over_all_osds() {
    let map = cluster(4, 3, 3, 256);
    let primaries: BTreeSet<i32> = map
        .pgs()
        .into_iter()
        .map(|pg| map.pg_to_up_acting(pg).up_primary)
        .collect();
    assert_eq!(primaries.len(), 12);
}

#[test]
fn a_down_osd_leaves_the_up_set_but_stays_in_crush() {
    let mut map = cluster(3, 2, 3, 32);
    let pg = PgId { pool: 1, seed: 0 };
    let before = map.pg_to_up_acting(pg);
    let victim = before.up[0];
    map.osds.get_mut(&victim).unwrap().up = false;
    let after = map.pg_to_up_acting(pg);
    assert_eq!(map.pg_to_raw_osds(pg), before.up, "CRUSH ignores up/down");
    assert_eq!(after.up.len(), 2);
    assert!(!after.up.contains(&victim));
    assert_eq!(
        after.up_primary, before.up[1],
        "the next OSD becomes primary"
    );
}

#[test]
fn marking_out_moves_only_the_pgs_that_used_the_osd() {
    let mut map = cluster(4, 3, 3, 128);
    let before: Vec<_> = map
        .pgs()
        .into_iter()
        .map(|pg| map.pg_to_up_acting(pg).up)
        .collect();
    map.osds.get_mut(&5).unwrap().weight = 0;
    for (pg, old) in map.pgs().into_iter().zip(before) {
        let new = map.pg_to_up_acting(pg).up;
        assert!(!new.contains(&5), "an out OSD is never chosen");
        if !old.contains(&5) {
            assert_eq!(new, old, "pg {pg} moved although it did not use osd.5");
        } else {
            assert_eq!(new.len(), 3, "pg {pg} got a replacement");
        }
    }
}

#[test]
fn pg_temp_overrides_acting_and_drops_down_members() {
    let mut map = cluster(3, 1, 3, 8);
    let pg = PgId { pool: 1, seed: 3 };
    map.pg_temp.insert(pg, vec![2, 0]);
    let m = map.pg_to_up_acting(pg);
    assert_eq!(m.acting, vec![2, 0]);
    assert_eq!(m.acting_primary, 2);
    map.osds.get_mut(&2).unwrap().up = false;
    let m = map.pg_to_up_acting(pg);
    assert_eq!(m.acting, vec![0]);
}

#[test]
fn fewer_hosts_than_size_gives_a_short_up_set() {
    let map = cluster(2, 3, 3, 16);
    for pg in map.pgs() {
        assert_eq!(map.pg_to_up_acting(pg).up.len(), 2);
    }
}

/// `MappingTable::next` (what the monitor does each epoch: map again only the PGs the
/// epoch can move) gives exactly `MappingTable::compute`'s table through downs, ups,
/// reweights (out, partly in, in) and pg_temp changes, and shares the table when an
/// epoch moves nothing.
#[test]
fn the_incremental_mapping_equals_a_full_one() {
    use cephscope::engine::osdmap::MappingTable;
    use std::rc::Rc;
    let mut map = cluster(4, 3, 3, 128);
    let mut table = Rc::new(MappingTable::compute(&map));
    const PG: PgId = PgId { pool: 1, seed: 5 };
    let changes: &[fn(&mut OsdMap)] = &[
        |m| m.osds.get_mut(&1).unwrap().up = false,
        |m| m.osds.get_mut(&1).unwrap().weight = 0,
        |m| m.osds.get_mut(&4).unwrap().up_thru = 7,
        |m| m.osds.get_mut(&1).unwrap().up = true,
        |m| m.osds.get_mut(&1).unwrap().weight = 0x8000,
        |m| {
            m.pg_temp.insert(PG, vec![1, 2, 3]);
        },
        |m| m.osds.get_mut(&2).unwrap().up = false,
        |m| {
            m.osds.get_mut(&1).unwrap().weight = WEIGHT_IN;
            m.osds.get_mut(&7).unwrap().weight = 0x4000;
        },
        |m| {
            m.pg_temp.remove(&PG);
            m.osds.get_mut(&2).unwrap().up = true;
        },
    ];
    for (i, change) in changes.iter().enumerate() {
        let mut next = map.clone();
        next.epoch += 1;
        change(&mut next);
        let (t, remapped) = MappingTable::next(&map, &table, &next);
        assert_eq!(*t, MappingTable::compute(&next), "change {i}");
        if i == 2 {
            assert!(
                remapped.is_empty() && Rc::ptr_eq(&t, &table),
                "up_thru moves no PG"
            );
        } else {
            assert!(!remapped.is_empty(), "change {i} moves PGs");
        }
        (map, table) = (next, t);
    }
}
