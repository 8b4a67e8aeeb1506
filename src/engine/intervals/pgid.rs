//! The `pg_t` arithmetic [`is_new_interval`](super::is_new_interval) needs to tell whether
//! a pg_num change splits or merges a PG (src/osd/osd_types.cc). A PG is named by its seed
//! (`ps`); these functions take the seed.

use std::collections::BTreeSet;

/// `cbits`: the number of bits needed to write `v` (0 for 0).
fn cbits(v: u32) -> u32 {
    32 - v.leading_zeros()
}

/// `ceph_stable_mod(x, b, bmask)`: x mod b, stable as b grows (bmask = 2^cbits(b) - 1).
fn ceph_stable_mod(x: u64, b: u64, bmask: u64) -> u64 {
    if x & bmask < b {
        x & bmask
    } else {
        x & (bmask >> 1)
    }
}

/// The loop of `pg_t::is_split`: calls `f` with each child seed of PG `seed` when pg_num
/// grows from `old_pg_num` to `new_pg_num`, in increasing order, until `f` returns false.
fn for_each_split_child(
    seed: u32,
    old_pg_num: u32,
    new_pg_num: u32,
    mut f: impl FnMut(u32) -> bool,
) {
    if seed >= old_pg_num || new_pg_num <= old_pg_num {
        // Ceph: "degenerate case", and no split when pg_num does not grow.
        return;
    }
    let old_bits = cbits(old_pg_num);
    let old_mask = (1u64 << old_bits) - 1;
    let (seed, old, new) = (
        u64::from(seed),
        u64::from(old_pg_num),
        u64::from(new_pg_num),
    );
    let mut n: u64 = 1;
    loop {
        let next_bit = n << (old_bits - 1);
        let s = next_bit | seed;
        n += 1;
        if s < old || s == seed {
            continue;
        }
        if s >= new {
            break;
        }
        // s < new_pg_num <= u32::MAX
        if ceph_stable_mod(s, old, old_mask) == seed && !f(s as u32) {
            break;
        }
    }
}

/// `pg_t::is_split(old_pg_num, new_pg_num, &children)`: the seeds of the children PG
/// `seed` gets when pg_num grows from `old_pg_num` to `new_pg_num` (empty: not split).
pub fn pg_split_children(seed: u32, old_pg_num: u32, new_pg_num: u32) -> BTreeSet<u32> {
    let mut children = BTreeSet::new();
    for_each_split_child(seed, old_pg_num, new_pg_num, |child| {
        children.insert(child);
        true
    });
    children
}

/// `pg_t::is_split(old_pg_num, new_pg_num, nullptr)` (stops at the first child).
pub fn pg_is_split(seed: u32, old_pg_num: u32, new_pg_num: u32) -> bool {
    let mut split = false;
    for_each_split_child(seed, old_pg_num, new_pg_num, |_| {
        split = true;
        false
    });
    split
}

/// `pg_t::get_parent`: the seed with its highest set bit cleared. Ceph asserts seed > 0;
/// here seed 0 is its own parent.
pub fn pg_get_parent(seed: u32) -> u32 {
    let bits = cbits(seed);
    debug_assert!(bits > 0, "pg_t::get_parent of seed 0");
    if bits == 0 {
        return 0;
    }
    seed & !(u32::MAX << (bits - 1))
}

/// `pg_t::is_merge_source(old_pg_num, new_pg_num, &parent)`: `Some(parent)` (the PG it
/// merges into) when shrinking pg_num from `old_pg_num` to `new_pg_num` removes PG `seed`.
pub fn pg_merge_source_parent(seed: u32, old_pg_num: u32, new_pg_num: u32) -> Option<u32> {
    if seed < old_pg_num && seed >= new_pg_num {
        let mut t = seed;
        while t >= new_pg_num && t > 0 {
            t = pg_get_parent(t);
        }
        Some(t)
    } else {
        None
    }
}

/// `pg_t::is_merge_source(old_pg_num, new_pg_num, nullptr)`.
pub fn pg_is_merge_source(seed: u32, old_pg_num: u32, new_pg_num: u32) -> bool {
    seed < old_pg_num && seed >= new_pg_num
}

/// `pg_t::is_merge_target(old_pg_num, new_pg_num)`: PG `seed` survives a shrink and
/// absorbs another (the shrink is a split read backwards).
pub fn pg_is_merge_target(seed: u32, old_pg_num: u32, new_pg_num: u32) -> bool {
    seed < new_pg_num && pg_is_split(seed, new_pg_num, old_pg_num)
}
