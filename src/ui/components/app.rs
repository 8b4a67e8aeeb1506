use super::chart::Statechart;
use super::controls::Controls;
use super::narration::Narration;
use crate::engine::peering::chart::definition;
use crate::ui::state::{Action, State};
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
    let current = state.run.machine.current();
    html! {
        <div class="app">
            <header>
                <h1>{ "cephscope" }</h1>
                <p class="tagline">{ "Ceph's PG peering state machine, one event at a time" }</p>
            </header>
            <main>
                <section class="side" aria-label="Scenario">
                    <Controls
                        scenarios={state.scenarios.iter().map(|s| s.name.clone()).collect::<Vec<_>>()}
                        selected={state.selected}
                        step={state.run.records.len()}
                        total={state.run.scenario.events.len()}
                        on_action={dispatch}
                    />
                    <p class="narration-intro">{ state.run.scenario.narration.clone() }</p>
                    <p class="pg-state" aria-live="polite">
                        { format!("pg {} on osd.{}: ", state.run.scenario.pgid, state.run.scenario.osd) }
                        <strong data-testid="state-string">{ state.run.pg.state.to_ceph_string() }</strong>
                        <br/>
                        <code data-testid="state-path">{ state.run.state_path() }</code>
                    </p>
                    <Narration records={state.run.records.clone()} />
                </section>
                <section class="chart" aria-label="PeeringState statechart">
                    <Statechart def={definition()} current={current} />
                </section>
            </main>
        </div>
    }
}
