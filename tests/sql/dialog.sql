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

-- kea.dialog_turn, the webhook's form of the same turn: the event as columns, the result as one
-- kea.turn_result. It says what dialog_step says, and names the call's outcome and the order
-- when the caller confirms.
do $$
declare
    store json := '{"name": "Tea Room", "transfer_number": "+15550009999"}';
    greet kea.turn_result := kea.dialog_turn(-3, '{}', store::text, 0, '+15551230000', 'start',
                                             null, null, null, null);
    t1 kea.turn_result;
    step jsonb;
    done kea.turn_result;
    said text[] := '{}';
begin
    assert greet.phase = 'ordering' and greet.call_outcome is null, greet::text;
    t1 := kea.dialog_turn(-3, greet.state::text, store::text, 1, '+15551230000', 'speech', 'three teas', 0.9,
                          null, null);
    step := kea.dialog_step(-3, greet.state::jsonb, jsonb_build_object(
        'event', '{"kind": "speech", "text": "three teas", "confidence": 0.9}'::jsonb,
        'turn', 1, 'caller', '+15551230000', 'store', store::jsonb));
    assert t1.say = step->>'say' and t1.twiml = step->>'twiml' and t1.state::jsonb = step->'state',
        format('dialog_turn %s vs dialog_step %s', t1, step);
    assert t1.phase = 'anything_else', t1.phase;
    -- "that's all", pickup is the default, the caller ID is fine, then "yes" at the read-back.
    done := t1;
    for i in 1..6 loop
        exit when done.call_outcome is not null;
        done := kea.dialog_turn(-3, done.state::text, store::text, 1 + i, '+15551230000', 'speech',
                                case when done.phase = 'anything_else' then 'that''s all' else 'yes' end,
                                0.9, null, null);
        said := said || done.say;
    end loop;
    assert done.call_outcome = 'ordered', format('%s after %s', done, said);
    assert (done."order"->>'total_cents')::int = 900, done."order"::text;
    assert done.phase = 'submitted', done.phase;
end $$;

do $$
begin
    perform kea.dialog_turn(-3, '{}', '{"name": "x"}', 0, null, 'dancing', null, null, null, null);
    raise exception 'expected an error';
exception when invalid_parameter_value then
    assert sqlerrm like 'kea: invalid event%', sqlerrm;
end $$;
