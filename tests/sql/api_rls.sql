-- Who sees what (docs/api.md, "Where RLS bites"): two merchants with an order each, an agent
-- serving only the first; each API role reads the api views as itself with its claims, and
-- the functions that act for a merchant refuse the other merchant's rows. Rolled back.

insert into app.merchants (slug, name, tax_rate_bp) values ('rls-a', 'RLS A', 0), ('rls-b', 'RLS B', 0);
select api.import_menu(id, '{"name": "M", "items": [{"code": "tea", "name": "Tea", "price_cents": 300},
                                                    {"code": "cake", "name": "Cake", "price_cents": 400}]}')
  from app.merchants where slug in ('rls-a', 'rls-b');

-- The set-up every scenario below reads: merchants A and B, the agent serving A, a call each
-- (with a turn) that placed an order, and the task of A's order.
create temporary table rls (a bigint, b bigint, ag bigint, oa bigint, ob bigint, v_task bigint,
                            ca bigint, cb bigint);
do $$
declare
    a bigint := (select id from app.merchants where slug = 'rls-a');
    b bigint := (select id from app.merchants where slug = 'rls-b');
    ag bigint := app.upsert_agent('rls-agent@example.test', 'RLS Agent', 'pw-rls-agent',
                                  format('{"merchants": [%s]}', (select id from app.merchants where slug = 'rls-a'))::jsonb, 1);
    oa bigint;
    ob bigint;
    v_task bigint;
    ca bigint;
    cb bigint;
    menu_a bigint := (select id from app.menus where merchant_id = (select id from app.merchants where slug = 'rls-a') and active);
    menu_b bigint := (select id from app.menus where merchant_id = (select id from app.merchants where slug = 'rls-b') and active);
begin
    perform app.upsert_merchant_user(a, 'owner@rls-a.test', 'Owner A', 'pw-owner-a');
    update app.agents set activity = 'offline' where id <> ag;
    update app.agents set activity = 'available' where id = ag;
    insert into app.calls (merchant_id, call_sid, to_number, menu_id)
    values (a, 'CArls-a', '+15550000001', menu_a) returning id into ca;
    insert into app.calls (merchant_id, call_sid, to_number, menu_id)
    values (b, 'CArls-b', '+15550000002', menu_b) returning id into cb;
    insert into app.turns (merchant_id, call_id, seq, event, said, twiml, phase)
    values (a, ca, 0, 'start', 'Hello from A', '<Response/>', 'greeting'),
           (b, cb, 0, 'start', 'Hello from B', '<Response/>', 'greeting');
    oa := app.save_order(a, ca, kea.price_lines(menu_a, '[{"item": "tea"}]') || '{"details": {"phone": "+15550001111"}}', 'pending_verification');
    ob := app.save_order(b, cb, kea.price_lines(menu_b, '[{"item": "cake"}]') || '{"details": {"phone": "+15550002222"}}', 'pending_verification');
    select id into v_task from app.tasks where merchant_id = a and order_id = oa;
    assert (select agent_id from app.reservations where task_id = v_task and status = 'pending') = ag,
        'the task of A''s order is offered to the agent';

    insert into rls values (a, b, ag, oa, ob, v_task, ca, cb);
end $$;

do $$
declare
    a bigint := (select a from rls);
    v jsonb;
begin
    -- 1. Merchant staff sign in with api.login and get a kea_merchant token for their merchant.
    set local role kea_anon;
    v := api.login('Owner@RLS-a.test ', 'pw-owner-a');
    assert v->>'role' = 'kea_merchant' and (v->>'merchant_id')::bigint = a, v::text;
    assert split_part(v->>'token', '.', 1) = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'an HS256 JWT';
    -- A wrong password signs nobody in: answered (401 KA401), not raised, so the attempt is kept.
    v := api.login('owner@rls-a.test', 'wrong');
    assert v->>'code' = 'KA401' and v->>'token' is null, v::text;
    -- anon reads no view
    begin
        perform count(*) from api.orders;
        assert false, 'anon must not read api.orders';
    exception when insufficient_privilege then null;
    end;
    reset role;

end $$;

do $$
declare
    a bigint := (select a from rls);
    b bigint := (select b from rls);
    oa bigint := (select oa from rls);
    ob bigint := (select ob from rls);
begin
    -- 2. A merchant sees its own orders, lines, calls, menu and settings, never B's.
    set local role kea_merchant;
    perform set_config('request.jwt.claims', json_build_object('role', 'kea_merchant', 'merchant_id', a)::text, true);
    assert (select count(*) from api.orders) = 1 and (select order_id from api.orders) = oa, 'A sees its one order';
    assert (select count(*) from api.order_lines where merchant_id = b) = 0, 'no line of B';
    assert (select count(*) from api.orders where order_id = ob) = 0, 'B''s order is invisible to A';
    assert (select array_agg(distinct merchant_id) from api.menu_items) = array[a], 'only A''s menu';
    assert (select array_agg(merchant_id) from api.merchants) = array[a], 'only A''s settings';
    -- the tables themselves: RLS, not only the views
    assert (select count(*) from app.orders where merchant_id = b) = 0, 'RLS on app.orders';
    begin
        perform count(*) from app.agents;
        assert false, 'merchants do not read agents';
    exception when insufficient_privilege then null;
    end;
    begin
        perform count(*) from app.pos_connections;
        assert false, 'merchants do not read POS secrets';
    exception when insufficient_privilege then null;
    end;
    begin
        perform count(*) from api.analytics_funnel;
        assert false, 'merchants do not read analyst views';
    exception when insufficient_privilege then null;
    end;
    -- no writes through the views
    begin
        update api.orders set status = 'cancelled' where order_id = oa;
        assert false, 'merchants do not write orders through the view';
    exception when insufficient_privilege then null;
    end;
    -- no token for B from a merchant token: the claims decide
    perform set_config('request.jwt.claims', json_build_object('role', 'kea_merchant')::text, true);
    assert (select count(*) from api.orders) = 0, 'a merchant token without merchant_id sees nothing';
    reset role;

end $$;

do $$
declare
    a bigint := (select a from rls);
    b bigint := (select b from rls);
    ag bigint := (select ag from rls);
    oa bigint := (select oa from rls);
    v_task bigint := (select v_task from rls);
    ca bigint := (select ca from rls);
    v jsonb;
begin
    -- 3. An agent sees the task routed to it and what is behind it: A's order, its lines, the
    -- call that placed it and its turns, and A's menu; nothing of B.
    set local role kea_agent;
    perform set_config('request.jwt.claims', json_build_object('role', 'kea_agent', 'agent_id', ag)::text, true);
    assert (select count(*) from api.tasks) = 1 and (select task_id from api.tasks) = v_task, 'its one task';
    assert (select array_agg(order_id) from api.orders) = array[oa], 'the order behind it';
    assert (select array_agg(distinct order_id) from api.order_lines) = array[oa], 'its lines';
    assert (select array_agg(call_id) from api.calls) = array[ca], 'the call behind it';
    assert (select array_agg(said) from api.turns) = array['Hello from A'], 'that call''s turns';
    assert (select array_agg(distinct merchant_id) from api.menu_items) = array[a], 'that merchant''s menu';
    assert (select count(*) from api.orders where merchant_id = b) = 0, 'nothing of B';
    v := api.my_tasks();
    assert jsonb_array_length(v) = 1, v::text;
    -- Given back, the task and what is behind it are out of sight again.
    perform api.reject_task(v_task, 'testing');
    assert (select count(*) from api.tasks) = 0 and (select count(*) from api.orders) = 0
       and (select count(*) from api.calls) = 0 and (select count(*) from api.turns) = 0,
        'a task given back is no longer the agent''s';
    -- another agent's claims see nothing
    perform set_config('request.jwt.claims', json_build_object('role', 'kea_agent', 'agent_id', -1)::text, true);
    assert (select count(*) from api.tasks) = 0 and (select count(*) from api.orders) = 0, 'another agent sees nothing';
    reset role;

end $$;

do $$
declare
    a bigint := (select a from rls);
    oa bigint := (select oa from rls);
    ob bigint := (select ob from rls);
    v jsonb;
begin
    -- 4. POS tokens: issued by the service for one merchant; the POS reads and moves only its
    -- own merchant's orders, through the status machine.
    set local role kea_service;
    v := api.issue_pos_token(a);
    assert v->>'role' = 'kea_pos' and (v->>'merchant_id')::bigint = a, v::text;
    begin
        perform api.issue_pos_token(-42);
        assert false, 'no token for a merchant that does not exist';
    exception when sqlstate 'KP404' then null;
    end;
    reset role;
    begin
        set local role kea_merchant;
        perform api.issue_pos_token(a);
        assert false, 'merchants do not mint POS tokens';
    exception when insufficient_privilege then reset role;
    end;

    -- the order reaches the POS (as the worker would move it)
    perform app.act_as('system');
    update app.orders set status = 'verified' where merchant_id = a and id = oa;
    update app.orders set status = 'sent_to_pos' where merchant_id = a and id = oa;

    set local role kea_pos;
    perform set_config('request.jwt.claims', json_build_object('role', 'kea_pos', 'merchant_id', a)::text, true);
    assert (select array_agg(order_id) from api.orders) = array[oa], 'the POS sees its merchant''s order';
    begin
        perform api.pos_order_update(ob, 'accepted_by_pos', 'SQ-1', null);
        assert false, 'another merchant''s order is not found';
    exception when sqlstate 'KO404' then null;
    end;
    begin
        perform api.pos_order_update(oa, 'verified', null, null);
        assert false, 'a POS cannot move an order back';
    exception when sqlstate 'KO422' then null;
    end;
    v := api.pos_order_update(oa, 'accepted_by_pos', 'SQ-77', now() + interval '20 minutes');
    assert v->>'status' = 'accepted_by_pos' and v->>'pos_order_id' = 'SQ-77', v::text;
    -- a retried callback changes nothing
    v := api.pos_order_update(oa, 'accepted_by_pos', null, null);
    assert v->>'status' = 'accepted_by_pos' and v->>'pos_order_id' = 'SQ-77', v::text;
    v := api.pos_order_update(oa, 'completed', null, null);
    assert v->>'status' = 'completed', v::text;
    begin
        perform api.pos_order_update(oa, 'accepted_by_pos', null, null);
        assert false, 'a completed order is not accepted again: the status machine refuses';
    exception when sqlstate 'KO409' then null;
    end;
    -- a POS token cannot act as a merchant's staff or an agent
    begin
        perform api.my_tasks();
        assert false, 'POS tokens do not see tasks';
    exception when insufficient_privilege then null;
    end;
    reset role;
    assert (select actor_kind from app.order_history where merchant_id = a and order_id = oa
             order by id desc limit 1) = 'pos', 'the history says the POS did it';

    -- a merchant token is not a POS token
    set local role kea_merchant;
    perform set_config('request.jwt.claims', json_build_object('role', 'kea_merchant', 'merchant_id', a)::text, true);
    begin
        perform api.pos_order_update(oa, 'completed', null, null);
        assert false, 'merchant staff do not call the POS callback';
    exception when insufficient_privilege then null;
    end;
    reset role;

end $$;

do $$
declare
    a bigint := (select a from rls);
    b bigint := (select b from rls);
    oa bigint := (select oa from rls);
begin
    -- 5. Analysts read the analyst views and nothing else.
    set local role kea_analyst;
    perform set_config('request.jwt.claims', '{"role": "kea_analyst"}', true);
    assert (select sum(orders_started) from api.analytics_funnel where merchant_id in (a, b)) = 2, 'both orders counted';
    assert (select accepted_by_pos from api.analytics_funnel where merchant_id = a) = 1;
    assert (select completed from api.analytics_funnel where merchant_id = a) = 1;
    assert (select count(*) from api.analytics('analytics_order_stages', 10, a) x
             where (x->>'order_id')::bigint = oa and x->>'accepted_by_pos_at' is not null) = 1;
    begin
        perform api.analytics('orders');
        assert false, 'api.analytics reads only analytics_ views';
    exception when sqlstate 'KN404' then null;
    end;
    begin
        perform count(*) from api.orders;
        assert false, 'analysts do not read tenant views';
    exception when insufficient_privilege then null;
    end;
    begin
        perform count(*) from app.orders;
        assert false, 'analysts do not read tables';
    exception when insufficient_privilege then null;
    end;
    reset role;
end $$;
