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
    on conflict on constraint pos_connections_pkey do update
        set kind = excluded.kind, base_url = excluded.base_url, secret = excluded.secret,
            location_id = excluded.location_id;
    return jsonb_build_object('merchant_id', connect_pos.merchant_id, 'kind', connect_pos.kind,
                              'base_url', connect_pos.base_url, 'location_id', connect_pos.location_id);
end
$$;
comment on function api.connect_pos(bigint, text, text, text, text) is
    'Connects a merchant to its POS: kind webhook (signed JSON to base_url) or square.';

-- Imports a merchant's menu from its Square catalog (a ListCatalog export) as the new active
-- menu; Square's ids stay on items, variations and options (pos_id) so orders go back to
-- Square by catalog id. Returns the menu id and what could not be carried over exactly.
create function api.import_square_catalog(merchant_id bigint, catalog jsonb,
                                          location_id text default null)
returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v jsonb := kea.menu_from_square(import_square_catalog.catalog, import_square_catalog.location_id);
    v_menu bigint;
begin
    if jsonb_array_length(v->'document'->'items') = 0 then
        raise exception 'the catalog has no items to import' using errcode = 'KM422',
            hint = 'export it with ListCatalog types ITEM, ITEM_VARIATION, MODIFIER_LIST, CATEGORY';
    end if;
    v_menu := api.import_menu(import_square_catalog.merchant_id, v->'document');
    return jsonb_build_object('menu_id', v_menu,
                              'items', jsonb_array_length(v->'document'->'items'),
                              'notes', v->'notes');
end
$$;
comment on function api.import_square_catalog(bigint, jsonb, text) is
    'Imports a Square ListCatalog export as the merchant''s active menu (Square ids kept as pos_id).';

-- The countries a merchant's transfer number may be in (ISO codes of app.dialing_plans; null:
-- its own country only). The operator's decision (kea_service), recorded like every change of
-- the transfer number (issue 17, item 6).
create function api.set_transfer_countries(merchant_id bigint, countries text[]) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v_unknown text;
    m app.merchants;
begin
    select string_agg(c, ', ') into v_unknown from unnest(set_transfer_countries.countries) c
     where not exists (select 1 from app.dialing_plans d where d.country = c);
    if v_unknown is not null then
        raise exception 'no dialing plan for %', v_unknown using errcode = 'KS422',
            hint = 'the countries of app.dialing_plans';
    end if;
    update app.merchants x set transfer_countries = set_transfer_countries.countries
     where x.id = set_transfer_countries.merchant_id returning * into m;
    if m.id is null then
        raise exception 'no merchant %', set_transfer_countries.merchant_id using errcode = 'KS404';
    end if;
    return jsonb_build_object('merchant_id', m.id, 'country', m.country,
                              'transfer_countries', to_jsonb(app.transfer_countries(m)));
end
$$;
comment on function api.set_transfer_countries(bigint, text[]) is
    'Sets the countries a merchant''s transfer number may be in (service role only).';

-- The owner side (a merchant id as argument): the service role only, never a tenant token.
grant execute on function api.connect_pos(bigint, text, text, text, text),
      api.import_square_catalog(bigint, jsonb, text), api.set_transfer_countries(bigint, text[])
   to kea_service;
