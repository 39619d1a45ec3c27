//! Build-time facts baked into the binary: a fingerprint of the migrations (test
//! templates are keyed by it) and the embedded UI bundle, rebuilt with npm when its sources changed.

use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// Inputs of the UI bundle; `ui/dist` is rebuilt when any of them is newer than `dist/index.html`.
const UI_INPUTS: &[&str] = &[
    "ui/src",
    "ui/public",
    "ui/index.html",
    "ui/package.json",
    "ui/package-lock.json",
    "ui/vite.config.ts",
    "ui/tsconfig.json",
    "ui/tsconfig.app.json",
    "ui/tsconfig.node.json",
];

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=REVTOPS_SKIP_UI_BUILD");
    // A path that does not exist makes cargo rerun the script on every build, so list only real ones.
    for input in UI_INPUTS.iter().filter(|p| Path::new(p).exists()) {
        println!("cargo:rerun-if-changed={input}");
    }
    git_revision();
    migrations_fingerprint();
    ui_bundle();
}

/// Only a revision given at build time (Docker passes its build argument) is compiled in; watching
/// `.git` here would rerun this script, and so recompile the crate, on every commit (see
/// `src/build_info.rs` for how other builds learn their revision).
fn git_revision() {
    println!("cargo:rerun-if-env-changed=REVTOPS_GIT_REVISION");
}

fn migrations_fingerprint() {
    let mut files = Vec::new();
    collect_files(Path::new("migrations"), &mut files);
    files.sort();
    // FNV-1a: stable across Rust versions, unlike DefaultHasher's unspecified algorithm.
    let mut hasher = Fnv1a(0xcbf2_9ce4_8422_2325);
    for file in &files {
        hasher.write(file.to_string_lossy().as_bytes());
        hasher.write(&std::fs::read(file).unwrap_or_default());
    }
    println!(
        "cargo:rustc-env=REVTOPS_MIGRATIONS_HASH={:016x}",
        hasher.finish()
    );
}

struct Fnv1a(u64);

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    let mut files = Vec::new();
    collect_files(path, &mut files);
    files
        .iter()
        .filter_map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
        .max()
}

/// Builds `ui/dist` with npm when Node is present and the bundle is stale. Without Node the server
/// embeds a placeholder page instead (see `http::spa`), so a Rust-only build always succeeds.
fn ui_bundle() {
    if std::env::var("REVTOPS_SKIP_UI_BUILD").is_ok_and(|v| v == "1" || v == "true") {
        return;
    }
    let ui = Path::new("ui");
    if !ui.join("package.json").exists() {
        return;
    }
    let built = std::fs::metadata(ui.join("dist/index.html"))
        .and_then(|m| m.modified())
        .ok();
    let newest_input = UI_INPUTS
        .iter()
        .filter_map(|p| newest_mtime(Path::new(p)))
        .max();
    let stale = match (built, newest_input) {
        (Some(built), Some(input)) => input > built,
        (None, _) => true,
        (Some(_), None) => false,
    };
    if !stale {
        return;
    }
    if Command::new("npm").arg("--version").output().is_err() {
        println!(
            "cargo:warning=npm not found: the UI bundle is not rebuilt (the server shows a placeholder page)"
        );
        return;
    }
    let lock = std::fs::metadata(ui.join("package-lock.json"))
        .and_then(|m| m.modified())
        .ok();
    let installed = std::fs::metadata(ui.join("node_modules/.package-lock.json"))
        .and_then(|m| m.modified())
        .ok();
    if installed.is_none() || lock > installed {
        run_npm(ui, &["ci", "--no-audit", "--no-fund"]);
    }
    run_npm(ui, &["run", "build"]);
}

fn run_npm(ui: &Path, args: &[&str]) {
    let out = Command::new("npm").args(args).current_dir(ui).output();
    match out {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`npm {}` failed in ui/ (set REVTOPS_SKIP_UI_BUILD=1 to build without the UI):\n{}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(err) => panic!("could not run npm: {err}"),
    }
}
