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
