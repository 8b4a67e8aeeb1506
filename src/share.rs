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
//!   taken; a user's own deliveries, drops and actions are not in the link)
//! * embed mode adds `embed=1` (then `view` is always written) and optionally `controls=0`,
//!   `from`, `to` (the steps a reader may reach; not for the intervals view).

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
}

impl View {
    pub const ALL: [(View, &'static str); 5] = [
        (View::Statechart, "statechart"),
        (View::Narration, "narration"),
        (View::Intervals, "intervals"),
        (View::PgLog, "pglog"),
        (View::Cluster, "cluster"),
    ];

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

    /// Does this view's link name a scenario (`scenario=`): the statechart's or a cluster's?
    pub fn names_scenario(self) -> bool {
        matches!(self, View::Statechart | View::Narration | View::Cluster)
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
    if link.scenario.is_some() && !view.names_scenario() {
        return Err(format!(
            "scenario= belongs to the statechart, narration and cluster views, not {}",
            view.name()
        ));
    }
    if link.example.is_some() && view.names_scenario() {
        return Err(format!(
            "example= belongs to the intervals and pglog views, not {}",
            view.name()
        ));
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
    } else if let Some(e) = &link.example {
        parts.push(format!("example={}", encode(e)));
    }
    if link.view.has_steps() {
        parts.push(format!("step={}", link.step));
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

#[cfg(test)]
mod tests {
    use super::*;

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
            "view 'pie' is not one of statechart, narration, intervals, pglog, cluster"
        );
        assert_eq!(
            parse_hash("#view=PGLOG").unwrap_err(),
            "view 'PGLOG' is not one of statechart, narration, intervals, pglog, cluster"
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
            "scenario= belongs to the statechart, narration and cluster views, not pglog"
        );
        assert_eq!(
            parse_hash("#example=seed001_q13").unwrap_err(),
            "example= belongs to the intervals and pglog views, not statechart"
        );
    }
}
