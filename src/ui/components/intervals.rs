//! The intervals view: one built-in example run through
//! `engine::intervals::cli_intervals` — an epoch axis, each recorded past interval as a
//! band coloured by `maybe_went_rw` (its reason on hover and in the list below), the
//! current interval, every OSD's up / up_from / up_thru / down_at / lost_at per epoch (from
//! the example's maps), and the prior set with the engine's "why" for each OSD.
//!
//! Written with plain loops and few generic helpers: each closure handed to an iterator
//! adapter is compiled separately, and the web build's size matters.

use crate::engine::intervals::{osd_vec_string, WhySet};
use crate::ui::examples::{self, InputEpoch, InputOsd, IntervalsModel, INTERVALS};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IntervalsProps {
    /// The example (index into `examples::INTERVALS`).
    pub index: usize,
    /// Show the example picker.
    pub controls: bool,
    pub on_select: Callback<usize>,
}

#[function_component(IntervalsView)]
pub fn intervals_view(p: &IntervalsProps) -> Html {
    let mut picker = Html::default();
    if p.controls {
        let on_change = p.on_select.reform(|e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            select.selected_index().max(0) as usize
        });
        let mut options = Vec::new();
        for (i, ex) in INTERVALS.iter().enumerate() {
            let title = match examples::intervals(i) {
                Some(Ok(m)) => m.title.as_str(),
                _ => "",
            };
            options.push(html! {
                <option value={ex.name} selected={i == p.index}>{ format!("{title} ({})", ex.name) }</option>
            });
        }
        picker = html! {
            <div class="picker">
                <label for="intervals-example">{ "Example" }</label>
                <select id="intervals-example" data-testid="intervals-example" onchange={on_change}>
                    { options }
                </select>
            </div>
        };
    }
    let body = match examples::intervals(p.index) {
        Some(Ok(model)) => body(model),
        Some(Err(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        None => html! { <p class="error" role="alert">{ "No such example." }</p> },
    };
    html! {
        <section class="view intervals-view" aria-label="Past intervals and the prior set">
            { picker }
            { body }
        </section>
    }
}

fn primary(osd: i32) -> String {
    if osd < 0 {
        "none".into()
    } else {
        format!("osd.{osd}")
    }
}

/// `osd.1, osd.2` (or `none`).
fn osd_list(list: &[String]) -> String {
    let mut s = String::new();
    for o in list {
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str("osd.");
        s.push_str(o);
    }
    if s.is_empty() {
        s.push_str("none");
    }
    s
}

fn ids(list: &[i32]) -> Vec<String> {
    list.iter().map(i32::to_string).collect()
}

/// Insert `x` into the sorted `v` unless it is there.
fn insert_sorted<T: Ord + Copy>(v: &mut Vec<T>, x: T) {
    if let Err(i) = v.binary_search(&x) {
        v.insert(i, x);
    }
}

/// An input up/acting vector as Ceph prints it (`[1,2]`, `NONE` for a hole).
fn input_vec(v: &[String]) -> String {
    format!("[{}]", v.join(","))
}

fn grid_column(col: usize) -> String {
    format!("grid-column: {col}")
}

fn body(m: &IntervalsModel) -> Html {
    let out = &m.out;
    let maps = &m.input.epochs;
    let last_epoch = maps.last().map_or(0, |e| e.epoch);
    // The epochs drawn: every epoch of the example, and every interval bound.
    let mut epochs: Vec<u32> = Vec::new();
    for e in maps {
        insert_sorted(&mut epochs, e.epoch);
    }
    for r in &out.past_intervals {
        insert_sorted(&mut epochs, r.interval.first);
        insert_sorted(&mut epochs, r.interval.last);
    }
    insert_sorted(&mut epochs, out.current_interval.first);
    let col = |e: u32| epochs.iter().position(|&x| x >= e).unwrap_or(epochs.len()) + 2;
    let listed = |e: u32| maps.iter().any(|x| x.epoch == e);

    let mut osd_ids: Vec<i32> = Vec::new();
    for e in maps {
        for o in &e.osds {
            insert_sorted(&mut osd_ids, o.osd);
        }
    }

    let history = &out.history;
    let mut grid: Vec<Html> = Vec::new();
    grid.push(html! { <div class="row-label corner" style="grid-column: 1">{ "epoch" }</div> });
    let mut any_carried = false;
    for &e in &epochs {
        any_carried |= !listed(e);
        let les = (e == history.last_epoch_started).then(|| {
            html! { <span class="mark" title="history.last_epoch_started">{ "les" }</span> }
        });
        let lec = (e == history.last_epoch_clean).then(|| {
            html! { <span class="mark" title="history.last_epoch_clean">{ "lec" }</span> }
        });
        grid.push(html! {
            <div class={classes!("axis", (!listed(e)).then_some("carried"))} style={grid_column(col(e))}>
                <span class="epoch">{ format!("e{e}") }</span>{ les }{ lec }
            </div>
        });
    }

    grid.push(html! { <div class="row-label" style="grid-column: 1">{ "intervals" }</div> });
    for r in &out.past_intervals {
        let i = &r.interval;
        let rw = if i.maybe_went_rw { "rw" } else { "not-rw" };
        grid.push(html! {
            <div class={classes!("band", "past", rw)}
                 style={format!("grid-column: {} / {}", col(i.first), col(i.last) + 1)}
                 title={format!("{}–{}: {}", i.first, i.last, i.reason)}
                 data-testid="interval-band" data-first={i.first.to_string()}>
                <span class="band-epochs">{ format!("{}–{}", i.first, i.last) }</span>
                <span>{ format!("acting {}", osd_vec_string(&i.acting)) }</span>
                <span>{ format!("up {}", osd_vec_string(&i.up)) }</span>
                <span>{ format!("primary {}", primary(i.primary)) }</span>
                <span class="band-rw">{ if i.maybe_went_rw { "may have gone rw" } else { "not rw" } }</span>
            </div>
        });
    }
    let cur = &out.current_interval;
    let cur_last = last_epoch.max(cur.first);
    grid.push(html! {
        <div class="band current" data-testid="current-band"
             style={format!("grid-column: {} / {}", col(cur.first), col(cur_last) + 1)}
             title="The current interval: it has not ended, so it is not a past interval">
            <span class="band-epochs">{ format!("{}– (current)", cur.first) }</span>
            <span>{ format!("acting {}", osd_vec_string(&cur.acting)) }</span>
            <span>{ format!("up {}", osd_vec_string(&cur.up)) }</span>
            <span>{ format!("primary {}", primary(cur.primary)) }</span>
        </div>
    });

    for &osd in &osd_ids {
        grid.push(
            html! { <div class="row-label" style="grid-column: 1">{ format!("osd.{osd}") }</div> },
        );
        let mut prev_thru: Option<u32> = None;
        for &e in &epochs {
            // An epoch the example leaves out is the one listed before it.
            let map = maps.iter().rev().find(|x| x.epoch <= e);
            let found = map.and_then(|x| x.osds.iter().find(|o| o.osd == osd).map(|o| (x, o)));
            grid.push(match found {
                None => {
                    html! { <div class="osd-cell absent" style={grid_column(col(e))}>{ "—" }</div> }
                }
                Some((map, o)) => {
                    let changed = prev_thru.is_some_and(|t| Some(t) != o.up_thru);
                    prev_thru = o.up_thru;
                    osd_cell(map, o, col(e), map.epoch != e, changed)
                }
            });
        }
    }

    let mut list: Vec<Html> = Vec::new();
    for r in &out.past_intervals {
        let i = &r.interval;
        let because = (!r.new_interval_because.is_empty()).then(|| {
            html! {
                <p class="because">{ format!("It ended because at {}: {}.", i.last + 1, r.new_interval_because.join("; ")) }</p>
            }
        });
        list.push(html! {
            <li data-testid="interval-item" class={if i.maybe_went_rw { "rw" } else { "not-rw" }}>
                <p>
                    <strong>{ format!("{}–{}", i.first, i.last) }</strong>
                    { format!(" acting {} up {} primary {} — ", osd_vec_string(&i.acting), osd_vec_string(&i.up), primary(i.primary)) }
                    <span class="rw-word">{ if i.maybe_went_rw { "may have gone rw" } else { "cannot have gone rw" } }</span>
                </p>
                <p class="reason">{ format!("Why: {}.", i.reason) }</p>
                { because }
            </li>
        });
    }
    let mut compact = String::new();
    for (first, last, acting) in &out.compact.intervals {
        if !compact.is_empty() {
            compact.push_str("; ");
        }
        compact.push_str(&format!("{first}–{last} acting {{{}}}", acting.join(",")));
    }
    if compact.is_empty() {
        compact.push_str("none");
    }
    let carried_note = any_carried.then(|| {
        html! { <span>{ "· dimmed epochs are not in the example: they repeat the one before" }</span> }
    });

    html! {
        <>
            <p class="description">{ m.input.description.clone() }</p>
            { verdict(m) }
            <h2>{ "Epochs and intervals" }</h2>
            <div class="hscroll" tabindex="0" role="group" aria-label="Epoch timeline (scrolls sideways)">
                <div class="timeline" style={format!("--columns: {}", epochs.len())}>{ grid }</div>
            </div>
            <p class="legend">
                <span><span class="swatch rw"></span>{ " may have gone rw" }</span>
                <span><span class="swatch not-rw"></span>{ " cannot have gone rw" }</span>
                <span><span class="swatch current"></span>{ " current interval" }</span>
                <span><span class="swatch acting"></span>{ " in acting" }</span>
                <span><span class="changed">{ "up_thru" }</span>{ " changed in this epoch" }</span>
                { carried_note }
            </p>
            <h2>{ "Past intervals" }</h2>
            <ol class="interval-list" data-testid="interval-list">
                { list }
                <li class="current">
                    <p>
                        <strong>{ format!("{}–{}", cur.first, cur_last) }</strong>
                        { format!(" acting {} up {} primary {} — the current interval (not a past interval).",
                            osd_vec_string(&cur.acting), osd_vec_string(&cur.up), primary(cur.primary)) }
                    </p>
                </li>
            </ol>
            <p class="muted">
                { format!("history: {history}. Ceph keeps only the compact form: epochs {}–{}, participants {{{}}}, intervals that may have gone rw: {compact}.",
                    out.compact.bounds[0], out.compact.bounds[1].saturating_sub(1),
                    out.compact.all_participants.join(",")) }
            </p>
            { prior_set(m) }
        </>
    }
}

fn osd_cell(map: &InputEpoch, o: &InputOsd, col: usize, carried: bool, thru_changed: bool) -> Html {
    let id = o.osd.to_string();
    let acting = map.acting.contains(&id);
    // The input's acting_primary, which defaults to the first of acting.
    let is_primary = match map.acting_primary {
        Some(p) => p == o.osd,
        None => map.acting.first() == Some(&id),
    };
    let state = if o.exists == Some(false) {
        "gone"
    } else if o.up {
        "up"
    } else {
        "down"
    };
    let role = if is_primary {
        " · primary"
    } else if acting {
        " · acting"
    } else {
        ""
    };
    let class = classes!(
        "osd-cell",
        state,
        acting.then_some("acting"),
        carried.then_some("carried")
    );
    let line = |name: &str, v: Option<u32>, class: &'static str| {
        v.map(|v| html! { <span class={class}>{ format!("{name} {v}") }</span> })
    };
    html! {
        <div {class} style={grid_column(col)}
             title={format!("osd.{id} in e{}: {state}{role}; acting {} up {}", map.epoch, input_vec(&map.acting), input_vec(&map.up))}>
            <span class="osd-state">{ format!("{state}{role}") }</span>
            { line("up_thru", o.up_thru, if thru_changed { "changed" } else { "" }) }
            { line("up_from", o.up_from, "") }
            { line("down_at", o.down_at.filter(|&d| d > 0), "") }
            { line("lost_at", o.lost_at.filter(|&d| d > 0), "lost-at") }
        </div>
    }
}

/// The answer first: is the PG down, and why (the engine's notes).
fn verdict(m: &IntervalsModel) -> Html {
    let out = &m.out;
    let ps = &out.prior_set;
    let cur = &out.current_interval;
    let sis = out.history.same_interval_since;
    let up_thru = if out.need_up_thru {
        format!("need_up_thru: the acting primary {} must still get the monitor to record up_thru ≥ {sis} (same_interval_since) before it may go active.", primary(cur.primary))
    } else {
        format!(
            "need_up_thru: no — {}'s up_thru already covers this interval (since {sis}).",
            primary(cur.primary)
        )
    };
    // pg_down: the blocked_by notes. Otherwise: why no down OSD blocks (the notes of the
    // down OSDs) and which intervals cannot have gone rw.
    let mut notes: Vec<Html> = Vec::new();
    for (osd, why) in &ps.why {
        let shown = if ps.pg_down {
            WhySet::BlockedBy
        } else if ps.down.contains(osd) {
            WhySet::Note
        } else {
            continue;
        };
        for n in why.iter().filter(|n| n.set == shown) {
            notes.push(
                html! { <li><strong>{ format!("osd.{osd}: ") }</strong>{ n.reason.clone() }</li> },
            );
        }
    }
    let (class, head) = if ps.pg_down {
        (
            "verdict down",
            format!(
                " — prior set pg_down = true, blocked by {}.",
                blocked(&ps.blocked_by)
            ),
        )
    } else {
        for r in out
            .past_intervals
            .iter()
            .filter(|r| !r.interval.maybe_went_rw)
        {
            let i = &r.interval;
            notes.push(html! { <li><strong>{ format!("{}–{} ignored: ", i.first, i.last) }</strong>{ i.reason.clone() }</li> });
        }
        (
            "verdict ok",
            format!(
                " — prior set pg_down = false: peering probes {} and waits for no down OSD.",
                osd_list(&ps.probe)
            ),
        )
    };
    let word = if ps.pg_down { "is down" } else { "is not down" };
    html! {
        <div {class} data-testid="verdict" role="status">
            <p class="verdict-head"><strong>{ format!("pg {} {word}", out.pgid) }</strong>{ head }</p>
            <ul>{ notes }</ul>
            <p data-testid="need-up-thru">{ up_thru }</p>
        </div>
    }
}

/// `osd.0 (lost_at 0), …` or `none`.
fn blocked(list: &[(i32, u32)]) -> String {
    let mut s = String::new();
    for (osd, lost_at) in list {
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str(&format!("osd.{osd} (lost_at {lost_at})"));
    }
    if s.is_empty() {
        s.push_str("none");
    }
    s
}

fn prior_set(m: &IntervalsModel) -> Html {
    let ps = &m.out.prior_set;
    let mut why: Vec<Html> = Vec::new();
    for (osd, notes) in &ps.why {
        let mut items: Vec<Html> = Vec::new();
        for n in notes {
            let set = set_name(n.set);
            items.push(html! {
                <li><span class={classes!("pill", set)}>{ set }</span>{ " " }{ n.reason.clone() }</li>
            });
        }
        why.push(html! {
            <li data-osd={osd.to_string()}>
                <strong>{ format!("osd.{osd}") }</strong>
                <ul>{ items }</ul>
            </li>
        });
    }
    html! {
        <>
            <h2>{ "Prior set" }</h2>
            <dl class="prior" data-testid="prior-set">
                <div><dt>{ "probe" }</dt><dd data-testid="probe">{ osd_list(&ps.probe) }</dd></div>
                <div><dt>{ "down" }</dt><dd data-testid="down">{ osd_list(&ids(&ps.down)) }</dd></div>
                <div><dt>{ "blocked_by" }</dt><dd data-testid="blocked-by">{ blocked(&ps.blocked_by) }</dd></div>
                <div><dt>{ "pg_down" }</dt><dd data-testid="pg-down" class={if ps.pg_down { "bad" } else { "good" }}>{ ps.pg_down.to_string() }</dd></div>
            </dl>
            <h3>{ "Why each OSD is where it is" }</h3>
            <ul class="why" data-testid="why">{ why }</ul>
        </>
    }
}

fn set_name(set: WhySet) -> &'static str {
    match set {
        WhySet::Probe => "probe",
        WhySet::Down => "down",
        WhySet::BlockedBy => "blocked_by",
        WhySet::Note => "note",
    }
}
