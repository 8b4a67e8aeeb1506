//! The UI's one reducer: which tab, which scenario and how many steps in, playing or not,
//! the example and decision of the intervals and PG log views, and any error to show. The
//! engine run is replayed from the scenario (deterministic), so "back" and "seek" are
//! replays to a step count.

use crate::engine::scenario::{self, Run, Scenario};
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
}

impl Default for State {
    fn default() -> Self {
        let scenarios = scenario::builtin();
        let run = Run::new(scenarios[0].clone());
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
        }
    }
}

impl State {
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
                View::PgLog => next.pglog_seek(self.pglog_step + 1),
                View::Intervals => return self,
            },
            Action::BackView => match self.view {
                View::Statechart | View::Narration => return self.reduce(Action::Back),
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
        }
        Rc::new(next)
    }
}
