//! The runs in flight on this replica, one per conversation. A run keeps every frame it produced,
//! so any socket of its owner can attach at any time (a second tab, a reload mid-answer, a
//! reconnect) and catch up from any sequence number before following it live. Attached sockets
//! read the log at their own pace: a slow one falls behind without holding the run back or
//! losing frames.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::protocol::{RunEvent, RunFrame, ServerFrame};

/// Frames handed to a socket per wake-up: bounds the time the log's lock is held.
const BATCH: usize = 256;

pub struct Run {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// The user who asked; only their sockets may attach.
    pub user_id: Uuid,
    pub cancel: CancellationToken,
    log: Mutex<Log>,
    grew: Notify,
}

#[derive(Default)]
struct Log {
    frames: Vec<ServerFrame>,
    ended: bool,
}

impl Run {
    fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends the next frame of the run (its sequence number is its place in the log).
    pub fn emit(&self, event: RunEvent) {
        let mut log = self.log();
        if log.ended {
            return;
        }
        let seq = log.frames.len() as u64;
        log.frames.push(ServerFrame::Run(RunFrame {
            conversation_id: self.conversation_id,
            run_id: self.id,
            seq,
            event,
        }));
        drop(log);
        self.grew.notify_waiters();
    }

    fn end(&self) {
        self.log().ended = true;
        self.grew.notify_waiters();
    }

    /// Frames from `from` on (at most a batch), and whether the run has ended.
    fn read(&self, from: usize) -> (Vec<ServerFrame>, bool) {
        let log = self.log();
        let end = log.frames.len().min(from + BATCH);
        let frames = log.frames.get(from..end).map(<[_]>::to_vec);
        (frames.unwrap_or_default(), log.ended)
    }

    /// Forwards the run's frames from `from` into a socket's outbox until the run ends or the
    /// socket goes away.
    pub async fn follow(self: Arc<Self>, mut from: usize, out: mpsc::Sender<ServerFrame>) {
        loop {
            let grew = self.grew.notified();
            tokio::pin!(grew);
            // Registered before reading, so a frame emitted in between still wakes us.
            grew.as_mut().enable();
            let (frames, ended) = self.read(from);
            if frames.is_empty() {
                if ended {
                    return;
                }
                grew.await;
                continue;
            }
            from += frames.len();
            for frame in frames {
                if out.send(frame).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The runs of this replica by conversation.
pub struct RunHub {
    runs: Mutex<HashMap<Uuid, Arc<Run>>>,
    /// Server shutdown: every run's token is a child of it, so runs stop at a safe point
    /// (partial text persisted, tool calls answered) instead of being cut mid-write.
    shutdown: CancellationToken,
}

impl RunHub {
    pub fn new(shutdown: CancellationToken) -> Self {
        Self {
            runs: Mutex::new(HashMap::new()),
            shutdown,
        }
    }

    fn runs(&self) -> MutexGuard<'_, HashMap<Uuid, Arc<Run>>> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims the conversation for a new run; None if one is already in flight.
    pub fn begin(&self, conversation_id: Uuid, user_id: Uuid) -> Option<Arc<Run>> {
        let mut runs = self.runs();
        if runs.contains_key(&conversation_id) {
            return None;
        }
        let run = Arc::new(Run {
            id: Uuid::new_v4(),
            conversation_id,
            user_id,
            cancel: self.shutdown.child_token(),
            log: Mutex::new(Log::default()),
            grew: Notify::new(),
        });
        runs.insert(conversation_id, Arc::clone(&run));
        Some(run)
    }

    /// Ends the run: attached sockets get its remaining frames and stop following.
    pub fn finish(&self, run: &Run) {
        let mut runs = self.runs();
        if runs
            .get(&run.conversation_id)
            .is_some_and(|r| r.id == run.id)
        {
            runs.remove(&run.conversation_id);
        }
        drop(runs);
        run.end();
    }

    /// The run in flight in `conversation_id`, if `user_id` asked it.
    pub fn get(&self, conversation_id: Uuid, user_id: Uuid) -> Option<Arc<Run>> {
        self.runs()
            .get(&conversation_id)
            .filter(|r| r.user_id == user_id)
            .cloned()
    }

    /// Cancels the run in `conversation_id`. Returns whether one was running.
    pub fn cancel(&self, conversation_id: Uuid, user_id: Uuid) -> bool {
        self.get(conversation_id, user_id)
            .map(|r| r.cancel.cancel())
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seqs(frames: &[ServerFrame]) -> Vec<u64> {
        frames
            .iter()
            .map(|f| match f {
                ServerFrame::Run(r) => r.seq,
                _ => panic!("not a run frame"),
            })
            .collect()
    }

    #[tokio::test]
    async fn late_and_slow_followers_get_every_frame_once_in_order() {
        let hub = RunHub::new(CancellationToken::new());
        let user = Uuid::new_v4();
        let run = hub.begin(Uuid::new_v4(), user).unwrap();
        assert!(
            hub.begin(run.conversation_id, user).is_none(),
            "one run per conversation"
        );
        assert!(
            hub.get(run.conversation_id, Uuid::new_v4()).is_none(),
            "owner only"
        );
        for i in 0..300 {
            run.emit(RunEvent::TextDelta {
                text: i.to_string(),
            });
        }
        // A follower that starts mid-run, with an outbox far smaller than the backlog.
        let (tx, mut rx) = mpsc::channel(4);
        let follower = tokio::spawn(Arc::clone(&run).follow(295, tx));
        let (tx_all, mut rx_all) = mpsc::channel(1024);
        let from_start = tokio::spawn(Arc::clone(&run).follow(0, tx_all));
        for i in 300..1000 {
            run.emit(RunEvent::TextDelta {
                text: i.to_string(),
            });
            if i % 100 == 0 {
                tokio::task::yield_now().await;
            }
        }
        hub.finish(&run);
        run.emit(RunEvent::Queued); // after the end: dropped
        let mut got = Vec::new();
        while let Some(f) = rx.recv().await {
            got.push(f);
        }
        let mut all = Vec::new();
        while let Some(f) = rx_all.recv().await {
            all.push(f);
        }
        follower.await.unwrap();
        from_start.await.unwrap();
        assert_eq!(seqs(&got), (295..1000).collect::<Vec<_>>());
        assert_eq!(seqs(&all), (0..1000).collect::<Vec<_>>());
        assert!(hub.get(run.conversation_id, user).is_none());
        assert!(hub.begin(run.conversation_id, user).is_some());
    }
}
