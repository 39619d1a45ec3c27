//! Version facts: the package version and migrations fingerprint compiled in by build.rs, and the
//! git revision.
//!
//! The revision is not compiled in from `.git`: a build script that watches `.git` reruns on every
//! commit, and its rerun recompiles the whole crate. Release images pass it as
//! `REVTOPS_GIT_REVISION` at build time (the Dockerfile does); any other build reads the revision
//! of the checkout it was built in when first asked (`--version`, the serve log line, health).

use std::sync::OnceLock;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Fingerprint of `migrations/`: test templates are keyed by it so a schema change gets a new one.
pub const MIGRATIONS_HASH: &str = env!("REVTOPS_MIGRATIONS_HASH");

/// The git revision this binary comes from, or "unknown".
pub fn git_revision() -> &'static str {
    static REVISION: OnceLock<String> = OnceLock::new();
    REVISION.get_or_init(|| {
        option_env!("REVTOPS_GIT_REVISION")
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .or_else(checkout_revision)
            .unwrap_or_else(|| "unknown".to_owned())
    })
}

/// `revtops --version` output: the version and the git revision.
pub fn long_version() -> &'static str {
    static LONG: OnceLock<String> = OnceLock::new();
    LONG.get_or_init(|| format!("{VERSION} ({})", git_revision()))
}

fn checkout_revision() -> Option<String> {
    let out = std::process::Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "rev-parse",
            "--short=12",
            "HEAD",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())?;
    let revision = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!revision.is_empty()).then_some(revision)
}
