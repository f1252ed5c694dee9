-- The end of a call, whoever notices it: Twilio's final status callback, or the sweep for calls
-- Twilio never reported (a lost callback, a test's call left hanging). And the edge's reading
-- of webhook values: anything unusable is treated as absent, never as an error mid-call.

-- A whole number, or null for anything else ("12.5", "abc", "", NUL-free by the gateway).
create function app.param_int(p_value text) returns integer
language sql immutable as $$
    select case when p_value ~ '^\s*[0-9]{1,9}\s*$' then trim(p_value)::integer end
$$;

-- A speech confidence in [0, 1], or null ("abc", "1,5", "1e309", -1).
create function app.param_confidence(p_value text) returns real
language plpgsql immutable as $$
declare
    v double precision;
begin
    if p_value !~ '^\s*[0-9]*\.?[0-9]+([eE][-+]?[0-9]{1,3})?\s*$' then
        return null;
    end if;
    v := p_value::double precision;
    return case when v between 0 and 1 then v::real end;
exception when others then
    return null;
end
$$;

-- Ends an active call once: a cart the caller never confirmed is kept as an `abandoned`
-- order, for analysis. Returns that order's id, if any.
create function app.end_call(c app.calls, p_twilio_status text) returns bigint
language plpgsql as $$
declare
    v_order bigint;
    v_now timestamptz;
begin
    if c.status <> 'active' then
        return null;
    end if;
    if c.outcome is null and json_array_length(coalesce(c.state->'cart', '[]')) > 0 then
        v_order := app.save_order(c.merchant_id, c.id,
                                  kea.price_order(c.menu_id, (c.state->'cart')::jsonb,
                                                  coalesce(c.state->'details', '{}')::jsonb),
                                  'abandoned');
    end if;
    -- app.now() as a value: Citus refuses a function that is not immutable inside a coalesce
    -- of an UPDATE on its tables.
    v_now := app.now();
    update app.calls
       set twilio_status = p_twilio_status,
           status = 'ended',
           ended_at = coalesce(ended_at, v_now),
           order_id = coalesce(order_id, v_order),
           outcome = coalesce(outcome, case when v_order is not null then 'abandoned' else 'hung_up' end)
     where merchant_id = c.merchant_id and id = c.id;
    return v_order;
end
$$;

-- Job sweep_calls: a call with no webhook for longer than Twilio's longest call (4 hours) is
-- over, whatever Twilio said or did not say. Also prunes old finished jobs.
create function app.sweep_stale_calls() returns integer
language plpgsql as $$
declare
    c app.calls;
    n integer := 0;
    v_before timestamptz;
begin
    -- Found, then each locked by its merchant (skipped when another transaction holds it): on
    -- Citus a locking read goes to one shard. The cut-off is a value, worked out here.
    v_before := app.now() - interval '4 hours';
    for c in select x.* from app.calls x
              where x.status = 'active' and x.started_at < v_before
                and not exists (select 1 from app.turns t
                                 where t.merchant_id = x.merchant_id and t.call_id = x.id
                                   and t.created_at > v_before)
              loop
        select x.* into c from app.calls x
         where x.merchant_id = c.merchant_id and x.id = c.id and x.status = 'active'
           for update skip locked;
        continue when c.id is null;
        perform app.end_call(c, 'swept');
        n := n + 1;
    end loop;
    perform app.prune_jobs();
    return n;
end
$$;
