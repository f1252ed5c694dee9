-- The analysts' views (docs/analytics.md) on a small day: two orders verified by one agent, one
-- approved as the call produced it, one after the agent added a topping the caller wanted.
-- Read as kea_analyst. Columns that hold times or ids are left out: they change every run.
insert into app.merchants (slug, name, tax_rate_bp) values ('an-test', 'Analytics Pizza', 0);
select api.import_menu(id, '{
  "name": "AN",
  "items": [{"code": "pizza", "name": "Pizza", "groups": ["toppings"], "price_cents": 1000},
            {"code": "soda", "name": "Soda", "price_cents": 200}],
  "groups": [{"code": "toppings", "name": "Toppings", "max": 3,
              "options": [{"code": "olives", "name": "Olives", "price_cents": 100}]}]}') is not null as imported
  from app.merchants where slug = 'an-test';
select m.id as m, menu.id as menu
  from app.merchants m join app.menus menu on menu.merchant_id = m.id and menu.active
 where m.slug = 'an-test' \gset
select app.upsert_agent('an-agent@example.test', 'Analytics Agent', 'pw-an',
                        jsonb_build_object('merchants', jsonb_build_array(:m)), 2) as agent \gset
update app.agents set activity = case when id = :agent then 'available' else 'offline' end;
select set_config('request.jwt.claims', json_build_object('role', 'kea_agent', 'agent_id', :agent)::text, false) is not null as signed_in;

-- Two calls' orders: a pizza; a pizza and a soda.
select app.save_order(:m, null, kea.price_lines(:menu, '[{"item": "pizza"}]')
                                || '{"details": {"phone": "+15550005555"}}', 'pending_verification') as o1 \gset
select app.save_order(:m, null, kea.price_lines(:menu, '[{"item": "pizza"}, {"item": "soda"}]')
                                || '{"details": {"phone": "+15550006666"}}', 'pending_verification') as o2 \gset
select id as t1 from app.tasks where merchant_id = :m and order_id = :o1 \gset
select id as t2 from app.tasks where merchant_id = :m and order_id = :o2 \gset

-- The first approved as it is; the second after adding olives to its pizza.
select a->>'task_status' as task, a->>'reservation_status' as reservation, a->'order'->>'status' as "order" from api.accept_task(:t1) a;
select api.approve_order(:t1)->>'status' as approved;
select a->>'task_status' as task, a->>'reservation_status' as reservation, a->'order'->>'status' as "order" from api.accept_task(:t2) a;
select api.edit_order_line(:t2, 1, null, null, '[{"group": "toppings", "option": "olives"}]')->>'total_cents' as total_cents;
select api.approve_order(:t2)->>'status' as approved;

set role kea_analyst;
select orders, approved_unchanged, approved_unchanged_pct, rejected, edits
  from api.analytics_understanding where merchant_id = :m;
select action, line_no, item_code, item_changed, size_changed, quantity_changed, options_changed,
       options_before, options_after
  from api.analytics_corrections where merchant_id = :m;
select item_code, change, modifier_group, option, times
  from api.analytics_corrected_options where merchant_id = :m;
select action, item_code, item_changed, size_changed, quantity_changed, options_changed, speech
  from api.analytics_corrected_phrases where merchant_id = :m;
select name, email, offers, accepts, rejections, timeouts, approved, rejected, edits_per_order
  from api.analytics_agents where agent_id = :agent;
select calls, orders_started, submitted, verified, accepted_by_pos, completed
  from api.analytics_funnel where merchant_id = :m;
select item_code, name, variation_code, orders, quantity, revenue_cents
  from api.analytics_popular_items where merchant_id = :m order by item_code;
select modifier_group, option, qualifier, negated, lines, orders
  from api.analytics_popular_modifiers where merchant_id = :m;
select count(*) as orders, count(*) filter (where verification_s >= 0) as with_verification_time
  from api.analytics_handle_times where merchant_id = :m;
select status, submitted_at is not null as submitted, verified_at is not null as verified,
       sent_to_pos_at is not null as sent_to_pos
  from api.analytics_order_stages where merchant_id = :m order by order_id;
-- ... and nothing else: not the tenant views, not the tables.
select count(*) from api.orders;
select count(*) from app.orders;
reset role;
