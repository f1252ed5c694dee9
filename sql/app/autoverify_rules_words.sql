-- The auto-verify rules about the menu's words (docs/closed-loop.md, part 2, rule 2): a word of
-- the menu said and placed nowhere, or placed on a line it does not name. Each returns why the
-- order is held, or null; app.autoverify_check (sql/app/autoverify.sql) calls every rule in
-- turn and keeps the first reason. p_named, where a rule takes it: app.menu_named_words of the
-- menu as jsonb rows, read once per check.

-- A quantity word (extra, light...) said outside the words of every line (the policy as first
-- written).
create function app.autoverify_rule_quantity_word_no_option(o app.orders, p_turns app.turns[],
                                                            p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A quantity word said that no option took ("ranch, but light on it" heard as ranch): in
    -- the utterance, in none of the words a line or an option was heard in.
    return (
        select format('"%s" in "%s" went to no option', w, t.speech)
          from app.speech_turns(p_turns) t,
               regexp_split_to_table(lower(t.speech), '[^a-z]+') w
         where w in ('extra', 'heavy', 'light', 'easy', 'double', 'triple', 'less', 'little')
           and app.turn_lines(t) is not null
           and not exists (select 1 from json_array_elements(app.turn_lines(t)) m
                            where m->'span'->>'text' ~ ('\m' || w || '\M'))
         order by t.seq limit 1);
end
$$;

-- A word of the menu heard and placed nowhere (first round; not in a question alone, eleventh
-- round).
create function app.autoverify_rule_menu_word_nowhere(o app.orders, p_turns app.turns[],
                                                      p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A word of this merchant's menu (of a name or an alias of an item, size, option, group or
    -- category) heard and placed nowhere ("half hot and half honey bbq" put on honey bbq
    -- only): the caller asked for something kea knows the words of and did not take. Chat
    -- ("my son", "for the office") is not a word of the menu and holds nothing, nor is a
    -- question that ordered nothing ("is the falafel vegan").
    return (
        select format('"%s" in "%s" is a word of the menu that went nowhere', x.w, (x.t).speech)
          from app.unplaced_words(p_turns) x
         where length(x.w) > 2 and not app.joining_word(x.w)
           and x.w in (select w from app.menu_words(p_doc) w)
           and not app.question_only(x.t)
         order by (x.t).seq limit 1);
end
$$;

-- Whether a turn was a question about the menu and nothing else: it heard no line, and its
-- notes say only that kea answered a menu question or has no such item ("is the falafel
-- vegan", "do you have lamb biryani"). Its words name what the caller asked about, not what
-- they ordered (eleventh round: 8 right orders held at 0.90, 1 wrong, which
-- app.autoverify_rule_correction_heard_nowhere holds).
create function app.question_only(t app.turns) returns boolean
language sql immutable as $$
    select coalesce(json_array_length(app.turn_lines(t)), 0) = 0
       and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                    where d = 'answered menu question' or d like 'unknown item: %')
       and not exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d <> 'answered menu question' and d not like 'unknown item: %')
$$;

-- A measure (lb, quart, dozen...) said and placed nowhere (third round).
create function app.autoverify_rule_measure_nowhere(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A measure said and placed nowhere ("a quart of ghormeh sabzi" taken at its default
    -- plate): the caller named a size kea did not take. Sizes said as small / large are left
    -- out: callers say them of drinks that have no sizes, and kea rightly drops them.
    return (
        select format('"%s" in "%s" is a measure that went nowhere', x.w, (x.t).speech)
          from app.unplaced_words(p_turns) x
         where x.w in ('lb', 'lbs', 'pound', 'pounds', 'oz', 'ounce', 'ounces', 'pint', 'pints', 'pt',
                       'quart', 'quarts', 'qt', 'gallon', 'gallons', 'gal', 'liter', 'liters', 'litre',
                       'litres', 'dozen')
         order by (x.t).seq limit 1);
end
$$;

-- A word of the menu said in a turn with lines, in none of their words nor the unplaced ones
-- (fourth round).
create function app.autoverify_rule_word_outside_every_line(o app.orders, p_turns app.turns[],
                                                            p_doc jsonb, p_named jsonb)
returns text
language plpgsql stable as $$
begin
    -- A word of the menu said in a turn that heard lines, in none of their words and not
    -- among the unplaced words either (extraction skipped it): "ok just the cheese fries"
    -- heard as plain fries, "two chicken banh mi" as two chicken pho. Words of what the
    -- turn's lines are (their items' names, aliases and codes, the items' sizes, the options
    -- they took) are explained: callers say an item's name around its line ("a pierna
    -- torta" heard as "a pierna"). A turn with a correction cue is left to the rules above:
    -- the words before the cue are the ones taken back ("a lamb vindaloo, no sorry, a chana
    -- masala"). "On the side" says how, not what.
    return (
        with nw as materialized (select * from jsonb_to_recordset(p_named) nw(kind text, code text, part text, stem text)),
             mw as materialized (select w from app.menu_words(p_doc) w)
        select format('"%s" in "%s" is a word of the menu said outside every line', x.w, t.speech)
          from app.speech_turns(p_turns) t,
               regexp_split_to_table(regexp_replace(lower(t.speech), '\mon the side\M', ' ', 'g'), '[^a-z]+') x(w),
               lateral (select app.word_stem(x.w) offset 0) xs(stem)  -- once per word, not per row of nw
         where json_array_length(app.turn_lines(t)) > 0
           and length(x.w) > 2 and not app.chat_word(x.w)
           and not app.joining_word(x.w) and x.w not in ('add', 'make')
           and not app.correction_cue(t.speech) and lower(t.speech) !~ '\msorry\M'
           and x.w in (select w from mw)
           and not exists (select 1 from json_array_elements(app.turn_lines(t)) m
                            where m->'span'->>'text' ~ ('\m' || x.w || '\M'))
           and not exists (select 1 from json_array_elements(app.turn_unplaced(t)) u
                            where u->>'text' ~ ('\m' || x.w || '\M'))
           and not exists (select 1 from nw
                            where nw.stem = xs.stem
                              and ((nw.kind = 'item' and nw.part in ('name', 'code', 'size')
                                    and nw.code in (select m->>'item' from json_array_elements(app.turn_lines(t)) m))
                                   or (nw.kind = 'option'
                                       and nw.code in (select md->>'option'
                                                         from json_array_elements(app.turn_lines(t)) m,
                                                              json_array_elements(m->'modifiers') md))))
         order by t.seq limit 1);
end
$$;

-- A word of a line's words that names another item and nothing of the line's own (fourth round).
create function app.autoverify_rule_word_names_another_item(o app.orders, p_turns app.turns[],
                                                            p_doc jsonb, p_named jsonb)
returns text
language plpgsql stable as $$
begin
    -- A word of a line's words that names another item and nothing of the line's own item
    -- (its names, code, sizes, choices, category): "two orders of spring rolls" heard as the
    -- egg rolls ("Cha Gio (Fried Egg Rolls)", the spring rolls being "Goi Cuon (Spring
    -- Rolls)"), "a ham and cheese" as a quesadilla's line. A piece of a name matched the
    -- wrong item.
    return (
        with nw as materialized (select * from jsonb_to_recordset(p_named) nw(kind text, code text, part text, stem text))
        select format('"%s" in "%s" names another item than %s', x.w, m->'span'->>'text', m->>'item')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               regexp_split_to_table(lower(m->'span'->>'text'), '[^a-z]+') x(w),
               lateral (select app.word_stem(x.w) offset 0) xs(stem)  -- once per word, not per row of nw
         where m->>'item' is not null
           and length(x.w) > 2 and not app.chat_word(x.w)
           and not app.joining_word(x.w) and x.w not in ('add', 'make', 'order', 'orders', 'side', 'half')
           and not exists (select 1 from nw
                            where nw.kind = 'item' and nw.code = m->>'item' and nw.stem = xs.stem)
           and exists (select 1 from nw
                        where nw.kind = 'item' and nw.part = 'name' and nw.code <> m->>'item'
                          and nw.stem = xs.stem)
         order by t.seq limit 1);
end
$$;

-- An option heard only in words of its own line's item's name (fifth round).
create function app.autoverify_rule_option_in_item_name(o app.orders, p_turns app.turns[],
                                                        p_doc jsonb, p_named jsonb)
returns text
language plpgsql stable as $$
begin
    -- Fifth round (docs/closed-loop.md, "Calibration, fifth round"): an option heard only
    -- in words of its own line's item's name, each said once and after no word that asks
    -- for an option (with, extra, no...): "two slices of cheese" as cheese slices with
    -- cheese on them, the one word making the item and its option. "two cheese slices
    -- with extra cheese" says it twice.
    return (
        with nw as materialized (select * from jsonb_to_recordset(p_named) nw(kind text, code text, part text, stem text))
        select format('"%s": %s heard in the name of %s', m->'span'->>'text', md->>'option', m->>'item')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               json_array_elements(m->'modifiers') md,
               lateral (select array_agg(w order by n) as ws, array_agg(app.word_stem(w) order by n) as st
                          from regexp_split_to_table(lower(m->'span'->>'text'), '[^a-z0-9]+') with ordinality x(w, n)) sp,
               -- the stems naming the option, and the item's name, once per line and option
               lateral (select array_agg(nw.stem) as st from nw
                         where nw.kind = 'option' and nw.code = md->>'option') os,
               lateral (select array_agg(nw.stem) as st from nw
                         where nw.kind = 'item' and nw.code = m->>'item' and nw.part = 'name') its
         where m->>'item' is not null and not coalesce((md->>'negated')::boolean, false)
           and sp.st && os.st
           and not exists (select 1 from generate_subscripts(sp.st, 1) i
                            where sp.st[i] = any (os.st) and length(sp.ws[i]) > 2
                              and (not sp.st[i] = any (coalesce(its.st, '{}'))
                                   or (select count(*) from unnest(sp.st) s2 where s2 = sp.st[i]) > 1
                                   or coalesce(sp.ws[i - 1], '') in ('extra', 'double', 'triple', 'no', 'add', 'with', 'light',
                                                                     'easy', 'more', 'less', 'without', 'and')))
         order by t.seq limit 1);
end
$$;

-- A quantity word right before words no line took (fifth round).
create function app.autoverify_rule_quantity_word_before_nowhere(o app.orders, p_turns app.turns[],
                                                                 p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A quantity word right before words no line took ("double meat" heard as a double
    -- spinach tortilla, "meat" placed nowhere): what the caller wanted more or less of was
    -- not understood, whatever the word went to.
    return (
        select format('"%s %s" in "%s": what it is of went nowhere', x[1], u->>'text', t.speech)
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_unplaced(t)) u,
               regexp_matches(app.speech_normalised(t.speech),
                              '\m(extra|double|triple|light|heavy|easy|less|little) ' || (u->>'text') || '\M') x
         order by t.seq limit 1);
end
$$;

-- The options of a menu document said in two words or more: each option's name (its bracketed
-- gloss left out when p_without_gloss), its code read as words and its aliases, split into
-- lowercase words without joining words ("and", "the", "with"...), and the pattern that finds
-- them said as one: in order, joined by nothing or by "and" / "y" / "n" / "with", a plural
-- allowed. Read by the rules that look for an option said in full.
create function app.option_phrases(p_doc jsonb, p_without_gloss boolean)
returns table (grp text, opt text, ws text[], said_as text)
language sql stable as $$
    select g->>'code', op->>'code', fw.ws,
           '\m' || array_to_string(fw.ws, '(?:e?s)?(?: (?:and|y|n|with))? ') || '(?:e?s)?\M'
      from jsonb_array_elements(case when jsonb_typeof(p_doc->'groups') = 'array' then p_doc->'groups' else '[]' end) g,
           jsonb_array_elements(coalesce(g->'options', '[]')) op,
           lateral (select case when p_without_gloss then regexp_replace(op->>'name', '\(.*$', '')
                                else op->>'name' end
                    union select replace(op->>'code', '_', ' ')
                    union select jsonb_array_elements_text(coalesce(op->'aliases', '[]'))) f(form),
           lateral (select array_agg(w order by n) as ws
                      from regexp_split_to_table(lower(f.form), '[^a-z]+') with ordinality x(w, n)
                     where length(w) > 1 and not app.joining_word(w)) fw
     where cardinality(fw.ws) >= 2
$$;

-- An option of two words or more said as one, and another option of its group taken (sixth
-- round).
create function app.autoverify_rule_option_said_as_one(o app.orders, p_turns app.turns[],
                                                       p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- An option of two words or more said as one ("guava and cheese", "rice noodles"), not
    -- taken, while a line heard in those words took another option of its group ("Queso":
    -- the flavour read as its last word). Said as one: its words in order, joined by nothing
    -- or by "and" / "y" / "n" / "with" / "&", a plural allowed.
    return (
        with forms as materialized (
            -- the options' names, aliases and codes of two words or more, once per check
            select * from app.option_phrases(p_doc, false)),
        said as materialized (
            select t.seq, app.speech_normalised(t.speech) as s, app.turn_lines(t) as lines
              from app.speech_turns(p_turns) t
             where exists (select 1 from json_array_elements(app.turn_lines(t)) m
                            where json_array_length(m->'modifiers') > 0))
        select format('"%s" is the option %s, heard as %s', ph.p, f.opt, md->>'option')
          from said, forms f,
               lateral (select (regexp_match(said.s, f.said_as))[1]) ph(p),
               json_array_elements(said.lines) m, json_array_elements(m->'modifiers') md
         where not exists (select 1 from unnest(f.ws) w where strpos(said.s, w) = 0)  -- before the pattern: cheap
           and ph.p is not null
           and md->>'group' = f.grp and md->>'option' <> f.opt
           and (strpos(ph.p, m->'span'->>'text') > 0 or strpos(m->'span'->>'text', ph.p) > 0)
           and not exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l,
                                         jsonb_array_elements(coalesce(l->'modifiers', '[]')) lm
                            where lm->>'option' = f.opt)
         order by said.seq limit 1);
end
$$;

-- A line whose words say the whole name of another item (sixth round).
create function app.autoverify_rule_whole_name_of_another_item(o app.orders, p_turns app.turns[],
                                                               p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A line whose words say the whole name of another item, of two words or more (a word
    -- said may run on past the name's: "salad" for "Sal"), while the line is of an item whose
    -- name does not hold it and took no option named by it: "a caesar salad small" heard as
    -- a house salad ("House Sal") with caesar dressing, "Caesar Sal" being an item. A side
    -- said by its name ("two eggs ... and home fries": the option "Home Fries") passes.
    return (
        select format('"%s" says %s, heard as %s', m->'span'->>'text', nm.item, m->>'item')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               lateral (select it->>'code' as item, app.name_words(it->>'name') as name
                          from app.menu_items(p_doc) it) nm
         where m->>'item' is not null and nm.item <> m->>'item' and nm.name ~ ' '
           and app.speech_normalised(m->'span'->>'text') ~ ('\m' || replace(nm.name, ' ', '[a-z]* ') || '[a-z]*\M')
           and not exists (select 1 from app.menu_items(p_doc) own
                            where own->>'code' = m->>'item'
                              and (' ' || app.name_words(own->>'name') || ' ')
                                  like ('% ' || nm.name || ' %'))
           and not exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l,
                                         jsonb_array_elements(coalesce(l->'modifiers', '[]')) lm
                            where l->>'item' = m->>'item'
                              and (' ' || app.name_words(lm->>'name') || ' ')
                                  like ('% ' || nm.name || ' %'))
         order by t.seq limit 1);
end
$$;

-- Words after "with", or X of "the X one", placed nowhere (seventh round, folded into one in the
-- eighth).
create function app.autoverify_rule_with_or_one_nowhere(o app.orders, p_turns app.turns[],
                                                        p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- Words placed nowhere that said what a line was to be: after "with" ("a large acerola
    -- with milk", "a cobbler with ice cream" heard as whipped cream) or as "the X one" ("the
    -- chicken rice, the steamed one" heard as the side of rice). The caller said what or which,
    -- kea did not take it, or took a piece of it.
    return (
        select format('"%s" in "%s" went nowhere', x.said[1], t.speech)
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_unplaced(t)) u,
               lateral (select app.speech_normalised(u->>'text') as w) n,
               regexp_match(app.speech_normalised(t.speech), '\m(with ' || n.w || '|the ' || n.w || ' ones?)\M') x(said)
         where x.said is not null
         order by t.seq limit 1);
end
$$;

-- Right after a question about an item, a word naming another item of its category heard as a
-- line of another category (seventh round).
create function app.autoverify_rule_category_word_after_question(o app.orders, p_turns app.turns[],
                                                                 p_doc jsonb, p_named jsonb)
returns text
language plpgsql stable as $$
begin
    -- The turn right after kea answered a question about an item added a line of another
    -- category, by a word that names another item of the asked one's category ("do you have
    -- pupusas de chorizo?" - "we have the Pupusa de Queso" - "ok then two chicharron" as fried
    -- yuca with chicharron, the pork pupusa being "Chicharron c/ Queso"): the caller went on
    -- with what was asked about, kea took the word to something else.
    return (
        with nw as materialized (select * from jsonb_to_recordset(p_named) nw(kind text, code text, part text, stem text))
        select format('"%s" after a question about %s: "%s" names %s, heard as %s', t.speech, q.item, w,
                      ot->>'code', m->>'item')
          from app.speech_turns(p_turns) t
          join unnest(p_turns) a on a.seq = t.seq - 1,
               lateral (select substring(d from '^answered question about (.*)$') as item
                          from json_array_elements_text(app.turn_notes(a)) d
                         where d like 'answered question about %') q,
               json_array_elements(app.turn_lines(t)) m,
               app.menu_items(p_doc) asked, app.menu_items(p_doc) heard, app.menu_items(p_doc) ot,
               regexp_split_to_table(lower(m->'span'->>'text'), '[^a-z]+') w
         where asked->>'code' = q.item and heard->>'code' = m->>'item' and m->>'item' <> q.item
           and heard->>'category' is distinct from asked->>'category'
           and ot->>'category' = asked->>'category' and ot->>'code' <> m->>'item' and length(w) > 2
           and exists (select 1 from nw where nw.kind = 'item' and nw.part = 'name' and nw.code = ot->>'code'
                                           and nw.stem = app.word_stem(w))
         order by t.seq limit 1);
end
$$;

-- A line heard by the words in brackets of its item's name, which name another item (eighth
-- round).
create function app.autoverify_rule_bracket_gloss(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A line heard by two words or more of its item's name, all of them inside the name's
    -- bracketed gloss and all in another item's name ("the whole bellies" heard as `Fried Clam
    -- Roll (whole belly)`, where `Whole Belly Clams` is a dish): the gloss describes the item,
    -- the other item is what the words name.
    return (
        select format('"%s" heard as %s by the words in brackets of its name, which %s is named by',
                      m->'span'->>'text', it->>'code', ot->>'code')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               app.menu_items(p_doc) it, app.menu_items(p_doc) ot,
               lateral (select array(select distinct app.word_stem(w)
                                       from regexp_split_to_table(lower(m->'span'->>'text'), '[^a-z]+') w
                                      where length(w) > 2
                                        and app.word_stem(w) in (select app.word_stem(x)
                                                                   from regexp_split_to_table(lower(it->>'name'), '[^a-z]+') x))
                                 as heard,
                               array(select app.word_stem(x)
                                       from regexp_split_to_table(lower(substring(it->>'name' from '\(([^)]*)\)')), '[^a-z]+') x)
                                 as gloss) s
         where it->>'code' = m->>'item' and ot->>'code' <> it->>'code'
           and cardinality(s.heard) >= 2 and s.gloss @> s.heard
           and array(select app.word_stem(x) from regexp_split_to_table(lower(ot->>'name'), '[^a-z]+') x) @> s.heard
         order by t.seq limit 1);
end
$$;

-- An option heard without an item, in a turn that changed a line and answered no choice, in words
-- of that line's item's name only (tenth round).
create function app.autoverify_rule_change_in_own_name(o app.orders, p_turns app.turns[],
                                                       p_doc jsonb, p_named jsonb)
returns text
language plpgsql stable as $$
begin
    -- "half a dozen chicken tamales" taken as `Pollo en Verde (chkn green salsa)`, then "the
    -- green one" unasked: kea put a cup of green salsa on it. Words that say again what the
    -- line's item is called, when no choice was asked, pick the item, not an option of it; a
    -- turn that asks for an option (with, extra, add...) asks for the option.
    return (
        with nw as materialized (select * from jsonb_to_recordset(p_named) nw(kind text, code text, part text, stem text))
        select format('"%s" changed line %s with %s, in words of the name of %s', t.speech, ch.n,
                      md->>'option', o.call_lines->ch.n->>'item')
          from app.speech_turns(p_turns) t,
               lateral (select substring(d from '^changed line ([0-9]+)$')::int as n
                          from json_array_elements_text(app.turn_notes(t)) d
                         where d ~ '^changed line [0-9]+$' limit 1) ch,
               json_array_elements(app.turn_lines(t)) m,
               json_array_elements(m->'modifiers') md,
               lateral (select array_agg(app.word_stem(w)) as st
                          from regexp_split_to_table(lower(m->'span'->>'text'), '[^a-z0-9]+') w
                         where length(w) > 2 and not app.joining_word(w) and w not in ('one', 'ones')) sp,
               lateral (select array_agg(nw.stem) as st from nw
                         where nw.kind = 'item' and nw.code = o.call_lines->ch.n->>'item'
                           and nw.part = 'name') its
         where m->>'item' is null and not coalesce((md->>'negated')::boolean, false)
           and not exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                            where d like 'answered choice for line %')
           and lower(t.speech) !~ '\m(with|extra|add|no|double|triple|light|easy|more|less|without|side)\M'
           and sp.st is not null and its.st @> sp.st
         order by t.seq limit 1);
end
$$;

-- An answer to a choice that says another option of the group in full (eleventh round).
create function app.autoverify_rule_answer_said_another_option(o app.orders, p_turns app.turns[],
                                                               p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "loaded baked potato" said for the steak's side, and the side taken is `Baked Potato`
    -- where `Loaded Baked (+2.00)` is an option of the same group: a turn that answered a choice
    -- says, in order, every word of an option's name (two words or more, the bracketed gloss
    -- left out), no line took that option, and a line took another option of its group. The
    -- answer named two options; kea kept the one it read.
    return (
        with forms as materialized (
            -- the options' names (without their gloss), aliases and codes of two words or more
            select * from app.option_phrases(p_doc, true))
        select format('"%s" answered a choice and says the option %s, and %s was taken', t.speech, f.opt,
                      lm->>'option')
          from app.speech_turns(p_turns) t, forms f,
               jsonb_array_elements(coalesce(o.call_lines, '[]')) l,
               jsonb_array_elements(coalesce(l->'modifiers', '[]')) lm
         where exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d like 'answered choice for line %')
           and app.speech_normalised(t.speech) ~ f.said_as
           and lm->>'group' = f.grp and lm->>'option' <> f.opt
           and not exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l2,
                                         jsonb_array_elements(coalesce(l2->'modifiers', '[]')) lm2
                            where lm2->>'option' = f.opt)
         order by t.seq limit 1);
end
$$;

-- A word of the menu said after a correction cue, in a turn that heard no line there and changed
-- nothing (eleventh round).
create function app.autoverify_rule_correction_heard_nowhere(o app.orders, p_turns app.turns[],
                                                             p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "ok then a plain dosa and a curd rice, no actually make that lemon rice": kea added the
    -- dosa, and the words after the last cue, which name something on the menu, made no line,
    -- no change and no removal. What the caller settled on went nowhere.
    return (
        with said as (
            select t.seq, t.speech, c.tail, octet_length(s.s) - octet_length(c.tail) as at
              from app.speech_turns(p_turns) t,
                   lateral (select app.speech_normalised(t.speech) as s) s,
                   lateral (select (regexp_match(s.s, '.*\m(?:actually|i mean|wait|scratch that|instead|make (?:it|that)|change (?:it|that)|oops|rather)\M(.*)$'))[1] as tail) c
             where c.tail is not null)
        select format('"%s": "%s" said after a correction, and nothing heard there', said.speech, w.w)
          from said, regexp_split_to_table(said.tail, ' ') w(w)
         where length(w.w) > 2 and not app.joining_word(w.w)
           and w.w in (select app.menu_words(p_doc))
           and not exists (select 1 from unnest(p_turns) t, json_array_elements(app.turn_lines(t)) m
                            where t.seq = said.seq and (m->'span'->>'end')::int > said.at)
           and not exists (select 1 from unnest(p_turns) t, json_array_elements_text(app.turn_notes(t)) d
                            where t.seq = said.seq
                              and (d like 'changed %' or d like 'removed %' or d like 'quantity %'
                                   or d like '% taken off%' or d like 'unknown item%'))
         order by said.seq limit 1);
end
$$;

-- An article or a count right before words placed nowhere that end what was said, in a turn that
-- heard a line, and nothing added after (twelfth round).
create function app.autoverify_rule_article_noun_nowhere(o app.orders, p_turns app.turns[],
                                                         p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "the desayuno típico with flour tortillas and a coffee": the coffee (the menu's name for it
    -- is another) matched nothing, and the caller, who ordered in that turn, had asked for one
    -- more thing. The article went to no line, the words after it end the utterance or run into
    -- "and" / "please" / "too"; a later turn that added a line may be the caller saying it again
    -- ("two coxinhas and a soda" - "sprite"). A word no line took inside a line's words ("a plain
    -- baleada") is not followed so; "a little", "a minute" in a turn that ordered nothing are
    -- chat. The spans count in the words as app.speech_normalised gives them (no punctuation).
    return (
        select format('"%s" in "%s": one more thing asked for, and it went nowhere', u->>'text', t.speech)
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_unplaced(t)) u,
               lateral (select app.speech_normalised(t.speech) as s) n,
               lateral (select left(n.s, (u->>'start')::int) as head) h
         where json_array_length(coalesce(app.turn_lines(t), '[]')) > 0
           and h.head ~ '\m(a|an|one|two|three|four|five|six|another)\s+$'
           and substr(n.s, (u->>'end')::int + 1) ~ '^\s*((and|please|too|also|then|as well)\M|$)'
           and not exists (select 1 from json_array_elements(app.turn_lines(t)) m
                            where (m->'span'->>'start')::int < (u->>'start')::int
                              and (m->'span'->>'end')::int
                                  > length(regexp_replace(h.head, '\m(a|an|one|two|three|four|five|six|another)\s+$', '')))
           and not exists (select 1 from app.speech_turns(p_turns) t2, json_array_elements_text(app.turn_notes(t2)) d
                            where t2.seq > t.seq and d like 'added %')
         order by t.seq limit 1);
end
$$;

-- A line added by its pick alone, the pick's name being inside the name of an item of another
-- category (thirteenth round).
create function app.autoverify_rule_pick_names_other_item(o app.orders, p_turns app.turns[],
                                                          p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "two chocolate chip" added two `Edible Cookie Dough Cup` with the flavour `Choc Chip`: no
    -- word named the dough cup (the extraction took the only item the pick fits, item_implied),
    -- and `PB Choc Chip` and `Vegan Choc Chip (GF)` are cookies. When the pick's name (its
    -- bracketed gloss left out) is every word of another item's name, or some of them, and that
    -- item is of another category, the caller may have meant that kind of thing; a pick named so
    -- within the line's category ("a coke", the fountain's flavour, `Mexican Coke` a drink too)
    -- passes.
    return (
        with named as materialized (
            select it->>'code' as code, it->>'category' as category,
                   array(select w from regexp_split_to_table(lower(regexp_replace(it->>'name', '\s*\(.*$', '')),
                                                             '[^a-z]+') w) as ws
              from app.menu_items(p_doc) it)
        select format('"%s" added %s by its pick %s alone, a name inside that of %s, of another category',
                      m->'span'->>'text', m->>'item', md->>'option', other.code)
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               json_array_elements(m->'modifiers') md,
               lateral (select array_agg(w) as ws
                          from jsonb_array_elements(case when jsonb_typeof(p_doc->'groups') = 'array'
                                                         then p_doc->'groups' else '[]' end) g,
                               jsonb_array_elements(coalesce(g->'options', '[]')) op,
                               regexp_split_to_table(lower(regexp_replace(op->>'name', '\s*\(.*$', '')), '[^a-z]+') w
                         where g->>'code' = md->>'group' and op->>'code' = md->>'option'
                           and length(w) > 1 and not app.joining_word(w)) pick,
               named own, named other
         where coalesce((m->>'item_implied')::boolean, false)
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d = 'added ' || (m->>'item'))
           and exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l
                        where l->>'item' = m->>'item')
           and own.code = m->>'item' and other.code <> own.code
           and other.category is distinct from own.category
           and pick.ws is not null and other.ws @> pick.ws
         order by t.seq limit 1);
end
$$;

-- A word of heat placed nowhere, in a turn that took no option (fourteenth round).
create function app.autoverify_rule_heat_word_nowhere(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "ok one of those, spicy" after a price question: the tagine without its harissa pick
    -- `Hot (harr!)`. "spicy" is no word of that menu, so the first round's rule does not see
    -- it; words of heat (spicy, hot, mild) name a kind of option most menus have in some words
    -- of their own. Heard and placed nowhere in a turn that took no option at all, kea did
    -- not take what the caller asked for; where the turn took one ("medium spicy": the level
    -- `Medium`), the word was part of it.
    return (
        select format('"%s" in "%s" says how hot, and went nowhere', x.w, (x.t).speech)
          from app.unplaced_words(p_turns) x
         where x.w in ('spicy', 'spicier', 'hot', 'hotter', 'mild', 'milder')
           and not app.question_only(x.t)
           and not exists (select 1 from json_array_elements(app.turn_lines(x.t)) m,
                                         json_array_elements(m->'modifiers') md)
         order by (x.t).seq limit 1);
end
$$;

-- A line added by its pick alone, the pick said in the plural and named inside another item's
-- name (fifteenth round).
create function app.autoverify_rule_pick_said_as_items(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "two traditionals" added two of the minis box with its flavour `Traditional` (no word
    -- named the box: item_implied), where `Traditional Cornish` is a pasty of the same category,
    -- so the thirteenth round's rule let it pass. A pick is not counted in the plural; things
    -- are: said so, and inside another item's name, the caller most likely meant that item.
    return (
        select format('"%s" added %s by its pick %s said in the plural, a name inside that of %s',
                      m->'span'->>'text', m->>'item', md->>'option', other->>'code')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               json_array_elements(m->'modifiers') md,
               lateral (select array_agg(w) as ws
                          from jsonb_array_elements(case when jsonb_typeof(p_doc->'groups') = 'array'
                                                         then p_doc->'groups' else '[]' end) g,
                               jsonb_array_elements(coalesce(g->'options', '[]')) op,
                               regexp_split_to_table(app.name_words(regexp_replace(op->>'name', '\s*\(.*$', '')), ' ') w
                         where g->>'code' = md->>'group' and op->>'code' = md->>'option'
                           and length(w) > 1 and not app.joining_word(w)) pick,
               app.menu_items(p_doc) other
         where coalesce((m->>'item_implied')::boolean, false)
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d = 'added ' || (m->>'item'))
           and exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l
                        where l->>'item' = m->>'item')
           and other->>'code' <> m->>'item'
           and pick.ws is not null
           and array(select w from regexp_split_to_table(app.name_words(regexp_replace(other->>'name', '\s*\(.*$', '')), ' ') w)
               @> pick.ws
           and app.name_words(m->'span'->>'text') ~ ('\m' || pick.ws[array_length(pick.ws, 1)] || 's\M')
         order by t.seq limit 1);
end
$$;
