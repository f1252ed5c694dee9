-- Row-level security (docs/api.md, "Where RLS bites"): what each API role may read of the
-- private tables when it reads them as itself, i.e. through the security_invoker views of
-- sql/api/views.sql (or a direct SQL session as that role). RLS is enabled on every tenant
-- table by migrations/0010_api_roles.sql; with no policy for a role, that role sees no row.
-- The security definer api functions run as kea_owner, which owns the tables and is not
-- subject to RLS: they filter by the token's claims themselves (app.current_agent(),
-- app.current_merchant()).
--
-- Policies read the claims through app.claim_merchant() / app.claim_agent(), which never
-- raise: a token without the claim matches no row. Only SELECT is granted: every write goes
-- through a function.

-- The tasks, orders, calls and merchants behind the work routed to the signed-in agent: the
-- reservations offered to it (pending or accepted) and the tasks assigned to it. Security
-- definer, so that a policy on orders does not depend on the policies of tasks (no recursion).
create function app.agent_work()
returns table (merchant_id bigint, task_id bigint, order_id bigint, call_id bigint)
language sql stable security definer set search_path = pg_catalog, public as $$
    select t.merchant_id, t.id, t.order_id, o.call_id
      from app.tasks t
      join app.orders o on o.merchant_id = t.merchant_id and o.id = t.order_id
     where t.agent_id = app.claim_agent()
        or exists (select 1 from app.reservations r
                    where r.merchant_id = t.merchant_id and r.task_id = t.id
                      and r.agent_id = app.claim_agent() and r.status in ('pending', 'accepted'))
$$;

grant execute on function app.agent_work() to kea_agent;

-- The merchants of the work routed to the signed-in agent (its tasks' routed_agents: the same
-- agents as app.agent_work()'s), as one value: what the agents' policies on a merchant and its
-- menus compare the row's merchant with. A function in the policy, not a subquery, which Citus
-- refuses in a policy on the tables it places; plpgsql with the agent read from the claims into
-- a value first, because on Citus the query on tasks goes to the workers, which do not see
-- claims set with set_config (docs/scaling.md, "Row-level security on Citus"). With no column
-- in its arguments, an index scan on (merchant_id, ...) calls it once per scan.
create function app.agent_merchants() returns bigint[]
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    v_agent bigint := app.claim_agent();
begin
    if v_agent is null then
        return '{}';
    end if;
    return array(select distinct t.merchant_id from app.tasks t
                  where t.routed_agents <> '{}' and t.routed_agents @> array[v_agent]
                  order by 1);
end
$$;

grant execute on function app.agent_merchants() to kea_agent;

-- Keeps the agents an order's tasks are routed to on the rows an agent may read of it
-- (routed_agents: migrations/0039_routed_agents.sql): the tasks, the order, its lines and
-- edits, its call and the call's turns. The same agents as app.agent_work(): a task's assigned
-- agent and those with a pending or accepted offer of it. Called by every function that offers,
-- accepts, gives back or finishes a task, or writes a row of a routed order or call (routing,
-- sql/app/routing.sql; sql/api/agents.sql; a call's turn copies its call's, sql/api/twilio.sql), so
-- that the agents' policies compare the row with the claims and nothing else: Citus refuses a
-- policy with a subquery (docs/scaling.md). One statement per table, each by its merchant: on
-- Citus each goes to the order's shard group on one worker. Security definer: the worker's
-- jobs route tasks too.
create function app.share_routed_work(p_merchant_id bigint, p_order_id bigint) returns void
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    t record;
    v_agents bigint[];
    v_order bigint[] := '{}';
    v_call_id bigint;
    v_call bigint[];
begin
    for t in select id, agent_id, routed_agents from app.tasks
              where merchant_id = p_merchant_id and order_id = p_order_id loop
        select coalesce(array_agg(r.agent_id), '{}') into v_agents from app.reservations r
         where r.merchant_id = p_merchant_id and r.task_id = t.id
           and r.status in ('pending', 'accepted');
        v_agents := array(select distinct a from unnest(v_agents || t.agent_id) a
                           where a is not null order by a);
        if v_agents is distinct from t.routed_agents then
            update app.tasks set routed_agents = v_agents
             where merchant_id = p_merchant_id and id = t.id;
        end if;
        v_order := v_order || v_agents;
    end loop;
    v_order := array(select distinct a from unnest(v_order) a order by a);
    update app.orders set routed_agents = v_order
     where merchant_id = p_merchant_id and id = p_order_id
       and routed_agents is distinct from v_order;
    update app.order_lines set routed_agents = v_order
     where merchant_id = p_merchant_id and order_id = p_order_id
       and routed_agents is distinct from v_order;
    update app.order_edits set routed_agents = v_order
     where merchant_id = p_merchant_id and order_id = p_order_id
       and routed_agents is distinct from v_order;
    select call_id into v_call_id from app.orders
     where merchant_id = p_merchant_id and id = p_order_id;
    if v_call_id is null then
        return;
    end if;
    -- A call's agents: those of every order it placed (one, as a rule).
    select coalesce(array_agg(distinct a order by a), '{}') into v_call
      from app.orders o, unnest(o.routed_agents) a
     where o.merchant_id = p_merchant_id and o.call_id = v_call_id;
    update app.calls set routed_agents = v_call
     where merchant_id = p_merchant_id and id = v_call_id
       and routed_agents is distinct from v_call;
    update app.turns set routed_agents = v_call
     where merchant_id = p_merchant_id and call_id = v_call_id
       and routed_agents is distinct from v_call;
end
$$;

-- A merchant's own rows: settings, hours, numbers, menus, calls, turns, orders.
do $$
declare
    t text;
begin
    foreach t in array array['phone_numbers', 'opening_hours', 'menus', 'menu_categories',
                             'menu_items', 'item_variations', 'modifier_groups',
                             'modifier_options', 'item_modifier_groups', 'calls', 'turns',
                             'orders', 'order_lines', 'order_history', 'order_edits'] loop
        execute format('create policy merchant_own on app.%I for select to kea_merchant
                        using (merchant_id = app.claim_merchant())', t);
        execute format('grant select on app.%I to kea_merchant', t);
    end loop;
end
$$;
create policy merchant_own on app.merchants for select to kea_merchant
    using (id = app.claim_merchant());
grant select (id, slug, name, time_zone, tax_rate_bp, currency, transfer_number, voice, language,
              greeting, accepts_orders_when_closed, offers_delivery, asks_name, prep_minutes,
              hours_text, created_at)
   on app.merchants to kea_merchant, kea_agent;

-- A POS token: its own merchant's orders and their lines.
create policy pos_own on app.orders for select to kea_pos
    using (merchant_id = app.claim_merchant());
create policy pos_own on app.order_lines for select to kea_pos
    using (merchant_id = app.claim_merchant());
grant select on app.orders, app.order_lines to kea_pos;

-- An agent: the tasks routed to it, and the orders, lines, calls, transcripts, merchants and
-- menus behind them. On call data the agents are on the rows (routed_agents, kept by
-- app.share_routed_work): a policy with no subquery, which Citus runs on the shards with the
-- claims set there (docs/scaling.md, "Row-level security on Citus"). The merchant and its menus
-- (coordinator tables on Citus, read far more than routing changes) compare their merchant
-- with app.agent_merchants(): no routed agents to keep on them, and no subquery either.
do $$
declare
    t text;
begin
    foreach t in array array['tasks', 'orders', 'order_lines', 'order_edits', 'calls', 'turns'] loop
        -- routed_agents <> '{}' lets the partial index of routed rows serve the policy.
        execute format('create policy agent_routed on app.%I for select to kea_agent
                        using (routed_agents <> ''{}'' and routed_agents @> array[app.claim_agent()])', t);
    end loop;
end
$$;
create policy agent_own on app.reservations for select to kea_agent
    using (agent_id = app.claim_agent());
create policy agent_routed on app.merchants for select to kea_agent
    using (id = any (app.agent_merchants()));
do $$
declare
    t text;
begin
    foreach t in array array['menus', 'menu_categories', 'menu_items', 'item_variations',
                             'modifier_groups', 'modifier_options', 'item_modifier_groups'] loop
        execute format('create policy agent_routed on app.%I for select to kea_agent
                        using (merchant_id = any (app.agent_merchants()))', t);
        execute format('grant select on app.%I to kea_agent', t);
    end loop;
end
$$;
grant select on app.tasks, app.reservations, app.orders, app.order_lines, app.order_edits,
      app.calls, app.turns to kea_agent;
