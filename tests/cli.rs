//! The `cephscope` binary as a user runs it: output, and exit status 2 with a one-line
//! message on bad input.

use std::process::Command;

fn cephscope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cephscope"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cephscope");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn dot_peering_prints_cephs_style_dot() {
    let (code, out, _) = cephscope(&["dot", "peering"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("digraph G {"));
    assert!(out.contains("Start -> GetInfo [label=\"MakePrimary\""));
}

#[test]
fn scenarios_lists_names_first() {
    let (code, out, _) = cephscope(&["scenarios"]);
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l.starts_with("new-interval\t")));
}

#[test]
fn run_prints_osd_log_lines_and_the_final_state() {
    let (code, out, _) = cephscope(&["run", "primary-boot"]);
    assert_eq!(code, 0);
    assert!(out.contains("e10 osd.0 pg 1.0 enter Started/Primary/Peering/GetInfo"));
    assert!(out
        .trim_end()
        .ends_with("pg 1.0 on osd.0: peering (Started/Primary/Peering/GetInfo)"));
    let (code, json, _) = cephscope(&["run", "primary-boot", "--json"]);
    assert_eq!(code, 0);
    let records: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(records.as_array().unwrap().len(), 3);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    for args in [
        vec!["bogus"],
        vec!["run", "no-such-scenario"],
        vec!["run", "missing-file.json"],
        vec!["dot", "mds-and-more"],
        vec!["pglog", "merge", "tests/data/ceph/README.md"],
    ] {
        let (code, _, err) = cephscope(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(!err.trim().is_empty(), "{args:?} said nothing");
    }
}

#[test]
fn pglog_merge_reports_what_it_did() {
    let (code, out, _) = cephscope(&["pglog", "merge", "tests/data/pglog/merge_divergent.json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "log",
        "info",
        "missing",
        "removed",
        "rolled_back",
        "decisions",
    ] {
        assert!(v.get(key).is_some(), "no {key}");
    }
    let (code, _, _) = cephscope(&[
        "pglog",
        "proc-replica-log",
        "tests/data/pglog/proc_replica_log.json",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn intervals_prints_past_intervals_and_the_prior_set() {
    let (code, out, _) = cephscope(&[
        "intervals",
        "tests/data/intervals/down_pg_up_thru_granted.json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["prior_set"]["pg_down"], true);
    assert_eq!(v["prior_set"]["blocked_by"][0]["osd"], 0);
    let (code, _, err) = cephscope(&["intervals", "tests/data/pglog/merge_divergent.json"]);
    assert_eq!(code, 2);
    assert!(!err.is_empty());
}

#[test]
fn run_prints_a_cephfs_over_rados_scenario_with_the_health() {
    let (code, out, _) = cephscope(&["run", "cephfs-journal-lost-damaged-repaired"]);
    assert_eq!(code, 0);
    assert!(out.contains("log [ERR] : missing journal object (200.00000001)"));
    assert!(out.contains("[ERR] MDS_DAMAGE: 1 mds daemon damaged"));
    assert!(out.contains("$ ceph mds stat\ncephfs:1 {0=b=up:active}"));
    let (code, out, _) = cephscope(&["scenarios"]);
    assert_eq!(code, 0);
    assert!(out.contains("cephfs-replay-stuck-on-down-pg\tcephfs\t"));
}

/// The Cluster tab's "Trace JSON" download (`Timeline::trace_json`) is what `cephscope run
/// --json` prints for the same run.
#[test]
fn the_cluster_tabs_trace_json_is_the_clis() {
    use cephscope::engine::{cluster, timeline::Timeline};
    let name = "backfill-revoked-toofull";
    let mut t = Timeline::new(cluster::find(name).unwrap()).unwrap();
    while t.step().unwrap().is_some() {}
    let (code, out, _) = cephscope(&["run", name, "--json"]);
    assert_eq!(code, 0);
    assert!(
        out == t.trace_json(),
        "the CLI's JSON differs from the timeline's"
    );
}

/// `cephscope query`: seed 000's PG 1.0 when it goes down reads like Ceph's
/// troubleshooting example (recovery_state: Down, then Peering blocked by osd.5, then
/// Started); bad PGs, steps past the end and states never reached exit 2 with one line.
#[test]
fn query_prints_a_down_pgs_recovery_state() {
    let (code, out, err) = cephscope(&[
        "query",
        "seed000-down-lost",
        "--pg",
        "1.0",
        "--until",
        "down",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["state"], "down");
    let rs = v["recovery_state"].as_array().unwrap();
    assert_eq!(rs[0]["name"], "Started/Primary/Peering/Down");
    assert_eq!(rs[1]["name"], "Started/Primary/Peering");
    assert_eq!(rs[1]["blocked"], "peering is blocked due to down osds");
    assert_eq!(rs[1]["peering_blocked_by"][0]["current_lost_at"], 0);
    assert_eq!(rs[2]["name"], "Started");
    // Ceph's key order: the name first.
    assert!(out.find("\"name\"").unwrap() < out.find("\"comment\"").unwrap());
    let (code, out, _) = cephscope(&["query", "seed000-down-lost", "--pg", "1.0"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("\"name\": \"Started/Primary/Active\""),
        "{out}"
    );
    for (args, message) in [
        (vec!["--pg", "1.9"], "pg 1.9 is not in the cluster"),
        (
            vec!["--pg", "1.0", "--step", "99999"],
            "--step 99999: the run ends after",
        ),
        (
            vec!["--pg", "1.0", "--until", "foo"],
            "pg 1.0 is never \"foo\"",
        ),
    ] {
        let mut all = vec!["query", "seed000-down-lost"];
        all.extend(args);
        let (code, out, err) = cephscope(&all);
        assert_eq!(code, 2, "{all:?}");
        assert!(out.is_empty());
        assert!(
            err.contains(message) && err.lines().count() == 1,
            "{all:?}: {err}"
        );
    }
    let (code, _, err) = cephscope(&["query", "primary-boot", "--pg", "1.0"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a cluster scenario"), "{err}");
    // A PG whose pool the run deletes: there at step 150, gone at the end.
    let (code, out, _) = cephscope(&["query", "pool-delete", "--pg", "2.0", "--step", "150"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"state\": \"active+clean\""), "{out}");
    let (code, out, err) = cephscope(&["query", "pool-delete", "--pg", "2.0"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("pg 2.0 does not exist at step") && err.contains("its pool was deleted"),
        "{err}"
    );
}
