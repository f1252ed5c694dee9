-- Why: menus are edited by people (owners, support, imports) as rows, but the extension wants
-- one document per menu. These tables are the truth; every change republishes the document
-- to kea.menus (statement-level triggers, so a bulk import publishes once per statement).
-- Every table carries merchant_id and menu_id: the distribution key and the publish key.
-- `extra` holds document fields these tables have no column for (round-trips the document).
set role kea_owner;

create table app.menus (
    merchant_id bigint not null references app.merchants (id) on delete cascade,
    id          bigint generated always as identity,
    name        text not null,
    active      boolean not null default true,
    extra       jsonb not null default '{}',
    created_at  timestamptz not null default now(),
    primary key (merchant_id, id),
    unique (id)
);
-- One active menu per merchant: the one calls use.
create unique index menus_one_active on app.menus (merchant_id) where active;

create table app.menu_categories (
    merchant_id bigint not null,
    menu_id     bigint not null,
    id          bigint generated always as identity,
    code        text not null,
    name        text not null,
    aliases     text[] not null default '{}',
    position    integer not null default 0,
    extra       jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (menu_id, code),
    foreign key (merchant_id, menu_id) references app.menus (merchant_id, id) on delete cascade
);

create table app.menu_items (
    merchant_id       bigint not null,
    menu_id           bigint not null,
    id                bigint generated always as identity,
    category_code     text,
    code              text not null,
    name              text not null,
    aliases           text[] not null default '{}',
    price_cents       bigint not null default 0 check (price_cents >= 0),
    -- false = sold out (86'd): the dialog refuses it and offers alternatives.
    available         boolean not null default true,
    default_variation text,
    variation_slot    text,
    position          integer not null default 0,
    extra             jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (menu_id, code),
    foreign key (merchant_id, menu_id) references app.menus (merchant_id, id) on delete cascade
);

create table app.item_variations (
    merchant_id bigint not null,
    menu_id     bigint not null,
    item_id     bigint not null,
    id          bigint generated always as identity,
    code        text not null,
    name        text not null,
    aliases     text[] not null default '{}',
    price_cents bigint not null check (price_cents >= 0),
    available   boolean not null default true,
    position    integer not null default 0,
    extra       jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (item_id, code),
    foreign key (merchant_id, item_id) references app.menu_items (merchant_id, id) on delete cascade
);

create table app.modifier_groups (
    merchant_id bigint not null,
    menu_id     bigint not null,
    id          bigint generated always as identity,
    code        text not null,
    name        text not null,
    min_choices integer not null default 0 check (min_choices >= 0),
    -- 0 = no upper bound
    max_choices integer not null default 0 check (max_choices >= 0),
    qualified   boolean not null default false,
    negatable   boolean not null default false,
    position    integer not null default 0,
    extra       jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (menu_id, code),
    check (max_choices = 0 or max_choices >= min_choices),
    foreign key (merchant_id, menu_id) references app.menus (merchant_id, id) on delete cascade
);

create table app.modifier_options (
    merchant_id bigint not null,
    menu_id     bigint not null,
    group_id    bigint not null,
    id          bigint generated always as identity,
    code        text not null,
    name        text not null,
    aliases     text[] not null default '{}',
    price_cents bigint not null default 0 check (price_cents >= 0),
    is_default  boolean not null default false,
    available   boolean not null default true,
    position    integer not null default 0,
    extra       jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (group_id, code),
    foreign key (merchant_id, group_id) references app.modifier_groups (merchant_id, id) on delete cascade
);

create table app.item_modifier_groups (
    merchant_id bigint not null,
    menu_id     bigint not null,
    item_id     bigint not null,
    group_id    bigint not null,
    position    integer not null default 0,
    primary key (merchant_id, item_id, group_id),
    foreign key (merchant_id, item_id) references app.menu_items (merchant_id, id) on delete cascade,
    foreign key (merchant_id, group_id) references app.modifier_groups (merchant_id, id) on delete cascade
);

-- The document kea compiles (format: pg_kea/core/src/menu.rs).
create function app.menu_document(p_menu_id bigint) returns jsonb
language sql stable as $$
    select m.extra || jsonb_build_object(
        'id', m.id,
        'name', m.name,
        'currency', mer.currency,
        'tax_rate_bp', mer.tax_rate_bp,
        'categories', coalesce((
            select jsonb_agg(c.extra || jsonb_build_object(
                'id', c.id, 'code', c.code, 'name', c.name, 'aliases', to_jsonb(c.aliases))
                order by c.position, c.id)
            from app.menu_categories c where c.menu_id = m.id), '[]'),
        'items', coalesce((
            select jsonb_agg(i.extra || jsonb_build_object(
                'id', i.id, 'code', i.code, 'name', i.name, 'category', i.category_code,
                'aliases', to_jsonb(i.aliases), 'price_cents', i.price_cents,
                'available', i.available, 'default_variation', i.default_variation,
                'variation_slot', i.variation_slot,
                'variations', coalesce((
                    select jsonb_agg(v.extra || jsonb_build_object(
                        'id', v.id, 'code', v.code, 'name', v.name,
                        'aliases', to_jsonb(v.aliases), 'price_cents', v.price_cents,
                        'available', v.available) order by v.position, v.id)
                    from app.item_variations v where v.item_id = i.id), '[]'),
                'groups', coalesce((
                    select jsonb_agg(g.code order by ig.position, g.id)
                    from app.item_modifier_groups ig
                    join app.modifier_groups g on g.id = ig.group_id
                    where ig.item_id = i.id), '[]'))
                order by i.position, i.id)
            from app.menu_items i where i.menu_id = m.id), '[]'),
        'groups', coalesce((
            select jsonb_agg(g.extra || jsonb_build_object(
                'id', g.id, 'code', g.code, 'name', g.name,
                'min', g.min_choices, 'max', g.max_choices,
                'qualified', g.qualified, 'negatable', g.negatable,
                'options', coalesce((
                    select jsonb_agg(o.extra || jsonb_build_object(
                        'id', o.id, 'code', o.code, 'name', o.name,
                        'aliases', to_jsonb(o.aliases), 'price_cents', o.price_cents,
                        'default', o.is_default, 'available', o.available)
                        order by o.position, o.id)
                    from app.modifier_options o where o.group_id = g.id), '[]'))
                order by g.position, g.id)
            from app.modifier_groups g where g.menu_id = m.id), '[]'))
    from app.menus m
    join app.merchants mer on mer.id = m.merchant_id
    where m.id = p_menu_id
$$;

create function app.publish_menu(p_menu_id bigint) returns bigint
language sql as $$
    select kea.publish_menu(p_menu_id, app.menu_document(p_menu_id))
    where exists (select 1 from app.menus where id = p_menu_id)
$$;

-- Statement-level: one publish per touched menu per statement, however many rows changed.
create function app.on_menu_change() returns trigger
language plpgsql as $$
begin
    perform app.publish_menu(menu_id) from (select distinct menu_id from changed) t;
    return null;
end
$$;

create function app.on_menus_change() returns trigger
language plpgsql as $$
begin
    perform app.publish_menu(id) from (select distinct id from changed) t;
    return null;
end
$$;

do $$
declare
    t text;
    ev text;
begin
    foreach t in array array['menu_categories', 'menu_items', 'item_variations',
                             'modifier_groups', 'modifier_options', 'item_modifier_groups'] loop
        foreach ev in array array['insert', 'update', 'delete'] loop
            execute format(
                'create trigger %I after %s on app.%I referencing %s table as changed
                 for each statement execute function app.on_menu_change()',
                t || '_publish_' || ev, ev, t,
                case ev when 'delete' then 'old' else 'new' end);
        end loop;
    end loop;
    foreach ev in array array['insert', 'update'] loop
        execute format(
            'create trigger %I after %s on app.menus referencing new table as changed
             for each statement execute function app.on_menus_change()',
            'menus_publish_' || ev, ev);
    end loop;
end
$$;

-- Tax rate and currency live on the merchant but are part of the document.
create function app.on_merchant_change() returns trigger
language plpgsql as $$
begin
    perform app.publish_menu(m.id) from app.menus m where m.merchant_id = new.id;
    return null;
end
$$;
create trigger merchants_publish after update of tax_rate_bp, currency on app.merchants
    for each row execute function app.on_merchant_change();

-- Imports a menu document (the format kea.menus holds) as a new menu of a merchant and makes
-- it the active one. Fields without a column are kept in `extra`.
create function api.import_menu(p_merchant_id bigint, p_document jsonb, p_activate boolean default true)
returns bigint
language plpgsql security definer set search_path = '' as $$
declare
    v_menu_id bigint;
begin
    if p_activate then
        update app.menus set active = false where merchant_id = p_merchant_id and active;
    end if;
    insert into app.menus (merchant_id, name, active, extra)
    values (p_merchant_id, coalesce(p_document->>'name', 'Menu'), p_activate,
            p_document - array['id', 'name', 'currency', 'tax_rate_bp', 'categories', 'items', 'groups'])
    returning id into v_menu_id;

    insert into app.menu_categories (merchant_id, menu_id, code, name, aliases, position, extra)
    select p_merchant_id, v_menu_id, c->>'code', coalesce(c->>'name', c->>'code'),
           array(select jsonb_array_elements_text(coalesce(c->'aliases', '[]'))), ord,
           c - array['id', 'code', 'name', 'aliases']
    from jsonb_array_elements(coalesce(p_document->'categories', '[]')) with ordinality as x(c, ord);

    insert into app.modifier_groups (merchant_id, menu_id, code, name, min_choices, max_choices,
                                     qualified, negatable, position, extra)
    select p_merchant_id, v_menu_id, g->>'code', coalesce(g->>'name', g->>'code'),
           coalesce((g->>'min')::int, 0), coalesce((g->>'max')::int, 0),
           coalesce((g->>'qualified')::boolean, false), coalesce((g->>'negatable')::boolean, false),
           ord, g - array['id', 'code', 'name', 'min', 'max', 'qualified', 'negatable', 'options']
    from jsonb_array_elements(coalesce(p_document->'groups', '[]')) with ordinality as x(g, ord);

    insert into app.modifier_options (merchant_id, menu_id, group_id, code, name, aliases,
                                      price_cents, is_default, available, position, extra)
    select p_merchant_id, v_menu_id, mg.id, o->>'code', coalesce(o->>'name', o->>'code'),
           array(select jsonb_array_elements_text(coalesce(o->'aliases', '[]'))),
           coalesce((o->>'price_cents')::bigint, 0), coalesce((o->>'default')::boolean, false),
           coalesce((o->>'available')::boolean, true), ord,
           o - array['id', 'code', 'name', 'aliases', 'price_cents', 'default', 'available']
    from jsonb_array_elements(coalesce(p_document->'groups', '[]')) as x(g)
    join app.modifier_groups mg on mg.menu_id = v_menu_id and mg.code = g->>'code'
    cross join lateral jsonb_array_elements(coalesce(g->'options', '[]')) with ordinality as y(o, ord);

    insert into app.menu_items (merchant_id, menu_id, category_code, code, name, aliases,
                                price_cents, available, default_variation, variation_slot,
                                position, extra)
    select p_merchant_id, v_menu_id, i->>'category', i->>'code', coalesce(i->>'name', i->>'code'),
           array(select jsonb_array_elements_text(coalesce(i->'aliases', '[]'))),
           coalesce((i->>'price_cents')::bigint, 0), coalesce((i->>'available')::boolean, true),
           i->>'default_variation', i->>'variation_slot', ord,
           i - array['id', 'code', 'name', 'category', 'aliases', 'price_cents', 'available',
                     'default_variation', 'variation_slot', 'variations', 'groups']
    from jsonb_array_elements(coalesce(p_document->'items', '[]')) with ordinality as x(i, ord);

    insert into app.item_variations (merchant_id, menu_id, item_id, code, name, aliases,
                                     price_cents, available, position, extra)
    select p_merchant_id, v_menu_id, mi.id, v->>'code', coalesce(v->>'name', v->>'code'),
           array(select jsonb_array_elements_text(coalesce(v->'aliases', '[]'))),
           coalesce((v->>'price_cents')::bigint, 0), coalesce((v->>'available')::boolean, true),
           ord, v - array['id', 'code', 'name', 'aliases', 'price_cents', 'available']
    from jsonb_array_elements(coalesce(p_document->'items', '[]')) as x(i)
    join app.menu_items mi on mi.menu_id = v_menu_id and mi.code = i->>'code'
    cross join lateral jsonb_array_elements(coalesce(i->'variations', '[]')) with ordinality as y(v, ord);

    insert into app.item_modifier_groups (merchant_id, menu_id, item_id, group_id, position)
    select p_merchant_id, v_menu_id, mi.id, mg.id, ord
    from jsonb_array_elements(coalesce(p_document->'items', '[]')) as x(i)
    join app.menu_items mi on mi.menu_id = v_menu_id and mi.code = i->>'code'
    cross join lateral jsonb_array_elements_text(coalesce(i->'groups', '[]')) with ordinality as y(gcode, ord)
    join app.modifier_groups mg on mg.menu_id = v_menu_id and mg.code = gcode;

    return v_menu_id;
end
$$;
comment on function api.import_menu(bigint, jsonb, boolean) is
    'Imports a menu document as a new (by default active) menu of the merchant; returns its id.';

-- Sold out / back in stock, by item code: what a manager says at 7 PM on a Friday.
create function api.set_item_available(p_merchant_id bigint, p_item_code text, p_available boolean)
returns boolean
language sql security definer set search_path = '' as $$
    update app.menu_items i set available = p_available
    from app.menus m
    where m.merchant_id = p_merchant_id and m.active and i.menu_id = m.id and i.code = p_item_code
    returning true
$$;

reset role;
