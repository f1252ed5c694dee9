-- Why: an agent's row-level security read the work routed to it from other tables (a subquery
-- on app.agent_work()), and Citus refuses a policy with a subquery: on Citus the agents read
-- nothing of api.calls, api.orders... (docs/scaling.md). The agents a task is routed to (offered
-- and not yet turned down, or assigned) are now kept on the rows an agent may read: the task,
-- its order, the order's lines and edits, the call and its turns. The policies compare the
-- claims with that column and nothing else, on one PostgreSQL and on Citus alike
-- (sql/app/policies.sql); app.share_routed_work keeps it, called by the functions that offer,
-- accept, give back and finish tasks.
set role kea_owner;

do $$
declare
    t text;
begin
    foreach t in array array['tasks', 'orders', 'order_lines', 'order_edits', 'calls', 'turns'] loop
        execute format('alter table app.%I add column routed_agents bigint[] not null default ''{}''', t);
        execute format($c$comment on column app.%I.routed_agents is
            'The agents the work behind this row is routed to (offered, accepted or assigned): whom the agents'' row-level security shows it to. Kept by app.share_routed_work.'$c$, t);
        -- Only routed rows are indexed: a call's turns and lines are written with none, and
        -- the policy (routed_agents <> '{}' and ... @> ...) implies the index's predicate.
        execute format('create index %I on app.%I using gin (routed_agents) where routed_agents <> ''{}''',
                       t || '_routed_agents', t);
    end loop;
end
$$;

-- The work routed before this migration, as app.agent_work() reads it.
update app.tasks t
   set routed_agents = w.agents
  from (select x.merchant_id, x.id,
               array(select distinct a from unnest(array[x.agent_id] ||
                         array(select r.agent_id from app.reservations r
                                where r.merchant_id = x.merchant_id and r.task_id = x.id
                                  and r.status in ('pending', 'accepted'))) a
                      where a is not null order by a) as agents
          from app.tasks x) w
 where t.merchant_id = w.merchant_id and t.id = w.id and w.agents <> '{}';
update app.orders o
   set routed_agents = w.agents
  from (select t.merchant_id, t.order_id, array_agg(distinct a order by a) as agents
          from app.tasks t, unnest(t.routed_agents) a group by t.merchant_id, t.order_id) w
 where o.merchant_id = w.merchant_id and o.id = w.order_id;
update app.order_lines l set routed_agents = o.routed_agents
  from app.orders o
 where o.merchant_id = l.merchant_id and o.id = l.order_id and o.routed_agents <> '{}';
update app.order_edits e set routed_agents = o.routed_agents
  from app.orders o
 where o.merchant_id = e.merchant_id and o.id = e.order_id and o.routed_agents <> '{}';
update app.calls c
   set routed_agents = w.agents
  from (select o.merchant_id, o.call_id, array_agg(distinct a order by a) as agents
          from app.orders o, unnest(o.routed_agents) a where o.call_id is not null
         group by o.merchant_id, o.call_id) w
 where c.merchant_id = w.merchant_id and c.id = w.call_id;
update app.turns t set routed_agents = c.routed_agents
  from app.calls c
 where c.merchant_id = t.merchant_id and c.id = t.call_id and c.routed_agents <> '{}';

reset role;
