-- Sure orders verified without a person (docs/closed-loop.md, part 2): a per-merchant policy
-- (app.autoverify_policies, off by default) checked once, when the call saves its order
-- (app.auto_verify, called by api.twilio_gather), against what the call recorded turn by turn.

-- Every merchant has its policy row, with the column defaults (off): made with the merchant.
create function app.on_merchant_created_policy() returns trigger
language plpgsql as $$
begin
    insert into app.autoverify_policies (merchant_id) values (new.id) on conflict do nothing;
    return null;
end
$$;
create trigger merchants_autoverify_policy after insert on app.merchants
    for each row execute function app.on_merchant_created_policy();

-- Where a policy stands (docs/closed-loop.md, "Earned trust"): off (not enabled); live once
-- the last min_shadow_orders would-pass orders agents finished were approved unchanged (the
-- count in a row is at least N); shadow otherwise: every order to an agent, kea's verdict kept.
-- Derived, never stored, so that changing N moves it at once either way.
create function app.autoverify_state(p app.autoverify_policies) returns text
language sql immutable as $$
    select case when not p.enabled then 'off'
                when p.checked_unchanged >= p.min_shadow_orders then 'live'
                else 'shadow' end
$$;
-- api.analytics_autoverify_trust calls it, and a view's functions run with the reader's rights.
grant execute on function app.autoverify_state(app.autoverify_policies) to kea_analyst;

-- The count starts again when the policy is turned on or what passes changes (min_confidence,
-- max_total_cents, returning_only): the orders counted were judged by other rules. However the
-- row is changed (the setter, or SQL as the benchmark and tests do).
create function app.on_autoverify_policy_update() returns trigger
language plpgsql as $$
begin
    if (new.enabled and not old.enabled)
       or new.min_confidence is distinct from old.min_confidence
       or new.max_total_cents is distinct from old.max_total_cents
       or new.returning_only is distinct from old.returning_only then
        new.checked_unchanged := 0;
        new.counting_since := now();
    end if;
    return new;
end
$$;
create trigger autoverify_policies_restart_count before update on app.autoverify_policies
    for each row execute function app.on_autoverify_policy_update();

-- A policy as /rpc shows it.
create function app.autoverify_policy_json(p app.autoverify_policies) returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'enabled', p.enabled, 'min_confidence', p.min_confidence,
        'max_total_cents', p.max_total_cents, 'returning_only', p.returning_only,
        'sample_one_in', p.sample_one_in, 'min_shadow_orders', p.min_shadow_orders,
        'state', app.autoverify_state(p), 'checked_unchanged', p.checked_unchanged,
        'counting_since', p.counting_since, 'trust_lost_at', p.trust_lost_at,
        'trust_lost_order_id', p.trust_lost_order_id, 'trust_lost_reason', p.trust_lost_reason,
        'passed', p.passed, 'updated_at', p.updated_at, 'updated_by', p.updated_by)
$$;

-- Every turn of a call, in order: the one place the auto-verify rules read a call's turns from
-- (read once per check). plpgsql, not sql: Citus cannot plan this query on its tables inside a
-- sql function with parameters (plpgsql gives it their values; docs/scaling.md).
create function app.call_turns(p_merchant_id bigint, p_call_id bigint)
returns setof app.turns
language plpgsql stable as $$
begin
    return query
        select * from app.turns t
         where t.merchant_id = p_merchant_id and t.call_id = p_call_id
         order by t.seq;
end
$$;

-- What the caller said: the speech turns among a call's turns (app.call_turns), in order.
create function app.speech_turns(p_turns app.turns[]) returns setof app.turns
language sql immutable as $$
    select * from unnest(p_turns) t where t.event = 'speech' order by t.seq
$$;

-- What a turn recorded, each null when the turn has none (the JSON is not an array): the lines
-- its extraction heard, the words it placed nowhere (unmatched), the dialog's notes (did).
create function app.turn_lines(t app.turns) returns json
language sql immutable as $$
    select case when json_typeof(t.understood->'extraction'->'lines') = 'array'
                then t.understood->'extraction'->'lines' end
$$;
create function app.turn_unplaced(t app.turns) returns json
language sql immutable as $$
    select case when json_typeof(t.understood->'extraction'->'unmatched') = 'array'
                then t.understood->'extraction'->'unmatched' end
$$;
create function app.turn_notes(t app.turns) returns json
language sql immutable as $$
    select case when json_typeof(t.understood->'did') = 'array' then t.understood->'did' end
$$;

-- Each word the caller's turns placed nowhere, lower case, split at anything not a letter, with
-- its turn, in turn order: what the rules of a word that went nowhere read (a word of the menu,
-- a measure, a word of heat).
create function app.unplaced_words(p_turns app.turns[]) returns table (t app.turns, w text)
language sql immutable as $$
    select t, x.w
      from app.speech_turns(p_turns) t,
           json_array_elements(app.turn_unplaced(t)) u,
           regexp_split_to_table(lower(u->>'text'), '[^a-z]+') x(w)
$$;

-- How sure kea was of each line of an order as the call produced it (app.orders.call_lines),
-- as the console works it out (docs/console.md): from the last caller turn whose extraction
-- heard the line's item, the lowest of the line's and its options' extraction confidence,
-- capped by the recogniser's confidence of that turn unless the caller confirmed the utterance.
-- A turn that heard the item more than once gives each of its lines the lowest of those
-- readings: which reading made which line is not kept (tenth round: "two large chicken kottu,
-- one large cheese kottu", the first read at 0.80 as the cheese one, hid behind the second's 1.0).
-- A line kea offered after the caller asked about its item by name ("how much is the pineapple
-- fried rice?" - "yes") is as sure as the recogniser was of that question. Null for a line no
-- turn heard as such (e.g. the answer to "which one"). Given the menu's names
-- (app.menu_name_stems), as the auto-verify check gives them, a line or option heard by a piece of
-- its name that names nothing else counts as heard in full (app.piece_sure); the console calls it
-- without, and shows the extraction's confidence as it was.
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.call_line_confidence(p_merchant_id bigint, p_order_id bigint,
                                         p_names jsonb default null)
returns table (line_no integer, item_code text, confidence real, heard text)
language plpgsql stable as $$
#variable_conflict use_column
declare
    v_call bigint;
    v_lines jsonb;
    v_turns app.turns[];
begin
    -- The order, then its call's turns, each read by itself with the parameters' values (as Citus
    -- plans queries on call data, docs/scaling.md): the query below reads no table.
    select o.call_id, o.call_lines into v_call, v_lines
      from app.orders o where o.merchant_id = p_merchant_id and o.id = p_order_id;
    v_turns := array(select t from app.call_turns(p_merchant_id, v_call) t);
    return query
        select x.n::int, x.l->>'item', coalesce(h.confidence, q.confidence), coalesce(h.words, q.words)
          from jsonb_array_elements(coalesce(v_lines, '[]')) with ordinality x(l, n)
          left join lateral (
              select least(greatest(app.piece_sure(p_names, 'item', x.l->>'item', m.l->'span'->>'text',
                                                   (m.l->>'confidence')::real),
                                    app.piece_by_option(p_names, x.l->>'item', m.l->'span'->>'text',
                                                        array(select md->>'option'
                                                                from json_array_elements(m.l->'modifiers') md),
                                                        (m.l->>'confidence')::real)),
                           coalesce((select min(app.piece_sure(p_names, 'option', md->>'option',
                                                               m.l->'span'->>'text',
                                                               (md->>'confidence')::real))
                                       from json_array_elements(m.l->'modifiers') md), 1),
                           app.turn_heard(t)) as confidence,
                     m.l->'span'->>'text' as words
                from app.speech_turns(v_turns) t,
                     json_array_elements(app.turn_lines(t)) with ordinality m(l, k)
               where m.l->>'item' = x.l->>'item'
               order by t.seq desc, confidence, m.k desc
               limit 1) h on true
          left join lateral (
              select app.turn_heard(a) as confidence, a.speech as words
                from unnest(v_turns) a, json_array_elements_text(app.turn_notes(a)) d
               where d = 'answered question about ' || (x.l->>'item')
               order by a.seq desc
               limit 1) q on true;
end
$$;

-- The words of each name of a menu document's items (their names and aliases), of their
-- categories (kind 'item category', the item's code) and of its options (names, aliases, codes),
-- by their stem (app.menu_named_words): [{kind, code, stems}], for app.piece_sure.
create function app.menu_name_stems(p_doc jsonb) returns jsonb
language sql immutable as $$
    select coalesce(jsonb_agg(jsonb_build_object('kind', n.kind, 'code', n.code, 'stems', n.stems)), '[]')
      from (select case when part = 'category' then 'item category' else kind end as kind, code,
                   array_agg(distinct stem) as stems
              from app.menu_named_words(p_doc)
             where (kind = 'item' and part in ('name', 'category')) or kind = 'option'
             group by 1, code) n
$$;

-- How sure a reading of an item or an option is (the extraction's confidence), counting a piece
-- of its name as the full name when the piece names nothing else (docs/closed-loop.md, eighth,
-- ninth and thirteenth rounds). Read at 0.80 or more and under 1 (0.85: a piece that keeps the
-- name's head word, "ziti" for "Baked Ziti"; 0.80: a clip, or a piece without the head word, "a
-- fish" for "Fish Roll (whole fillet)"), the words of the line that are words of its name are,
-- all together, words of no other item's name, no option's and no category's of another item
-- ("pupusa" names every item of "Pupusas"; p_names: app.menu_name_stems). Then the caller could
-- have meant nothing else by them. A piece another name also holds ("hot milk tea" with two milk
-- teas) keeps its confidence. The ninth round read a 0.80 piece word by word ("a pork torta" as
-- "Torta de Pierna (roast pork leg)" kept its 0.80, every torta saying "torta"); the thirteenth
-- reads it all together as a 0.85 one, the two wrong orders that kept it so being held by rules
-- since (a pick that names another item; "the X" of a line already there). Without p_names, as
-- read.
create function app.piece_sure(p_names jsonb, p_kind text, p_code text, p_words text, p_confidence real)
returns real
language sql immutable as $$
    with piece as (
        select array_agg(distinct app.word_stem(w)) as stems
          from jsonb_array_elements(p_names) own, regexp_split_to_table(lower(p_words), '[^a-z]+') w
         where own->>'kind' = p_kind and own->>'code' = p_code and length(w) > 2
           and app.word_stem(w) in (select jsonb_array_elements_text(own->'stems')))
    select case when p_confidence >= 0.80 and p_confidence < 1
                     and piece.stems is not null
                     and not exists (select 1 from jsonb_array_elements(p_names) other
                                      where not (other->>'code' = p_code and other->>'kind' in (p_kind, p_kind || ' category'))
                                        and array(select jsonb_array_elements_text(other->'stems')) @> piece.stems)
                then 1 else p_confidence end::real
      from piece
$$;

-- How sure a reading of an item is, counting a piece of its name that other names also hold
-- (0.85: "a steak bowl" where other dishes are bowls too) as the full name when an option the
-- reading took names the dish: every word of the line (three letters or more) that
-- is a word of the menu's names is a word of the item's name or of an option it took, and one of
-- the options' words is in no item's name ("a mora juice", "a large pepperoni pie": the caller
-- named the dish by its flavour or filling, and no other dish is called so). Tenth round
-- (docs/closed-loop.md). A clip (0.80, "balsamic" answering which dressing) counts so too when
-- no word of the line is, or begins, a word of another item's name (thirteenth round: "ten
-- drums original" keeps its 0.80 as the wings-and-drums combo, `Drumsticks` being a dish).
-- Without p_names (the console), as read.
create function app.piece_by_option(p_names jsonb, p_code text, p_words text, p_options text[],
                                    p_confidence real)
returns real
language sql immutable as $$
    with said as (select distinct app.word_stem(w) as stem
                    from regexp_split_to_table(lower(p_words), '[^a-z]+') w
                   where length(w) > 2 and not app.joining_word(w)),
         named as (select n->>'kind' as kind, n->>'code' as code, st
                     from jsonb_array_elements(p_names) n, jsonb_array_elements_text(n->'stems') st)
    select case when p_confidence >= 0.80 and p_confidence < 0.90
                     and not exists (select 1 from said, named
                                      where named.st = said.stem
                                        and not exists (select 1 from named own
                                                         where own.st = said.stem
                                                           and ((own.kind = 'item' and own.code = p_code)
                                                                or (own.kind = 'option' and own.code = any (p_options)))))
                     and exists (select 1 from said, named opt
                                  where opt.st = said.stem and opt.kind = 'option' and opt.code = any (p_options)
                                    and not exists (select 1 from named it
                                                     where it.st = said.stem and it.kind = 'item'))
                     and (p_confidence >= 0.85
                          or not exists (select 1 from said, named other
                                          where other.kind = 'item' and other.code <> p_code
                                            and (other.st = said.stem
                                                 or (length(said.stem) > 3 and other.st like said.stem || '%'))))
                then 1 else p_confidence end::real
$$;

-- How well the recogniser heard a turn: its confidence (0 or none: taken as sure, as Twilio
-- sends 0 when it gives none), or sure when the caller confirmed the utterance.
create function app.turn_heard(t app.turns) returns real
language sql stable as $$
    select case when t.understood::jsonb->'did' ? 'low-confidence utterance confirmed'
                then 1 else coalesce(nullif(t.confidence, 0), 1) end::real
$$;

-- How sure kea was of what it heard without an item (answers to a choice, changes to the line
-- in focus): per such mention with options, the lowest option confidence, capped by the
-- recogniser's confidence of that turn unless the caller confirmed the utterance.
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.call_answer_confidence(p_merchant_id bigint, p_call_id bigint)
returns table (seq integer, confidence real, heard text)
language plpgsql stable as $$
#variable_conflict use_column
begin
    return query
        select t.seq,
               least((select min((md->>'confidence')::real) from json_array_elements(m->'modifiers') md),
                     app.turn_heard(t)),
               m->'span'->>'text'
          from app.speech_turns(array(select x from app.call_turns(p_merchant_id, p_call_id) x)) t,
               json_array_elements(app.turn_lines(t)) m
         where m->>'item' is null and json_array_length(m->'modifiers') > 0;
end
$$;

-- The dialog notes (understood.did) of a call, in order.
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.call_notes(p_merchant_id bigint, p_call_id bigint)
returns table (seq integer, note text)
language plpgsql stable as $$
#variable_conflict use_column
begin
    return query
        select t.seq, d
          from app.call_turns(p_merchant_id, p_call_id) t, json_array_elements_text(app.turn_notes(t)) d;
end
$$;

-- Whether an order passes a policy: {pass, reason (the rule that passed, or the first that did
-- not), min_confidence, lines: [{line_no, item, confidence, heard}]}. Whether the policy is
-- enabled is not looked at (the bench sweeps thresholds with it).
-- jit off, for the rules it calls too (sql/app/autoverify_rules_*.sql): their queries over the
-- menu document's nested arrays pass jit_above_cost, and compiling them took about a second per
-- check for queries that run in a few milliseconds.
create function app.autoverify_check(p_merchant_id bigint, p_order_id bigint,
                                     p app.autoverify_policies)
returns jsonb
language plpgsql stable set jit = off as $$
declare
    o app.orders;
    c app.calls;
    v_lines jsonb;
    v_min real;
    v_unheard integer;
    v_bad text;
    v_submit integer;
    v_read_back boolean;
    v_fail text;
    v_doc jsonb;
    v_names jsonb;
    v_named jsonb;
    v_turns app.turns[];
begin
    select * into o from app.orders where merchant_id = p_merchant_id and id = p_order_id;
    select * into c from app.calls where merchant_id = o.merchant_id and id = o.call_id;
    -- Every turn of the call, read once: the rules read them from here (app.speech_turns for what
    -- the caller said).
    v_turns := array(select t from app.call_turns(o.merchant_id, o.call_id) t);
    -- The merchant's active menu, built once per check: app.menu_document reads every menu
    -- table (and the learnt phrases) each time, and the rules below read the menu five times.
    select app.menu_document(mn.id) into v_doc
      from app.menus mn where mn.merchant_id = o.merchant_id and mn.active;
    -- The menu's names, for the readings by a piece of a name (app.piece_sure), read only when a
    -- turn heard one (they take about 15 ms on a 30-item menu).
    if exists (select 1 from app.speech_turns(v_turns) t, json_array_elements(app.turn_lines(t)) m
                where (m->>'confidence')::real between 0.80 and 0.9999
                   or exists (select 1 from json_array_elements(m->'modifiers') md
                               where (md->>'confidence')::real between 0.80 and 0.9999)) then
        v_names := app.menu_name_stems(v_doc);
    end if;
    select coalesce(jsonb_agg(jsonb_build_object('line_no', l.line_no, 'item', l.item_code,
                                                 'confidence', l.confidence, 'heard', l.heard)
                              order by l.line_no), '[]'),
           min(l.confidence), count(*) filter (where l.confidence is null)
      into v_lines, v_min, v_unheard
      from app.call_line_confidence(p_merchant_id, p_order_id, v_names) l;
    -- Answers count too: words heard without an item (an answer to "which dressing?", "make it
    -- hot") carry their options' confidence (their own is capped at 0.5 for want of an item).
    select least(v_min, min(a.confidence)) into v_min
      from app.call_answer_confidence(o.merchant_id, o.call_id) a;
    -- Each option of the saved lines as sure as it was when last heard (sixth round): a line's
    -- confidence comes from the last turn that heard its item, which may not have said the
    -- option ("a cobbler with ice cream" heard as whipped cream at 0.85, then "blackberry" heard
    -- the cobbler at 1.0), or heard another line of the item.
    select least(v_min, min(h.confidence)) into v_min
      from jsonb_array_elements(coalesce(o.call_lines, '[]')) l,
           jsonb_array_elements(coalesce(l->'modifiers', '[]')) lm,
           lateral (select least(app.piece_sure(v_names, 'option', md->>'option', m.x->'span'->>'text',
                                                 (md->>'confidence')::real),
                                 app.turn_heard(t)) as confidence
                      from app.speech_turns(v_turns) t,
                           json_array_elements(app.turn_lines(t)) with ordinality m(x, k),
                           json_array_elements(m.x->'modifiers') md
                     where (m.x->>'item' = l->>'item' or m.x->>'item' is null)
                       and md->>'option' = lm->>'option'
                     order by t.seq desc, m.k desc limit 1) h;
    -- The rules (sql/app/autoverify_rules_*.sql), in the order they were added: the first that
    -- holds the order gives its reason (coalesce calls the next only while all before said
    -- nothing). Each is a way a call goes wrong that the lines' confidence cannot see, chosen
    -- on the batches named (docs/closed-loop.md, "Calibration").
    v_bad := coalesce(
        -- The policy as first written, and the first round (blind 1-3)
        app.autoverify_rule_rough_note(o, v_turns, v_doc),
        app.autoverify_rule_heard_more_than_used(o, v_turns, v_doc),
        app.autoverify_rule_quantity_word_no_option(o, v_turns, v_doc),
        app.autoverify_rule_menu_word_nowhere(o, v_turns, v_doc),
        app.autoverify_rule_correction_inside_line(o, v_turns, v_doc),
        app.autoverify_rule_word_for_several_lines(o, v_turns, v_doc),
        app.autoverify_rule_same_line_twice(o, v_turns, v_doc),
        -- Second round (blind 1-5, batch 6 held out)
        app.autoverify_rule_lines_joined_by_of_or_with(o, v_turns, v_doc),
        app.autoverify_rule_answer_also_added(o, v_turns, v_doc),
        app.autoverify_rule_count_heard_as_no_item(o, v_turns, v_doc),
        app.autoverify_rule_count_not_taken(o, v_turns, v_doc),
        app.autoverify_rule_option_taken_and_left_off(o, v_turns, v_doc),
        app.autoverify_rule_change_without_line(o, v_turns, v_doc),
        app.autoverify_rule_change_changed_nothing(o, v_turns, v_doc),
        app.autoverify_rule_added_to_it(o, v_turns, v_doc),
        -- Third round (blind 1-8, batch 9 held out)
        app.autoverify_rule_measure_nowhere(o, v_turns, v_doc),
        app.autoverify_rule_reference_after_question(o, v_turns, v_doc),
        app.autoverify_rule_options_after_new_line(o, v_turns, v_doc),
        app.autoverify_rule_count_names_size(o, v_turns, v_doc),
        app.autoverify_rule_answer_made_line(o, v_turns, v_doc),
        app.autoverify_rule_the_other_one(o, v_turns, v_doc));
    if v_bad is null then
        -- The menu's words by their stem (app.menu_named_words, about 15 ms on a 30-item menu),
        -- read once for the four rules that take them.
        select jsonb_agg(to_jsonb(nw)) into v_named from app.menu_named_words(v_doc) nw;
        v_bad := coalesce(
            -- Fourth round (blind 1-9, batch 10 held out) and fifth (blind 1-10, 11 and 12 held out)
            app.autoverify_rule_word_outside_every_line(o, v_turns, v_doc, v_named),
            app.autoverify_rule_word_names_another_item(o, v_turns, v_doc, v_named),
            app.autoverify_rule_option_in_item_name(o, v_turns, v_doc, v_named),
            app.autoverify_rule_count_taken_twice(o, v_turns, v_doc),
            app.autoverify_rule_change_said_as_one_more(o, v_turns, v_doc),
            app.autoverify_rule_quantity_word_before_nowhere(o, v_turns, v_doc),
            -- Sixth round (blind 1-13, 14 and 15 held out)
            app.autoverify_rule_size_said_in_question(o, v_turns, v_doc),
            app.autoverify_rule_option_said_as_one(o, v_turns, v_doc),
            app.autoverify_rule_pack_quantity(o, v_turns, v_doc),
            app.autoverify_rule_corrected_to_unknown(o, v_turns, v_doc),
            app.autoverify_rule_whole_name_of_another_item(o, v_turns, v_doc),
            -- Seventh round (blind 1-15, 16 and 17 held out)
            app.autoverify_rule_item_named_by_count(o, v_turns, v_doc),
            app.autoverify_rule_with_or_one_nowhere(o, v_turns, v_doc),
            app.autoverify_rule_with_turn_added_line(o, v_turns, v_doc),
            app.autoverify_rule_no_word_between_lines(o, v_turns, v_doc),
            app.autoverify_rule_several_of_lines_there(o, v_turns, v_doc),
            app.autoverify_rule_no_x_kept(o, v_turns, v_doc),
            app.autoverify_rule_category_word_after_question(o, v_turns, v_doc, v_named),
            -- Eighth round (blind 1-16, 17 and 18 held out)
            app.autoverify_rule_bracket_gloss(o, v_turns, v_doc),
            -- Ninth round (blind 1-17, 18 and 19 held out); a question asked twice, as first written
            app.autoverify_rule_the_x_of_a_line_there(o, v_turns, v_doc),
            app.autoverify_rule_asked_twice(o, v_turns, v_doc),
            -- Tenth round (blind 1-19, 20 and 21 held out)
            app.autoverify_rule_change_in_own_name(o, v_turns, v_doc, v_named),
            -- Eleventh round (blind 1-21, 22 and 23 held out)
            app.autoverify_rule_answer_said_another_option(o, v_turns, v_doc),
            app.autoverify_rule_correction_heard_nowhere(o, v_turns, v_doc),
            app.autoverify_rule_line_said_on_another(o, v_turns, v_doc),
            app.autoverify_rule_several_said_one_changed(o, v_turns, v_doc),
            app.autoverify_rule_the_x_one_added(o, v_turns, v_doc),
            -- Twelfth round (blind 1-22, 23 and 24 held out)
            app.autoverify_rule_article_noun_nowhere(o, v_turns, v_doc),
            app.autoverify_rule_option_in_two_groups(o, v_turns, v_doc),
            -- Thirteenth round (blind 1-24, 25 and 26 held out)
            app.autoverify_rule_pick_names_other_item(o, v_turns, v_doc),
            app.autoverify_rule_added_by_add_on(o, v_turns, v_doc),
            -- Fourteenth round (blind 1-25, 26 and 27 held out)
            app.autoverify_rule_said_on_unplaced(o, v_turns, v_doc),
            app.autoverify_rule_heat_word_nowhere(o, v_turns, v_doc),
            app.autoverify_rule_which_one_by_size(o, v_turns, v_doc),
            -- Fifteenth round (blind 1-29, 30 held out)
            app.autoverify_rule_pick_said_as_items(o, v_turns, v_doc),
            app.autoverify_rule_side_named_pick(o, v_turns, v_doc),
            app.autoverify_rule_size_for_count(o, v_turns, v_doc),
            app.autoverify_rule_and_unplaced(o, v_turns, v_doc),
            app.autoverify_rule_size_said_in_menu_question(o, v_turns, v_doc),
            app.autoverify_rule_correction_kept_line(o, v_turns, v_doc));
    end if;
    -- The read-back: the turn before the one that submitted the order (not stored yet while the
    -- call saves it) read the order back.
    select min(n.seq) into v_submit from app.call_notes(o.merchant_id, o.call_id) n
     where n.note = 'order submitted';
    select exists (select 1 from app.call_notes(o.merchant_id, o.call_id) n
                    where n.note = 'read back'
                      and n.seq = (select max(t.seq) from unnest(v_turns) t
                                    where t.seq < coalesce(v_submit, 2147483647)))
      into v_read_back;
    v_fail := case
        when o.id is null or c.id is null then 'not an order from a call'
        when o.status <> 'pending_verification' then 'the order is ' || o.status
        when o.review_reason is not null then 'the save refused the lines: ' || o.review_reason
        when jsonb_array_length(v_lines) = 0 then 'no lines'
        when v_unheard > 0 then format('%s line(s) not heard as such (an answer to "which one")', v_unheard)
        when v_min < p.min_confidence then
            format('a line or an answer %s sure, under %s', round(v_min::numeric, 2),
                   round(p.min_confidence::numeric, 2))
        when v_bad is not null then 'the call did not go smoothly: ' || v_bad
        when not v_read_back then 'the caller did not confirm a read-back of these lines'
        when p.max_total_cents is not null and o.total_cents > p.max_total_cents then
            format('total %s over the cap %s', o.total_cents, p.max_total_cents)
        when p.returning_only and not app.returning_caller(o.merchant_id, c.id, c.from_number) then
            'not a returning caller'
    end;
    return jsonb_build_object(
        'pass', v_fail is null,
        'reason', coalesce(v_fail, format(
            'every line at least %s sure (lowest %s), nothing repaired or asked twice, read-back confirmed, total %s%s%s',
            round(p.min_confidence::numeric, 2), round(v_min::numeric, 2), o.total_cents,
            case when p.max_total_cents is not null then ' within the cap ' || p.max_total_cents else '' end,
            case when p.returning_only then ', a returning caller' else '' end)),
        'min_confidence', v_min,
        'lines', v_lines);
end
$$;

-- Every word (three letters or more, lower case) of the names and aliases of a menu document
-- (app.menu_document): items, sizes, options, groups, categories.
create function app.menu_words(p_doc jsonb) returns setof text
language sql immutable as $$
    select distinct x.w
      from jsonb_path_query(p_doc, 'strict $.**.name') nm,
           regexp_split_to_table(lower(nm #>> '{}'), '[^a-z]+') x(w)
     where length(x.w) > 2 and jsonb_typeof(nm) = 'string'
    union
    select distinct x.w
      from jsonb_path_query(p_doc, 'strict $.**.aliases[*]') al,
           regexp_split_to_table(lower(al #>> '{}'), '[^a-z]+') x(w)
     where length(x.w) > 2 and jsonb_typeof(al) = 'string'
$$;

-- The items of a menu document (none when it has none, or there is no document).
create function app.menu_items(p_doc jsonb) returns setof jsonb
language sql immutable as $$
    select it from jsonb_array_elements(case when jsonb_typeof(p_doc->'items') = 'array'
                                             then p_doc->'items' else '[]' end) it
$$;

-- Words that join or frame what a caller asks for ("and", "with", "for your"...): never taken
-- as a word of the menu placed nowhere, even where the menu's names use them.
create function app.joining_word(w text) returns boolean
language sql immutable as $$
    select w in ('and', 'the', 'with', 'for', 'from', 'our', 'your')
$$;

-- Whether words hold a correction cue ("actually", "i mean", "make it"...). The twin of the
-- correction, retract, change and remove cues of lexicon::CUES (pg_kea/core/src/extract/
-- lexicon.rs), which pg_kea does not give SQL: a cue added there is added here by hand. A bare
-- "no" is no cue here: it is mostly "no onions".
create function app.correction_cue(words text) returns boolean
language sql immutable as $$
    select lower(words) ~ '\m(actually|i mean|wait|scratch that|instead|make (it|that)|change (it|that)|oops|rather)\M'
$$;

-- An utterance as the extraction reads it, the text its spans' byte offsets count in: the SQL
-- twin of normalise() in pg_kea/core/src/extract/normalise.rs (lower case, accents folded,
-- punctuation to spaces but for apostrophes inside words and "." or ":" between digits, one
-- space between words). Offsets taken on the raw speech drift after its first comma.
create function app.speech_normalised(speech text) returns text
language sql immutable as $$
    select translate(btrim(regexp_replace(
               regexp_replace(regexp_replace(regexp_replace(
                   replace(translate(lower(speech), 'áàâäãéèêëíìîïóòôöõúùûüñç', 'aaaaaeeeeiiiiooooouuuunc'),
                           '’', ''''),
                   '([[:alnum:]])''(?=[[:alnum:]])', '\1' || chr(1), 'g'),
                   '([0-9])\.(?=[0-9])', '\1' || chr(2), 'g'),
                   '([0-9]):(?=[0-9])', '\1' || chr(3), 'g'),
               '[^[:alnum:]' || chr(1) || chr(2) || chr(3) || ']+', ' ', 'g')),
           chr(1) || chr(2) || chr(3), '''.:')
$$;

-- The words of a normalised utterance between two byte offsets (a span's end and the next
-- one's start), spaces trimmed.
create function app.speech_between(normalised text, from_byte integer, to_byte integer) returns text
language sql immutable as $$
    select btrim(convert_from(substring(convert_to(normalised, 'UTF8') from from_byte + 1
                                        for greatest(to_byte - from_byte, 0)), 'UTF8'))
$$;

-- The names of the counts one to twenty, then of the tens thirty to ninety and a hundred: the
-- one list app.count_word and app.number_name read.
create function app.number_names() returns text[]
language sql immutable as $$
    select array['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
                 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen',
                 'eighteen', 'nineteen', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy',
                 'eighty', 'ninety', 'hundred']
$$;

-- The number of the name at position i of app.number_names(): 1-20, then 30, 40 ... 100.
create function app.number_at(i integer) returns integer
language sql immutable as $$
    select case when i <= 20 then i else (i - 18) * 10 end
$$;

-- A count said as a word or in digits ("two", "2", "fifty"; one to twenty, the tens, a hundred,
-- or any number of up to four digits), else null.
create function app.count_word(w text) returns integer
language sql immutable as $$
    select case when w ~ '^[0-9]{1,4}$' then w::int
                else app.number_at(array_position(app.number_names(), w)) end
$$;

-- A number's name ("six" for 6, "fifty" for 50; as app.count_word reads them), else a pattern
-- that matches nothing.
create function app.number_name(n integer) returns text
language sql immutable as $$
    select coalesce((app.number_names())[case when n <= 20 then n
                                               when n % 10 = 0 and n <= 100 then n / 10 + 18 end], '$^')
$$;

-- A name's words: lower case, anything but letters and digits between them, one space apart
-- ("Khachapuri (boat)" is "khachapuri boat").
create function app.name_words(name text) returns text
language sql immutable as $$
    select btrim(regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g'))
$$;

-- Whether a size of a menu document's item (a variation: name, code) is named by a count, in
-- digits or in words: "6pc" and "Box (6)" by 6, "fifty piece" by 50.
create function app.size_named_by(v jsonb, n integer) returns boolean
language sql immutable as $$
    select lower((v->>'name') || ' ' || (v->>'code'))
           ~ ('(^|[^0-9])' || n || '([^0-9]|$)|\m' || app.number_name(n) || '\M')
$$;

-- The count that opens some words, after "a" / "an" / "the" ("two orders of ...", "the 50 piece
-- tray"; app.count_word), else null.
create function app.count_said_first(words text) returns integer
language sql immutable as $$
    select app.count_word(substring(lower(words) from '^(?:(?:a|an|the) )?([a-z0-9]+)'))
$$;

-- The names and aliases of a menu document's items, lower case, words joined by one space:
-- {item, name}.
create function app.menu_item_names(p_doc jsonb) returns table (item text, name text)
language sql immutable as $$
    select distinct it->>'code', app.name_words(nm)
      from app.menu_items(p_doc) it,
           lateral (select it->>'name' union all
                    select jsonb_array_elements_text(coalesce(it->'aliases', '[]'))) n(nm)
     where nm is not null and length(app.name_words(nm)) > 2
$$;

-- The words (three letters or more) that name each thing of a menu document, by their stem
-- (app.word_stem: "tortas" is "torta"), and where they come from: kind 'item' with part 'name'
-- (the item's name and aliases), 'code', 'size' (its sizes' names and aliases), 'choice' (the
-- names of its groups, and of their options, aliases and codes) and 'category' (its category's
-- name and aliases); kind 'option', an option's name, aliases and code (part 'name').
-- jit off: the planner's guesses for the nested JSON arrays pass jit_above_cost, and compiling
-- took 0.8 s for a query that runs in 30 ms.
create function app.menu_named_words(p_doc jsonb)
returns table (kind text, code text, part text, stem text)
language plpgsql immutable set jit = off as $$
begin
    return query
        with doc as (select p_doc as d where p_doc is not null),
        items as (select it from doc, jsonb_array_elements(case when jsonb_typeof(doc.d->'items') = 'array'
                                                                 then doc.d->'items' else '[]' end) it),
        options as (
            select g->>'code' as grp, op->>'code' as opt, g->>'name' as gname, nm
              from doc, jsonb_array_elements(case when jsonb_typeof(doc.d->'groups') = 'array'
                                                  then doc.d->'groups' else '[]' end) g,
                   jsonb_array_elements(coalesce(g->'options', '[]')) op,
                   lateral (select op->>'name' union all select op->>'code'
                            union all select jsonb_array_elements_text(coalesce(op->'aliases', '[]'))) o(nm)),
        named (kind, code, part, nm) as (
            select 'item', it->>'code', 'name', it->>'name' from items
            union all select 'item', it->>'code', 'name', jsonb_array_elements_text(coalesce(it->'aliases', '[]')) from items
            union all select 'item', it->>'code', 'code', it->>'code' from items
            union all select 'item', it->>'code', 'size', v->>'name'
                        from items, jsonb_array_elements(coalesce(it->'variations', '[]')) v
            union all select 'item', it->>'code', 'size', jsonb_array_elements_text(coalesce(v->'aliases', '[]'))
                        from items, jsonb_array_elements(coalesce(it->'variations', '[]')) v
            union all select distinct 'item', it->>'code', 'choice', x
                        from items, options, lateral (select options.gname union all select options.nm) c(x)
                       where coalesce(it->'groups', '[]') ? options.grp
            union all select 'item', it->>'code', 'category', x
                        from items, doc, jsonb_array_elements(coalesce(doc.d->'categories', '[]')) c,
                             lateral (select c->>'name'
                                      union all select jsonb_array_elements_text(coalesce(c->'aliases', '[]'))) n(x)
                       where c->>'code' = it->>'category'
            union all select 'option', opt, 'name', nm from options)
        select distinct n.kind, n.code, n.part, app.word_stem(x.w)
          from named n, regexp_split_to_table(lower(n.nm), '[^a-z]+') x(w)
         where length(x.w) > 2;
end
$$;

-- A word's English stem ("tortas" -> "torta"), the word itself when it has none.
create function app.word_stem(w text) returns text
language sql immutable as $$
    select coalesce((ts_lexize('english_stem', w))[1], w)
$$;

-- Has this number an earlier verified order with this merchant (another call)?
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.returning_caller(p_merchant_id bigint, p_call_id bigint, p_from text)
returns boolean
language plpgsql stable as $$
#variable_conflict use_column
begin
    return (
        select p_from is not null and exists (
            select 1 from app.calls c
              join app.orders o on o.merchant_id = c.merchant_id and o.call_id = c.id
             where c.merchant_id = p_merchant_id and c.from_number = p_from and c.id <> p_call_id
               and o.status in ('verified', 'sent_to_pos', 'accepted_by_pos', 'completed')));
end
$$;

-- Called by api.twilio_gather once the call's order is saved (pending_verification, task
-- created): with the merchant's policy live, an order that passes goes straight to verified
-- (actor kea, the rule as the reason; its task cancelled, its offer withdrawn; the POS job or the
-- text enqueued by the status change as after an approval), except every sample_one_in-th, which
-- stays for an agent. In shadow, an order that passes stays for an agent too (verdict shadow):
-- how the agent finishes it is the evidence (app.autoverify_evidence). Every decision is kept
-- (app.autoverify_decisions). Returns the verdict (null with the policy off). Never raises:
-- anything unexpected leaves the order to an agent.
create function app.auto_verify(p_merchant_id bigint, p_order_id bigint) returns text
language plpgsql as $$
declare
    p app.autoverify_policies;
    v_check jsonb;
    v_verdict text;
    v_passed bigint;
    t app.tasks;
    r app.reservations;
begin
    select * into p from app.autoverify_policies x where x.merchant_id = p_merchant_id;
    if not coalesce(p.enabled, false) then
        return null;
    end if;
    begin
        v_check := app.autoverify_check(p_merchant_id, p_order_id, p);
        if not (v_check->>'pass')::boolean then
            v_verdict := 'held';
        elsif app.autoverify_state(p) = 'shadow' then
            v_verdict := 'shadow';
        else
            update app.autoverify_policies set passed = passed + 1
             where merchant_id = p_merchant_id returning passed into v_passed;
            v_verdict := case when p.sample_one_in > 0 and v_passed % p.sample_one_in = 0
                              then 'sampled' else 'verified' end;
        end if;
        insert into app.autoverify_decisions (merchant_id, order_id, verdict, reason,
                                              min_confidence, policy)
        values (p_merchant_id, p_order_id, v_verdict,
                case v_verdict
                    when 'sampled' then format('%s; sampled for an agent (1 in %s)', v_check->>'reason', p.sample_one_in)
                    when 'shadow' then format('%s; shadow: would pass, checked by an agent (%s of %s unchanged in a row)',
                                              v_check->>'reason', p.checked_unchanged, p.min_shadow_orders)
                    else v_check->>'reason' end,
                (v_check->>'min_confidence')::real,
                app.autoverify_policy_json(p) - 'passed' - 'updated_at' - 'updated_by'
                    - 'counting_since' - 'trust_lost_at' - 'trust_lost_order_id' - 'trust_lost_reason');
        if v_verdict <> 'verified' then
            return v_verdict;
        end if;
        for t in select * from app.tasks x
                  where x.merchant_id = p_merchant_id and x.order_id = p_order_id
                    and x.status in ('pending', 'reserved') for update loop
            for r in select * from app.reservations x
                      where x.merchant_id = t.merchant_id and x.task_id = t.id
                        and x.status = 'pending' for update loop
                perform app.end_reservation(r, 'canceled', 'kea verified the order itself', false);
            end loop;
            update app.tasks set status = 'canceled', outcome = 'auto_verified',
                                 reason = v_check->>'reason', completed_at = now()
             where merchant_id = t.merchant_id and id = t.id
            returning * into t;
            perform app.notify_task(t, 'canceled');
        end loop;
        perform app.act_as('kea', null, 'auto-verified: ' || (v_check->>'reason'));
        update app.orders set status = 'verified'
         where merchant_id = p_merchant_id and id = p_order_id;
        perform app.order_status_changed(p_merchant_id, p_order_id, 'pending_verification', 'verified');
        -- The commit's completeness check, now, inside this block: should it refuse, the order
        -- stays pending for an agent instead of failing the caller's turn.
        perform app.check_order_complete(p_merchant_id, p_order_id);
        return v_verdict;
    exception when others then
        raise warning 'kea: auto-verifying order % failed, left to an agent: %', p_order_id, sqlerrm;
        return 'error';
    end;
end
$$;

-- The evidence (docs/closed-loop.md, "Earned trust"): an agent finished an order kea would have
-- passed (verdict shadow or sampled) — p_to is verified or rejected. Approved unchanged: one
-- more in a row. Edited or rejected: trust is lost, the count goes back to zero (shadow until N
-- more), with the order and why kept on the policy. Recorded on the decision either way. Orders
-- decided before the count last started again (rules changed) do not count. Should reading the
-- evidence fail, it counts as an error (fail safe: back to shadow), never as a pass.
create function app.autoverify_evidence(p_merchant_id bigint, p_order_id bigint, p_to text)
returns void
language plpgsql as $$
declare
    d app.autoverify_decisions;
    p app.autoverify_policies;
    v_edits bigint;
    v_checked text;
    v_note text;
begin
    select * into d from app.autoverify_decisions x
     where x.merchant_id = p_merchant_id and x.order_id = p_order_id
       and x.verdict in ('shadow', 'sampled') and x.checked is null;
    if d.order_id is null or p_to not in ('verified', 'rejected') then
        return;
    end if;
    begin
        select * into p from app.autoverify_policies x where x.merchant_id = p_merchant_id for update;
        select count(*) into v_edits from app.order_edits e
         where e.merchant_id = p_merchant_id and e.order_id = p_order_id;
        v_checked := case when p_to = 'rejected' then 'rejected'
                          when v_edits > 0 then 'edited' else 'unchanged' end;
        if d.decided_at < p.counting_since then
            v_note := format('%s, not counted: decided before the count started again (%s)',
                             v_checked, p.counting_since);
        elsif v_checked = 'unchanged' then
            update app.autoverify_policies set checked_unchanged = checked_unchanged + 1
             where merchant_id = p_merchant_id returning * into p;
            v_note := format('approved unchanged: %s of %s in a row%s', p.checked_unchanged,
                             p.min_shadow_orders,
                             case when p.checked_unchanged = p.min_shadow_orders then ', live from now' else '' end);
        else
            v_note := format('trust lost: an agent %s order %s that kea %s%s',
                             case v_checked when 'rejected' then 'rejected' else 'edited' end, p_order_id,
                             case d.verdict when 'sampled' then 'verified (sampled for an agent)'
                                            else 'would have verified (shadow)' end,
                             case when v_checked = 'edited' then format(' (%s edit%s)', v_edits,
                                                                        case when v_edits = 1 then '' else 's' end)
                                  else '' end);
            perform app.autoverify_lose_trust(p_merchant_id, p_order_id, v_note);
        end if;
        update app.autoverify_decisions set checked = v_checked, checked_at = now(), check_note = v_note
         where merchant_id = p_merchant_id and order_id = p_order_id;
    exception when others then
        raise warning 'kea: the auto-verify evidence of order % could not be read, counted as an error: %',
            p_order_id, sqlerrm;
        update app.autoverify_policies
           set checked_unchanged = 0, trust_lost_at = now(), trust_lost_order_id = p_order_id,
               trust_lost_reason = format('trust lost: the check of order %s could not be read (%s); back to shadow',
                                          p_order_id, sqlerrm)
         where merchant_id = p_merchant_id;
    end;
end
$$;

-- Trust is lost (an agent edited or rejected a would-pass order, or reported a mistake on one
-- kea verified alone, sql/api/autoverified.sql): the count goes back to zero (shadow until N
-- more), with the order and why (p_note) kept on the policy.
create function app.autoverify_lose_trust(p_merchant_id bigint, p_order_id bigint, p_note text)
returns void
language plpgsql as $$
begin
    update app.autoverify_policies
       set trust_lost_reason = p_note || format('; %s unchanged in a row before it, back to shadow',
                                                checked_unchanged),
           checked_unchanged = 0, trust_lost_at = now(), trust_lost_order_id = p_order_id
     where merchant_id = p_merchant_id;
end
$$;

-- On one PostgreSQL the evidence is read here, as the agent's approval or rejection changes the
-- order's status; on Citus this trigger runs on the order's shard, away from the policies (a
-- coordinator table): there it does nothing, and app.order_status_changed reads it instead.
create function app.on_order_checked_evidence() returns trigger
language plpgsql as $$
begin
    if tg_table_name = 'orders' then
        perform app.autoverify_evidence(new.merchant_id, new.id, new.status);
    end if;
    return null;
end
$$;
create trigger orders_autoverify_evidence after update of status on app.orders
    for each row when (old.status = 'in_verification' and new.status in ('verified', 'rejected'))
    execute function app.on_order_checked_evidence();

-- A merchant sets its whole policy (docs/closed-loop.md); p_min_shadow_orders null: unchanged.
-- Returns it as /rpc shows it.
create function app.set_autoverify_policy(p_merchant_id bigint, p_enabled boolean,
                                          p_min_confidence real, p_max_total_cents bigint,
                                          p_returning_only boolean, p_sample_one_in integer,
                                          p_min_shadow_orders integer, p_by text)
returns jsonb
language plpgsql as $$
declare
    p app.autoverify_policies;
begin
    if p_enabled is null or p_min_confidence is null or p_returning_only is null
       or p_sample_one_in is null then
        raise exception 'enabled, min_confidence, returning_only and sample_one_in are all needed'
            using errcode = '22023', hint = 'max_total_cents may be null: no cap';
    end if;
    if p_min_confidence not between 0 and 1 then
        raise exception 'min_confidence is between 0 and 1, not %', p_min_confidence using errcode = '22023';
    end if;
    if p_sample_one_in not between 0 and 10000 then
        raise exception 'sample_one_in is between 0 (never) and 10000, not %', p_sample_one_in
            using errcode = '22023';
    end if;
    if p_max_total_cents < 0 then
        raise exception 'max_total_cents is at least 0 (or null: no cap)' using errcode = '22023';
    end if;
    if p_min_shadow_orders not between 0 and 100000 then
        raise exception 'min_shadow_orders is between 0 (live at once) and 100000, not %', p_min_shadow_orders
            using errcode = '22023',
                  hint = 'would-pass orders agents approve unchanged in a row before orders skip a person; 600 shows 99.5% (rule of three)';
    end if;
    insert into app.autoverify_policies as x (merchant_id, enabled, min_confidence,
                                              max_total_cents, returning_only, sample_one_in,
                                              min_shadow_orders, updated_at, updated_by)
    values (p_merchant_id, p_enabled, p_min_confidence, p_max_total_cents, p_returning_only,
            p_sample_one_in, coalesce(p_min_shadow_orders, 600), now(), p_by)  -- 600: the column's default
    on conflict (merchant_id) do update
        set enabled = excluded.enabled, min_confidence = excluded.min_confidence,
            max_total_cents = excluded.max_total_cents, returning_only = excluded.returning_only,
            sample_one_in = excluded.sample_one_in,
            min_shadow_orders = coalesce(p_min_shadow_orders, x.min_shadow_orders),
            updated_at = now(), updated_by = p_by
    returning * into p;
    return app.autoverify_policy_json(p);
end
$$;
