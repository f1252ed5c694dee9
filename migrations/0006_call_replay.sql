-- Why: a call must be replayable in SQL: rerunning the dialog over the stored turns shows what
-- kea would say today (after a menu or code change) next to what it said then. That needs each
-- turn's whole input event (a transfer's DialCallStatus was not kept before).
set role kea_owner;

alter table app.turns add column event_data jsonb;
comment on column app.turns.event_data is 'The event as given to kea.dialog_step (kind, text, confidence, digits, status).';

create or replace function app.run_turn(c app.calls, m app.merchants, p_event jsonb, p_turn integer,
                                        p_started timestamptz)
returns text
language plpgsql as $$
declare
    v_out     jsonb;
    v_outcome jsonb;
    v_order   bigint;
begin
    v_out := kea.dialog_step(c.menu_id, c.state, jsonb_build_object(
        'event', p_event, 'turn', p_turn, 'caller', c.from_number, 'store', app.store_json(m)));
    v_outcome := v_out->'outcome';
    if v_outcome->>'kind' = 'submitted' then
        v_order := app.save_order(c.merchant_id, c.id, v_outcome->'order', 'pending_verification');
    end if;
    insert into app.turns (merchant_id, call_id, seq, event, event_data, speech, confidence, digits,
                           understood, said, twiml, phase, elapsed_ms)
    values (c.merchant_id, c.id, p_turn, p_event->>'kind', p_event, p_event->>'text',
            (p_event->>'confidence')::real, p_event->>'digits', v_out->'understood',
            v_out->>'say', v_out->>'twiml', v_out->'state'->>'phase',
            extract(epoch from clock_timestamp() - p_started) * 1000);
    update app.calls
       set state = v_out->'state',
           next_turn = p_turn + 1,
           order_id = coalesce(v_order, order_id),
           outcome = coalesce(case v_outcome->>'kind'
                                  when 'submitted' then 'ordered'
                                  when 'transferred' then 'transferred'
                                  when 'callback' then 'callback'
                                  when 'cancelled' then 'cancelled'
                                  when 'closed' then 'closed' end, outcome)
     where merchant_id = c.merchant_id and id = c.id;
    return v_out->>'twiml';
end
$$;

-- Replays a call: the dialog rerun over its stored turns, from an empty state, against the
-- merchant's current menu and settings. `same` is false where kea would now say otherwise.
create function api.replay_call(p_call_sid text)
returns table (seq integer, event text, speech text, said text, replayed text, same boolean)
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    c app.calls;
    m app.merchants;
    t app.turns;
    v_state jsonb := '{}';
    v_out jsonb;
begin
    select * into c from app.calls x where x.call_sid = p_call_sid;
    if c.id is null then
        raise exception 'no call %', p_call_sid using errcode = 'P0002';
    end if;
    select * into m from app.merchants x where x.id = c.merchant_id;
    for t in select * from app.turns x where x.merchant_id = c.merchant_id and x.call_id = c.id order by x.seq loop
        v_out := kea.dialog_step(c.menu_id, v_state, jsonb_build_object(
            'event', coalesce(t.event_data, jsonb_build_object(
                         'kind', t.event, 'text', t.speech, 'confidence', t.confidence, 'digits', t.digits)),
            'turn', t.seq, 'caller', c.from_number, 'store', app.store_json(m)));
        v_state := v_out->'state';
        seq := t.seq;
        event := t.event;
        speech := t.speech;
        said := t.said;
        replayed := v_out->>'say';
        same := replayed is not distinct from t.said;
        return next;
    end loop;
end
$$;
grant execute on function api.replay_call(text) to kea_agent;

reset role;
