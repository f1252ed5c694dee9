-- Phone numbers (docs/security.md, "Transfer numbers"): which country a number is of, which
-- are premium or special-rate (app.dialing_plans), what a merchant may transfer calls to, and
-- who changed it.

-- The plans a number (E.164) belongs to: every country whose calling code it starts with and
-- whose national pattern the rest matches (US and CA both, for a mainland +1 number), and
-- whether it is in that country's premium or special-rate ranges.
create function app.number_plans(p_e164 text)
returns table (country text, name text, premium boolean)
language sql stable as $$
    select d.country, d.name,
           coalesce(substr(p_e164, 2 + length(d.calling_code)) ~ d.premium, false)
      from app.dialing_plans d
     where p_e164 ~ '^\+[1-9][0-9]{6,14}$'
       and left(p_e164, 1 + length(d.calling_code)) = '+' || d.calling_code
       and substr(p_e164, 2 + length(d.calling_code)) ~ d.national
$$;

-- The countries a merchant's calls may be transferred to: the operator's list, or its own.
create function app.transfer_countries(m app.merchants) returns text[]
language sql stable as $$
    select coalesce(m.transfer_countries, array[m.country])
$$;

-- Refuses a transfer number that is not E.164 (22023), or is premium or special-rate, or of
-- another country than `p_countries` (KS422, issue 17, item 6: toll fraud).
create function app.check_transfer_number(p_number text, p_countries text[]) returns void
language plpgsql stable as $$
begin
    if p_number !~ '^\+[1-9][0-9]{6,14}$' then
        raise exception 'the transfer number must be E.164, like +15555550199'
            using errcode = '22023';
    end if;
    if exists (select 1 from app.number_plans(p_number) p where p.premium) then
        raise exception '% is a premium or special-rate number: calls are not transferred there', p_number
            using errcode = 'KS422';
    end if;
    if not exists (select 1 from app.number_plans(p_number) p where p.country = any (p_countries)) then
        raise exception 'calls can be transferred to numbers of % only, not %',
            (select string_agg(coalesce(d.name, c), ', ' order by c)
               from unnest(p_countries) c left join app.dialing_plans d on d.country = c),
            p_number
            using errcode = 'KS422',
                  hint = 'the operator can allow more countries (api.set_transfer_countries)';
    end if;
end
$$;

-- Who is making a change: the token's subject (or role), else the database login.
create function app.actor() returns text
language sql stable as $$
    select coalesce(app.claim('sub'), app.claim('role'), session_user::text)
$$;

-- Every change of a transfer number or of the allowed countries, whoever makes it (the merchant
-- page, the operator, SQL), is recorded with who made it.
create function app.merchants_record_settings() returns trigger
language plpgsql as $$
begin
    if new.transfer_number is distinct from old.transfer_number then
        insert into app.settings_changes (merchant_id, setting, old_value, new_value, changed_by)
        values (new.id, 'transfer_number', old.transfer_number, new.transfer_number, app.actor());
    end if;
    if new.transfer_countries is distinct from old.transfer_countries then
        insert into app.settings_changes (merchant_id, setting, old_value, new_value, changed_by)
        values (new.id, 'transfer_countries', old.transfer_countries::text,
                new.transfer_countries::text, app.actor());
    end if;
    return null;
end
$$;
create trigger merchants_record_settings after update of transfer_number, transfer_countries
    on app.merchants for each row execute function app.merchants_record_settings();

-- A phone number as E.164 (+ country code and national number), or null when it cannot be one
-- (issue 17, item 11). A number with a country code (+44..., 0044..., or 011 44... from a NANP
-- country) keeps it; one without is read as a national number of `p_country` (its trunk
-- prefix dropped: 020 7946 0018 in GB is +442079460018; 212-555-0147 and 1 212 555 0147 in the
-- US are +12125550147) and must be a valid one; anything else (a 7-digit local number, words)
-- is null. Spaces, dots, dashes and brackets are ignored.
create function app.e164(p_number text, p_country text default 'US') returns text
language plpgsql stable as $$
declare
    d app.dialing_plans;
    v_digits text := regexp_replace(coalesce(p_number, ''), '[^0-9]', '', 'g');
    v_international boolean := btrim(coalesce(p_number, '')) like '+%';
    v_national text;
begin
    if v_digits = '' or btrim(p_number) !~ '^\+?[0-9 ().-]+$' then
        return null;
    end if;
    if not v_international and v_digits like '00%' then
        v_international := true;
        v_digits := substr(v_digits, 3);
    elsif not v_international then
        -- The country's plan, read only for a number without a country code: the caller IDs
        -- and the numbers kea itself wrote are E.164 already (a confirming turn read it twice).
        select * into d from app.dialing_plans x where x.country = coalesce(p_country, 'US');
        if d.calling_code = '1' and v_digits like '011%' then
            v_international := true;
            v_digits := substr(v_digits, 4);
        end if;
    end if;
    if v_international then
        return case when v_digits ~ '^[1-9][0-9]{6,14}$' then '+' || v_digits end;
    end if;
    if d.country is null then
        return null;
    end if;
    v_national := case
        when d.trunk_prefix is not null and v_digits like d.trunk_prefix || '%'
             and substr(v_digits, length(d.trunk_prefix) + 1) ~ d.national
            then substr(v_digits, length(d.trunk_prefix) + 1)
        when v_digits ~ d.national then v_digits
    end;
    return case when v_national is not null then '+' || d.calling_code || v_national end;
end
$$;

-- The merchant's country (what a number without a country code is read as). plpgsql, not
-- sql: the subquery keeps a sql function from being inlined, and PostgreSQL 15 would plan its
-- body on every call (every saved order's phone trigger).
create function app.merchant_country(p_merchant_id bigint) returns text
language plpgsql stable as $$
begin
    return coalesce((select m.country from app.merchants m where m.id = p_merchant_id), 'US');
end
$$;

-- An order's number, however it reached the row (the caller said it, the caller ID, an agent),
-- is E.164 or null: the text goes to it, and the opt-out list is matched against it.
create function app.orders_e164_phone() returns trigger
language plpgsql as $$
begin
    -- An international number needs no country: the merchant (a coordinator table on Citus,
    -- where this trigger runs on the order's shard) is read only for a national one, and the
    -- api functions that save an order write E.164 already (docs/scaling.md).
    new.customer_phone := app.e164(new.customer_phone,
        case when btrim(new.customer_phone) like '+%' then null
             else app.merchant_country(new.merchant_id) end);
    return new;
end
$$;
create trigger orders_e164_phone before insert or update of customer_phone on app.orders
    for each row when (new.customer_phone is not null)
    execute function app.orders_e164_phone();

-- An opt-out (a STOP, Twilio's 21610) is kept as E.164, like the numbers it is matched with.
create function app.sms_opt_outs_e164() returns trigger
language plpgsql as $$
begin
    new.phone := coalesce(app.e164(new.phone), new.phone);
    return new;
end
$$;
create trigger sms_opt_outs_e164 before insert or update of phone on app.sms_opt_outs
    for each row execute function app.sms_opt_outs_e164();
