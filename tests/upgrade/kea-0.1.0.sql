-- A kea database at release 0.1.0 (pg_kea 0.1.0, migrations 0001-0007 of that release), with
-- the demo merchant and one call: tests/tests/setup_scripts.rs restores it into a database
-- where pg_kea 0.1.0 is created, runs scripts/migrate, and checks the result against
-- sql/schema.dump.sql. Made with pg_dump --inserts from that release; do not edit.
SET check_function_bodies = false;
-- What a whole-database dump would also hold: the privileges on the extension schema (0001).
GRANT USAGE ON SCHEMA kea TO kea_owner;
GRANT SELECT, INSERT, UPDATE ON kea.menus TO kea_owner;
--
-- PostgreSQL database dump
--

--
-- Name: api; Type: SCHEMA; Schema: -; Owner: kea_owner
--

CREATE SCHEMA api;

ALTER SCHEMA api OWNER TO kea_owner;

--
-- Name: app; Type: SCHEMA; Schema: -; Owner: kea_owner
--

CREATE SCHEMA app;

ALTER SCHEMA app OWNER TO kea_owner;

--
-- Name: call_summary(text); Type: FUNCTION; Schema: api; Owner: kea_owner
--

CREATE FUNCTION api.call_summary(p_call_sid text) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public'
    AS $$
    select jsonb_build_object(
        'call_sid', c.call_sid, 'merchant_id', c.merchant_id, 'status', c.status,
        'outcome', c.outcome, 'from', c.from_number, 'to', c.to_number,
        'started_at', c.started_at, 'ended_at', c.ended_at,
        'turns', (select jsonb_agg(jsonb_build_object(
                        'seq', t.seq, 'event', t.event, 'speech', t.speech,
                        'confidence', t.confidence, 'digits', t.digits, 'said', t.said,
                        'phase', t.phase, 'elapsed_ms', t.elapsed_ms) order by t.seq)
                  from app.turns t where t.merchant_id = c.merchant_id and t.call_id = c.id),
        'order', app.order_json(c.order_id))
    from app.calls c where c.call_sid = p_call_sid
$$;

ALTER FUNCTION api.call_summary(p_call_sid text) OWNER TO kea_owner;

--
-- Name: import_menu(bigint, jsonb, boolean); Type: FUNCTION; Schema: api; Owner: kea_owner
--

CREATE FUNCTION api.import_menu(p_merchant_id bigint, p_document jsonb, p_activate boolean DEFAULT true) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
    v_menu_id bigint;
begin
    if p_activate then
        update app.menus set active = false where merchant_id = p_merchant_id and active;
    end if;
    insert into app.menus (merchant_id, name, active, extra)
    values (p_merchant_id, coalesce(p_document->>'name', 'Menu'), p_activate,
            p_document - array['id', 'name', 'currency', 'tax_rate_bp', 'categories', 'items', 'groups'])
    returning id into v_menu_id;

    insert into app.menu_categories (merchant_id, menu_id, code, name, aliases, position, extra)
    select p_merchant_id, v_menu_id, c->>'code', coalesce(c->>'name', c->>'code'),
           array(select jsonb_array_elements_text(coalesce(c->'aliases', '[]'))), ord,
           c - array['id', 'code', 'name', 'aliases']
    from jsonb_array_elements(coalesce(p_document->'categories', '[]')) with ordinality as x(c, ord);

    insert into app.modifier_groups (merchant_id, menu_id, code, name, min_choices, max_choices,
                                     qualified, negatable, position, extra)
    select p_merchant_id, v_menu_id, g->>'code', coalesce(g->>'name', g->>'code'),
           coalesce((g->>'min')::int, 0), coalesce((g->>'max')::int, 0),
           coalesce((g->>'qualified')::boolean, false), coalesce((g->>'negatable')::boolean, false),
           ord, g - array['id', 'code', 'name', 'min', 'max', 'qualified', 'negatable', 'options']
    from jsonb_array_elements(coalesce(p_document->'groups', '[]')) with ordinality as x(g, ord);

    insert into app.modifier_options (merchant_id, menu_id, group_id, code, name, aliases,
                                      price_cents, is_default, available, position, extra)
    select p_merchant_id, v_menu_id, mg.id, o->>'code', coalesce(o->>'name', o->>'code'),
           array(select jsonb_array_elements_text(coalesce(o->'aliases', '[]'))),
           coalesce((o->>'price_cents')::bigint, 0), coalesce((o->>'default')::boolean, false),
           coalesce((o->>'available')::boolean, true), ord,
           o - array['id', 'code', 'name', 'aliases', 'price_cents', 'default', 'available']
    from jsonb_array_elements(coalesce(p_document->'groups', '[]')) as x(g)
    join app.modifier_groups mg on mg.menu_id = v_menu_id and mg.code = g->>'code'
    cross join lateral jsonb_array_elements(coalesce(g->'options', '[]')) with ordinality as y(o, ord);

    insert into app.menu_items (merchant_id, menu_id, category_code, code, name, aliases,
                                price_cents, available, default_variation, variation_slot,
                                position, extra)
    select p_merchant_id, v_menu_id, i->>'category', i->>'code', coalesce(i->>'name', i->>'code'),
           array(select jsonb_array_elements_text(coalesce(i->'aliases', '[]'))),
           coalesce((i->>'price_cents')::bigint, 0), coalesce((i->>'available')::boolean, true),
           i->>'default_variation', i->>'variation_slot', ord,
           i - array['id', 'code', 'name', 'category', 'aliases', 'price_cents', 'available',
                     'default_variation', 'variation_slot', 'variations', 'groups']
    from jsonb_array_elements(coalesce(p_document->'items', '[]')) with ordinality as x(i, ord);

    insert into app.item_variations (merchant_id, menu_id, item_id, code, name, aliases,
                                     price_cents, available, position, extra)
    select p_merchant_id, v_menu_id, mi.id, v->>'code', coalesce(v->>'name', v->>'code'),
           array(select jsonb_array_elements_text(coalesce(v->'aliases', '[]'))),
           coalesce((v->>'price_cents')::bigint, 0), coalesce((v->>'available')::boolean, true),
           ord, v - array['id', 'code', 'name', 'aliases', 'price_cents', 'available']
    from jsonb_array_elements(coalesce(p_document->'items', '[]')) as x(i)
    join app.menu_items mi on mi.menu_id = v_menu_id and mi.code = i->>'code'
    cross join lateral jsonb_array_elements(coalesce(i->'variations', '[]')) with ordinality as y(v, ord);

    insert into app.item_modifier_groups (merchant_id, menu_id, item_id, group_id, position)
    select p_merchant_id, v_menu_id, mi.id, mg.id, ord
    from jsonb_array_elements(coalesce(p_document->'items', '[]')) as x(i)
    join app.menu_items mi on mi.menu_id = v_menu_id and mi.code = i->>'code'
    cross join lateral jsonb_array_elements_text(coalesce(i->'groups', '[]')) with ordinality as y(gcode, ord)
    join app.modifier_groups mg on mg.menu_id = v_menu_id and mg.code = gcode;

    return v_menu_id;
end
$$;

ALTER FUNCTION api.import_menu(p_merchant_id bigint, p_document jsonb, p_activate boolean) OWNER TO kea_owner;

--
-- Name: FUNCTION import_menu(p_merchant_id bigint, p_document jsonb, p_activate boolean); Type: COMMENT; Schema: api; Owner: kea_owner
--

COMMENT ON FUNCTION api.import_menu(p_merchant_id bigint, p_document jsonb, p_activate boolean) IS 'Imports a menu document as a new (by default active) menu of the merchant; returns its id.';

--
-- Name: replay_call(text); Type: FUNCTION; Schema: api; Owner: kea_owner
--

CREATE FUNCTION api.replay_call(p_call_sid text) RETURNS TABLE(seq integer, event text, speech text, said text, replayed text, same boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public'
    AS $$
declare
    c app.calls;
    t app.turns;
    v_state json := '{}';
    r kea.turn_result;
begin
    select * into c from app.calls x where x.call_sid = p_call_sid;
    if c.id is null then
        raise exception 'no call %', p_call_sid using errcode = 'P0002';
    end if;
    if c.store is null then
        c.store := (select app.store_json(m)::json from app.merchants m where m.id = c.merchant_id);
    end if;
    for t in select * from app.turns x where x.merchant_id = c.merchant_id and x.call_id = c.id order by x.seq loop
        r := kea.dialog_turn(c.menu_id, v_state::text, c.store::text, t.seq, c.from_number, t.event,
                             t.speech, t.confidence, t.digits, t.dial_status);
        v_state := r.state;
        seq := t.seq;
        event := t.event;
        speech := t.speech;
        said := t.said;
        replayed := r.say;
        same := replayed is not distinct from t.said;
        return next;
    end loop;
end
$$;

ALTER FUNCTION api.replay_call(p_call_sid text) OWNER TO kea_owner;

--
-- Name: set_item_available(bigint, text, boolean); Type: FUNCTION; Schema: api; Owner: kea_owner
--

CREATE FUNCTION api.set_item_available(p_merchant_id bigint, p_item_code text, p_available boolean) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
    update app.menu_items i set available = p_available
    from app.menus m
    where m.merchant_id = p_merchant_id and m.active and i.menu_id = m.id and i.code = p_item_code
    returning true
$$;

ALTER FUNCTION api.set_item_available(p_merchant_id bigint, p_item_code text, p_available boolean) OWNER TO kea_owner;

--
-- Name: twilio_gather(jsonb, integer); Type: FUNCTION; Schema: api; Owner: kea_owner
--

CREATE FUNCTION api.twilio_gather(p_params jsonb, p_turn integer) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public'
    AS $$
declare
    t0 timestamptz := clock_timestamp();
    c  app.calls;
    r  kea.turn_result;
    m  app.merchants;
    v_kind text;
    v_speech text;
    v_confidence real;
    v_digits text;
    v_dial_status text;
    v_order bigint;
begin
    select * into c from app.calls
     where merchant_id = (select p.merchant_id from app.phone_numbers p where p.e164 = p_params->>'To')
       and call_sid = p_params->>'CallSid'
       for update;
    if c.id is null then
        -- An unknown number, or a call this merchant never started.
        m := app.merchant_for_number(p_params->>'To');
        return kea.twiml_apology(m.transfer_number, m.voice, m.language);
    end if;
    if c.store is null then
        -- A call that started before its settings were kept on the call.
        c.store := (select app.store_json(x)::json from app.merchants x where x.id = c.merchant_id);
    end if;
    if p_turn < c.next_turn then
        return coalesce((select twiml from app.turns
                          where merchant_id = c.merchant_id and call_id = c.id and seq = p_turn),
                        kea.twiml_apology(c.store->>'transfer_number', c.store->'voice'->>'voice',
                                          c.store->'voice'->>'language'));
    end if;
    if c.status = 'ended' then
        return '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
    end if;
    v_kind := case
        when c.next_turn = 0 then 'start'
        when p_params ? 'DialCallStatus' then 'dial_result'
        when coalesce(p_params->>'Digits', '') <> '' then 'digits'
        when coalesce(p_params->>'SpeechResult', '') <> '' then 'speech'
        else 'silence'
    end;
    -- The event as app.turns keeps it: only the fields of its kind.
    if v_kind = 'speech' then
        v_speech := p_params->>'SpeechResult';
        v_confidence := coalesce((p_params->>'Confidence')::real, 1.0);
    elsif v_kind = 'digits' then
        v_digits := p_params->>'Digits';
    elsif v_kind = 'dial_result' then
        v_dial_status := p_params->>'DialCallStatus';
    end if;
    r := kea.dialog_turn(c.menu_id, c.state::text, c.store::text, c.next_turn, c.from_number, v_kind,
                         v_speech, v_confidence, v_digits, v_dial_status);
    if r.call_outcome = 'ordered' then
        v_order := app.save_order(c.merchant_id, c.id, r."order", 'pending_verification');
    end if;
    insert into app.turns (merchant_id, call_id, seq, event, speech, confidence, digits,
                           dial_status, understood, said, twiml, phase, elapsed_ms)
    values (c.merchant_id, c.id, c.next_turn, v_kind, v_speech, v_confidence, v_digits,
            v_dial_status, r.understood, r.say, r.twiml, r.phase,
            extract(epoch from clock_timestamp() - t0) * 1000);
    update app.calls
       set state = r.state,
           next_turn = c.next_turn + 1,
           order_id = coalesce(v_order, order_id),
           outcome = coalesce(r.call_outcome, outcome)
     where merchant_id = c.merchant_id and id = c.id;
    return r.twiml;
end
$$;

ALTER FUNCTION api.twilio_gather(p_params jsonb, p_turn integer) OWNER TO kea_owner;

--
-- Name: twilio_status(jsonb); Type: FUNCTION; Schema: api; Owner: kea_owner
--

CREATE FUNCTION api.twilio_status(p_params jsonb) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public'
    AS $$
declare
    m  app.merchants;
    c  app.calls;
    v_status text := p_params->>'CallStatus';
    v_final boolean := p_params->>'CallStatus' in ('completed', 'busy', 'failed', 'no-answer', 'canceled');
    v_order bigint;
begin
    m := app.merchant_for_number(p_params->>'To');
    if m.id is null then
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
    end if;
    select * into c from app.calls
     where merchant_id = m.id and call_sid = p_params->>'CallSid'
     for update;
    if c.id is null or (c.status = 'ended' and not v_final) then
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
    end if;
    if v_final and c.status = 'active' and c.outcome is null
       and json_array_length(coalesce(c.state->'cart', '[]')) > 0 then
        v_order := app.save_order(c.merchant_id, c.id,
                                  kea.price_order(c.menu_id, (c.state->'cart')::jsonb,
                                                  coalesce(c.state->'details', '{}')::jsonb),
                                  'abandoned');
    end if;
    update app.calls
       set twilio_status = v_status,
           duration_s = coalesce((p_params->>'CallDuration')::int, duration_s),
           recording_url = coalesce(p_params->>'RecordingUrl', recording_url),
           recording_sid = coalesce(p_params->>'RecordingSid', recording_sid),
           recording_duration_s = coalesce((p_params->>'RecordingDuration')::int, recording_duration_s),
           status = case when v_final then 'ended' else status end,
           ended_at = case when v_final then coalesce(ended_at, app.now()) else ended_at end,
           order_id = coalesce(order_id, v_order),
           outcome = case when v_final and outcome is null
                          then case when v_order is not null then 'abandoned' else 'hung_up' end
                          else outcome end
     where merchant_id = c.merchant_id and id = c.id;
    return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
end
$$;

ALTER FUNCTION api.twilio_status(p_params jsonb) OWNER TO kea_owner;

--
-- Name: twilio_voice(jsonb); Type: FUNCTION; Schema: api; Owner: kea_owner
--

CREATE FUNCTION api.twilio_voice(p_params jsonb) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public'
    AS $$
declare
    m  app.merchants;
    v_menu bigint;
begin
    m := app.merchant_for_number(p_params->>'To');
    if m.id is null then
        return kea.twiml_apology(null);
    end if;
    select id into v_menu from app.menus where merchant_id = m.id and active;
    if v_menu is null then
        return kea.twiml_apology(m.transfer_number, m.voice, m.language);
    end if;
    insert into app.calls (merchant_id, call_sid, from_number, to_number, menu_id, twilio_status,
                           store)
    values (m.id, p_params->>'CallSid', nullif(p_params->>'From', ''), p_params->>'To', v_menu,
            p_params->>'CallStatus', app.store_json(m)::json)
    on conflict (merchant_id, call_sid) do nothing;
    return api.twilio_gather(p_params, 0);
end
$$;

ALTER FUNCTION api.twilio_voice(p_params jsonb) OWNER TO kea_owner;

--
-- Name: hours_text(bigint); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.hours_text(p_merchant_id bigint) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    with spans as (
        select weekday,
               case when opens = '00:00' and closes = '24:00' then 'all day'
                    else trim(to_char(opens, 'FMHH12:MI AM')) || ' to '
                         || trim(to_char(closes, 'FMHH12:MI AM')) end as span
        from app.opening_hours where merchant_id = p_merchant_id
    ), by_span as (
        select span, array_agg(weekday order by weekday) as days from spans group by span
    )
    select case
        when not exists (select 1 from spans) then 'We have no opening hours listed.'
        else 'We''re open ' || string_agg(
            case when cardinality(days) = 7 then 'every day, ' || span
                 else array_to_string(array(
                        select (array['Sunday','Monday','Tuesday','Wednesday','Thursday',
                                      'Friday','Saturday'])[d + 1] from unnest(days) d), ', ')
                      || ', ' || span end,
            '; ' order by days[1]) || '.'
        end
    from by_span
$$;

ALTER FUNCTION app.hours_text(p_merchant_id bigint) OWNER TO kea_owner;

--
-- Name: is_open(bigint, timestamp with time zone); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.is_open(p_merchant_id bigint, p_at timestamp with time zone) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
declare
    v_local timestamp;
    v_dow int;
    v_tod time;
begin
    select p_at at time zone m.time_zone into v_local from app.merchants m where m.id = p_merchant_id;
    if v_local is null then
        return false;
    end if;
    v_dow := extract(dow from v_local)::int;
    v_tod := v_local::time;
    return exists (
        select 1 from app.opening_hours h
        where h.merchant_id = p_merchant_id
          and (
            -- a span that starts today
            (h.weekday = v_dow and v_tod >= h.opens
                and (h.closes > h.opens and v_tod < h.closes or h.closes <= h.opens))
            -- yesterday's span running past midnight
            or (h.weekday = (v_dow + 6) % 7 and h.closes <= h.opens and h.closes <> '00:00'
                and v_tod < h.closes)
          ));
end
$$;

ALTER FUNCTION app.is_open(p_merchant_id bigint, p_at timestamp with time zone) OWNER TO kea_owner;

--
-- Name: menu_document(bigint); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.menu_document(p_menu_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    select m.extra || jsonb_build_object(
        'id', m.id,
        'name', m.name,
        'currency', mer.currency,
        'tax_rate_bp', mer.tax_rate_bp,
        'categories', coalesce((
            select jsonb_agg(c.extra || jsonb_build_object(
                'id', c.id, 'code', c.code, 'name', c.name, 'aliases', to_jsonb(c.aliases))
                order by c.position, c.id)
            from app.menu_categories c where c.menu_id = m.id), '[]'),
        'items', coalesce((
            select jsonb_agg(i.extra || jsonb_build_object(
                'id', i.id, 'code', i.code, 'name', i.name, 'category', i.category_code,
                'aliases', to_jsonb(i.aliases), 'price_cents', i.price_cents,
                'available', i.available, 'default_variation', i.default_variation,
                'variation_slot', i.variation_slot,
                'variations', coalesce((
                    select jsonb_agg(v.extra || jsonb_build_object(
                        'id', v.id, 'code', v.code, 'name', v.name,
                        'aliases', to_jsonb(v.aliases), 'price_cents', v.price_cents,
                        'available', v.available) order by v.position, v.id)
                    from app.item_variations v where v.item_id = i.id), '[]'),
                'groups', coalesce((
                    select jsonb_agg(g.code order by ig.position, g.id)
                    from app.item_modifier_groups ig
                    join app.modifier_groups g on g.id = ig.group_id
                    where ig.item_id = i.id), '[]'))
                order by i.position, i.id)
            from app.menu_items i where i.menu_id = m.id), '[]'),
        'groups', coalesce((
            select jsonb_agg(g.extra || jsonb_build_object(
                'id', g.id, 'code', g.code, 'name', g.name,
                'min', g.min_choices, 'max', g.max_choices,
                'qualified', g.qualified, 'negatable', g.negatable,
                'options', coalesce((
                    select jsonb_agg(o.extra || jsonb_build_object(
                        'id', o.id, 'code', o.code, 'name', o.name,
                        'aliases', to_jsonb(o.aliases), 'price_cents', o.price_cents,
                        'default', o.is_default, 'available', o.available)
                        order by o.position, o.id)
                    from app.modifier_options o where o.group_id = g.id), '[]'))
                order by g.position, g.id)
            from app.modifier_groups g where g.menu_id = m.id), '[]'))
    from app.menus m
    join app.merchants mer on mer.id = m.merchant_id
    where m.id = p_menu_id
$$;

ALTER FUNCTION app.menu_document(p_menu_id bigint) OWNER TO kea_owner;

--
-- Name: merchants; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.merchants (
    id bigint NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    time_zone text DEFAULT 'America/New_York'::text NOT NULL,
    tax_rate_bp integer DEFAULT 0 NOT NULL,
    currency text DEFAULT 'USD'::text NOT NULL,
    transfer_number text,
    voice text DEFAULT 'Polly.Joanna'::text NOT NULL,
    language text DEFAULT 'en-US'::text NOT NULL,
    greeting text,
    accepts_orders_when_closed boolean DEFAULT false NOT NULL,
    offers_delivery boolean DEFAULT false NOT NULL,
    asks_name boolean DEFAULT false NOT NULL,
    prep_minutes integer,
    hours_text text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT merchants_prep_minutes_check CHECK ((prep_minutes > 0)),
    CONSTRAINT merchants_slug_check CHECK ((slug ~ '^[a-z0-9-]+$'::text)),
    CONSTRAINT merchants_tax_rate_bp_check CHECK (((tax_rate_bp >= 0) AND (tax_rate_bp <= 5000))),
    CONSTRAINT merchants_time_zone_check CHECK (((now() AT TIME ZONE time_zone) IS NOT NULL))
);

ALTER TABLE app.merchants OWNER TO kea_owner;

--
-- Name: TABLE merchants; Type: COMMENT; Schema: app; Owner: kea_owner
--

COMMENT ON TABLE app.merchants IS 'Restaurants: the tenants. Voice, greeting and flow options are editable here.';

--
-- Name: merchant_for_number(text); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.merchant_for_number(p_to text) RETURNS app.merchants
    LANGUAGE plpgsql STABLE
    AS $$
declare
    m app.merchants;
begin
    select x.* into m from app.phone_numbers p join app.merchants x on x.id = p.merchant_id
     where p.e164 = p_to;
    return m;
end
$$;

ALTER FUNCTION app.merchant_for_number(p_to text) OWNER TO kea_owner;

--
-- Name: now(); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.now() RETURNS timestamp with time zone
    LANGUAGE plpgsql STABLE
    AS $$
begin
    return coalesce(nullif(current_setting('kea.now', true), '')::timestamptz, now());
end
$$;

ALTER FUNCTION app.now() OWNER TO kea_owner;

--
-- Name: on_menu_change(); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.on_menu_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    perform app.publish_menu(menu_id) from (select distinct menu_id from changed) t;
    return null;
end
$$;

ALTER FUNCTION app.on_menu_change() OWNER TO kea_owner;

--
-- Name: on_menus_change(); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.on_menus_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    perform app.publish_menu(id) from (select distinct id from changed) t;
    return null;
end
$$;

ALTER FUNCTION app.on_menus_change() OWNER TO kea_owner;

--
-- Name: on_merchant_change(); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.on_merchant_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    perform app.publish_menu(m.id) from app.menus m where m.merchant_id = new.id;
    return null;
end
$$;

ALTER FUNCTION app.on_merchant_change() OWNER TO kea_owner;

--
-- Name: order_json(bigint); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.order_json(p_order_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    select to_jsonb(o) - 'merchant_id' || jsonb_build_object(
        'lines', coalesce((select jsonb_agg(to_jsonb(l) - 'merchant_id' - 'order_id' order by l.line_no)
                           from app.order_lines l
                           where l.merchant_id = o.merchant_id and l.order_id = o.id), '[]'))
    from app.orders o where o.id = p_order_id
$$;

ALTER FUNCTION app.order_json(p_order_id bigint) OWNER TO kea_owner;

--
-- Name: publish_menu(bigint); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.publish_menu(p_menu_id bigint) RETURNS bigint
    LANGUAGE sql
    AS $$
    select kea.publish_menu(p_menu_id, app.menu_document(p_menu_id))
    where exists (select 1 from app.menus where id = p_menu_id)
$$;

ALTER FUNCTION app.publish_menu(p_menu_id bigint) OWNER TO kea_owner;

--
-- Name: refresh_hours_text(); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.refresh_hours_text() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    update app.merchants m set hours_text = app.hours_text(m.id)
     where m.id in (select merchant_id from changed);
    return null;
end
$$;

ALTER FUNCTION app.refresh_hours_text() OWNER TO kea_owner;

--
-- Name: save_order(bigint, bigint, jsonb, text); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.save_order(p_merchant_id bigint, p_call_id bigint, p_order jsonb, p_status text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
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

ALTER FUNCTION app.save_order(p_merchant_id bigint, p_call_id bigint, p_order jsonb, p_status text) OWNER TO kea_owner;

--
-- Name: store_json(app.merchants); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.store_json(m app.merchants) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    select app.store_settings(m, app.is_open(m.id, app.now()))::jsonb
$$;

ALTER FUNCTION app.store_json(m app.merchants) OWNER TO kea_owner;

--
-- Name: store_settings(app.merchants, boolean); Type: FUNCTION; Schema: app; Owner: kea_owner
--

CREATE FUNCTION app.store_settings(m app.merchants, p_open boolean) RETURNS json
    LANGUAGE plpgsql STABLE
    AS $$
begin
    return json_build_object(
        'name', m.name,
        'transfer_number', m.transfer_number,
        'voice', json_build_object('voice', m.voice, 'language', m.language),
        'greeting', m.greeting,
        'open_now', p_open,
        'hours_text', coalesce(m.hours_text, app.hours_text(m.id)),
        'accepts_orders_when_closed', m.accepts_orders_when_closed,
        'offers_delivery', m.offers_delivery,
        'asks_name', m.asks_name,
        'prep_minutes', m.prep_minutes);
end
$$;

ALTER FUNCTION app.store_settings(m app.merchants, p_open boolean) OWNER TO kea_owner;

--
-- Name: phone_numbers; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.phone_numbers (
    e164 text NOT NULL,
    merchant_id bigint NOT NULL,
    CONSTRAINT phone_numbers_e164_check CHECK ((e164 ~ '^\+[1-9][0-9]{6,14}$'::text))
);

ALTER TABLE app.phone_numbers OWNER TO kea_owner;

--
-- Name: twilio_directory; Type: VIEW; Schema: api; Owner: kea_owner
--

CREATE VIEW api.twilio_directory AS
 SELECT p.e164,
    m.transfer_number,
    m.voice,
    m.language
   FROM (app.phone_numbers p
     JOIN app.merchants m ON ((m.id = p.merchant_id)));

ALTER TABLE api.twilio_directory OWNER TO kea_owner;

--
-- Name: calls; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.calls (
    merchant_id bigint NOT NULL,
    id bigint NOT NULL,
    call_sid text NOT NULL,
    from_number text,
    to_number text NOT NULL,
    menu_id bigint,
    status text DEFAULT 'active'::text NOT NULL,
    outcome text,
    state json DEFAULT '{}'::json NOT NULL,
    next_turn integer DEFAULT 0 NOT NULL,
    order_id bigint,
    twilio_status text,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    duration_s integer,
    recording_url text,
    recording_sid text,
    recording_duration_s integer,
    store json,
    CONSTRAINT calls_outcome_check CHECK ((outcome = ANY (ARRAY['ordered'::text, 'transferred'::text, 'callback'::text, 'abandoned'::text, 'hung_up'::text, 'closed'::text, 'cancelled'::text]))),
    CONSTRAINT calls_status_check CHECK ((status = ANY (ARRAY['active'::text, 'ended'::text])))
);

ALTER TABLE app.calls OWNER TO kea_owner;

--
-- Name: COLUMN calls.store; Type: COMMENT; Schema: app; Owner: kea_owner
--

COMMENT ON COLUMN app.calls.store IS 'The merchant''s settings as this call''s dialog sees them (kea_core::dialog::Store), fixed when the call started.';

--
-- Name: calls_id_seq; Type: SEQUENCE; Schema: app; Owner: kea_owner
--

ALTER TABLE app.calls ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.calls_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: item_modifier_groups; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.item_modifier_groups (
    merchant_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    item_id bigint NOT NULL,
    group_id bigint NOT NULL,
    "position" integer DEFAULT 0 NOT NULL
);

ALTER TABLE app.item_modifier_groups OWNER TO kea_owner;

--
-- Name: item_variations; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.item_variations (
    merchant_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    item_id bigint NOT NULL,
    id bigint NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    aliases text[] DEFAULT '{}'::text[] NOT NULL,
    price_cents bigint NOT NULL,
    available boolean DEFAULT true NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    extra jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT item_variations_price_cents_check CHECK ((price_cents >= 0))
);

ALTER TABLE app.item_variations OWNER TO kea_owner;

--
-- Name: item_variations_id_seq; Type: SEQUENCE; Schema: app; Owner: kea_owner
--

ALTER TABLE app.item_variations ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.item_variations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: menu_categories; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.menu_categories (
    merchant_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    id bigint NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    aliases text[] DEFAULT '{}'::text[] NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    extra jsonb DEFAULT '{}'::jsonb NOT NULL
);

ALTER TABLE app.menu_categories OWNER TO kea_owner;

--
-- Name: menu_categories_id_seq; Type: SEQUENCE; Schema: app; Owner: kea_owner
--

ALTER TABLE app.menu_categories ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.menu_categories_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: menu_items; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.menu_items (
    merchant_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    id bigint NOT NULL,
    category_code text,
    code text NOT NULL,
    name text NOT NULL,
    aliases text[] DEFAULT '{}'::text[] NOT NULL,
    price_cents bigint DEFAULT 0 NOT NULL,
    available boolean DEFAULT true NOT NULL,
    default_variation text,
    variation_slot text,
    "position" integer DEFAULT 0 NOT NULL,
    extra jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT menu_items_price_cents_check CHECK ((price_cents >= 0))
);

ALTER TABLE app.menu_items OWNER TO kea_owner;

--
-- Name: menu_items_id_seq; Type: SEQUENCE; Schema: app; Owner: kea_owner
--

ALTER TABLE app.menu_items ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.menu_items_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: menus; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.menus (
    merchant_id bigint NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    extra jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE app.menus OWNER TO kea_owner;

--
-- Name: menus_id_seq; Type: SEQUENCE; Schema: app; Owner: kea_owner
--

ALTER TABLE app.menus ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.menus_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: merchants_id_seq; Type: SEQUENCE; Schema: app; Owner: kea_owner
--

ALTER TABLE app.merchants ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.merchants_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: modifier_groups; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.modifier_groups (
    merchant_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    id bigint NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    min_choices integer DEFAULT 0 NOT NULL,
    max_choices integer DEFAULT 0 NOT NULL,
    qualified boolean DEFAULT false NOT NULL,
    negatable boolean DEFAULT false NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    extra jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT modifier_groups_check CHECK (((max_choices = 0) OR (max_choices >= min_choices))),
    CONSTRAINT modifier_groups_max_choices_check CHECK ((max_choices >= 0)),
    CONSTRAINT modifier_groups_min_choices_check CHECK ((min_choices >= 0))
);

ALTER TABLE app.modifier_groups OWNER TO kea_owner;

--
-- Name: modifier_groups_id_seq; Type: SEQUENCE; Schema: app; Owner: kea_owner
--

ALTER TABLE app.modifier_groups ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.modifier_groups_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: modifier_options; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.modifier_options (
    merchant_id bigint NOT NULL,
    menu_id bigint NOT NULL,
    group_id bigint NOT NULL,
    id bigint NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    aliases text[] DEFAULT '{}'::text[] NOT NULL,
    price_cents bigint DEFAULT 0 NOT NULL,
    is_default boolean DEFAULT false NOT NULL,
    available boolean DEFAULT true NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    extra jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT modifier_options_price_cents_check CHECK ((price_cents >= 0))
);

ALTER TABLE app.modifier_options OWNER TO kea_owner;

--
-- Name: modifier_options_id_seq; Type: SEQUENCE; Schema: app; Owner: kea_owner
--

ALTER TABLE app.modifier_options ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.modifier_options_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: opening_hours; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.opening_hours (
    merchant_id bigint NOT NULL,
    weekday smallint NOT NULL,
    opens time without time zone NOT NULL,
    closes time without time zone NOT NULL,
    CONSTRAINT opening_hours_weekday_check CHECK (((weekday >= 0) AND (weekday <= 6)))
);

ALTER TABLE app.opening_hours OWNER TO kea_owner;

--
-- Name: order_lines; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.order_lines (
    merchant_id bigint NOT NULL,
    order_id bigint NOT NULL,
    line_no integer NOT NULL,
    item_id bigint,
    item_code text NOT NULL,
    name text NOT NULL,
    variation_code text,
    variation_name text,
    quantity integer NOT NULL,
    unit_price_cents bigint NOT NULL,
    line_total_cents bigint NOT NULL,
    modifiers jsonb DEFAULT '[]'::jsonb NOT NULL,
    CONSTRAINT order_lines_check CHECK ((line_total_cents = (unit_price_cents * quantity))),
    CONSTRAINT order_lines_quantity_check CHECK ((quantity > 0))
);

ALTER TABLE app.order_lines OWNER TO kea_owner;

--
-- Name: orders; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.orders (
    merchant_id bigint NOT NULL,
    id bigint NOT NULL,
    call_id bigint,
    status text DEFAULT 'pending_verification'::text NOT NULL,
    customer_name text,
    customer_phone text,
    fulfillment text DEFAULT 'pickup'::text NOT NULL,
    address text,
    requested_time jsonb,
    subtotal_cents bigint NOT NULL,
    tax_cents bigint NOT NULL,
    total_cents bigint NOT NULL,
    currency text DEFAULT 'USD'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT orders_check CHECK ((total_cents = (subtotal_cents + tax_cents))),
    CONSTRAINT orders_fulfillment_check CHECK ((fulfillment = ANY (ARRAY['pickup'::text, 'delivery'::text]))),
    CONSTRAINT orders_status_check CHECK ((status = ANY (ARRAY['pending_verification'::text, 'verified'::text, 'rejected'::text, 'sent_to_pos'::text, 'accepted_by_pos'::text, 'failed'::text, 'completed'::text, 'cancelled'::text, 'abandoned'::text])))
);

ALTER TABLE app.orders OWNER TO kea_owner;

--
-- Name: orders_id_seq; Type: SEQUENCE; Schema: app; Owner: kea_owner
--

ALTER TABLE app.orders ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.orders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: turns; Type: TABLE; Schema: app; Owner: kea_owner
--

CREATE TABLE app.turns (
    merchant_id bigint NOT NULL,
    call_id bigint NOT NULL,
    seq integer NOT NULL,
    event text NOT NULL,
    speech text,
    confidence real,
    digits text,
    understood json,
    said text NOT NULL,
    twiml text NOT NULL,
    phase text NOT NULL,
    elapsed_ms numeric(10,3),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    dial_status text
);

ALTER TABLE app.turns OWNER TO kea_owner;

--
-- Name: COLUMN turns.dial_status; Type: COMMENT; Schema: app; Owner: kea_owner
--

COMMENT ON COLUMN app.turns.dial_status IS 'DialCallStatus of a dial_result turn (a transfer''s result).';

--
-- Data for Name: calls; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.calls OVERRIDING SYSTEM VALUE VALUES (1, 1, 'CAold1', '+15551112222', '+15555550100', 1, 'active', NULL, '{"phase":"anything_else","cart":[{"item":"pepperoni_pizza","variation":"large","quantity":1,"modifiers":[]}],"details":{"fulfillment":null,"name":null,"phone":null,"address":null,"time":null},"asking":null,"focus":0,"misses":0,"silences":0,"last_prompt":"Got it: one large Pepperoni Pizza. Anything else?","unconfirmed":null}', 2, NULL, 'ringing', '2026-12-01 08:42:05.633845+00', NULL, NULL, NULL, NULL, NULL, '{"name": "Tony''s Pizza", "voice": {"voice": "Polly.Joanna", "language": "en-US"}, "greeting": null, "open_now": true, "asks_name": false, "hours_text": "We''re open every day, all day.", "prep_minutes": 20, "offers_delivery": false, "transfer_number": "+15555550199", "accepts_orders_when_closed": false}');

--
-- Data for Name: item_modifier_groups; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.item_modifier_groups VALUES (1, 1, 1, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 1, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 2, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 2, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 3, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 3, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 4, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 4, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 5, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 5, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 6, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 6, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 7, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 7, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 8, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 8, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 9, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 9, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 10, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 10, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 11, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 11, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 12, 1, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 12, 2, 2);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 15, 4, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 19, 3, 1);
INSERT INTO app.item_modifier_groups VALUES (1, 1, 20, 3, 1);

--
-- Data for Name: item_variations; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 1, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1199, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 2, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1499, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 3, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 1799, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 4, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1349, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 5, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1649, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 6, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 1949, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 7, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1349, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 8, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1649, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 9, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 1949, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 10, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1349, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 11, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1649, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 12, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 1949, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 5, 13, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1399, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 5, 14, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1699, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 5, 15, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 1999, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 6, 16, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1599, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 6, 17, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1999, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 6, 18, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 2399, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 7, 19, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1699, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 7, 20, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 2099, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 7, 21, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 2499, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 8, 22, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1549, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 8, 23, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1899, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 8, 24, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 2249, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 9, 25, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1499, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 9, 26, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1799, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 9, 27, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 2149, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 10, 28, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1599, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 10, 29, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1949, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 10, 30, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 2299, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 11, 31, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1449, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 11, 32, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1749, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 11, 33, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 2099, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 12, 34, 'small', 'Small', '{small,"12 inch","twelve inch"}', 1599, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 12, 35, 'medium', 'Medium', '{medium,"14 inch","fourteen inch"}', 1949, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 12, 36, 'large', 'Large', '{large,"16 inch","sixteen inch",big}', 2299, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 15, 37, '6_piece', '6 Piece', '{"6 piece","six piece","6 pieces","six pieces","half dozen"}', 899, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 15, 38, '12_piece', '12 Piece', '{"12 piece","twelve piece","12 pieces","twelve pieces",dozen}', 1599, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 25, 39, 'can', 'Can', '{can,"can of"}', 199, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 25, 40, '20_oz', '20 oz Bottle', '{bottle,"20 ounce","twenty ounce","bottle of"}', 249, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 25, 41, '2_liter', '2 Liter', '{"2 liter","two liter","2 litre","two litre",liter}', 399, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 26, 42, 'can', 'Can', '{can,"can of"}', 199, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 26, 43, '20_oz', '20 oz Bottle', '{bottle,"20 ounce","twenty ounce","bottle of"}', 249, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 26, 44, '2_liter', '2 Liter', '{"2 liter","two liter","2 litre","two litre",liter}', 399, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 27, 45, 'can', 'Can', '{can,"can of"}', 199, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 27, 46, '20_oz', '20 oz Bottle', '{bottle,"20 ounce","twenty ounce","bottle of"}', 249, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 27, 47, '2_liter', '2 Liter', '{"2 liter","two liter","2 litre","two litre",liter}', 399, true, 3, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 28, 48, 'can', 'Can', '{can,"can of"}', 199, true, 1, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 28, 49, '20_oz', '20 oz Bottle', '{bottle,"20 ounce","twenty ounce","bottle of"}', 249, true, 2, '{}');
INSERT INTO app.item_variations OVERRIDING SYSTEM VALUE VALUES (1, 1, 28, 50, '2_liter', '2 Liter', '{"2 liter","two liter","2 litre","two litre",liter}', 399, true, 3, '{}');

--
-- Data for Name: menu_categories; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.menu_categories OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 'pizzas', 'Pizzas', '{pizza,pizzas,pies,pie}', 1, '{}');
INSERT INTO app.menu_categories OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 'specialty_pizzas', 'Specialty Pizzas', '{"specialty pizza","specialty pizzas",specialties}', 2, '{}');
INSERT INTO app.menu_categories OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 'sides', 'Sides', '{sides,appetizers,apps}', 3, '{}');
INSERT INTO app.menu_categories OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 'salads', 'Salads', '{salad,salads}', 4, '{}');
INSERT INTO app.menu_categories OVERRIDING SYSTEM VALUE VALUES (1, 1, 5, 'desserts', 'Desserts', '{dessert,desserts,"something sweet"}', 5, '{}');
INSERT INTO app.menu_categories OVERRIDING SYSTEM VALUE VALUES (1, 1, 6, 'drinks', 'Drinks', '{drink,drinks,soda,sodas,beverages}', 6, '{}');

--
-- Data for Name: menu_items; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 'pizzas', 'cheese_pizza', 'Cheese Pizza', '{"plain pizza","plain pie","cheese pie","regular pizza"}', 0, true, NULL, NULL, 1, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 'pizzas', 'pepperoni_pizza', 'Pepperoni Pizza', '{"pepperoni pie","pepperoni pizzas"}', 0, true, NULL, NULL, 2, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 'pizzas', 'sausage_pizza', 'Sausage Pizza', '{"sausage pie"}', 0, true, NULL, NULL, 3, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 'pizzas', 'mushroom_pizza', 'Mushroom Pizza', '{"mushroom pie"}', 0, true, NULL, NULL, 4, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 5, 'specialty_pizzas', 'margherita_pizza', 'Margherita Pizza', '{margherita,"margarita pizza",margarita}', 0, true, NULL, NULL, 5, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 6, 'specialty_pizzas', 'supreme_pizza', 'Supreme Pizza', '{supreme,"the supreme","deluxe pizza"}', 0, true, NULL, NULL, 6, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 7, 'specialty_pizzas', 'meat_lovers_pizza', 'Meat Lovers Pizza', '{"meat lovers","meat lover''s pizza","meat lover pizza",meatlovers}', 0, true, NULL, NULL, 7, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 8, 'specialty_pizzas', 'veggie_pizza', 'Veggie Pizza', '{veggie,"vegetarian pizza","veggie lovers"}', 0, true, NULL, NULL, 8, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 9, 'specialty_pizzas', 'hawaiian_pizza', 'Hawaiian Pizza', '{hawaiian,"ham and pineapple pizza"}', 0, true, NULL, NULL, 9, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 10, 'specialty_pizzas', 'bbq_chicken_pizza', 'BBQ Chicken Pizza', '{"barbecue chicken pizza","bbq chicken","barbecue chicken"}', 0, true, NULL, NULL, 10, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 11, 'specialty_pizzas', 'white_pizza', 'White Pizza', '{"white pie",bianca}', 0, true, NULL, NULL, 11, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 12, 'specialty_pizzas', 'buffalo_chicken_pizza', 'Buffalo Chicken Pizza', '{"buffalo chicken"}', 0, true, NULL, NULL, 12, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 13, 'sides', 'garlic_knots', 'Garlic Knots', '{"garlic knot",knots}', 599, true, NULL, NULL, 13, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 14, 'sides', 'mozzarella_sticks', 'Mozzarella Sticks', '{"mozz sticks","mozzarella stick","cheese sticks"}', 799, true, NULL, NULL, 14, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 15, 'sides', 'chicken_wings', 'Chicken Wings', '{wings,"buffalo wings","hot wings",wing}', 0, true, NULL, NULL, 15, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 16, 'sides', 'breadsticks', 'Breadsticks', '{"bread sticks",breadstick}', 549, true, NULL, NULL, 16, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 17, 'sides', 'french_fries', 'French Fries', '{fries,"french fry"}', 449, true, NULL, NULL, 17, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 18, 'salads', 'caesar_salad', 'Caesar Salad', '{caesar,"ceasar salad"}', 899, true, NULL, NULL, 18, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 19, 'salads', 'garden_salad', 'Garden Salad', '{"house salad","side salad","green salad"}', 799, true, NULL, NULL, 19, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 20, 'salads', 'greek_salad', 'Greek Salad', '{greek}', 949, true, NULL, NULL, 20, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 21, 'desserts', 'cannoli', 'Cannoli', '{cannolis,canoli}', 449, true, NULL, NULL, 21, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 22, 'desserts', 'tiramisu', 'Tiramisu', '{"tiramisu slice"}', 599, true, NULL, NULL, 22, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 23, 'desserts', 'chocolate_chip_cookie', 'Chocolate Chip Cookie', '{cookie,cookies,"chocolate chip cookies"}', 249, true, NULL, NULL, 23, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 24, 'desserts', 'brownie', 'Brownie', '{brownies,"fudge brownie"}', 349, true, NULL, NULL, 24, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 25, 'drinks', 'coke', 'Coke', '{"coca cola",coca-cola,cola,cokes}', 0, true, 'can', NULL, 25, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 26, 'drinks', 'diet_coke', 'Diet Coke', '{"diet cola","diet cokes"}', 0, true, 'can', NULL, 26, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 27, 'drinks', 'sprite', 'Sprite', '{sprites,"lemon lime soda"}', 0, true, 'can', NULL, 27, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 28, 'drinks', 'root_beer', 'Root Beer', '{"root beers"}', 0, true, 'can', NULL, 28, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 29, 'drinks', 'iced_tea', 'Iced Tea', '{"ice tea","iced teas"}', 279, true, NULL, NULL, 29, '{}');
INSERT INTO app.menu_items OVERRIDING SYSTEM VALUE VALUES (1, 1, 30, 'drinks', 'bottled_water', 'Bottled Water', '{water,"bottle of water",waters}', 179, true, NULL, NULL, 30, '{}');

--
-- Data for Name: menus; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.menus OVERRIDING SYSTEM VALUE VALUES (1, 1, 'Tony''s Pizza', true, '{"source_sha": "f91c98a60fbd82d9d874afe2c9fce7ac"}', '2026-12-01 08:42:05.523869+00');

--
-- Data for Name: merchants; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.merchants OVERRIDING SYSTEM VALUE VALUES (1, 'tonys-pizza', 'Tony''s Pizza', 'America/New_York', 825, 'USD', '+15555550199', 'Polly.Joanna', 'en-US', NULL, false, false, false, 20, 'We''re open every day, all day.', '2026-12-01 08:42:05.523869+00');

--
-- Data for Name: modifier_groups; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.modifier_groups OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 'toppings', 'Toppings', 0, 10, true, true, 1, '{}');
INSERT INTO app.modifier_groups OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 'crust', 'Crust', 1, 1, false, false, 2, '{}');
INSERT INTO app.modifier_groups OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 'dressing', 'Dressing', 1, 1, false, false, 3, '{}');
INSERT INTO app.modifier_groups OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 'wing_sauce', 'Wing Sauce', 1, 1, false, false, 4, '{}');

--
-- Data for Name: modifier_options; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 1, 'pepperoni', 'Pepperoni', '{pepperonis}', 150, false, true, 1, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 2, 'sausage', 'Sausage', '{"italian sausage"}', 150, false, true, 2, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 3, 'mushrooms', 'Mushrooms', '{mushroom}', 150, false, true, 3, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 4, 'onions', 'Onions', '{onion,"red onions"}', 150, false, true, 4, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 5, 'green_peppers', 'Green Peppers', '{peppers,"green pepper","bell peppers"}', 150, false, true, 5, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 6, 'black_olives', 'Black Olives', '{olives,olive}', 150, false, true, 6, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 7, 'bacon', 'Bacon', '{}', 175, false, true, 7, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 8, 'ham', 'Ham', '{}', 150, false, true, 8, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 9, 'pineapple', 'Pineapple', '{}', 150, false, true, 9, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 10, 'jalapenos', 'Jalapenos', '{jalapeno,jalapeños}', 150, false, true, 10, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 11, 'extra_cheese', 'Cheese', '{cheese,mozzarella}', 150, false, true, 11, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 12, 'spinach', 'Spinach', '{}', 150, false, true, 12, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 13, 'chicken', 'Chicken', '{"grilled chicken"}', 200, false, true, 13, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 14, 'anchovies', 'Anchovies', '{anchovy}', 150, false, true, 14, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 15, 'tomatoes', 'Tomatoes', '{tomato,"fresh tomatoes"}', 150, false, true, 15, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 1, 16, 'basil', 'Basil', '{"fresh basil"}', 100, false, true, 16, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 17, 'hand_tossed', 'Hand Tossed', '{"regular crust","hand tossed crust",regular}', 0, true, true, 1, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 18, 'thin_crust', 'Thin Crust', '{thin,"thin crust","crispy crust"}', 0, false, true, 2, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 19, 'deep_dish', 'Deep Dish', '{"deep dish",pan,"thick crust",sicilian}', 200, false, true, 3, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 2, 20, 'gluten_free', 'Gluten Free Crust', '{"gluten free",gluten-free}', 300, false, true, 4, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 21, 'ranch', 'Ranch', '{"ranch dressing"}', 0, false, true, 1, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 22, 'italian', 'Italian', '{"italian dressing"}', 0, false, true, 2, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 23, 'balsamic', 'Balsamic Vinaigrette', '{balsamic,vinaigrette}', 0, false, true, 3, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 24, 'blue_cheese', 'Blue Cheese', '{"bleu cheese","blue cheese dressing"}', 0, false, true, 4, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 3, 25, 'greek_dressing', 'Greek Dressing', '{"greek dressing"}', 0, false, true, 5, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 26, 'buffalo', 'Buffalo', '{hot,"buffalo sauce",spicy}', 0, false, true, 1, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 27, 'bbq', 'BBQ', '{barbecue,"bbq sauce"}', 0, false, true, 2, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 28, 'garlic_parmesan', 'Garlic Parmesan', '{"garlic parm"}', 0, false, true, 3, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 29, 'mild', 'Mild', '{"mild sauce"}', 0, false, true, 4, '{}');
INSERT INTO app.modifier_options OVERRIDING SYSTEM VALUE VALUES (1, 1, 4, 30, 'plain', 'Plain', '{naked,"no sauce"}', 0, false, true, 5, '{}');

--
-- Data for Name: opening_hours; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.opening_hours VALUES (1, 0, '00:00:00', '24:00:00');
INSERT INTO app.opening_hours VALUES (1, 1, '00:00:00', '24:00:00');
INSERT INTO app.opening_hours VALUES (1, 2, '00:00:00', '24:00:00');
INSERT INTO app.opening_hours VALUES (1, 3, '00:00:00', '24:00:00');
INSERT INTO app.opening_hours VALUES (1, 4, '00:00:00', '24:00:00');
INSERT INTO app.opening_hours VALUES (1, 5, '00:00:00', '24:00:00');
INSERT INTO app.opening_hours VALUES (1, 6, '00:00:00', '24:00:00');

--
-- Data for Name: order_lines; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

--
-- Data for Name: orders; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

--
-- Data for Name: phone_numbers; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.phone_numbers VALUES ('+15555550100', 1);

--
-- Data for Name: turns; Type: TABLE DATA; Schema: app; Owner: kea_owner
--

INSERT INTO app.turns VALUES (1, 1, 0, 'start', NULL, NULL, NULL, '{"did":[],"extraction":null}', 'Thanks for calling Tony''s Pizza! What can I get for you today?', '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="speech dtmf" action="/twilio/voice/gather?turn=1" method="POST" speechTimeout="auto" numDigits="1" language="en-US" actionOnEmptyResult="true" hints="cheese pizza, pepperoni pizza, sausage pizza, mushroom pizza, margherita pizza, supreme pizza, meat lovers pizza, veggie pizza, hawaiian pizza, bbq chicken pizza, white pizza, buffalo chicken pizza, garlic knots, mozzarella sticks, chicken wings, breadsticks, french fries, caesar salad, garden salad, greek salad, cannoli, tiramisu, chocolate chip cookie, brownie, coke, diet coke, sprite, root beer, iced tea, bottled water"><Say voice="Polly.Joanna" language="en-US">Thanks for calling Tony&apos;s Pizza! What can I get for you today?</Say></Gather><Redirect method="POST">/twilio/voice/gather?turn=1</Redirect></Response>', 'ordering', 3.779, '2026-12-01 08:42:05.633845+00', NULL);
INSERT INTO app.turns VALUES (1, 1, 1, 'speech', 'a large pepperoni pizza', 0.9, NULL, '{"did":["added pepperoni_pizza"],"extraction":{"details":{},"intents":[],"lines":[{"confidence":1.0,"item":"pepperoni_pizza","modifiers":[],"quantity":1,"quantity_explicit":true,"span":{"end":23,"start":0,"text":"a large pepperoni pizza"},"variation":"large"}],"unmatched":[]}}', 'Got it: one large Pepperoni Pizza. Anything else?', '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="speech dtmf" action="/twilio/voice/gather?turn=2" method="POST" speechTimeout="auto" numDigits="1" language="en-US" actionOnEmptyResult="true" hints="cheese pizza, pepperoni pizza, sausage pizza, mushroom pizza, margherita pizza, supreme pizza, meat lovers pizza, veggie pizza, hawaiian pizza, bbq chicken pizza, white pizza, buffalo chicken pizza, garlic knots, mozzarella sticks, chicken wings, breadsticks, french fries, caesar salad, garden salad, greek salad, cannoli, tiramisu, chocolate chip cookie, brownie, coke, diet coke, sprite, root beer, iced tea, bottled water"><Say voice="Polly.Joanna" language="en-US">Got it: one large Pepperoni Pizza. Anything else?</Say></Gather><Redirect method="POST">/twilio/voice/gather?turn=2</Redirect></Response>', 'anything_else', 0.459, '2026-12-01 08:42:05.64454+00', NULL);

--
-- Name: calls_id_seq; Type: SEQUENCE SET; Schema: app; Owner: kea_owner
--

SELECT pg_catalog.setval('app.calls_id_seq', 1, true);

--
-- Name: item_variations_id_seq; Type: SEQUENCE SET; Schema: app; Owner: kea_owner
--

SELECT pg_catalog.setval('app.item_variations_id_seq', 50, true);

--
-- Name: menu_categories_id_seq; Type: SEQUENCE SET; Schema: app; Owner: kea_owner
--

SELECT pg_catalog.setval('app.menu_categories_id_seq', 6, true);

--
-- Name: menu_items_id_seq; Type: SEQUENCE SET; Schema: app; Owner: kea_owner
--

SELECT pg_catalog.setval('app.menu_items_id_seq', 30, true);

--
-- Name: menus_id_seq; Type: SEQUENCE SET; Schema: app; Owner: kea_owner
--

SELECT pg_catalog.setval('app.menus_id_seq', 1, true);

--
-- Name: merchants_id_seq; Type: SEQUENCE SET; Schema: app; Owner: kea_owner
--

SELECT pg_catalog.setval('app.merchants_id_seq', 1, true);

--
-- Name: modifier_groups_id_seq; Type: SEQUENCE SET; Schema: app; Owner: kea_owner
--

SELECT pg_catalog.setval('app.modifier_groups_id_seq', 4, true);

--
-- Name: modifier_options_id_seq; Type: SEQUENCE SET; Schema: app; Owner: kea_owner
--

SELECT pg_catalog.setval('app.modifier_options_id_seq', 30, true);

--
-- Name: orders_id_seq; Type: SEQUENCE SET; Schema: app; Owner: kea_owner
--

SELECT pg_catalog.setval('app.orders_id_seq', 1, false);

--
-- Name: calls calls_merchant_id_call_sid_key; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.calls
    ADD CONSTRAINT calls_merchant_id_call_sid_key UNIQUE (merchant_id, call_sid);

--
-- Name: calls calls_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.calls
    ADD CONSTRAINT calls_pkey PRIMARY KEY (merchant_id, id);

--
-- Name: item_modifier_groups item_modifier_groups_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.item_modifier_groups
    ADD CONSTRAINT item_modifier_groups_pkey PRIMARY KEY (merchant_id, item_id, group_id);

--
-- Name: item_variations item_variations_item_id_code_key; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.item_variations
    ADD CONSTRAINT item_variations_item_id_code_key UNIQUE (item_id, code);

--
-- Name: item_variations item_variations_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.item_variations
    ADD CONSTRAINT item_variations_pkey PRIMARY KEY (merchant_id, id);

--
-- Name: menu_categories menu_categories_menu_id_code_key; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.menu_categories
    ADD CONSTRAINT menu_categories_menu_id_code_key UNIQUE (menu_id, code);

--
-- Name: menu_categories menu_categories_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.menu_categories
    ADD CONSTRAINT menu_categories_pkey PRIMARY KEY (merchant_id, id);

--
-- Name: menu_items menu_items_menu_id_code_key; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.menu_items
    ADD CONSTRAINT menu_items_menu_id_code_key UNIQUE (menu_id, code);

--
-- Name: menu_items menu_items_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.menu_items
    ADD CONSTRAINT menu_items_pkey PRIMARY KEY (merchant_id, id);

--
-- Name: menus menus_id_key; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.menus
    ADD CONSTRAINT menus_id_key UNIQUE (id);

--
-- Name: menus menus_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.menus
    ADD CONSTRAINT menus_pkey PRIMARY KEY (merchant_id, id);

--
-- Name: merchants merchants_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.merchants
    ADD CONSTRAINT merchants_pkey PRIMARY KEY (id);

--
-- Name: merchants merchants_slug_key; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.merchants
    ADD CONSTRAINT merchants_slug_key UNIQUE (slug);

--
-- Name: modifier_groups modifier_groups_menu_id_code_key; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.modifier_groups
    ADD CONSTRAINT modifier_groups_menu_id_code_key UNIQUE (menu_id, code);

--
-- Name: modifier_groups modifier_groups_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.modifier_groups
    ADD CONSTRAINT modifier_groups_pkey PRIMARY KEY (merchant_id, id);

--
-- Name: modifier_options modifier_options_group_id_code_key; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.modifier_options
    ADD CONSTRAINT modifier_options_group_id_code_key UNIQUE (group_id, code);

--
-- Name: modifier_options modifier_options_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.modifier_options
    ADD CONSTRAINT modifier_options_pkey PRIMARY KEY (merchant_id, id);

--
-- Name: opening_hours opening_hours_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.opening_hours
    ADD CONSTRAINT opening_hours_pkey PRIMARY KEY (merchant_id, weekday, opens);

--
-- Name: order_lines order_lines_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.order_lines
    ADD CONSTRAINT order_lines_pkey PRIMARY KEY (merchant_id, order_id, line_no);

--
-- Name: orders orders_id_key; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.orders
    ADD CONSTRAINT orders_id_key UNIQUE (id);

--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (merchant_id, id);

--
-- Name: phone_numbers phone_numbers_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.phone_numbers
    ADD CONSTRAINT phone_numbers_pkey PRIMARY KEY (e164);

--
-- Name: turns turns_pkey; Type: CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.turns
    ADD CONSTRAINT turns_pkey PRIMARY KEY (merchant_id, call_id, seq);

--
-- Name: calls_started; Type: INDEX; Schema: app; Owner: kea_owner
--

CREATE INDEX calls_started ON app.calls USING btree (merchant_id, started_at DESC);

--
-- Name: menus_one_active; Type: INDEX; Schema: app; Owner: kea_owner
--

CREATE UNIQUE INDEX menus_one_active ON app.menus USING btree (merchant_id) WHERE active;

--
-- Name: orders_status; Type: INDEX; Schema: app; Owner: kea_owner
--

CREATE INDEX orders_status ON app.orders USING btree (merchant_id, status, created_at);

--
-- Name: phone_numbers_merchant_id_idx; Type: INDEX; Schema: app; Owner: kea_owner
--

CREATE INDEX phone_numbers_merchant_id_idx ON app.phone_numbers USING btree (merchant_id);

--
-- Name: item_modifier_groups item_modifier_groups_publish_delete; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER item_modifier_groups_publish_delete AFTER DELETE ON app.item_modifier_groups REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: item_modifier_groups item_modifier_groups_publish_insert; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER item_modifier_groups_publish_insert AFTER INSERT ON app.item_modifier_groups REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: item_modifier_groups item_modifier_groups_publish_update; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER item_modifier_groups_publish_update AFTER UPDATE ON app.item_modifier_groups REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: item_variations item_variations_publish_delete; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER item_variations_publish_delete AFTER DELETE ON app.item_variations REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: item_variations item_variations_publish_insert; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER item_variations_publish_insert AFTER INSERT ON app.item_variations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: item_variations item_variations_publish_update; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER item_variations_publish_update AFTER UPDATE ON app.item_variations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: menu_categories menu_categories_publish_delete; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER menu_categories_publish_delete AFTER DELETE ON app.menu_categories REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: menu_categories menu_categories_publish_insert; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER menu_categories_publish_insert AFTER INSERT ON app.menu_categories REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: menu_categories menu_categories_publish_update; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER menu_categories_publish_update AFTER UPDATE ON app.menu_categories REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: menu_items menu_items_publish_delete; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER menu_items_publish_delete AFTER DELETE ON app.menu_items REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: menu_items menu_items_publish_insert; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER menu_items_publish_insert AFTER INSERT ON app.menu_items REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: menu_items menu_items_publish_update; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER menu_items_publish_update AFTER UPDATE ON app.menu_items REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: menus menus_publish_insert; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER menus_publish_insert AFTER INSERT ON app.menus REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menus_change();

--
-- Name: menus menus_publish_update; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER menus_publish_update AFTER UPDATE ON app.menus REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menus_change();

--
-- Name: merchants merchants_publish; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER merchants_publish AFTER UPDATE OF tax_rate_bp, currency ON app.merchants FOR EACH ROW EXECUTE FUNCTION app.on_merchant_change();

--
-- Name: modifier_groups modifier_groups_publish_delete; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER modifier_groups_publish_delete AFTER DELETE ON app.modifier_groups REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: modifier_groups modifier_groups_publish_insert; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER modifier_groups_publish_insert AFTER INSERT ON app.modifier_groups REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: modifier_groups modifier_groups_publish_update; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER modifier_groups_publish_update AFTER UPDATE ON app.modifier_groups REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: modifier_options modifier_options_publish_delete; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER modifier_options_publish_delete AFTER DELETE ON app.modifier_options REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: modifier_options modifier_options_publish_insert; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER modifier_options_publish_insert AFTER INSERT ON app.modifier_options REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: modifier_options modifier_options_publish_update; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER modifier_options_publish_update AFTER UPDATE ON app.modifier_options REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.on_menu_change();

--
-- Name: opening_hours opening_hours_text_delete; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER opening_hours_text_delete AFTER DELETE ON app.opening_hours REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.refresh_hours_text();

--
-- Name: opening_hours opening_hours_text_insert; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER opening_hours_text_insert AFTER INSERT ON app.opening_hours REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.refresh_hours_text();

--
-- Name: opening_hours opening_hours_text_update; Type: TRIGGER; Schema: app; Owner: kea_owner
--

CREATE TRIGGER opening_hours_text_update AFTER UPDATE ON app.opening_hours REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.refresh_hours_text();

--
-- Name: calls calls_merchant_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.calls
    ADD CONSTRAINT calls_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES app.merchants(id);

--
-- Name: item_modifier_groups item_modifier_groups_merchant_id_group_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.item_modifier_groups
    ADD CONSTRAINT item_modifier_groups_merchant_id_group_id_fkey FOREIGN KEY (merchant_id, group_id) REFERENCES app.modifier_groups(merchant_id, id) ON DELETE CASCADE;

--
-- Name: item_modifier_groups item_modifier_groups_merchant_id_item_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.item_modifier_groups
    ADD CONSTRAINT item_modifier_groups_merchant_id_item_id_fkey FOREIGN KEY (merchant_id, item_id) REFERENCES app.menu_items(merchant_id, id) ON DELETE CASCADE;

--
-- Name: item_variations item_variations_merchant_id_item_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.item_variations
    ADD CONSTRAINT item_variations_merchant_id_item_id_fkey FOREIGN KEY (merchant_id, item_id) REFERENCES app.menu_items(merchant_id, id) ON DELETE CASCADE;

--
-- Name: menu_categories menu_categories_merchant_id_menu_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.menu_categories
    ADD CONSTRAINT menu_categories_merchant_id_menu_id_fkey FOREIGN KEY (merchant_id, menu_id) REFERENCES app.menus(merchant_id, id) ON DELETE CASCADE;

--
-- Name: menu_items menu_items_merchant_id_menu_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.menu_items
    ADD CONSTRAINT menu_items_merchant_id_menu_id_fkey FOREIGN KEY (merchant_id, menu_id) REFERENCES app.menus(merchant_id, id) ON DELETE CASCADE;

--
-- Name: menus menus_merchant_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.menus
    ADD CONSTRAINT menus_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES app.merchants(id) ON DELETE CASCADE;

--
-- Name: modifier_groups modifier_groups_merchant_id_menu_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.modifier_groups
    ADD CONSTRAINT modifier_groups_merchant_id_menu_id_fkey FOREIGN KEY (merchant_id, menu_id) REFERENCES app.menus(merchant_id, id) ON DELETE CASCADE;

--
-- Name: modifier_options modifier_options_merchant_id_group_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.modifier_options
    ADD CONSTRAINT modifier_options_merchant_id_group_id_fkey FOREIGN KEY (merchant_id, group_id) REFERENCES app.modifier_groups(merchant_id, id) ON DELETE CASCADE;

--
-- Name: opening_hours opening_hours_merchant_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.opening_hours
    ADD CONSTRAINT opening_hours_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES app.merchants(id) ON DELETE CASCADE;

--
-- Name: order_lines order_lines_merchant_id_order_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.order_lines
    ADD CONSTRAINT order_lines_merchant_id_order_id_fkey FOREIGN KEY (merchant_id, order_id) REFERENCES app.orders(merchant_id, id) ON DELETE CASCADE;

--
-- Name: orders orders_merchant_id_call_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.orders
    ADD CONSTRAINT orders_merchant_id_call_id_fkey FOREIGN KEY (merchant_id, call_id) REFERENCES app.calls(merchant_id, id);

--
-- Name: orders orders_merchant_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.orders
    ADD CONSTRAINT orders_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES app.merchants(id);

--
-- Name: phone_numbers phone_numbers_merchant_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.phone_numbers
    ADD CONSTRAINT phone_numbers_merchant_id_fkey FOREIGN KEY (merchant_id) REFERENCES app.merchants(id) ON DELETE CASCADE;

--
-- Name: turns turns_merchant_id_call_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: kea_owner
--

ALTER TABLE ONLY app.turns
    ADD CONSTRAINT turns_merchant_id_call_id_fkey FOREIGN KEY (merchant_id, call_id) REFERENCES app.calls(merchant_id, id) ON DELETE CASCADE;

--
-- Name: SCHEMA api; Type: ACL; Schema: -; Owner: kea_owner
--

GRANT USAGE ON SCHEMA api TO kea_authenticator;
GRANT USAGE ON SCHEMA api TO kea_anon;
GRANT USAGE ON SCHEMA api TO kea_agent;
GRANT USAGE ON SCHEMA api TO kea_pos;
GRANT USAGE ON SCHEMA api TO kea_worker;

--
-- Name: FUNCTION call_summary(p_call_sid text); Type: ACL; Schema: api; Owner: kea_owner
--

REVOKE ALL ON FUNCTION api.call_summary(p_call_sid text) FROM PUBLIC;
GRANT ALL ON FUNCTION api.call_summary(p_call_sid text) TO kea_agent;
GRANT ALL ON FUNCTION api.call_summary(p_call_sid text) TO kea_authenticator;

--
-- Name: FUNCTION import_menu(p_merchant_id bigint, p_document jsonb, p_activate boolean); Type: ACL; Schema: api; Owner: kea_owner
--

REVOKE ALL ON FUNCTION api.import_menu(p_merchant_id bigint, p_document jsonb, p_activate boolean) FROM PUBLIC;

--
-- Name: FUNCTION replay_call(p_call_sid text); Type: ACL; Schema: api; Owner: kea_owner
--

GRANT ALL ON FUNCTION api.replay_call(p_call_sid text) TO kea_agent;

--
-- Name: FUNCTION set_item_available(p_merchant_id bigint, p_item_code text, p_available boolean); Type: ACL; Schema: api; Owner: kea_owner
--

REVOKE ALL ON FUNCTION api.set_item_available(p_merchant_id bigint, p_item_code text, p_available boolean) FROM PUBLIC;

--
-- Name: FUNCTION twilio_gather(p_params jsonb, p_turn integer); Type: ACL; Schema: api; Owner: kea_owner
--

REVOKE ALL ON FUNCTION api.twilio_gather(p_params jsonb, p_turn integer) FROM PUBLIC;
GRANT ALL ON FUNCTION api.twilio_gather(p_params jsonb, p_turn integer) TO kea_authenticator;

--
-- Name: FUNCTION twilio_status(p_params jsonb); Type: ACL; Schema: api; Owner: kea_owner
--

REVOKE ALL ON FUNCTION api.twilio_status(p_params jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION api.twilio_status(p_params jsonb) TO kea_authenticator;

--
-- Name: FUNCTION twilio_voice(p_params jsonb); Type: ACL; Schema: api; Owner: kea_owner
--

REVOKE ALL ON FUNCTION api.twilio_voice(p_params jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION api.twilio_voice(p_params jsonb) TO kea_authenticator;

--
-- Name: TABLE twilio_directory; Type: ACL; Schema: api; Owner: kea_owner
--

GRANT SELECT ON TABLE api.twilio_directory TO kea_authenticator;

--
-- PostgreSQL database dump complete
--

--
-- PostgreSQL database dump
--

--
-- Name: kea_schema_migrations; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.kea_schema_migrations (
    version text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE public.kea_schema_migrations OWNER TO postgres;

--
-- Data for Name: kea_schema_migrations; Type: TABLE DATA; Schema: public; Owner: postgres
--

INSERT INTO public.kea_schema_migrations VALUES ('0001_roles_and_schemas', '2026-12-01 08:42:04.468207+00');
INSERT INTO public.kea_schema_migrations VALUES ('0002_merchants', '2026-12-01 08:42:04.549955+00');
INSERT INTO public.kea_schema_migrations VALUES ('0003_menus', '2026-12-01 08:42:04.725062+00');
INSERT INTO public.kea_schema_migrations VALUES ('0004_calls_and_orders', '2026-12-01 08:42:04.934622+00');
INSERT INTO public.kea_schema_migrations VALUES ('0005_twilio_api', '2026-12-01 08:42:05.122663+00');
INSERT INTO public.kea_schema_migrations VALUES ('0006_call_replay', '2026-12-01 08:42:05.252403+00');
INSERT INTO public.kea_schema_migrations VALUES ('0007_lean_turn', '2026-12-01 08:42:05.372735+00');
INSERT INTO public.kea_schema_migrations VALUES ('pg_kea:bdf97f9a07c34ab1', '2026-12-01 08:42:05.460594+00');

--
-- Name: kea_schema_migrations kea_schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.kea_schema_migrations
    ADD CONSTRAINT kea_schema_migrations_pkey PRIMARY KEY (version);

--
-- PostgreSQL database dump complete
--

