-- On Citus only (scripts/citus, after functions.sql): the analysts' views read through
-- security definer functions, so that an analyst's own SQL session reads them there.
--
-- On one PostgreSQL, api.analytics_* are owner views: they read app's tables with their
-- owner's rights, and kea_analyst has no grant on app at all (sql/api/analytics.sql). Citus
-- plans a query on its tables with the caller's rights, the view's owner notwithstanding, so
-- an analyst reading one there is refused ("permission denied for schema app"). Here each view
-- moves to app as it is (the query, its owner), a security definer function of its owner
-- returns its rows, and api.analytics_* becomes a view of that function with the same columns,
-- comment and grants. Analysts still get no right on app's tables or views: only EXECUTE on
-- these functions, which kea_analyst may call in SQL as it may read the views. A function is
-- planned by Citus as its owner, as api.twilio_directory is (docs/scaling.md).
\set ON_ERROR_STOP on
-- Objects of the coordinator: the views and functions are read there only.
set citus.enable_ddl_propagation = off;
do $$
declare
    v record;
    g record;
begin
    for v in select c.relname, c.relowner::regrole::text as owner,
                    obj_description(c.oid, 'pg_class') as comment, c.relacl
               from pg_class c
              where c.relnamespace = 'api'::regnamespace and c.relkind = 'v'
                and c.relname like 'analytics\_%'
                -- Made once: scripts/citus runs this on every start.
                and to_regproc('app.' || c.relname || '_rows') is null
              order by c.relname
    loop
        -- Another analytics view reading this one follows it to app (a view refers by oid).
        execute format('alter view api.%I set schema app', v.relname);
        execute format('create function app.%I() returns setof app.%I language sql stable
                        security definer set search_path = pg_catalog, public
                        as $f$ select * from app.%I $f$',
                       v.relname || '_rows', v.relname, v.relname);
        execute format('alter function app.%I() owner to %I', v.relname || '_rows', v.owner);
        execute format('revoke all on function app.%I() from public', v.relname || '_rows');
        execute format('create view api.%I as select * from app.%I()', v.relname, v.relname || '_rows');
        execute format('alter view api.%I owner to %I', v.relname, v.owner);
        execute format('comment on view api.%I is %L', v.relname, v.comment);
        -- The old view's grants, on the new view; on the moved view, none but its owner's.
        for g in select a.grantee::regrole::text as grantee, a.privilege_type
                   from aclexplode(v.relacl) a
                  where a.grantee <> 0 and a.grantee::regrole::text <> v.owner loop
            execute format('grant %s on api.%I to %I', g.privilege_type, v.relname, g.grantee);
            execute format('revoke %s on app.%I from %I', g.privilege_type, v.relname, g.grantee);
            execute format('grant execute on function app.%I() to %I', v.relname || '_rows', g.grantee);
        end loop;
    end loop;
end
$$;
reset citus.enable_ddl_propagation;
