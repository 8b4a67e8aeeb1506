//! The UI's one reducer: which scenario, how many steps in, playing or not, and any error
//! to show. The engine run is replayed from the scenario (deterministic), so "back" and
//! "seek" are replays to a step count.

use crate::engine::scenario::{self, Run, Scenario};
use crate::share::{Embed, Link};
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
        Link {
            scenario: Some(self.run.scenario.name.clone()),
            step: self.run.records.len(),
            embed: self.embed.clone(),
        }
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
        next.embed = link.embed.clone();
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
            Action::TogglePlay => {
                next.playing = !self.playing && self.run.records.len() < self.last_step()
            }
            Action::ToggleKeys => next.show_keys = !self.show_keys,
            Action::Open(link) => next = self.open(link),
            Action::DismissError => next.error = None,
            Action::Zoom(factor) => next.zoom = (self.zoom * factor).clamp(ZOOM_MIN, ZOOM_MAX),
        }
        Rc::new(next)
    }
}
