use super::chart::{ChartKind, Statechart};
#[cfg(not(feature = "lite"))]
use super::cluster::ClusterView;
use super::controls::Controls;
use super::export::Export;
#[cfg(feature = "lite")]
use super::handoff::HandoffNotice;
#[cfg(not(feature = "lite"))]
use super::intervals::IntervalsView;
use super::loader::{dropped_file, read_file, Loader};
#[cfg(not(feature = "lite"))]
use super::mds::MdsView;
use super::narration::Narration;
#[cfg(not(feature = "lite"))]
use super::pglog::PgLogView;
use super::tabs::{panel_id, tab_id, Tabs};
use crate::share::View;
use crate::ui::browser;
use crate::ui::state::Action;
use std::time::Duration;
use yew::prelude::*;

/// Milliseconds between steps while playing.
const PLAY_INTERVAL_MS: u64 = 900;

#[function_component(App)]
pub fn app() -> Html {
    // The first render already shows the view the URL names (no default view drawn, and
    // written into the URL, first).
    let state = use_reducer(browser::initial_state);
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };

    // Once: listen for keys and hash changes, install devtools.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            browser::install_devtools();
            let keys = browser::listen_keys(dispatch.clone());
            let hash = browser::listen_hash(dispatch);
            move || {
                keys();
                hash();
            }
        });
    }
    // After every change of the view: keep the URL and the devtools object current.
    {
        let state_rc = (*state).clone();
        let dispatch = dispatch.clone();
        use_effect_with(state.link(), move |_| {
            // While handing off, the hand-off notice owns the URL.
            if !state_rc.handing_off() {
                browser::write_hash(&state_rc);
            }
            browser::publish(std::rc::Rc::new(state_rc), dispatch);
        });
    }
    // After every step of the tab shown: log it to the console.
    {
        let state_rc = (*state).clone();
        #[cfg(not(feature = "lite"))]
        let position = (
            state.view,
            (state.selected, state.run.records.len()),
            (state.cluster_selected, state.cluster.position()),
            (state.mds_selected, state.mds.len()),
        );
        #[cfg(feature = "lite")]
        let position = (state.view, (state.selected, state.run.records.len()));
        use_effect_with(position, move |_| browser::log_step(&state_rc));
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
    // Html, not Option<Html>: an Option child is flattened away when None, and yew
    // matches unkeyed children from the end, so a message appearing would rebuild the
    // header before it (and drop the keyboard focus on a tab).
    let error: Html = state.error.as_ref().map_or_else(Html::default, |error| {
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
    // The Fit scale depends on the drawing area's width at the click, read from the DOM.
    let fit = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            let width = e
                .target_dyn_into::<web_sys::Element>()
                .and_then(|b| b.closest("section.chart").ok().flatten())
                .and_then(|s| s.query_selector(".chart-scroll").ok().flatten())
                .map(|e| f64::from(e.client_width()));
            if let Some(z) = width.and_then(crate::ui::components::chart::fit_zoom) {
                dispatch.emit(Action::ZoomTo(z));
            }
        })
    };
    let chart = html! {
        <section class="chart" aria-label="PeeringState statechart">
            <div class="zoom" role="group" aria-label="Zoom">
                <button onclick={zoom(1.0 / 1.25)} aria-label="Zoom out">{ "−" }</button>
                // A whole percentage (and no `{:.0}`: fixed-precision float formatting is
                // 5 KB of the first module's wasm).
                <span>{ format!("{}%", (state.zoom * 100.0).round() as i32) }</span>
                <button onclick={zoom(1.25)} aria-label="Zoom in">{ "+" }</button>
                <button onclick={fit} aria-label="Fit the chart's width" data-testid="zoom-fit">{ "Fit" }</button>
            </div>
            <Statechart kind={ChartKind::Peering} current={current} taken={state.taken()} zoom={state.zoom} />
        </section>
    };
    let narration = html! { <Narration records={state.run.records.clone()} /> };
    #[cfg(not(feature = "lite"))]
    let controls_shown = state.embed.as_ref().is_none_or(|e| e.controls);
    // Built only for the view shown (the PG log's range runs its examples through the engine).
    #[cfg(not(feature = "lite"))]
    let intervals = || {
        html! {
            <IntervalsView index={state.intervals} controls={controls_shown}
                on_select={dispatch.reform(Action::SelectIntervals)} />
        }
    };
    #[cfg(not(feature = "lite"))]
    let pglog = || {
        html! {
            <PgLogView index={state.pglog} step={state.pglog_step}
                first={state.pglog_first()} last={state.pglog_last()}
                controls={controls_shown} on_action={dispatch.clone()} />
        }
    };
    // The app's own link, on its root: what it writes into the URL, readable per app (the
    // browser tests mount several apps on one page, which share one location).
    let link = crate::share::to_hash(&state.link());
    // The first module, handing off: the link it wrote for the whole app.
    #[cfg(feature = "lite")]
    let link = match &state.handoff {
        Some(crate::ui::state::Handoff::Hash(hash)) => hash.clone(),
        _ => link,
    };
    #[cfg(not(feature = "lite"))]
    let cluster = || {
        html! {
            <ClusterView names={state.clusters.iter().map(|s| s.name.clone()).collect::<Vec<_>>()}
                selected={state.cluster_selected} timeline={state.cluster.clone()}
                history={state.cluster_history.len()} pg={state.cluster_pg}
                controls={controls_shown} intro_open={state.embed.is_none()} on_action={dispatch.clone()} />
        }
    };
    #[cfg(not(feature = "lite"))]
    let mds = || {
        html! {
            <MdsView names={state.mds_scenarios.iter().map(|s| s.name().to_string()).collect::<Vec<_>>()}
                selected={state.mds_selected} run={state.mds.clone()}
                history={state.mds_history.len()}
                controls={controls_shown} intro_open={state.embed.is_none()} on_action={dispatch.clone()} />
        }
    };
    // The first module: the other tabs, loaded files and links to other views are the
    // whole app's, loaded on demand.
    #[cfg(feature = "lite")]
    let handoff: Html = state.handoff.clone().map_or_else(Html::default, |h| {
        let first = crate::share::to_hash(&state.statechart_link());
        html! { <HandoffNotice handoff={h} view={state.view} {first} on_error={dispatch.reform(Action::ShowError)} /> }
    });
    #[cfg(feature = "lite")]
    let (intervals, pglog, cluster, mds) = (|| html! {}, || html! {}, || html! {}, || html! {});
    #[cfg(not(feature = "lite"))]
    let handoff = Html::default();

    if let Some(embed) = &state.embed {
        return html! {
            <div class={classes!("app", "embed")} data-link={link.clone()}>
                { error }
                { handoff.clone() }
                { match state.view {
                    View::Statechart | View::Narration => html! {
                        <>
                            if embed.controls { { controls } }
                            { pg_state }
                            if state.view == View::Statechart { { chart } } else { { narration } }
                        </>
                    },
                    View::Intervals => intervals(),
                    View::PgLog => pglog(),
                    View::Cluster => cluster(),
                    View::Mds => mds(),
                } }
            </div>
        };
    }
    let tab = state.view;
    let panel = |content: Html, class: &'static str| {
        html! {
            <main id={panel_id(tab)} role="tabpanel" aria-labelledby={tab_id(tab)} class={class}>
                { content }
            </main>
        }
    };
    let content = match tab {
        View::Statechart | View::Narration => panel(
            html! {
                <>
                    <section class="side" aria-label="Scenario">
                        { controls }
                        <p class="narration-intro">{ state.run.scenario.narration.clone() }</p>
                        { pg_state }
                        { narration }
                        <Export scenario={state.run.scenario.name.clone()} records={state.run.records.clone()} />
                    </section>
                    { chart }
                </>
            },
            "statechart-panel",
        ),
        View::Intervals => panel(intervals(), "wide"),
        View::PgLog => panel(pglog(), "wide"),
        View::Cluster => panel(cluster(), "wide"),
        View::Mds => panel(mds(), "wide"),
    };
    // The page is a drop target for scenario files.
    let on_dragover = Callback::from(|e: DragEvent| e.prevent_default());
    let on_drop = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = dropped_file(&e) {
                read_file(file, dispatch.clone());
            }
        })
    };
    html! {
        <div class="app" data-link={link.clone()} ondragover={on_dragover} ondrop={on_drop}>
            <header>
                <h1>{ "cephscope" }</h1>
                <p class="tagline">{ "Ceph's PG peering and MDS state machines, one event at a time" }</p>
                <Tabs active={tab} on_select={dispatch.reform(Action::ShowView)} />
                <Loader on_action={dispatch.clone()} />
            </header>
            { error }
            { handoff.clone() }
            if state.show_keys {
                <div class="keys" role="dialog" aria-label="Keyboard shortcuts">
                    <p><kbd>{ "→" }</kbd>{ " step  " }<kbd>{ "←" }</kbd>{ " back (the scenario, or the PG log's decisions)  " }<kbd>{ "Space" }</kbd>{ " play / pause  " }<kbd>{ "?" }</kbd>{ " this help  · on the tabs, " }<kbd>{ "←" }</kbd>{ " " }<kbd>{ "→" }</kbd>{ " switch tabs" }</p>
                </div>
            }
            { content }
        </div>
    }
}
