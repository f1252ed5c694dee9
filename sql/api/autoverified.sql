-- Orders kea verified alone, for the agent console's "Verified by kea" list (docs/console.md):
-- an agent reads the recent ones of the merchants it serves (app.agent_serves, as the router
-- offers tasks), opens one read-only (its call as the task detail shows it), and reports a
-- mistake on it. A report is the evidence that the auto-verified order was wrong: recorded in
-- the order's history (actor the agent) and on its decision (checked = 'reported'), and it
-- loses the merchant's earned trust as an edit of a shadow order does (app.autoverify_lose_trust,
-- docs/closed-loop.md). It changes nothing already sent to the POS. The agent is the one in the
-- token, never an argument; another merchant's orders are never shown (KO404).

-- The signed-in agent's routing attributes.
create function app.my_agent_attributes() returns jsonb
language plpgsql stable as $$
declare
    v_agent bigint := app.current_agent();
begin
    return (select a.attributes from app.agents a where a.id = v_agent);
end
$$;

-- An order kea verified alone (decision verified) of a merchant the signed-in agent serves,
-- with its decision; KO404 otherwise (not such an order, or another merchant's: the same answer).
create function app.autoverified_decision(p_order_id bigint, p_lock boolean default false)
returns app.autoverify_decisions
language plpgsql as $$
declare
    v_attrs jsonb := app.my_agent_attributes();
    d app.autoverify_decisions;
begin
    select x.* into d from app.autoverify_decisions x join app.merchants m on m.id = x.merchant_id
     where x.order_id = p_order_id and x.verdict = 'verified'
       and app.agent_serves(v_attrs, m.id, m.groups);
    if p_lock and d.order_id is not null then
        select x.* into d from app.autoverify_decisions x
         where x.merchant_id = d.merchant_id and x.order_id = d.order_id for update;
    end if;
    if d.order_id is null then
        raise exception 'no order % verified by kea for a store you serve', p_order_id
            using errcode = 'KO404', hint = 'see autoverified_orders()';
    end if;
    return d;
end
$$;

-- The call behind an order as the console shows it: turns with what kea understood, caller,
-- recording, the agents' edits, and why a person checks it (p_why). api.call_for_task's too.
create function app.order_call_json(p_merchant_id bigint, p_order_id bigint, p_why jsonb)
returns jsonb
language plpgsql stable as $$
begin
    return (
        select jsonb_build_object(
            'call_sid', c.call_sid, 'status', c.status, 'outcome', c.outcome,
            'from', c.from_number, 'to', c.to_number, 'started_at', c.started_at,
            'ended_at', c.ended_at, 'duration_s', c.duration_s, 'recording_url', c.recording_url,
            'previous_orders', (select count(*) from app.orders p
                                 where p.merchant_id = o.merchant_id and p.id <> o.id
                                   and p.customer_phone = c.from_number
                                   and p.status not in ('abandoned', 'rejected', 'cancelled')),
            'turns', coalesce((select jsonb_agg(jsonb_build_object(
                            'seq', t.seq, 'event', t.event, 'speech', t.speech,
                            'confidence', t.confidence, 'digits', t.digits, 'said', t.said,
                            'phase', t.phase, 'understood', t.understood::jsonb,
                            'at', t.created_at) order by t.seq)
                      from app.turns t where t.merchant_id = c.merchant_id and t.call_id = c.id), '[]'),
            'edits', coalesce((select jsonb_agg(jsonb_build_object(
                            'line_no', e.line_no, 'action', e.action, 'before', e.before,
                            'after', e.after, 'agent_id', e.agent_id, 'at', e.at) order by e.id)
                      from app.order_edits e where e.merchant_id = o.merchant_id and e.order_id = o.id), '[]'),
            'why', p_why)
          from app.orders o
          join app.calls c on c.merchant_id = o.merchant_id and c.id = o.call_id
         where o.merchant_id = p_merchant_id and o.id = p_order_id);
end
$$;

-- The mistakes agents reported on an order: [{agent_id, reason, at}], oldest first.
create function app.order_reports(p_merchant_id bigint, p_order_id bigint) returns jsonb
language plpgsql stable as $$
begin
    return coalesce((select jsonb_agg(jsonb_build_object('agent_id', h.actor_id, 'reason', h.reason, 'at', h.at)
                                      order by h.id)
                       from app.order_history h
                      where h.merchant_id = p_merchant_id and h.order_id = p_order_id
                        and h.actor_kind = 'agent' and h.reason like 'reported a mistake%'), '[]');
end
$$;

-- The recent orders kea verified alone for the merchants the agent serves, newest first:
-- at most max_rows (1-200), decided before `before` when given (the next page: the last row's
-- verified_at). Each with time, store, caller, items, total and where it stands (its status:
-- verified, sent to the POS, accepted by it...), and whether a mistake was reported.
create function api.autoverified_orders(before timestamptz default null, max_rows integer default 50)
returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    v_attrs jsonb := app.my_agent_attributes();
    v_rows jsonb := '[]';
    d record;
begin
    if max_rows is null or max_rows not between 1 and 200 then
        raise exception 'max_rows is between 1 and 200, not %', max_rows using errcode = '22023';
    end if;
    for d in select x.merchant_id, x.order_id, x.decided_at, x.checked, m.name as merchant
               from app.autoverify_decisions x join app.merchants m on m.id = x.merchant_id
              where x.verdict = 'verified' and app.agent_serves(v_attrs, m.id, m.groups)
                and (autoverified_orders.before is null or x.decided_at < autoverified_orders.before)
              order by x.decided_at desc, x.order_id desc
              limit max_rows loop
        v_rows := v_rows || jsonb_build_array((
            select jsonb_build_object(
                'order_id', o.id, 'merchant_id', o.merchant_id, 'merchant', d.merchant,
                'verified_at', d.decided_at, 'customer_phone', o.customer_phone,
                'status', o.status, 'total_cents', o.total_cents, 'currency', o.currency,
                'fulfillment', o.fulfillment, 'reported', d.checked is not distinct from 'reported',
                'items', (select coalesce(sum(l.quantity), 0) from app.order_lines l
                           where l.merchant_id = o.merchant_id and l.order_id = o.id),
                'lines', (select coalesce(jsonb_agg(jsonb_build_object('quantity', l.quantity, 'name', l.name)
                                                    order by l.line_no), '[]')
                            from app.order_lines l where l.merchant_id = o.merchant_id and l.order_id = o.id))
              from app.orders o where o.merchant_id = d.merchant_id and o.id = d.order_id));
    end loop;
    return v_rows;
end
$$;
comment on function api.autoverified_orders(timestamptz, integer) is
    'The orders kea verified alone for the stores the signed-in agent serves, newest first (max_rows 1-200; before: the previous page''s last verified_at): order_id, merchant, verified_at, customer_phone, lines, items, total_cents, status (where it stands at the POS), reported.';

-- One order kea verified alone, read-only: the order, the call as the task detail shows it (no
-- why: nobody was asked), the menu it was taken with, the decision (rule that passed, and a
-- report's note), the mistakes reported, and the store's own number (to call if it must change).
create function api.autoverified_order(order_id bigint) returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    d app.autoverify_decisions := app.autoverified_decision(autoverified_order.order_id);
    o app.orders;
    m app.merchants;
    v_menu bigint;
begin
    select x.* into o from app.orders x where x.merchant_id = d.merchant_id and x.id = d.order_id;
    select x.* into m from app.merchants x where x.id = d.merchant_id;
    v_menu := app.order_menu(o);
    return jsonb_build_object(
        'order', app.order_json(o.id), 'merchant_id', m.id, 'merchant', m.name,
        'store_phone', m.transfer_number,
        'decision', jsonb_build_object('reason', d.reason, 'decided_at', d.decided_at,
                                       'min_confidence', d.min_confidence, 'checked', d.checked,
                                       'check_note', d.check_note),
        'reports', app.order_reports(d.merchant_id, d.order_id),
        'call', app.order_call_json(d.merchant_id, d.order_id, '[]'),
        'menu', coalesce((select document from kea.menus where menu_id = v_menu), app.menu_document(v_menu)));
end
$$;
comment on function api.autoverified_order(bigint) is
    'An order kea verified alone for a store the signed-in agent serves, read-only: order, call (turns, what kea understood), menu, decision, reports, store_phone; KO404 for any other order.';

-- The agent reports a mistake on an order kea verified alone: what was wrong (reason) and, when
-- it is one line, which (line_no). Recorded in the order's history (actor the agent) and on the
-- decision (checked = 'reported'); the merchant's policy loses its earned trust, back to shadow
-- (unless the order was decided before the count last started again: recorded, not counted,
-- as app.autoverify_evidence does). Once per order (KO409). The order itself, already sent on,
-- is not changed: the store is called if it must be.
create function api.report_autoverified_order(order_id bigint, reason text, line_no integer default null)
returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
#variable_conflict use_column
declare
    d app.autoverify_decisions := app.autoverified_decision(report_autoverified_order.order_id, true);
    v_agent bigint := app.current_agent();
    v_reason text := btrim(coalesce(report_autoverified_order.reason, ''));
    v_line text;
    v_status text;
    v_since timestamptz;
    v_note text;
begin
    if v_reason = '' then
        raise exception 'say what was wrong' using errcode = '22023';
    end if;
    if d.checked = 'reported' then
        raise exception 'a mistake on order % was already reported', d.order_id using errcode = 'KO409';
    end if;
    if report_autoverified_order.line_no is not null then
        select format('line %s (%s× %s)', l.line_no, l.quantity, l.name) into v_line
          from app.order_lines l
         where l.merchant_id = d.merchant_id and l.order_id = d.order_id
           and l.line_no = report_autoverified_order.line_no;
        if v_line is null then
            raise exception 'order % has no line %', d.order_id, report_autoverified_order.line_no
                using errcode = '22023';
        end if;
    end if;
    select o.status into v_status from app.orders o where o.merchant_id = d.merchant_id and o.id = d.order_id;
    insert into app.order_history (merchant_id, order_id, from_status, to_status, actor_kind, actor_id, reason)
    values (d.merchant_id, d.order_id, v_status, v_status, 'agent', v_agent::text,
            'reported a mistake' || coalesce(' on ' || v_line, '') || ': ' || v_reason);
    select p.counting_since into v_since from app.autoverify_policies p where p.merchant_id = d.merchant_id;
    if d.decided_at < v_since then
        v_note := format('reported, not counted: decided before the count started again (%s)', v_since);
    else
        v_note := format('trust lost: an agent reported a mistake on order %s that kea verified alone%s: %s',
                         d.order_id, coalesce(' (' || v_line || ')', ''), v_reason);
        perform app.autoverify_lose_trust(d.merchant_id, d.order_id, v_note);
    end if;
    update app.autoverify_decisions set checked = 'reported', checked_at = now(), check_note = v_note
     where merchant_id = d.merchant_id and order_id = d.order_id;
    return api.autoverified_order(d.order_id);
end
$$;
comment on function api.report_autoverified_order(bigint, text, integer) is
    'The signed-in agent reports a mistake on an order kea verified alone (reason; line_no optional): kept in the order''s history and on its auto-verify decision (checked = reported); the store''s policy loses its earned trust (back to shadow). Does not change the order: it was already sent to the POS. KO404 not such an order, KO409 already reported, 22023 no reason or no such line.';

grant execute on function api.autoverified_orders(timestamptz, integer), api.autoverified_order(bigint),
      api.report_autoverified_order(bigint, text, integer) to kea_agent;
