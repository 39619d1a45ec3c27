//! The OpenAPI document is part of the contract: any change must be deliberate.
//! Regenerate after an intended change with `UPDATE_SNAPSHOTS=1 cargo test --test openapi_snapshot`.

mod common;

use common::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_matches_the_snapshot() {
    let app = TestApp::spawn().await;
    let mut spec = app.client().get("/openapi.json").await.json();
    // The version changes with every release; the shape is what the snapshot guards.
    spec["info"]["version"] = "<version>".into();
    let actual = serde_json::to_string_pretty(&spec).unwrap() + "\n";
    common::snapshot::assert_matches("tests/snapshots/openapi.json", &actual);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_code_appears_in_the_document() {
    let app = TestApp::spawn().await;
    let spec = app.client().get("/openapi.json").await.json();
    let codes = spec["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode enum")
        .clone();
    for code in [
        "bad_request",
        "invalid_body",
        "unauthorized",
        "not_found",
        "payload_too_large",
        "rate_limited",
        "internal",
    ] {
        assert!(
            codes.iter().any(|c| c == code),
            "{code} missing from {codes:?}"
        );
    }
}
