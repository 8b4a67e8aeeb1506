//! The committed chart layouts (`www/layout/*.json`, [`LayoutJson`]) read with the
//! browser's own `JSON.parse`. The web build draws them only; serde_json's parser and the
//! derived `Deserialize` code for the layout were 15 KB gzip of the page's first module,
//! its only use of serde deserialization. `LayoutJson::from_json` stays the native reader
//! (the CLI and the layout tests); tests/web_app.rs checks both read the same layouts.

use crate::layout_json::{EdgePath, LabelBox, LayoutJson, StateBox};
use wasm_bindgen::{JsCast, JsValue};

/// Parse a layout's JSON text; an error names the field that is wrong.
pub fn parse(text: &str) -> Result<LayoutJson, String> {
    let root = js_sys::JSON::parse(text).map_err(|_| "bad layout JSON: not JSON".to_string())?;
    Ok(LayoutJson {
        width: number(&root, "width")?,
        height: number(&root, "height")?,
        states: list(&root, "states")?
            .iter()
            .map(|s| state_box(&s))
            .collect::<Result<_, _>>()?,
        edges: list(&root, "edges")?
            .iter()
            .map(|e| edge(&e))
            .collect::<Result<_, _>>()?,
    })
}

fn state_box(v: &JsValue) -> Result<StateBox, String> {
    Ok(StateBox {
        path: text(v, "path")?,
        name: text(v, "name")?,
        x: number(v, "x")?,
        y: number(v, "y")?,
        w: number(v, "w")?,
        h: number(v, "h")?,
        composite: flag(v, "composite")?,
        initial: flag(v, "initial")?,
    })
}

fn edge(v: &JsValue) -> Result<EdgePath, String> {
    let label = field(v, "label")?;
    Ok(EdgePath {
        from: text(v, "from")?,
        to: text(v, "to")?,
        event: text(v, "event")?,
        listed: flag(v, "listed")?,
        sections: list(v, "sections")?
            .iter()
            .map(|p| {
                let p: js_sys::Array = p.dyn_into().map_err(|_| bad("sections", "[x, y]"))?;
                match (p.get(0).as_f64(), p.get(1).as_f64(), p.length()) {
                    (Some(x), Some(y), 2) => Ok([x, y]),
                    _ => Err(bad("sections", "[x, y]")),
                }
            })
            .collect::<Result<_, _>>()?,
        label: LabelBox {
            x: number(&label, "x")?,
            y: number(&label, "y")?,
            w: number(&label, "w")?,
            h: number(&label, "h")?,
        },
    })
}

fn bad(key: &str, what: &str) -> String {
    format!("bad layout JSON: {key} is not {what}")
}

fn field(v: &JsValue, key: &str) -> Result<JsValue, String> {
    js_sys::Reflect::get(v, &key.into())
        .ok()
        .filter(|f| !f.is_undefined())
        .ok_or_else(|| format!("bad layout JSON: missing field `{key}`"))
}

fn number(v: &JsValue, key: &str) -> Result<f64, String> {
    field(v, key)?.as_f64().ok_or_else(|| bad(key, "a number"))
}

fn text(v: &JsValue, key: &str) -> Result<String, String> {
    field(v, key)?
        .as_string()
        .ok_or_else(|| bad(key, "a string"))
}

fn flag(v: &JsValue, key: &str) -> Result<bool, String> {
    field(v, key)?
        .as_bool()
        .ok_or_else(|| bad(key, "true or false"))
}

fn list(v: &JsValue, key: &str) -> Result<js_sys::Array, String> {
    field(v, key)?.dyn_into().map_err(|_| bad(key, "a list"))
}
