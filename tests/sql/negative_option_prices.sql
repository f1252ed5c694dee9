-- Options that take money off ("No rice -1.00", "Half portion -2.50"; docs/architecture.md
-- "Menus"): the import takes them and still refuses a negative item or size price; an order
-- with one is priced and saved at the menu's figure; a line priced below the menu is still
-- refused, and no line is stored below zero. Rolled back; the deferred completeness check is
-- run at once after each save (as tests/sql/workflow.sql does).

insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('neg-test', 'Neg Curry', 1000, '+15550006666');
create temporary table neg as select id as merchant_id from app.merchants where slug = 'neg-test';

create function pg_temp.save(p_order jsonb) returns bigint
language plpgsql as $$
declare
    v bigint := app.save_order((select merchant_id from neg), null, p_order, 'pending_verification');
begin
    perform app.check_order_complete((select merchant_id from neg), v);
    return v;
end
$$;

create function pg_temp.priced(p_lines jsonb) returns jsonb
language sql as $$
    select kea.price_lines((select id from app.menus m join neg using (merchant_id) where m.active), p_lines)
           || '{"details": {"phone": "+15551230000"}}'
$$;

-- 1. The import: a negative option is taken as it is; a negative item or size price is refused
-- by name (22023), and nothing of that menu is imported.
do $$
declare
    m bigint := (select merchant_id from neg);
    v_msg text;
begin
    perform api.import_menu(m, '{"name": "Curry",
      "items": [{"code": "curry", "name": "Chicken Curry", "price_cents": 1299, "groups": ["rice", "portion"]},
                {"code": "dal", "name": "Side of Dal", "price_cents": 200, "groups": ["portion"]}],
      "groups": [{"code": "rice", "name": "Rice", "max": 1,
                  "options": [{"code": "no_rice", "name": "No rice", "price_cents": -100},
                              {"code": "extra_rice", "name": "Extra rice", "price_cents": 150}]},
                 {"code": "portion", "name": "Portion", "max": 1,
                  "options": [{"code": "half", "name": "Half portion", "price_cents": -250}]}]}');
    assert (select o.price_cents from app.modifier_options o
              where o.merchant_id = m and o.code = 'no_rice') = -100, 'the option keeps its -100';
    assert (select k.document->'groups'->0->'options'->0->>'price_cents'
              from kea.menus k join app.menus am on am.id = k.menu_id
             where am.merchant_id = m and am.active) = '-100', 'the published menu says -100';

    begin
        perform api.import_menu(m, '{"items": [{"code": "bowl", "name": "Bowl", "price_cents": -1}]}');
        raise exception 'a negative item price was imported';
    exception when sqlstate '22023' then
        get stacked diagnostics v_msg = message_text;
        assert v_msg like '%item bowl (-1)%', v_msg;
    end;
    begin
        perform api.import_menu(m, '{"items": [{"code": "bowl", "name": "Bowl",
            "variations": [{"code": "kids", "name": "Kids", "price_cents": -100}]}]}');
        raise exception 'a negative size price was imported';
    exception when sqlstate '22023' then
        get stacked diagnostics v_msg = message_text;
        assert v_msg like '%size bowl/kids (-100)%', v_msg;
    end;
    assert (select count(*) from app.menus where merchant_id = m) = 1, 'the refused menus left nothing';
    -- The tables hold the same line: an item or a size below zero is no row either.
    begin
        update app.menu_items set price_cents = -1 where merchant_id = m and code = 'dal';
        raise exception 'an item was stored below zero';
    exception when check_violation then null;
    end;
end $$;

-- 2. An order with the reduction: priced at the menu's figure, saved and checked; the stored
-- total is what kea.price_lines says (what the read-back said), the line carries the -1.00 for
-- the receipt and the POS.
do $$
declare
    v_doc jsonb := pg_temp.priced('[{"item": "curry", "quantity": 2, "modifiers": [{"group": "rice", "option": "no_rice"}]}]');
    v_order bigint;
begin
    assert (v_doc->'lines'->0->>'unit_price_cents')::bigint = 1199, v_doc::text;
    v_order := pg_temp.save(v_doc);
    assert (select (subtotal_cents, tax_cents, total_cents) = (2398::bigint, 240::bigint, 2638::bigint)
              from app.orders where id = v_order),
        (select to_jsonb(o) from app.orders o where id = v_order)::text;
    assert (select l.modifiers->0->>'price_cents' from app.order_lines l where l.order_id = v_order) = '-100';
end $$;

-- 3. A line never below zero: $2.00 of dal at half portion (-2.50) costs nothing, and is saved.
do $$
declare
    v_doc jsonb := pg_temp.priced('[{"item": "dal", "quantity": 2, "modifiers": [{"group": "portion", "option": "half"}]}]');
    v_order bigint;
begin
    assert (v_doc->'lines'->0->>'unit_price_cents')::bigint = 0, v_doc::text;
    assert (v_doc->'lines'->0->'modifiers'->0->>'price_cents')::bigint = -200, v_doc::text;
    v_order := pg_temp.save(v_doc);
    assert (select total_cents from app.orders where id = v_order) = 0;
end $$;

-- 4. Still refused: a line priced below what the menu asks with the reduction (KO422), and a
-- line stored below zero, whoever writes it (the check constraint).
do $$
declare
    m bigint := (select merchant_id from neg);
    v_order bigint;
begin
    begin
        perform pg_temp.save(
            '{"lines": [{"item": "curry", "name": "Chicken Curry", "quantity": 1, "unit_price_cents": 1099,
                         "line_total_cents": 1099,
                         "modifiers": [{"group": "rice", "option": "no_rice", "name": "No rice", "price_cents": -200}]}],
              "subtotal_cents": 1099, "tax_cents": 110, "total_cents": 1209, "details": {"phone": "+15551230000"}}');
        raise exception 'a line priced $1.00 below the menu was accepted';
    exception when sqlstate 'KO422' then null;
    end;
    v_order := pg_temp.save(pg_temp.priced('[{"item": "dal", "quantity": 1}]'));
    begin
        update app.order_lines set unit_price_cents = -50, line_total_cents = -50
         where merchant_id = m and order_id = v_order;
        raise exception 'a line was stored below zero';
    exception when check_violation then null;
    end;
end $$;
