//! A cluster run with its history: every step's record, the choices that produced it, and
//! a checkpoint every [`CHECKPOINT_EVERY`] steps. Going back to any step restores the
//! nearest checkpoint before it and replays the choices from there — the engine is
//! deterministic, so the replay gives the same worlds and records. This keeps the memory
//! of a long history small (a snapshot per step of even a small cluster is ~0.5 MB)
//! while any step is a bounded replay away (TigerBeetle's and Stateright's "a step is a
//! value" in its cheap form).

use crate::engine::cluster::{ClusterRecord, ClusterRun, ClusterScenario};
use crate::engine::world::{PendingId, UserAction};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Steps between two checkpoints: a seek replays at most this many steps.
pub const CHECKPOINT_EVERY: usize = 256;

/// What made a step: the next event in time order (or the due script action), a chosen
/// delivery, or a user action. Recorded so the history can be replayed (and shared).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "choice", rename_all = "snake_case")]
pub enum Choice {
    Next,
    Deliver { id: PendingId },
    Act { action: UserAction },
}

#[derive(Clone, Debug)]
pub struct Timeline {
    run: ClusterRun,
    /// Shared, so that cloning a timeline (the web app's reducer does on every step: the
    /// old state still holds it) copies pointers, not every record's micro-steps.
    records: Vec<Rc<ClusterRecord>>,
    choices: Vec<Choice>,
    /// `checkpoints[i]` is the run after `i * CHECKPOINT_EVERY` steps (its own records
    /// list stays empty: the timeline keeps them).
    checkpoints: Vec<ClusterRun>,
}

impl Timeline {
    pub fn new(scenario: ClusterScenario) -> Result<Timeline, String> {
        let run = ClusterRun::new(scenario)?;
        Ok(Timeline {
            checkpoints: vec![run.clone()],
            run,
            records: Vec::new(),
            choices: Vec::new(),
        })
    }

    /// The run at the current step (its world, what comes next).
    pub fn run(&self) -> &ClusterRun {
        &self.run
    }

    pub fn scenario(&self) -> &ClusterScenario {
        &self.run.scenario
    }

    /// Every step's record up to the current one.
    pub fn records(&self) -> &[Rc<ClusterRecord>] {
        &self.records
    }

    /// Every step's record so far as JSON: what `cephscope run SCENARIO --json` prints for
    /// the same choices (the web app's "Trace JSON" download).
    pub fn trace_json(&self) -> String {
        serde_json::to_string_pretty(&self.records)
            .map(|s| s + "\n")
            .unwrap_or_default()
    }

    /// The choices that led here, one per step.
    pub fn choices(&self) -> &[Choice] {
        &self.choices
    }

    /// How many steps have been taken.
    pub fn position(&self) -> usize {
        self.records.len()
    }

    /// Nothing left to do (or the scenario's step bound reached).
    pub fn is_done(&self) -> bool {
        self.position() >= self.run.scenario.max_steps || self.run.next().is_none()
    }

    /// The next step in time order. `Ok(None)` when the run is done.
    pub fn step(&mut self) -> Result<Option<&ClusterRecord>, String> {
        if self.is_done() {
            return Ok(None);
        }
        self.take(Choice::Next).map(Some)
    }

    /// Deliver a chosen pending event now.
    pub fn deliver(&mut self, id: PendingId) -> Result<&ClusterRecord, String> {
        self.take(Choice::Deliver { id })
    }

    /// A user action now.
    pub fn act(&mut self, action: UserAction) -> Result<&ClusterRecord, String> {
        self.take(Choice::Act { action })
    }

    fn take(&mut self, choice: Choice) -> Result<&ClusterRecord, String> {
        let record = apply(&mut self.run, &choice)?;
        self.records.push(Rc::new(record));
        self.choices.push(choice);
        if self.position().is_multiple_of(CHECKPOINT_EVERY) {
            self.checkpoints
                .truncate(self.position() / CHECKPOINT_EVERY);
            self.checkpoints.push(self.run.clone());
        }
        Ok(self.records.last().map(|r| &**r).expect("just pushed"))
    }

    /// Go to step `n`: back by restoring a checkpoint and replaying the recorded
    /// choices (the steps after `n` are forgotten, as an undo); forward by taking the
    /// next steps in time order. Stops early, without error, when the run is done.
    pub fn seek(&mut self, n: usize) -> Result<(), String> {
        if n < self.position() {
            let cp = n / CHECKPOINT_EVERY;
            let replay: Vec<Choice> = self.choices[cp * CHECKPOINT_EVERY..n].to_vec();
            self.run = self.checkpoints[cp].clone();
            self.checkpoints.truncate(cp + 1);
            self.records.truncate(cp * CHECKPOINT_EVERY);
            self.choices.truncate(cp * CHECKPOINT_EVERY);
            for choice in replay {
                self.take(choice)?;
            }
            return Ok(());
        }
        while self.position() < n && self.step()?.is_some() {}
        Ok(())
    }

    /// One step back (nothing at step 0).
    pub fn back(&mut self) -> Result<(), String> {
        self.seek(self.position().saturating_sub(1))
    }

    /// Replay a list of choices from the start (a shared link's history).
    pub fn replay(scenario: ClusterScenario, choices: &[Choice]) -> Result<Timeline, String> {
        let mut t = Timeline::new(scenario)?;
        for (i, c) in choices.iter().enumerate() {
            t.take(c.clone()).map_err(|e| format!("choice {i}: {e}"))?;
        }
        Ok(t)
    }
}

/// Take one choice on a run, returning its record (the run keeps no records itself).
fn apply(run: &mut ClusterRun, choice: &Choice) -> Result<ClusterRecord, String> {
    match choice {
        Choice::Next => {
            run.step()?;
        }
        Choice::Deliver { id } => {
            run.deliver(*id)?;
        }
        Choice::Act { action } => {
            run.act(action.clone())?;
        }
    }
    run.records
        .pop()
        .ok_or_else(|| "the run has nothing left to do".to_string())
}
