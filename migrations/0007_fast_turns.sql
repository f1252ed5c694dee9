-- Why: measured with scripts/bench turns, a turn spent more time assembling the merchant's
-- settings than in extraction and dialog together: SQL-language functions that PostgreSQL 15
-- cannot inline are planned again on every call. The per-turn helpers become PL/pgSQL (plans
-- cached per session), and the spoken hours, which change rarely, are kept on the merchant
-- row by a trigger instead of being rebuilt every turn.
set role kea_owner;

alter table app.merchants add column hours_text text;

create function app.refresh_hours_text() returns trigger
language plpgsql as $$
begin
    update app.merchants m set hours_text = app.hours_text(m.id)
     where m.id in (select merchant_id from changed);
    return null;
end
$$;
create trigger opening_hours_text_insert after insert on app.opening_hours
    referencing new table as changed for each statement execute function app.refresh_hours_text();
create trigger opening_hours_text_update after update on app.opening_hours
    referencing new table as changed for each statement execute function app.refresh_hours_text();
create trigger opening_hours_text_delete after delete on app.opening_hours
    referencing old table as changed for each statement execute function app.refresh_hours_text();
update app.merchants set hours_text = app.hours_text(id);

create or replace function app.is_open(p_merchant_id bigint, p_at timestamptz) returns boolean
language plpgsql stable as $$
declare
    v_local timestamp;
    v_dow int;
    v_tod time;
begin
    select p_at at time zone m.time_zone into v_local from app.merchants m where m.id = p_merchant_id;
    if v_local is null then
        return false;
    end if;
    v_dow := extract(dow from v_local)::int;
    v_tod := v_local::time;
    return exists (
        select 1 from app.opening_hours h
        where h.merchant_id = p_merchant_id
          and (
            -- a span that starts today
            (h.weekday = v_dow and v_tod >= h.opens
                and (h.closes > h.opens and v_tod < h.closes or h.closes <= h.opens))
            -- yesterday's span running past midnight
            or (h.weekday = (v_dow + 6) % 7 and h.closes <= h.opens and h.closes <> '00:00'
                and v_tod < h.closes)
          ));
end
$$;

create or replace function app.store_json(m app.merchants) returns jsonb
language plpgsql stable as $$
begin
    return jsonb_build_object(
        'name', m.name,
        'transfer_number', m.transfer_number,
        'voice', jsonb_build_object('voice', m.voice, 'language', m.language),
        'greeting', m.greeting,
        'open_now', app.is_open(m.id, app.now()),
        'hours_text', coalesce(m.hours_text, app.hours_text(m.id)),
        'accepts_orders_when_closed', m.accepts_orders_when_closed,
        'offers_delivery', m.offers_delivery,
        'asks_name', m.asks_name,
        'prep_minutes', m.prep_minutes);
end
$$;

create or replace function app.merchant_for_number(p_to text) returns app.merchants
language plpgsql stable as $$
declare
    m app.merchants;
begin
    select x.* into m from app.phone_numbers p join app.merchants x on x.id = p.merchant_id
     where p.e164 = p_to;
    return m;
end
$$;

create or replace function app.now() returns timestamptz
language plpgsql stable as $$
begin
    return coalesce(nullif(current_setting('kea.now', true), '')::timestamptz, now());
end
$$;

reset role;
