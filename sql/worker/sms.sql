-- The text-message job (sms): what to send, to whom, and what came of it. The Messages API has
-- no idempotency key, so the message carries the order's reference ("order #123:"), which the
-- worker looks for in what was already sent before it sends again.

-- "2 Large Pepperoni Pizza, 1 Garden Salad (Ranch)"
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.order_lines_text(p_merchant_id bigint, p_order_id bigint) returns text
language plpgsql stable as $$
#variable_conflict use_column
begin
    return (
        select string_agg(l.quantity || ' ' || coalesce(l.variation_name || ' ', '') || l.name
                          || coalesce(' (' || (select string_agg(case when (m->>'negated')::boolean then 'no ' else '' end
                                                                 || coalesce(m->>'qualifier' || ' ', '') || (m->>'name'), ', ')
                                                 from jsonb_array_elements(l.modifiers) m) || ')', ''),
                          ', ' order by l.line_no)
          from app.order_lines l where l.merchant_id = p_merchant_id and l.order_id = p_order_id);
end
$$;

create function app.money(p_cents bigint) returns text
language sql immutable as $$
    select to_char(p_cents / 100.0, 'FM$999999990.00')
$$;

-- The message for a job: {to, from, body, reference, template, order_id, since, opted_out}.
create function worker.sms_message(p_job_id bigint) returns jsonb
language plpgsql stable security definer set search_path = pg_catalog, public as $$
declare
    j app.jobs;
    o app.orders;
    m app.merchants;
    v_template text;
    v_to text;
    v_ref text;
    v_ready text;
    v_body text;
begin
    select * into j from app.jobs where id = p_job_id;
    select * into o from app.orders where merchant_id = j.merchant_id and id = (j.args->>'order_id')::bigint;
    select * into m from app.merchants where id = j.merchant_id;
    v_template := j.args->>'template';
    v_ref := 'order #' || o.id || ':';
    v_ready := to_char(coalesce(o.ready_at, o.updated_at + make_interval(mins => coalesce(m.prep_minutes, 20)))
                       at time zone m.time_zone, 'FMHH12:MI AM');
    case v_template
        when 'confirmation' then
            v_to := o.customer_phone;
            v_body := format('%s %s %s. Total %s. %s around %s. Reply STOP to opt out.',
                             m.name, v_ref, app.order_lines_text(o.merchant_id, o.id),
                             app.money(o.total_cents),
                             case o.fulfillment when 'delivery' then 'Delivery' else 'Ready for pickup' end,
                             v_ready);
        when 'rejected' then
            v_to := o.customer_phone;
            v_body := format('%s %s sorry, we could not confirm your order. Please call us%s.',
                             m.name, v_ref, coalesce(' at ' || m.transfer_number, ''));
        when 'store_escalation' then
            v_to := m.transfer_number;
            v_body := format('kea %s please confirm with the caller %s: %s. Total %s, %s.',
                             v_ref, coalesce(o.customer_phone, '(number withheld)'),
                             app.order_lines_text(o.merchant_id, o.id), app.money(o.total_cents),
                             o.fulfillment || coalesce(' to ' || o.address, ''));
        else
            raise exception 'no SMS template %', v_template using errcode = '22023';
    end case;
    return jsonb_build_object(
        'to', v_to,
        'from', (select min(e164) from app.phone_numbers where merchant_id = m.id),
        'body', left(v_body, 1600),
        'reference', v_ref,
        'template', v_template,
        'order_id', o.id,
        -- Where a look-up for an earlier attempt's message may start (Messages' DateSent).
        'since', j.created_at,
        'opted_out', v_to is not null and exists (select 1 from app.sms_opt_outs where phone = v_to));
end
$$;

-- Sent (or found already sent by an earlier attempt): the job completes, the message is kept.
create function worker.sms_sent(p_worker text, p_job_id bigint, p_sid text, p_status text,
                                p_found_existing boolean default false)
returns void
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    j app.jobs := worker.held(p_worker, p_job_id);
    v jsonb := worker.sms_message(p_job_id);
begin
    perform worker.complete(p_worker, array[p_job_id], jsonb_build_object('sid', p_sid, 'found_existing', p_found_existing));
    insert into app.sms_messages (merchant_id, order_id, direction, template, to_number, from_number,
                                  body, sid, status)
    values (j.merchant_id, (v->>'order_id')::bigint, 'outbound', v->>'template', v->>'to',
            v->>'from', v->>'body', p_sid, p_status)
    on conflict (merchant_id, sid) where sid is not null do nothing;
end
$$;

-- Not sent, and never will be: the number opted out (Twilio's 21610, or a STOP kea saw), or
-- there is no number to send to. The job completes; the order is not affected.
create function worker.sms_skipped(p_worker text, p_job_id bigint, p_reason text)
returns void
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    j app.jobs := worker.held(p_worker, p_job_id);
    v jsonb := worker.sms_message(p_job_id);
begin
    perform worker.complete(p_worker, array[p_job_id], jsonb_build_object('skipped', p_reason));
    if p_reason = 'opted_out' and v->>'to' is not null then
        insert into app.sms_opt_outs (phone, keyword) values (v->>'to', '21610')
        on conflict (phone) do nothing;
    end if;
end
$$;

grant execute on function worker.sms_message(bigint), worker.sms_sent(text, bigint, text, text, boolean),
      worker.sms_skipped(text, bigint, text) to kea_worker;
