-- Why: app.jobs holds the work to do, and a completed job leaves it (docs/workflow.md, "Durable
-- jobs"; scripts/bench jobs, docs/benchmarks.md "Jobs"). Each job row was written three times
-- in its life (insert, claim, completion), and each non-HOT update added entries to three
-- indexes. Now:
-- - a completed job is moved to app.jobs_done, append-only, kept a week (app.prune_jobs), with
--   BRIN indexes only (by id and by finish time), which cost next to nothing to maintain;
-- - side effects' unique keys live in app.job_keys, so a key outlives its job's move (a POS
--   ticket or a text is never queued twice, whatever became of the first job);
-- - app.jobs is keyed by id alone: the queue is not tenant data (merchant 0 holds the sweeps),
--   claims lock across merchants, so on Citus it stays a local table of the coordinator, as
--   the queue tables of River or pgmq would. The (merchant_id, id) key and the separate unique
--   id index were the same key twice.
set role kea_owner;

create table app.jobs_done (
    merchant_id   bigint not null,
    id            bigint not null,
    kind          text not null,
    args          jsonb not null,
    state         text not null default 'completed' check (state = 'completed'),
    priority      smallint not null,
    run_at        timestamptz not null,
    attempt       integer not null,
    max_attempts  integer not null,
    unique_key    text,
    -- The worker that completed it.
    locked_by     text,
    locked_until  timestamptz,
    attempted_at  timestamptz,
    errors        jsonb not null,
    created_at    timestamptz not null,
    finished_at   timestamptz not null
);
-- Rows arrive in completion order: ids and finish times grow with the heap, which is what a
-- BRIN index summarises well (a look-up by id reads a few pages; pruning by time, a range).
create index jobs_done_id on app.jobs_done using brin (id);
create index jobs_done_finished on app.jobs_done using brin (finished_at);
alter table app.jobs_done enable row level security;

create table app.job_keys (
    merchant_id  bigint not null,
    unique_key   text not null,
    job_id       bigint not null,
    created_at   timestamptz not null default now(),
    primary key (merchant_id, unique_key)
);
-- What app.prune_jobs looks for: keys older than 30 days (rows arrive in time order).
create index job_keys_created on app.job_keys using brin (created_at);
alter table app.job_keys enable row level security;

insert into app.job_keys (merchant_id, unique_key, job_id, created_at)
select merchant_id, unique_key, id, created_at from app.jobs where unique_key is not null;

with done as (delete from app.jobs where state = 'completed' returning *)
insert into app.jobs_done (merchant_id, id, kind, args, priority, run_at, attempt, max_attempts,
                           unique_key, locked_by, locked_until, attempted_at, errors, created_at,
                           finished_at)
select merchant_id, id, kind, args, priority, run_at, attempt, max_attempts, unique_key,
       locked_by, locked_until, attempted_at, errors, created_at, coalesce(finished_at, now())
  from done order by id;

-- A completed job is never in app.jobs.
alter table app.jobs drop constraint jobs_state_check;
alter table app.jobs add constraint jobs_state_check
    check (state in ('available', 'running', 'retryable', 'dead', 'cancelled'));

drop index app.jobs_unique_key;
alter table app.jobs drop constraint jobs_pkey;
alter table app.jobs drop constraint jobs_id_key;
alter table app.jobs add primary key (id);

reset role;
