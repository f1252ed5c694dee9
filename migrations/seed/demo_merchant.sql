-- The demo merchant: Tony's Pizza on +15555550100, open around the clock so the demo and
-- anyone's test calls work at any hour. Idempotent: run by every scripts/init.
-- Expects the psql variables `menu` (migrations/seed/tonys_pizza.menu.json) and
-- `demo_password` (KEA_DEMO_PASSWORD): the demo agent agent@tonys.example and the owner
-- owner@tonys.example, for development only.
\set ON_ERROR_STOP on
begin;
insert into app.merchants (slug, name, time_zone, tax_rate_bp, transfer_number, prep_minutes)
values ('tonys-pizza', 'Tony''s Pizza', 'America/New_York', 825, '+15555550199', 20)
on conflict (slug) do nothing;

insert into app.phone_numbers (e164, merchant_id)
select '+15555550100', id from app.merchants where slug = 'tonys-pizza'
on conflict (e164) do nothing;

insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d
where m.slug = 'tonys-pizza'
on conflict do nothing;

-- (Re)import the menu when the file changed, so edits to the JSON reach the demo.
select api.import_menu(m.id, :'menu'::jsonb)
from app.merchants m
where m.slug = 'tonys-pizza'
  and not exists (
      select 1 from app.menus x
      where x.merchant_id = m.id and x.active
        and x.extra->>'source_sha' = md5(:'menu'));
update app.menus x set extra = x.extra || jsonb_build_object('source_sha', md5(:'menu'))
from app.merchants m
where m.slug = 'tonys-pizza' and x.merchant_id = m.id and x.active
  and x.extra->>'source_sha' is distinct from md5(:'menu');

-- The demo call-centre agent, who serves every merchant (scripts/demo signs in as them).
select app.upsert_agent('agent@tonys.example', 'Demo Agent', :'demo_password',
                        '{"merchants": ["*"], "languages": ["en"], "skills": ["supervisor"]}', 3);
-- The demo restaurant's owner, for the merchant page (/merchant).
select app.upsert_merchant_user(m.id, 'owner@tonys.example', 'Tony', :'demo_password')
  from app.merchants m where m.slug = 'tonys-pizza';
commit;
