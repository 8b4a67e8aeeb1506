//! Ceph's PG peering: the PeeringMachine chart (data), its events, the per-PG
//! PeeringState it reacts over, and the reaction functions.

pub mod acting;
pub mod chart;
pub mod delete;
pub mod events;
pub mod flow;
pub mod io;
pub mod logs;
pub mod query;
pub mod reactions;
pub mod recovery;
pub mod state;
pub mod unfound;
