//! The statechart runtime's boost::statechart semantics, on a toy machine and on Ceph's
//! PeeringMachine.

use cephscope::engine::peering::chart::{definition, S};
use cephscope::engine::peering::events::PeeringEvent;
use cephscope::engine::peering::state::PeeringState;
use cephscope::engine::statechart::{
    Event, EventMatch, Machine, MachineDef, Micro, Outcome, Posts, ReactionDef, ReactionKind,
    StateDef,
};

#[derive(Clone, Debug)]
enum Ev {
    Go,
    Deep,
    Echo,
    Loop,
    Odd,
    Unknown,
}

impl Event for Ev {
    fn name(&self) -> &'static str {
        match self {
            Ev::Go => "Go",
            Ev::Deep => "Deep",
            Ev::Echo => "Echo",
            Ev::Loop => "Loop",
            Ev::Odd => "Odd",
            Ev::Unknown => "Unknown",
        }
    }
}

type Log = Vec<String>;

fn state(name: &'static str, path: &'static str, parent: Option<usize>) -> StateDef<Log, Ev> {
    StateDef {
        name,
        path,
        parent,
        initial: None,
        entry: None,
        exit: None,
        doc: "",
    }
}

fn forward(_: &mut Log, _: &Ev, _: &mut Posts<Ev>) -> Outcome {
    Outcome::Forward
}
fn post_echo_and_go(_: &mut Log, _: &Ev, posts: &mut Posts<Ev>) -> Outcome {
    posts.post(Ev::Echo);
    Outcome::Transit(3)
}
fn echo_seen(log: &mut Log, _: &Ev, _: &mut Posts<Ev>) -> Outcome {
    log.push("echo".into());
    Outcome::Discard
}
fn loop_forever(_: &mut Log, _: &Ev, posts: &mut Posts<Ev>) -> Outcome {
    posts.post(Ev::Loop);
    Outcome::Discard
}
fn wrong_target(_: &mut Log, _: &Ev, _: &mut Posts<Ev>) -> Outcome {
    Outcome::Transit(0)
}

/// Top(0) ⊃ { A(1) ⊃ { A1(2) initial, A2(3) }, B(4) }, and Crashed(5).
fn toy() -> MachineDef<Log, Ev> {
    let mut states = vec![
        state("Top", "Top", None),
        state("A", "Top/A", Some(0)),
        state("A1", "Top/A/A1", Some(1)),
        state("A2", "Top/A/A2", Some(1)),
        state("B", "Top/B", Some(0)),
        state("Crashed", "Crashed", None),
    ];
    states[0].initial = Some(1);
    states[1].initial = Some(2);
    let r = |state, event, kind| ReactionDef {
        state,
        event: EventMatch::Named(event),
        kind,
        doc: "",
    };
    MachineDef {
        name: "Toy",
        states,
        initial: 0,
        events: vec!["Go", "Deep", "Echo", "Loop", "Odd"],
        reactions: vec![
            // A2 forwards Go to A; A reacts with a transition to its own substate A2.
            r(
                3,
                "Go",
                ReactionKind::Custom {
                    handler: forward,
                    targets: vec![],
                },
            ),
            r(1, "Go", ReactionKind::Transition(3)),
            r(
                2,
                "Deep",
                ReactionKind::Custom {
                    handler: post_echo_and_go,
                    targets: vec![3],
                },
            ),
            r(
                0,
                "Echo",
                ReactionKind::Custom {
                    handler: echo_seen,
                    targets: vec![],
                },
            ),
            r(
                0,
                "Loop",
                ReactionKind::Custom {
                    handler: loop_forever,
                    targets: vec![],
                },
            ),
            r(
                0,
                "Odd",
                ReactionKind::Custom {
                    handler: wrong_target,
                    targets: vec![],
                },
            ),
            ReactionDef {
                state: 0,
                event: EventMatch::Any,
                kind: ReactionKind::Transition(5),
                doc: "",
            },
        ],
    }
}

fn steps(record: &[Micro]) -> Vec<String> {
    record
        .iter()
        .filter_map(|m| match m {
            Micro::Enter { state } => Some(format!("enter {state}")),
            Micro::Exit { state } => Some(format!("exit {state}")),
            _ => None,
        })
        .collect()
}

#[test]
fn initiate_enters_initial_substates_outermost_first() {
    let def = toy();
    let mut m = Machine::new();
    let mut rec = Vec::new();
    m.initiate(&def, &mut Log::new(), &mut rec);
    assert_eq!(steps(&rec), ["enter Top", "enter Top/A", "enter Top/A/A1"]);
    assert_eq!(m.path(&def), "Top/A/A1");
}

#[test]
fn transition_declared_on_composite_to_its_substate_exits_and_reenters_it() {
    // The Jewel log's "exit Started/Primary, enter Started/Primary": boost exits up to the
    // innermost common context of the *reacting* state and the target.
    let def = toy();
    let mut m = Machine::new();
    let mut log = Log::new();
    let mut rec = Vec::new();
    m.initiate(&def, &mut log, &mut rec);
    rec.clear();
    m.process(&def, &mut log, Ev::Go, &mut rec);
    assert_eq!(
        steps(&rec),
        [
            "exit Top/A/A1",
            "exit Top/A",
            "enter Top/A",
            "enter Top/A/A2"
        ]
    );
    assert_eq!(m.path(&def), "Top/A/A2");
}

#[test]
fn forward_event_passes_to_the_parent() {
    let def = toy();
    let mut m = Machine::new();
    let mut log = Log::new();
    let mut rec = Vec::new();
    m.initiate(&def, &mut log, &mut rec);
    m.process(&def, &mut log, Ev::Go, &mut rec); // now in A2
    rec.clear();
    m.process(&def, &mut log, Ev::Go, &mut rec); // A2 forwards, A transits to A2
    assert!(rec.contains(&Micro::Forwarded {
        event: "Go",
        from: "Top/A/A2"
    }));
    assert_eq!(
        steps(&rec),
        [
            "exit Top/A/A2",
            "exit Top/A",
            "enter Top/A",
            "enter Top/A/A2"
        ]
    );
}

#[test]
fn posted_events_run_after_the_transition_completes() {
    let def = toy();
    let mut m = Machine::new();
    let mut log = Log::new();
    let mut rec = Vec::new();
    m.initiate(&def, &mut log, &mut rec);
    rec.clear();
    m.process(&def, &mut log, Ev::Deep, &mut rec);
    let enter_a2 = rec
        .iter()
        .position(|x| *x == Micro::Enter { state: "Top/A/A2" });
    let echo = rec
        .iter()
        .position(|x| matches!(x, Micro::Event { event, posted: true } if event == "Echo"));
    assert!(enter_a2.unwrap() < echo.unwrap());
    assert_eq!(log, ["echo"]);
}

#[test]
fn unhandled_event_bubbles_to_the_catch_all() {
    let def = toy();
    let mut m = Machine::new();
    let mut log = Log::new();
    let mut rec = Vec::new();
    m.initiate(&def, &mut log, &mut rec);
    m.process(&def, &mut log, Ev::Unknown, &mut rec);
    assert_eq!(m.path(&def), "Crashed");
}

#[test]
fn an_undeclared_transit_is_reported() {
    let def = toy();
    let mut m = Machine::new();
    let mut log = Log::new();
    let mut rec = Vec::new();
    m.initiate(&def, &mut log, &mut rec);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        m.process(&def, &mut log, Ev::Odd, &mut rec);
    }));
    // Debug builds assert (a definition bug must fail loudly); release builds record it.
    assert!(result.is_err() || rec.iter().any(|x| matches!(x, Micro::Error { .. })));
}

#[test]
fn a_posting_loop_is_bounded_and_reported() {
    let def = toy();
    let mut m = Machine::new();
    let mut log = Log::new();
    let mut rec = Vec::new();
    m.initiate(&def, &mut log, &mut rec);
    rec.clear();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        m.process(&def, &mut log, Ev::Loop, &mut rec);
    }));
    // Debug builds assert (a definition bug must fail loudly); release builds record it.
    if result.is_ok() {
        assert!(rec.iter().any(|x| matches!(x, Micro::Error { .. })));
    }
}

fn boot(whoami: i32, acting: Vec<i32>) -> (Machine, PeeringState, Vec<Micro>) {
    let def = definition();
    let mut ps = PeeringState::new(whoami);
    let mut m = Machine::new();
    let mut rec = Vec::new();
    m.initiate(def, &mut ps, &mut rec);
    m.process(def, &mut ps, PeeringEvent::Initialize, &mut rec);
    let primary = acting[0];
    m.process(
        def,
        &mut ps,
        PeeringEvent::AdvMap {
            epoch: 10,
            up: acting.clone(),
            acting,
            up_primary: primary,
            acting_primary: primary,
        },
        &mut rec,
    );
    m.process(def, &mut ps, PeeringEvent::ActMap { epoch: 10 }, &mut rec);
    (m, ps, rec)
}

#[test]
fn peering_primary_boots_into_getinfo() {
    let (m, ps, rec) = boot(0, vec![0, 1, 2]);
    assert_eq!(m.path(definition()), "Started/Primary/Peering/GetInfo");
    assert_eq!(
        steps(&rec),
        [
            "enter Initial",
            "exit Initial",
            "enter Reset",
            "exit Reset",
            "enter Started",
            "enter Start",
            "exit Start",
            "enter Started/Primary",
            "enter Started/Primary/Peering",
            "enter Started/Primary/Peering/GetInfo",
        ]
    );
    assert_eq!(ps.state.to_ceph_string(), "peering");
}

#[test]
fn peering_replica_boots_into_stray() {
    let (m, _, _) = boot(1, vec![0, 1, 2]);
    assert_eq!(m.current(), Some(S::Stray.id()));
}

#[test]
fn an_unexpected_event_in_reset_crashes_as_in_ceph() {
    let def = definition();
    let mut ps = PeeringState::new(0);
    let mut m = Machine::new();
    let mut rec = Vec::new();
    m.initiate(def, &mut ps, &mut rec);
    m.process(def, &mut ps, PeeringEvent::Initialize, &mut rec);
    m.process(def, &mut ps, PeeringEvent::GotInfo, &mut rec);
    assert_eq!(m.path(def), "Crashed");
    assert!(ps.crashed);
}

#[test]
fn new_interval_goes_through_reset() {
    let def = definition();
    let (mut m, mut ps, _) = boot(1, vec![0, 1, 2]);
    let mut rec = Vec::new();
    m.process(
        def,
        &mut ps,
        PeeringEvent::AdvMap {
            epoch: 11,
            up: vec![1, 2],
            acting: vec![1, 2],
            up_primary: 1,
            acting_primary: 1,
        },
        &mut rec,
    );
    m.process(def, &mut ps, PeeringEvent::ActMap { epoch: 11 }, &mut rec);
    assert_eq!(m.path(def), "Started/Primary/Peering/GetInfo");
    assert!(steps(&rec).starts_with(&[
        "exit Started/Stray".to_string(),
        "exit Started".into(),
        "enter Reset".into()
    ]));
    assert_eq!(ps.last_peering_reset, 11);
}

#[test]
fn same_map_twice_is_not_a_new_interval() {
    let def = definition();
    let (mut m, mut ps, _) = boot(0, vec![0, 1, 2]);
    let mut rec = Vec::new();
    m.process(
        def,
        &mut ps,
        PeeringEvent::AdvMap {
            epoch: 11,
            up: vec![0, 1, 2],
            acting: vec![0, 1, 2],
            up_primary: 0,
            acting_primary: 0,
        },
        &mut rec,
    );
    assert!(steps(&rec).is_empty());
    assert_eq!(m.path(def), "Started/Primary/Peering/GetInfo");
}
