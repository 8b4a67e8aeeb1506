//! CephFS over the cluster engine: the cross-layer scenarios.

use cephscope::engine::mds::rados::{builtin, find, CephfsRun};

#[test]
fn dump() {
    for s in builtin() {
        let name = s.name.clone();
        let mut r = CephfsRun::new(s).unwrap();
        r.run_to_end().unwrap();
        std::fs::write(format!("/tmp/c/{name}.log"), r.trace_text()).unwrap();
        let _ = find(&name);
    }
}
