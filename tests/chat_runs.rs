//! Runs in flight seen from more than one socket: a reload (or a second tab) attaches to a run
//! and catches up from its first frame or from where it left off; a question resent after a
//! reconnect is answered once; charts the model asks for are checked against the result.

mod common;

use std::time::Duration;

use common::accounts::invited_member;
use common::chat::{chat, chat_with, text_of, user};
use common::fake_llm::{anthropic_turn, slow_stream, stream};
use common::ws::{Socket, of_type};
use serde_json::{Value, json};
use uuid::Uuid;

fn seqs(frames: &[Value]) -> Vec<u64> {
    frames
        .iter()
        .filter(|f| f["run_id"].is_string())
        .map(|f| f["seq"].as_u64().unwrap())
        .collect()
}

fn long_answer(words: usize) -> String {
    let words: Vec<String> = (0..words).map(|i| format!("w{i} ")).collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    anthropic_turn(&refs, &[], 1, "end_turn")
}

/// Frames until `n` text deltas have arrived.
async fn until_deltas(s: &mut Socket, n: usize) -> Vec<Value> {
    let mut frames = Vec::new();
    while of_type(&frames, "text_delta").len() < n {
        frames.push(s.next().await.expect("the socket stays open"));
    }
    frames
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_mid_answer_catches_up_and_follows_the_run_live() {
    let c = chat().await;
    c.fake
        .push(slow_stream(long_answer(80), Duration::from_millis(15)));
    let mut a = c.socket().await;
    let asked = Uuid::new_v4();
    a.send(json!({"type": "send_message", "text": "Stream a lot", "client_message_id": asked}))
        .await;
    let mut on_a = until_deltas(&mut a, 5).await;
    let conversation = of_type(&on_a, "conversation_created")[0]["conversation_id"].clone();
    assert_eq!(
        of_type(&on_a, "conversation_created")[0]["client_message_id"],
        json!(asked)
    );

    // The "reloaded page": a new socket subscribes and gets the whole run so far, then live.
    let mut b = c.socket().await;
    b.send(json!({"type": "subscribe", "conversation_id": conversation}))
        .await;
    let first = b.next().await.unwrap();
    assert_eq!(first["type"], "subscribed", "{first}");
    assert_eq!(first["running"], true);
    let run_id = first["run_id"].clone();
    let mut on_b = until_deltas(&mut b, 8).await;
    assert_eq!(on_b[0]["type"], "run_started");
    assert_eq!(on_b[0]["client_message_id"], json!(asked));
    assert_eq!(on_b[0]["run_id"], run_id);

    // A third socket names the run and the last frame it has: only later frames come.
    let mut c3 = c.socket().await;
    c3.send(json!({"type": "subscribe", "conversation_id": conversation, "run_id": run_id, "after_seq": 3}))
        .await;
    assert_eq!(c3.next().await.unwrap()["running"], true);
    let resumed = c3.until(&["message_complete"]).await;
    assert_eq!(seqs(&resumed)[0], 4);

    on_a.extend(a.until(&["message_complete"]).await);
    on_b.extend(b.until(&["message_complete"]).await);
    let all = seqs(&on_b);
    assert_eq!(
        all,
        (0..all.len() as u64).collect::<Vec<_>>(),
        "no gap, no repeat"
    );
    assert_eq!(
        text_of(&on_a),
        text_of(&on_b),
        "the reload saw what streamed"
    );
    assert_eq!(seqs(&resumed), all[4..].to_vec());
    assert!(text_of(&on_a).starts_with("w0 w1 ") && text_of(&on_a).ends_with("w79 "));

    // Once the run ended, subscribing says so; the history holds the answer.
    b.send(json!({"type": "subscribe", "conversation_id": conversation}))
        .await;
    let idle = b.next().await.unwrap();
    assert_eq!(
        (idle["type"].as_str(), idle["running"].as_bool()),
        (Some("subscribed"), Some(false))
    );
    let detail = c
        .app
        .client()
        .get_auth(
            &format!("/api/chat/conversations/{}", conversation.as_str().unwrap()),
            &c.token,
        )
        .await
        .json();
    assert_eq!(detail["messages"][1]["content"][0]["text"], text_of(&on_a));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_resent_after_a_reconnect_is_answered_once() {
    let c = chat().await;
    c.fake
        .push(slow_stream(long_answer(30), Duration::from_millis(10)));
    let id = Uuid::new_v4();
    let question = json!({"type": "send_message", "text": "Pipeline?", "client_message_id": id});
    let mut a = c.socket().await;
    a.send(question.clone()).await;
    let on_a = until_deltas(&mut a, 2).await;
    let conversation = of_type(&on_a, "conversation_created")[0]["conversation_id"].clone();
    // The client lost its socket before it saw the answer begin, and sends the question again.
    drop(a);
    let mut b = c.socket().await;
    b.send(question.clone()).await;
    let ack = b.next().await.unwrap();
    assert_eq!(ack["type"], "subscribed", "{ack}");
    assert_eq!(ack["client_message_id"], json!(id));
    assert_eq!(ack["conversation_id"], conversation);
    assert_eq!(ack["running"], true);
    let replay = b.until(&["message_complete"]).await;
    assert_eq!(replay[0]["type"], "run_started");
    assert!(text_of(&replay).ends_with("w29 "));

    // Once more, after the answer: acknowledged again, nothing runs.
    b.send(question).await;
    let ack = b.next().await.unwrap();
    assert_eq!(
        (ack["type"].as_str(), ack["running"].as_bool()),
        (Some("subscribed"), Some(false))
    );
    assert_eq!(c.fake.requests().len(), 1, "the model was asked once");
    let list = c
        .app
        .client()
        .get_auth("/api/chat/conversations", &c.token)
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1, "one conversation");
    let detail = c
        .app
        .client()
        .get_auth(
            &format!("/api/chat/conversations/{}", conversation.as_str().unwrap()),
            &c.token,
        )
        .await
        .json();
    assert_eq!(
        detail["messages"].as_array().unwrap().len(),
        2,
        "one question, one answer"
    );

    // A new id is a new question.
    c.fake
        .push(stream(anthropic_turn(&["Again."], &[], 1, "end_turn")));
    b.send(json!({"type": "send_message", "conversation_id": conversation, "text": "Pipeline?", "client_message_id": Uuid::new_v4()}))
        .await;
    assert_eq!(text_of(&b.until(&["message_complete"]).await), "Again.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_are_visible_to_their_owner_only() {
    let c = chat().await;
    c.fake
        .push(slow_stream(long_answer(40), Duration::from_millis(10)));
    let mut a = c.socket().await;
    a.send(json!({"type": "send_message", "text": "Mine"}))
        .await;
    let on_a = until_deltas(&mut a, 1).await;
    let conversation = of_type(&on_a, "conversation_created")[0]["conversation_id"].clone();
    let (eve, _) = user(&c.app, "eve@evil.example").await;
    let mut e = Socket::connect(c.app.addr, "/ws/chat", common::ws::Auth::Header(&eve))
        .await
        .unwrap();
    assert_eq!(e.next().await.unwrap()["type"], "ready");
    for frame in [
        json!({"type": "subscribe", "conversation_id": conversation}),
        json!({"type": "cancel", "conversation_id": conversation}),
        json!({"type": "retry", "conversation_id": conversation}),
    ] {
        e.send(frame).await;
        let reply = e.next().await.unwrap();
        assert_eq!(reply["code"], "conversation_not_found", "{reply}");
    }
    e.send(json!({"type": "ping"})).await;
    assert_eq!(
        e.next().await.unwrap()["type"],
        "pong",
        "no run frame reached eve"
    );
    let done = a.until(&["message_complete"]).await;
    assert_eq!(done.last().unwrap()["stop_reason"], "end_turn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colleagues_in_one_organization_do_not_see_each_others_conversations() {
    let c = chat().await;
    c.fake
        .push(slow_stream(long_answer(30), Duration::from_millis(10)));
    let mut a = c.socket().await;
    a.send(json!({"type": "send_message", "text": "My private pipeline notes"}))
        .await;
    let on_a = until_deltas(&mut a, 1).await;
    let conversation = of_type(&on_a, "conversation_created")[0]["conversation_id"].clone();
    let id = conversation.as_str().unwrap();
    let (bo, _) = invited_member(&c.app, &c.token, "bo@acme.com", "admin").await;
    let client = c.app.client();
    // Even an admin of the same organization: the conversation is not theirs.
    for (method, path) in [
        ("GET", format!("/api/chat/conversations/{id}")),
        ("GET", format!("/api/chat/history?conversation_id={id}")),
        ("DELETE", format!("/api/chat/conversations/{id}")),
    ] {
        let r = client.call(method, &path, Some(&bo), None).await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text());
    }
    let list = client.get_auth("/api/chat/conversations", &bo).await.json();
    assert_eq!(list, json!([]));
    let mut b = Socket::connect(c.app.addr, "/ws/chat", common::ws::Auth::Header(&bo))
        .await
        .unwrap();
    assert_eq!(b.next().await.unwrap()["type"], "ready");
    b.send(json!({"type": "subscribe", "conversation_id": conversation}))
        .await;
    assert_eq!(b.next().await.unwrap()["code"], "conversation_not_found");
    b.send(json!({"type": "send_message", "conversation_id": conversation, "text": "mine now"}))
        .await;
    assert_eq!(b.next().await.unwrap()["code"], "conversation_not_found");
    a.until(&["message_complete"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_are_checked_against_the_columns_they_draw() {
    let c = chat().await;
    let sql = "SELECT name, amount FROM deals ORDER BY amount DESC";
    c.fake.push(stream(anthropic_turn(
        &[],
        &[
            (
                "t_ok",
                "run_sql_query",
                json!({"sql": sql, "chart": {"kind": "bar", "x": " name ", "y": ["amount"], "format": "currency"}}),
            ),
            (
                "t_bad",
                "run_sql_query",
                json!({"sql": sql, "chart": {"kind": "bar", "x": "name", "y": ["revenue"]}}),
            ),
            (
                "t_pie",
                "create_artifact",
                json!({"title": "Deals", "type": "report", "queries": [{"name": "deals", "sql": sql}],
                       "chart": {"kind": "pie", "x": "name", "y": ["amount", "name"]}}),
            ),
            (
                "t_saved",
                "create_artifact",
                json!({"title": "Deals", "type": "report", "queries": [{"name": "deals", "sql": sql}],
                       "chart": {"kind": "funnel", "x": "name", "y": ["amount"]}}),
            ),
        ],
        5,
        "tool_use",
    )));
    c.fake
        .push(stream(anthropic_turn(&["Drawn."], &[], 1, "end_turn")));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "Chart the deals"}))
        .await;
    let frames = s.until(&["message_complete"]).await;
    let results = of_type(&frames, "tool_result");
    let by_id = |id: &str| *results.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(
        by_id("t_ok")["output"]["chart"],
        json!({"kind": "bar", "x": "name", "y": ["amount"], "series": null, "stacked": false,
               "format": "currency", "title": null})
    );
    let bad = by_id("t_bad");
    assert_eq!(bad["status"], "ok", "the rows still come back");
    assert_eq!(bad["output"]["row_count"], 2);
    assert!(
        bad["output"]["chart_error"]
            .as_str()
            .unwrap()
            .contains("no column \"revenue\" (columns: name, amount)"),
        "{bad}"
    );
    let pie = by_id("t_pie");
    assert_eq!(pie["status"], "error");
    assert!(
        pie["summary"]
            .as_str()
            .unwrap()
            .contains("exactly one column"),
        "{pie}"
    );
    let saved = by_id("t_saved");
    assert_eq!(saved["status"], "ok", "{saved}");
    let artifacts = of_type(&frames, "artifact_created");
    assert_eq!(artifacts.len(), 1, "the broken chart was not saved");
    let artifact = c
        .app
        .client()
        .get_auth(
            &format!(
                "/api/artifacts/{}",
                artifacts[0]["artifact_id"].as_str().unwrap()
            ),
            &c.token,
        )
        .await
        .json();
    assert_eq!(
        artifact["chart"],
        json!({"kind": "funnel", "x": "name", "y": ["amount"], "series": null, "stacked": false,
               "format": null, "title": null, "query": "deals"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_stops_at_its_daily_model_budget() {
    // Each scripted turn reports 100 input + 42 output tokens.
    let c = chat_with(&[("CHAT_DAILY_TOKENS_PER_ORG", "200")]).await;
    c.fake
        .push(stream(anthropic_turn(&["Fine."], &[], 1, "end_turn")));
    c.fake.push(stream(anthropic_turn(
        &[],
        &[("t1", "run_sql_query", json!({"sql": "SELECT 1"}))],
        4,
        "tool_use",
    )));
    let mut s = c.socket().await;
    s.send(json!({"type": "send_message", "text": "one"})).await;
    assert_eq!(text_of(&s.until(&["message_complete"]).await), "Fine.");

    // The second run crosses the cap in its first turn: its tools are not run.
    s.send(json!({"type": "send_message", "text": "two"})).await;
    let frames = s.until(&["message_complete"]).await;
    let err = of_type(&frames, "error")[0];
    assert_eq!(err["code"], "spend_cap_reached", "{frames:?}");
    assert!(err["message"].as_str().unwrap().contains("midnight UTC"));
    assert!(of_type(&frames, "tool_result").is_empty());
    assert_eq!(frames.last().unwrap()["stop_reason"], "spend_cap_reached");

    // After that, questions are refused before any run, in plain words.
    s.send(json!({"type": "send_message", "text": "three"}))
        .await;
    let refused = s.next().await.unwrap();
    assert_eq!(refused["code"], "spend_cap_reached");
    assert_eq!(refused["retryable"], false);
    assert_eq!(c.fake.requests().len(), 2, "the model was not asked again");
}
