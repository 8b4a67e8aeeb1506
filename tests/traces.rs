//! Golden traces: every built-in scenario's trace, as `cephscope run` prints it, is pinned
//! in tests/data/traces/<name>.log. The same files are checked in Node (wasm) by
//! tests/wasm_node.rs, so a share link or a CLI-made doc shows the same steps everywhere.
//! After an intended change: `UPDATE_GOLDEN=1 cargo test --test traces`.

use cephscope::engine::cluster::{self, ClusterRun};
use cephscope::engine::scenario::{builtin, Run};
use std::path::PathBuf;

/// The cluster scenarios' full traces (every PG, every step) live in
/// tests/data/traces/cluster/<name>.log.
#[test]
fn cluster_scenario_traces_match_the_golden_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/traces/cluster");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for scenario in cluster::builtin() {
        let name = scenario.name.clone();
        let mut run = ClusterRun::new(scenario).unwrap();
        run.run_to_end().unwrap();
        let trace = run.trace_text(None);
        let path = dir.join(format!("{name}.log"));
        if update {
            std::fs::write(&path, &trace).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(trace.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "traces differ from tests/data/traces/cluster for {stale:?}; if intended, run \
         UPDATE_GOLDEN=1 cargo test --test traces and review the diff"
    );
}

#[test]
fn builtin_scenario_traces_match_the_golden_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/traces");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for scenario in builtin() {
        let name = scenario.name.clone();
        let mut run = Run::new(scenario);
        run.run_to_end();
        let trace = run.trace_text();
        let path = dir.join(format!("{name}.log"));
        if update {
            std::fs::write(&path, &trace).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(trace.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "traces differ from tests/data/traces for {stale:?}; if intended, run \
         UPDATE_GOLDEN=1 cargo test --test traces and review the diff"
    );
}

#[test]
fn every_golden_file_belongs_to_a_builtin_scenario() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/traces");
    let names: Vec<String> = builtin().into_iter().map(|s| s.name).collect();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            continue;
        }
        let file = entry.file_name().into_string().unwrap();
        let stem = file.trim_end_matches(".log");
        assert!(names.iter().any(|n| n == stem), "{file} has no scenario");
    }
}
