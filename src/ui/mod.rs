//! The Yew front end (wasm32 only). One reducer ([`state`]) holds the engine run and the
//! UI selection; components only render engine state and step records.

pub mod browser;
pub mod components;
#[cfg(not(feature = "lite"))]
pub mod examples;
pub mod layout_js;
#[cfg(not(feature = "lite"))]
pub mod mdstab;
pub mod state;

use components::app::App;
use wasm_bindgen::JsCast;

thread_local! {
    /// The app `start` mounted, for `unmount`.
    static MOUNTED: std::cell::RefCell<Option<yew::AppHandle<App>>> =
        const { std::cell::RefCell::new(None) };
}

/// Destroy the app `start` mounted (its DOM, listeners and timers): the first module
/// (`lite`) does, when the page hands over to the whole app.
pub fn unmount() {
    if let Some(handle) = MOUNTED.with(|m| m.borrow_mut().take()) {
        handle.destroy();
    }
    // Its devtools object drives it no more; the whole app installs its own.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::delete_property(&window, &"cephscope".into());
    }
}

/// Mount the app on `#app` (or the body) — the entry point of the web build.
pub fn start() {
    let document = web_sys::window().and_then(|w| w.document());
    let root = document
        .as_ref()
        .and_then(|d| d.get_element_by_id("app"))
        .or_else(|| {
            document
                .as_ref()
                .and_then(|d| d.body())
                .map(|b| b.unchecked_into())
        });
    match root {
        Some(root) => {
            let handle = yew::Renderer::<App>::with_root(root).render();
            MOUNTED.with(|m| *m.borrow_mut() = Some(handle));
        }
        None => web_sys::console::error_1(&"cephscope: no element to mount on".into()),
    }
}

/// Mount the app on a given element (tests). The handle destroys it again
/// (`AppHandle::destroy`): its listeners and timers go with it.
pub fn mount(root: web_sys::Element) -> yew::AppHandle<App> {
    yew::Renderer::<App>::with_root(root).render()
}
