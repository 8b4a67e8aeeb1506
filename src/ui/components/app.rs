use super::chart::Statechart;
use super::controls::Controls;
use super::export::Export;
use super::narration::Narration;
use crate::engine::peering::chart::definition;
use crate::share::View;
use crate::ui::browser;
use crate::ui::state::{Action, State};
use std::time::Duration;
use yew::prelude::*;

/// Milliseconds between steps while playing.
const PLAY_INTERVAL_MS: u64 = 900;

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::default);
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };

    // Once: restore the view named by the URL, listen for keys, install devtools.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            if let Some(open) = browser::open_from_hash() {
                dispatch.emit(open);
            }
            browser::install_devtools();
            browser::listen_keys(dispatch)
        });
    }
    // After every change: keep the URL and the devtools object current, log the step.
    {
        let state_rc = (*state).clone();
        let dispatch = dispatch.clone();
        let steps = state.run.records.len();
        let scenario = state.selected;
        use_effect_with((steps, scenario), move |_| {
            browser::write_hash(&state_rc);
            browser::log_step(&state_rc);
            browser::publish(std::rc::Rc::new(state_rc), dispatch);
        });
    }
    // While playing: one step per interval (gloo-timers).
    {
        let dispatch = dispatch.clone();
        use_effect_with(
            (state.playing, state.run.records.len()),
            move |(playing, _)| {
                let timer = playing.then(|| {
                    gloo_timers::callback::Timeout::new(
                        Duration::from_millis(PLAY_INTERVAL_MS).as_millis() as u32,
                        move || dispatch.emit(Action::Step),
                    )
                });
                move || drop(timer)
            },
        );
    }

    let current = state.run.machine.current();
    let dismiss = dispatch.reform(|_: MouseEvent| Action::DismissError);
    let error = state.error.as_ref().map(|error| {
        html! {
            <div class="error" role="alert">
                <span>{ error.clone() }</span>
                <button onclick={dismiss} aria-label="Dismiss this message">{ "×" }</button>
            </div>
        }
    });
    let controls = html! {
        <Controls
            scenarios={state.scenarios.iter().map(|s| s.name.clone()).collect::<Vec<_>>()}
            selected={state.selected}
            step={state.run.records.len()}
            first={state.first_step()}
            last={state.last_step()}
            playing={state.playing}
            on_action={dispatch.clone()}
        />
    };
    let pg_state = html! {
        <p class="pg-state" aria-live="polite">
            { format!("pg {} on osd.{}: ", state.run.scenario.pgid, state.run.scenario.osd) }
            <strong data-testid="state-string">{ state.run.pg.state.to_ceph_string() }</strong>
            <br/>
            <code data-testid="state-path">{ state.run.state_path() }</code>
        </p>
    };
    let zoom = |f: f64| dispatch.reform(move |_: MouseEvent| Action::Zoom(f));
    let chart = html! {
        <section class="chart" aria-label="PeeringState statechart">
            <div class="zoom" role="group" aria-label="Zoom">
                <button onclick={zoom(1.0 / 1.25)} aria-label="Zoom out">{ "−" }</button>
                <span>{ format!("{:.0}%", state.zoom * 100.0) }</span>
                <button onclick={zoom(1.25)} aria-label="Zoom in">{ "+" }</button>
            </div>
            <Statechart def={definition()} current={current} taken={state.taken()} zoom={state.zoom} />
        </section>
    };
    let narration = html! { <Narration records={state.run.records.clone()} /> };

    if let Some(embed) = &state.embed {
        return html! {
            <div class={classes!("app", "embed")}>
                { error }
                if embed.controls { { controls } }
                { pg_state }
                { match embed.view {
                    View::Statechart => chart,
                    View::Narration => narration,
                } }
            </div>
        };
    }
    html! {
        <div class="app">
            <header>
                <h1>{ "cephscope" }</h1>
                <p class="tagline">{ "Ceph's PG peering state machine, one event at a time" }</p>
            </header>
            { error }
            if state.show_keys {
                <div class="keys" role="dialog" aria-label="Keyboard shortcuts">
                    <p><kbd>{ "→" }</kbd>{ " step  " }<kbd>{ "←" }</kbd>{ " back  " }<kbd>{ "Space" }</kbd>{ " play / pause  " }<kbd>{ "?" }</kbd>{ " this help" }</p>
                </div>
            }
            <main>
                <section class="side" aria-label="Scenario">
                    { controls }
                    <p class="narration-intro">{ state.run.scenario.narration.clone() }</p>
                    { pg_state }
                    { narration }
                    <Export scenario={state.run.scenario.name.clone()} records={state.run.records.clone()} />
                </section>
                { chart }
            </main>
        </div>
    }
}
