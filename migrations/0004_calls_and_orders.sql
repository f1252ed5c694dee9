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
    state           jsonb not null default '{}',
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
    primary key (merchant_id, id),
    unique (merchant_id, call_sid)
);
create index calls_started on app.calls (merchant_id, started_at desc);

create table app.turns (
    merchant_id bigint not null,
    call_id     bigint not null,
    seq         integer not null,
    -- start | speech | digits | silence | dial_result
    event       text not null,
    -- The event as given to kea.dialog_step (kind, text, confidence, digits, status): what a
    -- replay feeds the dialog again (api.replay_call).
    event_data  jsonb,
    speech      text,
    confidence  real,
    digits      text,
    understood  jsonb,
    said        text not null,
    twiml       text not null,
    phase       text not null,
    -- Server-side time to produce the answer.
    elapsed_ms  numeric(10, 3),
    created_at  timestamptz not null default now(),
    primary key (merchant_id, call_id, seq),
    foreign key (merchant_id, call_id) references app.calls (merchant_id, id) on delete cascade
);

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

-- Saves a priced order (kea.price_order / dialog outcome format) and returns its id.
create function app.save_order(p_merchant_id bigint, p_call_id bigint, p_order jsonb, p_status text)
returns bigint
language plpgsql as $$
declare
    v_id bigint;
    d jsonb := coalesce(p_order->'details', '{}');
begin
    insert into app.orders (merchant_id, call_id, status, customer_name, customer_phone,
                            fulfillment, address, requested_time, subtotal_cents, tax_cents,
                            total_cents, currency)
    values (p_merchant_id, p_call_id, p_status, d->>'name', d->>'phone',
            coalesce(d->>'fulfillment', 'pickup'), d->>'address', d->'time',
            (p_order->>'subtotal_cents')::bigint, (p_order->>'tax_cents')::bigint,
            (p_order->>'total_cents')::bigint, coalesce(p_order->>'currency', 'USD'))
    returning id into v_id;

    insert into app.order_lines (merchant_id, order_id, line_no, item_id, item_code, name,
                                 variation_code, variation_name, quantity, unit_price_cents,
                                 line_total_cents, modifiers)
    select p_merchant_id, v_id, ord, (l->>'item_id')::bigint, l->>'item', l->>'name',
           l->>'variation', l->>'variation_name', (l->>'quantity')::int,
           (l->>'unit_price_cents')::bigint, (l->>'line_total_cents')::bigint,
           coalesce(l->'modifiers', '[]')
    from jsonb_array_elements(p_order->'lines') with ordinality as x(l, ord);
    return v_id;
end
$$;

-- An order with its lines as one JSON object: what `scripts/call --json` prints.
create function app.order_json(p_order_id bigint) returns jsonb
language sql stable as $$
    select to_jsonb(o) - 'merchant_id' || jsonb_build_object(
        'lines', coalesce((select jsonb_agg(to_jsonb(l) - 'merchant_id' - 'order_id' order by l.line_no)
                           from app.order_lines l
                           where l.merchant_id = o.merchant_id and l.order_id = o.id), '[]'))
    from app.orders o where o.id = p_order_id
$$;

reset role;
