-- What the metrics exporter reads (sql/app/monitoring.sql), as the pg_monitor role it runs as:
-- counts of calls, tasks and jobs move with the rows, and pg_monitor reads no table itself.
-- Measured as differences, since kea_test may hold other rows, in one snapshot (repeatable
-- read), so that other tests committing calls meanwhile change nothing here. Rolled back.
set transaction isolation level repeatable read;

create temporary table before_counts as
select c.in_progress, c.transferred_5m, c.ended_5m, t.waiting, 0::bigint as due,
       (select coalesce(sum(jobs), 0) from app.monitoring_jobs() where kind = 'noop' and state = 'dead') as dead_noop
  from app.monitoring_calls() c, app.monitoring_tasks() t;
grant select on before_counts to pg_monitor;

insert into app.merchants (slug, name, tax_rate_bp) values ('mon-test', 'Monitoring Pizza', 0);
select api.import_menu((select id from app.merchants where slug = 'mon-test'),
                       '{"name": "MON", "items": [{"code": "pizza", "name": "Pizza", "price_cents": 1000}]}');

do $$
declare
    m bigint := (select id from app.merchants where slug = 'mon-test');
    menu bigint := (select id from app.menus where merchant_id = (select id from app.merchants where slug = 'mon-test') and active);
    o bigint;
begin
    -- two calls in progress (one started 3 hours ago: a lost status callback, not counted), two
    -- ended just now (one transferred), one transferred an hour ago (not in the 5 minutes)
    insert into app.calls (merchant_id, call_sid, to_number, status, outcome, started_at, ended_at) values
        (m, 'CAmon1', '+15550000001', 'active', null, now() - interval '2 minutes', null),
        (m, 'CAmon2', '+15550000001', 'active', null, now() - interval '3 hours', null),
        (m, 'CAmon3', '+15550000001', 'ended', 'transferred', now() - interval '4 minutes', now() - interval '1 minute'),
        (m, 'CAmon4', '+15550000001', 'ended', 'ordered', now() - interval '5 minutes', now() - interval '2 minutes'),
        (m, 'CAmon5', '+15550000001', 'ended', 'transferred', now() - interval '70 minutes', now() - interval '60 minutes');
    -- an order waiting for an agent (no agent is available), its task 10 minutes old
    update app.agents set activity = 'offline';
    o := app.save_order(m, null, kea.price_lines(menu, '[{"item": "pizza"}]') || '{"details": {"phone": "+15550007777"}}', 'pending_verification');
    update app.tasks set created_at = now() - interval '10 minutes' where merchant_id = m and order_id = o;
    -- the queue counted after the order (which may have queued its routing), then two jobs due,
    -- one not yet due, one dead
    update before_counts set due = (select due from app.monitoring_queue());
    perform app.enqueue(m, 'noop', '{}');
    perform app.enqueue(m, 'noop', '{}');
    insert into app.jobs (merchant_id, kind, run_at) values (m, 'noop', now() + interval '1 hour');
    insert into app.jobs (merchant_id, kind, state, finished_at) values (m, 'noop', 'dead', now());
end
$$;

set local role pg_monitor;
do $$
declare
    b record;
    c record;
    t record;
    q record;
    dead bigint;
begin
    select * into b from before_counts;
    select * into c from app.monitoring_calls();
    assert c.in_progress - b.in_progress = 1, format('in progress: %s, before %s', c.in_progress, b.in_progress);
    assert c.transferred_5m - b.transferred_5m = 1, format('transferred: %s, before %s', c.transferred_5m, b.transferred_5m);
    assert c.ended_5m - b.ended_5m = 2, format('ended: %s, before %s', c.ended_5m, b.ended_5m);
    select * into t from app.monitoring_tasks();
    assert t.waiting - b.waiting = 1, format('tasks waiting: %s, before %s', t.waiting, b.waiting);
    assert t.oldest_waiting_s >= 600, format('oldest task: %s s', t.oldest_waiting_s);
    select * into q from app.monitoring_queue();
    assert q.due - b.due = 2, format('due: %s, before %s', q.due, b.due);
    select coalesce(sum(jobs), 0) into dead from app.monitoring_jobs() where kind = 'noop' and state = 'dead';
    assert dead - b.dead_noop = 1, format('dead noop jobs: %s, before %s', dead, b.dead_noop);
    -- counts only: the tables themselves stay closed to the exporter
    begin
        perform 1 from app.calls limit 1;
        raise exception 'pg_monitor read app.calls';
    exception when insufficient_privilege then null;
    end;
end
$$;
reset role;
