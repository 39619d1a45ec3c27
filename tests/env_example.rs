//! Every environment variable the code reads is documented in env.example.

use std::collections::BTreeSet;
use std::path::Path;

fn documented() -> BTreeSet<String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("env.example")).unwrap();
    text.lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k.trim().to_owned())
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
        .collect()
}

/// Variable names in string literals passed to the config reader or to std::env.
fn read_by(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    for marker in [
        "vars.parse(",
        "vars.optional(",
        "env::var(",
        "env::var_os(",
        "var_is(",
        "rerun-if-env-changed=",
    ] {
        for (idx, _) in source.match_indices(marker) {
            let rest = source[idx + marker.len()..].trim_start();
            let rest = rest.strip_prefix('"').unwrap_or(rest);
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if name.len() > 1 {
                names.push(name);
            }
        }
    }
    names
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_variable_read_by_the_code_is_in_env_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("build.rs")];
    sources(&root.join("src"), &mut files);
    let documented = documented();
    let mut read = BTreeSet::new();
    for file in files {
        for name in read_by(&std::fs::read_to_string(&file).unwrap()) {
            assert!(
                documented.contains(&name),
                "{} reads {name}, which env.example does not list",
                file.display()
            );
            read.insert(name);
        }
    }
    // Guard the scanner itself: it must see the variables we know are read.
    for known in [
        "DATABASE_URL",
        "PORT",
        "AUTH_MODE",
        "REDIS_URL",
        "REVTOPS_SKIP_UI_BUILD",
    ] {
        assert!(read.contains(known), "scanner missed {known}");
    }
}
