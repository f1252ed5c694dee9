-- Why: POS menus price some options below nothing ("No rice -1.00", "Half portion -2.50", "Sub
-- tofu -0.50"), and kea refused such menus whole. An option's price is an adjustment and may be
-- negative; item and size prices stay at or above zero (their checks stay), and a line's price
-- never goes below zero (kea_core's pricing clamps it; this check holds it where lines are
-- stored, whoever writes them). docs/architecture.md, "Menus".
set role kea_owner;

alter table app.modifier_options drop constraint modifier_options_price_cents_check;
comment on column app.modifier_options.price_cents is
    'What the option adds to a line: may be negative, a reduction; the line''s price stays >= 0.';

alter table app.order_lines add constraint order_lines_unit_price_cents_check
    check (unit_price_cents >= 0);

reset role;
