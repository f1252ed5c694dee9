-- Why: publishing a menu (app.menu_document) found an item's modifier groups with
-- `item_modifier_groups.item_id = $item` and each group with `modifier_groups.id = $group`, and
-- no index leads with either column (their keys start with merchant_id since 0020): one scan of
-- every merchant's item_modifier_groups per item of the menu. At 1,000 merchants that was 250 ms
-- of a 265 ms publish, at 10,000 ten times more, so copying 10,000 menus in scripts/bench scale
-- would have taken hours, and every menu edit on a large platform seconds. The learned-aliases
-- check (app.menu_surface_forms) reads a menu's variations and options by menu_id, also without
-- an index. Plain indexes, as 0021 brought back for lookups by id: these are coordinator
-- tables (app.table_placement), so the Citus key rules do not apply to them.
set role kea_owner;

create index item_modifier_groups_item on app.item_modifier_groups (item_id);
create index modifier_groups_id on app.modifier_groups (id);
create index item_variations_menu on app.item_variations (menu_id);
create index modifier_options_menu on app.modifier_options (menu_id);

reset role;
