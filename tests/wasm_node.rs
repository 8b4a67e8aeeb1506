//! The engine compiled to wasm32 and run in Node (wasm-bindgen-test without
//! run_in_browser): every built-in scenario gives byte-for-byte the trace of the native
//! run pinned in tests/data/traces.
#![cfg(target_arch = "wasm32")]

use cephscope::engine::cluster::{self, ClusterRun};
use cephscope::engine::scenario::{builtin, Run};
use wasm_bindgen_test::*;

fn golden(name: &str) -> &'static str {
    match name {
        "primary-boot" => include_str!("data/traces/primary-boot.log"),
        "replica-boot" => include_str!("data/traces/replica-boot.log"),
        "new-interval" => include_str!("data/traces/new-interval.log"),
        "crash-on-bad-event" => include_str!("data/traces/crash-on-bad-event.log"),
        other => panic!("no golden trace for {other}: add it here"),
    }
}

#[wasm_bindgen_test]
fn wasm_traces_equal_the_native_golden_traces() {
    for scenario in builtin() {
        let name = scenario.name.clone();
        let mut run = Run::new(scenario);
        run.run_to_end();
        assert_eq!(run.trace_text(), golden(&name), "scenario {name}");
    }
}

/// Every built-in cluster scenario's golden trace. A scenario added to
/// src/engine/cluster.rs without an entry here fails below, naming it.
macro_rules! cluster_traces {
    ($($name:literal),* $(,)?) => {
        fn cluster_golden(name: &str) -> &'static str {
            match name {
                $($name => include_str!(concat!("data/traces/cluster/", $name, ".log")),)*
                other => panic!("no golden trace for {other}: add it to cluster_traces!"),
            }
        }
    };
}

cluster_traces!(
    "seed000-down-lost",
    "seed000-down-revive",
    "seed001-q13-up-thru",
    "seed001-q13-no-up-thru",
    "jewel-osd0-down-out",
    "backfill-toofull",
    "backfill-revoked-toofull",
    "unfound-object",
    "unfound-found-on-stray",
    "luminous-osd-stop-start",
    "recovery-preempts-backfill",
    "force-recovery",
    "les-bound-incomplete",
    "pool-delete",
    "async-recovery",
);

/// The cluster scenarios (the golden Jewel trace among them) under wasm32 in Node.
#[wasm_bindgen_test]
fn wasm_cluster_traces_equal_the_native_golden_traces() {
    for scenario in cluster::builtin() {
        let name = scenario.name.clone();
        let mut run = ClusterRun::new(scenario).unwrap();
        run.run_to_end().unwrap();
        assert_eq!(
            run.trace_text(None),
            cluster_golden(&name),
            "scenario {name}"
        );
    }
}

/// Not a timed test: it prints the time of the golden cluster scenario under wasm in Node
/// (compare with `golden_scenario_time_is_reported` in tests/cluster.rs, same profile):
/// the mean of 50 runs, the median and the fastest run. The first run compiles lazily in
/// V8's baseline tier (Liftoff) and later ones wait for its optimising tier (TurboFan,
/// background threads); on a loaded 2-core machine single runs are also preempted, so
/// the median and the fastest say more about the engine than the mean.
#[wasm_bindgen_test]
fn golden_scenario_time_is_reported() {
    // performance.now(): Date.now() counts whole milliseconds, about a run.
    let now = || {
        let key = |k: &str| wasm_bindgen::JsValue::from_str(k);
        let perf = js_sys::Reflect::get(&js_sys::global(), &key("performance")).unwrap();
        let now = js_sys::Function::from(js_sys::Reflect::get(&perf, &key("now")).unwrap());
        now.call0(&perf).unwrap().as_f64().unwrap()
    };
    let mut times: Vec<f64> = (0..50)
        .map(|_| {
            let start = now();
            {
                let scenario = cluster::find("jewel-osd0-down-out").unwrap();
                let mut run = ClusterRun::new(scenario).unwrap();
                run.run_to_end().unwrap();
            }
            now() - start
        })
        .collect();
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    times.sort_by(f64::total_cmp);
    wasm_bindgen_test::console_log!(
        "jewel-osd0-down-out end to end, wasm in Node: {mean:.2} ms per run (mean of 50), median {:.2} ms, fastest {:.2} ms",
        times[times.len() / 2],
        times[0]
    );
}

/// The CephFS-over-RADOS scenarios (an MDS world beside the cluster; object names hashed
/// to PGs) under wasm32 in Node: the same traces as tests/mds_rados.rs pins natively.
#[wasm_bindgen_test]
fn wasm_cephfs_traces_equal_the_native_golden_traces() {
    use cephscope::engine::mds::rados::{builtin, CephfsRun};
    for scenario in builtin() {
        let name = scenario.name.clone();
        let golden = match name.as_str() {
            "cephfs-replay-stuck-on-down-pg" => {
                include_str!("data/traces/mds/cephfs-replay-stuck-on-down-pg.log")
            }
            "cephfs-journal-lost-damaged-repaired" => {
                include_str!("data/traces/mds/cephfs-journal-lost-damaged-repaired.log")
            }
            other => panic!("no golden trace for {other}: add it here"),
        };
        let mut run = CephfsRun::new(scenario).unwrap();
        run.run_to_end().unwrap();
        assert_eq!(run.trace_text(), golden, "scenario {name}");
    }
}
