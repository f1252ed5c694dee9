-- Why: the PostgREST shape. Tables live in `app` (private); what clients may call lives in
-- `api`; the extension's functions live in `kea`. Clients reach the database through one LOGIN
-- role (`kea_authenticator`, NOINHERIT) and act as NOLOGIN roles per audience.
-- Roles are cluster-wide, so they are created only when missing.

do $$
declare
    r text;
begin
    foreach r in array array['kea_owner', 'kea_anon', 'kea_agent', 'kea_pos', 'kea_worker'] loop
        if not exists (select 1 from pg_roles where rolname = r) then
            execute format('create role %I nologin', r);
        end if;
    end loop;
    if not exists (select 1 from pg_roles where rolname = 'kea_authenticator') then
        -- The password is set by scripts/init (KEA_DB_PASSWORD); this one is for development.
        create role kea_authenticator login noinherit password 'kea';
    end if;
end
$$;

grant kea_anon, kea_agent, kea_pos, kea_worker to kea_authenticator;

-- Budgets per audience: Twilio gives a webhook 15 s in all, so a turn must never hang.
alter role kea_authenticator set statement_timeout = '5s';
alter role kea_anon set statement_timeout = '3s';
alter role kea_agent set statement_timeout = '10s';
alter role kea_pos set statement_timeout = '10s';

create extension if not exists pg_kea;

create schema if not exists app authorization kea_owner;
create schema if not exists api authorization kea_owner;
grant usage on schema api to kea_authenticator, kea_anon, kea_agent, kea_pos, kea_worker;
revoke all on schema app from public;
grant usage on schema kea to kea_owner;
grant select on kea.menus to kea_owner;
grant execute on all functions in schema kea to kea_owner;
grant insert, update on kea.menus to kea_owner;
