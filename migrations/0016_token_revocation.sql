-- Why: issue 17, item 7. Tokens could not be revoked: a deleted staff member's 12-hour token
-- kept working, and POS tokens lasted a year with no way to replace one but rotating the
-- secret of every token. Now each agent and staff account has a token version (in its tokens'
-- `ver` claim; raised when the password changes), and each POS token is a row
-- (app.pos_tokens, its `jti` claim) that can be replaced with a grace period or revoked. The
-- gateway checks them on every request (app.token_revoked). POS tokens issued before this
-- migration carry no `jti` and are refused: issue new ones (api.rotate_pos_token).
set role kea_owner;

alter table app.agents add column token_version integer not null default 1;
alter table app.merchant_users add column token_version integer not null default 1;
comment on column app.agents.token_version is
    'Tokens carry it (claim ver); raising it (a new password) revokes every token signed in before.';
comment on column app.merchant_users.token_version is
    'Tokens carry it (claim ver); raising it (a new password) revokes every token signed in before.';

create table app.pos_tokens (
    merchant_id  bigint not null references app.merchants (id) on delete cascade,
    id           bigint generated always as identity,
    issued_at    timestamptz not null default now(),
    expires_at   timestamptz not null,
    -- From then on the token is refused (a rotation's grace period ends, or a revocation).
    revoked_at   timestamptz,
    issued_by    text not null,
    primary key (merchant_id, id),
    unique (id)
);
comment on table app.pos_tokens is
    'Every POS token issued (its id is the token''s jti claim): refused once revoked_at has passed.';
alter table app.pos_tokens enable row level security;

reset role;
