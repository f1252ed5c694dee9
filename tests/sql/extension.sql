-- pg_kea from SQL: extraction against a published menu, the per-backend menu cache, and the
-- errors it raises. Runs in a transaction that is rolled back.
select kea.publish_menu(-1, '{
  "name": "Tiny", "tax_rate_bp": 1000,
  "items": [
    {"id": 1, "code": "tea", "name": "Tea", "price_cents": 300},
    {"id": 2, "code": "cake", "name": "Cake", "price_cents": 450}
  ]}');

do $$
declare
    r jsonb := kea.extract(-1, 'two teas and a cake please');
begin
    assert jsonb_array_length(r->'lines') = 2, format('two lines: %s', r);
    assert r->'lines'->0->>'item' = 'tea' and (r->'lines'->0->>'quantity')::int = 2, r::text;
    assert r->'lines'->1->>'item' = 'cake', r::text;
end $$;

-- Republishing inside the same transaction is seen at once (new command id, new version).
select kea.publish_menu(-1, '{
  "name": "Tiny", "tax_rate_bp": 1000,
  "items": [{"id": 3, "code": "scone", "name": "Scone", "price_cents": 350}]}');
do $$
declare
    r jsonb := kea.extract(-1, 'a scone');
begin
    assert r->'lines'->0->>'item' = 'scone', format('recompiled after publish: %s', r);
    assert (select version from kea.menus where menu_id = -1) = 2;
end $$;

-- Prices and tax for an edited cart.
do $$
declare
    o jsonb := kea.price_order(-1, '[{"item": "scone", "quantity": 3}]');
begin
    assert (o->>'subtotal_cents')::int = 1050, o::text;
    assert (o->>'tax_cents')::int = 105, o::text;
    assert (o->>'total_cents')::int = 1155, o::text;
end $$;

-- A menu that was never published: no_data_found, with a hint.
do $$
begin
    perform kea.extract(-999, 'anything');
    raise exception 'expected an error';
exception when no_data_found then
    assert sqlerrm like '%menu -999 is not published%', sqlerrm;
end $$;

-- A broken document or state: invalid_parameter_value, nothing half-done.
select kea.publish_menu(-2, '{"items": "not a list"}');
do $$
begin
    perform kea.extract(-2, 'anything');
    raise exception 'expected an error';
exception when invalid_parameter_value then
    assert sqlerrm like '%not a valid menu document%', sqlerrm;
end $$;
do $$
begin
    perform kea.dialog_step(-1, '{"phase": "dancing"}', '{}');
    raise exception 'expected an error';
exception when invalid_parameter_value then
    assert sqlerrm like 'kea: invalid state%', sqlerrm;
end $$;

-- The apology never fails and always parses as TwiML.
do $$
begin
    assert kea.twiml_apology(null) like '%<Hangup/></Response>', 'hangs up without a number';
    assert kea.twiml_apology('+15550001111') like '%<Dial timeout="30">+15550001111</Dial>%';
    assert xml_is_well_formed_document(kea.twiml_apology('+1555<&>'));
end $$;
