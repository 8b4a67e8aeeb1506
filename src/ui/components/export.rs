use crate::engine::dot::to_dot;
use crate::engine::peering::chart::definition;
use crate::engine::scenario::StepRecord;
use crate::ui::browser::{chart_svg, download};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    pub scenario: String,
    pub records: Vec<StepRecord>,
}

/// Downloads: the chart as SVG, the machine as DOT, the trace so far as JSON.
#[function_component(Export)]
pub fn export(p: &ExportProps) -> Html {
    let svg = Callback::from(|_: MouseEvent| {
        if let Some(svg) = chart_svg() {
            download("peering.svg", "image/svg+xml", &svg);
        }
    });
    let dot = Callback::from(|_: MouseEvent| {
        download("peering.dot", "text/vnd.graphviz", &to_dot(definition()));
    });
    let json = {
        let name = format!("{}-trace.json", p.scenario);
        let text = serde_json::to_string_pretty(&p.records).unwrap_or_default();
        Callback::from(move |_: MouseEvent| download(&name, "application/json", &text))
    };
    html! {
        <div class="export" aria-label="Export">
            <span>{ "Export:" }</span>
            <button onclick={svg}>{ "SVG" }</button>
            <button onclick={dot}>{ "DOT" }</button>
            <button onclick={json} data-testid="export-json">{ "Trace JSON" }</button>
        </div>
    }
}
