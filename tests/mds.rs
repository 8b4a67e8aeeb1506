//! MDS scenarios end to end: each built-in scenario reaches the states it promises, in
//! order; the takeover of realdata/mds/01; bad scenario input names the field.

use cephscope::engine::mds::scenario::{builtin, find, from_json, MdsRun};
use cephscope::engine::mds::state::DaemonState::{self, *};
use std::collections::BTreeMap;

fn run(name: &str) -> MdsRun {
    let mut run = MdsRun::new(find(name).unwrap_or_else(|| panic!("no scenario {name}"))).unwrap();
    run.run_to_end().unwrap();
    run
}

/// The states, without consecutive repeats and without STATE_NULL markers.
fn squash(states: &[DaemonState]) -> Vec<DaemonState> {
    let mut out: Vec<DaemonState> = Vec::new();
    for s in states {
        if *s != Null && out.last() != Some(s) {
            out.push(*s);
        }
    }
    out
}

fn daemon(run: &MdsRun, name: &str) -> Vec<DaemonState> {
    squash(&run.daemon_histories()[name])
}

fn rank(run: &MdsRun, rank: &str) -> Vec<DaemonState> {
    run.world.rank_histories()[rank].clone()
}

#[test]
fn every_builtin_parses_and_runs_without_chart_errors() {
    let all = builtin();
    assert_eq!(all.len(), 5);
    for s in all {
        let name = s.name.clone();
        let mut r = MdsRun::new(s).unwrap();
        r.run_to_end().unwrap();
        let text = r.trace_text();
        assert!(
            !text.contains("not a transition of the chart"),
            "{name}: {text}"
        );
        assert!(r.records.len() < 20_000, "{name} did not settle");
    }
}

#[test]
fn seed004_normal_start_creating_then_active_with_a_standby() {
    let r = run("mds-seed004-normal-start");
    assert_eq!(daemon(&r, "a"), vec![Boot, Standby, Creating, Active]);
    assert_eq!(daemon(&r, "b"), vec![Boot, Standby]);
    assert_eq!(rank(&r, "cephfs:0"), vec![Dne, Creating, Active]);
    assert_eq!(
        r.world.fsmap().print_summary(),
        "cephfs:1 {0=a=up:active} 1 up:standby"
    );
    let status = r.world.fs_status();
    assert!(
        status.starts_with("cephfs - 1 clients\n======\n"),
        "{status}"
    );
    assert!(status.contains("STANDBY MDS"));
}

/// realdata/mds/01 (Luminous): handle_mds_map up:boot --> up:replay, replay_start,
/// replay_done, reconnect_start with the clients' reconnects, reconnect_done, rejoin_start,
/// rejoin_joint_start, rejoin_done, up:rejoin --> up:active, recovery_done. Luminous's
/// MDSRank starts its own state at STATE_BOOT (MDSRank's constructor), so its log says
/// up:boot where current Ceph, and the engine, say up:standby (the daemon was a standby).
#[test]
fn single_rank_failover_follows_the_luminous_takeover_log() {
    let r = run("mds-failover-single-rank");
    assert_eq!(
        daemon(&r, "b"),
        vec![Boot, Standby, Replay, Reconnect, Rejoin, Active]
    );
    assert_eq!(
        rank(&r, "cephfs:0"),
        vec![Dne, Creating, Active, Null, Replay, Reconnect, Rejoin, Active],
        "Null is down:failed"
    );
    let text = r.trace_text();
    let order = [
        "handle_mds_map state change up:standby --> up:replay",
        "replay_start",
        "waiting for osdmap",
        "replay_done",
        "making mds journal writeable",
        "i am alone, moving to state reconnect",
        "handle_mds_map state change up:replay --> up:reconnect",
        "reconnect_start",
        "reconnect_clients -- 2 sessions",
        "reconnect by client.4375",
        "reconnect by client.4403",
        "reconnect_done",
        "handle_mds_map state change up:reconnect --> up:rejoin",
        "rejoin_start",
        "rejoin_joint_start",
        "rejoin_done",
        "handle_mds_map state change up:rejoin --> up:active",
        "recovery_done -- successful recovery!",
    ];
    let mut at = 0;
    for line in order {
        let found = text[at..]
            .find(line)
            .unwrap_or_else(|| panic!("'{line}' missing after {at}:\n{text}"));
        at += found + line.len();
    }
    assert!(!text.contains("up:resolve"), "a single rank never resolves");
    assert_eq!(r.world.fsmap().print_summary(), "cephfs:1 {0=b=up:active}");
}

#[test]
fn two_ranks_one_fails_during_recovery_resolve_and_rejoin_wait() {
    let r = run("mds-two-ranks-failure-during-recovery");
    let c = daemon(&r, "c");
    assert_eq!(
        c,
        vec![
            Boot,
            Standby,
            Replay,
            Resolve,
            Reconnect,
            Rejoin,
            ClientReplay,
            Active
        ]
    );
    let d = daemon(&r, "d");
    assert_eq!(
        d,
        vec![
            Boot,
            Standby,
            Replay,
            Resolve,
            Reconnect,
            Rejoin,
            ClientReplay,
            Active
        ]
    );
    let text = r.trace_text();
    assert!(text.contains("resolve waits"), "{text}");
    assert!(text.contains("handle_mds_failure mds.1"));
    assert!(r
        .world
        .fsmap()
        .print_summary()
        .starts_with("cephfs:2 {0=c=up:active,1=d=up:active}"));
}

#[test]
fn standby_replay_follower_takes_over_and_a_hung_client_is_evicted() {
    let r = run("mds-standby-replay-takeover");
    assert_eq!(
        daemon(&r, "b"),
        vec![
            Boot,
            Standby,
            StandbyReplay,
            Replay,
            Reconnect,
            Rejoin,
            Active
        ]
    );
    // The spare standby then follows the new active (maybe_promote_standby).
    assert_eq!(daemon(&r, "c"), vec![Boot, Standby, StandbyReplay]);
    let text = r.trace_text();
    assert!(text.contains("Monitor activated us! Deactivating replay loop"));
    assert!(text.contains("evicting unresponsive client client.4403"));
    assert!(r.world.clients[&4403].evicted);
    assert!(!r.world.clients[&4375].evicted);
}

#[test]
fn max_mds_shrink_stops_rank_1_and_growing_starts_it() {
    let r = run("mds-max-mds-shrink");
    assert_eq!(
        rank(&r, "cephfs:1"),
        vec![Dne, Creating, Active, Stopping, Stopped, Starting, Active]
    );
    let holders: BTreeMap<String, Vec<DaemonState>> = r
        .daemon_histories()
        .into_iter()
        .map(|(n, h)| (n, squash(&h)))
        .collect();
    assert!(
        holders
            .values()
            .any(|h| h.windows(3).any(|w| w == [Active, Stopping, Stopped])),
        "{holders:?}"
    );
}

#[test]
fn bad_scenarios_name_the_field() {
    let base =
        r#"{"name": "x", "narration": "", "daemons": ["a"], "end_ms": 1000, "script": [SCRIPT]}"#;
    let cases = [
        (
            r#"{"at_ms": 0, "action": "kill", "mds": "z"}"#,
            "script[0] (at 0 ms).mds: mds.z is not in daemons",
        ),
        (
            r#"{"at_ms": 0, "action": "explode"}"#,
            "unknown variant `explode`",
        ),
        (
            r#"{"at_ms": 0, "action": "mount", "client": 7}"#,
            "script[0] (at 0 ms).client: client.7 is not in clients",
        ),
        (
            r#"{"at_ms": 5, "action": "start", "mds": "a"}, {"at_ms": 1, "action": "start", "mds": "a"}"#,
            "script[1] (at 1 ms).at_ms: out of time order",
        ),
        (
            r#"{"at_ms": 0, "action": "set_max_mds", "fs": "f", "max_mds": -1}"#,
            "max_mds: -1",
        ),
    ];
    for (script, want) in cases {
        let err = from_json(&base.replace("SCRIPT", script)).unwrap_err();
        assert!(err.contains(want), "{err} should contain {want}");
    }
    let err =
        from_json(r#"{"name": "x", "narration": "", "end_ms": 1, "script": []}"#).unwrap_err();
    assert!(err.contains("missing field `daemons`"), "{err}");
    let err = from_json(r#"{"name": "x", "narration": "", "daemons": ["a"], "end_ms": 1, "script": [], "bogus": 1}"#).unwrap_err();
    assert!(err.contains("unknown field `bogus`"), "{err}");
    let err = from_json(
        r#"{"name": "x", "narration": "", "daemons": ["a", "a"], "end_ms": 1, "script": []}"#,
    )
    .unwrap_err();
    assert!(err.contains("daemons[1]"), "{err}");
}

#[test]
fn cli_lists_runs_and_draws_mds() {
    let cephscope = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cephscope"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = cephscope(&["scenarios"]);
    assert_eq!(code, Some(0));
    assert!(out
        .lines()
        .any(|l| l.starts_with("mds-failover-single-rank\tmds\t")));
    let (code, out) = cephscope(&["run", "mds-failover-single-rank"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("$ ceph fs status\ncephfs - 2 clients\n"),
        "{out}"
    );
    assert!(out
        .trim_end()
        .ends_with("$ ceph mds stat\ncephfs:1 {0=b=up:active}"));
    let (code, out) = cephscope(&["run", "mds-max-mds-shrink", "--json"]);
    assert_eq!(code, Some(0));
    assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
    let (code, out) = cephscope(&["dot", "mds"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("STATE_REPLAY"));
    let (code, _) = cephscope(&["run", "mds-seed004-normal-start", "--pg", "1.0"]);
    assert_eq!(code, Some(2));
}
