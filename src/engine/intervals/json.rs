//! JSON in and out for the CLI's `intervals`: a PG's maps, epoch by epoch, and its history,
//! in; the past intervals it records and the prior set its primary builds at the last
//! epoch, out.
//!
//! Input:
//! ```text
//! { "description"?: "free text, ignored", "pgid"?: "1.0", "ec_data_chunks"?: K,
//!   "history"?: { "last_epoch_started"?, "last_epoch_clean"?, "same_interval_since"?, ...
//!                 any other pg_history_t epoch field },
//!   "epochs": [ { "epoch": E, "up": [OSD|"NONE"], "acting": [OSD|"NONE"],
//!                 "up_primary"?: OSD, "acting_primary"?: OSD,
//!                 "size": N, "min_size": N, "pg_num"?: N, "pg_num_pending"?: N,
//!                 "pool_deleted"?: bool,
//!                 "osds": [ { "osd": ID, "up": bool, "exists"?: bool, "up_from"?: E,
//!                             "up_thru"?: E, "down_at"?: E, "lost_at"?: E } ] } ] }
//! ```
//! Epochs must increase; an epoch left out is taken to be identical to the one listed
//! before it. Primaries default to the first OSD of up/acting (-1 when empty); pg_num
//! defaults to the previous epoch's (1 at first) and pg_num_pending to pg_num;
//! `same_interval_since` defaults to the first epoch, the other history fields to 0 (the
//! `same_up_since`/`same_primary_since` ones to `same_interval_since`). OSD ids may be
//! written as numbers or "NONE" (Ceph's CRUSH_ITEM_NONE, 2147483647, allowed only with
//! `ec_data_chunks`). The history is the PG's at the first epoch; cephscope does not
//! simulate peering here, so `last_epoch_started`/`last_epoch_clean` never advance.
//!
//! Nothing here panics on bad input: every field is checked and errors name it.

use super::past::{advance_map, interval_changes, PastInterval, PastIntervals};
use super::prior::{build_prior, need_up_thru, PriorSet};
use super::{EpochMap, OsdView, PgHistory, PoolView, CRUSH_ITEM_NONE};
use crate::engine::osdmap::{Epoch, OsdId, PgId};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// `cephscope intervals FILE`: feed a PG's maps, in order, through
/// `PeeringState::start_peering_interval`'s bookkeeping (`check_new_interval` at every
/// epoch), then run `build_prior` at the last epoch. Returns `past_intervals` (each with
/// `maybe_went_rw`, its `reason`, and `new_interval_because`: what changed), the
/// `current_interval`, the final `history`, Ceph's compact form (`compact`), the
/// `prior_set` (`probe`, `down`, `blocked_by`, `pg_down`, `why`) and whether the acting
/// primary still `need_up_thru`.
pub fn cli_intervals(json: &str) -> Result<Value, String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("input is not JSON: {e}"))?;
    let input = Input::parse(&At::root(&doc))?;

    let mut history = input.history.clone();
    let mut past_intervals = PastIntervals::new();
    let mut recorded = Vec::new();
    let oldest = input.maps[0].epoch;
    for pair in input.maps.windows(2) {
        let (lastmap, osdmap) = (&pair[0], &pair[1]);
        let changes = interval_changes(lastmap, osdmap, input.pgid);
        if let Some(interval) = advance_map(
            Some(lastmap),
            osdmap,
            input.pgid,
            oldest,
            &mut history,
            &mut past_intervals,
        ) {
            recorded.push(interval_json(&interval, &changes));
        }
    }
    let Some(last) = input.maps.last() else {
        return Err("epochs: expected at least one epoch".to_string());
    };
    let prior = build_prior(last, &history, &past_intervals);
    let need = last.acting_primary >= 0 && need_up_thru(last, last.acting_primary, &history);

    Ok(json!({
        "pgid": input.pgid.to_string(),
        "past_intervals": recorded,
        "current_interval": {
            "first": history.same_interval_since,
            "up": last.up,
            "acting": last.acting,
            "up_primary": last.up_primary,
            "primary": last.acting_primary,
        },
        "history": history,
        "compact": compact_json(&past_intervals),
        "prior_set": prior_json(&prior),
        "need_up_thru": need,
    }))
}

fn interval_json(interval: &PastInterval, changes: &[String]) -> Value {
    json!({
        "first": interval.first,
        "last": interval.last,
        "up": interval.up,
        "acting": interval.acting,
        "up_primary": interval.up_primary,
        "primary": interval.primary,
        "maybe_went_rw": interval.maybe_went_rw,
        "reason": interval.reason,
        "new_interval_because": changes,
    })
}

fn compact_json(pi: &PastIntervals) -> Value {
    let (first, end) = pi.get_bounds();
    let intervals: Vec<Value> = pi
        .compact_intervals()
        .iter()
        .map(|i| {
            let acting: Vec<String> = i.acting.iter().map(ToString::to_string).collect();
            json!({"first": i.first, "last": i.last, "acting": acting})
        })
        .collect();
    let participants: Vec<String> = pi.get_all_probe().iter().map(ToString::to_string).collect();
    json!({
        "bounds": [first, end],
        "all_participants": participants,
        "intervals": intervals,
    })
}

/// Probe as Ceph's `probing_osds`: OSD ids, or `osd(shard)` strings for an erasure-coded
/// pool.
fn prior_json(prior: &PriorSet) -> Value {
    let probe: Vec<Value> = prior
        .probe
        .iter()
        .map(|s| match s.shard {
            None => json!(s.osd),
            Some(_) => json!(s.to_string()),
        })
        .collect();
    let blocked_by: Vec<Value> = prior
        .blocked_by
        .iter()
        .map(|(osd, lost_at)| json!({"osd": osd, "lost_at": lost_at}))
        .collect();
    let why: Map<String, Value> = prior
        .why
        .iter()
        .map(|(osd, notes)| {
            (
                osd.to_string(),
                serde_json::to_value(notes).unwrap_or(Value::Null),
            )
        })
        .collect();
    json!({
        "probe": probe,
        "down": prior.down,
        "blocked_by": blocked_by,
        "pg_down": prior.pg_down,
        "why": why,
    })
}

struct Input {
    pgid: PgId,
    history: PgHistory,
    maps: Vec<EpochMap>,
}

impl Input {
    fn parse(root: &At<'_>) -> Result<Input, String> {
        root.only_fields(&["description", "pgid", "ec_data_chunks", "history", "epochs"])?;
        if let Some(d) = root.opt_field("description") {
            d.str()?;
        }
        let pgid = match root.opt_field("pgid") {
            Some(at) => at.str()?.parse::<PgId>().map_err(|m| at.error(&m))?,
            None => PgId { pool: 1, seed: 0 },
        };
        let ec_data_chunks = match root.opt_field("ec_data_chunks") {
            Some(at) => {
                let k = at.u32()?;
                if k == 0 {
                    return Err(at.error("must be at least 1"));
                }
                Some(k)
            }
            None => None,
        };
        let epochs_at = root.field("epochs")?;
        let items = epochs_at
            .items()
            .map_err(|_| epochs_at.expected("a list of map epochs"))?;
        if items.is_empty() {
            return Err(epochs_at.error("expected at least one epoch"));
        }
        let mut maps: Vec<EpochMap> = Vec::with_capacity(items.len());
        let mut deleted_in: Option<Epoch> = None;
        for at in &items {
            let prev = maps.last();
            let map = parse_epoch(at, prev, ec_data_chunks)?;
            match (map.pool.is_none(), deleted_in) {
                (true, None) => deleted_in = Some(map.epoch),
                (false, Some(e)) => {
                    return Err(at.error(&format!(
                        "the pool was deleted in epoch {e} and cannot come back"
                    )))
                }
                _ => {}
            }
            maps.push(map);
        }
        let first_epoch = maps[0].epoch;
        let history = parse_history(root.opt_field("history").as_ref(), first_epoch)?;
        Ok(Input {
            pgid,
            history,
            maps,
        })
    }
}

const HISTORY_FIELDS: [&str; 10] = [
    "epoch_created",
    "epoch_pool_created",
    "last_epoch_started",
    "last_interval_started",
    "last_epoch_clean",
    "last_interval_clean",
    "last_epoch_split",
    "same_up_since",
    "same_interval_since",
    "same_primary_since",
];

fn parse_history(at: Option<&At<'_>>, first_epoch: Epoch) -> Result<PgHistory, String> {
    let mut values: BTreeMap<&str, Epoch> = BTreeMap::new();
    if let Some(at) = at {
        at.only_fields(&HISTORY_FIELDS)?;
        for name in HISTORY_FIELDS {
            if let Some(v) = at.opt_field(name) {
                values.insert(name, v.u32()?);
            }
        }
    }
    let get = |name: &str| values.get(name).copied();
    let sis = get("same_interval_since").unwrap_or(first_epoch);
    let sis_path = "history.same_interval_since";
    if sis == 0 {
        return Err(format!("{sis_path}: must be at least 1"));
    }
    if sis > first_epoch {
        return Err(format!(
            "{sis_path}: {sis} is after the first epoch {first_epoch}"
        ));
    }
    Ok(PgHistory {
        epoch_created: get("epoch_created").unwrap_or(0),
        epoch_pool_created: get("epoch_pool_created").unwrap_or(0),
        last_epoch_started: get("last_epoch_started").unwrap_or(0),
        last_interval_started: get("last_interval_started").unwrap_or(0),
        last_epoch_clean: get("last_epoch_clean").unwrap_or(0),
        last_interval_clean: get("last_interval_clean").unwrap_or(0),
        last_epoch_split: get("last_epoch_split").unwrap_or(0),
        same_up_since: get("same_up_since").unwrap_or(sis),
        same_interval_since: sis,
        same_primary_since: get("same_primary_since").unwrap_or(sis),
    })
}

const EPOCH_FIELDS: [&str; 11] = [
    "epoch",
    "up",
    "acting",
    "up_primary",
    "acting_primary",
    "size",
    "min_size",
    "pg_num",
    "pg_num_pending",
    "pool_deleted",
    "osds",
];

fn parse_epoch(
    at: &At<'_>,
    prev: Option<&EpochMap>,
    ec_data_chunks: Option<u32>,
) -> Result<EpochMap, String> {
    at.only_fields(&EPOCH_FIELDS)?;
    let epoch_at = at.field("epoch")?;
    let epoch = epoch_at.u32()?;
    if epoch == 0 {
        return Err(epoch_at.error("must be at least 1"));
    }
    if let Some(prev) = prev {
        if epoch <= prev.epoch {
            return Err(epoch_at.error(&format!(
                "epochs must increase: {epoch} is not after the previous epoch {}",
                prev.epoch
            )));
        }
    }
    let osds = parse_osds(&at.field("osds")?)?;

    let pool_deleted = match at.opt_field("pool_deleted") {
        Some(v) => v.bool()?,
        None => false,
    };
    let pool = if pool_deleted {
        None
    } else {
        let size = at.field("size")?.u32()?;
        let min_size_at = at.field("min_size")?;
        let min_size = min_size_at.u32()?;
        if min_size > size {
            return Err(min_size_at.error(&format!("{min_size} is larger than size {size}")));
        }
        let prev_pg_num = prev.and_then(|p| p.pool.as_ref()).map_or(1, |p| p.pg_num);
        let pg_num = match at.opt_field("pg_num") {
            Some(v) => v.u32()?,
            None => prev_pg_num,
        };
        let pg_num_pending = match at.opt_field("pg_num_pending") {
            Some(v) => v.u32()?,
            None => pg_num,
        };
        Some(PoolView {
            size,
            min_size,
            pg_num,
            pg_num_pending,
            ec_data_chunks,
        })
    };

    let mut map = EpochMap {
        epoch,
        up: Vec::new(),
        acting: Vec::new(),
        up_primary: -1,
        acting_primary: -1,
        pool,
        osds: Rc::new(osds),
    };
    let ec = ec_data_chunks.is_some();
    map.up = parse_osd_vector(&at.field("up")?, &map, ec)?;
    map.acting = parse_osd_vector(&at.field("acting")?, &map, ec)?;
    map.up_primary = parse_primary(at, "up_primary", "up", &map.up)?;
    map.acting_primary = parse_primary(at, "acting_primary", "acting", &map.acting)?;
    Ok(map)
}

fn parse_osds(at: &At<'_>) -> Result<BTreeMap<OsdId, OsdView>, String> {
    let items = at
        .items()
        .map_err(|_| at.expected("a list of OSDs ({\"osd\": ID, \"up\": true, ...})"))?;
    let mut osds = BTreeMap::new();
    for item in &items {
        item.only_fields(&[
            "osd", "up", "exists", "up_from", "up_thru", "down_at", "lost_at",
        ])?;
        let id_at = item.field("osd")?;
        let id = id_at.i32()?;
        if id < 0 || id == CRUSH_ITEM_NONE {
            return Err(id_at.error(&format!("{id} is not an OSD id")));
        }
        let epoch_field = |name: &str| -> Result<Epoch, String> {
            item.opt_field(name).map_or(Ok(0), |v| v.u32())
        };
        let view = OsdView {
            exists: match item.opt_field("exists") {
                Some(v) => v.bool()?,
                None => true,
            },
            up: item.field("up")?.bool()?,
            up_from: epoch_field("up_from")?,
            up_thru: epoch_field("up_thru")?,
            down_at: epoch_field("down_at")?,
            lost_at: epoch_field("lost_at")?,
        };
        if view.up && !view.exists {
            return Err(item.error("an OSD that does not exist cannot be up"));
        }
        if osds.insert(id, view).is_some() {
            return Err(id_at.error(&format!("osd.{id} is listed twice")));
        }
    }
    Ok(osds)
}

fn parse_osd_vector(at: &At<'_>, map: &EpochMap, ec: bool) -> Result<Vec<OsdId>, String> {
    let items = at.items().map_err(|_| at.expected("a list of OSD ids"))?;
    let mut v = Vec::with_capacity(items.len());
    let mut seen = BTreeSet::new();
    for item in &items {
        let osd = match item.value {
            Value::String(s) if s == "NONE" => CRUSH_ITEM_NONE,
            _ => item
                .value
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .filter(|&n| n >= 0)
                .ok_or_else(|| item.expected("an OSD id or \"NONE\""))?,
        };
        if osd == CRUSH_ITEM_NONE {
            if !ec {
                return Err(item.error(
                    "NONE (a hole) is only allowed in an erasure-coded pool (set ec_data_chunks)",
                ));
            }
        } else {
            if !map.osds.contains_key(&osd) {
                return Err(item.error(&format!(
                    "osd.{osd} is unknown: it is not listed in this epoch's osds"
                )));
            }
            if !map.exists(osd) {
                return Err(item.error(&format!("osd.{osd} does not exist in this epoch")));
            }
            if !seen.insert(osd) {
                return Err(at.error(&format!("osd.{osd} appears twice")));
            }
        }
        v.push(osd);
    }
    if v.len() > usize::from(u8::MAX) {
        return Err(at.error("too many positions (at most 255)"));
    }
    Ok(v)
}

fn parse_primary(at: &At<'_>, name: &str, set_name: &str, v: &[OsdId]) -> Result<OsdId, String> {
    let first = v.iter().copied().find(|&o| o != CRUSH_ITEM_NONE);
    let Some(p_at) = at.opt_field(name) else {
        return Ok(first.unwrap_or(-1));
    };
    let p = p_at.i32()?;
    match first {
        None if p == -1 => Ok(p),
        None => Err(p_at.error(&format!("{set_name} is empty, so the primary must be -1"))),
        Some(_) if p != CRUSH_ITEM_NONE && v.contains(&p) => Ok(p),
        Some(_) => Err(p_at.error(&format!(
            "osd.{p} is not in {set_name} {}",
            super::osd_vec_string(v)
        ))),
    }
}

/// A JSON value and the path that leads to it, for error messages.
struct At<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> At<'a> {
    fn root(value: &'a Value) -> Self {
        At {
            value,
            path: String::new(),
        }
    }

    fn display_path(&self) -> &str {
        if self.path.is_empty() {
            "input"
        } else {
            &self.path
        }
    }

    fn error(&self, message: &str) -> String {
        format!("{}: {message}", self.display_path())
    }

    fn expected(&self, what: &str) -> String {
        let mut got = self.value.to_string();
        if got.len() > 60 {
            let cut = (0..=60)
                .rev()
                .find(|&i| got.is_char_boundary(i))
                .unwrap_or(0);
            got.truncate(cut);
            got.push('…');
        }
        self.error(&format!("expected {what}, got {got}"))
    }

    fn object(&self) -> Result<&'a Map<String, Value>, String> {
        self.value
            .as_object()
            .ok_or_else(|| self.expected("an object"))
    }

    fn only_fields(&self, allowed: &[&str]) -> Result<(), String> {
        for key in self.object()?.keys() {
            if !allowed.contains(&key.as_str()) {
                return Err(self.error(&format!(
                    "unknown field \"{key}\" (expected one of: {})",
                    allowed.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn child_path(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    fn field(&self, name: &str) -> Result<At<'a>, String> {
        self.object()?;
        self.opt_field(name)
            .ok_or_else(|| self.error(&format!("missing field \"{name}\"")))
    }

    fn opt_field(&self, name: &str) -> Option<At<'a>> {
        let value = self.value.as_object()?.get(name)?;
        Some(At {
            value,
            path: self.child_path(name),
        })
    }

    fn items(&self) -> Result<Vec<At<'a>>, String> {
        let array = self
            .value
            .as_array()
            .ok_or_else(|| self.expected("a list"))?;
        Ok(array
            .iter()
            .enumerate()
            .map(|(i, value)| At {
                value,
                path: format!("{}[{i}]", self.display_path()),
            })
            .collect())
    }

    fn str(&self) -> Result<&'a str, String> {
        self.value.as_str().ok_or_else(|| self.expected("a string"))
    }

    fn bool(&self) -> Result<bool, String> {
        self.value
            .as_bool()
            .ok_or_else(|| self.expected("true or false"))
    }

    fn u32(&self) -> Result<u32, String> {
        self.value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.expected("an epoch or count (a non-negative 32-bit integer)"))
    }

    fn i32(&self) -> Result<i32, String> {
        self.value
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| self.expected("an OSD id (a 32-bit integer)"))
    }
}
