//! Cluster scenarios: a whole simulated cluster ([`World`]) driven by a script of timed
//! user actions, stepped one event at a time. Between script actions the world delivers
//! whatever is due next (messages, timers) in time order, so the same scenario always
//! gives the same trace; a user (the web app, a test) can also deliver a chosen message,
//! drop one, or act at any step.
//!
//! The machine walkthroughs of [`crate::engine::scenario`] drive one PG's machine with a
//! scripted list of events; these drive the cluster and let the events arise.

use crate::engine::net::{Endpoint, TimeMs};
use crate::engine::osdmap::{OsdId, PgId};
use crate::engine::scenario::micro_log_lines;
use crate::engine::world::{ClusterSpec, Pending, PendingId, UserAction, World, WorldStep};
use serde::{Deserialize, Serialize};

/// How many steps a run may take before it stops by itself (a bound, not a goal: every
/// built-in scenario settles long before it).
pub const DEFAULT_MAX_STEPS: usize = 20_000;

/// A cluster, a script, and the PG the story follows.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterScenario {
    pub name: String,
    /// One paragraph: what the scenario teaches.
    pub narration: String,
    pub cluster: ClusterSpec,
    /// User actions with the logical time (ms) they happen at, in time order.
    #[serde(default)]
    pub script: Vec<ScriptStep>,
    /// The PG and OSD the narration follows (what the web app selects first).
    #[serde(default)]
    pub follow: Option<Follow>,
    #[serde(default = "default_max_steps")]
    pub max_steps: usize,
}

fn default_max_steps() -> usize {
    DEFAULT_MAX_STEPS
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Follow {
    #[serde(with = "pgid_text")]
    pub pg: PgId,
    pub osd: OsdId,
}

/// One scripted action: `{"at_ms": 60000, "action": "kill", "osd": 0}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScriptStep {
    pub at_ms: TimeMs,
    #[serde(flatten)]
    pub action: ScriptAction,
}

/// What a script can do: anything a user can, and "lose the next message of this kind"
/// (a scenario cannot know message ids in advance).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ScriptAction {
    DropNext(DropNext),
    User(UserAction),
}

/// From its time on, lose the next message of type `message` (e.g. "MOSDAlive") from
/// `from` to `to` (OSD ids; absent = any; -1 = the monitor) as soon as one is in flight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropNext {
    pub action: DropNextTag,
    pub message: String,
    #[serde(default)]
    pub from: Option<OsdId>,
    #[serde(default)]
    pub to: Option<OsdId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropNextTag {
    DropNext,
}

impl ClusterScenario {
    /// Check the scenario before running it, naming the first thing that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        self.cluster.validate()?;
        let osds: Vec<OsdId> = self
            .cluster
            .hosts
            .iter()
            .flat_map(|h| h.osds.clone())
            .collect();
        let mut last = 0;
        for (i, step) in self.script.iter().enumerate() {
            let at = format!("script[{i}] (at {} ms)", step.at_ms);
            if step.at_ms < last {
                return Err(format!("{at}: out of time order (after {last} ms)"));
            }
            last = step.at_ms;
            if let Some(osd) = step.action.osd() {
                if !osds.contains(&osd) {
                    return Err(format!("{at}: osd.{osd} is not in the cluster"));
                }
            }
        }
        if let Some(f) = &self.follow {
            if !osds.contains(&f.osd) {
                return Err(format!("follow.osd: osd.{} is not in the cluster", f.osd));
            }
            let pool = self.cluster.pools.iter().find(|p| p.id == f.pg.pool);
            if pool.is_none_or(|p| f.pg.seed >= p.pg_num) {
                return Err(format!("follow.pg: {} is not a PG of the cluster", f.pg));
            }
        }
        if self.max_steps == 0 || self.max_steps > 1_000_000 {
            return Err(format!("max_steps: {} (need 1..=1000000)", self.max_steps));
        }
        Ok(())
    }
}

impl ScriptAction {
    /// The OSD the action names, if any.
    fn osd(&self) -> Option<OsdId> {
        match self {
            ScriptAction::User(
                UserAction::Kill { osd }
                | UserAction::Revive { osd }
                | UserAction::MarkDown { osd }
                | UserAction::Out { osd }
                | UserAction::In { osd }
                | UserAction::Lost { osd },
            ) => Some(*osd),
            _ => None,
        }
    }
}

/// What a step of a run was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOrigin {
    /// The next event in time order.
    Next,
    /// A script action.
    Script,
    /// A user's choice: a chosen delivery, a drop, an action.
    User,
}

/// One step of a run: what the world did, and what caused it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClusterRecord {
    pub origin: StepOrigin,
    #[serde(flatten)]
    pub step: WorldStep,
}

impl ClusterRecord {
    /// The step's OSD-log-like lines: the epochs the monitor published, then every PG
    /// machine's micro-steps (`e2223 osd.3 pg 11.4 enter Started/Primary/Peering/GetInfo`),
    /// as `cephscope run` prints them (the browser's console groups too).
    pub fn log_lines(&self) -> Vec<String> {
        let epochs = self.step.epochs.iter().map(|e| format!("mon: {e}"));
        let pgs = self.step.pgs.iter().flat_map(|p| {
            let prefix = format!("e{} osd.{} pg {}", p.epoch, p.osd, p.pg);
            micro_log_lines(&prefix, &p.micro)
        });
        epochs.chain(pgs).collect()
    }
}

/// A cluster scenario being stepped. Cloneable, so a UI can keep snapshots.
#[derive(Clone, Debug)]
pub struct ClusterRun {
    pub scenario: ClusterScenario,
    pub world: World,
    pub records: Vec<ClusterRecord>,
    next_script: usize,
    /// Armed "drop_next" actions waiting for their message.
    armed: Vec<DropNext>,
    /// Has the user chosen anything (a delivery, a drop, an action)? Then a script action
    /// the world refuses is skipped, not an error of the scenario.
    user_chose: bool,
}

/// The sentence of a script action skipped because the user's choices made it moot.
pub fn skipped_sentence(what: &str, why: &str) -> String {
    format!("The script's {what} is skipped: {why} (the user's choices changed the story).")
}

/// What comes next in a run.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Next {
    /// An armed drop whose message is in flight.
    Drop {
        what: String,
    },
    Script {
        index: usize,
        at_ms: TimeMs,
        what: String,
    },
    Event(Pending),
}

/// What comes next, undescribed: [`Next`] without its words.
enum Chosen {
    /// Armed drop `armed` matches message `message`.
    Drop {
        armed: usize,
        message: u64,
    },
    Script {
        index: usize,
        at_ms: TimeMs,
    },
    Event(PendingId),
}

impl ClusterRun {
    pub fn new(scenario: ClusterScenario) -> Result<ClusterRun, String> {
        scenario.validate()?;
        let world = World::new(&scenario.cluster)?;
        Ok(ClusterRun {
            scenario,
            world,
            records: Vec::new(),
            next_script: 0,
            armed: Vec::new(),
            user_chose: false,
        })
    }

    /// What `step` would do: the script action when it is due no later than the
    /// earliest pending event, else that event.
    pub fn next(&self) -> Option<Next> {
        Some(match self.choose()? {
            Chosen::Drop { armed, .. } => Next::Drop {
                what: format!("lose the next {}", describe_drop(&self.armed[armed])),
            },
            Chosen::Script { index, at_ms } => Next::Script {
                index,
                at_ms,
                what: describe_script(&self.scenario.script[index].action),
            },
            Chosen::Event(_) => Next::Event(self.world.next_pending()?),
        })
    }

    /// What `next` chooses, without describing it (`step` does not need the words).
    fn choose(&self) -> Option<Chosen> {
        if let Some((armed, message)) = self.armed_match() {
            return Some(Chosen::Drop { armed, message });
        }
        let event = self.world.next_due();
        let script = self.scenario.script.get(self.next_script);
        match (script, event) {
            (Some(s), Some((at_ms, id))) if s.at_ms > at_ms => Some(Chosen::Event(id)),
            (Some(s), _) => Some(Chosen::Script {
                index: self.next_script,
                at_ms: s.at_ms,
            }),
            (None, Some((_, id))) => Some(Chosen::Event(id)),
            (None, None) => None,
        }
    }

    /// Nothing left to do, or the step bound reached.
    pub fn is_done(&self) -> bool {
        self.records.len() >= self.scenario.max_steps || self.choose().is_none()
    }

    /// Take the next step (see [`ClusterRun::next`]). `Ok(None)` when the run is done; an
    /// error when a script action is refused (it names the action).
    pub fn step(&mut self) -> Result<Option<&ClusterRecord>, String> {
        if self.records.len() >= self.scenario.max_steps {
            return Ok(None);
        }
        let Some(next) = self.choose() else {
            return Ok(None);
        };
        let (origin, step) = match next {
            Chosen::Drop { armed, message } => {
                self.armed.remove(armed);
                (
                    StepOrigin::Script,
                    self.world.act(UserAction::Drop { message })?,
                )
            }
            Chosen::Event(id) => (StepOrigin::Next, self.world.deliver(id)?),
            Chosen::Script { index, at_ms } => {
                self.next_script += 1;
                self.world.now = self.world.now.max(at_ms);
                let action = self.scenario.script[index].action.clone();
                match action {
                    ScriptAction::User(a) => {
                        let what = serde_json::to_string(&a).unwrap_or_default();
                        let step = match self.world.act(a) {
                            Ok(step) => step,
                            Err(e) if self.user_chose => self.world.nothing_done(
                                format!("script[{index}] (at {at_ms} ms): {what}"),
                                skipped_sentence(&what, &e),
                            ),
                            Err(e) => return Err(format!("script[{index}] (at {at_ms} ms): {e}")),
                        };
                        (StepOrigin::Script, step)
                    }
                    ScriptAction::DropNext(d) => {
                        self.armed.push(d);
                        return self.step();
                    }
                }
            }
        };
        self.records.push(ClusterRecord { origin, step });
        Ok(self.records.last())
    }

    /// The first armed drop with a matching message in flight: (armed index, message id).
    fn armed_match(&self) -> Option<(usize, u64)> {
        if self.armed.is_empty() {
            return None; // the common case: no need to list the deliverable messages
        }
        let matches = |ep: Endpoint, want: Option<OsdId>| match (want, ep) {
            (None, _) => true,
            (Some(-1), Endpoint::Mon) => true,
            (Some(o), Endpoint::Osd(x)) => o == x,
            _ => false,
        };
        let flight = self.world.net.deliverable();
        self.armed.iter().enumerate().find_map(|(i, d)| {
            flight
                .iter()
                .find(|e| {
                    e.msg.name() == d.message && matches(e.from, d.from) && matches(e.to, d.to)
                })
                .map(|e| (i, e.id))
        })
    }

    /// Deliver a chosen pending event now (a user's choice; per-connection FIFO holds).
    pub fn deliver(&mut self, id: PendingId) -> Result<&ClusterRecord, String> {
        let step = self.world.deliver(id)?;
        Ok(self.push_user(step))
    }

    /// A user action now (kill, revive, out, drop a message…).
    pub fn act(&mut self, action: UserAction) -> Result<&ClusterRecord, String> {
        let step = self.world.act(action)?;
        Ok(self.push_user(step))
    }

    fn push_user(&mut self, step: WorldStep) -> &ClusterRecord {
        self.user_chose = true;
        self.records.push(ClusterRecord {
            origin: StepOrigin::User,
            step,
        });
        self.records.last().expect("just pushed")
    }

    /// Step until done (or an error from the script).
    pub fn run_to_end(&mut self) -> Result<(), String> {
        while self.step()?.is_some() {}
        Ok(())
    }

    /// The trace as text: each step's sentence, then the OSD-log-like lines of every PG
    /// machine it moved (`e2223 osd.3 pg 11.4 enter Started/Primary/Peering/GetInfo`),
    /// then every PG's final state. `only` keeps the lines of one PG.
    pub fn trace_text(&self, only: Option<PgId>) -> String {
        let mut out = String::new();
        for r in &self.records {
            let pgs: Vec<_> = r
                .step
                .pgs
                .iter()
                .filter(|p| only.is_none_or(|pg| p.pg == pg))
                .collect();
            if only.is_some() && pgs.is_empty() {
                continue;
            }
            out.push_str(&format!("# {}\n", r.step.explanation));
            for p in pgs {
                let prefix = format!("e{} osd.{} pg {}", p.epoch, p.osd, p.pg);
                for line in micro_log_lines(&prefix, &p.micro) {
                    out.push_str(&line);
                    out.push('\n');
                }
            }
        }
        out.push_str(&self.pg_summary(only));
        out
    }

    /// `ceph pg dump pgs_brief`-like lines: PG, state, up, acting, and the primary's path.
    pub fn pg_summary(&self, only: Option<PgId>) -> String {
        let table = self
            .world
            .mappings
            .last()
            .expect("the world always has a map");
        let states = self.world.pg_states();
        let mut out = format!("e{} at {} ms\n", self.world.map().epoch, self.world.now);
        for (pg, m) in &table.by_pg {
            if only.is_some_and(|o| o != *pg) {
                continue;
            }
            let path = self
                .world
                .osds
                .get(&m.acting_primary)
                .and_then(|n| n.pgs.get(pg))
                .map_or("-", |i| {
                    i.machine.path(crate::engine::peering::chart::definition())
                });
            out.push_str(&format!(
                "pg {pg} {} up {:?} acting {:?} (osd.{}: {path})\n",
                states.get(pg).map_or("unknown", String::as_str),
                m.up,
                m.acting,
                m.acting_primary
            ));
        }
        out
    }

    /// The states the followed PG's machine entered on `osd`, in order, with the epoch.
    pub fn entered(&self, osd: OsdId, pg: PgId) -> Vec<(u32, String)> {
        self.records
            .iter()
            .flat_map(|r| r.step.pgs.iter())
            .filter(|p| p.osd == osd && p.pg == pg)
            .flat_map(|p| {
                p.micro.iter().filter_map(move |m| match m {
                    crate::engine::statechart::Micro::Enter { state } => {
                        Some((p.epoch, state.to_string()))
                    }
                    _ => None,
                })
            })
            .collect()
    }
}

fn describe_script(action: &ScriptAction) -> String {
    match action {
        ScriptAction::User(a) => a.command_text(),
        ScriptAction::DropNext(d) => format!("arm: lose the next {}", describe_drop(d)),
    }
}

fn describe_drop(d: &DropNext) -> String {
    let who = |o: Option<OsdId>| match o {
        None => "anyone".to_string(),
        Some(-1) => "mon".to_string(),
        Some(o) => format!("osd.{o}"),
    };
    format!("{} {} → {}", d.message, who(d.from), who(d.to))
}

/// The built-in cluster scenarios (JSON files under src/engine/scenarios/, which also
/// serve as examples of the format).
const BUILTIN_JSON: &[&str] = &[
    include_str!("scenarios/seed000-down-lost.json"),
    include_str!("scenarios/seed000-down-revive.json"),
    include_str!("scenarios/seed001-q13-up-thru.json"),
    include_str!("scenarios/seed001-q13-no-up-thru.json"),
    include_str!("scenarios/jewel-osd0-down-out.json"),
    include_str!("scenarios/backfill-toofull.json"),
    include_str!("scenarios/backfill-revoked-toofull.json"),
    include_str!("scenarios/unfound-object.json"),
    include_str!("scenarios/unfound-found-on-stray.json"),
    include_str!("scenarios/luminous-osd-stop-start.json"),
    include_str!("scenarios/recovery-preempts-backfill.json"),
    include_str!("scenarios/force-recovery.json"),
    include_str!("scenarios/les-bound-incomplete.json"),
    include_str!("scenarios/pool-delete.json"),
    include_str!("scenarios/async-recovery.json"),
];

/// The built-in cluster scenarios, in the order the picker lists them.
pub fn builtin() -> Vec<ClusterScenario> {
    BUILTIN_JSON
        .iter()
        .map(|j| from_json(j).expect("built-in scenarios are valid (tests/cluster.rs)"))
        .collect()
}

/// Find a built-in cluster scenario by name. Only that one is parsed: the others' names
/// are read without building their scripts.
pub fn find(name: &str) -> Option<ClusterScenario> {
    #[derive(Deserialize)]
    struct Named {
        name: String,
    }
    let json = BUILTIN_JSON
        .iter()
        .find(|j| serde_json::from_str::<Named>(j).is_ok_and(|n| n.name == name))?;
    Some(from_json(json).expect("built-in scenarios are valid (tests/cluster.rs)"))
}

/// Parse a cluster scenario from JSON, naming what is wrong.
pub fn from_json(json: &str) -> Result<ClusterScenario, String> {
    let s: ClusterScenario = serde_json::from_str(json).map_err(|e| {
        // The script's actions are an untagged enum, whose own error names no field:
        // say which entry is wrong and why.
        script_error(json).unwrap_or_else(|| format!("cluster scenario JSON: {e}"))
    })?;
    s.validate()?;
    Ok(s)
}

/// The first script entry that does not parse, as `script[i] (at N ms): why`.
fn script_error(json: &str) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_str(json).ok()?;
    for (i, entry) in doc.get("script")?.as_array()?.iter().enumerate() {
        let mut fields = entry.as_object()?.clone();
        let at = fields.remove("at_ms");
        let at = at.map_or("no at_ms".to_string(), |v| format!("at {v} ms"));
        let value = serde_json::Value::Object(fields);
        let why = if value.get("action").and_then(|a| a.as_str()) == Some("drop_next") {
            serde_json::from_value::<DropNext>(value).err()
        } else {
            serde_json::from_value::<UserAction>(value).err()
        };
        if let Some(why) = why {
            return Some(format!("script[{i}] ({at}): {why}"));
        }
    }
    None
}

/// A PG id as Ceph prints it ("11.4") in scenario files.
mod pgid_text {
    use crate::engine::osdmap::PgId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(pg: &PgId, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(pg)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PgId, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
