-- Why: each Twilio webhook is exactly one SQL call that returns the TwiML to answer with.
-- (The hot path's shape was chosen with scripts/bench turns: PL/pgSQL helpers whose plans are
-- cached, one locked lookup per turn, kea.dialog_turn returning columns; see docs/benchmarks.md.)
-- The dialog itself is kea.dialog_turn (pure, in pg_kea); these functions do the bookkeeping
-- around it: find the merchant and call, serialise a call's turns (row lock), answer retries
-- with the stored TwiML (the turn number rides in the gather URL), log the turn, save orders.
-- They run as kea_owner (security definer) so the gateway's role needs only EXECUTE.
set role kea_owner;

-- The merchant as the dialog sees it (kea_core::dialog::Store). json, not jsonb: it is built
-- for one kea.dialog_turn call and parsed once there. `p_open` is only worked out when a call
-- starts: the dialog uses it in the greeting alone.
create function app.store_settings(m app.merchants, p_open boolean) returns json
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

-- The same as jsonb, working out whether the store is open now (replays, SQL users).
create function app.store_json(m app.merchants) returns jsonb
language sql stable as $$
    select app.store_settings(m, app.is_open(m.id, app.now()))::jsonb
$$;

create function app.merchant_for_number(p_to text) returns app.merchants
language plpgsql stable as $$
declare
    m app.merchants;
begin
    select x.* into m from app.phone_numbers p join app.merchants x on x.id = p.merchant_id
     where p.e164 = p_to;
    return m;
end
$$;

-- Runs one dialog turn for a locked call and records it. Returns the TwiML. The caller may
-- pass the menu version it already read (the turn's lookup does), else it is read here.
create function app.run_turn(c app.calls, m app.merchants, p_event jsonb, p_turn integer,
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

-- POST /twilio/voice: the call connected. Creates the call and greets.
create function api.twilio_voice(p_params jsonb) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    t0 timestamptz := clock_timestamp();
    m  app.merchants;
    c  app.calls;
    v_menu bigint;
begin
    m := app.merchant_for_number(p_params->>'To');
    if m.id is null then
        return kea.twiml_apology(null);
    end if;
    select id into v_menu from app.menus where merchant_id = m.id and active;
    if v_menu is null then
        return kea.twiml_apology(m.transfer_number, m.voice, m.language);
    end if;
    insert into app.calls (merchant_id, call_sid, from_number, to_number, menu_id, twilio_status)
    values (m.id, p_params->>'CallSid', nullif(p_params->>'From', ''), p_params->>'To', v_menu,
            p_params->>'CallStatus')
    on conflict (merchant_id, call_sid) do nothing
    returning * into c;
    if c.id is null then
        -- Twilio retried the first webhook: answer what we answered.
        return coalesce((select t.twiml from app.calls x
                         join app.turns t on t.merchant_id = x.merchant_id and t.call_id = x.id
                         where x.merchant_id = m.id and x.call_sid = p_params->>'CallSid'
                         order by t.seq limit 1),
                        kea.twiml_apology(m.transfer_number, m.voice, m.language));
    end if;
    return app.run_turn(c, m, '{"kind": "start"}', 0, t0);
end
$$;

-- POST /twilio/voice/gather?turn=N (speech, keys or nothing) and /twilio/voice/dial?turn=N
-- (a transfer's result). A turn number below the call's next one is a retry. One query finds
-- and locks the call with its merchant and menu version.
create function api.twilio_gather(p_params jsonb, p_turn integer) returns text
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

-- POST /twilio/voice/status: call progress. Idempotent and order-tolerant: a final status
-- ends the call once; a call that ends mid-order leaves the cart as an `abandoned` order.
create function api.twilio_status(p_params jsonb) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    m  app.merchants;
    c  app.calls;
    v_status text := p_params->>'CallStatus';
    v_final boolean := p_params->>'CallStatus' in ('completed', 'busy', 'failed', 'no-answer', 'canceled');
    v_order bigint;
begin
    m := app.merchant_for_number(p_params->>'To');
    if m.id is null then
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
    end if;
    select * into c from app.calls
     where merchant_id = m.id and call_sid = p_params->>'CallSid'
     for update;
    if c.id is null or (c.status = 'ended' and not v_final) then
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
    end if;
    if v_final and c.status = 'active' and c.outcome is null
       and jsonb_array_length(coalesce(c.state->'cart', '[]')) > 0 then
        v_order := app.save_order(c.merchant_id, c.id,
                                  kea.price_order(c.menu_id, c.state->'cart', coalesce(c.state->'details', '{}')),
                                  'abandoned');
    end if;
    update app.calls
       set twilio_status = v_status,
           duration_s = coalesce((p_params->>'CallDuration')::int, duration_s),
           recording_url = coalesce(p_params->>'RecordingUrl', recording_url),
           recording_sid = coalesce(p_params->>'RecordingSid', recording_sid),
           recording_duration_s = coalesce((p_params->>'RecordingDuration')::int, recording_duration_s),
           status = case when v_final then 'ended' else status end,
           ended_at = case when v_final then coalesce(ended_at, app.now()) else ended_at end,
           order_id = coalesce(order_id, v_order),
           outcome = case when v_final and outcome is null
                          then case when v_order is not null then 'abandoned' else 'hung_up' end
                          else outcome end
     where merchant_id = c.merchant_id and id = c.id;
    return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
end
$$;

-- What the gateway needs to apologise and transfer when the database cannot answer a turn.
create view api.twilio_directory as
    select p.e164, m.transfer_number, m.voice, m.language
    from app.phone_numbers p join app.merchants m on m.id = p.merchant_id;

-- A call with its turns and order, for transcripts (scripts/call --json, agents, analysts).
create function api.call_summary(p_call_sid text) returns jsonb
language sql stable security definer set search_path = pg_catalog, public as $$
    select jsonb_build_object(
        'call_sid', c.call_sid, 'merchant_id', c.merchant_id, 'status', c.status,
        'outcome', c.outcome, 'from', c.from_number, 'to', c.to_number,
        'started_at', c.started_at, 'ended_at', c.ended_at,
        'turns', (select jsonb_agg(jsonb_build_object(
                        'seq', t.seq, 'event', t.event, 'speech', t.speech,
                        'confidence', t.confidence, 'digits', t.digits, 'said', t.said,
                        'phase', t.phase, 'elapsed_ms', t.elapsed_ms) order by t.seq)
                  from app.turns t where t.merchant_id = c.merchant_id and t.call_id = c.id),
        'order', app.order_json(c.order_id))
    from app.calls c where c.call_sid = p_call_sid
$$;

revoke execute on all functions in schema api from public;
grant execute on function api.twilio_voice(jsonb), api.twilio_gather(jsonb, integer),
      api.twilio_status(jsonb) to kea_authenticator;
grant execute on function api.call_summary(text) to kea_agent, kea_authenticator;
grant select on api.twilio_directory to kea_authenticator;

reset role;
