use crate::ui::state::Action;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub scenarios: Vec<String>,
    pub selected: usize,
    pub step: usize,
    /// The step range this view may show.
    pub first: usize,
    pub last: usize,
    pub playing: bool,
    pub on_action: Callback<Action>,
}

#[function_component(Controls)]
pub fn controls(p: &ControlsProps) -> Html {
    let on_select = p.on_action.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Action::Select(select.selected_index().max(0) as usize)
    });
    let click = |a: fn() -> Action| p.on_action.reform(move |_: MouseEvent| a());
    html! {
        <div class="controls">
            <label for="scenario">{ "Scenario" }</label>
            <select id="scenario" onchange={on_select}>
                { for p.scenarios.iter().enumerate().map(|(i, name)| html! {
                    <option value={name.clone()} selected={i == p.selected}>{ name.clone() }</option>
                }) }
            </select>
            <div class="buttons">
                <button onclick={click(|| Action::Restart)} aria-label="Restart the scenario" disabled={p.step <= p.first}>{ "Restart" }</button>
                <button onclick={click(|| Action::Back)} aria-label="Step back (left arrow)" disabled={p.step <= p.first} data-testid="back">{ "◀ Back" }</button>
                <button onclick={click(|| Action::Step)} aria-label="Deliver the next event (right arrow)" disabled={p.step >= p.last} data-testid="step">{ "Step ▶" }</button>
                <button onclick={click(|| Action::TogglePlay)} aria-label="Play or pause (space)" aria-pressed={p.playing.to_string()} disabled={p.step >= p.last && !p.playing}>
                    { if p.playing { "Pause" } else { "Play" } }
                </button>
                <span class="counter" data-testid="counter">{ format!("{} / {}", p.step, p.last) }</span>
                <button class="help" onclick={click(|| Action::ToggleKeys)} aria-label="Keyboard shortcuts (?)">{ "?" }</button>
            </div>
        </div>
    }
}
