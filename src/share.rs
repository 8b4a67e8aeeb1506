//! Share links: the URL hash that restores a view. Pure string handling, compiled natively
//! so it is tested without a browser. Anything unexpected in a hash is reported, never
//! trusted: values are only ever used as a *name* looked up among the built-ins
//! (scenarios, examples, views), or as a number.
//!
//! * statechart (the default tab): `#scenario=new-interval&step=4`
//! * intervals: `#view=intervals&example=seed001_q13`
//! * PG log: `#view=pglog&example=merge_divergent&step=3` (`step` = the decision shown,
//!   counted from 0; one past the last decision is the final result)
//! * cluster: `#view=cluster&scenario=seed000-down-lost&step=12` (`step` = plain steps
//!   taken) or, once the user chose anything but the next event,
//!   `#view=cluster&scenario=seed000-down-lost&h=v2_n12_m40_k2_n3` — `h` is every
//!   `engine::timeline::Choice` in order (see [`choices_to_text`]), so the link replays to
//!   exactly the same cluster state
//! * mds: `#view=mds&scenario=mds-failover-single-rank&step=40` (`step` = steps taken) or
//!   `h=v2_…` with the user's deliveries and actions (see [`mds_choices_to_text`])
//! * a scenario the user loaded from a file (not a built-in) adds `src=` to the link of its
//!   tab: the scenario's JSON, deflated ([`miniz_oxide`]) and base64url-encoded (see
//!   [`source_to_text`]); the `scenario=` name then names that scenario. Links of built-ins
//!   carry no `src=` and are unchanged.
//! * embed mode adds `embed=1` (then `view` is always written) and optionally `controls=0`,
//!   `from`, `to` (the steps a reader may reach; not for the intervals view).

use crate::engine::mds::fsmap::Rank;
use crate::engine::mds::world::MdsAction;
use crate::engine::osdmap::PgId;
use crate::engine::timeline::Choice;
use crate::engine::world::{LostModeText, PendingId, UserAction};

/// What a link restores.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Link {
    /// The tab (or, embedded, the one view) shown.
    pub view: View,
    /// The statechart's scenario (statechart and narration views).
    pub scenario: Option<String>,
    /// The built-in example of the intervals or PG log view.
    pub example: Option<String>,
    /// The step of the view: scenario steps taken, or the PG log decision shown.
    pub step: usize,
    /// `embed=1`: one view without the surrounding page, for an iframe.
    pub embed: Option<Embed>,
    /// `h=`: the history's choices (cluster and MDS views), still as text; parsed by
    /// [`parse_choices`] or [`parse_mds_choices`] when the view is restored.
    pub history: Option<String>,
    /// `src=`: the JSON text of a scenario loaded from a file (decoded by
    /// [`source_from_text`]), validated by the engine's parsers when the link is opened.
    pub source: Option<String>,
}

/// Embed mode: `embed=1&view=statechart&controls=0&from=2&to=5`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embed {
    pub controls: bool,
    /// Stepping is limited to steps `from..=to`.
    pub from: usize,
    pub to: Option<usize>,
}

/// The views a link can show. On the full page `narration` is part of the statechart tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Statechart,
    Narration,
    Intervals,
    PgLog,
    Cluster,
    Mds,
}

impl View {
    pub const ALL: [(View, &'static str); 6] = [
        (View::Statechart, "statechart"),
        (View::Narration, "narration"),
        (View::Intervals, "intervals"),
        (View::PgLog, "pglog"),
        (View::Cluster, "cluster"),
        (View::Mds, "mds"),
    ];

    /// Is this view the first module's (`lite`)? The others are the whole app's.
    pub fn in_first_module(self) -> bool {
        matches!(self, View::Statechart | View::Narration)
    }

    pub fn name(self) -> &'static str {
        View::ALL
            .iter()
            .find(|(v, _)| *v == self)
            .map_or("", |(_, n)| n)
    }

    fn parse(s: &str) -> Result<View, String> {
        View::ALL
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(v, _)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = View::ALL.iter().map(|(_, n)| *n).collect();
                format!("view '{s}' is not one of {}", names.join(", "))
            })
    }

    /// Does this view show the statechart's scenario (`scenario=`)?
    pub fn shows_scenario(self) -> bool {
        matches!(self, View::Statechart | View::Narration)
    }

    /// Does this view's link name a scenario (`scenario=`): the statechart's, a cluster's
    /// or an MDS one?
    pub fn names_scenario(self) -> bool {
        matches!(
            self,
            View::Statechart | View::Narration | View::Cluster | View::Mds
        )
    }

    /// Does this view keep a history of choices (`h=`)?
    pub fn has_history(self) -> bool {
        matches!(self, View::Cluster | View::Mds)
    }

    /// Does this view have steps (`step`, `from`, `to`)?
    pub fn has_steps(self) -> bool {
        self != View::Intervals
    }
}

fn number(key: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{key} '{value}' is not a number"))
}

/// Does this hash need the whole app: a loaded scenario (`src=`) or a view other than
/// the statechart's and the narration's (`View::in_first_module`)? The first module
/// (`lite`) hands such a link to the whole app as it is, without reading it (it has
/// neither the inflater nor those views' engines). www/index.html's loader makes the
/// same choice before loading either.
pub fn needs_full_app(hash: &str) -> bool {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    hash.split('&').any(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        key == "src" || (key == "view" && View::parse(value).is_ok_and(|v| !v.in_first_module()))
    })
}

/// Parse a location hash (with or without the leading `#`).
pub fn parse_hash(hash: &str) -> Result<Link, String> {
    let mut link = Link::default();
    let mut embed = false;
    let mut controls = true;
    let mut from = None;
    let mut to = None;
    let mut step = None;
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    for pair in hash.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == "h" {
            // Kept escaped: its fields are split before an object name is decoded.
            link.history = Some(value.to_string());
            continue;
        }
        if key == "src" {
            // The first module hands these links to the whole app (`needs_full_app`).
            #[cfg(feature = "lite")]
            return Err("src= links open in the whole app".into());
            #[cfg(not(feature = "lite"))]
            {
                link.source = Some(source_from_text(value)?);
                continue;
            }
        }
        let value = decode(value)?;
        match key {
            "scenario" => link.scenario = Some(value),
            "example" => link.example = Some(value),
            "step" => step = Some(number("step", &value)?),
            "embed" => embed = value == "1",
            "view" => link.view = View::parse(&value)?,
            "controls" => controls = value != "0",
            "from" => from = Some(number("from", &value)?),
            "to" => to = Some(number("to", &value)?),
            other => return Err(format!("unknown link field '{}'", decode(other)?)),
        }
    }
    let view = link.view;
    if link.source.is_some() && !view.names_scenario() {
        return Err(format!(
            "src= belongs to the statechart, narration, cluster and mds views, not {}",
            view.name()
        ));
    }
    if link.scenario.is_some() && !view.names_scenario() {
        return Err(format!(
            "scenario= belongs to the statechart, narration, cluster and mds views, not {}",
            view.name()
        ));
    }
    if link.example.is_some() && view.names_scenario() {
        return Err(format!(
            "example= belongs to the intervals and pglog views, not {}",
            view.name()
        ));
    }
    if link.history.is_some() {
        if !view.has_history() {
            return Err(format!(
                "h= belongs to the cluster and mds views, not {}",
                view.name()
            ));
        }
        if step.is_some() {
            return Err("a link has step= or h=, not both".into());
        }
    }
    if !view.has_steps() {
        if let Some((key, _)) = [("step", step), ("from", from), ("to", to)]
            .into_iter()
            .find(|(_, v)| v.is_some())
        {
            return Err(format!("the {} view has no steps ({key}=)", view.name()));
        }
    }
    let from_n = from.unwrap_or(0);
    if let Some(to) = to {
        if to < from_n {
            return Err(format!("to={to} is before from={from_n}"));
        }
    }
    link.step = step.unwrap_or(0);
    if embed {
        link.embed = Some(Embed {
            controls,
            from: from_n,
            to,
        });
    }
    Ok(link)
}

/// The hash for a view.
pub fn to_hash(link: &Link) -> String {
    let mut parts = Vec::new();
    if link.embed.is_none() && link.view != View::Statechart {
        parts.push(format!("view={}", link.view.name()));
    }
    if link.view.names_scenario() {
        if let Some(s) = &link.scenario {
            parts.push(format!("scenario={}", encode(s)));
        }
        // The first module never has a loaded scenario (it hands files to the whole app).
        #[cfg(not(feature = "lite"))]
        if let Some(src) = &link.source {
            parts.push(format!("src={}", source_to_text(src)));
        }
    } else if let Some(e) = &link.example {
        parts.push(format!("example={}", encode(e)));
    }
    match &link.history {
        Some(h) if link.view.has_history() => parts.push(format!("h={h}")),
        _ if link.view.has_steps() => parts.push(format!("step={}", link.step)),
        _ => {}
    }
    if let Some(e) = &link.embed {
        parts.push(format!("embed=1&view={}", link.view.name()));
        if !e.controls {
            parts.push("controls=0".into());
        }
        if link.view.has_steps() {
            if e.from > 0 {
                parts.push(format!("from={}", e.from));
            }
            if let Some(to) = e.to {
                parts.push(format!("to={to}"));
            }
        }
    }
    format!("#{}", parts.join("&"))
}

/// The largest scenario text a `src=` token may inflate to (as a loaded file's limit).
pub const MAX_SOURCE_BYTES: usize = 1_000_000;

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A loaded scenario's JSON as `src=` text: raw deflate (miniz_oxide, level 9) then
/// base64url without padding. (Ceph has no counterpart: this is the page's own link.)
pub fn source_to_text(json: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    let mut out = String::with_capacity(packed.len() * 4 / 3 + 3);
    for chunk in packed.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(BASE64URL[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// `src=` text back into the scenario's JSON text; an error says what is wrong (not
/// base64url, not deflate data, too large, not UTF-8). The JSON itself is validated later,
/// by the engine's scenario parsers.
pub fn source_from_text(text: &str) -> Result<String, String> {
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (i, c) in text.bytes().enumerate() {
        let Some(v) = BASE64URL.iter().position(|b| *b == c) else {
            return Err(format!(
                "src= is not base64url: character {} ('{}') is not A-Z, a-z, 0-9, - or _",
                i + 1,
                char::from(c).escape_default()
            ));
        };
        acc = (acc << 6 | v as u32) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
        }
    }
    if bits >= 6 {
        return Err("src= is cut short (its length is not that of base64url text)".into());
    }
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_SOURCE_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                format!("src= inflates to more than {MAX_SOURCE_BYTES} bytes")
            }
            _ => "src= is not a compressed scenario (the deflate data is damaged or cut short)"
                .into(),
        })?;
    String::from_utf8(json).map_err(|_| "src= does not hold UTF-8 text".into())
}

/// The version of the `h=` encoding written (and the only one read).
/// v2: since each PG advances to a new map in a step of its own (`QueuedAdvance`), a v1
/// history's step counts would replay to other steps.
pub const HISTORY_VERSION: &str = "v2";

/// A cluster history as `h=` text: `v2` then one token per choice, `_`-separated, with
/// runs of the next event folded (`n12` = 12 next steps):
/// `n`/`nN` next, `mID` / `tID` / `aID` deliver message / timer / PG map advance ID,
/// `kO` kill, `rO` revive, `dO` mark down, `oO` out, `iO` in, `lO` lost (osd O), `xID` drop message ID,
/// `wPG~OBJ` write, `ePG~OBJ` delete, `uPG~r|d` mark_unfound_lost revert|delete,
/// `fPG~r|b` force-recovery|force-backfill, `cPG~r|b` their cancel-
/// (OBJ escaped: anything but a letter or digit as %XX).
pub fn choices_to_text(choices: &[Choice]) -> String {
    let mut tokens = vec![HISTORY_VERSION.to_string()];
    let mut nexts = 0;
    let flush = |tokens: &mut Vec<String>, nexts: &mut usize| {
        match *nexts {
            0 => {}
            1 => tokens.push("n".into()),
            n => tokens.push(format!("n{n}")),
        }
        *nexts = 0;
    };
    for c in choices {
        let Some(token) = cluster_token(c) else {
            nexts += 1;
            continue;
        };
        flush(&mut tokens, &mut nexts);
        tokens.push(token);
    }
    flush(&mut tokens, &mut nexts);
    tokens.join("_")
}

/// One cluster choice's `h=` token; `None` for `Next` (counted into `n` runs).
fn cluster_token(c: &Choice) -> Option<String> {
    Some(match c {
        Choice::Next => return None,
        Choice::Deliver {
            id: PendingId::Message(m),
        } => format!("m{m}"),
        Choice::Deliver {
            id: PendingId::Timer(t),
        } => format!("t{t}"),
        Choice::Deliver {
            id: PendingId::Advance(a),
        } => format!("a{a}"),
        Choice::Act { action } => action_token(action),
    })
}

fn action_token(a: &UserAction) -> String {
    match a {
        UserAction::Kill { osd } => format!("k{osd}"),
        UserAction::Revive { osd } => format!("r{osd}"),
        UserAction::MarkDown { osd } => format!("d{osd}"),
        UserAction::Out { osd } => format!("o{osd}"),
        UserAction::In { osd } => format!("i{osd}"),
        UserAction::Lost { osd } => format!("l{osd}"),
        UserAction::DeletePool { pool } => format!("p{}", encode_strict(pool)),
        UserAction::AllowPoolDelete { allow } => format!("g{}", u8::from(*allow)),
        UserAction::Drop { message } => format!("x{message}"),
        UserAction::Write { pg, object } => format!("w{pg}~{}", encode_strict(object)),
        UserAction::Delete { pg, object } => format!("e{pg}~{}", encode_strict(object)),
        UserAction::MarkUnfoundLost { pg, mode } => format!(
            "u{pg}~{}",
            match mode {
                LostModeText::Revert => "r",
                LostModeText::Delete => "d",
            }
        ),
        UserAction::ForceRecovery { pg } => format!("f{pg}~r"),
        UserAction::ForceBackfill { pg } => format!("f{pg}~b"),
        UserAction::CancelForceRecovery { pg } => format!("c{pg}~r"),
        UserAction::CancelForceBackfill { pg } => format!("c{pg}~b"),
    }
}

/// Split `v2_tok_tok…` into its tokens, checking the version.
fn history_tokens(text: &str) -> Result<std::str::Split<'_, char>, String> {
    let mut tokens = text.split('_');
    match tokens.next() {
        Some(HISTORY_VERSION) => Ok(tokens),
        Some("v1") => Err(format!(
            "h= is version 'v1', from before each PG took a new map in a step of its own; \
             its step counts would replay to other steps (this app reads {HISTORY_VERSION})"
        )),
        Some(v) if v.starts_with('v') => Err(format!(
            "h= is version '{v}', this app reads {HISTORY_VERSION}"
        )),
        _ => Err(format!("h= must start with '{HISTORY_VERSION}_'")),
    }
}

/// Parse `h=` text back into the cluster history's choices; an error names the token.
pub fn parse_choices(text: &str) -> Result<Vec<Choice>, String> {
    let mut out = Vec::new();
    for (i, token) in history_tokens(text)?.enumerate() {
        let bad = |why: &str| format!("h= token {} '{token}': {why}", i + 1);
        let (tag, rest) = token.split_at(token.chars().next().map_or(0, char::len_utf8));
        let int = |what: &str| -> Result<u64, String> {
            rest.parse::<u64>()
                .map_err(|_| bad(&format!("{what} '{rest}' is not a number")))
        };
        let osd = || -> Result<i32, String> {
            rest.parse::<i32>()
                .ok()
                .filter(|o| *o >= 0)
                .ok_or_else(|| bad(&format!("osd '{rest}' is not an OSD number")))
        };
        let pg_obj = || -> Result<(PgId, String), String> {
            let (pg, obj) = rest
                .split_once('~')
                .ok_or_else(|| bad("expected PG~NAME"))?;
            let pg = pg
                .parse::<PgId>()
                .map_err(|_| bad(&format!("'{pg}' is not a PG id like 1.0")))?;
            let obj = decode(obj).map_err(|e| bad(&e))?;
            Ok((pg, obj))
        };
        let act = |action: UserAction| Choice::Act { action };
        match tag {
            "n" if rest.is_empty() => out.push(Choice::Next),
            "n" => {
                let n = int("count")?;
                if n == 0 || n > 1_000_000 {
                    return Err(bad("a run of next steps is 1..=1000000"));
                }
                out.extend(std::iter::repeat_n(Choice::Next, n as usize));
            }
            "m" => out.push(Choice::Deliver {
                id: PendingId::Message(int("message id")?),
            }),
            "t" => out.push(Choice::Deliver {
                id: PendingId::Timer(int("timer id")?),
            }),
            "a" => out.push(Choice::Deliver {
                id: PendingId::Advance(int("map advance id")?),
            }),
            "k" => out.push(act(UserAction::Kill { osd: osd()? })),
            "r" => out.push(act(UserAction::Revive { osd: osd()? })),
            "d" => out.push(act(UserAction::MarkDown { osd: osd()? })),
            "o" => out.push(act(UserAction::Out { osd: osd()? })),
            "i" => out.push(act(UserAction::In { osd: osd()? })),
            "l" => out.push(act(UserAction::Lost { osd: osd()? })),
            "p" => out.push(act(UserAction::DeletePool {
                pool: decode(rest).map_err(|e| bad(&e))?,
            })),
            "g" => out.push(act(UserAction::AllowPoolDelete {
                allow: match rest {
                    "1" => true,
                    "0" => false,
                    _ => return Err(bad("g takes 1 (allow) or 0")),
                },
            })),
            "x" => out.push(act(UserAction::Drop {
                message: int("message id")?,
            })),
            "w" | "e" => {
                let (pg, object) = pg_obj()?;
                out.push(act(if tag == "w" {
                    UserAction::Write { pg, object }
                } else {
                    UserAction::Delete { pg, object }
                }));
            }
            "u" => {
                let (pg, mode) = pg_obj()?;
                let mode = match mode.as_str() {
                    "r" => LostModeText::Revert,
                    "d" => LostModeText::Delete,
                    _ => return Err(bad("the mode is r (revert) or d (delete)")),
                };
                out.push(act(UserAction::MarkUnfoundLost { pg, mode }));
            }
            "f" | "c" => {
                let (pg, what) = pg_obj()?;
                out.push(act(match (tag, what.as_str()) {
                    ("f", "r") => UserAction::ForceRecovery { pg },
                    ("f", "b") => UserAction::ForceBackfill { pg },
                    ("c", "r") => UserAction::CancelForceRecovery { pg },
                    ("c", "b") => UserAction::CancelForceBackfill { pg },
                    _ => return Err(bad("force what: r (recovery) or b (backfill)")),
                }));
            }
            _ => {
                return Err(bad(
                    "not a choice (n, m, t, a, k, r, d, o, i, l, p, x, w, e, u, f, c followed \
                     by its value)",
                ))
            }
        }
        if out.len() > 1_000_000 {
            return Err("h= holds more than 1000000 steps".into());
        }
    }
    Ok(out)
}

/// One choice of the MDS tab: the next event (or due script action), a chosen delivery,
/// or a user action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MdsChoice {
    Next,
    Deliver(u64),
    Act(MdsAction),
    /// A CephFS-over-RADOS run's cluster side: an OSD action or a chosen cluster delivery
    /// (never `Choice::Next`: the run's own next step is `Next`).
    Cluster(Choice),
}

/// An MDS history as `h=` text: `v2` then `_`-separated tokens: `n`/`nN` next, `mID`
/// deliver event ID, `sNAME` start mds.NAME, `kNAME` kill it, `xFS~N` set max_mds N,
/// `yFS~0|1` allow_standby_replay, `jFS~0|1` joinable, `cID` / `cID~FS` mount client ID,
/// `hID` hang it, `fFS~META~DATA` fs new, `oID~N` N metadata ops by client ID,
/// `pFS~RANK` mds repaired, `rFS~RANK` journal reset (names escaped as for the cluster
/// history), and `O` then a cluster history token (`Ok4`: kill osd.4, `Om17`: deliver
/// cluster message 17) for a CephFS-over-RADOS run's cluster side.
pub fn mds_choices_to_text(choices: &[MdsChoice]) -> String {
    let mut tokens = vec![HISTORY_VERSION.to_string()];
    let mut nexts = 0usize;
    let e = |s: &str| encode_strict(s);
    for c in choices {
        let token = match c {
            MdsChoice::Next => {
                nexts += 1;
                continue;
            }
            MdsChoice::Deliver(id) => format!("m{id}"),
            MdsChoice::Cluster(c) => match cluster_token(c) {
                Some(t) => format!("O{t}"),
                None => {
                    nexts += 1;
                    continue;
                }
            },
            MdsChoice::Act(a) => match a {
                MdsAction::Start { mds } => format!("s{}", e(mds)),
                MdsAction::Kill { mds } => format!("k{}", e(mds)),
                MdsAction::SetMaxMds { fs, max_mds } => format!("x{}~{max_mds}", e(fs)),
                MdsAction::SetAllowStandbyReplay { fs, allow } => {
                    format!("y{}~{}", e(fs), u8::from(*allow))
                }
                MdsAction::SetJoinable { fs, joinable } => {
                    format!("j{}~{}", e(fs), u8::from(*joinable))
                }
                MdsAction::Mount { client, fs: None } => format!("c{client}"),
                MdsAction::Mount {
                    client,
                    fs: Some(fs),
                } => format!("c{client}~{}", e(fs)),
                MdsAction::Hang { client } => format!("h{client}"),
                MdsAction::FsNew {
                    fs,
                    metadata_pool,
                    data_pool,
                } => format!("f{}~{}~{}", e(fs), e(metadata_pool), e(data_pool)),
                MdsAction::MetadataOps { client, ops } => format!("o{client}~{ops}"),
                MdsAction::Repaired { fs, rank } => format!("p{}~{rank}", e(fs)),
                MdsAction::JournalReset { fs, rank } => format!("r{}~{rank}", e(fs)),
            },
        };
        if nexts > 0 {
            tokens.push(if nexts == 1 {
                "n".into()
            } else {
                format!("n{nexts}")
            });
            nexts = 0;
        }
        tokens.push(token);
    }
    if nexts > 0 {
        tokens.push(if nexts == 1 {
            "n".into()
        } else {
            format!("n{nexts}")
        });
    }
    tokens.join("_")
}

/// Parse `h=` text back into the MDS tab's choices; an error names the token.
pub fn parse_mds_choices(text: &str) -> Result<Vec<MdsChoice>, String> {
    let mut out = Vec::new();
    for (i, token) in history_tokens(text)?.enumerate() {
        let bad = |why: &str| format!("h= token {} '{token}': {why}", i + 1);
        let mut chars = token.chars();
        let tag = chars.next().unwrap_or(' ');
        let rest = chars.as_str();
        let fields: Vec<String> = rest
            .split('~')
            .map(decode)
            .collect::<Result<_, _>>()
            .map_err(|e| bad(&e))?;
        let int = |s: &str| -> Result<u64, String> {
            s.parse::<u64>()
                .map_err(|_| bad(&format!("'{s}' is not a number")))
        };
        let flag = |s: &str| -> Result<bool, String> {
            match s {
                "1" => Ok(true),
                "0" => Ok(false),
                _ => Err(bad(&format!("'{s}' is not 0 or 1"))),
            }
        };
        let two = || -> Result<(String, String), String> {
            match fields.as_slice() {
                [a, b] => Ok((a.clone(), b.clone())),
                _ => Err(bad("expected FS~VALUE")),
            }
        };
        let act = MdsChoice::Act;
        match tag {
            'n' if rest.is_empty() => out.push(MdsChoice::Next),
            'n' => {
                let n = int(rest)?;
                if n == 0 || n > 1_000_000 {
                    return Err(bad("a run of next steps is 1..=1000000"));
                }
                out.extend(std::iter::repeat_n(MdsChoice::Next, n as usize));
            }
            'm' => out.push(MdsChoice::Deliver(int(rest)?)),
            'O' => {
                let parsed = parse_choices(&format!("{HISTORY_VERSION}_{rest}"))
                    .map_err(|e| bad(&format!("the cluster choice: {e}")))?;
                match parsed.as_slice() {
                    [c] if *c != Choice::Next => out.push(MdsChoice::Cluster(c.clone())),
                    _ => return Err(bad("O takes one cluster action or delivery")),
                }
            }
            's' | 'k' if !rest.is_empty() => {
                let mds = fields[0].clone();
                out.push(act(if tag == 's' {
                    MdsAction::Start { mds }
                } else {
                    MdsAction::Kill { mds }
                }));
            }
            'x' => {
                let (fs, n) = two()?;
                let max_mds = n
                    .parse::<i32>()
                    .map_err(|_| bad(&format!("max_mds '{n}' is not a number")))?;
                out.push(act(MdsAction::SetMaxMds { fs, max_mds }));
            }
            'y' => {
                let (fs, v) = two()?;
                out.push(act(MdsAction::SetAllowStandbyReplay {
                    fs,
                    allow: flag(&v)?,
                }));
            }
            'j' => {
                let (fs, v) = two()?;
                out.push(act(MdsAction::SetJoinable {
                    fs,
                    joinable: flag(&v)?,
                }));
            }
            'c' => {
                let client = int(&fields[0])?;
                let fs = match fields.as_slice() {
                    [_] => None,
                    [_, fs] => Some(fs.clone()),
                    _ => return Err(bad("expected CLIENT or CLIENT~FS")),
                };
                out.push(act(MdsAction::Mount { client, fs }));
            }
            'h' => out.push(act(MdsAction::Hang { client: int(rest)? })),
            'f' => match fields.as_slice() {
                [fs, m, d] => out.push(act(MdsAction::FsNew {
                    fs: fs.clone(),
                    metadata_pool: m.clone(),
                    data_pool: d.clone(),
                })),
                _ => return Err(bad("expected FS~METADATA_POOL~DATA_POOL")),
            },
            'o' => {
                let (client, ops) = two()?;
                let ops = u32::try_from(int(&ops)?).map_err(|_| bad("too many ops"))?;
                out.push(act(MdsAction::MetadataOps {
                    client: int(&client)?,
                    ops,
                }));
            }
            'p' | 'r' => {
                let (fs, rank) = two()?;
                let rank = rank
                    .parse::<Rank>()
                    .ok()
                    .filter(|r| *r >= 0)
                    .ok_or_else(|| bad(&format!("rank '{rank}' is not a rank number")))?;
                out.push(act(if tag == 'p' {
                    MdsAction::Repaired { fs, rank }
                } else {
                    MdsAction::JournalReset { fs, rank }
                }));
            }
            _ => {
                return Err(bad(
                    "not a choice (n, m, s, k, x, y, j, c, h, f, o, p, r, O followed by its value)",
                ))
            }
        }
        if out.len() > 1_000_000 {
            return Err("h= holds more than 1000000 steps".into());
        }
    }
    Ok(out)
}

/// Escape everything but ASCII letters and digits (names inside `h=` tokens, whose
/// separators are `_` and `~`).
fn encode_strict(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or("a '%' escape is cut short")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad escape %{hex}"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the link is not UTF-8".to_string())
}

/// The built-in Cluster and MDS tab scenarios by name, for the first module (`lite`),
/// which has no cluster or MDS engine: `cephscope.load(name)` there hands the name to
/// the whole app. `full_scenarios_are_the_built_in_ones` keeps it current.
pub const FULL_SCENARIOS: &[(&str, View)] = &[
    ("seed000-down-lost", View::Cluster),
    ("seed000-down-revive", View::Cluster),
    ("seed001-q13-up-thru", View::Cluster),
    ("seed001-q13-no-up-thru", View::Cluster),
    ("jewel-osd0-down-out", View::Cluster),
    ("backfill-toofull", View::Cluster),
    ("backfill-revoked-toofull", View::Cluster),
    ("unfound-object", View::Cluster),
    ("unfound-found-on-stray", View::Cluster),
    ("luminous-osd-stop-start", View::Cluster),
    ("recovery-preempts-backfill", View::Cluster),
    ("force-recovery", View::Cluster),
    ("les-bound-incomplete", View::Cluster),
    ("pool-delete", View::Cluster),
    ("async-recovery", View::Cluster),
    ("mds-seed004-normal-start", View::Mds),
    ("mds-failover-single-rank", View::Mds),
    ("mds-two-ranks-failure-during-recovery", View::Mds),
    ("mds-standby-replay-takeover", View::Mds),
    ("mds-max-mds-shrink", View::Mds),
    ("cephfs-replay-stuck-on-down-pg", View::Mds),
    ("cephfs-journal-lost-damaged-repaired", View::Mds),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// `needs_full_app` says yes exactly for the links whose parse has a loaded scenario or
    /// shows the Cluster or MDS view.
    #[test]
    fn needs_full_app_agrees_with_parse_hash() {
        let src = source_to_text("{}");
        let hashes = [
            "".to_string(),
            "#".into(),
            "#scenario=primary-boot&step=2".into(),
            "#view=intervals&example=seed-000".into(),
            "#view=pglog&example=x&step=1".into(),
            "#view=cluster&scenario=pool-delete&step=4".into(),
            "#view=mds&h=n3".into(),
            "#scenario=x&embed=1&view=cluster&controls=0".into(),
            "#embed=1&view=statechart&from=1&to=3".into(),
            "#embed=1&view=narration".into(),
            format!("#src={src}&step=1"),
            format!("#view=cluster&src={src}"),
            "#view=clusters".into(),
        ];
        for h in hashes {
            let full = parse_hash(&h).map(|l| l.source.is_some() || !l.view.in_first_module());
            if let Ok(full) = full {
                assert_eq!(needs_full_app(&h), full, "{h}");
            }
        }
        assert!(needs_full_app("#view=mds"));
        assert!(needs_full_app("#view=pglog&example=x"));
        assert!(
            !needs_full_app("#view=clusters"),
            "an unknown view is the first module's error"
        );
    }

    /// www/loader.js makes `needs_full_app`'s choice before either module runs: its
    /// `FULL_VIEWS` are the views outside the first module (a staleness test).
    #[test]
    fn the_loader_knows_which_views_are_the_whole_apps() {
        let loader = include_str!("../www/loader.js");
        let line = loader
            .lines()
            .find(|l| l.starts_with("const FULL_VIEWS = ["))
            .expect("www/loader.js declares FULL_VIEWS");
        let want: Vec<String> = View::ALL
            .iter()
            .filter(|(v, _)| !v.in_first_module())
            .map(|(_, n)| format!("'{n}'"))
            .collect();
        assert_eq!(line, format!("const FULL_VIEWS = [{}];", want.join(", ")));
        assert!(
            loader.contains("key === 'src'"),
            "src= links need the whole app"
        );
    }

    /// `FULL_SCENARIOS` names every built-in cluster, MDS and CephFS-over-RADOS scenario,
    /// in the tabs' order (a staleness test: it prints the list it expects).
    #[test]
    fn full_scenarios_are_the_built_in_ones() {
        use crate::engine::{cluster, mds};
        let mut want: Vec<(String, View)> = cluster::builtin()
            .into_iter()
            .map(|s| (s.name, View::Cluster))
            .collect();
        want.extend(
            mds::scenario::builtin()
                .into_iter()
                .map(|s| (s.name, View::Mds)),
        );
        want.extend(
            mds::rados::builtin()
                .into_iter()
                .map(|s| (s.name, View::Mds)),
        );
        let have: Vec<(String, View)> = FULL_SCENARIOS
            .iter()
            .map(|(n, v)| (n.to_string(), *v))
            .collect();
        let text: String = want
            .iter()
            .map(|(n, v)| format!("    ({n:?}, View::{v:?}),\n"))
            .collect();
        assert_eq!(have, want, "FULL_SCENARIOS should be:\n{text}");
    }

    #[test]
    fn round_trips() {
        let link = Link {
            scenario: Some("new interval/ü".into()),
            step: 7,
            ..Link::default()
        };
        assert_eq!(parse_hash(&to_hash(&link)).unwrap(), link);
        let embedded = Link {
            view: View::Narration,
            embed: Some(Embed {
                controls: false,
                from: 2,
                to: Some(5),
            }),
            ..link
        };
        assert_eq!(parse_hash(&to_hash(&embedded)).unwrap(), embedded);
        let pglog = Link {
            view: View::PgLog,
            example: Some("merge_divergent".into()),
            step: 3,
            ..Link::default()
        };
        assert_eq!(
            to_hash(&pglog),
            "#view=pglog&example=merge_divergent&step=3"
        );
        assert_eq!(parse_hash(&to_hash(&pglog)).unwrap(), pglog);
        let intervals = Link {
            view: View::Intervals,
            example: Some("seed001_q13".into()),
            ..Link::default()
        };
        assert_eq!(to_hash(&intervals), "#view=intervals&example=seed001_q13");
        assert_eq!(parse_hash(&to_hash(&intervals)).unwrap(), intervals);
        let embedded = Link {
            embed: Some(Embed {
                controls: true,
                from: 0,
                to: None,
            }),
            ..intervals
        };
        assert_eq!(
            to_hash(&embedded),
            "#example=seed001_q13&embed=1&view=intervals"
        );
        assert_eq!(parse_hash(&to_hash(&embedded)).unwrap(), embedded);
    }

    #[test]
    fn the_statechart_link_is_unchanged() {
        let link = parse_hash("#scenario=new-interval&step=4").unwrap();
        assert_eq!(link.view, View::Statechart);
        assert_eq!(to_hash(&link), "#scenario=new-interval&step=4");
    }

    #[test]
    fn a_cluster_link_round_trips() {
        let link = parse_hash("#view=cluster&scenario=seed000-down-lost&step=12").unwrap();
        assert_eq!(link.view, View::Cluster);
        assert_eq!(link.scenario.as_deref(), Some("seed000-down-lost"));
        assert_eq!(link.step, 12);
        assert_eq!(
            to_hash(&link),
            "#view=cluster&scenario=seed000-down-lost&step=12"
        );
    }

    #[test]
    fn empty_hash_is_the_default_view() {
        assert_eq!(parse_hash("").unwrap(), Link::default());
        assert_eq!(parse_hash("#").unwrap(), Link::default());
        assert_eq!(parse_hash("#view=intervals").unwrap().view, View::Intervals);
    }

    #[test]
    fn a_loaded_scenario_round_trips_in_the_link() {
        let json = r#"{"name":"mine","cluster":{"osds":3},"note":"é & = # ~"}"#;
        for text in [json, "", "x", "xy", "xyz"] {
            assert_eq!(source_from_text(&source_to_text(text)).unwrap(), text);
        }
        let link = Link {
            view: View::Cluster,
            scenario: Some("mine".into()),
            history: Some("v2_n3_k0".into()),
            source: Some(json.into()),
            ..Default::default()
        };
        let hash = to_hash(&link);
        assert!(hash.contains("&src="), "{hash}");
        assert_eq!(parse_hash(&hash).unwrap(), link);
        // Built-ins carry no src=.
        let builtin = Link {
            view: View::Cluster,
            scenario: Some("seed000-down-lost".into()),
            step: 3,
            ..Default::default()
        };
        assert_eq!(
            to_hash(&builtin),
            "#view=cluster&scenario=seed000-down-lost&step=3"
        );
    }

    #[test]
    fn a_garbled_source_is_named() {
        let good = source_to_text(r#"{"name":"mine","events":[]}"#);
        let err = |h: &str| parse_hash(h).unwrap_err();
        assert!(
            err("#src=ab$d").contains("not base64url"),
            "{}",
            err("#src=ab$d")
        );
        assert!(err("#src=A").contains("cut short"));
        assert!(err("#src=AAAAAAAA").contains("not a compressed scenario"));
        let cut = &good[..good.len() / 2];
        assert!(parse_hash(&format!("#src={cut}")).is_err());
        assert!(err(&format!("#view=pglog&src={good}")).contains("src= belongs to"));
        let bad_utf8 = {
            let packed = miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe], 9);
            // Re-encode the raw bytes through the same alphabet.
            let mut s = String::new();
            for chunk in packed.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
                for i in 0..=chunk.len() {
                    s.push(char::from(BASE64URL[(n >> (18 - 6 * i) & 63) as usize]));
                }
            }
            s
        };
        assert!(err(&format!("#src={bad_utf8}")).contains("UTF-8"));
    }

    #[test]
    fn bad_input_is_named_not_trusted() {
        assert_eq!(
            parse_hash("#step=x").unwrap_err(),
            "step 'x' is not a number"
        );
        assert!(parse_hash("#%3Cscript%3E=1")
            .unwrap_err()
            .contains("<script>"));
        assert!(parse_hash("#scenario=%G0").is_err());
        assert!(parse_hash("#scenario=%4").is_err());
        assert!(parse_hash("#scenario=%FF").is_err());
        assert_eq!(
            parse_hash("#embed=1&view=pie").unwrap_err(),
            "view 'pie' is not one of statechart, narration, intervals, pglog, cluster, mds"
        );
        assert_eq!(
            parse_hash("#view=PGLOG").unwrap_err(),
            "view 'PGLOG' is not one of statechart, narration, intervals, pglog, cluster, mds"
        );
        assert_eq!(
            parse_hash("#from=5&to=2").unwrap_err(),
            "to=2 is before from=5"
        );
        assert_eq!(
            parse_hash("#view=intervals&step=2").unwrap_err(),
            "the intervals view has no steps (step=)"
        );
        assert_eq!(
            parse_hash("#view=pglog&scenario=new-interval").unwrap_err(),
            "scenario= belongs to the statechart, narration, cluster and mds views, not pglog"
        );
        assert_eq!(
            parse_hash("#example=seed001_q13").unwrap_err(),
            "example= belongs to the intervals and pglog views, not statechart"
        );
    }

    #[test]
    fn a_cluster_history_round_trips() {
        let pg: PgId = "1.0".parse().unwrap();
        let choices = vec![
            Choice::Next,
            Choice::Next,
            Choice::Next,
            Choice::Deliver {
                id: PendingId::Message(40),
            },
            Choice::Act {
                action: UserAction::Kill { osd: 2 },
            },
            Choice::Next,
            Choice::Deliver {
                id: PendingId::Timer(7),
            },
            Choice::Deliver {
                id: PendingId::Advance(12),
            },
            Choice::Act {
                action: UserAction::Write {
                    pg,
                    object: "rbd_data.1 ~_x".into(),
                },
            },
            Choice::Act {
                action: UserAction::MarkUnfoundLost {
                    pg,
                    mode: LostModeText::Delete,
                },
            },
            Choice::Act {
                action: UserAction::Drop { message: 9 },
            },
            Choice::Act {
                action: UserAction::ForceRecovery { pg },
            },
            Choice::Act {
                action: UserAction::CancelForceBackfill { pg },
            },
            Choice::Act {
                action: UserAction::AllowPoolDelete { allow: true },
            },
            Choice::Act {
                action: UserAction::DeletePool {
                    pool: "cephfs.a_data".into(),
                },
            },
            Choice::Act {
                action: UserAction::AllowPoolDelete { allow: false },
            },
        ];
        let text = choices_to_text(&choices);
        assert_eq!(
            text,
            "v2_n3_m40_k2_n_t7_a12_w1.0~rbd%5Fdata%2E1%20%7E%5Fx_u1.0~d_x9_f1.0~r_c1.0~b\
             _g1_pcephfs%2Ea%5Fdata_g0"
        );
        assert!(parse_choices("v2_g2")
            .unwrap_err()
            .contains("g takes 1 (allow) or 0"));
        assert_eq!(parse_choices(&text).unwrap(), choices);
        let link = Link {
            view: View::Cluster,
            scenario: Some("seed000-down-lost".into()),
            history: Some(text.clone()),
            ..Link::default()
        };
        let hash = to_hash(&link);
        assert_eq!(
            hash,
            format!("#view=cluster&scenario=seed000-down-lost&h={text}")
        );
        assert_eq!(parse_hash(&hash).unwrap(), link);
        assert_eq!(choices_to_text(&[]), "v2");
        assert_eq!(parse_choices("v2").unwrap(), vec![]);
    }

    #[test]
    fn an_mds_history_round_trips() {
        let choices = vec![
            MdsChoice::Next,
            MdsChoice::Next,
            MdsChoice::Deliver(12),
            MdsChoice::Act(MdsAction::Kill { mds: "a".into() }),
            MdsChoice::Act(MdsAction::SetMaxMds {
                fs: "cephfs".into(),
                max_mds: 2,
            }),
            MdsChoice::Act(MdsAction::SetAllowStandbyReplay {
                fs: "cephfs".into(),
                allow: true,
            }),
            MdsChoice::Act(MdsAction::Mount {
                client: 4,
                fs: None,
            }),
            MdsChoice::Act(MdsAction::Hang { client: 4 }),
            MdsChoice::Act(MdsAction::Start { mds: "b-1".into() }),
            MdsChoice::Next,
            MdsChoice::Act(MdsAction::MetadataOps { client: 4, ops: 3 }),
            MdsChoice::Act(MdsAction::JournalReset {
                fs: "cephfs".into(),
                rank: 0,
            }),
            MdsChoice::Act(MdsAction::Repaired {
                fs: "cephfs".into(),
                rank: 0,
            }),
        ];
        let text = mds_choices_to_text(&choices);
        assert_eq!(
            text,
            "v2_n2_m12_ka_xcephfs~2_ycephfs~1_c4_h4_sb%2D1_n_o4~3_rcephfs~0_pcephfs~0"
        );
        assert_eq!(parse_mds_choices(&text).unwrap(), choices);
    }

    #[test]
    fn a_cephfs_history_carries_its_cluster_choices() {
        let choices = vec![
            MdsChoice::Next,
            MdsChoice::Cluster(Choice::Act {
                action: UserAction::Kill { osd: 4 },
            }),
            MdsChoice::Cluster(Choice::Deliver {
                id: PendingId::Message(17),
            }),
            MdsChoice::Act(MdsAction::Kill { mds: "b".into() }),
            MdsChoice::Cluster(Choice::Act {
                action: UserAction::Write {
                    pg: "1.3".parse().unwrap(),
                    object: "200.00000000".into(),
                },
            }),
            MdsChoice::Cluster(Choice::Act {
                action: UserAction::Lost { osd: 5 },
            }),
        ];
        let text = mds_choices_to_text(&choices);
        assert_eq!(text, "v2_n_Ok4_Om17_kb_Ow1.3~200%2E00000000_Ol5");
        assert_eq!(parse_mds_choices(&text).unwrap(), choices);
        assert_eq!(
            parse_mds_choices("v2_Oq4").unwrap_err(),
            "h= token 1 'Oq4': the cluster choice: h= token 1 'q4': not a choice (n, m, t, a, \
             k, r, d, o, i, l, p, x, w, e, u, f, c followed by its value)"
        );
        assert_eq!(
            parse_mds_choices("v2_On").unwrap_err(),
            "h= token 1 'On': O takes one cluster action or delivery"
        );
    }

    #[test]
    fn a_bad_history_is_named() {
        assert_eq!(
            parse_choices("v3_n3").unwrap_err(),
            "h= is version 'v3', this app reads v2"
        );
        assert!(parse_choices("v1_n3")
            .unwrap_err()
            .contains("from before each PG took a new map in a step of its own"));
        assert_eq!(parse_choices("n3").unwrap_err(), "h= must start with 'v2_'");
        assert_eq!(
            parse_choices("v2_n3_q5").unwrap_err(),
            "h= token 2 'q5': not a choice (n, m, t, a, k, r, d, o, i, l, p, x, w, e, u, f, c followed by its value)"
        );
        assert_eq!(
            parse_choices("v2_kx").unwrap_err(),
            "h= token 1 'kx': osd 'x' is not an OSD number"
        );
        assert_eq!(
            parse_choices("v2_m").unwrap_err(),
            "h= token 1 'm': message id '' is not a number"
        );
        assert_eq!(
            parse_choices("v2_w1.0").unwrap_err(),
            "h= token 1 'w1.0': expected PG~NAME"
        );
        assert_eq!(
            parse_choices("v2_wzz~a").unwrap_err(),
            "h= token 1 'wzz~a': 'zz' is not a PG id like 1.0"
        );
        assert!(parse_choices("v2_w1.0~%G1")
            .unwrap_err()
            .contains("bad escape"));
        assert_eq!(
            parse_choices("v2_n0").unwrap_err(),
            "h= token 1 'n0': a run of next steps is 1..=1000000"
        );
        assert!(parse_choices("v2_n99999999999999999999").is_err());
        assert_eq!(
            parse_choices("v2_n1000000_n").unwrap_err(),
            "h= holds more than 1000000 steps"
        );
        assert_eq!(
            parse_mds_choices("v2_xcephfs").unwrap_err(),
            "h= token 1 'xcephfs': expected FS~VALUE"
        );
        assert_eq!(
            parse_mds_choices("v2_ycephfs~2").unwrap_err(),
            "h= token 1 'ycephfs~2': '2' is not 0 or 1"
        );
        assert_eq!(
            parse_mds_choices("v2_").unwrap_err(),
            "h= token 1 '': not a choice (n, m, s, k, x, y, j, c, h, f, o, p, r, O followed by its value)"
        );
        assert_eq!(
            parse_hash("#view=pglog&h=v2_n").unwrap_err(),
            "h= belongs to the cluster and mds views, not pglog"
        );
        assert_eq!(
            parse_hash("#view=cluster&step=2&h=v2_n").unwrap_err(),
            "a link has step= or h=, not both"
        );
    }
}
