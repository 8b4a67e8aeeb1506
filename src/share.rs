//! Share links: the URL hash that restores a view (`#scenario=new-interval&step=4`).
//! Pure string handling, compiled natively so it is tested without a browser. Anything
//! unexpected in a hash is reported, never trusted: values are only ever used as a
//! scenario *name* looked up among the built-ins, or as a number.

/// What a link restores.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Link {
    pub scenario: Option<String>,
    pub step: usize,
    /// `embed=1`: one view without the surrounding page, for an iframe.
    pub embed: Option<Embed>,
}

/// Embed mode: `embed=1&view=statechart&controls=0&from=2&to=5`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embed {
    pub view: View,
    pub controls: bool,
    /// Stepping is limited to steps `from..=to`.
    pub from: usize,
    pub to: Option<usize>,
}

/// The views a link can embed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Statechart,
    Narration,
}

impl View {
    pub const ALL: [(View, &'static str); 2] = [
        (View::Statechart, "statechart"),
        (View::Narration, "narration"),
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
    let mut view = View::Statechart;
    let mut controls = true;
    let mut from = 0;
    let mut to = None;
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    for pair in hash.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value)?;
        match key {
            "scenario" => link.scenario = Some(value),
            "step" => link.step = number("step", &value)?,
            "embed" => embed = value == "1",
            "view" => view = View::parse(&value)?,
            "controls" => controls = value != "0",
            "from" => from = number("from", &value)?,
            "to" => to = Some(number("to", &value)?),
            other => return Err(format!("unknown link field '{}'", decode(other)?)),
        }
    }
    if let Some(to) = to {
        if to < from {
            return Err(format!("to={to} is before from={from}"));
        }
    }
    if embed {
        link.embed = Some(Embed {
            view,
            controls,
            from,
            to,
        });
    }
    Ok(link)
}

/// The hash for a view.
pub fn to_hash(link: &Link) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &link.scenario {
        parts.push(format!("scenario={}", encode(s)));
    }
    parts.push(format!("step={}", link.step));
    if let Some(e) = &link.embed {
        parts.push(format!("embed=1&view={}", e.view.name()));
        if !e.controls {
            parts.push("controls=0".into());
        }
        if e.from > 0 {
            parts.push(format!("from={}", e.from));
        }
        if let Some(to) = e.to {
            parts.push(format!("to={to}"));
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
            embed: None,
        };
        assert_eq!(parse_hash(&to_hash(&link)).unwrap(), link);
        let embedded = Link {
            embed: Some(Embed {
                view: View::Narration,
                controls: false,
                from: 2,
                to: Some(5),
            }),
            ..link
        };
        assert_eq!(parse_hash(&to_hash(&embedded)).unwrap(), embedded);
    }

    #[test]
    fn empty_hash_is_the_default_view() {
        assert_eq!(parse_hash("").unwrap(), Link::default());
        assert_eq!(parse_hash("#").unwrap(), Link::default());
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
            "view 'pie' is not one of statechart, narration"
        );
        assert_eq!(
            parse_hash("#from=5&to=2").unwrap_err(),
            "to=2 is before from=5"
        );
    }
}
