//! Property test: random MDS daemon kills and restarts never panic, never make a move the
//! chart lacks, and once the world has settled every rank is active unless nobody could
//! take it over (no standby, no follower of its own).

use cephscope::engine::mds::scenario::{ClientSpec, MdsRun, MdsScenario, ScriptStep};
use cephscope::engine::mds::state::DaemonState;
use cephscope::engine::mds::world::MdsAction;
use proptest::prelude::*;

const NAMES: [&str; 4] = ["a", "b", "c", "d"];

fn step(at_ms: u64, action: MdsAction) -> ScriptStep {
    ScriptStep { at_ms, action }
}

fn scenario(max_mds: i32, standby_replay: bool, faults: &[(u64, usize)]) -> MdsScenario {
    let fs = || "cephfs".to_string();
    let mut script = vec![
        step(
            0,
            MdsAction::FsNew {
                fs: fs(),
                metadata_pool: "m".into(),
                data_pool: "d".into(),
            },
        ),
        step(0, MdsAction::SetMaxMds { fs: fs(), max_mds }),
        step(
            0,
            MdsAction::SetAllowStandbyReplay {
                fs: fs(),
                allow: standby_replay,
            },
        ),
    ];
    for n in NAMES {
        script.push(step(1000, MdsAction::Start { mds: n.into() }));
    }
    script.push(step(
        15_000,
        MdsAction::Mount {
            client: 1,
            fs: None,
        },
    ));
    let mut at = 16_000;
    let mut alive = [true; 4];
    for (dt, who) in faults {
        at += dt;
        // Kill a running daemon, restart a dead one.
        let mds = NAMES[*who].to_string();
        let action = if alive[*who] {
            MdsAction::Kill { mds }
        } else {
            MdsAction::Start { mds }
        };
        alive[*who] = !alive[*who];
        script.push(step(at, action));
    }
    MdsScenario {
        name: "prop".into(),
        narration: String::new(),
        daemons: NAMES.iter().map(|s| s.to_string()).collect(),
        clients: vec![ClientSpec {
            id: 1,
            caps: 3,
            unsafe_requests: 1,
        }],
        script,
        // Settle: mds_beacon_grace, a few ticks, recovery and mds_reconnect_timeout.
        end_ms: at + 150_000,
        max_steps: 100_000,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    #[test]
    fn kills_and_restarts_recover_while_a_replacement_exists(
        max_mds in 1i32..=2,
        standby_replay in any::<bool>(),
        faults in prop::collection::vec((0u64..30_000, 0usize..4), 0..6),
    ) {
        let mut run = MdsRun::new(scenario(max_mds, standby_replay, &faults)).unwrap();
        run.run_to_end().unwrap();
        let text = run.trace_text();
        prop_assert!(!text.contains("not a transition of the chart"), "{}", text);
        let map = run.world.fsmap();
        let fs = map.filesystems.values().next().unwrap();
        let standby = map.standby_daemons.values().any(|i| i.laggy_since.is_none());
        for r in fs.in_.iter().chain(fs.failed.iter()) {
            if fs.rank_state(*r) != DaemonState::Active {
                let follower = fs.get_standby_replay(*r).is_some();
                prop_assert!(!standby && !follower,
                    "rank {} is not active though a replacement exists: {}\n{}",
                    r, map.print_summary(), text);
            }
        }
    }
}
