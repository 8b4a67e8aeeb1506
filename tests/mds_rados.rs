//! CephFS over the cluster engine (src/engine/mds/rados.rs): the cross-layer scenarios'
//! golden traces and the states they promise, object naming and placement, bad input,
//! and which transitions of the MDS chart all MDS scenarios take (every edge of
//! chart::MAP_EDGES is taken by some scenario or listed here with the reason it is not).

use cephscope::engine::mds::chart::{definition, MAP_EDGES, S};
use cephscope::engine::mds::objects;
use cephscope::engine::mds::rados::{self, find, from_json, CephfsRun, ReadState};
use cephscope::engine::mds::scenario::{self as mds_scenario, MdsRun};
use cephscope::engine::mds::state::DaemonState::{self, *};
use cephscope::engine::statechart::Micro;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn run(name: &str) -> CephfsRun {
    let mut r = CephfsRun::new(find(name).unwrap_or_else(|| panic!("no scenario {name}"))).unwrap();
    r.run_to_end().unwrap();
    r
}

fn squash(states: &[DaemonState]) -> Vec<DaemonState> {
    let mut out: Vec<DaemonState> = Vec::new();
    for s in states {
        if out.last() != Some(s) {
            out.push(*s);
        }
    }
    out
}

/// The records' text from the first record at or after `from_ms` whose sentence contains
/// `what`.
fn first_at(r: &CephfsRun, from_ms: u64, what: &str) -> Option<u64> {
    r.records
        .iter()
        .find(|x| x.at_ms >= from_ms && x.sentence.contains(what))
        .map(|x| x.at_ms)
}

#[test]
fn cephfs_scenario_traces_match_the_golden_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/traces/mds");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for s in rados::builtin() {
        let name = s.name.clone();
        let mut r = CephfsRun::new(s).unwrap();
        r.run_to_end().unwrap();
        let trace = r.trace_text();
        assert!(!trace.contains("not a transition of the chart"), "{name}");
        assert!(
            r.records.len() < r.scenario.max_steps,
            "{name} did not settle"
        );
        // Deterministic: a second run gives the same trace.
        let mut again = CephfsRun::new(find(&name).unwrap()).unwrap();
        again.run_to_end().unwrap();
        assert_eq!(again.trace_text(), trace, "{name} is not deterministic");
        let path = dir.join(format!("{name}.log"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &trace).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(trace.as_str()) {
            stale.push(name);
        }
    }
    assert_eq!(rados::builtin().len(), 2);
    assert!(
        stale.is_empty(),
        "traces differ from tests/data/traces/mds for {stale:?}; if intended, run \
         UPDATE_GOLDEN=1 cargo test --test mds_rados and review the diff"
    );
}

/// The MDS stays in up:replay while its metadata PGs are down: its reads wait, its
/// beacons keep it in the map (nobody replaces it), health says why; `osd lost` makes
/// the PGs active and replay finishes.
#[test]
fn replay_waits_for_down_metadata_pgs_then_finishes_after_osd_lost() {
    let r = run("cephfs-replay-stuck-on-down-pg");
    let b = squash(&r.daemon_histories()["b"]);
    assert_eq!(b, vec![Boot, Standby, Replay, Dne, Boot, Standby]);
    let c = squash(&r.daemon_histories()["c"]);
    assert_eq!(c, vec![Boot, Standby, Replay, Reconnect, Rejoin, Active]);
    assert_eq!(
        r.mds.rank_histories()["cephfs:0"],
        vec![Dne, Creating, Active, Null, Replay, Null, Replay, Reconnect, Rejoin, Active],
        "Null is down:failed: mds.b failed while replaying, mds.c took over"
    );
    assert_eq!(
        r.mds.fsmap().print_summary(),
        "cephfs:1 {0=c=up:active} 1 up:standby"
    );
    // Promoted at 215 s, but the first boot step's reads complete only after the lost.
    let promoted = first_at(&r, 0, "goes up:standby → up:replay").unwrap();
    assert!((214_000..216_000).contains(&promoted), "{promoted}");
    let lost = first_at(&r, 0, "ceph osd lost 5").unwrap();
    let open_root = first_at(&r, 0, "(MDS_BOOT_OPEN_ROOT)").unwrap();
    assert!(
        open_root > lost,
        "replay went on before the PGs were active"
    );
    // Between promotion and the kill of mds.b the monitor replaced nobody.
    let killed = first_at(&r, 0, "mds.b's process dies").unwrap();
    assert!(!r
        .records
        .iter()
        .filter(|x| x.at_ms > promoted && x.at_ms < killed)
        .any(|x| x
            .mds
            .as_ref()
            .is_some_and(|m| m.lines.iter().any(|l| l.contains("Replacing")))));
    let status = r
        .records
        .iter()
        .find(|x| x.sentence.starts_with("The operator looks"))
        .unwrap();
    let text = status.lines.join("\n");
    for want in [
        "HEALTH_WARN",
        "FS_DEGRADED: 1 filesystem is degraded",
        "MDS_SLOW_METADATA_IO",
        "PG_AVAILABILITY: Reduced data availability: 12 pgs inactive, 12 pgs down",
        "0    replay   c",
        "cephfs:1/1 {0=c=up:replay} 1 up:standby",
    ] {
        assert!(text.contains(want), "'{want}' missing:\n{text}");
    }
    let trace = r.trace_text();
    assert!(
        trace.contains("waits: PG 1.3 is down, blocked by osd.5"),
        "{trace}"
    );
    // The journal's entries object was written when node-c served alone, and read back
    // after node-c's OSDs were lost: the copy the survivors hold.
    assert!(trace.contains("200.00000001 → PG 1.4"));
}

/// An unfound journal object stalls replay; given up (mark_unfound_lost delete) it reads
/// as ENOENT and the rank is damaged; journal reset + `ceph mds repaired` bring it back.
#[test]
fn lost_journal_object_damages_the_rank_and_repaired_brings_it_back() {
    let r = run("cephfs-journal-lost-damaged-repaired");
    let b = squash(&r.daemon_histories()["b"]);
    assert_eq!(
        b,
        vec![Boot, Standby, Replay, Damaged, Boot, Standby, Replay, Reconnect, Rejoin, Active]
    );
    assert_eq!(
        r.mds.rank_histories()["cephfs:0"],
        vec![Dne, Creating, Active, Null, Replay, Damaged, Null, Replay, Reconnect, Rejoin, Active],
        "Null is down:failed"
    );
    let trace = r.trace_text();
    for (i, want) in [
        "waits: 200.00000001 is unfound in PG 1.0",
        "mark_unfound_lost delete",
        "_replay journaler got error -2, aborting",
        "log [ERR] : missing journal object (200.00000001)",
        "request_state down:damaged",
        "mon: prepare_beacon: marking rank 0 damaged",
        "[ERR] MDS_DAMAGE: 1 mds daemon damaged",
        "cephfs:0/1 1 up:standby, 1 damaged",
        "journal reset",
        "mon: repaired: restoring rank cephfs:0",
        "cephfs:0 down:damaged -> down:failed",
        "200.00000002 → PG 1.0",
        "recovery_done -- successful recovery!",
    ]
    .iter()
    .enumerate()
    {
        assert!(trace.contains(want), "{i}: '{want}' missing");
    }
    assert_eq!(r.mds.fsmap().print_summary(), "cephfs:1 {0=b=up:active}");
}

#[test]
fn objects_are_named_and_placed_as_ceph() {
    assert_eq!(objects::journal_header(0), "200.00000000");
    assert_eq!(objects::journal_object(1, 1), "201.00000001");
    assert_eq!(objects::journal_pointer(0), "400.00000000");
    assert_eq!(objects::mydir(1), "101.00000000");
    assert_eq!(objects::inotable(0), "mds0_inotable");
    assert_eq!(objects::sessionmap(2), "mds2_sessionmap");
    let r = CephfsRun::new(find("cephfs-replay-stuck-on-down-pg").unwrap()).unwrap();
    let map = r.cluster.map();
    for obj in ["200.00000000", "mds0_inotable", "mds_snaptable"] {
        assert_eq!(r.pg_of("cephfs_metadata", obj), map.object_to_pg(1, obj));
    }
    assert_eq!(r.pg_of("no_such_pool", "x"), None);
    // Nothing written yet: a read would find nothing (the PGs are not active at step 0).
    assert!(matches!(
        r.read_state("cephfs_metadata", "200.00000000"),
        ReadState::Blocked(_)
    ));
}

#[test]
fn bad_scenarios_name_what_is_wrong() {
    let base = find("cephfs-replay-stuck-on-down-pg").unwrap();
    let text = include_str!("../src/engine/mds/scenarios/cephfs-replay-stuck-on-down-pg.json");
    let bad_action = text.replace("\"action\": \"status\"", "\"action\": \"explode\"");
    let e = from_json(&bad_action).unwrap_err();
    assert!(
        e.starts_with("script[19] (at 300000 ms): not an MDS action"),
        "{e}"
    );
    let bad_pool = text.replace(
        "\"metadata_pool\": \"cephfs_metadata\"",
        "\"metadata_pool\": \"nope\"",
    );
    let e = from_json(&bad_pool).unwrap_err();
    assert!(e.contains("no pool named 'nope' in cluster.pools"), "{e}");
    let bad_mds = text.replace("\"mds\": \"a\"}", "\"mds\": \"z\"}");
    assert!(from_json(&bad_mds)
        .unwrap_err()
        .contains("mds.z is not in daemons"));
    assert!(from_json("{").is_err());
    assert!(base.validate().is_ok());
}

/// The MDS world alone does its metadata I/O in fixed time: no RADOS ops.
#[test]
fn the_mds_world_alone_makes_no_rados_ops() {
    for s in mds_scenario::builtin() {
        let mut r = MdsRun::new(s).unwrap();
        r.run_to_end().unwrap();
        assert!(!r.world.rados && r.world.rados_ops.is_empty());
    }
}

fn state_of(path: &str) -> S {
    let id = definition()
        .states
        .iter()
        .position(|s| s.path == path)
        .unwrap_or_else(|| panic!("no state {path}"));
    S::from_id(id).unwrap()
}

/// Edges of MAP_EDGES that no built-in scenario takes, and why.
const NOT_TAKEN: &[(S, S, &str)] = &[
    (S::StandbyReplay, S::Damaged, "a follower reports DAMAGED only with the test option mds_standby_replay_damaged (MDSRank::replay_start) or invalid journal offsets while writeable; its -ENOENT is EAGAIN and it respawns (MDLog::_replay_thread), as modelled"),
    (S::Creating, S::Dne, "FSMap::erase of a CREATING holder: a daemon dying inside boot_create's gather; no scenario stages it"),
    (S::Starting, S::Failed, "a holder dying while starting a stopped rank: no scenario stages it"),
    (S::Resolve, S::Failed, "a holder dying in resolve: no scenario stages it (the two-rank scenario kills rank 1 while it is active)"),
    (S::Reconnect, S::Failed, "a holder dying in reconnect: no scenario stages it"),
    (S::Rejoin, S::Failed, "a holder dying in rejoin: no scenario stages it"),
    (S::ClientReplay, S::Failed, "a holder dying in clientreplay: no scenario stages it"),
    (S::Stopping, S::Failed, "a holder dying while stopping: no scenario stages it"),
    (S::Resolve, S::Damaged, "metadata is read only in the boot steps here; damage found later (resolve, a corrupt dirfrag) is not modelled"),
    (S::Reconnect, S::Damaged, "as Resolve: damage found after replay is not modelled"),
    (S::Rejoin, S::Damaged, "MDSRank::rejoin_done on rank 0 with no subtrees: subtrees are not modelled"),
    (S::ClientReplay, S::Damaged, "as Resolve: damage found after replay is not modelled"),
    (S::Active, S::Damaged, "an active rank finds damage in dirfrags / the journal's writes (DamageTable, handle_write_error): not modelled"),
    (S::Stopping, S::Damaged, "as Active: not modelled"),
    (S::Rejoin, S::Stopped, "MDSRank::rejoin_done of a rank != 0 with an empty cache (no subtrees): subtrees are not modelled"),
];

#[test]
fn every_mds_chart_edge_is_taken_by_a_scenario_or_listed() {
    let mut taken: BTreeSet<(S, S)> = BTreeSet::new();
    let mut add = |micro: &[Micro]| {
        for m in micro {
            if let Micro::Transit { from, to, event } = m {
                if *event == "MMDSMap" {
                    taken.insert((state_of(from).outer(), state_of(to)));
                }
            }
        }
    };
    for s in mds_scenario::builtin() {
        let mut r = MdsRun::new(s).unwrap();
        r.run_to_end().unwrap();
        for rec in &r.records {
            for m in &rec.step.machines {
                add(&m.micro);
            }
        }
    }
    for s in rados::builtin() {
        let mut r = CephfsRun::new(s).unwrap();
        r.run_to_end().unwrap();
        for rec in &r.records {
            for m in rec.mds.iter().flat_map(|m| &m.machines) {
                add(&m.micro);
            }
        }
    }
    let all: BTreeSet<(S, S)> = MAP_EDGES.iter().map(|(f, t, _)| (*f, *t)).collect();
    assert!(
        taken.is_subset(&all),
        "taken but not declared: {:?}",
        taken.difference(&all).collect::<Vec<_>>()
    );
    let listed: BTreeSet<(S, S)> = NOT_TAKEN.iter().map(|(f, t, _)| (*f, *t)).collect();
    let missing: Vec<_> = all
        .difference(&taken)
        .filter(|e| !listed.contains(e))
        .collect();
    let stale: Vec<_> = listed.intersection(&taken).collect();
    println!("taken {} of {} MMDSMap edges", taken.len(), all.len());
    assert!(
        missing.is_empty(),
        "edges neither taken nor listed: {missing:?}"
    );
    assert!(stale.is_empty(), "listed as not taken but taken: {stale:?}");
}

/// The browser's choices on a CephFS-over-RADOS run (`CephfsRun::take`): the objecter's
/// ops say why they wait (a read of rank 0's boot objects waits on a down metadata PG);
/// marking the down OSDs lost before the script would lets the PGs go active, the reads
/// complete and rank 0 go up:active; the same choices give the same trace.
#[test]
fn the_users_choices_on_a_cephfs_run_unblock_replay_and_replay_deterministically() {
    use cephscope::engine::mds::rados::{CephfsChoice, CrossAction, OpStatus};
    use cephscope::engine::world::UserAction;
    let name = "cephfs-replay-stuck-on-down-pg";
    let mut choices = vec![CephfsChoice::Next; 938];
    let play = |choices: &[CephfsChoice]| {
        let mut r = CephfsRun::new(find(name).unwrap()).unwrap();
        for c in choices {
            assert!(r.take(c).unwrap(), "{c:?} was not taken");
        }
        r
    };
    let r = play(&choices);
    let waits: Vec<String> = r
        .ops()
        .into_iter()
        .filter_map(|o| match o.status {
            OpStatus::Waits(w) => Some(format!("{} op {}: {w}", o.who, o.id)),
            _ => None,
        })
        .collect();
    assert_eq!(waits, ["mds.b op 3: PG 1.3 is down, blocked by osd.5"]);
    assert!(r.next_text().contains("MOSDMap"), "{}", r.next_text());
    assert_eq!(r.metadata_pool(), Some(1));
    for osd in [4, 5] {
        choices.push(CephfsChoice::Act(CrossAction::Cluster(UserAction::Lost {
            osd,
        })));
    }
    let mut r = play(&choices);
    assert!(matches!(
        r.records.last().unwrap().origin,
        rados::CephfsOrigin::User
    ));
    let mut steps = 0;
    while r
        .mds
        .fsmap()
        .filesystems
        .values()
        .next()
        .unwrap()
        .rank_state(0)
        != Active
    {
        assert!(
            r.step().unwrap().is_some() && steps < 2_000,
            "rank 0 never went active"
        );
        steps += 1;
    }
    assert!(
        r.records.last().unwrap().at_ms < 240_000,
        "before the script kills mds.b"
    );
    assert!(r
        .ops()
        .iter()
        .all(|o| !matches!(o.status, OpStatus::Waits(_))));
    println!("rank 0 up:active {steps} steps after the choices");
    choices.extend(std::iter::repeat_n(CephfsChoice::Next, steps));
    assert_eq!(play(&choices).trace_json(), r.trace_json());
    // A refused choice is an error, not a panic.
    let mut r = play(&choices[..10]);
    assert!(r
        .take(&CephfsChoice::Act(CrossAction::Cluster(UserAction::Lost {
            osd: 0
        })))
        .is_err());
    assert!(r.take(&CephfsChoice::DeliverMds(999_999)).is_err());
}

/// `ceph osd pool delete` of a pool a filesystem uses is refused, as
/// `OSDMonitor::_check_remove_pool` refuses it (-EBUSY), and the run goes on.
#[test]
fn a_pool_in_use_by_cephfs_cannot_be_deleted() {
    use cephscope::engine::mds::rados::{CephfsChoice, CrossAction};
    use cephscope::engine::world::UserAction;
    let mut r = CephfsRun::new(find("cephfs-replay-stuck-on-down-pg").unwrap()).unwrap();
    while r.mds.fsmap().filesystems.is_empty() {
        assert!(
            r.take(&CephfsChoice::Next).unwrap(),
            "no filesystem was made"
        );
    }
    for pool in ["cephfs_metadata", "cephfs_data"] {
        let delete = CrossAction::Cluster(UserAction::DeletePool { pool: pool.into() });
        assert_eq!(
            r.act(delete).map(|_| ()).unwrap_err(),
            format!("pool '{pool}' is in use by CephFS")
        );
    }
    assert!(r.cluster.map().pools.len() >= 2);
}
