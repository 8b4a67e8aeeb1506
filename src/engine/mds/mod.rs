//! CephFS metadata servers: the FSMap, the MDSMonitor, MDS daemons and their clients, from
//! boot to active and through failover. Every rule names the Ceph function it models
//! (src/mds/MDSMap.{h,cc}, FSMap.cc, MDSRank.cc, MDSDaemon.cc, Beacon.cc, Server.cc,
//! src/mon/MDSMonitor.cc).

pub mod chart;
pub mod daemon;
pub mod fsmap;
pub mod monitor;
pub mod objects;
pub mod rados;
pub mod scenario;
pub mod state;
pub mod world;
