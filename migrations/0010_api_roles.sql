-- Why: issue 11, a safe way in for every audience. One NOLOGIN role per audience (PostgREST's
-- pattern), each with its own budget, reached only through kea_authenticator; merchant staff
-- who sign in (api.login) with pgcrypto hashes; row-level security on every tenant table, so
-- that a view read as the caller (security_invoker) shows a merchant, an agent or a POS token
-- only its own rows. Policies and grants are repeatable SQL (sql/app/policies.sql).
-- kea_service is the gateway's and the workers' service role: it includes kea_worker (the
-- workers keep `SET ROLE kea_worker`) and may call the owner-side api functions (menus, POS
-- connections, POS tokens).

do $$
declare
    r text;
begin
    foreach r in array array['kea_merchant', 'kea_analyst', 'kea_service'] loop
        if not exists (select 1 from pg_roles where rolname = r) then
            execute format('create role %I nologin', r);
        end if;
    end loop;
end
$$;

grant kea_worker to kea_service;
grant kea_merchant, kea_analyst, kea_service to kea_authenticator;

-- Budgets per audience (kea_anon 3s, kea_agent and kea_pos 10s are set by 0001). A browser
-- page waits at most a few seconds; analysts scan history; workers and the service batch.
alter role kea_merchant set statement_timeout = '10s';
alter role kea_analyst set statement_timeout = '60s';
alter role kea_service set statement_timeout = '30s';
alter role kea_worker set statement_timeout = '30s';

grant usage on schema api to kea_merchant, kea_analyst, kea_service;
-- The security_invoker views of api read app tables as the caller: these roles reach the
-- tables they are granted (sql/app/policies.sql), row by row as RLS allows.
grant usage on schema app to kea_merchant, kea_agent, kea_pos;

set role kea_owner;

-- Restaurant staff who sign in to the merchant page (api.login, like agents).
create table app.merchant_users (
    merchant_id    bigint not null references app.merchants (id) on delete cascade,
    id             bigint generated always as identity,
    email          text not null unique check (email = lower(email)),
    name           text not null,
    password_hash  text not null,
    created_at     timestamptz not null default now(),
    primary key (merchant_id, id),
    unique (id)
);
comment on table app.merchant_users is
    'Restaurant staff who sign in (api.login) for a kea_merchant token of their merchant.';

-- Row-level security on every tenant table (and the tenants themselves). kea_owner owns the
-- tables and is not subject to it (no FORCE): the security definer api functions filter by
-- the token's claims themselves; RLS is what protects rows read through security_invoker
-- views as the caller's own role.
alter table app.merchants enable row level security;
alter table app.merchant_users enable row level security;
alter table app.phone_numbers enable row level security;
alter table app.opening_hours enable row level security;
alter table app.menus enable row level security;
alter table app.menu_categories enable row level security;
alter table app.menu_items enable row level security;
alter table app.item_variations enable row level security;
alter table app.modifier_groups enable row level security;
alter table app.modifier_options enable row level security;
alter table app.item_modifier_groups enable row level security;
alter table app.calls enable row level security;
alter table app.turns enable row level security;
alter table app.orders enable row level security;
alter table app.order_lines enable row level security;
alter table app.order_history enable row level security;
alter table app.order_edits enable row level security;
alter table app.tasks enable row level security;
alter table app.reservations enable row level security;
alter table app.jobs enable row level security;
alter table app.pos_connections enable row level security;
alter table app.sms_messages enable row level security;
alter table app.sms_opt_outs enable row level security;
alter table app.agents enable row level security;
alter table app.jwt_secrets enable row level security;

reset role;
