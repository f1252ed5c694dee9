-- The completeness check runs once per confirmed order (issue 20, part 3): api.twilio_gather
-- checks the order itself so that a refusal keeps it for an agent, and the commit's deferred
-- check (orders_complete_lines) then skips that order, unless a write since could change the
-- verdict (app.order_check_stale). `set constraints ... immediate` fires the commit's check
-- here, in the transaction this file runs in (rolled back). Calls are counted by
-- pg_stat_xact_user_functions (track_functions, this transaction only).

set local track_functions = 'pl';
insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('once-test', 'Once Pizza', 1000, '+15550008999');
insert into app.phone_numbers (e164, merchant_id)
select '+15550008000', id from app.merchants where slug = 'once-test';
insert into app.opening_hours
select id, d, '00:00', '24:00' from app.merchants, generate_series(0, 6) d where slug = 'once-test';
select api.import_menu((select id from app.merchants where slug = 'once-test'), '{
  "name": "Once",
  "items": [
    {"code": "pizza", "name": "Cheese Pizza",
     "variations": [{"code": "small", "name": "Small", "price_cents": 1000},
                    {"code": "large", "name": "Large", "price_cents": 1500}]},
    {"code": "knots", "name": "Garlic Knots", "price_cents": 500}
  ]}');

create function pg_temp.checks() returns bigint
language sql as $$
    select coalesce((select calls from pg_stat_xact_user_functions
                      where schemaname = 'app' and funcname = 'check_order_complete'), 0)
$$;

create function pg_temp.say(p_turn int, p_speech text) returns text
language sql as $$
    select api.twilio_gather(jsonb_build_object('CallSid', 'ONCE-1', 'To', '+15550008000',
                                                'From', '+15551110000', 'SpeechResult', p_speech,
                                                'Confidence', '0.9'), p_turn)
$$;

-- 1. A call's confirming turn: one check, in the turn; none at commit.
do $$
declare
    v_before bigint;
    v_in_turn bigint;
begin
    perform api.twilio_voice('{"CallSid": "ONCE-1", "To": "+15550008000", "From": "+15551110000",
                               "CallStatus": "in-progress"}');
    perform pg_temp.say(1, 'a cheese pizza');
    perform pg_temp.say(2, 'large');
    perform pg_temp.say(3, 'that''s all');
    v_before := pg_temp.checks();
    assert pg_temp.say(4, 'yes') like '%Hangup%', 'the confirming turn ends the call';
    assert (select outcome = 'ordered' and order_id is not null from app.calls where call_sid = 'ONCE-1'),
        'the call placed its order';
    v_in_turn := pg_temp.checks() - v_before;
    assert v_in_turn = 1, format('the turn checked the order once, not %s times', v_in_turn);
    set constraints app.orders_complete_lines immediate;
    set constraints app.orders_complete_lines deferred;
    assert pg_temp.checks() - v_before = 1,
        format('the commit checked the confirmed order again: %s checks in all',
               pg_temp.checks() - v_before);
end $$;

-- A saved order, checked and passed, as the confirming turn leaves it (pending deferred check).
create function pg_temp.checked_order() returns bigint
language plpgsql as $$
declare
    m bigint := (select id from app.merchants where slug = 'once-test');
    v bigint;
begin
    v := app.save_order(m, null,
        kea.price_lines((select id from app.menus where merchant_id = m and active),
                        '[{"item": "pizza", "variation": "large", "quantity": 1}]')
        || '{"details": {"phone": "+15551230000"}}', 'pending_verification');
    perform app.check_order_complete(m, v);
    return v;
end
$$;

-- The commit's check, now; true when it refused the order.
create function pg_temp.commit_refuses() returns boolean
language plpgsql as $$
begin
    set constraints app.orders_complete_lines immediate;
    set constraints app.orders_complete_lines deferred;
    return false;
exception when sqlstate 'KO422' then
    return true;
end
$$;

-- A refused order set aside (cancelled, so the commit's check passes it by): the check fired in
-- pg_temp.commit_refuses was rolled back with its subtransaction and is pending again.
create function pg_temp.set_aside(p_order bigint) returns void
language sql as $$
    update app.orders set status = 'cancelled' where id = p_order
$$;

-- 2. A write after the check that could change its verdict: the commit checks again.
do $$
declare
    v bigint;
    v_other bigint;
begin
    -- A line made incomplete (no size) after the check.
    v := pg_temp.checked_order();
    update app.order_lines set variation_code = null where order_id = v;
    assert pg_temp.commit_refuses(), 'a line changed after the check was not checked at commit';
    perform pg_temp.set_aside(v);
    -- A line added after the check.
    v := pg_temp.checked_order();
    insert into app.order_lines (merchant_id, order_id, line_no, item_code, name, quantity,
                                 unit_price_cents, line_total_cents)
    select merchant_id, v, 2, 'pizza', 'Cheese Pizza', 1, 1500, 1500 from app.orders where id = v;
    assert pg_temp.commit_refuses(), 'a line added after the check was not checked at commit';
    perform pg_temp.set_aside(v);
    -- Its lines removed after the check.
    v := pg_temp.checked_order();
    delete from app.order_lines where order_id = v;
    assert pg_temp.commit_refuses(), 'an order emptied after the check was not checked at commit';
    perform pg_temp.set_aside(v);
    -- An order saved but not checked, then another checked: the mark is the other's.
    v := app.save_order((select id from app.merchants where slug = 'once-test'), null,
                        '{"lines": [{"item": "pizza", "name": "Cheese Pizza", "quantity": 1,
                                     "unit_price_cents": 1500, "line_total_cents": 1500}],
                          "subtotal_cents": 1500, "tax_cents": 150, "total_cents": 1650}',
                        'pending_verification');
    v_other := pg_temp.checked_order();
    assert current_setting('kea.order_checked', true) like '%:' || v_other, 'the other order is marked';
    assert pg_temp.commit_refuses(), 'the mark of another order let this one through';
    perform pg_temp.set_aside(v);
    -- A write that cannot change the verdict keeps the mark: the routed agents.
    v := pg_temp.checked_order();
    update app.order_lines set routed_agents = '{}' where order_id = v;
    assert not pg_temp.commit_refuses(), 'a checked order refused at commit';
    assert current_setting('kea.order_checked', true) <> '', 'the routed agents cleared the mark';
end $$;
