-- kea.dialog_step from SQL: a new call greets, an order turn updates the cart, and the same
-- state and input always give the same output (what makes replays and retries safe).
select kea.publish_menu(-3, '{
  "name": "Tiny", "tax_rate_bp": 0,
  "items": [{"id": 1, "code": "tea", "name": "Tea", "price_cents": 300}]}');

do $$
declare
    store jsonb := '{"name": "Tea Room", "transfer_number": "+15550009999"}';
    greet jsonb := kea.dialog_step(-3, '{}', jsonb_build_object(
        'event', '{"kind": "start"}'::jsonb, 'turn', 0, 'store', store));
    t1 jsonb;
    t1_again jsonb;
begin
    assert greet->>'say' like 'Thanks for calling Tea Room!%', greet->>'say';
    assert greet->'state'->>'phase' = 'ordering', greet::text;
    assert xml_is_well_formed_document(greet->>'twiml');
    assert greet->>'twiml' like '%action="/twilio/voice/gather?turn=1"%', greet->>'twiml';

    t1 := kea.dialog_step(-3, greet->'state', jsonb_build_object(
        'event', '{"kind": "speech", "text": "three teas", "confidence": 0.9}'::jsonb,
        'turn', 1, 'store', store));
    t1_again := kea.dialog_step(-3, greet->'state', jsonb_build_object(
        'event', '{"kind": "speech", "text": "three teas", "confidence": 0.9}'::jsonb,
        'turn', 1, 'store', store));
    assert t1 = t1_again, 'deterministic';
    assert t1->'state'->'cart'->0->>'item' = 'tea', t1::text;
    assert (t1->'state'->'cart'->0->>'quantity')::int = 3, t1::text;
    assert t1->>'say' = 'Got it: three Teas. Anything else?', t1->>'say';
    assert t1->'understood'->'extraction'->'lines'->0->>'item' = 'tea', t1::text;
end $$;
