//! The RADOS objects a rank keeps in the metadata pool, named as Ceph names them, and which
//! of them each metadata I/O step of the daemon reads or writes.
//!
//! Inode numbers (src/include/ceph_fs.h, mdstypes.h): the root is 0x1, a rank's mydir
//! (`~mdsN`) is `MDS_INO_MDSDIR_OFFSET` 0x100 + rank, its journal `MDS_INO_LOG_OFFSET`
//! 0x200 + rank, the journal pointer `MDS_INO_LOG_POINTER_OFFSET` 0x400 + rank, the purge
//! queue `MDS_INO_PURGE_QUEUE` 0x500 + rank. An inode's data objects are
//! `file_object_t(ino, n)`: `"%llx.%08llx"`. The journal header (`Journaler::write_head`)
//! is object 0 of the journal inode; entries start at the next layout period (object 1 with
//! the default 4 MiB layout). Tables are `MDSTable::get_object_name`: `mds<rank>_inotable`,
//! `mds<rank>_sessionmap` (SessionMap), and the rank-less `mds_snaptable` of the snap
//! server (rank 0).

use super::fsmap::Rank;

pub const MDS_INO_ROOT: u64 = 0x1;
pub const MDS_INO_MDSDIR_OFFSET: u64 = 0x100;
pub const MDS_INO_LOG_OFFSET: u64 = 0x200;
pub const MDS_INO_LOG_POINTER_OFFSET: u64 = 0x400;
pub const MDS_INO_PURGE_QUEUE: u64 = 0x500;

/// `file_object_t(ino, n)` printed as Ceph does.
pub fn object_name(ino: u64, n: u64) -> String {
    format!("{ino:x}.{n:08x}")
}

fn ino(offset: u64, rank: Rank) -> u64 {
    offset + rank.max(0) as u64
}

/// The journal header object (`200.00000000` for rank 0).
pub fn journal_header(rank: Rank) -> String {
    object_name(ino(MDS_INO_LOG_OFFSET, rank), 0)
}

/// The journal's data object number `n` (entries; `200.00000001` first).
pub fn journal_object(rank: Rank, n: u64) -> String {
    object_name(ino(MDS_INO_LOG_OFFSET, rank), n)
}

pub fn journal_pointer(rank: Rank) -> String {
    object_name(ino(MDS_INO_LOG_POINTER_OFFSET, rank), 0)
}

pub fn purge_queue_header(rank: Rank) -> String {
    object_name(ino(MDS_INO_PURGE_QUEUE, rank), 0)
}

pub fn mydir(rank: Rank) -> String {
    object_name(ino(MDS_INO_MDSDIR_OFFSET, rank), 0)
}

pub fn inotable(rank: Rank) -> String {
    format!("mds{rank}_inotable")
}

pub fn sessionmap(rank: Rank) -> String {
    format!("mds{rank}_sessionmap")
}

/// The snap server's table (`MDSMap::get_tableserver`, rank 0).
pub const SNAPTABLE: &str = "mds_snaptable";

/// What `MDSRank::boot_create` writes for a new rank: the journal pointer, the journal
/// header and its first entries (`MDLog::create`, the first ESubtreeMap), inotable,
/// sessionmap, the purge queue, mydir; the root and the snap table for rank 0.
pub fn created(rank: Rank, journal_obj: u64) -> Vec<String> {
    let mut v = vec![
        journal_pointer(rank),
        journal_header(rank),
        journal_object(rank, journal_obj),
        inotable(rank),
        sessionmap(rank),
        purge_queue_header(rank),
        mydir(rank),
    ];
    if rank == 0 {
        v.push(object_name(MDS_INO_ROOT, 0));
        v.push(SNAPTABLE.to_string());
    }
    v
}

/// `boot_start(MDS_BOOT_INITIAL)`: inotable, sessionmap, `MDLog::open` (journal pointer,
/// then `Journaler::recover` reads the header), the snap table on rank 0. (A replaying
/// rank opens the purge queue asynchronously; it is waited for in PREPARE_LOG.)
pub fn boot_initial(rank: Rank) -> Vec<String> {
    let mut v = vec![
        inotable(rank),
        sessionmap(rank),
        journal_pointer(rank),
        journal_header(rank),
    ];
    if rank == 0 {
        v.push(SNAPTABLE.to_string());
    }
    v
}

/// `boot_start(MDS_BOOT_OPEN_ROOT)`: `open_mydir_inode`, and `open_root_inode` on the root
/// rank (0).
pub fn boot_open_root(rank: Rank) -> Vec<String> {
    let mut v = vec![mydir(rank)];
    if rank == 0 {
        v.push(object_name(MDS_INO_ROOT, 0));
    }
    v
}

/// `boot_start(MDS_BOOT_PREPARE_LOG)`: `purge_queue.wait_for_recovery` and `mdlog->replay`
/// (`MDLog::_replay_thread` reads the journal's entries).
pub fn boot_prepare_log(rank: Rank, journal_obj: u64) -> Vec<String> {
    vec![purge_queue_header(rank), journal_object(rank, journal_obj)]
}
