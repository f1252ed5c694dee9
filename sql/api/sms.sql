-- Twilio's messaging webhooks: a caller's text to the store's number (STOP, START, HELP...) and
-- the status of the texts kea sent. One SQL call each; the TwiML comes from kea.twiml_message.

-- POST /twilio/sms: STOP and its synonyms opt the number out (honoured before every send),
-- START and its synonyms opt back in, HELP says who this is; anything else points to the phone.
-- The scope of STOP (issue 17, item 12; docs/security.md, "Information"): every text kea sends,
-- for every merchant, whichever merchant's number it was sent to (kea is the sender of all of
-- them; a carrier's 21610 for one sender number is taken the same way), and the replies say so;
-- START, to any of them, opts back in to all.
create function api.twilio_sms(params jsonb) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    m app.merchants := app.merchant_for_number(params->>'To');
    -- E.164, as the opt-out list keeps numbers and the texts are sent (issue 17, item 11).
    -- Null when the text came without a number (Twilio always sends one; a forged or broken
    -- request may not): there is then no one to opt out or in.
    v_from text := coalesce(app.e164(params->>'From', m.country), nullif(btrim(params->>'From'), ''));
    v_word text := upper(regexp_replace(coalesce(params->>'Body', ''), '[^[:alpha:]]', '', 'g'));
    v_stop constant text[] := '{STOP,STOPALL,UNSUBSCRIBE,CANCEL,END,QUIT,OPTOUT,REVOKE}';
    v_start constant text[] := '{START,YES,UNSTOP}';
    v_store text;
    v_reply text;
begin
    v_store := coalesce(m.name, 'this number');
    if m.id is not null then
        insert into app.sms_messages (merchant_id, direction, to_number, from_number, body, sid, status)
        values (m.id, 'inbound', params->>'To', v_from, coalesce(params->>'Body', ''),
                params->>'MessageSid', 'received')
        on conflict (merchant_id, sid) where sid is not null do nothing;
    end if;
    if v_from is null and v_word = any (v_stop || v_start) then
        v_reply := format('This text came without a phone number, so nothing changed. Text %s from the phone that gets the texts.',
                          v_word);
    elsif v_word = any (v_stop) then
        -- The excluded row's time (its default, now()), not now() itself: Citus refuses a
        -- function that is not immutable in the DO UPDATE SET of a distributed or reference
        -- table (docs/scaling.md).
        insert into app.sms_opt_outs (phone, keyword) values (v_from, v_word)
        on conflict (phone) do update set opted_out_at = excluded.opted_out_at, keyword = excluded.keyword;
        v_reply := format('You will get no more texts from %s or any other restaurant kea takes orders for. Reply START to get them again.', v_store);
    elsif v_word = any (v_start) then
        delete from app.sms_opt_outs where phone = v_from;
        v_reply := format('You will get texts from %s and the other restaurants kea takes orders for again (order confirmations). Reply STOP to stop.', v_store);
    elsif v_word in ('HELP', 'INFO') then
        v_reply := format('%s order confirmations by kea.%s Reply STOP to stop.', v_store,
                          coalesce(' Questions? Call ' || m.transfer_number || '.', ''));
    else
        v_reply := format('This number only sends order confirmations for %s.%s', v_store,
                          coalesce(' Please call ' || m.transfer_number || '.', ''));
    end if;
    return kea.twiml_message(v_reply);
end
$$;
comment on function api.twilio_sms(jsonb) is
    'Twilio''s POST /twilio/sms: STOP opts the number out of every text kea sends, START back in, HELP says who this is; answered as TwiML.';

-- POST /twilio/sms/status: a sent text's progress (queued, sent, delivered, undelivered,
-- failed). Callbacks may come out of order: a final status is never overwritten by an earlier one.
create function api.twilio_sms_status(params jsonb) returns text
language sql security definer set search_path = pg_catalog, public as $$
    update app.sms_messages
       set status = params->>'MessageStatus',
           error_code = app.param_int(params->>'ErrorCode'),
           updated_at = now()
     where sid = params->>'MessageSid'
       and coalesce(status, '') not in ('delivered', 'undelivered', 'failed', 'received');
    select '<?xml version="1.0" encoding="UTF-8"?><Response/>'
$$;
comment on function api.twilio_sms_status(jsonb) is
    'Twilio''s POST /twilio/sms/status: a sent text''s progress; a final status is never overwritten by an earlier one.';

grant execute on function api.twilio_sms(jsonb), api.twilio_sms_status(jsonb) to kea_authenticator;
