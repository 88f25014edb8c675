//! The scoring pipeline of `jaga serve`: one worker thread per core, bounded queues, and the
//! review store writer.
//!
//! ```text
//! request --partition by (community, user)--> worker queues (bounded) --> workers
//!   worker: engine.evaluate -> stateful stages -> verdict (+ case when flagged)
//! request <--verdicts in input order-- gather
//! request --flagged cases--> store writer (group commit) --ack--> answer
//! ```
//!
//! Every event of one `(community, user)` goes to the same worker, in the order received, so
//! per-user and per-(group, user) state sees each user's events in order without locks.
//! Admission is all-or-nothing: a request either gets a slot in every worker queue it needs
//! or none ([`Admission::TryNow`] answers [`Busy`] and nothing was scored), so a 503 never
//! leaves half a batch counted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tokio::sync::{mpsc, oneshot};

use crate::engine::{Engine, Scratch};
use crate::event::Event;
use crate::metrics::Metrics;
use crate::state::{self, Local, Shared};
use crate::store::{is_flagged, unix_now, NewCase, Store};
use crate::verdict::Verdict;

/// What the workers share: the serving engine and state policy (both hot-swappable) and the
/// metrics.
pub struct Live {
    pub engine: ArcSwap<Engine>,
    pub state: ArcSwap<Shared>,
    pub metrics: Metrics,
}

/// One scored event.
pub struct Scored {
    pub verdict: Verdict,
    /// The case for the review store, when the verdict is flagged.
    pub case: Option<NewCase>,
}

struct Job {
    items: Vec<(u32, Event)>,
    reply: oneshot::Sender<Vec<(u32, Scored)>>,
}

enum Msg {
    Score(Job),
    Maintain,
    Stop,
}

/// How a batch waits for queue space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Refuse at once when a queue is full (HTTP: 503 + Retry-After).
    TryNow,
    /// Wait for space (stdin: the reader slows down instead).
    Wait,
}

/// Every worker queue a batch needed was full; nothing was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// The scoring workers.
pub struct Pipeline {
    senders: Vec<mpsc::Sender<Msg>>,
    threads: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>>,
    pub live: Arc<Live>,
}

impl Pipeline {
    /// Starts `workers` scoring threads with `queue` batches of room each.
    pub fn start(live: Arc<Live>, workers: usize, queue: usize) -> Pipeline {
        let mut senders = Vec::new();
        let mut threads = Vec::new();
        for i in 0..workers.max(1) {
            let (tx, rx) = mpsc::channel(queue.max(1));
            senders.push(tx);
            let live = live.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("jaga-worker-{i}"))
                    .spawn(move || worker(rx, &live))
                    .expect("spawning a scoring thread"),
            );
        }
        Pipeline {
            senders,
            threads: std::sync::Mutex::new(threads),
            live,
        }
    }

    /// Batches queued across the workers.
    pub fn queue_depth(&self) -> usize {
        self.senders
            .iter()
            .map(|s| s.max_capacity() - s.capacity())
            .sum()
    }

    pub fn workers(&self) -> usize {
        self.senders.len()
    }

    /// Scores `events`, returning one result per event in input order.
    pub async fn score(
        &self,
        events: Vec<Event>,
        admission: Admission,
    ) -> Result<Vec<Scored>, Busy> {
        let n = self.senders.len();
        let total = events.len();
        let mut parts: Vec<Vec<(u32, Event)>> = (0..n).map(|_| Vec::new()).collect();
        for (i, ev) in events.into_iter().enumerate() {
            let shard = (state::key(&[&ev.community, &ev.user]) % n as u64) as usize;
            parts[shard].push((i as u32, ev));
        }
        let mut permits = Vec::with_capacity(n);
        for (shard, part) in parts.iter().enumerate() {
            if part.is_empty() {
                continue;
            }
            let permit = match admission {
                Admission::TryNow => self.senders[shard].try_reserve().map_err(|_| Busy)?,
                Admission::Wait => self.senders[shard].reserve().await.map_err(|_| Busy)?,
            };
            permits.push((shard, permit));
        }
        let mut replies = Vec::with_capacity(permits.len());
        for (shard, permit) in permits {
            let (tx, rx) = oneshot::channel();
            permit.send(Msg::Score(Job {
                items: std::mem::take(&mut parts[shard]),
                reply: tx,
            }));
            replies.push(rx);
        }
        let mut out: Vec<Option<Scored>> = (0..total).map(|_| None).collect();
        for rx in replies {
            // A worker that panicked drops its reply; the batch then fails as busy rather
            // than answering with holes.
            for (i, s) in rx.await.map_err(|_| Busy)? {
                out[i as usize] = Some(s);
            }
        }
        out.into_iter().map(|s| s.ok_or(Busy)).collect()
    }

    /// Asks every worker to prune its state (governor `retain_recent`, windows).
    pub fn maintain(&self) {
        for s in &self.senders {
            let _ = s.try_send(Msg::Maintain);
        }
    }

    /// Lets the workers finish their queues, then stops them.
    pub async fn stop(&self) {
        for s in &self.senders {
            let _ = s.send(Msg::Stop).await;
        }
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        let _ = tokio::task::spawn_blocking(move || {
            for t in threads {
                let _ = t.join();
            }
        })
        .await;
    }
}

/// Unix milliseconds now (the clock of the stateful windows).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn worker(mut rx: mpsc::Receiver<Msg>, live: &Live) {
    let mut scratch = Scratch::new();
    let mut local = Local::new(live.state.load().cfg.clone());
    let mut findings = Vec::new();
    while let Some(msg) = rx.blocking_recv() {
        let job = match msg {
            Msg::Score(job) => job,
            Msg::Maintain => {
                local.maintain(now_ms());
                continue;
            }
            Msg::Stop => break,
        };
        let engine = live.engine.load();
        let shared = live.state.load();
        let (now, now_s) = (now_ms(), unix_now());
        let mut out = Vec::with_capacity(job.items.len());
        // A bug in a stage must not take the worker down with it: the batch is refused
        // (the client sees 503 and may retry) and the worker goes on with fresh buffers.
        let scored = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for (i, ev) in &job.items {
                let started = Instant::now();
                let mut v = engine.evaluate(ev, &mut scratch);
                findings.clear();
                local.observe(&shared, ev, scratch.normalised_text(), now, &mut findings);
                state::apply(&engine.policy, ev, &mut v, &findings);
                live.metrics.verdict(&v, started.elapsed());
                let case = is_flagged(&v).then(|| NewCase::new(ev, &v, now_s));
                out.push((*i, Scored { verdict: v, case }));
            }
        }));
        match scored {
            Ok(()) => {
                let _ = job.reply.send(out);
            }
            Err(_) => {
                let ids: Vec<&str> = job
                    .items
                    .iter()
                    .map(|(_, e)| e.id.as_str())
                    .take(8)
                    .collect();
                tracing::error!(
                    ?ids,
                    "a stage panicked while scoring this batch; it was refused, please report it"
                );
                scratch = Scratch::new();
            }
        }
    }
}

/// Why a store write failed, as told to the client.
#[derive(Debug, Clone)]
pub struct StoreFailed(pub String);

enum WriteMsg {
    Cases(Vec<NewCase>, oneshot::Sender<Result<usize, StoreFailed>>),
    RaidHolds(Vec<(String, i64)>),
    Audit {
        actor: String,
        what: String,
        detail: String,
    },
    Stop(oneshot::Sender<()>),
}

/// The single writer of the review store: group-commits the cases of concurrent requests.
pub struct StoreWriter {
    tx: mpsc::Sender<WriteMsg>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl StoreWriter {
    /// Starts the writer thread on `store`; at most `max_batch` cases per transaction.
    /// `checkpointer`, another connection to the same file, checkpoints the WAL every
    /// second on its own thread so the writer never pays for it, except for about one fsync
    /// when the WAL has grown past 64 MiB and is restarted.
    pub fn start(
        store: Store,
        checkpointer: Store,
        live: Arc<Live>,
        queue: usize,
        max_batch: usize,
    ) -> StoreWriter {
        let (tx, rx) = mpsc::channel(queue.max(1));
        if let Err(e) = store.disable_autocheckpoint() {
            tracing::warn!(error = %e, "cannot move WAL checkpoints off the writer");
        }
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop_c = stop.clone();
        let checkpoints = std::thread::Builder::new()
            .name("jaga-checkpoint".into())
            .spawn(move || {
                while !stop_c.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_secs(1));
                    let mut r = checkpointer.checkpoint_passive();
                    if r.is_ok() && checkpointer.wal_bytes() > crate::store::WAL_RESTART_BYTES {
                        r = checkpointer.checkpoint_restart();
                    }
                    if let Err(e) = r {
                        tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
                    }
                }
            })
            .expect("spawning the checkpoint thread");
        let thread = std::thread::Builder::new()
            .name("jaga-store".into())
            .spawn(move || {
                writer(store, rx, &live, max_batch.max(1));
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                let _ = checkpoints.join();
            })
            .expect("spawning the store writer");
        StoreWriter {
            tx,
            thread: std::sync::Mutex::new(Some(thread)),
        }
    }

    /// Writes the cases and returns once they are committed.
    pub async fn write(&self, cases: Vec<NewCase>) -> Result<usize, StoreFailed> {
        if cases.is_empty() {
            return Ok(0);
        }
        let (ack, rx) = oneshot::channel();
        let stopped = || StoreFailed("the review store writer has stopped".into());
        self.tx
            .send(WriteMsg::Cases(cases, ack))
            .await
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    pub async fn save_raid_holds(&self, holds: Vec<(String, i64)>) {
        if !holds.is_empty() {
            let _ = self.tx.send(WriteMsg::RaidHolds(holds)).await;
        }
    }

    pub async fn audit(&self, actor: &str, what: &str, detail: String) {
        let _ = self
            .tx
            .send(WriteMsg::Audit {
                actor: actor.into(),
                what: what.into(),
                detail,
            })
            .await;
    }

    /// Writes what is queued, checkpoints the WAL and stops the writer.
    pub async fn stop(&self) {
        let (ack, rx) = oneshot::channel();
        if self.tx.send(WriteMsg::Stop(ack)).await.is_ok() {
            let _ = rx.await;
        }
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = thread {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
    }
}

fn writer(mut store: Store, mut rx: mpsc::Receiver<WriteMsg>, live: &Live, max_batch: usize) {
    let mut cases: Vec<NewCase> = Vec::new();
    let mut acks: Vec<(oneshot::Sender<Result<usize, StoreFailed>>, usize)> = Vec::new();
    let mut stop: Option<oneshot::Sender<()>> = None;
    while stop.is_none() {
        let Some(first) = rx.blocking_recv() else {
            break;
        };
        let mut next = Some(first);
        // Group commit: take whatever else is already waiting, up to max_batch cases.
        while let Some(msg) = next.take() {
            match msg {
                WriteMsg::Cases(c, ack) => {
                    acks.push((ack, c.len()));
                    cases.extend(c);
                }
                WriteMsg::RaidHolds(h) => {
                    if let Err(e) = store.save_raid_holds(&h) {
                        tracing::error!(error = %e, "cannot persist raid holds");
                    }
                }
                WriteMsg::Audit {
                    actor,
                    what,
                    detail,
                } => {
                    if let Err(e) = store.audit(&actor, &what, None, &detail) {
                        tracing::error!(error = %e, "cannot append to the audit log");
                    }
                }
                WriteMsg::Stop(ack) => {
                    stop = Some(ack);
                    break;
                }
            }
            if cases.len() < max_batch {
                next = rx.try_recv().ok();
            }
        }
        if !cases.is_empty() {
            let started = Instant::now();
            let result = store.insert_cases(&cases);
            live.metrics.store_write.observe(started.elapsed());
            match result {
                Ok(n) => {
                    live.metrics
                        .cases_written
                        .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                    for (ack, _) in acks.drain(..) {
                        let _ = ack.send(Ok(n));
                    }
                }
                Err(e) => {
                    live.metrics
                        .store_errors
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::error!(error = %e, cases = cases.len(), "review store write failed");
                    let msg = format!("the review store could not be written ({e}); retry");
                    for (ack, _) in acks.drain(..) {
                        let _ = ack.send(Err(StoreFailed(msg.clone())));
                    }
                }
            }
            cases.clear();
        }
    }
    if let Err(e) = store.checkpoint() {
        tracing::warn!(error = %e, "WAL checkpoint at shutdown failed; the WAL is replayed on next open");
    }
    drop(store);
    if let Some(ack) = stop {
        let _ = ack.send(());
    }
}

/// How long a client should wait before retrying a refused batch.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);
