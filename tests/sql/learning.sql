-- Phrases learnt from agents' corrections (docs/closed-loop.md, part 1), from SQL: calls run
-- through api.twilio_voice / api.twilio_gather, an agent corrects and approves over the agents'
-- functions; candidates are recorded, become active after the merchant's number of
-- confirmations (or when the merchant accepts them), reach the published menu (and the
-- extraction) of that merchant only, never outrank the menu's own names, and rejected ones stay
-- rejected. Rolled back.

insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('learn-a', 'Learn A', 0, '+15550008888'), ('learn-b', 'Learn B', 0, '+15550008888');
insert into app.phone_numbers (e164, merchant_id)
select case slug when 'learn-a' then '+15550008001' else '+15550008002' end, id
  from app.merchants where slug in ('learn-a', 'learn-b');
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d
 where m.slug in ('learn-a', 'learn-b');
select api.import_menu(id, '{"name": "Cafe",
 "categories": [{"code": "drinks", "name": "Drinks"}, {"code": "bakery", "name": "Bakery"}],
 "items": [
  {"code": "latte", "name": "Latte", "category": "drinks", "default_variation": "medium", "groups": ["milk"],
   "variations": [{"code": "small", "name": "Small", "price_cents": 350},
                  {"code": "medium", "name": "Medium", "price_cents": 400},
                  {"code": "large", "name": "Large", "price_cents": 450}]},
  {"code": "scone", "name": "Scone", "category": "bakery", "price_cents": 300},
  {"code": "muffin", "name": "Blueberry Muffin", "category": "bakery", "price_cents": 325}],
 "groups": [{"code": "milk", "name": "Milk", "max": 1,
             "options": [{"code": "oat", "name": "Oat Milk", "price_cents": 75},
                         {"code": "whole", "name": "Whole Milk"}]}]}')
  from app.merchants where slug in ('learn-a', 'learn-b');
-- Merchant A's tasks go to this test's agent only (a queue of its own).
insert into app.task_queues (name, requires, reservation_timeout_s) values ('learn-test', '{"skills": ["learn-test"]}', 600);
insert into app.workflows (name) values ('learn-test');
insert into app.workflow_steps (workflow_id, step, kind, queue_id, timeout_s)
select w.id, 1, 'queue', q.id, 600 from app.workflows w, app.task_queues q
 where w.name = 'learn-test' and q.name = 'learn-test';
update app.merchants set workflow_id = (select id from app.workflows where name = 'learn-test')
 where slug = 'learn-a';
select app.upsert_agent('learn-agent@example.test', 'Learn Agent', 'pw',
                        jsonb_build_object('merchants', array[(select id from app.merchants where slug = 'learn-a')],
                                           'skills', array['learn-test']), 5);
select app.set_agent_activity((select id from app.agents where email = 'learn-agent@example.test'), 'available');

-- A call through the webhooks' functions (what the gateway calls), saying `p_says` after the
-- greeting; returns the order it saved.
create function pg_temp.call(p_to text, p_sid text, p_says text[]) returns bigint
language plpgsql as $$
begin
    perform api.twilio_voice(jsonb_build_object('To', p_to, 'From', '+15551239876', 'CallSid', p_sid,
                                                'CallStatus', 'in-progress'));
    for i in 1 .. array_length(p_says, 1) loop
        perform api.twilio_gather(jsonb_build_object('To', p_to, 'CallSid', p_sid,
                                                     'SpeechResult', p_says[i], 'Confidence', '0.93'), i);
    end loop;
    return (select order_id from app.calls where call_sid = p_sid);
end
$$;

-- The agent's token, then as the console does: accept, correct (size small, add a scone),
-- approve. Back to the test's own claims after.
create function pg_temp.correct(p_order bigint, p_fix boolean default true) returns void
language plpgsql as $$
declare
    v_task bigint := (select id from app.tasks where order_id = p_order);
begin
    perform set_config('request.jwt.claims', jsonb_build_object(
        'role', 'kea_agent', 'agent_id', (select id from app.agents where email = 'learn-agent@example.test'))::text, true);
    perform api.accept_task(v_task);
    if p_fix then
        perform api.edit_order_line(v_task, 1, null, 'small', null);
        perform api.add_order_line(v_task, 'scone');
    end if;
    perform api.approve_order(v_task);
    perform set_config('request.jwt.claims', '', true);
end
$$;

create function pg_temp.as_merchant(p_slug text) returns void
language sql as $$
    select set_config('request.jwt.claims', jsonb_build_object(
        'role', 'kea_merchant', 'merchant_id', (select id from app.merchants where slug = p_slug),
        'user_id', 4242)::text, true)
$$;

-- The published document's aliases of one item / size of merchant p_slug's active menu.
create function pg_temp.aliases(p_slug text, p_item text, p_size text default null) returns jsonb
language sql as $$
    select case when p_size is null then i->'aliases'
                else (select v->'aliases' from jsonb_array_elements(i->'variations') v where v->>'code' = p_size) end
      from app.menus m join kea.menus k on k.menu_id = m.id, jsonb_array_elements(k.document->'items') i
     where m.merchant_id = (select id from app.merchants where slug = p_slug) and m.active and i->>'code' = p_item
$$;

-- Accepts a phrase as the signed-in merchant: 'accepted', or the error's state and message.
create function pg_temp.accept(p_phrase_id bigint) returns text
language plpgsql as $$
begin
    perform api.accept_phrase(p_phrase_id);
    return 'accepted';
exception when others then
    return sqlstate || ' ' || sqlerrm;
end
$$;

create function pg_temp.menu(p_slug text) returns bigint
language sql as $$
    select m.id from app.menus m join app.merchants x on x.id = m.merchant_id where x.slug = p_slug and m.active
$$;

do $$
declare
    a bigint := (select id from app.merchants where slug = 'learn-a');
    o bigint;
    v jsonb;
    v_version bigint;
    v_msg text;
begin
    -- 1. "tall" and "biscuit" are words the menu does not know: the call takes a medium latte and
    -- leaves the biscuit out; the agent makes it a small and adds a scone.
    v := kea.extract(pg_temp.menu('learn-a'), 'a tall latte and a biscuit');
    assert v->'lines'->0->>'variation' is null and jsonb_array_length(v->'lines') = 1, v::text;
    o := pg_temp.call('+15550008001', 'CA-learn-1', array['a tall latte', 'and a biscuit', 'that''s all', 'yes']);
    assert (select call_lines->0->>'item' from app.orders where id = o) = 'latte', 'the call took the latte';
    perform pg_temp.correct(o);
    assert (select status from app.orders where id = o) = 'verified';
    select jsonb_object_agg(phrase, jsonb_build_array(target_kind, item_code, code, status, times_seen))
      into v from app.learned_phrases where merchant_id = a;
    assert v = '{"tall": ["variation", "latte", "small", "candidate", 1],
                 "biscuit": ["item", "scone", "scone", "candidate", 1]}'::jsonb,
        format('one candidate for the size, one for the item: %s', v);
    assert (select jsonb_object_agg(p.phrase, s.speech) from app.learned_phrase_sources s
              join app.learned_phrases p on p.merchant_id = s.merchant_id and p.id = s.phrase_id
             where s.merchant_id = a and s.order_id = o)
        = '{"tall": "a tall latte", "biscuit": "and a biscuit"}', 'each remembers the order and the words it came from';
    -- Words said beside another line are not taken for an added item (chat, a self-correction).
    o := pg_temp.call('+15550008001', 'CA-learn-1b', array['a small latte and a cookie', 'that''s all', 'yes']);
    perform pg_temp.correct(o);
    assert not exists (select 1 from app.learned_phrases where merchant_id = a and phrase = 'cookie'),
        'a word beside the latte taught nothing about the scone';
    assert not pg_temp.aliases('learn-a', 'latte', 'small') ? 'tall', 'a candidate is not on the menu yet';
    -- Chat names nothing: "wife" sits right before the latte the agent made small (a word every
    -- caller may say: the chat list), "own" is all a turn without a line left unplaced before the
    -- agent added a scone (a stop word of PostgreSQL's English text search).
    o := pg_temp.call('+15550008001', 'CA-learn-1c', array['for my wife a latte', 'i want to make my own', 'that''s all', 'yes']);
    perform pg_temp.correct(o);
    assert (select status from app.orders where id = o) = 'verified';
    select jsonb_agg(phrase order by phrase) into v from app.learned_phrases where merchant_id = a;
    assert v = '["biscuit", "tall"]', format('no chat word became a candidate: %s', v);
    assert app.naming_words('still oatmilk') = 'oatmilk' and app.naming_words('my own') is null
        and app.naming_words('two trays') = 'trays' and app.naming_words('lovely') is null,
        'chat at the ends of a run is taken off';

    -- 2. An order approved without a correction teaches nothing; an order seen twice counts once.
    o := pg_temp.call('+15550008001', 'CA-learn-2', array['a large latte', 'that''s all', 'yes']);
    perform pg_temp.correct(o, false);
    perform app.learn_from_order(a, (select order_id from app.calls where call_sid = 'CA-learn-1'));
    assert (select sum(times_seen) from app.learned_phrases where merchant_id = a) = 2, 'nothing new';

    -- 3. A second corrected order confirms both (default: 2): active, decided by kea, on the
    -- published menu at once, and the extraction hears them.
    v_version := (select version from kea.menus where menu_id = pg_temp.menu('learn-a'));
    o := pg_temp.call('+15550008001', 'CA-learn-3', array['a tall latte', 'and a biscuit', 'that''s all', 'yes']);
    perform pg_temp.correct(o);
    assert (select bool_and(status = 'active' and decided_by = 'kea' and times_seen = 2)
              from app.learned_phrases where merchant_id = a), 'both active';
    assert (select version from kea.menus where menu_id = pg_temp.menu('learn-a')) > v_version,
        'the menu was published again (every backend''s compiled copy is invalidated)';
    assert pg_temp.aliases('learn-a', 'latte', 'small') ? 'tall', pg_temp.aliases('learn-a', 'latte', 'small')::text;
    assert pg_temp.aliases('learn-a', 'scone') ? 'biscuit', pg_temp.aliases('learn-a', 'scone')::text;
    v := kea.extract(pg_temp.menu('learn-a'), 'a tall latte and a biscuit');
    assert v->'lines' @> '[{"item": "latte", "variation": "small"}, {"item": "scone"}]', v::text;
    o := pg_temp.call('+15550008001', 'CA-learn-4', array['a tall latte and a biscuit', 'that''s all', 'yes']);
    assert (select jsonb_agg(l->>'item' || coalesce('@' || (l->>'variation'), '') order by l->>'item')
              from app.orders, jsonb_array_elements(call_lines) l where id = o) = '["latte@small", "scone"]',
        'the next call takes the order right';

    -- 4. Another merchant with the same menu learnt nothing.
    assert not pg_temp.aliases('learn-b', 'latte', 'small') ? 'tall', 'B''s menu is B''s';
    assert kea.extract(pg_temp.menu('learn-b'), 'a tall latte')->'lines'->0->>'variation' is null;

    -- 5. Accepting a phrase whose words already mean something else is refused (KL409).
    insert into app.learned_phrases (merchant_id, phrase, target_kind, item_code, code)
    values (a, 'biscuit', 'item', 'muffin', 'muffin');
    perform pg_temp.as_merchant('learn-a');
    v_msg := pg_temp.accept((select id from app.learned_phrases where merchant_id = a and code = 'muffin'));
    assert v_msg like 'KL409 "biscuit" already means Scone%', v_msg;
    -- ... and another merchant's phrase is not found (KL404).
    perform pg_temp.as_merchant('learn-b');
    v_msg := pg_temp.accept((select id from app.learned_phrases where merchant_id = a and code = 'muffin'));
    assert v_msg like 'KL404 %', v_msg;

    -- ... and so is one kea already hears, said alone, as something of the menu, though it is
    -- no name nor a name's last words ("blueberry" is the Blueberry Muffin to kea).
    insert into app.learned_phrases (merchant_id, phrase, target_kind, item_code, code)
    values (a, 'blueberry', 'item', 'scone', 'scone');
    perform pg_temp.as_merchant('learn-a');
    v_msg := pg_temp.accept((select id from app.learned_phrases where merchant_id = a and phrase = 'blueberry'));
    assert v_msg = 'KL409 kea already hears "blueberry" on the menu, as muffin', v_msg;
    delete from app.learned_phrases where merchant_id = a and phrase = 'blueberry';

    -- 6. The menu's own names win: once the menu has an item called Biscuit, the learnt alias
    -- is left out of the document (it stays active, and comes back if the item goes).
    insert into app.menu_items (merchant_id, menu_id, code, name, price_cents, category_code)
    values (a, pg_temp.menu('learn-a'), 'biscuit', 'Biscuit', 275, 'bakery');
    assert not pg_temp.aliases('learn-a', 'scone') ? 'biscuit', pg_temp.aliases('learn-a', 'scone')::text;
    assert kea.extract(pg_temp.menu('learn-a'), 'a biscuit')->'lines'->0->>'item' = 'biscuit';
    delete from app.menu_items where menu_id = pg_temp.menu('learn-a') and code = 'biscuit';
    assert pg_temp.aliases('learn-a', 'scone') ? 'biscuit', 'back once the menu no longer names it';

    -- 7. The merchant rejects "tall": off the menu at once, and never active again by itself.
    perform pg_temp.as_merchant('learn-a');
    v := api.reject_phrase((select id from app.learned_phrases where merchant_id = a and phrase = 'tall'));
    assert v->>'status' = 'rejected' and v->>'decided_by' = 'merchant_user:4242', v::text;
    assert not pg_temp.aliases('learn-a', 'latte', 'small') ? 'tall', 'taken off the menu';
    perform set_config('request.jwt.claims', '', true);
    o := pg_temp.call('+15550008001', 'CA-learn-5', array['a tall latte', 'that''s all', 'yes']);
    perform set_config('request.jwt.claims', jsonb_build_object(
        'role', 'kea_agent', 'agent_id', (select id from app.agents where email = 'learn-agent@example.test'))::text, true);
    perform api.accept_task((select id from app.tasks where order_id = o));
    perform api.edit_order_line((select id from app.tasks where order_id = o), 1, null, 'small', null);
    perform api.approve_order((select id from app.tasks where order_id = o));
    assert (select status || ' ' || times_seen from app.learned_phrases where merchant_id = a and phrase = 'tall')
        = 'rejected 3', 'seen again, still rejected';

    -- 8. The merchant's list: candidates first, each with its target's name and its calls;
    -- accepting it back (the merchant may) puts it on the menu again.
    perform pg_temp.as_merchant('learn-a');
    v := api.learned_phrases();
    assert (v->>'confirmations')::int = 2, v::text;
    assert v->'phrases'->0->>'code' = 'muffin' and v->'phrases'->0->>'conflict' like '"biscuit" already means%', v::text;
    assert jsonb_path_exists(v, '$.phrases[*] ? (@.phrase == "tall" && @.target_name == "Latte: Small"
                                                   && @.sources.size() == 3 && @.sources[0].call_sid == "CA-learn-5")'),
        v::text;
    v := api.accept_phrase((select id from app.learned_phrases where merchant_id = a and phrase = 'tall'));
    assert v->>'status' = 'active' and pg_temp.aliases('learn-a', 'latte', 'small') ? 'tall', v::text;

    -- 9. One confirmation is enough when the merchant says so: the candidates already seen once
    -- become active now.
    insert into app.learned_phrases (merchant_id, phrase, target_kind, group_code, code, times_seen)
    values (a, 'moo juice', 'option', 'milk', 'whole', 1);
    v := api.set_phrase_confirmations(1);
    assert (select status from app.learned_phrases where merchant_id = a and phrase = 'moo juice') = 'active', v::text;
    assert (select status from app.learned_phrases where merchant_id = a and code = 'muffin') = 'candidate',
        'a conflicting candidate waits for the merchant';
    assert kea.extract(pg_temp.menu('learn-a'), 'a latte with moo juice')->'lines'->0->'modifiers'
        @> '[{"group": "milk", "option": "whole"}]';

    -- 10. One word heard in corrections to three different things says nothing about any: "fresh"
    -- becomes active for the scone (one confirmation is enough now), waits as the whole milk's (it
    -- already means Scone), and once heard for a large latte too, kea takes back what it
    -- activated, and the merchant cannot accept any of them.
    perform app.record_phrase(a, o, null, 'fresh', 'item', 'scone', null, 'scone', 'a fresh scone');
    assert pg_temp.aliases('learn-a', 'scone') ? 'fresh', 'one meaning: active';
    perform app.record_phrase(a, o, null, 'fresh', 'option', null, 'milk', 'whole', 'fresh milk');
    perform app.record_phrase(a, o, null, 'fresh', 'variation', 'latte', null, 'large', 'a fresh latte');
    select jsonb_object_agg(code, status) into v from app.learned_phrases where merchant_id = a and phrase = 'fresh';
    assert v = '{"scone": "candidate", "whole": "candidate", "large": "candidate"}', v::text;
    assert not pg_temp.aliases('learn-a', 'scone') ? 'fresh', pg_temp.aliases('learn-a', 'scone')::text;
    v_msg := pg_temp.accept((select id from app.learned_phrases where merchant_id = a
                               and phrase = 'fresh' and code = 'large'));
    assert v_msg like 'KL409 "fresh" was heard for 3 different things%', v_msg;
    -- A size is one meaning whatever item it was heard for ("tall" for a small latte and a small
    -- mocha), and a phrase of two words may mean several things.
    insert into app.learned_phrases (merchant_id, phrase, target_kind, item_code, code)
    values (a, 'tall', 'variation', 'mocha', 'small'), (a, 'tall', 'variation', 'americano', 'small');
    assert app.phrase_meanings(a, 'tall') = 1;
    assert (select status from app.learned_phrases where merchant_id = a and phrase = 'tall' and item_code = 'latte') = 'active';

    -- 11. A name's last words are the menu's already ("milk" ends Oat Milk and Whole Milk,
    -- "muffin" ends Blueberry Muffin): kea hears them as those names, and learnt for one of them
    -- they would choose it everywhere (a "corn" learnt for a salsa answered the shell question).
    -- Its first word is not ("oat").
    assert not app.learnable_phrase('milk', pg_temp.menu('learn-a')), 'the last word of two options';
    assert not app.learnable_phrase('muffin', pg_temp.menu('learn-a')), 'the last word of an item';
    assert app.learnable_phrase('oat', pg_temp.menu('learn-a')), 'a first word may be learnt';
    insert into app.learned_phrases (merchant_id, phrase, target_kind, group_code, code, times_seen, status)
    values (a, 'milk', 'option', 'milk', 'oat', 2, 'active');
    assert not exists (select 1 from app.menu_learned_aliases(pg_temp.menu('learn-a')) x where x.phrase = 'milk'),
        'never on the published menu';
    perform set_config('request.jwt.claims', '', true);
    -- 12. Words said beside a line kea heard right, in an order an agent approved unedited, named
    -- nothing: "yummy", made active for the scone by kea, goes back to being a candidate once an
    -- agent approves unedited a call that said it of a latte, the merchant cannot accept it, and its other forms
    -- ("yummies") or phrases holding it ("blue yummies") are not learnt for another item either.
    -- Said beside the latte, it is no word against the latte.
    o := pg_temp.call('+15550008001', 'CA-learn-12', array['a yummy latte', 'that''s all', 'yes']);
    perform app.record_phrase(a, o, null, 'yummy', 'item', 'scone', null, 'scone', 'a yummy scone');
    assert (select status from app.learned_phrases where merchant_id = a and phrase = 'yummy') = 'active';
    perform pg_temp.correct(o, false);
    assert (select status from app.orders where id = o) = 'verified';
    assert (select jsonb_agg(jsonb_build_array(phrase, item_code)) from app.unneeded_phrases
             where merchant_id = a) = '[["yummy", "latte"]]',
        (select jsonb_agg(u) from app.unneeded_phrases u where merchant_id = a)::text;
    assert (select status || ' ' || decided_by from app.learned_phrases
             where merchant_id = a and phrase = 'yummy') = 'candidate kea', 'kea took it back';
    assert not pg_temp.aliases('learn-a', 'scone') ? 'yummy', pg_temp.aliases('learn-a', 'scone')::text;
    perform pg_temp.as_merchant('learn-a');
    v_msg := pg_temp.accept((select id from app.learned_phrases where merchant_id = a and phrase = 'yummy'));
    assert v_msg like 'KL409 callers also say "yummy" for Latte, which kea heard right without it%', v_msg;
    perform set_config('request.jwt.claims', '', true);
    perform app.record_phrase(a, o, null, 'yummies', 'item', 'muffin', null, 'muffin', 'two yummies');
    assert (select status from app.learned_phrases where merchant_id = a and phrase = 'yummies') = 'candidate',
        'another form of the word';
    insert into app.learned_phrases (merchant_id, phrase, target_kind, item_code, code)
    values (a, 'yummy', 'item', 'latte', 'latte'), (a, 'blue yummies', 'item', 'muffin', 'muffin');
    assert app.phrase_conflict((select p from app.learned_phrases p where merchant_id = a
                                   and phrase = 'blue yummies')) like 'callers also say "yummy"%',
        'nor as a word of a longer phrase (kea hears a name''s last word as the name)';
    assert app.phrase_conflict((select p from app.learned_phrases p where merchant_id = a and phrase = 'yummy'
                                   and code = 'latte')) is null, 'said beside the latte: no word against the latte';
    perform set_config('request.jwt.claims', '', true);
end
$$;
