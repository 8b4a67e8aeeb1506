//! Benchmarks (not tests) of the cluster simulation: the cost of one step at 6 OSDs × 32
//! PGs and at 120 OSDs × 4096 PGs (`cargo bench --bench world_step`), for a whole
//! "one OSD dies, is marked down and out, the cluster settles" run divided by its steps,
//! and the cost of cloning the world (a history snapshot).

use cephscope::engine::world::{ClusterSpec, UserAction, World};

fn main() {
    divan::main();
}

fn cluster(hosts: i32, per_host: i32, pg_num: u32) -> World {
    let spec = ClusterSpec::uniform(hosts, per_host, pg_num);
    let mut world = World::new(&spec).expect("valid spec");
    while world.step().is_some() {}
    world
}

const SIZES: [(i32, i32, u32); 2] = [(3, 2, 32), (40, 3, 4096)];

/// Kill osd.0 and run until quiet; divan reports per-run time, the printed figure is per step.
#[divan::bench(args = SIZES, sample_count = 5)]
fn failure_run(bencher: divan::Bencher, (hosts, per_host, pgs): (i32, i32, u32)) {
    let base = cluster(hosts, per_host, pgs);
    bencher
        .with_inputs(|| base.clone())
        .bench_local_values(|mut world| {
            world.act(UserAction::Kill { osd: 0 }).expect("osd.0 runs");
            let mut steps = 0u32;
            while world.step().is_some() {
                steps += 1;
            }
            steps
        });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn clone_world(bencher: divan::Bencher, (hosts, per_host, pgs): (i32, i32, u32)) {
    let base = cluster(hosts, per_host, pgs);
    bencher.bench_local(|| base.clone());
}
