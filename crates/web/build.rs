//! Installs the front-end libraries the binary embeds (htmx, ECharts) from the npm
//! registry with `npm ci`, so `cargo build` on a fresh clone needs nothing done by hand.

use std::path::Path;
use std::process::Command;

const EMBEDDED: [&str; 2] = [
    "node_modules/htmx.org/dist/htmx.min.js",
    "node_modules/echarts/dist/echarts.min.js",
];

fn main() {
    println!("cargo:rerun-if-changed=package.json");
    println!("cargo:rerun-if-changed=package-lock.json");
    for file in EMBEDDED {
        println!("cargo:rerun-if-changed={file}");
    }

    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let installed = dir.join("node_modules/.package-lock.json");
    let lock_is_newer = match (
        modified(&dir.join("package-lock.json")),
        modified(&installed),
    ) {
        (Some(lock), Some(installed)) => lock > installed,
        _ => true,
    };
    let missing = EMBEDDED.iter().any(|file| !dir.join(file).is_file());
    if !missing && !lock_is_newer {
        return;
    }

    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--omit=dev"])
        .current_dir(dir)
        .status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => panic!(
            "`npm ci` in {} failed with {status}; check the npm registry is reachable",
            dir.display()
        ),
        Err(error) => {
            panic!("cannot run npm ({error}); install Node.js and npm to build xueshi-web")
        }
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
