-- Why: issue 17, item 6 (toll fraud). Merchant staff could set any E.164 number as the
-- transfer number, premium international ranges included, and kea dialled it on the
-- platform's Twilio account. Now a transfer number must be of one of the merchant's allowed
-- countries (by default its own, app.merchants.country; the operator may widen the list with
-- api.set_transfer_countries) and not of a premium or special-rate range, and every change of
-- it is recorded with who made it (app.settings_changes).
set role kea_owner;

alter table app.merchants
    add column country text not null default 'US' check (country ~ '^[A-Z]{2}$'),
    add column transfer_countries text[];
comment on column app.merchants.country is
    'ISO 3166 country of the restaurant: its transfer numbers are of this country unless transfer_countries says otherwise, and a number a caller says without a country code is read as of this country.';
comment on column app.merchants.transfer_countries is
    'Countries the transfer number may be in (ISO 3166 codes of app.dialing_plans), set by the operator (api.set_transfer_countries); NULL: the merchant''s own country only.';

-- What kea knows of a country's numbers: enough to tell a number's country and refuse the
-- premium and special-rate ranges, for the countries kea serves. National numbers are the
-- digits after the calling code. US and Canada share +1 and are not told apart; the other
-- countries and territories of +1 (the Caribbean's, where "one-ring" toll fraud lives) are
-- rows of their own, by area code.
create table app.dialing_plans (
    country       text primary key check (country ~ '^[A-Z]{2}$'),
    name          text not null,
    calling_code  text not null check (calling_code ~ '^[1-9][0-9]{0,2}$'),
    -- The national significant numbers of the country (a regular expression).
    national      text not null,
    -- Premium, special-rate, personal and other numbers never dialled as a transfer.
    premium       text
);
comment on table app.dialing_plans is
    'Numbering plans of the countries kea serves: calling code, national number pattern, premium and special-rate ranges (docs/security.md, "Transfer numbers").';

-- NANP: area code and exchange both [2-9]xx. 900 and 976 are premium, 5XX personal
-- communications, 700 carrier services, NXX 976 premium in many areas.
insert into app.dialing_plans (country, name, calling_code, national, premium) values
    ('US', 'United States', '1',
     '^(?!(242|246|264|268|284|340|345|441|473|649|658|664|670|671|684|721|758|767|784|787|809|829|849|868|869|876|939)[0-9]{7}$)[2-9][0-9]{2}[2-9][0-9]{6}$',
     '^(900|976|700|500|52[1-9]|53[0-3]|544|566|577|588)|^[2-9][0-9]{2}976'),
    ('CA', 'Canada', '1',
     '^(?!(242|246|264|268|284|340|345|441|473|649|658|664|670|671|684|721|758|767|784|787|809|829|849|868|869|876|939)[0-9]{7}$)[2-9][0-9]{2}[2-9][0-9]{6}$',
     '^(900|976|700|500|52[1-9]|53[0-3]|544|566|577|588)|^[2-9][0-9]{2}976'),
    ('PR', 'Puerto Rico', '1', '^(787|939)[2-9][0-9]{6}$', '^[0-9]{3}976'),
    ('VI', 'U.S. Virgin Islands', '1', '^340[2-9][0-9]{6}$', null),
    ('GU', 'Guam', '1', '^671[2-9][0-9]{6}$', null),
    ('MP', 'Northern Mariana Islands', '1', '^670[2-9][0-9]{6}$', null),
    ('AS', 'American Samoa', '1', '^684[2-9][0-9]{6}$', null),
    ('BS', 'Bahamas', '1', '^242[2-9][0-9]{6}$', null),
    ('BB', 'Barbados', '1', '^246[2-9][0-9]{6}$', null),
    ('AI', 'Anguilla', '1', '^264[2-9][0-9]{6}$', null),
    ('AG', 'Antigua and Barbuda', '1', '^268[2-9][0-9]{6}$', null),
    ('VG', 'British Virgin Islands', '1', '^284[2-9][0-9]{6}$', null),
    ('KY', 'Cayman Islands', '1', '^345[2-9][0-9]{6}$', null),
    ('BM', 'Bermuda', '1', '^441[2-9][0-9]{6}$', null),
    ('GD', 'Grenada', '1', '^473[2-9][0-9]{6}$', null),
    ('TC', 'Turks and Caicos Islands', '1', '^649[2-9][0-9]{6}$', null),
    ('JM', 'Jamaica', '1', '^(876|658)[2-9][0-9]{6}$', null),
    ('MS', 'Montserrat', '1', '^664[2-9][0-9]{6}$', null),
    ('SX', 'Sint Maarten', '1', '^721[2-9][0-9]{6}$', null),
    ('LC', 'Saint Lucia', '1', '^758[2-9][0-9]{6}$', null),
    ('DM', 'Dominica', '1', '^767[2-9][0-9]{6}$', null),
    ('VC', 'Saint Vincent and the Grenadines', '1', '^784[2-9][0-9]{6}$', null),
    ('DO', 'Dominican Republic', '1', '^(809|829|849)[2-9][0-9]{6}$', null),
    ('TT', 'Trinidad and Tobago', '1', '^868[2-9][0-9]{6}$', null),
    ('KN', 'Saint Kitts and Nevis', '1', '^869[2-9][0-9]{6}$', null),
    -- 09 premium, 087x special rate, 070 personal numbers, 076 pagers, 118 directories.
    ('GB', 'United Kingdom', '44', '^[1-9][0-9]{8,9}$', '^(9|87|70|76|118)'),
    -- 15xx premium, 18xx shared cost, 076 VoIP nomadic.
    ('IE', 'Ireland', '353', '^[1-9][0-9]{6,9}$', '^(1[58]|76)'),
    -- 08 1x to 08 9x shared cost and premium (080x is free), 118 directories.
    ('FR', 'France', '33', '^[1-9][0-9]{8}$', '^(8[1-9]|118)'),
    -- 0900 premium, 0137 televoting, 0180 shared cost, 118 directories, 012 innovative services.
    ('DE', 'Germany', '49', '^[1-9][0-9]{5,13}$', '^(900|137|180|118|12)'),
    -- 803, 806, 807, 905, 907 premium, 118 directories.
    ('ES', 'Spain', '34', '^[6-9][0-9]{8}$', '^(80[367]|90[57]|118)'),
    -- 89x and 4xx premium, 199 and 178 special rate, 12 directories.
    ('IT', 'Italy', '39', '^[0-9]{6,11}$', '^(89|4|199|178|12)'),
    -- 0900, 0906, 0909 premium, 18xx directories.
    ('NL', 'Netherlands', '31', '^[1-9][0-9]{8}$', '^(90[069]|18)'),
    -- 19xx premium.
    ('AU', 'Australia', '61', '^[1-9][0-9]{8}$', '^19'),
    -- 0900 premium, 083 special.
    ('NZ', 'New Zealand', '64', '^[2-9][0-9]{7,9}$', '^(900|83)'),
    -- 900 premium.
    ('MX', 'Mexico', '52', '^[1-9][0-9]{9}$', '^900');

-- Who changed a merchant's transfer number or its allowed countries, from what to what.
create table app.settings_changes (
    merchant_id  bigint not null references app.merchants (id) on delete cascade,
    id           bigint generated always as identity,
    at           timestamptz not null default now(),
    setting      text not null,
    old_value    text,
    new_value    text,
    -- The token's subject (merchant_user:7, an operator's name) or, from SQL, the login.
    changed_by   text not null,
    primary key (merchant_id, id)
);
comment on table app.settings_changes is
    'Every change of a merchant''s transfer number or transfer countries, and who made it.';
alter table app.settings_changes enable row level security;
alter table app.dialing_plans enable row level security;

reset role;
