-- Twilio's voice webhooks: each is exactly one SQL call that returns the TwiML to answer with.
-- The dialog itself is kea.dialog_turn (pure, in pg_kea); these functions do the bookkeeping
-- around it: find the merchant and call, serialise a call's turns (row lock), answer retries
-- with the stored TwiML (the turn number rides in the gather URL), log the turn, save orders.
-- They run as kea_owner (security definer) so the gateway's role needs only EXECUTE.
-- (The hot path's shape was chosen with scripts/bench turns; see docs/benchmarks.md: a turn
-- touches the call row and one new turn row and nothing else.)

-- POST /twilio/voice: the call connected. Creates the call with the merchant's settings, then
-- answers turn 0 (the greeting). A retried webhook finds the call and gets turn 0's TwiML. The
-- caller ID is kept as E.164, or not at all (a withheld number: the dialog asks for one); the
-- settings kept on the call carry that caller's last order here (app.call_store).
create function api.twilio_voice(params jsonb) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    m  app.merchants;
    v_menu bigint;
begin
    m := app.merchant_for_number(params->>'To');
    if m.id is null then
        -- For the operator (the gateway logs the warning); the caller still hears the apology.
        raise warning 'no merchant has the number %', params->>'To';
        return kea.twiml_apology(null);
    end if;
    select id into v_menu from app.menus where merchant_id = m.id and active;
    if v_menu is null then
        return kea.twiml_apology(m.transfer_number, m.voice, m.language);
    end if;
    insert into app.calls (merchant_id, call_sid, from_number, to_number, menu_id, twilio_status,
                           store)
    values (m.id, params->>'CallSid', app.e164(params->>'From', m.country), params->>'To', v_menu,
            params->>'CallStatus', app.call_store(m, app.e164(params->>'From', m.country)))
    on conflict (merchant_id, call_sid) do nothing;
    return api.twilio_gather(params, 0);
end
$$;
comment on function api.twilio_voice(jsonb) is
    'Twilio''s POST /twilio/voice (the gateway''s login only): creates the call and answers its greeting as TwiML; a retry gets the same TwiML.';

-- POST /twilio/voice/gather?turn=N (speech, keys or nothing) and /twilio/voice/dial?turn=N
-- (a transfer's result); turn 0 from api.twilio_voice. A turn number below the call's next
-- one is a retry: it gets the stored TwiML and changes nothing. The row lock serialises a
-- call's turns.
create function api.twilio_gather(params jsonb, turn integer) returns text
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
    v_refused text;
    v_merchant bigint;
begin
    -- The merchant first, then its call: on Citus the locking read is a router query to the
    -- merchant's shard only when the merchant is a value (docs/scaling.md).
    v_merchant := (select p.merchant_id from app.phone_numbers p where p.e164 = params->>'To');
    select * into c from app.calls
     where merchant_id = v_merchant
       and call_sid = params->>'CallSid'
       for update;
    if c.id is null then
        -- An unknown number, or a call this merchant never started.
        m := app.merchant_for_number(params->>'To');
        return kea.twiml_apology(m.transfer_number, m.voice, m.language);
    end if;
    if c.store is null then
        -- A call that started before its settings were kept on the call.
        c.store := (select app.store_json(x)::json from app.merchants x where x.id = c.merchant_id);
    end if;
    if turn is distinct from c.next_turn and c.next_turn > 0 then
        -- A retry (a turn already answered) gets its answer again; a turn number that is not
        -- the next one (ahead of the call, or missing) did not come from kea's own action URL:
        -- it hears the last prompt again and changes nothing.
        return coalesce((select twiml from app.turns
                          where merchant_id = c.merchant_id and call_id = c.id
                            and seq = case when turn < c.next_turn then turn
                                           else c.next_turn - 1 end),
                        kea.twiml_apology(c.store->>'transfer_number', c.store->'voice'->>'voice',
                                          c.store->'voice'->>'language'));
    end if;
    if c.status = 'ended' then
        return '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
    end if;
    v_kind := case
        when c.next_turn = 0 then 'start'
        when params ? 'DialCallStatus' then 'dial_result'
        when coalesce(params->>'Digits', '') <> '' then 'digits'
        when coalesce(params->>'SpeechResult', '') <> '' then 'speech'
        else 'silence'
    end;
    -- The event as app.turns keeps it: only the fields of its kind.
    if v_kind = 'speech' then
        v_speech := params->>'SpeechResult';
        v_confidence := coalesce(app.param_confidence(params->>'Confidence'), 1.0);
    elsif v_kind = 'digits' then
        v_digits := params->>'Digits';
    elsif v_kind = 'dial_result' then
        v_dial_status := params->>'DialCallStatus';
    end if;
    r := kea.dialog_turn(c.menu_id, c.state::text, c.store::text, c.next_turn, c.from_number, v_kind,
                         v_speech, v_confidence, v_digits, v_dial_status);
    if r.call_outcome = 'ordered' then
        begin
            v_order := app.save_order(c.merchant_id, c.id, r."order", 'pending_verification',
                                      null, c.menu_id);
            -- The commit's completeness check, now: a refusal after the caller's "yes" must
            -- not become an apology (the caller would lose the order). The commit then skips
            -- it for this order (app.check_order_lines).
            perform app.check_order_complete(c.merchant_id, v_order);
            perform app.auto_verify(c.merchant_id, v_order);
        exception when sqlstate 'KO422' then
            get stacked diagnostics v_refused = message_text;
            raise warning 'kea: call % order kept for an agent: %', c.call_sid, v_refused;
            v_order := app.save_order(c.merchant_id, c.id, r."order", 'pending_verification',
                                      'the order as the call took it was refused: ' || v_refused,
                                      c.menu_id);
            r.say := format('Thanks. Someone at %s will check your order and confirm it by text shortly. Goodbye!',
                            c.store->>'name');
            r.twiml := app.twiml_say_hangup(r.say, c.store->'voice'->>'voice',
                                            c.store->'voice'->>'language');
        end;
    end if;
    -- The call's routed agents as they are now: the confirming turn's order was routed above,
    -- and every function that routes shares the call with its agents (app.share_routed_work).
    update app.calls
       set state = r.state,
           next_turn = c.next_turn + 1,
           order_id = coalesce(v_order, order_id),
           outcome = coalesce(r.call_outcome, outcome)
     where merchant_id = c.merchant_id and id = c.id
    returning routed_agents into c.routed_agents;
    -- routed_agents: a turn of a call whose order is routed is read by the agents who read the
    -- call (sql/app/policies.sql). Written with the call's, so the confirming turn needs no
    -- app.share_routed_work of its own (11 statements, docs/benchmarks.md "Turns").
    insert into app.turns (merchant_id, call_id, seq, event, speech, confidence, digits,
                           dial_status, understood, said, twiml, phase, elapsed_ms, routed_agents)
    values (c.merchant_id, c.id, c.next_turn, v_kind, v_speech, v_confidence, v_digits,
            v_dial_status, r.understood, r.say, r.twiml, r.phase,
            extract(epoch from clock_timestamp() - t0) * 1000, c.routed_agents);
    return r.twiml;
end
$$;
comment on function api.twilio_gather(jsonb, integer) is
    'Twilio''s POST /twilio/voice/gather and /dial (the gateway''s login only): one dialog turn, answered as TwiML; a retried turn gets its stored TwiML.';

-- POST /twilio/voice/status: call progress. Idempotent and order-tolerant: a final status
-- ends the call once (app.end_call); values that are not numbers are ignored.
create function api.twilio_status(params jsonb) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    m  app.merchants;
    c  app.calls;
    v_final boolean := params->>'CallStatus' in ('completed', 'busy', 'failed', 'no-answer', 'canceled');
begin
    m := app.merchant_for_number(params->>'To');
    if m.id is null then
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
    end if;
    select * into c from app.calls
     where merchant_id = m.id and call_sid = params->>'CallSid'
     for update;
    if c.id is null or (c.status = 'ended' and not v_final) then
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
    end if;
    update app.calls
       set twilio_status = coalesce(params->>'CallStatus', twilio_status),
           duration_s = coalesce(app.param_int(params->>'CallDuration'), duration_s),
           recording_url = coalesce(params->>'RecordingUrl', recording_url),
           recording_sid = coalesce(params->>'RecordingSid', recording_sid),
           recording_duration_s = coalesce(app.param_int(params->>'RecordingDuration'),
                                           recording_duration_s)
     where merchant_id = c.merchant_id and id = c.id
    returning * into c;
    if v_final then
        perform app.end_call(c, params->>'CallStatus');
    end if;
    return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
end
$$;
comment on function api.twilio_status(jsonb) is
    'Twilio''s POST /twilio/voice/status (the gateway''s login only): call progress; a final status ends the call once.';

-- What the gateway needs to apologise and transfer when the database cannot answer a turn.
-- Read through a security definer function (as kea_owner), not an owner view: Citus runs a
-- view's query on the tables' shards as the caller, who may not read app (docs/scaling.md).
create function app.twilio_directory()
returns table (e164 text, transfer_number text, voice text, language text)
language sql stable security definer set search_path = pg_catalog, public as $$
    select p.e164, m.transfer_number, m.voice, m.language
      from app.phone_numbers p join app.merchants m on m.id = p.merchant_id
$$;
revoke all on function app.twilio_directory() from public;
grant execute on function app.twilio_directory() to kea_authenticator;

create view api.twilio_directory as select * from app.twilio_directory();
comment on view api.twilio_directory is
    'Each phone number''s transfer number, voice and language: what the gateway needs to apologise and transfer when the database cannot answer a turn.';

grant execute on function api.twilio_voice(jsonb), api.twilio_gather(jsonb, integer),
      api.twilio_status(jsonb) to kea_authenticator;
grant select on api.twilio_directory to kea_authenticator;
