-- Orders: saved from the call, moved through their status machine (docs/workflow.md) by
-- agents, workers and the POS, every change kept in app.order_history.

-- Who is changing orders in this transaction, and why: read by the history trigger.
-- kind: caller | agent | worker | pos | store | system.
-- Assignments, not a PERFORM: a simple expression runs without a statement of its own
-- (executor start-up and shut-down, docs/benchmarks.md "Turns"); every saved order calls this.
create function app.act_as(p_kind text, p_id text default null, p_reason text default null)
returns void
language plpgsql as $$
declare
    v text;
begin
    v := set_config('kea.actor_kind', p_kind, true);
    v := set_config('kea.actor_id', coalesce(p_id, ''), true);
    v := set_config('kea.reason', coalesce(p_reason, ''), true);
end
$$;

-- The status machine: may an order go from `p_from` (null = a new order) to `p_to`?
create function app.order_transition_allowed(p_from text, p_to text) returns boolean
language sql immutable as $$
    select case p_from
        when 'pending_verification' then p_to in ('in_verification', 'verified', 'rejected', 'cancelled')
        when 'in_verification' then p_to in ('pending_verification', 'verified', 'rejected', 'cancelled')
        when 'verified' then p_to in ('sent_to_pos', 'accepted_by_pos', 'failed', 'cancelled')
        when 'sent_to_pos' then p_to in ('accepted_by_pos', 'failed', 'cancelled')
        when 'accepted_by_pos' then p_to in ('completed', 'cancelled')
        when 'failed' then p_to in ('verified', 'cancelled')
        else false
    end or (p_from is null and p_to in ('pending_verification', 'abandoned'))
$$;

create function app.orders_status_machine() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        if not app.order_transition_allowed(null, new.status) then
            raise exception 'a new order cannot start as %', new.status
                using errcode = 'KO409', hint = 'new orders are pending_verification or abandoned';
        end if;
    elsif new.status is distinct from old.status then
        if not app.order_transition_allowed(old.status, new.status) then
            raise exception 'order % cannot go from % to %', old.id, old.status, new.status
                using errcode = 'KO409',
                      hint = 'see the order status machine in docs/workflow.md';
        end if;
        new.updated_at := now();
    end if;
    return new;
end
$$;
create trigger orders_status_machine before insert or update of status on app.orders
    for each row execute function app.orders_status_machine();

create function app.orders_record_history() returns trigger
language plpgsql as $$
begin
    insert into app.order_history (merchant_id, order_id, from_status, to_status, actor_kind,
                                   actor_id, reason)
    values (new.merchant_id, new.id, case when tg_op = 'UPDATE' then old.status end, new.status,
            coalesce(nullif(current_setting('kea.actor_kind', true), ''), 'system'),
            nullif(current_setting('kea.actor_id', true), ''),
            nullif(current_setting('kea.reason', true), ''));
    return null;
end
$$;
create trigger orders_history_insert after insert on app.orders
    for each row execute function app.orders_record_history();
create trigger orders_history_update after update of status on app.orders
    for each row when (old.status is distinct from new.status)
    execute function app.orders_record_history();

-- An order's lines as JSON, in the shape kea.validate_lines and kea.price_lines read.
-- plpgsql, not sql: a sql function with a FROM is not inlined, and PostgreSQL 15 parses and
-- plans its body on every call; plpgsql keeps the plan. A confirming turn called this twice
-- then (the completeness check in api.twilio_gather and at commit; once since the commit's
-- check skips an order checked already): about 7% of a turn's backend CPU went to planning it
-- (perf, docs/benchmarks.md "What a turn costs PostgreSQL").
create function app.order_lines_json(p_merchant_id bigint, p_order_id bigint) returns jsonb
language plpgsql stable as $$
begin
    return (
        select coalesce(jsonb_agg(jsonb_build_object(
                   'line_no', l.line_no, 'item', l.item_code, 'variation', l.variation_code,
                   'quantity', l.quantity, 'modifiers', l.modifiers,
                   'unit_price_cents', l.unit_price_cents) order by l.line_no), '[]')
          from app.order_lines l
         where l.merchant_id = p_merchant_id and l.order_id = p_order_id);
end
$$;

-- The menu an order is priced against: the call's, else the merchant's active one. plpgsql,
-- the merchant's menus read only when the order has none: the completeness check calls this
-- on the order's shard on Citus, where app.menus (a coordinator table) is out of reach.
create function app.order_menu(o app.orders) returns bigint
language plpgsql stable as $$
begin
    if o.menu_id is not null then
        return o.menu_id;
    end if;
    return (select id from app.menus m where m.merchant_id = o.merchant_id and m.active);
end
$$;

-- A submitted order (pending_verification or verified) has lines, each complete and allowed by
-- the menu, and none priced below what the menu asks: a $0.00 line is right only when the
-- menu prices it at zero (issue 9). KO422 otherwise.
create function app.check_order_complete(p_merchant_id bigint, p_order_id bigint) returns void
language plpgsql as $$
declare
    o app.orders;
    v_lines jsonb;
    v_menu bigint;
    v_problems jsonb;
    v_priced jsonb;
    v_mark text;
begin
    select * into o from app.orders where merchant_id = p_merchant_id and id = p_order_id;
    if o.id is null or o.status not in ('pending_verification', 'verified') then
        return;
    end if;
    if o.status = 'pending_verification' and o.review_reason is not null then
        -- Kept for an agent's repair (api.twilio_gather): checked when the agent approves it.
        return;
    end if;
    v_menu := app.order_menu(o);
    v_lines := app.order_lines_json(o.merchant_id, o.id);
    if jsonb_array_length(v_lines) = 0 then
        raise exception 'order % has no lines', o.id using errcode = 'KO422';
    end if;
    v_problems := kea.validate_lines(v_menu, v_lines);
    if jsonb_array_length(v_problems) > 0 then
        raise exception 'order % is incomplete: %', o.id,
            (select string_agg(p->>'message', '; ') from jsonb_array_elements(v_problems) p)
            using errcode = 'KO422', detail = v_problems::text,
                  hint = 'every line needs its size and required choices (kea.validate_lines)';
    end if;
    v_priced := kea.price_lines(v_menu, v_lines);
    if exists (select 1
                 from jsonb_array_elements(v_lines) with ordinality s(l, n)
                 join jsonb_array_elements(v_priced->'lines') with ordinality p(l, n) using (n)
                where (s.l->>'unit_price_cents')::bigint < (p.l->>'unit_price_cents')::bigint) then
        raise exception 'order % has a line priced below the menu', o.id
            using errcode = 'KO422', detail = v_priced::text;
    end if;
    -- Passed: the commit's check of this order may skip (app.check_order_lines) until a write
    -- that could change the verdict clears the mark (app.order_check_stale). Transaction-local,
    -- and undone with a subtransaction that rolls back (a refusal caught in an exception block).
    v_mark := set_config('kea.order_checked', o.merchant_id || ':' || o.id, true);
end
$$;

-- At commit (a deferred constraint trigger: the lines are written after the order row). It
-- runs after the api function that wrote the order has returned, as the session's role: hence
-- security definer. Once per order: when this transaction already ran the whole check on this
-- order (api.twilio_gather and api.approve_order call it so a refusal comes before the commit)
-- and wrote nothing since that could change its verdict, it is not run again (about 50 µs of a
-- confirming turn, docs/benchmarks.md "The completeness check once"). Only a passed check
-- leaves the mark; a status change within pending_verification/verified does not change the
-- verdict, so it keeps it. On Citus the trigger runs on the shard, where the mark set on the
-- coordinator is not: there the check runs again, as it always did.
create function app.check_order_lines() returns trigger
language plpgsql security definer set search_path = pg_catalog, public as $$
begin
    if current_setting('kea.order_checked', true) = new.merchant_id || ':' || new.id then
        return null;
    end if;
    perform app.check_order_complete(new.merchant_id, new.id);
    return null;
end
$$;
create constraint trigger orders_complete_lines after insert or update of status on app.orders
    deferrable initially deferred
    for each row when (new.status in ('pending_verification', 'verified'))
    execute function app.check_order_lines();

-- Clears the mark of a passed check (app.check_order_complete): after any write that could
-- change a verdict (an order's lines, its menu, or its keys; the row removed), the commit's
-- check runs. Per statement, and only when a mark is set (the WHEN needs no function call), so
-- the writes of a turn that checked nothing cost nothing more. Triggers, not a rule for the
-- writers to follow: a writer added later cannot skip the commit's check by forgetting it.
create function app.order_check_stale() returns trigger
language plpgsql as $$
declare
    v text;
begin
    v := set_config('kea.order_checked', '', true);
    return null;
end
$$;
create trigger order_lines_check_stale
    after insert or delete or update of merchant_id, order_id, line_no, item_code, variation_code,
                                        quantity, modifiers, unit_price_cents on app.order_lines
    for each statement when (current_setting('kea.order_checked', true) <> '')
    execute function app.order_check_stale();
create trigger order_lines_check_stale_truncate after truncate on app.order_lines
    for each statement execute function app.order_check_stale();
create trigger orders_check_stale
    after delete or update of merchant_id, id, menu_id on app.orders
    for each statement when (current_setting('kea.order_checked', true) <> '')
    execute function app.order_check_stale();

-- Saves a priced order (kea.price_order / dialog outcome format) and returns its id. A
-- confirmed order gets its verification task in the same transaction.
-- p_menu_id: the call's menu, when the caller has the call's row (api.twilio_gather).
create function app.save_order(p_merchant_id bigint, p_call_id bigint, p_order jsonb, p_status text,
                               p_review_reason text default null, p_menu_id bigint default null)
returns bigint
language plpgsql as $$
declare
    v_id bigint;
    d jsonb := coalesce(p_order->'details', '{}');
    v_menu bigint := p_menu_id;
    v_phone text;
begin
    perform app.act_as('caller', p_call_id::text, p_review_reason);
    -- The call's menu first, then the insert: Citus refuses a subquery in an INSERT's VALUES.
    if v_menu is null then
        select c.menu_id into v_menu from app.calls c where c.merchant_id = p_merchant_id and c.id = p_call_id;
    end if;
    -- E.164 here, where the merchant's country is at hand (app.orders_e164_phone); the country
    -- read only for a number without a country code (the caller ID has one).
    v_phone := app.e164(d->>'phone', case when btrim(coalesce(d->>'phone', '')) like '+%' then null
                                          else app.merchant_country(p_merchant_id) end);
    insert into app.orders (merchant_id, call_id, status, customer_name, customer_phone,
                            fulfillment, address, requested_time, subtotal_cents, tax_cents,
                            total_cents, currency, menu_id, call_lines, review_reason)
    values (p_merchant_id, p_call_id, p_status, d->>'name', v_phone,
            coalesce(d->>'fulfillment', 'pickup'), d->>'address', d->'time',
            (p_order->>'subtotal_cents')::bigint, (p_order->>'tax_cents')::bigint,
            (p_order->>'total_cents')::bigint, coalesce(p_order->>'currency', 'USD'),
            v_menu, p_order->'lines', p_review_reason)
    returning id into v_id;

    insert into app.order_lines (merchant_id, order_id, line_no, item_id, item_code, name,
                                 variation_code, variation_name, quantity, unit_price_cents,
                                 line_total_cents, modifiers)
    select p_merchant_id, v_id, ord, (l->>'item_id')::bigint, l->>'item', l->>'name',
           l->>'variation', l->>'variation_name', (l->>'quantity')::int,
           (l->>'unit_price_cents')::bigint, (l->>'line_total_cents')::bigint,
           coalesce(l->'modifiers', '[]')
    from jsonb_array_elements(p_order->'lines') with ordinality as x(l, ord);

    if p_status = 'pending_verification' then
        perform app.create_verification_task(p_merchant_id, v_id);
    end if;
    return v_id;
end
$$;

-- Prices the order's lines again against its menu and rewrites them and the totals (after an
-- agent's edit, and before approval, so what reaches the POS is what the menu charges).
create function app.reprice_order(p_merchant_id bigint, p_order_id bigint) returns jsonb
language plpgsql as $$
declare
    o app.orders;
    v_priced jsonb;
begin
    select * into o from app.orders where merchant_id = p_merchant_id and id = p_order_id for update;
    v_priced := kea.price_lines(app.order_menu(o), app.order_lines_json(p_merchant_id, p_order_id),
                                jsonb_build_object('fulfillment', o.fulfillment));
    update app.order_lines l
       set item_id = (p.l->>'item_id')::bigint, name = p.l->>'name',
           variation_code = p.l->>'variation', variation_name = p.l->>'variation_name',
           unit_price_cents = (p.l->>'unit_price_cents')::bigint,
           line_total_cents = (p.l->>'line_total_cents')::bigint,
           modifiers = p.l->'modifiers'
      from jsonb_array_elements(v_priced->'lines') with ordinality p(l, n),
           (select line_no, row_number() over (order by line_no) as n from app.order_lines
             where merchant_id = p_merchant_id and order_id = p_order_id) ln
     where l.merchant_id = p_merchant_id and l.order_id = p_order_id
       and ln.line_no = l.line_no and ln.n = p.n;
    update app.orders
       set subtotal_cents = (v_priced->>'subtotal_cents')::bigint,
           tax_cents = (v_priced->>'tax_cents')::bigint,
           total_cents = (v_priced->>'total_cents')::bigint,
           updated_at = now()
     where merchant_id = p_merchant_id and id = p_order_id;
    return v_priced;
end
$$;

-- An order with its lines as one JSON object: what `scripts/call --json` prints.
-- plpgsql, the order read first, then its lines: on Citus each is then a query to the one
-- shard of the order's merchant (docs/scaling.md).
create function app.order_json(p_order_id bigint) returns jsonb
language plpgsql stable as $$
declare
    o app.orders;
begin
    select * into o from app.orders x where x.id = p_order_id;
    if o.id is null then
        return null;
    end if;
    return to_jsonb(o) - 'merchant_id' - 'call_lines' || jsonb_build_object(
        'lines', coalesce((select jsonb_agg(to_jsonb(l) - 'merchant_id' - 'order_id' order by l.line_no)
                           from app.order_lines l
                           where l.merchant_id = o.merchant_id and l.order_id = o.id), '[]'));
end
$$;

-- What a status change causes, in its own transaction (the outbox): a verified order goes to
-- the POS (or, with none connected, straight to the caller's text); an accepted one texts
-- the caller; a rejected one tells the caller. Re-verifying a failed order re-runs its dead POS
-- job (the same row, the same idempotency key).
create function app.order_side_effects(p_merchant_id bigint, p_order_id bigint, p_status text)
returns void
language plpgsql as $$
declare
    v_dead bigint;
begin
    if p_status = 'verified' then
        if exists (select 1 from app.pos_connections where merchant_id = p_merchant_id) then
            select id into v_dead from app.jobs
             where id = app.job_for_key(p_merchant_id, 'pos_order:' || p_order_id)
               and state in ('dead', 'cancelled');
            if v_dead is not null then
                perform app.retry_job(v_dead);
            else
                perform app.enqueue(p_merchant_id, 'pos_order', jsonb_build_object('order_id', p_order_id),
                                    'pos_order:' || p_order_id, null, 1);
            end if;
        else
            perform app.order_accepted(p_merchant_id, p_order_id);
        end if;
    elsif p_status = 'accepted_by_pos' then
        perform app.order_accepted(p_merchant_id, p_order_id);
    elsif p_status = 'rejected' then
        perform app.enqueue(p_merchant_id, 'sms',
                            jsonb_build_object('order_id', p_order_id, 'template', 'rejected'),
                            'sms:rejected:' || p_order_id);
    end if;
end
$$;

-- The side effects of any status change, where the trigger runs beside the coordinator's
-- tables: on one PostgreSQL, always; on Citus it runs on the order's shard (its table is the
-- shard, app.orders_102143), where app.jobs and app.pos_connections are out of reach, and the
-- functions that change an order's status call app.order_status_changed instead. It leaves a
-- mark that it ran, so that those calls do nothing more here (docs/scaling.md).
create function app.orders_side_effects() returns trigger
language plpgsql as $$
begin
    if tg_table_name <> 'orders' then
        return null;
    end if;
    perform set_config('kea.order_effects', format('%s:%s:%s', new.merchant_id, new.id, new.status), true);
    perform app.order_side_effects(new.merchant_id, new.id, new.status);
    return null;
end
$$;
create trigger orders_side_effects after update of status on app.orders
    for each row when (old.status is distinct from new.status)
    execute function app.orders_side_effects();

-- Called by the functions that change an order's status, after the update: what the triggers
-- of app.orders do (the side effects, learning from an agent's corrections, the auto-verify
-- evidence of sql/app/autoverify.sql) when they did
-- not run beside the coordinator's tables (on Citus, on the order's shard); nothing otherwise.
create function app.order_status_changed(p_merchant_id bigint, p_order_id bigint,
                                         p_from text, p_to text)
returns void
language plpgsql as $$
begin
    if p_from is not distinct from p_to
       or current_setting('kea.order_effects', true)
          = format('%s:%s:%s', p_merchant_id, p_order_id, p_to) then
        return;
    end if;
    perform app.order_side_effects(p_merchant_id, p_order_id, p_to);
    if p_from = 'in_verification' and p_to = 'verified' then
        perform app.learn_after_approval(p_merchant_id, p_order_id);
    end if;
    if p_from = 'in_verification' and p_to in ('verified', 'rejected') then
        perform app.autoverify_evidence(p_merchant_id, p_order_id, p_to);
    end if;
end
$$;

-- The caller's confirmation and receipt, once per order. By the order's keys, not its row: on
-- Citus the trigger above runs on the order's shard, where its row is of the shard's type.
create function app.order_accepted(p_merchant_id bigint, p_order_id bigint) returns void
language sql as $$
    select app.enqueue(p_merchant_id, 'sms',
                       jsonb_build_object('order_id', p_order_id, 'template', 'confirmation'),
                       'sms:confirmation:' || p_order_id)
$$;
