//! A fake mail server speaking enough SMTP (RFC 5321: greeting, EHLO, MAIL, RCPT, DATA with dot
//! stuffing, QUIT) for lettre to deliver to it over plain TCP; it keeps what it received.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent, dot-unstuffed, with soft line breaks left in place.
    pub data: String,
}

impl Mail {
    /// The body with quoted-printable soft breaks (`=\r\n`) joined, so links read whole.
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }

    /// The first `http(s)` link or app path in the text starting with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let text = self.text();
        let start = text.find(prefix)?;
        let end = text[start..]
            .find(|c: char| c.is_whitespace())
            .map_or(text.len(), |n| start + n);
        Some(text[start..end].to_owned())
    }
}

#[derive(Clone, Default)]
pub struct FakeSmtp {
    pub addr: Option<SocketAddr>,
    inbox: Arc<Mutex<Vec<Mail>>>,
}

impl FakeSmtp {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = Self {
            addr: Some(listener.local_addr().unwrap()),
            inbox: Arc::default(),
        };
        let inbox = Arc::clone(&fake.inbox);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let inbox = Arc::clone(&inbox);
                tokio::spawn(async move {
                    let _ = session(stream, inbox).await;
                });
            }
        });
        fake
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr.unwrap())
    }

    pub fn inbox(&self) -> Vec<Mail> {
        self.inbox.lock().unwrap().clone()
    }

    /// The mails to `address`, oldest first.
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.inbox()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }
}

fn angle(arg: &str) -> String {
    arg.trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn session(
    stream: tokio::net::TcpStream,
    inbox: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 fake-smtp ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-fake-smtp\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("RSET") || upper == "NOOP" {
            b"250 OK\r\n"
        } else if let Some(arg) = upper.strip_prefix("MAIL FROM:") {
            from = angle(&command[command.len() - arg.len()..]);
            to.clear();
            b"250 OK\r\n"
        } else if let Some(arg) = upper.strip_prefix("RCPT TO:") {
            to.push(angle(&command[command.len() - arg.len()..]));
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            inbox.lock().unwrap().push(Mail {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            });
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}
