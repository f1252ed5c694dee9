-- The merchant as a call's dialog sees it, and the merchant behind a called number.

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

-- TwiML that says one sentence and hangs up, in the call's voice: for what SQL itself decides
-- to say after a turn (an order kept for an agent, api.twilio_gather). xmlelement escapes the
-- text; the voice defaults are kea_core's (twiml::Voice).
create function app.twiml_say_hangup(p_say text, p_voice text, p_language text) returns text
language sql immutable as $$
    select '<?xml version="1.0" encoding="UTF-8"?>'
        || xmlelement(name "Response",
               xmlelement(name "Say",
                   xmlattributes(coalesce(p_voice, 'Polly.Joanna') as voice,
                                 coalesce(p_language, 'en-US') as language),
                   p_say),
               xmlelement(name "Hangup"))::text
$$;
