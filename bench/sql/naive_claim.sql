-- The naive job loop, baseline of `scripts/bench jobs` (pgbench, one iteration per job): one
-- job claimed with SKIP LOCKED in one transaction, completed in another, on the same app.jobs
-- table and index as kea's workers. Completion moves the row to app.jobs_done, as
-- worker.complete does (a completed job leaves app.jobs). A claim that finds nothing gives
-- job 0 (completes nothing).
with claimed as (
    update app.jobs j
       set state = 'running', attempt = j.attempt + 1, locked_by = 'naive',
           attempted_at = clock_timestamp(), locked_until = now() + interval '10 s'
     where j.id = (select y.id from app.jobs y
                    where y.state in ('available', 'retryable') and y.run_at <= now()
                    order by y.priority, y.run_at, y.id
                    limit 1
                    for update skip locked)
    returning j.id)
select coalesce((select id from claimed), 0) as job_id \gset
with d as (
    delete from app.jobs where id = :job_id and state = 'running' and locked_by = 'naive'
    returning *)
insert into app.jobs_done (merchant_id, id, kind, args, priority, run_at, attempt, max_attempts,
                           unique_key, locked_by, attempted_at, errors, created_at, finished_at)
select merchant_id, id, kind, args, priority, run_at, attempt, max_attempts, unique_key,
       locked_by, attempted_at, errors, created_at, now()
  from d;
