//! The simulated network: messages in flight between endpoints, each with the logical time
//! it becomes deliverable. Ceph's messenger keeps order per connection (lossless peers), so
//! a message may only be delivered when no older message on the same (from, to) connection
//! is still in flight. Delivery order across connections is the simulation's (or the
//! user's) choice; a down endpoint neither sends nor receives.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

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

/// Messages in flight, indexed so that a step costs the work of its message and not the
/// number of messages in flight (thousands after a failure in a large cluster): by id (send
/// order), per connection (FIFO), and the connections' oldest messages by delivery time.
#[derive(Clone, Debug)]
pub struct Network<M> {
    next_id: u64,
    /// Every message in flight by id; ids increase in send order.
    in_flight: BTreeMap<u64, Envelope<M>>,
    /// Each connection's messages in flight, oldest first.
    by_connection: BTreeMap<(Endpoint, Endpoint), BTreeSet<u64>>,
    /// The oldest message of each connection (the deliverable ones), by (deliver_at, id).
    heads: BTreeSet<(TimeMs, u64)>,
    /// One-way latency of every connection.
    pub latency_ms: TimeMs,
}

impl<M: Serialize> Serialize for Network<M> {
    /// As a list of envelopes in send order (the indexes are derived).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Network", 3)?;
        st.serialize_field("next_id", &self.next_id)?;
        st.serialize_field("in_flight", &self.in_flight.values().collect::<Vec<_>>())?;
        st.serialize_field("latency_ms", &self.latency_ms)?;
        st.end()
    }
}

impl<M: Clone> Network<M> {
    pub fn new(latency_ms: TimeMs) -> Self {
        Network {
            next_id: 1,
            in_flight: BTreeMap::new(),
            by_connection: BTreeMap::new(),
            heads: BTreeSet::new(),
            latency_ms,
        }
    }

    /// Queue a message; returns its id.
    pub fn send(&mut self, now: TimeMs, from: Endpoint, to: Endpoint, msg: M) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let deliver_at = now + self.latency_ms;
        let queue = self.by_connection.entry((from, to)).or_default();
        if queue.is_empty() {
            self.heads.insert((deliver_at, id));
        }
        queue.insert(id);
        self.in_flight.insert(
            id,
            Envelope {
                id,
                from,
                to,
                sent_at: now,
                deliver_at,
                msg,
            },
        );
        id
    }

    /// Every message in flight, in send order.
    pub fn in_flight(&self) -> Vec<&Envelope<M>> {
        self.in_flight.values().collect()
    }

    /// The message with this id, if it is in flight.
    pub fn get(&self, id: u64) -> Option<&Envelope<M>> {
        self.in_flight.get(&id)
    }

    pub fn len(&self) -> usize {
        self.in_flight.len()
    }

    pub fn is_empty(&self) -> bool {
        self.in_flight.is_empty()
    }

    pub fn is_quiet(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// Messages that may be delivered now: the oldest of each connection, in send order.
    pub fn deliverable(&self) -> Vec<&Envelope<M>> {
        let mut out: Vec<&Envelope<M>> = self
            .heads
            .iter()
            .map(|(_, id)| &self.in_flight[id])
            .collect();
        out.sort_by_key(|e| e.id);
        out
    }

    fn older_on_connection(&self, e: &Envelope<M>) -> Option<u64> {
        self.by_connection
            .get(&(e.from, e.to))
            .and_then(|q| q.first().copied())
            .filter(|&oldest| oldest < e.id)
    }

    /// The next message in time order (ties: send order), if any.
    pub fn next_due(&self) -> Option<&Envelope<M>> {
        self.heads.first().map(|(_, id)| &self.in_flight[id])
    }

    /// Take a message out for delivery, keeping per-connection FIFO.
    pub fn take(&mut self, id: u64) -> Result<Envelope<M>, DeliverError> {
        let e = self
            .in_flight
            .get(&id)
            .ok_or(DeliverError::NoSuchMessage(id))?;
        if let Some(older) = self.older_on_connection(e) {
            return Err(DeliverError::OlderOnConnection { wanted: id, older });
        }
        Ok(self.remove(id))
    }

    /// Drop one message (the user's "lose this message"; a TCP reset in Ceph terms).
    pub fn drop_message(&mut self, id: u64) -> Result<Envelope<M>, DeliverError> {
        if !self.in_flight.contains_key(&id) {
            return Err(DeliverError::NoSuchMessage(id));
        }
        Ok(self.remove(id))
    }

    /// Remove a message in flight and keep the indexes: when it was its connection's
    /// oldest, the next one on the connection becomes deliverable.
    fn remove(&mut self, id: u64) -> Envelope<M> {
        let e = self.in_flight.remove(&id).expect("caller checked");
        let key = (e.from, e.to);
        let queue = self.by_connection.get_mut(&key).expect("indexed");
        let was_head = queue.first() == Some(&id);
        queue.remove(&id);
        if was_head {
            self.heads.remove(&(e.deliver_at, id));
            if let Some(&next) = queue.first() {
                self.heads.insert((self.in_flight[&next].deliver_at, next));
            }
        }
        if queue.is_empty() {
            self.by_connection.remove(&key);
        }
        e
    }

    /// Discard everything to or from `who` (it went down: its connections reset).
    pub fn reset_endpoint(&mut self, who: Endpoint) -> Vec<Envelope<M>> {
        let connections: Vec<(Endpoint, Endpoint)> = self
            .by_connection
            .keys()
            .filter(|(f, t)| *f == who || *t == who)
            .copied()
            .collect();
        let mut gone = Vec::new();
        for key in connections {
            let ids = self.by_connection.remove(&key).unwrap_or_default();
            for id in ids {
                let e = self.in_flight.remove(&id).expect("indexed");
                self.heads.remove(&(e.deliver_at, id));
                gone.push(e);
            }
        }
        gone.sort_by_key(|e| e.id);
        gone
    }

    /// The indexes agree with the messages in flight (a broken index would deliver out of
    /// FIFO order or lose a message).
    pub fn check_invariants(&self) {
        let mut heads = BTreeSet::new();
        let mut count = 0;
        for (key, queue) in &self.by_connection {
            assert!(!queue.is_empty(), "empty connection queue kept for {key:?}");
            for id in queue {
                let e = &self.in_flight[id];
                assert_eq!(
                    (e.from, e.to),
                    *key,
                    "message #{id} indexed on the wrong connection"
                );
                count += 1;
            }
            let head = &self.in_flight[queue.first().expect("not empty")];
            heads.insert((head.deliver_at, head.id));
        }
        assert_eq!(
            count,
            self.in_flight.len(),
            "messages missing from the connection index"
        );
        assert_eq!(heads, self.heads, "deliverable heads out of date");
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

    /// The indexed network against the obvious one (a list in send order, the oldest of
    /// each connection deliverable) over a long pseudo-random mix of sends, deliveries,
    /// drops and resets.
    #[test]
    fn indexes_agree_with_a_plain_list() {
        let mut net = Network::new(3);
        let mut plain: Vec<(u64, Endpoint, Endpoint)> = Vec::new();
        let mut seed: u64 = 0x5eed;
        let mut rand = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for now in 0..5_000u64 {
            let ep = |x: u64| {
                if x == 4 {
                    Endpoint::Mon
                } else {
                    Endpoint::Osd(x as i32)
                }
            };
            match rand(10) {
                0..=4 => {
                    let (f, t) = (ep(rand(5)), ep(rand(5)));
                    let id = net.send(now, f, t, now);
                    plain.push((id, f, t));
                }
                5..=7 if !plain.is_empty() => {
                    let (id, f, t) = plain[rand(plain.len() as u64) as usize];
                    let oldest = plain.iter().find(|m| (m.1, m.2) == (f, t)).unwrap().0;
                    match net.take(id) {
                        Ok(e) => {
                            assert_eq!(id, oldest);
                            assert_eq!(e.id, id);
                            plain.retain(|m| m.0 != id);
                        }
                        Err(err) => assert_eq!(
                            err,
                            DeliverError::OlderOnConnection {
                                wanted: id,
                                older: oldest
                            }
                        ),
                    }
                }
                8 if !plain.is_empty() => {
                    let (id, _, _) = plain[rand(plain.len() as u64) as usize];
                    net.drop_message(id).unwrap();
                    plain.retain(|m| m.0 != id);
                }
                9 => {
                    let who = ep(rand(5));
                    let gone: Vec<u64> = net.reset_endpoint(who).iter().map(|e| e.id).collect();
                    let want: Vec<u64> = plain
                        .iter()
                        .filter(|m| m.1 == who || m.2 == who)
                        .map(|m| m.0)
                        .collect();
                    assert_eq!(gone, want);
                    plain.retain(|m| m.1 != who && m.2 != who);
                }
                _ => {}
            }
            net.check_invariants();
            let mut seen = BTreeSet::new();
            let heads: Vec<u64> = plain
                .iter()
                .filter(|m| seen.insert((m.1, m.2)))
                .map(|m| m.0)
                .collect();
            let got: Vec<u64> = net.deliverable().iter().map(|e| e.id).collect();
            assert_eq!(got, heads);
            assert_eq!(net.next_due().map(|e| e.id), heads.first().copied());
        }
    }
}
