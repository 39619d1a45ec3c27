//! A WebSocket test client for /ws/chat.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub closed_with: Option<u16>,
}

pub enum Auth<'a> {
    None,
    Header(&'a str),
    Subprotocol(&'a str),
}

impl Socket {
    pub async fn connect(
        addr: SocketAddr,
        path: &str,
        auth: Auth<'_>,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("ws://{addr}{path}").into_client_request()?;
        match auth {
            Auth::None => {}
            Auth::Header(t) => {
                request
                    .headers_mut()
                    .insert("authorization", format!("Bearer {t}").parse().unwrap());
            }
            Auth::Subprotocol(t) => {
                request.headers_mut().insert(
                    "sec-websocket-protocol",
                    format!("bearer, {t}").parse().unwrap(),
                );
            }
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Self {
            stream,
            closed_with: None,
        })
    }

    pub async fn send(&mut self, frame: Value) {
        self.stream
            .send(Message::Text(frame.to_string().into()))
            .await
            .unwrap();
    }

    pub async fn send_raw(&mut self, text: String) {
        self.stream.send(Message::Text(text.into())).await.unwrap();
    }

    /// The next JSON frame (pings skipped); None once the server closed the socket.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(20), self.stream.next())
                .await
                .expect("a frame within 20 s");
            match msg {
                Some(Ok(Message::Text(t))) => {
                    return Some(serde_json::from_str(&t).expect("JSON frame"));
                }
                Some(Ok(Message::Close(frame))) => {
                    self.closed_with = frame.map(|f| u16::from(f.code));
                    return None;
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Frames up to and including the first whose type is one of `types`.
    pub async fn until(&mut self, types: &[&str]) -> Vec<Value> {
        let mut frames = Vec::new();
        while let Some(f) = self.next().await {
            let done = types.contains(&f["type"].as_str().unwrap_or(""));
            frames.push(f);
            if done {
                return frames;
            }
        }
        panic!("socket closed before {types:?}; got {frames:?}");
    }
}

pub fn of_type<'a>(frames: &'a [Value], ty: &str) -> Vec<&'a Value> {
    frames.iter().filter(|f| f["type"] == ty).collect()
}
