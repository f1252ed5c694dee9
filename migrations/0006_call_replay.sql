-- Why: a call must be replayable in SQL: rerunning the dialog over the stored turns shows what
-- kea would say today (after a menu or code change) next to what it said then. Each turn keeps
-- its whole input event (app.turns.event_data) for this.
set role kea_owner;

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
