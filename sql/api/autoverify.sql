-- Auto-verification over /rpc (docs/closed-loop.md, part 2): the merchant reads and sets its
-- policy (the merchant page's settings); analysts read what it decided and how precise it is,
-- per merchant and week. The merchant is the one in the token, never an argument.

create function api.autoverify_policy() returns jsonb
language sql stable security definer set search_path = pg_catalog, public as $$
    select app.autoverify_policy_json(p) from app.autoverify_policies p
     where p.merchant_id = app.current_merchant()
$$;
comment on function api.autoverify_policy() is
    'The signed-in merchant''s auto-verify policy: enabled, min_confidence, max_total_cents (null: no cap), returning_only, sample_one_in, min_shadow_orders; its state (off, shadow, live), checked_unchanged (would-pass orders agents approved unchanged in a row, out of min_shadow_orders), counting_since, trust_lost_at / trust_lost_order_id / trust_lost_reason; passed so far.';

create function api.set_autoverify_policy(enabled boolean, min_confidence real,
                                          max_total_cents bigint, returning_only boolean,
                                          sample_one_in integer,
                                          min_shadow_orders integer default null)
returns jsonb
language sql security definer set search_path = pg_catalog, public as $$
    select app.set_autoverify_policy(app.current_merchant(), set_autoverify_policy.enabled,
                                     set_autoverify_policy.min_confidence,
                                     set_autoverify_policy.max_total_cents,
                                     set_autoverify_policy.returning_only,
                                     set_autoverify_policy.sample_one_in,
                                     set_autoverify_policy.min_shadow_orders,
                                     'merchant_user:' || coalesce(app.claim('user_id'), '?'))
$$;
comment on function api.set_autoverify_policy(boolean, real, bigint, boolean, integer, integer) is
    'Sets the signed-in merchant''s whole auto-verify policy (max_total_cents null: no cap; sample_one_in 0: never sample; min_shadow_orders 0-100000, would-pass orders approved unchanged in a row before orders skip a person, null: unchanged, 0: live at once); applies from the next order. Turning it on or changing what passes starts the count again.';

-- Every order the policy looked at: what it decided and why, and for the ones an agent checked
-- anyway (sampled, held), how the agent finished it and how many edits it took.
create view api.analytics_autoverify_decisions as
select d.merchant_id, d.order_id, d.verdict, d.reason, d.min_confidence, d.decided_at,
       (d.decided_at at time zone m.time_zone)::date as day,
       d.checked, d.checked_at, d.check_note,
       o.status, o.total_cents,
       t.outcome as agent_outcome,
       (select count(*) from app.order_edits e where e.merchant_id = d.merchant_id and e.order_id = d.order_id)
           as edits
  from app.autoverify_decisions d
  join app.merchants m on m.id = d.merchant_id
  join app.orders o on o.merchant_id = d.merchant_id and o.id = d.order_id
  left join lateral (select x.outcome from app.tasks x
                      where x.merchant_id = d.merchant_id and x.order_id = d.order_id
                        and x.kind = 'verification' and x.status = 'completed'
                      order by x.completed_at desc limit 1) t on true;
comment on view api.analytics_autoverify_decisions is
    'Each order the auto-verify policy looked at: verdict (verified, sampled, shadow: would pass while trust is earned, held), reason, lowest line confidence; for a would-pass order an agent finished, checked (unchanged, edited, rejected) and what it did to the count (check_note); the agent''s outcome and edits when one checked it.';

-- Per merchant and local week (Monday): orders submitted from calls, how many the policy looked
-- at, verified without a person, sampled, held; the sampled ones an agent finished and of those
-- the ones approved unchanged; the no-human-touch share and the precision estimated from the
-- sample (unchanged / finished), which is what the auto-verified orders' precision is, measured.
create view api.analytics_autoverify_weekly as
with submitted as (
    select s.merchant_id, date_trunc('week', (s.submitted_at at time zone m.time_zone))::date as week,
           count(*) as orders
      from api.analytics_order_stages s join app.merchants m on m.id = s.merchant_id
     where s.submitted_at is not null and s.call_id is not null
     group by 1, 2
), decided as (
    select d.merchant_id, date_trunc('week', d.day)::date as week,
           count(*) as evaluated,
           count(*) filter (where d.verdict = 'verified') as auto_verified,
           count(*) filter (where d.verdict = 'sampled') as sampled,
           count(*) filter (where d.verdict = 'shadow') as shadow,
           count(*) filter (where d.verdict = 'shadow' and d.checked is not null) as shadow_checked,
           count(*) filter (where d.verdict = 'shadow' and d.checked = 'unchanged') as shadow_unchanged,
           count(*) filter (where d.verdict = 'held') as held,
           count(*) filter (where d.verdict = 'sampled' and d.agent_outcome in ('approved', 'rejected'))
               as sampled_checked,
           count(*) filter (where d.verdict = 'sampled' and d.agent_outcome = 'approved' and d.edits = 0)
               as sampled_unchanged
      from api.analytics_autoverify_decisions d
     group by 1, 2
)
select coalesce(s.merchant_id, d.merchant_id) as merchant_id, coalesce(s.week, d.week) as week,
       coalesce(s.orders, 0) as orders,
       coalesce(d.evaluated, 0) as evaluated,
       coalesce(d.auto_verified, 0) as auto_verified,
       coalesce(d.sampled, 0) as sampled,
       coalesce(d.shadow, 0) as shadow,
       coalesce(d.shadow_checked, 0) as shadow_checked,
       coalesce(d.shadow_unchanged, 0) as shadow_unchanged,
       coalesce(d.held, 0) as held,
       coalesce(d.sampled_checked, 0) as sampled_checked,
       coalesce(d.sampled_unchanged, 0) as sampled_unchanged,
       round(100.0 * coalesce(d.auto_verified, 0) / nullif(s.orders, 0), 1) as no_human_touch_pct,
       round(100.0 * d.sampled_unchanged / nullif(d.sampled_checked, 0), 1) as estimated_precision_pct
  from submitted s full join decided d on d.merchant_id = s.merchant_id and d.week = s.week;
comment on view api.analytics_autoverify_weekly is
    'Per merchant and local week: orders from calls, evaluated, auto-verified (no person), sampled, shadow (would pass while trust is earned; checked by agents, unchanged), held; the no-human-touch share and the precision estimated from the sampled orders agents checked.';

-- Where each merchant's policy stands (docs/closed-loop.md, "Earned trust"): off, shadow or
-- live; the would-pass orders agents approved unchanged in a row out of the N it takes; when the
-- count last started again; the last time trust was lost, on which order and why.
create view api.analytics_autoverify_trust as
select p.merchant_id, app.autoverify_state(p) as state, p.checked_unchanged, p.min_shadow_orders,
       p.counting_since, p.trust_lost_at, p.trust_lost_order_id, p.trust_lost_reason,
       p.min_confidence, p.max_total_cents, p.returning_only, p.sample_one_in, p.passed
  from app.autoverify_policies p;
comment on view api.analytics_autoverify_trust is
    'Per merchant: the auto-verify policy''s state (off, shadow, live), checked_unchanged out of min_shadow_orders, counting_since, and the last time trust was lost (order, reason).';

grant execute on function api.autoverify_policy(), api.set_autoverify_policy(boolean, real, bigint, boolean, integer, integer)
   to kea_merchant;
grant select on api.analytics_autoverify_decisions, api.analytics_autoverify_weekly,
      api.analytics_autoverify_trust to kea_analyst;
