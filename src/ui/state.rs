//! The UI's one reducer: which tab, which scenario and how many steps in, playing or not,
//! the example and decision of the intervals and PG log views, and any error to show. The
//! engine run is replayed from the scenario (deterministic), so "back" and "seek" are
//! replays to a step count.

use crate::engine::cluster::{self, ClusterRun, ClusterScenario};
use crate::engine::osdmap::PgId;
use crate::engine::scenario::{self, Run, Scenario};
use crate::engine::world::{PendingId, UserAction};
use crate::share::{Embed, Link, View};
use crate::ui::examples::{self, INTERVALS, PGLOGS};
use std::rc::Rc;
use yew::Reducible;

#[derive(Clone, Debug)]
pub struct State {
    pub scenarios: Vec<Scenario>,
    pub selected: usize,
    pub run: Run,
    pub playing: bool,
    pub show_keys: bool,
    /// A message about bad input (a link, a file), shown in the page.
    pub error: Option<String>,
    /// Embed mode (from the link): one view, maybe no controls, a step range.
    pub embed: Option<Embed>,
    /// Drawing scale of the statechart.
    pub zoom: f64,
    /// The active tab (embedded: the one view shown). Never `Narration` on the full page.
    pub view: View,
    /// The intervals example shown (index into `examples::INTERVALS`).
    pub intervals: usize,
    /// The PG log example shown (index into `examples::PGLOGS`).
    pub pglog: usize,
    /// The PG log decision shown, from 0; the number of decisions means the final result.
    pub pglog_step: usize,
    /// The cluster tab: its scenarios, the one picked, the run so far, and the PG selected.
    pub clusters: Rc<Vec<ClusterScenario>>,
    pub cluster_selected: usize,
    /// The run after `cluster_choices` (replayed from the start on Back: it is deterministic).
    pub cluster: Rc<ClusterRun>,
    /// Every choice the user made on the cluster tab, in order, each of which took a step.
    pub cluster_choices: Vec<ClusterChoice>,
    pub cluster_pg: Option<PgId>,
}

/// One choice on the cluster tab; each added one record to the run.
#[derive(Clone, Debug, PartialEq)]
pub enum ClusterChoice {
    /// The next event (`ClusterRun::step`).
    Step,
    /// Deliver this pending event now.
    Deliver(PendingId),
    /// Kill, revive, out, in, lost, drop a message…
    Act(UserAction),
}

/// Zoom steps offered by the chart's − / + buttons.
pub const ZOOM_MIN: f64 = 0.3;
pub const ZOOM_MAX: f64 = 1.5;

pub enum Action {
    Select(usize),
    Step,
    Back,
    Restart,
    Seek(usize),
    TogglePlay,
    ToggleKeys,
    /// Restore the view a share link names.
    Open(Result<Link, String>),
    DismissError,
    /// Multiply the chart's scale (clamped to ZOOM_MIN..=ZOOM_MAX).
    Zoom(f64),
    /// Show a tab.
    ShowView(View),
    /// The → and ← keys: step the active view forward or back.
    StepView,
    BackView,
    SelectIntervals(usize),
    SelectPgLog(usize),
    /// Show PG log decision n (clamped to the view's range).
    PgLogSeek(usize),
    /// The cluster tab: pick a scenario (index into `clusters`).
    ClusterSelect(usize),
    /// Take the next step, deliver a chosen event, or act (each one step).
    Cluster(ClusterChoice),
    /// Undo the last choice (replays the others from the start).
    ClusterBack,
    ClusterRestart,
    /// Select a PG of the table (its details shown).
    ClusterSelectPg(PgId),
}

impl Default for State {
    fn default() -> Self {
        let scenarios = scenario::builtin();
        let run = Run::new(scenarios[0].clone());
        let clusters = cluster::builtin();
        State {
            scenarios,
            selected: 0,
            run,
            playing: false,
            show_keys: false,
            error: None,
            embed: None,
            zoom: 0.8,
            view: View::Statechart,
            intervals: 0,
            pglog: 0,
            pglog_step: 0,
            cluster_pg: clusters[0].follow.as_ref().map(|f| f.pg),
            cluster: Rc::new(
                ClusterRun::new(clusters[0].clone())
                    .expect("built-in cluster scenarios are valid (tests/cluster.rs)"),
            ),
            clusters: Rc::new(clusters),
            cluster_selected: 0,
            cluster_choices: Vec::new(),
        }
    }
}

/// Apply one choice to a run.
fn apply(run: &mut ClusterRun, choice: &ClusterChoice) -> Result<bool, String> {
    match choice {
        ClusterChoice::Step => run.step().map(|r| r.is_some()),
        ClusterChoice::Deliver(id) => run.deliver(*id).map(|_| true),
        ClusterChoice::Act(a) => run.act(a.clone()).map(|_| true),
    }
}

impl State {
    /// Replay cluster scenario `selected` from the start with `choices`; on success the
    /// run, the choices (those that took a step) and the followed PG replace the current.
    fn cluster_replay(
        &mut self,
        selected: usize,
        choices: Vec<ClusterChoice>,
    ) -> Result<(), String> {
        let scenario = self
            .clusters
            .get(selected)
            .ok_or_else(|| format!("no cluster scenario {selected}"))?
            .clone();
        let follow = scenario.follow.as_ref().map(|f| f.pg);
        let mut run = ClusterRun::new(scenario)?;
        let mut kept = Vec::new();
        let mut error = None;
        for c in choices {
            match apply(&mut run, &c) {
                Ok(true) => kept.push(c),
                Ok(false) => break,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        if self.cluster_selected != selected || self.cluster_pg.is_none() {
            self.cluster_pg = follow;
        }
        self.cluster_selected = selected;
        self.cluster = Rc::new(run);
        self.cluster_choices = kept;
        match error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Is the cluster run finished (nothing to deliver, or its step bound reached)?
    pub fn cluster_done(&self) -> bool {
        self.cluster.is_done()
    }

    fn replay(&self, selected: usize, steps: usize) -> Run {
        let mut run = Run::new(self.scenarios[selected].clone());
        for _ in 0..steps {
            if run.step().is_none() {
                break;
            }
        }
        run
    }

    /// The transitions the newest step took, as (from, event, to) paths.
    pub fn taken(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        self.run
            .records
            .last()
            .map(|r| {
                r.micro
                    .iter()
                    .filter_map(|m| match m {
                        crate::engine::statechart::Micro::Transit { from, event, to } => {
                            Some((*from, *event, *to))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The share link of this view.
    pub fn link(&self) -> Link {
        let (scenario, example, step) = match self.view {
            View::Statechart | View::Narration => (
                Some(self.run.scenario.name.clone()),
                None,
                self.run.records.len(),
            ),
            View::Intervals => (None, Some(INTERVALS[self.intervals].name.to_string()), 0),
            View::PgLog => (
                None,
                Some(PGLOGS[self.pglog].name.to_string()),
                self.pglog_step,
            ),
            View::Cluster => (
                Some(self.cluster.scenario.name.clone()),
                None,
                self.cluster_choices.len(),
            ),
        };
        Link {
            view: self.view,
            scenario,
            example,
            step,
            embed: self.embed.clone(),
        }
    }

    /// The first PG log decision this view may show (embed `from`).
    pub fn pglog_first(&self) -> usize {
        self.embed
            .as_ref()
            .map_or(0, |e| e.from)
            .min(self.pglog_total())
    }

    /// The last PG log step this view may show: the final result (one past the last
    /// decision), or embed `to`.
    pub fn pglog_last(&self) -> usize {
        let total = self.pglog_total();
        self.embed
            .as_ref()
            .and_then(|e| e.to)
            .map_or(total, |to| to.min(total))
    }

    /// The final result's step: the number of decisions of the example shown.
    pub fn pglog_total(&self) -> usize {
        examples::decision_count(self.pglog)
    }

    fn pglog_seek(&mut self, n: usize) {
        self.pglog_step = n.clamp(self.pglog_first(), self.pglog_last());
    }

    /// The first step this view may show (embed `from`).
    pub fn first_step(&self) -> usize {
        self.embed.as_ref().map_or(0, |e| e.from)
    }

    /// The last step this view may show (embed `to`, else the scenario's length).
    pub fn last_step(&self) -> usize {
        let total = self.run.scenario.events.len();
        self.embed
            .as_ref()
            .and_then(|e| e.to)
            .map_or(total, |to| to.min(total))
    }

    fn open(&self, link: Result<Link, String>) -> State {
        let mut next = self.clone();
        let link = match link {
            Ok(link) => link,
            Err(e) => {
                next.error = Some(format!("This link could not be read: {e}."));
                return next;
            }
        };
        next.embed = link.embed.clone();
        // On the full page the narration is part of the statechart tab.
        next.view = match (link.view, &link.embed) {
            (View::Narration, None) => View::Statechart,
            (view, _) => view,
        };
        next.playing = false;
        match link.view {
            View::Statechart | View::Narration => {}
            View::Cluster => {
                let first = self.clusters.first().map_or("", |s| s.name.as_str());
                let name = link.scenario.as_deref().unwrap_or(first);
                let Some(i) = self.clusters.iter().position(|s| s.name == name) else {
                    let names: Vec<&str> = self.clusters.iter().map(|s| s.name.as_str()).collect();
                    next.error = Some(format!(
                        "This link names an unknown cluster scenario: '{name}' (the scenarios are {}).",
                        names.join(", ")
                    ));
                    return next;
                };
                next.cluster_pg = None;
                if let Err(e) = next.cluster_replay(i, vec![ClusterChoice::Step; link.step]) {
                    next.error = Some(e);
                } else if next.cluster_choices.len() < link.step {
                    next.error = Some(format!(
                        "This link asks for step {} but '{name}' ends after {} steps; showing the last.",
                        link.step,
                        next.cluster_choices.len()
                    ));
                }
                return next;
            }
            View::Intervals => {
                let name = link.example.as_deref().unwrap_or(INTERVALS[0].name);
                match INTERVALS.iter().position(|e| e.name == name) {
                    Some(i) => next.intervals = i,
                    None => {
                        next.error = Some(unknown_example(
                            "intervals",
                            name,
                            &INTERVALS.map(|e| e.name),
                        ))
                    }
                }
                return next;
            }
            View::PgLog => {
                let name = link.example.as_deref().unwrap_or(PGLOGS[0].name);
                match PGLOGS.iter().position(|e| e.name == name) {
                    Some(i) => next.pglog = i,
                    None => {
                        next.error = Some(unknown_example("pglog", name, &PGLOGS.map(|e| e.name)));
                        next.pglog_seek(0);
                        return next;
                    }
                }
                let total = next.pglog_total();
                if link.step > total {
                    next.error = Some(format!(
                        "This link asks for step {} but '{name}' has {total} decisions (step {total} is the result); showing the result.",
                        link.step
                    ));
                }
                next.pglog_seek(link.step);
                return next;
            }
        }
        let name = link.scenario.as_deref().unwrap_or(&self.scenarios[0].name);
        let Some(i) = self.scenarios.iter().position(|s| s.name == name) else {
            next.error = Some(format!("This link names an unknown scenario: '{name}'."));
            return next;
        };
        let total = self.scenarios[i].events.len();
        if link.step > total {
            next.error = Some(format!(
                "This link asks for step {} but '{name}' has {total} steps; showing the last.",
                link.step
            ));
        }
        next.selected = i;
        let from = link.embed.as_ref().map_or(0, |e| e.from).min(total);
        let to = link
            .embed
            .as_ref()
            .and_then(|e| e.to)
            .unwrap_or(total)
            .min(total);
        next.run = self.replay(i, link.step.clamp(from, to));
        next
    }
}

fn unknown_example(view: &str, name: &str, names: &[&str]) -> String {
    format!(
        "This link names an unknown {view} example: '{name}' (the examples are {}).",
        names.join(", ")
    )
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Select(i) if i < self.scenarios.len() => {
                next.selected = i;
                next.run = self.replay(i, 0);
                next.playing = false;
            }
            Action::Select(_) => return self,
            Action::Step => {
                if self.run.records.len() >= self.last_step() || next.run.step().is_none() {
                    next.playing = false;
                }
            }
            Action::Back => {
                let steps = self
                    .run
                    .records
                    .len()
                    .saturating_sub(1)
                    .max(self.first_step());
                next.run = self.replay(self.selected, steps);
                next.playing = false;
            }
            Action::Restart => {
                next.run = self.replay(self.selected, self.first_step());
                next.playing = false;
            }
            Action::Seek(n) => {
                let n = n.clamp(self.first_step(), self.last_step());
                next.run = self.replay(self.selected, n);
            }
            Action::TogglePlay if !self.view.shows_scenario() => return self,
            Action::TogglePlay => {
                next.playing = !self.playing && self.run.records.len() < self.last_step()
            }
            Action::ToggleKeys => next.show_keys = !self.show_keys,
            Action::Open(link) => next = self.open(link),
            Action::DismissError => next.error = None,
            Action::Zoom(factor) => next.zoom = (self.zoom * factor).clamp(ZOOM_MIN, ZOOM_MAX),
            Action::ShowView(view) => {
                next.view = view;
                next.playing = false;
            }
            Action::StepView => match self.view {
                View::Statechart | View::Narration => return self.reduce(Action::Step),
                View::Cluster => return self.reduce(Action::Cluster(ClusterChoice::Step)),
                View::PgLog => next.pglog_seek(self.pglog_step + 1),
                View::Intervals => return self,
            },
            Action::BackView => match self.view {
                View::Statechart | View::Narration => return self.reduce(Action::Back),
                View::Cluster => return self.reduce(Action::ClusterBack),
                View::PgLog => next.pglog_seek(self.pglog_step.saturating_sub(1)),
                View::Intervals => return self,
            },
            Action::SelectIntervals(i) if i < INTERVALS.len() => next.intervals = i,
            Action::SelectPgLog(i) if i < PGLOGS.len() => {
                next.pglog = i;
                next.pglog_seek(0);
            }
            Action::SelectIntervals(_) | Action::SelectPgLog(_) => return self,
            Action::PgLogSeek(n) => next.pglog_seek(n),
            Action::ClusterSelect(i) if i < self.clusters.len() => {
                next.cluster_pg = None;
                if let Err(e) = next.cluster_replay(i, Vec::new()) {
                    next.error = Some(e);
                }
            }
            Action::ClusterSelect(_) => return self,
            Action::Cluster(choice) => {
                // Step in place (no replay): the run is cloned only when shared.
                let run = Rc::make_mut(&mut next.cluster);
                match apply(run, &choice) {
                    Ok(true) => next.cluster_choices.push(choice),
                    Ok(false) => return self,
                    Err(e) => {
                        next.error = Some(format!("The engine refused this: {e}"));
                        // A failed action may have changed nothing or part: replay what was kept.
                        let choices = self.cluster_choices.clone();
                        let _ = next.cluster_replay(self.cluster_selected, choices);
                    }
                }
            }
            Action::ClusterBack => {
                let mut choices = self.cluster_choices.clone();
                if choices.pop().is_none() {
                    return self;
                }
                if let Err(e) = next.cluster_replay(self.cluster_selected, choices) {
                    next.error = Some(e);
                }
            }
            Action::ClusterRestart => {
                if let Err(e) = next.cluster_replay(self.cluster_selected, Vec::new()) {
                    next.error = Some(e);
                }
            }
            Action::ClusterSelectPg(pg) => next.cluster_pg = Some(pg),
        }
        Rc::new(next)
    }
}
