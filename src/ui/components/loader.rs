//! "Load a scenario JSON file": a file input, and the whole page as a drop target. The
//! file's text goes to the reducer (`Action::Load`), which hands it to the engine's
//! parsers; this component only reads the file.

use crate::ui::state::Action;
use wasm_bindgen::JsCast;
use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: f64 = 1_000_000.0;

/// Read `file` as text and dispatch it (or a message saying why not).
pub fn read_file(file: File, on_action: Callback<Action>) {
    let name = file.name();
    if file.size() > MAX_FILE_BYTES {
        on_action.emit(Action::ShowError(format!(
            "Could not load the file: {name} is {} bytes; a scenario file is at most {MAX_FILE_BYTES} bytes.",
            file.size()
        )));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        match text.ok().and_then(|t| t.as_string()) {
            Some(text) => on_action.emit(Action::Load { name, text }),
            None => on_action.emit(Action::ShowError(format!(
                "Could not load the file: {name} could not be read as text."
            ))),
        }
    });
}

/// The first file of a drop, if any.
pub fn dropped_file(e: &DragEvent) -> Option<File> {
    e.data_transfer()?.files()?.get(0)
}

#[derive(Properties, PartialEq)]
pub struct LoaderProps {
    pub on_action: Callback<Action>,
}

#[function_component(Loader)]
pub fn loader(p: &LoaderProps) -> Html {
    let on_change = {
        let cb = p.on_action.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read_file(file, cb.clone());
            }
            input.set_value(""); // the same file can be loaded again
        })
    };
    html! {
        <label class="loader" title="A cluster, MDS or walkthrough scenario as JSON (or drop the file on the page)">
            { "Load scenario JSON…" }
            <input type="file" accept=".json,application/json" onchange={on_change}
                data-testid="load-file" aria-label="Load a scenario from a JSON file" />
        </label>
    }
}
