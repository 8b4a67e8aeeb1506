//! The app's contact with the browser outside the DOM it renders: the URL hash, the
//! keyboard, the console and the `window.cephscope` devtools object. Each effect only
//! reads engine state or dispatches reducer actions.

use crate::share::{parse_hash, to_hash, View};
use crate::ui::state::{Action, State};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::Callback;

/// The location hash, or "" when there is none.
pub fn read_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Parse the current location hash into an Open action (None: no hash).
pub fn open_from_hash() -> Option<Action> {
    let hash = read_hash();
    (!hash.is_empty() && hash != "#").then(|| Action::Open(parse_hash(&hash)))
}

/// Keep the hash equal to the view, without adding history entries.
pub fn write_hash(state: &State) {
    let hash = to_hash(&state.link());
    if read_hash() == hash {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&hash));
    }
}

/// Log the newest step to the console as Ceph-like log lines in a collapsed group.
pub fn log_step(state: &State) {
    if let Some(record) = state.run.records.last() {
        web_sys::console::group_collapsed_1(
            &format!("cephscope step {}: {}", record.step, record.explanation).into(),
        );
        for line in record.log_lines() {
            web_sys::console::log_1(&line.into());
        }
        web_sys::console::group_end();
    }
}

/// What the key does in `view`, if it is one of the app's shortcuts there. The arrows step
/// the active view (the statechart's scenario, or the PG log's decisions); on the intervals
/// tab they, and Space, keep their usual meaning (scrolling).
pub fn key_action(key: &str, view: View) -> Option<Action> {
    match (key, view) {
        ("?", _) => Some(Action::ToggleKeys),
        (_, View::Intervals) => None,
        ("ArrowRight", _) => Some(Action::StepView),
        ("ArrowLeft", _) => Some(Action::BackView),
        (" ", View::Statechart | View::Narration) => Some(Action::TogglePlay),
        _ => None,
    }
}

/// Listen for the shortcuts on the document; the returned guard removes the listener.
pub fn listen_keys(dispatch: Callback<Action>) -> impl FnOnce() {
    let closure =
        Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
            let in_form = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(
                        el.tag_name().as_str(),
                        "SELECT" | "INPUT" | "TEXTAREA" | "BUTTON"
                    )
                });
            // The tabs handle their own arrow keys (moving between tabs).
            let on_tab = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| el.get_attribute("role").as_deref() == Some("tab"));
            if e.ctrl_key() || e.meta_key() || e.alt_key() || on_tab || (in_form && e.key() == " ")
            {
                return;
            }
            let view = with_latest(|s, _| s.view).unwrap_or_default();
            if let Some(action) = key_action(&e.key(), view) {
                e.prevent_default();
                dispatch.emit(action);
            }
        });
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(d) = &document {
        let _ = d.add_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref());
    }
    move || {
        if let Some(d) = document {
            let _ =
                d.remove_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref());
        }
        drop(closure);
    }
}

thread_local! {
    static LATEST: RefCell<Option<(Rc<State>, Callback<Action>)>> = const { RefCell::new(None) };
}

/// Remember the latest state and dispatcher for the devtools object.
pub fn publish(state: Rc<State>, dispatch: Callback<Action>) {
    LATEST.with(|l| *l.borrow_mut() = Some((state, dispatch)));
}

fn with_latest<T>(f: impl FnOnce(&State, &Callback<Action>) -> T) -> Option<T> {
    LATEST.with(|l| l.borrow().as_ref().map(|(s, d)| f(s, d)))
}

fn method(obj: &js_sys::Object, name: &str, f: Closure<dyn Fn(JsValue) -> JsValue>) {
    let _ = js_sys::Reflect::set(obj, &name.into(), f.as_ref().unchecked_ref());
    f.forget(); // lives as long as the page
}

fn state_json(state: &State) -> JsValue {
    #[derive(serde::Serialize)]
    struct StateJson<'a> {
        view: &'static str,
        scenario: &'a str,
        step: usize,
        steps: usize,
        state_path: &'a str,
        pg_state: String,
        records: &'a [crate::engine::scenario::StepRecord],
    }
    let view = StateJson {
        view: state.view.name(),
        scenario: &state.run.scenario.name,
        step: state.run.records.len(),
        steps: state.run.scenario.events.len(),
        state_path: state.run.state_path(),
        pg_state: state.run.pg.state.to_ceph_string(),
        records: &state.run.records,
    };
    serde_wasm_bindgen::to_value(&view).unwrap_or(JsValue::NULL)
}

/// Install `window.cephscope`: step(), back(), seek(n), state(), pending(), load(name).
pub fn install_devtools() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let obj = js_sys::Object::new();
    let act = |action: fn(JsValue) -> Option<Action>| {
        Closure::<dyn Fn(JsValue) -> JsValue>::new(move |arg: JsValue| {
            if let Some(a) = action(arg) {
                with_latest(|_, d| d.emit(a));
            }
            with_latest(|s, _| state_json(s)).unwrap_or(JsValue::NULL)
        })
    };
    method(&obj, "step", act(|_| Some(Action::Step)));
    method(&obj, "back", act(|_| Some(Action::Back)));
    method(
        &obj,
        "seek",
        act(|n| n.as_f64().map(|n| Action::Seek(n.max(0.0) as usize))),
    );
    method(
        &obj,
        "load",
        act(|name| {
            name.as_string().map(|s| {
                Action::Open(Ok(crate::share::Link {
                    scenario: Some(s),
                    ..Default::default()
                }))
            })
        }),
    );
    method(&obj, "state", act(|_| None));
    method(
        &obj,
        "pending",
        Closure::<dyn Fn(JsValue) -> JsValue>::new(|_| {
            with_latest(|s, _| {
                let next = s.run.scenario.events.get(s.run.records.len());
                serde_wasm_bindgen::to_value(&next.into_iter().collect::<Vec<_>>())
                    .unwrap_or(JsValue::NULL)
            })
            .unwrap_or(JsValue::NULL)
        }),
    );
    let _ = js_sys::Reflect::set(&window, &"cephscope".into(), &obj);
}

/// Offer `content` as a file download named `name`.
pub fn download(name: &str, mime: &str, content: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(a) = document
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The drawn chart's SVG markup, standalone (with its styles inlined), for export.
pub fn chart_svg() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let svg = document.query_selector("svg.statechart").ok()??;
    let markup = svg.outer_html();
    let style = "<style>.state rect{fill:#fff;stroke:#c9d0d6}.state.composite rect{fill:#f1f4f7}\
                 .state text{font:12px sans-serif;fill:#1d2125}.state.active>rect{stroke:#d9480f;stroke-width:2.5}</style>";
    Some(markup.replacen(
        '>',
        &format!(" xmlns=\"http://www.w3.org/2000/svg\">{style}"),
        1,
    ))
}
