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
