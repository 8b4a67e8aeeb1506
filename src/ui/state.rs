//! The UI's one reducer: which tab, which scenario and how many steps in, playing or not,
//! the example and decision of the intervals and PG log views, the cluster tab's
//! `Timeline`, the MDS tab's run, and any error to show. The statechart's and the MDS
//! tab's runs are replayed from their scenario (deterministic), so "back" and "seek" are
//! replays; the cluster tab goes back on its `Timeline` (checkpoints and replay). The
//! cluster and MDS tabs keep the longest history the user made, so after going back,
//! Step (or the slider) replays the same choices again until the user chooses otherwise.
//!
//! Built with `--features lite` (the page's first module) it keeps the statechart tab
//! alone: the other tabs' fields and code are `cfg`'d out, and what needs them becomes a
//! [`Handoff`] to the whole app (ARCHITECTURE.md, "The first module").

#[cfg(not(feature = "lite"))]
use crate::engine::cluster::{self, ClusterScenario};
#[cfg(not(feature = "lite"))]
use crate::engine::mds::rados;
#[cfg(not(feature = "lite"))]
use crate::engine::mds::scenario as mds_scenario;
use crate::engine::osdmap::PgId;
use crate::engine::scenario::{self, Run, Scenario};
use crate::engine::timeline::Choice;
#[cfg(not(feature = "lite"))]
use crate::engine::timeline::Timeline;
use crate::share::{self, Embed, Link, MdsChoice, View};
#[cfg(not(feature = "lite"))]
use crate::ui::examples::{self, INTERVALS, PGLOGS};
#[cfg(not(feature = "lite"))]
use crate::ui::mdstab::{TabRun, TabScenario};
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
    /// The cluster tab: its scenarios (built-in, then loaded files), the one picked, the
    /// history so far, and the PG selected.
    #[cfg(not(feature = "lite"))]
    pub clusters: Rc<Vec<ClusterScenario>>,
    #[cfg(not(feature = "lite"))]
    pub cluster_selected: usize,
    /// The run's history up to the current step (`Timeline::seek` goes back).
    #[cfg(not(feature = "lite"))]
    pub cluster: Rc<Timeline>,
    /// The longest history made: `cluster`'s choices, then the ones undone by going back
    /// (replayed by Step and the slider while the user chooses the same).
    #[cfg(not(feature = "lite"))]
    pub cluster_history: Rc<Vec<Choice>>,
    #[cfg(not(feature = "lite"))]
    pub cluster_pg: Option<PgId>,
    /// The MDS tab: its scenarios (the built-in MDS ones, the built-in CephFS-over-RADOS
    /// ones, then loaded files), the one picked, the run at the current step, and the
    /// longest history made (as for the cluster tab).
    #[cfg(not(feature = "lite"))]
    pub mds_scenarios: Rc<Vec<TabScenario>>,
    #[cfg(not(feature = "lite"))]
    pub mds_selected: usize,
    #[cfg(not(feature = "lite"))]
    pub mds: Rc<TabRun>,
    #[cfg(not(feature = "lite"))]
    pub mds_history: Rc<Vec<MdsChoice>>,
    /// The JSON text of each scenario loaded from a file or a link, by tab and index, so
    /// that the share link can carry it (`src=`).
    pub sources: Rc<Vec<(View, usize, Rc<str>)>>,
    /// The first module only (`lite`): what the whole app, loaded now, is to open
    /// (`components::handoff`).
    #[cfg(feature = "lite")]
    pub handoff: Option<Handoff>,
}

/// What the first module (`lite`) hands to the whole app: a link to another view or one it
/// does not read (`src=`, `h=`), or a scenario file to load.
#[derive(Clone, Debug, PartialEq)]
pub enum Handoff {
    /// A location hash, as the whole app is to open it.
    Hash(String),
    File {
        name: String,
        text: String,
    },
}

/// How many steps "next change" takes at most while looking for a step that is not a
/// routine beacon or tick.
pub const MDS_SKIP_MAX: usize = 10_000;

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
    /// Set the chart's scale (the Fit button; clamped likewise).
    ZoomTo(f64),
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
    Cluster(Choice),
    /// Step: the next recorded choice after going back, else the next event.
    ClusterForward,
    /// One step back (`Timeline::back`).
    ClusterBack,
    /// Go to step n of the longest history (the slider, the history list).
    ClusterSeek(usize),
    ClusterRestart,
    /// Select a PG of the table (its details shown).
    ClusterSelectPg(PgId),
    /// The MDS tab: pick a scenario (index into `mds_scenarios`).
    MdsSelect(usize),
    /// Take the next step, deliver a chosen event, or act (each one step).
    Mds(MdsChoice),
    /// Step: the next recorded choice after going back, else the next event.
    MdsForward,
    /// Take next steps until one is not a routine beacon or tick.
    MdsNextChange,
    MdsBack,
    /// Go to step n of the longest history.
    MdsSeek(usize),
    MdsRestart,
    /// A link only the whole app opens (`share::needs_full_app`): the first module hands
    /// it over as it is; the whole app opens it.
    OpenFull(String),
    /// A scenario file the user picked or dropped: its name and text.
    Load {
        name: String,
        text: String,
    },
    /// Show a message about bad input (a file that could not be read).
    ShowError(String),
}

impl Default for State {
    fn default() -> Self {
        let scenarios = scenario::builtin();
        let run = Run::new(scenarios[0].clone());
        #[cfg(not(feature = "lite"))]
        let clusters = cluster::builtin();
        #[cfg(not(feature = "lite"))]
        let mds_scenarios: Vec<TabScenario> = mds_scenario::builtin()
            .into_iter()
            .map(TabScenario::Mds)
            .chain(
                rados::builtin()
                    .into_iter()
                    .map(|s| TabScenario::Cephfs(Box::new(s))),
            )
            .collect();
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
            #[cfg(not(feature = "lite"))]
            cluster_pg: clusters[0].follow.as_ref().map(|f| f.pg),
            #[cfg(not(feature = "lite"))]
            cluster: Rc::new(
                Timeline::new(clusters[0].clone())
                    .expect("built-in cluster scenarios are valid (tests/cluster.rs)"),
            ),
            #[cfg(not(feature = "lite"))]
            clusters: Rc::new(clusters),
            #[cfg(not(feature = "lite"))]
            cluster_selected: 0,
            #[cfg(not(feature = "lite"))]
            cluster_history: Rc::new(Vec::new()),
            #[cfg(not(feature = "lite"))]
            mds: Rc::new(
                mds_scenarios[0]
                    .start()
                    .expect("built-in MDS scenarios are valid (tests/mds.rs)"),
            ),
            #[cfg(not(feature = "lite"))]
            mds_scenarios: Rc::new(mds_scenarios),
            sources: Rc::new(Vec::new()),
            #[cfg(not(feature = "lite"))]
            mds_selected: 0,
            #[cfg(not(feature = "lite"))]
            mds_history: Rc::new(Vec::new()),
            #[cfg(feature = "lite")]
            handoff: None,
        }
    }
}

/// The tab a scenario file belongs on: a CephFS-over-RADOS scenario names both a
/// `cluster` and `daemons`, an MDS scenario its `daemons` (both the MDS tab), a cluster
/// scenario its `cluster`; anything else is a machine walkthrough (as `cephscope run
/// FILE`).
#[cfg(not(feature = "lite"))]
fn scenario_tab(value: &serde_json::Value) -> View {
    if value.get("daemons").is_some() {
        View::Mds
    } else if value.get("cluster").is_some() {
        View::Cluster
    } else {
        View::Statechart
    }
}

/// Take one choice on a timeline; `Ok(false)` when the run is done (nothing taken).
#[cfg(not(feature = "lite"))]
fn take(t: &mut Timeline, choice: &Choice) -> Result<bool, String> {
    match choice {
        Choice::Next => t.step().map(|r| r.is_some()),
        Choice::Deliver { id } => t.deliver(*id).map(|_| true),
        Choice::Act { action } => t.act(action.clone()).map(|_| true),
    }
}

/// Record `choice` as step `pos` of a longest history: kept if it is the recorded one
/// (the future stays), else the future is forgotten.
#[cfg(not(feature = "lite"))]
fn record<C: PartialEq + Clone>(history: &mut Rc<Vec<C>>, pos: usize, choice: &C) {
    if history.get(pos) != Some(choice) {
        let h = Rc::make_mut(history);
        h.truncate(pos);
        h.push(choice.clone());
    }
}

/// The Cluster and MDS tabs (the whole app; the first module hands them to it).
#[cfg(not(feature = "lite"))]
impl State {
    /// Start cluster scenario `selected` again from its first step, with no history.
    fn cluster_start(&mut self, selected: usize) -> Result<(), String> {
        let scenario = self
            .clusters
            .get(selected)
            .ok_or_else(|| format!("no cluster scenario {selected}"))?
            .clone();
        if self.cluster_selected != selected || self.cluster_pg.is_none() {
            self.cluster_pg = scenario.follow.as_ref().map(|f| f.pg);
        }
        self.cluster = Rc::new(Timeline::new(scenario)?);
        self.cluster_selected = selected;
        self.cluster_history = Rc::new(Vec::new());
        Ok(())
    }

    /// Go to step `n` of the longest history: back on the timeline (checkpoint and replay),
    /// forward by taking the recorded choices again.
    fn cluster_seek(&mut self, n: usize) -> Result<(), String> {
        let n = n.min(self.cluster_history.len());
        let t = Rc::make_mut(&mut self.cluster);
        if n <= t.position() {
            return t.seek(n);
        }
        for c in &self.cluster_history[t.position()..n] {
            if !take(t, c)? {
                break;
            }
        }
        Ok(())
    }

    /// Take the choices in order from the current step, recording each; stops at the end
    /// of the run. An error names the choice (counted from 1) the engine refused.
    fn cluster_take_all(&mut self, choices: &[Choice]) -> Result<(), String> {
        for (i, c) in choices.iter().enumerate() {
            let pos = self.cluster.position();
            match take(Rc::make_mut(&mut self.cluster), c) {
                Ok(true) => record(&mut self.cluster_history, pos, c),
                Ok(false) => break,
                Err(e) => return Err(format!("choice {} of the link: {e}", i + 1)),
            }
        }
        Ok(())
    }

    /// Is the cluster run finished (nothing to deliver, or its step bound reached)?
    pub fn cluster_done(&self) -> bool {
        self.cluster.is_done()
    }

    /// Start MDS scenario `selected` again, with no history.
    fn mds_start(&mut self, selected: usize) -> Result<(), String> {
        let scenario = self
            .mds_scenarios
            .get(selected)
            .ok_or_else(|| format!("no MDS scenario {selected}"))?
            .clone();
        self.mds = Rc::new(scenario.start()?);
        self.mds_selected = selected;
        self.mds_history = Rc::new(Vec::new());
        Ok(())
    }

    /// Go to step `n` of the MDS history: back by replaying from the start (MDS runs are
    /// a few hundred steps, CephFS-over-RADOS ones about a thousand), forward by taking the
    /// recorded choices again.
    fn mds_seek(&mut self, n: usize) -> Result<(), String> {
        let n = n.min(self.mds_history.len());
        let pos = self.mds.len();
        let from = if n < pos {
            self.mds = Rc::new(self.mds_scenarios[self.mds_selected].start()?);
            0
        } else {
            pos
        };
        let run = Rc::make_mut(&mut self.mds);
        for c in &self.mds_history[from..n] {
            if !run.take(c)? {
                break;
            }
        }
        Ok(())
    }

    /// Take one MDS choice now and record it.
    fn mds_take(&mut self, choice: &MdsChoice) -> Result<bool, String> {
        let pos = self.mds.len();
        let taken = Rc::make_mut(&mut self.mds).take(choice)?;
        if taken {
            record(&mut self.mds_history, pos, choice);
        }
        Ok(taken)
    }

    /// A cluster, MDS or CephFS-over-RADOS scenario file: parsed, added to its tab's
    /// scenarios and started; its index there.
    fn load_on_tab(
        &mut self,
        tab: View,
        value: &serde_json::Value,
        name: &str,
        text: &str,
    ) -> Result<usize, String> {
        let at = |e: String| format!("{name}: {e}");
        if tab == View::Cluster {
            let s = cluster::from_json(text).map_err(at)?;
            Rc::make_mut(&mut self.clusters).push(s);
            self.cluster_pg = None;
            self.cluster_start(self.clusters.len() - 1)?;
            return Ok(self.clusters.len() - 1);
        }
        let s = if rados::is_cephfs_json(value) {
            TabScenario::Cephfs(Box::new(rados::from_json(text).map_err(at)?))
        } else {
            TabScenario::Mds(mds_scenario::from_json(text).map_err(at)?)
        };
        Rc::make_mut(&mut self.mds_scenarios).push(s);
        self.mds_start(self.mds_scenarios.len() - 1)?;
        Ok(self.mds_scenarios.len() - 1)
    }
}

/// The first module (`lite`): the tabs other than the statechart's are the whole app's;
/// asking for one records what the whole app is to open.
#[cfg(feature = "lite")]
impl State {
    /// A scenario file: the whole app loads it (the first module has no scenario parser).
    fn load(&mut self, name: &str, text: &str) -> Result<(), String> {
        self.handoff = Some(Handoff::File {
            name: name.to_string(),
            text: text.to_string(),
        });
        Ok(())
    }

    /// Show `view`: the tabs other than the statechart's by handing off to the whole app.
    fn show(&mut self, view: View) {
        self.view = view;
        if !view.in_first_module() {
            let link = Link {
                view,
                ..Default::default()
            };
            self.handoff = Some(Handoff::Hash(share::to_hash(&link)));
        } else {
            // Back on the statechart (say, after a failed download): nothing to hand off.
            self.handoff = None;
        }
    }
}

impl State {
    /// A scenario file, parsed by the engine's own parser and shown on its tab
    /// ([`scenario_tab`]).
    #[cfg(not(feature = "lite"))]
    fn load(&mut self, name: &str, text: &str) -> Result<(), String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("{name} is not JSON: {e}"))?;
        let tab = scenario_tab(&value);
        let index = if tab == View::Statechart {
            let s = scenario::from_json(text).map_err(|e| format!("{name}: {e}"))?;
            self.scenarios.push(s);
            self.selected = self.scenarios.len() - 1;
            self.run = self.replay(self.selected, 0);
            self.selected
        } else {
            self.load_on_tab(tab, &value, name, text)?
        };
        self.view = tab;
        Rc::make_mut(&mut self.sources).push((tab, index, Rc::from(text)));
        self.embed = None;
        self.playing = false;
        self.error = None;
        Ok(())
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
        #[cfg_attr(feature = "lite", allow(unused_mut))]
        let mut history = None;
        let (scenario, example, step) = match self.view {
            View::Statechart | View::Narration => (
                Some(self.run.scenario.name.clone()),
                None,
                self.run.records.len(),
            ),
            #[cfg(not(feature = "lite"))]
            View::Intervals => (None, Some(INTERVALS[self.intervals].name.to_string()), 0),
            #[cfg(not(feature = "lite"))]
            View::PgLog => (
                None,
                Some(PGLOGS[self.pglog].name.to_string()),
                self.pglog_step,
            ),
            #[cfg(not(feature = "lite"))]
            View::Cluster => {
                let choices = self.cluster.choices();
                if choices.iter().any(|c| *c != Choice::Next) {
                    history = Some(share::choices_to_text(choices));
                }
                (
                    Some(self.cluster.scenario().name.clone()),
                    None,
                    self.cluster.position(),
                )
            }
            #[cfg(not(feature = "lite"))]
            View::Mds => {
                let pos = self.mds.len();
                let choices = &self.mds_history[..pos.min(self.mds_history.len())];
                if choices.iter().any(|c| *c != MdsChoice::Next) {
                    history = Some(share::mds_choices_to_text(choices));
                }
                (Some(self.mds.name().to_string()), None, pos)
            }
            // Handed to the whole app ([`Handoff`]), which writes its own link.
            #[cfg(feature = "lite")]
            View::Intervals | View::PgLog | View::Cluster | View::Mds => (None, None, 0),
        };
        Link {
            view: self.view,
            scenario,
            example,
            step,
            embed: self.embed.clone(),
            history,
            source: self.source_shown().map(|t| t.to_string()),
        }
    }

    /// Is the first module handing the page to the whole app ([`Handoff`])? Never in the
    /// whole app.
    pub fn handing_off(&self) -> bool {
        #[cfg(feature = "lite")]
        return self.handoff.is_some();
        #[cfg(not(feature = "lite"))]
        false
    }

    /// The statechart tab's link, whichever tab is shown (the first module hands it to the
    /// whole app, which starts from it).
    pub fn statechart_link(&self) -> Link {
        Link {
            view: View::Statechart,
            scenario: Some(self.run.scenario.name.clone()),
            step: self.run.records.len(),
            ..Default::default()
        }
    }

    /// The JSON text of the scenario this view shows, if it was loaded (not built in).
    fn source_shown(&self) -> Option<&str> {
        let (view, index) = match self.view {
            View::Statechart | View::Narration => (View::Statechart, self.selected),
            #[cfg(not(feature = "lite"))]
            View::Cluster => (View::Cluster, self.cluster_selected),
            #[cfg(not(feature = "lite"))]
            View::Mds => (View::Mds, self.mds_selected),
            #[cfg(feature = "lite")]
            View::Cluster | View::Mds => return None,
            View::Intervals | View::PgLog => return None,
        };
        self.sources
            .iter()
            .find(|(v, i, _)| *v == view && *i == index)
            .map(|(_, _, text)| &**text)
    }

    /// The first PG log decision this view may show (embed `from`).
    #[cfg(not(feature = "lite"))]
    pub fn pglog_first(&self) -> usize {
        self.embed
            .as_ref()
            .map_or(0, |e| e.from)
            .min(self.pglog_total())
    }

    /// The last PG log step this view may show: the final result (one past the last
    /// decision), or embed `to`.
    #[cfg(not(feature = "lite"))]
    pub fn pglog_last(&self) -> usize {
        let total = self.pglog_total();
        self.embed
            .as_ref()
            .and_then(|e| e.to)
            .map_or(total, |to| to.min(total))
    }

    /// The final result's step: the number of decisions of the example shown.
    #[cfg(not(feature = "lite"))]
    pub fn pglog_total(&self) -> usize {
        examples::decision_count(self.pglog)
    }

    #[cfg(not(feature = "lite"))]
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
        // The first module opens the Cluster and MDS views by handing the link, as it is,
        // to the whole app.
        #[cfg(feature = "lite")]
        if !link.view.in_first_module() {
            next.view = link.view;
            next.embed = link.embed.clone();
            next.playing = false;
            next.handoff = Some(Handoff::Hash(share::to_hash(&link)));
            return next;
        }
        #[cfg(feature = "lite")]
        {
            next.handoff = None;
        }
        // A loaded scenario travels in the link: load it as a file would be, then look it up
        // by its index (its name may be a built-in's too).
        let mut loaded = None;
        if let Some(text) = &link.source {
            if let Err(e) = next.load("the link's scenario", text) {
                next.error = Some(format!("This link's scenario could not be loaded: {e}"));
                return next;
            }
            let (tab, index) = next
                .sources
                .last()
                .map_or((View::Statechart, 0), |(v, i, _)| (*v, *i));
            let wanted = match link.view {
                View::Narration => View::Statechart,
                view => view,
            };
            if tab != wanted {
                // The view stays as it was: the link is refused, not half opened.
                let mut next = self.clone();
                next.error = Some(format!(
                    "This link's scenario belongs to the {} view, but the link shows the {} view.",
                    tab.name(),
                    link.view.name()
                ));
                return next;
            }
            loaded = Some(index);
        }
        let this = next.clone();
        let find =
            |names: &[&str], name: &str| loaded.or_else(|| names.iter().position(|n| *n == name));
        next.embed = link.embed.clone();
        // On the full page the narration is part of the statechart tab.
        next.view = match (link.view, &link.embed) {
            (View::Narration, None) => View::Statechart,
            (view, _) => view,
        };
        next.playing = false;
        match link.view {
            View::Statechart | View::Narration => {}
            #[cfg(feature = "lite")]
            View::Intervals | View::PgLog | View::Cluster | View::Mds => return next, // handed off above
            #[cfg(not(feature = "lite"))]
            View::Cluster => {
                let first = this.clusters.first().map_or("", |s| s.name.as_str());
                let name = link.scenario.as_deref().unwrap_or(first);
                let names: Vec<&str> = this.clusters.iter().map(|s| s.name.as_str()).collect();
                let Some(i) = find(&names, name) else {
                    next.error = Some(format!(
                        "This link names an unknown cluster scenario: '{name}' (the scenarios are {}).",
                        names.join(", ")
                    ));
                    return next;
                };
                next.cluster_pg = None;
                let choices = match link.history.as_deref().map(share::parse_choices) {
                    Some(Ok(c)) => c,
                    Some(Err(e)) => {
                        next.error = Some(format!("This link could not be read: {e}."));
                        return next;
                    }
                    None => vec![Choice::Next; link.step],
                };
                if let Err(e) = next.cluster_start(i) {
                    next.error = Some(e);
                    return next;
                }
                if let Err(e) = next.cluster_take_all(&choices) {
                    next.error = Some(format!(
                        "This link's history stops at step {}: {e}.",
                        next.cluster.position()
                    ));
                } else if next.cluster.position() < choices.len() {
                    next.error = Some(format!(
                        "This link asks for step {} but '{name}' ends after {} steps; showing the last.",
                        choices.len(),
                        next.cluster.position()
                    ));
                }
                return next;
            }
            #[cfg(not(feature = "lite"))]
            View::Mds => {
                let first = this.mds_scenarios.first().map_or("", |s| s.name());
                let name = link.scenario.as_deref().unwrap_or(first);
                let names: Vec<&str> = this.mds_scenarios.iter().map(|s| s.name()).collect();
                let Some(i) = find(&names, name) else {
                    next.error = Some(format!(
                        "This link names an unknown MDS scenario: '{name}' (the scenarios are {}).",
                        names.join(", ")
                    ));
                    return next;
                };
                let choices = match link.history.as_deref().map(share::parse_mds_choices) {
                    Some(Ok(c)) => c,
                    Some(Err(e)) => {
                        next.error = Some(format!("This link could not be read: {e}."));
                        return next;
                    }
                    None => vec![MdsChoice::Next; link.step],
                };
                if let Err(e) = next.mds_start(i) {
                    next.error = Some(e);
                    return next;
                }
                for (k, c) in choices.iter().enumerate() {
                    match next.mds_take(c) {
                        Ok(true) => {}
                        Ok(false) => {
                            next.error = Some(format!(
                                "This link asks for step {} but '{name}' ends after {k} steps; showing the last.",
                                choices.len()
                            ));
                            break;
                        }
                        Err(e) => {
                            next.error = Some(format!(
                                "This link's history stops at step {k}: choice {} of the link: {e}.",
                                k + 1
                            ));
                            break;
                        }
                    }
                }
                return next;
            }
            #[cfg(not(feature = "lite"))]
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
            #[cfg(not(feature = "lite"))]
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
        let name = link.scenario.as_deref().unwrap_or(&this.scenarios[0].name);
        let names: Vec<&str> = this.scenarios.iter().map(|s| s.name.as_str()).collect();
        let Some(i) = find(&names, name) else {
            next.error = Some(format!("This link names an unknown scenario: '{name}'."));
            return next;
        };
        let total = this.scenarios[i].events.len();
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
        next.run = this.replay(i, link.step.clamp(from, to));
        next
    }
}

#[cfg(not(feature = "lite"))]
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
            #[cfg(not(feature = "lite"))]
            Action::OpenFull(hash) => next = self.open(share::parse_hash(&hash)),
            #[cfg(feature = "lite")]
            Action::OpenFull(hash) => {
                next.playing = false;
                next.handoff = Some(Handoff::Hash(hash));
            }
            Action::DismissError => next.error = None,
            Action::Zoom(factor) => next.zoom = (self.zoom * factor).clamp(ZOOM_MIN, ZOOM_MAX),
            Action::ZoomTo(zoom) => next.zoom = zoom.clamp(ZOOM_MIN, ZOOM_MAX),
            Action::ShowView(view) => {
                #[cfg(not(feature = "lite"))]
                {
                    next.view = view;
                }
                #[cfg(feature = "lite")]
                next.show(view);
                next.playing = false;
            }
            Action::StepView => match self.view {
                View::Statechart | View::Narration => return self.reduce(Action::Step),
                View::Cluster => return self.reduce(Action::ClusterForward),
                View::Mds => return self.reduce(Action::MdsForward),
                View::PgLog => {
                    let n = self.pglog_step + 1;
                    return self.reduce(Action::PgLogSeek(n));
                }
                View::Intervals => return self,
            },
            Action::BackView => match self.view {
                View::Statechart | View::Narration => return self.reduce(Action::Back),
                View::Cluster => return self.reduce(Action::ClusterBack),
                View::Mds => return self.reduce(Action::MdsBack),
                View::PgLog => {
                    let n = self.pglog_step.saturating_sub(1);
                    return self.reduce(Action::PgLogSeek(n));
                }
                View::Intervals => return self,
            },
            Action::ShowError(e) => next.error = Some(e),
            Action::Load { name, text } => {
                if let Err(e) = next.load(&name, &text) {
                    next = (*self).clone();
                    next.error = Some(format!("Could not load the file: {e}"));
                }
            }
            tab => return self.reduce_tab(tab),
        }
        Rc::new(next)
    }
}

impl State {
    /// The Intervals, PG log, Cluster and MDS tabs' actions.
    #[cfg(not(feature = "lite"))]
    fn reduce_tab(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SelectIntervals(i) if i < INTERVALS.len() => next.intervals = i,
            Action::SelectPgLog(i) if i < PGLOGS.len() => {
                next.pglog = i;
                next.pglog_seek(0);
            }
            Action::SelectIntervals(_) | Action::SelectPgLog(_) => return self,
            Action::PgLogSeek(n) => next.pglog_seek(n),
            Action::ClusterSelect(i) if i < self.clusters.len() => {
                next.cluster_pg = None;
                if let Err(e) = next.cluster_start(i) {
                    next.error = Some(e);
                }
            }
            Action::MdsSelect(i) if i < self.mds_scenarios.len() => {
                if let Err(e) = next.mds_start(i) {
                    next.error = Some(e);
                }
            }
            Action::ClusterSelect(_) | Action::MdsSelect(_) => return self,
            Action::Cluster(choice) => {
                // On a copy of the timeline: a refused choice leaves the current one as is.
                let pos = self.cluster.position();
                match take(Rc::make_mut(&mut next.cluster), &choice) {
                    Ok(true) => record(&mut next.cluster_history, pos, &choice),
                    Ok(false) => return self,
                    Err(e) => {
                        next.cluster = self.cluster.clone();
                        next.error = Some(format!("The engine refused this: {e}"));
                    }
                }
            }
            Action::ClusterForward => {
                let pos = self.cluster.position();
                if pos < self.cluster_history.len() {
                    if let Err(e) = next.cluster_seek(pos + 1) {
                        next.error = Some(e);
                    }
                } else {
                    return self.reduce(Action::Cluster(Choice::Next));
                }
            }
            Action::ClusterBack if self.cluster.position() == 0 => return self,
            Action::ClusterBack => {
                if let Err(e) = Rc::make_mut(&mut next.cluster).back() {
                    next.error = Some(e);
                }
            }
            Action::ClusterSeek(n) => {
                if let Err(e) = next.cluster_seek(n) {
                    next.error = Some(e);
                }
            }
            Action::ClusterRestart => {
                // Back to step 0; the history stays for Step and the slider.
                if let Err(e) = next.cluster_seek(0) {
                    next.error = Some(e);
                }
            }
            Action::ClusterSelectPg(pg) => next.cluster_pg = Some(pg),
            Action::Mds(choice) => match next.mds_take(&choice) {
                Ok(true) => {}
                Ok(false) => return self,
                Err(e) => {
                    next.mds = self.mds.clone();
                    next.mds_history = self.mds_history.clone();
                    next.error = Some(format!("The engine refused this: {e}"));
                }
            },
            Action::MdsForward => {
                let pos = self.mds.len();
                if pos >= self.mds_history.len() {
                    return self.reduce(Action::Mds(MdsChoice::Next));
                }
                if let Err(e) = next.mds_seek(pos + 1) {
                    next.error = Some(e);
                }
            }
            Action::MdsNextChange => {
                for _ in 0..MDS_SKIP_MAX {
                    match next.mds_take(&MdsChoice::Next) {
                        Ok(true) if next.mds.last_is_routine() => {}
                        Ok(_) => break,
                        Err(e) => {
                            next.error = Some(format!("The engine refused this: {e}"));
                            break;
                        }
                    }
                }
            }
            Action::MdsBack if self.mds.is_empty() => return self,
            Action::MdsBack => {
                if let Err(e) = next.mds_seek(self.mds.len() - 1) {
                    next.error = Some(e);
                }
            }
            Action::MdsSeek(n) => {
                if let Err(e) = next.mds_seek(n) {
                    next.error = Some(e);
                }
            }
            Action::MdsRestart => {
                if let Err(e) = next.mds_seek(0) {
                    next.error = Some(e);
                }
            }
            _ => return self,
        }
        Rc::new(next)
    }

    /// The first module has only the statechart's tab: the others' actions do nothing.
    #[cfg(feature = "lite")]
    fn reduce_tab(self: Rc<Self>, _: Action) -> Rc<Self> {
        self
    }
}
