//! The UI's one reducer: which scenario, how many steps in. The engine run is replayed from
//! the scenario (deterministic), so "back" is just one step fewer.

use crate::engine::scenario::{self, Run, Scenario};
use std::rc::Rc;
use yew::Reducible;

#[derive(Clone, Debug)]
pub struct State {
    pub scenarios: Vec<Scenario>,
    pub selected: usize,
    pub run: Run,
}

pub enum Action {
    Select(usize),
    Step,
    Back,
    Restart,
}

impl Default for State {
    fn default() -> Self {
        let scenarios = scenario::builtin();
        let run = Run::new(scenarios[0].clone());
        State {
            scenarios,
            selected: 0,
            run,
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
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Select(i) if i < self.scenarios.len() => {
                next.selected = i;
                next.run = self.replay(i, 0);
            }
            Action::Select(_) => return self,
            Action::Step => {
                next.run.step();
            }
            Action::Back => {
                let steps = self.run.records.len().saturating_sub(1);
                next.run = self.replay(self.selected, steps);
            }
            Action::Restart => next.run = self.replay(self.selected, 0),
        }
        Rc::new(next)
    }
}
