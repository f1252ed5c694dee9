-- pg_kea from SQL: extraction against a published menu, the per-backend menu cache, prices, and
-- the errors it raises.
select kea.publish_menu(-1, '{
  "name": "Tiny", "tax_rate_bp": 1000,
  "items": [
    {"id": 1, "code": "tea", "name": "Tea", "price_cents": 300},
    {"id": 2, "code": "cake", "name": "Cake", "price_cents": 450}
  ]}') is not null as published;

-- What kea understands in an utterance: one row per line.
select l->>'item' as item, l->>'quantity' as quantity, l->'span'->>'text' as heard
  from jsonb_array_elements(kea.extract(-1, 'two teas and a cake please')->'lines') l;

-- Republishing is seen at once, in the same transaction too: the new version is compiled, and
-- the old one's tea is gone.
begin;
select kea.publish_menu(-1, '{
  "name": "Tiny", "tax_rate_bp": 1000,
  "items": [{"id": 3, "code": "scone", "name": "Scone", "price_cents": 350}]}') is not null as published;
select version from kea.menus where menu_id = -1;
select l->>'item' as item, l->>'quantity' as quantity
  from jsonb_array_elements(kea.extract(-1, 'a scone and a tea')->'lines') l;
commit;

-- Prices and tax (10%) for an edited cart.
select o->>'subtotal_cents' as subtotal_cents, o->>'tax_cents' as tax_cents, o->>'total_cents' as total_cents
  from kea.price_order(-1, '[{"item": "scone", "quantity": 3}]') o;

-- A menu that was never published, a broken document: errors, nothing half-done.
select kea.extract(-999, 'anything');
select kea.publish_menu(-2, '{"items": "not a list"}') is not null as published;
select kea.extract(-2, 'anything');

-- The apology the gateway falls back on never fails, and always parses as TwiML.
select kea.twiml_apology(null);
select kea.twiml_apology('+15550001111');
select xml_is_well_formed_document(kea.twiml_apology('+1555<&>')) as well_formed;
