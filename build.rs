//! Finds out at build time whether headless Chromium is on PATH, so the dashboard's browser
//! test is reported as ignored, with how to install it, instead of failing or passing
//! without having run. Installing Chromium later changes a PATH directory, which reruns this.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(chromium)");
    println!("cargo::rerun-if-env-changed=PATH");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut found = false;
    for dir in std::env::split_paths(&path) {
        if dir.is_dir() {
            println!("cargo::rerun-if-changed={}", dir.display());
            found |= ["chromium", "chromium-browser"].iter().any(|n| dir.join(n).is_file());
        }
    }
    if found {
        println!("cargo::rustc-cfg=chromium");
    }
}
