//! Benchmark (not a test): merging two 10,000-entry logs with 100 divergent entries, as
//! proc_master_log would (`cargo bench --bench pglog_merge`).

use cephscope::engine::pglog::bench_fixture;

fn main() {
    divan::main();
}

#[divan::bench(args = [(1_000, 10), (10_000, 100)])]
fn merge_log(bencher: divan::Bencher, (entries, divergent): (usize, usize)) {
    bencher
        .with_inputs(|| bench_fixture(entries, divergent))
        .bench_values(|input| input.merge());
}
