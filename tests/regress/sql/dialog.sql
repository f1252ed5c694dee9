-- The dialog from SQL (pg_kea): kea.dialog_step takes a call's state and one event and returns
-- the next state, what kea says and its TwiML, as one jsonb value; kea.dialog_turn is the
-- webhook's form of the same turn (the event as columns, one kea.turn_result).
select kea.publish_menu(-3, '{
  "name": "Tiny", "tax_rate_bp": 0,
  "items": [{"id": 1, "code": "tea", "name": "Tea", "price_cents": 300}]}') is not null as published;

-- A new call: the greeting, and the TwiML that gathers the first answer.
select s->>'say' as say, s->'state'->>'phase' as phase, s->>'twiml' as twiml
  from kea.dialog_step(-3, '{}', '{"event": {"kind": "start"}, "turn": 0,
                                   "store": {"name": "Tea Room", "transfer_number": "+15550009999"}}') s;

-- A whole call, turn by turn: what the caller said, the phase it left the call in, what kea
-- answered, and how the call ended.
create temporary table tea_call (turn int, said text);
insert into tea_call values (1, 'three teas'), (2, 'that''s all'), (3, 'yes');
with recursive call(turn, r) as (
    select 0, kea.dialog_turn(-3, '{}', '{"name": "Tea Room", "transfer_number": "+15550009999"}',
                              0, '+15551230000', 'start', null, null, null, null)
    union all
    select t.turn, kea.dialog_turn(-3, (c.r).state::text, '{"name": "Tea Room", "transfer_number": "+15550009999"}',
                                   t.turn, '+15551230000', 'speech', t.said, 0.9::real, null, null)
      from call c join tea_call t on t.turn = c.turn + 1
     where (c.r).call_outcome is null
)
select c.turn, t.said, (c.r).phase, (c.r).say, (c.r).call_outcome
  from call c left join tea_call t using (turn)
 order by c.turn;

-- The order the caller confirmed, as the call hands it to app.save_order.
with recursive call(turn, r) as (
    select 0, kea.dialog_turn(-3, '{}', '{"name": "Tea Room"}', 0, '+15551230000', 'start',
                              null, null, null, null)
    union all
    select t.turn, kea.dialog_turn(-3, (c.r).state::text, '{"name": "Tea Room"}', t.turn, '+15551230000',
                                   'speech', t.said, 0.9::real, null, null)
      from call c join tea_call t on t.turn = c.turn + 1
     where (c.r).call_outcome is null
)
select jsonb_pretty((r)."order") from call where (r).call_outcome = 'ordered';

-- The same state and input always give the same output (what makes Twilio's retries and
-- replays safe), and dialog_turn says what dialog_step says.
with greet as (
    select kea.dialog_step(-3, '{}', '{"event": {"kind": "start"}, "turn": 0, "store": {"name": "Tea Room"}}') g
), step as (
    select kea.dialog_step(-3, g->'state', '{"event": {"kind": "speech", "text": "three teas", "confidence": 0.9},
                                            "turn": 1, "caller": "+15551230000", "store": {"name": "Tea Room"}}') s
      from greet
), again as (
    select kea.dialog_step(-3, g->'state', '{"event": {"kind": "speech", "text": "three teas", "confidence": 0.9},
                                            "turn": 1, "caller": "+15551230000", "store": {"name": "Tea Room"}}') s
      from greet
), turn as (
    select kea.dialog_turn(-3, (g->'state')::text, '{"name": "Tea Room"}', 1, '+15551230000', 'speech',
                           'three teas', 0.9::real, null, null) t
      from greet
)
select step.s = again.s as deterministic,
       (turn.t).say = step.s->>'say' and (turn.t).twiml = step.s->>'twiml'
           and (turn.t).state::jsonb = step.s->'state' as turn_is_step,
       step.s->'understood'->'extraction'->'lines' as understood
  from step, again, turn;

-- What kea refuses: an event or a state it does not know.
select kea.dialog_turn(-3, '{}', '{"name": "x"}', 0, null, 'dancing', null, null, null, null);
select kea.dialog_step(-3, '{"phase": "dancing"}', '{}');
