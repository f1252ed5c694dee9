-- POS callbacks (docs/api.md, "POS tokens"): a long-lived kea_pos token per merchant, issued
-- by the service, with which the merchant's POS tells kea what became of an order it was sent.

-- A kea_pos token for one merchant, valid `days` days. Revoke by rotating the secrets
-- (app.jwt_secrets): tokens carry no server-side state.
create function api.issue_pos_token(merchant_id bigint, days integer default 365) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v_exp bigint := extract(epoch from now() + make_interval(days => issue_pos_token.days))::bigint;
begin
    if not exists (select 1 from app.merchants m where m.id = issue_pos_token.merchant_id) then
        raise exception 'no merchant %', issue_pos_token.merchant_id using errcode = 'KP404';
    end if;
    if issue_pos_token.days is null or issue_pos_token.days not between 1 and 3650 then
        raise exception 'a POS token lasts 1 to 3650 days' using errcode = 'KP422';
    end if;
    return jsonb_build_object(
        'token', app.sign_jwt(jsonb_build_object('role', 'kea_pos', 'sub', 'pos:' || issue_pos_token.merchant_id,
                                                 'merchant_id', issue_pos_token.merchant_id,
                                                 'iat', extract(epoch from now())::bigint, 'exp', v_exp)),
        'role', 'kea_pos', 'merchant_id', issue_pos_token.merchant_id,
        'expires_at', to_timestamp(v_exp));
end
$$;
comment on function api.issue_pos_token(bigint, integer) is
    'Issues a kea_pos token for one merchant''s POS callbacks (service role only); returns {token, role, merchant_id, expires_at}.';

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
    update app.orders x
       set status = pos_order_update.status,
           pos_order_id = coalesce(pos_order_update.pos_order_id, x.pos_order_id),
           ready_at = coalesce(pos_order_update.ready_at, x.ready_at)
     where x.merchant_id = o.merchant_id and x.id = o.id
    returning * into o;
    return jsonb_build_object('order_id', o.id, 'merchant_id', o.merchant_id, 'status', o.status,
                              'pos_order_id', o.pos_order_id, 'ready_at', o.ready_at);
end
$$;
comment on function api.pos_order_update(bigint, text, text, timestamptz) is
    'A POS callback (kea_pos token): moves its merchant''s order to accepted_by_pos, completed or cancelled.';

grant execute on function api.issue_pos_token(bigint, integer) to kea_service;
grant execute on function api.pos_order_update(bigint, text, text, timestamptz) to kea_pos;
