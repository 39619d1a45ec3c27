//! Version facts compiled in by build.rs.

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const GIT_REVISION: &str = env!("REVTOPS_GIT_REVISION");
/// Fingerprint of `migrations/`: test templates are keyed by it so a schema change gets a new one.
pub const MIGRATIONS_HASH: &str = env!("REVTOPS_MIGRATIONS_HASH");
/// `revtops --version` output: the version and the git revision it was built from.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("REVTOPS_GIT_REVISION"),
    ")"
);
