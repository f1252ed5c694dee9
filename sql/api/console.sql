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
    o app.orders;
    v_menu bigint;
begin
    -- The order read first, then its menu: on Citus a query on the order's shard would pass
    -- the row to app.order_menu there, as the shard's row type (docs/scaling.md).
    select x.* into o
      from app.tasks t join app.orders x on x.merchant_id = t.merchant_id and x.id = t.order_id
     where t.merchant_id = r.merchant_id and t.id = r.task_id;
    v_menu := app.order_menu(o);
    return coalesce((select document from kea.menus where menu_id = v_menu),
                    app.menu_document(v_menu));
end
$$;
comment on function api.menu_for_task(bigint) is
    'The menu document of the task''s order (sizes, groups, options), for a task the signed-in agent holds.';

-- The call behind a task, turn by turn with what kea understood (the extraction: lines with
-- their confidence, what the dialog did), the caller's number and the recording, the agents'
-- edits of the order so far (so a line shows what the call had made of it), and why a person
-- checks this order (app.why_checked).
create function api.call_for_task(task_id bigint) returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    r app.reservations := app.my_reservation(call_for_task.task_id);
    v_order bigint;
    v_why jsonb;
begin
    -- Why the order is checked, first and by itself: on Citus the query below runs on the
    -- order's shard, where app.why_checked's own queries cannot run (docs/scaling.md).
    select tk.order_id into v_order from app.tasks tk
     where tk.merchant_id = r.merchant_id and tk.id = r.task_id;
    v_why := app.why_checked(r.merchant_id, v_order);
    -- The same call as an order kea verified alone shows (sql/api/autoverified.sql).
    return app.order_call_json(r.merchant_id, v_order, v_why);
end
$$;
comment on function api.call_for_task(bigint) is
    'The call behind a task the signed-in agent holds: turns with what kea understood, caller, outcome.';

-- Why a person checks an order, in plain words for the agent, each with the lines it is about:
-- [{rule, text, lines: [line_no]}]. From what kea recorded and never showed:
--   refused   the save refused the lines the caller confirmed (app.orders.review_reason, set by
--             api.twilio_gather); the lines are those the menu's rules still name
--             (kea.validate_lines of what the call took, app.orders.call_lines);
--   held      auto-verify did not pass it: the rule that held it, read from the decision's reason
--             (app.autoverify_decisions, worded by app.autoverify_check in
--             sql/app/autoverify.sql); lines below the policy's confidence and lines no turn heard
--             are found again from the call (app.call_line_confidence). A wording not known here
--             is shown as recorded, never dropped.
-- Empty when nothing held it: auto-verify off, an escalation, or an order it sampled or would
-- have passed in shadow (a blind check, below). The dialog's notes number lines from 0
-- ("line 0 repaired"); line_no counts from 1.
create function app.why_checked(p_merchant_id bigint, p_order_id bigint) returns jsonb
language plpgsql stable as $$
declare
    o app.orders;
    d app.autoverify_decisions;
    v_why jsonb := '[]';
    v_lines jsonb;
    v_min real;
    v_bad text;
    v_n integer;
    l record;
begin
    select * into o from app.orders x where x.merchant_id = p_merchant_id and x.id = p_order_id;
    if o.id is null then
        return v_why;
    end if;
    if o.review_reason is not null then
        begin
            select coalesce(jsonb_agg(distinct (p->>'line')::int + 1), '[]') into v_lines
              from jsonb_array_elements(kea.validate_lines(app.order_menu(o), coalesce(o.call_lines, '[]'))) p;
        exception when others then
            v_lines := '[]';  -- a menu gone since: the reason alone still says it
        end;
        v_why := v_why || jsonb_build_object('rule', 'refused', 'lines', v_lines,
            'text', 'kea could not save the order as heard: ' || regexp_replace(o.review_reason,
                '^(the order as the call took it was refused: )?(order [0-9]* ?is incomplete: )?', ''));
    end if;

    select * into d from app.autoverify_decisions x where x.merchant_id = o.merchant_id and x.order_id = o.id;
    -- A sampled order (and a shadow one, while trust is earned) says nothing: the agent's check
    -- is the evidence that auto-verification is right (docs/closed-loop.md, "Earned trust"), and
    -- an agent told that kea was sure would check less hard than on any other order.
    if d.verdict = 'held' then
        v_min := (d.policy->>'min_confidence')::real;
        v_n := jsonb_array_length(v_why);
        if d.reason like 'a line or an answer % sure, under %' then
            for l in select c.line_no, x.l->>'name' as name, c.confidence
                       from app.call_line_confidence(o.merchant_id, o.id) c
                       join jsonb_array_elements(o.call_lines) with ordinality x(l, n) on x.n = c.line_no
                      where c.confidence < v_min order by c.line_no loop
                v_why := v_why || jsonb_build_object('rule', 'low_confidence', 'lines', jsonb_build_array(l.line_no),
                    'text', format('line %s (%s) was heard with low confidence (%s)', l.line_no, l.name,
                                   round(l.confidence::numeric, 2)));
            end loop;
            for l in select a.heard, a.confidence from app.call_answer_confidence(o.merchant_id, o.call_id) a
                      where a.confidence < v_min order by a.seq loop
                v_why := v_why || jsonb_build_object('rule', 'low_confidence', 'lines', '[]'::jsonb,
                    'text', format('the answer "%s" was heard with low confidence (%s)', l.heard,
                                   round(l.confidence::numeric, 2)));
            end loop;
        elsif d.reason like '% not heard as such%' then
            for l in select c.line_no, x.l->>'name' as name,
                            exists (select 1 from app.call_notes(o.merchant_id, o.call_id) n
                                     where n.note = 'added ' || c.item_code || ' from the last order') as usual
                       from app.call_line_confidence(o.merchant_id, o.id) c
                       join jsonb_array_elements(o.call_lines) with ordinality x(l, n) on x.n = c.line_no
                      where c.confidence is null order by c.line_no loop
                v_why := v_why || jsonb_build_object('rule', 'not_heard', 'lines', jsonb_build_array(l.line_no),
                    'text', case when l.usual
                        then format('line %s (%s) is from the caller''s last order ("the same as last time"): no turn heard it', l.line_no, l.name)
                        else format('line %s (%s) was not heard as such: it came from an answer to "which one"', l.line_no, l.name) end);
            end loop;
        elsif d.reason like 'the call did not go smoothly: %' then
            v_bad := substr(d.reason, length('the call did not go smoothly: ') + 1);
            v_why := v_why || case
                when v_bad ~ '^line [0-9]+ repaired' then jsonb_build_object('rule', 'repaired',
                    'lines', jsonb_build_array(substring(v_bad from '^line ([0-9]+)')::int + 1),
                    'text', format('line %s was changed by kea without asking the caller (it broke a menu rule)',
                                   substring(v_bad from '^line ([0-9]+)')::int + 1))
                when v_bad ~ '^asked .* \(twice\)$' then jsonb_build_object('rule', 'asked_twice',
                    'lines', case when v_bad ~ 'for line [0-9]+'
                                  then jsonb_build_array(substring(v_bad from 'for line ([0-9]+)')::int + 1)
                                  else '[]'::jsonb end,
                    'text', 'kea asked the same question twice: ' || regexp_replace(
                        regexp_replace(v_bad, ' \(twice\)$', ''), 'for line ([0-9]+)$',
                        'for line ' || coalesce(substring(v_bad from 'for line ([0-9]+)')::int + 1, 0)))
                when v_bad like 'line % taken off%' then jsonb_build_object('rule', 'taken_off', 'lines', '[]'::jsonb,
                    'text', format('kea took the %s off during the call (it broke a menu rule)',
                                   coalesce(replace(substring(v_bad from '^line [0-9]+ \((.*?)\) taken off'), '_', ' '),
                                            'a line')))
                else jsonb_build_object('rule', 'not_smooth', 'lines', '[]'::jsonb,
                    'text', 'the call did not go smoothly: ' || v_bad) end;
        elsif d.reason like 'total % over the cap %' then
            v_why := v_why || jsonb_build_object('rule', 'over_cap', 'lines', '[]'::jsonb,
                'text', format('the total %s%s is over the %s%s kea may verify alone',
                               case when o.currency = 'USD' then '$' else o.currency || ' ' end,
                               to_char(o.total_cents / 100.0, 'FM999999990.00'),
                               case when o.currency = 'USD' then '$' else o.currency || ' ' end,
                               to_char((d.policy->>'max_total_cents')::bigint / 100.0, 'FM999999990.00')));
        elsif d.reason = 'not a returning caller' then
            v_why := v_why || jsonb_build_object('rule', 'not_returning', 'lines', '[]'::jsonb,
                'text', 'a first-time caller: kea verifies alone only orders from returning callers');
        elsif d.reason like 'the caller did not confirm a read-back%' then
            v_why := v_why || jsonb_build_object('rule', 'no_read_back', 'lines', '[]'::jsonb,
                'text', 'the caller did not say yes to a read-back of these lines');
        end if;
        if jsonb_array_length(v_why) = v_n then
            -- A rule worded in a way not known here, or the lines found again differ: as recorded.
            v_why := v_why || jsonb_build_object('rule', 'held', 'lines', '[]'::jsonb, 'text', 'kea held it: ' || d.reason);
        end if;
    end if;
    return v_why;
end
$$;

grant execute on function api.menu_for_task(bigint), api.call_for_task(bigint) to kea_agent;
