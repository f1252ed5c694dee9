-- Menus as rows (sql/app/menus.sql): a document imported with api.import_menu becomes rows, the
-- rows are folded back into the document pg_kea compiles, and every edit republishes it.
insert into app.merchants (slug, name, tax_rate_bp) values ('menu-test', 'Menu Test', 700);
select api.import_menu(id, '{
    "name": "Lunch", "lexicon": {"custom": true},
    "categories": [{"code": "mains", "name": "Mains", "aliases": ["main"]}],
    "groups": [{"code": "sauce", "name": "Sauce", "min": 1, "max": 1,
                "options": [{"code": "red", "name": "Red", "aliases": ["tomato"]},
                            {"code": "white", "name": "White", "price_cents": 50}]}],
    "items": [{"code": "pasta", "name": "Pasta", "category": "mains", "groups": ["sauce"],
               "variations": [{"code": "half", "name": "Half", "price_cents": 900},
                              {"code": "full", "name": "Full", "price_cents": 1400}]}]}') is not null as imported
  from app.merchants where slug = 'menu-test';

-- The rows it became, and that the imported menu is the active one.
select m.name, m.active, i.code, i.name, i.price_cents, i.available
  from app.menus m join app.menu_items i on i.menu_id = m.id
 where m.merchant_id = (select id from app.merchants where slug = 'menu-test');

-- The published document (kea.menus), as pg_kea reads it: the tax comes from the merchant, and
-- fields kea does not know ("lexicon") round-trip. (Less the rows' ids, which depend on the
-- files run before this one.)
select k.version, regexp_replace(jsonb_pretty(k.document), '^ *"id": [0-9]+,\n', '', 'gn') as document
  from kea.menus k join app.menus m on m.id = k.menu_id
 where m.merchant_id = (select id from app.merchants where slug = 'menu-test');

-- Every statement that edits the menu publishes it once: the version moves by one for each,
-- and the document carries the change.
create temporary view menu_test_published as
select k.version, k.document->'items'->0->>'available' as pasta_available,
       k.document->'items'->0->'variations'->0->>'price_cents' as half_price,
       k.document->>'tax_rate_bp' as tax_rate_bp
  from kea.menus k join app.menus m on m.id = k.menu_id
 where m.merchant_id = (select id from app.merchants where slug = 'menu-test');
update app.item_variations set price_cents = price_cents + 100
 where merchant_id = (select id from app.merchants where slug = 'menu-test');
select * from menu_test_published;
select api.set_item_available(id, 'pasta', false) from app.merchants where slug = 'menu-test';
select * from menu_test_published;
update app.merchants set tax_rate_bp = 800 where slug = 'menu-test';
select * from menu_test_published;

-- A POS menu may price an option below nothing (a cheaper choice as a discount), but not an
-- item or a size: the import is refused, naming every negative item or size price (the option
-- is not one), and nothing is imported (the merchant still has one menu).
select api.import_menu(id, '{
  "name": "Discounts",
  "items": [{"code": "bowl", "name": "Bowl", "price_cents": 900, "groups": ["protein"],
             "variations": [{"code": "kids", "name": "Kids", "price_cents": -100}]}],
  "groups": [{"code": "protein", "name": "Protein", "min": 1, "max": 1,
              "options": [{"code": "chicken", "name": "Chicken", "price_cents": 0},
                          {"code": "veg", "name": "Mixed Veg", "price_cents": -200}]}]
}') from app.merchants where slug = 'menu-test';
select count(*) as menus from app.menus
 where merchant_id = (select id from app.merchants where slug = 'menu-test');
