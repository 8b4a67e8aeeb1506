//! The app in a real headless Chromium (wasm-bindgen-test): the whole chart is drawn from
//! the engine's definition, and stepping highlights the engine's current state; the
//! intervals and PG log tabs show what the engine returns for their examples.
#![cfg(all(target_arch = "wasm32", not(feature = "lite")))]

use cephscope::engine::intervals::cli_intervals;
use cephscope::engine::peering::chart::definition;
use cephscope::engine::pglog::{cli_merge, cli_proc_replica_log};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod web_common;
use web_common::{count, link, mount_alone, mounted_at, sleep, texts, unmount_previous, until};

wasm_bindgen_test_configure!(run_in_browser);

async fn mounted() -> web_sys::Element {
    unmount_previous().await;
    let window = web_sys::window().unwrap();
    // Each app writes its view into the URL hash and a new one restores it: start clean.
    window
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#"))
        .unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    mount_alone(root.clone());
    gloo_timers::future::sleep(std::time::Duration::from_millis(50)).await;
    root
}

fn drawn_states(root: &web_sys::Element) -> Vec<String> {
    let nodes = root.query_selector_all("[data-state]").unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .filter_map(|e| e.get_attribute("data-state"))
        .collect()
}

#[wasm_bindgen_test]
async fn all_35_states_are_drawn_with_their_paths() {
    let root = mounted().await;
    let mut drawn = drawn_states(&root);
    drawn.sort();
    let mut expected: Vec<String> = definition()
        .states
        .iter()
        .map(|s| s.path.to_string())
        .collect();
    expected.sort();
    assert_eq!(drawn.len(), 35);
    assert_eq!(drawn, expected);
    assert!(drawn.contains(&"Started/Primary/Peering/GetInfo".to_string()));
}

#[wasm_bindgen_test]
async fn stepping_highlights_the_engine_state() {
    let root = mounted().await;
    let step: web_sys::HtmlElement = root
        .query_selector("[data-testid=step]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    for _ in 0..3 {
        step.click();
        gloo_timers::future::sleep(std::time::Duration::from_millis(20)).await;
    }
    let leaf = root
        .query_selector("g.active[data-state='Started/Primary/Peering/GetInfo']")
        .unwrap();
    assert!(
        leaf.is_some(),
        "GetInfo is highlighted after the primary boots"
    );
    let path = root
        .query_selector("[data-testid=state-path]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(path, "Started/Primary/Peering/GetInfo");
}

#[wasm_bindgen_test]
async fn all_68_transitions_are_drawn_and_the_taken_one_is_highlighted() {
    let root = mounted().await;
    let edges = root.query_selector_all("[data-edge]").unwrap();
    assert_eq!(edges.length(), 68);
    let step: web_sys::HtmlElement = root
        .query_selector("[data-testid=step]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    step.click(); // Initialize: Initial -> Reset
    gloo_timers::future::sleep(std::time::Duration::from_millis(20)).await;
    let taken = root.query_selector_all("g.edge.taken").unwrap();
    let names: Vec<String> = (0..taken.length())
        .filter_map(|i| taken.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .filter_map(|e| e.get_attribute("data-edge"))
        .collect();
    assert_eq!(taken.length(), 1, "{names:?}");
    let edge: web_sys::Element = taken.item(0).unwrap().dyn_into().unwrap();
    assert_eq!(
        edge.get_attribute("data-edge").unwrap(),
        "Initial|Initialize|Reset"
    );
}

// ---------------------------------------------------------------------------------------
// The intervals and PG log tabs: what they show is the engine's output.

const Q13: &str = include_str!("data/intervals/seed001_q13.json");
const DOWN: &str = include_str!("data/intervals/down_pg_up_thru_granted.json");
const MERGE: &str = include_str!("data/pglog/merge_divergent.json");
const REPLICA: &str = include_str!("data/pglog/proc_replica_log.json");

/// Wait until `selector` in `root` has exactly `expected` as its text.
async fn until_text(root: &web_sys::Element, selector: &str, expected: &str) {
    let shown = || {
        root.query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.text_content())
    };
    for _ in 0..500 {
        if shown().as_deref() == Some(expected) {
            return;
        }
        sleep(10).await;
    }
    assert_eq!(shown().as_deref(), Some(expected), "{selector}");
}

fn selected(root: &web_sys::Element, view: &str) -> bool {
    root.query_selector(&format!("[role=tab][data-view={view}]"))
        .ok()
        .flatten()
        .and_then(|t| t.get_attribute("aria-selected"))
        .as_deref()
        == Some("true")
}

fn el(root: &web_sys::Element, selector: &str) -> web_sys::HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .dyn_into()
        .unwrap()
}

fn text(root: &web_sys::Element, selector: &str) -> String {
    el(root, selector).text_content().unwrap_or_default()
}

async fn click(root: &web_sys::Element, selector: &str) {
    el(root, selector).click();
    sleep(10).await;
}

/// `new Event(kind, {bubbles: true})` (or a KeyboardEvent with `key`), as a user's.
fn bubbling_event(constructor: &str, kind: &str, key: Option<&str>) -> web_sys::Event {
    let window = web_sys::window().unwrap();
    let ctor: js_sys::Function = js_sys::Reflect::get(&window, &constructor.into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"bubbles".into(), &true.into()).unwrap();
    if let Some(key) = key {
        js_sys::Reflect::set(&init, &"key".into(), &key.into()).unwrap();
    }
    let args = js_sys::Array::of2(&kind.into(), &init);
    js_sys::Reflect::construct(&ctor, &args)
        .unwrap()
        .unchecked_into()
}

async fn choose(root: &web_sys::Element, select: &str, index: i32) {
    let select: web_sys::HtmlSelectElement = el(root, select).unchecked_into();
    select.set_selected_index(index);
    select
        .dispatch_event(&bubbling_event("Event", "change", None))
        .unwrap();
    sleep(10).await;
}

async fn press(target: &web_sys::EventTarget, key: &str) {
    target
        .dispatch_event(&bubbling_event("KeyboardEvent", "keydown", Some(key)))
        .unwrap();
    sleep(10).await;
}

#[wasm_bindgen_test]
async fn the_intervals_tab_draws_the_engine_intervals_and_prior_set() {
    let root = mounted().await;
    click(&root, "[role=tab][data-view=intervals]").await;
    until("the intervals tab", || selected(&root, "intervals")).await;
    for (i, json) in [Q13, DOWN].into_iter().enumerate() {
        let name = ["seed001_q13", "down_pg_up_thru_granted"][i];
        choose(&root, "[data-testid=intervals-example]", i as i32).await;
        until(name, || link(&root).contains(name)).await;
        let out = cli_intervals(json).unwrap();
        let past = out["past_intervals"].as_array().unwrap();
        assert_eq!(
            count(&root, "[data-testid=interval-band]") as usize,
            past.len()
        );
        assert_eq!(count(&root, "[data-testid=current-band]"), 1);
        let rw_bands = count(&root, "[data-testid=interval-band].rw") as usize;
        let rw = past.iter().filter(|p| p["maybe_went_rw"] == true).count();
        assert_eq!(rw_bands, rw);
        // Every reason is in the accessible list and on the band's hover text.
        let list = text(&root, "[data-testid=interval-list]");
        for p in past {
            let reason = p["reason"].as_str().unwrap();
            assert!(list.contains(reason), "{reason} not listed");
            let band = el(
                &root,
                &format!("[data-testid=interval-band][data-first='{}']", p["first"]),
            );
            assert!(band.get_attribute("title").unwrap().contains(reason));
        }
        let prior = &out["prior_set"];
        let pg_down = prior["pg_down"].as_bool().unwrap();
        assert_eq!(text(&root, "[data-testid=pg-down]"), pg_down.to_string());
        let verdict = text(&root, "[data-testid=verdict]");
        if pg_down {
            assert!(verdict.contains("pg 1.0 is down"), "{verdict}");
        } else {
            assert!(verdict.contains("pg 1.0 is not down"), "{verdict}");
        }
        for b in prior["blocked_by"].as_array().unwrap() {
            let shown = format!("osd.{} (lost_at {})", b["osd"], b["lost_at"]);
            assert!(text(&root, "[data-testid=blocked-by]").contains(&shown));
        }
        // Every "why" note of every OSD is listed under it.
        for (osd, notes) in prior["why"].as_object().unwrap() {
            let shown = texts(&root, &format!("[data-testid=why] li[data-osd='{osd}'] li"));
            let expected: Vec<String> = notes
                .as_array()
                .unwrap()
                .iter()
                .map(|n| {
                    format!(
                        "{} {}",
                        n["set"].as_str().unwrap(),
                        n["reason"].as_str().unwrap()
                    )
                })
                .collect();
            assert_eq!(shown, expected, "osd.{osd}");
        }
    }
    // The down example: blocked by osd.0, which the band of 101-102 explains.
    assert_eq!(text(&root, "[data-testid=blocked-by]"), "osd.0 (lost_at 0)");
    let want = "view=intervals&example=down_pg_up_thru_granted";
    until(want, || link(&root).contains(want)).await;
}

fn decisions(out: &Value) -> Vec<String> {
    out["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["explain"].as_str().unwrap().to_string())
        .collect()
}

/// The missing table's rows as "object need have".
fn missing_rows(root: &web_sys::Element) -> Vec<String> {
    let rows = root
        .query_selector_all("[data-testid=missing] tbody tr")
        .unwrap();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .map(|tr| {
            let cells = tr.query_selector_all("td").unwrap();
            (0..cells.length())
                .filter_map(|i| cells.item(i))
                .map(|c| c.text_content().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn engine_missing(out: &Value) -> Vec<String> {
    out["missing"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {} {}",
                m["object"].as_str().unwrap(),
                m["need"].as_str().unwrap(),
                m["have"].as_str().unwrap()
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn the_pglog_tab_replays_the_engine_decisions_to_its_result() {
    let root = mounted().await;
    click(&root, "[role=tab][data-view=pglog]").await;
    until("the PG log tab", || selected(&root, "pglog")).await;
    for (i, out) in [
        cli_merge(MERGE).unwrap(),
        cli_proc_replica_log(REPLICA).unwrap(),
    ]
    .into_iter()
    .enumerate()
    {
        choose(&root, "[data-testid=pglog-example]", i as i32).await;
        let explains = decisions(&out);
        let n = explains.len();
        until_text(&root, "[data-testid=decision-explain]", &explains[0]).await;
        assert_eq!(
            text(&root, "[data-testid=pglog-counter]"),
            format!("decision 1 / {n}")
        );
        assert!(el(&root, "[data-testid=pglog-back]").has_attribute("disabled"));
        for (k, explain) in explains.iter().enumerate().skip(1) {
            click(&root, "[data-testid=pglog-step]").await;
            assert_eq!(
                &text(&root, "[data-testid=decision-explain]"),
                explain,
                "decision {k}"
            );
        }
        // After the last decision, the missing set built from the decisions is the
        // engine's result.
        assert_eq!(missing_rows(&root), engine_missing(&out));
        let kinds: Vec<&str> = out["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        let found = kinds.iter().filter(|k| **k == "DivergentFound").count();
        let appended = kinds.iter().filter(|k| **k == "EntryAppended").count();
        assert_eq!(
            count(&root, "[data-testid=lane-local] .entry.divergent") as usize,
            found
        );
        assert_eq!(
            count(&root, "[data-testid=lane-local] .entry.appended") as usize,
            appended
        );

        click(&root, "[data-testid=pglog-step]").await;
        until_text(
            &root,
            "[data-testid=pglog-counter]",
            &format!("result ({n} decisions)"),
        )
        .await;
        assert!(el(&root, "[data-testid=pglog-step]").has_attribute("disabled"));
        let removed: Vec<&str> = out["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let shown = if removed.is_empty() {
            "none".to_string()
        } else {
            removed.join(", ")
        };
        assert_eq!(text(&root, "[data-testid=removed]"), shown);
        assert_eq!(missing_rows(&root), engine_missing(&out));
        let log_entries = out["log"]["entries"].as_array().unwrap().len();
        assert_eq!(
            count(&root, "[data-testid=lane-result] .entry") as usize,
            log_entries
        );
        // The link is written after the render (an effect): wait for it, don't read it once.
        let want = format!("step={n}");
        until(&want, || link(&root).ends_with(&want)).await;
    }
    // merge_divergent removes baz and foo.
    choose(&root, "[data-testid=pglog-example]", 0).await;
    until_text(&root, "[data-testid=pglog-counter]", "decision 1 / 14").await;
    for _ in 0..14 {
        click(&root, "[data-testid=pglog-step]").await;
    }
    until_text(
        &root,
        "[data-testid=pglog-counter]",
        "result (14 decisions)",
    )
    .await;
    assert_eq!(text(&root, "[data-testid=removed]"), "baz, foo");
}

#[wasm_bindgen_test]
async fn arrow_keys_step_the_active_tab_only() {
    let root = mounted().await;
    let document: web_sys::EventTarget = web_sys::window().unwrap().document().unwrap().into();
    click(&root, "[role=tab][data-view=pglog]").await;
    // Each check waits for the render (a loaded test browser can take longer than a tick).
    let counter = |want: &'static str| {
        let root = root.clone();
        move || text(&root, "[data-testid=pglog-counter]").starts_with(want)
    };
    press(&document, "ArrowRight").await;
    until("decision 2", counter("decision 2 /")).await;
    press(&document, "ArrowRight").await;
    until("decision 3", counter("decision 3 /")).await;
    press(&document, "ArrowLeft").await;
    until("decision 2 again", counter("decision 2 /")).await;
    click(&root, "[role=tab][data-view=statechart]").await;
    assert_eq!(
        text(&root, "[data-testid=counter]"),
        "0 / 3",
        "the scenario did not move"
    );
    press(&document, "ArrowRight").await;
    until_text(&root, "[data-testid=counter]", "1 / 3").await;
    // On a tab, the arrows move between tabs instead.
    let tab = el(&root, "[role=tab][data-view=statechart]");
    press(&tab.clone().into(), "ArrowRight").await;
    until("the intervals tab selected", || {
        selected(&root, "intervals")
    })
    .await;
    until("the intervals bands", || {
        count(&root, "[data-testid=interval-band]") == 3
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_link_opens_a_tab_at_a_decision_and_a_bad_one_says_why() {
    let root = mounted_at("#view=pglog&example=proc_replica_log&step=2").await;
    let out = cli_proc_replica_log(REPLICA).unwrap();
    until_text(&root, "[data-testid=decision-explain]", &decisions(&out)[2]).await;
    let root = mounted_at("#view=pie").await;
    let alert = |r: &web_sys::Element| {
        r.query_selector("[role=alert]")
            .ok()
            .flatten()
            .and_then(|a| a.text_content())
            .unwrap_or_default()
    };
    until("the bad view message", || {
        alert(&root).contains("view 'pie' is not one of")
    })
    .await;
    assert_eq!(count(&root, "[data-state]"), 35, "the app keeps running");
    let root = mounted_at("#view=intervals&example=nope").await;
    until("the unknown example message", || {
        alert(&root).contains("unknown intervals example: 'nope'")
    })
    .await;
    let root = mounted_at("#example=down_pg_up_thru_granted&embed=1&view=intervals").await;
    until_text(&root, "[data-testid=pg-down]", "true").await;
    assert_eq!(count(&root, "header"), 0);
    assert_eq!(count(&root, "[role=tab]"), 0);
}

/// Fit scales the peering chart so that its whole width shows in the drawing area.
#[wasm_bindgen_test]
async fn fit_scales_the_chart_to_the_drawing_areas_width() {
    let root = mounted().await;
    let label = || text(&root, "section.chart .zoom span");
    assert_eq!(label(), "80%");
    click(&root, "[data-testid=zoom-fit]").await;
    let area = root
        .query_selector("section.chart .chart-scroll")
        .unwrap()
        .unwrap();
    let want = cephscope::ui::components::chart::fit_zoom(f64::from(area.client_width())).unwrap();
    until_text(
        &root,
        "section.chart .zoom span",
        &format!("{:.0}%", want * 100.0),
    )
    .await;
    let svg = root.query_selector("section.chart svg").unwrap().unwrap();
    let drawn: f64 = svg.get_attribute("width").unwrap().parse().unwrap();
    assert!(
        drawn <= f64::from(area.client_width()) || want == cephscope::ui::state::ZOOM_MIN,
        "the drawing ({drawn} px) fits the area ({} px)",
        area.client_width()
    );
}

/// The page reads the committed layouts with the browser's JSON.parse (`ui::layout_js`):
/// the same layouts as the native reader, serde_json (`LayoutJson::from_json`); a broken
/// one names its field.
#[wasm_bindgen_test]
fn the_browser_reads_the_committed_layouts_as_serde_json_does() {
    use cephscope::layout_json::LayoutJson;
    use cephscope::ui::layout_js;
    for text in [
        include_str!("../www/layout/peering.json"),
        include_str!("../www/layout/mds.json"),
    ] {
        let native = LayoutJson::from_json(text).unwrap();
        assert!(!native.states.is_empty() && !native.edges.is_empty());
        assert_eq!(layout_js::parse(text), Ok(native));
    }
    let broken = include_str!("../www/layout/peering.json").replacen(
        "\"composite\":",
        "\"composite\":7,\"x_\":",
        1,
    );
    let error = layout_js::parse(&broken).unwrap_err();
    assert!(error.contains("composite is not true or false"), "{error}");
    assert!(layout_js::parse("{").unwrap_err().contains("not JSON"));
    assert!(layout_js::parse("{}")
        .unwrap_err()
        .contains("missing field `width`"));
}
