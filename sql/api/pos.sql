-- Connecting a merchant to its POS (docs/workflow.md, "Handlers"), and bringing in a menu the
-- restaurant already keeps there.

-- kind: 'webhook' (base_url receives signed JSON) or 'square' (base_url null = KEA_SQUARE_API_URL;
-- secret is the access token; location_id the Square location).
create function api.connect_pos(merchant_id bigint, kind text, base_url text, secret text,
                                location_id text default null)
returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
begin
    insert into app.pos_connections (merchant_id, kind, base_url, secret, location_id)
    values (connect_pos.merchant_id, connect_pos.kind, connect_pos.base_url, connect_pos.secret,
            connect_pos.location_id)
    on conflict (merchant_id) do update
        set kind = excluded.kind, base_url = excluded.base_url, secret = excluded.secret,
            location_id = excluded.location_id;
    return jsonb_build_object('merchant_id', connect_pos.merchant_id, 'kind', connect_pos.kind,
                              'base_url', connect_pos.base_url, 'location_id', connect_pos.location_id);
end
$$;
comment on function api.connect_pos(bigint, text, text, text, text) is
    'Connects a merchant to its POS: kind webhook (signed JSON to base_url) or square.';
