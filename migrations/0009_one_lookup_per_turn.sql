-- Why: after 0007/0008 a turn still ran four lookups before the dialog (merchant by number,
-- call row, menu version, opening hours), each a separate executor start. One query now finds
-- and locks the call with its merchant and menu version; opening hours are only looked at when
-- the call starts (the dialog only uses them in the greeting).
set role kea_owner;

create or replace function app.store_json(m app.merchants, p_open boolean) returns jsonb
language plpgsql stable as $$
begin
    return jsonb_build_object(
        'name', m.name,
        'transfer_number', m.transfer_number,
        'voice', jsonb_build_object('voice', m.voice, 'language', m.language),
        'greeting', m.greeting,
        'open_now', p_open,
        'hours_text', coalesce(m.hours_text, app.hours_text(m.id)),
        'accepts_orders_when_closed', m.accepts_orders_when_closed,
        'offers_delivery', m.offers_delivery,
        'asks_name', m.asks_name,
        'prep_minutes', m.prep_minutes);
end
$$;

drop function if exists app.run_turn(app.calls, app.merchants, jsonb, integer, timestamptz);

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
        jsonb_build_object('event', p_event, 'turn', p_turn, 'caller', c.from_number,
                           'store', app.store_json(m, case when p_event->>'kind' = 'start'
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

create or replace function api.twilio_gather(p_params jsonb, p_turn integer) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    t0 timestamptz := clock_timestamp();
    x  record;
    c  app.calls;
    m  app.merchants;
    v_event jsonb;
begin
    -- The call, locked, with its merchant, menu version and opening state, in one query.
    select cl as call, mer as merchant,
           (select k.version from kea.menus k where k.menu_id = cl.menu_id) as version
      into x
      from app.phone_numbers p
      join app.merchants mer on mer.id = p.merchant_id
      join app.calls cl on cl.merchant_id = mer.id and cl.call_sid = p_params->>'CallSid'
     where p.e164 = p_params->>'To'
       for update of cl;
    if x is null then
        -- An unknown number, or a call this merchant never started.
        m := app.merchant_for_number(p_params->>'To');
        return kea.twiml_apology(m.transfer_number, m.voice, m.language);
    end if;
    c := x.call;
    m := x.merchant;
    if p_turn is not null and p_turn < c.next_turn then
        return coalesce((select twiml from app.turns
                          where merchant_id = c.merchant_id and call_id = c.id and seq = p_turn),
                        kea.twiml_apology(m.transfer_number, m.voice, m.language));
    end if;
    if c.status = 'ended' then
        return '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
    end if;
    v_event := case
        when p_params ? 'DialCallStatus' then
            jsonb_build_object('kind', 'dial_result', 'status', p_params->>'DialCallStatus')
        when coalesce(p_params->>'Digits', '') <> '' then
            jsonb_build_object('kind', 'digits', 'digits', p_params->>'Digits')
        when coalesce(p_params->>'SpeechResult', '') <> '' then
            jsonb_build_object('kind', 'speech', 'text', p_params->>'SpeechResult',
                               'confidence', coalesce((p_params->>'Confidence')::real, 1.0))
        else '{"kind": "silence"}'::jsonb
    end;
    return app.run_turn(c, m, v_event, c.next_turn, t0, x.version);
end
$$;

-- The one-argument form (replays, SQL users) works out whether the store is open itself.
create or replace function app.store_json(m app.merchants) returns jsonb
language sql stable as $$
    select app.store_json(m, app.is_open(m.id, app.now()))
$$;

reset role;
