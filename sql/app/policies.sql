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
-- menus behind them.
create policy agent_routed on app.tasks for select to kea_agent
    using ((merchant_id, id) in (select w.merchant_id, w.task_id from app.agent_work() w));
create policy agent_own on app.reservations for select to kea_agent
    using (agent_id = app.claim_agent());
create policy agent_routed on app.orders for select to kea_agent
    using ((merchant_id, id) in (select w.merchant_id, w.order_id from app.agent_work() w));
create policy agent_routed on app.order_lines for select to kea_agent
    using ((merchant_id, order_id) in (select w.merchant_id, w.order_id from app.agent_work() w));
create policy agent_routed on app.order_edits for select to kea_agent
    using ((merchant_id, order_id) in (select w.merchant_id, w.order_id from app.agent_work() w));
create policy agent_routed on app.calls for select to kea_agent
    using ((merchant_id, id) in (select w.merchant_id, w.call_id from app.agent_work() w));
create policy agent_routed on app.turns for select to kea_agent
    using ((merchant_id, call_id) in (select w.merchant_id, w.call_id from app.agent_work() w));
create policy agent_routed on app.merchants for select to kea_agent
    using (id in (select w.merchant_id from app.agent_work() w));
do $$
declare
    t text;
begin
    foreach t in array array['menus', 'menu_categories', 'menu_items', 'item_variations',
                             'modifier_groups', 'modifier_options', 'item_modifier_groups'] loop
        execute format('create policy agent_routed on app.%I for select to kea_agent
                        using (merchant_id in (select w.merchant_id from app.agent_work() w))', t);
        execute format('grant select on app.%I to kea_agent', t);
    end loop;
end
$$;
grant select on app.tasks, app.reservations, app.orders, app.order_lines, app.order_edits,
      app.calls, app.turns to kea_agent;
