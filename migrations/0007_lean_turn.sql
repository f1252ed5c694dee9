-- Why: a webhook turn should cost little more than the writes it cannot avoid (issue 4; see
-- docs/benchmarks.md). A turn now touches the call row and one new turn row and nothing else:
--   * the merchant's settings are fixed on the call when it starts (`app.calls.store`), so a
--     turn needs no merchant row (a settings change applies from the next call);
--   * pg_kea learns of menu changes from relcache invalidations, so a turn needs no
--     `kea.menus` lookup;
--   * `kea.dialog_turn` takes the event as the columns `app.turns` keeps and returns one
--     `kea.turn_result`, which PL/pgSQL evaluates without starting the executor;
--   * `app.turns` keeps the event as columns only (the jsonb copy doubled the row's WAL);
--   * the call's state, its settings and a turn's `understood` are `json` (text): pg_kea
--     writes and reads them with serde alone, where jsonb cost a parse and a print per turn
--     (cast to jsonb to query them with jsonb operators).
-- The greeting is turn 0 of the same function: api.twilio_voice creates the call, then runs
-- api.twilio_gather, which treats a call whose next turn is 0 as just connected.
set role kea_owner;

alter table app.calls alter column state type json using state::json,
                      alter column state set default '{}';
alter table app.calls add column store json;
comment on column app.calls.store is
    'The merchant''s settings as this call''s dialog sees them (kea_core::dialog::Store), fixed when the call started.';
update app.calls c set store = app.store_json(m)::json
  from app.merchants m where m.id = c.merchant_id and c.status = 'active';

alter table app.turns add column dial_status text;
comment on column app.turns.dial_status is 'DialCallStatus of a dial_result turn (a transfer''s result).';
update app.turns set dial_status = event_data->>'status' where event = 'dial_result';
alter table app.turns drop column event_data;
alter table app.turns alter column understood type json using understood::json;

drop function app.run_turn(app.calls, app.merchants, jsonb, integer, timestamptz, bigint);

-- POST /twilio/voice: the call connected. Creates the call with the merchant's settings, then
-- answers turn 0 (the greeting). A retried webhook finds the call and gets turn 0's TwiML.
create or replace function api.twilio_voice(p_params jsonb) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    m  app.merchants;
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
    insert into app.calls (merchant_id, call_sid, from_number, to_number, menu_id, twilio_status,
                           store)
    values (m.id, p_params->>'CallSid', nullif(p_params->>'From', ''), p_params->>'To', v_menu,
            p_params->>'CallStatus', app.store_json(m)::json)
    on conflict (merchant_id, call_sid) do nothing;
    return api.twilio_gather(p_params, 0);
end
$$;

-- POST /twilio/voice/gather?turn=N (speech, keys or nothing) and /twilio/voice/dial?turn=N
-- (a transfer's result); turn 0 from api.twilio_voice. A turn number below the call's next
-- one is a retry: it gets the stored TwiML and changes nothing. The row lock serialises a
-- call's turns.
create or replace function api.twilio_gather(p_params jsonb, p_turn integer) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    t0 timestamptz := clock_timestamp();
    c  app.calls;
    r  kea.turn_result;
    m  app.merchants;
    v_kind text;
    v_speech text;
    v_confidence real;
    v_digits text;
    v_dial_status text;
    v_order bigint;
begin
    select * into c from app.calls
     where merchant_id = (select p.merchant_id from app.phone_numbers p where p.e164 = p_params->>'To')
       and call_sid = p_params->>'CallSid'
       for update;
    if c.id is null then
        -- An unknown number, or a call this merchant never started.
        m := app.merchant_for_number(p_params->>'To');
        return kea.twiml_apology(m.transfer_number, m.voice, m.language);
    end if;
    if c.store is null then
        -- A call that started before its settings were kept on the call.
        c.store := (select app.store_json(x)::json from app.merchants x where x.id = c.merchant_id);
    end if;
    if p_turn < c.next_turn then
        return coalesce((select twiml from app.turns
                          where merchant_id = c.merchant_id and call_id = c.id and seq = p_turn),
                        kea.twiml_apology(c.store->>'transfer_number', c.store->'voice'->>'voice',
                                          c.store->'voice'->>'language'));
    end if;
    if c.status = 'ended' then
        return '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
    end if;
    v_kind := case
        when c.next_turn = 0 then 'start'
        when p_params ? 'DialCallStatus' then 'dial_result'
        when coalesce(p_params->>'Digits', '') <> '' then 'digits'
        when coalesce(p_params->>'SpeechResult', '') <> '' then 'speech'
        else 'silence'
    end;
    -- The event as app.turns keeps it: only the fields of its kind.
    if v_kind = 'speech' then
        v_speech := p_params->>'SpeechResult';
        v_confidence := coalesce((p_params->>'Confidence')::real, 1.0);
    elsif v_kind = 'digits' then
        v_digits := p_params->>'Digits';
    elsif v_kind = 'dial_result' then
        v_dial_status := p_params->>'DialCallStatus';
    end if;
    r := kea.dialog_turn(c.menu_id, c.state::text, c.store::text, c.next_turn, c.from_number, v_kind,
                         v_speech, v_confidence, v_digits, v_dial_status);
    if r.call_outcome = 'ordered' then
        v_order := app.save_order(c.merchant_id, c.id, r."order", 'pending_verification');
    end if;
    insert into app.turns (merchant_id, call_id, seq, event, speech, confidence, digits,
                           dial_status, understood, said, twiml, phase, elapsed_ms)
    values (c.merchant_id, c.id, c.next_turn, v_kind, v_speech, v_confidence, v_digits,
            v_dial_status, r.understood, r.say, r.twiml, r.phase,
            extract(epoch from clock_timestamp() - t0) * 1000);
    update app.calls
       set state = r.state,
           next_turn = c.next_turn + 1,
           order_id = coalesce(v_order, order_id),
           outcome = coalesce(r.call_outcome, outcome)
     where merchant_id = c.merchant_id and id = c.id;
    return r.twiml;
end
$$;

-- Replays a call: the dialog rerun over its stored turns, from an empty state, against the
-- current menu and the settings the call ran with. `same` is false where kea would now say
-- otherwise.
create or replace function api.replay_call(p_call_sid text)
returns table (seq integer, event text, speech text, said text, replayed text, same boolean)
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    c app.calls;
    t app.turns;
    v_state json := '{}';
    r kea.turn_result;
begin
    select * into c from app.calls x where x.call_sid = p_call_sid;
    if c.id is null then
        raise exception 'no call %', p_call_sid using errcode = 'P0002';
    end if;
    if c.store is null then
        c.store := (select app.store_json(m)::json from app.merchants m where m.id = c.merchant_id);
    end if;
    for t in select * from app.turns x where x.merchant_id = c.merchant_id and x.call_id = c.id order by x.seq loop
        r := kea.dialog_turn(c.menu_id, v_state::text, c.store::text, t.seq, c.from_number, t.event,
                             t.speech, t.confidence, t.digits, t.dial_status);
        v_state := r.state;
        seq := t.seq;
        event := t.event;
        speech := t.speech;
        said := t.said;
        replayed := r.say;
        same := replayed is not distinct from t.said;
        return next;
    end loop;
end
$$;

-- POST /twilio/voice/status: as in 0005, reading the state as json.
create or replace function api.twilio_status(p_params jsonb) returns text
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
       and json_array_length(coalesce(c.state->'cart', '[]')) > 0 then
        v_order := app.save_order(c.merchant_id, c.id,
                                  kea.price_order(c.menu_id, (c.state->'cart')::jsonb,
                                                  coalesce(c.state->'details', '{}')::jsonb),
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

reset role;
