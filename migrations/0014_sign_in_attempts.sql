-- Why: issue 17, item 3. api.login could be guessed about 100 times a second per account and
-- was never refused. Every sign-in attempt is now recorded: failures since an account's last
-- success, and failures from one client address, throttle further attempts (api.login answers
-- 429 with Retry-After), and a merchant sees the failed sign-ins on its staff's accounts
-- (api.merchant_sign_ins). Rows older than 30 days are pruned by api.login itself.
set role kea_owner;

create table app.sign_in_attempts (
    id           bigint generated always as identity primary key,
    at           timestamptz not null default now(),
    -- As typed, lower-cased and trimmed (accounts that do not exist are throttled too).
    email        text not null,
    -- The client's address as the gateway saw it (request.client_addr); null behind a
    -- PostgREST, which does not pass it.
    client_addr  inet,
    ok           boolean not null,
    -- The account the email named, when there is one.
    agent_id     bigint,
    merchant_id  bigint,
    user_id      bigint
);
comment on table app.sign_in_attempts is
    'Every api.login attempt (not the ones refused by the throttle): what throttles guessing, and what merchants see of failed sign-ins.';
create index sign_in_attempts_email on app.sign_in_attempts (email, at);
create index sign_in_attempts_failed_addr on app.sign_in_attempts (client_addr, at) where not ok;
create index sign_in_attempts_merchant on app.sign_in_attempts (merchant_id, at) where merchant_id is not null;
alter table app.sign_in_attempts enable row level security;

reset role;
