//! Natively: the `cephscope` command line. Built for wasm32 (by Trunk): the web app.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main());
}

#[cfg(target_arch = "wasm32")]
fn main() {
    cephscope::ui::start();
}
