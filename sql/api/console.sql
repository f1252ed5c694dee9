-- What the agent console (/console, docs/console.md) needs beyond the agents' functions of
-- sql/api/agents.sql: the menu to edit lines with, and the call as kea understood it. Both
-- only for a task the signed-in agent holds (an offer or an accepted task), like
-- api.order_for_task.

-- The published menu document of the task's order (the menu the call ran with), so lines are
-- edited with the menu's own sizes, required choices and toppings.
create function api.menu_for_task(task_id bigint) returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    r app.reservations := app.my_reservation(menu_for_task.task_id);
    v_menu bigint;
begin
    select app.order_menu(o) into v_menu
      from app.tasks t join app.orders o on o.merchant_id = t.merchant_id and o.id = t.order_id
     where t.merchant_id = r.merchant_id and t.id = r.task_id;
    return coalesce((select document from kea.menus where menu_id = v_menu),
                    app.menu_document(v_menu));
end
$$;
comment on function api.menu_for_task(bigint) is
    'The menu document of the task''s order (sizes, groups, options), for a task the signed-in agent holds.';

-- The call behind a task, turn by turn with what kea understood (the extraction: lines with
-- their confidence, what the dialog did), the caller's number and the recording, and the
-- agents' edits of the order so far (so a line shows what the call had made of it).
create function api.call_for_task(task_id bigint) returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    r app.reservations := app.my_reservation(call_for_task.task_id);
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
                      from app.order_edits e where e.merchant_id = o.merchant_id and e.order_id = o.id), '[]'))
          from app.tasks tk
          join app.orders o on o.merchant_id = tk.merchant_id and o.id = tk.order_id
          join app.calls c on c.merchant_id = o.merchant_id and c.id = o.call_id
         where tk.merchant_id = r.merchant_id and tk.id = r.task_id);
end
$$;
comment on function api.call_for_task(bigint) is
    'The call behind a task the signed-in agent holds: turns with what kea understood, caller, outcome.';

grant execute on function api.menu_for_task(bigint), api.call_for_task(bigint) to kea_agent;
