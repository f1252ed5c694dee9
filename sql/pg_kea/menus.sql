-- Published menus: the documents pg_kea compiles (see pg_kea/core/src/menu.rs).
-- The app keeps menus normalised in its own tables and publishes a document here whenever a
-- menu changes; `version` tells every backend's compiled-menu cache that it is stale.
create schema if not exists kea;

create table kea.menus (
    menu_id      bigint primary key,
    version      bigint not null default 1,
    document     jsonb not null,
    published_at timestamptz not null default now(),
    -- The document compiled by kea.compile_menu when it was written (trigger below), for this
    -- build of pg_kea: backends load it instead of compiling (pg_kea/src/menu_cache.rs).
    compiled     bytea
);
-- Published menus are data, not extension code: keep them in pg_dump.
select pg_catalog.pg_extension_config_dump('kea.menus', '');

comment on table kea.menus is
    'Menu documents compiled by pg_kea; write through kea.publish_menu().';

-- plpgsql, and the excluded row's published_at (its default, the same now()): the same SQL
-- on one PostgreSQL and on Citus, where kea.menus is a reference table and Citus cannot plan a
-- `language sql` function's statement with its parameters, nor take now() in the DO UPDATE SET
-- of an insert into it (docs/scaling.md).
create function kea.publish_menu(p_menu_id bigint, p_document jsonb) returns bigint
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
comment on function kea.publish_menu(bigint, jsonb) is
    'Stores a menu document and bumps its version; backends recompile it on next use.';

-- Every write to kea.menus tells all backends' compiled-menu caches to re-check their versions
-- (pg_kea/src/menu_cache.rs); without a write, a turn reads nothing from this table.
create function kea.menus_changed() returns trigger
language plpgsql as $$
begin
    perform kea.invalidate_menu_caches();
    return null;
end
$$;
create trigger menus_changed after insert or update or delete or truncate on kea.menus
    for each statement execute function kea.menus_changed();

-- Every document written is compiled once, here, and the form stored beside it, whoever wrote
-- it (kea.publish_menu, or an update of the row): a form never outlives its document.
create function kea.menus_compile() returns trigger
language plpgsql as $$
begin
    new.compiled := kea.compile_menu(new.document);
    return new;
end
$$;
create trigger menus_compile before insert or update of document on kea.menus
    for each row execute function kea.menus_compile();
