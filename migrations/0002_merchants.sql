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

reset role;
