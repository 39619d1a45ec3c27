//! Chat fan-out: N authenticated sockets, each asking one question that the fake model answers
//! with D text deltas at full speed. Reports server-added latency per delta (fake model write ->
//! client frame, p50/p99), delivered frames per second and the server's RSS.
//!
//!     cargo bench --bench chat_sockets                      # 200 sockets x 200 deltas
//!     BENCH_SOCKETS=1000 BENCH_DELTAS=100 cargo bench --bench chat_sockets
//!
//! Runs the release `revtops` binary as a separate process (so its RSS is its own) against
//! PostgreSQL on 127.0.0.1:5432, with an in-process fake Anthropic server.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Body, Response, Route, Server, handler, post};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_us() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros()
}

fn event(name: &str, data: Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// Streams D deltas; each carries the wall-clock time it was written, in microseconds.
#[handler]
fn messages() -> Response {
    let deltas = env_usize("BENCH_DELTAS", 200);
    let head = event(
        "message_start",
        json!({"type": "message_start", "message": {"usage": {"input_tokens": 10}}}),
    ) + &event(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    );
    let stream = futures_util::stream::unfold(0usize, move |i| {
        let head = head.clone();
        async move {
            let chunk = if i == 0 {
                head
            } else if i <= deltas {
                event(
                    "content_block_delta",
                    json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": format!("<{}>", now_us())}}),
                )
            } else if i == deltas + 1 {
                event(
                    "content_block_stop",
                    json!({"type": "content_block_stop", "index": 0}),
                ) + &event(
                    "message_delta",
                    json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": deltas}}),
                ) + &event("message_stop", json!({"type": "message_stop"}))
            } else {
                return None;
            };
            if i % 16 == 0 {
                tokio::task::yield_now().await;
            }
            Some((Ok::<_, std::io::Error>(chunk.into_bytes()), i + 1))
        }
    });
    Response::builder()
        .content_type("text/event-stream")
        .body(Body::from_bytes_stream(stream))
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let sockets = env_usize("BENCH_SOCKETS", 200);
    let deltas = env_usize("BENCH_DELTAS", 200);
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await?;
    let fake = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    tokio::spawn(
        Server::new_with_acceptor(acceptor).run(Route::new().at("/v1/messages", post(messages))),
    );

    let db = format!("revtops_bench_chat_{}", std::process::id());
    let port = 18600 + (std::process::id() % 1000) as u16;
    let bin = env!("CARGO_BIN_EXE_revtops");
    let mut server = std::process::Command::new(bin)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env(
            "DATABASE_URL",
            format!("postgres://postgres@127.0.0.1:5432/{db}"),
        )
        .env("ANTHROPIC_API_KEY", "bench")
        .env("ANTHROPIC_BASE_URL", format!("http://{fake}"))
        .env("CHAT_MAX_CONCURRENT_STREAMS", (sockets + 16).to_string())
        .env("CHAT_QUESTIONS_PER_MINUTE", (sockets + 16).to_string())
        .env("DATABASE_POOL_SIZE", "32")
        .env("RUST_LOG", "warn")
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut token = String::new();
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let reg = agent
            .post(&format!("{base}/api/auth/register"))
            .send_json(json!({"email": "bench@example.com", "password": "benchmark password", "name": "Bench"}));
        if let Ok(mut r) = reg {
            let v: Value = r.body_mut().read_json()?;
            token = v["token"].as_str().unwrap_or_default().to_owned();
            break;
        }
    }
    anyhow::ensure!(!token.is_empty(), "server did not come up");
    agent
        .post(&format!("{base}/api/auth/organizations"))
        .header("authorization", &format!("Bearer {token}"))
        .send_json(json!({"name": "Bench"}))?;
    let idle_rss = rss_kib(server.id());

    let latencies = Arc::new(std::sync::Mutex::new(Vec::with_capacity(sockets * deltas)));
    let mut conns = Vec::new();
    for _ in 0..sockets {
        let mut req = format!("ws://127.0.0.1:{port}/ws/chat").into_client_request()?;
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse()?);
        let (ws, _) = tokio_tungstenite::connect_async(req).await?;
        conns.push(ws);
    }
    let started = Instant::now();
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(idle_rss));
    let pid = server.id();
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib(pid), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let mut tasks = Vec::new();
    for mut ws in conns {
        let latencies = latencies.clone();
        tasks.push(tokio::spawn(async move {
            ws.send(Message::Text(
                json!({"type": "send_message", "text": "go"})
                    .to_string()
                    .into(),
            ))
            .await
            .ok();
            let mut mine = Vec::new();
            let mut frames = 0u64;
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(t) = msg else { continue };
                frames += 1;
                let v: Value = serde_json::from_str(&t).unwrap_or_default();
                match v["type"].as_str() {
                    Some("text_delta") => {
                        let sent: u128 = v["text"]
                            .as_str()
                            .unwrap_or("")
                            .trim_matches(['<', '>'])
                            .parse()
                            .unwrap_or(0);
                        mine.push((now_us().saturating_sub(sent)) as u64);
                    }
                    Some("message_complete") | Some("error") => break,
                    _ => {}
                }
            }
            latencies.lock().unwrap().extend(mine);
            frames
        }));
    }
    let mut frames = 0;
    for t in tasks {
        frames += t.await?;
    }
    let elapsed = started.elapsed();
    sampler.abort();
    let mut l = latencies.lock().unwrap().clone();
    l.sort_unstable();
    let pct = |p: f64| {
        l.get(((l.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "sockets {sockets}, deltas per answer {deltas}, deltas received {} of {}",
        l.len(),
        sockets * deltas
    );
    println!(
        "server-added latency per delta: p50 {} µs, p99 {} µs, max {} µs",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "frames delivered: {frames} in {:.2}s = {:.0} frames/s",
        elapsed.as_secs_f64(),
        frames as f64 / elapsed.as_secs_f64()
    );
    println!(
        "server RSS: idle {:.1} MiB, peak {:.1} MiB",
        idle_rss as f64 / 1024.0,
        peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0
    );
    let _ = server.kill();
    let _ = server.wait();
    let admin = std::process::Command::new("psql")
        .args([
            "-q",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
        ])
        .output();
    drop(admin);
    Ok(())
}
