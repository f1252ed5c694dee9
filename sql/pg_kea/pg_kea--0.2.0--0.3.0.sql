-- pg_kea 0.2.0 -> 0.3.0 (ALTER EXTENSION pg_kea UPDATE): each published menu is compiled once,
-- when it is written, and backends load that form instead of compiling the document
-- (docs/benchmarks.md, "Scale"). Menus published before the upgrade are compiled here.
\echo Use "ALTER EXTENSION pg_kea UPDATE TO '0.3.0'" to load this file. \quit

-- The compiled form of a menu document, for this build of pg_kea.
CREATE FUNCTION kea."compile_menu"(
	"document" jsonb
) RETURNS bytea
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'compile_menu_wrapper';

alter table kea.menus add column compiled bytea;

create function kea.menus_compile() returns trigger
language plpgsql as $$
begin
    new.compiled := kea.compile_menu(new.document);
    return new;
end
$$;
create trigger menus_compile before insert or update of document on kea.menus
    for each row execute function kea.menus_compile();

-- The menus already published: an update of the document fires the trigger. Neither the
-- version nor published_at moves (the menu is the same); menus_changed tells the backends.
update kea.menus set document = document;
