-- Why: issue 22, kea learns from its agents (docs/closed-loop.md). Phrases learnt per merchant
-- from the corrections agents approve, with the orders they came from; a per-merchant policy
-- under which a sure order is verified without a person, and every decision it took, so that
-- precision can be measured on the sampled share. Tenant tables keep merchant_id first.
set role kea_owner;

-- How many distinct corrected orders make a candidate phrase active by itself.
alter table app.merchants
    add column phrase_confirmations integer not null default 2
        check (phrase_confirmations between 1 and 100);
comment on column app.merchants.phrase_confirmations is
    'Distinct approved corrections after which a candidate phrase becomes active by itself (docs/closed-loop.md).';

create table app.learned_phrases (
    merchant_id    bigint not null references app.merchants (id) on delete cascade,
    id             bigint generated always as identity,
    -- Lower case, punctuation and spacing folded (app.phrase_key).
    phrase         text not null check (phrase <> '' and length(phrase) <= 60),
    target_kind    text not null check (target_kind in ('item', 'variation', 'option')),
    -- item and variation: the item's code; option: ''.
    item_code      text not null default '',
    -- option: the modifier group's code; otherwise ''.
    group_code     text not null default '',
    -- The item's, size's or option's own code.
    code           text not null,
    times_seen     integer not null default 0,
    first_seen_at  timestamptz not null default now(),
    last_seen_at   timestamptz not null default now(),
    status         text not null default 'candidate'
                       check (status in ('candidate', 'active', 'rejected')),
    -- kea (confirmations reached) | merchant_user:<id> | an operator's name
    decided_by     text,
    decided_at     timestamptz,
    primary key (merchant_id, id),
    unique (merchant_id, phrase, target_kind, item_code, group_code, code),
    check ((target_kind = 'option') = (group_code <> '')),
    check ((target_kind = 'option') = (item_code = ''))
);
-- One active target per phrase and scope: items and options share one scope, each item's sizes
-- are a scope of their own.
create unique index learned_phrases_one_active on app.learned_phrases
    (merchant_id, phrase, (case when target_kind = 'variation' then item_code else '' end))
    where status = 'active';
comment on table app.learned_phrases is
    'Caller phrases learnt from agents'' corrections, per merchant: candidate, active (merged into the menu''s aliases) or rejected (docs/closed-loop.md).';

-- The corrected orders behind each phrase (one row per order).
create table app.learned_phrase_sources (
    merchant_id  bigint not null,
    phrase_id    bigint not null,
    order_id     bigint not null,
    call_id      bigint,
    -- The caller's utterance the words were heard in.
    speech       text,
    at           timestamptz not null default now(),
    primary key (merchant_id, phrase_id, order_id),
    foreign key (merchant_id, phrase_id) references app.learned_phrases (merchant_id, id) on delete cascade,
    foreign key (merchant_id, order_id) references app.orders (merchant_id, id) on delete cascade
);

-- The auto-verify policy (off until the merchant turns it on).
create table app.autoverify_policies (
    merchant_id      bigint primary key references app.merchants (id) on delete cascade,
    enabled          boolean not null default false,
    min_confidence   real not null default 0.95 check (min_confidence between 0 and 1),
    max_total_cents  bigint default 10000 check (max_total_cents >= 0),
    returning_only   boolean not null default false,
    -- Every Nth order that passes still goes to an agent (0: never).
    sample_one_in    integer not null default 10 check (sample_one_in between 0 and 10000),
    -- Orders that passed so far: what picks the sampled ones.
    passed           bigint not null default 0,
    updated_at       timestamptz not null default now(),
    updated_by       text
);
-- Every merchant has one (new merchants get theirs from a trigger, sql/app/autoverify.sql).
insert into app.autoverify_policies (merchant_id) select id from app.merchants;
comment on table app.autoverify_policies is
    'Per merchant: when an order is verified without a person (docs/closed-loop.md). Off by default.';

-- Every order the policy looked at, and what it decided.
create table app.autoverify_decisions (
    merchant_id     bigint not null,
    order_id        bigint not null,
    -- verified: no person; sampled: passed, sent to an agent anyway; held: did not pass.
    verdict         text not null check (verdict in ('verified', 'sampled', 'held')),
    reason          text not null,
    min_confidence  real,
    policy          jsonb not null,
    decided_at      timestamptz not null default now(),
    primary key (merchant_id, order_id),
    foreign key (merchant_id, order_id) references app.orders (merchant_id, id) on delete cascade
);

-- Returning callers: a merchant's calls by the caller's number.
create index calls_from_number on app.calls (merchant_id, from_number);

alter table app.learned_phrases enable row level security;
alter table app.learned_phrase_sources enable row level security;
alter table app.autoverify_policies enable row level security;
alter table app.autoverify_decisions enable row level security;

reset role;
