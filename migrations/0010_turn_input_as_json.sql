-- Why: the turn input is built for one call of kea.dialog_turn and parsed once by it; as
-- `json` text it skips building a jsonb value and printing it back to text (measured with
-- scripts/bench turns). The store settings are built the same way.
set role kea_owner;

create or replace function app.store_settings(m app.merchants, p_open boolean) returns json
language plpgsql stable as $$
begin
    return json_build_object(
        'name', m.name,
        'transfer_number', m.transfer_number,
        'voice', json_build_object('voice', m.voice, 'language', m.language),
        'greeting', m.greeting,
        'open_now', p_open,
        'hours_text', coalesce(m.hours_text, app.hours_text(m.id)),
        'accepts_orders_when_closed', m.accepts_orders_when_closed,
        'offers_delivery', m.offers_delivery,
        'asks_name', m.asks_name,
        'prep_minutes', m.prep_minutes);
end
$$;

-- One definition of the settings: the jsonb forms read the json one.
create or replace function app.store_json(m app.merchants, p_open boolean) returns jsonb
language sql stable as $$
    select app.store_settings(m, p_open)::jsonb
$$;

create or replace function app.run_turn(c app.calls, m app.merchants, p_event jsonb, p_turn integer,
                                        p_started timestamptz, p_version bigint default null)
returns text
language plpgsql as $$
declare
    r record;
    v_order bigint;
begin
    if p_version is null then
        select version into p_version from kea.menus where menu_id = c.menu_id;
    end if;
    select * into r from kea.dialog_turn(c.menu_id, coalesce(p_version, 0), c.state,
        json_build_object('event', p_event, 'turn', p_turn, 'caller', c.from_number,
                          'store', app.store_settings(m, case when p_event->>'kind' = 'start'
                                                             then app.is_open(m.id, app.now())
                                                             else true end)));
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
