//! Benchmark (not a test; `cargo bench --bench step_kinds`): what one step costs by the
//! kind of its event, at 6 OSDs × 32 PGs and at 120 OSDs × 4096 PGs, over the run "osd.0
//! dies, the cluster re-peers and settles". A step should cost the work of its event, not
//! the size of the cluster: a message to one PG the same at both sizes, a map delivery in
//! proportion to the PGs the OSD holds (printed per PG touched), a map publication in
//! proportion to the PGs the monitor places (CRUSH for every PG, as OSDMapMapping).

use cephscope::engine::world::{ClusterSpec, UserAction, World};
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Default, Clone, Copy)]
struct Bucket {
    steps: u32,
    secs: f64,
    pgs_touched: usize,
    /// Epochs the monitor published in these steps (each places every PG).
    epochs: usize,
}

struct Run {
    pg_num: u32,
    steps: u32,
    secs: f64,
    kinds: BTreeMap<String, Bucket>,
}

/// The event's kind: its message type, or its timer without OSD ids and epochs.
fn kind_of(event: &str) -> String {
    let first = event.split_whitespace().next().unwrap_or("");
    if first.starts_with('M') && first.chars().nth(1).is_some_and(|c| c.is_ascii_uppercase()) {
        first.to_string()
    } else {
        let text = event
            .split(|c: char| c.is_ascii_digit())
            .next()
            .unwrap_or(event);
        text.trim().trim_end_matches("osd.").trim().to_string()
    }
}

fn failure_run(hosts: i32, per_host: i32, pg_num: u32) -> Run {
    let mut world = World::new(&ClusterSpec::uniform(hosts, per_host, pg_num)).expect("valid");
    while world.step().is_some() {}
    world.act(UserAction::Kill { osd: 0 }).expect("osd.0 runs");
    let mut run = Run {
        pg_num,
        steps: 0,
        secs: 0.0,
        kinds: BTreeMap::new(),
    };
    loop {
        let t = Instant::now();
        let Some(step) = world.step() else { break };
        let secs = t.elapsed().as_secs_f64();
        let b = run.kinds.entry(kind_of(&step.event)).or_default();
        b.steps += 1;
        b.secs += secs;
        b.pgs_touched += step.pgs.len();
        b.epochs += step.epochs.len();
        run.steps += 1;
        run.secs += secs;
    }
    run
}

/// The cost of one unit of a kind's work, and the unit's name.
fn unit(run: &Run, kind: &str, b: &Bucket) -> (f64, &'static str) {
    if b.epochs > 0 {
        let placed = b.epochs * run.pg_num as usize;
        (
            b.secs * 1e6 / placed as f64,
            "per PG placed (publishes epochs)",
        )
    } else if kind == "MOSDMap" {
        (b.secs * 1e6 / b.pgs_touched.max(1) as f64, "per PG touched")
    } else {
        (b.secs * 1e6 / b.steps as f64, "per step")
    }
}

fn main() {
    let small = failure_run(3, 2, 32);
    let large = failure_run(40, 3, 4096);
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
        "{:<32} {:>12} {:>12} {:>7}  unit",
        "event", "6x32", "120x4096", "ratio"
    );
    for (kind, l) in &large.kinds {
        let Some(s) = small.kinds.get(kind) else {
            continue;
        };
        let ((us_s, what), (us_l, _)) = (unit(&small, kind, s), unit(&large, kind, l));
        println!(
            "{:<32} {:>9.2} µs {:>9.2} µs {:>7.1}  {what} ({} / {} steps)",
            kind,
            us_s,
            us_l,
            us_l / us_s,
            s.steps,
            l.steps
        );
    }
}
