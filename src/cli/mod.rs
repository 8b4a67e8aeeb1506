//! The `cephscope` CLI: thin wrappers over the engine. Errors are one line on stderr and
//! exit status 2.

use cephscope::engine::{dot, peering, scenario};
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
        /// Write it to www/layout/peering.json instead of printing it
        #[arg(long)]
        write: bool,
    },
    /// Run a scenario and print its trace as OSD-log-like lines, then the final PG state
    Run {
        /// A built-in scenario name (see `cephscope scenarios`) or a scenario JSON file
        scenario: String,
        /// Print the step records as JSON instead
        #[arg(long)]
        json: bool,
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
        Command::Scenarios => Ok(scenario::builtin()
            .iter()
            .map(|s| format!("{}\t{}\n", s.name, first_sentence(&s.narration)))
            .collect()),
        Command::Run { scenario, json } => run_scenario(&scenario, json),
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

/// The committed layout the web app reads; tests/layout_elk.rs fails when it is stale.
const LAYOUT_PATH: &str = "www/layout/peering.json";

fn layout(write: bool) -> Result<String, String> {
    let json = cephscope::layout_elk::to_json_string(&cephscope::layout_elk::elk_layout(
        peering::chart::definition(),
    )?);
    if !write {
        return Ok(json);
    }
    std::fs::write(LAYOUT_PATH, &json).map_err(|e| format!("cannot write {LAYOUT_PATH}: {e}"))?;
    Ok(format!("wrote {LAYOUT_PATH} ({} bytes)\n", json.len()))
}

fn first_sentence(text: &str) -> &str {
    text.split_once(". ").map_or(text, |(first, _)| first)
}

fn load_scenario(name_or_path: &str) -> Result<scenario::Scenario, String> {
    let path = PathBuf::from(name_or_path);
    if name_or_path.ends_with(".json") || path.is_file() {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return scenario::from_json(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    scenario::find(name_or_path)
}

fn run_scenario(name_or_path: &str, json: bool) -> Result<String, String> {
    let mut run = scenario::Run::new(load_scenario(name_or_path)?);
    run.run_to_end();
    if json {
        return serde_json::to_string_pretty(&run.records)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string());
    }
    let out = run.trace_text();
    Ok(out)
}
