-- Why: issue 22 §3, repeat callers (docs/closed-loop.md §3). A caller with a verified order
-- can always ask for "the same as last time"; whether the greeting offers it to every returning
-- caller ("Welcome back! Would you like the same as last time?") is the merchant's choice, off
-- until the merchant turns it on.
set role kea_owner;

alter table app.merchants add column offers_usual boolean not null default false;
comment on column app.merchants.offers_usual is
    'The greeting offers a returning caller their last verified order (docs/dialog.md, "Repeat callers").';

reset role;
