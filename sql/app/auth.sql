-- Tokens for /rpc, signed in SQL (PostgREST's pgjwt pattern): HS256 over base64url JSON, with
-- the first of app.jwt_secrets; the gateway verifies them with the same secrets.

create function app.base64url(p_bytes bytea) returns text
language sql immutable as $$
    select translate(rtrim(replace(encode(p_bytes, 'base64'), E'\n', ''), '='), '+/', '-_')
$$;

-- The audience (`aud`) is kea's own (the gateway's rpc::AUDIENCE) unless the claims name one;
-- the gateway also requires a numeric `exp` (issue 17, item 8).
create function app.sign_jwt(p_claims jsonb) returns text
language plpgsql stable as $$
declare
    v_secret text := (select secret from app.jwt_secrets order by position limit 1);
    v_input text;
begin
    p_claims := jsonb_build_object('aud', 'kea') || p_claims;
    if v_secret is null then
        raise exception 'no token secret is configured'
            using errcode = 'KA503', hint = 'scripts/init stores KEA_JWT_SECRET in app.jwt_secrets';
    end if;
    v_input := app.base64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'utf8')) || '.'
            || app.base64url(convert_to(p_claims::text, 'utf8'));
    return v_input || '.' || app.base64url(hmac(convert_to(v_input, 'utf8'), convert_to(v_secret, 'utf8'), 'sha256'));
end
$$;

-- The request's claims, as the gateway (or PostgREST) set them.
create function app.jwt_claims() returns jsonb
language sql stable as $$
    select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;

-- The signed-in agent; 42501 (403) without one.
create function app.current_agent() returns bigint
language plpgsql stable as $$
declare
    v bigint := (app.jwt_claims()->>'agent_id')::bigint;
begin
    if v is null then
        raise exception 'sign in as an agent first' using errcode = '42501';
    end if;
    return v;
end
$$;

-- Passwords are bcrypt hashes (pgcrypto) of this cost (issue 17, item 3). 10 took 85 ms a
-- compare on the 2-core development machine (8, the old cost, 22 ms; 12, 464 ms: too slow for
-- a sign-in on a small database server); docs/security.md. An account hashed at a lower cost
-- is rehashed at its next sign-in.
create function app.password_cost() returns integer
language sql immutable as $$ select 10 $$;

create function app.hash_password(p_password text) returns text
language sql volatile as $$
    select crypt(p_password, gen_salt('bf', app.password_cost()))
$$;

-- The cost a bcrypt hash was made with ('$2a$08$...' -> 8).
create function app.password_hash_cost(p_hash text) returns integer
language sql immutable as $$
    select case when p_hash ~ '^\$2[abxy]?\$[0-9]{2}\$' then substr(p_hash, 5, 2)::integer end
$$;

-- What an unknown email's password is compared with: a bcrypt "hash" of the current cost that
-- no password matches in practice, so that an unknown account costs a sign-in what a known one
-- does (no timing tells which emails exist).
create function app.dummy_password_hash() returns text
language sql immutable as $$
    select '$2a$' || lpad(app.password_cost()::text, 2, '0') || '$kea0dummy0salt0for0unkn0wn0acc0unts0xxxx'
$$;

-- The client's address as the gateway passed it (request.client_addr), or null (a PostgREST,
-- a direct SQL session, a gateway that cannot tell its clients apart).
create function app.client_addr() returns inet
language plpgsql stable as $$
begin
    return nullif(current_setting('request.client_addr', true), '')::inet;
exception when others then
    return null;
end
$$;

-- An answer that is not a success, PostgREST's way: the function returns (so what it wrote is
-- committed, e.g. a failed sign-in) with `response.status` and `response.headers` set, and the
-- body in PostgREST's error shape. The gateway (and PostgREST) answer that status.
create function app.http_error(p_status integer, p_code text, p_message text,
                               p_retry_after integer default null)
returns jsonb
language plpgsql volatile as $$
begin
    perform set_config('response.status', p_status::text, true);
    if p_retry_after is not null then
        perform set_config('response.headers',
                           jsonb_build_array(jsonb_build_object('Retry-After', p_retry_after::text))::text, true);
    end if;
    return jsonb_build_object('code', p_code, 'message', p_message, 'details', null, 'hint', null);
end
$$;

-- Seconds a sign-in for `p_email` from `p_addr` must still wait, 0 when it may go on:
-- - per account: from the 5th failure since its last success (within 15 minutes), 2, 4, 8 ...
--   seconds after the last failure, at most 300;
-- - per client address: 30 failures within 15 minutes, whatever the emails, wait until the
--   oldest of them is 15 minutes old.
create function app.sign_in_wait(p_email text, p_addr inet) returns integer
language plpgsql stable as $$
declare
    v_failures integer;
    v_last timestamptz;
    v_oldest timestamptz;
    v_wait double precision := 0;
begin
    select count(*), max(a.at) into v_failures, v_last
      from app.sign_in_attempts a
     where a.email = p_email and not a.ok and a.at > now() - interval '15 minutes'
       and a.at > coalesce((select max(s.at) from app.sign_in_attempts s
                             where s.email = p_email and s.ok), '-infinity');
    if v_failures >= 5 then
        v_wait := extract(epoch from v_last + make_interval(secs => least(300, 2 ^ (v_failures - 4))) - now());
    end if;
    if p_addr is not null then
        select a.at into v_oldest from app.sign_in_attempts a
         where a.client_addr = p_addr and not a.ok and a.at > now() - interval '15 minutes'
         order by a.at desc offset 29 limit 1;
        if v_oldest is not null then
            v_wait := greatest(v_wait, extract(epoch from v_oldest + interval '15 minutes' - now()));
        end if;
    end if;
    return ceil(greatest(v_wait, 0))::integer;
end
$$;

-- Creates or updates an agent (scripts/init's demo agent, tests, SQL users). A new password
-- raises the token version: the agent's tokens signed in before are revoked.
create function app.upsert_agent(p_email text, p_name text, p_password text,
                                 p_attributes jsonb default '{"merchants": ["*"]}',
                                 p_capacity integer default 1)
returns bigint
language sql as $$
    insert into app.agents as x (email, name, password_hash, attributes, capacity)
    values (lower(p_email), p_name, app.hash_password(p_password), p_attributes, p_capacity)
    on conflict (email) do update
        set name = excluded.name, attributes = excluded.attributes, capacity = excluded.capacity,
            password_hash = case when crypt(p_password, x.password_hash) = x.password_hash
                                 then x.password_hash else excluded.password_hash end,
            token_version = x.token_version
                            + case when crypt(p_password, x.password_hash) = x.password_hash then 0 else 1 end
    returning id
$$;

-- One claim of the request's token, or null: what RLS policies read (never raises, so a
-- policy simply matches no row for a token without it).
create function app.claim(p_name text) returns text
language sql stable as $$
    select app.jwt_claims()->>p_name
$$;

create function app.claim_merchant() returns bigint
language sql stable as $$
    select case when app.claim('merchant_id') ~ '^[0-9]+$' then app.claim('merchant_id')::bigint end
$$;

create function app.claim_agent() returns bigint
language sql stable as $$
    select case when app.claim('agent_id') ~ '^[0-9]+$' then app.claim('agent_id')::bigint end
$$;

-- The row-level security policies (sql/app/policies.sql) call these as the tenant roles.
grant execute on function app.jwt_claims(), app.claim(text), app.claim_merchant(), app.claim_agent()
   to kea_merchant, kea_agent, kea_pos;

-- The merchant of a kea_merchant or kea_pos token; 42501 (403) without one.
create function app.current_merchant() returns bigint
language plpgsql stable as $$
declare
    v bigint := app.claim_merchant();
begin
    if v is null or coalesce(app.claim('role'), '') not in ('kea_merchant', 'kea_pos') then
        raise exception 'sign in for a merchant first' using errcode = '42501';
    end if;
    return v;
end
$$;

-- Creates or updates a member of a merchant's staff (scripts, tests, SQL users). A new
-- password, or another merchant, revokes the tokens signed in before.
create function app.upsert_merchant_user(p_merchant_id bigint, p_email text, p_name text,
                                         p_password text)
returns bigint
language sql as $$
    insert into app.merchant_users as x (merchant_id, email, name, password_hash)
    values (p_merchant_id, lower(p_email), p_name, app.hash_password(p_password))
    on conflict (email) do update
        set merchant_id = excluded.merchant_id, name = excluded.name,
            password_hash = case when crypt(p_password, x.password_hash) = x.password_hash
                                 then x.password_hash else excluded.password_hash end,
            token_version = x.token_version
                            + case when crypt(p_password, x.password_hash) = x.password_hash
                                        and x.merchant_id = excluded.merchant_id then 0 else 1 end
    returning id
$$;

-- Why a token that verifies is no longer good, or null (issue 17, item 7): the account it was
-- signed in for is gone or has a new password since (`ver`, the account's token_version), the
-- staff member now works for another merchant, or the POS token (`jti`) was replaced or
-- revoked. The gateway asks for every request and `/events` stream, with the claims it
-- verified (api.token_revoked); PostgREST through api.pre_request. Tokens without an account
-- subject (operators' kea_service and kea_analyst tokens) are revoked by rotating the secret.
create function app.token_revoked(p_claims jsonb) returns text
language sql stable as $$
    select case
        when p_claims->>'role' = 'kea_pos' then
            case when not exists (
                    select 1 from app.pos_tokens t
                     where t.id::text = p_claims->>'jti'
                       and t.merchant_id::text = p_claims->>'merchant_id'
                       and (t.revoked_at is null or t.revoked_at > now()))
                 then 'this POS token was replaced or revoked: use the current one' end
        -- A sign-in's token carries its account's version; tokens without one are signed by
        -- an operator (like kea_service ones) and end with their exp or the secret.
        when not p_claims ? 'ver' then null
        when p_claims->>'sub' like 'agent:%' then
            case when not exists (
                    select 1 from app.agents a
                     where a.id::text = substr(p_claims->>'sub', length('agent:') + 1)
                       and a.token_version::text = coalesce(p_claims->>'ver', '1'))
                 then 'this sign-in was revoked (a new password, or the account is gone): sign in again' end
        when p_claims->>'sub' like 'merchant_user:%' then
            case when not exists (
                    select 1 from app.merchant_users u
                     where u.id::text = substr(p_claims->>'sub', length('merchant_user:') + 1)
                       and u.merchant_id::text = p_claims->>'merchant_id'
                       and u.token_version::text = coalesce(p_claims->>'ver', '1'))
                 then 'this sign-in was revoked (a new password, or the account is gone): sign in again' end
    end
$$;
