//! `pg_missing_item` and `pg_missing_set`: objects this OSD lacks, and which version it needs.

use super::entry::LogEntry;
use super::eversion::Eversion;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// Models `pg_missing_item` (src/osd/osd_types.h): we need `need`, we have `have` (`0'0` =
/// nothing usable); `is_delete` = the needed version is a deletion (`FLAG_DELETE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MissingItem {
    pub need: Eversion,
    pub have: Eversion,
    pub is_delete: bool,
}

impl MissingItem {
    pub fn new(need: Eversion, have: Eversion, is_delete: bool) -> Self {
        MissingItem {
            need,
            have,
            is_delete,
        }
    }

    /// Models `pg_missing_item::flag_str`.
    pub fn flag_str(&self) -> &'static str {
        if self.is_delete {
            "delete"
        } else {
            "none"
        }
    }
}

impl Serialize for MissingItem {
    /// As `pg_missing_item::dump`: need, have, flags.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("need", &self.need)?;
        m.serialize_entry("have", &self.have)?;
        m.serialize_entry("flags", self.flag_str())?;
        m.end()
    }
}

/// Models `pg_missing_set<true>` = `pg_missing_tracker_t` (src/osd/osd_types.h): items by
/// object, the reverse index by needed version (`rmissing`, a multimap since tracker 74306),
/// and the set of objects changed since the last `flush` (what the next write must persist).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Missing {
    items: BTreeMap<String, MissingItem>,
    rmissing: BTreeSet<(Eversion, String)>,
    changed: BTreeSet<String>,
    /// Deletes may be recorded as missing items instead of applied during peering (set on
    /// every Luminous+ OSD, `OSD_RECOVERY_DELETES`).
    pub may_include_deletes: bool,
}

impl Missing {
    pub fn new(may_include_deletes: bool) -> Self {
        Missing {
            may_include_deletes,
            ..Missing::default()
        }
    }

    pub fn items(&self) -> &BTreeMap<String, MissingItem> {
        &self.items
    }

    pub fn get(&self, oid: &str) -> Option<&MissingItem> {
        self.items.get(oid)
    }

    /// `rmissing`, oldest need first.
    pub fn rmissing(&self) -> impl Iterator<Item = (Eversion, &str)> {
        self.rmissing.iter().map(|(v, o)| (*v, o.as_str()))
    }

    pub fn num_missing(&self) -> usize {
        self.items.len()
    }

    pub fn have_missing(&self) -> bool {
        !self.items.is_empty()
    }

    /// Models `is_missing(oid)`.
    pub fn is_missing(&self, oid: &str) -> bool {
        self.items.contains_key(oid)
    }

    /// Models `is_missing(oid, v)`: missing, and `v` would satisfy the need.
    pub fn is_missing_at(&self, oid: &str, v: Eversion) -> bool {
        self.items.get(oid).is_some_and(|item| item.need <= v)
    }

    /// Models `get_oldest_need`: the smallest `need`, `0'0` when nothing is missing.
    pub fn oldest_need(&self) -> Eversion {
        self.rmissing.first().map_or(Eversion::ZERO, |(v, _)| *v)
    }

    /// Models `is_clean` (of the change tracker).
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty()
    }

    /// Models `flush`: the changes were persisted.
    pub fn flush(&mut self) {
        self.changed.clear();
    }

    /// Objects changed since the last `flush` (`get_changed`).
    pub fn changed(&self) -> impl Iterator<Item = &str> {
        self.changed.iter().map(String::as_str)
    }

    /// Models `add_next_event`: apply one log entry, in log order, to the missing set.
    /// (EC partial writes that skip a non-primary shard are not modelled.)
    pub fn add_next_event(&mut self, e: &LogEntry) {
        let current = self.items.get(&e.object).copied();
        let item = if e.prior_version.is_zero() || e.is_clone() {
            // New object: whatever we had is unusable.
            MissingItem::new(e.version, Eversion::ZERO, e.is_delete())
        } else if let Some(old) = current {
            // Already missing (an older version): need the newer one, keep what we have.
            MissingItem::new(e.version, old.have, e.is_delete())
        } else {
            // Not missing, so we have prior_version.
            MissingItem::new(e.version, e.prior_version, e.is_delete())
        };
        if let Some(old) = current {
            self.rmissing_erase(old.need, &e.object);
        }
        self.items.insert(e.object.clone(), item);
        self.rmissing_insert(e.version, &e.object);
        self.changed.insert(e.object.clone());
    }

    /// Models `revise_need`: need `need`, keep `have` (0'0 for a new item).
    pub fn revise_need(&mut self, oid: &str, need: Eversion, is_delete: bool) {
        let have = match self.items.get(oid).copied() {
            Some(old) => {
                self.rmissing_erase(old.need, oid);
                old.have
            }
            None => Eversion::ZERO,
        };
        self.items
            .insert(oid.to_string(), MissingItem::new(need, have, is_delete));
        self.rmissing_insert(need, oid);
        self.changed.insert(oid.to_string());
    }

    /// Models `revise_have`: only an existing item changes.
    pub fn revise_have(&mut self, oid: &str, have: Eversion) {
        if let Some(item) = self.items.get_mut(oid) {
            item.have = have;
            self.changed.insert(oid.to_string());
        }
    }

    /// Models `mark_fully_dirty`: only the change tracker sees it (clean regions are not
    /// modelled).
    pub fn mark_fully_dirty(&mut self, oid: &str) {
        if self.items.contains_key(oid) {
            self.changed.insert(oid.to_string());
        }
    }

    /// Models `add(oid, need, have, is_delete)`: set the item outright.
    pub fn add(&mut self, oid: &str, need: Eversion, have: Eversion, is_delete: bool) {
        if let Some(old) = self.items.get(oid).copied() {
            self.rmissing_erase(old.need, oid);
        }
        self.items
            .insert(oid.to_string(), MissingItem::new(need, have, is_delete));
        self.rmissing_insert(need, oid);
        self.changed.insert(oid.to_string());
    }

    /// Models `rm(oid, v)`: forget the object if `v` satisfies its need.
    pub fn rm(&mut self, oid: &str, v: Eversion) {
        if self.items.get(oid).is_some_and(|item| item.need <= v) {
            self.rm_item(oid);
        }
    }

    /// Models `rm(iterator)`: forget the object whatever its need.
    pub fn rm_item(&mut self, oid: &str) {
        if let Some(old) = self.items.remove(oid) {
            self.rmissing_erase(old.need, oid);
            self.changed.insert(oid.to_string());
        }
    }

    /// Models `got(oid, v)`: the object was recovered at `v`. Ceph asserts the object is
    /// missing and `v` satisfies the need (or the need is a delete).
    pub fn got(&mut self, oid: &str, v: Eversion) {
        let item = self.items.get(oid);
        debug_assert!(item.is_some(), "got({oid}, {v}): object is not missing");
        debug_assert!(
            item.is_none_or(|i| i.need <= v || i.is_delete),
            "got({oid}, {v}): older than the needed version"
        );
        self.got_item(oid);
    }

    /// Models `got(iterator)`.
    pub fn got_item(&mut self, oid: &str) {
        self.rm_item(oid);
    }

    /// Models `claim`: take over another set's items.
    pub fn claim(&mut self, other: Missing) {
        self.items = other.items;
        self.rmissing = other.rmissing;
    }

    /// Models `clear`.
    pub fn clear(&mut self) {
        self.changed.extend(self.items.keys().cloned());
        self.items.clear();
        self.rmissing.clear();
    }

    fn rmissing_insert(&mut self, need: Eversion, oid: &str) {
        self.rmissing.insert((need, oid.to_string()));
    }

    fn rmissing_erase(&mut self, need: Eversion, oid: &str) {
        let erased = self.rmissing.remove(&(need, oid.to_string()));
        debug_assert!(erased, "rmissing lost ({need}, {oid})");
    }
}

impl Serialize for Missing {
    /// As `pg_missing_set::dump`: `{"missing": [{object, need, have, flags}], ...}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Items<'a>(&'a BTreeMap<String, MissingItem>);
        impl Serialize for Items<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for (object, item) in self.0 {
                    seq.serialize_element(&ItemWithObject { object, item })?;
                }
                seq.end()
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("missing", &Items(&self.items))?;
        m.serialize_entry("may_include_deletes", &self.may_include_deletes)?;
        m.end()
    }
}

struct ItemWithObject<'a> {
    object: &'a str,
    item: &'a MissingItem,
}

impl Serialize for ItemWithObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("object", self.object)?;
        m.serialize_entry("need", &self.item.need)?;
        m.serialize_entry("have", &self.item.have)?;
        m.serialize_entry("flags", self.item.flag_str())?;
        m.end()
    }
}
