//! The OpenAPI document against the live server: schemathesis (PyPI) generates requests from
//! `/openapi.json` — valid ones, invalid ones, wrong methods — sends them with a signed-in
//! admin's token to a server whose organization holds demo data, with Nango, a model and
//! SMTP configured (fakes), and checks every answer against the document with all of its default
//! checks. Needs `schemathesis` on PATH, so it is ignored by a plain `cargo test`; `.ci/run`
//! installs it and runs `cargo test --test api_schema -- --ignored`.

mod common;

use std::process::Command;
use std::time::Duration;

use common::TestApp;
use common::fake_llm::FakeLlm;
use common::fake_nango::FakeNango;
use common::fake_smtp::FakeSmtp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs schemathesis on PATH (pip install schemathesis); .ci/run runs it"]
async fn the_openapi_document_describes_what_the_server_does() {
    let nango = FakeNango::start().await;
    let llm = FakeLlm::start().await;
    let smtp = FakeSmtp::start().await;
    let smtp_url = smtp.url();
    let app = TestApp::spawn_with(&[
        ("NANGO_HOST", nango.url.as_str()),
        ("NANGO_SECRET_KEY", nango.secret.as_str()),
        ("NANGO_WEBHOOK_SECRET", "whsec-schemathesis"),
        (
            "CREDENTIALS_KEY",
            "7365616c65642d62792d736368656d617468657369732d6b65792d3332627974",
        ),
        ("ANTHROPIC_API_KEY", "test-key"),
        ("ANTHROPIC_BASE_URL", llm.url.as_str()),
        ("SMTP_URL", smtp_url.as_str()),
        ("PUBLIC_URL", "https://revtops.fuzz.test"),
    ])
    .await;
    let (token, _, _) = common::accounts::admin_with_org(&app, "fuzz@acme-fuzz.com").await;
    let client = app.client();
    let started = client
        .call("POST", "/api/workspace/demo", Some(&token), None)
        .await;
    assert_eq!(started.status, 202, "{}", started.text());
    for _ in 0..300 {
        let w = client.get_auth("/api/workspace", &token).await.json();
        if w["demo"]["status"] != "running" {
            assert_eq!(w["demo"]["status"], "succeeded", "{w}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let spec = app.url("/openapi.json");
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml");
    let run = tokio::task::spawn_blocking(move || {
        Command::new("schemathesis")
            .args(["--config-file", config, "run", &spec])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            // Logout would revoke the token the rest of the run signs in with.
            .args(["--exclude-operation-id", "logout"])
            .args([
                "--workers",
                "2",
                "--max-examples",
                "60",
                "--seed",
                "20261201",
            ])
            .args(["--no-color", "--request-timeout", "20"])
            .output()
    })
    .await
    .unwrap()
    .expect("schemathesis runs (pip install schemathesis)");
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "schemathesis found failures:\n{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(report.contains("Tested:"), "{report}");
    println!("{report}");
}
