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
