-- After sql/citus/distribute.sql and the repeatable SQL: every function of kea's schemas on every
-- node. Run by scripts/citus; safe to re-run.
\set ON_ERROR_STOP on
-- Every function of kea's schemas on every node (not delegated: create_distributed_function
-- with no distribution argument only creates it there): the triggers that run on the shards
-- call them.
do $$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure from pg_proc p
         where p.pronamespace in ('app'::regnamespace, 'api'::regnamespace, 'worker'::regnamespace)
           and p.prokind = 'f'
           and not exists (select 1 from pg_dist_object o
                            where o.classid = 'pg_proc'::regclass and o.objid = p.oid)
    loop
        begin
            perform create_distributed_function(f);
        exception when others then
            -- A function of a coordinator table's row type stays there (Citus cannot place a
            -- function that depends on a table outside its metadata); the shards' triggers
            -- never call those.
            raise notice 'citus: % stays on the coordinator: %', f, sqlerrm;
        end;
    end loop;
end
$$;


-- worker.claim plans its statements once per connection (plan_cache_mode force_generic_plan,
-- sql/worker/jobs.sql): Citus needs the parameters' values to plan a statement on its tables
-- ("could not create distributed plan"), so on Citus it is planned on each call.
alter function worker.claim(text, integer, real) reset plan_cache_mode;
