//! Ceph's own PG log tests, ported: src/test/osd/TestPGLog.cc (the PGLogTest,
//! PGLogMergeDupsTest and PGLogTrimTest fixtures) and the pg_missing_t tests of
//! src/test/osd/types.cc. Each test is named after the Ceph test (`_caseN` for the N-th
//! block of a Ceph test that has several) and asserts what Ceph asserts. Then: the JSON
//! face (example files, malformed input) and a property test.
//!
//! Objects: Ceph's tests tell objects apart by hash (`set_hash(0x9)`); here they are named
//! after it (`x9`). Entries Ceph leaves at op 0 (no op) are MODIFY here.

use cephscope::engine::pglog::*;
use std::collections::{BTreeMap, BTreeSet};

fn ev(epoch: u32, version: u64) -> Eversion {
    Eversion::new(epoch, version)
}

fn mk_obj(id: u32) -> String {
    format!("obj_{id}")
}

fn mk_ple_mod(o: &str, v: Eversion, pv: Eversion) -> LogEntry {
    LogEntry::new(Op::Modify, o, v, pv)
}
fn mk_ple_dt(o: &str, v: Eversion, pv: Eversion) -> LogEntry {
    LogEntry::new(Op::Delete, o, v, pv)
}
fn mk_ple_ldt(o: &str, v: Eversion, pv: Eversion) -> LogEntry {
    LogEntry::new(Op::LostDelete, o, v, pv)
}
fn mk_ple_mod_rb(o: &str, v: Eversion, pv: Eversion) -> LogEntry {
    mk_ple_mod(o, v, pv).rollbackable()
}
fn mk_ple_dt_rb(o: &str, v: Eversion, pv: Eversion) -> LogEntry {
    mk_ple_dt(o, v, pv).rollbackable()
}
/// `mk_ple_err` does not call `mark_unrollbackable`.
fn mk_ple_err(o: &str, v: Eversion) -> LogEntry {
    LogEntry::new(Op::Error, o, v, Eversion::ZERO).rollbackable()
}

/// The PGLogTest fixture: `SetUp` sets `missing.may_include_deletes = true`.
fn pglog_test() -> PgLog {
    let mut p = PgLog::default();
    p.missing.may_include_deletes = true;
    p
}

/// Ceph's `last_backfill(object_t("oname"), "key", 1, 234, 1, "")` sorts after the tests'
/// objects, which have pool -1 (Ceph sorts by pool first); byte-wise, "oname" would sort
/// before "x9", so the bound is named to sort after every test object.
fn oname() -> ObjectBound {
    ObjectBound::Object("zz_oname".into())
}

// ---------------------------------------------------------------------------------------
// PGLogTest::TestCase: one base history, an authoritative and a divergent continuation.

#[derive(Default)]
struct TestCase {
    base: Vec<LogEntry>,
    auth: Vec<LogEntry>,
    div: Vec<LogEntry>,
    init: Vec<(String, Eversion, Eversion, bool)>,
    final_: Vec<(String, Eversion, Eversion, bool)>,
    toremove: BTreeSet<String>,
    torollback: Vec<LogEntry>,
    deletes_during_peering: bool,
    div_bounds: Option<(Eversion, Eversion)>,
    auth_bounds: Option<(Eversion, Eversion)>,
}

impl TestCase {
    fn missing(&self, items: &[(String, Eversion, Eversion, bool)]) -> Missing {
        let mut m = Missing::new(!self.deletes_during_peering);
        for (o, need, have, del) in items {
            m.add(o, *need, *have, *del);
        }
        m
    }

    /// `setup()`: head = newest entry, tail = one before the oldest, last_complete = the
    /// newest entry older than the oldest missing need; then `set_*_bounds` override
    /// head/tail (last_complete keeps its value, as in Ceph).
    fn full(
        &self,
        tail_part: &[LogEntry],
        bounds: Option<(Eversion, Eversion)>,
        init: &Missing,
    ) -> (IndexedLog, PgInfo) {
        let entries: Vec<LogEntry> = self.base.iter().chain(tail_part).cloned().collect();
        let (mut head, mut tail) = match (entries.first(), entries.last()) {
            (Some(f), Some(l)) => (l.version, ev(f.version.epoch, f.version.version - 1)),
            _ => (Eversion::ZERO, Eversion::ZERO),
        };
        let last_complete = if init.have_missing() {
            let need = init.oldest_need();
            entries
                .iter()
                .take_while(|e| e.version < need)
                .last()
                .map_or(Eversion::ZERO, |e| e.version)
        } else {
            head
        };
        if let Some((h, t)) = bounds {
            (head, tail) = (h, t);
        }
        let log = IndexedLog::from_parts(head, tail, Eversion::ZERO, Eversion::ZERO, entries, []);
        let info = PgInfo {
            last_update: head,
            last_complete: last_complete.min(head),
            log_tail: tail,
            last_backfill: ObjectBound::Max,
            ..PgInfo::default()
        };
        (log, info)
    }

    fn fullauth(&self) -> (IndexedLog, PgInfo) {
        self.full(&self.auth, self.auth_bounds, &Missing::default())
    }

    fn fulldiv(&self) -> (IndexedLog, PgInfo) {
        self.full(&self.div, self.div_bounds, &self.missing(&self.init))
    }

    fn verify_missing(&self, missing: &Missing) {
        let expected = self.missing(&self.final_);
        assert_eq!(expected.items().len(), missing.items().len(), "{missing:?}");
        for (o, item) in missing.items() {
            let want = expected
                .get(o)
                .unwrap_or_else(|| panic!("{o} should not be missing"));
            assert_eq!(want.need, item.need, "{o} need");
            assert_eq!(want.have, item.have, "{o} have");
        }
    }

    /// `debug_verify_from_init`: the change tracker saw every change made to `init`.
    fn verify_tracker(&self, missing: &Missing) {
        let mut check: BTreeMap<String, MissingItem> = self.missing(&self.init).items().clone();
        for o in missing.changed() {
            check.remove(o);
            if let Some(item) = missing.get(o) {
                check.insert(o.to_string(), *item);
            }
        }
        assert_eq!(&check, missing.items(), "changes not tracked");
    }

    fn verify_sideeffects(&self, h: &RecordingHandler) {
        let removed: BTreeSet<String> = h.removed.iter().cloned().collect();
        assert_eq!(self.toremove, removed);
        let rolled: Vec<Eversion> = h.rolled_back.iter().map(|e| e.version).collect();
        let want: Vec<Eversion> = self.torollback.iter().map(|e| e.version).collect();
        assert_eq!(want, rolled);
    }

    fn test_merge_log(&self) {
        let (div, mut info) = self.fulldiv();
        let (auth, mut oinfo) = self.fullauth();
        let mut pglog = PgLog::new(div, self.missing(&self.init));
        pglog.missing.flush();
        let mut h = RecordingHandler::default();
        pglog.merge_log(&mut oinfo, auth, &mut info, &mut h);
        assert_eq!(info.last_update, oinfo.last_update);
        self.verify_missing(&pglog.missing);
        self.verify_tracker(&pglog.missing);
        self.verify_sideeffects(&h);
    }

    fn test_proc_replica_log(&self) {
        let (auth, _) = self.fullauth();
        let (olog, mut oinfo) = self.fulldiv();
        let primary = PgLog::new(auth, Missing::new(true));
        let mut omissing = self.missing(&self.init);
        primary.proc_replica_log(&mut oinfo, &olog, &mut omissing);
        assert!(oinfo.last_update >= primary.log.tail);
        if let Some(b) = self.base.last() {
            assert_eq!(b.version, oinfo.last_update);
        }
        // What activate() does with the entries the primary sends.
        for e in self.auth.iter().filter(|e| e.version > oinfo.last_update) {
            if e.is_delete() && self.deletes_during_peering {
                omissing.rm(&e.object, e.version);
            } else {
                omissing.add_next_event(e);
            }
        }
        self.verify_missing(&omissing);
    }

    fn run(&self) {
        self.test_merge_log();
        self.test_proc_replica_log();
    }
}

fn item(o: &str, need: Eversion, have: Eversion, del: bool) -> (String, Eversion, Eversion, bool) {
    (o.to_string(), need, have, del)
}

#[test]
fn merge_log_1() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod(&o, ev(10, 100), ev(8, 80))],
        div: vec![mk_ple_mod(&o, ev(10, 101), ev(10, 100))],
        final_: vec![item(&o, ev(10, 100), ev(0, 0), false)],
        toremove: [o.clone()].into(),
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_2() {
    let o = mk_obj(1);
    let div = vec![
        mk_ple_mod_rb(&o, ev(10, 101), ev(10, 100)),
        mk_ple_mod_rb(&o, ev(10, 102), ev(10, 101)),
    ];
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        torollback: div.iter().rev().cloned().collect(),
        div,
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_3() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        div: vec![
            mk_ple_mod(&o, ev(10, 101), ev(10, 100)),
            mk_ple_mod_rb(&o, ev(10, 102), ev(10, 101)),
        ],
        final_: vec![item(&o, ev(10, 100), ev(0, 0), false)],
        toremove: [o.clone()].into(),
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_4() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        div: vec![
            mk_ple_mod_rb(&o, ev(10, 101), ev(10, 100)),
            mk_ple_mod_rb(&o, ev(10, 102), ev(10, 101)),
        ],
        init: vec![item(&o, ev(10, 102), ev(0, 0), false)],
        final_: vec![item(&o, ev(10, 100), ev(0, 0), false)],
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_5() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        div: vec![
            mk_ple_mod(&o, ev(10, 101), ev(10, 100)),
            mk_ple_mod_rb(&o, ev(10, 102), ev(10, 101)),
        ],
        auth: vec![mk_ple_mod(&o, ev(11, 101), ev(10, 100))],
        final_: vec![item(&o, ev(11, 101), ev(0, 0), false)],
        toremove: [o.clone()].into(),
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_6() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        auth: vec![mk_ple_mod(&o, ev(11, 101), ev(10, 100))],
        final_: vec![item(&o, ev(11, 101), ev(10, 100), false)],
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_7() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        auth: vec![mk_ple_mod(&o, ev(11, 101), ev(10, 100))],
        init: vec![item(&o, ev(10, 100), ev(8, 80), false)],
        final_: vec![item(&o, ev(11, 101), ev(8, 80), false)],
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_8() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        auth: vec![mk_ple_dt(&o, ev(11, 101), ev(10, 100))],
        init: vec![item(&o, ev(10, 100), ev(8, 80), false)],
        final_: vec![item(&o, ev(11, 101), ev(8, 80), true)],
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_9() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        auth: vec![mk_ple_dt(&o, ev(11, 101), ev(10, 100))],
        init: vec![item(&o, ev(10, 100), ev(8, 80), false)],
        toremove: [o.clone()].into(),
        deletes_during_peering: true,
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_10() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        auth: vec![mk_ple_ldt(&o, ev(11, 101), ev(10, 100))],
        init: vec![item(&o, ev(10, 100), ev(8, 80), false)],
        final_: vec![item(&o, ev(11, 101), ev(8, 80), true)],
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_prior_version_have() {
    let o = mk_obj(1);
    TestCase {
        base: vec![mk_ple_mod_rb(&o, ev(10, 100), ev(8, 80))],
        div: vec![mk_ple_mod(&o, ev(10, 101), ev(10, 100))],
        init: vec![item(&o, ev(10, 101), ev(10, 100), false)],
        ..TestCase::default()
    }
    .run();
}

#[test]
fn merge_log_split_missing_entries_at_head() {
    let o = mk_obj(1);
    TestCase {
        auth: vec![
            mk_ple_mod_rb(&o, ev(10, 100), ev(8, 70)),
            mk_ple_mod_rb(&o, ev(15, 150), ev(10, 100)),
        ],
        div: vec![mk_ple_mod(&o, ev(8, 70), ev(8, 65))],
        div_bounds: Some((ev(9, 79), ev(8, 69))),
        auth_bounds: Some((ev(15, 160), ev(9, 77))),
        final_: vec![item(&o, ev(15, 150), ev(8, 70), false)],
        ..TestCase::default()
    }
    .run();
}

#[test]
fn olog_tail_gt_log_tail_split() {
    let o = mk_obj(1);
    TestCase {
        auth: vec![
            mk_ple_mod(&o, ev(10, 100), ev(8, 70)),
            mk_ple_mod(&o, ev(15, 150), ev(10, 100)),
            mk_ple_mod(&o, ev(15, 155), ev(15, 150)),
        ],
        div_bounds: Some((ev(15, 153), ev(15, 151))),
        auth_bounds: Some((ev(15, 156), ev(10, 99))),
        final_: vec![item(&o, ev(15, 155), ev(15, 150), false)],
        ..TestCase::default()
    }
    .run();
}

#[test]
fn olog_tail_gt_log_tail_split2() {
    let o = mk_obj(1);
    TestCase {
        auth: vec![
            mk_ple_mod(&o, ev(10, 100), ev(8, 70)),
            mk_ple_mod(&o, ev(15, 150), ev(10, 100)),
            mk_ple_mod(&o, ev(16, 155), ev(15, 150)),
        ],
        div: vec![mk_ple_mod(&o, ev(15, 153), ev(15, 150))],
        div_bounds: Some((ev(15, 153), ev(15, 151))),
        auth_bounds: Some((ev(16, 156), ev(10, 99))),
        final_: vec![item(&o, ev(16, 155), ev(0, 0), false)],
        toremove: [o.clone()].into(),
        ..TestCase::default()
    }
    .run();
}
// ---------------------------------------------------------------------------------------
// TEST_F(PGLogTest, rewind_divergent_log)

/// From the older TestPGLog.cc (the block was later dropped, the assert is still in
/// `pg_log_t::rewind_from_head`): rewinding to before the tail is a Ceph assert, here a
/// `debug_assert!`.
#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "before tail")]
fn rewind_divergent_log_newhead_before_tail_asserts() {
    let mut pglog = pglog_test();
    let mut info = PgInfo::default();
    pglog.log.tail = ev(2, 1);
    let mut h = RecordingHandler::default();
    pglog.rewind_divergent_log(ev(1, 1), &mut info, &mut h);
}

/// tail (1,1) x5; (1,4) MODIFY x9 = newhead; head (1,5) DELETE x9.
#[test]
fn rewind_divergent_log_case1() {
    let mut pglog = pglog_test();
    let mut info = PgInfo::default();
    let newhead = ev(1, 4);
    pglog.log.tail = ev(1, 1);
    pglog.log.entries.extend([
        mk_ple_mod("x5", ev(1, 1), ev(0, 0)),
        mk_ple_mod("x9", newhead, ev(0, 0)),
        mk_ple_dt("x9", ev(1, 5), ev(1, 4)),
    ]);
    pglog.log.head = ev(1, 5);
    pglog.log.index();
    info.last_update = pglog.log.head;
    info.last_complete = pglog.log.head;

    assert!(!pglog.missing.have_missing());
    assert_eq!(3, pglog.log.entries.len());
    assert!(!pglog.is_dirty());

    let mut h = RecordingHandler::default();
    let result = pglog.rewind_divergent_log(newhead, &mut info, &mut h);

    assert!(pglog.log.indexed_object("x9").is_some());
    assert!(pglog.missing.is_missing("x9"));
    assert_eq!(2, pglog.log.entries.len());
    assert!(h.removed.is_empty());
    assert_eq!(newhead, info.last_update);
    assert_eq!(newhead, info.last_complete);
    assert!(pglog.is_dirty());
    assert!(result.dirty_info);
    assert!(result.dirty_big_info);
}

/// tail (1,1); newhead (1,3); head (1,5) DELETE x9 with prior (0,2): the whole log is
/// divergent.
#[test]
fn rewind_divergent_log_case2() {
    let mut pglog = pglog_test();
    let mut info = PgInfo {
        log_tail: ev(1, 1),
        ..PgInfo::default()
    };
    pglog.log.tail = ev(1, 1);
    let newhead = ev(1, 3);
    pglog
        .log
        .entries
        .push_back(mk_ple_dt("x9", ev(1, 5), ev(0, 2)));
    pglog.log.head = ev(1, 5);

    assert!(!pglog.missing.have_missing());
    assert_eq!(1, pglog.log.entries.len());
    assert!(!pglog.is_dirty());

    let mut h = RecordingHandler::default();
    let result = pglog.rewind_divergent_log(newhead, &mut info, &mut h);

    assert!(pglog.missing.is_missing("x9"));
    assert!(pglog.log.indexed_object("x9").is_none());
    assert!(pglog.log.is_empty());
    assert!(h.removed.is_empty());
    assert!(pglog.is_dirty());
    assert!(result.dirty_info);
    assert!(result.dirty_big_info);
}

/// Test for tracker 13965: the rollback iterator must be reset by the rewind, or claiming
/// a log afterwards asserts.
#[test]
fn rewind_divergent_log_case3() {
    let mut pglog = pglog_test();
    let mut info = PgInfo {
        log_tail: ev(1, 5),
        last_update: ev(1, 6),
        ..PgInfo::default()
    };
    pglog.log.tail = ev(1, 5);
    pglog.add(mk_ple_mod("x9", ev(1, 5), ev(0, 0)), true);
    pglog.add(mk_ple_mod("x10", ev(1, 6), ev(0, 0)), true);
    let mut h = RecordingHandler::default();
    pglog.roll_forward_to(ev(1, 6), &mut h);
    pglog.rewind_divergent_log(ev(1, 5), &mut info, &mut h);
    pglog.reset_backfill_claim_log(&IndexedLog::default(), &mut h);
}

// ---------------------------------------------------------------------------------------
// TEST_F(PGLogTest, merge_old_entry). Note: Ceph's `clear()` unindexes the log and
// `IndexedLog::add` does not index an unindexed log, so in blocks 2-4 the log's newer entry
// is invisible to `_merge_object_divergent_entries` (case 1 is never reached): the blocks'
// comments describe older Ceph; the assertions, kept here, hold for current Ceph.

/// Entries after last_backfill are silently ignored.
#[test]
fn merge_old_entry_case1() {
    let mut pglog = pglog_test();
    let info = PgInfo {
        // Ceph: last_backfill hash 100, object hash 2, ASSERT_GT(oe.soid, last_backfill).
        last_backfill: ObjectBound::Object("x100".into()),
        ..PgInfo::default()
    };
    let oe = mk_ple_mod("x2", ev(0, 0), ev(0, 0));
    assert!(!info.last_backfill.covers(&oe.object));
    let mut h = RecordingHandler::default();
    pglog.merge_old_entry(&oe, &info, &mut h);
    assert!(!pglog.is_dirty());
    assert!(h.removed.is_empty());
    assert!(!pglog.missing.have_missing());
    assert!(pglog.log.is_empty());
}

/// A newer entry in the log (unindexed, see above): the old entry's object is removed.
#[test]
fn merge_old_entry_case2() {
    let mut pglog = pglog_test();
    pglog.clear();
    let info = PgInfo::default();
    let ne = mk_ple_mod("obj", ev(2, 1), ev(0, 0));
    pglog.log.add(ne.clone(), true);
    assert!(!pglog.is_dirty());
    assert_eq!(1, pglog.log.entries.len());

    let mut h = RecordingHandler::default();
    // The newer entry (from the log) can be a DELETE.
    pglog.log.entries[0].op = Op::Delete;
    let oe = mk_ple_mod("obj", ev(1, 1), ev(0, 0));
    pglog.merge_old_entry(&oe, &info, &mut h);

    // If the newer entry is not a DELETE, the object must be in missing.
    pglog.log.entries[0].op = Op::Modify;
    let ne = pglog.log.entries[0].clone();
    pglog.missing.add_next_event(&ne);
    pglog.merge_old_entry(&oe, &info, &mut h);
    pglog.missing.rm(&ne.object, ne.version);

    pglog.missing.flush();
    assert!(!pglog.is_dirty());
    assert!(!h.removed.is_empty());
    assert!(!pglog.missing.have_missing());
    assert_eq!(1, pglog.log.entries.len());
    assert_eq!(ne.version, pglog.log.entries[0].version);
}

/// An older DELETE in the log, the old entry a DELETE: nothing happens.
#[test]
fn merge_old_entry_case3() {
    let mut pglog = pglog_test();
    pglog.clear();
    let info = PgInfo::default();
    pglog.log.add(mk_ple_dt("obj", ev(1, 1), ev(0, 0)), true);
    let oe = mk_ple_dt("obj", ev(2, 1), ev(0, 0));
    let mut h = RecordingHandler::default();
    pglog.merge_old_entry(&oe, &info, &mut h);
    assert!(!pglog.is_dirty());
    assert!(h.removed.is_empty());
    assert!(!pglog.missing.have_missing());
    assert_eq!(1, pglog.log.entries.len());
}

/// An older DELETE in the log, the old entry an update: it leaves missing and is removed.
#[test]
fn merge_old_entry_case4() {
    let mut pglog = pglog_test();
    pglog.clear();
    let info = PgInfo::default();
    pglog.log.add(mk_ple_dt("obj", ev(1, 1), ev(0, 0)), true);
    let oe = mk_ple_mod("obj", ev(2, 1), ev(0, 0));
    pglog.missing.add_next_event(&oe);
    pglog.missing.flush();
    assert!(!pglog.is_dirty());
    assert!(pglog.missing.is_missing(&oe.object));

    let mut h = RecordingHandler::default();
    pglog.merge_old_entry(&oe, &info, &mut h);
    pglog.missing.flush();
    assert!(!pglog.is_dirty());
    assert!(!h.removed.is_empty());
    assert!(!pglog.missing.have_missing());
    assert_eq!(1, pglog.log.entries.len());
}

/// No newer entry, not a CLONE, already missing (case 3): need moves to prior_version.
#[test]
fn merge_old_entry_case5() {
    let mut pglog = pglog_test();
    let info = PgInfo {
        log_tail: ev(1, 1),
        ..PgInfo::default()
    };
    let oe = mk_ple_mod("obj", ev(0, 0), ev(2, 1));
    pglog.missing_add(&oe.object, oe.prior_version, Eversion::ZERO, false);
    pglog.missing.flush();
    assert!(!pglog.is_dirty());

    let mut h = RecordingHandler::default();
    pglog.merge_old_entry(&oe, &info, &mut h);
    pglog.missing.flush();
    assert!(!pglog.is_dirty());
    assert!(h.removed.is_empty());
    assert!(pglog.log.is_empty());
}

/// No newer entry, an unrollbackable MODIFY (case 5): removed, missing at prior_version.
#[test]
fn merge_old_entry_case6() {
    let mut pglog = pglog_test();
    let info = PgInfo {
        log_tail: ev(2, 1),
        ..PgInfo::default()
    };
    let oe = mk_ple_mod("x1", ev(0, 0), ev(1, 1));
    let mut h = RecordingHandler::default();
    pglog.merge_old_entry(&oe, &info, &mut h);
    assert!(pglog.is_dirty());
    assert_eq!(oe.object, h.removed[0]);
    assert!(pglog.missing.is_missing(&oe.object));
    assert!(pglog.log.is_empty());
}

/// No newer entry, an unrollbackable DELETE (case 5): nothing to remove, missing at prior.
#[test]
fn merge_old_entry_case7() {
    let mut pglog = pglog_test();
    let info = PgInfo {
        log_tail: ev(2, 1),
        ..PgInfo::default()
    };
    let oe = mk_ple_dt("x1", ev(0, 0), ev(1, 1));
    let mut h = RecordingHandler::default();
    pglog.merge_old_entry(&oe, &info, &mut h);
    assert!(pglog.is_dirty());
    assert!(h.removed.is_empty());
    assert!(pglog.missing.is_missing(&oe.object));
    assert!(pglog.log.is_empty());
}

/// No newer entry, prior_version 0'0 (case 2): removed and dropped from missing.
#[test]
fn merge_old_entry_case8() {
    let mut pglog = pglog_test();
    let info = PgInfo {
        log_tail: ev(10, 1),
        ..PgInfo::default()
    };
    let oe = mk_ple_mod("x1", ev(0, 0), ev(0, 0));
    pglog
        .missing
        .add(&oe.object, ev(1, 1), Eversion::ZERO, false);
    pglog.missing.flush();
    assert!(!pglog.is_dirty());
    assert!(pglog.missing.is_missing(&oe.object));

    let mut h = RecordingHandler::default();
    pglog.merge_old_entry(&oe, &info, &mut h);
    pglog.missing.flush();
    assert!(!pglog.is_dirty());
    assert_eq!(oe.object, h.removed[0]);
    assert!(!pglog.missing.have_missing());
    assert!(pglog.log.is_empty());
}

// ---------------------------------------------------------------------------------------
// TEST_F(PGLogTest, merge_log)

/// Head and tail match, last_backfill is set: noop.
#[test]
fn merge_log_case1() {
    let mut pglog = pglog_test();
    let mut olog = IndexedLog::default();
    let mut oinfo = PgInfo::default();
    let mut info = PgInfo {
        last_backfill: oname(),
        ..PgInfo::default()
    };
    info.stats.version = ev(10, 1);
    pglog.log.tail = ev(1, 1);
    olog.tail = ev(1, 1);
    pglog.log.head = ev(2, 1);
    olog.head = ev(2, 1);

    let mut h = RecordingHandler::default();
    let result = pglog.merge_log(&mut oinfo, olog, &mut info, &mut h);

    assert!(!pglog.missing.have_missing());
    assert!(pglog.log.is_empty());
    assert_eq!(ev(10, 1), info.stats.version);
    assert!(h.removed.is_empty());
    assert!(info.purged_snaps.is_empty());
    assert!(!pglog.is_dirty());
    assert!(!result.dirty_info);
    assert!(!result.dirty_big_info);
}

/// Head and tail match, last_backfill MAX: stats copied, but reported_* never go back.
#[test]
fn merge_log_case2() {
    let mut pglog = pglog_test();
    pglog.missing.may_include_deletes = false;
    let mut olog = IndexedLog::default();
    let mut oinfo = PgInfo::default();
    let mut info = PgInfo::default();
    oinfo.stats.version = ev(10, 1);
    info.stats.reported_seq = 1;
    info.stats.reported_epoch = 10;
    oinfo.stats.reported_seq = 1;
    oinfo.stats.reported_epoch = 1;
    pglog.log.tail = ev(1, 1);
    olog.tail = ev(1, 1);
    pglog.log.head = ev(2, 1);
    olog.head = ev(2, 1);
    assert!(info.last_backfill.is_max());

    let mut h = RecordingHandler::default();
    let result = pglog.merge_log(&mut oinfo, olog, &mut info, &mut h);

    assert!(!pglog.missing.have_missing());
    assert!(pglog.log.is_empty());
    assert_eq!(ev(10, 1), info.stats.version);
    assert_eq!(1, info.stats.reported_seq);
    assert_eq!(10, info.stats.reported_epoch);
    assert!(h.removed.is_empty());
    assert!(!pglog.is_dirty());
    assert!(!result.dirty_info);
    assert!(!result.dirty_big_info);
}

/// olog's tail (1,1) is older than ours (1,4): its (1,1) entry is prepended.
#[test]
fn merge_log_case3() {
    let mut pglog = pglog_test();
    pglog.missing.may_include_deletes = false;
    pglog.log.tail = ev(1, 4);
    pglog.log.entries.extend([
        mk_ple_mod("x5", ev(1, 4), ev(0, 0)),
        mk_ple_mod("x9", ev(1, 5), ev(0, 0)),
    ]);
    pglog.log.head = ev(1, 5);
    pglog.log.index();
    let mut info = PgInfo {
        last_update: pglog.log.head,
        last_backfill: oname(),
        ..PgInfo::default()
    };
    info.stats.version = ev(10, 1);
    let mut olog = IndexedLog::default();
    olog.tail = ev(1, 1);
    olog.entries.extend([
        mk_ple_mod("x5", ev(1, 1), ev(0, 0)),
        mk_ple_mod("x9", ev(1, 5), ev(0, 0)),
    ]);
    olog.head = ev(1, 5);
    let mut oinfo = PgInfo::default();
    assert!(!pglog.is_dirty());

    let mut h = RecordingHandler::default();
    let result = pglog.merge_log(&mut oinfo, olog, &mut info, &mut h);

    assert!(!pglog.missing.have_missing());
    assert_eq!(3, pglog.log.entries.len());
    assert_eq!(ev(10, 1), info.stats.version);
    assert!(h.removed.is_empty());
    assert!(info.purged_snaps.is_empty());
    assert!(pglog.is_dirty());
    assert!(result.dirty_info);
    assert!(result.dirty_big_info);
}

/// Our (1,3) DELETE x9 is divergent: olog's (2,3) MODIFY x9 is authoritative.
fn divergent_delete_logs() -> (PgLog, PgInfo, IndexedLog, PgInfo) {
    let mut pglog = pglog_test();
    pglog.log.tail = ev(1, 1);
    pglog.log.entries.extend([
        mk_ple_mod("x5", ev(1, 1), ev(0, 0)),
        mk_ple_mod("x3", ev(1, 2), ev(0, 0)),
        mk_ple_dt("x9", ev(1, 3), ev(0, 0)),
    ]);
    pglog.log.head = ev(1, 3);
    pglog.log.index();
    let info = PgInfo {
        last_update: pglog.log.head,
        ..PgInfo::default()
    };
    let mut olog = IndexedLog::default();
    olog.tail = ev(1, 1);
    olog.entries.extend([
        mk_ple_dt("x5", ev(1, 1), ev(0, 0)),
        mk_ple_dt("x3", ev(1, 2), ev(0, 0)),
        mk_ple_mod("x9", ev(2, 3), ev(0, 0)),
        mk_ple_dt("x7", ev(2, 4), ev(0, 0)),
    ]);
    olog.head = ev(2, 4);
    let oinfo = PgInfo {
        last_update: olog.head,
        purged_snaps: [1].into(),
        ..PgInfo::default()
    };
    (pglog, info, olog, oinfo)
}

/// Divergent DELETE, authoritative MODIFY, deletes may wait in missing.
#[test]
fn merge_log_case4() {
    let (mut pglog, mut info, olog, mut oinfo) = divergent_delete_logs();
    pglog.missing.may_include_deletes = true;
    assert_eq!(3, pglog.log.entries.len());
    assert!(pglog.log.indexed_object("x9").is_some());
    assert!(!pglog.is_dirty());

    let mut h = RecordingHandler::default();
    let result = pglog.merge_log(&mut oinfo, olog, &mut info, &mut h);

    // The object is in missing: proof the entry was found divergent.
    assert!(pglog.missing.is_missing("x9"));
    assert!(pglog.log.indexed_object("x9").is_some());
    assert_eq!(4, pglog.log.entries.len());
    // The divergent version of the object is removed.
    assert_eq!("x9", h.removed[0]);
    assert_eq!(pglog.log.head, info.last_update);
    assert!(info.purged_snaps.contains(&1));
    assert!(pglog.is_dirty());
    assert!(result.dirty_info);
    assert!(result.dirty_big_info);
}

/// The same without deletes in missing: the appended DELETE of x7 removes it first.
#[test]
fn merge_log_case5() {
    let (mut pglog, mut info, olog, mut oinfo) = divergent_delete_logs();
    pglog.missing.may_include_deletes = false;
    let mut h = RecordingHandler::default();
    let result = pglog.merge_log(&mut oinfo, olog, &mut info, &mut h);

    assert!(pglog.missing.is_missing("x9"));
    assert!(pglog.log.indexed_object("x9").is_some());
    assert_eq!(4, pglog.log.entries.len());
    // When peering handles deletes, the earlier version is the first removed.
    assert_eq!("x7", h.removed[0]);
    assert_eq!(pglog.log.head, info.last_update);
    assert!(info.purged_snaps.contains(&1));
    assert!(pglog.is_dirty());
    assert!(result.dirty_info);
    assert!(result.dirty_big_info);
}

/// Our head (1,5) is past olog's (1,4): it is divergent.
#[test]
fn merge_log_case6() {
    let mut pglog = pglog_test();
    pglog.log.tail = ev(1, 1);
    pglog.log.entries.extend([
        mk_ple_mod("x5", ev(1, 1), ev(0, 0)),
        mk_ple_mod("x7", ev(1, 4), ev(0, 0)),
        mk_ple_mod("x9", ev(1, 5), ev(0, 0)),
    ]);
    pglog.log.head = ev(1, 5);
    pglog.log.index();
    let mut info = PgInfo {
        last_update: pglog.log.head,
        last_backfill: oname(),
        ..PgInfo::default()
    };
    info.stats.version = ev(10, 1);
    let mut olog = IndexedLog::default();
    olog.tail = ev(1, 1);
    olog.entries.extend([
        mk_ple_mod("x5", ev(1, 1), ev(0, 0)),
        mk_ple_mod("x7", ev(1, 4), ev(0, 0)),
    ]);
    olog.head = ev(1, 4);
    let mut oinfo = PgInfo::default();
    pglog.missing.may_include_deletes = false;

    let mut h = RecordingHandler::default();
    let result = pglog.merge_log(&mut oinfo, olog, &mut info, &mut h);

    assert!(!pglog.missing.have_missing());
    assert_eq!(2, pglog.log.entries.len());
    assert_eq!(ev(10, 1), info.stats.version);
    assert_eq!("x9", h.removed[0]);
    assert!(info.purged_snaps.is_empty());
    assert!(pglog.is_dirty());
    assert!(result.dirty_info);
    assert!(result.dirty_big_info);
}
// ---------------------------------------------------------------------------------------
// TEST_F(PGLogTest, proc_replica_log). `self` (pglog) is the primary, olog the replica's.

/// Empty logs with the same head: no side effect.
#[test]
fn proc_replica_log_case1() {
    let mut pglog = pglog_test();
    pglog.missing.may_include_deletes = false;
    let mut olog = IndexedLog::default();
    let mut oinfo = PgInfo::default();
    let mut omissing = Missing::default();
    let last_update = ev(1, 1);
    pglog.log.head = last_update;
    olog.head = last_update;
    oinfo.last_update = last_update;
    oinfo.last_complete = ev(1, 1);

    pglog.proc_replica_log(&mut oinfo, &olog, &mut omissing);

    assert!(!omissing.have_missing());
    assert_eq!(last_update, oinfo.last_update);
    assert_eq!(last_update, oinfo.last_complete);
}

/// Both logs delete x9, ours at (1,3), the replica's at (2,3): nothing to do. The
/// replica's tail is ignored, being before ours.
#[test]
fn proc_replica_log_case2() {
    let mut pglog = pglog_test();
    pglog.missing.may_include_deletes = false;
    pglog.log.tail = ev(1, 2);
    pglog.log.entries.extend([
        mk_ple_mod("x5", ev(1, 2), ev(0, 0)),
        mk_ple_dt("x9", ev(1, 3), ev(0, 0)),
    ]);
    pglog.log.head = ev(1, 3);
    pglog.log.index();
    let mut olog = IndexedLog::default();
    olog.tail = ev(1, 1);
    olog.entries.extend([
        mk_ple_dt("x3", ev(1, 1), ev(0, 0)),
        mk_ple_dt("x9", ev(2, 3), ev(0, 0)),
    ]);
    olog.head = ev(2, 3);
    let mut oinfo = PgInfo {
        last_update: olog.head,
        last_complete: olog.head,
        ..PgInfo::default()
    };
    let mut omissing = Missing::default();

    pglog.proc_replica_log(&mut oinfo, &olog, &mut omissing);

    assert!(!omissing.have_missing());
}

/// The replica's (1,7) MODIFY x9 creates the object (not added to missing); its (1,8)
/// MODIFY x1 must be recovered at (1,2).
#[test]
fn proc_replica_log_case3() {
    let mut pglog = pglog_test();
    pglog.missing.may_include_deletes = false;
    let x1 = "x1";
    pglog.log.entries.extend([
        mk_ple_mod(x1, ev(1, 1), ev(0, 0)),
        mk_ple_mod(x1, ev(1, 2), ev(1, 1)),
        mk_ple_mod("x3", ev(1, 4), ev(1, 1)),
        mk_ple_mod("x7", ev(1, 5), ev(1, 1)),
        mk_ple_mod("x8", ev(1, 6), ev(1, 1)),
        mk_ple_dt("x9", ev(2, 7), ev(1, 1)),
        mk_ple_dt("xa", ev(2, 8), ev(1, 1)),
    ]);
    pglog.log.tail = ev(1, 2);
    pglog.log.head = ev(2, 8);
    pglog.log.index();
    let mut olog = IndexedLog::default();
    olog.tail = ev(1, 1);
    olog.entries.extend([
        mk_ple_mod(x1, ev(1, 1), ev(0, 0)),
        mk_ple_mod(x1, ev(1, 2), ev(1, 1)),
        mk_ple_mod("x3", ev(1, 4), ev(0, 0)),
        mk_ple_mod("x7", ev(1, 5), ev(0, 0)),
        mk_ple_mod("x8", ev(1, 6), ev(0, 0)),
        mk_ple_mod("x9", ev(1, 7), ev(0, 0)),
        mk_ple_mod(x1, ev(1, 8), ev(1, 2)),
    ]);
    olog.head = ev(1, 8);
    let mut oinfo = PgInfo {
        last_update: olog.head,
        last_complete: olog.head,
        ..PgInfo::default()
    };
    let mut omissing = Missing::default();

    pglog.proc_replica_log(&mut oinfo, &olog, &mut omissing);

    assert!(omissing.have_missing());
    assert!(omissing.is_missing(x1));
    assert_eq!(ev(1, 2), omissing.get(x1).unwrap().need);
    assert_eq!(ev(1, 6), oinfo.last_update);
    assert_eq!(ev(1, 1), oinfo.last_complete);
}

/// Our (2,3) and the replica's (1,3) both delete `obj`: the replica's delete cannot be
/// rolled back, so it needs (1,1).
#[test]
fn proc_replica_log_case4() {
    let mut pglog = pglog_test();
    pglog.missing.may_include_deletes = false;
    let last_update = ev(1, 2);
    let obj = "x9";
    pglog.log.tail = ev(1, 1);
    pglog.log.entries.extend([
        mk_ple_mod(obj, ev(1, 1), ev(0, 0)),
        mk_ple_mod("x3", last_update, ev(0, 0)),
        mk_ple_dt(obj, ev(2, 3), ev(1, 1)),
    ]);
    pglog.log.head = ev(2, 3);
    pglog.log.index();
    let mut olog = IndexedLog::default();
    olog.tail = ev(1, 1);
    olog.entries.extend([
        mk_ple_mod(obj, ev(1, 1), ev(0, 0)),
        mk_ple_mod("x3", last_update, ev(0, 0)),
        mk_ple_dt(obj, ev(1, 3), ev(1, 1)),
    ]);
    olog.head = ev(1, 3);
    let mut oinfo = PgInfo {
        last_update: olog.head,
        last_complete: olog.head,
        ..PgInfo::default()
    };
    let mut omissing = Missing::default();

    pglog.proc_replica_log(&mut oinfo, &olog, &mut omissing);

    assert!(omissing.have_missing());
    assert!(omissing.is_missing(obj));
    assert_eq!(ev(0, 0), omissing.get(obj).unwrap().have);
    assert_eq!(ev(1, 1), omissing.get(obj).unwrap().need);
    assert_eq!(last_update, oinfo.last_update);
}

/// Our (2,3) deletes `obj`, the replica's (1,3) modifies it and it is already missing
/// there: missing goes back to (1,1).
#[test]
fn proc_replica_log_case5() {
    let mut pglog = pglog_test();
    pglog.missing.may_include_deletes = false;
    let last_update = ev(1, 2);
    let obj = "obj";
    pglog.log.tail = ev(1, 1);
    pglog.log.entries.extend([
        mk_ple_mod(obj, ev(1, 1), ev(0, 0)),
        mk_ple_mod("x3", last_update, ev(0, 0)),
        mk_ple_dt(obj, ev(2, 3), ev(1, 1)),
    ]);
    pglog.log.head = ev(2, 3);
    pglog.log.index();
    let mut olog = IndexedLog::default();
    olog.tail = ev(1, 1);
    olog.entries.extend([
        mk_ple_mod(obj, ev(1, 1), ev(0, 0)),
        mk_ple_mod("x3", last_update, ev(0, 0)),
        mk_ple_mod(obj, ev(1, 3), ev(1, 1)),
    ]);
    olog.head = ev(1, 3);
    let mut omissing = Missing::default();
    omissing.add(obj, ev(1, 3), Eversion::ZERO, false);
    let mut oinfo = PgInfo {
        last_update: olog.head,
        last_complete: olog.head,
        ..PgInfo::default()
    };
    assert_eq!(ev(1, 3), omissing.get(obj).unwrap().need);

    pglog.proc_replica_log(&mut oinfo, &olog, &mut omissing);

    assert!(omissing.have_missing());
    assert!(omissing.is_missing(obj));
    assert_eq!(ev(0, 0), omissing.get(obj).unwrap().have);
    assert_eq!(ev(1, 1), omissing.get(obj).unwrap().need);
    assert_eq!(last_update, oinfo.last_update);
}

/// Our (2,3) deletes x9, the replica's (1,3) modifies it: missing is adjusted to (1,1)
/// until activate's add_next_event applies the delete.
#[test]
fn proc_replica_log_case6() {
    let mut pglog = pglog_test();
    pglog.missing.may_include_deletes = false;
    let last_update = ev(1, 2);
    pglog.log.tail = ev(1, 1);
    pglog.log.entries.extend([
        mk_ple_mod("x9", ev(1, 1), ev(0, 0)),
        mk_ple_mod("x3", last_update, ev(0, 0)),
        mk_ple_dt("x9", ev(2, 3), ev(1, 1)),
    ]);
    pglog.log.head = ev(2, 3);
    pglog.log.index();
    let mut olog = IndexedLog::default();
    olog.tail = ev(1, 1);
    olog.entries.extend([
        mk_ple_mod("x9", ev(1, 1), ev(0, 0)),
        mk_ple_mod("x3", last_update, ev(0, 0)),
        mk_ple_mod("x9", ev(1, 3), ev(1, 1)),
    ]);
    olog.head = ev(1, 3);
    let mut omissing = Missing::default();
    omissing.add("x9", ev(1, 3), Eversion::ZERO, false);
    let mut oinfo = PgInfo {
        last_update: olog.head,
        last_complete: olog.head,
        ..PgInfo::default()
    };

    pglog.proc_replica_log(&mut oinfo, &olog, &mut omissing);

    assert!(omissing.have_missing());
    assert_eq!(ev(1, 1), omissing.items().values().next().unwrap().need);
    assert_eq!(last_update, oinfo.last_update);
    assert_eq!(ev(0, 0), oinfo.last_complete);
}

// ---------------------------------------------------------------------------------------
// TEST_F(PGLogTest, get_request), TEST_F(PGLogTest, ErrorNotIndexedByObject)

fn request_entries() -> Vec<LogEntry> {
    let oid = "objname";
    let entry = |op, v: Eversion, pv: Eversion, uv, tid: u32, rc| {
        let mut e = LogEntry::new(op, oid, v, pv).rollbackable();
        e.user_version = uv;
        e.return_code = rc;
        e.with_reqid(&format!("client.777.0:{tid}"))
    };
    const ENOENT: i32 = 2;
    vec![
        entry(Op::Error, ev(6, 2), ev(3, 4), 1, 1, -ENOENT),
        entry(Op::Modify, ev(6, 3), ev(3, 4), 2, 2, 0),
        entry(Op::Delete, ev(7, 4), ev(7, 4), 3, 3, 0),
        entry(Op::Error, ev(7, 5), ev(7, 4), 3, 4, -ENOENT),
    ]
}

/// Writes, deletes and errors are all found by reqid.
#[test]
fn get_request() {
    let mut pglog = pglog_test();
    pglog.clear();
    let entries = request_entries();
    for e in &entries {
        pglog.log.add(e.clone(), true);
    }
    for e in &entries {
        let got = pglog.log.get_request(e.reqid.as_deref().unwrap());
        assert_eq!(Some((e.version, e.user_version, e.return_code)), got);
    }
}

#[test]
fn error_not_indexed_by_object() {
    let mut pglog = pglog_test();
    pglog.clear();
    let [error, modify, del, error2] = request_entries().try_into().unwrap();
    let oid = error.object.clone();
    pglog.log.add(error, true);
    assert!(!pglog.log.logged_object(&oid));

    pglog.log.add(modify.clone(), true);
    assert!(pglog.log.logged_object(&oid));
    assert_eq!(Some(&modify), pglog.log.indexed_object(&oid));

    pglog.log.add(del.clone(), true);
    assert!(pglog.log.logged_object(&oid));
    assert_eq!(Some(&del), pglog.log.indexed_object(&oid));

    pglog.log.add(error2, true);
    assert!(pglog.log.logged_object(&oid));
    assert_eq!(Some(&del), pglog.log.indexed_object(&oid));
}

// ---------------------------------------------------------------------------------------
// PGLogMergeDupsTest. (Its TearDown round-trips the dups through an ObjectStore, which is
// not modelled.)

fn create_dup_entry(a: u32, b: u64, client: &mut u32) -> LogDup {
    // Each dup unique by client id, as in Ceph.
    *client += 1;
    LogDup::new(ev(a, b), a as u64, &format!("client.{client}.0:1"), 0)
}

fn example_dups_1(client: &mut u32) -> Vec<LogDup> {
    [(10, 11), (10, 12), (11, 1), (12, 3), (13, 99)]
        .map(|(a, b)| create_dup_entry(a, b, client))
        .into()
}

fn example_dups_2(client: &mut u32) -> Vec<LogDup> {
    [(12, 3), (13, 99), (15, 11), (16, 14), (16, 32)]
        .map(|(a, b)| create_dup_entry(a, b, client))
        .into()
}

fn check_order(pglog: &PgLog) {
    let versions: Vec<Eversion> = pglog.log.dups.iter().map(|d| d.version).collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
}

fn merge_dups(ours: Vec<LogDup>, theirs: Vec<LogDup>, tail: Eversion) -> (PgLog, bool) {
    let mut pglog = PgLog::default();
    pglog.log.tail = tail;
    pglog.log.dups.extend(ours);
    let mut olog = IndexedLog::default();
    olog.dups.extend(theirs);
    let changed = pglog.merge_log_dups(&olog, &mut Vec::new());
    check_order(&pglog);
    (pglog, changed)
}

fn front_back(pglog: &PgLog) -> (Eversion, Eversion) {
    let d = &pglog.log.dups;
    (d.front().unwrap().version, d.back().unwrap().version)
}

#[test]
fn other_empty() {
    let mut c = 777;
    let (pglog, changed) = merge_dups(example_dups_1(&mut c), vec![], ev(14, 5));
    assert!(!changed);
    assert_eq!(5, pglog.log.dups.len());
    assert_eq!((ev(10, 11), ev(13, 99)), front_back(&pglog));
}

#[test]
fn am_empty() {
    let mut c = 777;
    let (pglog, changed) = merge_dups(vec![], example_dups_1(&mut c), ev(14, 5));
    assert!(changed);
    assert_eq!(5, pglog.log.dups.len());
    assert_eq!((ev(10, 11), ev(13, 99)), front_back(&pglog));
}

/// Differs from the test: current merge_log_dups drops dups *newer than* the tail, so (12,3)
/// at the tail stays; the test (written when dups at the tail were dropped too) expects 3
/// dups ending at (11,1).
#[test]
fn am_empty_overlap() {
    let mut c = 777;
    let (pglog, changed) = merge_dups(vec![], example_dups_1(&mut c), ev(12, 3));
    assert!(changed);
    assert_eq!(4, pglog.log.dups.len());
    assert_eq!((ev(10, 11), ev(12, 3)), front_back(&pglog));
}

#[test]
fn same() {
    let mut c = 777;
    let ours = example_dups_1(&mut c);
    let (pglog, changed) = merge_dups(ours.clone(), ours, ev(14, 1));
    assert!(!changed);
    assert_eq!(5, pglog.log.dups.len());
    assert_eq!((ev(10, 11), ev(13, 99)), front_back(&pglog));
}

/// Differs from the test like am_empty_overlap: (16,14) at the tail stays, so 7 dups ending
/// at (16,14) where the test expects 6 ending at (15,11).
#[test]
fn later() {
    let mut c = 777;
    let ours = example_dups_1(&mut c);
    let (pglog, changed) = merge_dups(ours, example_dups_2(&mut c), ev(16, 14));
    assert!(changed);
    assert_eq!(7, pglog.log.dups.len());
    assert_eq!((ev(10, 11), ev(16, 14)), front_back(&pglog));
}

#[test]
fn earlier() {
    let mut c = 777;
    let ours = example_dups_2(&mut c);
    let (pglog, changed) = merge_dups(ours, example_dups_1(&mut c), ev(17, 2));
    assert!(changed);
    assert_eq!(8, pglog.log.dups.len());
    assert_eq!((ev(10, 11), ev(16, 32)), front_back(&pglog));
}

#[test]
fn superset() {
    let mut c = 777;
    let ours = example_dups_1(&mut c);
    let theirs = vec![
        create_dup_entry(9, 5, &mut c),
        create_dup_entry(15, 11, &mut c),
    ];
    let (pglog, changed) = merge_dups(ours, theirs, ev(17, 2));
    assert!(changed);
    assert_eq!(7, pglog.log.dups.len());
    assert_eq!((ev(9, 5), ev(15, 11)), front_back(&pglog));
}

// ---------------------------------------------------------------------------------------
// PGLogTrimTest (osd_min/max_pg_log_entries do not affect IndexedLog::trim; only
// osd_pg_log_dups_tracked and osd_pg_log_trim_max do).

fn trim_cfg(dups_tracked: u64) -> TrimConfig {
    TrimConfig {
        dups_tracked,
        ..TrimConfig::default()
    }
}

/// `log.head = crt; skip_can_rollback_to_to_head(); log.head = (9,0)`, then six entries.
fn trim_log(crt: Eversion, fourth: Eversion, reqids: bool) -> IndexedLog {
    let mut log = IndexedLog::default();
    log.head = crt;
    log.skip_can_rollback_to_to_head();
    log.head = ev(9, 0);
    let entries = [
        mk_ple_mod(&mk_obj(1), ev(10, 100), ev(8, 70)),
        mk_ple_dt(&mk_obj(2), ev(15, 150), ev(10, 100)),
        mk_ple_mod_rb(&mk_obj(3), ev(15, 155), ev(15, 150)),
        mk_ple_mod(&mk_obj(1), fourth, ev(25, 152)),
        mk_ple_mod(&mk_obj(4), ev(21, 165), ev(26, 160)),
        mk_ple_dt_rb(&mk_obj(5), ev(21, 167), ev(31, 166)),
    ];
    for (i, e) in entries.into_iter().enumerate() {
        let e = if reqids {
            e.with_reqid(&format!("client.777.0:{}", i + 1))
        } else {
            e
        };
        log.add(e, true);
    }
    log
}

/// Differs from the test in its second trim: since Ceph PR 47046 (tracker 53729) trim drops
/// the oldest dups only while there are more than osd_pg_log_dups_tracked, so the 3 dups
/// stay (the test, from before, expects 2 and one trimmed dup).
#[test]
fn test_partial_trim() {
    let mut log = trim_log(ev(24, 0), ev(19, 160), false);
    let out = log.trim(ev(19, 157), &trim_cfg(20));
    assert_eq!(Some(ev(15, 150)), out.write_from_dups);
    assert_eq!(3, log.entries.len());
    assert_eq!(3, out.trimmed.len());
    assert_eq!(2, log.dups.len());
    assert_eq!(0, out.trimmed_dups.len());

    let out2 = log.trim(ev(20, 164), &trim_cfg(15));
    assert_eq!(Some(ev(19, 160)), out2.write_from_dups);
    assert_eq!(2, log.entries.len());
    assert_eq!(1, out2.trimmed.len());
    assert_eq!(3, log.dups.len());
    assert_eq!(0, out2.trimmed_dups.len());
}

#[test]
fn test_trim_no_trimmed() {
    let mut log = trim_log(ev(20, 0), ev(20, 160), false);
    let out = log.trim(ev(19, 157), &trim_cfg(20));
    assert_eq!(Some(ev(15, 150)), out.write_from_dups);
    assert_eq!(3, log.entries.len());
    assert_eq!(2, log.dups.len());
}

#[test]
fn test_trim_no_dups() {
    let mut log = trim_log(ev(20, 0), ev(20, 160), false);
    let out = log.trim(ev(19, 157), &trim_cfg(10));
    assert_eq!(None, out.write_from_dups);
    assert_eq!(3, log.entries.len());
    assert_eq!(3, out.trimmed.len());
    assert_eq!(0, log.dups.len());
    assert_eq!(0, out.trimmed_dups.len());
}

#[test]
fn test_no_trim() {
    let mut log = trim_log(ev(24, 0), ev(19, 160), false);
    let out = log.trim(ev(9, 99), &trim_cfg(20));
    assert_eq!(None, out.write_from_dups);
    assert_eq!(6, log.entries.len());
    assert_eq!(0, out.trimmed.len());
    assert_eq!(0, log.dups.len());
    assert_eq!(0, out.trimmed_dups.len());
}

/// (Ceph also checks its dup_index is empty: the log was never indexed; no such index here.)
#[test]
fn test_trim_all() {
    let mut log = trim_log(ev(24, 0), ev(19, 160), false);
    let out = log.trim(ev(22, 180), &trim_cfg(20));
    assert_eq!(Some(ev(15, 150)), out.write_from_dups);
    assert_eq!(0, log.entries.len());
    assert_eq!(6, out.trimmed.len());
    assert_eq!(5, log.dups.len());
    assert_eq!(0, out.trimmed_dups.len());
}

#[test]
fn test_get_request() {
    let mut log = trim_log(ev(20, 0), ev(20, 160), true);
    let out = log.trim(ev(19, 157), &trim_cfg(20));
    assert_eq!(Some(ev(15, 150)), out.write_from_dups);
    assert_eq!(3, log.entries.len());
    assert_eq!(2, log.dups.len());

    let found = |r: &str| log.get_request(r).map(|(v, _, _)| v);
    assert_eq!(Some(ev(21, 165)), found("client.777.0:5"), "logged");
    assert_eq!(Some(ev(15, 155)), found("client.777.0:3"), "dup");
    assert_eq!(None, found("client.777.0:1"), "trimmed past the dups");
}

// ---------------------------------------------------------------------------------------
// TEST_F(PGLogTest, _merge_object_divergent_entries). Ceph's fixture log is unindexed (see
// merge_old_entry), so its newer (8973,1075) entry is not seen and case 3 applies; the test
// only checks nothing asserts. Here the log is left unindexed the same way.

fn merge_object_divergent(orig: Vec<LogEntry>) -> (Missing, Vec<MergeDecision>) {
    let hoid = "notify.7";
    let mut pglog = pglog_test();
    pglog.clear();
    pglog
        .log
        .add(mk_ple_mod(hoid, ev(8973, 1075), ev(8971, 1070)), true);
    pglog
        .missing
        .add(hoid, ev(8971, 1070), ev(8336, 952), false);
    let mut rollbacker = RecordingHandler::default();
    let mut trace = Vec::new();
    merge_object_divergent_entries(
        &pglog.log,
        hoid,
        &orig,
        &PgInfo::default(),
        pglog.log.get_can_rollback_to(),
        &mut pglog.missing,
        Some(&mut rollbacker),
        &mut trace,
    );
    (pglog.missing, trace)
}

/// Test for issue 20843: ERROR entries inside the divergent run.
#[test]
fn merge_object_divergent_entries_case1() {
    let hoid = "notify.7";
    let (missing, trace) = merge_object_divergent(vec![
        mk_ple_mod(hoid, ev(8336, 957), ev(8336, 952)),
        mk_ple_err(hoid, ev(8336, 958)),
        mk_ple_err(hoid, ev(8336, 959)),
        mk_ple_mod(hoid, ev(8336, 960), ev(8336, 957)),
    ]);
    // have (8336,952) is the prior version: dropped from missing.
    assert!(!missing.is_missing(hoid));
    assert!(matches!(
        &trace[0],
        MergeDecision::DivergentResolved { entries, case: DivergentCase::AlreadyMissing, .. }
            if entries == &[ev(8336, 957), ev(8336, 960)]
    ));
}

/// Leading ERROR entries are skipped.
#[test]
fn merge_object_divergent_entries_case2() {
    let hoid = "notify.7";
    let (missing, _) = merge_object_divergent(vec![
        mk_ple_err(hoid, ev(8336, 956)),
        mk_ple_mod(hoid, ev(8336, 957), ev(8336, 952)),
    ]);
    assert!(!missing.is_missing(hoid));
}

// ---------------------------------------------------------------------------------------
// TEST(eversion_t, get_key_name), TEST(pg_log_dup_t, get_key_name)

#[test]
fn eversion_t_get_key_name() {
    assert_eq!("0000001234.00000000000000005678", ev(1234, 5678).key_name());
}

#[test]
fn pg_log_dup_t_get_key_name() {
    let dup = LogDup::new(ev(1234, 5678), 13, "client.777.0:999", 15);
    assert_eq!("dup_0000001234.00000000000000005678", dup.key_name());
}

// ---------------------------------------------------------------------------------------
// TEST(pg_missing_t, ...) from src/test/osd/types.cc

#[test]
fn pg_missing_t_constructor() {
    let missing = Missing::default();
    assert_eq!(0, missing.num_missing());
    assert!(!missing.have_missing());
}

#[test]
fn pg_missing_t_have_missing() {
    let mut missing = Missing::default();
    assert!(!missing.have_missing());
    missing.add("objname", ev(0, 0), ev(0, 0), false);
    assert!(missing.have_missing());
}

#[test]
fn pg_missing_t_claim() {
    let mut missing = Missing::default();
    missing.add("objname", ev(0, 0), ev(0, 0), false);
    assert!(missing.have_missing());
    let mut other = Missing::default();
    assert!(!other.have_missing());
    other.claim(missing);
    assert!(other.have_missing());
}

#[test]
fn pg_missing_t_is_missing() {
    let oid = "objname";
    let mut missing = Missing::default();
    assert!(!missing.is_missing(oid));
    missing.add(oid, ev(0, 0), ev(0, 0), false);
    assert!(missing.is_missing(oid));

    let mut missing = Missing::default();
    let need = ev(10, 5);
    assert!(!missing.is_missing_at(oid, ev(0, 0)));
    missing.add(oid, need, ev(0, 0), false);
    assert!(missing.is_missing(oid));
    assert!(!missing.is_missing_at(oid, ev(0, 0)));
    assert!(missing.is_missing_at(oid, need));
}

#[test]
fn pg_missing_t_add_next_event() {
    let oid = "objname";
    let version = ev(10, 5);
    let prior_version = ev(3, 4);
    let sample_e = LogEntry::new(Op::Delete, oid, version, prior_version)
        .rollbackable()
        .with_reqid("client.777.0:999");
    let only_need = |m: &Missing, v: Eversion| {
        assert_eq!(vec![(v, oid)], m.rmissing().collect::<Vec<_>>());
        assert_eq!(1, m.num_missing());
    };

    // new object (MODIFY)
    {
        let mut missing = Missing::default();
        let mut e = sample_e.clone();
        e.op = Op::Modify;
        e.prior_version = Eversion::ZERO;
        assert!(e.is_update() && e.object_is_indexed() && e.reqid_is_indexed());
        missing.add_next_event(&e);
        assert_eq!(ev(0, 0), missing.get(oid).unwrap().have);
        only_need(&missing, e.version);
        // adding the same object replaces the previous one
        missing.add_next_event(&e);
        only_need(&missing, e.version);
    }
    // new object (CLONE)
    {
        let mut missing = Missing::default();
        let mut e = sample_e.clone();
        e.op = Op::Clone;
        e.prior_version = Eversion::ZERO;
        assert!(e.is_clone() && e.object_is_indexed() && !e.reqid_is_indexed());
        missing.add_next_event(&e);
        assert_eq!(ev(0, 0), missing.get(oid).unwrap().have);
        only_need(&missing, e.version);
        missing.add_next_event(&e);
        only_need(&missing, e.version);
    }
    // existing object (MODIFY)
    {
        let mut missing = Missing::default();
        let mut e = sample_e.clone();
        e.op = Op::Modify;
        e.prior_version = Eversion::ZERO;
        missing.add_next_event(&e);
        only_need(&missing, e.version);
        // adding the same object with a different version
        e.prior_version = prior_version;
        missing.add_next_event(&e);
        assert_eq!(ev(0, 0), missing.get(oid).unwrap().have);
        only_need(&missing, e.version);
    }
    // object with prior version (MODIFY)
    {
        let mut missing = Missing::default();
        let mut e = sample_e.clone();
        e.op = Op::Modify;
        missing.add_next_event(&e);
        assert_eq!(prior_version, missing.get(oid).unwrap().have);
        assert_eq!(version, missing.get(oid).unwrap().need);
        only_need(&missing, e.version);
    }
    // adding a DELETE matching an existing event
    {
        let mut missing = Missing::default();
        let mut e = sample_e.clone();
        e.op = Op::Modify;
        missing.add_next_event(&e);
        e.op = Op::Delete;
        assert!(e.is_delete());
        missing.add_next_event(&e);
        let item = missing.get(oid).unwrap();
        assert!(item.is_delete);
        assert_eq!(prior_version, item.have);
        assert_eq!(version, item.need);
        only_need(&missing, e.version);
    }
    // adding a LOST_DELETE after an existing event
    {
        let mut missing = Missing::default();
        let mut e = sample_e.clone();
        e.op = Op::Modify;
        missing.add_next_event(&e);
        assert!(!missing.get(oid).unwrap().is_delete);
        e.op = Op::LostDelete;
        e.version.version += 1;
        assert!(e.is_delete());
        missing.add_next_event(&e);
        let item = missing.get(oid).unwrap();
        assert!(item.is_delete);
        assert_eq!(prior_version, item.have);
        assert_eq!(e.version, item.need);
        only_need(&missing, e.version);
    }
}

#[test]
fn pg_missing_t_revise_need() {
    let oid = "objname";
    let mut missing = Missing::default();
    // create a new entry
    let need = ev(10, 10);
    missing.revise_need(oid, need, false);
    assert_eq!(ev(0, 0), missing.get(oid).unwrap().have);
    assert_eq!(need, missing.get(oid).unwrap().need);
    // update an existing entry and preserve have
    let have = ev(1, 1);
    missing.revise_have(oid, have);
    let new_need = ev(10, 12);
    missing.revise_need(oid, new_need, false);
    assert_eq!(have, missing.get(oid).unwrap().have);
    assert_eq!(new_need, missing.get(oid).unwrap().need);
}

#[test]
fn pg_missing_t_revise_have() {
    let oid = "objname";
    let mut missing = Missing::default();
    // a non existing entry means noop
    let have = ev(1, 1);
    missing.revise_have(oid, have);
    assert!(!missing.is_missing(oid));
    // update an existing entry
    let need = ev(10, 12);
    missing.add(oid, need, have, false);
    let new_have = ev(2, 2);
    missing.revise_have(oid, new_have);
    assert_eq!(new_have, missing.get(oid).unwrap().have);
    assert_eq!(need, missing.get(oid).unwrap().need);
}

#[test]
fn pg_missing_t_add() {
    let oid = "objname";
    let mut missing = Missing::default();
    missing.add(oid, ev(10, 10), ev(1, 1), false);
    assert!(missing.is_missing(oid));
    assert_eq!(ev(1, 1), missing.get(oid).unwrap().have);
    assert_eq!(ev(10, 10), missing.get(oid).unwrap().need);
}

#[test]
fn pg_missing_t_rm() {
    let oid = "objname";
    let mut missing = Missing::default();
    let epoch = 10;
    missing.add(oid, ev(epoch, 10), ev(0, 0), false);
    // rm of an older version is a noop
    missing.rm(oid, ev(epoch / 2, 20));
    assert!(missing.is_missing(oid));
    // rm of a later version removes the object
    missing.rm(oid, ev(epoch * 2, 20));
    assert!(!missing.is_missing(oid));

    let mut missing = Missing::default();
    missing.add(oid, ev(0, 0), ev(0, 0), false);
    missing.rm_item(oid);
    assert!(!missing.is_missing(oid));
}

#[test]
fn pg_missing_t_got() {
    let oid = "objname";
    let mut missing = Missing::default();
    let epoch = 10;
    missing.add(oid, ev(epoch, 10), ev(0, 0), false);
    // remove of a later version removes the object
    missing.got(oid, ev(epoch * 2, 20));
    assert!(!missing.is_missing(oid));

    let mut missing = Missing::default();
    missing.add(oid, ev(0, 0), ev(0, 0), false);
    missing.got_item(oid);
    assert!(!missing.is_missing(oid));
}

/// `EXPECT_DEATH(missing.got(oid, eversion_t()))`: the object is not missing.
#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "not missing")]
fn pg_missing_t_got_asserts_if_absent() {
    Missing::default().got("objname", ev(0, 0));
}

/// `EXPECT_DEATH(missing.got(oid, eversion_t(epoch / 2, 20)))`: older than needed.
#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "older than the needed version")]
fn pg_missing_t_got_asserts_if_older() {
    let mut missing = Missing::default();
    missing.add("objname", ev(10, 10), ev(0, 0), false);
    missing.got("objname", ev(5, 20));
}
// ---------------------------------------------------------------------------------------
// The JSON face (cli_merge, cli_proc_replica_log).

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/pglog/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn missing_json(out: &serde_json::Value) -> Vec<(String, String, String)> {
    out["missing"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap().to_string();
            (s("object"), s("need"), s("have"))
        })
        .collect()
}

fn kinds(out: &serde_json::Value) -> Vec<String> {
    out["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn json_merge_divergent_example() {
    let out = cli_merge(&data("merge_divergent.json")).unwrap();
    assert_eq!(out["removed"], serde_json::json!(["baz", "foo"]));
    assert_eq!(out["rolled_back"], serde_json::json!([]));
    assert_eq!(
        missing_json(&out),
        [
            ("bar".into(), "20'5".into(), "0'0".into()),
            ("foo".into(), "22'6".into(), "0'0".into()),
            ("qux".into(), "22'7".into(), "0'0".into()),
        ]
    );
    assert_eq!(out["info"]["last_update"], "22'7");
    assert_eq!(out["log"]["head"], "22'7");
    let versions: Vec<&str> = out["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["version"].as_str().unwrap())
        .collect();
    assert_eq!(
        versions,
        ["20'1", "20'2", "20'3", "20'4", "20'5", "22'6", "22'7"]
    );
    assert_eq!(
        kinds(&out),
        [
            "AuthoritativeLog",
            "StatsAdopted",
            "HeadExtending",
            "DivergentFound",
            "DivergentFound",
            "DivergentFound",
            "RolledForward",
            "EntryAppended",
            "EntryAppended",
            "DivergentResolved",
            "DivergentResolved",
            "DivergentResolved",
            "LastUpdateSet",
            "CanRollbackToSet",
        ]
    );
    let cases: Vec<&str> = out["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["case"]["case"].as_str())
        .collect();
    assert_eq!(cases, ["NotRollbackable", "Creation", "NewerEntryInLog"]);
    for d in out["decisions"].as_array().unwrap() {
        assert!(d["explain"].as_str().unwrap().ends_with('.'), "{d}");
    }
}

#[test]
fn json_proc_replica_log_example() {
    let input = data("proc_replica_log.json");
    let out = cli_proc_replica_log(&input).unwrap();
    assert_eq!(
        missing_json(&out),
        [("bar".into(), "20'5".into(), "0'0".into())]
    );
    assert_eq!(out["info"]["last_update"], "20'5");
    assert_eq!(out["info"]["last_complete"], "20'4");
    assert_eq!(out["removed"], serde_json::json!([]));
    // The replica's log itself is not changed by proc_replica_log.
    let doc: serde_json::Value = serde_json::from_str(&input).unwrap();
    assert_eq!(
        out["log"]["entries"].as_array().unwrap().len(),
        doc["local"]["log"]["entries"].as_array().unwrap().len()
    );
    let actions: Vec<&str> = out["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["action"]["action"].as_str())
        .collect();
    assert_eq!(actions, ["MarkedMissing", "RolledBack"]);
}

/// Edits the example merge input at a JSON pointer and returns cli_merge's error.
fn merge_error(pointer: &str, value: serde_json::Value) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(&data("merge_divergent.json")).unwrap();
    *doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}")) = value;
    cli_merge(&doc.to_string()).unwrap_err()
}

#[test]
fn json_errors_name_the_field() {
    use serde_json::json;
    let cases = [
        (
            "/local/log/entries/2/version",
            json!("10.5"),
            "local.log.entries[2].version: expected \"epoch'version\"",
        ),
        (
            "/local/log/entries/2/version",
            json!(7),
            "local.log.entries[2].version: expected \"epoch'version\"",
        ),
        (
            "/auth/log/entries/1/op",
            json!("write"),
            "auth.log.entries[1].op: unknown op \"write\"",
        ),
        (
            "/local/log/entries/1/object",
            json!(""),
            "local.log.entries[1].object: an object name cannot be empty",
        ),
        (
            "/local/info/last_backfill",
            json!(3),
            "local.info.last_backfill: expected a string",
        ),
        (
            "/local/log/entries/3/version",
            json!("20'2"),
            "local.log.entries[3].version: 20'2 is not after the previous entry 20'3",
        ),
        (
            "/local/log/entries/4/prior_version",
            json!("20'1"),
            "local.log.entries[4].prior_version: 20'1 but the previous entry for bar is 20'2",
        ),
        (
            "/local/info/last_update",
            json!("21'7"),
            "local.info.last_update: 21'7 differs from log.head 21'8",
        ),
        (
            "/local/missing/missing/0/need",
            json!("22'1"),
            "local.missing[\"qux\"].need: 22'1 is after info.last_update 21'8",
        ),
        (
            "/local/missing/missing/0/flags",
            json!("gone"),
            "local.missing.missing[0].flags: expected \"none\" or \"delete\"",
        ),
        ("/local", json!([]), "local: expected an object"),
    ];
    for (pointer, value, want) in cases {
        let got = merge_error(pointer, value);
        assert!(got.starts_with(want), "{pointer}: got {got}");
    }
    let mut doc: serde_json::Value = serde_json::from_str(&data("merge_divergent.json")).unwrap();
    doc["local"]["log"]["entries"][0]
        .as_object_mut()
        .unwrap()
        .remove("prior_version");
    let got = cli_merge(&doc.to_string()).unwrap_err();
    assert_eq!(got, "local.log.entries[0]: missing field \"prior_version\"");
    // An empty log far past the authoritative one.
    let empty_log = json!({"head": "30'0", "tail": "30'0", "entries": []});
    let empty_info = json!({"last_update": "30'0", "last_complete": "30'0", "log_tail": "30'0",
                            "last_backfill": "MAX"});
    doc = serde_json::from_str(&data("merge_divergent.json")).unwrap();
    doc["local"] = json!({"log": empty_log, "info": empty_info});
    let got = cli_merge(&doc.to_string()).unwrap_err();
    assert_eq!(
        got,
        "auth.log.head: 22'7 is before local.log.tail 30'0: the logs do not overlap"
    );
    assert!(cli_merge("{").unwrap_err().starts_with("input is not JSON"));
    assert_eq!(
        cli_merge("[]").unwrap_err(),
        "input: expected an object, got []"
    );
}

/// Logs that are each fine but cannot both be true (a 9'10 before a 10'9 the merge would
/// cut as divergent) are refused, not asserted on.
#[test]
fn json_inconsistent_histories_are_refused() {
    let copy = |head: &str, entries: serde_json::Value| {
        serde_json::json!({
            "log": {"head": head, "tail": "0'0", "entries": entries},
            "info": {"last_update": head, "last_complete": head, "log_tail": "0'0",
                     "last_backfill": "MAX"},
        })
    };
    let local = copy(
        "10'11",
        serde_json::json!([
            {"version": "9'10", "prior_version": "0'0", "op": "modify", "object": "a"},
            {"version": "10'11", "prior_version": "0'0", "op": "modify", "object": "b"},
        ]),
    );
    let auth = copy(
        "10'9",
        serde_json::json!([
            {"version": "10'9", "prior_version": "0'0", "op": "modify", "object": "c"},
        ]),
    );
    let doc = serde_json::json!({"local": local, "auth": auth}).to_string();
    let err = cli_merge(&doc).unwrap_err();
    assert!(
        err.starts_with("local.log.entries[0].version: 9'10 would be cut off"),
        "{err}"
    );
}

#[test]
fn json_proc_replica_log_inconsistent_replica_is_refused() {
    let mut doc: serde_json::Value = serde_json::from_str(&data("proc_replica_log.json")).unwrap();
    // The replica's 21'8 has a counter past the cut point 22'7 (the primary's newest entry
    // not after the replica's head 22'9) yet is older than it: no history has both.
    let local = &mut doc["local"];
    local["log"]["entries"][5]["version"] = "21'8".into();
    local["log"]["entries"][6]["version"] = "22'9".into();
    local["log"]["head"] = "22'9".into();
    local["info"]["last_update"] = "22'9".into();
    local["info"]["last_complete"] = "22'9".into();
    let err = cli_proc_replica_log(&doc.to_string()).unwrap_err();
    assert!(
        err.starts_with("local.log.entries[5].version: 21'8 would be cut off"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// Properties.

mod props {
    use super::*;
    use proptest::prelude::*;

    /// What one generated write does to an object.
    #[derive(Clone, Copy, Debug)]
    enum Write {
        Update,
        Delete,
        LostDelete,
        Error,
        Clone,
    }

    fn write_strategy() -> impl Strategy<Value = (Write, usize, bool)> {
        let kind = prop_oneof![
            6 => Just(Write::Update),
            2 => Just(Write::Delete),
            1 => Just(Write::LostDelete),
            1 => Just(Write::Error),
            1 => Just(Write::Clone),
        ];
        (kind, 0..5usize, any::<bool>())
    }

    /// Object versions as a history is written, so prior_versions chain.
    #[derive(Clone, Default)]
    struct Objects(BTreeMap<String, Eversion>);

    impl Objects {
        fn write(&mut self, w: (Write, usize, bool), v: Eversion) -> LogEntry {
            let (kind, n, rollbackable) = w;
            let name = format!("o{n}");
            let live = self.0.get(&name).copied();
            let e = match (kind, live) {
                (Write::Error, _) => LogEntry::new(Op::Error, &name, v, Eversion::ZERO),
                (Write::Clone, _) => {
                    let clone = format!("o{n}_clone{}", v.version);
                    self.0.insert(clone.clone(), v);
                    LogEntry::new(Op::Clone, &clone, v, Eversion::ZERO)
                }
                (Write::Delete | Write::LostDelete, Some(prior)) => {
                    self.0.remove(&name);
                    let op = if matches!(kind, Write::Delete) {
                        Op::Delete
                    } else {
                        Op::LostDelete
                    };
                    LogEntry::new(op, &name, v, prior)
                }
                (_, prior) => {
                    self.0.insert(name.clone(), v);
                    LogEntry::new(Op::Modify, &name, v, prior.unwrap_or_default())
                }
            };
            if rollbackable {
                e.rollbackable()
            } else {
                e
            }
        }
    }

    #[derive(Debug, Clone)]
    struct Scenario {
        base: Vec<(Write, usize, bool)>,
        divergent: Vec<(Write, usize, bool)>,
        new: Vec<(Write, usize, bool)>,
        local_tail: usize,
        auth_tail: usize,
        missing: Vec<(usize, u8)>,
        may_include_deletes: bool,
        backfill: Option<usize>,
        crt_back: usize,
    }

    fn scenario() -> impl Strategy<Value = Scenario> {
        (
            prop::collection::vec(write_strategy(), 0..25),
            prop::collection::vec(write_strategy(), 0..8),
            prop::collection::vec(write_strategy(), 0..8),
            (0..25usize, 0..25usize),
            prop::collection::vec((0..25usize, 0..3u8), 0..4),
            any::<bool>(),
            prop::option::of(0..5usize),
            0..6usize,
        )
            .prop_map(
                |(base, divergent, new, (lt, at), missing, mid, backfill, crt_back)| Scenario {
                    local_tail: lt.min(base.len()),
                    auth_tail: at.min(base.len()),
                    base,
                    divergent,
                    new,
                    missing,
                    may_include_deletes: mid,
                    backfill,
                    crt_back,
                },
            )
    }

    /// A shared history in epochs 1-3, our divergent writes in epoch 5, the authoritative
    /// new ones in epoch 6; both logs trimmed somewhere in the shared part.
    fn build(s: &Scenario) -> (PgLog, PgInfo, IndexedLog, PgInfo) {
        let mut objects = Objects::default();
        let base: Vec<LogEntry> = s
            .base
            .iter()
            .enumerate()
            .map(|(i, w)| objects.write(*w, ev(1 + (i / 10) as u32, i as u64 + 1)))
            .collect();
        let after = base.len() as u64;
        let mut ours = objects.clone();
        let local_div: Vec<LogEntry> = (s.divergent.iter().enumerate())
            .map(|(i, w)| ours.write(*w, ev(5, after + i as u64 + 1)))
            .collect();
        let auth_new: Vec<LogEntry> = (s.new.iter().enumerate())
            .map(|(i, w)| objects.write(*w, ev(6, after + i as u64 + 1)))
            .collect();

        let tail_at = |n: usize| {
            if n == 0 {
                Eversion::ZERO
            } else {
                base[n - 1].version
            }
        };
        let last_backfill = match s.backfill {
            None => ObjectBound::Max,
            Some(n) => ObjectBound::Object(format!("o{n}")),
        };

        let local_entries: Vec<LogEntry> = base[s.local_tail..]
            .iter()
            .chain(&local_div)
            .cloned()
            .collect();
        let mut local_log = IndexedLog::from_entries(tail_at(s.local_tail), local_entries);
        let crt_index = local_log.entries.len().saturating_sub(s.crt_back);
        let crt = match crt_index {
            0 => local_log.tail,
            i => local_log.entries[i - 1].version,
        };
        local_log = IndexedLog::from_parts(
            local_log.head,
            local_log.tail,
            crt,
            Eversion::ZERO,
            local_log.entries.clone(),
            [],
        );

        // Missing: objects last written in the shared history whose newest local update
        // (maybe a divergent one) we lack; we have nothing, the version before, or the
        // shared version itself.
        let mut missing = Missing::new(s.may_include_deletes);
        for (i, have_choice) in &s.missing {
            let Some(e) = base[s.local_tail..].get(*i).filter(|e| !e.is_error()) else {
                continue;
            };
            let newest_base = base
                .iter()
                .rev()
                .find(|x| x.object == e.object && !x.is_error());
            if newest_base.map(|x| x.version) != Some(e.version) {
                continue;
            }
            let newest = local_log
                .entries
                .iter()
                .rev()
                .find(|x| x.object == e.object && !x.is_error())
                .unwrap_or(e);
            if !last_backfill.covers(&e.object) || (newest.is_delete() && !s.may_include_deletes) {
                continue;
            }
            let have = match have_choice {
                0 => Eversion::ZERO,
                1 if newest.version != e.version && !e.is_delete() => e.version,
                _ => e.prior_version,
            };
            missing.add(&e.object, newest.version, have, newest.is_delete());
        }
        missing.flush();
        let info = PgInfo {
            last_update: local_log.head,
            last_complete: if missing.have_missing() {
                Eversion::ZERO
            } else {
                local_log.head
            },
            log_tail: local_log.tail,
            last_backfill,
            ..PgInfo::default()
        };

        let auth_entries: Vec<LogEntry> = base[s.auth_tail..]
            .iter()
            .chain(&auth_new)
            .cloned()
            .collect();
        let olog = IndexedLog::from_entries(tail_at(s.auth_tail), auth_entries);
        let oinfo = PgInfo {
            last_update: olog.head,
            last_complete: olog.head,
            log_tail: olog.tail,
            ..PgInfo::default()
        };
        (PgLog::new(local_log, missing), info, olog, oinfo)
    }

    fn assert_invariants(log: &IndexedLog, info: &PgInfo, missing: &Missing) {
        let versions: Vec<Eversion> = log.entries.iter().map(|e| e.version).collect();
        assert!(
            versions.windows(2).all(|w| w[0] < w[1]),
            "log not sorted: {versions:?}"
        );
        match log.entries.back() {
            Some(last) => assert_eq!(log.head, last.version, "head is not the newest entry"),
            None => assert!(log.head >= log.tail),
        }
        assert_eq!(info.last_update, log.head);
        assert_eq!(info.log_tail, log.tail);
        for (o, item) in missing.items() {
            assert!(
                item.need > item.have,
                "{o}: need {} <= have {}",
                item.need,
                item.have
            );
            assert!(
                info.last_backfill.covers(o),
                "{o} missing after last_backfill"
            );
        }
        let oldest = missing
            .items()
            .values()
            .map(|i| i.need)
            .min()
            .unwrap_or_default();
        assert_eq!(oldest, missing.oldest_need(), "rmissing out of step");
    }

    proptest! {
        #[test]
        fn merge_log_keeps_invariants(s in scenario()) {
            let (mut pglog, mut info, olog, mut oinfo) = build(&s);
            check_merge_log(&pglog.log, &olog).expect("generated logs are consistent");
            validate_copy(&pglog.log, &info, &pglog.missing).expect("generated copy is valid");
            let auth = olog.clone();
            let mut h = RecordingHandler::default();
            let result = pglog.merge_log(&mut oinfo, olog, &mut info, &mut h);
            prop_assert!(!result.decisions.is_empty());
            assert_invariants(&pglog.log, &info, &pglog.missing);
            // After the merge we agree with the authoritative log over its range.
            let ours: Vec<&LogEntry> =
                pglog.log.entries.iter().filter(|e| e.version > auth.tail).collect();
            let theirs: Vec<&LogEntry> = auth.entries.iter().collect();
            prop_assert_eq!(ours, theirs);
            prop_assert_eq!(pglog.log.tail, pglog.log.tail.min(auth.tail));
        }

        #[test]
        fn proc_replica_log_keeps_invariants(s in scenario()) {
            let (replica, mut oinfo, primary_log, _) = build(&s);
            check_proc_replica_log(&primary_log, &replica.log).expect("consistent");
            let before = oinfo.last_update;
            let primary = PgLog::new(primary_log, Missing::new(true));
            let mut omissing = replica.missing.clone();
            primary.proc_replica_log(&mut oinfo, &replica.log, &mut omissing);
            prop_assert!(oinfo.last_update <= before);
            prop_assert!(oinfo.last_complete <= oinfo.last_update);
            for (o, item) in omissing.items() {
                prop_assert!(item.need > item.have, "{}: {:?}", o, item);
            }
        }

        /// Random damage to a valid input: an error or a result, never a panic.
        #[test]
        fn cli_never_panics(edits in prop::collection::vec((any::<u32>(), 0..6u8), 1..4)) {
            for name in ["merge_divergent.json", "proc_replica_log.json"] {
                let mut doc: serde_json::Value = serde_json::from_str(&data(name)).unwrap();
                for (pick, how) in &edits {
                    damage(&mut doc, *pick, *how);
                }
                let text = doc.to_string();
                let _ = cli_merge(&text);
                let _ = cli_proc_replica_log(&text);
            }
        }
    }

    /// Replaces or removes the `pick`-th leaf (in document order) of `doc`.
    fn damage(doc: &mut serde_json::Value, pick: u32, how: u8) {
        let mut leaves = Vec::new();
        collect_leaves(doc, String::new(), &mut leaves);
        let path = &leaves[pick as usize % leaves.len()];
        let replacement = match how {
            0 => serde_json::json!("0'0"),
            1 => serde_json::json!("99'99"),
            2 => serde_json::json!(-1),
            3 => serde_json::json!("MAX"),
            4 => serde_json::json!({}),
            _ => serde_json::Value::Null,
        };
        if let Some(v) = doc.pointer_mut(path) {
            *v = replacement;
        }
    }

    fn collect_leaves(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    collect_leaves(x, format!("{at}/{k}"), out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    collect_leaves(x, format!("{at}/{i}"), out);
                }
            }
            _ => out.push(at),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The benchmark fixture.

#[test]
fn bench_fixture_merges() {
    let input = bench_fixture(1000, 30);
    assert_eq!(1000, input.local.log.entries.len());
    assert_eq!(1000, input.olog.entries.len());
    check_merge_log(&input.local.log, &input.olog).unwrap();
    let out = input.merge();
    let divergent = out
        .decisions
        .iter()
        .filter(|d| matches!(d, MergeDecision::DivergentFound { .. }))
        .count();
    assert_eq!(30, divergent);
    assert_eq!(out.info.last_update, out.local.log.head);
}
