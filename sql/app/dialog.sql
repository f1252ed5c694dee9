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
        'prep_minutes', m.prep_minutes,
        'offers_usual', m.offers_usual);
end
$$;

-- The same as jsonb, working out whether the store is open now (replays, SQL users).
create function app.store_json(m app.merchants) returns jsonb
language sql stable as $$
    select app.store_settings(m, app.is_open(m.id, app.now()))::jsonb
$$;

-- The settings a new call starts with: the merchant's, and the caller's last order with this
-- merchant (`usual`, kea_core::dialog::PastLine) for "the same as last time". Kept on the call
-- (app.calls.store), so a replay hears the history the call had.
create function app.call_store(m app.merchants, p_from text) returns json
language sql stable as $$
    select (app.store_json(m) || jsonb_build_object('usual', app.caller_last_order(m.id, p_from)))::json
$$;

-- The lines of the last verified (or later) order placed by a call from `p_from` (E.164) to
-- this merchant, as they were verified (an agent's corrections included): item, size and option
-- codes with the names they had, for kea_core::dialog::PastLine. Empty for a withheld number
-- or a new caller. Only this merchant's calls and orders are read: history never crosses
-- merchants.
-- The caller's calls are walked newest first (calls_from_number_started, migration 0042: an
-- incremental sort, no sort of the whole history) and the walk stops at the first call with such
-- an order, so a regular caller's greeting does not grow with their history (a number whose calls
-- never left one is still read to its first call). The newest call's order, not the newest order
-- by created_at: the two differ only if one number's calls to the merchant overlapped and the
-- older call ordered later.
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.caller_last_order(p_merchant_id bigint, p_from text) returns jsonb
language plpgsql stable as $$
#variable_conflict use_column
begin
    return (
        select coalesce(jsonb_agg(jsonb_build_object(
                   'item', l.item_code, 'name', l.name, 'variation', l.variation_code,
                   'quantity', l.quantity,
                   'modifiers', (select coalesce(jsonb_agg(jsonb_build_object(
                                        'group', x->>'group', 'option', x->>'option',
                                        'name', coalesce(x->>'name', x->>'option'),
                                        'qualifier', x->'qualifier',
                                        'negated', coalesce((x->>'negated')::boolean, false),
                                        'quantity', x->'quantity')), '[]')
                                   from jsonb_array_elements(l.modifiers) x))
                 order by l.line_no), '[]')
          from app.order_lines l
         where l.merchant_id = p_merchant_id
           and l.order_id = (select o.id
                               from app.calls c
                               join app.orders o on o.merchant_id = c.merchant_id and o.call_id = c.id
                              where c.merchant_id = p_merchant_id and c.from_number = p_from
                                and o.status in ('verified', 'sent_to_pos', 'accepted_by_pos', 'completed')
                              order by c.started_at desc, c.id desc, o.created_at desc, o.id desc
                              limit 1));
end
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
