//! Benchmark (not a test; `cargo bench --bench history`): what stepping back costs.
//! A `Timeline` keeps every step's record and a checkpoint every CHECKPOINT_EVERY steps;
//! this measures the time and the live heap of 10,000 steps of history at 6 OSDs × 32 PGs
//! and 1,000 at 120 OSDs × 4096 PGs, random seeks in it, the full re-peering of the
//! cluster after one OSD failure, and the golden cluster scenario end to end.

use cephscope::engine::cluster::{self, ClusterRun, ClusterScenario, ScriptAction, ScriptStep};
use cephscope::engine::timeline::{Timeline, CHECKPOINT_EVERY};
use cephscope::engine::world::{ClusterSpec, UserAction, World};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Counts live heap bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn cluster(hosts: i32, per_host: i32, pg_num: u32) -> World {
    let mut world = World::new(&ClusterSpec::uniform(hosts, per_host, pg_num)).expect("valid spec");
    while world.step().is_some() {}
    world
}

/// A scenario that never settles for long: every minute an OSD is killed, and revived
/// the minute after, round-robin.
fn churn(hosts: i32, per_host: i32, pg_num: u32, steps: usize) -> ClusterScenario {
    let spec = ClusterSpec::uniform(hosts, per_host, pg_num);
    let osds = hosts * per_host;
    let script = (0..steps / 4)
        .map(|i| ScriptStep {
            at_ms: 60_000 * (i as u64 + 1),
            action: ScriptAction::User(if i % 2 == 0 {
                UserAction::Kill {
                    osd: (i as i32 / 2) % osds,
                }
            } else {
                UserAction::Revive {
                    osd: (i as i32 / 2) % osds,
                }
            }),
        })
        .collect();
    ClusterScenario {
        name: "churn".into(),
        narration: String::new(),
        cluster: spec,
        script,
        follow: None,
        max_steps: steps,
    }
}

fn history_figure(hosts: i32, per_host: i32, pgs: u32, n: usize) {
    let before = LIVE.load(Ordering::Relaxed);
    let t = Instant::now();
    let mut timeline = Timeline::new(churn(hosts, per_host, pgs, n)).expect("valid");
    timeline.seek(n).expect("steps");
    let elapsed = t.elapsed();
    let live = LIVE.load(Ordering::Relaxed) - before;
    let taken = timeline.position();
    println!(
        "history {} OSDs x {pgs} PGs: {taken} steps kept (records + a checkpoint every {}): \
         {:.1} ms ({:.1} µs/step), {:.1} MB live ({:.2} KB/step)",
        hosts * per_host,
        CHECKPOINT_EVERY,
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / taken as f64,
        live as f64 / 1e6,
        live as f64 / 1e3 / taken as f64
    );
    let mut x: u64 = 12345;
    let seeks = 50;
    let t = Instant::now();
    for _ in 0..seeks {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let to = (x >> 33) as usize % taken;
        timeline.seek(to).expect("seek");
        timeline.seek(taken).expect("and back to the end");
    }
    println!(
        "  a seek to a random step and back to the last: {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3 / seeks as f64
    );
}

fn repeering_figure(hosts: i32, per_host: i32, pgs: u32) {
    let base = cluster(hosts, per_host, pgs);
    let runs = 5;
    let mut steps = 0;
    let t = Instant::now();
    for _ in 0..runs {
        let mut world = base.clone();
        world.act(UserAction::Kill { osd: 0 }).expect("osd.0 runs");
        steps = 0;
        while world.step().is_some() {
            steps += 1;
        }
    }
    let per_run = t.elapsed().as_secs_f64() / runs as f64;
    println!(
        "re-peering after osd.0 dies, {} OSDs x {pgs} PGs: {steps} steps, {:.2} ms per run",
        hosts * per_host,
        per_run * 1e3
    );
}

fn golden_figure() {
    let runs = 20;
    let t = Instant::now();
    for _ in 0..runs {
        let mut run = ClusterRun::new(cluster::find("jewel-osd0-down-out").unwrap()).unwrap();
        run.run_to_end().unwrap();
    }
    println!(
        "jewel-osd0-down-out end to end, native: {:.2} ms per run",
        t.elapsed().as_secs_f64() * 1e3 / runs as f64
    );
}

fn main() {
    // `cargo test --benches` runs bench binaries once with --test (or --bench absent):
    // keep that quick.
    if std::env::args().any(|a| a == "--test") {
        history_figure(3, 2, 32, 100);
        return;
    }
    history_figure(3, 2, 32, 10_000);
    history_figure(40, 3, 4096, 300);
    repeering_figure(3, 2, 32);
    // At 120 × 4096 a full re-peering is ~20,000 steps: measured per step above instead.
    golden_figure();
}
