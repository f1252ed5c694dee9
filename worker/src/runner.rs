//! The worker's loop: claim in batches up to the free handler slots (plus the prefetch: a local
//! queue of claimed jobs held ready), run handlers concurrently,
//! keep leases alive, complete successes in batches, sleep until a notification, the next
//! scheduled job or the fallback poll, and stop gracefully.
//!
//! Delivery is at least once: a job whose worker dies comes back when its lease expires, and
//! every handler's side effect carries what lets the other side recognise a repeat.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use tokio::sync::{mpsc, watch, Notify, Semaphore};
use tokio::task::JoinSet;

use crate::backoff::Backoff;
use crate::handlers::{self, Ctx, Outcome};
use crate::metrics::{kind, Metrics};
use crate::queue::{Job, QueueError};

/// Completions sent in one `worker.complete` call at most.
const MAX_COMPLETE_BATCH: usize = 1000;
/// Shortest sleep when the database says a job is due but none could be claimed (another
/// worker holds it in its claim transaction).
const MIN_SLEEP: Duration = Duration::from_millis(10);

/// How the runner behaves (from [`crate::Config`]).
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Handlers at once.
    pub concurrency: usize,
    /// Most jobs one claim asks for.
    pub max_batch: usize,
    /// Claimed jobs held ready beyond the free handler slots (a local queue, as
    /// graphile-worker's `localQueue`): a claim then fetches a batch even at concurrency 1.
    /// They are leased and heartbeated like running ones, and given back at shutdown.
    pub prefetch: usize,
    pub lease: Duration,
    pub poll: Duration,
    /// How long shutdown waits for running handlers.
    pub shutdown_grace: Duration,
    /// Longest a handler may run: its heartbeats would otherwise keep a hung job leased
    /// forever.
    pub job_timeout: Duration,
}

/// A job this worker holds: whether its side effect may have started, and until when its
/// lease is known to be kept (measured from when the claim or heartbeat that set it was
/// sent, so never later than the database's `locked_until`).
pub struct Held {
    touched: AtomicBool,
    until: Mutex<Instant>,
}

impl Held {
    fn lease_until(&self) -> Instant {
        *self.until.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn extend(&self, until: Instant) {
        let mut u = self.until.lock().unwrap_or_else(|p| p.into_inner());
        *u = (*u).max(until);
    }
    /// Set once a request with a side effect may have left.
    pub fn touched(&self) -> &AtomicBool {
        &self.touched
    }
}

/// Jobs this worker holds.
#[derive(Default)]
struct InFlight(Mutex<HashMap<i64, Arc<Held>>>);

impl InFlight {
    fn insert(&self, id: i64, lease_until: Instant) -> Arc<Held> {
        let held = Arc::new(Held {
            touched: AtomicBool::new(false),
            until: Mutex::new(lease_until),
        });
        self.lock().insert(id, held.clone());
        held
    }
    fn remove(&self, ids: &[i64]) {
        let mut m = self.lock();
        for id in ids {
            m.remove(id);
        }
    }
    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
    /// A heartbeat sent at `sent` extended every lease this worker holds to `sent + lease`.
    fn renewed(&self, until: Instant) {
        for held in self.lock().values() {
            held.extend(until);
        }
    }
    fn drain(&self) -> Vec<(i64, bool)> {
        self.lock()
            .drain()
            .map(|(id, t)| (id, t.touched.load(Ordering::SeqCst)))
            .collect()
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Held>>> {
        // A panic in a handler cannot leave the map half-written: every use is one call.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// How long before its lease ends a handler whose lease could not be renewed is stopped:
/// a quarter of the lease, so two heartbeats (every third of it) must have failed first.
fn lease_margin(lease: Duration) -> Duration {
    lease / 4
}

/// Resolves when `held`'s lease is about to end (`margin` before), unless heartbeats keep
/// moving it: after that moment another worker may claim the job, and two runs of one side
/// effect at once is what the lease exists to prevent.
async fn lease_ending(held: &Held, margin: Duration) {
    loop {
        let stop_at = held
            .lease_until()
            .checked_sub(margin)
            .unwrap_or_else(Instant::now);
        if Instant::now() >= stop_at {
            return;
        }
        tokio::time::sleep_until(stop_at.into()).await;
    }
}

/// Resolves once `stop` is true (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// Runs jobs until `stop` turns true, then shuts down gracefully: no more claims, running
/// handlers get `shutdown_grace` to finish, completions are flushed, and what is left is
/// given back (`worker.release`), or, when its request may have reached the other side,
/// failed for an immediate retry so that the next attempt counts (and an SMS retry looks the
/// message up before sending).
pub async fn run(
    ctx: Arc<Ctx>,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
    config: RunnerConfig,
    mut stop: watch::Receiver<bool>,
) {
    let lease_s = config.lease.as_secs_f32();
    let slots = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let slot_freed = Arc::new(Notify::new());
    let inflight = Arc::new(InFlight::default());
    let (done_tx, done_rx) = mpsc::unbounded_channel::<(i64, String)>();
    let completer = tokio::spawn(complete_batches(
        ctx.clone(),
        metrics.clone(),
        inflight.clone(),
        done_rx,
    ));
    let (beat_stop_tx, beat_stop) = watch::channel(false);
    let heartbeats = tokio::spawn(heartbeat(
        ctx.clone(),
        metrics.clone(),
        inflight.clone(),
        config.lease,
        beat_stop,
    ));
    let margin = lease_margin(config.lease);
    let mut tasks = JoinSet::new();
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));

    // Claimed and not started yet.
    let mut queued: VecDeque<(Job, Arc<Held>)> = VecDeque::new();
    'claiming: loop {
        while tasks.try_join_next().is_some() {}
        while !queued.is_empty() {
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                break;
            };
            let (job, held) = queued.pop_front().expect("not empty");
            if Instant::now() + margin >= held.lease_until() {
                // Held ready while the heartbeats failed: its lease may be another's by now.
                lease_lost(&metrics, &job);
                inflight.remove(&[job.id]);
                continue;
            }
            let (ctx, metrics, inflight) = (ctx.clone(), metrics.clone(), inflight.clone());
            let (done_tx, slot_freed) = (done_tx.clone(), slot_freed.clone());
            let limit = config.job_timeout;
            tasks.spawn(async move {
                run_one(
                    &ctx, &metrics, &inflight, &done_tx, job, &held, limit, margin,
                )
                .await;
                drop(permit);
                slot_freed.notify_one();
            });
        }
        if *stop.borrow() {
            break;
        }
        let room = (slots.available_permits() + config.prefetch).saturating_sub(queued.len());
        // With work in hand and no slot free, refill the local queue only once it is half
        // empty: a claim per freed slot would cost a round trip per job.
        let refill_later = queued.len() > config.prefetch / 2 && slots.available_permits() == 0;
        if room == 0 || refill_later {
            tokio::select! {
                _ = slot_freed.notified() => continue,
                _ = stopped(&mut stop) => break,
            }
        }
        let want = room.min(config.max_batch.max(1));
        let sent = Instant::now();
        let jobs = match ctx.queue.claim(want, lease_s).await {
            Ok(jobs) => {
                metrics.claims.inc();
                backoff.reset();
                jobs
            }
            Err(e) => {
                metrics.db_errors.inc();
                let delay = backoff.next_delay();
                tracing::warn!(error = %e.describe(), retry_in_ms = delay.as_millis() as u64, "claim failed");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => continue,
                    _ = stopped(&mut stop) => break,
                }
            }
        };
        let got = jobs.len();
        for job in jobs {
            metrics.claimed.get_or_create(&kind(&job.kind)).inc();
            let held = inflight.insert(job.id, sent + config.lease);
            queued.push_back((job, held));
        }
        if got == want || (got > 0 && slots.available_permits() > 0) {
            // A full batch (there may be more due right now), or jobs to start at once.
            continue;
        }
        if !queued.is_empty() {
            // Nothing more is due, but there is work in hand: start it as slots free up.
            tokio::select! {
                _ = slot_freed.notified() => continue,
                _ = stopped(&mut stop) => break 'claiming,
            }
        }
        let sleep = match ctx.queue.next_due().await {
            Ok(Some(due)) => due.clamp(MIN_SLEEP, config.poll),
            Ok(None) => config.poll,
            Err(e) => {
                metrics.db_errors.inc();
                tracing::debug!(error = %e.describe(), "next_due failed");
                config.poll
            }
        };
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(sleep) => {
                metrics.polls.inc();
            }
            _ = stopped(&mut stop) => break 'claiming,
        }
    }

    tracing::info!(
        running = tasks.len(),
        grace_s = config.shutdown_grace.as_secs_f32(),
        "stopping: no more claims"
    );
    let drained = tokio::time::timeout(config.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            running = tasks.len(),
            "handlers still running after the grace period: stopping them"
        );
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    drop(done_tx);
    let _ = completer.await;
    give_back(&ctx, &metrics, inflight.drain()).await;
    let _ = beat_stop_tx.send(true);
    let _ = heartbeats.await;
    tracing::info!("stopped");
}

/// Runs one job's handler and records its end (unless it is batched for completion).
#[allow(clippy::too_many_arguments)]
async fn run_one(
    ctx: &Ctx,
    metrics: &Metrics,
    inflight: &InFlight,
    done: &mpsc::UnboundedSender<(i64, String)>,
    job: Job,
    held: &Held,
    limit: Duration,
    margin: Duration,
) {
    let started = Instant::now();
    // A panic or a hang is the handler's bug, not the job's end: the job is retried (and the
    // slot, the lease and the in-flight entry are not leaked).
    let guarded = AssertUnwindSafe(handlers::handle(ctx, &job, held.touched())).catch_unwind();
    let guarded = tokio::time::timeout(limit, guarded);
    let result = tokio::select! {
        r = guarded => match r {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Ok(Outcome::retry("the handler panicked", None)),
            Err(_) => Ok(Outcome::retry(
                format!("the handler ran over {} s", limit.as_secs()),
                None,
            )),
        },
        // The heartbeats could not renew the lease: stop before another worker may take the
        // job, so that its run is the only one. The database is likely out of reach: the
        // failure is recorded if it answers in time, else the lease brings the job back.
        _ = lease_ending(held, margin) => {
            metrics.lease_lost.get_or_create(&kind(&job.kind)).inc();
            tracing::warn!(job = job.id, kind = job.kind, "the lease could not be renewed: handler stopped");
            let fail = ctx.queue.fail(job.id, "the worker could not renew its lease", true, None);
            let _ = tokio::time::timeout(margin, fail).await;
            inflight.remove(&[job.id]);
            return;
        }
    };
    metrics
        .handler_seconds
        .get_or_create(&kind(&job.kind))
        .observe(started.elapsed().as_secs_f64());
    let failure = match result {
        Ok(Outcome::Complete) => {
            // Stays in flight (its lease kept alive) until the batch is committed.
            if done.send((job.id, job.kind.clone())).is_ok() {
                return;
            }
            None
        }
        Ok(Outcome::Recorded(state)) => {
            metrics.ended(&job.kind, &state);
            None
        }
        Ok(Outcome::Failed {
            error,
            retry,
            retry_after_s,
        }) => Some((error, retry, retry_after_s)),
        Err(QueueError::LeaseLost(_)) => {
            lease_lost(metrics, &job);
            None
        }
        // The database failed mid-job: record a retry if it is back; else the lease expires
        // and the job comes back anyway.
        Err(e) => {
            metrics.db_errors.inc();
            Some((e.describe(), true, None))
        }
    };
    if let Some((error, retry, after)) = failure {
        match ctx.queue.fail(job.id, &error, retry, after).await {
            Ok(state) => {
                tracing::warn!(
                    job = job.id,
                    kind = job.kind,
                    attempt = job.attempt,
                    state,
                    error,
                    "job failed"
                );
                metrics.ended(&job.kind, &state);
            }
            Err(QueueError::LeaseLost(_)) => lease_lost(metrics, &job),
            Err(e) => {
                metrics.db_errors.inc();
                tracing::warn!(job = job.id, error = %e.describe(), "could not record a failure; the lease will bring the job back");
            }
        }
    }
    inflight.remove(&[job.id]);
}

fn lease_lost(metrics: &Metrics, job: &Job) {
    tracing::warn!(
        job = job.id,
        kind = job.kind,
        "lease lost: another worker has the job"
    );
    metrics.lease_lost.get_or_create(&kind(&job.kind)).inc();
}

/// Completes finished jobs in batches: whatever arrived while the previous batch was being
/// committed goes in the next one.
async fn complete_batches(
    ctx: Arc<Ctx>,
    metrics: Arc<Metrics>,
    inflight: Arc<InFlight>,
    mut done: mpsc::UnboundedReceiver<(i64, String)>,
) {
    while let Some(first) = done.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_COMPLETE_BATCH {
            match done.try_recv() {
                Ok(d) => batch.push(d),
                Err(_) => break,
            }
        }
        let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
        let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_secs(2));
        for tries_left in (0..5).rev() {
            match ctx.queue.complete(&ids).await {
                Ok(n) => {
                    for (_, k) in &batch[..(n.max(0) as usize).min(batch.len())] {
                        metrics.completed.get_or_create(&kind(k)).inc();
                    }
                    for (_, k) in &batch[(n.max(0) as usize).min(batch.len())..] {
                        metrics.lease_lost.get_or_create(&kind(k)).inc();
                    }
                    break;
                }
                Err(e) => {
                    metrics.db_errors.inc();
                    tracing::warn!(error = %e.describe(), jobs = ids.len(), tries_left, "completing failed");
                    if tries_left > 0 {
                        tokio::time::sleep(backoff.next_delay()).await;
                    }
                }
            }
        }
        inflight.remove(&ids);
    }
}

/// Extends the leases of the jobs in flight every third of the lease. A heartbeat that has
/// not answered by the next one is abandoned (the connection may be gone without a word), and
/// the leases it would have renewed are not counted as renewed.
async fn heartbeat(
    ctx: Arc<Ctx>,
    metrics: Arc<Metrics>,
    inflight: Arc<InFlight>,
    lease: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let every = (lease / 3).max(Duration::from_millis(30));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if !inflight.is_empty() {
                    let sent = Instant::now();
                    match tokio::time::timeout(every, ctx.queue.heartbeat(lease.as_secs_f32())).await {
                        Ok(Ok(_)) => inflight.renewed(sent + lease),
                        Ok(Err(e)) => {
                            metrics.db_errors.inc();
                            tracing::warn!(error = %e.describe(), "heartbeat failed");
                        }
                        Err(_) => {
                            metrics.db_errors.inc();
                            tracing::warn!(waited_ms = every.as_millis() as u64, "heartbeat unanswered");
                        }
                    }
                }
            }
            _ = stopped(&mut stop) => return,
        }
    }
}

/// Shutdown: jobs not finished are given back. One whose request may have been received is
/// failed for an immediate retry instead: `worker.release` does not count the attempt, and
/// the next attempt must know it is not the first.
async fn give_back(ctx: &Ctx, metrics: &Metrics, left: Vec<(i64, bool)>) {
    let (touched, untouched): (Vec<_>, Vec<_>) = left.into_iter().partition(|(_, t)| *t);
    let untouched: Vec<i64> = untouched.into_iter().map(|(id, _)| id).collect();
    if !untouched.is_empty() {
        match ctx.queue.release(&untouched).await {
            Ok(n) => {
                metrics.released.inc_by(n.max(0) as u64);
                tracing::info!(jobs = n, "released");
            }
            Err(e) => {
                tracing::warn!(error = %e.describe(), "release failed; the leases will expire")
            }
        }
    }
    for (id, _) in touched {
        let r = ctx
            .queue
            .fail(id, "the worker stopped during the request", true, Some(0.0))
            .await;
        if let Err(e) = r {
            tracing::warn!(job = id, error = %e.describe(), "could not give the job back; its lease will expire");
        }
    }
}
