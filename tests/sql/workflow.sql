-- After the call (docs/workflow.md): the order status machine, the completeness check, the
-- task router and the agents' edits, from SQL. Runs in a transaction that is rolled back; the
-- deferred completeness check is run at once after each save (pg_temp.save) so that it fires here.

insert into app.merchants (slug, name, tax_rate_bp, transfer_number, prep_minutes)
values ('wf-test', 'Workflow Pizza', 1000, '+15550009999', 15);
insert into app.phone_numbers (e164, merchant_id) select '+15550009000', id from app.merchants where slug = 'wf-test';
select api.import_menu((select id from app.merchants where slug = 'wf-test'), '{
  "name": "WF",
  "items": [
    {"code": "pizza", "name": "Cheese Pizza", "groups": ["toppings"],
     "variations": [{"code": "small", "name": "Small", "price_cents": 1000},
                    {"code": "large", "name": "Large", "price_cents": 1500}]},
    {"code": "water", "name": "Water", "price_cents": 0},
    {"code": "knots", "name": "Garlic Knots", "price_cents": 500}
  ],
  "groups": [{"code": "toppings", "name": "Toppings", "max": 2,
              "options": [{"code": "olives", "name": "Olives", "price_cents": 150},
                          {"code": "ham", "name": "Ham", "price_cents": 200},
                          {"code": "onion", "name": "Onion", "price_cents": 100}]}]}');

create temporary table wf as select id as merchant_id from app.merchants where slug = 'wf-test';

-- app.save_order, then the check its commit would run (orders_complete_lines).
create function pg_temp.save(p_merchant_id bigint, p_order jsonb, p_status text) returns bigint
language plpgsql as $$
declare
    v bigint := app.save_order(p_merchant_id, null, p_order, p_status);
begin
    perform app.check_order_complete(p_merchant_id, v);
    return v;
end
$$;

-- A priced order as the dialog submits it.
create function pg_temp.order_doc(p_lines jsonb) returns jsonb
language sql as $$
    select kea.price_lines((select id from app.menus m join wf on m.merchant_id = wf.merchant_id and m.active), p_lines)
           || '{"details": {"phone": "+15551230000"}}'
$$;

-- 1. The status machine: every pair of states, allowed exactly as docs/workflow.md draws it.
do $$
declare
    s text[] := array['pending_verification', 'in_verification', 'verified', 'rejected', 'sent_to_pos',
                      'accepted_by_pos', 'failed', 'completed', 'cancelled', 'abandoned'];
    allowed text[] := array[
        'pending_verification>in_verification', 'pending_verification>verified',
        'pending_verification>rejected', 'pending_verification>cancelled',
        'in_verification>pending_verification', 'in_verification>verified',
        'in_verification>rejected', 'in_verification>cancelled',
        'verified>sent_to_pos', 'verified>accepted_by_pos', 'verified>failed', 'verified>cancelled',
        'sent_to_pos>accepted_by_pos', 'sent_to_pos>failed', 'sent_to_pos>cancelled',
        'accepted_by_pos>completed', 'accepted_by_pos>cancelled',
        'failed>verified', 'failed>cancelled'];
    a text;
    b text;
    v_order bigint;
    v_ok boolean;
    v_state text;
    v_msg text;
    m bigint := (select merchant_id from wf);
begin
    v_order := pg_temp.save(m, pg_temp.order_doc('[{"item": "knots"}]'), 'pending_verification');
    foreach a in array s loop
        foreach b in array s loop
            continue when a = b;
            v_ok := true;
            -- Force the starting state past the machine (test set-up only).
            set local session_replication_role = replica;
            update app.orders set status = a where merchant_id = m and id = v_order;
            set local session_replication_role = origin;
            begin
                update app.orders set status = b where merchant_id = m and id = v_order;
            exception when sqlstate 'KO409' then
                v_ok := false;
                get stacked diagnostics v_msg = message_text;
                assert v_msg like format('order %s cannot go from %s to %s', v_order, a, b),
                    format('the message names both states: %s', v_msg);
            end;
            assert v_ok = ((a || '>' || b) = any (allowed)),
                format('%s -> %s should be %s', a, b, case when v_ok then 'refused' else 'allowed' end);
        end loop;
    end loop;
    -- History: who, from, to.
    assert (select count(*) from app.order_history where order_id = v_order and from_status is null
              and to_status = 'pending_verification' and actor_kind = 'caller') = 1, 'the first row';
    begin
        insert into app.orders (merchant_id, status, subtotal_cents, tax_cents, total_cents)
        values (m, 'verified', 0, 0, 0);
        raise exception 'a new order must not start verified';
    exception when sqlstate 'KO409' then null;
    end;
end $$;

-- 2. A submitted order's lines are complete and priced as the menu prices them (issue 9).
do $$
declare
    m bigint := (select merchant_id from wf);
    v_order bigint;
begin
    begin
        perform pg_temp.save(m, pg_temp.order_doc('[{"item": "pizza"}]'), 'pending_verification');
        raise exception 'a sizeless pizza was accepted';
    exception when sqlstate 'KO422' then null;
    end;
    begin
        perform pg_temp.save(m,
            '{"lines": [{"item": "knots", "name": "Garlic Knots", "quantity": 1, "unit_price_cents": 0,
                         "line_total_cents": 0}], "subtotal_cents": 0, "tax_cents": 0, "total_cents": 0}',
            'pending_verification');
        raise exception 'a $0.00 line the menu prices at $5.00 was accepted';
    exception when sqlstate 'KO422' then null;
    end;
    -- Free water is free; an abandoned cart may be incomplete.
    v_order := pg_temp.save(m, pg_temp.order_doc('[{"item": "water"}]'), 'pending_verification');
    assert (select total_cents from app.orders where id = v_order) = 0;
    perform pg_temp.save(m, pg_temp.order_doc('[{"item": "pizza"}]'), 'abandoned');
end $$;

-- 3. The router: longest idle first, capacity, reject -> the next agent and never the same one,
-- timeout -> the next agent, offline gives the task back, steps widen, the store at last.
delete from app.tasks where merchant_id = (select merchant_id from wf);
do $$
declare
    m bigint := (select merchant_id from wf);
    a1 bigint := app.upsert_agent('wf1@example.test', 'One', 'pw-one', '{"merchants": ["*"]}', 1);
    a2 bigint := app.upsert_agent('wf2@example.test', 'Two', 'pw-two', format('{"merchants": [%s]}', m)::jsonb, 1);
    sup bigint := app.upsert_agent('wfs@example.test', 'Sup', 'pw-sup', '{"merchants": ["*"], "skills": ["supervisor"]}', 1);
    other bigint := app.upsert_agent('wfo@example.test', 'Other', 'pw-oth', '{"merchants": [-1]}', 5);
    v_order bigint;
    v_task bigint;
    r app.reservations;
begin
    update app.agents set activity = 'offline' where id not in (a1, a2, sup, other);
    update app.agents set activity = 'available', activity_at = now() - interval '1 hour' where id = a2;
    update app.agents set activity = 'available', activity_at = now() - interval '10 minutes' where id = a1;
    update app.agents set activity = 'available', activity_at = now() - interval '2 hours' where id = other;
    update app.agents set activity = 'offline' where id = sup;

    v_order := pg_temp.save(m, pg_temp.order_doc('[{"item": "knots"}]'), 'pending_verification');
    select id into v_task from app.tasks where order_id = v_order;
    select * into r from app.reservations where task_id = v_task and status = 'pending';
    assert r.agent_id = a2, format('longest idle of those serving the merchant first: %s', r.agent_id);
    assert (select status from app.tasks where id = v_task) = 'reserved';
    assert exists (select 1 from app.jobs where unique_key = 'reservation_timeout:' || r.id and run_at = r.expires_at);

    -- A second order: a2 is full (capacity 1), so a1 gets it.
    perform pg_temp.save(m, pg_temp.order_doc('[{"item": "water"}]'), 'pending_verification');
    assert (select r2.agent_id from app.reservations r2 join app.tasks t on t.id = r2.task_id
             where t.order_id <> v_order and t.merchant_id = m and r2.status = 'pending'
             order by r2.id desc limit 1) = a1, 'capacity respected';

    -- a2 rejects: nobody free is left (a1 full, other serves another merchant, sup offline).
    perform set_config('request.jwt.claims', json_build_object('agent_id', a2)::text, true);
    perform api.reject_task(v_task, 'busy');
    assert (select status from app.tasks where id = v_task) = 'pending';
    -- a2 frees up again but is never offered the task again.
    perform app.route_waiting(a2);
    assert not exists (select 1 from app.reservations where task_id = v_task and agent_id = a2 and status = 'pending');

    -- The step times out: the supervisors' queue, where sup (now available) gets it.
    update app.agents set activity = 'available' where id = sup;
    perform app.task_step_timed_out(v_task, 1);
    assert (select step from app.tasks where id = v_task) = 2;
    select * into r from app.reservations where task_id = v_task and status = 'pending';
    assert r.agent_id = sup, format('the wider queue: %s', r.agent_id);

    -- sup does not answer in time: offered on (nobody else in the queue: the task waits).
    update app.reservations set expires_at = now() - interval '1 second' where id = r.id;
    perform app.reservation_timed_out(r.id);
    assert (select status from app.reservations where id = r.id) = 'timeout';
    assert (select status from app.tasks where id = v_task) = 'pending';

    -- The last step: the store gets a text and the task closes.
    perform app.task_step_timed_out(v_task, 2);
    perform app.route_task(m, v_task);
    assert (select outcome from app.tasks where id = v_task) = 'escalated';
    assert exists (select 1 from app.jobs where kind = 'sms' and args->>'template' = 'store_escalation'
                     and (args->>'order_id')::bigint = v_order);

    -- Going offline gives back an accepted task: the order waits again.
    select r3.* into r from app.reservations r3 where r3.agent_id = a1 and r3.status = 'pending';
    perform set_config('request.jwt.claims', json_build_object('agent_id', a1)::text, true);
    perform api.accept_task(r.task_id);
    assert (select o.status from app.orders o join app.tasks t on t.order_id = o.id where t.id = r.task_id) = 'in_verification';
    perform api.set_activity('offline');
    assert (select status from app.reservations where id = r.id) = 'canceled';
    assert (select o.status from app.orders o join app.tasks t on t.order_id = o.id where t.id = r.task_id) = 'pending_verification';
    assert (select t.status from app.tasks t where t.id = r.task_id) in ('pending', 'reserved');
end $$;

-- 3b. An agent who becomes free is offered the oldest waiting task they can serve, however many
-- older tasks wait for merchants they do not serve (the router looks at the agent's own tasks,
-- not at the oldest few of everyone's).
do $$
declare
    m bigint := (select merchant_id from wf);
    m2 bigint;
    mine bigint := app.upsert_agent('wfm@example.test', 'Mine', 'pw-mine', format('{"merchants": [%s]}', m)::jsonb, 1);
    v_order bigint;
    v_task bigint;
begin
    insert into app.merchants (slug, name, tax_rate_bp, transfer_number, prep_minutes)
    values ('wf-busy', 'Busy Elsewhere', 1000, '+15550008888', 15) returning id into m2;
    perform api.import_menu(m2, '{"name": "B", "items": [{"code": "tea", "name": "Tea", "price_cents": 200}]}');
    update app.agents set activity = 'offline';
    delete from app.tasks where merchant_id = m;
    for i in 1..60 loop
        perform pg_temp.save(m2, kea.price_lines((select id from app.menus where merchant_id = m2 and active),
                                                 '[{"item": "tea"}]') || '{"details": {"phone": "+15551230000"}}',
                             'pending_verification');
    end loop;
    update app.tasks set created_at = now() - interval '1 hour' where merchant_id = m2;
    v_order := pg_temp.save(m, pg_temp.order_doc('[{"item": "knots"}]'), 'pending_verification');
    select id into v_task from app.tasks where order_id = v_order;
    assert (select count(*) from app.tasks where status = 'pending' and merchant_id = m2) = 60;
    assert (select status from app.tasks where id = v_task) = 'pending', 'nobody was free';
    update app.agents set activity = 'available', activity_at = now() where id = mine;
    perform app.route_waiting(mine);
    assert (select agent_id from app.reservations where task_id = v_task and status = 'pending') = mine,
        'the agent is offered the task of the merchant they serve';
end $$;

-- 4. Edits: recorded against what the call produced, repriced, menu rules enforced.
do $$
declare
    m bigint := (select merchant_id from wf);
    a bigint := app.upsert_agent('wfe@example.test', 'Editor', 'pw-edit', '{"merchants": ["*"]}', 3);
    v_order bigint;
    v_task bigint;
    o jsonb;
begin
    update app.agents set activity = 'offline' where id <> a;
    update app.agents set activity = 'available' where id = a;
    v_order := pg_temp.save(m, pg_temp.order_doc(
        '[{"item": "pizza", "variation": "small", "modifiers": [{"group": "toppings", "option": "olives"}]}]'),
        'pending_verification');
    select id into v_task from app.tasks where order_id = v_order;
    perform set_config('request.jwt.claims', json_build_object('agent_id', a)::text, true);
    perform api.accept_task(v_task);

    o := api.edit_order_line(v_task, 1, 2, 'large', null);
    assert (o->>'subtotal_cents')::int = 2 * (1500 + 150), format('repriced: %s', o);
    o := api.add_order_line(v_task, 'knots', null, 1, '[]');
    assert (o->>'total_cents')::int = (3300 + 500) * 11 / 10, format('tax on the new subtotal: %s', o);
    begin
        perform api.edit_order_line(v_task, 1, null, null,
            '[{"group": "toppings", "option": "olives"}, {"group": "toppings", "option": "ham"},
              {"group": "toppings", "option": "onion"}]');
        raise exception 'three toppings where two at most are allowed';
    exception when sqlstate 'KM422' then null;
    end;
    perform api.edit_order_line(v_task, 1, null, null, '[{"group": "toppings", "option": "ham", "quantity": 2}]');
    begin
        perform api.edit_order_line(v_task, 1, null, 'medium', null);
        raise exception 'a size the item does not have';
    exception when sqlstate 'KM422' then null;
    end;
    update app.menu_items set available = false where code = 'knots' and merchant_id = m;
    begin
        perform api.add_order_line(v_task, 'knots', null, 1, '[]');
        raise exception 'a sold-out item was added';
    exception when sqlstate 'KM422' then null;
    end;
    perform api.remove_order_line(v_task, 2);
    begin
        perform api.remove_order_line(v_task, 1);
        raise exception 'the last line was removed';
    exception when sqlstate 'KM422' then null;
    end;
    assert (select count(*) from app.order_edits where order_id = v_order) = 4,
        format('every edit recorded: %s', (select json_agg(e) from app.order_edits e where order_id = v_order));
    assert (select before->>'variation_code' = 'small' and after->>'variation_code' = 'large'
              from app.order_edits where order_id = v_order order by id limit 1);
    assert (select jsonb_array_length(call_lines) = 1 and call_lines->0->>'variation' = 'small'
              from app.orders where id = v_order), 'what the call produced is kept';

    o := api.approve_order(v_task);
    assert o->>'status' = 'verified';
    assert exists (select 1 from app.jobs where unique_key = 'sms:confirmation:' || v_order),
        'no POS connected: the caller is texted at once';
    assert (select outcome from app.tasks where id = v_task) = 'approved';
    -- A second approval finds no task to work on.
    begin
        perform api.approve_order(v_task);
        raise exception 'approved twice';
    exception when sqlstate 'KT404' then null;
    end;
end $$;

-- 5. A job's life (docs/workflow.md, "Durable jobs"): claimed, completed into app.jobs_done with
-- what the handler learnt; its unique key outlives it, so the side effect is never queued
-- twice; a completed job is not re-run; a dead one is, under the same key.
do $$
declare
    v_merchant bigint := (select merchant_id from wf);
    v_job bigint;
    v_dead bigint;
    v_claimed bigint[];
begin
    v_job := app.enqueue(v_merchant, 'noop', '{"n": 1}', 'wf-test:once');
    assert v_job is not null;
    assert app.enqueue(v_merchant, 'noop', '{"n": 2}', 'wf-test:once') is null, 'a key taken while queued';
    -- Only this test's job is claimable: push everything else out of reach for this transaction
    -- (other tests' due jobs, and their running jobs whose lease ran out, which a claim rescues).
    update app.jobs set run_at = now() + interval '1 hour'
     where state in ('available', 'retryable') and id <> v_job;
    update app.jobs set locked_until = now() + interval '1 hour'
     where state = 'running' and locked_until < now();
    select array_agg(id) into v_claimed from worker.claim('wf-test-worker', 10, 30);
    assert v_claimed = array[v_job], format('claimed %s', v_claimed);
    assert (select state from app.jobs where id = v_job) = 'running';
    assert worker.complete('wf-test-worker', array[v_job], '{"learnt": "pos-42"}') = 1;
    assert not exists (select 1 from app.jobs where id = v_job), 'a completed job leaves app.jobs';
    assert (select state = 'completed' and args->>'learnt' = 'pos-42' and args->>'n' = '1'
                   and locked_by = 'wf-test-worker' and finished_at is not null and attempt = 1
              from app.jobs_done where id = v_job), 'kept in app.jobs_done with its note';
    assert (select count(*) from app.jobs_all where id = v_job) = 1;
    assert app.enqueue(v_merchant, 'noop', '{}', 'wf-test:once') is null, 'a key taken after completion';
    assert worker.complete('wf-test-worker', array[v_job]) = 0, 'completing twice does nothing';
    begin
        perform app.retry_job(v_job);
        raise exception 'a completed job was re-run';
    exception when sqlstate 'KJ409' then null;
    end;
    -- A dead job is re-run from SQL, the same row under the same key.
    v_dead := app.enqueue(v_merchant, 'noop', '{}', 'wf-test:dead', null, 2, 1);
    update app.jobs set run_at = now() + interval '1 hour'
     where state in ('available', 'retryable') and id <> v_dead;
    update app.jobs set locked_until = now() + interval '1 hour'
     where state = 'running' and locked_until < now();
    perform worker.claim('wf-test-worker', 10, 30);
    assert worker.fail('wf-test-worker', v_dead, 'refused', true) = 'dead', 'no attempts left';
    assert app.job_for_key(v_merchant, 'wf-test:dead') = v_dead;
    assert app.enqueue(v_merchant, 'noop', '{}', 'wf-test:dead') is null, 'a dead job keeps its key';
    assert app.retry_job(v_dead) = 'available';
    assert (select state from app.jobs where id = v_dead) = 'available';
    -- Pruning keeps the keys of jobs still in app.jobs, and a week of completed ones.
    perform app.prune_jobs();
    assert app.job_for_key(v_merchant, 'wf-test:dead') = v_dead;
    assert exists (select 1 from app.jobs_done where id = v_job);
end $$;
