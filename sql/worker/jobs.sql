-- The worker's side of the job queue (docs/workflow.md): claim in batches with SKIP LOCKED,
-- leases kept alive by heartbeats, batched completion, failure with backoff, release on
-- shutdown. Each is one short transaction. Security definer: kea_worker may only call these.

-- Claims up to p_max jobs: due ones by priority, run_at and id, and running ones whose lease
-- expired (their worker died). A job rescued after its last attempt is dead instead.
--
-- Performance (scripts/bench jobs, docs/benchmarks.md "Jobs"):
-- - The claim commits without waiting for its WAL flush (synchronous_commit off for this
--   transaction). A claim lost in a server crash leaves the job as it was, so it is claimed
--   again: the same as a worker dying before it finished, which leases and idempotency keys
--   already cover (only that attempt is not counted). Whatever the worker does next with the
--   job (complete, fail, pos_delivered...) commits synchronously and flushes the claim with it.
--   Call it as its own transaction: the setting holds until the end of the caller's.
-- - Every statement finds its rows without estimates: the locking subquery's ctids, as an
--   array, are read straight from the heap (a TID scan; the rows are locked, so no one moves
--   them before the update), so the plans are generic: planned once per connection instead
--   of on every call, and no index is searched a second time.
-- - Expired leases are found with one scan of jobs_leases, not one per outcome.
create function worker.claim(p_worker text, p_max integer, p_lease_s real)
returns table (merchant_id bigint, id bigint, kind text, args jsonb, attempt integer,
               max_attempts integer, unique_key text)
language plpgsql security definer set search_path = pg_catalog, public
set plan_cache_mode = force_generic_plan as $$
#variable_conflict use_column
declare
    j app.jobs;
    v_dead tid[];
    v_expired tid[];
    v_rescued integer := 0;
    -- The claim's time as a value: Citus refuses a volatile function in an UPDATE of its tables
    -- (app.jobs is one on Citus, on the coordinator).
    v_now timestamptz := clock_timestamp();
    v_start timestamptz := now();
    v_error jsonb;
begin
    perform set_config('synchronous_commit', 'off', true);
    select array_agg(e.ctid) filter (where e.attempt >= e.max_attempts),
           array_agg(e.ctid) filter (where e.attempt < e.max_attempts)
      into v_dead, v_expired
      from (select y.ctid, y.attempt, y.max_attempts from app.jobs y
             where y.state = 'running' and y.locked_until < now()
             order by y.locked_until
             limit p_max
             for update skip locked) e;
    if v_dead is not null then
        -- One at a time, each error a value: Citus refuses a stable function (jsonb_build_object)
        -- of a column in an UPDATE of its tables. Dead jobs are rare.
        for j in select * from app.jobs x where x.ctid = any (v_dead) loop
            v_error := jsonb_build_object('attempt', j.attempt, 'at', v_start,
                           'error', format('worker %s lost its lease on the last attempt', j.locked_by));
            update app.jobs x set state = 'dead', finished_at = now(), errors = x.errors || v_error
             where x.merchant_id = j.merchant_id and x.id = j.id
            returning x.* into j;
            perform app.on_job_dead(j);
        end loop;
    end if;
    -- Rescued jobs first, so a steady stream of new work never starves them.
    if v_expired is not null then
        return query
        update app.jobs x
           set attempt = x.attempt + 1, locked_by = p_worker, attempted_at = v_now,
               locked_until = now() + make_interval(secs => p_lease_s)
         where x.ctid = any (v_expired)
        returning x.merchant_id, x.id, x.kind, x.args, x.attempt, x.max_attempts, x.unique_key;
        get diagnostics v_rescued = row_count;
        if v_rescued >= p_max then
            return;
        end if;
    end if;
    return query
    update app.jobs x
       set state = 'running', attempt = x.attempt + 1, locked_by = p_worker,
           attempted_at = v_now, locked_until = now() + make_interval(secs => p_lease_s)
     where x.ctid = any (array(select y.ctid from app.jobs y
                              where y.state in ('available', 'retryable') and y.run_at <= now()
                              order by y.priority, y.run_at, y.id
                              limit p_max - v_rescued
                              for update skip locked))
    returning x.merchant_id, x.id, x.kind, x.args, x.attempt, x.max_attempts, x.unique_key;
end
$$;

-- Extends the lease of every job this worker holds.
create function worker.heartbeat(p_worker text, p_lease_s real) returns integer
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    n integer;
begin
    -- plpgsql, not sql: Citus plans this with the parameters' values only (docs/scaling.md).
    update app.jobs set locked_until = now() + make_interval(secs => p_lease_s)
     where state = 'running' and locked_by = p_worker;
    get diagnostics n = row_count;
    return n;
end
$$;

-- Completion, batched: the jobs this worker still holds (a lost lease is someone else's now)
-- move to app.jobs_done, p_note merged into their args (what the handler learnt: a POS answer,
-- a message sid). One statement: the delete's rows are the insert's.
-- `(state = 'running') is true` (state is never null) keeps the planner on the primary key:
-- with `state = 'running'` it chose jobs_leases, whose dead entries (every job claimed since the
-- last vacuum) it then read on each call, 1.4 ms instead of 0.24 ms for 16 ids.
create function worker.complete(p_worker text, p_ids bigint[], p_note jsonb default '{}')
returns integer
language plpgsql security definer set search_path = pg_catalog, public as $$
#variable_conflict use_column
declare
    n integer;
begin
    -- plpgsql, not sql: Citus plans this with the parameters' values only (docs/scaling.md).
    with done as (
        delete from app.jobs
         where id = any (p_ids) and (state = 'running') is true and locked_by = p_worker
        returning *),
    kept as (
        insert into app.jobs_done (merchant_id, id, kind, args, priority, run_at, attempt,
                                   max_attempts, unique_key, locked_by, attempted_at, errors,
                                   created_at, finished_at)
        select merchant_id, id, kind, args || p_note, priority, run_at, attempt, max_attempts,
               unique_key, locked_by, attempted_at, errors, created_at, now()
          from done
        returning 1)
    select count(*)::int into n from kept;
    return n;
end
$$;

-- The job this worker holds, locked; KJ404 when it lost the lease.
create function worker.held(p_worker text, p_id bigint) returns app.jobs
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    j app.jobs;
begin
    select * into j from app.jobs where id = p_id and state = 'running' and locked_by = p_worker
       for update;
    if j.id is null then
        raise exception 'job % is not held by worker %', p_id, p_worker
            using errcode = 'KJ404', hint = 'its lease expired and another worker took it';
    end if;
    return j;
end
$$;

-- A failed attempt: retryable after a backoff (or p_retry_after_s), or dead when p_retry is
-- false or no attempts are left. Returns the new state.
create function worker.fail(p_worker text, p_id bigint, p_error text, p_retry boolean default true,
                            p_retry_after_s real default null)
returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    j app.jobs := worker.held(p_worker, p_id);
    v_dead boolean := not p_retry or j.attempt >= j.max_attempts;
    -- The backoff, the error and the end as values: Citus refuses a volatile function (the
    -- backoff's jitter), or one not immutable in a CASE or beside a column, in an UPDATE of its
    -- tables.
    v_retry_at timestamptz := now() + make_interval(secs => coalesce(p_retry_after_s,
                                                                     app.job_backoff(j.attempt)));
    v_error jsonb := jsonb_build_object('attempt', j.attempt, 'at', now(), 'error', left(p_error, 2000));
    v_finished timestamptz := case when v_dead then now() end;
begin
    update app.jobs
       set state = case when v_dead then 'dead' else 'retryable' end,
           run_at = case when v_dead then run_at else v_retry_at end,
           finished_at = v_finished,
           locked_until = null,
           errors = errors || v_error
     where id = p_id
    returning * into j;
    if v_dead then
        perform app.on_job_dead(j);
    end if;
    return j.state;
end
$$;

-- Gives jobs back without counting the attempt (a worker shutting down).
create function worker.release(p_worker text, p_ids bigint[]) returns integer
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v_kind text;
    n integer := 0;
begin
    -- plpgsql, not sql: Citus plans this with the parameters' values only (docs/scaling.md).
    for v_kind in
        update app.jobs set state = 'available', attempt = greatest(attempt - 1, 0),
                            locked_by = null, locked_until = null, run_at = now()
         where id = any (p_ids) and state = 'running' and locked_by = p_worker
        returning kind
    loop
        perform pg_notify('kea_jobs', v_kind);
        n := n + 1;
    end loop;
    return n;
end
$$;

-- When the next job falls due (a scheduled job, a retry, a lease running out): the worker
-- sleeps until then or a notification, whichever is first. Also asks for the periodic jobs.
create function worker.next_due() returns timestamptz
language plpgsql security definer set search_path = pg_catalog, public as $$
begin
    perform app.schedule_periodic();
    return least(
        (select min(run_at) from app.jobs where state in ('available', 'retryable')),
        (select min(locked_until) from app.jobs where state = 'running'));
end
$$;

-- Kinds done in SQL alone run and complete in one transaction.
create function worker.run_sql_job(p_worker text, p_id bigint) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    j app.jobs := worker.held(p_worker, p_id);
begin
    perform app.act_as('worker', p_worker);
    case j.kind
        when 'reservation_timeout' then
            perform app.reservation_timed_out((j.args->>'reservation_id')::bigint);
        when 'task_step_timeout' then
            perform app.task_step_timed_out((j.args->>'task_id')::bigint, (j.args->>'step')::int);
        when 'route_task' then
            perform app.route_task(j.merchant_id, (j.args->>'task_id')::bigint);
        when 'sweep_calls' then
            perform app.sweep_stale_calls();
        when 'noop' then
            null;
        else
            raise exception 'job kind % is not done in SQL', j.kind using errcode = '22023';
    end case;
    perform worker.complete(p_worker, array[p_id]);
    return 'completed';
end
$$;

grant execute on function worker.claim(text, integer, real), worker.heartbeat(text, real),
      worker.complete(text, bigint[], jsonb), worker.fail(text, bigint, text, boolean, real),
      worker.release(text, bigint[]), worker.next_due(), worker.run_sql_job(text, bigint)
   to kea_worker;
