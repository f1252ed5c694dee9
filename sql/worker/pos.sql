-- The POS delivery job (pos_order): what to send, and what the POS's answer does to the
-- order, each in one short transaction with the job's completion.

-- The ticket: the merchant's POS connection, the idempotency key (the same on every attempt,
-- so a POS never takes one order twice), the order, its lines with the POS's catalog ids when
-- the menu carries them (`pos_id` of items, variations and options), the customer.
-- plpgsql, each table read in a statement of its own: Citus cannot plan a sql function's
-- queries with its parameters, and the one query joining the job queue (a coordinator table),
-- the order (a merchant's shard), the merchant, its POS and its menu (a reference table) took a
-- Citus 13.0.5 backend down (docs/scaling.md).
create function worker.pos_ticket(p_job_id bigint) returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    j app.jobs;
    o app.orders;
    m app.merchants;
    pc app.pos_connections;
    v_menu_id bigint;
    v_menu jsonb;
    v_lines jsonb;
begin
    select * into j from app.jobs where id = p_job_id;
    select * into o from app.orders
     where merchant_id = j.merchant_id and id = (j.args->>'order_id')::bigint;
    if o.id is null then
        return null;
    end if;
    select * into m from app.merchants where id = o.merchant_id;
    select * into pc from app.pos_connections where merchant_id = o.merchant_id;
    v_menu_id := app.order_menu(o);
    select k.document into v_menu from kea.menus k where k.menu_id = v_menu_id;
    v_lines := coalesce((
        select jsonb_agg(jsonb_build_object(
            'line_no', l.line_no, 'name', l.name, 'quantity', l.quantity,
            'item', l.item_code, 'variation', l.variation_code,
            'variation_name', l.variation_name,
            'unit_price_cents', l.unit_price_cents, 'line_total_cents', l.line_total_cents,
            'pos_item_id', item->>'pos_id',
            'pos_variation_id', (select v->>'pos_id' from jsonb_array_elements(item->'variations') v
                                  where v->>'code' = l.variation_code),
            'modifiers', coalesce((
                select jsonb_agg(md || jsonb_build_object('pos_id',
                           (select op->>'pos_id'
                              from jsonb_array_elements(v_menu->'groups') g,
                                   jsonb_array_elements(g->'options') op
                             where g->>'code' = md->>'group' and op->>'code' = md->>'option')))
                  from jsonb_array_elements(l.modifiers) md), '[]'))
            order by l.line_no)
          from app.order_lines l
          left join lateral (select i as item from jsonb_array_elements(v_menu->'items') i
                              where i->>'code' = l.item_code limit 1) it on true
         where l.merchant_id = o.merchant_id and l.order_id = o.id), '[]');
    return jsonb_build_object(
        'connection', jsonb_build_object('kind', pc.kind, 'base_url', pc.base_url,
                                         'secret', pc.secret, 'location_id', pc.location_id),
        'idempotency_key', 'kea-order-' || o.id,
        'reference', 'kea-' || o.id,
        'order', jsonb_build_object(
            'id', o.id, 'merchant_id', o.merchant_id, 'status', o.status,
            'currency', o.currency, 'subtotal_cents', o.subtotal_cents,
            'tax_cents', o.tax_cents, 'total_cents', o.total_cents, 'created_at', o.created_at),
        'store', jsonb_build_object('name', m.name, 'prep_minutes', m.prep_minutes),
        'customer', jsonb_build_object('name', o.customer_name, 'phone', o.customer_phone),
        'fulfillment', jsonb_build_object('type', o.fulfillment, 'address', o.address,
                                          'requested_time', o.requested_time),
        'lines', v_lines);
end
$$;

-- The POS took the order: the job completes and the order moves on (accepted at once, or
-- sent and waiting for the POS's word); an accepted order's text to the caller is queued.
create function worker.pos_delivered(p_worker text, p_job_id bigint, p_pos_order_id text,
                                     p_accepted boolean, p_ready_at timestamptz,
                                     p_response jsonb default null)
returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    j app.jobs := worker.held(p_worker, p_job_id);
    o app.orders;
begin
    perform worker.complete(p_worker, array[p_job_id], jsonb_build_object('pos_response', p_response));
    perform app.act_as('pos', p_pos_order_id, case when p_accepted then 'accepted' else 'received' end);
    update app.orders
       set pos_order_id = coalesce(p_pos_order_id, pos_order_id),
           ready_at = coalesce(p_ready_at, ready_at),
           status = case when p_accepted then 'accepted_by_pos' else 'sent_to_pos' end
     where merchant_id = j.merchant_id and id = (j.args->>'order_id')::bigint
       and status in ('verified', 'sent_to_pos')
    returning * into o;
    if o.status = 'accepted_by_pos' then
        perform app.order_accepted(o.merchant_id, o.id);
    end if;
    return coalesce(o.status, 'unchanged');
end
$$;

-- The POS refused the order for good (a 4xx that no retry can fix): the job is dead, so the
-- order fails and a person is asked to sort it out (app.on_job_dead).
create function worker.pos_refused(p_worker text, p_job_id bigint, p_error text,
                                   p_response jsonb default null)
returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
begin
    update app.jobs set args = args || jsonb_build_object('pos_response', p_response)
     where id = p_job_id;
    return worker.fail(p_worker, p_job_id, p_error, false);
end
$$;

grant execute on function worker.pos_ticket(bigint),
      worker.pos_delivered(text, bigint, text, boolean, timestamptz, jsonb),
      worker.pos_refused(text, bigint, text, jsonb) to kea_worker;
