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
        Ok(status) if status.success() => backdate_embedded(dir),
        Ok(status) => panic!(
            "`npm ci` in {} failed with {status}; check the npm registry is reachable",
            dir.display()
        ),
        Err(error) => {
            panic!("cannot run npm ({error}); install Node.js and npm to build xueshi-web")
        }
    }
}

/// Gives the files npm just wrote the lock file's time. Cargo reruns a build script
/// when a file it watches is newer than the script's last run, and these files were
/// written during that run, so the next build would compile the crate once more.
fn backdate_embedded(dir: &Path) {
    let Some(lock_time) = modified(&dir.join("package-lock.json")) else {
        return;
    };
    for file in EMBEDDED {
        let path = dir.join(file);
        let backdated = std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|opened| opened.set_modified(lock_time));
        if let Err(error) = backdated {
            println!(
                "cargo:warning=could not set the time of {}: {error}",
                path.display()
            );
        }
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
