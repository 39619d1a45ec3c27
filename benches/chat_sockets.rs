//! Chat fan-out: the time the server adds per streamed text delta, revtops against a pass-through.
//!
//! N authenticated sockets each send one `send_message`; an in-process fake Anthropic server
//! answers each with D text deltas, one every `BENCH_DELTA_INTERVAL_MS` (like a real model), each
//! carrying the wall-clock µs it was written. The client records receive time minus that stamp
//! for every `text_delta` frame. The same sockets/deltas/interval are then run against a
//! pass-through: this bench binary re-executed as its own process (`BENCH_ROLE=passthrough`),
//! serving `/ws/chat` and forwarding the fake's deltas along the path revtops uses (blocking ureq
//! in `spawn_blocking`, SSE line parse, serde_json, a tokio mpsc to the socket task) and nothing
//! else. revtops's percentile minus the pass-through's is the time revtops adds per delta
//! (target: p99 < 5 ms). Any missing delta, socket error or `error` frame fails the bench.
//!
//!     cargo bench --locked --bench chat_sockets      # 1000 sockets x 100 deltas, 50 ms apart
//!     BENCH_SOCKETS=200 BENCH_DELTAS=200 BENCH_DELTA_INTERVAL_MS=0 cargo bench --locked --bench chat_sockets
//!
//! `BENCH_DELTA_INTERVAL_MS=0` streams at full speed (then the figures are mostly queueing: the
//! fake, the client and the server share the cores). Sockets start staggered over one interval.
//! Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth; a database per run, dropped at
//! the end) and about 2 open files per socket in each process (`ulimit -n`; the bench checks).
//! Runs the release `revtops` binary as a separate process, so its RSS is its own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "support/loads.rs"]
#[allow(dead_code)]
mod loads;

use futures_util::{SinkExt, StreamExt};
use loads::drop_database;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::web::websocket::{Message as WsMessage, WebSocket, WebSocketConfig};
use poem::{
    Body, EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler, http, post,
};
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

#[derive(Clone, Copy)]
struct Shape {
    sockets: usize,
    deltas: usize,
    interval: Duration,
}

static SHAPE: OnceLock<Shape> = OnceLock::new();

/// The fake model: D deltas, `interval` apart; each carries the wall-clock time it was written.
#[handler]
fn messages() -> Response {
    let Shape {
        deltas, interval, ..
    } = *SHAPE.get().unwrap();
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
            if i > deltas + 1 {
                return None;
            }
            if i >= 1 && i <= deltas && !interval.is_zero() {
                tokio::time::sleep(interval).await;
            } else if i % 16 == 0 {
                tokio::task::yield_now().await;
            }
            let chunk = if i == 0 {
                head
            } else if i <= deltas {
                event(
                    "content_block_delta",
                    json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": format!("<{}>", now_us())}}),
                )
            } else {
                event(
                    "content_block_stop",
                    json!({"type": "content_block_stop", "index": 0}),
                ) + &event(
                    "message_delta",
                    json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": deltas}}),
                ) + &event("message_stop", json!({"type": "message_stop"}))
            };
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

/// CPU time `pid` has used so far (user + system), in clock ticks (`/proc/<pid>/stat`).
fn cpu_ticks(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // The command name (field 2) may hold spaces; the fields after it do not.
            let rest = &s[s.rfind(')')? + 2..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0)
}

/// The soft open-files limit of this process (children inherit it).
fn open_files_limit() -> Option<u64> {
    std::fs::read_to_string("/proc/self/limits")
        .ok()?
        .lines()
        .find(|l| l.starts_with("Max open files"))?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()
}

fn main() -> anyhow::Result<()> {
    // Like revtops (src/cli/mod.rs), the pass-through gives every stream its blocking thread.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(env_usize("BENCH_SOCKETS", 1000) + 512)
        .build()?;
    if std::env::var("BENCH_ROLE").as_deref() == Ok("passthrough") {
        return rt.block_on(passthrough::serve());
    }
    rt.block_on(run())
}

/// The floor: a server that only forwards the model's deltas, along revtops's path.
mod passthrough {
    use std::io::{BufRead, BufReader};

    use super::*;

    struct Upstream {
        agent: ureq::Agent,
        url: String,
    }

    pub async fn serve() -> anyhow::Result<()> {
        let port: u16 = std::env::var("BENCH_PORT")?.parse()?;
        let upstream = Arc::new(Upstream {
            // revtops's own model client configuration: its buffers and its timeouts (ureq sets
            // a socket's read timeout before every read while a body timeout runs).
            agent: revtops::agent::llm::retry::agent(),
            url: format!("{}/v1/messages", std::env::var("BENCH_UPSTREAM")?),
        });
        Server::new(TcpListener::bind(format!("127.0.0.1:{port}")))
            .run(Route::new().at("/ws/chat", get(chat).data(upstream)))
            .await?;
        Ok(())
    }

    #[handler]
    fn chat(req: &Request, ws: WebSocket, Data(up): Data<&Arc<Upstream>>) -> Response {
        if !req
            .header(http::header::AUTHORIZATION)
            .is_some_and(|h| h.starts_with("Bearer "))
        {
            return http::StatusCode::UNAUTHORIZED.into_response();
        }
        let up = up.clone();
        // The same socket read buffer as revtops's.
        let config =
            WebSocketConfig::default().read_buffer_size(revtops::http::ws::READ_BUFFER_BYTES);
        ws.config(config)
            .on_upgrade(move |socket| async move {
                let (mut sink, mut incoming) = socket.split();
                while let Some(Ok(msg)) = incoming.next().await {
                    let WsMessage::Text(text) = msg else { continue };
                    let frame: Value = serde_json::from_str(&text).unwrap_or_default();
                    if frame["type"] != "send_message" {
                        continue;
                    }
                    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(256);
                    let up = up.clone();
                    let question = frame["text"].as_str().unwrap_or_default().to_owned();
                    let task = tokio::task::spawn_blocking(move || stream(&up, &question, &tx));
                    while let Some(text) = rx.recv().await {
                        let out = json!({"type": "text_delta", "text": text}).to_string();
                        if sink.send(WsMessage::Text(out)).await.is_err() {
                            return;
                        }
                    }
                    let last = match task.await {
                        Ok(Ok(())) => {
                            json!({"type": "message_complete", "stop_reason": "end_turn"})
                        }
                        Ok(Err(e)) => json!({"type": "error", "message": e}),
                        Err(e) => json!({"type": "error", "message": e.to_string()}),
                    };
                    if sink.send(WsMessage::Text(last.to_string())).await.is_err() {
                        return;
                    }
                }
            })
            .into_response()
    }

    /// Blocking: one streamed request, its text deltas sent on as they are parsed.
    fn stream(
        up: &Upstream,
        question: &str,
        tx: &tokio::sync::mpsc::Sender<String>,
    ) -> Result<(), String> {
        let body = json!({
            "model": "bench",
            "max_tokens": 4096,
            "stream": true,
            "messages": [{"role": "user", "content": question}],
        });
        let resp = up
            .agent
            .post(&up.url)
            .header("x-api-key", "bench")
            .header("anthropic-version", "2023-06-01")
            .send_json(&body)
            .map_err(|e| e.to_string())?;
        let mut reader = BufReader::new(resp.into_body().into_reader());
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                return Err("the model stream ended early".into());
            }
            let Some(data) = line.trim_end().strip_prefix("data:") else {
                continue;
            };
            let Ok(data) = serde_json::from_str::<Value>(data.trim_start()) else {
                continue;
            };
            match data["type"].as_str() {
                Some("content_block_delta") => {
                    let text = data["delta"]["text"].as_str().unwrap_or_default();
                    tx.blocking_send(text.to_owned())
                        .map_err(|_| "listener gone".to_owned())?;
                }
                Some("message_stop") => return Ok(()),
                _ => {}
            }
        }
    }
}

/// The share of each answer's deltas, at its start and again at its end, left out of the
/// mid-answer percentile: while they stream, the other answers are starting too (each run
/// persists its question, loads its history and prompt) or ending (each persists its answer).
const EDGE_SHARE: f64 = 0.1;

struct Stats {
    sorted: Vec<u64>,
    /// The deltas of the middle of each answer (see [`EDGE_SHARE`]), sorted.
    steady: Vec<u64>,
    frames: u64,
    elapsed: Duration,
    /// CPU time the server used while the answers streamed.
    cpu: Duration,
    idle_rss: u64,
    peak_rss: u64,
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(0)
}

impl Stats {
    fn pct(&self, p: f64) -> u64 {
        percentile(&self.sorted, p)
    }

    fn print(&self, label: &str, shape: Shape) {
        println!(
            "{label}: deltas received {} of {}; latency p50 {} µs, p90 {} µs, p99 {} µs, max {} µs; \
             mid-answer p99 {} µs; \
             {} frames in {:.2}s = {:.0} frames/s; server CPU {:.2}s ({:.1} µs a frame); \
             RSS idle {:.1} MiB, peak {:.1} MiB",
            self.sorted.len(),
            shape.sockets * shape.deltas,
            self.pct(0.5),
            self.pct(0.9),
            self.pct(0.99),
            self.pct(1.0),
            percentile(&self.steady, 0.99),
            self.frames,
            self.elapsed.as_secs_f64(),
            self.frames as f64 / self.elapsed.as_secs_f64(),
            self.cpu.as_secs_f64(),
            self.cpu.as_secs_f64() * 1e6 / self.frames.max(1) as f64,
            self.idle_rss as f64 / 1024.0,
            self.peak_rss as f64 / 1024.0
        );
    }
}

/// Opens the sockets, asks on each (staggered over one interval) and collects every delta's
/// latency; any socket that errs or misses a delta fails the whole measurement.
async fn measure(port: u16, token: &str, pid: u32, shape: Shape) -> anyhow::Result<Stats> {
    let mut conns = Vec::with_capacity(shape.sockets);
    for _ in 0..shape.sockets {
        let mut req = format!("ws://127.0.0.1:{port}/ws/chat").into_client_request()?;
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse()?);
        let (ws, _) = tokio_tungstenite::connect_async(req).await?;
        conns.push(ws);
    }
    let idle_rss = rss_kib(pid);
    let peak = Arc::new(AtomicU64::new(idle_rss));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let started = Instant::now();
    let ticks_before = cpu_ticks(pid);
    let mut tasks = Vec::with_capacity(shape.sockets);
    for (i, mut ws) in conns.into_iter().enumerate() {
        let offset = shape.interval.mul_f64(i as f64 / shape.sockets as f64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(offset).await;
            ws.send(Message::Text(
                json!({"type": "send_message", "text": "go"})
                    .to_string()
                    .into(),
            ))
            .await?;
            let mut mine = Vec::with_capacity(shape.deltas);
            let mut frames = 0u64;
            loop {
                let msg = match ws.next().await {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => anyhow::bail!("socket {i}: {e}"),
                    None => anyhow::bail!("socket {i} closed before message_complete"),
                };
                let Message::Text(t) = msg else { continue };
                frames += 1;
                let v: Value = serde_json::from_str(&t)?;
                match v["type"].as_str() {
                    Some("text_delta") => {
                        let sent: u128 = v["text"]
                            .as_str()
                            .unwrap_or("")
                            .trim_matches(['<', '>'])
                            .parse()
                            .map_err(|e| anyhow::anyhow!("socket {i}: bad delta {t}: {e}"))?;
                        mine.push(now_us().saturating_sub(sent) as u64);
                    }
                    Some("message_complete") => break,
                    Some("error") => anyhow::bail!("socket {i}: error frame {t}"),
                    _ => {}
                }
            }
            anyhow::ensure!(
                mine.len() == shape.deltas,
                "socket {i}: {} deltas of {}",
                mine.len(),
                shape.deltas
            );
            let _ = ws.close(None).await;
            Ok((frames, mine))
        }));
    }
    let mut sorted = Vec::with_capacity(shape.sockets * shape.deltas);
    let mut steady = Vec::with_capacity(shape.sockets * shape.deltas);
    let mut frames = 0;
    let mut failures = Vec::new();
    for t in tasks {
        match t.await? {
            Ok((f, mine)) => {
                frames += f;
                let edge = (mine.len() as f64 * EDGE_SHARE).round() as usize;
                let middle = mine.len().saturating_sub(2 * edge);
                steady.extend(mine.iter().skip(edge).take(middle));
                sorted.extend(mine);
            }
            Err(e) => failures.push(e),
        }
    }
    let elapsed = started.elapsed();
    // Linux reports CPU time in ticks of 1/100 s (USER_HZ) on every common configuration.
    let cpu = Duration::from_millis(cpu_ticks(pid).saturating_sub(ticks_before) * 10);
    sampler.abort();
    if let Some(first) = failures.first() {
        anyhow::bail!(
            "{} of {} sockets failed; first: {first:#}",
            failures.len(),
            shape.sockets
        );
    }
    sorted.sort_unstable();
    steady.sort_unstable();
    Ok(Stats {
        sorted,
        steady,
        frames,
        elapsed,
        cpu,
        idle_rss,
        peak_rss: peak.load(Ordering::Relaxed),
    })
}

/// Kills the child on drop, so a failed measurement does not leave a server behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn measure_revtops(fake: &str, shape: Shape) -> anyhow::Result<Stats> {
    let port = 18600 + (std::process::id() % 1000) as u16;
    let db = format!("revtops_bench_chat_{}", std::process::id());
    let server = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_revtops"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env(
                "DATABASE_URL",
                format!("postgres://postgres@127.0.0.1:5432/{db}"),
            )
            .env("ANTHROPIC_API_KEY", "bench")
            .env("ANTHROPIC_BASE_URL", fake)
            .env(
                "CHAT_MAX_CONCURRENT_STREAMS",
                (shape.sockets + 16).to_string(),
            )
            .env(
                "CHAT_QUESTIONS_PER_MINUTE",
                (shape.sockets + 16).to_string(),
            )
            .env("DATABASE_POOL_SIZE", "32")
            .env("RUST_LOG", "warn")
            .spawn()?,
    );
    let result = async {
        let base = format!("http://127.0.0.1:{port}");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut token = String::new();
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let reg = agent.post(&format!("{base}/api/auth/register")).send_json(
                json!({"email": "bench@example.com", "password": "benchmark password", "name": "Bench"}),
            );
            if let Ok(mut r) = reg {
                let v: Value = r.body_mut().read_json()?;
                token = v["token"].as_str().unwrap_or_default().to_owned();
                break;
            }
        }
        anyhow::ensure!(!token.is_empty(), "revtops did not come up");
        let org = agent
            .post(&format!("{base}/api/auth/organizations"))
            .header("authorization", &format!("Bearer {token}"))
            .send_json(json!({"name": "Bench"}))?;
        anyhow::ensure!(
            org.status().is_success(),
            "creating the organization: {}",
            org.status()
        );
        measure(port, &token, server.0.id(), shape).await
    }
    .await;
    drop(server);
    // The measurement's error, if any, is the one worth reporting.
    let dropped = drop_database(&db).await;
    let stats = result?;
    dropped?;
    Ok(stats)
}

async fn measure_passthrough(fake: &str, shape: Shape) -> anyhow::Result<Stats> {
    let port = 19600 + (std::process::id() % 1000) as u16;
    let server = Child(
        std::process::Command::new(std::env::current_exe()?)
            .env("BENCH_ROLE", "passthrough")
            .env("BENCH_PORT", port.to_string())
            .env("BENCH_UPSTREAM", fake)
            .spawn()?,
    );
    let mut up = false;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            up = true;
            break;
        }
    }
    anyhow::ensure!(up, "the pass-through did not come up");
    measure(port, "passthrough", server.0.id(), shape).await
}

async fn run() -> anyhow::Result<()> {
    let shape = Shape {
        sockets: env_usize("BENCH_SOCKETS", 1000),
        deltas: env_usize("BENCH_DELTAS", 100),
        interval: Duration::from_millis(env_usize("BENCH_DELTA_INTERVAL_MS", 50) as u64),
    };
    SHAPE.set(shape).ok();
    // This process holds a client socket and a fake-model socket per stream; the server under
    // test holds the other ends of both.
    let need = 2 * shape.sockets as u64 + 256;
    if let Some(limit) = open_files_limit() {
        anyhow::ensure!(
            limit >= need,
            "open files limit {limit} < {need} needed for {} sockets: run `ulimit -n {}` first",
            shape.sockets,
            need.max(65536)
        );
    }
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await?;
    let fake = format!(
        "http://{}",
        acceptor.local_addr()[0].as_socket_addr().unwrap()
    );
    tokio::spawn(
        Server::new_with_acceptor(acceptor).run(Route::new().at("/v1/messages", post(messages))),
    );
    println!(
        "sockets {}, deltas per answer {}, delta interval {} ms",
        shape.sockets,
        shape.deltas,
        shape.interval.as_millis()
    );
    let revtops = measure_revtops(&fake, shape).await?;
    revtops.print("revtops", shape);
    let base = measure_passthrough(&fake, shape).await?;
    base.print("pass-through", shape);
    let diff = |p: f64| revtops.pct(p) as i64 - base.pct(p) as i64;
    let ratio = |p: f64| revtops.pct(p) as f64 / base.pct(p).max(1) as f64;
    println!(
        "server-added per delta: p50 {} µs, p99 {} µs (revtops minus pass-through); ratio p50 {:.2}x, p99 {:.2}x",
        diff(0.5),
        diff(0.99),
        ratio(0.5),
        ratio(0.99)
    );
    let mid = percentile(&revtops.steady, 0.99) as i64 - percentile(&base.steady, 0.99) as i64;
    println!("server-added mid-answer p99: {mid} µs (without each answer's first and last tenth)");
    let met = diff(0.99) < 5000;
    println!(
        "target p99 < 5 ms: {} (mid-answer: {})",
        if met { "met" } else { "NOT met" },
        if mid < 5000 { "met" } else { "NOT met" }
    );
    if base.pct(0.99) > 5000 {
        // The difference of two tails is only as good as the tails: when the floor's own p99 is
        // above the target, machine noise (scheduling, thread start-up) is larger than what is
        // being measured, and the verdict above is within that noise.
        println!(
            "caveat: the pass-through's own p99 is {} µs (> 5 ms): the p99 difference is within noise",
            base.pct(0.99)
        );
    }
    Ok(())
}
