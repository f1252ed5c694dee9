-- pg_kea's schema on a Citus cluster, run by scripts/citus on every node (the coordinator and
-- each worker, with DDL propagation off). Safe to re-run.
\set ON_ERROR_STOP on
set citus.enable_ddl_propagation = off;

-- The first migration grants kea_owner its use of pg_kea's schema, on the coordinator alone
-- (the schema is made there before the workers know kea's roles; scripts/citus). kea.menus
-- is a reference table: the workers hold its copies and run the writes to them as kea_owner
-- (app.publish_menu is its security definer path), so they need the same grants.
grant usage on schema kea to kea_owner;
grant select, insert, update on kea.menus to kea_owner;
grant execute on all functions in schema kea to kea_owner;

-- kea.publish_menu as plpgsql, on Citus only: pg_kea 0.2.0 ships it as a `language sql`
-- function, which Citus cannot plan with its parameters ("could not create distributed plan
-- ... parameters in SQL functions"), and Citus refuses now() in the DO UPDATE SET of an insert
-- into a distributed or reference table; the excluded row's published_at is the same now()
-- (its default). The same statement otherwise, and the same result (the new version). pg_kea's
-- own definition changes to this in its next version (docs/scaling.md).
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
