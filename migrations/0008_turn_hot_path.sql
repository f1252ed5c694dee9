-- Why: scripts/bench turns showed kea.dialog_step's menu-version lookup (an unplanned SPI
-- query) and its one big jsonb result costing more than the dialog itself. run_turn now reads
-- the menu version with its own cached plan and calls kea.dialog_turn, which returns the
-- parts as columns. Behaviour is unchanged.
set role kea_owner;

create or replace function app.run_turn(c app.calls, m app.merchants, p_event jsonb, p_turn integer,
                                        p_started timestamptz)
returns text
language plpgsql as $$
declare
    v_version bigint;
    r record;
    v_order   bigint;
begin
    select version into v_version from kea.menus where menu_id = c.menu_id;
    select * into r from kea.dialog_turn(c.menu_id, coalesce(v_version, 0), c.state,
        jsonb_build_object('event', p_event, 'turn', p_turn, 'caller', c.from_number,
                           'store', app.store_json(m)));
    if r.outcome->>'kind' = 'submitted' then
        v_order := app.save_order(c.merchant_id, c.id, r.outcome->'order', 'pending_verification');
    end if;
    insert into app.turns (merchant_id, call_id, seq, event, event_data, speech, confidence, digits,
                           understood, said, twiml, phase, elapsed_ms)
    values (c.merchant_id, c.id, p_turn, p_event->>'kind', p_event, p_event->>'text',
            (p_event->>'confidence')::real, p_event->>'digits', r.understood,
            r.say, r.twiml, r.phase,
            extract(epoch from clock_timestamp() - p_started) * 1000);
    update app.calls
       set state = r.state,
           next_turn = p_turn + 1,
           order_id = coalesce(v_order, order_id),
           outcome = coalesce(case r.outcome->>'kind'
                                  when 'submitted' then 'ordered'
                                  when 'transferred' then 'transferred'
                                  when 'callback' then 'callback'
                                  when 'cancelled' then 'cancelled'
                                  when 'closed' then 'closed' end, outcome)
     where merchant_id = c.merchant_id and id = c.id;
    return r.twiml;
end
$$;

reset role;
