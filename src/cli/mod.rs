//! The `cephscope` CLI: thin wrappers over the engine. Errors are one line on stderr and
//! exit status 2.

use cephscope::engine::mds::rados as mds_rados;
use cephscope::engine::mds::scenario as mds_scenario;
use cephscope::engine::{cluster, dot, peering, scenario};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "cephscope",
    version,
    about = "Step through Ceph's PG peering, recovery and MDS state machines",
    long_about = "cephscope simulates Ceph's state machines deterministically, one event at a \
                  time, and prints what happened the way an OSD log would. The same engine runs \
                  in the browser (see README.md)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a state machine as Graphviz DOT, in the style of Ceph's gen_state_diagram.py
    Dot {
        /// Which machine
        machine: Machine,
    },
    /// List the built-in scenarios: name, then a one-line summary
    Scenarios,
    /// Past intervals and the prior set of one PG from a JSON list of map epochs
    Intervals {
        /// JSON: {"epochs": [{epoch, up, acting, up_primary, acting_primary, pool, osds}], "history": {...}}
        file: PathBuf,
    },
    /// Run Ceph's PGLog algorithms on logs given as JSON (field names as Ceph's dumps)
    Pglog {
        #[command(subcommand)]
        op: PglogOp,
    },
    /// Lay the peering chart out with ELK and print the layout JSON the web app draws
    Layout {
        /// Write it to www/layout/peering.json (and the MDS chart's to www/layout/mds.json)
        /// instead of printing it
        #[arg(long)]
        write: bool,
    },
    /// Run a scenario and print its trace as OSD-log-like lines, then the final PG states
    Run {
        /// A built-in scenario name (see `cephscope scenarios`) or a scenario JSON file
        /// (a cluster scenario has "cluster" and "script"; a machine walkthrough "events")
        scenario: String,
        /// Print the step records as JSON instead
        #[arg(long)]
        json: bool,
        /// Cluster scenarios: only the lines of this PG (e.g. 11.4)
        #[arg(long)]
        pg: Option<String>,
    },
    /// `ceph pg <pgid> query` on a cluster scenario's PG: its state, up, acting and the
    /// primary's recovery_state, at the end of the run or at the step asked for
    Query {
        /// A built-in cluster scenario name or a cluster scenario JSON file
        scenario: String,
        /// The PG (e.g. 1.0)
        #[arg(long)]
        pg: String,
        /// Stop after this many steps
        #[arg(long, conflicts_with = "until")]
        step: Option<usize>,
        /// Stop at the first step after which the PG's state string contains this (e.g. down)
        #[arg(long)]
        until: Option<String>,
    },
}

#[derive(Subcommand)]
enum PglogOp {
    /// PGLog::merge_log: adopt the authoritative log ("auth") into "local"
    Merge {
        /// JSON: {"local": {"log", "info", "missing"}, "auth": {"log", "info"}}
        file: PathBuf,
    },
    /// PGLog::proc_replica_log: the primary ("auth") works out a replica's ("local") true
    /// last_update and missing set
    ProcReplicaLog {
        /// JSON: {"local": {"log", "info", "missing"}, "auth": {"log", "info"}}
        file: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Machine {
    /// The PG PeeringMachine (src/osd/PeeringState.h)
    Peering,
    /// The MDS daemon and rank states (src/mds/MDSMap.h, doc/cephfs/mds-state-diagram.dot)
    Mds,
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli.command) {
        Ok(out) => {
            print!("{out}");
            0
        }
        Err(message) => {
            eprintln!("cephscope: {message}");
            2
        }
    }
}

fn run(command: Command) -> Result<String, String> {
    match command {
        Command::Dot {
            machine: Machine::Peering,
        } => Ok(dot::to_dot(peering::chart::definition())),
        Command::Dot {
            machine: Machine::Mds,
        } => Ok(cephscope::engine::mds::chart::to_dot()),
        Command::Scenarios => Ok(list_scenarios()),
        Command::Run { scenario, json, pg } => run_scenario(&scenario, json, pg.as_deref()),
        Command::Query {
            scenario,
            pg,
            step,
            until,
        } => query(&scenario, &pg, step, until.as_deref()),
        Command::Layout { write } => layout(write),
        Command::Pglog { op } => pglog(op),
        Command::Intervals { file } => {
            json_tool(&file, cephscope::engine::intervals::cli_intervals)
        }
    }
}

/// An engine entry point that takes a JSON document and answers one.
type JsonTool = fn(&str) -> Result<serde_json::Value, String>;

fn pglog(op: PglogOp) -> Result<String, String> {
    let (file, run): (PathBuf, JsonTool) = match op {
        PglogOp::Merge { file } => (file, cephscope::engine::pglog::cli_merge),
        PglogOp::ProcReplicaLog { file } => (file, cephscope::engine::pglog::cli_proc_replica_log),
    };
    json_tool(&file, run)
}

/// Read a JSON file, hand it to an engine entry point, print its JSON answer.
fn json_tool(file: &std::path::Path, run: JsonTool) -> Result<String, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let out = run(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    serde_json::to_string_pretty(&out)
        .map(|s| s + "\n")
        .map_err(|e| e.to_string())
}

/// The committed layouts the web app reads; tests/layout_elk.rs fails when one is stale.
const LAYOUT_PATH: &str = "www/layout/peering.json";
const MDS_LAYOUT_PATH: &str = "www/layout/mds.json";

/// Lay out the peering chart (printed without `--write`) and, with `--write`, write it and
/// the MDS chart's layout.
fn layout(write: bool) -> Result<String, String> {
    use cephscope::layout_elk::{elk_layout, to_json_string};
    let json = to_json_string(&elk_layout(peering::chart::definition())?);
    if !write {
        return Ok(json);
    }
    let mds = to_json_string(&elk_layout(cephscope::engine::mds::chart::definition())?);
    let mut out = String::new();
    for (path, text) in [(LAYOUT_PATH, &json), (MDS_LAYOUT_PATH, &mds)] {
        std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
        out.push_str(&format!("wrote {path} ({} bytes)\n", text.len()));
    }
    Ok(out)
}

fn first_sentence(text: &str) -> &str {
    text.split_once(". ").map_or(text, |(first, _)| first)
}

/// Both kinds of built-in scenario: the cluster stories first, then the machine
/// walkthroughs.
fn list_scenarios() -> String {
    let clusters = cluster::builtin()
        .into_iter()
        .map(|s| format!("{}\tcluster\t{}\n", s.name, first_sentence(&s.narration)));
    let machines = scenario::builtin()
        .into_iter()
        .map(|s| format!("{}\tmachine\t{}\n", s.name, first_sentence(&s.narration)));
    let mds = cephscope::engine::mds::scenario::builtin()
        .into_iter()
        .map(|s| format!("{}\tmds\t{}\n", s.name, first_sentence(&s.narration)));
    let cephfs = mds_rados::builtin()
        .into_iter()
        .map(|s| format!("{}\tcephfs\t{}\n", s.name, first_sentence(&s.narration)));
    clusters.chain(machines).chain(mds).chain(cephfs).collect()
}

enum Loaded {
    Cluster(Box<cluster::ClusterScenario>),
    Machine(scenario::Scenario),
    Mds(Box<mds_scenario::MdsScenario>),
    Cephfs(Box<mds_rados::CephfsScenario>),
}

fn load_scenario(name_or_path: &str) -> Result<Loaded, String> {
    let path = PathBuf::from(name_or_path);
    if name_or_path.ends_with(".json") || path.is_file() {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let at = |e: String| format!("{}: {e}", path.display());
        // A cluster scenario names its cluster; anything else is a machine walkthrough.
        let value = serde_json::from_str::<serde_json::Value>(&text).ok();
        let is_cluster = value.as_ref().is_some_and(|v| v.get("cluster").is_some());
        // A CephFS-over-RADOS scenario names a cluster and daemons; an MDS one daemons.
        if value.as_ref().is_some_and(mds_rados::is_cephfs_json) {
            return mds_rados::from_json(&text)
                .map(|s| Loaded::Cephfs(Box::new(s)))
                .map_err(at);
        }
        if value.as_ref().is_some_and(|v| v.get("daemons").is_some()) {
            return mds_scenario::from_json(&text)
                .map(|s| Loaded::Mds(Box::new(s)))
                .map_err(at);
        }
        return if is_cluster {
            cluster::from_json(&text)
                .map(|s| Loaded::Cluster(Box::new(s)))
                .map_err(at)
        } else {
            scenario::from_json(&text).map(Loaded::Machine).map_err(at)
        };
    }
    if let Some(s) = cluster::find(name_or_path) {
        return Ok(Loaded::Cluster(Box::new(s)));
    }
    if let Some(s) = mds_scenario::find(name_or_path) {
        return Ok(Loaded::Mds(Box::new(s)));
    }
    if let Some(s) = mds_rados::find(name_or_path) {
        return Ok(Loaded::Cephfs(Box::new(s)));
    }
    scenario::find(name_or_path)
        .map(Loaded::Machine)
        .map_err(|_| {
            let names: Vec<String> = cluster::builtin()
                .into_iter()
                .map(|s| s.name)
                .chain(scenario::builtin().into_iter().map(|s| s.name))
                .chain(mds_scenario::builtin().into_iter().map(|s| s.name))
                .chain(mds_rados::builtin().into_iter().map(|s| s.name))
                .collect();
            format!(
                "unknown scenario '{name_or_path}' (built-in: {})",
                names.join(", ")
            )
        })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| e.to_string())
}

/// Run a cluster scenario to a step (`--step`, `--until`, or its end) and print `ceph pg
/// query` for one PG: from its acting primary, as `peering::query::recovery_state` builds it.
fn query(
    name_or_path: &str,
    pg: &str,
    step: Option<usize>,
    until: Option<&str>,
) -> Result<String, String> {
    let Loaded::Cluster(s) = load_scenario(name_or_path)? else {
        return Err(format!("{name_or_path} is not a cluster scenario"));
    };
    let pgid: cephscope::engine::osdmap::PgId = pg.parse()?;
    let mut run = cluster::ClusterRun::new(*s)?;
    let state_of = |run: &cluster::ClusterRun| run.world.pg_states().get(&pgid).cloned();
    if state_of(&run).is_none() {
        return Err(format!("pg {pg} is not in the cluster"));
    }
    let mut taken = 0;
    loop {
        if step == Some(taken) {
            break;
        }
        if let (Some(want), Some(now)) = (until, state_of(&run)) {
            if taken > 0 && now.contains(want) {
                break;
            }
        }
        if run.step()?.is_none() {
            if let Some(n) = step {
                return Err(format!("--step {n}: the run ends after {taken} steps"));
            }
            if let Some(want) = until {
                return Err(format!(
                    "pg {pg} is never {want:?} (the run ends after {taken} steps)"
                ));
            }
            break;
        }
        taken += 1;
    }
    let table = run.world.mappings.last().ok_or("no map")?;
    // A PG of a pool deleted on the way has no mapping any more (Ceph: ENOENT).
    let m = table.by_pg.get(&pgid).ok_or_else(|| {
        format!(
            "pg {pg} does not exist at step {taken} (e{}): its pool was deleted",
            run.world.map().epoch
        )
    })?;
    let primary = run
        .world
        .osds
        .get(&m.acting_primary)
        .and_then(|n| n.pgs.get(&pgid));
    let recovery_state = primary.map_or(serde_json::json!([]), |i| {
        peering::query::recovery_state(&i.machine, &i.state)
    });
    let out = serde_json::json!({
        "step": taken,
        "epoch": run.world.map().epoch,
        "state": state_of(&run),
        "up": m.up,
        "acting": m.acting,
        "acting_primary": m.acting_primary,
        "recovery_state": recovery_state,
    });
    to_json(&out)
}

fn run_scenario(name_or_path: &str, json: bool, pg: Option<&str>) -> Result<String, String> {
    match load_scenario(name_or_path)? {
        Loaded::Machine(s) => {
            if pg.is_some() {
                return Err("--pg applies to cluster scenarios only".into());
            }
            let mut run = scenario::Run::new(s);
            run.run_to_end();
            if json {
                return to_json(&run.records);
            }
            Ok(run.trace_text())
        }
        Loaded::Cluster(s) => {
            let only = pg.map(str::parse).transpose()?;
            let mut run = cluster::ClusterRun::new(*s)?;
            run.run_to_end()?;
            if json {
                return to_json(&run.records);
            }
            Ok(run.trace_text(only))
        }
        Loaded::Mds(s) => {
            if pg.is_some() {
                return Err("--pg applies to cluster scenarios only".into());
            }
            let mut run = mds_scenario::MdsRun::new(*s)?;
            run.run_to_end()?;
            if json {
                return Ok(run.trace_json());
            }
            Ok(run.trace_text())
        }
        Loaded::Cephfs(s) => {
            if pg.is_some() {
                return Err("--pg applies to cluster scenarios only".into());
            }
            let mut run = mds_rados::CephfsRun::new(*s)?;
            run.run_to_end()?;
            if json {
                return Ok(run.trace_json());
            }
            Ok(run.trace_text())
        }
    }
}
