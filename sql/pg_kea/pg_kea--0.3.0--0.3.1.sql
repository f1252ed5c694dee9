-- pg_kea 0.3.0 -> 0.3.1 (ALTER EXTENSION pg_kea UPDATE): kea.publish_menu as plpgsql, taking
-- the excluded row's published_at (its default, the same now()), so that the same function
-- runs on one PostgreSQL and on Citus, where kea.menus is a reference table (docs/scaling.md).
-- The same statement and result otherwise; its comment stays.
\echo Use "ALTER EXTENSION pg_kea UPDATE TO '0.3.1'" to load this file. \quit

create or replace function kea.publish_menu(p_menu_id bigint, p_document jsonb) returns bigint
language plpgsql as $$
declare
    v bigint;
begin
    insert into kea.menus as m (menu_id, document)
    values (p_menu_id, p_document)
    on conflict (menu_id) do update
        set document = excluded.document,
            version = m.version + 1,
            published_at = excluded.published_at
    returning version into v;
    return v;
end
$$;
