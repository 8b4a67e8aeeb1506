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

thread_local! {
    static MOUNTED: std::cell::RefCell<Option<yew::AppHandle<cephscope::ui::components::app::App>>> =
        const { std::cell::RefCell::new(None) };
}

/// Destroy the app mounted before, if any: an app left running would write its own link
/// into the page's one location, and would answer the keys pressed for the next (the
/// runner runs the tests of a binary one after another). Call before setting the hash.
pub async fn unmount_previous() {
    if let Some(previous) = MOUNTED.with(|m| m.borrow_mut().take()) {
        previous.destroy();
        sleep(10).await;
    }
}

/// Mount a fresh app on `root` (after `unmount_previous`).
pub fn mount_alone(root: web_sys::Element) {
    MOUNTED.with(|m| *m.borrow_mut() = Some(cephscope::ui::mount(root)));
}

/// Mount a fresh app on the page with `hash` as the location hash (each app restores the
/// hash it starts with), once it has rendered.
pub async fn mounted_at(hash: &str) -> web_sys::Element {
    unmount_previous().await;
    let window = web_sys::window().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash))
        .unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    mount_alone(root.clone());
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

/// The link the app mounted on `root` writes into the URL (its `data-link`). Tests read
/// this rather than `location.hash`: the apps of other tests share the page's one location.
pub fn link(root: &web_sys::Element) -> String {
    root.query_selector(".app")
        .ok()
        .flatten()
        .and_then(|app| app.get_attribute("data-link"))
        .unwrap_or_default()
}
