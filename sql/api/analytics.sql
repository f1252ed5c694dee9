-- Views for SQL analysts (docs/analytics.md): read-only, across merchants, for the
-- kea_analyst role. They run as their owner (not security_invoker): analysts get no table
-- grants at all, only these views and api.analytics(), which reads one of them over /rpc.
-- Days and hours are the merchant's own (app.merchants.time_zone).

-- Calls and orders per merchant, local day and hour.
create view api.analytics_calls_by_hour as
select c.merchant_id, m.name as merchant,
       (c.started_at at time zone m.time_zone)::date as day,
       extract(hour from c.started_at at time zone m.time_zone)::int as hour,
       count(*) as calls,
       count(c.order_id) as calls_with_order,
       count(*) filter (where c.outcome = 'ordered') as ordered,
       count(*) filter (where c.outcome = 'transferred') as transferred,
       count(*) filter (where c.outcome in ('abandoned', 'hung_up')) as abandoned,
       round(avg(c.duration_s), 1) as avg_duration_s
  from app.calls c join app.merchants m on m.id = c.merchant_id
 group by 1, 2, 3, 4;
comment on view api.analytics_calls_by_hour is
    'Calls per merchant, local day and hour: with an order, ordered, transferred, abandoned, average length.';

-- Every order's way through the status machine, from app.order_history: when it first
-- reached each stage (null: never).
create view api.analytics_order_stages as
select o.merchant_id, o.id as order_id, o.call_id, o.status, o.menu_id, o.created_at,
       min(h.at) filter (where h.to_status = 'pending_verification') as submitted_at,
       min(h.at) filter (where h.to_status = 'in_verification') as verification_started_at,
       min(h.at) filter (where h.to_status = 'verified') as verified_at,
       min(h.at) filter (where h.to_status = 'rejected') as rejected_at,
       min(h.at) filter (where h.to_status = 'sent_to_pos') as sent_to_pos_at,
       min(h.at) filter (where h.to_status = 'accepted_by_pos') as accepted_by_pos_at,
       min(h.at) filter (where h.to_status = 'completed') as completed_at
  from app.orders o
  left join app.order_history h on h.merchant_id = o.merchant_id and h.order_id = o.id
 group by o.merchant_id, o.id;
comment on view api.analytics_order_stages is
    'Each order with the first time it reached each status (from app.order_history).';

-- The funnel per merchant and local day: calls -> orders started -> submitted -> verified ->
-- accepted by the POS -> completed.
create view api.analytics_funnel as
with calls as (
    select c.merchant_id, (c.started_at at time zone m.time_zone)::date as day, count(*) as calls
      from app.calls c join app.merchants m on m.id = c.merchant_id
     group by 1, 2
), orders as (
    select s.merchant_id, (coalesce(c.started_at, s.created_at) at time zone m.time_zone)::date as day,
           count(*) as orders_started,
           count(s.submitted_at) as submitted,
           count(s.verified_at) as verified,
           count(s.accepted_by_pos_at) as accepted_by_pos,
           count(s.completed_at) as completed
      from api.analytics_order_stages s
      join app.merchants m on m.id = s.merchant_id
      left join app.calls c on c.merchant_id = s.merchant_id and c.id = s.call_id
     group by 1, 2
)
select coalesce(c.merchant_id, o.merchant_id) as merchant_id,
       coalesce(c.day, o.day) as day,
       coalesce(c.calls, 0) as calls,
       coalesce(o.orders_started, 0) as orders_started,
       coalesce(o.submitted, 0) as submitted,
       coalesce(o.verified, 0) as verified,
       coalesce(o.accepted_by_pos, 0) as accepted_by_pos,
       coalesce(o.completed, 0) as completed
  from calls c full join orders o on o.merchant_id = c.merchant_id and o.day = c.day;
comment on view api.analytics_funnel is
    'Per merchant and local day: calls, orders started, submitted, verified, accepted by the POS, completed.';

-- Handle times per order, in seconds: the call, the verification (submitted -> verified or
-- rejected), the POS (verified -> accepted by the POS).
create view api.analytics_handle_times as
select s.merchant_id, s.order_id, (s.created_at at time zone m.time_zone)::date as day,
       coalesce(c.duration_s, extract(epoch from c.ended_at - c.started_at))::numeric as call_s,
       extract(epoch from coalesce(s.verified_at, s.rejected_at) - s.submitted_at)::numeric
           as verification_s,
       extract(epoch from coalesce(s.verification_started_at, s.verified_at, s.rejected_at)
                          - s.submitted_at)::numeric as wait_for_agent_s,
       extract(epoch from s.accepted_by_pos_at - s.verified_at)::numeric as pos_s
  from api.analytics_order_stages s
  join app.merchants m on m.id = s.merchant_id
  left join app.calls c on c.merchant_id = s.merchant_id and c.id = s.call_id;
comment on view api.analytics_handle_times is
    'Per order, seconds: the call, waiting for an agent, the whole verification, the POS accepting it.';

-- Transfers to the store and why: the dialog's note ("transfer: <reason>") on the turn that
-- transferred, and how the dial ended.
create view api.analytics_transfers as
select c.merchant_id, c.id as call_id, c.call_sid, c.started_at,
       (select substr(d, length('transfer: ') + 1)
          from app.turns t, json_array_elements_text(t.understood->'did') d
         where t.merchant_id = c.merchant_id and t.call_id = c.id and d like 'transfer: %'
         order by t.seq limit 1) as reason,
       (select t.phase from app.turns t
         where t.merchant_id = c.merchant_id and t.call_id = c.id and t.event <> 'dial_result'
         order by t.seq desc limit 1) as from_phase,
       (select t.dial_status from app.turns t
         where t.merchant_id = c.merchant_id and t.call_id = c.id and t.dial_status is not null
         order by t.seq desc limit 1) as dial_status
  from app.calls c
 where c.outcome = 'transferred'
    or exists (select 1 from app.turns t where t.merchant_id = c.merchant_id and t.call_id = c.id
                  and t.understood::text like '%"transfer: %');
comment on view api.analytics_transfers is
    'Calls transferred to the store: the reason the dialog gave, the phase it left from, how the dial ended.';

-- Abandoned calls (the caller hung up, or left an order unfinished) and where they dropped:
-- the phase of the last turn.
create view api.analytics_abandoned_calls as
select c.merchant_id, c.id as call_id, c.call_sid, c.started_at, c.outcome, c.duration_s,
       l.phase as dropped_in_phase, l.seq as turns, l.said as last_said, l.speech as last_heard
  from app.calls c
  left join lateral (select t.phase, t.seq, t.said, t.speech from app.turns t
                      where t.merchant_id = c.merchant_id and t.call_id = c.id
                      order by t.seq desc limit 1) l on true
 where c.outcome in ('abandoned', 'hung_up');
comment on view api.analytics_abandoned_calls is
    'Abandoned and hung-up calls with the phase of their last turn (where the caller dropped).';

-- Items and modifiers ordered, in orders that got past verification.
create view api.analytics_popular_items as
select l.merchant_id, l.item_code, l.name, l.variation_code,
       count(distinct l.order_id) as orders, sum(l.quantity) as quantity,
       sum(l.line_total_cents) as revenue_cents
  from app.order_lines l
  join app.orders o on o.merchant_id = l.merchant_id and o.id = l.order_id
 where o.status in ('verified', 'sent_to_pos', 'accepted_by_pos', 'completed')
 group by 1, 2, 3, 4;
comment on view api.analytics_popular_items is 'Items (and sizes) in verified orders: orders, quantity, revenue.';

create view api.analytics_popular_modifiers as
select l.merchant_id, md->>'group' as modifier_group, md->>'option' as option,
       coalesce(md->>'qualifier', '') as qualifier, coalesce((md->>'negated')::boolean, false) as negated,
       count(*) as lines, count(distinct l.order_id) as orders
  from app.order_lines l
  join app.orders o on o.merchant_id = l.merchant_id and o.id = l.order_id
  cross join jsonb_array_elements(l.modifiers) md
 where o.status in ('verified', 'sent_to_pos', 'accepted_by_pos', 'completed')
 group by 1, 2, 3, 4, 5;
comment on view api.analytics_popular_modifiers is 'Modifier options in verified orders, with qualifier (extra/light) and "no".';

-- Agents: offers, accepts, rejections, timeouts, time to accept, orders approved, edits per
-- order. Each of reservations, tasks and edits is counted per agent by itself, then joined to
-- the agents: on Citus those tables are distributed by merchant and the agents a reference
-- table, and a correlated subquery on tasks per agent is a join Citus does not run
-- (docs/scaling.md); counted first, each is a query it runs over the shards.
create view api.analytics_agents as
with offers as (
    select r.agent_id,
           count(*) as offers,
           count(*) filter (where r.status in ('accepted', 'completed')) as accepts,
           count(*) filter (where r.status = 'rejected') as rejections,
           count(*) filter (where r.status = 'timeout') as timeouts,
           round(avg(extract(epoch from r.responded_at - r.created_at))
                 filter (where r.status in ('accepted', 'completed'))::numeric, 1) as avg_seconds_to_accept
      from app.reservations r
     group by r.agent_id
), outcomes as (
    select t.agent_id,
           count(*) filter (where t.outcome = 'approved') as approved,
           count(*) filter (where t.outcome = 'rejected') as rejected
      from app.tasks t
     where t.agent_id is not null
     group by t.agent_id
), edits as (
    -- Per task the agent completed, the edits it made to the task's order.
    select x.agent_id, round(avg(x.n), 2) as edits_per_order
      from (select t.agent_id, count(e.id) as n
              from app.tasks t
              left join app.order_edits e
                on e.merchant_id = t.merchant_id and e.order_id = t.order_id
               and e.agent_id = t.agent_id
             where t.agent_id is not null and t.status = 'completed'
             group by t.merchant_id, t.id, t.agent_id) x
     group by x.agent_id
)
select a.id as agent_id, a.name, a.email,
       coalesce(o.offers, 0) as offers,
       coalesce(o.accepts, 0) as accepts,
       coalesce(o.rejections, 0) as rejections,
       coalesce(o.timeouts, 0) as timeouts,
       o.avg_seconds_to_accept,
       coalesce(oc.approved, 0) as approved,
       coalesce(oc.rejected, 0) as rejected,
       ed.edits_per_order
  from app.agents a
  left join offers o on o.agent_id = a.id
  left join outcomes oc on oc.agent_id = a.id
  left join edits ed on ed.agent_id = a.id;
comment on view api.analytics_agents is
    'Per agent: offers, accepts, rejections, timeouts, seconds to accept, orders approved/rejected, edits per order.';

-- Understanding quality, measured by what agents changed: per order that an agent finished,
-- whether it went through unchanged.
create view api.analytics_verified_orders as
select o.merchant_id, o.id as order_id, o.menu_id, t.agent_id, t.outcome,
       t.completed_at, (t.completed_at at time zone m.time_zone)::date as day,
       (select count(*) from app.order_edits e where e.merchant_id = o.merchant_id and e.order_id = o.id) as edits,
       not exists (select 1 from app.order_edits e where e.merchant_id = o.merchant_id and e.order_id = o.id)
           and t.outcome = 'approved' as approved_unchanged,
       jsonb_array_length(coalesce(o.call_lines, '[]')) as call_lines
  from app.tasks t
  join app.orders o on o.merchant_id = t.merchant_id and o.id = t.order_id
  join app.merchants m on m.id = o.merchant_id
 where t.kind = 'verification' and t.status = 'completed' and t.outcome in ('approved', 'rejected');
comment on view api.analytics_verified_orders is
    'Orders agents finished: approved unchanged or not, how many edits, per menu and day.';

create view api.analytics_understanding as
select merchant_id, menu_id, day, count(*) as orders,
       count(*) filter (where approved_unchanged) as approved_unchanged,
       round(100.0 * count(*) filter (where approved_unchanged) / nullif(count(*), 0), 1)
           as approved_unchanged_pct,
       count(*) filter (where outcome = 'rejected') as rejected,
       sum(edits) as edits
  from api.analytics_verified_orders
 group by 1, 2, 3;
comment on view api.analytics_understanding is
    'Per merchant, menu and local day: share of orders agents approved unchanged (how well kea understood).';

-- What agents corrected, edit by edit: the item, size, quantity and options before and
-- after, and which of them changed.
create view api.analytics_corrections as
select e.merchant_id, o.menu_id, e.order_id, e.agent_id, e.action, e.line_no, e.at,
       coalesce(e.before->>'item_code', e.after->>'item_code') as item_code,
       e.before->>'item_code' is distinct from e.after->>'item_code' as item_changed,
       e.before->>'variation_code' is distinct from e.after->>'variation_code' as size_changed,
       e.before->'quantity' is distinct from e.after->'quantity' as quantity_changed,
       e.before->'modifiers' is distinct from e.after->'modifiers' as options_changed,
       e.before->>'variation_code' as size_before, e.after->>'variation_code' as size_after,
       e.before->'modifiers' as options_before, e.after->'modifiers' as options_after
  from app.order_edits e
  join app.orders o on o.merchant_id = e.merchant_id and o.id = e.order_id;
comment on view api.analytics_corrections is
    'Every agent edit: the item, and whether its item, size, quantity or options changed (before, after).';

-- Options agents added or removed, counted: which modifiers kea misses or invents.
create view api.analytics_corrected_options as
with changes as (
    select c.merchant_id, c.menu_id, c.item_code, 'added' as change, md
      from api.analytics_corrections c, jsonb_array_elements(coalesce(c.options_after, '[]')) md
     where not coalesce(c.options_before, '[]') @> jsonb_build_array(md)
    union all
    select c.merchant_id, c.menu_id, c.item_code, 'removed', md
      from api.analytics_corrections c, jsonb_array_elements(coalesce(c.options_before, '[]')) md
     where not coalesce(c.options_after, '[]') @> jsonb_build_array(md)
)
select merchant_id, menu_id, item_code, change, md->>'group' as modifier_group,
       md->>'option' as option, count(*) as times
  from changes
 group by 1, 2, 3, 4, 5, 6;
comment on view api.analytics_corrected_options is
    'Modifier options agents added (kea missed them) or removed (kea invented them), per item and menu.';

-- The caller's words behind each correction: the recognised speech of the call's turns, in
-- order (the words only, not the caller's number or name), beside what the agent changed.
create view api.analytics_corrected_phrases as
select c.merchant_id, c.menu_id, c.order_id, c.at, c.item_code, c.action, c.item_changed,
       c.size_changed, c.quantity_changed, c.options_changed,
       (select string_agg(t.speech, ' / ' order by t.seq)
          from app.orders o
          join app.turns t on t.merchant_id = o.merchant_id and t.call_id = o.call_id
         where o.merchant_id = c.merchant_id and o.id = c.order_id and t.speech is not null)
           as speech
  from api.analytics_corrections c;
comment on view api.analytics_corrected_phrases is
    'Each agent edit with what the caller said on that order''s call (speech only).';

-- The views above over /rpc (the gateway serves functions only): the rows of one of them as a
-- JSON array, at most max_rows, only merchant_id's when given (every view but
-- analytics_agents has the column). Only kea_analyst may call it, and it reads only the views
-- kea_analyst may select. Security definer (run as kea_owner): on Citus a view's query runs on
-- the tables' shards as the caller, and kea_analyst may not read app there (docs/scaling.md).
create function api.analytics(view_name text, max_rows integer default 1000,
                              merchant_id bigint default null)
returns setof jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    v_filter text := '';
    r record;
begin
    if analytics.view_name is null or analytics.view_name !~ '^analytics_[a-z_]+$'
       or to_regclass('api.' || analytics.view_name) is null
       or not has_table_privilege('kea_analyst', to_regclass('api.' || analytics.view_name), 'select') then
        raise exception 'no analytics view %', coalesce(analytics.view_name, 'null')
            using errcode = 'KN404', hint = 'see docs/analytics.md for the views';
    end if;
    if analytics.merchant_id is not null then
        if not exists (select 1 from pg_attribute a
                        where a.attrelid = to_regclass('api.' || analytics.view_name)
                          and a.attname = 'merchant_id' and not a.attisdropped) then
            raise exception '% has no merchant_id', analytics.view_name using errcode = 'KN422';
        end if;
        v_filter := ' where v.merchant_id = $2';
    end if;
    -- Each row made JSON here, not in the query: on Citus the query runs on the shards, where
    -- the view's row type does not exist (docs/scaling.md).
    for r in execute format('select * from api.%I v%s limit $1', analytics.view_name, v_filter)
        using least(greatest(coalesce(analytics.max_rows, 1000), 0), 100000), analytics.merchant_id
    loop
        return next to_jsonb(r);
    end loop;
end
$$;
comment on function api.analytics(text, integer, bigint) is
    'Rows of one analytics view (analytics_funnel, analytics_agents, ...) for kea_analyst, optionally of one merchant; see docs/analytics.md.';

grant select on api.analytics_calls_by_hour, api.analytics_order_stages, api.analytics_funnel,
      api.analytics_handle_times, api.analytics_transfers, api.analytics_abandoned_calls,
      api.analytics_popular_items, api.analytics_popular_modifiers, api.analytics_agents,
      api.analytics_verified_orders, api.analytics_understanding, api.analytics_corrections,
      api.analytics_corrected_options, api.analytics_corrected_phrases
   to kea_analyst;
grant execute on function api.analytics(text, integer, bigint) to kea_analyst;
