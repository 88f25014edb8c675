//! The scoring pipeline of `jaga serve`: scoring shards (one per core), admission limits,
//! and the review store writer.
//!
//! ```text
//! request --Detector::arrive, in input order (group-level state)-->
//!   --partition by (community, user)--> shard 0, shard 1, ... (admission counts)
//!   on the request's thread, with one of `workers` scoring slots, one shard's part at a time:
//!   Detector::check_arrived -> verdict (+ case when flagged)
//! request --flagged cases--> store writer thread (group commit) --ack--> answer
//! ```
//!
//! Every event of one `(community, user)` goes to the same shard, in the order received, and
//! one request scores them in that order on one thread, so per-user and per-(group, user)
//! state (locked per event inside `jaga_core::state`) sees each request's events of a user in
//! order. A request scores its whole batch with any free slot (scratch buffers; `workers` of
//! them, one per core): concurrent requests score side by side, and never wait for a shard
//! another request holds. Admission is all-or-nothing: a request either gets a place in every
//! shard it needs or none ([`Admission::TryNow`] answers [`Busy`] and nothing was scored), so a 503 never
//! leaves half a batch counted.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tokio::sync::{mpsc, oneshot};

use crate::metrics::Metrics;
use jaga_core::event::Event;
use jaga_core::state::{self, Arrival};
use jaga_core::verdict::Verdict;
use jaga_core::{Detector, Scratch};
use jaga_store::{is_flagged, unix_now, ActionUpdate, NewAction, NewCase, Origin, Store};

/// What the shards share: the serving detector (hot-swappable; a reload carries its
/// stateful state over) and the metrics.
pub struct Live {
    pub detector: ArcSwap<Detector>,
    pub metrics: Metrics,
}

/// One scored event.
pub struct Scored {
    pub verdict: Verdict,
    /// The case for the review store, when the verdict is flagged.
    pub case: Option<NewCase>,
}

/// How a batch waits for its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Refuse at once when a shard already has `queue` batches waiting (HTTP: 503 +
    /// Retry-After).
    TryNow,
    /// Wait however long it takes (stdin: the reader slows down instead).
    Wait,
}

/// Where one batch's scoring time went (for the phase histograms and the slow-request log).
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchTimes {
    /// The group-level step of every event, in input order, on the request's thread.
    pub arrive: Duration,
    /// Waiting for a scoring slot (all `workers` busy scoring other requests).
    pub lock_wait: Duration,
    /// The whole scoring step, lock waits included.
    pub scoring: Duration,
    /// CPU time of this thread while scoring: `scoring - lock_wait - cpu` is time the
    /// thread was runnable or blocked but not running (descheduled).
    pub cpu: Duration,
}

/// CPU time consumed by the calling thread.
pub fn thread_cpu() -> Duration {
    #[cfg(unix)]
    {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes only the timespec passed in.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            return Duration::new(t.tv_sec as u64, t.tv_nsec as u32);
        }
    }
    Duration::ZERO
}

/// A shard had too many batches waiting; nothing was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

struct Shard {
    /// Batches running or waiting on this shard.
    waiting: AtomicUsize,
}

/// The scoring shards and slots. A request scores its events on its own thread with one
/// slot's scratch buffers: no hand-off to another thread and back, which under load is where
/// latency goes. The slots bound the requests scoring at once to the cores.
pub struct Pipeline {
    shards: Vec<Shard>,
    queue: usize,
    /// Scratch buffers, one per request that may score at once (`workers`).
    slots: Mutex<Vec<Scratch>>,
    freed: Condvar,
    pub live: Arc<Live>,
}

impl Pipeline {
    /// `workers` shards and scoring slots (one per core), each shard admitting `queue`
    /// waiting batches before [`Admission::TryNow`] refuses.
    pub fn start(live: Arc<Live>, workers: usize, queue: usize) -> Pipeline {
        let shards = (0..workers.max(1))
            .map(|_| Shard {
                waiting: AtomicUsize::new(0),
            })
            .collect();
        let limit = workers.max(1);
        Pipeline {
            shards,
            queue: queue.max(1),
            slots: Mutex::new((0..limit).map(|_| Scratch::new()).collect()),
            freed: Condvar::new(),
            live,
        }
    }

    /// Batches running or waiting across the shards.
    pub fn queue_depth(&self) -> usize {
        self.shards.iter().map(|s| s.waiting.load(Relaxed)).sum()
    }

    pub fn workers(&self) -> usize {
        self.shards.len()
    }

    /// Scores `events`, returning one result per event in input order.
    pub async fn score(
        &self,
        events: Vec<Event>,
        admission: Admission,
    ) -> Result<Vec<Scored>, Busy> {
        self.score_timed(events, admission, &mut BatchTimes::default())
            .await
    }

    /// [`Pipeline::score`], telling where the time went.
    pub async fn score_timed(
        &self,
        events: Vec<Event>,
        admission: Admission,
        times: &mut BatchTimes,
    ) -> Result<Vec<Scored>, Busy> {
        let arrive_started = Instant::now();
        let n = self.shards.len();
        let total = events.len();
        let shard_of: Vec<usize> = events
            .iter()
            .map(|ev| (state::key(&[&ev.community, &ev.user]) % n as u64) as usize)
            .collect();
        // All or nothing: a batch is admitted to every shard it needs or to none.
        let mut needed: Vec<usize> = shard_of.clone();
        needed.sort_unstable();
        needed.dedup();
        let mut admitted = Vec::with_capacity(needed.len());
        for &s in &needed {
            let before = self.shards[s].waiting.fetch_add(1, Relaxed);
            admitted.push(s);
            if admission == Admission::TryNow && before > self.queue {
                for &t in &admitted {
                    self.shards[t].waiting.fetch_sub(1, Relaxed);
                }
                return Err(Busy);
            }
        }
        // The detector that scores the whole batch, so a reload never splits one. Events
        // arrive (group-level state) in input order, then each shard scores its users.
        let detector = self.live.detector.load_full();
        let now = now_ms();
        let mut parts: Vec<Vec<(u32, Event, Arrival)>> = (0..n).map(|_| Vec::new()).collect();
        for (i, ev) in events.into_iter().enumerate() {
            let arrival = detector.arrive(&ev, now);
            parts[shard_of[i]].push((i as u32, ev, arrival));
        }
        times.arrive = arrive_started.elapsed();
        let mut run = || {
            let started = Instant::now();
            let cpu = thread_cpu();
            let mut out: Vec<Option<Scored>> = (0..total).map(|_| None).collect();
            // Per-user state has its own locks (jaga_core::state, 64 shards, one event at a
            // time), so any free slot will do for the whole batch. Each shard used to be a
            // lock taken in shard order: two requests arriving together queued on shard 0
            // while shard 1 sat idle, and behind a holder the OS had descheduled (a quarter
            // of the tail at 20,000 events/s was this wait).
            let waited = Instant::now();
            let mut scratch = self.take_slot();
            times.lock_wait = waited.elapsed();
            let mut failed = false;
            for &s in &needed {
                let items = std::mem::take(&mut parts[s]);
                if !failed {
                    failed = !self.score_part(&detector, items, &mut out, &mut scratch);
                }
                self.shards[s].waiting.fetch_sub(1, Relaxed);
            }
            // After a panic the buffers may be half-written: lend fresh ones.
            self.give_slot(if failed { Scratch::new() } else { scratch });
            times.cpu = thread_cpu().saturating_sub(cpu);
            times.scoring = started.elapsed();
            if failed {
                return Err(Busy);
            }
            out.into_iter().map(|s| s.ok_or(Busy)).collect()
        };
        // Scoring blocks this thread (on CPU, and waiting for a slot); tell the runtime so it moves other tasks to
        // another thread meanwhile.
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(run)
            }
            _ => run(),
        }
    }

    /// Scratch buffers to score a batch with, waiting while `workers` requests are scoring.
    fn take_slot(&self) -> Scratch {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(s) = slots.pop() {
                return s;
            }
            slots = self.freed.wait(slots).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn give_slot(&self, scratch: Scratch) {
        self.slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(scratch);
        self.freed.notify_one();
    }

    /// Scores one shard's part of a batch, in input order; false when a stage panicked
    /// (the batch is then refused).
    fn score_part(
        &self,
        detector: &Detector,
        items: Vec<(u32, Event, Arrival)>,
        out: &mut [Option<Scored>],
        scratch: &mut Scratch,
    ) -> bool {
        let live = &self.live;
        let now_s = unix_now();
        let scored = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for (i, ev, arrival) in &items {
                let started = Instant::now();
                let v = detector.check_arrived(ev, arrival.clone(), scratch);
                live.metrics.verdict(&v, started.elapsed());
                let case = is_flagged(&v).then(|| NewCase::new(ev, &v, now_s));
                out[*i as usize] = Some(Scored { verdict: v, case });
            }
        }));
        if scored.is_err() {
            let ids: Vec<&str> = items
                .iter()
                .map(|(_, e, _)| e.id.as_str())
                .take(8)
                .collect();
            tracing::error!(
                ?ids,
                "a stage panicked while scoring this batch; it was refused, please report it"
            );
            return false;
        }
        true
    }

    /// Bounds the stateful state (quotas, windows), off the async threads.
    pub fn maintain(self: &Arc<Self>) {
        let detector = self.live.detector.load_full();
        tokio::task::spawn_blocking(move || detector.maintain());
    }
}

pub use jaga_core::state::now_ms;

/// Why a store write failed, as told to the client.
#[derive(Debug, Clone)]
pub struct StoreFailed(pub String);

/// A committed write: how many cases were new and where the time went.
#[derive(Debug, Clone, Copy, Default)]
pub struct Written {
    /// New cases in the whole group commit.
    pub inserted: usize,
    /// From handing the batch to the writer until its transaction started.
    pub queued: Duration,
    /// The transaction (a group commit) that carried it.
    pub txn: Duration,
    /// Requests sharing that transaction.
    pub group: usize,
}

enum WriteMsg {
    /// Cases with the platform origins and actions planned for them (one transaction).
    Cases(
        Batch,
        Instant,
        oneshot::Sender<Result<Written, StoreFailed>>,
    ),
    RaidHolds(Vec<(String, i64)>),
    /// The executor's results, group-committed like cases.
    Actions(Vec<ActionUpdate>, oneshot::Sender<Result<(), StoreFailed>>),
    Audit {
        actor: String,
        what: String,
        detail: String,
    },
    Stop(oneshot::Sender<()>),
    /// The WAL has grown past [`jaga_store::WAL_RESTART_BYTES`]: checkpoint what the
    /// checkpoint thread could not (the last commits) so the next commit restarts it.
    RestartWal,
}

/// What one request writes: cases, where their events came from, and planned actions.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    pub cases: Vec<NewCase>,
    pub origins: Vec<Origin>,
    pub actions: Vec<NewAction>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.cases.is_empty() && self.origins.is_empty() && self.actions.is_empty()
    }
}

/// Records action results through the store writer (one writer, no lock contention).
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<WriteMsg>,
}

impl WriterHandle {
    /// Applies the updates and returns once they are committed.
    pub async fn update_actions(&self, updates: Vec<ActionUpdate>) -> Result<(), StoreFailed> {
        let (ack, rx) = oneshot::channel();
        let stopped = || StoreFailed("the review store writer has stopped".into());
        self.tx
            .send(WriteMsg::Actions(updates, ack))
            .await
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

/// The single writer of the review store: group-commits the cases of concurrent requests.
pub struct StoreWriter {
    tx: mpsc::Sender<WriteMsg>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl StoreWriter {
    /// Starts the writer thread on `store`; at most `max_batch` cases per transaction.
    /// `checkpointer`, another connection to the same file, checkpoints the WAL every
    /// second on its own thread so the writer pays only for the last commits' checkpoint
    /// (a few ms, two fsyncs) when the WAL has grown past 64 MiB and starts over.
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
        // The bulk of every checkpoint (copying the WAL into the main file, its fsyncs) runs
        // here, on another connection, and never blocks a commit (PASSIVE). A PASSIVE run
        // under steady writes never catches up with the last commits, so the WAL would only
        // grow; past WAL_RESTART_BYTES the writer itself finishes the job between two
        // transactions (the few frames committed since, and an fsync), after which its next
        // commit starts the WAL over. A RESTART checkpoint from this thread did the same but
        // took the write lock from the writer, whose busy handler then slept in growing steps:
        // 30-60 ms stalls of every request waiting for a commit.
        // Weak: the writer still stops when every StoreWriter handle is gone.
        let restart_tx = tx.downgrade();
        let checkpoints = std::thread::Builder::new()
            .name("jaga-checkpoint".into())
            .spawn({
                let live = live.clone();
                move || {
                    while !stop_c.load(std::sync::atomic::Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_secs(1));
                        let started = Instant::now();
                        let wal = checkpointer.wal_bytes();
                        let r = checkpointer.checkpoint_passive();
                        let took = started.elapsed();
                        live.metrics.checkpoint.observe(took);
                        let restart =
                            r.is_ok() && checkpointer.wal_bytes() > jaga_store::WAL_RESTART_BYTES;
                        if restart {
                            // Catch up first: each pass copies only what was committed during
                            // the one before, so a few back-to-back passes leave the writer
                            // the last milliseconds of commits instead of the last second's
                            // (the writer's pass was 30-70 ms under load, commits waiting).
                            let mut last = took;
                            for _ in 0..4 {
                                if last < CATCH_UP {
                                    break;
                                }
                                let started = Instant::now();
                                if checkpointer.checkpoint_passive().is_err() {
                                    break;
                                }
                                last = started.elapsed();
                                live.metrics.checkpoint.observe(last);
                            }
                            // At most one waiting; the writer answers it within a transaction.
                            if let Some(tx) = restart_tx.upgrade() {
                                let _ = tx.try_send(WriteMsg::RestartWal);
                            }
                        }
                        if crate::metrics::slow_ms()
                            .is_some_and(|ms| took.as_secs_f64() * 1e3 >= ms)
                        {
                            tracing::info!(
                                target: "jaga::slow",
                                took_ms = took.as_secs_f64() * 1e3,
                                wal_bytes = wal,
                                restart,
                                "slow WAL checkpoint (off the writer)"
                            );
                        }
                        if let Err(e) = r {
                            tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
                        }
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
        self.write_batch(Batch {
            cases,
            ..Batch::default()
        })
        .await
    }

    /// Writes cases, origins and actions in one transaction and returns once committed.
    pub async fn write_batch(&self, batch: Batch) -> Result<usize, StoreFailed> {
        self.write_batch_timed(batch).await.map(|w| w.inserted)
    }

    /// [`StoreWriter::write_batch`], telling where the time went.
    pub async fn write_batch_timed(&self, batch: Batch) -> Result<Written, StoreFailed> {
        if batch.is_empty() {
            return Ok(Written::default());
        }
        let (ack, rx) = oneshot::channel();
        let stopped = || StoreFailed("the review store writer has stopped".into());
        self.tx
            .send(WriteMsg::Cases(batch, Instant::now(), ack))
            .await
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// A handle for the executor to record action results through this writer.
    pub fn handle(&self) -> WriterHandle {
        WriterHandle {
            tx: self.tx.clone(),
        }
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
    let mut batch = Batch::default();
    let mut acks: Vec<(oneshot::Sender<Result<Written, StoreFailed>>, Instant)> = Vec::new();
    let mut stop: Option<oneshot::Sender<()>> = None;
    let mut updates: Vec<ActionUpdate> = Vec::new();
    let mut update_acks: Vec<oneshot::Sender<Result<(), StoreFailed>>> = Vec::new();
    let mut restart_wal = false;
    while stop.is_none() {
        let Some(first) = rx.blocking_recv() else {
            break;
        };
        let mut next = Some(first);
        // Group commit: take whatever else is already waiting, up to max_batch cases.
        while let Some(msg) = next.take() {
            match msg {
                WriteMsg::Cases(b, sent, ack) => {
                    acks.push((ack, sent));
                    batch.cases.extend(b.cases);
                    batch.origins.extend(b.origins);
                    batch.actions.extend(b.actions);
                }
                WriteMsg::Actions(u, ack) => {
                    updates.extend(u);
                    update_acks.push(ack);
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
                WriteMsg::RestartWal => restart_wal = true,
                WriteMsg::Stop(ack) => {
                    stop = Some(ack);
                    break;
                }
            }
            if batch.cases.len() < max_batch {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let started = Instant::now();
            let result = store.insert_batch(&batch.cases, &batch.origins, &batch.actions);
            let txn = started.elapsed();
            live.metrics.store_write.observe(txn);
            match result {
                Ok(n) => {
                    live.metrics
                        .cases_written
                        .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                    let group = acks.len();
                    for (ack, sent) in acks.drain(..) {
                        let _ = ack.send(Ok(Written {
                            inserted: n,
                            queued: started.saturating_duration_since(sent),
                            txn,
                            group,
                        }));
                    }
                }
                Err(e) => {
                    live.metrics
                        .store_errors
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::error!(error = %e, cases = batch.cases.len(), "review store write failed");
                    let msg = format!("the review store could not be written ({e}); retry");
                    for (ack, _) in acks.drain(..) {
                        let _ = ack.send(Err(StoreFailed(msg.clone())));
                    }
                }
            }
            batch = Batch::default();
        }
        if !updates.is_empty() {
            let r = store.update_actions(&updates).map_err(|e| {
                tracing::error!(error = %e, "cannot record action results");
                StoreFailed(e.to_string())
            });
            for ack in update_acks.drain(..) {
                let _ = ack.send(r.clone());
            }
            updates.clear();
        }
        if std::mem::take(&mut restart_wal) && stop.is_none() {
            // Only this connection writes, so this PASSIVE checkpoint catches up with every
            // commit; it copies what was committed since the checkpoint thread's run.
            let started = Instant::now();
            let r = store.checkpoint_passive();
            let took = started.elapsed();
            live.metrics.wal_restart.observe(took);
            if crate::metrics::slow_ms().is_some_and(|ms| took.as_secs_f64() * 1e3 >= ms) {
                tracing::info!(
                    target: "jaga::slow",
                    took_ms = took.as_secs_f64() * 1e3,
                    "slow WAL restart checkpoint (on the writer)"
                );
            }
            if let Err(e) = r {
                tracing::warn!(error = %e, "WAL checkpoint on the writer failed; retrying later");
            }
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

/// A checkpoint pass this short leaves the writer little to copy: stop catching up.
const CATCH_UP: Duration = Duration::from_millis(5);

/// How long a client should wait before retrying a refused batch.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);
