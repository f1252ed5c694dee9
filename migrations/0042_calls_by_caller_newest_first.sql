-- Why: the greeting turn's app.caller_last_order (the caller's "usual") read every past call of
-- the caller to the merchant and each one's order, then sorted them, to find the newest verified
-- order: 2,500 pages and 8-15 ms for a caller with 500 calls, and a regular caller's greeting grew
-- with their history (docs/benchmarks.md, "Scale"). This index gives a caller's calls to a
-- merchant newest first, so the query stops at the first call with a verified order. started_at
-- and id in the order the query sorts by, so no sort is left; merchant_id first, as every tenant
-- index (Citus). It leads with calls_from_number's columns (0030), which it replaces: every
-- lookup of a caller's calls (app.returning_caller too) can use it, and a call inserts into one
-- index fewer.
set role kea_owner;

create index calls_from_number_started on app.calls (merchant_id, from_number, started_at desc, id desc);
drop index app.calls_from_number;

reset role;
