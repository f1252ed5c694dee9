-- Why: issue 17, item 11. A caller can say any number for the text, and it was stored as
-- heard ("2125550147"), while a STOP is stored as Twilio sends it ("+12125550147"): the
-- opt-out list never matched, and the number was texted anyway. Every number is now
-- normalised to E.164 before it is stored (app.e164, triggers in sql/app/phones.sql), read in
-- the merchant's country when it has no country code: the trunk prefix each country's national
-- numbers are dialled with is added to app.dialing_plans. Numbers already stored are
-- normalised here for the merchants there are (all of +1).
set role kea_owner;

alter table app.dialing_plans add column trunk_prefix text;
comment on column app.dialing_plans.trunk_prefix is
    'What a national number is dialled with inside the country (0 in most of Europe and Oceania, 1 in the NANP), dropped when the number gets its country code.';
update app.dialing_plans set trunk_prefix = '1' where calling_code = '1';
update app.dialing_plans set trunk_prefix = '0' where country in ('GB', 'IE', 'FR', 'DE', 'NL', 'AU', 'NZ');
-- A US or Canadian number is an area code ([2-9]xx) and seven digits: the exchange's own rule
-- ([2-9]xx) is left to the carrier, so that a number as callers say it (555-123-4567) is kept
-- rather than lost.
update app.dialing_plans
   set national = '^(?!(242|246|264|268|284|340|345|441|473|649|658|664|670|671|684|721|758|767|784|787|809|829|849|868|869|876|939)[0-9]{7}$)[2-9][0-9]{9}$'
 where country in ('US', 'CA');

-- Stored numbers of the NANP, in the shapes a caller or a form gives them.
create function pg_temp.nanp_e164(p text) returns text language sql immutable as $$
    select case
        when p ~ '^\+[1-9][0-9]{6,14}$' then p
        when regexp_replace(p, '[^0-9]', '', 'g') ~ '^[2-9][0-9]{9}$'
            then '+1' || regexp_replace(p, '[^0-9]', '', 'g')
        when regexp_replace(p, '[^0-9]', '', 'g') ~ '^1[2-9][0-9]{9}$'
            then '+' || regexp_replace(p, '[^0-9]', '', 'g')
        else p
    end
$$;
update app.orders o set customer_phone = pg_temp.nanp_e164(o.customer_phone)
 where o.customer_phone is distinct from pg_temp.nanp_e164(o.customer_phone);
-- An opt-out stored in another shape than its E.164 twin: the twin keeps the earlier date.
delete from app.sms_opt_outs x
 where x.phone <> pg_temp.nanp_e164(x.phone)
   and exists (select 1 from app.sms_opt_outs y where y.phone = pg_temp.nanp_e164(x.phone));
update app.sms_opt_outs set phone = pg_temp.nanp_e164(phone) where phone <> pg_temp.nanp_e164(phone);

reset role;
