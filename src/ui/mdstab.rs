//! The MDS tab's two kinds of run behind one face, so the reducer steps, seeks and records
//! choices the same way for both: an MDS scenario (`MdsRun`: the MDS world alone, its
//! metadata I/O instant) or a CephFS-over-RADOS scenario (`CephfsRun`: the MDS world
//! beside a cluster, its metadata I/O in the metadata pool's PGs). It only dispatches; the
//! engine decides and refuses.

use crate::engine::mds::rados::{CephfsChoice, CephfsRun, CephfsScenario, CrossAction};
use crate::engine::mds::scenario::{MdsRun, MdsScenario};
use crate::engine::mds::world::MdsWorld;
use crate::engine::timeline::Choice;
use crate::share::MdsChoice;

#[derive(Clone, Debug)]
pub enum TabScenario {
    Mds(MdsScenario),
    Cephfs(Box<CephfsScenario>),
}

/// Held in an `Rc` by the reducer, so its size does not matter.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum TabRun {
    Mds(MdsRun),
    Cephfs(CephfsRun),
}

impl TabScenario {
    pub fn name(&self) -> &str {
        match self {
            TabScenario::Mds(s) => &s.name,
            TabScenario::Cephfs(s) => &s.name,
        }
    }

    pub fn start(&self) -> Result<TabRun, String> {
        Ok(match self {
            TabScenario::Mds(s) => TabRun::Mds(MdsRun::new(s.clone())?),
            TabScenario::Cephfs(s) => TabRun::Cephfs(CephfsRun::new((**s).clone())?),
        })
    }
}

impl TabRun {
    /// Steps taken.
    pub fn len(&self) -> usize {
        match self {
            TabRun::Mds(r) => r.records.len(),
            TabRun::Cephfs(r) => r.records.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_done(&self) -> bool {
        match self {
            TabRun::Mds(r) => r.is_done(),
            TabRun::Cephfs(r) => r.is_done(),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            TabRun::Mds(r) => &r.scenario.name,
            TabRun::Cephfs(r) => &r.scenario.name,
        }
    }

    pub fn narration(&self) -> &str {
        match self {
            TabRun::Mds(r) => &r.scenario.narration,
            TabRun::Cephfs(r) => &r.scenario.narration,
        }
    }

    pub fn world(&self) -> &MdsWorld {
        match self {
            TabRun::Mds(r) => &r.world,
            TabRun::Cephfs(r) => &r.mds,
        }
    }

    /// The daemons the scenario names, in its order.
    pub fn daemon_names(&self) -> &[String] {
        match self {
            TabRun::Mds(r) => &r.scenario.daemons,
            TabRun::Cephfs(r) => &r.scenario.daemons,
        }
    }

    /// Did the newest step change nothing worth a line (a routine beacon, tick or
    /// heartbeat)? "Next change" skips those.
    pub fn last_is_routine(&self) -> bool {
        match self {
            TabRun::Mds(r) => r.records.last().is_some_and(|x| x.step.routine),
            TabRun::Cephfs(r) => r.records.last().is_some_and(|x| x.is_routine()),
        }
    }

    /// The newest step's sentence and log lines (the console group of the step).
    pub fn newest(&self) -> Option<(String, Vec<String>)> {
        match self {
            TabRun::Mds(r) => r
                .records
                .last()
                .map(|x| (x.step.sentence.clone(), x.log_lines())),
            TabRun::Cephfs(r) => r.records.last().map(|x| {
                let lines = x.body().into_iter().chain(x.lines.iter().cloned());
                (x.sentence.clone(), lines.collect())
            }),
        }
    }

    /// The steps so far as JSON, as `cephscope run SCENARIO --json` prints them.
    pub fn trace_json(&self) -> String {
        match self {
            TabRun::Mds(r) => r.trace_json(),
            TabRun::Cephfs(r) => r.trace_json(),
        }
    }

    /// Take one choice; `Ok(false)` when it is a next step and the run is done.
    pub fn take(&mut self, choice: &MdsChoice) -> Result<bool, String> {
        match self {
            TabRun::Mds(run) => match choice {
                MdsChoice::Next => run.step().map(|r| r.is_some()),
                MdsChoice::Deliver(id) => run.deliver(*id).map(|_| true),
                MdsChoice::Act(a) => run.act(a.clone()).map(|_| true),
                MdsChoice::Cluster(_) => Err(format!(
                    "'{}' has no cluster: OSD choices belong to CephFS-over-RADOS scenarios",
                    run.scenario.name
                )),
            },
            TabRun::Cephfs(run) => run.take(&match choice {
                MdsChoice::Next | MdsChoice::Cluster(Choice::Next) => CephfsChoice::Next,
                MdsChoice::Deliver(id) => CephfsChoice::DeliverMds(*id),
                MdsChoice::Act(a) => CephfsChoice::Act(CrossAction::Mds(a.clone())),
                MdsChoice::Cluster(Choice::Act { action }) => {
                    CephfsChoice::Act(CrossAction::Cluster(action.clone()))
                }
                MdsChoice::Cluster(Choice::Deliver { id }) => CephfsChoice::DeliverCluster(*id),
            }),
        }
    }
}
