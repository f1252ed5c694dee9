-- The minimal reference turn for `scripts/bench turns`: the writes a turn cannot avoid (lock
-- the call row, insert one turn row, update the call row) with no extraction, no dialog, no
-- TwiML. The real turn (api.twilio_gather) is measured against this.
create schema if not exists bench;

create or replace function bench.reference_turn(p_merchant_id bigint, p_call_sid text)
returns text
language plpgsql as $$
declare
    c app.calls;
begin
    select * into c from app.calls
     where merchant_id = p_merchant_id and call_sid = p_call_sid
     for update;
    insert into app.turns (merchant_id, call_id, seq, event, speech, said, twiml, phase)
    values (c.merchant_id, c.id, c.next_turn, 'speech', 'make that two', 'Okay.',
            '<Response/>', 'anything_else');
    update app.calls set next_turn = next_turn + 1, state = c.state
     where merchant_id = c.merchant_id and id = c.id;
    return '<Response/>';
end
$$;
