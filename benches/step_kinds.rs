//! Benchmark (not a test; `cargo bench --bench step_kinds`): what one step costs by the
//! kind of its event, at 6 OSDs × 32 PGs and at 120 OSDs × 4096 PGs, over the run "osd.0
//! dies, the cluster re-peers and settles". A step should cost the work of its event, not
//! the size of the cluster. Each kind is printed per step and per unit of its work:
//!
//! - a message to one PG (MOSDPG*): per step (the work is one PG's); "(+ advance)" marks
//!   the messages that reached a PG still behind its OSD's map, which first advances it
//!   through the new epochs (`PG::advance_pg`), as in Ceph;
//! - a map delivery (MOSDMap): per step (the OSD takes the epochs and queues an advance
//!   for each PG it holds: ~16 PGs per OSD at 6 × 32, ~100 at 120 × 4096);
//! - a PG's map advance (the NullEvt consume_map queued): per step (one PG through the
//!   new epochs);
//! - a step that publishes epochs (the proposal timer, or a command): per unit of work =
//!   PGs whose mapping changed + messages sent (the new map goes to every running OSD;
//!   the monitor maps again only the PGs an epoch can move, `MappingTable::next`);
//! - anything else (monitor messages, timers): per step.
//!
//! Steps the monitor handles (messages to it, its timers) are rare (1 to ~150 per run):
//! each is timed as the median of 5 runs on copies of the world, in a second pass, so a
//! single cold cache does not make the figure; every other step is timed once, as it
//! runs, in a first pass without copies (the whole-run average is that pass's).

use cephscope::engine::statechart::Micro;
use cephscope::engine::world::{ClusterSpec, UserAction, World, WorldStep};
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Default, Clone, Copy)]
struct Bucket {
    steps: u32,
    secs: f64,
    /// Epochs published in these steps.
    epochs: usize,
    /// PGs whose mapping changed in the epochs these steps published.
    remapped: usize,
    sent: usize,
}

struct Run {
    steps: u32,
    secs: f64,
    kinds: BTreeMap<String, Bucket>,
}

/// The event's kind: its message type, or its timer without OSD ids and epochs.
fn kind_of(event: &str) -> String {
    if event.contains(" advances to map ") {
        return "PG map advance".to_string();
    }
    let first = event.split_whitespace().next().unwrap_or("");
    if first.starts_with('M') && first.chars().nth(1).is_some_and(|c| c.is_ascii_uppercase()) {
        first.to_string()
    } else {
        let text = event
            .split(|c: char| c.is_ascii_digit())
            .next()
            .unwrap_or(event);
        let text = text.trim().trim_end_matches("osd.").trim();
        // "the monitor's proposal timer fires: it publishes …" → its first clause.
        text.split(':').next().unwrap_or(text).to_string()
    }
}

/// Whether the monitor handles the event: a message to it, or one of its timers (the
/// heartbeat grace too: a peer's report is what it sends).
fn monitor_step(what: &str) -> bool {
    what.contains("→ mon.")
        || what.starts_with("the monitor's")
        || what.starts_with("osd_heartbeat_grace")
        || what.starts_with("mon_osd_")
}

/// Whether a message step first advanced a lagging PG through new epochs (the NullEvt
/// `consume_map` queued was still waiting: `PG::advance_pg` runs before the message), so
/// its work is the advance's as well as the message's.
fn advanced_first(step: &WorldStep) -> bool {
    step.pgs.iter().any(|p| {
        p.micro
            .iter()
            .any(|m| matches!(m, Micro::Event { event, .. } if event.starts_with("AdvMap")))
    })
}

/// PGs whose mapping differs between the newest table and the one `back` epochs before.
fn remapped(world: &World, back: usize) -> usize {
    let n = world.mappings.len();
    if back == 0 || back >= n {
        return 0;
    }
    let (old, new) = (&world.mappings[n - 1 - back], &world.mappings[n - 1]);
    new.by_pg
        .iter()
        .filter(|(pg, m)| old.by_pg.get(pg) != Some(m))
        .count()
}

/// Runs the failure; with `repeat`, each step the monitor handles is timed as the median
/// of 5 runs on copies of the world (the copies evict the caches, so the other steps of
/// that pass are not timed honestly: `main` takes them from a pass without `repeat`).
fn failure_run(hosts: i32, per_host: i32, pg_num: u32, repeat: bool) -> Run {
    let mut world = World::new(&ClusterSpec::uniform(hosts, per_host, pg_num)).expect("valid");
    while world.step().is_some() {}
    world.act(UserAction::Kill { osd: 0 }).expect("osd.0 runs");
    let mut run = Run {
        steps: 0,
        secs: 0.0,
        kinds: BTreeMap::new(),
    };
    while let Some(next) = world.next_pending() {
        let (step, secs) = if repeat && monitor_step(&next.what) {
            let mut times: Vec<f64> = (0..5)
                .map(|_| {
                    let mut copy = world.clone();
                    let t = Instant::now();
                    let step = copy.deliver(next.id);
                    let secs = t.elapsed().as_secs_f64();
                    drop(step);
                    secs
                })
                .collect();
            times.sort_by(f64::total_cmp);
            (world.deliver(next.id).expect("pending"), times[2])
        } else {
            let t = Instant::now();
            let step = world.deliver(next.id).expect("pending");
            (step, t.elapsed().as_secs_f64())
        };
        let mut kind = kind_of(&step.event);
        if kind.starts_with("MOSDPG") && advanced_first(&step) {
            kind.push_str(" (+ advance)");
        }
        let b = run.kinds.entry(kind).or_default();
        b.steps += 1;
        b.secs += secs;
        b.epochs += step.epochs.len();
        b.remapped += remapped(&world, step.epochs.len());
        b.sent += step.sent.len();
        run.steps += 1;
        run.secs += secs;
    }
    run
}

/// The run timed once per step, with the monitor's steps' times from a second, repeated
/// pass (the runs are deterministic: both passes take the same steps).
fn timed_run(hosts: i32, per_host: i32, pg_num: u32) -> Run {
    let mut run = failure_run(hosts, per_host, pg_num, false);
    let repeated = failure_run(hosts, per_host, pg_num, true);
    for (kind, b) in repeated.kinds {
        let monitor = kind.starts_with("the monitor's")
            || kind.starts_with("osd_heartbeat_grace")
            || kind.starts_with("mon_osd_")
            || matches!(kind.as_str(), "MOSDAlive" | "MOSDFailure" | "MOSDBoot");
        if monitor {
            run.kinds.insert(kind, b);
        }
    }
    run
}

/// The cost of one unit of a kind's work, and the unit's name.
fn unit(b: &Bucket) -> (f64, &'static str) {
    if b.epochs > 0 {
        let work = (b.remapped + b.sent).max(1);
        (
            b.secs * 1e6 / work as f64,
            "per (PG remapped + message sent)",
        )
    } else {
        (b.secs * 1e6 / b.steps as f64, "per step")
    }
}

fn main() {
    let small = timed_run(3, 2, 32);
    let large = timed_run(40, 3, 4096);
    let per = |r: &Run| r.secs * 1e6 / r.steps as f64;
    println!(
        "whole run, per step: 6x32 {:.1} µs ({} steps), 120x4096 {:.1} µs ({} steps), ratio {:.1}",
        per(&small),
        small.steps,
        per(&large),
        large.steps,
        per(&large) / per(&small)
    );
    println!(
        "{:<34} {:>10} {:>10} {:>6} | {:>9} {:>9} {:>6}  unit (steps; work)",
        "event", "6x32/step", "4096/step", "ratio", "6x32", "4096", "ratio"
    );
    for (kind, l) in &large.kinds {
        let Some(s) = small.kinds.get(kind) else {
            continue;
        };
        let step_s = s.secs * 1e6 / s.steps as f64;
        let step_l = l.secs * 1e6 / l.steps as f64;
        let ((us_s, what), (us_l, _)) = (unit(s), unit(l));
        let work = if s.epochs > 0 {
            format!(
                "; {} + {} vs {} + {}",
                s.remapped, s.sent, l.remapped, l.sent
            )
        } else {
            String::new()
        };
        println!(
            "{:<34} {:>7.2} µs {:>7.2} µs {:>6.1} | {:>6.2} µs {:>6.2} µs {:>6.1}  {what} ({} / {} steps{work})",
            kind,
            step_s,
            step_l,
            step_l / step_s,
            us_s,
            us_l,
            us_l / us_s,
            s.steps,
            l.steps,
        );
    }
}
