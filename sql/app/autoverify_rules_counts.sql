-- The auto-verify rules about counts and sizes (docs/closed-loop.md, part 2, rule 2): a count
-- said and not taken, taken twice, or taken as the quantity where it named a size. Each returns
-- why the order is held, or null; app.autoverify_check (sql/app/autoverify.sql) calls every rule
-- in turn and keeps the first reason.

-- A count of two or more said for words heard as no item (second round).
create function app.autoverify_rule_count_heard_as_no_item(o app.orders, p_turns app.turns[],
                                                           p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- Words heard without an item that start with a count of two or more ("and three jasmine
    -- rice", "two short stacks with chocolate chips"): something the caller counted that kea
    -- did not know as an item, put on a line already there.
    return (
        select format('"%s" counted, heard as no item', m->'span'->>'text')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m
         where m->>'item' is null
           and app.count_said_first(m->'span'->>'text') >= 2
         order by t.seq limit 1);
end
$$;

-- A count at the start of a line's words that the line did not take (second round).
create function app.autoverify_rule_count_not_taken(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A count said at the start of a line's words that the line did not take ("two orders of
    -- veg samosas" as one order, "two dozen garlic knots" as 24): unless the line's size
    -- (its code or, since the twelfth round, its name: "six humita" as the `1/2 Dz (6)`) or
    -- item is named by it ("six egg rolls": the 6 pc; "two eggs any style") or a unit
    -- follows it ("a 16 oz americano"), or the turn split it over lines of that item ("two
    -- al pastor" among four tacos). "N orders of" is always a count.
    return (
        select format('"%s" taken as %s', m->'span'->>'text', m->>'quantity')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               lateral (select app.count_word(x[1]) as n, x[2] as next
                          from regexp_match(lower(m->'span'->>'text'), '^(?:(?:a|an|the) )?([a-z0-9]+)(?: ([a-z]+))?') x) cw
         where m->>'item' is not null and cw.n >= 2
           and coalesce((m->>'quantity')::int, 1) <> cw.n
           and coalesce(cw.next, '') not in ('oz', 'ounce', 'ounces', 'inch', 'inches', 'piece', 'pieces', 'pc', 'pcs',
                                            'liter', 'liters', 'litre', 'lb', 'lbs', 'pound', 'pounds')
           and (coalesce(cw.next, '') in ('order', 'orders')
                or not (coalesce(m->>'variation', '') || ' ' || (m->>'item') || ' '
                        || coalesce((select v->>'name'
                                       from jsonb_array_elements(case when jsonb_typeof(p_doc->'items') = 'array' then p_doc->'items' else '[]' end) it,
                                            jsonb_array_elements(coalesce(it->'variations', '[]')) v
                                      where it->>'code' = m->>'item' and v->>'code' = m->>'variation' limit 1), ''))
                       ~ ('(^|[^0-9])' || cw.n || '([^0-9]|$)|' || app.number_name(cw.n)))
           and (select sum(coalesce((k->>'quantity')::int, 1))
                  from json_array_elements(app.turn_lines(t)) k
                 where k->>'item' = m->>'item') <> cw.n
         order by t.seq limit 1);
end
$$;

-- A count said first that names a size of the item, taken as the quantity (third round).
create function app.autoverify_rule_count_names_size(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A count taken as the line's quantity while the item has a size named by that count
    -- ("six beignets" as six orders, with a 6pc on the menu): one order of six, most likely.
    return (
        select format('"%s" taken as %s, and %s has a size %s', m->'span'->>'text', m->>'quantity',
                      m->>'item', v->>'name')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               app.menu_items(p_doc) it, jsonb_array_elements(coalesce(it->'variations', '[]')) v
         where it->>'code' = m->>'item' and coalesce((m->>'quantity')::int, 1) >= 2
           and app.count_said_first(m->'span'->>'text') = (m->>'quantity')::int
           and m->>'variation' is distinct from v->>'code'
           and app.size_named_by(v, (m->>'quantity')::int)
         order by t.seq limit 1);
end
$$;

-- A count said once taken as both the quantity and the size (fifth round).
create function app.autoverify_rule_count_taken_twice(o app.orders, p_turns app.turns[],
                                                      p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A count said once and taken twice, as the line's quantity and as its size ("the fifty
    -- piece lumpia tray" as 50 trays of 50): the line's words hold one count, the quantity is
    -- that count, and the size taken is named by it. "six 6pc donuts" says two.
    return (
        select format('"%s" taken as %s of %s', m->'span'->>'text', m->>'quantity', v->>'name')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               app.menu_items(p_doc) it, jsonb_array_elements(coalesce(it->'variations', '[]')) v
         where it->>'code' = m->>'item' and v->>'code' = m->>'variation'
           and coalesce((m->>'quantity')::int, 1) >= 2
           and app.size_named_by(v, (m->>'quantity')::int)
           and (select count(*) from regexp_split_to_table(lower(m->'span'->>'text'), '[^a-z0-9]+') w
                 where app.count_word(w) is not null or w = 'dozen') < 2
         order by t.seq limit 1);
end
$$;

-- A size said in a question about an item whose line stayed at its default size (sixth round).
create function app.autoverify_rule_size_said_in_question(o app.orders, p_turns app.turns[],
                                                          p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A size said in a question about an item ("how much is the large adjaruli?" - "ok one of
    -- those"), while the line of that item is at its default size: the size was not carried.
    -- Size words: the usual ones (callers say "large" of a size named "Lg") and the words of
    -- the item's sizes' names and codes, but for digits (a count) and words of its name.
    return (
        select format('"%s" said in "%s", and %s is at its default size', x.w, a.speech, q.item)
          from app.speech_turns(p_turns) a,
               lateral (select substring(d from '^answered question about (.*)$') as item
                          from json_array_elements_text(app.turn_notes(a)) d
                         where d like 'answered question about %') q,
               app.menu_items(p_doc) it,
               regexp_split_to_table(lower(a.speech), '[^a-z0-9]+') x(w)
         where it->>'code' = q.item and jsonb_array_length(coalesce(it->'variations', '[]')) > 1
           and length(x.w) > 1 and x.w !~ '^[0-9]+$' and lower(it->>'name') !~ ('\m' || x.w || '\M')
           and (x.w in ('small', 'medium', 'large', 'regular', 'big', 'giant', 'family', 'half', 'whole',
                        'single', 'double', 'grande', 'jumbo', 'mini', 'personal', 'dozen')
                or x.w in (select y from jsonb_array_elements(it->'variations') v,
                                         regexp_split_to_table(lower(concat_ws(' ', v->>'name', v->>'code')), '[^a-z0-9]+') y))
           and exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l
                        where l->>'item' = q.item and coalesce((l->>'variation_is_default')::boolean, false))
         order by a.seq limit 1);
end
$$;

-- A quantity that names a pack of the item while the line took another size (sixth round).
create function app.autoverify_rule_pack_quantity(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A quantity of two or more that names a pack of the item while the line took another
    -- size ("a dozen croquetas" as twelve singles, with a "Dz" (12pc) on the menu): one pack,
    -- most likely. The earlier rule sees a count said first; this one the quantity however it
    -- was said, unless the caller counted pieces ("six pieces of salmon sashimi": two orders
    -- of the three-piece).
    return (
        select format('%s %s at %s, and %s has a size %s', l->>'quantity', l->>'item',
                      coalesce(l->>'variation', 'no size'), l->>'item', v->>'name')
          from jsonb_array_elements(coalesce(o.call_lines, '[]')) l, app.menu_items(p_doc) it,
               jsonb_array_elements(coalesce(it->'variations', '[]')) v
         where it->>'code' = l->>'item' and coalesce((l->>'quantity')::int, 1) >= 2
           and l->>'variation' is distinct from v->>'code'
           and app.size_named_by(v, (l->>'quantity')::int)
           and not exists (select 1 from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m
                            where m->>'item' = l->>'item'
                              and lower(m->'span'->>'text') ~ '\m(piece|pieces|pc|pcs)\M')
         limit 1);
end
$$;

-- An item whose name begins with a count, said by its name and taken as that many (seventh
-- round).
create function app.autoverify_rule_item_named_by_count(o app.orders, p_turns app.turns[],
                                                        p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- An item whose name begins with a count ("2-Meat Combo Rice"), said by its name ("the two
    -- meat combo") and taken as that many: the count was the name's, said once.
    return (
        select format('"%s" names %s, taken as %s of it', m->'span'->>'text', it->>'name', m->>'quantity')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m, app.menu_items(p_doc) it,
               lateral (select string_to_array(app.name_words(it->>'name'), ' ') as w) nm
         where it->>'code' = m->>'item' and coalesce((m->>'quantity')::int, 1) >= 2
           and app.count_word(nm.w[1]) = (m->>'quantity')::int and cardinality(nm.w) >= 2
           and app.name_words(m->'span'->>'text')
               ~ ('\m(' || (m->>'quantity') || '|' || app.number_name((m->>'quantity')::int) || ') ' || nm.w[2] || '\M')
           and (select count(*) from regexp_split_to_table(lower(m->'span'->>'text'), '[^a-z0-9]+') w
                 where app.count_word(w) is not null) < 2
         order by t.seq limit 1);
end
$$;

-- An answer to "which one" that says a size of another of the items asked between (fourteenth
-- round).
create function app.autoverify_rule_which_one_by_size(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "some grits" - which one? (`Shrimp & Grits (bowl)` or `Cheese Grits`) - "bowl": taken as
    -- the shrimp and grits by the gloss of its name, where the caller chose the cheese grits'
    -- size `Bowl`. An answer that names a size of another item kea offered says that item.
    return (
        select format('"%s" answered which one as %s, and is a size of %s', m->'span'->>'text', m->>'item', it->>'code')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               lateral (select t0 from app.speech_turns(p_turns) t0 where t0.seq < t.seq order by t0.seq desc limit 1) p,
               json_array_elements(app.turn_lines(p.t0)) c,
               app.menu_items(p_doc) it
         where exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d = 'added ' || (m->>'item') || ' (which one)')
           and c->>'item' is null and json_typeof(c->'candidates') = 'array'
           and exists (select 1 from json_array_elements_text(c->'candidates') x where x = m->>'item')
           and exists (select 1 from json_array_elements_text(c->'candidates') x
                        where x = it->>'code' and x <> m->>'item')
           and exists (select 1 from jsonb_array_elements(coalesce(it->'variations', '[]')) v
                        where (' ' || app.speech_normalised(m->'span'->>'text') || ' ')
                              like ('% ' || app.name_words(regexp_replace(v->>'name', '\s*\(.*$', '')) || ' %'))
         order by t.seq limit 1);
end
$$;

-- "for N" said of an item with a size for N, its line at its default size (fifteenth round).
create function app.autoverify_rule_size_for_count(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "how much is the pique macho for two" - "ok I'll get that": the `Personal` size, where the
    -- menu sells it `Para 2`. "for two" says how many it feeds, a size when one of the item's
    -- sizes is named by that count (app.size_named_by); the line at its default size lost it.
    -- The sixth round's rule of a size said in a question reads size words, not counts.
    return (
        select format('"for %s" in "%s", and %s is at its default size', x.w, a.speech, l->>'item')
          from jsonb_array_elements(coalesce(o.call_lines, '[]')) l, app.menu_items(p_doc) it,
               app.speech_turns(p_turns) a,
               regexp_matches(app.speech_normalised(a.speech), '\mfor ([a-z0-9]+)\M', 'g') x0,
               lateral (select x0[1] as w) x
         where it->>'code' = l->>'item' and jsonb_array_length(coalesce(it->'variations', '[]')) > 1
           and (coalesce((l->>'variation_is_default')::boolean, false) or l->>'variation' is null)
           and app.count_word(x.w) is not null
           and exists (select 1 from jsonb_array_elements(it->'variations') v
                        where v->>'code' is distinct from l->>'variation'
                          and app.size_named_by(v, app.count_word(x.w)))
         order by a.seq limit 1);
end
$$;

-- A size said in a question kea answered as a menu question, the line added by reference right
-- after at its default size (fifteenth round).
create function app.autoverify_rule_size_said_in_menu_question(o app.orders, p_turns app.turns[],
                                                               p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "how much is the large traditional" - "ok one of those": a regular traditional, where the
    -- size is `Lg (the Oggy)`. The sixth round's rule reads a question noted as about an item;
    -- this one was noted as a menu question, so the item is that of the line the next turn
    -- added by reference (item_implied). Size words: a word of the item's other sizes' names
    -- (digits and the words of its name left out), or large / small / medium for a size named
    -- by its short form (Lg, Lrg, Sm, Med).
    return (
        select format('"%s" said in "%s", and %s is at its default size', x.w, a.speech, l->>'item')
          from app.speech_turns(p_turns) a,
               lateral (select t1 from app.speech_turns(p_turns) t1 where t1.seq > a.seq
                         order by t1.seq limit 1) nx,
               json_array_elements(app.turn_lines(nx.t1)) m,
               jsonb_array_elements(coalesce(o.call_lines, '[]')) l, app.menu_items(p_doc) it,
               regexp_split_to_table(app.speech_normalised(a.speech), ' ') x(w)
         where app.question_only(a)
           and coalesce((m->>'item_implied')::boolean, false)
           and l->>'item' = m->>'item' and it->>'code' = l->>'item'
           and jsonb_array_length(coalesce(it->'variations', '[]')) > 1
           and (coalesce((l->>'variation_is_default')::boolean, false) or l->>'variation' is null)
           and length(x.w) > 1
           and app.name_words(regexp_replace(it->>'name', '\s*\(.*$', '')) !~ ('\m' || x.w || '\M')
           and exists (select 1 from jsonb_array_elements(it->'variations') v
                        where v->>'code' is distinct from l->>'variation'
                          and (x.w in (select y from regexp_split_to_table(
                                                        app.name_words(regexp_replace(v->>'name', '\s*\(.*$', '')), ' ') y
                                        where y !~ '^[0-9]+$')
                               or lower((v->>'name') || ' ' || (v->>'code'))
                                  ~ ('\m' || case x.w when 'large' then '(large|lg|lrg)'
                                                      when 'small' then '(small|sm|sml)'
                                                      when 'medium' then '(medium|md|med)' end || '\M')))
         order by a.seq limit 1);
end
$$;
