//! With REDIS_URL the cache goes through Redis; Redis going away degrades health, never crashes.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::TestApp;

/// A private redis-server on a free port, so killing it cannot disturb other tests.
struct PrivateRedis {
    child: Child,
    port: u16,
}

impl PrivateRedis {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (see .ci/run)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self { child, port };
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("redis-server did not start on {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_backend_serves_the_cache_and_degrades_when_it_goes_away() {
    let redis = PrivateRedis::start().await;
    // Health probes on every call here: the test watches the answer change the moment Redis
    // goes away (by default a healthy answer is reused for a second).
    let app = TestApp::spawn_with(&[("REDIS_URL", &redis.url()), ("HEALTH_CACHE_MS", "0")]).await;
    let cache = &app.state.cache;
    cache
        .set("greeting", "hello", Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(
        cache.get("greeting").await.unwrap().as_deref(),
        Some("hello")
    );
    assert_eq!(
        cache.incr("hits", Duration::from_secs(30)).await.unwrap(),
        1
    );
    assert_eq!(
        cache.incr("hits", Duration::from_secs(30)).await.unwrap(),
        2
    );
    assert!(
        !cache
            .set_new("greeting", "again", Duration::from_secs(30))
            .await
            .unwrap(),
        "an existing key is kept"
    );
    assert!(
        cache
            .set_new("claim", "mine", Duration::from_secs(30))
            .await
            .unwrap()
    );
    assert_eq!(cache.get("claim").await.unwrap().as_deref(), Some("mine"));

    let health = app.client().get("/api/health").await.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["cache"]["backend"], "redis");
    assert_eq!(health["cache"]["status"], "ok");

    drop(redis);
    let reply = app.client().get("/api/health").await;
    assert_eq!(
        reply.status,
        200,
        "degraded is still serving: {}",
        reply.text()
    );
    let health = reply.json();
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["cache"]["status"], "down");
    assert!(
        cache.get("greeting").await.is_err(),
        "commands fail fast while Redis is away"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_redis_at_startup_starts_degraded() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}");
    let app = TestApp::spawn_with(&[("REDIS_URL", &url)]).await;
    let health = app.client().get("/api/health").await.json();
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["cache"]["backend"], "redis");
}
