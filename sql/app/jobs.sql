-- Durable jobs (docs/workflow.md): enqueued in the transaction of the change that causes them,
-- NOTIFY kea_jobs as a wake-up only; claimed by workers through sql/worker/jobs.sql.

-- Enqueues a job; a unique key already taken (the side effect is queued, done or dead) is a
-- no-op and returns null. The key is taken in app.job_keys, which outlives the job's move to
-- app.jobs_done: a concurrent enqueue of the same key waits for this transaction, then sees it.
-- The NOTIFY is delivered at commit, folded to one per kind.
create function app.enqueue(p_merchant_id bigint, p_kind text, p_args jsonb default '{}',
                            p_unique_key text default null, p_run_at timestamptz default null,
                            p_priority integer default 2, p_max_attempts integer default 12)
returns bigint
language plpgsql as $$
declare
    v_id bigint := nextval('app.jobs_id_seq');
begin
    if p_unique_key is not null then
        insert into app.job_keys (merchant_id, unique_key, job_id)
        values (p_merchant_id, p_unique_key, v_id)
        on conflict (merchant_id, unique_key) do nothing;
        if not found then
            return null;
        end if;
    end if;
    insert into app.jobs (merchant_id, id, kind, args, unique_key, run_at, priority, max_attempts)
    overriding system value
    values (p_merchant_id, v_id, p_kind, coalesce(p_args, '{}'), p_unique_key,
            coalesce(p_run_at, now()), p_priority, p_max_attempts);
    perform pg_notify('kea_jobs', p_kind);
    return v_id;
end
$$;

-- The job holding a side effect's key, wherever it is now (queued, dead, or done).
create function app.job_for_key(p_merchant_id bigint, p_unique_key text) returns bigint
language sql stable as $$
    select job_id from app.job_keys where merchant_id = p_merchant_id and unique_key = p_unique_key
$$;

-- Every job, done or not, for people and tests (app.jobs holds only what is left to do, and
-- dead or cancelled jobs).
create view app.jobs_all as
select merchant_id, id, kind, args, state, priority, run_at, attempt, max_attempts, unique_key,
       locked_by, locked_until, attempted_at, errors, created_at, finished_at
  from app.jobs
union all
select merchant_id, id, kind, args, state, priority, run_at, attempt, max_attempts, unique_key,
       locked_by, locked_until, attempted_at, errors, created_at, finished_at
  from app.jobs_done;

-- Seconds before attempt n+1: 2^n, at most an hour, plus up to 30% jitter so that jobs that
-- failed together do not come back together.
create function app.job_backoff(p_attempt integer) returns double precision
language sql volatile as $$
    select least(3600.0, power(2, greatest(p_attempt, 1))) * (1 + random() * 0.3)
$$;

-- Re-runs a dead or cancelled job from SQL (after fixing what made it fail). A completed job is
-- not re-run: its side effect happened; enqueue a new job for a new one.
create function app.retry_job(p_job_id bigint) returns text
language plpgsql as $$
declare
    v_state text;
begin
    update app.jobs
       set state = 'available', run_at = now(), finished_at = null,
           max_attempts = greatest(max_attempts, attempt + 1)
     where id = p_job_id and state in ('dead', 'cancelled')
    returning state into v_state;
    if v_state is null then
        raise exception 'job % is not dead or cancelled', p_job_id using errcode = 'KJ409',
            hint = 'a completed job is in app.jobs_done and is not re-run';
    end if;
    perform pg_notify('kea_jobs', (select kind from app.jobs where id = p_job_id));
    return v_state;
end
$$;

-- Cancels a job that has not started (a running job finishes what it is doing).
create function app.cancel_job(p_job_id bigint) returns boolean
language sql as $$
    update app.jobs set state = 'cancelled', finished_at = now()
     where id = p_job_id and state in ('available', 'retryable')
    returning true
$$;

-- What a dead job leaves behind: a POS delivery that can never succeed fails the order and
-- asks a person to sort it out (an escalation task).
create function app.on_job_dead(j app.jobs) returns void
language plpgsql as $$
declare
    v_order bigint := (j.args->>'order_id')::bigint;
begin
    if j.kind = 'pos_order' then
        perform app.act_as('worker', j.locked_by, 'the POS refused the order: '
                           || coalesce(j.errors->-1->>'error', 'no more attempts'));
        update app.orders set status = 'failed'
         where merchant_id = j.merchant_id and id = v_order and status in ('verified', 'sent_to_pos');
        perform app.create_task(j.merchant_id, v_order, 'escalation');
    end if;
end
$$;

-- The periodic jobs, enqueued at most once per period whoever asks (every worker does, on each
-- poll): stale calls are swept and old finished jobs pruned every 5 minutes.
-- The look-up first: app.enqueue alone would take a job id and try the key on every poll.
create function app.schedule_periodic() returns void
language sql as $$
    select app.enqueue(0, 'sweep_calls', '{}', p.key, null, 3, 3)
      from (select 'sweep_calls:' || (extract(epoch from now())::bigint / 300)::text as key) p
     where app.job_for_key(0, p.key) is null
$$;

-- Completed and cancelled jobs are kept a week for inspection, dead ones until someone looks at
-- them; a unique key is kept 30 days after its job is gone from app.jobs (by then its order is
-- long closed, and its status machine refuses a second side effect anyway).
create function app.prune_jobs() returns integer
language sql as $$
    with done as (
        delete from app.jobs_done where finished_at < now() - interval '7 days'
        returning 1),
    cancelled as (
        delete from app.jobs where state = 'cancelled' and finished_at < now() - interval '7 days'
        returning 1),
    keys as (
        delete from app.job_keys k
         where created_at < now() - interval '30 days'
           and not exists (select 1 from app.jobs j where j.id = k.job_id)
        returning 1)
    select ((select count(*) from done) + (select count(*) from cancelled))::int
$$;
