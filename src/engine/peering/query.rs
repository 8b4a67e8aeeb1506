//! `ceph pg <pgid> query`'s `recovery_state`: what each state of the PG's current
//! configuration dumps when it handles QueryState, innermost first, as Ceph forwards the
//! event outwards. The states that dump are those whose reactions list QueryState
//! (`chart.rs`, checked against Ceph's); each entry has the fields its
//! `react(const QueryState&)` writes, except `enter_time` (the simulation has no wall
//! clock) and the bulky ones noted below.

use super::chart::definition;
use super::events::OsdId;
use super::state::PeeringState;
use super::unfound::might_have_unfound_status;
use crate::engine::statechart::{EventMatch, Machine};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The `recovery_state` array for this PG's machine and state, innermost state first.
pub fn recovery_state(machine: &Machine, ps: &PeeringState) -> Value {
    let def = definition();
    let Some(leaf) = machine.current() else {
        return json!([]);
    };
    let dumps = |s| {
        def.reactions_of(s)
            .any(|r| matches!(r.event, EventMatch::Named("QueryState")))
    };
    let states: Vec<Value> = def
        .ancestry(leaf)
        .into_iter()
        .filter(|&s| dumps(s))
        .map(|s| {
            let mut entry = Map::new();
            entry.insert("name".into(), json!(def.states[s].path));
            state_fields(def.states[s].name, ps, &mut entry);
            Value::Object(entry)
        })
        .collect();
    Value::Array(states)
}

/// The fields of one state's `react(const QueryState&)`.
fn state_fields(state: &str, ps: &PeeringState, out: &mut Map<String, Value>) {
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_string(), v);
    };
    match state {
        // Peering::react(QueryState); past_intervals are left out (the Intervals tab
        // draws them).
        "Peering" => {
            let prior = ps.prior_set.as_ref();
            let probe: Vec<String> = prior
                .map(|p| p.probe.iter().map(|s| s.osd.to_string()).collect())
                .unwrap_or_default();
            put("probing_osds", json!(probe));
            if prior.is_some_and(|p| p.pg_down) {
                put("blocked", json!("peering is blocked due to down osds"));
            }
            let down: Vec<i32> = prior
                .map(|p| p.down.iter().copied().collect())
                .unwrap_or_default();
            put("down_osds_we_would_probe", json!(down));
            let blocked: Vec<Value> = prior
                .map(|p| {
                    p.blocked_by
                        .iter()
                        .map(|(osd, lost_at)| {
                            json!({
                                "osd": osd,
                                "current_lost_at": lost_at,
                                "comment": "starting or marking this osd lost may let us proceed",
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            put("peering_blocked_by", json!(blocked));
            if ps.history_les_bound {
                put(
                    "peering_blocked_by_detail",
                    json!([{ "detail": "peering_blocked_by_history_les_bound" }]),
                );
            }
        }
        "GetInfo" => put("requested_info_from", osd_objects(&ps.peer_info_requested)),
        "GetLog" => {
            let auth = ps
                .auth_log_shard
                .map_or("-1".to_string(), |o| o.to_string());
            put("auth_log_shard", json!(auth));
        }
        "GetMissing" => put(
            "peer_missing_requested",
            osd_objects(&ps.peer_missing_requested),
        ),
        "WaitUpThru" => put(
            "comment",
            json!("waiting for osdmap to reflect a new up_thru for this osd"),
        ),
        "WaitActingChange" => put("comment", json!("waiting for pg acting set to change")),
        "Down" => put(
            "comment",
            json!("not enough up instances of this PG to go active"),
        ),
        "Incomplete" => put("comment", json!("not enough complete instances of this PG")),
        // Active::react(QueryState): might_have_unfound, then recovery_progress
        // (PrimaryLogPG::dump_recovery_info; backfill_info, peer_backfill_info and
        // pg_backend are left out); scrub is not modelled.
        "Active" => {
            let might: Vec<Value> = might_have_unfound_status(ps)
                .into_iter()
                .map(|(osd, status)| json!({ "osd": osd.to_string(), "status": status }))
                .collect();
            put("might_have_unfound", json!(might));
            let bf = &ps.backfill;
            let recovering: Vec<&String> = ps.pulling.keys().chain(ps.pushing.keys()).collect();
            put(
                "recovery_progress",
                json!({
                    "backfill_targets": ps.backfill_targets.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
                    "waiting_on_backfill": bf.waiting_on_backfill.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
                    "last_backfill_started": bf.last_backfill_started.to_string(),
                    "backfills_in_flight": bf.backfills_in_flight,
                    "recovering": recovering,
                }),
            );
        }
        _ => {}
    }
}

/// `[{"osd": "N"}, …]`, as GetInfo's and GetMissing's dumps list the OSDs they wait for.
fn osd_objects(osds: &BTreeSet<OsdId>) -> Value {
    osds.iter()
        .map(|o| json!({ "osd": o.to_string() }))
        .collect()
}
