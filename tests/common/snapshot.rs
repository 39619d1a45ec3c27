//! Checked-in files that tests compare with what the code produces now (the OpenAPI document,
//! the chat frame samples the UI is tested on). A change must be deliberate: rerun with
//! `UPDATE_SNAPSHOTS=1` to rewrite the file.

use std::path::Path;

/// Fails with the first differing lines unless `actual` equals the file at `relative` (from the
/// crate root); rewrites the file instead when UPDATE_SNAPSHOTS=1.
pub fn assert_matches(relative: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n  snapshot: {a}\n  actual:   {b}", i + 1))
            .collect();
        panic!(
            "{relative} is stale (rerun with UPDATE_SNAPSHOTS=1 if the change is intended); \
             file {} lines, now {} lines\n{}",
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}
