-- What a call-centre agent does, as /rpc functions (docs/workflow.md, "Agents' API"): sign
-- in, see offered tasks, accept or reject them, correct the order line by line, approve or
-- reject it, set their activity. Security definer (run as kea_owner); the agent is the one in
-- the token (app.current_agent()), never an argument.

-- Signs an agent or a member of a merchant's staff in: a token for the kea_agent role, valid
-- for 12 hours (a shift), or for kea_merchant with the merchant's id. Emails are unique per
-- table; an address in both signs in as the agent (its password only).
-- Issue 17, item 3: every attempt is recorded (app.sign_in_attempts) and throttled per account
-- and per client address (app.sign_in_wait: 429 with Retry-After, checked before any hash is
-- computed); exactly one bcrypt compare runs whether or not the email exists (a dummy hash for
-- an unknown one); failures answer 401 without raising, so that their record is kept.
create function api.login(email text, password text) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v_email text := coalesce(lower(trim(login.email)), '');
    v_addr inet := app.client_addr();
    v_wait integer := app.sign_in_wait(v_email, v_addr);
    a app.agents;
    u app.merchant_users;
    v_hash text;
    v_ok boolean;
    v_exp bigint := extract(epoch from now() + interval '12 hours')::bigint;
begin
    if v_wait > 0 then
        return app.http_error(429, 'KA429',
                              format('too many failed sign-ins: try again in %s seconds', v_wait), v_wait);
    end if;
    select * into a from app.agents x where x.email = v_email;
    if a.id is null then
        select * into u from app.merchant_users x where x.email = v_email;
    end if;
    v_hash := coalesce(a.password_hash, u.password_hash);
    v_ok := coalesce(crypt(coalesce(login.password, ''), coalesce(v_hash, app.dummy_password_hash())) = v_hash,
                     false);
    insert into app.sign_in_attempts (email, client_addr, ok, agent_id, merchant_id, user_id)
    values (v_email, v_addr, v_ok, a.id, u.merchant_id, u.id);
    if random() < 0.01 then
        delete from app.sign_in_attempts where at < now() - interval '30 days';
    end if;
    if not v_ok then
        return app.http_error(401, 'KA401', 'wrong email or password');
    end if;
    if coalesce(app.password_hash_cost(v_hash), 0) < app.password_cost() then
        -- Hashed at an older, cheaper cost: rehashed now that the password is known.
        update app.agents x set password_hash = app.hash_password(login.password) where x.id = a.id;
        update app.merchant_users x set password_hash = app.hash_password(login.password) where x.id = u.id;
    end if;
    if a.id is not null then
        return jsonb_build_object(
            'token', app.sign_jwt(jsonb_build_object('role', 'kea_agent', 'sub', 'agent:' || a.id,
                                                     'agent_id', a.id, 'email', a.email,
                                                     'ver', a.token_version, 'exp', v_exp)),
            'role', 'kea_agent', 'agent_id', a.id, 'name', a.name, 'expires_at', to_timestamp(v_exp));
    end if;
    return jsonb_build_object(
        'token', app.sign_jwt(jsonb_build_object('role', 'kea_merchant', 'sub', 'merchant_user:' || u.id,
                                                 'merchant_id', u.merchant_id, 'user_id', u.id,
                                                 'email', u.email, 'ver', u.token_version,
                                                 'exp', v_exp)),
        'role', 'kea_merchant', 'merchant_id', u.merchant_id, 'user_id', u.id, 'name', u.name,
        'expires_at', to_timestamp(v_exp));
end
$$;
comment on function api.login(text, text) is
    'Signs an agent or merchant staff in with email and password; returns {token, role, agent_id or merchant_id, name, expires_at}; 401 KA401 wrong email or password, 429 KA429 (Retry-After) after too many failures.';

-- The live reservation of this task held by the signed-in agent (pending or accepted), locked.
create function app.my_reservation(p_task_id bigint, p_statuses text[] default '{pending,accepted}')
returns app.reservations
language plpgsql as $$
declare
    r app.reservations;
    v_agent bigint := app.current_agent();
begin
    -- Found, then locked by its merchant: on Citus a locking read must go to one shard, and
    -- the agent a value (a query sent to the shards would read the claims there, where the
    -- request's are not set).
    select x.* into r from app.reservations x
     where x.task_id = p_task_id and x.agent_id = v_agent and x.status = any (p_statuses);
    select x.* into r from app.reservations x
     where x.merchant_id = r.merchant_id and x.id = r.id
       and x.agent_id = v_agent and x.status = any (p_statuses)
       for update;
    if r.id is null then
        raise exception 'task % is not offered to you', p_task_id
            using errcode = 'KT404', hint = 'it may have timed out or gone to another agent: see my_tasks()';
    end if;
    return r;
end
$$;

-- The order of a task this agent has accepted, locked, in verification; KO409 otherwise.
create function app.order_being_verified(p_task_id bigint) returns app.orders
language plpgsql as $$
declare
    r app.reservations := app.my_reservation(p_task_id, '{accepted}');
    o app.orders;
begin
    select o2.* into o from app.orders o2 join app.tasks t on t.merchant_id = o2.merchant_id and t.order_id = o2.id
     where t.merchant_id = r.merchant_id and t.id = r.task_id
       for update of o2;
    if o.status <> 'in_verification' then
        raise exception 'order % is %, not in verification', o.id, o.status using errcode = 'KO409';
    end if;
    perform app.act_as('agent', r.agent_id::text);
    return o;
end
$$;

-- A task with its order, lines and call, as the console shows it.
-- plpgsql, each read a statement of its own: on Citus a sql function's queries are planned
-- without their parameters' values, and a query on the task's shard calling app.order_json
-- would run it there (docs/scaling.md).
create function app.task_json(t app.tasks, r app.reservations) returns jsonb
language plpgsql stable as $$
declare
    v_merchant text;
    v_call_sid text;
begin
    select name into v_merchant from app.merchants where id = t.merchant_id;
    select c.call_sid into v_call_sid from app.orders o join app.calls c
        on c.merchant_id = o.merchant_id and c.id = o.call_id
     where o.merchant_id = t.merchant_id and o.id = t.order_id;
    return jsonb_build_object(
        'task_id', t.id, 'kind', t.kind, 'task_status', t.status, 'step', t.step,
        'merchant_id', t.merchant_id, 'merchant', v_merchant,
        'reservation_id', r.id, 'reservation_status', r.status, 'expires_at', r.expires_at,
        'order', app.order_json(t.order_id),
        'call_sid', v_call_sid);
end
$$;

-- plpgsql, a task at a time: on Citus a query over the shards cannot pass their rows whole to
-- a function, and the agent is a value (see app.my_reservation).
create function api.my_tasks() returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    v_agent bigint := app.current_agent();
    r app.reservations;
    t app.tasks;
    v_tasks jsonb := '[]';
begin
    for r in select x.* from app.reservations x
              where x.agent_id = v_agent and x.status in ('pending', 'accepted')
              order by x.created_at loop
        select x.* into t from app.tasks x where x.merchant_id = r.merchant_id and x.id = r.task_id;
        continue when t.id is null;
        v_tasks := v_tasks || jsonb_build_array(app.task_json(t, r));
    end loop;
    return v_tasks;
end
$$;
comment on function api.my_tasks() is 'The tasks offered to or accepted by the signed-in agent, with their orders.';

create function api.accept_task(task_id bigint) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    r app.reservations := app.my_reservation(accept_task.task_id, '{pending}');
    t app.tasks;
begin
    if r.expires_at <= now() then
        perform app.end_reservation(r, 'timeout', 'not accepted in time');
        raise exception 'the offer of task % expired', r.task_id using errcode = 'KT410';
    end if;
    update app.reservations set status = 'accepted', responded_at = now()
     where merchant_id = r.merchant_id and id = r.id returning * into r;
    update app.tasks set status = 'assigned', agent_id = r.agent_id, assigned_at = now()
     where merchant_id = r.merchant_id and id = r.task_id returning * into t;
    perform app.share_routed_work(t.merchant_id, t.order_id);
    perform app.act_as('agent', r.agent_id::text, 'accepted the verification task');
    update app.orders set status = 'in_verification'
     where merchant_id = t.merchant_id and id = t.order_id and status = 'pending_verification';
    perform app.notify_task(t, 'accepted', r.agent_id);
    return app.task_json(t, r);
end
$$;
comment on function api.accept_task(bigint) is
    'The signed-in agent accepts a verification task offered to it; returns the task.';

create function api.reject_task(task_id bigint, reason text default null) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    r app.reservations := app.my_reservation(reject_task.task_id, '{pending}');
begin
    perform app.end_reservation(r, 'rejected', coalesce(reject_task.reason, 'rejected'));
    return jsonb_build_object('task_id', r.task_id, 'status', 'rejected');
end
$$;
comment on function api.reject_task(bigint, text) is
    'The signed-in agent declines a task offered to it (with an optional reason), so it is offered to another.';

create function api.order_for_task(task_id bigint) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    r app.reservations := app.my_reservation(order_for_task.task_id);
    t app.tasks;
    v_task jsonb;
begin
    select * into t from app.tasks x where x.merchant_id = r.merchant_id and x.id = r.task_id;
    v_task := app.task_json(t, r);
    return v_task || jsonb_build_object('call', api.call_summary(v_task->>'call_sid'));
end
$$;
comment on function api.order_for_task(bigint) is
    'A task of the signed-in agent with its order and the call behind it (turns, transcript).';

-- Checks one line against the menu: KM422 with the rule it breaks.
create function app.check_line(p_menu_id bigint, p_line jsonb) returns void
language plpgsql stable as $$
declare
    v_problems jsonb := kea.validate_lines(p_menu_id, jsonb_build_array(p_line));
begin
    if jsonb_array_length(v_problems) > 0 then
        raise exception '%', v_problems->0->>'message'
            using errcode = 'KM422', detail = v_problems::text;
    end if;
end
$$;

create function app.line_json(p_merchant_id bigint, p_order_id bigint, p_line_no integer) returns jsonb
language sql stable as $$
    select to_jsonb(l) - 'merchant_id' - 'order_id' from app.order_lines l
     where l.merchant_id = p_merchant_id and l.order_id = p_order_id and l.line_no = p_line_no
$$;

-- Writes a line as the menu prices it, records the edit, reprices the order; returns the order.
create function app.write_line(o app.orders, p_task_id bigint, p_action text, p_line_no integer,
                               p_line jsonb)
returns jsonb
language plpgsql as $$
declare
    v_before jsonb := app.line_json(o.merchant_id, o.id, p_line_no);
    v_priced jsonb;
begin
    if p_line is not null then
        perform app.check_line(app.order_menu(o), p_line);
        v_priced := kea.price_lines(app.order_menu(o), jsonb_build_array(p_line))->'lines'->0;
        -- routed_agents: the agents who read the order read its new line (sql/app/policies.sql).
        insert into app.order_lines (merchant_id, order_id, line_no, item_id, item_code, name,
                                     variation_code, variation_name, quantity, unit_price_cents,
                                     line_total_cents, modifiers, routed_agents)
        values (o.merchant_id, o.id, p_line_no, (v_priced->>'item_id')::bigint, v_priced->>'item',
                v_priced->>'name', v_priced->>'variation', v_priced->>'variation_name',
                (v_priced->>'quantity')::int, (v_priced->>'unit_price_cents')::bigint,
                (v_priced->>'line_total_cents')::bigint, v_priced->'modifiers', o.routed_agents)
        on conflict (merchant_id, order_id, line_no) do update
            set item_id = excluded.item_id, item_code = excluded.item_code, name = excluded.name,
                variation_code = excluded.variation_code, variation_name = excluded.variation_name,
                quantity = excluded.quantity, unit_price_cents = excluded.unit_price_cents,
                line_total_cents = excluded.line_total_cents, modifiers = excluded.modifiers;
    else
        delete from app.order_lines
         where merchant_id = o.merchant_id and order_id = o.id and line_no = p_line_no;
    end if;
    insert into app.order_edits (merchant_id, order_id, task_id, agent_id, action, line_no, before,
                                 after, routed_agents)
    values (o.merchant_id, o.id, p_task_id, app.current_agent(), p_action, p_line_no, v_before,
            app.line_json(o.merchant_id, o.id, p_line_no), o.routed_agents);
    perform app.reprice_order(o.merchant_id, o.id);
    return app.order_json(o.id);
end
$$;

-- Changes what is given of a line (null keeps it): quantity, size (variation code), and the
-- whole list of modifiers ([{group, option, qualifier, negated, quantity}]).
create function api.edit_order_line(task_id bigint, line_no integer, quantity integer default null,
                                    variation text default null, modifiers jsonb default null)
returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    o app.orders := app.order_being_verified(edit_order_line.task_id);
    v_line jsonb;
begin
    select jsonb_build_object(
               'item', l.item_code,
               'variation', coalesce(edit_order_line.variation, l.variation_code),
               'quantity', coalesce(edit_order_line.quantity, l.quantity),
               'modifiers', coalesce(edit_order_line.modifiers, l.modifiers))
      into v_line
      from app.order_lines l
     where l.merchant_id = o.merchant_id and l.order_id = o.id and l.line_no = edit_order_line.line_no;
    if v_line is null then
        raise exception 'order % has no line %', o.id, edit_order_line.line_no using errcode = 'KM422';
    end if;
    return app.write_line(o, edit_order_line.task_id, 'edit', edit_order_line.line_no, v_line);
end
$$;
comment on function api.edit_order_line(bigint, integer, integer, text, jsonb) is
    'Changes a line of the order being verified (null keeps a value): quantity, size (variation code), modifiers; returns the repriced order.';

create function api.add_order_line(task_id bigint, item text, variation text default null,
                                   quantity integer default 1, modifiers jsonb default '[]')
returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    o app.orders := app.order_being_verified(add_order_line.task_id);
    v_line_no integer;
begin
    select coalesce(max(l.line_no), 0) + 1 into v_line_no
      from app.order_lines l where l.merchant_id = o.merchant_id and l.order_id = o.id;
    return app.write_line(o, add_order_line.task_id, 'add', v_line_no,
                          jsonb_build_object('item', add_order_line.item,
                                             'variation', add_order_line.variation,
                                             'quantity', coalesce(add_order_line.quantity, 1),
                                             'modifiers', coalesce(add_order_line.modifiers, '[]')));
end
$$;
comment on function api.add_order_line(bigint, text, text, integer, jsonb) is
    'Adds a line (item code, size, quantity, modifiers) to the order being verified; returns the repriced order.';

create function api.remove_order_line(task_id bigint, line_no integer) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    o app.orders := app.order_being_verified(remove_order_line.task_id);
begin
    if not exists (select 1 from app.order_lines l where l.merchant_id = o.merchant_id
                      and l.order_id = o.id and l.line_no = remove_order_line.line_no) then
        raise exception 'order % has no line %', o.id, remove_order_line.line_no using errcode = 'KM422';
    end if;
    if (select count(*) from app.order_lines l where l.merchant_id = o.merchant_id and l.order_id = o.id) = 1 then
        raise exception 'an order keeps at least one line: reject the order instead'
            using errcode = 'KM422';
    end if;
    return app.write_line(o, remove_order_line.task_id, 'remove', remove_order_line.line_no, null);
end
$$;
comment on function api.remove_order_line(bigint, integer) is
    'Removes a line from the order being verified; returns the repriced order.';

-- Ends the agent's work on a task: the reservation and task complete, the agent is free for
-- the next one.
create function app.finish_task(o app.orders, p_task_id bigint, p_outcome text, p_reason text)
returns void
language plpgsql as $$
declare
    r app.reservations := app.my_reservation(p_task_id, '{accepted}');
    t app.tasks;
begin
    update app.reservations set status = 'completed', responded_at = now()
     where merchant_id = r.merchant_id and id = r.id;
    update app.tasks set status = 'completed', outcome = p_outcome, reason = p_reason,
                         completed_at = now()
     where merchant_id = r.merchant_id and id = r.task_id
    returning * into t;
    perform app.share_routed_work(t.merchant_id, t.order_id);
    update app.agents set activity_at = now() where id = r.agent_id;
    perform app.notify_task(t, 'completed', r.agent_id);
    perform app.route_waiting(r.agent_id);
end
$$;

create function api.approve_order(task_id bigint) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    o app.orders := app.order_being_verified(approve_order.task_id);
begin
    perform app.reprice_order(o.merchant_id, o.id);
    perform app.act_as('agent', app.current_agent()::text, 'approved');
    update app.orders set status = 'verified' where merchant_id = o.merchant_id and id = o.id;
    perform app.order_status_changed(o.merchant_id, o.id, o.status, 'verified');
    -- The same check runs at commit; now, it fails with a clear error before anything else.
    perform app.check_order_complete(o.merchant_id, o.id);
    perform app.finish_task(o, approve_order.task_id, 'approved', null);
    return app.order_json(o.id);
end
$$;
comment on function api.approve_order(bigint) is
    'The agent approves the order being verified: it is repriced, checked complete and sent on; the task ends.';

create function api.reject_order(task_id bigint, reason text) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    o app.orders := app.order_being_verified(reject_order.task_id);
begin
    if coalesce(trim(reject_order.reason), '') = '' then
        raise exception 'say why the order is rejected' using errcode = 'KM422';
    end if;
    perform app.act_as('agent', app.current_agent()::text, reject_order.reason);
    update app.orders set status = 'rejected' where merchant_id = o.merchant_id and id = o.id;
    perform app.order_status_changed(o.merchant_id, o.id, o.status, 'rejected');
    perform app.finish_task(o, reject_order.task_id, 'rejected', reject_order.reason);
    return app.order_json(o.id);
end
$$;
comment on function api.reject_order(bigint, text) is
    'The agent rejects the order being verified, saying why; the task ends.';

create function api.set_activity(activity text) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
begin
    perform app.set_agent_activity(app.current_agent(), set_activity.activity);
    return (select jsonb_build_object('agent_id', a.id, 'activity', a.activity,
                                      'load', app.agent_load(a.id), 'capacity', a.capacity)
              from app.agents a where a.id = app.current_agent());
end
$$;
comment on function api.set_activity(text) is
    'Sets the signed-in agent''s activity (available, busy, break or offline); returns it with the agent''s load and capacity.';

grant execute on function api.login(text, text) to kea_anon, kea_agent;
grant execute on function api.my_tasks(), api.accept_task(bigint), api.reject_task(bigint, text),
      api.order_for_task(bigint),
      api.edit_order_line(bigint, integer, integer, text, jsonb),
      api.add_order_line(bigint, text, text, integer, jsonb),
      api.remove_order_line(bigint, integer), api.approve_order(bigint),
      api.reject_order(bigint, text), api.set_activity(text)
   to kea_agent;
