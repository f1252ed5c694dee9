-- What the database's metrics exporter reads for the alerts of docs/operations.md: counts and
-- ages only, no tenant's data. CloudNativePG runs its custom queries
-- (deploy/k8s/base/database/monitoring-queries.yaml) as PostgreSQL's built-in pg_monitor role,
-- which has no other way in: the tables have row-level security, so these are security
-- definer (their owner, kea_owner, is exempt).

-- Calls in progress, and the calls that ended in the last 5 minutes (with how many of them
-- were transferred to the store). A call lasts minutes: the two-hour bound keeps old rows
-- whose status callback never came out of "in progress".
create function app.monitoring_calls(out in_progress bigint, out transferred_5m bigint, out ended_5m bigint)
language sql stable security definer set search_path = pg_catalog, public as $$
    select count(*) filter (where status = 'active'),
           count(*) filter (where outcome = 'transferred' and ended_at > now() - interval '5 minutes'),
           count(*) filter (where ended_at > now() - interval '5 minutes')
      from app.calls
     where started_at > now() - interval '2 hours'
$$;

-- Verification tasks no agent has taken, and how long the oldest has waited (index
-- tasks_waiting).
create function app.monitoring_tasks(out waiting bigint, out oldest_waiting_s double precision)
language sql stable security definer set search_path = pg_catalog, public as $$
    select count(*), coalesce(extract(epoch from now() - min(created_at))::float8, 0)
      from app.tasks
     where status = 'pending'
$$;

-- Jobs by kind and state (app.jobs holds only work not completed: done jobs move to
-- app.jobs_done).
create function app.monitoring_jobs()
returns table (kind text, state text, jobs bigint)
language sql stable security definer set search_path = pg_catalog, public as $$
    select j.kind, j.state, count(*) from app.jobs j group by 1, 2
$$;

-- Jobs due now and not claimed, and how long the longest-due has waited (index jobs_due):
-- the worker autoscaler's signal.
create function app.monitoring_queue(out due bigint, out oldest_due_s double precision)
language sql stable security definer set search_path = pg_catalog, public as $$
    select count(*), coalesce(extract(epoch from now() - min(run_at))::float8, 0)
      from app.jobs
     where state in ('available', 'retryable') and run_at <= now()
$$;

grant usage on schema app to pg_monitor;
grant execute on function app.monitoring_calls(), app.monitoring_tasks(), app.monitoring_jobs(),
      app.monitoring_queue()
   to pg_monitor;
