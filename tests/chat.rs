//! Chat end to end: the real app, an authenticated WebSocket and a fake model server that streams
//! scripted SSE (Anthropic) or chat-completion chunks (OpenAI-compatible).

mod common;

use std::time::Duration;

use common::TestApp;
use common::chat::{chat, chat_with, text_of, user};
use common::fake_llm::FakeLlm;
use common::fake_llm::{self, Reply, anthropic_turn, stream};
use common::ws::{Auth, Socket, of_type};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_streams_text_runs_sql_and_reloads_identically() {
    let c = chat().await;
    let sql = "SELECT name, amount FROM deals WHERE stage = 'Négociation' OR amount > 10000 ORDER BY amount DESC";
    // Tool input split every 3 characters, SSE bytes split every 7 (inside the é, too).
    c.fake.push(stream(anthropic_turn(
        &["Let me ", "check."],
        &[("toolu_1", "run_sql_query", json!({"sql": sql}))],
        3,
        "tool_use",
    )));
    c.fake.push(stream(anthropic_turn(
        &["Acme renewal ", "leads with 50,000."],
        &[],
        1,
        "end_turn",
    )));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "Which deals are biggest?", "time_zone": "Europe/Berlin"})).await;
    let frames = s.until(&["message_complete", "error"]).await;
    let created = of_type(&frames, "conversation_created");
    assert_eq!(created.len(), 1, "{frames:?}");
    assert_eq!(created[0]["title"], "Which deals are biggest?");
    let conversation = created[0]["conversation_id"].as_str().unwrap().to_owned();
    let call = of_type(&frames, "tool_call")[0];
    assert_eq!(call["name"], "run_sql_query");
    assert_eq!(
        call["input"]["sql"], sql,
        "input reassembled from fragments"
    );
    let result = of_type(&frames, "tool_result")[0];
    assert_eq!(result["status"], "ok", "{result}");
    assert_eq!(result["summary"], "2 rows");
    assert_eq!(
        result["output"]["rows"][0],
        json!(["Acme renewal", "50000.00"])
    );
    assert_eq!(result["output"]["types"], json!(["text", "numeric"]));
    assert!(result["output"]["elapsed_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        text_of(&frames),
        "Let me check.Acme renewal leads with 50,000."
    );
    // Run frames: one run, numbered from 0 without gaps, opened by run_started.
    let run: Vec<&Value> = frames.iter().filter(|f| f["run_id"].is_string()).collect();
    assert_eq!(run[0]["type"], "run_started", "{frames:?}");
    assert_eq!(run[0]["question"], "Which deals are biggest?");
    assert!(run.iter().all(|f| f["run_id"] == run[0]["run_id"]));
    let seqs: Vec<u64> = run.iter().map(|f| f["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (0..run.len() as u64).collect::<Vec<_>>());
    let done = frames.last().unwrap();
    assert_eq!(done["type"], "message_complete");
    assert_eq!(done["stop_reason"], "end_turn");
    assert_eq!(done["usage"]["input_tokens"], 200);

    // What the model saw: the system prompt with the schema, then the tool result as JSON.
    let requests = c.fake.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[0]["system"]
            .as_str()
            .unwrap()
            .contains("Europe/Berlin")
    );
    assert!(
        requests[0]["system"]
            .as_str()
            .unwrap()
            .contains("pipeline_stages")
    );
    assert_eq!(requests[0]["stream"], true);
    let tools: Vec<&str> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        ["run_sql_query", "create_artifact", "search_activities"]
    );
    let sent_back = &requests[1]["messages"][2]["content"][0];
    assert_eq!(sent_back["type"], "tool_result");
    assert_eq!(sent_back["tool_use_id"], "toolu_1");
    let rows: Value = serde_json::from_str(sent_back["content"].as_str().unwrap()).unwrap();
    assert_eq!(rows["rows"][1], json!(["Globex expansion", "12000.00"]));
    assert_eq!(
        rows, result["output"],
        "the model and the chat see one output"
    );

    // A reload shows the same blocks.
    let detail = c
        .app
        .client()
        .get_auth(&format!("/api/chat/conversations/{conversation}"), &c.token)
        .await
        .json();
    let kinds: Vec<(String, String)> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().to_owned(),
                m["content"][m["content"].as_array().unwrap().len() - 1]["type"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("user", "text"),
            ("assistant", "tool_use"),
            ("user", "tool_result"),
            ("assistant", "text")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(
        detail["messages"][3]["content"][0]["text"],
        "Acme renewal leads with 50,000."
    );
    assert_eq!(
        run[0]["question_message_id"], detail["messages"][0]["id"],
        "run_started names the stored question"
    );
    let stored: Value = serde_json::from_str(
        detail["messages"][2]["content"][0]["content"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(stored, result["output"], "a reload renders the same step");
    let history = c
        .app
        .client()
        .get_auth(
            &format!("/api/chat/history?conversation_id={conversation}"),
            &c.token,
        )
        .await
        .json();
    assert_eq!(history["messages"], detail["messages"]);
    let list = c
        .app
        .client()
        .get_auth("/api/chat/conversations", &c.token)
        .await
        .json();
    assert_eq!(list[0]["id"], conversation.as_str());

    // A follow-up on a fresh socket continues the same conversation.
    c.fake
        .push(stream(anthropic_turn(&["Still Acme."], &[], 2, "end_turn")));
    let mut again = c.socket().await;
    again
        .send(json!({"type": "send_message", "conversation_id": conversation, "text": "And now?"}))
        .await;
    let frames = again.until(&["message_complete", "error"]).await;
    assert!(of_type(&frames, "conversation_created").is_empty());
    assert_eq!(text_of(&frames), "Still Acme.");
    assert_eq!(
        c.fake.requests()[2]["messages"].as_array().unwrap().len(),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tools_in_one_turn_and_an_artifact() {
    let c = chat().await;
    let artifact = json!({"title": "Pipeline", "type": "dashboard", "is_live": true,
        "queries": [{"name": "by_stage", "sql": "SELECT stage, sum(amount) FROM deals GROUP BY stage ORDER BY stage"}],
        "chart": {"kind": "bar", "x": "stage", "y": ["sum"]}});
    c.fake.push(stream(anthropic_turn(
        &[],
        &[
            (
                "toolu_a",
                "run_sql_query",
                json!({"sql": "SELECT count(*) FROM deals"}),
            ),
            ("toolu_b", "create_artifact", artifact),
            (
                "toolu_c",
                "run_sql_query",
                json!({"sql": "SELECT pg_sleep(1)"}),
            ),
            (
                "toolu_d",
                "run_sql_query",
                json!({"query": "wrong argument name"}),
            ),
        ],
        5,
        "tool_use",
    )));
    c.fake
        .push(stream(anthropic_turn(&["Saved."], &[], 1, "end_turn")));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "Build me a pipeline dashboard"}))
        .await;
    let frames = s.until(&["message_complete", "error"]).await;
    let results = of_type(&frames, "tool_result");
    assert_eq!(results.len(), 4);
    let status: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["ok", "ok", "error", "error"]);
    assert!(results[2]["summary"].as_str().unwrap().contains("pg_sleep"));
    assert_eq!(results[3]["summary"], "input.sql is required");
    let created = of_type(&frames, "artifact_created")[0];
    let id = created["artifact_id"].as_str().unwrap();
    let data = c
        .app
        .client()
        .get_auth(&format!("/api/artifacts/{id}/data"), &c.token)
        .await
        .json();
    assert_eq!(data["live"], true);
    assert_eq!(
        data["results"]["by_stage"]["rows"],
        json!([["Negotiation", "50000.00"], ["Proposal", "12000.00"]])
    );
    let listed = c
        .app
        .client()
        .get_auth("/api/artifacts", &c.token)
        .await
        .json();
    assert_eq!(listed[0]["title"], "Pipeline");
    assert_eq!(listed[0]["chart"]["kind"], "bar");
    // Errors went back to the model flagged as such.
    let sent = &c.fake.requests()[1]["messages"][2]["content"];
    assert_eq!(sent[2]["is_error"], true);
    assert_eq!(sent[0]["is_error"], false);
    assert_eq!(
        c.app
            .client()
            .call(
                "DELETE",
                &format!("/api/artifacts/{id}"),
                Some(&c.token),
                None
            )
            .await
            .status,
        204
    );
    assert_eq!(
        c.app
            .client()
            .get_auth(&format!("/api/artifacts/{id}"), &c.token)
            .await
            .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_before_the_stream_is_retried() {
    let c = chat().await;
    let overloaded =
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    c.fake.push(Reply::Status {
        status: 529,
        retry_after: None,
        body: overloaded.into(),
    });
    c.fake.push(Reply::Status {
        status: 429,
        retry_after: Some(1),
        body: r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#
            .into(),
    });
    c.fake
        .push(stream(anthropic_turn(&["Fine now."], &[], 1, "end_turn")));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "hello"}))
        .await;
    let frames = s.until(&["message_complete", "error"]).await;
    assert_eq!(text_of(&frames), "Fine now.");
    assert_eq!(c.fake.requests().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_mid_stream_is_a_retryable_error_that_keeps_the_text() {
    let c = chat().await;
    c.fake
        .push(stream(fake_llm::anthropic_overloaded_midstream(&[
            "The pipeline ",
            "is ",
        ])));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "Pipeline?"}))
        .await;
    let frames = s.until(&["message_complete"]).await;
    let err = of_type(&frames, "error")[0];
    assert_eq!(err["code"], "model_unavailable");
    assert_eq!(err["retryable"], true);
    assert!(
        err["run_id"].is_string(),
        "a run's failure is one of its frames"
    );
    let done = frames.last().unwrap();
    assert_eq!(done["stop_reason"], "error");
    assert_eq!(done["seq"].as_u64(), err["seq"].as_u64().map(|s| s + 1));
    assert_eq!(text_of(&frames), "The pipeline is ");
    let conversation = of_type(&frames, "conversation_created")[0]["conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = c
        .app
        .client()
        .get_auth(&format!("/api/chat/conversations/{conversation}"), &c.token)
        .await
        .json();
    assert_eq!(
        detail["messages"][1]["content"][0]["text"],
        "The pipeline is "
    );
    // The socket is still alive.
    s.send(json!({"type": "ping"})).await;
    assert_eq!(s.next().await.unwrap()["type"], "pong");

    // Retry: the model answers the stored question again and its answer replaces the partial one.
    c.fake.push(stream(anthropic_turn(
        &["The pipeline is 2.4M."],
        &[],
        1,
        "end_turn",
    )));
    s.send(json!({"type": "retry", "conversation_id": conversation}))
        .await;
    let frames = s.until(&["message_complete"]).await;
    let started = of_type(&frames, "run_started")[0];
    assert_eq!(started["question"], Value::Null);
    assert_eq!(text_of(&frames), "The pipeline is 2.4M.");
    let retried = c.fake.requests().last().unwrap().clone();
    let sent = retried["messages"].as_array().unwrap();
    assert_eq!(
        sent.len(),
        1,
        "the partial answer is not sent back: {sent:?}"
    );
    assert_eq!(sent[0]["content"][0]["text"], "Pipeline?");
    let detail = c
        .app
        .client()
        .get_auth(&format!("/api/chat/conversations/{conversation}"), &c.token)
        .await
        .json();
    let texts: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"][0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Pipeline?", "The pipeline is 2.4M."]);

    // A retry after a complete answer regenerates it.
    c.fake.push(stream(anthropic_turn(
        &["2.4M, up 3%."],
        &[],
        1,
        "end_turn",
    )));
    s.send(json!({"type": "retry", "conversation_id": conversation}))
        .await;
    assert_eq!(
        text_of(&s.until(&["message_complete"]).await),
        "2.4M, up 3%."
    );
    let detail = c
        .app
        .client()
        .get_auth(&format!("/api/chat/conversations/{conversation}"), &c.token)
        .await
        .json();
    assert_eq!(detail["messages"].as_array().unwrap().len(), 2);
    assert_eq!(detail["messages"][1]["content"][0]["text"], "2.4M, up 3%.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_tokens_and_the_iteration_cap_end_cleanly() {
    let c = chat_with(&[("CHAT_MAX_ITERATIONS", "3")]).await;
    c.fake.push(stream(anthropic_turn(
        &["A very long answ"],
        &[],
        1,
        "max_tokens",
    )));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "Tell me everything"}))
        .await;
    let frames = s.until(&["message_complete", "error"]).await;
    assert_eq!(frames.last().unwrap()["stop_reason"], "max_tokens");

    for i in 0..3 {
        c.fake.push(stream(anthropic_turn(
            &[],
            &[(
                &format!("toolu_{i}"),
                "run_sql_query",
                json!({"sql": "SELECT 1"}),
            )],
            4,
            "tool_use",
        )));
    }
    s.send(json!({"type": "send_message", "text": "Loop forever"}))
        .await;
    let frames = s.until(&["message_complete"]).await;
    let err = of_type(&frames, "error");
    assert_eq!(err[0]["code"], "iteration_limit", "{frames:?}");
    assert_eq!(
        of_type(&frames, "tool_result").len(),
        2,
        "the third round is not run"
    );
    assert_eq!(c.fake.requests().len(), 4);
    // Every tool_use in the stored history has its tool_result, so the next question works.
    let conversation = of_type(&frames, "conversation_created")[0]["conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = c
        .app
        .client()
        .get_auth(&format!("/api/chat/conversations/{conversation}"), &c.token)
        .await
        .json();
    let last = detail["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["content"][0]["type"], "tool_result");
    assert_eq!(last["content"][0]["is_error"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_the_stream_and_keeps_what_arrived() {
    let c = chat().await;
    let words: Vec<String> = (0..200).map(|i| format!("word{i} ")).collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    c.fake.push(fake_llm::slow_stream(
        anthropic_turn(&refs, &[], 1, "end_turn"),
        Duration::from_millis(25),
    ));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "Stream a lot"}))
        .await;
    let mut frames = s.until(&["text_delta"]).await;
    let conversation = of_type(&frames, "conversation_created")[0]["conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A second question in the same conversation while it streams is refused.
    s.send(json!({"type": "send_message", "conversation_id": conversation, "text": "again"}))
        .await;
    s.send(json!({"type": "cancel", "conversation_id": conversation}))
        .await;
    let started = std::time::Instant::now();
    frames.extend(s.until(&["message_complete"]).await);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "cancel took {:?}",
        started.elapsed()
    );
    assert_eq!(frames.last().unwrap()["stop_reason"], "cancelled");
    assert!(
        of_type(&frames, "error")
            .iter()
            .any(|e| e["code"] == "conversation_busy")
    );
    let streamed = text_of(&frames);
    assert!(
        !streamed.is_empty() && !streamed.contains("word199"),
        "{streamed}"
    );
    let detail = c
        .app
        .client()
        .get_auth(&format!("/api/chat/conversations/{conversation}"), &c.token)
        .await
        .json();
    let saved = detail["messages"][1]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        streamed.starts_with(&saved) || saved.starts_with(&streamed),
        "saved {saved:?} vs streamed {streamed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_users_conversations_and_sockets_are_refused() {
    let c = chat().await;
    c.fake
        .push(stream(anthropic_turn(&["Mine."], &[], 1, "end_turn")));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "private question"}))
        .await;
    let frames = s.until(&["message_complete"]).await;
    let conversation = of_type(&frames, "conversation_created")[0]["conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (eve, eve_id) = user(&c.app, "eve@evil.example").await;
    let mut evil = Socket::connect(c.app.addr, "/ws/chat", Auth::Subprotocol(&eve))
        .await
        .unwrap();
    assert_eq!(evil.next().await.unwrap()["type"], "ready");
    evil.send(json!({"type": "send_message", "conversation_id": conversation, "text": "show me"}))
        .await;
    assert_eq!(evil.next().await.unwrap()["code"], "conversation_not_found");
    evil.send(json!({"type": "cancel", "conversation_id": conversation}))
        .await;
    assert_eq!(evil.next().await.unwrap()["code"], "conversation_not_found");
    assert_eq!(
        c.app
            .client()
            .get_auth(&format!("/api/chat/conversations/{conversation}"), &eve)
            .await
            .status,
        404
    );
    assert_eq!(
        c.fake.requests().len(),
        1,
        "eve's attempts never reached the model"
    );

    // The reference alias only accepts the token's own user id.
    let mut alias = Socket::connect(
        c.app.addr,
        &format!("/ws/chat/{}", c.user_id),
        Auth::Header(&eve),
    )
    .await
    .unwrap();
    assert_eq!(alias.next().await, None);
    assert_eq!(alias.closed_with, Some(1008));
    let mut own = Socket::connect(
        c.app.addr,
        &format!("/ws/chat/{eve_id}"),
        Auth::Header(&eve),
    )
    .await
    .unwrap();
    assert_eq!(own.next().await.unwrap()["type"], "ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_authenticate_first_and_survive_bad_frames() {
    let c = chat_with(&[("WS_MAX_FRAME_BYTES", "2048")]).await;
    // A bad header token is refused before the upgrade.
    assert!(
        Socket::connect(c.app.addr, "/ws/chat", Auth::Header("not-a-token"))
            .await
            .is_err()
    );
    // Without a header the first frame must authenticate.
    let mut anon = Socket::connect(c.app.addr, "/ws/chat", Auth::None)
        .await
        .unwrap();
    anon.send(json!({"type": "send_message", "text": "hi"}))
        .await;
    assert_eq!(anon.next().await, None);
    assert_eq!(anon.closed_with, Some(1008));
    let mut browser = Socket::connect(c.app.addr, "/ws/chat", Auth::None)
        .await
        .unwrap();
    browser
        .send(json!({"type": "auth", "token": c.token}))
        .await;
    assert_eq!(browser.next().await.unwrap()["type"], "ready");
    for (raw, code) in [
        ("{not json".to_owned(), "invalid_frame"),
        (
            json!({"type": "launch_missiles"}).to_string(),
            "invalid_frame",
        ),
        (json!({"type": "send_message"}).to_string(), "invalid_frame"),
        (
            json!({"type": "send_message", "text": "x".repeat(5000)}).to_string(),
            "frame_too_large",
        ),
        // Far larger than a socket's read buffer: still read whole, answered, and the socket
        // stays usable.
        (
            json!({"type": "send_message", "text": "x".repeat(300_000)}).to_string(),
            "frame_too_large",
        ),
        (
            json!({"type": "send_message", "text": "   "}).to_string(),
            "invalid_message",
        ),
    ] {
        browser.send_raw(raw).await;
        assert_eq!(browser.next().await.unwrap()["code"], code);
    }
    browser.send(json!({"type": "ping"})).await;
    assert_eq!(
        browser.next().await.unwrap()["type"],
        "pong",
        "still open after bad frames"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_model_chat_says_how_to_configure_one() {
    let app = TestApp::spawn().await;
    let (token, _) = user(&app, "solo@acme.com").await;
    let mut s = Socket::connect(app.addr, "/ws/chat", Auth::Header(&token))
        .await
        .unwrap();
    assert_eq!(s.next().await.unwrap()["type"], "ready");
    s.send(json!({"type": "send_message", "text": "hello"}))
        .await;
    let err = s.next().await.unwrap();
    assert_eq!(err["code"], "no_model_configured");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("ANTHROPIC_API_KEY")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_compatible_servers_work_the_same_way() {
    let fake = FakeLlm::start().await;
    let base = format!("{}/v1", fake.url);
    let app = TestApp::spawn_with(&[
        ("LLM_PROVIDER", "openai"),
        ("OPENAI_BASE_URL", &base),
        ("LLM_MODEL", "local-model"),
    ])
    .await;
    let (token, _) = user(&app, "ana@acme.com").await;
    fake.push(stream(fake_llm::openai_turn(
        &["Checking…"],
        &[(
            "call_1",
            "run_sql_query",
            json!({"sql": "SELECT count(*) AS n FROM deals"}),
        )],
        4,
        "tool_calls",
    )));
    fake.push(stream(fake_llm::openai_turn(
        &["You have ", "no deals yet."],
        &[],
        1,
        "stop",
    )));
    let mut s = Socket::connect(app.addr, "/ws/chat", Auth::Header(&token))
        .await
        .unwrap();
    assert_eq!(s.next().await.unwrap()["type"], "ready");
    s.send(json!({"type": "send_message", "text": "How many deals?"}))
        .await;
    let frames = s.until(&["message_complete", "error"]).await;
    assert_eq!(
        of_type(&frames, "tool_call")[0]["input"]["sql"],
        "SELECT count(*) AS n FROM deals"
    );
    assert_eq!(
        of_type(&frames, "tool_result")[0]["output"]["rows"],
        json!([[0]])
    );
    assert_eq!(text_of(&frames), "Checking…You have no deals yet.");
    assert_eq!(frames.last().unwrap()["usage"]["output_tokens"], 24);
    let second = &fake.requests()[1];
    assert_eq!(second["model"], "local-model");
    let msgs = second["messages"].as_array().unwrap();
    assert_eq!(msgs[0]["role"], "system");
    assert_eq!(
        msgs[2]["tool_calls"][0]["function"]["name"],
        "run_sql_query"
    );
    assert_eq!(msgs[3]["role"], "tool");
    assert_eq!(msgs[3]["tool_call_id"], "call_1");
    // No key configured: none is sent.
    assert!(
        fake.headers()
            .iter()
            .all(|h| !h.contains_key("authorization"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_activities_finds_words_with_bound_filters_in_the_callers_org_only() {
    let c = chat().await;
    let db = c.app.db.client().await;
    let org: uuid::Uuid = db
        .query_one("SELECT id FROM organizations LIMIT 1", &[])
        .await
        .unwrap()
        .get(0);
    let other = uuid::Uuid::new_v4();
    db.execute(
        "INSERT INTO organizations (id, name) VALUES ($1, 'Other')",
        &[&other],
    )
    .await
    .unwrap();
    for (o, id, ty, subject, body, days) in [
        (
            org,
            "1",
            "email",
            "Pricing for Acme",
            "They asked about the discount for a three-year term",
            3,
        ),
        (
            org,
            "2",
            "meeting",
            "Acme pricing call",
            "Walked through pricing tiers",
            40,
        ),
        (org, "3", "message", "standup", "nothing about money", 1),
        (
            other,
            "4",
            "email",
            "Pricing secrets of Other",
            "pricing pricing pricing",
            1,
        ),
    ] {
        db.execute(
            "INSERT INTO activities (organization_id, source_system, source_id, type, subject, description, activity_date) \
             VALUES ($1, 'seed', $2, $3, $4, $5, now() - make_interval(days => $6))",
            &[&o, &id, &ty, &subject, &body, &days],
        )
        .await
        .unwrap();
    }
    let since = (chrono::Utc::now() - chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    c.fake.push(stream(anthropic_turn(
        &[],
        &[
            (
                "toolu_all",
                "search_activities",
                json!({"query": "pricing"}),
            ),
            (
                "toolu_recent",
                "search_activities",
                json!({"query": "pricing", "types": ["email"], "since": since}),
            ),
            (
                "toolu_inject",
                "search_activities",
                json!({"query": "pricing' OR 1=1 --", "source": "seed'; DROP TABLE deals; --"}),
            ),
            (
                "toolu_bad",
                "search_activities",
                json!({"query": "pricing", "types": ["fax"]}),
            ),
        ],
        6,
        "tool_use",
    )));
    c.fake
        .push(stream(anthropic_turn(&["Done."], &[], 1, "end_turn")));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "What did we say about pricing?"}))
        .await;
    let frames = s.until(&["message_complete", "error"]).await;
    let results = of_type(&frames, "tool_result");
    let subjects = |r: &Value| -> Vec<String> {
        r["output"]["rows"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| row[2].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(subjects(results[0]).len(), 2, "{}", results[0]);
    assert!(
        subjects(results[0]).iter().all(|s| !s.contains("Other")),
        "other org's activity leaked"
    );
    assert_eq!(subjects(results[1]), ["Pricing for Acme"]);
    assert_eq!(
        results[2]["status"], "ok",
        "hostile text is just a search term: {}",
        results[2]
    );
    assert_eq!(results[2]["summary"], "0 rows");
    assert_eq!(results[3]["status"], "error");
    assert!(
        results[3]["summary"]
            .as_str()
            .unwrap()
            .contains("must be one of")
    );
    let deals: i64 = db
        .query_one("SELECT count(*) FROM deals", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(deals, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_can_be_renamed_and_deleted_by_their_owner_only() {
    let c = chat().await;
    c.fake
        .push(stream(anthropic_turn(&["Hi."], &[], 1, "end_turn")));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "a question long enough to be shortened when it becomes the title of its conversation"})).await;
    let frames = s.until(&["message_complete"]).await;
    let created = of_type(&frames, "conversation_created")[0];
    assert!(created["title"].as_str().unwrap().ends_with('…'));
    let id = created["conversation_id"].as_str().unwrap().to_owned();
    let path = format!("/api/chat/conversations/{id}");
    let client = c.app.client();
    let (eve, _) = user(&c.app, "eve@evil.example").await;
    assert_eq!(
        client
            .call(
                "PATCH",
                &path,
                Some(&eve),
                Some(&json!({"title": "mine now"}))
            )
            .await
            .status,
        404
    );
    assert_eq!(
        client.call("DELETE", &path, Some(&eve), None).await.status,
        404
    );
    let renamed = client
        .call(
            "PATCH",
            &path,
            Some(&c.token),
            Some(&json!({"title": "Q4 pipeline"})),
        )
        .await;
    assert_eq!(renamed.json()["title"], "Q4 pipeline");
    assert_eq!(
        client
            .call(
                "PATCH",
                &path,
                Some(&c.token),
                Some(&json!({"title": "  "}))
            )
            .await
            .status,
        400,
        "the schema declares that a title has a visible character"
    );
    // Search by title: any case, and `%` / `_` match only themselves.
    c.fake
        .push(stream(anthropic_turn(&["Hi."], &[], 1, "end_turn")));
    s.send(json!({"type": "send_message", "text": "Win rate 100% by rep_name"}))
        .await;
    s.until(&["message_complete"]).await;
    let titles = |q: &str| {
        let client = c.app.client();
        let token = c.token.clone();
        let q = q.to_owned();
        async move {
            let list = client
                .get_auth(&format!("/api/chat/conversations?q={q}"), &token)
                .await
                .json();
            list.as_array()
                .unwrap()
                .iter()
                .map(|c| c["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("q4%20PIPE").await, ["Q4 pipeline"]);
    assert_eq!(titles("100%25").await, ["Win rate 100% by rep_name"]);
    assert_eq!(titles("%25").await, ["Win rate 100% by rep_name"]);
    assert_eq!(titles("p_name").await, ["Win rate 100% by rep_name"]);
    assert!(titles("e_p").await.is_empty(), "_ is not a wildcard");
    assert_eq!(titles("").await.len(), 2);
    assert_eq!(
        client
            .call("DELETE", &path, Some(&c.token), None)
            .await
            .status,
        204
    );
    assert_eq!(client.get_auth(&path, &c.token).await.status, 404);
    assert_eq!(titles("").await, ["Win rate 100% by rep_name"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_budget_stops_a_run_that_keeps_spending() {
    let c = chat_with(&[("CHAT_TOKEN_BUDGET", "1000"), ("CHAT_MAX_ITERATIONS", "30")]).await;
    // Each scripted turn reports 100 input + 42 output tokens: the 8th crosses 1000.
    for i in 0..8 {
        c.fake.push(stream(anthropic_turn(
            &[],
            &[(
                &format!("toolu_{i}"),
                "run_sql_query",
                json!({"sql": "SELECT 1"}),
            )],
            8,
            "tool_use",
        )));
    }
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "spend"}))
        .await;
    let frames = s.until(&["message_complete"]).await;
    assert_eq!(
        of_type(&frames, "error")[0]["code"],
        "token_budget_exceeded"
    );
    assert_eq!(frames.last().unwrap()["usage"]["input_tokens"], 800);
    assert_eq!(c.fake.requests().len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_compatible_failures_behave_like_anthropic_ones() {
    let fake = FakeLlm::start().await;
    let base = format!("{}/v1", fake.url);
    let app = TestApp::spawn_with(&[
        ("LLM_PROVIDER", "openai"),
        ("OPENAI_BASE_URL", &base),
        ("OPENAI_API_KEY", "sk-test"),
    ])
    .await;
    let (token, _) = user(&app, "ana@acme.com").await;
    let mut s = Socket::connect(app.addr, "/ws/chat", Auth::Header(&token))
        .await
        .unwrap();
    assert_eq!(s.next().await.unwrap()["type"], "ready");

    // 503 before the stream: retried.
    fake.push(Reply::Status {
        status: 503,
        retry_after: None,
        body: r#"{"error":{"message":"busy"}}"#.into(),
    });
    fake.push(stream(fake_llm::openai_turn(
        &["Recovered."],
        &[],
        1,
        "stop",
    )));
    s.send(json!({"type": "send_message", "text": "one"})).await;
    let frames = s.until(&["message_complete", "error"]).await;
    assert_eq!(text_of(&frames), "Recovered.");

    // An error chunk mid-stream: retryable, streamed text kept.
    let cut = fake_llm::openai_turn(&["Half an "], &[], 1, "stop");
    let cut = cut[..cut
        .find("\"finish_reason\":\"stop\"")
        .map(|i| cut[..i].rfind("data:").unwrap())
        .unwrap()]
        .to_owned()
        + "data: {\"error\":{\"message\":\"upstream overloaded\"}}\n\n";
    fake.push(stream(cut));
    s.send(json!({"type": "send_message", "text": "two"})).await;
    let frames = s.until(&["message_complete"]).await;
    let err = of_type(&frames, "error")[0];
    assert_eq!(
        (err["code"].as_str(), err["retryable"].as_bool()),
        (Some("model_unavailable"), Some(true))
    );
    assert_eq!(text_of(&frames), "Half an ");

    // finish_reason length is a max_tokens stop; a 401 is fatal, not retried.
    fake.push(stream(fake_llm::openai_turn(&["Trunc"], &[], 1, "length")));
    s.send(json!({"type": "send_message", "text": "three"}))
        .await;
    assert_eq!(
        s.until(&["message_complete"]).await.last().unwrap()["stop_reason"],
        "max_tokens"
    );
    fake.push(Reply::Status {
        status: 401,
        retry_after: None,
        body: r#"{"error":{"message":"bad key"}}"#.into(),
    });
    s.send(json!({"type": "send_message", "text": "four"}))
        .await;
    let frames = s.until(&["message_complete"]).await;
    let err = of_type(&frames, "error")[0].clone();
    assert_eq!(
        (err["code"].as_str(), err["retryable"].as_bool()),
        (Some("model_error"), Some(false))
    );
    assert!(err["message"].as_str().unwrap().contains("bad key"));
    let requests = fake.requests();
    assert_eq!(requests.len(), 5, "the 401 was not retried");
    assert!(
        fake.headers()
            .iter()
            .all(|h| h.get("authorization").map(String::as_str) == Some("Bearer sk-test")),
        "the configured key goes with every request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_shutdown_stops_runs_at_a_safe_point() {
    let c = chat().await;
    let words: Vec<String> = (0..200).map(|i| format!("w{i} ")).collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    c.fake.push(fake_llm::slow_stream(
        anthropic_turn(&refs, &[], 1, "end_turn"),
        Duration::from_millis(25),
    ));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "Stream until shutdown"}))
        .await;
    let frames = s.until(&["text_delta"]).await;
    let conversation: uuid::Uuid = of_type(&frames, "conversation_created")[0]["conversation_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    c.app.state.shutdown.cancel();
    let end = s.until(&["message_complete"]).await;
    assert_eq!(end.last().unwrap()["stop_reason"], "cancelled");
    let db = c.app.db.client().await;
    let saved: i64 = db
        .query_one(
            "SELECT count(*) FROM chat_messages WHERE conversation_id = $1 AND role = 'assistant'",
            &[&conversation],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(saved, 1, "the partial answer was persisted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_are_rate_limited_per_user() {
    let app = TestApp::spawn_with(&[("CHAT_QUESTIONS_PER_MINUTE", "2")]).await;
    let (token, _) = user(&app, "busy@acme.com").await;
    let mut s = Socket::connect(app.addr, "/ws/chat", Auth::Header(&token))
        .await
        .unwrap();
    assert_eq!(s.next().await.unwrap()["type"], "ready");
    // A second socket of the same user shares the budget.
    let mut other = Socket::connect(app.addr, "/ws/chat", Auth::Header(&token))
        .await
        .unwrap();
    assert_eq!(other.next().await.unwrap()["type"], "ready");
    s.send(json!({"type": "send_message", "text": "one"})).await;
    assert_eq!(s.next().await.unwrap()["code"], "no_model_configured");
    other
        .send(json!({"type": "send_message", "text": "two"}))
        .await;
    assert_eq!(other.next().await.unwrap()["code"], "no_model_configured");
    s.send(json!({"type": "send_message", "text": "three"}))
        .await;
    let limited = s.next().await.unwrap();
    assert_eq!(limited["code"], "rate_limited");
    assert_eq!(limited["retryable"], true);
}
