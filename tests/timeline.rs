//! The history of a cluster run: going back restores a checkpoint and replays the
//! recorded choices, so any step looks exactly as it did the first time.

use cephscope::engine::cluster::{self, ClusterRun};
use cephscope::engine::timeline::{Choice, Timeline, CHECKPOINT_EVERY};
use cephscope::engine::world::{PendingId, UserAction};

fn scenario() -> cluster::ClusterScenario {
    cluster::find("jewel-osd0-down-out").unwrap()
}

/// A story that spans a checkpoint (480 steps).
fn long_scenario() -> cluster::ClusterScenario {
    cluster::find("force-recovery").unwrap()
}

/// A fingerprint of the world at a step: time, epoch, pending events, every PG's state.
fn fingerprint(run: &ClusterRun) -> String {
    format!(
        "{} {} {:?} {:?}",
        run.world.now,
        run.world.map().epoch,
        run.world
            .pending()
            .iter()
            .map(|p| &p.what)
            .collect::<Vec<_>>(),
        run.world.pg_states()
    )
}

#[test]
fn seeking_back_and_forward_gives_the_same_steps() {
    let mut fresh = Timeline::new(long_scenario()).unwrap();
    let mut prints = vec![fingerprint(fresh.run())];
    while fresh.step().unwrap().is_some() {
        prints.push(fingerprint(fresh.run()));
    }
    let total = fresh.position();
    assert!(
        total > CHECKPOINT_EVERY + 5,
        "the run spans a checkpoint ({total} steps)"
    );
    let mut t = Timeline::new(long_scenario()).unwrap();
    t.seek(total).unwrap();
    for n in [
        total - 1,
        3,
        CHECKPOINT_EVERY,
        CHECKPOINT_EVERY + 5,
        0,
        total / 2,
        total,
    ] {
        t.seek(n).unwrap();
        assert_eq!(t.position(), n);
        assert_eq!(fingerprint(t.run()), prints[n], "step {n}");
        assert_eq!(t.records(), &fresh.records()[..n], "records up to {n}");
    }
    t.back().unwrap();
    assert_eq!(t.position(), total - 1);
}

#[test]
fn user_choices_are_recorded_and_replayed() {
    let mut t = Timeline::new(scenario()).unwrap();
    t.seek(40).unwrap();
    let id = t
        .run()
        .world
        .pending()
        .last()
        .expect("something pending")
        .id;
    t.deliver(id).unwrap();
    t.act(UserAction::Kill { osd: 5 }).unwrap();
    t.seek(60).unwrap();
    let replayed = Timeline::replay(scenario(), t.choices()).unwrap();
    assert_eq!(fingerprint(replayed.run()), fingerprint(t.run()));
    assert_eq!(replayed.records(), t.records());
    assert!(matches!(t.choices()[40], Choice::Deliver { .. }));
    // Going back past a choice forgets it (undo); stepping on takes the next event.
    t.seek(41).unwrap();
    assert_eq!(t.choices().len(), 41);
    t.step().unwrap();
    assert_eq!(t.choices()[41], Choice::Next);
}

#[test]
fn bad_choices_are_refused_with_a_message() {
    let mut t = Timeline::new(scenario()).unwrap();
    assert!(t.deliver(PendingId::Message(999_999)).is_err());
    assert!(t
        .act(UserAction::Revive { osd: 0 })
        .unwrap_err()
        .contains("already running"));
    assert_eq!(t.position(), 0, "a refused choice is not a step");
    let err = Timeline::replay(
        scenario(),
        &[Choice::Act {
            action: UserAction::Lost { osd: 42 },
        }],
    )
    .unwrap_err();
    assert!(err.starts_with("choice 0:"), "{err}");
}
