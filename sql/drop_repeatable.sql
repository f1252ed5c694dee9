-- Drops what the repeatable files (sql/app/*.sql, sql/worker/*.sql, sql/api/*.sql) define, so that applying them
-- again yields exactly their current content: a function removed or renamed there is gone,
-- a changed signature leaves no old overload behind. scripts/migrate runs this and the files
-- in one transaction with the numbered migrations.
--
-- Functions are dropped without CASCADE: one that a table needs (a column default, a check,
-- an index) belongs in a numbered migration, and dropping it must fail loudly, not take the
-- default with it. Triggers, policies, views and grants on app tables are all repeatable.
do $$
declare
    r record;
begin
    for r in select c.relname, t.tgname
               from pg_trigger t
               join pg_class c on c.oid = t.tgrelid
               join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'app' and not t.tgisinternal loop
        execute format('drop trigger %I on app.%I', r.tgname, r.relname);
    end loop;
    for r in select schemaname, tablename, policyname from pg_policies
              where schemaname in ('app', 'api', 'worker') loop
        execute format('drop policy %I on %I.%I', r.policyname, r.schemaname, r.tablename);
    end loop;
    for r in select n.nspname, c.relname, c.relkind
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname in ('app', 'api', 'worker') and c.relkind in ('v', 'm')
                and not exists (select 1 from pg_depend d
                                 where d.classid = 'pg_class'::regclass and d.objid = c.oid
                                   and d.deptype = 'e') loop
        -- Views may be built on views: CASCADE reaches only other views, all re-created below.
        execute format('drop %s if exists %I.%I cascade',
                       case r.relkind when 'm' then 'materialized view' else 'view' end,
                       r.nspname, r.relname);
    end loop;
    for r in select p.oid::regprocedure as fn, p.prokind
               from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname in ('app', 'api', 'worker')
                and not exists (select 1 from pg_depend d
                                 where d.classid = 'pg_proc'::regclass and d.objid = p.oid
                                   and d.deptype = 'e') loop
        execute format('drop %s %s', case r.prokind when 'p' then 'procedure'
                                                    when 'a' then 'aggregate'
                                                    else 'function' end, r.fn);
    end loop;
    -- Table privileges of the API roles: each file grants what it needs again.
    for r in select rolname from pg_roles
              where rolname in ('kea_anon', 'kea_agent', 'kea_merchant', 'kea_analyst', 'kea_pos',
                                'kea_worker', 'kea_service', 'kea_authenticator') loop
        execute format('revoke all on all tables in schema app from %I', r.rolname);
        execute format('revoke all on all sequences in schema app from %I', r.rolname);
    end loop;
end
$$;
