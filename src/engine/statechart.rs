//! A small hierarchical state machine runtime with the semantics of boost::statechart as
//! Ceph's `PeeringMachine` uses them (see ../shared/reference/peering_states.md §1).
//!
//! The machine *definition* is data ([`MachineDef`]): states with their parent, initial
//! substate, entry and exit actions, and per-state reaction lists. The drawn graph, the DOT
//! export and the docs are all generated from it. A running [`Machine`] is just the current
//! leaf state; it is `Clone` and cheap, so a world holding thousands of them can be copied
//! for "step back".
//!
//! Semantics (boost::statechart, as used by Ceph):
//! - an event goes to the innermost active state; reactions are tried in the order they are
//!   listed on that state, the first whose event matches wins (`Any` matches every event,
//!   like `boost::statechart::event_base`); no match → the parent state is tried;
//! - `transition<Ev, T>` and a custom reaction's `transit<T>()` exit every state up to the
//!   innermost common outer state of the *reacting* state and `T`, innermost first, then
//!   enter down to `T` and its initial substates, outermost first;
//! - `discard_event()` consumes the event; `forward_event()` passes it to the parent of the
//!   reacting state; `terminate()` exits everything;
//! - events posted by reactions and entry actions are queued and processed, in order,
//!   after the current event, before the caller gets control back.
//!
//! The runtime never panics on an event: unknown or unexpected events are recorded and go
//! where the definition sends them (usually discarded or `Crashed`). A reaction returning a
//! target it did not declare is a bug in the definition: recorded as an error and caught by
//! `debug_assert!` in tests.

use serde::Serialize;
use std::collections::VecDeque;

/// Index of a state in its [`MachineDef`].
pub type StateId = usize;

/// An event a machine can process. `name` is the event's type name as Ceph spells it
/// (`MNotifyRec`, `AdvMap`, …); `describe` is what Ceph's `print()` would write.
pub trait Event: Clone {
    fn name(&self) -> &'static str;
    fn describe(&self) -> String {
        self.name().to_string()
    }
}

/// What a custom reaction decided (boost::statechart's `result`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Transit(StateId),
    Discard,
    Forward,
    Terminate,
}

/// Events posted while reacting (`post_event`), processed after the current one.
pub struct Posts<E> {
    queue: Vec<E>,
}

impl<E> Posts<E> {
    pub fn post(&mut self, event: E) {
        self.queue.push(event);
    }
}

/// Entry or exit action: the state's constructor or `exit()` in Ceph.
pub type Action<H, E> = fn(&mut H, &mut Posts<E>);
/// A custom reaction: Ceph's `react(const Ev&)`.
pub type Handler<H, E> = fn(&mut H, &E, &mut Posts<E>) -> Outcome;

/// Which events a reaction matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventMatch {
    Named(&'static str),
    /// `boost::statechart::event_base`: every event.
    Any,
}

impl EventMatch {
    fn matches(self, name: &str) -> bool {
        match self {
            EventMatch::Named(n) => n == name,
            EventMatch::Any => true,
        }
    }

    /// The label Ceph's diagram gives the event.
    pub fn label(self) -> &'static str {
        match self {
            EventMatch::Named(n) => n,
            EventMatch::Any => "boost::statechart::event_base",
        }
    }
}

pub enum ReactionKind<H, E> {
    /// `transition<Ev, Target>`: unconditional.
    Transition(StateId),
    /// `custom_reaction<Ev>`: the handler decides; `targets` are every state its
    /// `transit<>` can return (empty if it only discards or forwards).
    Custom {
        handler: Handler<H, E>,
        targets: Vec<StateId>,
    },
    /// A `react()` function that exists in Ceph's source with a `transit<>` but is not in
    /// the state's reactions list, so boost never calls it. Ceph's diagram script still
    /// draws its edge; the runtime never takes it.
    Unlisted { targets: Vec<StateId> },
}

pub struct ReactionDef<H, E> {
    pub state: StateId,
    pub event: EventMatch,
    pub kind: ReactionKind<H, E>,
    /// The condition / side effects in plain words (shown on hover, in docs).
    pub doc: &'static str,
}

impl<H, E> ReactionDef<H, E> {
    /// Every state this reaction can move to.
    pub fn targets(&self) -> Vec<StateId> {
        match &self.kind {
            ReactionKind::Transition(t) => vec![*t],
            ReactionKind::Custom { targets, .. } | ReactionKind::Unlisted { targets } => {
                targets.clone()
            }
        }
    }

    pub fn is_listed(&self) -> bool {
        !matches!(self.kind, ReactionKind::Unlisted { .. })
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            ReactionKind::Transition(_) => "transition",
            ReactionKind::Custom { .. } => "custom",
            ReactionKind::Unlisted { .. } => "unlisted",
        }
    }
}

pub struct StateDef<H, E> {
    /// The C++ class name (`GetInfo`).
    pub name: &'static str,
    /// The NamedState string Ceph logs and `ceph pg query` prints
    /// (`Started/Primary/Peering/GetInfo`).
    pub path: &'static str,
    pub parent: Option<StateId>,
    /// The initial substate of a composite state.
    pub initial: Option<StateId>,
    pub entry: Option<Action<H, E>>,
    pub exit: Option<Action<H, E>>,
    /// What the state does, in plain words.
    pub doc: &'static str,
}

/// A whole machine as data.
pub struct MachineDef<H, E> {
    /// The machine's name (`PeeringMachine`), drawn as the outermost cluster.
    pub name: &'static str,
    pub states: Vec<StateDef<H, E>>,
    /// The state `initiate()` enters.
    pub initial: StateId,
    /// Every event type the machine knows, in declaration order.
    pub events: Vec<&'static str>,
    /// All reactions, in per-state declaration order.
    pub reactions: Vec<ReactionDef<H, E>>,
}

/// One thing that happened inside a machine while it processed an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Micro {
    /// The machine started processing an event (external, or posted earlier).
    Event {
        event: String,
        posted: bool,
    },
    /// `state`'s reaction to `event` ran.
    React {
        state: &'static str,
        event: &'static str,
        reaction: &'static str,
    },
    /// `from`'s reaction to `event` moves the machine to `to` (the exits and entries
    /// follow). The definition's drawn edge is (from, event, to).
    Transit {
        from: &'static str,
        event: &'static str,
        to: &'static str,
    },
    Exit {
        state: &'static str,
    },
    Enter {
        state: &'static str,
    },
    Posted {
        event: String,
        by: &'static str,
    },
    Discarded {
        event: &'static str,
        by: &'static str,
    },
    Forwarded {
        event: &'static str,
        from: &'static str,
    },
    /// No state, up to the outermost, reacts to the event: boost drops it.
    Unhandled {
        event: &'static str,
    },
    Terminated,
    /// The definition or runtime hit something that must not happen (a bug, not input).
    Error {
        message: String,
    },
}

/// Bound on events posted while handling one external event: a definition that posts
/// forever is a bug, reported rather than looped on.
pub const MAX_POSTED_PER_EVENT: usize = 1024;

/// A running machine: only the current innermost state. Everything else (the PG's data)
/// lives in the host `H` that reactions receive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Machine {
    current: Option<StateId>,
}

impl<H, E: Event> MachineDef<H, E> {
    pub fn state_by_name(&self, name: &str) -> Option<StateId> {
        self.states.iter().position(|s| s.name == name)
    }

    pub fn is_composite(&self, state: StateId) -> bool {
        self.states[state].initial.is_some()
    }

    /// `state` and its outer states, innermost first.
    pub fn ancestry(&self, state: StateId) -> Vec<StateId> {
        let mut chain = vec![state];
        let mut s = state;
        while let Some(p) = self.states[s].parent {
            chain.push(p);
            s = p;
        }
        chain
    }

    pub fn is_within(&self, state: StateId, outer: StateId) -> bool {
        self.ancestry(state).contains(&outer)
    }

    /// The leaf reached by entering `state` and its initial substates recursively.
    pub fn initial_leaf(&self, state: StateId) -> StateId {
        let mut s = state;
        while let Some(i) = self.states[s].initial {
            s = i;
        }
        s
    }

    /// Reactions declared on `state`, in order.
    pub fn reactions_of(&self, state: StateId) -> impl Iterator<Item = &ReactionDef<H, E>> {
        self.reactions.iter().filter(move |r| r.state == state)
    }

    /// The innermost state that strictly contains both `source` and `target` (None: the
    /// machine itself). boost::statechart exits up to it, so a transition from a composite
    /// to one of its own substates, or from a state to itself, exits and re-enters.
    fn innermost_common_context(&self, source: StateId, target: StateId) -> Option<StateId> {
        let source_outer = &self.ancestry(source)[1..];
        let target_outer = &self.ancestry(target)[1..];
        source_outer
            .iter()
            .copied()
            .find(|s| target_outer.contains(s))
    }
}

impl Machine {
    /// A machine that has not been initiated.
    pub fn new() -> Self {
        Machine { current: None }
    }

    /// The innermost active state (None before `initiate` or after `terminate`).
    pub fn current(&self) -> Option<StateId> {
        self.current
    }

    /// Whether the machine terminated (boost's `terminate()`): it is in no state.
    pub fn is_terminated(&self) -> bool {
        self.current.is_none()
    }

    pub fn path<H, E: Event>(&self, def: &MachineDef<H, E>) -> &'static str {
        self.current.map_or("(none)", |s| def.states[s].path)
    }

    /// Enter the machine's initial state (boost's `initiate()`), running entry actions and
    /// any events they post.
    pub fn initiate<H, E: Event>(
        &mut self,
        def: &MachineDef<H, E>,
        host: &mut H,
        record: &mut Vec<Micro>,
    ) {
        let mut posts = Posts { queue: Vec::new() };
        self.enter_from(def, host, None, def.initial, &mut posts, record);
        self.drain(def, host, posts.queue.into(), record);
    }

    /// Process one external event and everything it causes to be posted.
    pub fn process<H, E: Event>(
        &mut self,
        def: &MachineDef<H, E>,
        host: &mut H,
        event: E,
        record: &mut Vec<Micro>,
    ) {
        record.push(Micro::Event {
            event: event.describe(),
            posted: false,
        });
        let mut queue = VecDeque::new();
        self.dispatch(def, host, &event, &mut queue, record);
        self.drain(def, host, queue, record);
    }

    fn drain<H, E: Event>(
        &mut self,
        def: &MachineDef<H, E>,
        host: &mut H,
        mut queue: VecDeque<E>,
        record: &mut Vec<Micro>,
    ) {
        let mut handled = 0;
        while let Some(event) = queue.pop_front() {
            handled += 1;
            if handled > MAX_POSTED_PER_EVENT {
                record.push(Micro::Error {
                    message: format!(
                        "more than {MAX_POSTED_PER_EVENT} posted events for one event: \
                         dropped the rest (a definition loops)"
                    ),
                });
                debug_assert!(false, "posted-event loop in {}", def.name);
                return;
            }
            record.push(Micro::Event {
                event: event.describe(),
                posted: true,
            });
            self.dispatch(def, host, &event, &mut queue, record);
        }
    }

    /// Find the reaction for `event`, bubbling outwards, and run it.
    fn dispatch<H, E: Event>(
        &mut self,
        def: &MachineDef<H, E>,
        host: &mut H,
        event: &E,
        queue: &mut VecDeque<E>,
        record: &mut Vec<Micro>,
    ) {
        let Some(leaf) = self.current else {
            record.push(Micro::Unhandled {
                event: event.name(),
            });
            return;
        };
        let name = event.name();
        let mut state = Some(leaf);
        while let Some(s) = state {
            let reaction = def
                .reactions_of(s)
                .find(|r| r.is_listed() && r.event.matches(name));
            let Some(reaction) = reaction else {
                state = def.states[s].parent;
                continue;
            };
            let path = def.states[s].path;
            record.push(Micro::React {
                state: path,
                event: name,
                reaction: reaction.kind_name(),
            });
            let mut posts = Posts { queue: Vec::new() };
            let outcome = match &reaction.kind {
                ReactionKind::Transition(t) => Outcome::Transit(*t),
                ReactionKind::Custom { handler, targets } => {
                    let outcome = handler(host, event, &mut posts);
                    if let Outcome::Transit(t) = outcome {
                        if !targets.contains(&t) {
                            record.push(Micro::Error {
                                message: format!(
                                    "{path} reacted to {name} with transit to {} which its \
                                     definition does not declare",
                                    def.states[t].path
                                ),
                            });
                            debug_assert!(false, "undeclared transit {path} -> {t}");
                        }
                    }
                    outcome
                }
                ReactionKind::Unlisted { .. } => unreachable!("filtered above"),
            };
            self.record_posts(&posts, path, record);
            match outcome {
                Outcome::Transit(target) => {
                    record.push(Micro::Transit {
                        from: path,
                        event: reaction.event.label(),
                        to: def.states[target].path,
                    });
                    self.transit(def, host, s, target, &mut posts, record);
                }
                Outcome::Discard => record.push(Micro::Discarded {
                    event: name,
                    by: path,
                }),
                Outcome::Forward => {
                    record.push(Micro::Forwarded {
                        event: name,
                        from: path,
                    });
                    queue.extend(posts.queue);
                    state = def.states[s].parent;
                    continue;
                }
                Outcome::Terminate => self.terminate(def, host, &mut posts, record),
            }
            queue.extend(posts.queue);
            return;
        }
        record.push(Micro::Unhandled { event: name });
    }

    fn record_posts<E: Event>(&self, posts: &Posts<E>, by: &'static str, record: &mut Vec<Micro>) {
        for e in &posts.queue {
            record.push(Micro::Posted {
                event: e.describe(),
                by,
            });
        }
    }

    fn transit<H, E: Event>(
        &mut self,
        def: &MachineDef<H, E>,
        host: &mut H,
        source: StateId,
        target: StateId,
        posts: &mut Posts<E>,
        record: &mut Vec<Micro>,
    ) {
        let common = def.innermost_common_context(source, target);
        self.exit_to(def, host, common, posts, record);
        self.enter_from(def, host, common, target, posts, record);
    }

    /// Exit the active states innermost-first, up to (not including) `common`.
    fn exit_to<H, E: Event>(
        &mut self,
        def: &MachineDef<H, E>,
        host: &mut H,
        common: Option<StateId>,
        posts: &mut Posts<E>,
        record: &mut Vec<Micro>,
    ) {
        let Some(leaf) = self.current else { return };
        for s in def.ancestry(leaf) {
            if Some(s) == common {
                break;
            }
            let before = posts.queue.len();
            if let Some(exit) = def.states[s].exit {
                exit(host, posts);
            }
            record.push(Micro::Exit {
                state: def.states[s].path,
            });
            self.record_new_posts(posts, before, def.states[s].path, record);
            self.current = def.states[s].parent;
        }
    }

    /// Enter from just inside `common` down to `target`, then its initial substates.
    fn enter_from<H, E: Event>(
        &mut self,
        def: &MachineDef<H, E>,
        host: &mut H,
        common: Option<StateId>,
        target: StateId,
        posts: &mut Posts<E>,
        record: &mut Vec<Micro>,
    ) {
        let mut chain: Vec<StateId> = def
            .ancestry(target)
            .into_iter()
            .take_while(|s| Some(*s) != common)
            .collect();
        chain.reverse();
        let mut s = target;
        while let Some(i) = def.states[s].initial {
            chain.push(i);
            s = i;
        }
        for s in chain {
            self.current = Some(s);
            let before = posts.queue.len();
            record.push(Micro::Enter {
                state: def.states[s].path,
            });
            if let Some(entry) = def.states[s].entry {
                entry(host, posts);
            }
            self.record_new_posts(posts, before, def.states[s].path, record);
        }
    }

    fn record_new_posts<E: Event>(
        &self,
        posts: &Posts<E>,
        before: usize,
        by: &'static str,
        record: &mut Vec<Micro>,
    ) {
        for e in &posts.queue[before..] {
            record.push(Micro::Posted {
                event: e.describe(),
                by,
            });
        }
    }

    fn terminate<H, E: Event>(
        &mut self,
        def: &MachineDef<H, E>,
        host: &mut H,
        posts: &mut Posts<E>,
        record: &mut Vec<Micro>,
    ) {
        self.exit_to(def, host, None, posts, record);
        self.current = None;
        posts.queue.clear();
        record.push(Micro::Terminated);
    }
}

impl Default for Machine {
    fn default() -> Self {
        Self::new()
    }
}
