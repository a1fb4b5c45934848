//! Decides at compile time which environment-dependent tests run, so that a test that cannot
//! run here shows as ignored in the test summary instead of passing without doing anything.
//!
//! - `interop_env`: the kernel interop tests (`tests/kernel_interop.rs`) can run: root,
//!   `/dev/net/tun`, and `unshare`, `ip`, `curl`, `ping`, `python3`, `tshark`, `timeout`, `cmp`
//!   on `PATH`.
//! - `tshark_env`: `tshark` is on `PATH` (the pcap checks of `tests/stack_smoltcp.rs`).
//!
//! - `browser_env`: headless Chromium (`chromium` on `PATH`) can render the Explorer
//!   (`tests/explorer.rs`).
//!
//! Under `CI=true` all three are set whatever the machine has, so that CI runs every test and a
//! missing tool fails it loudly. A tool installed later without a change of `PATH` or `CI` is
//! noticed after `touch build.rs`.

use std::path::Path;
use std::process::Command;

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

fn root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=PATH");
    println!("cargo:rustc-check-cfg=cfg(interop_env)");
    println!("cargo:rustc-check-cfg=cfg(tshark_env)");
    println!("cargo:rustc-check-cfg=cfg(browser_env)");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let tshark = on_path("tshark");
    let tools = [
        "unshare", "ip", "curl", "ping", "python3", "tshark", "timeout", "cmp",
    ];
    let interop = root() && Path::new("/dev/net/tun").exists() && tools.iter().all(|t| on_path(t));
    if ci || interop {
        println!("cargo:rustc-cfg=interop_env");
    }
    if ci || tshark {
        println!("cargo:rustc-cfg=tshark_env");
    }
    if ci || on_path("chromium") {
        println!("cargo:rustc-cfg=browser_env");
    }
}
