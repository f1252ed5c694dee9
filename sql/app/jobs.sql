-- Durable jobs (docs/workflow.md): enqueued in the transaction of the change that causes them,
-- NOTIFY kea_jobs as a wake-up only; claimed by workers through sql/worker/jobs.sql.

-- Enqueues a job; a unique key already taken (the side effect is queued or done) is a no-op
-- and returns null. The NOTIFY is delivered at commit, folded to one per kind.
create function app.enqueue(p_merchant_id bigint, p_kind text, p_args jsonb default '{}',
                            p_unique_key text default null, p_run_at timestamptz default null,
                            p_priority integer default 2, p_max_attempts integer default 12)
returns bigint
language plpgsql as $$
declare
    v_id bigint;
begin
    if p_unique_key is not null and exists (
        select 1 from app.jobs where merchant_id = p_merchant_id and unique_key = p_unique_key) then
        return null;
    end if;
    insert into app.jobs (merchant_id, kind, args, unique_key, run_at, priority, max_attempts)
    values (p_merchant_id, p_kind, coalesce(p_args, '{}'), p_unique_key,
            coalesce(p_run_at, now()), p_priority, p_max_attempts)
    on conflict (merchant_id, unique_key) where unique_key is not null do nothing
    returning id into v_id;
    if v_id is not null then
        perform pg_notify('kea_jobs', p_kind);
    end if;
    return v_id;
end
$$;

-- Seconds before attempt n+1: 2^n, at most an hour, plus up to 30% jitter so that jobs that
-- failed together do not come back together.
create function app.job_backoff(p_attempt integer) returns double precision
language sql volatile as $$
    select least(3600.0, power(2, greatest(p_attempt, 1))) * (1 + random() * 0.3)
$$;

-- Re-runs a dead, cancelled or completed job from SQL (after fixing what made it fail).
create function app.retry_job(p_job_id bigint) returns text
language plpgsql as $$
declare
    v_state text;
begin
    update app.jobs
       set state = 'available', run_at = now(), finished_at = null,
           max_attempts = greatest(max_attempts, attempt + 1)
     where id = p_job_id and state in ('dead', 'cancelled', 'completed')
    returning state into v_state;
    if v_state is null then
        raise exception 'job % is not dead, cancelled or completed', p_job_id using errcode = 'KJ409';
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
create function app.schedule_periodic() returns void
language sql as $$
    select app.enqueue(0, 'sweep_calls', '{}',
                       'sweep_calls:' || (extract(epoch from now())::bigint / 300)::text,
                       null, 3, 3)
     where not exists (select 1 from app.jobs
                        where merchant_id = 0
                          and unique_key = 'sweep_calls:' || (extract(epoch from now())::bigint / 300)::text)
$$;

-- Finished jobs are kept a week for inspection; dead ones until someone looks at them.
create function app.prune_jobs() returns integer
language sql as $$
    with gone as (
        delete from app.jobs
         where state in ('completed', 'cancelled') and finished_at < now() - interval '7 days'
        returning 1)
    select count(*)::int from gone
$$;
