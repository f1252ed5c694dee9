-- The auto-verify rules about how a caller's words were split into lines, or joined (docs/
-- closed-loop.md, part 2, rule 2): one thing heard as two, two as one, an option said for one
-- line put on another. Each returns why the order is held, or null; app.autoverify_check
-- (sql/app/autoverify.sql) calls every rule in turn and keeps the first reason.

-- A correction cue inside the words of one line (first round).
create function app.autoverify_rule_correction_inside_line(o app.orders, p_turns app.turns[],
                                                           p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A self-correction inside the words of one line ("two thai iced teas, actually make it
    -- three"): the dialog did not hear it as a change (it would have split the words), so one
    -- of the two values may have stayed. A bare "no" is no cue: it is mostly "no onions".
    return (
        select format('a correction inside one line: "%s"', m->'span'->>'text')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m
         where app.correction_cue(m->'span'->>'text')
         order by t.seq limit 1);
end
$$;

-- A word for several lines (all, both, each, any) said once in a turn of two lines or more
-- (first round).
create function app.autoverify_rule_word_for_several_lines(o app.orders, p_turns app.turns[],
                                                           p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A word for several lines said once ("two salmon avocado rolls and a tuna roll, all
    -- with brown rice"; "four doubles, no cucumber on any, two with kuchela"): in a turn that
    -- heard two lines or more, all / both / each / every / any (not "that's all"): kea may
    -- put what follows on one line only, or count the lines it splits twice.
    return (
        select format('"%s" said once for several lines', t.speech)
          from app.speech_turns(p_turns) t
         where json_array_length(app.turn_lines(t)) >= 2
           and regexp_replace(lower(t.speech), '(that''s|that is|is|it''s|it is|be) all|all (set|good)', '', 'g')
               ~ '\m(all|both|each|every|everything|any)\M'
         order by t.seq limit 1);
end
$$;

-- The same line (item, size, options) twice (first round).
create function app.autoverify_rule_same_line_twice(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- The same line twice (same item, size and options): a caller says "two of them", so two
    -- equal lines are one heard twice ("two grilled pork ones" as two lines of one).
    return (
        select format('line %s twice', x.l->>'item')
          from jsonb_array_elements(coalesce(o.call_lines, '[]')) with ordinality x(l, n),
               jsonb_array_elements(coalesce(o.call_lines, '[]')) with ordinality y(l, n)
         where x.n < y.n and x.l->>'item' = y.l->>'item'
           and x.l->'variation' is not distinct from y.l->'variation'
           and x.l->'modifiers' is not distinct from y.l->'modifiers'
         limit 1);
end
$$;

-- Two lines of one breath joined by "of" or "with" alone (second round).
create function app.autoverify_rule_lines_joined_by_of_or_with(o app.orders, p_turns app.turns[],
                                                               p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- Two lines of one breath whose words are joined by "of" or "with" alone ("a can of coke"
    -- as a canned beer and a coke, "a garlic bread with cheese" as a bread and a salad): the
    -- caller named one thing, or one thing with something on it.
    return (
        select format('"%s %s %s" heard as two lines', jn.a->'span'->>'text', jn.gap, jn.b->'span'->>'text')
          from app.speech_turns(p_turns) t,
               lateral (select m.l as a, n.l as b,
                               app.speech_between(app.speech_normalised(t.speech), (m.l->'span'->>'end')::int,
                                                  (n.l->'span'->>'start')::int) as gap
                          from json_array_elements(app.turn_lines(t)) m(l),
                               json_array_elements(app.turn_lines(t)) n(l)
                         where m.l->>'item' is not null and n.l->>'item' is not null
                           and (n.l->'span'->>'start')::int >= (m.l->'span'->>'end')::int
                           -- n is the next line heard after m
                           and not exists (select 1 from json_array_elements(app.turn_lines(t)) k(l)
                                            where k.l->>'item' is not null
                                              and (k.l->'span'->>'start')::int >= (m.l->'span'->>'end')::int
                                              and (k.l->'span'->>'start')::int < (n.l->'span'->>'start')::int)) jn
         where jn.gap in ('of', 'with')
         order by t.seq limit 1);
end
$$;

-- An option both taken and left off on one line (second round).
create function app.autoverify_rule_option_taken_and_left_off(o app.orders, p_turns app.turns[],
                                                              p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A line with an option both taken and left off ("no cilantro please, I hate cilantro"
    -- as cilantro and no cilantro).
    return (
        select format('%s with and without %s', x.l->>'item', md->>'option')
          from jsonb_array_elements(coalesce(o.call_lines, '[]')) x(l),
               jsonb_array_elements(coalesce(x.l->'modifiers', '[]')) md
         group by x.l, md->>'group', md->>'option'
        having count(distinct coalesce((md->>'negated')::boolean, false)) > 1
         limit 1);
end
$$;

-- Options said right after a new line that went to another line (third round).
create function app.autoverify_rule_options_after_new_line(o app.orders, p_turns app.turns[],
                                                           p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- Options said right after a new line, in the same breath, that did not end on it ("and a
    -- roast beef on a hero with russian": the hero and russian put on the ham and swiss
    -- before): the words heard without an item follow the item they were said of.
    return (
        select format('"%s" said after %s went to another line', m->'span'->>'text', a->>'item')
          from app.speech_turns(p_turns) t,
               json_array_elements(app.turn_lines(t)) m,
               json_array_elements(app.turn_lines(t)) a
         where m->>'item' is null and json_array_length(m->'modifiers') > 0 and a->>'item' is not null
           and (m->'span'->>'start')::int >= (a->'span'->>'end')::int
           -- a is the last line with an item before m
           and not exists (select 1 from json_array_elements(app.turn_lines(t)) k
                            where k->>'item' is not null
                              and (k->'span'->>'start')::int >= (a->'span'->>'end')::int
                              and (k->'span'->>'end')::int <= (m->'span'->>'start')::int)
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d where d = 'added ' || (a->>'item'))
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d where d like 'changed line %')
           and not exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) x
                            where x->>'item' = a->>'item'
                              and (select bool_and(x->'modifiers' @> jsonb_build_array(jsonb_build_object('option', md->>'option')))
                                     from json_array_elements(m->'modifiers') md))
         order by t.seq limit 1);
end
$$;

-- Two lines of one breath with no word between them (seventh round).
create function app.autoverify_rule_no_word_between_lines(o app.orders, p_turns app.turns[],
                                                          p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- Two lines of one breath with no word between them, the second begun by no article or
    -- count ("and a black coffee" as a black coffee and a milk coffee): one thing named, heard
    -- as two.
    return (
        select format('"%s" and "%s" heard as two lines', a->'span'->>'text', b->'span'->>'text')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) a, json_array_elements(app.turn_lines(t)) b
         where a->>'item' is not null and b->>'item' is not null
           and (b->'span'->>'start')::int >= (a->'span'->>'end')::int
           and app.speech_between(app.speech_normalised(t.speech), (a->'span'->>'end')::int, (b->'span'->>'start')::int) = ''
           and app.speech_normalised(b->'span'->>'text') !~ '^(a|an|the|one|some|and|plus|also|another)\M'
           and app.count_said_first(b->'span'->>'text') is null
         order by t.seq limit 1);
end
$$;

-- A word for several lines said of lines already there, in a turn that added one more (seventh
-- round).
create function app.autoverify_rule_several_of_lines_there(o app.orders, p_turns app.turns[],
                                                           p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A word for several lines (both, each, every, all of them) in a turn that added a line of
    -- an item an earlier turn had added ("oh the coffees both large, one with splenda"): the
    -- caller spoke of the lines already there, kea added one more.
    return (
        select format('"%s" said of lines already there, and %s', t.speech, d)
          from app.speech_turns(p_turns) t, json_array_elements_text(app.turn_notes(t)) d
         where d like 'added %' and d not like '% from the last order'
           and regexp_replace(lower(t.speech), '(that''s|that is|is|it''s|it is|be) all|all (set|good)', '', 'g')
               ~ '\m(both|each|every|all of them|all of those)\M'
           and exists (select 1 from app.speech_turns(p_turns) e, json_array_elements_text(app.turn_notes(e)) ed
                        where e.seq < t.seq and ed = d)
         order by t.seq limit 1);
end
$$;

-- "no X" in a line's words while the line keeps an option named by X (seventh round).
create function app.autoverify_rule_no_x_kept(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "no X" in a line's words, X a word of an option of a group the line may take several of
    -- and took others of, while no option of the line is named by X ("a koobideh no onions no
    -- butter" with the butter kept): one of two things left off was heard. A one-of choice is
    -- not one ("with the bread, no rice": the bread is the choice), nor an option named by it
    -- ("no ice" taken as the option "No Ice").
    return (
        select format('"no %s" in "%s", and %s keeps it', x[2], m->'span'->>'text', m->>'item')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               regexp_matches(app.speech_normalised(m->'span'->>'text'), '\m(no|without|hold the) ([a-z]+)', 'g') x,
               jsonb_array_elements(case when jsonb_typeof(p_doc->'groups') = 'array' then p_doc->'groups' else '[]' end) g,
               jsonb_array_elements(coalesce(g->'options', '[]')) op
         where m->>'item' is not null and coalesce((g->>'max')::int, 0) <> 1
           and app.word_stem(x[2]) in (select app.word_stem(w)
                                         from regexp_split_to_table(lower(concat_ws(' ', op->>'name', replace(op->>'code', '_', ' '))), '[^a-z]+') w)
           and exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l,
                                     jsonb_array_elements(coalesce(l->'modifiers', '[]')) lm
                        where l->>'item' = m->>'item' and lm->>'group' = g->>'code')
           and not exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l,
                                         jsonb_array_elements(coalesce(l->'modifiers', '[]')) lm
                            where l->>'item' = m->>'item'
                              and app.word_stem(x[2]) in (select app.word_stem(w)
                                                            from regexp_split_to_table(lower(concat_ws(' ', lm->>'name', replace(lm->>'option', '_', ' '))), '[^a-z]+') w))
         order by t.seq limit 1);
end
$$;

-- A line heard in words said right after "on" / "on the" (eleventh round).
create function app.autoverify_rule_line_said_on_another(o app.orders, p_turns app.turns[],
                                                         p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "one bai sach chrouk, broken rice on the pork": "pork" made a line of fresh rolls with
    -- pork. Words said right after "on (the)", since the line before them or the turn's start,
    -- name what something goes on, not a dish of their own ("light on the chile", "no salt on
    -- the chips").
    return (
        select format('"%s" said on something ("%s ..."), heard as a line of %s', b->'span'->>'text', g.gap,
                      b->>'item')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) b,
               lateral (select app.speech_between(app.speech_normalised(t.speech),
                                                  coalesce((select max((a->'span'->>'end')::int)
                                                              from json_array_elements(app.turn_lines(t)) a
                                                             where (a->'span'->>'end')::int <= (b->'span'->>'start')::int), 0),
                                                  (b->'span'->>'start')::int) as gap) g
         where b->>'item' is not null
           and g.gap ~ '\mon( (the|a|an|my|his|her|its))?$'
         order by t.seq limit 1);
end
$$;

-- A word for several lines said in a turn that changed one line, of two or more of its item
-- (eleventh round).
create function app.autoverify_rule_several_said_one_changed(o app.orders, p_turns app.turns[],
                                                             p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "two milk teas" split into one with pudding and one with grass jelly, then "both no ice":
    -- kea changed one of the two. All / both / each / every / any (not "that's all") in a turn
    -- that changed exactly one line, while the order holds another line of that line's item.
    -- "two frappes" - "both sweet" changes the one line of two.
    return (
        select format('"%s" said for several lines, and changed line %s alone of the lines of %s', t.speech,
                      ch.n, o.call_lines->ch.n->>'item')
          from app.speech_turns(p_turns) t,
               lateral (select min(substring(d from '^changed line ([0-9]+)')::int) as n,
                               count(distinct substring(d from '^changed line ([0-9]+)')) as k
                          from json_array_elements_text(app.turn_notes(t)) d
                         where d like 'changed line %') ch
         where ch.k = 1
           and regexp_replace(lower(t.speech), '(that''s|that is|is|it''s|it is|be) all|all (set|good)', '', 'g')
               ~ '\m(all|both|each|every|everything|any)\M'
           and (select count(*) from jsonb_array_elements(coalesce(o.call_lines, '[]')) l
                 where l->>'item' = o.call_lines->ch.n->>'item') >= 2
         order by t.seq limit 1);
end
$$;

-- One option taken twice on a line, in two of its groups (twelfth round).
create function app.autoverify_rule_option_in_two_groups(o app.orders, p_turns app.turns[],
                                                         p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- An especial's meat answered "carne asada": the line took the included meat and the paid
    -- add of the same name. Two options of one line, in two groups, with the same code or the
    -- same name (its bracketed gloss and price left out): one thing said, two taken.
    return (
        select format('line %s took "%s" twice, in %s and in %s', l.n - 1,
                      app.speech_normalised(regexp_replace(a->>'name', '\([^)]*\)', '', 'g')), a->>'group', b->>'group')
          from jsonb_array_elements(coalesce(o.call_lines, '[]')) with ordinality l(x, n),
               jsonb_array_elements(coalesce(l.x->'modifiers', '[]')) a,
               jsonb_array_elements(coalesce(l.x->'modifiers', '[]')) b
         where a->>'group' < b->>'group'
           and not coalesce((a->>'negated')::boolean, false)
           and not coalesce((b->>'negated')::boolean, false)
           and (a->>'option' = b->>'option'
                or app.speech_normalised(regexp_replace(a->>'name', '\([^)]*\)', '', 'g'))
                   = app.speech_normalised(regexp_replace(b->>'name', '\([^)]*\)', '', 'g')))
         order by l.n limit 1);
end
$$;

-- A line heard right after "on (the)" and words placed nowhere (fourteenth round).
create function app.autoverify_rule_said_on_unplaced(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "an egg and cheese on the gluten free biscuit": "gluten free" went nowhere and "biscuit"
    -- made a plain biscuit of its own, where the caller named what the sandwich goes on (its
    -- biscuit pick). Words kea could not place between "on" and a line say what kind of thing
    -- the line is; the eleventh round's rule reads "on (the)" right before the line only.
    return (
        select format('"%s" said on something ("%s ..."), words placed nowhere between, heard as a line of %s',
                      b->'span'->>'text', g.gap, b->>'item')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) b,
               lateral (select coalesce((select max((a->'span'->>'end')::int)
                                           from json_array_elements(app.turn_lines(t)) a
                                          where (a->'span'->>'end')::int <= (b->'span'->>'start')::int), 0) as since) s,
               lateral (select app.speech_between(app.speech_normalised(t.speech), s.since,
                                                  (b->'span'->>'start')::int) as gap) g
         where b->>'item' is not null
           and g.gap ~ '\mon( (the|a|an|my))?( [a-z]+){1,3}$'
           and exists (select 1 from json_array_elements(app.turn_unplaced(t)) u
                        where (u->>'start')::int >= s.since
                          and (u->>'end')::int <= (b->'span'->>'start')::int)
         order by t.seq limit 1);
end
$$;

-- A line said "on the side" whose item's name is that of a pick of another line's item, not
-- taken (fifteenth round).
create function app.autoverify_rule_side_named_pick(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- Six salteñas, then "and llajua on the side please": a jar of `Llajua (8oz)` beside them,
    -- where the salteñas' own pick `Llajua (+.75)` was meant. "On the side" says how a thing
    -- comes with another; when the line's item is named as a pick of another line's item (the
    -- glosses left out) and that line did not take it, the caller most likely meant the pick.
    -- A side said so of its own ("a side of pickles") is not held: fourteenth round, a side
    -- named inside a dish's pick is mostly a side of its own.
    return (
        select format('"%s" said on the side, heard as %s, and a pick of %s', m->'span'->>'text', m->>'item', ol->>'item')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               app.menu_items(p_doc) it,
               jsonb_array_elements(coalesce(o.call_lines, '[]')) ol,
               app.menu_items(p_doc) oit,
               jsonb_array_elements_text(coalesce(oit->'groups', '[]')) gc,
               jsonb_array_elements(case when jsonb_typeof(p_doc->'groups') = 'array'
                                         then p_doc->'groups' else '[]' end) g,
               jsonb_array_elements(coalesce(g->'options', '[]')) op
         where it->>'code' = m->>'item'
           and app.speech_between(app.speech_normalised(t.speech), (m->'span'->>'end')::int, 1000000)
               ~ '^on the side\M'
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d = 'added ' || (m->>'item'))
           and exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l
                        where l->>'item' = m->>'item')
           and oit->>'code' = ol->>'item' and ol->>'item' <> m->>'item' and g->>'code' = gc
           and app.name_words(regexp_replace(op->>'name', '\s*\(.*$', ''))
               = app.name_words(regexp_replace(it->>'name', '\s*\(.*$', ''))
           and app.name_words(regexp_replace(it->>'name', '\s*\(.*$', '')) <> ''
           and not exists (select 1 from jsonb_array_elements(coalesce(ol->'modifiers', '[]')) lm
                            where lm->>'group' = g->>'code' and lm->>'option' = op->>'code')
         order by t.seq limit 1);
end
$$;

-- A line followed by "and" and words placed nowhere (fifteenth round).
create function app.autoverify_rule_and_unplaced(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "two bacon and cheese pancakes": two `Spek (bacon)`, "cheese pancakes" placed nowhere,
    -- where the menu has `Spek & Kaas`. "cheese" is no word of that menu (it says `Kaas`), so
    -- the first round's rule does not see it. Words joined to a line by "and" that kea could
    -- not place are part of what the caller asked for, as a name or a line of its own.
    return (
        select format('"%s" and "%s", placed nowhere', m->'span'->>'text', u->>'text')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               json_array_elements(app.turn_unplaced(t)) u
         where m->>'item' is not null
           and app.speech_between(app.speech_normalised(t.speech), (m->'span'->>'end')::int,
                                  (u->>'start')::int) = 'and'
         order by t.seq limit 1);
end
$$;
