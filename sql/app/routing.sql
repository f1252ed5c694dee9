-- The task router (TaskRouter's model; docs/workflow.md): a verification task per order,
-- offered as reservations to the best available agent, widened step by step, escalated to the
-- store at last. Timeouts are scheduled jobs (app.enqueue with run_at), never a waiting client.

-- Does an agent serve this merchant? By id, by one of the merchant's groups, or "*".
create function app.agent_serves(p_attributes jsonb, p_merchant_id bigint, p_groups text[])
returns boolean
language sql immutable as $$
    select coalesce(p_attributes->'merchants', '[]') @> '["*"]'
        or coalesce(p_attributes->'merchants', '[]') @> to_jsonb(array[p_merchant_id])
        or exists (select 1 from jsonb_array_elements_text(coalesce(p_attributes->'groups', '[]')) g
                    where g = any (p_groups))
$$;

-- Live offers and assignments an agent holds: what capacity limits.
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.agent_load(p_agent_id bigint) returns integer
language plpgsql stable as $$
#variable_conflict use_column
begin
    return (
        select count(*)::int from app.reservations r
         where r.agent_id = p_agent_id and r.status in ('pending', 'accepted'));
end
$$;

create function app.notify_task(t app.tasks, p_event text, p_agent_id bigint default null)
returns void
language plpgsql as $$
begin
    perform pg_notify('kea_tasks', json_build_object(
        'event', p_event, 'task_id', t.id, 'merchant_id', t.merchant_id, 'order_id', t.order_id,
        'agent_id', coalesce(p_agent_id, t.agent_id))::text);
end
$$;

-- A task for an order (verification, or escalation when the POS refused it), in the caller's
-- transaction, with its first step's timeout scheduled; then offered at once if an agent is free.
create function app.create_task(p_merchant_id bigint, p_order_id bigint, p_kind text)
returns bigint
language plpgsql as $$
declare
    m app.merchants;
    t app.tasks;
    s app.workflow_steps;
    v_workflow bigint;
begin
    select * into m from app.merchants where id = p_merchant_id;
    -- The workflow first, then the insert: Citus refuses a subquery in an INSERT's VALUES
    -- (and deparses `case p_kind when ...` wrongly for its workers).
    v_workflow := coalesce(m.workflow_id, (select id from app.workflows where is_default));
    insert into app.tasks (merchant_id, order_id, kind, workflow_id, attributes, priority)
    values (p_merchant_id, p_order_id, p_kind, v_workflow,
            jsonb_build_object('language', split_part(m.language, '-', 1)),
            case when p_kind = 'escalation' then 1 else 0 end)
    on conflict do nothing
    returning * into t;
    if t.id is null then
        return null;
    end if;
    s := app.start_step(t);
    perform app.notify_task(t, 'created');
    -- The new task as inserted (no one else sees it yet), its step and merchant as read here:
    -- app.route_task would read all three again (a confirming turn's statements,
    -- docs/benchmarks.md "Turns").
    perform app.offer_task(t, s, m.groups);
    return t.id;
end
$$;

create function app.create_verification_task(p_merchant_id bigint, p_order_id bigint)
returns bigint
language sql as $$
    select app.create_task(p_merchant_id, p_order_id, 'verification')
$$;

-- Schedules the current step's timeout (escalation steps act at once when routed); returns the
-- step, for the caller to route with.
create function app.start_step(t app.tasks) returns app.workflow_steps
language plpgsql as $$
declare
    s app.workflow_steps;
begin
    select * into s from app.workflow_steps where workflow_id = t.workflow_id and step = t.step;
    if s.kind = 'queue' then
        perform app.enqueue(t.merchant_id, 'task_step_timeout',
                            jsonb_build_object('task_id', t.id, 'step', t.step),
                            format('task_step:%s:%s', t.id, t.step),
                            t.step_started_at + make_interval(secs => s.timeout_s), 1);
    end if;
    return s;
end
$$;

-- Offers a pending task to the best agent of its current step's queue; returns the
-- reservation, or null when nobody is free (the task waits for an agent to become free).
create function app.route_task(p_merchant_id bigint, p_task_id bigint) returns bigint
language plpgsql as $$
declare
    t app.tasks;
begin
    select * into t from app.tasks where merchant_id = p_merchant_id and id = p_task_id for update;
    return app.offer_task(t);
end
$$;

-- app.route_task's offer, of a task its caller has locked (or just created): with its step and
-- the merchant's groups when the caller has them (app.create_task), else read here. Groups, not
-- the merchant's row: a function of a coordinator table's row type is made again on Citus
-- (sql/citus/distribute.sql).
create function app.offer_task(t app.tasks, s app.workflow_steps default null,
                               p_groups text[] default null)
returns bigint
language plpgsql as $$
declare
    q app.task_queues;
    v_groups text[];
    v_agent bigint;
    v_locked boolean := false;
    a app.agents;
    r app.reservations;
begin
    if t.status is distinct from 'pending' then
        return null;
    end if;
    if s.workflow_id is null then
        select * into s from app.workflow_steps where workflow_id = t.workflow_id and step = t.step;
    end if;
    if s.kind = 'escalate_store' then
        perform app.escalate_to_store(t);
        return null;
    end if;
    select * into q from app.task_queues where id = s.queue_id;
    v_groups := p_groups;
    if v_groups is null then
        select groups into v_groups from app.merchants where id = t.merchant_id;
    end if;
    -- The agents who may be offered it, longest idle first: available, in the queue, serving
    -- the merchant and the task's language; then, agent by agent, never offered this task
    -- before and with room under their capacity, checked again once the agent is locked (SKIP
    -- LOCKED: two routers never fill one agent past capacity). Agent by agent, not one query:
    -- on Citus the agents are a reference table and their offers are spread over the
    -- merchants' shards, and no one query may lock the one and count the other
    -- (docs/scaling.md).
    for a in select * from app.agents x
              where x.activity = 'available' and x.attributes @> q.requires
                and app.agent_serves(x.attributes, t.merchant_id, v_groups)
                and (not x.attributes ? 'languages'
                     or x.attributes->'languages' ? (t.attributes->>'language'))
              order by x.activity_at, x.id
    loop
        -- Two statements: one query with both would go whole to the task's shard on Citus,
        -- and app.agent_load counts over every shard.
        continue when exists (select 1 from app.reservations x
                               where x.merchant_id = t.merchant_id and x.task_id = t.id
                                 and x.agent_id = a.id);
        continue when app.agent_load(a.id) >= a.capacity;
        select x.id into v_agent from app.agents x
         where x.id = a.id and x.activity = 'available'
           for update skip locked;
        if v_agent is null then
            v_locked := true;
        elsif app.agent_load(a.id) < a.capacity then
            exit;
        else
            v_agent := null;
        end if;
    end loop;
    if v_agent is null then
        if v_locked then
            -- Someone could take it but was locked by another transaction (finishing a task,
            -- changing activity): try again in a moment rather than wait for the step timeout.
            perform app.enqueue(t.merchant_id, 'route_task', jsonb_build_object('task_id', t.id),
                                format('route_task:%s:%s', t.id, extract(epoch from now())::bigint / 2),
                                now() + interval '1 second', 1, 3);
        end if;
        return null;
    end if;
    insert into app.reservations (merchant_id, task_id, agent_id, expires_at)
    values (t.merchant_id, t.id, v_agent, now() + make_interval(secs => q.reservation_timeout_s))
    returning * into r;
    update app.tasks set status = 'reserved' where merchant_id = t.merchant_id and id = t.id;
    perform app.share_routed_work(t.merchant_id, t.order_id);
    update app.agents set activity_at = now() where id = v_agent;
    perform app.enqueue(t.merchant_id, 'reservation_timeout',
                        jsonb_build_object('reservation_id', r.id),
                        format('reservation_timeout:%s', r.id), r.expires_at, 1);
    perform app.notify_task(t, 'offered', v_agent);
    return r.id;
end
$$;

-- An agent has room again (became available, finished or gave back a task): offer the waiting
-- tasks this agent could take (merchant, queue, language; never one they were offered before),
-- oldest first, as far as their capacity goes. Only those: the oldest tasks of merchants the
-- agent does not serve would otherwise fill the batch and leave theirs waiting.
create function app.route_waiting(p_agent_id bigint) returns integer
language plpgsql as $$
declare
    v_agent app.agents;
    t record;
    n integer := 0;
begin
    select * into v_agent from app.agents where id = p_agent_id;
    for t in select x.merchant_id, x.id from app.tasks x
               join app.merchants m on m.id = x.merchant_id
               join app.workflow_steps s on s.workflow_id = x.workflow_id and s.step = x.step
               left join app.task_queues q on q.id = s.queue_id
              where x.status = 'pending'
                and app.agent_serves(v_agent.attributes, x.merchant_id, m.groups)
                and (q.id is null or v_agent.attributes @> q.requires)
                and (not v_agent.attributes ? 'languages'
                     or v_agent.attributes->'languages' ? (x.attributes->>'language'))
                and not exists (select 1 from app.reservations r
                                 where r.merchant_id = x.merchant_id and r.task_id = x.id
                                   and r.agent_id = p_agent_id)
              order by x.priority desc, x.created_at limit 50 loop
        exit when (select a.activity <> 'available' or app.agent_load(a.id) >= a.capacity
                     from app.agents a where a.id = p_agent_id);
        if app.route_task(t.merchant_id, t.id) is not null then
            n := n + 1;
        end if;
    end loop;
    return n;
end
$$;

-- Ends a live reservation (rejected, timeout, canceled, rescinded) and puts its task back to
-- routing; with p_reroute the next agent is offered it at once.
create function app.end_reservation(r app.reservations, p_status text, p_reason text,
                                    p_reroute boolean default true)
returns void
language plpgsql as $$
declare
    t app.tasks;
    v_order bigint;
begin
    update app.reservations set status = p_status, responded_at = now(), reason = p_reason
     where merchant_id = r.merchant_id and id = r.id;
    update app.tasks set status = 'pending', agent_id = null, assigned_at = null
     where merchant_id = r.merchant_id and id = r.task_id and status in ('reserved', 'assigned')
    returning * into t;
    -- The agent no longer reads the order's rows (read first: one statement per table on Citus).
    select order_id into v_order from app.tasks where merchant_id = r.merchant_id and id = r.task_id;
    perform app.share_routed_work(r.merchant_id, v_order);
    if r.status = 'accepted' then
        -- Verification had started: the order waits for the next agent.
        perform app.act_as('agent', r.agent_id::text, p_reason);
        update app.orders set status = 'pending_verification'
         where merchant_id = t.merchant_id and id = t.order_id and status = 'in_verification';
    end if;
    update app.agents set activity_at = now() where id = r.agent_id;
    if t.id is not null then
        perform app.notify_task(t, p_status, r.agent_id);
        if p_reroute then
            perform app.route_task(t.merchant_id, t.id);
        end if;
    end if;
end
$$;

-- Job reservation_timeout: an offer nobody accepted in time goes to the next agent.
create function app.reservation_timed_out(p_reservation_id bigint) returns void
language plpgsql as $$
declare
    r app.reservations;
begin
    -- Found, then locked by its merchant: on Citus a locking read goes to one shard.
    select * into r from app.reservations where id = p_reservation_id;
    select * into r from app.reservations
     where merchant_id = r.merchant_id and id = p_reservation_id for update;
    if r.status = 'pending' and r.expires_at <= now() then
        perform app.end_reservation(r, 'timeout', 'not accepted in time');
    end if;
end
$$;

-- Job task_step_timeout: the step ran out with nobody working on the task: on to the next
-- step (a wider queue, then the store), rescinding a pending offer.
create function app.task_step_timed_out(p_task_id bigint, p_step integer) returns void
language plpgsql as $$
declare
    t app.tasks;
    r app.reservations;
begin
    -- Found, then locked by its merchant: on Citus a locking read goes to one shard.
    select * into t from app.tasks where id = p_task_id;
    select * into t from app.tasks where merchant_id = t.merchant_id and id = p_task_id for update;
    if t.step <> p_step or t.status not in ('pending', 'reserved') then
        return;
    end if;
    if not exists (select 1 from app.workflow_steps
                    where workflow_id = t.workflow_id and step = t.step + 1) then
        return;
    end if;
    for r in select * from app.reservations
              where merchant_id = t.merchant_id and task_id = t.id and status = 'pending' loop
        perform app.end_reservation(r, 'rescinded', 'the task moved to the next queue', false);
    end loop;
    update app.tasks set step = step + 1, step_started_at = now(), status = 'pending'
     where merchant_id = t.merchant_id and id = t.id
    returning * into t;
    perform app.start_step(t);
    perform app.notify_task(t, 'escalated');
    perform app.route_task(t.merchant_id, t.id);
end
$$;

-- The last step: nobody in the call centre took the task, so the store gets the order by text
-- (its transfer number) and the task closes. The order stays pending_verification for the
-- store to confirm.
create function app.escalate_to_store(t app.tasks) returns void
language plpgsql as $$
begin
    perform app.enqueue(t.merchant_id, 'sms',
                        jsonb_build_object('order_id', t.order_id, 'template', 'store_escalation'),
                        format('sms:store_escalation:%s:%s', t.kind, t.order_id));
    update app.tasks set status = 'completed', outcome = 'escalated', completed_at = now(),
                         reason = 'nobody in the call centre took it'
     where merchant_id = t.merchant_id and id = t.id;
    perform app.notify_task(t, 'completed');
end
$$;

-- An agent's activity. Leaving `available` gives back pending offers; going offline also gives
-- back tasks being verified (their orders wait for the next agent). Becoming available takes
-- waiting tasks.
create function app.set_agent_activity(p_agent_id bigint, p_activity text) returns void
language plpgsql as $$
declare
    r app.reservations;
begin
    if p_activity not in ('available', 'busy', 'break', 'offline') then
        raise exception 'activity must be available, busy, break or offline, not %', p_activity
            using errcode = '22023';
    end if;
    update app.agents set activity = p_activity, activity_at = now()
     where id = p_agent_id and activity <> p_activity;
    if p_activity <> 'available' then
        -- Found, then each locked by its merchant: on Citus a locking read goes to one shard.
        for r in select * from app.reservations
                  where agent_id = p_agent_id
                    and (status = 'pending' or (status = 'accepted' and p_activity = 'offline'))
                  loop
            select * into r from app.reservations
             where merchant_id = r.merchant_id and id = r.id and agent_id = p_agent_id
               and (status = 'pending' or (status = 'accepted' and p_activity = 'offline'))
               for update;
            continue when r.id is null;
            perform app.end_reservation(r, 'canceled', format('agent went %s', p_activity));
        end loop;
    else
        perform app.route_waiting(p_agent_id);
    end if;
end
$$;
