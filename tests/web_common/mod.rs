//! DOM helpers shared by the browser tests (tests/web_app.rs, tests/web_cluster.rs): mount
//! an app on a hash, wait for a condition, read the rendered text.

pub async fn sleep(ms: u64) {
    gloo_timers::future::sleep(std::time::Duration::from_millis(ms)).await;
}

/// Wait until `f` holds; panic naming `what` after 5 s.
pub async fn until(what: &str, f: impl Fn() -> bool) {
    for _ in 0..500 {
        if f() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for {what}");
}

/// Mount a fresh app on the page with `hash` as the location hash (each app restores the
/// hash it starts with), once it has rendered.
pub async fn mounted_at(hash: &str) -> web_sys::Element {
    // Let the apps of earlier tests (still mounted) finish writing their own hash first.
    sleep(100).await;
    let window = web_sys::window().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash))
        .unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    cephscope::ui::mount(root.clone());
    let r = root.clone();
    until("the app to render", move || r.child_element_count() > 0).await;
    sleep(50).await;
    root
}

/// How many elements match `selector`.
pub fn count(root: &web_sys::Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

/// The text of every element matching `selector`, in document order.
pub fn texts(root: &web_sys::Element, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}
