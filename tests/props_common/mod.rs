//! What the property tests over the cluster world share.

use cephscope::engine::peering::chart::definition;
use cephscope::engine::world::World;
use proptest::prelude::*;

/// No PG machine of the world has crashed (nor failed a log check where Ceph asserts).
pub fn assert_no_crash(world: &World) -> Result<(), TestCaseError> {
    for (osd, node) in &world.osds {
        for (pg, inst) in &node.pgs {
            prop_assert!(
                !inst.state.crashed,
                "pg {pg} on osd.{osd} crashed (in {}): {:?}",
                inst.machine.path(definition()),
                inst.state.crash_reason
            );
        }
    }
    Ok(())
}
