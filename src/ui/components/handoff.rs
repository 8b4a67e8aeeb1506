//! The first module's (`lite`) hand-off: a notice while the whole app loads. It writes
//! the link the whole app is to open into the URL (or leaves a scenario file for it on
//! `window.cephscopeFile`), leaves its own statechart link on `window.cephscopeFirstLink`,
//! then asks the page to load the whole app (`window.cephscopeLoadFull`, www/loader.js),
//! which unmounts this one and mounts itself on the same element, opening that link or
//! file.

use crate::ui::browser;
use crate::ui::state::Handoff;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HandoffProps {
    pub handoff: Handoff,
    /// The tab asked for.
    pub view: crate::share::View,
    /// The statechart tab's link here, for the whole app to start from.
    pub first: String,
    /// A failure to load the whole app, shown in the page.
    pub on_error: Callback<String>,
}

#[function_component(HandoffNotice)]
pub fn handoff_notice(p: &HandoffProps) -> Html {
    {
        let (on_error, first) = (p.on_error.clone(), p.first.clone());
        use_effect_with(p.handoff.clone(), move |handoff| {
            browser::stash("cephscopeFirstLink", &first.into());
            match handoff {
                Handoff::Hash(hash) => browser::replace_hash(hash),
                Handoff::File { name, text } => browser::stash("cephscopeFile", &file(name, text)),
            }
            browser::load_full(on_error);
        });
    }
    let tab = super::tabs::TABS
        .iter()
        .find(|(v, _)| *v == p.view)
        .map_or("", |(_, label)| *label);
    let what = match &p.handoff {
        Handoff::Hash(_) => format!("Loading the {tab} tab…"),
        Handoff::File { name, .. } => format!("Loading the whole app to open {name}…"),
    };
    html! {
        <div class="handoff" role="status" data-testid="handoff">
            <p><strong>{ what }</strong></p>
            <p>{ "The page starts with the Statechart tab alone; the other tabs, with the cluster \
                  and MDS engines, load once, now." }</p>
        </div>
    }
}

/// A scenario file as the whole app takes it (`{name, text}`).
fn file(name: &str, text: &str) -> wasm_bindgen::JsValue {
    let file = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&file, &"name".into(), &name.into());
    let _ = js_sys::Reflect::set(&file, &"text".into(), &text.into());
    file.into()
}
