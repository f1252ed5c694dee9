-- A call's confirming turn (api.twilio_gather with "yes"): the order is saved, its verification
-- task offered to an available agent, and that agent then reads the call, its order and every
-- turn of it (routed_agents, sql/app/policies.sql), the confirming turn's own row included,
-- which is written after the task was routed. Runs in a transaction that is rolled back.

insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('confirm-test', 'Confirm Pizza', 1000, '+15550007999');
insert into app.phone_numbers (e164, merchant_id)
select '+15550007000', id from app.merchants where slug = 'confirm-test';
insert into app.opening_hours
select id, d, '00:00', '24:00' from app.merchants, generate_series(0, 6) d where slug = 'confirm-test';
select api.import_menu((select id from app.merchants where slug = 'confirm-test'), '{
  "name": "Confirm",
  "items": [
    {"code": "pizza", "name": "Cheese Pizza",
     "variations": [{"code": "small", "name": "Small", "price_cents": 1000},
                    {"code": "large", "name": "Large", "price_cents": 1500}]}
  ]}');

create function pg_temp.say(p_turn int, p_speech text) returns text
language sql as $$
    select api.twilio_gather(jsonb_build_object('CallSid', 'CONFIRM-1', 'To', '+15550007000',
                                                'From', '+15551110000', 'SpeechResult', p_speech,
                                                'Confidence', '0.9'), p_turn)
$$;

do $$
declare
    m bigint := (select id from app.merchants where slug = 'confirm-test');
    a bigint := app.upsert_agent('confirm1@example.test', 'Confirm One', 'pw-confirm',
                                 format('{"merchants": [%s]}', m)::jsonb, 1);
    c app.calls;
    v_task_agents bigint[];
    v_turns bigint;
    v_turns_routed bigint;
begin
    -- The longest idle agent of all: the first offered.
    update app.agents set activity = 'available', activity_at = now() - interval '100 years'
     where id = a;
    perform api.twilio_voice('{"CallSid": "CONFIRM-1", "To": "+15550007000", "From": "+15551110000",
                               "CallStatus": "in-progress"}');
    perform pg_temp.say(1, 'a cheese pizza');
    perform pg_temp.say(2, 'large');
    perform pg_temp.say(3, 'that''s all');
    assert pg_temp.say(4, 'yes') like '%Hangup%', 'the confirming turn ends the call';
    select * into c from app.calls where merchant_id = m and call_sid = 'CONFIRM-1';
    assert c.outcome = 'ordered' and c.order_id is not null, 'the call placed its order';
    select routed_agents into v_task_agents from app.tasks
     where merchant_id = m and order_id = c.order_id and kind = 'verification';
    assert v_task_agents = array[a], format('the task was offered to the agent: %s', v_task_agents);
    assert c.routed_agents = array[a], format('the call is the agent''s: %s', c.routed_agents);
    assert (select routed_agents from app.orders where merchant_id = m and id = c.order_id) = array[a],
        'the order is the agent''s';
    select count(*), count(*) filter (where routed_agents = array[a]) into v_turns, v_turns_routed
      from app.turns where merchant_id = m and call_id = c.id;
    assert v_turns = 5 and v_turns_routed = 5,
        format('%s of the call''s %s turns are the agent''s (the confirming turn: %s)', v_turns_routed,
               v_turns, (select routed_agents from app.turns
                          where merchant_id = m and call_id = c.id and seq = 4));
end $$;
