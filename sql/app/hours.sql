-- Opening hours: is the merchant open, and its hours in words (kept on app.merchants).

-- Is the merchant open at `at`? (PL/pgSQL: its plan is cached per session; a SQL function
-- that cannot be inlined is planned again on every call.)
create function app.is_open(p_merchant_id bigint, p_at timestamptz) returns boolean
language plpgsql stable as $$
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

-- "We're open every day, 11 AM to 10 PM." in words a voice reads well.
create function app.hours_text(p_merchant_id bigint) returns text
language sql stable as $$
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

-- Keeps app.merchants.hours_text in step with the hours (statement-level: one refresh per
-- merchant per statement).
-- One update per merchant, the text worked out first: Citus refuses a stable function of a
-- column in an UPDATE (docs/scaling.md).
create function app.refresh_hours_text() returns trigger
language plpgsql as $$
declare
    v_merchant bigint;
begin
    for v_merchant in select distinct merchant_id from changed loop
        update app.merchants set hours_text = app.hours_text(v_merchant) where id = v_merchant;
    end loop;
    return null;
end
$$;
create trigger opening_hours_text_insert after insert on app.opening_hours
    referencing new table as changed for each statement execute function app.refresh_hours_text();
create trigger opening_hours_text_update after update on app.opening_hours
    referencing new table as changed for each statement execute function app.refresh_hours_text();
create trigger opening_hours_text_delete after delete on app.opening_hours
    referencing old table as changed for each statement execute function app.refresh_hours_text();
