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

-- Each menu is compiled once, when its document is written (kea.menus.compiled, filled by a
-- trigger), and a backend that meets it loads that form: every miss above was a load.
select menu_id, compiled is not null as has_form
  from kea.menus where menu_id between -13 and -11 order by menu_id;
set client_min_messages = debug1;
-- Republished: the next turn loads the new form (coffee, where there was tea).
select kea.publish_menu(-11, '{"name": "Stall 11",
    "items": [{"id": 1, "code": "coffee", "name": "Coffee", "price_cents": 100}]}') as version;
select kea.extract(-11, 'a coffee')->'lines'->0->>'item' as item;
-- A document written without kea.publish_menu gets its form too (the cache is told by
-- version, so this backend drops its copy by hand).
update kea.menus set document = '{"name": "Stall 12",
    "items": [{"id": 1, "code": "juice", "name": "Juice", "price_cents": 100}]}'
  where menu_id = -12;
select kea.forget_menu(-12);
select kea.extract(-12, 'a juice')->'lines'->0->>'item' as item;
-- A form written by another build of pg_kea is passed over: the document is compiled.
update kea.menus set compiled = '\x30313233'::bytea where menu_id = -12;
select kea.forget_menu(-12);
select kea.extract(-12, 'a juice')->'lines'->0->>'item' as item;
-- No form at all: compiled too.
update kea.menus set compiled = null where menu_id = -12;
select kea.forget_menu(-12);
select kea.extract(-12, 'a juice')->'lines'->0->>'item' as item;
-- kea.load_compiled_menus = off compiles even where a form is stored.
set kea.load_compiled_menus = off;
select kea.forget_menu(-13);
select kea.extract(-13, 'a tea')->'lines'->0->>'item' as item;
reset kea.load_compiled_menus;
select kea.forget_menu(-13);
select kea.extract(-13, 'a tea')->'lines'->0->>'item' as item;
reset client_min_messages;
-- An invalid document is stored without a form; a turn on it says why, as before.
select kea.publish_menu(-14, '{"items": "none"}') as version;
select compiled is null as no_form from kea.menus where menu_id = -14;
select kea.extract(-14, 'a tea');
