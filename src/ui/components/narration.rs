use crate::engine::scenario::StepRecord;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    pub records: Vec<StepRecord>,
}

/// The plain-English sentence of each step, newest last, with its log lines folded.
#[function_component(Narration)]
pub fn narration(p: &NarrationProps) -> Html {
    html! {
        <ol class="narration" aria-label="What happened">
            { for p.records.iter().map(|r| html! {
                <li>
                    <details>
                        <summary>{ r.explanation.clone() }</summary>
                        <pre>{ r.log_lines().join("\n") }</pre>
                    </details>
                </li>
            }) }
        </ol>
    }
}

/// A scenario's narration under its first sentence: open on the full page, folded in an
/// embedded view (the documentation around the iframe tells the story), a click away.
pub fn scenario_intro(text: &str, open: bool) -> Html {
    let Some((first, rest)) = text.split_once(". ") else {
        return html! { <p class="narration-intro">{ text.to_string() }</p> };
    };
    html! {
        <details class="narration-intro" {open}>
            <summary>{ format!("{first}.") }</summary>
            <p>{ rest.to_string() }</p>
        </details>
    }
}
