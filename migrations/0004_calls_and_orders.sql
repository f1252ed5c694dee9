-- Why: every call is kept whole, turn by turn (what was heard, how sure, what was understood,
-- what was said, how long it took), so a call can be replayed and analysed in SQL. Orders are
-- what the caller confirmed; an order stays `pending_verification` until an agent checks it.
set role kea_owner;

create table app.calls (
    merchant_id     bigint not null references app.merchants (id),
    id              bigint generated always as identity,
    call_sid        text not null,
    from_number     text,
    to_number       text not null,
    menu_id         bigint,
    -- active: in the dialog; ended: Twilio said the call is over.
    status          text not null default 'active' check (status in ('active', 'ended')),
    -- How it ended, for the owner's reports.
    outcome         text check (outcome in ('ordered', 'transferred', 'callback', 'abandoned',
                                            'hung_up', 'closed', 'cancelled')),
    -- The dialog's state (kea_core::dialog::CallState). json, not jsonb: pg_kea reads and
    -- writes it with serde alone every turn (cast to jsonb to query it).
    state           json not null default '{}',
    -- The turn number the next gather must carry; lower numbers are retries.
    next_turn       integer not null default 0,
    order_id        bigint,
    twilio_status   text,
    started_at      timestamptz not null default now(),
    ended_at        timestamptz,
    duration_s      integer,
    recording_url   text,
    recording_sid   text,
    recording_duration_s integer,
    -- The merchant's settings as this call's dialog sees them (kea_core::dialog::Store), fixed
    -- when the call starts: a turn reads no merchant row, and a change applies from the next call.
    store           json,
    primary key (merchant_id, id),
    unique (merchant_id, call_sid)
);
create index calls_started on app.calls (merchant_id, started_at desc);
comment on column app.calls.store is
    'The merchant''s settings as this call''s dialog sees them (kea_core::dialog::Store), fixed when the call started.';

create table app.turns (
    merchant_id bigint not null,
    call_id     bigint not null,
    seq         integer not null,
    -- start | speech | digits | silence | dial_result; with speech, confidence, digits and
    -- dial_status, the whole input of the turn (what api.replay_call feeds the dialog again).
    event       text not null,
    speech      text,
    confidence  real,
    digits      text,
    -- What kea.extract made of the speech (json: written by pg_kea as text).
    understood  json,
    said        text not null,
    twiml       text not null,
    phase       text not null,
    -- Server-side time to produce the answer.
    elapsed_ms  numeric(10, 3),
    created_at  timestamptz not null default now(),
    -- DialCallStatus of a dial_result turn (a transfer's result).
    dial_status text,
    primary key (merchant_id, call_id, seq),
    foreign key (merchant_id, call_id) references app.calls (merchant_id, id) on delete cascade
);
comment on column app.turns.dial_status is 'DialCallStatus of a dial_result turn (a transfer''s result).';

create table app.orders (
    merchant_id     bigint not null references app.merchants (id),
    id              bigint generated always as identity,
    call_id         bigint,
    status          text not null default 'pending_verification'
                        check (status in ('pending_verification', 'verified', 'rejected',
                                          'sent_to_pos', 'accepted_by_pos', 'failed',
                                          'completed', 'cancelled', 'abandoned')),
    customer_name   text,
    customer_phone  text,
    fulfillment     text not null default 'pickup' check (fulfillment in ('pickup', 'delivery')),
    address         text,
    requested_time  jsonb,
    subtotal_cents  bigint not null,
    tax_cents       bigint not null,
    total_cents     bigint not null,
    currency        text not null default 'USD',
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    primary key (merchant_id, id),
    unique (id),
    foreign key (merchant_id, call_id) references app.calls (merchant_id, id),
    check (total_cents = subtotal_cents + tax_cents)
);
create index orders_status on app.orders (merchant_id, status, created_at);

create table app.order_lines (
    merchant_id       bigint not null,
    order_id          bigint not null,
    line_no           integer not null,
    item_id           bigint,
    item_code         text not null,
    name              text not null,
    variation_code    text,
    variation_name    text,
    quantity          integer not null check (quantity > 0),
    unit_price_cents  bigint not null,
    line_total_cents  bigint not null,
    -- [{group, option, name, qualifier, negated, price_cents}]
    modifiers         jsonb not null default '[]',
    primary key (merchant_id, order_id, line_no),
    foreign key (merchant_id, order_id) references app.orders (merchant_id, id) on delete cascade,
    check (line_total_cents = unit_price_cents * quantity)
);

reset role;
