-- Menus: the rows people edit, folded into the document pg_kea compiles and published to
-- kea.menus on every change (statement-level triggers: one publish per menu per statement).

-- The document kea compiles (format: pg_kea/core/src/menu.rs). The aliases of items, sizes and
-- options include the merchant's active learnt phrases (sql/app/learning.sql,
-- docs/closed-loop.md), never one the menu itself gives anything.
-- plpgsql, the learnt phrases read first by themselves: on Citus the document's query runs as
-- one task on the menu tables' shards, where app.menu_learned_aliases, called inside it, would
-- read the tables' empty shells and find no phrase (docs/scaling.md).
create function app.menu_document(p_menu_id bigint) returns jsonb
language plpgsql stable as $$
declare
    v_learnt jsonb;
begin
    select coalesce(jsonb_agg(to_jsonb(x)), '[]') into v_learnt
      from app.menu_learned_aliases(p_menu_id) x;
    return (
    with learnt as (select * from jsonb_to_recordset(v_learnt)
                       as l(target_kind text, item_code text, group_code text, code text, phrase text))
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
                'aliases', to_jsonb(i.aliases || array(select l.phrase from learnt l
                                          where l.target_kind = 'item' and l.code = i.code
                                          order by l.phrase)),
                'price_cents', i.price_cents,
                'available', i.available, 'default_variation', i.default_variation,
                'variation_slot', i.variation_slot,
                'variations', coalesce((
                    select jsonb_agg(v.extra || jsonb_build_object(
                        'id', v.id, 'code', v.code, 'name', v.name,
                        'aliases', to_jsonb(v.aliases || array(select l.phrase from learnt l
                                                  where l.target_kind = 'variation'
                                                    and l.item_code = i.code and l.code = v.code
                                                  order by l.phrase)),
                        'price_cents', v.price_cents,
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
                        'aliases', to_jsonb(o.aliases || array(select l.phrase from learnt l
                                                  where l.target_kind = 'option'
                                                    and l.group_code = g.code and l.code = o.code
                                                  order by l.phrase)),
                        'price_cents', o.price_cents,
                        'default', o.is_default, 'available', o.available)
                        order by o.position, o.id)
                    from app.modifier_options o where o.group_id = g.id), '[]'))
                order by g.position, g.id)
            from app.modifier_groups g where g.menu_id = m.id), '[]'))
    from app.menus m
    join app.merchants mer on mer.id = m.merchant_id
    where m.id = p_menu_id);
end
$$;

-- plpgsql, not sql: Citus cannot plan a query on its tables inside a `language sql` function
-- with parameters, and plpgsql gives it the values (docs/scaling.md).
create function app.publish_menu(p_menu_id bigint) returns bigint
language plpgsql as $$
begin
    if not exists (select 1 from app.menus where id = p_menu_id) then
        return null;
    end if;
    return kea.publish_menu(p_menu_id, app.menu_document(p_menu_id));
end
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
