-- Why: functions are executable by PUBLIC unless revoked. The repeatable SQL (sql/app, sql/api)
-- is dropped and re-created whole on every change, so a revoke after each create would be easy
-- to forget: functions kea_owner creates start with no privileges, and each file grants what
-- its functions need. (0005-0007 were folded into 0001-0004 and sql/ when functions moved out
-- of the numbered migrations; databases that ran them keep their rows in kea_schema_migrations.)
alter default privileges for role kea_owner revoke execute on functions from public;
