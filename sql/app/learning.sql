-- Phrases learnt from agents' corrections, per merchant (docs/closed-loop.md, part 1): when an
-- agent approves an order they corrected, the caller's words kea could not place are recorded as
-- candidate surface forms of what the agent put in; a candidate confirmed by enough orders (or
-- accepted by the merchant) becomes active and is merged into the aliases of the merchant's menu
-- documents (app.menu_document), which are published again at once.

-- A phrase as it is compared and stored: lower case, anything but letters and digits a space,
-- spaces folded ("Kids Sub (4\")" -> "kids sub 4"; "barq's" -> "barqs").
create function app.phrase_key(p_text text) returns text
language sql immutable as $$
    select trim(regexp_replace(regexp_replace(lower(coalesce(p_text, '')), '''', '', 'g'),
                               '[^a-z0-9]+', ' ', 'g'))
$$;

-- A phrase as words are compared across their forms: each word by PostgreSQL's English stemmer
-- ("pancakes" and "pancake" are "pancak"), a word it drops (a stop word) as it is.
create function app.phrase_stem(p_phrase text) returns text
language sql immutable as $$
    select string_agg(coalesce((ts_lexize('english_stem', w))[1], w), ' ' order by n)
      from unnest(string_to_array(p_phrase, ' ')) with ordinality x(w, n)
$$;

-- Every name and alias a menu gives anything (items, sizes, options, categories, groups),
-- as phrase keys, and the last words of each ("corn" of "Soft Corn"): what a learnt phrase may
-- never be. kea hears a name's last words as that name already, and when they end two names
-- ("Soft Corn" shell, "Roasted Corn" salsa) the question asked or the words around them choose;
-- learnt, they would choose one of them everywhere (a "corn" learnt for the salsa answered the
-- shell question with the salsa).
create function app.menu_surface_forms(p_menu_id bigint) returns setof text
language sql stable as $$
    select array_to_string(w[k:], ' ')
      from (select i.name, i.aliases from app.menu_items i where i.menu_id = p_menu_id
            union all
            select v.name, v.aliases from app.item_variations v where v.menu_id = p_menu_id
            union all
            select o.name, o.aliases from app.modifier_options o where o.menu_id = p_menu_id
            union all
            select c.name, c.aliases from app.menu_categories c where c.menu_id = p_menu_id
            union all
            select g.name, '{}'::text[] from app.modifier_groups g where g.menu_id = p_menu_id) n,
           lateral unnest(n.name || n.aliases) x,
           lateral (select string_to_array(app.phrase_key(x), ' ') w) ws,
           lateral generate_series(1, greatest(cardinality(ws.w), 1)) k
$$;

-- The merchant's active phrases a menu document takes as aliases: never one the menu itself
-- already gives anything (a menu edited after the activation wins).
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.menu_learned_aliases(p_menu_id bigint)
returns table (target_kind text, item_code text, group_code text, code text, phrase text)
language plpgsql stable as $$
#variable_conflict use_column
begin
    return query
        select p.target_kind, p.item_code, p.group_code, p.code, p.phrase
          from app.menus m
          join app.learned_phrases p on p.merchant_id = m.merchant_id and p.status = 'active'
         where m.id = p_menu_id
           and p.phrase not in (select f from app.menu_surface_forms(p_menu_id) f where f is not null);
end
$$;

-- Publishes every menu of the merchants whose active phrases changed (statement-level, below).
create function app.publish_merchant_menus(p_merchants bigint[]) returns void
language sql as $$
    select app.publish_menu(m.id) from app.menus m where m.merchant_id = any (p_merchants)
$$;

create function app.on_learned_phrases_insert_delete() returns trigger
language plpgsql as $$
begin
    perform app.publish_merchant_menus(array(select distinct merchant_id from changed
                                              where status = 'active'));
    return null;
end
$$;

create function app.on_learned_phrases_update() returns trigger
language plpgsql as $$
begin
    perform app.publish_merchant_menus(array(
        select distinct n.merchant_id
          from after_rows n join before_rows o on o.merchant_id = n.merchant_id and o.id = n.id
         where (n.status = 'active') <> (o.status = 'active')
            or (n.status = 'active' and (n.phrase, n.target_kind, n.item_code, n.group_code, n.code)
                                        is distinct from (o.phrase, o.target_kind, o.item_code,
                                                          o.group_code, o.code))));
    return null;
end
$$;

create trigger learned_phrases_publish_insert after insert on app.learned_phrases
    referencing new table as changed
    for each statement execute function app.on_learned_phrases_insert_delete();
create trigger learned_phrases_publish_delete after delete on app.learned_phrases
    referencing old table as changed
    for each statement execute function app.on_learned_phrases_insert_delete();
create trigger learned_phrases_publish_update after update on app.learned_phrases
    referencing old table as before_rows new table as after_rows
    for each statement execute function app.on_learned_phrases_update();

-- What a phrase's target is called on the merchant's active menu ("Latte", "Latte: Small",
-- "Toppings: Raw Onion"), or null when that menu has no such thing.
create function app.phrase_target_name(p app.learned_phrases) returns text
language sql stable as $$
    select case p.target_kind
        when 'item' then (select i.name from app.menu_items i
                           where i.menu_id = m.id and i.code = p.code)
        when 'variation' then (select i.name || ': ' || v.name
                                 from app.menu_items i join app.item_variations v on v.item_id = i.id
                                where i.menu_id = m.id and i.code = p.item_code and v.code = p.code)
        else (select g.name || ': ' || o.name
                from app.modifier_groups g join app.modifier_options o on o.group_id = g.id
               where g.menu_id = m.id and g.code = p.group_code and o.code = p.code)
    end
      from app.menus m where m.merchant_id = p.merchant_id and m.active
$$;

-- A one-word phrase heard in corrections to this many different things of one merchant says
-- nothing about any of them: it is a word callers say whatever they order (one no list has).
-- Two is still a word with two meanings ("orange" juice, "orange" soda: the first active wins).
create function app.noise_targets() returns integer
language sql immutable as $$ select 3 $$;

-- How many different things the merchant's corrections heard a phrase for: items and options
-- by their code, sizes by their size code alone ("tall" for the small latte and the small mocha
-- is one meaning).
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.phrase_meanings(p_merchant_id bigint, p_phrase text) returns integer
language plpgsql stable as $$
begin
    return (select count(distinct (x.target_kind, x.group_code, x.code))
              from app.learned_phrases x
             where x.merchant_id = p_merchant_id and x.phrase = p_phrase);
end
$$;

-- Why an item's phrase names nothing, or null: its words, alone or as a word of it, were said
-- beside lines of other items that kea heard right and an agent approved unedited, where they
-- named nothing (app.learn_unneeded_words). Callers say such words whatever they order
-- ("pancake" on a menu of pancakes typed in Dutch); learnt for one item they would turn every
-- other item into it, alone or within a longer phrase (kea hears a name's last words as the
-- name: "cheese pancakes" learnt for one item made every "plain pancake" two pancakes). Items
-- only: a size word idle beside a right line may be the size it had by default.
create function app.idle_word_conflict(p app.learned_phrases) returns text
language sql stable as $$
    select format('callers also say "%s" for %s, which kea heard right without it: '
                  'words said whatever is ordered',
                  string_agg(distinct u.phrase, '", "'),
                  string_agg(distinct coalesce(i.name, u.item_code), ', '))
      from app.unneeded_phrases u
      left join app.menus m on m.merchant_id = u.merchant_id and m.active
      left join app.menu_items i on i.menu_id = m.id and i.code = u.item_code
     where p.target_kind = 'item' and u.merchant_id = p.merchant_id and u.item_code <> p.code
       and (app.phrase_stem(u.phrase) = app.phrase_stem(p.phrase)
            or (u.phrase !~ ' ' and app.phrase_stem(u.phrase)
                                    = any (string_to_array(app.phrase_stem(p.phrase), ' '))))
    having count(*) > 0
$$;

-- Why a phrase may not become active now, or null: its words are already on the merchant's
-- active menu, it is one word heard for too many things (app.noise_targets), its words named
-- nothing beside other items kea heard right (app.idle_word_conflict), its words already mean
-- something else (one active target per scope: items and options share one, each item's
-- sizes are one), or kea already hears them, said alone, as something of the menu. The last is
-- what the menu's names say once kea reads them (abbreviations, stems, parts of names), which
-- the surface forms above do not hold: "blueberry" is no name of "Blueberry Muffin" nor its last
-- words, yet kea hears the muffin (tests/sql/learning.sql).
create function app.phrase_conflict(p app.learned_phrases) returns text
language sql stable as $$
    select coalesce(
        (select format('"%s" is already on the menu', p.phrase)
           from app.menus m
          where m.merchant_id = p.merchant_id and m.active
            and p.phrase in (select f from app.menu_surface_forms(m.id) f where f is not null)),
        (select format('"%s" was heard for %s different things: a word said whatever is ordered',
                       p.phrase, n)
           from app.phrase_meanings(p.merchant_id, p.phrase) n
          where p.phrase !~ ' ' and n >= app.noise_targets()),
        app.idle_word_conflict(p),
        (select format('"%s" already means %s', p.phrase,
                       coalesce(app.phrase_target_name(x), x.target_kind || ' ' || x.code))
           from app.learned_phrases x
          where x.merchant_id = p.merchant_id and x.phrase = p.phrase and x.status = 'active'
            and x.id <> p.id
            and (case when x.target_kind = 'variation' then x.item_code else '' end)
              = (case when p.target_kind = 'variation' then p.item_code else '' end)
          limit 1),
        -- The menu's id read in a query of its own: kea.extract runs where the caller is, not on
        -- a shard (docs/scaling.md).
        (select format('kea already hears "%s" on the menu, as %s', p.phrase, h.heard)
           from (select kea.extract((select m.id from app.menus m
                                      where m.merchant_id = p.merchant_id and m.active),
                                    p.phrase) e) x,
                lateral (select string_agg(
                                    coalesce(l->>'item', array_to_string(array(
                                        select jsonb_array_elements_text(l->'candidates')), ' or '))
                                    || coalesce(' ' || (select string_agg(mo->>'option', ' ')
                                                          from jsonb_array_elements(l->'modifiers') mo), ''),
                                    ', ') heard
                           from jsonb_array_elements(x.e->'lines') l) h
          where jsonb_array_length(x.e->'lines') > 0
            and jsonb_array_length(x.e->'unmatched') = 0))
$$;

-- A phrase becomes active, rejected, or a candidate again, by `p_by` (kea, merchant_user:<id>).
-- Activating a conflicting phrase raises KL409 with the reason (the merchant sees it).
create function app.decide_phrase(p_merchant_id bigint, p_phrase_id bigint, p_status text, p_by text)
returns app.learned_phrases
language plpgsql as $$
declare
    p app.learned_phrases;
    v_conflict text;
begin
    select * into p from app.learned_phrases
     where merchant_id = p_merchant_id and id = p_phrase_id for update;
    if p.id is null then
        raise exception 'no learnt phrase %', p_phrase_id using errcode = 'KL404';
    end if;
    if p_status not in ('active', 'rejected', 'candidate') then
        raise exception 'a phrase is active, rejected or candidate, not %', p_status
            using errcode = '22023';
    end if;
    if p_status = 'active' and p.status <> 'active' then
        v_conflict := app.phrase_conflict(p);
        if v_conflict is not null then
            raise exception '%', v_conflict using errcode = 'KL409',
                hint = 'reject it, or reject the phrase it conflicts with first';
        end if;
    end if;
    update app.learned_phrases
       set status = p_status, decided_by = p_by, decided_at = now()
     where merchant_id = p.merchant_id and id = p.id
    returning * into p;
    return p;
end
$$;

-- Counts one corrected order for a candidate (once per order) and activates it when the
-- merchant's number of confirmations is reached and nothing conflicts. Rejected phrases are
-- counted but stay rejected. Returns the phrase's id.
create function app.record_phrase(p_merchant_id bigint, p_order_id bigint, p_call_id bigint,
                                  p_phrase text, p_kind text, p_item_code text, p_group_code text,
                                  p_code text, p_speech text)
returns bigint
language plpgsql as $$
declare
    p app.learned_phrases;
    v_id bigint;
begin
    insert into app.learned_phrases (merchant_id, phrase, target_kind, item_code, group_code, code)
    values (p_merchant_id, p_phrase, p_kind, coalesce(p_item_code, ''), coalesce(p_group_code, ''), p_code)
    on conflict (merchant_id, phrase, target_kind, item_code, group_code, code) do nothing;
    select * into p from app.learned_phrases
     where merchant_id = p_merchant_id and phrase = p_phrase and target_kind = p_kind
       and item_code = coalesce(p_item_code, '') and group_code = coalesce(p_group_code, '')
       and code = p_code
       for update;
    insert into app.learned_phrase_sources (merchant_id, phrase_id, order_id, call_id, speech)
    values (p_merchant_id, p.id, p_order_id, p_call_id, p_speech)
    on conflict do nothing;
    if found then
        update app.learned_phrases
           set times_seen = times_seen + 1, last_seen_at = now()
         where merchant_id = p.merchant_id and id = p.id
        returning * into p;
    end if;
    -- One word now heard for too many things: what kea activated of it goes back to being a
    -- candidate (what the merchant accepted stays: theirs to reject).
    -- (The ids read first, then decided one by one: no function that writes inside a query on
    -- a distributed table, docs/scaling.md.)
    if p_phrase !~ ' ' and app.phrase_meanings(p_merchant_id, p_phrase) >= app.noise_targets() then
        for v_id in select x.id from app.learned_phrases x
                     where x.merchant_id = p_merchant_id and x.phrase = p_phrase
                       and x.status = 'active' and x.decided_by = 'kea'
        loop
            perform app.decide_phrase(p_merchant_id, v_id, 'candidate', 'kea');
        end loop;
    end if;
    perform app.activate_confirmed(p);
    return p.id;
end
$$;

-- A candidate seen in as many orders as the merchant asks becomes active (decided by kea),
-- unless it conflicts (it then stays a candidate, for the merchant to decide).
create function app.activate_confirmed(p app.learned_phrases) returns boolean
language plpgsql as $$
begin
    if p.status = 'candidate'
       and p.times_seen >= (select m.phrase_confirmations from app.merchants m where m.id = p.merchant_id)
       and app.phrase_conflict(p) is null then
        perform app.decide_phrase(p.merchant_id, p.id, 'active', 'kea');
        return true;
    end if;
    return false;
end
$$;

-- What the call heard, mention by mention: every extraction line of every caller turn, with its
-- item, words and place in the utterance.
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.call_mentions(p_merchant_id bigint, p_call_id bigint)
returns table (seq integer, n bigint, item text, span_start integer, span_end integer,
               words text, speech text)
language plpgsql stable as $$
#variable_conflict use_column
begin
    return query
        select t.seq, x.n, x.l->>'item', (x.l->'span'->>'start')::int, (x.l->'span'->>'end')::int,
               x.l->'span'->>'text', t.speech
          from app.turns t,
               json_array_elements(t.understood->'extraction'->'lines') with ordinality x(l, n)
         where t.merchant_id = p_merchant_id and t.call_id = p_call_id and t.event = 'speech'
           and json_typeof(t.understood->'extraction'->'lines') = 'array';
end
$$;

-- The words of the call kea could not place, with the mention each sits in or next to (null:
-- none), and whether their turn heard any line at all.
-- plpgsql, not sql: Citus cannot plan this query on its tables inside a sql function with
-- parameters (plpgsql gives it their values; docs/scaling.md).
create function app.call_unplaced(p_merchant_id bigint, p_call_id bigint)
returns table (seq integer, phrase text, near_item text, near_seq integer, near_n bigint,
               turn_heard_lines boolean, speech text)
language plpgsql stable as $$
#variable_conflict use_column
declare
    v_unmatched jsonb;
begin
    -- The unplaced words read first, by themselves: with app.turns in the query below, Citus
    -- would run it whole on the call's shard, where app.call_mentions cannot query the call
    -- (docs/scaling.md).
    select coalesce(jsonb_agg(jsonb_build_object('seq', t.seq, 'x', x, 'speech', t.speech)), '[]')
      into v_unmatched
      from app.turns t, json_array_elements(t.understood->'extraction'->'unmatched') x
     where t.merchant_id = p_merchant_id and t.call_id = p_call_id and t.event = 'speech'
       and json_typeof(t.understood->'extraction'->'unmatched') = 'array';
    return query
        with m as (select * from app.call_mentions(p_merchant_id, p_call_id)),
        u as (
            select (w->>'seq')::int as seq, (w->'x'->>'start')::int as s, (w->'x'->>'end')::int as e,
                   w->'x'->>'text' as words, w->>'speech' as speech
              from jsonb_array_elements(v_unmatched) w
        )
        select u.seq, app.phrase_key(u.words), near.item, near.seq, near.n,
               exists (select 1 from m where m.seq = u.seq), u.speech
          from u
          left join lateral (
              -- Inside the mention's words, or at most one short word away ("a tall latte", "a
              -- latte with moo juice"): at most 6 characters between them. Inside wins, then the
              -- mention before the words (what follows an item describes it: "a latte with oat milk
              -- and a muffin"), then the nearest.
              select m.item, m.seq, m.n from m
               where m.seq = u.seq and u.s <= m.span_end + 6 and u.e >= m.span_start - 6
               order by case when u.s < m.span_end and u.e > m.span_start then 0
                             when m.span_end <= u.s then 1 else 2 end,
                        greatest(u.s - m.span_end, m.span_start - u.e, 0), m.n
               limit 1) near on true;
end
$$;

-- A word every caller says whatever they order, so it names nothing on a menu: a stop word of
-- PostgreSQL's English text search (its stemmer drops it: "my", "own", "the", "just", "for"), a
-- count (digits, "one" to "twenty"), or one of the phone-ordering chat words below, which the
-- stop list does not have. The extraction already leaves most function words out of the words it
-- could not place (pg_kea/core/src/extract/lexicon.rs, FUNCTION_WORDS); these are the ones that
-- reached learnt phrases in the replay (tests/tests/closed_loop.rs: "for my wife a full stack",
-- "still penne", "make my own pasta", "lovely, one of those") and their kin: who the food is for,
-- and talk around the order.
create function app.chat_word(p_word text) returns boolean
language sql immutable as $$
    select p_word ~ '^[0-9]+$'
        or ts_lexize('english_stem', p_word) = '{}'
        -- Not in the list, though said around orders: words some menu uses ("baby" back ribs,
        -- "cool" ranch, "well" done, a half "order"). "still" is, "still water" notwithstanding:
        -- callers say it around orders ("still penne"), and "water" names the item without it.
        or p_word = any (array[
            -- counts said as words
            'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven',
            'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen',
            'nineteen', 'twenty', 'couple',
            -- who it is for ("for my wife", "for the kids")
            'wife', 'husband', 'kid', 'kids', 'son', 'sons', 'daughter', 'daughters', 'boyfriend',
            'girlfriend', 'friend', 'friends', 'mom', 'dad', 'mother', 'father', 'brother', 'sister',
            'guys', 'everyone', 'everybody', 'roommate', 'coworker', 'coworkers',
            -- talk around the order ("still penne", "actually", "sorry, wait")
            'still', 'actually', 'instead', 'anyway', 'sorry', 'wait', 'also', 'else', 'yep', 'yeah',
            'nope', 'um', 'uh', 'hi', 'hello', 'hey', 'please', 'thanks', 'thank', 'get', 'want',
            'like', 'need', 'guess', 'think', 'know', 'gonna', 'wanna', 'let', 'maybe', 'probably',
            'sure', 'okay', 'ok', 'alright', 'awesome', 'oh', 'usual',
            -- approval said around an order ("ah cheese on toast, lovely, one of those": "lovely"
            -- was learnt for the afternoon tea for two, and the next caller who said it got one)
            'lovely', 'great', 'perfect', 'brilliant', 'cheers', 'nice', 'wonderful', 'excellent',
            'fantastic', 'fab', 'ta'])
$$;

-- The words of an unplaced run that may name something: the run without the chat words at its
-- ends ("still oatmilk" -> "oatmilk"); null when it is nothing but chat ("wife", "my own").
create function app.naming_words(p_phrase text) returns text
language plpgsql immutable as $$
declare
    w text[] := string_to_array(app.phrase_key(p_phrase), ' ');
    lo integer := 1;
    hi integer := coalesce(array_length(w, 1), 0);
begin
    while lo <= hi and app.chat_word(w[lo]) loop
        lo := lo + 1;
    end loop;
    while hi >= lo and app.chat_word(w[hi]) loop
        hi := hi - 1;
    end loop;
    return case when lo <= hi then array_to_string(w[lo:hi], ' ') end;
end
$$;

-- Is this a phrase worth learning: one to four words, not only digits, not a name or alias
-- the menu already gives anything. (Chat words are taken off first: app.naming_words.)
create function app.learnable_phrase(p_phrase text, p_menu_id bigint) returns boolean
language sql stable as $$
    select p_phrase is not null
       and length(p_phrase) between 2 and 60
       and array_length(string_to_array(p_phrase, ' '), 1) <= 4
       and p_phrase !~ '^[0-9 ]+$'
       and p_phrase not in (select f from app.menu_surface_forms(p_menu_id) f where f is not null)
$$;

-- Learns from an order an agent corrected and approved: what the agent put in that the call did
-- not have (a size, an option, a line), against the caller's words kea could not place.
-- Returns the number of (phrase, order) pairs recorded.
create function app.learn_from_order(p_merchant_id bigint, p_order_id bigint) returns integer
language plpgsql as $$
declare
    o app.orders;
    v_menu bigint;
    v_recorded integer := 0;
    c record;
    v_phrase text;
    v_speech text;
    v_after jsonb;
begin
    select * into o from app.orders where merchant_id = p_merchant_id and id = p_order_id;
    if o.id is null or o.call_id is null or jsonb_typeof(o.call_lines) is distinct from 'array'
       or not exists (select 1 from app.order_edits e
                       where e.merchant_id = o.merchant_id and e.order_id = o.id) then
        return 0;
    end if;
    v_menu := app.order_menu(o);
    -- The approved lines read first, by themselves: with app.order_lines in the query below,
    -- Citus would run it whole on the order's shard, where app.call_unplaced and
    -- app.call_mentions cannot query the call (docs/scaling.md).
    select coalesce(jsonb_agg(jsonb_build_object('line_no', l.line_no, 'item', l.item_code,
                                                 'variation', l.variation_code,
                                                 'modifiers', l.modifiers)), '[]')
      into v_after
      from app.order_lines l where l.merchant_id = o.merchant_id and l.order_id = o.id;
    for c in
        with before as (
            select n::int as line_no, l->>'item' as item, l->>'variation' as variation,
                   coalesce(l->'modifiers', '[]') as modifiers
              from jsonb_array_elements(o.call_lines) with ordinality x(l, n)
        ), after as (
            select (l->>'line_no')::int as line_no, l->>'item' as item,
                   l->>'variation' as variation, l->'modifiers' as modifiers
              from jsonb_array_elements(v_after) l
        ), unplaced as (
            select * from app.call_unplaced(o.merchant_id, o.call_id)
        ), last_mention as (
            -- The last mention of each item the call heard: the words the line came from.
            select distinct on (item) item, seq, n from app.call_mentions(o.merchant_id, o.call_id)
             where item is not null order by item, seq desc, n desc
        ), targets as (
            -- A size the agent chose for a line the call had.
            select 'variation' as kind, a.item as item_code, null::text as group_code,
                   a.variation as code, b.item as heard_item
              from after a join before b using (line_no)
             where a.item = b.item and a.variation is not null
               and a.variation is distinct from b.variation
            union all
            -- An option the agent added to a line the call had.
            select 'option', null, md->>'group', md->>'option', b.item
              from after a join before b using (line_no),
                   jsonb_array_elements(a.modifiers) md
             where a.item = b.item and not coalesce((md->>'negated')::boolean, false)
               and not exists (select 1 from jsonb_array_elements(b.modifiers) bm
                                where bm->>'group' = md->>'group' and bm->>'option' = md->>'option')
            union all
            -- A line the agent added (or one whose item it replaced).
            select 'item', a.item, null, a.item, null
              from after a left join before b using (line_no)
             where b.line_no is null or b.item <> a.item
        ), removed as (
            select b.item from before b left join after a using (line_no)
             where a.line_no is null or a.item <> b.item
        )
        select t.kind, t.item_code, t.group_code, t.code,
               array(select distinct app.naming_words(u.phrase)
                       from unplaced u
                      where case when t.kind = 'item'
                                 -- Words kea took for the item the agent replaced, or a turn
                                 -- that heard no line at all ("and a biscuit"): never words
                                 -- said beside other lines (chat, a self-correction).
                                 then u.near_item in (select item from removed)
                                      or (u.near_item is null and not u.turn_heard_lines)
                                 else (u.near_seq, u.near_n) = (select lm.seq, lm.n from last_mention lm
                                                                 where lm.item = t.heard_item)
                            end
                        -- Never words of a turn that corrects itself ("meatloaf, no wait,
                        -- hamburger steak"): what kea could not place there is as likely the
                        -- caller's new choice, half read, as anything the agent added ("steak"
                        -- was learnt for the fried green tomatoes put on that plate, and every
                        -- steak said later became tomatoes: tests/tests/closed_loop.rs).
                        and not app.correction_cue(u.speech)
                        and app.learnable_phrase(app.naming_words(u.phrase), v_menu)) as phrases
          from targets t
    loop
        if array_length(c.phrases, 1) = 1 then
            v_phrase := c.phrases[1];
            select u.speech into v_speech from app.call_unplaced(o.merchant_id, o.call_id) u
             where app.naming_words(u.phrase) = v_phrase order by u.seq desc limit 1;
            perform app.record_phrase(o.merchant_id, o.id, o.call_id, v_phrase, c.kind,
                                      c.item_code, c.group_code, c.code, v_speech);
            v_recorded := v_recorded + 1;
        end if;
    end loop;
    return v_recorded;
end
$$;

-- Learns from an order an agent approved without an edit: kea heard every line right, so the
-- words it could not place beside a line named nothing (app.unneeded_phrases). A phrase kea
-- itself made active for another item goes back to being a candidate (one the merchant accepted
-- stays theirs to reject). Only unedited orders: beside a line an agent kept in an order they
-- corrected, the words may be the item the agent added ("a latte and a blueberry").
-- Returns the number of (phrase, line) pairs recorded.
create function app.learn_unneeded_words(p_merchant_id bigint, p_order_id bigint) returns integer
language plpgsql as $$
declare
    o app.orders;
    v_menu bigint;
    v_recorded integer := 0;
    v_id bigint;
    c record;
begin
    select * into o from app.orders where merchant_id = p_merchant_id and id = p_order_id;
    if o.id is null or o.call_id is null
       or exists (select 1 from app.order_edits e
                   where e.merchant_id = o.merchant_id and e.order_id = o.id) then
        return 0;
    end if;
    v_menu := app.order_menu(o);
    for c in
        select distinct app.naming_words(u.phrase) as phrase, u.near_item as item
          from app.call_unplaced(o.merchant_id, o.call_id) u
         where u.near_item is not null and not app.correction_cue(u.speech)
    loop
        continue when not coalesce(app.learnable_phrase(c.phrase, v_menu), false);
        insert into app.unneeded_phrases as x (merchant_id, phrase, item_code)
        values (o.merchant_id, c.phrase, c.item)
        on conflict (merchant_id, phrase, item_code)
            do update set times_seen = x.times_seen + 1, last_seen_at = now();
        v_recorded := v_recorded + 1;
        for v_id in select l.id from app.learned_phrases l
                     where l.merchant_id = o.merchant_id and l.status = 'active'
                       and l.decided_by = 'kea' and app.idle_word_conflict(l) is not null
        loop
            perform app.decide_phrase(o.merchant_id, v_id, 'candidate', 'kea');
        end loop;
    end loop;
    return v_recorded;
end
$$;

-- An agent approved an order (in_verification -> verified): learn from its corrections, or
-- from its right lines when it had none. Never in the way of the approval: a failure is a
-- warning.
create function app.learn_after_approval(p_merchant_id bigint, p_order_id bigint) returns void
language plpgsql as $$
begin
    perform app.learn_from_order(p_merchant_id, p_order_id);
    perform app.learn_unneeded_words(p_merchant_id, p_order_id);
exception when others then
    raise warning 'kea: learning from order % failed: %', p_order_id, sqlerrm;
end
$$;

-- On Citus this trigger runs on the order's shard, away from app.learned_phrases: there it
-- does nothing, and app.order_status_changed learns instead (sql/app/orders.sql).
create function app.on_order_approved_learn() returns trigger
language plpgsql as $$
begin
    if tg_table_name = 'orders' then
        perform app.learn_after_approval(new.merchant_id, new.id);
    end if;
    return null;
end
$$;
create trigger orders_learn_from_approval after update of status on app.orders
    for each row when (old.status = 'in_verification' and new.status = 'verified')
    execute function app.on_order_approved_learn();

-- A phrase with its target's name, the reason it may not become active (if any) and the calls
-- it came from (the latest ten), as the merchant page shows it.
create function app.phrase_json(p app.learned_phrases) returns jsonb
language plpgsql stable as $$
declare
    v_sources jsonb;
begin
    -- plpgsql, the sources in a statement of their own: Citus cannot plan a sql function's
    -- query on its tables with parameters (docs/scaling.md).
    v_sources := coalesce((select jsonb_agg(jsonb_build_object(
                                  'order_id', s.order_id, 'call_sid', c.call_sid, 'speech', s.speech,
                                  'at', s.at) order by s.at desc, s.order_id desc)
                             from (select * from app.learned_phrase_sources s
                                    where s.merchant_id = p.merchant_id and s.phrase_id = p.id
                                    order by s.at desc, s.order_id desc limit 10) s
                             left join app.calls c on c.merchant_id = s.merchant_id and c.id = s.call_id),
                          '[]');
    return jsonb_build_object(
        'id', p.id, 'phrase', p.phrase, 'target_kind', p.target_kind,
        'item_code', nullif(p.item_code, ''), 'group_code', nullif(p.group_code, ''), 'code', p.code,
        'target_name', app.phrase_target_name(p), 'times_seen', p.times_seen,
        'first_seen_at', p.first_seen_at, 'last_seen_at', p.last_seen_at, 'status', p.status,
        'decided_by', p.decided_by, 'decided_at', p.decided_at,
        'conflict', case when p.status <> 'active' then app.phrase_conflict(p) end,
        'sources', v_sources);
end
$$;
