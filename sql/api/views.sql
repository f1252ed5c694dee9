-- Rows as their audience may see them (docs/api.md): views read as the caller
-- (security_invoker), so the RLS policies of sql/app/policies.sql decide which rows a
-- kea_merchant, kea_agent or kea_pos token sees. A real PostgREST serves them as
-- GET /orders, /calls, ...; from SQL they are plain views.

create view api.merchants with (security_invoker) as
select m.id as merchant_id, m.slug, m.name, m.time_zone, m.tax_rate_bp, m.currency,
       m.transfer_number, m.voice, m.language, m.greeting, m.accepts_orders_when_closed,
       m.offers_delivery, m.asks_name, m.prep_minutes, m.hours_text
  from app.merchants m;
comment on view api.merchants is 'The signed-in merchant''s settings (agents: the merchants of their tasks).';

create view api.opening_hours with (security_invoker) as
select h.merchant_id, h.weekday, h.opens, h.closes from app.opening_hours h;
comment on view api.opening_hours is 'The signed-in merchant''s opening hours (weekday 0 = Sunday).';

create view api.calls with (security_invoker) as
select c.merchant_id, c.id as call_id, c.call_sid, c.from_number, c.to_number, c.status,
       c.outcome, c.order_id, c.started_at, c.ended_at, c.duration_s
  from app.calls c;
comment on view api.calls is 'Calls: a merchant''s own; an agent''s, those behind its tasks.';

create view api.turns with (security_invoker) as
select t.merchant_id, t.call_id, t.seq, t.event, t.speech, t.confidence, t.digits,
       t.understood, t.said, t.phase, t.dial_status, t.created_at
  from app.turns t;
comment on view api.turns is 'Transcripts turn by turn, for the calls the caller may see.';

create view api.orders with (security_invoker) as
select o.merchant_id, o.id as order_id, o.call_id, o.status, o.customer_name, o.customer_phone,
       o.fulfillment, o.address, o.requested_time, o.subtotal_cents, o.tax_cents, o.total_cents,
       o.currency, o.menu_id, o.pos_order_id, o.ready_at, o.created_at, o.updated_at
  from app.orders o;
comment on view api.orders is 'Orders: a merchant''s or POS token''s own; an agent''s, those behind its tasks.';

create view api.order_lines with (security_invoker) as
select l.merchant_id, l.order_id, l.line_no, l.item_code, l.name, l.variation_code,
       l.variation_name, l.quantity, l.unit_price_cents, l.line_total_cents, l.modifiers
  from app.order_lines l;
comment on view api.order_lines is 'The lines of the orders the caller may see.';

create view api.menu_items with (security_invoker) as
select i.merchant_id, i.menu_id, m.name as menu_name, m.active as menu_active, i.code, i.name,
       i.category_code, i.price_cents, i.available, i.aliases
  from app.menu_items i
  join app.menus m on m.merchant_id = i.merchant_id and m.id = i.menu_id;
comment on view api.menu_items is 'Menu items of the caller''s merchant (agents: of their tasks'' merchants), with sold-out state.';

create view api.tasks with (security_invoker) as
select t.merchant_id, t.id as task_id, t.order_id, t.kind, t.status, t.step, t.agent_id,
       t.outcome, t.reason, t.created_at, t.assigned_at, t.completed_at
  from app.tasks t;
comment on view api.tasks is 'The tasks routed to the signed-in agent.';

grant select on api.merchants, api.opening_hours, api.calls, api.turns, api.orders,
      api.order_lines, api.menu_items to kea_merchant;
grant select on api.merchants, api.calls, api.turns, api.orders, api.order_lines,
      api.menu_items, api.tasks to kea_agent;
grant select on api.orders, api.order_lines to kea_pos;
