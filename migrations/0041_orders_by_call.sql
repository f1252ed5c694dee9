-- Why: a call's orders are looked up by their call on the confirming turn (app.share_routed_work:
-- the agents of the call's orders; app.caller_last_order joins orders to the caller's calls), and
-- app.orders had no index that leads to a call's orders: PostgreSQL read every order of the
-- merchant (orders_status by merchant_id, then each row's heap page) to find the one of this
-- call. On the scale bench's 10,000 merchants with 100 past orders each, that was 101 heap pages
-- per confirmed order, mostly from outside shared buffers, and it grows with each merchant's
-- history (docs/benchmarks.md, "Scale"). merchant_id first, as every tenant index (Citus).
set role kea_owner;

create index orders_call on app.orders (merchant_id, call_id);

reset role;
