-- Menu edits from outside: whole-document imports and sold-out switches.

-- Imports a menu document (the format kea.menus holds) as a new menu of a merchant and makes
-- it the active one. Fields without a column are kept in `extra`.
create function api.import_menu(merchant_id bigint, document jsonb, activate boolean default true)
returns bigint
language plpgsql security definer set search_path = '' as $$
declare
    v_menu_id bigint;
    v_negative text;
begin
    -- An option may take money off ("No rice -$1.00": its price is an adjustment, and a line
    -- never goes below zero, docs/architecture.md "Menus"); an item or a size may not, and is
    -- refused here by name rather than by a table's check constraint.
    select string_agg(format('%s %s (%s)', x.kind, x.code, x.price), ', ') into v_negative
      from (select 'item' as kind, i->>'code' as code, (i->>'price_cents')::bigint as price
              from jsonb_array_elements(coalesce(import_menu.document->'items', '[]')) i
            union all
            select 'size', (i->>'code') || '/' || (v->>'code'), (v->>'price_cents')::bigint
              from jsonb_array_elements(coalesce(import_menu.document->'items', '[]')) i,
                   jsonb_array_elements(coalesce(i->'variations', '[]')) v) x
     where x.price < 0;
    if v_negative is not null then
        raise exception 'the menu has negative item or size prices: %', v_negative
            using errcode = '22023',
                  hint = 'only an option may take money off ("No rice" at -100): price the item or size at 0 or more';
    end if;
    if import_menu.activate then
        update app.menus x set active = false where x.merchant_id = import_menu.merchant_id and x.active;
    end if;
    insert into app.menus (merchant_id, name, active, extra)
    values (import_menu.merchant_id, coalesce(import_menu.document->>'name', 'Menu'), import_menu.activate,
            import_menu.document - array['id', 'name', 'currency', 'tax_rate_bp', 'categories', 'items', 'groups'])
    returning id into v_menu_id;

    insert into app.menu_categories (merchant_id, menu_id, code, name, aliases, position, extra)
    select import_menu.merchant_id, v_menu_id, c->>'code', coalesce(c->>'name', c->>'code'),
           array(select jsonb_array_elements_text(coalesce(c->'aliases', '[]'))), ord,
           c - array['id', 'code', 'name', 'aliases']
    from jsonb_array_elements(coalesce(import_menu.document->'categories', '[]')) with ordinality as x(c, ord);

    insert into app.modifier_groups (merchant_id, menu_id, code, name, min_choices, max_choices,
                                     qualified, negatable, position, extra)
    select import_menu.merchant_id, v_menu_id, g->>'code', coalesce(g->>'name', g->>'code'),
           coalesce((g->>'min')::int, 0), coalesce((g->>'max')::int, 0),
           coalesce((g->>'qualified')::boolean, false), coalesce((g->>'negatable')::boolean, false),
           ord, g - array['id', 'code', 'name', 'min', 'max', 'qualified', 'negatable', 'options']
    from jsonb_array_elements(coalesce(import_menu.document->'groups', '[]')) with ordinality as x(g, ord);

    insert into app.modifier_options (merchant_id, menu_id, group_id, code, name, aliases,
                                      price_cents, is_default, available, position, extra)
    select import_menu.merchant_id, v_menu_id, mg.id, o->>'code', coalesce(o->>'name', o->>'code'),
           array(select jsonb_array_elements_text(coalesce(o->'aliases', '[]'))),
           coalesce((o->>'price_cents')::bigint, 0), coalesce((o->>'default')::boolean, false),
           coalesce((o->>'available')::boolean, true), ord,
           o - array['id', 'code', 'name', 'aliases', 'price_cents', 'default', 'available']
    from jsonb_array_elements(coalesce(import_menu.document->'groups', '[]')) as x(g)
    join app.modifier_groups mg on mg.menu_id = v_menu_id and mg.code = g->>'code'
    cross join lateral jsonb_array_elements(coalesce(g->'options', '[]')) with ordinality as y(o, ord);

    insert into app.menu_items (merchant_id, menu_id, category_code, code, name, aliases,
                                price_cents, available, default_variation, variation_slot,
                                position, extra)
    select import_menu.merchant_id, v_menu_id, i->>'category', i->>'code', coalesce(i->>'name', i->>'code'),
           array(select jsonb_array_elements_text(coalesce(i->'aliases', '[]'))),
           coalesce((i->>'price_cents')::bigint, 0), coalesce((i->>'available')::boolean, true),
           i->>'default_variation', i->>'variation_slot', ord,
           i - array['id', 'code', 'name', 'category', 'aliases', 'price_cents', 'available',
                     'default_variation', 'variation_slot', 'variations', 'groups']
    from jsonb_array_elements(coalesce(import_menu.document->'items', '[]')) with ordinality as x(i, ord);

    insert into app.item_variations (merchant_id, menu_id, item_id, code, name, aliases,
                                     price_cents, available, position, extra)
    select import_menu.merchant_id, v_menu_id, mi.id, v->>'code', coalesce(v->>'name', v->>'code'),
           array(select jsonb_array_elements_text(coalesce(v->'aliases', '[]'))),
           coalesce((v->>'price_cents')::bigint, 0), coalesce((v->>'available')::boolean, true),
           ord, v - array['id', 'code', 'name', 'aliases', 'price_cents', 'available']
    from jsonb_array_elements(coalesce(import_menu.document->'items', '[]')) as x(i)
    join app.menu_items mi on mi.menu_id = v_menu_id and mi.code = i->>'code'
    cross join lateral jsonb_array_elements(coalesce(i->'variations', '[]')) with ordinality as y(v, ord);

    insert into app.item_modifier_groups (merchant_id, menu_id, item_id, group_id, position)
    select import_menu.merchant_id, v_menu_id, mi.id, mg.id, ord
    from jsonb_array_elements(coalesce(import_menu.document->'items', '[]')) as x(i)
    join app.menu_items mi on mi.menu_id = v_menu_id and mi.code = i->>'code'
    cross join lateral jsonb_array_elements_text(coalesce(i->'groups', '[]')) with ordinality as y(gcode, ord)
    join app.modifier_groups mg on mg.menu_id = v_menu_id and mg.code = gcode;

    return v_menu_id;
end
$$;
comment on function api.import_menu(bigint, jsonb, boolean) is
    'Imports a menu document as a new (by default active) menu of the merchant; returns its id.';

-- Sold out / back in stock, by item code: what a manager says at 7 PM on a Friday.
create function api.set_item_available(merchant_id bigint, code text, available boolean)
returns boolean
language sql security definer set search_path = '' as $$
    update app.menu_items i set available = set_item_available.available
    from app.menus m
    where m.merchant_id = set_item_available.merchant_id and m.active and i.menu_id = m.id
      and i.code = set_item_available.code
    returning true
$$;
comment on function api.set_item_available(bigint, text, boolean) is
    'Marks an item of the merchant''s active menu sold out or back in stock, by item code: true, or null when no item has that code.';

-- The owner side (a merchant id as argument): the service role only, never a tenant token.
grant execute on function api.import_menu(bigint, jsonb, boolean), api.set_item_available(bigint, text, boolean)
   to kea_service;
