//! The Yew front end (wasm32 only). One reducer ([`state`]) holds the engine run and the
//! UI selection; components only render engine state and step records.

pub mod browser;
pub mod components;
pub mod examples;
pub mod mdstab;
pub mod state;

use components::app::App;
use wasm_bindgen::JsCast;

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
            yew::Renderer::<App>::with_root(root).render();
        }
        None => web_sys::console::error_1(&"cephscope: no element to mount on".into()),
    }
}

/// Mount the app on a given element (tests). The handle destroys it again
/// (`AppHandle::destroy`): its listeners and timers go with it.
pub fn mount(root: web_sys::Element) -> yew::AppHandle<App> {
    yew::Renderer::<App>::with_root(root).render()
}
