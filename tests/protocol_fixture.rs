//! The chat socket's frames as the UI sees them: one sample of every kind, both directions, in
//! `ui/src/api/__fixtures__/frames.json`. The UI's protocol module is tested on that file (every
//! sample must pass its guards, every kind it knows must be there), so the Rust and TypeScript
//! sides cannot drift apart unnoticed. Rewrite with `UPDATE_SNAPSHOTS=1` after a deliberate change.

mod common;

use revtops::agent::protocol::{ClientFrame, samples};
use serde_json::{Value, json};

#[test]
fn the_ui_fixture_holds_one_sample_of_every_frame() {
    let (server, client) = samples();
    let fixture = json!({
        "server": server.iter().map(|f| serde_json::to_value(f).unwrap()).collect::<Vec<Value>>(),
        "client": client.iter().map(|f| serde_json::to_value(f).unwrap()).collect::<Vec<Value>>(),
    });
    // Every client sample is what the server accepts.
    for frame in fixture["client"].as_array().unwrap() {
        serde_json::from_value::<ClientFrame>(frame.clone()).unwrap();
    }
    // A kind is its type tag, and for errors whether a run said it (a run's failure) or not.
    let kinds = |side: &str| {
        let mut k: Vec<(&str, bool)> = fixture[side]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["type"].as_str().unwrap(), f["run_id"].is_string()))
            .collect();
        k.sort_unstable();
        k.dedup();
        k.len()
    };
    assert_eq!(
        kinds("server"),
        fixture["server"].as_array().unwrap().len(),
        "one sample per kind"
    );
    assert_eq!(kinds("client"), fixture["client"].as_array().unwrap().len());
    let text = serde_json::to_string_pretty(&fixture).unwrap() + "\n";
    common::snapshot::assert_matches("ui/src/api/__fixtures__/frames.json", &text);
}
