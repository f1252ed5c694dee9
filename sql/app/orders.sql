-- Orders as the dialog submits them, and as one JSON object.

-- Saves a priced order (kea.price_order / dialog outcome format) and returns its id.
create function app.save_order(p_merchant_id bigint, p_call_id bigint, p_order jsonb, p_status text)
returns bigint
language plpgsql as $$
declare
    v_id bigint;
    d jsonb := coalesce(p_order->'details', '{}');
begin
    insert into app.orders (merchant_id, call_id, status, customer_name, customer_phone,
                            fulfillment, address, requested_time, subtotal_cents, tax_cents,
                            total_cents, currency)
    values (p_merchant_id, p_call_id, p_status, d->>'name', d->>'phone',
            coalesce(d->>'fulfillment', 'pickup'), d->>'address', d->'time',
            (p_order->>'subtotal_cents')::bigint, (p_order->>'tax_cents')::bigint,
            (p_order->>'total_cents')::bigint, coalesce(p_order->>'currency', 'USD'))
    returning id into v_id;

    insert into app.order_lines (merchant_id, order_id, line_no, item_id, item_code, name,
                                 variation_code, variation_name, quantity, unit_price_cents,
                                 line_total_cents, modifiers)
    select p_merchant_id, v_id, ord, (l->>'item_id')::bigint, l->>'item', l->>'name',
           l->>'variation', l->>'variation_name', (l->>'quantity')::int,
           (l->>'unit_price_cents')::bigint, (l->>'line_total_cents')::bigint,
           coalesce(l->'modifiers', '[]')
    from jsonb_array_elements(p_order->'lines') with ordinality as x(l, ord);
    return v_id;
end
$$;

-- An order with its lines as one JSON object: what `scripts/call --json` prints.
create function app.order_json(p_order_id bigint) returns jsonb
language sql stable as $$
    select to_jsonb(o) - 'merchant_id' || jsonb_build_object(
        'lines', coalesce((select jsonb_agg(to_jsonb(l) - 'merchant_id' - 'order_id' order by l.line_no)
                           from app.order_lines l
                           where l.merchant_id = o.merchant_id and l.order_id = o.id), '[]'))
    from app.orders o where o.id = p_order_id
$$;
