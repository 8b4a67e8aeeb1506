//! The app in a real headless Chromium (wasm-bindgen-test): the whole chart is drawn from
//! the engine's definition, and stepping highlights the engine's current state.
#![cfg(target_arch = "wasm32")]

use cephscope::engine::peering::chart::definition;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn mounted() -> web_sys::Element {
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
    cephscope::ui::mount(root.clone());
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
