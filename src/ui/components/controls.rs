use crate::ui::state::Action;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub scenarios: Vec<String>,
    pub selected: usize,
    pub step: usize,
    pub total: usize,
    pub on_action: Callback<Action>,
}

#[function_component(Controls)]
pub fn controls(p: &ControlsProps) -> Html {
    let on_select = p.on_action.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Action::Select(select.selected_index().max(0) as usize)
    });
    let step = p.on_action.reform(|_: MouseEvent| Action::Step);
    let back = p.on_action.reform(|_: MouseEvent| Action::Back);
    let restart = p.on_action.reform(|_: MouseEvent| Action::Restart);
    html! {
        <div class="controls">
            <label for="scenario">{ "Scenario" }</label>
            <select id="scenario" onchange={on_select}>
                { for p.scenarios.iter().enumerate().map(|(i, name)| html! {
                    <option value={name.clone()} selected={i == p.selected}>{ name.clone() }</option>
                }) }
            </select>
            <div class="buttons">
                <button onclick={restart} aria-label="Restart the scenario" disabled={p.step == 0}>{ "Restart" }</button>
                <button onclick={back} aria-label="Step back" disabled={p.step == 0}>{ "◀ Back" }</button>
                <button onclick={step} aria-label="Deliver the next event" disabled={p.step >= p.total} data-testid="step">{ "Step ▶" }</button>
                <span class="counter">{ format!("{} / {}", p.step, p.total) }</span>
            </div>
        </div>
    }
}
