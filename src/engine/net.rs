//! The simulated network: messages in flight between endpoints, each with the logical time
//! it becomes deliverable. Ceph's messenger keeps order per connection (lossless peers), so
//! a message may only be delivered when no older message on the same (from, to) connection
//! is still in flight. Delivery order across connections is the simulation's (or the
//! user's) choice; a down endpoint neither sends nor receives.

use serde::Serialize;
use std::collections::BTreeSet;

/// Logical time in milliseconds since the scenario began.
pub type TimeMs = u64;

/// Who talks: an OSD, the monitor, or a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Endpoint {
    Osd(i32),
    Mon,
    Client(u32),
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Osd(i) => write!(f, "osd.{i}"),
            Endpoint::Mon => write!(f, "mon.a"),
            Endpoint::Client(i) => write!(f, "client.{i}"),
        }
    }
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Envelope<M> {
    /// Unique, increasing in send order.
    pub id: u64,
    pub from: Endpoint,
    pub to: Endpoint,
    pub sent_at: TimeMs,
    pub deliver_at: TimeMs,
    pub msg: M,
}

/// Why a chosen delivery was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliverError {
    NoSuchMessage(u64),
    /// An older message on the same connection must be delivered (or dropped) first.
    OlderOnConnection {
        wanted: u64,
        older: u64,
    },
}

impl std::fmt::Display for DeliverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliverError::NoSuchMessage(id) => write!(f, "message #{id} is not in flight"),
            DeliverError::OlderOnConnection { wanted, older } => write!(
                f,
                "message #{wanted} cannot overtake #{older} on the same connection"
            ),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Network<M> {
    next_id: u64,
    /// In send order (ids increasing).
    in_flight: Vec<Envelope<M>>,
    /// One-way latency of every connection.
    pub latency_ms: TimeMs,
}

impl<M: Clone> Network<M> {
    pub fn new(latency_ms: TimeMs) -> Self {
        Network {
            next_id: 1,
            in_flight: Vec::new(),
            latency_ms,
        }
    }

    /// Queue a message; returns its id.
    pub fn send(&mut self, now: TimeMs, from: Endpoint, to: Endpoint, msg: M) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.push(Envelope {
            id,
            from,
            to,
            sent_at: now,
            deliver_at: now + self.latency_ms,
            msg,
        });
        id
    }

    pub fn in_flight(&self) -> &[Envelope<M>] {
        &self.in_flight
    }

    pub fn is_quiet(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// Messages that may be delivered now: the oldest of each connection.
    pub fn deliverable(&self) -> Vec<&Envelope<M>> {
        // `in_flight` is in send order, so the first message of a connection is its oldest:
        // one pass, not a scan per message (thousands are in flight after a failure).
        let mut seen = BTreeSet::new();
        self.in_flight
            .iter()
            .filter(|e| seen.insert((e.from, e.to)))
            .collect()
    }

    fn older_on_connection(&self, e: &Envelope<M>) -> Option<u64> {
        self.in_flight
            .iter()
            .find(|o| o.id < e.id && o.from == e.from && o.to == e.to)
            .map(|o| o.id)
    }

    /// The next message in time order (ties: send order), if any.
    pub fn next_due(&self) -> Option<&Envelope<M>> {
        self.deliverable()
            .into_iter()
            .min_by_key(|e| (e.deliver_at, e.id))
    }

    /// Take a message out for delivery, keeping per-connection FIFO.
    pub fn take(&mut self, id: u64) -> Result<Envelope<M>, DeliverError> {
        let pos = self
            .in_flight
            .iter()
            .position(|e| e.id == id)
            .ok_or(DeliverError::NoSuchMessage(id))?;
        if let Some(older) = self.older_on_connection(&self.in_flight[pos]) {
            return Err(DeliverError::OlderOnConnection { wanted: id, older });
        }
        Ok(self.in_flight.remove(pos))
    }

    /// Drop one message (the user's "lose this message"; a TCP reset in Ceph terms).
    pub fn drop_message(&mut self, id: u64) -> Result<Envelope<M>, DeliverError> {
        let pos = self
            .in_flight
            .iter()
            .position(|e| e.id == id)
            .ok_or(DeliverError::NoSuchMessage(id))?;
        Ok(self.in_flight.remove(pos))
    }

    /// Discard everything to or from `who` (it went down: its connections reset).
    pub fn reset_endpoint(&mut self, who: Endpoint) -> Vec<Envelope<M>> {
        let (gone, kept): (Vec<_>, Vec<_>) = self
            .in_flight
            .drain(..)
            .partition(|e| e.from == who || e.to == who);
        self.in_flight = kept;
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_per_connection_but_free_across_connections() {
        let mut net = Network::new(5);
        let a = net.send(0, Endpoint::Osd(0), Endpoint::Osd(1), "a");
        let b = net.send(1, Endpoint::Osd(0), Endpoint::Osd(1), "b");
        let c = net.send(2, Endpoint::Osd(2), Endpoint::Osd(1), "c");
        let ids: Vec<u64> = net.deliverable().iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![a, c]);
        assert_eq!(
            net.take(b).unwrap_err(),
            DeliverError::OlderOnConnection {
                wanted: b,
                older: a
            }
        );
        assert_eq!(net.take(c).unwrap().msg, "c");
        assert_eq!(net.next_due().unwrap().id, a);
        net.drop_message(a).unwrap();
        assert_eq!(net.take(b).unwrap().msg, "b");
        assert!(net.is_quiet());
        assert_eq!(net.take(99).unwrap_err(), DeliverError::NoSuchMessage(99));
    }

    #[test]
    fn a_down_endpoint_loses_its_traffic() {
        let mut net = Network::new(1);
        net.send(0, Endpoint::Osd(0), Endpoint::Osd(1), 1);
        net.send(0, Endpoint::Osd(1), Endpoint::Mon, 2);
        net.send(0, Endpoint::Osd(2), Endpoint::Mon, 3);
        assert_eq!(net.reset_endpoint(Endpoint::Osd(1)).len(), 2);
        assert_eq!(net.in_flight().len(), 1);
    }
}
