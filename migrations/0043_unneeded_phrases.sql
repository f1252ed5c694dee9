-- Why: issue 22, a learner that refused nothing callers say for every item (docs/closed-loop.md,
-- "Words said whatever is ordered"). On a menu typed in Dutch, callers say "pancake" for every
-- item; kea learnt it for the kids' pancake, and every pancake after became the kids' one. What
-- tells such a word is the orders kea heard right: a word it could not place there, and the
-- agent approved without an edit, named nothing. Those words are kept here, with the line each
-- was said beside, and a phrase said beside right lines of other items is refused
-- (app.phrase_conflict). On the coordinator with app.learned_phrases (sql/app/placement.sql).
set role kea_owner;

create table app.unneeded_phrases (
    merchant_id   bigint not null references app.merchants (id) on delete cascade,
    -- As app.learned_phrases.phrase (app.phrase_key, chat words taken off).
    phrase        text not null check (phrase <> '' and length(phrase) <= 60),
    -- The item of the right line the words were said beside.
    item_code     text not null,
    -- Approved orders, kea's unedited, the words were heard in.
    times_seen    integer not null default 1,
    last_seen_at  timestamptz not null default now(),
    primary key (merchant_id, phrase, item_code)
);
comment on table app.unneeded_phrases is
    'Words callers said beside lines kea heard right (orders agents approved unedited), that kea could not place: they named nothing, and are never learnt for another item (docs/closed-loop.md).';

alter table app.unneeded_phrases enable row level security;

reset role;
