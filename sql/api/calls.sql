-- Calls as transcripts: a call's turns and order, and a replay of its dialog.

-- May the caller read this call? The service role and direct SQL sessions (no role claim: the
-- owner, operators, the gateway's own login) read every call; an agent only a call behind a
-- task routed to it (offered, accepted or assigned: app.agent_work) or of a merchant it serves
-- (app.agent_serves), like api.call_for_task; every other role none (issue 17). Security
-- definer callers use it: a call outside it is "not found".
create function app.may_read_call(c app.calls) returns boolean
language sql stable as $$
    select case coalesce(app.claim('role'), '')
        when '' then true
        when 'kea_service' then true
        when 'kea_agent' then
            exists (select 1 from app.agent_work() w
                     where w.merchant_id = c.merchant_id and w.call_id = c.id)
            or exists (select 1 from app.agents a join app.merchants m on m.id = c.merchant_id
                        where a.id = app.claim_agent()
                          and app.agent_serves(a.attributes, c.merchant_id, m.groups))
        else false
    end
$$;

-- A call with its turns and order, for transcripts (scripts/call --json, agents, analysts).
-- plpgsql, and the call read first: Citus cannot plan a sql function's query with its
-- parameters, and a call row passed whole to app.may_read_call inside a query on the shards
-- would be of the shard's row type (docs/scaling.md).
create function api.call_summary(call_sid text) returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    c app.calls;
    v_turns jsonb;
begin
    select * into c from app.calls x where x.call_sid = call_summary.call_sid;
    if c.id is null or not app.may_read_call(c) then
        return null;
    end if;
    -- The turns in a statement of their own: with app.order_json beside them, the whole
    -- query would go to the call's shard on Citus and the order be read from there.
    v_turns := (select jsonb_agg(jsonb_build_object(
                           'seq', t.seq, 'event', t.event, 'speech', t.speech,
                           'confidence', t.confidence, 'digits', t.digits, 'said', t.said,
                           'phase', t.phase, 'elapsed_ms', t.elapsed_ms) order by t.seq)
                  from app.turns t where t.merchant_id = c.merchant_id and t.call_id = c.id);
    return jsonb_build_object(
        'call_sid', c.call_sid, 'merchant_id', c.merchant_id, 'status', c.status,
        'outcome', c.outcome, 'from', c.from_number, 'to', c.to_number,
        'started_at', c.started_at, 'ended_at', c.ended_at,
        'turns', v_turns,
        'order', app.order_json(c.order_id));
end
$$;
comment on function api.call_summary(text) is
    'A call with its turns and order, for transcripts (scripts/call --json, agents, analysts).';

-- Replays a call: the dialog rerun over its stored turns, from an empty state, against the
-- current menu and the settings the call ran with. `same` is false where kea would now say
-- otherwise.
create function api.replay_call(call_sid text)
returns table (seq integer, event text, speech text, said text, replayed text, same boolean)
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    c app.calls;
    t app.turns;
    v_state json := '{}';
    r kea.turn_result;
begin
    select * into c from app.calls x where x.call_sid = replay_call.call_sid;
    if c.id is null or not app.may_read_call(c) then
        raise exception 'no call %', replay_call.call_sid using errcode = 'P0002';
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
comment on function api.replay_call(text) is
    'The dialog rerun over a call''s stored turns against the current menu and the call''s settings; same is false where kea would now say otherwise.';

grant execute on function api.call_summary(text) to kea_agent, kea_service, kea_authenticator;
grant execute on function api.replay_call(text) to kea_agent, kea_service;
