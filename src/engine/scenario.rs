//! Built-in scenarios and the step records they produce.
//!
//! Foundation stage: a scenario drives one PG's PeeringMachine on one OSD with a script of
//! events (what the OSD would deliver), so the runtime and the chart can be stepped and
//! printed like an OSD log. The cluster scenarios (OSDMap, monitor, network, clients) build
//! on the same [`StepRecord`].

use crate::engine::peering::chart::definition;
use crate::engine::peering::events::{Epoch, OsdId, PeeringEvent};
use crate::engine::peering::state::PeeringState;
use crate::engine::statechart::{Machine, Micro};
use serde::{Deserialize, Serialize};

/// A scripted walk of one PG's machine.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    /// One paragraph: what the scenario teaches.
    pub narration: String,
    pub pgid: String,
    pub osd: OsdId,
    pub events: Vec<PeeringEvent>,
}

/// Everything one step did, and why, in one sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    pub step: usize,
    pub epoch: Epoch,
    pub osd: OsdId,
    pub pgid: String,
    pub event: String,
    pub micro: Vec<Micro>,
    pub from: &'static str,
    pub to: &'static str,
    pub state_string: String,
    pub explanation: String,
}

impl StepRecord {
    /// The step as OSD-log-like lines (`e10 osd.0 pg 1.0 enter Started/Primary`).
    pub fn log_lines(&self) -> Vec<String> {
        let prefix = format!("e{} osd.{} pg {}", self.epoch, self.osd, self.pgid);
        micro_log_lines(&prefix, &self.micro)
    }
}

/// A machine's micro-steps as OSD-log-like lines, each after `prefix`
/// (`e10 osd.0 pg 1.0`).
pub fn micro_log_lines(prefix: &str, micro: &[Micro]) -> Vec<String> {
    micro
        .iter()
        .filter_map(|m| match m {
            Micro::Event { event, posted } => Some(format!(
                "{prefix} handle {}{event}",
                if *posted { "posted " } else { "" }
            )),
            Micro::Enter { state } => Some(format!("{prefix} enter {state}")),
            Micro::Exit { state } => Some(format!("{prefix} exit {state}")),
            Micro::Discarded { event, by } => Some(format!("{prefix} {by} discards {event}")),
            Micro::Forwarded { event, from } => Some(format!("{prefix} {from} forwards {event}")),
            Micro::Unhandled { event } => Some(format!("{prefix} nobody handles {event}")),
            Micro::Error { message } => Some(format!("{prefix} ERROR {message}")),
            Micro::Terminated => Some(format!("{prefix} terminated")),
            Micro::React { .. } | Micro::Posted { .. } | Micro::Transit { .. } => None,
        })
        .collect()
}

/// A scenario being stepped: the machine, its PG data and the records so far. Cloneable,
/// so a UI can keep snapshots for "step back".
#[derive(Clone, Debug)]
pub struct Run {
    pub scenario: Scenario,
    pub machine: Machine,
    pub pg: PeeringState,
    pub records: Vec<StepRecord>,
}

impl Run {
    /// Start a scenario: the machine is initiated (enters Initial).
    pub fn new(scenario: Scenario) -> Self {
        let mut pg = PeeringState::new(scenario.osd);
        let mut machine = Machine::new();
        let mut micro = Vec::new();
        machine.initiate(definition(), &mut pg, &mut micro);
        Run {
            scenario,
            machine,
            pg,
            records: Vec::new(),
        }
    }

    pub fn is_done(&self) -> bool {
        self.records.len() >= self.scenario.events.len()
    }

    /// The path of the current state (`Started/Primary/Peering/GetInfo`).
    pub fn state_path(&self) -> &'static str {
        self.machine.path(definition())
    }

    /// Deliver the next scripted event. None when the script is done.
    pub fn step(&mut self) -> Option<&StepRecord> {
        let event = self.scenario.events.get(self.records.len())?.clone();
        let def = definition();
        let from = self.machine.path(def);
        if let PeeringEvent::AdvMap { epoch, .. } = &event {
            // The OSD updates the PG's map reference before delivering AdvMap
            // (PeeringState::advance_map).
            self.pg.epoch = *epoch;
        }
        let mut micro = Vec::new();
        let described = crate::engine::statechart::Event::describe(&event);
        self.machine.process(def, &mut self.pg, event, &mut micro);
        let to = self.machine.path(def);
        let explanation = explain(
            self.scenario.osd,
            &self.scenario.pgid,
            &described,
            from,
            to,
            &micro,
        );
        self.records.push(StepRecord {
            step: self.records.len() + 1,
            epoch: self.pg.epoch,
            osd: self.scenario.osd,
            pgid: self.scenario.pgid.clone(),
            event: described,
            micro,
            from,
            to,
            state_string: self.pg.state.to_ceph_string(),
            explanation,
        });
        self.records.last()
    }

    /// The trace as text: each step's sentence, its OSD-log-like lines, then the final
    /// state. `cephscope run` prints this; golden files pin it on every target.
    pub fn trace_text(&self) -> String {
        let mut out = String::new();
        for record in &self.records {
            out.push_str(&format!("# {}\n", record.explanation));
            for line in record.log_lines() {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out.push_str(&format!(
            "pg {} on osd.{}: {} ({})\n",
            self.scenario.pgid,
            self.scenario.osd,
            self.pg.state.to_ceph_string(),
            self.state_path()
        ));
        out
    }

    /// Run the whole script.
    pub fn run_to_end(&mut self) {
        while self.step().is_some() {}
    }
}

/// One plain sentence for a step.
fn explain(osd: OsdId, pgid: &str, event: &str, from: &str, to: &str, micro: &[Micro]) -> String {
    let who = format!("osd.{osd} pg {pgid}");
    if let Some(Micro::Error { message }) = micro.iter().find(|m| matches!(m, Micro::Error { .. }))
    {
        return format!("{who}: {event} hit a definition error: {message}");
    }
    if to == "Crashed" {
        return format!("{who}: no state from {from} outwards expects {event}, so the OSD would abort (Crashed)");
    }
    if from == to {
        let verb = if micro.iter().any(|m| matches!(m, Micro::Exit { .. })) {
            "re-entered"
        } else {
            "stayed in"
        };
        return format!("{who}: {event} handled; {verb} {to}");
    }
    let posted: Vec<&str> = micro
        .iter()
        .filter_map(|m| match m {
            Micro::Event {
                event,
                posted: true,
            } => Some(event.as_str()),
            _ => None,
        })
        .collect();
    if posted.is_empty() {
        format!("{who}: {event} moved it from {from} to {to}")
    } else {
        format!(
            "{who}: {event} moved it from {from} to {to} (via posted {})",
            posted.join(", ")
        )
    }
}

fn advmap(epoch: Epoch, up: &[OsdId], acting: &[OsdId]) -> PeeringEvent {
    PeeringEvent::AdvMap {
        epoch,
        up: up.to_vec(),
        acting: acting.to_vec(),
        up_primary: up.first().copied().unwrap_or(-1),
        acting_primary: acting.first().copied().unwrap_or(-1),
    }
}

/// The built-in scenarios, by name.
pub fn builtin() -> Vec<Scenario> {
    use PeeringEvent::*;
    vec![
        Scenario {
            name: "primary-boot".into(),
            narration: "A PG is created on osd.0, the first OSD of its acting set [0,1,2]. The OSD \
                        initializes the machine, feeds it the map (AdvMap, then ActMap), and Start \
                        decides the role: primary, so it enters Primary and its initial substates \
                        Peering and GetInfo."
                .into(),
            pgid: "1.0".into(),
            osd: 0,
            events: vec![Initialize, advmap(10, &[0, 1, 2], &[0, 1, 2]), ActMap { epoch: 10 }],
        },
        Scenario {
            name: "replica-boot".into(),
            narration: "The same PG seen from osd.1: not the primary, so Start posts MakeStray. A \
                        stray waits for the primary's log (MLogRec), merges it, and becomes an active \
                        replica (ReplicaActive/RepNotRecovering)."
                .into(),
            pgid: "1.0".into(),
            osd: 1,
            events: vec![
                Initialize,
                advmap(10, &[0, 1, 2], &[0, 1, 2]),
                ActMap { epoch: 10 },
                MLogRec {
                    from: 0,
                    epoch: 10,
                    peer: None,
                },
            ],
        },
        Scenario {
            name: "new-interval".into(),
            narration: "osd.1 is a replica when osd.0 goes down: the next map changes the acting set \
                        to [1,2], a new interval. Started sees should_restart_peering, re-posts the \
                        AdvMap and goes to Reset; ActMap restarts it, and this time it is the primary."
                .into(),
            pgid: "1.0".into(),
            osd: 1,
            events: vec![
                Initialize,
                advmap(10, &[0, 1, 2], &[0, 1, 2]),
                ActMap { epoch: 10 },
                MLogRec {
                    from: 0,
                    epoch: 10,
                    peer: None,
                },
                advmap(11, &[1, 2], &[1, 2]),
                ActMap { epoch: 11 },
            ],
        },
        Scenario {
            name: "crash-on-bad-event".into(),
            narration: "Reset lists transition<event_base, Crashed>: an event no state expects (here \
                        GotInfo before the machine started) sends it to Crashed, where a real OSD \
                        aborts with \"bad state machine event\"."
                .into(),
            pgid: "1.0".into(),
            osd: 0,
            events: vec![Initialize, GotInfo],
        },
    ]
}

/// Find a built-in scenario by name.
pub fn find(name: &str) -> Result<Scenario, String> {
    builtin()
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| {
            let names: Vec<String> = builtin().into_iter().map(|s| s.name).collect();
            format!("unknown scenario '{name}' (built-in: {})", names.join(", "))
        })
}

/// Parse a scenario from JSON, naming what is wrong.
pub fn from_json(json: &str) -> Result<Scenario, String> {
    let scenario: Scenario =
        serde_json::from_str(json).map_err(|e| format!("scenario JSON: {e}"))?;
    if scenario.osd < 0 {
        return Err(format!("scenario.osd: {} is not an OSD id", scenario.osd));
    }
    Ok(scenario)
}
