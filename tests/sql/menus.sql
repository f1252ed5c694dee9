-- Menus as rows: import, the published document, republishing on every edit.
insert into app.merchants (slug, name, tax_rate_bp) values ('menu-test', 'Menu Test', 700);

do $$
declare
    m bigint := (select id from app.merchants where slug = 'menu-test');
    menu bigint;
    doc jsonb;
    v1 bigint;
begin
    menu := api.import_menu(m, '{
        "name": "Lunch", "lexicon": {"custom": true},
        "categories": [{"code": "mains", "name": "Mains", "aliases": ["main"]}],
        "groups": [{"code": "sauce", "name": "Sauce", "min": 1, "max": 1,
                    "options": [{"code": "red", "name": "Red", "aliases": ["tomato"]},
                                {"code": "white", "name": "White", "price_cents": 50}]}],
        "items": [{"code": "pasta", "name": "Pasta", "category": "mains", "groups": ["sauce"],
                   "variations": [{"code": "half", "name": "Half", "price_cents": 900},
                                  {"code": "full", "name": "Full", "price_cents": 1400}]}]}');
    doc := (select document from kea.menus where menu_id = menu);
    assert doc->>'name' = 'Lunch';
    assert (doc->>'tax_rate_bp')::int = 700, 'tax comes from the merchant';
    assert doc->'lexicon' = '{"custom": true}', 'unknown document fields round-trip';
    assert doc->'items'->0->'groups' = '["sauce"]', doc::text;
    assert jsonb_array_length(doc->'items'->0->'variations') = 2;
    assert doc->'groups'->0->'options'->1->>'price_cents' = '50';
    assert (select active from app.menus where id = menu), 'the imported menu is active';

    v1 := (select version from kea.menus where menu_id = menu);
    update app.menu_items set price_cents = 100 where menu_id = menu;
    assert (select version from kea.menus where menu_id = menu) = v1 + 1, 'one publish per statement';
    perform api.set_item_available(m, 'pasta', false);
    assert (select document->'items'->0->>'available' from kea.menus where menu_id = menu) = 'false';
    update app.merchants set tax_rate_bp = 800 where id = m;
    assert (select (document->>'tax_rate_bp')::int from kea.menus where menu_id = menu) = 800;
end $$;
