-- Why: a merchant is the tenant. Every tenant table carries merchant_id first in its key so
-- the schema can be distributed by merchant (Citus) without rewrites; phone numbers are the
-- small lookup that routes a webhook to its merchant (a reference table there).
set role kea_owner;

create table app.merchants (
    id                          bigint generated always as identity primary key,
    slug                        text not null unique check (slug ~ '^[a-z0-9-]+$'),
    name                        text not null,
    time_zone                   text not null default 'America/New_York'
                                    check (now() at time zone time_zone is not null),
    tax_rate_bp                 integer not null default 0 check (tax_rate_bp between 0 and 5000),
    currency                    text not null default 'USD',
    -- Where calls are transferred: the restaurant's own line.
    transfer_number             text,
    voice                       text not null default 'Polly.Joanna',
    language                    text not null default 'en-US',
    -- Replaces "Thanks for calling {store}!" when set.
    greeting                    text,
    accepts_orders_when_closed  boolean not null default false,
    offers_delivery             boolean not null default false,
    asks_name                   boolean not null default false,
    prep_minutes                integer check (prep_minutes > 0),
    -- The opening hours in words, kept by trigger from app.opening_hours (read every turn).
    hours_text                  text,
    created_at                  timestamptz not null default now()
);
comment on table app.merchants is 'Restaurants: the tenants. Voice, greeting and flow options are editable here.';

-- The store's Twilio numbers (E.164). One merchant may have several.
create table app.phone_numbers (
    e164        text primary key check (e164 ~ '^\+[1-9][0-9]{6,14}$'),
    merchant_id bigint not null references app.merchants (id) on delete cascade
);
create index on app.phone_numbers (merchant_id);

-- Opening hours in the merchant's own time zone. weekday: 0 = Sunday .. 6 = Saturday
-- (extract(dow)). closes <= opens means the span runs past midnight into the next day;
-- 00:00-24:00 is all day.
create table app.opening_hours (
    merchant_id bigint not null references app.merchants (id) on delete cascade,
    weekday     smallint not null check (weekday between 0 and 6),
    opens       time not null,
    closes      time not null,
    primary key (merchant_id, weekday, opens)
);

-- Is the merchant open at `at`? (PL/pgSQL: its plan is cached per session; a SQL function
-- that cannot be inlined is planned again on every call.)
create function app.is_open(p_merchant_id bigint, p_at timestamptz) returns boolean
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

-- "We're open every day, 11 AM to 10 PM." in words a voice reads well.
create function app.hours_text(p_merchant_id bigint) returns text
language sql stable as $$
    with spans as (
        select weekday,
               case when opens = '00:00' and closes = '24:00' then 'all day'
                    else trim(to_char(opens, 'FMHH12:MI AM')) || ' to '
                         || trim(to_char(closes, 'FMHH12:MI AM')) end as span
        from app.opening_hours where merchant_id = p_merchant_id
    ), by_span as (
        select span, array_agg(weekday order by weekday) as days from spans group by span
    )
    select case
        when not exists (select 1 from spans) then 'We have no opening hours listed.'
        else 'We''re open ' || string_agg(
            case when cardinality(days) = 7 then 'every day, ' || span
                 else array_to_string(array(
                        select (array['Sunday','Monday','Tuesday','Wednesday','Thursday',
                                      'Friday','Saturday'])[d + 1] from unnest(days) d), ', ')
                      || ', ' || span end,
            '; ' order by days[1]) || '.'
        end
    from by_span
$$;

-- Keeps app.merchants.hours_text in step with the hours (statement-level: one refresh per
-- merchant per statement).
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

reset role;
