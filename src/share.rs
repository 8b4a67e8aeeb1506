//! Share links: the URL hash that restores a view (`#scenario=new-interval&step=4`).
//! Pure string handling, compiled natively so it is tested without a browser. Anything
//! unexpected in a hash is reported, never trusted: values are only ever used as a
//! scenario *name* looked up among the built-ins, or as a number.

/// What a link restores.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Link {
    pub scenario: Option<String>,
    pub step: usize,
}

/// Parse a location hash (with or without the leading `#`).
pub fn parse_hash(hash: &str) -> Result<Link, String> {
    let mut link = Link::default();
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    for pair in hash.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "scenario" => link.scenario = Some(decode(value)?),
            "step" => {
                let value = decode(value)?;
                link.step = value
                    .parse()
                    .map_err(|_| format!("step '{value}' is not a number"))?
            }
            other => return Err(format!("unknown link field '{}'", decode(other)?)),
        }
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
        };
        assert_eq!(parse_hash(&to_hash(&link)).unwrap(), link);
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
    }
}
