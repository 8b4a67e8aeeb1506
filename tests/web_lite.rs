//! The first module (`--features lite`: the Statechart tab only) in headless Chromium: it
//! runs the walkthroughs itself and hands everything else to the whole app — the other
//! tabs, links to them, loaded files and `src=` links — through the page's
//! `window.cephscopeLoadFull`, here a stub that records the calls. The real hand-off
//! between the two built modules is tests/e2e/split.test.mjs's.
#![cfg(all(target_arch = "wasm32", feature = "lite"))]

use cephscope::share::{parse_hash, to_hash, Link, View};
use cephscope::ui::state::{Action, Handoff, State};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::Reducible;

mod web_common;
use web_common::{count, link, mounted_at, texts, until};

wasm_bindgen_test_configure!(run_in_browser);

fn handoff_after(action: Action) -> Option<Handoff> {
    Rc::new(State::default()).reduce(action).handoff.clone()
}

#[wasm_bindgen_test]
fn the_other_tabs_links_and_files_are_handed_to_the_whole_app() {
    for view in [View::Intervals, View::PgLog, View::Cluster, View::Mds] {
        let want = to_hash(&Link {
            view,
            ..Default::default()
        });
        assert_eq!(
            handoff_after(Action::ShowView(view)),
            Some(Handoff::Hash(want))
        );
    }
    assert_eq!(handoff_after(Action::ShowView(View::Statechart)), None);
    // A link to another view goes over as the whole app writes it; one the first module
    // does not read (h=, src=) as it came.
    let hash = "#view=cluster&scenario=pool-delete&step=7";
    assert_eq!(
        handoff_after(Action::Open(parse_hash(hash))),
        Some(Handoff::Hash(hash.into()))
    );
    let raw = "#view=mds&scenario=mds-failover-single-rank&h=n4";
    assert_eq!(
        handoff_after(Action::OpenFull(raw.into())),
        Some(Handoff::Hash(raw.into()))
    );
    let file = Action::Load {
        name: "mine.json".into(),
        text: "{\"cluster\": {}}".into(),
    };
    assert!(matches!(handoff_after(file), Some(Handoff::File { name, .. }) if name == "mine.json"));
    // The walkthroughs stay here.
    let state =
        Rc::new(State::default()).reduce(Action::Open(parse_hash("#scenario=new-interval&step=3")));
    assert_eq!((state.handoff.clone(), state.run.records.len()), (None, 3));
}

/// Install a stub loader recording each call's argument (the unmount function).
fn stub_loader(resolves: bool) -> js_sys::Array {
    let calls = js_sys::Array::new();
    let recorded = calls.clone();
    let stub =
        wasm_bindgen::closure::Closure::<dyn Fn(wasm_bindgen::JsValue) -> js_sys::Promise>::new(
            move |unmount: wasm_bindgen::JsValue| {
                recorded.push(&unmount);
                if resolves {
                    js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED)
                } else {
                    js_sys::Promise::reject(&js_sys::Error::new("offline").into())
                }
            },
        );
    let window = web_sys::window().unwrap();
    js_sys::Reflect::set(&window, &"cephscopeLoadFull".into(), stub.as_ref()).unwrap();
    stub.forget();
    calls
}

fn click(root: &web_sys::Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

#[wasm_bindgen_test]
async fn opening_the_cluster_tab_writes_its_link_and_asks_the_page_for_the_whole_app() {
    let calls = stub_loader(true);
    let root = mounted_at("#scenario=primary-boot&step=1").await;
    assert_eq!(
        count(&root, "svg.statechart g.state"),
        35,
        "the chart is the first module's"
    );
    click(&root, "[role=tab][data-view=cluster]");
    let r = root.clone();
    until("the hand-off notice", move || {
        count(&r, "[data-testid=handoff]") == 1
    })
    .await;
    let c = calls.clone();
    until("the loader to be called", move || c.length() == 1).await;
    assert!(
        calls.get(0).is_function(),
        "the loader gets the unmount function"
    );
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    let want = to_hash(&Link {
        view: View::Cluster,
        ..Default::default()
    });
    assert_eq!(
        (hash.as_str(), link(&root).as_str()),
        (want.as_str(), want.as_str())
    );
    assert_eq!(
        root.query_selector("[role=tab][data-view=cluster]")
            .unwrap()
            .unwrap()
            .get_attribute("aria-selected")
            .as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn a_failed_download_of_the_whole_app_is_shown_in_the_page() {
    stub_loader(false);
    let root = mounted_at("#scenario=primary-boot&step=0").await;
    click(&root, "[role=tab][data-view=pglog]");
    let r = root.clone();
    until("the error", move || count(&r, ".error[role=alert]") == 1).await;
    let error = texts(&root, ".error[role=alert] span").join("");
    assert!(error.contains("offline"), "{error}");
    // The statechart tab still works.
    click(&root, "[role=tab][data-view=statechart]");
    let r = root.clone();
    until("the chart", move || count(&r, "svg.statechart") == 1).await;
}
