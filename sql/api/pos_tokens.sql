-- POS callbacks (docs/api.md, "POS tokens"): kea_pos tokens per merchant, issued, rotated and
-- revoked by the service, with which the merchant's POS tells kea what became of an order it
-- was sent.

-- A kea_pos token for one merchant, valid `days` days (90 by default), recorded in
-- app.pos_tokens (its id is the token's `jti`): the gateway refuses it once it is revoked.
create function app.issue_pos_token(p_merchant_id bigint, p_days integer) returns jsonb
language plpgsql as $$
declare
    t app.pos_tokens;
begin
    if not exists (select 1 from app.merchants m where m.id = p_merchant_id) then
        raise exception 'no merchant %', p_merchant_id using errcode = 'KP404';
    end if;
    if p_days is null or p_days not between 1 and 3650 then
        raise exception 'a POS token lasts 1 to 3650 days' using errcode = 'KP422';
    end if;
    insert into app.pos_tokens (merchant_id, expires_at, issued_by)
    values (p_merchant_id, date_trunc('second', now()) + make_interval(days => p_days), app.actor())
    returning * into t;
    return jsonb_build_object(
        'token', app.sign_jwt(jsonb_build_object('role', 'kea_pos', 'sub', 'pos:' || p_merchant_id,
                                                 'merchant_id', p_merchant_id, 'jti', t.id::text,
                                                 'iat', extract(epoch from t.issued_at)::bigint,
                                                 'exp', extract(epoch from t.expires_at)::bigint)),
        'role', 'kea_pos', 'merchant_id', p_merchant_id, 'token_id', t.id,
        'expires_at', t.expires_at);
end
$$;

create function api.issue_pos_token(merchant_id bigint, days integer default 90) returns jsonb
language sql security definer set search_path = pg_catalog, public as $$
    select app.issue_pos_token(issue_pos_token.merchant_id, issue_pos_token.days)
$$;
comment on function api.issue_pos_token(bigint, integer) is
    'Issues a kea_pos token for one merchant''s POS callbacks (service role only); returns {token, role, merchant_id, token_id, expires_at}.';

-- Rotation: a new token, and every other live token of the merchant refused `grace_minutes`
-- from now (time for the POS to switch over; 0: at once).
create function api.rotate_pos_token(merchant_id bigint, days integer default 90,
                                     grace_minutes integer default 60)
returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v jsonb := app.issue_pos_token(rotate_pos_token.merchant_id, rotate_pos_token.days);
begin
    if rotate_pos_token.grace_minutes is null or rotate_pos_token.grace_minutes not between 0 and 10080 then
        raise exception 'the grace period is 0 to 10080 minutes (a week)' using errcode = 'KP422';
    end if;
    update app.pos_tokens t
       set revoked_at = now() + make_interval(mins => rotate_pos_token.grace_minutes)
     where t.merchant_id = rotate_pos_token.merchant_id and t.id <> (v->>'token_id')::bigint
       and (t.revoked_at is null or t.revoked_at > now() + make_interval(mins => rotate_pos_token.grace_minutes));
    return v;
end
$$;
comment on function api.rotate_pos_token(bigint, integer, integer) is
    'Issues a new POS token for the merchant and revokes its others after grace_minutes (service role only).';

-- Revokes every POS token of the merchant now (a leaked token, a POS disconnected).
create function api.revoke_pos_tokens(merchant_id bigint) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    n integer;
begin
    update app.pos_tokens t set revoked_at = now()
     where t.merchant_id = revoke_pos_tokens.merchant_id and (t.revoked_at is null or t.revoked_at > now());
    get diagnostics n = row_count;
    return jsonb_build_object('merchant_id', revoke_pos_tokens.merchant_id, 'revoked', n);
end
$$;
comment on function api.revoke_pos_tokens(bigint) is
    'Revokes every POS token of the merchant at once (service role only).';

-- The POS's word on an order of its own merchant: accepted (with its id and when it will be
-- ready), completed, or cancelled, through the order status machine (KO409 when the order
-- cannot go there, e.g. accepting one never sent). Another merchant's order is not found.
create function api.pos_order_update(order_id bigint, status text, pos_order_id text default null,
                                     ready_at timestamptz default null)
returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v_merchant bigint := app.current_merchant();
    o app.orders;
    v_from text;
begin
    if app.claim('role') <> 'kea_pos' then
        raise exception 'only a POS token may update orders this way' using errcode = '42501';
    end if;
    if pos_order_update.status is null
       or pos_order_update.status not in ('accepted_by_pos', 'completed', 'cancelled') then
        raise exception 'status must be accepted_by_pos, completed or cancelled, not %',
            coalesce(pos_order_update.status, 'null') using errcode = 'KO422';
    end if;
    select * into o from app.orders x
     where x.merchant_id = v_merchant and x.id = pos_order_update.order_id for update;
    if o.id is null then
        raise exception 'no order % for this merchant', pos_order_update.order_id using errcode = 'KO404';
    end if;
    perform app.act_as('pos', coalesce(pos_order_update.pos_order_id, o.pos_order_id), 'POS callback');
    v_from := o.status;
    update app.orders x
       set status = pos_order_update.status,
           pos_order_id = coalesce(pos_order_update.pos_order_id, x.pos_order_id),
           ready_at = coalesce(pos_order_update.ready_at, x.ready_at)
     where x.merchant_id = o.merchant_id and x.id = o.id
    returning * into o;
    perform app.order_status_changed(o.merchant_id, o.id, v_from, o.status);
    return jsonb_build_object('order_id', o.id, 'merchant_id', o.merchant_id, 'status', o.status,
                              'pos_order_id', o.pos_order_id, 'ready_at', o.ready_at);
end
$$;
comment on function api.pos_order_update(bigint, text, text, timestamptz) is
    'A POS callback (kea_pos token): moves its merchant''s order to accepted_by_pos, completed or cancelled.';

grant execute on function api.issue_pos_token(bigint, integer), api.rotate_pos_token(bigint, integer, integer),
      api.revoke_pos_tokens(bigint) to kea_service;
grant execute on function api.pos_order_update(bigint, text, text, timestamptz) to kea_pos;
