-- Whether a verified token is still good (issue 17, item 7; docs/security.md, "Tokens"):
-- app.token_revoked, for the gateway and for PostgREST.

-- The gateway's check, before it takes the request's role (as its own login, in the request's
-- first statement): why the token is revoked, or null.
create function api.token_revoked(claims jsonb) returns text
language sql stable security definer set search_path = pg_catalog, public as $$
    select app.token_revoked(claims)
$$;
comment on function api.token_revoked(jsonb) is
    'Why these (verified) claims are revoked, or null; the gateway''s own check, not for clients.';

-- PostgREST's db-pre-request (docs/api.md, "Behind a real PostgREST"): refuses a revoked token
-- with KA401 after PostgREST took the request's role. It only tells the caller about its own
-- token.
create function api.pre_request() returns void
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    v_why text := app.token_revoked(app.jwt_claims());
begin
    if v_why is not null then
        raise exception '%', v_why using errcode = 'KA401';
    end if;
end
$$;
comment on function api.pre_request() is
    'PostgREST''s db-pre-request: KA401 when the request''s token was revoked.';

grant execute on function api.token_revoked(jsonb) to kea_authenticator;
grant execute on function api.pre_request()
   to kea_anon, kea_agent, kea_merchant, kea_pos, kea_analyst, kea_service;
