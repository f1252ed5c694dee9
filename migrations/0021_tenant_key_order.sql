-- Why: 0020 put merchant_id first in the menu tables' unique keys and dropped the unique (id)
-- copies of primary keys, and with them the only indexes that found a menu's categories,
-- items and groups by menu, an item's variations, a group's options, or an order, task,
-- reservation, menu or staff account by id alone: app.menu_document read whole tables to
-- publish one menu (scripts/bench scale: publishing 1,000 menus took minutes). The keys keep
-- merchant_id (Citus, tests/tests/catalog.rs), last, so they serve the lookups they served
-- before; plain indexes on id come back where the unique ones were.
set role kea_owner;

alter table app.menu_categories drop constraint menu_categories_menu_code_key,
    add constraint menu_categories_menu_code_key unique (menu_id, code, merchant_id);
alter table app.menu_items drop constraint menu_items_menu_code_key,
    add constraint menu_items_menu_code_key unique (menu_id, code, merchant_id);
alter table app.item_variations drop constraint item_variations_item_code_key,
    add constraint item_variations_item_code_key unique (item_id, code, merchant_id);
alter table app.modifier_groups drop constraint modifier_groups_menu_code_key,
    add constraint modifier_groups_menu_code_key unique (menu_id, code, merchant_id);
alter table app.modifier_options drop constraint modifier_options_group_code_key,
    add constraint modifier_options_group_code_key unique (group_id, code, merchant_id);

drop index app.sms_messages_sid;
create unique index sms_messages_sid on app.sms_messages (sid, merchant_id) where sid is not null;

create index menus_id on app.menus (id);
create index orders_id on app.orders (id);
create index tasks_id on app.tasks (id);
create index reservations_id on app.reservations (id);
create index merchant_users_id on app.merchant_users (id);

reset role;
