-- pg_kea 0.1.0 -> 0.2.0 (ALTER EXTENSION pg_kea UPDATE). Every released version has its step,
-- even when empty; tests/tests/extension_upgrade.rs checks that an upgraded database holds the
-- same objects as a fresh install of 0.2.0.
\echo Use "ALTER EXTENSION pg_kea UPDATE TO '0.2.0'" to load this file. \quit
