-- Tokens for /rpc, signed in SQL (PostgREST's pgjwt pattern): HS256 over base64url JSON, with
-- the first of app.jwt_secrets; the gateway verifies them with the same secrets.

create function app.base64url(p_bytes bytea) returns text
language sql immutable as $$
    select translate(rtrim(replace(encode(p_bytes, 'base64'), E'\n', ''), '='), '+/', '-_')
$$;

create function app.sign_jwt(p_claims jsonb) returns text
language plpgsql stable as $$
declare
    v_secret text := (select secret from app.jwt_secrets order by position limit 1);
    v_input text;
begin
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

-- Creates or updates an agent (scripts/init's demo agent, tests, SQL users).
create function app.upsert_agent(p_email text, p_name text, p_password text,
                                 p_attributes jsonb default '{"merchants": ["*"]}',
                                 p_capacity integer default 1)
returns bigint
language sql as $$
    insert into app.agents (email, name, password_hash, attributes, capacity)
    values (lower(p_email), p_name, crypt(p_password, gen_salt('bf', 8)), p_attributes, p_capacity)
    on conflict (email) do update
        set name = excluded.name, password_hash = excluded.password_hash,
            attributes = excluded.attributes, capacity = excluded.capacity
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

-- Creates or updates a member of a merchant's staff (scripts, tests, SQL users).
create function app.upsert_merchant_user(p_merchant_id bigint, p_email text, p_name text,
                                         p_password text)
returns bigint
language sql as $$
    insert into app.merchant_users (merchant_id, email, name, password_hash)
    values (p_merchant_id, lower(p_email), p_name, crypt(p_password, gen_salt('bf', 8)))
    on conflict (email) do update
        set merchant_id = excluded.merchant_id, name = excluded.name,
            password_hash = excluded.password_hash
    returning id
$$;
