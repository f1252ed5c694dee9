-- The merchant page (/merchant, docs/console.md): today's orders and their way through the POS,
-- sold-out switches, opening hours, transfer number and greeting, calls with their transcripts.
-- The merchant is the one in the token (`merchant_id` claim, role kea_merchant), never an
-- argument (app.current_merchant()). Security definer (run as kea_owner), like the agents'
-- functions.

-- "Today" is the merchant's own day (its time zone), from local midnight.
create function app.merchant_day_start(p_merchant_id bigint) returns timestamptz
language sql stable as $$
    select date_trunc('day', now() at time zone m.time_zone) at time zone m.time_zone
      from app.merchants m where m.id = p_merchant_id
$$;

create function api.merchant_settings() returns jsonb
language sql stable security definer set search_path = pg_catalog, public as $$
    select jsonb_build_object(
        'merchant_id', m.id, 'name', m.name, 'slug', m.slug, 'time_zone', m.time_zone,
        'transfer_number', m.transfer_number, 'greeting', m.greeting,
        'offers_usual', m.offers_usual,
        'country', m.country, 'transfer_countries', to_jsonb(app.transfer_countries(m)),
        'transfer_number_changed', (select jsonb_build_object('at', c.at, 'by', c.changed_by,
                                                              'from', c.old_value)
                                      from app.settings_changes c
                                     where c.merchant_id = m.id and c.setting = 'transfer_number'
                                     order by c.id desc limit 1),
        'hours_text', m.hours_text, 'open_now', app.is_open(m.id, now()),
        'phone_numbers', (select coalesce(jsonb_agg(p.e164 order by p.e164), '[]')
                            from app.phone_numbers p where p.merchant_id = m.id),
        'pos', (select jsonb_build_object('kind', c.kind, 'base_url', c.base_url)
                  from app.pos_connections c where c.merchant_id = m.id),
        'hours', (select coalesce(jsonb_agg(jsonb_build_object(
                            'weekday', h.weekday, 'opens', to_char(h.opens, 'HH24:MI'),
                            'closes', to_char(h.closes, 'HH24:MI')) order by h.weekday, h.opens), '[]')
                    from app.opening_hours h where h.merchant_id = m.id))
    from app.merchants m where m.id = app.current_merchant()
$$;
comment on function api.merchant_settings() is
    'The signed-in merchant''s name, numbers, transfer number, greeting, hours and POS.';

-- Today's orders, newest first, each with its lines, its way so far (order_history), the call's
-- outcome and the POS's answer. plpgsql, the merchant and its day read first and an order at a
-- time: on Citus a query on the merchant's shard runs on the worker, where the token's claims
-- are not set and app.order_json (a query of its own) cannot run (docs/scaling.md).
create function api.merchant_orders_today() returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    v_merchant bigint := app.current_merchant();
    v_since timestamptz := app.merchant_day_start(v_merchant);
    o record;
    v_orders jsonb := '[]';
begin
    for o in select x.id, c.call_sid, c.outcome, c.from_number,
                    (select jsonb_agg(jsonb_build_object(
                                'from', h.from_status, 'to', h.to_status, 'actor', h.actor_kind,
                                'reason', h.reason, 'at', h.at) order by h.id)
                       from app.order_history h
                      where h.merchant_id = x.merchant_id and h.order_id = x.id) as history
               from app.orders x
               left join app.calls c on c.merchant_id = x.merchant_id and c.id = x.call_id
              where x.merchant_id = v_merchant and x.created_at >= v_since
              order by x.created_at desc loop
        v_orders := v_orders || jsonb_build_array(app.order_json(o.id) || jsonb_build_object(
            'call_sid', o.call_sid, 'call_outcome', o.outcome, 'from', o.from_number,
            'history', o.history));
    end loop;
    return v_orders;
end
$$;
comment on function api.merchant_orders_today() is
    'The signed-in merchant''s orders since local midnight, newest first, with lines and status history.';

-- The active menu as the merchant edits it (with what is sold out).
create function api.merchant_menu() returns jsonb
language sql stable security definer set search_path = pg_catalog, public as $$
    select app.menu_document(m.id) from app.menus m
     where m.merchant_id = app.current_merchant() and m.active
$$;
comment on function api.merchant_menu() is 'The signed-in merchant''s active menu document.';

-- Sold out and back: an item (kind 'item', code = item code), a size of an item (kind
-- 'variation', item and code), or an option of a modifier group (kind 'option', group_code and
-- code), in the active menu. The menu is published again at once (triggers), so the next turn
-- of any call knows. KM404 when nothing matched.
create function api.set_option_available(kind text, code text, available boolean,
                                         group_code text default null, item text default null)
returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v_merchant bigint := app.current_merchant();
    v_menu bigint := (select id from app.menus m where m.merchant_id = v_merchant and m.active);
    n integer;
begin
    if set_option_available.kind = 'item' then
        update app.menu_items i set available = set_option_available.available
         where i.merchant_id = v_merchant and i.menu_id = v_menu and i.code = set_option_available.code;
    elsif set_option_available.kind = 'variation' then
        update app.item_variations v set available = set_option_available.available
          from app.menu_items i
         where i.merchant_id = v_merchant and i.menu_id = v_menu and i.code = set_option_available.item
           and v.item_id = i.id and v.code = set_option_available.code;
    elsif set_option_available.kind = 'option' then
        update app.modifier_options o set available = set_option_available.available
          from app.modifier_groups g
         where g.merchant_id = v_merchant and g.menu_id = v_menu and g.code = set_option_available.group_code
           and o.group_id = g.id and o.code = set_option_available.code;
    else
        raise exception 'kind must be item, variation or option, not %', set_option_available.kind
            using errcode = '22023';
    end if;
    get diagnostics n = row_count;
    if n = 0 then
        raise exception 'no % % in the active menu', set_option_available.kind, set_option_available.code
            using errcode = 'KM404';
    end if;
    return jsonb_build_object('kind', set_option_available.kind, 'code', set_option_available.code,
                              'group_code', set_option_available.group_code,
                              'item', set_option_available.item,
                              'available', set_option_available.available);
end
$$;
comment on function api.set_option_available(text, text, boolean, text, text) is
    'Marks an item, a size (variation) or an option sold out (available false) or back, in the active menu.';

-- Replaces the opening hours: [{weekday 0-6 (Sunday 0), opens "11:00", closes "22:00"}, ...];
-- closes <= opens runs past midnight, 00:00-24:00 is all day. The spoken hours follow (trigger).
create function api.set_hours(hours jsonb) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v_merchant bigint := app.current_merchant();
begin
    if jsonb_typeof(set_hours.hours) is distinct from 'array' then
        raise exception 'hours must be an array of {weekday, opens, closes}' using errcode = '22023';
    end if;
    delete from app.opening_hours h where h.merchant_id = v_merchant;
    insert into app.opening_hours (merchant_id, weekday, opens, closes)
    select v_merchant, (x->>'weekday')::smallint, (x->>'opens')::time, (x->>'closes')::time
      from jsonb_array_elements(set_hours.hours) x;
    return api.merchant_settings();
end
$$;
comment on function api.set_hours(jsonb) is
    'Replaces the signed-in merchant''s opening hours; returns the settings with the hours in words.';

-- The number calls are transferred to (E.164) and the greeting that replaces "Thanks for
-- calling {store}!" (null or blank: the default). Applies from the next call. The number must
-- be of the merchant's allowed countries and not premium or special-rate (KS422,
-- app.check_transfer_number); the change is recorded with who made it (app.settings_changes).
create function api.update_settings(transfer_number text, greeting text) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v_merchant app.merchants;
    v_number text := nullif(trim(update_settings.transfer_number), '');
begin
    select * into v_merchant from app.merchants x where x.id = app.current_merchant();
    if v_number is distinct from v_merchant.transfer_number and v_number is not null then
        perform app.check_transfer_number(v_number, app.transfer_countries(v_merchant));
    end if;
    if length(update_settings.greeting) > 300 then
        raise exception 'the greeting is read at every call: keep it under 300 characters'
            using errcode = '22023';
    end if;
    update app.merchants m
       set transfer_number = nullif(trim(update_settings.transfer_number), ''),
           greeting = nullif(trim(update_settings.greeting), '')
     where m.id = app.current_merchant();
    return api.merchant_settings();
end
$$;
comment on function api.update_settings(text, text) is
    'Sets the signed-in merchant''s transfer number and greeting; returns the settings.';

-- Whether the greeting offers a returning caller their last verified order ("Welcome back!
-- Would you like the same as last time?", docs/dialog.md, "Repeat callers"). Off by default;
-- applies from the next call. Callers can ask for it either way.
create function api.set_offers_usual(offers_usual boolean) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
begin
    if set_offers_usual.offers_usual is null then
        raise exception 'offers_usual must be true or false' using errcode = '22023';
    end if;
    update app.merchants m set offers_usual = set_offers_usual.offers_usual
     where m.id = app.current_merchant();
    return api.merchant_settings();
end
$$;
comment on function api.set_offers_usual(boolean) is
    'Whether the greeting offers the signed-in merchant''s returning callers their last order; returns the settings.';
grant execute on function api.set_offers_usual(boolean) to kea_merchant;

-- The merchant's calls, newest first (today by default), each with its outcome, its order's
-- status and total, and its transcript turn by turn. plpgsql with the merchant and its day as
-- values: on Citus the query runs on the merchant's shard, where the token's claims are not set
-- and app.merchants is not (docs/scaling.md).
create function api.merchant_calls(since timestamptz default null, max_calls integer default 50)
returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    v_merchant bigint := app.current_merchant();
    v_since timestamptz := coalesce(merchant_calls.since, app.merchant_day_start(v_merchant));
    v_limit integer := least(greatest(coalesce(merchant_calls.max_calls, 50), 1), 200);
begin
    return (
    select coalesce(jsonb_agg(x.j order by x.started_at desc), '[]')
      from (select c.started_at, jsonb_build_object(
                'call_sid', c.call_sid, 'from', c.from_number, 'status', c.status,
                'outcome', c.outcome, 'started_at', c.started_at, 'ended_at', c.ended_at,
                'duration_s', c.duration_s, 'order_id', c.order_id,
                'order_status', o.status, 'total_cents', o.total_cents,
                'turns', coalesce((select jsonb_agg(jsonb_build_object(
                                'seq', t.seq, 'event', t.event, 'speech', t.speech,
                                'confidence', t.confidence, 'said', t.said) order by t.seq)
                          from app.turns t where t.merchant_id = c.merchant_id and t.call_id = c.id), '[]')) as j
              from app.calls c
              left join app.orders o on o.merchant_id = c.merchant_id and o.id = c.order_id
             where c.merchant_id = v_merchant and c.started_at >= v_since
             order by c.started_at desc
             limit v_limit) x);
end
$$;
comment on function api.merchant_calls(timestamptz, integer) is
    'The signed-in merchant''s calls since `since` (default: local midnight), newest first, with transcripts.';

-- Sign-in attempts on the signed-in merchant's staff accounts since `since` (default: a week
-- ago), newest first, failures first of all (issue 17, item 3): who tried which account, when,
-- from where, and whether it worked.
create function api.merchant_sign_ins(since timestamptz default null, only_failed boolean default true)
returns jsonb
language sql stable security definer set search_path = pg_catalog, public as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'at', s.at, 'email', s.email, 'user_id', s.user_id, 'ok', s.ok,
               'client_addr', host(s.client_addr)) order by s.at desc), '[]')
      from (select * from app.sign_in_attempts x
             where x.merchant_id = app.current_merchant()
               and x.at >= coalesce(merchant_sign_ins.since, now() - interval '7 days')
               and (not coalesce(merchant_sign_ins.only_failed, true) or not x.ok)
             order by x.at desc limit 500) s
$$;
comment on function api.merchant_sign_ins(timestamptz, boolean) is
    'Sign-in attempts on the signed-in merchant''s staff accounts (failed ones by default), newest first.';

grant execute on function api.merchant_sign_ins(timestamptz, boolean) to kea_merchant;
grant execute on function api.merchant_settings(), api.merchant_orders_today(), api.merchant_menu(),
      api.set_option_available(text, text, boolean, text, text), api.set_hours(jsonb),
      api.update_settings(text, text), api.merchant_calls(timestamptz, integer)
   to kea_merchant;
