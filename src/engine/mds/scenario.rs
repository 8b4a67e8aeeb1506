//! MDS scenarios: daemons, clients and a timed script of actions (JSON, like the cluster
//! scenarios of `engine::cluster`). `MdsRun` steps an [`MdsWorld`]: the next thing is the
//! due script action or the earliest pending event; each step is one [`MdsRecord`].

use super::state::DaemonState;
use super::world::{MdsAction, MdsStep, MdsWorld};
use crate::engine::statechart::Micro;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A client in a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub id: u64,
    #[serde(default)]
    pub caps: u32,
    /// Requests answered but not yet safe when a rank fails: replayed in clientreplay.
    #[serde(default)]
    pub unsafe_requests: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScriptStep {
    pub at_ms: u64,
    #[serde(flatten)]
    pub action: MdsAction,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MdsScenario {
    pub name: String,
    pub narration: String,
    /// Daemon names (`a` is `mds.a`); started by `start` actions.
    pub daemons: Vec<String>,
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    pub script: Vec<ScriptStep>,
    /// The run ends at this logical time.
    pub end_ms: u64,
    #[serde(default = "default_max_steps")]
    pub max_steps: usize,
}

fn default_max_steps() -> usize {
    20_000
}

/// The built-in scenarios (src/engine/mds/scenarios/*.json).
pub const BUILTIN_JSON: [&str; 5] = [
    include_str!("scenarios/mds-seed004-normal-start.json"),
    include_str!("scenarios/mds-failover-single-rank.json"),
    include_str!("scenarios/mds-two-ranks-failure-during-recovery.json"),
    include_str!("scenarios/mds-standby-replay-takeover.json"),
    include_str!("scenarios/mds-max-mds-shrink.json"),
];

pub fn builtin() -> Vec<MdsScenario> {
    BUILTIN_JSON
        .iter()
        .filter_map(|j| from_json(j).ok())
        .collect()
}

pub fn find(name: &str) -> Option<MdsScenario> {
    builtin().into_iter().find(|s| s.name == name)
}

/// Parse and check a scenario, naming the field that is wrong.
pub fn from_json(text: &str) -> Result<MdsScenario, String> {
    let s: MdsScenario = serde_json::from_str(text).map_err(|e| e.to_string())?;
    s.validate()?;
    Ok(s)
}

impl MdsScenario {
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("name: empty".into());
        }
        if self.daemons.is_empty() {
            return Err("daemons: at least one MDS daemon is needed".into());
        }
        for (i, d) in self.daemons.iter().enumerate() {
            if d.is_empty()
                || !d
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!(
                    "daemons[{i}]: '{d}' is not a daemon name (letters, digits, - and _)"
                ));
            }
            if self.daemons[..i].contains(d) {
                return Err(format!("daemons[{i}]: '{d}' is listed twice"));
            }
        }
        for (i, c) in self.clients.iter().enumerate() {
            if self.clients[..i].iter().any(|o| o.id == c.id) {
                return Err(format!("clients[{i}].id: client.{} is listed twice", c.id));
            }
        }
        let mut last = 0;
        for (i, step) in self.script.iter().enumerate() {
            let at = format!("script[{i}] (at {} ms)", step.at_ms);
            if step.at_ms < last {
                return Err(format!("{at}.at_ms: out of time order (after {last} ms)"));
            }
            last = step.at_ms;
            match &step.action {
                MdsAction::Start { mds } | MdsAction::Kill { mds }
                    if !self.daemons.contains(mds) =>
                {
                    return Err(format!("{at}.mds: mds.{mds} is not in daemons"));
                }
                MdsAction::Mount { client, .. }
                | MdsAction::Hang { client }
                | MdsAction::MetadataOps { client, .. }
                    if !self.clients.iter().any(|c| c.id == *client) =>
                {
                    return Err(format!("{at}.client: client.{client} is not in clients"));
                }
                MdsAction::Repaired { rank, .. } | MdsAction::JournalReset { rank, .. }
                    if !(0..256).contains(rank) =>
                {
                    return Err(format!("{at}.rank: {rank} (need 0..=255)"));
                }
                MdsAction::SetMaxMds { max_mds, .. } if !(0..=256).contains(max_mds) => {
                    return Err(format!("{at}.max_mds: {max_mds} (need 0..=256)"));
                }
                _ => {}
            }
        }
        if self.end_ms < last {
            return Err(format!(
                "end_ms: {} is before the last script action ({last} ms)",
                self.end_ms
            ));
        }
        if self.end_ms > 3_600_000 {
            return Err(format!("end_ms: {} (at most 3600000)", self.end_ms));
        }
        if self.max_steps == 0 || self.max_steps > 1_000_000 {
            return Err(format!("max_steps: {} (need 1..=1000000)", self.max_steps));
        }
        Ok(())
    }
}

/// Where a step came from.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    Script { index: usize },
    Event { id: u64 },
    User,
}

#[derive(Clone, Debug, Serialize)]
pub struct MdsRecord {
    pub origin: Origin,
    pub step: MdsStep,
    /// Each daemon's state line after the step.
    pub states: Vec<String>,
}

impl MdsRecord {
    /// The step's log lines, then every machine transition it took (`mds.a up:standby ->
    /// up:replay (MMDSMap)`): what the browser's console group for the step shows.
    pub fn log_lines(&self) -> Vec<String> {
        let mut out = self.step.lines.clone();
        for ms in &self.step.machines {
            for micro in &ms.micro {
                if let Micro::Transit { from, to, event } = micro {
                    out.push(format!("{} {from} -> {to} ({event})", ms.machine));
                }
            }
        }
        out
    }
}

#[derive(Clone, Debug)]
pub struct MdsRun {
    pub scenario: MdsScenario,
    pub world: MdsWorld,
    /// Shared, so that cloning a run (the web app's reducer does on every step) copies
    /// pointers, not every record.
    pub records: Vec<Rc<MdsRecord>>,
    next_script: usize,
    /// Has the user chosen anything? Then a script action the world refuses is skipped
    /// (recorded with why), not an error of the scenario.
    user_chose: bool,
}

impl MdsRun {
    pub fn new(scenario: MdsScenario) -> Result<MdsRun, String> {
        scenario.validate()?;
        let mut world = MdsWorld::new();
        for c in &scenario.clients {
            world.add_client(c.id, c.caps, c.unsafe_requests);
        }
        Ok(MdsRun {
            scenario,
            world,
            records: Vec::new(),
            next_script: 0,
            user_chose: false,
        })
    }

    pub fn is_done(&self) -> bool {
        self.records.len() >= self.scenario.max_steps
            || (self.next_script >= self.scenario.script.len()
                && self
                    .world
                    .next_due()
                    .is_none_or(|(at, _)| at > self.scenario.end_ms))
    }

    /// Take the next step: the due script action (before events due at the same time), or
    /// the earliest event.
    pub fn step(&mut self) -> Result<Option<&MdsRecord>, String> {
        if self.is_done() {
            return Ok(None);
        }
        let due_event = self
            .world
            .next_due()
            .filter(|(at, _)| *at <= self.scenario.end_ms);
        let script = self.scenario.script.get(self.next_script).cloned();
        let take_script = match (&script, due_event) {
            (Some(s), Some((at, _))) => s.at_ms <= at,
            (Some(_), None) => true,
            _ => false,
        };
        let (origin, step) = if take_script {
            let s = script.expect("checked");
            let i = self.next_script;
            self.next_script += 1;
            self.world.now = self.world.now.max(s.at_ms);
            let step = match self.world.act(s.action.clone()) {
                Ok(step) => step,
                Err(e) if self.user_chose => {
                    let what = serde_json::to_string(&s.action).unwrap_or_default();
                    MdsStep {
                        at_ms: self.world.now,
                        sentence: crate::engine::cluster::skipped_sentence(&what, &e),
                        lines: Vec::new(),
                        machines: Vec::new(),
                        epoch: self.world.fsmap().epoch,
                        routine: false,
                    }
                }
                Err(e) => return Err(format!("script[{i}] (at {} ms): {e}", s.at_ms)),
            };
            (Origin::Script { index: i }, step)
        } else {
            let Some((_, id)) = due_event else {
                return Ok(None);
            };
            (Origin::Event { id }, self.world.deliver(id)?)
        };
        let states = self.world.state_lines();
        self.records.push(Rc::new(MdsRecord {
            origin,
            step,
            states,
        }));
        Ok(self.records.last().map(|r| &**r))
    }

    /// The next script action not yet taken (read-only, for the browser's "Next").
    pub fn next_script(&self) -> Option<&ScriptStep> {
        self.scenario.script.get(self.next_script)
    }

    /// Deliver a chosen pending event now, before earlier ones (the browser's Deliver).
    pub fn deliver(&mut self, id: u64) -> Result<&MdsRecord, String> {
        let step = self.world.deliver(id)?;
        Ok(self.push(Origin::Event { id }, step))
    }

    /// A user action now (the browser's kill, start, max_mds… buttons).
    pub fn act(&mut self, action: MdsAction) -> Result<&MdsRecord, String> {
        let step = self.world.act(action)?;
        Ok(self.push(Origin::User, step))
    }

    fn push(&mut self, origin: Origin, step: MdsStep) -> &MdsRecord {
        self.user_chose = true;
        let states = self.world.state_lines();
        self.records.push(Rc::new(MdsRecord {
            origin,
            step,
            states,
        }));
        self.records.last().map(|r| &**r).expect("just pushed")
    }

    pub fn run_to_end(&mut self) -> Result<(), String> {
        while self.step()?.is_some() {}
        Ok(())
    }

    /// Each daemon's states in order (restarts included: up:boot again).
    pub fn daemon_histories(&self) -> BTreeMap<String, Vec<DaemonState>> {
        self.world.daemon_histories()
    }

    /// Every step's record so far as JSON: what `cephscope run SCENARIO --json` prints
    /// (the MDS tab's "Trace JSON" download).
    pub fn trace_json(&self) -> String {
        serde_json::to_string_pretty(&self.records)
            .map(|s| s + "\n")
            .unwrap_or_default()
    }

    /// The trace: one sentence per step with its log lines and the daemons' states;
    /// routine steps (beacons and ticks that change nothing) are counted, not printed.
    /// Then `ceph fs status` and `ceph mds stat`.
    pub fn trace_text(&self) -> String {
        let mut out = String::new();
        let mut routine = 0;
        for r in &self.records {
            if r.step.routine {
                routine += 1;
                continue;
            }
            if routine > 0 {
                out.push_str(&format!("   ({routine} routine beacons and ticks)\n"));
                routine = 0;
            }
            let t = r.step.at_ms as f64 / 1000.0;
            out.push_str(&format!(
                "# {t:>8.3}s e{}: {}\n",
                r.step.epoch, r.step.sentence
            ));
            for l in &r.step.lines {
                out.push_str(&format!("{t:>10.3} {l}\n"));
            }
            for m in &r.step.machines {
                for micro in &m.micro {
                    if let crate::engine::statechart::Micro::Transit { from, to, event } = micro {
                        out.push_str(&format!(
                            "{t:>10.3} {} {from} -> {to} ({event})\n",
                            m.machine
                        ));
                    }
                }
            }
            for s in &r.states {
                out.push_str(&format!("           | {s}\n"));
            }
        }
        if routine > 0 {
            out.push_str(&format!("   ({routine} routine beacons and ticks)\n"));
        }
        out.push_str("\n$ ceph fs status\n");
        out.push_str(&self.world.fs_status());
        out.push_str("\n$ ceph mds stat\n");
        out.push_str(&self.world.fsmap().print_summary());
        out.push('\n');
        out
    }
}
