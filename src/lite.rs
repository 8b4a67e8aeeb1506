//! The page's first module (wasm32, `--features lite`): the Statechart, Intervals and PG
//! log tabs. Opening the Cluster or MDS tab hands the page to the whole app (`cephscope`),
//! which the page loads then (`www/index.html`'s `cephscopeLoadFull`).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cephscope-lite is the web app's first module; natively, run `cephscope`");
    std::process::exit(2);
}

#[cfg(target_arch = "wasm32")]
fn main() {
    cephscope::ui::start();
}
