-- The auto-verify rules that read what the dialog noted on its turns (docs/closed-loop.md, part
-- 2, rule 2): a change, an answer or an addition that went wrong while every line is sure. Each
-- returns why the order is held, or null; app.autoverify_check (sql/app/autoverify.sql) calls
-- every rule in turn and keeps the first reason.

-- Whether turn p_seq gave details and nothing else: it noted them ("details noted": a number for
-- the text, a name, pickup or delivery) and heard no line. Its "not understood" says only that
-- the rest of its words ("when it's ready") were no order (eleventh round: 16 right orders held
-- at 0.90 for "can you text me at 555 201 4432 when it's ready", none wrong).
create function app.details_only(p_turns app.turns[], p_seq integer) returns boolean
language sql immutable as $$
    select exists (select 1 from unnest(p_turns) t
                    where t.seq = p_seq and app.turn_notes(t)::jsonb ? 'details noted'
                      and coalesce(json_array_length(app.turn_lines(t)), 0) = 0)
$$;

-- A note that the call did not go smoothly (a silent repair, not understood, a transfer...) (the
-- policy as first written; a turn that gave details only, since the eleventh round, no).
create function app.autoverify_rule_rough_note(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- The first note that says the call did not go smoothly. "line N repaired, left: [...]" is
    -- written for every line that broke a menu rule: with nothing left, the dialog repaired it
    -- without a word (an option dropped, a qualifier taken off); with something left, the rule
    -- was a size or a choice to ask for, which the caller then answered.
    return (
        select n.note
          from app.call_notes(o.merchant_id, o.call_id) n
         where n.note ~ '^line [0-9]+ repaired, left: \[\]$' or n.note like 'line % taken off%'
            or n.note like 'choice not answered%'
            or (n.note = 'not understood' and not app.details_only(p_turns, n.seq))
            or n.note = 'prompt said too often' or n.note like 'cart refused%'
            or n.note like 'transfer%'
         order by n.seq limit 1);
end
$$;

-- A turn that heard more lines than it used (the policy as first written; not an answer of
-- several picks, eleventh round).
create function app.autoverify_rule_heard_more_than_used(o app.orders, p_turns app.turns[],
                                                         p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A turn that heard more than it used: two sizes or choices for one line in one breath
    -- ("one chocolate and one strawberry" for two shakes), a count said after the item
    -- ("two teas, make it three") that changed nothing.
    return (
        select format('heard more than it used in "%s"', t.speech)
          from app.speech_turns(p_turns) t
         where app.turn_lines(t) is not null
           and app.turn_notes(t) is not null
           and json_array_length(app.turn_lines(t)) >
               (select count(*) filter (where d like 'added %' or d like 'removed %'
                                           or d = 'asked which item' or d = 'answered menu question')
                     + count(distinct substring(d from '^(?:changed line|answered choice for line) ([0-9]+)'))
                  from json_array_elements_text(app.turn_notes(t)) d)
           and not app.answer_of_several_picks(o, t)
         order by t.seq limit 1);
end
$$;

-- Whether a turn answered a choice with several picks, each heard in full: it answered one
-- choice (and perhaps changed that line), every line it heard was read at full confidence, and
-- the line answered took at least as many options as the turn heard lines ("greek salad and
-- lemon potatoes" for a platter's two sides, heard as two side dishes). Such a turn heard no
-- more than it used (eleventh round: 4 right orders held at 0.90, none wrong; "fries and
-- cucumber salad" read the second as the potato salad at 0.70 and is still held).
create function app.answer_of_several_picks(o app.orders, t app.turns) returns boolean
language sql immutable as $$
    select exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                    where d ~ '^answered choice for line [0-9]+$')
       and not exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d !~ '^(answered choice for line|changed line) [0-9]+$')
       and json_array_length(app.turn_lines(t))
           <= (select count(*)
                 from json_array_elements_text(app.turn_notes(t)) d,
                      jsonb_array_elements(coalesce(o.call_lines->(substring(d from '^answered choice for line ([0-9]+)$')::int)->'modifiers', '[]')) md
                where d ~ '^answered choice for line [0-9]+$')
       and not exists (select 1 from json_array_elements(app.turn_lines(t)) m
                        where (m->>'confidence')::real < 1
                           or exists (select 1 from json_array_elements(m->'modifiers') md
                                       where (md->>'confidence')::real < 1))
$$;

-- A turn that answered a choice and also added a line (second round).
create function app.autoverify_rule_answer_also_added(o app.orders, p_turns app.turns[],
                                                      p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A turn that answered a choice and added a line with no more words than the answer
    -- ("grilled pork" for the bowl's protein, and a grilled pork banh mi besides): kea used
    -- the same words twice.
    return (
        select format('"%s" answered a choice and added a line', t.speech)
          from app.speech_turns(p_turns) t
         where exists (select 1 from json_array_elements_text(app.turn_notes(t)) d where d like 'answered choice for line %')
           and (select count(*) filter (where d like 'added %' and d not like '% from the last order')
                     + count(distinct substring(d from '^(?:changed line|answered choice for line) ([0-9]+)'))
                  from json_array_elements_text(app.turn_notes(t)) d)
               > json_array_length(app.turn_lines(t))
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d like 'added %' and d not like '% from the last order')
         order by t.seq limit 1);
end
$$;

-- A change heard without a line while saying two counts or another item's name (second round).
create function app.autoverify_rule_change_without_line(o app.orders, p_turns app.turns[],
                                                        p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A turn that changed a line without hearing one, while saying two counts ("actually
    -- make it three and one spicy beef": one line changed, the split lost) or the name of
    -- an item not on the order ("actually make that the chicken parm dinner" heard as a
    -- change of the veal one).
    return (
        select format('"%s" changed a line it did not hear', t.speech)
          from app.speech_turns(p_turns) t
         where coalesce(json_array_length(app.turn_lines(t)), 0) = 0
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d where d like 'changed line %')
           and ((select count(*) from regexp_split_to_table(lower(t.speech), '[^a-z0-9]+') w
                  where app.count_word(w) is not null) >= 2
                or exists (select 1 from app.menu_item_names(p_doc) nm
                            where (' ' || regexp_replace(lower(t.speech), '[^a-z0-9]+', ' ', 'g') || ' ')
                                  like ('% ' || nm.name || ' %')
                              and not exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) x
                                               where x->>'item' = nm.item)))
         order by t.seq limit 1);
end
$$;

-- A change that left the line as kea had already said it (second round).
create function app.autoverify_rule_change_changed_nothing(o app.orders, p_turns app.turns[],
                                                           p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A change that left the line as kea had already said it ("actually make that the
    -- chicken parm dinner" - "Okay, that's one Veal Parm Dinner, penne", as said when it was
    -- added): the caller asked for something kea did not do. Read from the dialog's words
    -- (dialog/order.rs: "Okay, that's <line>. Anything else?").
    return (
        select format('"%s" changed nothing ("%s")', t.speech, substring(t.said from '^Okay, that''s (.*)\. Anything else\?$'))
          from app.speech_turns(p_turns) t
         where exists (select 1 from json_array_elements_text(app.turn_notes(t)) d where d like 'changed line %')
           and t.said ~ '^Okay, that''s .*\. Anything else\?$'
           and exists (select 1 from unnest(p_turns) e
                        where e.seq < t.seq
                          and strpos(e.said, substring(t.said from '^Okay, that''s (.*)\. Anything else\?$')) > 0)
         order by t.seq limit 1);
end
$$;

-- A line added in a turn that said to put it on one already there ("to it") (second round).
create function app.autoverify_rule_added_to_it(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A line added in a turn that said to put it on one already there ("add a festival to
    -- it": the dinner's side, taken as a line of its own).
    return (
        select format('"%s" added a line to put on another', t.speech)
          from app.speech_turns(p_turns) t
         where exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d like 'added %' and d not like '% from the last order')
           and lower(t.speech) ~ '\m(to|on|in) (it|that|them)\M'
           and lower(t.speech) !~ '\m(that''s|that is) (it|all)\M'
         order by t.seq limit 1);
end
$$;

-- An order by reference (that, those) right after a price question, of another item (third
-- round; "one with", and after an item kea does not have, eleventh round).
create function app.autoverify_rule_reference_after_question(o app.orders, p_turns app.turns[],
                                                             p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- An order by reference right after kea answered a question about an item ("how much is
    -- the har gow?" - "okay two of those and a scallion pancake"; "let me get that, with
    -- swiss"; eleventh round: "ok one with two spicy salmon" after the set's price): the turn
    -- says that / those / it / them / "one with", adds lines, and none is that item. Or right
    -- after kea said it has no such thing ("how much is the party pack of pork barbecue" -
    -- "Sorry, we don't have party pack" - "ok one of those and the party lumpia").
    return (
        select format('"%s" after a question about %s added something else', t.speech,
                      substring(q.qd from '^(?:answered question about|unknown item:) (.*)$'))
          from app.speech_turns(p_turns) t
          join unnest(p_turns) a on a.seq = t.seq - 1,
               json_array_elements_text(app.turn_notes(a)) q(qd)
         where (q.qd like 'answered question about %' or q.qd like 'unknown item: %')
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d where d like 'added %')
           and not exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                            where d = 'added ' || substring(q.qd from '^answered question about (.*)$'))
           and regexp_replace(lower(t.speech), '(that''s|that is) (it|all)', '', 'g') ~ '\m(that|those|it|them|one with)\M'
         order by t.seq limit 1);
end
$$;

-- An answer whose words also made a line of their own (third round).
create function app.autoverify_rule_answer_made_line(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- An answer whose words also made a line of their own ("yuca and maduros" for the whole
    -- chicken's two sides, and a side of maduros besides): the line added in the turn that
    -- answered a choice is named by an option the answer put on the line it answered.
    return (
        select format('"%s" answered line %s with %s and added %s', t.speech, n.ln, md->>'option', m->>'item')
          from app.speech_turns(p_turns) t,
               json_array_elements_text(app.turn_notes(t)) d,
               lateral (select substring(d from '^answered choice for line ([0-9]+)$')::int as ln) n,
               json_array_elements(app.turn_lines(t)) m,
               jsonb_array_elements(coalesce(o.call_lines->n.ln->'modifiers', '[]')) md
         where n.ln is not null and m->>'item' is not null
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) e where e = 'added ' || (m->>'item'))
           and replace(md->>'option', '_', ' ')
               ~ ('\m' || regexp_replace(lower(m->'span'->>'text'), '^(a|an|the|some) ', '') || '\M')
         order by t.seq limit 1);
end
$$;

-- "the other one" in a turn that changed or added a line (third round).
create function app.autoverify_rule_the_other_one(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "The other one" in a turn that changed or added a line ("two halo halo, one large" -
    -- "the other one regular" changed the large one; "a small latte and a large latte" - "the
    -- other one medium" added a third): kea changes the line in focus or adds one, the
    -- caller meant another line.
    return (
        select format('"%s" changed or added a line: which one?', t.speech)
          from app.speech_turns(p_turns) t
         where exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d like 'changed line %' or d like 'added %')
           and lower(t.speech) ~ '\mthe other\M'
         order by t.seq limit 1);
end
$$;

-- A turn begun as an addition ("and a ...") that changed a line without hearing an item (fifth
-- round).
create function app.autoverify_rule_change_said_as_one_more(o app.orders, p_turns app.turns[],
                                                            p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A turn that begins as an addition ("and a chili cheese dog") and changed a line without
    -- hearing an item: the caller asked for one more thing, kea put its words on the line in
    -- focus (the jumbo dog got the chili).
    return (
        select format('"%s" changed a line, said as one more', t.speech)
          from app.speech_turns(p_turns) t
         where exists (select 1 from json_array_elements_text(app.turn_notes(t)) d where d like 'changed line %')
           and not exists (select 1 from json_array_elements(app.turn_lines(t)) m
                            where m->>'item' is not null)
           and app.speech_normalised(t.speech) ~ '^and (a|an|one|another) '
         order by t.seq limit 1);
end
$$;

-- A self-correction to something kea did not know (sixth round).
create function app.autoverify_rule_corrected_to_unknown(o app.orders, p_turns app.turns[],
                                                         p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A self-correction to something kea did not know ("a tapsilog, no wait, a longsilog" -
    -- "Sorry, we don't have..."): the caller went on, the thing asked for is not on the order.
    return (
        select format('"%s" corrected to something kea did not know', t.speech)
          from app.speech_turns(p_turns) t
         where app.correction_cue(t.speech)
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d where d like 'unknown item%')
         order by t.seq limit 1);
end
$$;

-- A turn said as "with ..." that added a line (seventh round).
create function app.autoverify_rule_with_turn_added_line(o app.orders, p_turns app.turns[],
                                                         p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A turn said as more of the line before ("with like, lots of garlic", "with hot
    -- giardiniera") that added a line of its own: what the caller put on a line became another.
    return (
        select format('"%s" added a line', t.speech)
          from app.speech_turns(p_turns) t
         where app.speech_normalised(t.speech) ~ '^(and |oh |uh |um |also )*with\M'
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d like 'added %' and d not like '% from the last order')
         order by t.seq limit 1);
end
$$;

-- "The X" that added a line of an item whose name shares words with a line's already there, none
-- of them said (ninth round).
create function app.autoverify_rule_the_x_of_a_line_there(o app.orders, p_turns app.turns[],
                                                         p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- A turn said as "the X" ("the plate", "uh the large box") that added a line of an item whose
    -- name shares words with the item of a line an earlier turn added, while it says none of the
    -- words they share ("one milanesa napolitana" - "the plate": a Milanesa Plate besides the
    -- Milanesa Sandwich; "fried clams" heard as the clam roll - "the large box"): the caller
    -- said which form of the thing already there, kea added another. "and the black tea" after a
    -- milk tea says "tea", the word they share: a second drink, said as one.
    return (
        select format('"%s" added %s, said as the one of %s', t.speech, it->>'code', e.item)
          from app.speech_turns(p_turns) t, json_array_elements_text(app.turn_notes(t)) d,
               app.menu_items(p_doc) it,
               lateral (select substring(ed from '^added (.*)$') as item
                          from app.speech_turns(p_turns) et, json_array_elements_text(app.turn_notes(et)) ed
                         where et.seq < t.seq and ed like 'added %' and ed not like '% from the last order') e,
               app.menu_items(p_doc) eit
         where d like 'added %' and d not like '% from the last order'
           and it->>'code' = substring(d from '^added (.*)$')
           and app.speech_normalised(t.speech) ~ '^((and|oh|uh|um|actually) )*the '
           and eit->>'code' = e.item and e.item <> it->>'code'
           -- the two names share a word
           and exists (select 1 from regexp_split_to_table(lower(it->>'name'), '[^a-z]+') w
                        where length(w) > 2 and not app.joining_word(w)
                          and app.word_stem(w) in (select app.word_stem(x)
                                                     from regexp_split_to_table(lower(eit->>'name'), '[^a-z]+') x
                                                    where length(x) > 2))
           -- and the turn says none of the words they share
           and not exists (select 1 from regexp_split_to_table(lower(it->>'name'), '[^a-z]+') w
                            where length(w) > 2
                              and app.word_stem(w) in (select app.word_stem(x)
                                                         from regexp_split_to_table(lower(eit->>'name'), '[^a-z]+') x)
                              and app.word_stem(w) in (select app.word_stem(s)
                                                         from regexp_split_to_table(lower(t.speech), '[^a-z]+') s))
         order by t.seq limit 1);
end
$$;

-- A question asked twice (the policy as first written).
create function app.autoverify_rule_asked_twice(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- Asked in two turns: one "which one?" may be noted "asked which item" twice in its turn
    -- (tenth round: seven right orders held for it, none wrong).
    return (
        select n.note || ' (twice)'
          from app.call_notes(o.merchant_id, o.call_id) n
         where n.note like 'asked %'
         group by n.note having count(distinct n.seq) > 1 limit 1);
end
$$;

-- A turn said as "the X one" that added a line, not as the answer to "which one" (eleventh round).
create function app.autoverify_rule_the_x_one_added(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "an eel cucumber roll and a green tea" - "the bottled one": kea added a bottled water,
    -- where the caller said which green tea. A turn that is only "the X one(s)" points at a
    -- thing already said; unless kea had just asked which one (the note says "(which one)"),
    -- a new line from it is kea's guess at what was pointed at.
    return (
        select format('"%s" %s, said as the one of something already said', t.speech, d)
          from app.speech_turns(p_turns) t, json_array_elements_text(app.turn_notes(t)) d
         where d like 'added %' and d not like '% from the last order' and d not like '% (which one)'
           and app.speech_normalised(t.speech) ~ '^((and|oh|uh|um|actually|ok|okay|yeah|no) )*the( [a-z]+){1,3} ones?$'
         order by t.seq limit 1);
end
$$;

-- A line added by picks of optional groups alone, whose required choice kea then asked
-- (thirteenth round).
create function app.autoverify_rule_added_by_add_on(o app.orders, p_turns app.turns[], p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "ten wings honey butter and a boba": no word named a bubble tea; the topping `Boba` (a
    -- group nobody must pick from) is the only thing that fitted one, and kea asked its flavour.
    -- The caller named an add-on as a thing of its own (the extraction's item_implied, noted
    -- "added X" and "asked ..." in the same turn): what it was meant for is a guess.
    return (
        select format('"%s" added %s by an add-on alone, and its choice was asked', m->'span'->>'text', m->>'item')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m
         where coalesce((m->>'item_implied')::boolean, false)
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d = 'added ' || (m->>'item'))
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d like 'asked %' and d not like 'asked size%')
           and exists (select 1 from jsonb_array_elements(coalesce(o.call_lines, '[]')) l
                        where l->>'item' = m->>'item')
           and json_array_length(m->'modifiers') > 0
           and not exists (select 1 from json_array_elements(m->'modifiers') md,
                                         jsonb_array_elements(case when jsonb_typeof(p_doc->'groups') = 'array'
                                                                   then p_doc->'groups' else '[]' end) g
                            where g->>'code' = md->>'group' and coalesce((g->>'min')::int, 0) > 0)
         order by t.seq limit 1);
end
$$;

-- A correction that named a line's item and added a line of another item, the named line kept
-- (fifteenth round).
create function app.autoverify_rule_correction_kept_line(o app.orders, p_turns app.turns[],
                                                         p_doc jsonb)
returns text
language plpgsql stable as $$
begin
    -- "a steak and stilton and a lamb and mint" - "actually make the lamb a pork and apple":
    -- the pork and apple added, the lamb and mint kept. After a correction cue, a word of the
    -- name of an item a line of an earlier turn holds (and not of the new line's item's name),
    -- in a turn that added a line and changed or removed none: the caller took that line back.
    return (
        select format('"%s" named %s after a correction cue and added %s, and the line of %s stayed',
                      t.speech, ol->>'item', m->>'item', ol->>'item')
          from app.speech_turns(p_turns) t, json_array_elements(app.turn_lines(t)) m,
               jsonb_array_elements(coalesce(o.call_lines, '[]')) ol, app.menu_items(p_doc) oit,
               app.menu_items(p_doc) nit,
               lateral (select app.speech_between(app.speech_normalised(t.speech), 0,
                                                  (m->'span'->>'start')::int) as before) b
         where app.correction_cue(b.before)
           and m->>'item' is not null and nit->>'code' = m->>'item'
           and exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                        where d = 'added ' || (m->>'item'))
           and not exists (select 1 from json_array_elements_text(app.turn_notes(t)) d
                            where d like 'changed %' or d like 'removed %')
           and oit->>'code' = ol->>'item' and ol->>'item' <> m->>'item'
           and exists (select 1 from app.speech_turns(p_turns) t0, json_array_elements(app.turn_lines(t0)) m0
                        where t0.seq < t.seq and m0->>'item' = ol->>'item')
           and exists (select 1
                         from regexp_split_to_table(regexp_replace(b.before,
                                  '^.*\m(actually|i mean|wait|scratch that|instead|make (it|that)|change (it|that)|oops|rather)\M', ''), ' ') w
                        where length(w) > 2 and not app.joining_word(w)
                          and app.name_words(regexp_replace(oit->>'name', '\s*\(.*$', '')) ~ ('\m' || w || '\M')
                          and app.name_words(regexp_replace(nit->>'name', '\s*\(.*$', '')) !~ ('\m' || w || '\M'))
         order by t.seq limit 1);
end
$$;
