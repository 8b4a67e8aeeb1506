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
use yew::Reducible;

/// The location hash, or "" when there is none.
pub fn read_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Parse the current location hash into an Open action (None: no hash). The first
/// module (`lite`) hands a link only the whole app opens to it unread.
pub fn open_from_hash() -> Option<Action> {
    let hash = read_hash();
    if hash.is_empty() || hash == "#" {
        return None;
    }
    #[cfg(feature = "lite")]
    if crate::share::needs_full_app(&hash) {
        return Some(Action::OpenFull(hash));
    }
    Some(Action::Open(parse_hash(&hash)))
}

/// The app's state at its first render: the view the URL names. The whole app, started
/// by the first module's hand-off, first takes what that left on `window`: the
/// statechart tab's link there (`cephscopeFirstLink`), then, after the URL's, the
/// scenario file to load (`cephscopeFile`).
pub fn initial_state() -> State {
    let mut state = Rc::new(State::default());
    #[cfg(not(feature = "lite"))]
    if let Some(first) = take_stashed("cephscopeFirstLink").and_then(|v| v.as_string()) {
        state = state.reduce(Action::Open(parse_hash(&first)));
    }
    if let Some(open) = open_from_hash() {
        state = state.reduce(open);
    }
    #[cfg(not(feature = "lite"))]
    if let Some(load) = take_stashed("cephscopeFile").and_then(|file| {
        let field = |k: &str| js_sys::Reflect::get(&file, &k.into()).ok()?.as_string();
        Some(Action::Load {
            name: field("name")?,
            text: field("text")?,
        })
    }) {
        state = state.reduce(load);
    }
    Rc::unwrap_or_clone(state)
}

/// Leave `value` on `window[key]` for the whole app (the first module's hand-off).
#[cfg(feature = "lite")]
pub fn stash(key: &str, value: &JsValue) {
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &key.into(), value);
    }
}

/// Take what the first module left on `window[key]` (removed, so that a later mount does
/// not take it again).
#[cfg(not(feature = "lite"))]
fn take_stashed(key: &str) -> Option<JsValue> {
    let window = web_sys::window()?;
    let value = js_sys::Reflect::get(&window, &key.into()).ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key.into());
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

/// Keep the hash equal to the view, without adding history entries.
pub fn write_hash(state: &State) {
    replace_hash(&to_hash(&state.link()));
}

/// Set the location hash to `hash` without adding a history entry (nor a `hashchange`).
pub fn replace_hash(hash: &str) {
    if read_hash() == hash {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(hash));
    }
}

/// The first module (`lite`): ask the page to load the whole app
/// (`window.cephscopeLoadFull(unmount)`, www/loader.js). The page downloads it, calls
/// `unmount` (this app's `AppHandle::destroy`, so its listeners go) and starts it; it
/// opens the URL's hash. A page without the loader, or a failed download, is reported
/// through `on_error`.
#[cfg(feature = "lite")]
pub fn load_full(on_error: Callback<String>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let loader = js_sys::Reflect::get(&window, &"cephscopeLoadFull".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(loader) = loader else {
        on_error.emit("This page cannot load the other tabs (it has no cephscopeLoadFull).".into());
        return;
    };
    let unmount = Closure::once_into_js(crate::ui::unmount);
    let promise = loader
        .call1(&JsValue::NULL, &unmount)
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    let Some(promise) = promise else {
        on_error.emit("The page's cephscopeLoadFull did not start loading.".into());
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            let why = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "unknown error".into());
            on_error.emit(format!(
                "Could not load the other tabs (the whole app): {why}"
            ));
        }
    });
}

/// Log the newest step of the tab shown to the console as Ceph-like log lines in a
/// collapsed group (the statechart's scenario, the Cluster tab's run, the MDS tab's run).
pub fn log_step(state: &State) {
    let Some((title, lines)) = newest_step(state) else {
        return;
    };
    web_sys::console::group_collapsed_1(&title.into());
    for line in lines {
        web_sys::console::log_1(&line.into());
    }
    web_sys::console::group_end();
}

/// The newest step of the tab shown: its console title and log lines.
fn newest_step(state: &State) -> Option<(String, Vec<String>)> {
    match state.view {
        View::Statechart | View::Narration => state.run.records.last().map(|r| {
            (
                format!("cephscope step {}: {}", r.step, r.explanation),
                r.log_lines(),
            )
        }),
        #[cfg(not(feature = "lite"))]
        View::Cluster => state.cluster.records().last().map(|r| {
            (
                format!(
                    "cephscope cluster step {}: {}",
                    state.cluster.position(),
                    r.step.explanation
                ),
                r.log_lines(),
            )
        }),
        #[cfg(not(feature = "lite"))]
        View::Mds => {
            let (sentence, lines) = state.mds.newest()?;
            Some((
                format!("cephscope mds step {}: {sentence}", state.mds.len()),
                lines,
            ))
        }
        #[cfg(feature = "lite")]
        View::Cluster | View::Mds => None,
        View::Intervals | View::PgLog => None,
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

/// Follow the URL when the user (or a link within the page that embeds or documents it)
/// changes only its hash: the browser does not reload then, so the app opens the new
/// hash itself. The app's own writes (`write_hash`, `replaceState`) fire no `hashchange`.
pub fn listen_hash(dispatch: Callback<Action>) -> impl FnOnce() {
    let closure = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
        let current = with_latest(|s, _| to_hash(&s.link()));
        if current.as_deref() == Some(read_hash().as_str()) {
            return;
        }
        if let Some(open) = open_from_hash() {
            dispatch.emit(open);
        }
    });
    let window = web_sys::window();
    if let Some(w) = &window {
        let _ = w.add_event_listener_with_callback("hashchange", closure.as_ref().unchecked_ref());
    }
    move || {
        if let Some(w) = window {
            let _ = w.remove_event_listener_with_callback(
                "hashchange",
                closure.as_ref().unchecked_ref(),
            );
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

/// `cephscope.state()`: the tab shown, as JSON — the statechart's scenario (step, state
/// path, PG state string, every record), the Cluster tab's run (epoch, time, every PG with
/// its state string, up, acting, primary's path and blocked_by, the newest step), or the
/// MDS tab's (FSMap epoch, daemons, `ceph mds stat`, the newest step; under CephFS over
/// RADOS also the objecter's ops and the metadata pool's PGs).
fn state_json(state: &State) -> JsValue {
    let value = match state.view {
        View::Statechart | View::Narration => serde_json::json!({
            "view": state.view.name(),
            "scenario": state.run.scenario.name,
            "step": state.run.records.len(),
            "steps": state.run.scenario.events.len(),
            "state_path": state.run.state_path(),
            "pg_state": state.run.pg.state.to_ceph_string(),
            "records": state.run.records,
        }),
        #[cfg(not(feature = "lite"))]
        View::Cluster => cluster_json(state),
        #[cfg(not(feature = "lite"))]
        View::Mds => mds_json(state),
        // The whole app is being loaded; its state() answers once it runs.
        #[cfg(feature = "lite")]
        View::Intervals | View::PgLog | View::Cluster | View::Mds => {
            serde_json::json!({ "view": state.view.name(), "loading": true })
        }
        #[cfg(not(feature = "lite"))]
        View::Intervals => serde_json::json!({
            "view": "intervals",
            "example": crate::ui::examples::INTERVALS[state.intervals].name,
        }),
        #[cfg(not(feature = "lite"))]
        View::PgLog => serde_json::json!({
            "view": "pglog",
            "example": crate::ui::examples::PGLOGS[state.pglog].name,
            "step": state.pglog_step,
        }),
    };
    to_js(&value)
}

fn to_js(value: &serde_json::Value) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    serde::Serialize::serialize(value, &serializer).unwrap_or(JsValue::NULL)
}

/// The cluster world's PGs: state string, up, acting, primary, its path, blocked_by.
#[cfg(not(feature = "lite"))]
fn pgs_json(
    world: &crate::engine::world::World,
    pool: Option<crate::engine::osdmap::PoolId>,
) -> Vec<serde_json::Value> {
    let states = world.pg_states();
    let def = crate::engine::peering::chart::definition();
    let Some(table) = world.mappings.last() else {
        return Vec::new();
    };
    table
        .by_pg
        .iter()
        .filter(|(pg, _)| pool.is_none_or(|p| pg.pool == p))
        .map(|(pg, m)| {
            let inst = world
                .osds
                .get(&m.acting_primary)
                .and_then(|n| n.pgs.get(pg));
            serde_json::json!({
                "pg": pg.to_string(),
                "state": states.get(pg),
                "up": m.up,
                "acting": m.acting,
                "primary": m.acting_primary,
                "primary_path": inst.map(|i| i.machine.path(def)),
                "blocked_by": inst.map(|i| i.state.blocked_by.iter().collect::<Vec<_>>()),
                "unfound": inst.map(|i| i.state.unfound.iter().collect::<Vec<_>>()),
                // choose_acting's result on the primary: who peers, who is backfilled,
                // who is recovered outside the acting set.
                "acting_recovery_backfill": inst.map(|i| i.state.acting_recovery_backfill.iter().collect::<Vec<_>>()),
                "backfill_targets": inst.map(|i| i.state.backfill_targets.iter().collect::<Vec<_>>()),
                "async_recovery_targets": inst.map(|i| i.state.async_recovery_targets.iter().collect::<Vec<_>>()),
                "recovery_state": inst.map(|i| {
                    crate::engine::peering::query::recovery_state(&i.machine, &i.state)
                }),
            })
        })
        .collect()
}

#[cfg(not(feature = "lite"))]
fn cluster_json(state: &State) -> serde_json::Value {
    let t = &state.cluster;
    let world = &t.run().world;
    let newest = t
        .records()
        .last()
        .map(|r| serde_json::json!({ "sentence": r.step.explanation, "lines": r.log_lines() }));
    serde_json::json!({
        "view": "cluster",
        "scenario": t.scenario().name,
        "step": t.position(),
        "history": state.cluster_history.len(),
        "done": t.is_done(),
        "epoch": world.map().epoch,
        "now_ms": world.now,
        "osds": osds_json(world),
        "pools": world.map().pools.iter().map(|(id, p)| serde_json::json!({
            "id": id, "name": p.name, "size": p.size, "min_size": p.min_size, "pg_num": p.pg_num,
        })).collect::<Vec<_>>(),
        "mon_allow_pool_delete": world.mon_allow_pool_delete,
        "pgs": pgs_json(world, None),
        "newest": newest,
    })
}

/// Every OSD: up / in as the newest map has it, whether its daemon runs, and what it
/// holds (`World::osd_usage`).
#[cfg(not(feature = "lite"))]
fn osds_json(world: &crate::engine::world::World) -> Vec<serde_json::Value> {
    let map = world.map();
    map.osds
        .iter()
        .map(|(&osd, o)| {
            serde_json::json!({
                "osd": osd,
                "up": o.up,
                "in": o.is_in(),
                "running": world.osds.get(&osd).is_some_and(|n| n.running),
                "usage": world.osd_usage(osd),
            })
        })
        .collect()
}

#[cfg(not(feature = "lite"))]
fn mds_json(state: &State) -> serde_json::Value {
    let run = &state.mds;
    let world = run.world();
    let map = world.fsmap();
    let daemons: Vec<serde_json::Value> = run
        .daemon_names()
        .iter()
        .map(|name| {
            let d = world.daemons.get(name);
            let info = d.and_then(|d| map.info(d.gid));
            serde_json::json!({
                "name": name,
                "running": d.is_some_and(|d| d.alive),
                "gid": d.map(|d| d.gid),
                "state": info.map(|i| i.state.name()),
                "rank": info.and_then(|i| i.rank),
            })
        })
        .collect();
    let newest = run
        .newest()
        .map(|(sentence, lines)| serde_json::json!({ "sentence": sentence, "lines": lines }));
    let mut value = serde_json::json!({
        "view": "mds",
        "scenario": run.name(),
        "step": run.len(),
        "history": state.mds_history.len(),
        "done": run.is_done(),
        "fsmap_epoch": map.epoch,
        "now_ms": world.now,
        "mds_stat": map.print_summary(),
        "daemons": daemons,
        "newest": newest,
    });
    if let crate::ui::mdstab::TabRun::Cephfs(c) = &**run {
        let ops: Vec<serde_json::Value> = c
            .ops()
            .iter()
            .map(|o| serde_json::json!({ "id": o.id, "from": o.who, "what": o.what, "status": o.status.text() }))
            .collect();
        value["osdmap_epoch"] = c.cluster.map().epoch.into();
        value["ops"] = ops.into();
        value["pgs"] = pgs_json(&c.cluster, c.metadata_pool()).into();
        value["health"] = c.health().into();
    }
    value
}

/// `cephscope.pending()`: what the tab shown can take next — the statechart's next
/// scripted event (`step`, `what`), or the Cluster / MDS tab's pending messages and timers (`id`, `at_ms`,
/// `what`; a CephFS-over-RADOS run lists both worlds', each with its `world`).
fn pending_json(state: &State) -> JsValue {
    let value = match state.view {
        // As the other tabs' items: what it is, in words (`Event::describe`, the text the
        // step's record will carry), and the step it will be.
        View::Statechart | View::Narration => {
            let step = state.run.records.len();
            let next = state.run.scenario.events.get(step);
            serde_json::json!(next
                .map(|e| serde_json::json!({
                    "step": step + 1,
                    "what": crate::engine::statechart::Event::describe(e),
                }))
                .into_iter()
                .collect::<Vec<_>>())
        }
        #[cfg(not(feature = "lite"))]
        View::Cluster => cluster_pending(&state.cluster.run().world, None),
        #[cfg(not(feature = "lite"))]
        View::Mds => {
            let mds: Vec<serde_json::Value> = state
                .mds
                .world()
                .pending()
                .into_iter()
                .map(|p| serde_json::json!({ "world": "mds", "id": p.id, "at_ms": p.at_ms, "what": p.what }))
                .collect();
            let mut all = serde_json::Value::from(mds);
            if let (crate::ui::mdstab::TabRun::Cephfs(c), Some(list)) =
                (&*state.mds, all.as_array_mut())
            {
                if let serde_json::Value::Array(more) = cluster_pending(&c.cluster, Some("cluster"))
                {
                    list.extend(more);
                }
            }
            all
        }
        #[cfg(feature = "lite")]
        View::Cluster | View::Mds => serde_json::json!([]),
        View::Intervals | View::PgLog => serde_json::json!([]),
    };
    to_js(&value)
}

#[cfg(not(feature = "lite"))]
fn cluster_pending(world: &crate::engine::world::World, tag: Option<&str>) -> serde_json::Value {
    world
        .pending()
        .into_iter()
        .map(|p| {
            let mut v = serde_json::json!({ "id": p.id, "at_ms": p.at_ms, "what": p.what });
            if let Some(t) = tag {
                v["world"] = t.into();
            }
            v
        })
        .collect()
}

/// `cephscope.load(name)`: open the named built-in (or loaded) scenario on the tab that
/// has it — the statechart's walkthroughs, then the cluster scenarios, then the MDS tab's.
fn load_action(state: &State, name: String) -> Action {
    let view = if state.scenarios.iter().any(|s| s.name == name) {
        View::Statechart
    } else if let Some(view) = full_scenario_view(state, &name) {
        view
    } else {
        View::Statechart // the link names it: the page says it is unknown
    };
    Action::Open(Ok(crate::share::Link {
        view,
        scenario: Some(name),
        ..Default::default()
    }))
}

/// The Cluster or MDS tab that has the scenario `name`.
#[cfg(not(feature = "lite"))]
fn full_scenario_view(state: &State, name: &str) -> Option<View> {
    if state.clusters.iter().any(|s| s.name == name) {
        Some(View::Cluster)
    } else if state.mds_scenarios.iter().any(|s| s.name() == name) {
        Some(View::Mds)
    } else {
        None
    }
}

/// The Cluster or MDS tab that has the built-in scenario `name` (the first module knows
/// their names only: [`crate::share::FULL_SCENARIOS`]).
#[cfg(feature = "lite")]
fn full_scenario_view(_: &State, name: &str) -> Option<View> {
    crate::share::FULL_SCENARIOS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, view)| *view)
}

/// `cephscope.seek(n)`: go to step n of the tab shown.
fn seek_action(state: &State, n: usize) -> Option<Action> {
    match state.view {
        View::Statechart | View::Narration => Some(Action::Seek(n)),
        #[cfg(not(feature = "lite"))]
        View::Cluster => Some(Action::ClusterSeek(n)),
        #[cfg(not(feature = "lite"))]
        View::Mds => Some(Action::MdsSeek(n)),
        #[cfg(feature = "lite")]
        View::Cluster | View::Mds => None,
        View::PgLog => Some(Action::PgLogSeek(n)),
        View::Intervals => None,
    }
}

/// `cephscope.trace()`: the tab's steps so far as JSON text, what its Trace JSON button
/// downloads (the same as `cephscope run SCENARIO --json`).
fn trace_text(state: &State) -> JsValue {
    let text = match state.view {
        View::Statechart | View::Narration => {
            serde_json::to_string_pretty(&state.run.records).unwrap_or_default()
        }
        #[cfg(not(feature = "lite"))]
        View::Cluster => state.cluster.trace_json(),
        #[cfg(not(feature = "lite"))]
        View::Mds => state.mds.trace_json(),
        #[cfg(feature = "lite")]
        View::Cluster | View::Mds => return JsValue::NULL,
        View::Intervals | View::PgLog => return JsValue::NULL,
    };
    JsValue::from_str(&text)
}

/// Install `window.cephscope`, which drives the tab shown: step(), back(), seek(n),
/// state(), pending(), trace(), load(name). Each call returns state() after it.
pub fn install_devtools() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let obj = js_sys::Object::new();
    let act = |action: fn(&State, JsValue) -> Option<Action>| {
        Closure::<dyn Fn(JsValue) -> JsValue>::new(move |arg: JsValue| {
            if let Some(Some(a)) = with_latest(|s, _| action(s, arg)) {
                with_latest(|_, d| d.emit(a));
            }
            with_latest(|s, _| state_json(s)).unwrap_or(JsValue::NULL)
        })
    };
    let read = |f: fn(&State) -> JsValue| {
        Closure::<dyn Fn(JsValue) -> JsValue>::new(move |_| {
            with_latest(|s, _| f(s)).unwrap_or(JsValue::NULL)
        })
    };
    method(&obj, "step", act(|_, _| Some(Action::StepView)));
    method(&obj, "back", act(|_, _| Some(Action::BackView)));
    method(
        &obj,
        "seek",
        act(|s, n| seek_action(s, n.as_f64()?.max(0.0) as usize)),
    );
    method(
        &obj,
        "load",
        act(|s, name| Some(load_action(s, name.as_string()?))),
    );
    method(&obj, "state", read(state_json));
    method(&obj, "pending", read(pending_json));
    method(&obj, "trace", read(trace_text));
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
