-- Distributes a migrated kea database on Citus by merchant (docs/scaling.md), following
-- kea_placement. Run by scripts/citus on the coordinator, as a superuser, after
-- scripts/migrate; safe to re-run (each step skips what is already placed).
\set ON_ERROR_STOP on
-- kea_placement: a copy of app.table_placement (a temporary table scripts/citus makes first).

-- Triggers of distributed tables run on the shards (the workers), on rows of one merchant:
-- kea's do (order status machine, history, completeness) or are on coordinator tables.
set citus.enable_unsafe_triggers = on;
-- A merchant's rows in 16 shards per table over two workers: room to move shards to new
-- workers later (citus_rebalance_start) without so many tables that planning slows.
set citus.shard_count = 16;

-- Citus drops and recreates the views over a table it places on the coordinator, without their
-- grants (api.twilio_directory, api.merchants, app.jobs_all...): what was granted on every view
-- is kept here and granted again at the end.
create temp table kea_view_grants as
    select c.oid::regclass::text as view, a.grantee::regrole::text as grantee, a.privilege_type
      from pg_class c, aclexplode(c.relacl) a
     where c.relkind = 'v' and c.relnamespace in ('app'::regnamespace, 'api'::regnamespace)
       and a.grantee <> c.relowner and a.grantee <> 0;

-- It keeps a placed table's own grants, but not those on its columns, which stay on the shard:
-- kea_merchant and kea_agent read app.merchants by its columns (sql/app/policies.sql), and
-- were refused "permission denied for table merchants" on Citus. Kept here, granted again at
-- the end.
create temp table kea_column_grants as
    select c.oid::regclass::text as rel, a.attname::text as attname,
           g.grantee::regrole::text as grantee, g.privilege_type
      from pg_class c join pg_attribute a on a.attrelid = c.oid, aclexplode(a.attacl) g
     where c.relkind = 'r' and c.relnamespace = 'app'::regnamespace and a.attacl is not null
       and g.grantee <> c.relowner and g.grantee <> 0;

-- A view that calls a function of a coordinator table's row type (api.analytics_autoverify_trust:
-- app.autoverify_state(p app.autoverify_policies)) makes Citus refuse to place the table ("circularly
-- depends itself"): such views are set aside here and made again at the end, over the functions
-- made again over the table's row type (below), with their owner, options, comment and grants.
create temp table kea_row_views as
    select distinct v.oid::regclass::text as view, pg_get_viewdef(v.oid) as def,
           v.relowner::regrole::text as owner, v.reloptions,
           obj_description(v.oid, 'pg_class') as comment
      from pg_class v
      join pg_rewrite r on r.ev_class = v.oid
      join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid
                      and d.refclassid = 'pg_proc'::regclass
      join pg_proc p on p.oid = d.refobjid
      join pg_type t on t.oid = any (p.proargtypes::oid[]) and t.typrelid <> 0
      join kea_placement k on ('app.' || quote_ident(k.table_name))::regclass = t.typrelid
                          and k.placement = 'coordinator'
     where v.relkind = 'v';
do $$
declare
    v record;
begin
    for v in select * from kea_row_views loop
        raise notice 'citus: view % set aside while its tables are placed', v.view;
        execute format('drop view %s', v.view);
    end loop;
end
$$;

-- Foreign keys between a distributed table and a coordinator table cannot be kept by Citus
-- (the rows live on different nodes): dropped here, on Citus only. They are the merchant
-- reference of calls, orders and tasks (the api functions take the merchant from the called
-- number or the token, never from the client) and learned phrases' sources. The other foreign
-- keys are set aside while the tables are placed (Citus would otherwise move every table
-- linked to a reference table onto the coordinator) and put back at the end.
create temp table kea_fks as
    select c.conrelid::regclass::text as rel, c.conname, pg_get_constraintdef(c.oid) as def,
           not ((a.placement = 'distributed' and b.placement = 'coordinator')
             or (a.placement = 'coordinator' and b.placement = 'distributed')) as keep
      from pg_constraint c
      join kea_placement a on ('app.' || quote_ident(a.table_name))::regclass = c.conrelid
      join kea_placement b on ('app.' || quote_ident(b.table_name))::regclass = c.confrelid
     where c.contype = 'f';
do $$
declare
    f record;
begin
    for f in select * from kea_fks loop
        if not f.keep then
            raise notice 'citus: foreign key % of % dropped (a distributed and a coordinator table)', f.conname, f.rel;
        end if;
        execute format('alter table %s drop constraint %I', f.rel, f.conname);
    end loop;
end
$$;

-- Citus refuses row-level security policies with subqueries on the tables it places. kea's
-- have none (sql/app/policies.sql: the agents' policies compare the row's routed_agents, or its
-- merchant with app.agent_merchants(), a function); one that had would be dropped here, with a
-- notice, so that an agent would read none of that table's rows on Citus (RLS denies what no
-- policy allows; docs/scaling.md).
do $$
declare
    p record;
begin
    for p in select tablename, policyname from pg_policies
              where schemaname = 'app' and qual ~* '\mselect\M'
    loop
        raise notice 'citus: policy % of app.% dropped (a subquery)', p.policyname, p.tablename;
        execute format('drop policy %I on app.%I', p.policyname, p.tablename);
    end loop;
end
$$;

-- What every merchant shares: a copy on every node. kea.menus too: the published menu
-- documents pg_kea compiles, read by the dialog on the coordinator and by the order
-- completeness check where the order's shard is.
do $$
declare
    t regclass;
begin
    for t in
        select ('app.' || quote_ident(table_name))::regclass from kea_placement
         where placement = 'reference'
        union all select 'kea.menus'::regclass
    loop
        if not exists (select 1 from pg_dist_partition where logicalrelid = t) then
            perform create_reference_table(t);
        end if;
    end loop;
end
$$;

-- The coordinator's own tables, in Citus's metadata so they may reference the reference
-- tables and join the distributed ones.
do $$
declare
    t regclass;
begin
    for t in
        select ('app.' || quote_ident(table_name))::regclass from kea_placement
         where placement = 'coordinator'
    loop
        if not exists (select 1 from pg_dist_partition where logicalrelid = t) then
            perform citus_add_local_table_to_metadata(t, cascade_via_foreign_keys => true);
        end if;
    end loop;
end
$$;

-- Tenant data, by merchant, co-located with app.calls: a merchant's calls, turns, orders and
-- tasks share a shard group, so every statement of a call is a router query to one worker.
-- Parents before children (a foreign key needs its target distributed first).
do $$
declare
    t regclass;
begin
    if not exists (select 1 from pg_dist_partition where logicalrelid = 'app.calls'::regclass) then
        perform create_distributed_table('app.calls', 'merchant_id');
    end if;
    for t in
        with recursive tenant as (
            select ('app.' || quote_ident(table_name))::regclass as rel from kea_placement
             where placement = 'distributed'
        ), depth (rel, d) as (
            select rel, 0 from tenant
            union all
            select c.conrelid::regclass, depth.d + 1
              from depth join pg_constraint c on c.confrelid = depth.rel and c.contype = 'f'
              join tenant on tenant.rel = c.conrelid
             where c.conrelid <> c.confrelid and depth.d < 10
        )
        select rel from depth group by rel order by max(d), rel::text
    loop
        if not exists (select 1 from pg_dist_partition where logicalrelid = t) then
            perform create_distributed_table(t, 'merchant_id', colocate_with => 'app.calls');
        end if;
    end loop;
end
$$;

do $$
declare
    f record;
begin
    for f in select * from kea_fks where keep loop
        execute format('alter table %s add constraint %I %s', f.rel, f.conname, f.def);
    end loop;
end
$$;

do $$
declare
    g record;
begin
    for g in select * from kea_view_grants where view not in (select view from kea_row_views) loop
        execute format('grant %s on %s to %I', g.privilege_type, g.view, g.grantee);
    end loop;
    -- On the coordinator alone, where these tables are read: Citus does not propagate a grant
    -- on columns ("grant/revoke on column list is currently unsupported").
    perform set_config('citus.enable_ddl_propagation', 'off', true);
    for g in select * from kea_column_grants loop
        execute format('grant %s (%I) on %s to %I', g.privilege_type, g.attname, g.rel, g.grantee);
    end loop;
    perform set_config('citus.enable_ddl_propagation', 'on', true);
end
$$;

-- Citus places a coordinator table by renaming it to its one shard (app.merchants_102027) and
-- creating the table anew in its place; a function of its row type (app.store_json(m
-- app.merchants), app.merchant_for_number() returning one, worker.held() returning a job...)
-- then takes or returns the shard's row type, and a call with the table's row no longer finds
-- it. Each is created again over the table's row type, with its grants and comment; the one
-- over the shard's row type stays, for the queries Citus rewrites onto the shard (`select
-- app.transfer_countries(m) from app.merchants m` passes the shard's row). On this node only:
-- the workers' copies are made by sql/citus/functions.sql.
set citus.enable_ddl_propagation = off;
do $$
declare
    f record;
    s record;
    def text;
    sig text;
    fresh regprocedure;
    g record;
begin
    -- They are made in no particular order, and a sql function's body is checked against the
    -- functions it calls: checked when called instead, as scripts/migrate makes them.
    perform set_config('check_function_bodies', 'off', true);
    for f in
        select p.oid, p.oid::regprocedure::text as sig, p.proacl, p.proowner::regrole::text as owner,
               obj_description(p.oid, 'pg_proc') as comment
          from pg_proc p
         where p.pronamespace in ('app'::regnamespace, 'api'::regnamespace, 'worker'::regnamespace)
           and exists (select 1 from pg_dist_shard d join pg_dist_partition t using (logicalrelid)
                        where t.partmethod = 'n' and t.repmodel = 's'
                          and (p.oid::regprocedure::text || ' ' || p.prorettype::regtype::text)
                              ~ (replace(d.logicalrelid::text, '.', '\.') || '_' || d.shardid || '\M'))
    loop
        def := pg_get_functiondef(f.oid);
        sig := f.sig;
        for s in select d.logicalrelid::text as rel, d.shardid
                   from pg_dist_shard d join pg_dist_partition t using (logicalrelid)
                  where t.partmethod = 'n' and t.repmodel = 's'
        loop
            def := regexp_replace(def, replace(s.rel, '.', '\.') || '_' || s.shardid || '\M', s.rel, 'g');
            sig := regexp_replace(sig, replace(s.rel, '.', '\.') || '_' || s.shardid || '\M', s.rel, 'g');
        end loop;
        if sig = f.sig then
            -- Only its result is of the row type: the same arguments, so it is replaced.
            execute format('drop function %s', f.sig);
        end if;
        execute def;
        fresh := sig::regprocedure;
        execute format('alter function %s owner to %I', fresh, f.owner);
        execute format('revoke all on function %s from public', fresh);
        for g in select a.grantee, a.privilege_type from aclexplode(f.proacl) a loop
            execute format('grant %s on function %s to %s', g.privilege_type, fresh,
                           case g.grantee when 0 then 'public' else quote_ident(g.grantee::regrole::text) end);
        end loop;
        if f.proacl is null then
            execute format('grant execute on function %s to public', fresh);
        end if;
        execute format('comment on function %s is %L', fresh, f.comment);
        raise notice 'citus: % made again over the coordinator table''s row type', sig;
    end loop;
end
$$;

-- The views set aside above, on this node only (they read coordinator tables).
do $$
declare
    v record;
    g record;
begin
    for v in select * from kea_row_views loop
        execute format('create view %s%s as %s', v.view,
                       case when v.reloptions is not null
                            then ' with (' || array_to_string(v.reloptions, ', ') || ')' else '' end,
                       v.def);
        execute format('alter view %s owner to %I', v.view, v.owner);
        execute format('comment on view %s is %L', v.view, v.comment);
        for g in select * from kea_view_grants where view = v.view loop
            execute format('grant %s on %s to %I', g.privilege_type, g.view, g.grantee);
        end loop;
    end loop;
end
$$;
reset citus.enable_ddl_propagation;
