-- Why: issue 20, kea distributed by merchant (docs/scaling.md). A unique constraint on a table
-- distributed by merchant_id can only be enforced when it includes merchant_id (each shard
-- checks its own rows), so every unique key of a tenant table now does, on one PostgreSQL too
-- (tests/tests/catalog.rs holds it):
-- - the `unique (id)` copies of the (merchant_id, id) primary keys go: no foreign key uses them,
--   and an identity column never repeats anyway;
-- - codes are unique per merchant's menu, group or item, as they were in effect (a menu, group
--   or item belongs to one merchant);
-- - a text's Twilio sid is unique per merchant (the sids are Twilio's: globally unique).
-- merchant_users.email stays unique across merchants: sign-in finds the account by email
-- alone, and app.merchant_users is not distributed (app.table_placement).
set role kea_owner;

alter table app.menus drop constraint menus_id_key;
alter table app.orders drop constraint orders_id_key;
alter table app.tasks drop constraint tasks_id_key;
alter table app.reservations drop constraint reservations_id_key;
alter table app.merchant_users drop constraint merchant_users_id_key;

alter table app.menu_categories drop constraint menu_categories_menu_id_code_key,
    add constraint menu_categories_menu_code_key unique (merchant_id, menu_id, code);
alter table app.menu_items drop constraint menu_items_menu_id_code_key,
    add constraint menu_items_menu_code_key unique (merchant_id, menu_id, code);
alter table app.item_variations drop constraint item_variations_item_id_code_key,
    add constraint item_variations_item_code_key unique (merchant_id, item_id, code);
alter table app.modifier_groups drop constraint modifier_groups_menu_id_code_key,
    add constraint modifier_groups_menu_code_key unique (merchant_id, menu_id, code);
alter table app.modifier_options drop constraint modifier_options_group_id_code_key,
    add constraint modifier_options_group_code_key unique (merchant_id, group_id, code);

drop index app.sms_messages_sid;
create unique index sms_messages_sid on app.sms_messages (merchant_id, sid) where sid is not null;

reset role;
