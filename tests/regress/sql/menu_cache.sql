-- Each backend keeps at most kea.menu_cache_size compiled menus, dropping the least recently
-- used (pg_kea/src/menu_cache.rs). At DEBUG1 every compilation says what the backend holds and
-- how many compilations and evictions it made; a turn served from the cache says nothing.
select count(kea.publish_menu(m, format('{"name": "Stall %s",
    "items": [{"id": 1, "code": "tea", "name": "Tea", "price_cents": 100}]}', -m)::jsonb))
    as published
  from generate_series(-13, -11) m;

set kea.menu_cache_size = 2;
show kea.menu_cache_size;
set client_min_messages = debug1;
select kea.extract(-11, 'a tea')->'lines'->0->>'item' as item;
select kea.extract(-12, 'a tea')->'lines'->0->>'item' as item;
-- Cached: no compilation.
select kea.extract(-11, 'a tea')->'lines'->0->>'item' as item;
-- A third menu: the least recently used (-12) is evicted, the backend still holds 2.
select kea.extract(-13, 'a tea')->'lines'->0->>'item' as item;
select kea.extract(-11, 'a tea')->'lines'->0->>'item' as item;
-- -12 was evicted: compiled again, and -13 (now the least recently used) goes.
select kea.extract(-12, 'a tea')->'lines'->0->>'item' as item;
select kea.extract(-11, 'a tea')->'lines'->0->>'item' as item;

-- 0 keeps nothing: the two held are evicted, and every call compiles.
set kea.menu_cache_size = 0;
select kea.extract(-11, 'a tea')->'lines'->0->>'item' as item;
select kea.extract(-11, 'a tea')->'lines'->0->>'item' as item;
reset client_min_messages;
reset kea.menu_cache_size;
show kea.menu_cache_size;

-- A bound below 0 is refused.
set kea.menu_cache_size = -1;
