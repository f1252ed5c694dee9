-- kea's own SQLSTATEs (docs/errors.md), one statement each: the code a client gets and the
-- message. regress.error_of runs a statement and returns its SQLSTATE (code) and message, so that
-- each row reads as "this call -> this error".
\set SHOW_CONTEXT never
create schema regress;
create function regress.error_of(p_sql text, out code text, out message text)
language plpgsql as $$
begin
    execute p_sql;
    code := '00000';
    message := 'no error';
exception when others then
    get stacked diagnostics code = returned_sqlstate, message = message_text;
end
$$;
grant usage on schema regress to public;

insert into app.merchants (slug, name, tax_rate_bp) values ('err-test', 'Error Pizza', 0);
select api.import_menu(id, '{"name": "E", "items": [
    {"code": "pizza", "name": "Pizza", "groups": ["toppings"], "price_cents": 1000},
    {"code": "knots", "name": "Knots", "price_cents": 500}],
  "groups": [{"code": "toppings", "name": "Toppings", "max": 1,
              "options": [{"code": "ham", "name": "Ham"}, {"code": "olives", "name": "Olives"}]}]}') is not null as imported
  from app.merchants where slug = 'err-test';
select m.id as m, menu.id as menu
  from app.merchants m join app.menus menu on menu.merchant_id = m.id and menu.active
 where m.slug = 'err-test' \gset
select app.upsert_agent('err-agent@example.test', 'Error Agent', 'pw-err',
                        jsonb_build_object('merchants', jsonb_build_array(:m)), 5) as agent \gset
update app.agents set activity = case when id = :agent then 'available' else 'offline' end;
select set_config('request.jwt.claims', json_build_object('role', 'kea_agent', 'agent_id', :agent)::text, false) is not null as signed_in;
select app.save_order(:m, null, kea.price_lines(:menu, '[{"item": "pizza"}]')
                                || '{"details": {"phone": "+15550001234"}}', 'pending_verification') as o \gset
select id as t from app.tasks where merchant_id = :m and order_id = :o \gset

-- Orders (KO): the status machine, the completeness check.
select * from regress.error_of(format('update app.orders set status = %L where id = %s', 'completed', :o));
select * from regress.error_of(format('insert into app.orders (merchant_id, status, subtotal_cents, tax_cents, total_cents) values (%s, %L, 0, 0, 0)', :m, 'verified'));
select * from regress.error_of(format(
    $$select app.check_order_complete(%s, app.save_order(%s, null, '{"lines": [{"item": "knots", "name": "Knots", "quantity": 1, "unit_price_cents": 0, "line_total_cents": 0}], "subtotal_cents": 0, "tax_cents": 0, "total_cents": 0}', 'pending_verification'))$$,
    :m, :m));

-- Tasks (KT): a task not offered to this agent; an offer that expired.
select * from regress.error_of('select api.accept_task(-1)');
update app.reservations set expires_at = now() - interval '1 second' where task_id = :t and status = 'pending';
select * from regress.error_of(format('select api.accept_task(%s)', :t));

-- Menu rules (KM): a line the menu does not allow, no such line, the last line, a rejection
-- without a reason (KM422); an option the menu does not have (KM404).
update app.reservations set expires_at = now() + interval '1 hour', status = 'pending' where task_id = :t;
update app.tasks set status = 'reserved' where id = :t;
select api.accept_task(:t)->'order'->>'status' as accepted;
select * from regress.error_of(format($$select api.edit_order_line(%s, 1, null, null, '[{"group": "toppings", "option": "ham"}, {"group": "toppings", "option": "olives"}]')$$, :t));
select * from regress.error_of(format('select api.remove_order_line(%s, 7)', :t));
select * from regress.error_of(format('select api.remove_order_line(%s, 1)', :t));
select * from regress.error_of(format('select api.reject_order(%s, %L)', :t, ' '));
set role kea_merchant;
select set_config('request.jwt.claims', json_build_object('role', 'kea_merchant', 'merchant_id', :m)::text, false) is not null as merchant_token;
select * from regress.error_of($$select api.set_option_available('option', 'anchovies', false)$$);
reset role;

-- POS tokens (KP) and the POS callback (KO).
set role kea_service;
select * from regress.error_of('select api.issue_pos_token(-42)');
select * from regress.error_of(format('select api.issue_pos_token(%s, 0)', :m));
reset role;
set role kea_pos;
select set_config('request.jwt.claims', json_build_object('role', 'kea_pos', 'merchant_id', :m)::text, false) is not null as pos_token;
select * from regress.error_of('select api.pos_order_update(-1, ''accepted_by_pos'', null, null)');
select * from regress.error_of(format('select api.pos_order_update(%s, %L, null, null)', :o, 'verified'));
reset role;

-- Analytics (KN).
set role kea_analyst;
select * from regress.error_of($$select api.analytics('orders')$$);
select * from regress.error_of(format($$select api.analytics('analytics_agents', 10, %s)$$, :m));
reset role;

-- Jobs (KJ): a job this worker does not hold (its lease was lost); only a dead or cancelled
-- job is run again.
select app.enqueue(:m, 'noop', '{}', 'err-test:job') as job \gset
select * from regress.error_of(format($$select worker.fail('nobody', %s, 'x', true)$$, :job));
select * from regress.error_of(format('select app.retry_job(%s)', :job));

-- Sign-in (KA): a wrong password and too many of them are answered, not raised, so that the
-- failed attempt is kept (app.http_error); no token secret is raised.
begin;
delete from app.jwt_secrets;
select * from regress.error_of($$select api.login('err-agent@example.test', 'pw-err')$$);
rollback;
set role kea_anon;
select api.login('err-agent@example.test', 'wrong') - 'hint' - 'details' as answer;
select api.login('err-agent@example.test', 'wrong')->>'code' as second,
       api.login('err-agent@example.test', 'wrong')->>'code' as third,
       api.login('err-agent@example.test', 'wrong')->>'code' as fourth,
       api.login('err-agent@example.test', 'wrong')->>'code' as fifth;
select api.login('err-agent@example.test', 'pw-err')->>'code' as sixth_even_right;
reset role;
