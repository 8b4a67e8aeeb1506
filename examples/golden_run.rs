//! Benchmark program (not a test), run by `scripts/bench-native-vs-wasm.sh`: plays the
//! golden cluster scenario (`jewel-osd0-down-out`) end to end, the same code natively and
//! as wasm32 in Node, with the same warm-up and sampling on both, and prints one line of
//! figures. Natively the program's own loop is the bench; in Node the wasm-bindgen `main`
//! runs it on load.
//!
//! Why a warm-up: criterion-style native figures are steady-state figures, and V8 first
//! runs wasm as lazily compiled baseline (Liftoff) code, tiering hot functions up to
//! TurboFan on background threads. Timing from a cold start would compare V8's compiler
//! with rustc's output, not the engine on two targets; the cold first run is printed too.

use cephscope::engine::cluster::{self, ClusterRun};

const WARMUP: usize = 200;
const RUNS: usize = 300;

/// One run of the golden scenario; returns its step count so the work is not optimised
/// away.
fn golden_run() -> usize {
    let scenario = cluster::find("jewel-osd0-down-out").expect("built-in scenario");
    let mut run = ClusterRun::new(scenario).expect("valid scenario");
    run.run_to_end()
        .expect("the golden scenario runs to its end");
    run.records.len()
}

/// Times the runs with `now` (milliseconds) and formats the figures.
fn figures(target: &str, now: impl Fn() -> f64) -> String {
    let start = now();
    let steps = golden_run();
    let cold = now() - start;
    for _ in 1..WARMUP {
        golden_run();
    }
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = now();
            golden_run();
            now() - start
        })
        .collect();
    let mean = times.iter().sum::<f64>() / RUNS as f64;
    times.sort_by(f64::total_cmp);
    format!(
        "{target}: median {:.3} ms, mean {mean:.3} ms, fastest {:.3} ms over {RUNS} runs after {WARMUP} warm-up runs; first (cold) run {cold:.2} ms; {steps} steps",
        times[RUNS / 2],
        times[0],
    )
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let t0 = std::time::Instant::now();
    println!("{}", figures("native", || t0.elapsed().as_secs_f64() * 1e3));
}

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::JsValue;
    let key = |k: &str| JsValue::from_str(k);
    let perf = js_sys::Reflect::get(&js_sys::global(), &key("performance")).expect("performance");
    let now = js_sys::Function::from(js_sys::Reflect::get(&perf, &key("now")).expect("now"));
    let line = figures("wasm in Node", || {
        now.call0(&perf)
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    });
    web_sys::console::log_1(&JsValue::from_str(&line));
}
