-- The analyst views (docs/analytics.md) on a small day: two orders verified by one agent, one
-- approved as the call produced it, one after adding a topping; read as kea_analyst. Rolled back.

insert into app.merchants (slug, name, tax_rate_bp) values ('an-test', 'Analytics Pizza', 0);
select api.import_menu((select id from app.merchants where slug = 'an-test'), '{
  "name": "AN",
  "items": [{"code": "pizza", "name": "Pizza", "groups": ["toppings"], "price_cents": 1000},
            {"code": "soda", "name": "Soda", "price_cents": 200}],
  "groups": [{"code": "toppings", "name": "Toppings", "max": 3,
              "options": [{"code": "olives", "name": "Olives", "price_cents": 100}]}]}');

do $$
declare
    m bigint := (select id from app.merchants where slug = 'an-test');
    menu bigint := (select id from app.menus where merchant_id = (select id from app.merchants where slug = 'an-test') and active);
    ag bigint := app.upsert_agent('an-agent@example.test', 'Analytics Agent', 'pw-an',
                                  format('{"merchants": [%s]}', (select id from app.merchants where slug = 'an-test'))::jsonb, 2);
    o1 bigint;
    o2 bigint;
    t bigint;
    r record;
begin
    update app.agents set activity = 'offline' where id <> ag;
    update app.agents set activity = 'available' where id = ag;
    perform set_config('request.jwt.claims', json_build_object('role', 'kea_agent', 'agent_id', ag)::text, true);
    o1 := app.save_order(m, null, kea.price_lines(menu, '[{"item": "pizza"}]') || '{"details": {"phone": "+15550005555"}}', 'pending_verification');
    o2 := app.save_order(m, null, kea.price_lines(menu, '[{"item": "pizza"}, {"item": "soda"}]') || '{"details": {"phone": "+15550006666"}}', 'pending_verification');
    -- the first approved as it is
    select id into t from app.tasks where merchant_id = m and order_id = o1;
    perform api.accept_task(t);
    perform api.approve_order(t);
    -- the second: the caller wanted olives
    select id into t from app.tasks where merchant_id = m and order_id = o2;
    perform api.accept_task(t);
    perform api.edit_order_line(t, 1, null, null, '[{"group": "toppings", "option": "olives"}]');
    perform api.approve_order(t);

    set local role kea_analyst;
    select * into r from api.analytics_understanding where merchant_id = m;
    assert r.orders = 2 and r.approved_unchanged = 1 and r.approved_unchanged_pct = 50.0 and r.edits = 1,
        format('understanding: %s', to_jsonb(r));
    select * into r from api.analytics_corrections where merchant_id = m;
    assert r.item_code = 'pizza' and r.options_changed and not r.item_changed and not r.quantity_changed,
        format('corrections: %s', to_jsonb(r));
    select * into r from api.analytics_corrected_options where merchant_id = m;
    assert r.change = 'added' and r.option = 'olives' and r.times = 1, format('options: %s', to_jsonb(r));
    assert (select count(*) from api.analytics_corrected_phrases where merchant_id = m) = 1;
    select * into r from api.analytics_agents where agent_id = ag;
    assert r.offers = 2 and r.accepts = 2 and r.approved = 2 and r.edits_per_order = 0.50,
        format('agents: %s', to_jsonb(r));
    select * into r from api.analytics_funnel where merchant_id = m;
    assert r.orders_started = 2 and r.submitted = 2 and r.verified = 2, format('funnel: %s', to_jsonb(r));
    assert (select quantity from api.analytics_popular_items where merchant_id = m and item_code = 'pizza') = 2;
    assert (select lines from api.analytics_popular_modifiers where merchant_id = m and option = 'olives') = 1;
    assert (select count(*) from api.analytics_handle_times where merchant_id = m and verification_s >= 0) = 2;
    assert (select count(*) from api.analytics_order_stages where merchant_id = m and verified_at is not null) = 2;
    reset role;
end $$;
