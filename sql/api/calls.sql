-- Calls as transcripts: a call's turns and order, and a replay of its dialog.

-- A call with its turns and order, for transcripts (scripts/call --json, agents, analysts).
create function api.call_summary(p_call_sid text) returns jsonb
language sql stable security definer set search_path = pg_catalog, public as $$
    select jsonb_build_object(
        'call_sid', c.call_sid, 'merchant_id', c.merchant_id, 'status', c.status,
        'outcome', c.outcome, 'from', c.from_number, 'to', c.to_number,
        'started_at', c.started_at, 'ended_at', c.ended_at,
        'turns', (select jsonb_agg(jsonb_build_object(
                        'seq', t.seq, 'event', t.event, 'speech', t.speech,
                        'confidence', t.confidence, 'digits', t.digits, 'said', t.said,
                        'phase', t.phase, 'elapsed_ms', t.elapsed_ms) order by t.seq)
                  from app.turns t where t.merchant_id = c.merchant_id and t.call_id = c.id),
        'order', app.order_json(c.order_id))
    from app.calls c where c.call_sid = p_call_sid
$$;

-- Replays a call: the dialog rerun over its stored turns, from an empty state, against the
-- current menu and the settings the call ran with. `same` is false where kea would now say
-- otherwise.
create function api.replay_call(p_call_sid text)
returns table (seq integer, event text, speech text, said text, replayed text, same boolean)
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    c app.calls;
    t app.turns;
    v_state json := '{}';
    r kea.turn_result;
begin
    select * into c from app.calls x where x.call_sid = p_call_sid;
    if c.id is null then
        raise exception 'no call %', p_call_sid using errcode = 'P0002';
    end if;
    if c.store is null then
        c.store := (select app.store_json(m)::json from app.merchants m where m.id = c.merchant_id);
    end if;
    for t in select * from app.turns x where x.merchant_id = c.merchant_id and x.call_id = c.id order by x.seq loop
        r := kea.dialog_turn(c.menu_id, v_state::text, c.store::text, t.seq, c.from_number, t.event,
                             t.speech, t.confidence, t.digits, t.dial_status);
        v_state := r.state;
        seq := t.seq;
        event := t.event;
        speech := t.speech;
        said := t.said;
        replayed := r.say;
        same := replayed is not distinct from t.said;
        return next;
    end loop;
end
$$;

grant execute on function api.call_summary(text) to kea_agent, kea_authenticator;
grant execute on function api.replay_call(text) to kea_agent;
