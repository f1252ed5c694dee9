-- Sure orders verified without a person (docs/closed-loop.md, part 2), from SQL: calls run
-- through api.twilio_voice / api.twilio_gather (where app.auto_verify is called once the order
-- is saved). Off by default; with the policy on, a clean order goes straight to verified by
-- kea with its rule in the history, its offer withdrawn and its text enqueued as after an
-- approval; a question asked twice, an unsure line, the cap, a first-time caller each keep the
-- order for an agent; every Nth passing order is sampled for an agent; the calls that go wrong
-- where every line is sure (a word for several lines said once, a correction inside one line,
-- the same line twice, a word of the menu placed nowhere) are held, and their look-alikes that
-- went right pass. Rolled back.

insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('av-test', 'AV Cafe', 0, '+15550007777');
insert into app.phone_numbers (e164, merchant_id) select '+15550007001', id from app.merchants where slug = 'av-test';
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d where m.slug = 'av-test';
select api.import_menu(id, '{"name": "Cafe",
 "items": [
  {"code": "latte", "name": "Latte", "default_variation": "medium",
   "variations": [{"code": "small", "name": "Small", "price_cents": 350},
                  {"code": "medium", "name": "Medium", "price_cents": 400},
                  {"code": "large", "name": "Large", "price_cents": 450}]},
  {"code": "bagel", "name": "Bagel", "price_cents": 250, "groups": ["spread"]},
  {"code": "tuna_roll", "name": "Tuna Roll", "price_cents": 600, "groups": ["rice"]},
  {"code": "salmon_roll", "name": "Salmon Roll", "price_cents": 650, "groups": ["rice"]},
  {"code": "iced_tea", "name": "Thai Iced Tea", "price_cents": 400},
  {"code": "donuts", "name": "Donuts", "default_variation": "3pc",
   "variations": [{"code": "3pc", "name": "3pc", "price_cents": 300},
                  {"code": "6pc", "name": "6pc", "price_cents": 550},
                  {"code": "12pc", "name": "Dz", "price_cents": 1000}]},
  {"code": "crullers", "name": "Crullers", "default_variation": "ea",
   "variations": [{"code": "ea", "name": "ea", "price_cents": 150},
                  {"code": "box6", "name": "Box 6", "price_cents": 800},
                  {"code": "box12", "name": "Big Box 12", "price_cents": 1500}]},
  {"code": "lumpia", "name": "Lumpia",
   "variations": [{"code": "fifty", "name": "50 pc tray", "price_cents": 3000},
                  {"code": "twentyfive", "name": "25 pc tray", "price_cents": 1600}]},
  {"code": "cheese_slice", "name": "Cheese Slice", "price_cents": 300, "groups": ["topping"]},
  {"code": "house_salad", "name": "House Sal", "groups": ["dressing"], "default_variation": "sm",
   "variations": [{"code": "sm", "name": "Sm", "price_cents": 695}, {"code": "lg", "name": "Lg", "price_cents": 1095}]},
  {"code": "caesar", "name": "Caesar Sal", "default_variation": "sm",
   "variations": [{"code": "sm", "name": "Sm", "price_cents": 795}, {"code": "lg", "name": "Lg", "price_cents": 1195}]},
  {"code": "khachapuri", "name": "Khachapuri (boat)", "default_variation": "sm",
   "variations": [{"code": "sm", "name": "Sm (1 egg)", "price_cents": 1395},
                  {"code": "lg", "name": "Lg (2 egg)", "price_cents": 1795}]}],
 "groups": [{"code": "spread", "name": "Spread", "min": 1, "max": 1,
             "options": [{"code": "cream_cheese", "name": "Cream Cheese"},
                         {"code": "butter", "name": "Butter"},
                         {"code": "honey_butter", "name": "Miel y Mantequilla"}]},
            {"code": "dressing", "name": "Dressing", "min": 0, "max": 1,
             "options": [{"code": "caesar_dr", "name": "Caesar"}, {"code": "ranch", "name": "Ranch"}]},
            {"code": "rice", "name": "Rice", "min": 0, "max": 1,
             "options": [{"code": "brown_rice", "name": "Brown Rice", "price_cents": 100}]},
            {"code": "topping", "name": "Topping", "min": 0, "max": 3,
             "options": [{"code": "cheese_top", "name": "Cheese", "price_cents": 50},
                         {"code": "olives", "name": "Olives", "price_cents": 50}]}]}')
  from app.merchants where slug = 'av-test';
insert into app.task_queues (name, requires, reservation_timeout_s) values ('av-test', '{"skills": ["av-test"]}', 600);
insert into app.workflows (name) values ('av-test');
insert into app.workflow_steps (workflow_id, step, kind, queue_id, timeout_s)
select w.id, 1, 'queue', q.id, 600 from app.workflows w, app.task_queues q where w.name = 'av-test' and q.name = 'av-test';
update app.merchants set workflow_id = (select id from app.workflows where name = 'av-test') where slug = 'av-test';
select app.upsert_agent('av-agent@example.test', 'AV Agent', 'pw',
                        jsonb_build_object('merchants', array[(select id from app.merchants where slug = 'av-test')],
                                           'skills', array['av-test']), 20);
select app.set_agent_activity((select id from app.agents where email = 'av-agent@example.test'), 'available');

create function pg_temp.call(p_sid text, p_says text[], p_from text default '+15551230042',
                             p_confidence text default '0.93') returns bigint
language plpgsql as $$
begin
    perform api.twilio_voice(jsonb_build_object('To', '+15550007001', 'From', p_from, 'CallSid', p_sid,
                                                'CallStatus', 'in-progress'));
    for i in 1 .. array_length(p_says, 1) loop
        perform api.twilio_gather(jsonb_build_object('To', '+15550007001', 'CallSid', p_sid,
                                                     'SpeechResult', p_says[i], 'Confidence', p_confidence), i);
    end loop;
    return (select order_id from app.calls where call_sid = p_sid);
end
$$;

-- p_shadow: min_shadow_orders; 0 (live at once) unless a scenario earns trust.
create function pg_temp.policy(p_enabled boolean, p_min real, p_cap bigint, p_returning boolean,
                               p_sample integer, p_shadow integer default 0) returns jsonb
language plpgsql as $$
declare
    v jsonb;
begin
    perform set_config('request.jwt.claims', jsonb_build_object(
        'role', 'kea_merchant', 'merchant_id', (select id from app.merchants where slug = 'av-test'),
        'user_id', 77)::text, true);
    v := api.set_autoverify_policy(p_enabled, p_min, p_cap, p_returning, p_sample, p_shadow);
    perform set_config('request.jwt.claims', '', true);
    return v;
end
$$;

create function pg_temp.decision(p_order bigint) returns text
language sql as $$
    select verdict || ': ' || reason from app.autoverify_decisions where order_id = p_order
$$;

-- The agent finishes an order's task as the console does: accept, then approve it unchanged,
-- approve it after changing line 1's size, or reject it.
create function pg_temp.agent_finishes(p_order bigint, p_how text) returns void
language plpgsql as $$
declare
    v_task bigint := (select id from app.tasks where order_id = p_order and kind = 'verification');
begin
    perform set_config('request.jwt.claims', jsonb_build_object(
        'role', 'kea_agent', 'agent_id', (select id from app.agents where email = 'av-agent@example.test'))::text, true);
    perform api.accept_task(v_task);
    if p_how = 'edit' then
        perform api.edit_order_line(v_task, 1, null, 'small', null);
    end if;
    if p_how = 'reject' then
        perform api.reject_order(v_task, 'Prank or test call');
    else
        perform api.approve_order(v_task);
    end if;
    perform set_config('request.jwt.claims', '', true);
end
$$;

-- The merchant's view of its policy (the merchant page's), over /rpc.
create function pg_temp.trust() returns jsonb
language plpgsql as $$
declare
    v jsonb;
begin
    perform set_config('request.jwt.claims', jsonb_build_object(
        'role', 'kea_merchant', 'merchant_id', (select id from app.merchants where slug = 'av-test'))::text, true);
    v := api.autoverify_policy();
    perform set_config('request.jwt.claims', '', true);
    return v;
end
$$;

do $$
declare
    m bigint := (select id from app.merchants where slug = 'av-test');
    o bigint;
    v jsonb;
    h app.order_history;
    p app.autoverify_policies;
begin
    -- 1. Off by default: a clean order waits for an agent, and nothing is decided.
    perform set_config('request.jwt.claims', jsonb_build_object('role', 'kea_merchant', 'merchant_id', m)::text, true);
    v := api.autoverify_policy();
    perform set_config('request.jwt.claims', '', true);
    assert v @> '{"enabled": false, "max_total_cents": 10000, "returning_only": false, "sample_one_in": 10,
                  "min_shadow_orders": 600, "state": "off", "checked_unchanged": 0}', v::text;
    o := pg_temp.call('CA-av-1', array['a large latte', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'pending_verification';
    assert not exists (select 1 from app.autoverify_decisions where order_id = o);

    -- 2. On (never sampled): the same clean order is verified by kea, the rule in its history,
    -- the offer withdrawn, the task closed as auto_verified, the caller's text enqueued.
    v := pg_temp.policy(true, 0.9, 10000, false, 0);
    assert v @> '{"enabled": true, "sample_one_in": 0, "updated_by": "merchant_user:77",
                  "min_shadow_orders": 0, "state": "live"}', v::text;
    o := pg_temp.call('CA-av-2', array['a large latte', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    select * into h from app.order_history where order_id = o and to_status = 'verified';
    assert h.actor_kind = 'kea' and h.from_status = 'pending_verification'
       and h.reason like 'auto-verified: every line at least 0.90 sure (lowest 0.93), nothing repaired or asked twice, read-back confirmed, total 450 within the cap 10000',
        format('%s %s', h.actor_kind, h.reason);
    assert (select status || ' ' || outcome from app.tasks where order_id = o) = 'canceled auto_verified';
    assert (select string_agg(r.status, ',') from app.reservations r join app.tasks t on t.id = r.task_id
             where t.order_id = o) = 'canceled', 'the offer was withdrawn';
    assert app.job_for_key(m, 'sms:confirmation:' || o) is not null, 'the caller''s text is enqueued';
    assert pg_temp.decision(o) like 'verified: every line%';

    -- 3. A choice asked twice (the first answer was no answer): held for an agent.
    o := pg_temp.call('CA-av-3', array['a bagel', 'hmm', 'butter', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'pending_verification';
    assert pg_temp.decision(o) like 'held: the call did not go smoothly: choice not answered%', pg_temp.decision(o);
    -- ... asked once and answered: the line comes from an answer, which no turn heard as a bagel
    -- with butter, but the bagel itself was heard at 0.93: it passes.
    o := pg_temp.call('CA-av-4', array['a bagel', 'butter', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);

    -- 4. Heard with little confidence: held, with the line's confidence.
    o := pg_temp.call('CA-av-5', array['a large latte', 'that''s all', 'yes'], '+15551230042', '0.62');
    assert pg_temp.decision(o) = 'held: a line or an answer 0.62 sure, under 0.90', pg_temp.decision(o);

    -- 5. Over the cap.
    perform pg_temp.policy(true, 0.9, 400, false, 0);
    o := pg_temp.call('CA-av-6', array['a large latte', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: total 450 over the cap 400', pg_temp.decision(o);

    -- 6. Returning callers only: a new number is held, a number with a verified order passes.
    perform pg_temp.policy(true, 0.9, null, true, 0);
    o := pg_temp.call('CA-av-7', array['a large latte', 'that''s all', 'yes'], '+15551239999');
    assert pg_temp.decision(o) = 'held: not a returning caller', pg_temp.decision(o);
    o := pg_temp.call('CA-av-8', array['a large latte', 'that''s all', 'yes'], '+15551230042');
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);

    -- 7. One in two passing orders still goes to an agent.
    perform pg_temp.policy(true, 0.9, null, false, 2);
    update app.autoverify_policies set passed = 0 where merchant_id = m;
    o := pg_temp.call('CA-av-9', array['a small latte', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call('CA-av-10', array['a small latte', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'pending_verification';
    assert pg_temp.decision(o) like 'sampled: every line%; sampled for an agent (1 in 2)', pg_temp.decision(o);
    assert (select status from app.tasks where order_id = o) = 'reserved', 'offered to the agent as usual';

    -- 8. The analysts' week: orders, auto-verified, sampled, held, the no-human-touch share.
    select to_jsonb(w) into v from api.analytics_autoverify_weekly w where w.merchant_id = m;
    assert v @> '{"orders": 10, "evaluated": 9, "auto_verified": 4, "sampled": 1, "held": 4,
                  "no_human_touch_pct": 40.0}', v::text;

    -- 9. Sure of every line, and still wrong (docs/closed-loop.md, "Calibration"): held. Each
    -- next to a call that looks like it and went right, which passes.
    perform pg_temp.policy(true, 0.9, null, false, 0);
    -- A word for several lines said once: held whatever kea made of it (here brown rice on both
    -- rolls, right; in blind batch 2's sushi bar, on one roll of two).
    o := pg_temp.call('CA-av-11', array['a tuna roll and a salmon roll, both with brown rice', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "a tuna roll and a salmon roll, both with brown rice" said once for several lines',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-12', array['a tuna roll and a salmon roll', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A correction inside the words of one line: held whatever kea made of it (here three teas,
    -- right; in the blind thai restaurant "pork, no, chicken" kept the pork).
    o := pg_temp.call('CA-av-13', array['two thai iced teas, actually make it three', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: a correction inside one line: "two thai iced teas actually make it three"',
        pg_temp.decision(o);
    -- ... the dialog heard the change: one latte, the large one.
    o := pg_temp.call('CA-av-14', array['a small latte, no wait, a large latte', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- The same line twice.
    o := pg_temp.call('CA-av-15', array['a small latte and a small latte', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: line latte twice', pg_temp.decision(o);
    -- A word of the menu heard and placed nowhere ("tuna"); chat placed nowhere ("son") holds
    -- nothing, nor does a question that ordered nothing (eleventh round).
    o := pg_temp.call('CA-av-16', array['a large latte, and do you have tuna sashimi', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "tuna" in "a large latte, and do you have tuna sashimi" is a word of the menu that went nowhere',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-16b', array['a large latte', 'do you have tuna sashimi', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call('CA-av-17', array['a large latte for my son', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);

    -- 9b. The second round of rules (chosen on blind batches 1-5, docs/closed-loop.md,
    -- "Calibration, second round"), each next to a look-alike that went right and passes.
    -- Two lines joined by "with" or "of" alone: one thing, or one thing with another on it.
    o := pg_temp.call('CA-av-r21', array['a large latte with a thai iced tea', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "a large latte with a thai iced tea" heard as two lines',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-r22', array['a large latte and a thai iced tea', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- The words between the two lines are read in the utterance the spans count in (lower case,
    -- punctuation gone): "Hi, a large latte, with a Thai iced tea" is held too, its comma and
    -- capitals moving the raw text's offsets; "Hi, a large latte, and a Thai iced tea" passes.
    o := pg_temp.call('CA-av-r21b', array['Hi, a large latte, with a Thai iced tea.', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "a large latte with a thai iced tea" heard as two lines',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-r22b', array['Hi, a large latte, and a Thai iced tea.', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A count said for words heard as no item: here kea made two tuna rolls of "two brown rice".
    o := pg_temp.call('CA-av-r23', array['a tuna roll', 'and two brown rice', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "two brown rice" counted, heard as no item',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-r24', array['a tuna roll', 'with brown rice', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A count at the start of a line that the line did not take ("two dozen" as 24).
    o := pg_temp.call('CA-av-r25', array['two dozen thai iced teas', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "two dozen thai iced teas" taken as 24',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-r26', array['two orders of thai iced tea', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A change heard without a line, saying two counts: one line changed, the split lost.
    o := pg_temp.call('CA-av-r27', array['a large latte', 'actually make it two and one small', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "actually make it two and one small" changed a line it did not hear',
        pg_temp.decision(o);
    -- A change that left the line as kea had said it already (and one that changed it passes).
    o := pg_temp.call('CA-av-r28', array['a large latte', 'actually make it large', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "actually make it large" changed nothing ("one large Latte")',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-r29', array['a large latte', 'actually make it small', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A line added "to it": meant for the line already there.
    o := pg_temp.call('CA-av-r30', array['a bagel with butter', 'add a thai iced tea to it', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "add a thai iced tea to it" added a line to put on another',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-r31', array['a bagel with butter', 'and a thai iced tea', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- Two records this menu cannot make the engine write, written as it wrote them on blind
    -- menus, and checked as app.auto_verify checks them: an answer that also added a line
    -- ("pico" for the salsa, and nachos with pico besides), and a line with an option both
    -- taken and left off ("no cilantro please, I hate cilantro").
    perform pg_temp.policy(false, 0.9, null, false, 0);
    o := pg_temp.call('CA-av-r32', array['a bagel', 'butter', 'that''s all', 'yes']);
    select * into p from app.autoverify_policies where merchant_id = m;
    p.enabled := true;
    assert (app.autoverify_check(m, o, p)->>'pass')::boolean, app.autoverify_check(m, o, p)::text;
    update app.turns t set understood = jsonb_set(t.understood::jsonb, '{did}',
                                                  (t.understood::jsonb->'did') || '["added tuna_roll"]')::json
      from app.calls c where c.order_id = o and t.call_id = c.id and t.speech = 'butter';
    assert app.autoverify_check(m, o, p)->>'reason' = 'the call did not go smoothly: "butter" answered a choice and added a line',
        app.autoverify_check(m, o, p)::text;
    o := pg_temp.call('CA-av-r33', array['a bagel with cream cheese', 'that''s all', 'yes']);
    assert (app.autoverify_check(m, o, p)->>'pass')::boolean, app.autoverify_check(m, o, p)::text;
    update app.orders set call_lines = jsonb_set(call_lines, '{0,modifiers}', (call_lines #> '{0,modifiers}')
               || jsonb_set(call_lines #> '{0,modifiers,0}', '{negated}', 'true'))
     where id = o;
    assert app.autoverify_check(m, o, p)->>'reason' = 'the call did not go smoothly: bagel with and without cream_cheese',
        app.autoverify_check(m, o, p)::text;

    -- 10. A policy the database refuses.
    begin
        perform pg_temp.policy(true, 1.5, null, false, 0);
        assert false, 'a confidence over 1 is refused';
    exception when sqlstate '22023' then
        null;
    end;
end
$$;

-- Earned trust (docs/closed-loop.md): with min_shadow_orders = 3 the policy starts in shadow
-- (passing orders go to the agent, kea's verdict kept), goes live after three would-pass orders
-- approved unchanged in a row, and falls back to shadow at the first one an agent edits (a
-- sampled one in live, or one in shadow) or rejects, with the order and why kept; changing what
-- passes starts the count again; the setting is validated.
do $$
declare
    m bigint := (select id from app.merchants where slug = 'av-test');
    o bigint;
    v jsonb;
    d app.autoverify_decisions;
    h app.order_history;
    e text;
begin
    -- 11. Shadow: an order that passes still goes to the agent, with "would pass" kept.
    v := pg_temp.policy(true, 0.9, null, false, 0, 3);
    assert v @> '{"state": "shadow", "checked_unchanged": 0, "min_shadow_orders": 3}', v::text;
    o := pg_temp.call('CA-av-20', array['a large latte', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'pending_verification', pg_temp.decision(o);
    assert pg_temp.decision(o) like 'shadow: every line at least 0.90 sure%; shadow: would pass, checked by an agent (0 of 3 unchanged in a row)',
        pg_temp.decision(o);
    assert (select status from app.tasks where order_id = o) = 'reserved', 'offered to the agent as usual';
    perform pg_temp.agent_finishes(o, 'approve');
    select * into d from app.autoverify_decisions where order_id = o;
    assert d.checked = 'unchanged' and d.check_note = 'approved unchanged: 1 of 3 in a row', to_jsonb(d)::text;
    assert pg_temp.trust() @> '{"state": "shadow", "checked_unchanged": 1}', pg_temp.trust()::text;
    -- An order that would be held is held as before, and finishing it is no evidence.
    o := pg_temp.call('CA-av-21', array['a large latte', 'that''s all', 'yes'], '+15551230042', '0.62');
    assert pg_temp.decision(o) = 'held: a line or an answer 0.62 sure, under 0.90', pg_temp.decision(o);
    perform pg_temp.agent_finishes(o, 'edit');
    assert pg_temp.trust() @> '{"state": "shadow", "checked_unchanged": 1}', pg_temp.trust()::text;

    -- 12. An edit during shadow: the count goes back to zero, the order and why kept.
    o := pg_temp.call('CA-av-22', array['a large latte', 'that''s all', 'yes']);
    assert pg_temp.decision(o) like 'shadow: %(1 of 3 unchanged in a row)', pg_temp.decision(o);
    perform pg_temp.agent_finishes(o, 'edit');
    v := pg_temp.trust();
    assert v @> jsonb_build_object('state', 'shadow', 'checked_unchanged', 0, 'trust_lost_order_id', o,
        'trust_lost_reason', format('trust lost: an agent edited order %s that kea would have verified (shadow) (1 edit); 1 unchanged in a row before it, back to shadow', o)),
        v::text;
    assert v->>'trust_lost_at' is not null, v::text;
    assert (select checked from app.autoverify_decisions where order_id = o) = 'edited';

    -- 13. Three would-pass orders approved unchanged in a row: live, and the next passing order
    -- is verified by kea.
    for i in 1 .. 3 loop
        assert pg_temp.trust() @> '{"state": "shadow"}', format('live after %s: %s', i - 1, pg_temp.trust());
        o := pg_temp.call('CA-av-23-' || i, array['a large latte', 'that''s all', 'yes']);
        assert (select status from app.orders where id = o) = 'pending_verification', pg_temp.decision(o);
        perform pg_temp.agent_finishes(o, 'approve');
    end loop;
    assert (select check_note from app.autoverify_decisions where order_id = o) = 'approved unchanged: 3 of 3 in a row, live from now';
    assert pg_temp.trust() @> '{"state": "live", "checked_unchanged": 3}', pg_temp.trust()::text;
    o := pg_temp.call('CA-av-24', array['a large latte', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    select * into h from app.order_history where order_id = o and to_status = 'verified';
    assert h.actor_kind = 'kea' and h.reason like 'auto-verified: every line%', to_jsonb(h)::text;

    -- 14. Live, sampling goes on (here every passing order: the count is kept when only the
    -- sampling changes); an edit to a sampled order loses trust: back to shadow, and the next
    -- passing order goes to the agent.
    v := pg_temp.policy(true, 0.9, null, false, 1, 3);
    assert v @> '{"state": "live", "checked_unchanged": 3}', v::text;
    o := pg_temp.call('CA-av-25', array['a large latte', 'that''s all', 'yes']);
    assert pg_temp.decision(o) like 'sampled: %', pg_temp.decision(o);
    perform pg_temp.agent_finishes(o, 'edit');
    v := pg_temp.trust();
    assert v @> jsonb_build_object('state', 'shadow', 'checked_unchanged', 0, 'trust_lost_order_id', o,
        'trust_lost_reason', format('trust lost: an agent edited order %s that kea verified (sampled for an agent) (1 edit); 3 unchanged in a row before it, back to shadow', o)),
        v::text;
    o := pg_temp.call('CA-av-26', array['a large latte', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'pending_verification', pg_temp.decision(o);
    assert pg_temp.decision(o) like 'shadow: %(0 of 3 unchanged in a row)', pg_temp.decision(o);
    -- A would-pass order an agent rejects loses trust too.
    perform pg_temp.agent_finishes(o, 'approve');
    o := pg_temp.call('CA-av-27', array['a large latte', 'that''s all', 'yes']);
    perform pg_temp.agent_finishes(o, 'reject');
    assert pg_temp.trust() @> jsonb_build_object('checked_unchanged', 0, 'trust_lost_order_id', o), pg_temp.trust()::text;
    assert pg_temp.trust()->>'trust_lost_reason' like format('trust lost: an agent rejected order %s that kea would have verified (shadow); 1 unchanged%%', o),
        pg_temp.trust()::text;

    -- 15. Analysts see the same (as kea_analyst): the state per merchant, the shadow orders of
    -- the week.
    perform set_config('role', 'kea_analyst', true);
    select to_jsonb(t) into v from api.analytics_autoverify_trust t where t.merchant_id = m;
    perform set_config('role', 'none', true);
    assert v @> jsonb_build_object('state', 'shadow', 'checked_unchanged', 0, 'min_shadow_orders', 3,
                                   'trust_lost_order_id', o), v::text;
    select to_jsonb(w) into v from api.analytics_autoverify_weekly w where w.merchant_id = m;
    assert v @> '{"shadow": 7, "shadow_checked": 7, "shadow_unchanged": 5}', v::text;

    -- 16. Changing what passes starts the count again; N moves the state either way at once.
    o := pg_temp.call('CA-av-28', array['a large latte', 'that''s all', 'yes']);
    perform pg_temp.agent_finishes(o, 'approve');
    assert pg_temp.trust() @> '{"checked_unchanged": 1}', pg_temp.trust()::text;
    assert pg_temp.policy(true, 0.85, null, false, 1, 3) @> '{"state": "shadow", "checked_unchanged": 0}';
    assert pg_temp.policy(true, 0.85, null, false, 1, 0) @> '{"state": "live", "checked_unchanged": 0}';
    assert pg_temp.policy(true, 0.85, null, false, 1, 1) @> '{"state": "shadow", "min_shadow_orders": 1}';
    assert pg_temp.policy(false, 0.85, null, false, 1, 1) @> '{"state": "off"}';

    -- 17. The setting validated, with a clear error; left out or null: unchanged.
    foreach e in array array['-1', '100001'] loop
        begin
            perform pg_temp.policy(true, 0.9, null, false, 10, e::int);
            assert false, 'min_shadow_orders ' || e || ' was taken';
        exception when sqlstate '22023' then
            assert sqlerrm = format('min_shadow_orders is between 0 (live at once) and 100000, not %s', e), sqlerrm;
        end;
    end loop;
    perform set_config('request.jwt.claims', jsonb_build_object('role', 'kea_merchant', 'merchant_id', m)::text, true);
    v := api.set_autoverify_policy(true, 0.9, null, false, 10);
    assert v @> '{"min_shadow_orders": 1}', v::text;
    v := api.set_autoverify_policy(true, 0.9, null, false, 10, null);
    assert v @> '{"min_shadow_orders": 1}', v::text;
    perform set_config('request.jwt.claims', '', true);
end
$$;

-- The third round of rules (chosen on blind batches 1-8, docs/closed-loop.md, "Calibration,
-- third round"), each next to a look-alike that went right and passes. Last: the orders held
-- here stay offered to the agent, whose capacity the blocks above need.
do $$
declare
    m bigint := (select id from app.merchants where slug = 'av-test');
    o bigint;
    v jsonb;
    p app.autoverify_policies;
begin
    perform pg_temp.policy(true, 0.9, null, false, 0);
    -- A measure said and placed nowhere.
    o := pg_temp.call('CA-av-t1', array['a quart of thai iced tea', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "quart" in "a quart of thai iced tea" is a measure that went nowhere',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-t2', array['a thai iced tea', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- An order by reference after a price question that added something else (here two teas,
    -- the tuna roll lost).
    o := pg_temp.call('CA-av-t3', array['how much is the tuna roll', 'okay, two of those and a thai iced tea', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "okay, two of those and a thai iced tea" after a question about tuna_roll added something else',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-t4', array['how much is the tuna roll', 'okay, just a thai iced tea', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- Options said right after a new line put on another line (the brown rice on the tuna roll,
    -- said after the latte).
    o := pg_temp.call('CA-av-t5', array['a tuna roll', 'and a latte, brown rice', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "brown rice" said after latte went to another line',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-t6', array['a bagel with butter', 'and a tuna roll, brown rice', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A count taken as the quantity while it names a size ("six crullers" as six singles, with a
    -- "Box 6" kea does not read as a count; "Box (6)" it reads since extraction round 27). Where
    -- kea reads the pack ("6pc"), it takes "six donuts" as that pack itself (pg_kea/core, round
    -- 15), and the order passes.
    o := pg_temp.call('CA-av-t7', array['six crullers', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "six crullers" taken as 6, and crullers has a size Box 6',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-t7b', array['six donuts', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call('CA-av-t8', array['two donuts', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "The other one" in a turn that added or changed a line (here a third latte).
    o := pg_temp.call('CA-av-t9', array['a small latte and a large latte', 'the other one medium', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "the other one medium" changed or added a line: which one?',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-t10', array['a small latte and a large latte', 'and one medium', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- An answer whose words also made a line, a record this menu cannot make the engine write,
    -- written as it wrote it on a blind menu ("yuca and maduros": the chicken's sides, and a
    -- side of maduros besides): "butter" for the bagel's spread, and a line named "butter".
    -- The look-alike: the same answer and a line named by its own words.
    perform pg_temp.policy(false, 0.9, null, false, 0);
    select * into p from app.autoverify_policies where merchant_id = m;
    p.enabled := true;
    foreach v in array array['"butter"', '"tuna roll"']::jsonb[] loop
        o := pg_temp.call('CA-av-t11-' || (v #>> '{}'), array['a bagel', 'butter', 'that''s all', 'yes']);
        assert (app.autoverify_check(m, o, p)->>'pass')::boolean, app.autoverify_check(m, o, p)::text;
        update app.turns t
           set understood = jsonb_set(jsonb_set(t.understood::jsonb, '{did}',
                                                (t.understood::jsonb->'did') || '["added tuna_roll"]'),
                                      '{extraction,lines}',
                                      (t.understood::jsonb #> '{extraction,lines}')
                                      || jsonb_build_array(jsonb_build_object(
                                             'item', 'tuna_roll', 'confidence', 1.0, 'quantity', 1, 'modifiers', '[]'::jsonb,
                                             'span', jsonb_build_object('start', 0, 'end', 6, 'text', v))))::json
          from app.calls c where c.order_id = o and t.call_id = c.id and t.speech = 'butter';
        if v = '"butter"' then
            assert app.autoverify_check(m, o, p)->>'reason' = 'the call did not go smoothly: "butter" answered line 0 with butter and added tuna_roll',
                app.autoverify_check(m, o, p)::text;
        else
            assert (app.autoverify_check(m, o, p)->>'pass')::boolean, app.autoverify_check(m, o, p)::text;
        end if;
    end loop;
end
$$;

-- The fourth round (chosen on blind batches 1-9, docs/closed-loop.md, "Calibration, fourth
-- round"), each next to a look-alike that went right and passes. Last, for the same reason as
-- the third round's block.
do $$
declare
    o bigint;
begin
    perform pg_temp.policy(true, 0.9, null, false, 0);
    -- "any" is a word for several lines said once, as "all" is (the brown rice taken for the
    -- salmon roll only).
    o := pg_temp.call('CA-av-f1', array['a tuna roll and a salmon roll, brown rice on any', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "a tuna roll and a salmon roll, brown rice on any" said once for several lines',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-f2', array['a tuna roll and a salmon roll with brown rice', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A word of the menu said outside every line and not among the unplaced words: extraction
    -- skipped "tuna" and heard a bagel with butter.
    o := pg_temp.call('CA-av-f3', array['ok just the tuna bagel then, with butter', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "tuna" in "ok just the tuna bagel then, with butter" is a word of the menu said outside every line',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-f4', array['ok just the bagel then, with butter', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- Words taken back after a correction cue are not held by it ("tuna roll" before "no wait").
    o := pg_temp.call('CA-av-f5', array['a tuna roll, no wait, a bagel with butter', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- Nor is the name of the item of a line the turn heard, said outside its words ("latte"
    -- before the split "one small and one large").
    o := pg_temp.call('CA-av-f6', array['two latte, one small and one large', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A word of a line's words that names another item and nothing of the line's own ("salmon"
    -- on a bagel's line).
    o := pg_temp.call('CA-av-f7', array['a salmon bagel with butter', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "salmon" in "a salmon bagel with butter" names another item than bagel',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-f8', array['a plain bagel with butter', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
end
$$;

-- The fifth round (chosen on blind batches 1-10, docs/closed-loop.md, "Calibration, fifth
-- round"), each next to a look-alike that went right and passes. Last, for the same reason as
-- the third round's block. At 0.80: the tray's size is heard at 0.85.
do $$
declare
    o bigint;
begin
    perform pg_temp.policy(true, 0.8, null, false, 0);
    -- A count said once and taken as both the quantity and the size: fifty trays of 50.
    o := pg_temp.call('CA-av-v1', array['the fifty piece lumpia tray', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "fifty piece lumpia tray" taken as 50 of 50 pc tray',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-v2', array['a 50 piece lumpia tray', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A turn said as one more ("and a ...") that changed the line in focus instead.
    o := pg_temp.call('CA-av-v3', array['a tuna roll', 'and a brown rice', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "and a brown rice" changed a line, said as one more',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-v4', array['a tuna roll', 'with brown rice', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- An option heard only in the words of its own item's name, said once: cheese slices with
    -- cheese on them.
    o := pg_temp.call('CA-av-v5', array['two slices of cheese', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "two slices of cheese": cheese_top heard in the name of cheese_slice',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-v6', array['two cheese slices with olives', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A quantity word right before words no line took (at any confidence: the unplaced word
    -- makes the line 0.70 sure).
    perform pg_temp.policy(true, 0.5, null, false, 0);
    o := pg_temp.call('CA-av-v7', array['a bagel double toasted with butter', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "double toasted" in "a bagel double toasted with butter": what it is of went nowhere',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-v8', array['a bagel with double butter', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    perform pg_temp.policy(false, 0.9, null, false, 0);
end
$$;

-- The sixth round (chosen on blind batches 1-13, docs/closed-loop.md, "Calibration, sixth
-- round"), each next to a look-alike that went right and passes. Last, for the same reason as
-- the third round's block. At 0.50 but the option's confidence (the rule is the threshold).
do $$
declare
    o bigint;
begin
    perform pg_temp.policy(true, 0.5, null, false, 0);
    -- A size said in a question about the item, the line left at its default size.
    o := pg_temp.call('CA-av-w1', array['how much is the large khachapuri', 'ok one of those', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "large" said in "how much is the large khachapuri", and khachapuri is at its default size',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-w2', array['how much is the large khachapuri', 'ok a large khachapuri', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- An option of two words said as one, another option of its group taken (its last word).
    o := pg_temp.call('CA-av-w3', array['a bagel with honey and butter', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "honey and butter" is the option honey_butter, heard as butter',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-w4', array['a bagel with butter', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A quantity that names a pack of the item, the line at the single size: twelve singles, not
    -- the "Big Box 12" (read by kea as no count); the box asked for by its name passes.
    o := pg_temp.call('CA-av-w5', array['a dozen crullers', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: 12 crullers at ea, and crullers has a size Big Box 12',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-w6', array['the big box of crullers', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A self-correction to something kea did not know; an unknown thing asked for alone is not.
    o := pg_temp.call('CA-av-w7', array['can I get a tapsilog, no wait, a longsilog', 'a latte', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "can I get a tapsilog, no wait, a longsilog" corrected to something kea did not know',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-w8', array['can I get a tapsilog', 'a latte', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A line whose words say the whole name of another item ("Caesar Sal"), heard as the house
    -- salad with caesar dressing; the house salad asked for by its name passes.
    o := pg_temp.call('CA-av-w11', array['a caesar salad small', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "a caesar salad small" says caesar, heard as house_salad',
        pg_temp.decision(o);
    o := pg_temp.call('CA-av-w12', array['a house salad small with caesar', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- An option as sure as when it was last heard: "brwn" (0.64, a fuzzy repair) for brown rice
    -- on the first tuna roll, the second heard at 1.0 (the line's confidence comes from the last
    -- line of its item). At 0.90. ("brown", a piece of no other name, is sure since the ninth
    -- round.)
    perform pg_temp.policy(true, 0.9, null, false, 0);
    o := pg_temp.call('CA-av-w9', array['a tuna roll with brwn and a tuna roll', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: a line or an answer 0.64 sure, under 0.90', pg_temp.decision(o);
    o := pg_temp.call('CA-av-w10', array['a tuna roll with brown rice and a tuna roll', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    perform pg_temp.policy(false, 0.9, null, false, 0);
end
$$;

-- The seventh round (chosen on blind batches 1-15, docs/closed-loop.md, "Calibration, seventh
-- round"), each next to a look-alike that went right and passes, on a menu of their own (the
-- eighth round's below use it too): an item
-- named by a count, an item named by a piece of another's ("a black" for the black coffee), a
-- group whose options come with the item and may be left off, an option named as an item of
-- another category. At 0.50: the rules, not the threshold.
insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('av-test-7', 'AV Grill', 0, '+15550007778');
insert into app.phone_numbers (e164, merchant_id) select '+15550007002', id from app.merchants where slug = 'av-test-7';
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d where m.slug = 'av-test-7';
select api.import_menu(id, '{"name": "Grill",
 "items": [
  {"code": "combo2", "name": "2-Meat Combo", "price_cents": 1200},
  {"code": "kabob", "name": "Kabob", "price_cents": 1500, "groups": ["kabob_std"]},
  {"code": "lemonade", "name": "Lemonade", "default_variation": "sm",
   "variations": [{"code": "sm", "name": "Small", "price_cents": 250}, {"code": "lg", "name": "Large", "price_cents": 300}]},
  {"code": "den", "name": "Ca Phe Den (black)", "price_cents": 500},
  {"code": "sua", "name": "Ca Phe Sua (milk coffee)", "price_cents": 550},
  {"code": "langos", "name": "Langos", "price_cents": 900, "groups": ["langos_top"]},
  {"code": "garlic_bread", "name": "Garlic Bread", "price_cents": 500},
  {"code": "fish_roll", "name": "Fish Roll (whole fillet)", "price_cents": 1100},
  {"code": "fillet_plate", "name": "Whole Fillet Plate", "price_cents": 1400},
  {"code": "queso", "name": "Pupusa de Queso", "category": "pupusas", "price_cents": 300},
  {"code": "chicharron", "name": "Chicharron c/ Queso", "category": "pupusas", "price_cents": 350},
  {"code": "yuca", "name": "Yuca Frita", "category": "sides", "price_cents": 650, "groups": ["yuca_meat"]}],
 "categories": [{"code": "pupusas", "name": "Pupusas"}, {"code": "sides", "name": "Sides"}],
 "groups": [{"code": "kabob_std", "name": "Comes With", "min": 0, "max": 0, "qualified": true, "negatable": true,
             "options": [{"code": "onion", "name": "Raw Onion", "default": true},
                         {"code": "butter", "name": "Butter Pat", "default": true},
                         {"code": "tomato", "name": "Grilled Tomato", "default": true}]},
            {"code": "yuca_meat", "name": "Yuca With", "min": 1, "max": 1,
             "options": [{"code": "chicharron", "name": "Chicharron", "default": true},
                         {"code": "pescaditas", "name": "Pescaditas"}]},
            {"code": "langos_top", "name": "Topping", "min": 0, "max": 2,
             "options": [{"code": "sour_cream", "name": "Sour Cream"}, {"code": "cheese", "name": "Cheese"}]}]}')
  from app.merchants where slug = 'av-test-7';
update app.merchants set workflow_id = (select id from app.workflows where name = 'av-test') where slug = 'av-test-7';
update app.autoverify_policies set enabled = true, min_confidence = 0.5, max_total_cents = null, returning_only = false,
                                   sample_one_in = 0, min_shadow_orders = 0
 where merchant_id = (select id from app.merchants where slug = 'av-test-7');

create function pg_temp.call7(p_sid text, p_says text[]) returns bigint
language plpgsql as $$
begin
    perform api.twilio_voice(jsonb_build_object('To', '+15550007002', 'From', '+15551230077', 'CallSid', p_sid,
                                                'CallStatus', 'in-progress'));
    for i in 1 .. array_length(p_says, 1) loop
        perform api.twilio_gather(jsonb_build_object('To', '+15550007002', 'CallSid', p_sid,
                                                     'SpeechResult', p_says[i], 'Confidence', '0.93'), i);
    end loop;
    return (select order_id from app.calls where call_sid = p_sid);
end
$$;

do $$
declare
    o bigint;
    p app.autoverify_policies;
begin
    -- An item whose name begins with a count, said by its name and taken as that many; two of
    -- them, said with their count, pass. Since round 19 of the extraction the engine reads "the
    -- two meat combo" as the name (one combo), so that call passes; the turn as earlier engines
    -- wrote it (two combos) is held, checked as app.auto_verify checks it.
    update app.autoverify_policies set enabled = false
     where merchant_id = (select id from app.merchants where slug = 'av-test-7');
    o := pg_temp.call7('CA-av-x1', array['the two meat combo', 'that''s all', 'yes']);
    update app.autoverify_policies set enabled = true
     where merchant_id = (select id from app.merchants where slug = 'av-test-7');
    select ap.* into p from app.autoverify_policies ap join app.orders od on od.merchant_id = ap.merchant_id
     where od.id = o;
    assert (app.autoverify_check(p.merchant_id, o, p)->>'pass')::boolean, app.autoverify_check(p.merchant_id, o, p)::text;
    update app.turns t set understood = jsonb_set(t.understood::jsonb, '{extraction,lines,0,quantity}', '2')::json
      from app.calls c where c.order_id = o and t.call_id = c.id and t.speech = 'the two meat combo';
    assert app.autoverify_check(p.merchant_id, o, p)->>'reason'
           = 'the call did not go smoothly: "two meat combo" names 2-Meat Combo, taken as 2 of it',
        app.autoverify_check(p.merchant_id, o, p)::text;
    o := pg_temp.call7('CA-av-x2', array['two 2 meat combos', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- Words after "with" placed nowhere; an option said after "with" passes.
    o := pg_temp.call7('CA-av-x3', array['a lemonade with fresh mint', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "with fresh mint" in "a lemonade with fresh mint" went nowhere',
        pg_temp.decision(o);
    o := pg_temp.call7('CA-av-x4', array['a langos with sour cream', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A turn said as more of the line before ("with garlic") that added a line (the garlic
    -- bread); one that put an option on the line passes.
    o := pg_temp.call7('CA-av-x5', array['a langos', 'with garlic', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "with garlic" added a line', pg_temp.decision(o);
    o := pg_temp.call7('CA-av-x6', array['a langos', 'with cheese', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- One thing named, heard as two lines with no word between them; two said apart pass.
    o := pg_temp.call7('CA-av-x7', array['a black coffee', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "a black" and "coffee" heard as two lines',
        pg_temp.decision(o);
    o := pg_temp.call7('CA-av-x8', array['a black and a milk coffee', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "Both" said of the lines already there, in a turn that added one more of them.
    o := pg_temp.call7('CA-av-x9', array['two lemonades', 'oh the lemonades both large', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "oh the lemonades both large" said of lines already there, and added lemonade',
        pg_temp.decision(o);
    o := pg_temp.call7('CA-av-x10', array['two large lemonades', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "no X" of an option that comes with the item, the line keeping it ("butter" heard as no
    -- option); the option said by its name is left off and passes.
    o := pg_temp.call7('CA-av-x11', array['a kabob no butter extra grilled tomato', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "no butter" in "a kabob no butter extra grilled tomato", and kabob keeps it',
        pg_temp.decision(o);
    o := pg_temp.call7('CA-av-x12', array['a kabob no onions no butter pat, extra grilled tomato', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "The X one" with X placed nowhere; "the large one" said of a size passes.
    o := pg_temp.call7('CA-av-x13', array['a lemonade, the pink one', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "the pink one" in "a lemonade, the pink one" went nowhere',
        pg_temp.decision(o);
    o := pg_temp.call7('CA-av-x14', array['a lemonade, the large one', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- Right after a question about one pupusa, a word naming another pupusa heard as the
    -- yuca's option (a line of another category); the yuca said by its name passes.
    o := pg_temp.call7('CA-av-x15', array['how much is the pupusa de queso', 'ok then two chicharron', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "ok then two chicharron" after a question about queso: "chicharron" names chicharron, heard as yuca',
        pg_temp.decision(o);
    o := pg_temp.call7('CA-av-x16', array['how much is the pupusa de queso', 'ok then two yuca fritas', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
end
$$;

-- The eighth round (docs/closed-loop.md, "Calibration, eighth round"), at 0.90: a line heard by a
-- piece of its name (0.85) that names nothing else counts as heard in full and passes; a piece
-- that a category of other items holds too ("pupusa"), or an option's piece that another option
-- and an item hold ("cheese" for cream cheese), keeps its 0.85 and is held. A line heard by the
-- words in brackets of its item's name that name another item is held; the item said by its name
-- with those words passes.
update app.autoverify_policies set min_confidence = 0.9
 where merchant_id = (select id from app.merchants where slug = 'av-test-7');
do $$
declare
    o bigint;
begin
    o := pg_temp.call7('CA-av-y1', array['a sua', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call7('CA-av-y2', array['a pupusa', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: a line or an answer 0.85 sure, under 0.90', pg_temp.decision(o);
    o := pg_temp.call7('CA-av-y5', array['the whole fillet', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "whole fillet" heard as fish_roll by the words in brackets of its name, which fillet_plate is named by',
        pg_temp.decision(o);
    o := pg_temp.call7('CA-av-y6', array['the fish roll with the whole fillet', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    perform pg_temp.policy(true, 0.9, null, false, 0);
    o := pg_temp.call('CA-av-y3', array['a tea', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call('CA-av-y4', array['a bagel with cheese', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: a line or an answer 0.85 sure, under 0.90', pg_temp.decision(o);
    perform pg_temp.policy(false, 0.9, null, false, 0);
end
$$;

-- The ninth round (docs/closed-loop.md, "Calibration, ninth round"), on the seventh round's menu.
-- At 0.90: a line heard by a clip or a piece without its name's head word (0.80) whose every word
-- is in no other name counts as heard in full and passes ("a fish" for the `Fish Roll (whole
-- fillet)`); since the thirteenth round so does one whose words are in no other name together
-- ("a fish fillet", where `Whole Fillet Plate` holds "fillet"; the tenth round's "two chicken
-- kottu", "kottu" being in every kottu's name, keeps its 0.80 and is held). At 0.50 (the rule, not the threshold): "the X" that added a line of
-- an item whose name shares words with a line's already there, none of them said ("a fish roll" -
-- "the plate"), is held; the plate asked for by the words they share passes.
update app.autoverify_policies set min_confidence = 0.9
 where merchant_id = (select id from app.merchants where slug = 'av-test-7');
do $$
declare
    o bigint;
begin
    o := pg_temp.call7('CA-av-z1', array['a fish', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call7('CA-av-z2', array['a fish fillet', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    update app.autoverify_policies set min_confidence = 0.5
     where merchant_id = (select id from app.merchants where slug = 'av-test-7');
    o := pg_temp.call7('CA-av-z3', array['a fish roll', 'the plate', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "the plate" added fillet_plate, said as the one of fish_roll',
        pg_temp.decision(o);
    o := pg_temp.call7('CA-av-z4', array['a fish roll', 'the whole fillet plate', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
end
$$;

-- The tenth round (docs/closed-loop.md, "Calibration, tenth round"), on a menu of its own: dishes
-- named alike (two pies, two tamales, two kottu), a salsa whose word is in a dish's name.
insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('av-test-10', 'AV Kitchen', 0, '+15550007779');
insert into app.phone_numbers (e164, merchant_id) select '+15550007003', id from app.merchants where slug = 'av-test-10';
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d where m.slug = 'av-test-10';
select api.import_menu(id, '{"name": "Kitchen",
 "items": [
  {"code": "cheese_pie", "name": "Cheese Pie", "price_cents": 1500, "groups": ["pie_top"]},
  {"code": "white_pie", "name": "White Pie", "price_cents": 1700},
  {"code": "verde", "name": "Chicken Tamal (green salsa)", "price_cents": 400, "groups": ["salsa_cup"]},
  {"code": "mole", "name": "Mole Tamal", "price_cents": 400, "groups": ["salsa_cup"]},
  {"code": "kottu", "name": "Kottu Roti", "price_cents": 1200, "groups": ["protein"]},
  {"code": "cheese_kottu", "name": "Chz Kottu (mozz & cheddar)", "price_cents": 1400, "groups": ["protein"]},
  {"code": "soup", "name": "Soup of the Day", "price_cents": 600, "groups": ["soup_size"]}],
 "groups": [{"code": "pie_top", "name": "Toppings", "min": 0, "max": 3,
             "options": [{"code": "pepperoni", "name": "Pepperoni", "price_cents": 200},
                         {"code": "mushroom", "name": "Mushrooms", "price_cents": 200},
                         {"code": "white_sauce", "name": "White Sauce"},
                         {"code": "chicken_top", "name": "Chicken", "price_cents": 300}]},
            {"code": "salsa_cup", "name": "Salsa Cup", "min": 0, "max": 2,
             "options": [{"code": "green_salsa", "name": "Green Salsa"}, {"code": "red_salsa", "name": "Red Salsa"}]},
            {"code": "protein", "name": "Protein", "min": 0, "max": 1,
             "options": [{"code": "chicken", "name": "Chicken"}, {"code": "beef", "name": "Beef"}]},
            {"code": "soup_size", "name": "Size", "min": 1, "max": 1,
             "options": [{"code": "cup", "name": "Cup"}, {"code": "bowl", "name": "Bowl"}]}]}')
  from app.merchants where slug = 'av-test-10';
update app.merchants set workflow_id = (select id from app.workflows where name = 'av-test') where slug = 'av-test-10';
update app.autoverify_policies set enabled = true, min_confidence = 0.9, max_total_cents = null, returning_only = false,
                                   sample_one_in = 0, min_shadow_orders = 0
 where merchant_id = (select id from app.merchants where slug = 'av-test-10');

create function pg_temp.call10(p_sid text, p_says text[]) returns bigint
language plpgsql as $$
begin
    perform api.twilio_voice(jsonb_build_object('To', '+15550007003', 'From', '+15551230010', 'CallSid', p_sid,
                                                'CallStatus', 'in-progress'));
    for i in 1 .. array_length(p_says, 1) loop
        perform api.twilio_gather(jsonb_build_object('To', '+15550007003', 'CallSid', p_sid,
                                                     'SpeechResult', p_says[i], 'Confidence', '0.93'), i);
    end loop;
    return (select order_id from app.calls where call_sid = p_sid);
end
$$;

do $$
declare
    o bigint;
    p app.autoverify_policies;
begin
    -- At 0.90. A piece of a name other dishes hold too (0.85: "pie"), with a topping the line
    -- took that no dish is named by, counts as the full name; a topping that is a word of another
    -- dish's name ("chicken") keeps its 0.85.
    o := pg_temp.call10('CA-av-u1', array['a pepperoni pie', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call10('CA-av-u2', array['a chicken pie', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: a line or an answer 0.85 sure, under 0.90', pg_temp.decision(o);
    -- One turn that heard an item twice: each line as sure as the less sure reading ("chicken
    -- kottu", 0.80, taken as the cheese kottu the second line named in full); each named in full
    -- passes.
    o := pg_temp.call10('CA-av-u3', array['two chicken kottu, one cheese kottu with beef', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: a line or an answer 0.80 sure, under 0.90', pg_temp.decision(o);
    o := pg_temp.call10('CA-av-u4', array['two kottu roti with chicken, one cheese kottu with beef', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "Which one?" noted twice in its one turn is not a question asked twice; noted in two turns
    -- (a record this menu cannot make the engine write, checked as app.auto_verify checks it),
    -- it is.
    o := pg_temp.call10('CA-av-u5', array['a tamal', 'the mole one', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    update app.autoverify_policies set enabled = false
     where merchant_id = (select id from app.merchants where slug = 'av-test-10');
    o := pg_temp.call10('CA-av-u6', array['a tamal', 'the mole one', 'that''s all', 'yes']);
    update app.autoverify_policies set enabled = true
     where merchant_id = (select id from app.merchants where slug = 'av-test-10');
    select ap.* into p from app.autoverify_policies ap join app.orders od on od.merchant_id = ap.merchant_id
     where od.id = o;
    update app.turns t set understood = jsonb_set(t.understood::jsonb, '{did}',
                                                  (t.understood::jsonb->'did') || '["asked which item"]')::json
      from app.calls c where c.order_id = o and t.call_id = c.id and t.speech = 'the mole one';
    assert app.autoverify_check(p.merchant_id, o, p)->>'reason'
           = 'the call did not go smoothly: asked which item (twice)', app.autoverify_check(p.merchant_id, o, p)::text;
    -- At 0.50 (the rule, not the threshold): unasked, "the green one" of the tamal named "(green
    -- salsa)" put a cup of green salsa on it; the salsa asked for with "with" passes.
    update app.autoverify_policies set min_confidence = 0.5
     where merchant_id = (select id from app.merchants where slug = 'av-test-10');
    o := pg_temp.call10('CA-av-u7', array['a chicken tamal', 'the green one', 'that''s all', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "the green one" changed line 0 with green_salsa, in words of the name of verde',
        pg_temp.decision(o);
    o := pg_temp.call10('CA-av-u8', array['a chicken tamal', 'with green salsa', 'that''s all', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
end
$$;

-- The eleventh round (docs/closed-loop.md, "Calibration, eleventh round"), on a menu of its own:
-- a steak with a side named like another (`Baked Potato`, `Loaded Baked`), a platter of two sides
-- named as dishes, a tea with toppings and ice, a set of two onigiri, rolls with a protein.
insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('av-test-11', 'AV Grill', 0, '+15550007780');
insert into app.phone_numbers (e164, merchant_id) select '+15550007004', id from app.merchants where slug = 'av-test-11';
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d where m.slug = 'av-test-11';
select api.import_menu(id, '{"name": "Grill",
 "items": [
  {"code": "ribeye", "name": "Ribeye", "price_cents": 3000, "groups": ["steak_side"]},
  {"code": "baked_potato", "name": "Baked Potato (1 lb Idaho)", "price_cents": 700},
  {"code": "platter", "name": "Mixed Platter", "price_cents": 2000, "groups": ["sides_two"]},
  {"code": "greek_salad", "name": "Greek Salad", "price_cents": 900},
  {"code": "lemon_potatoes", "name": "Lemon Potatoes", "price_cents": 500},
  {"code": "milk_tea", "name": "Milk Tea", "price_cents": 500, "groups": ["tea_add", "ice"]},
  {"code": "set", "name": "Onigiri Set", "price_cents": 1200, "groups": ["set_onigiri"]},
  {"code": "spicy_salmon", "name": "Spicy Salmon", "price_cents": 400},
  {"code": "pork_rice", "name": "Grilled Pork Rice", "price_cents": 1300, "groups": ["rice"]},
  {"code": "fresh_rolls", "name": "Fresh Rolls", "price_cents": 800, "groups": ["roll_protein"]},
  {"code": "hot_green_tea", "name": "Hot Green Tea", "price_cents": 250},
  {"code": "water", "name": "Bottled Water", "price_cents": 200},
  {"code": "plain_dosa", "name": "Plain Dosa", "price_cents": 1000},
  {"code": "lemon_rice", "name": "Lemon Rice", "price_cents": 900}],
 "groups": [{"code": "steak_side", "name": "Side", "min": 1, "max": 1,
             "options": [{"code": "baked", "name": "Baked Potato"}, {"code": "loaded", "name": "Loaded Baked (+2.00)", "price_cents": 200},
                         {"code": "fries", "name": "Fries"}]},
            {"code": "sides_two", "name": "Sides (pick 2)", "min": 2, "max": 2,
             "options": [{"code": "greek_salad", "name": "Greek Salad"}, {"code": "lemon_pot", "name": "Lemon Potatoes"},
                         {"code": "rice_pilaf", "name": "Rice Pilaf"}]},
            {"code": "tea_add", "name": "Add", "min": 0, "max": 1,
             "options": [{"code": "pudding", "name": "Pudding"}, {"code": "grass_jelly", "name": "Grass Jelly"}]},
            {"code": "ice", "name": "Ice", "min": 0, "max": 1,
             "options": [{"code": "no_ice", "name": "No Ice"}, {"code": "less_ice", "name": "Less Ice"}]},
            {"code": "set_onigiri", "name": "Onigiri (pick 2)", "min": 2, "max": 2,
             "options": [{"code": "salmon", "name": "Salmon"}, {"code": "spicy_salmon", "name": "Spicy Salmon"},
                         {"code": "tuna", "name": "Tuna Mayo"}]},
            {"code": "rice", "name": "Rice", "min": 0, "max": 1,
             "options": [{"code": "broken", "name": "Broken Rice"}, {"code": "jasmine", "name": "Jasmine Rice"}]},
            {"code": "roll_protein", "name": "Protein", "min": 0, "max": 1,
             "options": [{"code": "pork", "name": "Pork"}, {"code": "shrimp", "name": "Shrimp"}]}]}')
  from app.merchants where slug = 'av-test-11';
update app.merchants set workflow_id = (select id from app.workflows where name = 'av-test') where slug = 'av-test-11';
update app.autoverify_policies set enabled = true, min_confidence = 0.9, max_total_cents = null, returning_only = false,
                                   sample_one_in = 0, min_shadow_orders = 0
 where merchant_id = (select id from app.merchants where slug = 'av-test-11');

create function pg_temp.call11(p_sid text, p_says text[]) returns bigint
language plpgsql as $$
begin
    perform api.twilio_voice(jsonb_build_object('To', '+15550007004', 'From', '+15551230011', 'CallSid', p_sid,
                                                'CallStatus', 'in-progress'));
    for i in 1 .. array_length(p_says, 1) loop
        perform api.twilio_gather(jsonb_build_object('To', '+15550007004', 'CallSid', p_sid,
                                                     'SpeechResult', p_says[i], 'Confidence', '0.93'), i);
    end loop;
    return (select order_id from app.calls where call_sid = p_sid);
end
$$;

do $$
declare
    o bigint;
    p app.autoverify_policies;
begin
    -- At 0.90. A turn that gave a number for the text and nothing else ("details noted", "not
    -- understood") holds nothing; a turn not understood at all still holds the order.
    o := pg_temp.call11('CA-av-k1', array['a plain dosa', 'text me at 555 201 4432 when it''s ready', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call11('CA-av-k2', array['a plain dosa', 'blah blah when it''s ready', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: not understood', pg_temp.decision(o);
    -- An answer of two picks heard as two dishes, each in full, for a platter that took both:
    -- heard no more than it used.
    o := pg_temp.call11('CA-av-k3', array['a mixed platter', 'greek salad and lemon potatoes', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "both" when kea changed one of two lines of the item; said of one line of two, it passes.
    o := pg_temp.call11('CA-av-k4', array['two milk teas', 'one with pudding, one with grass jelly', 'both no ice', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "both no ice" said for several lines, and changed line 0 alone of the lines of milk_tea',
        pg_temp.decision(o);
    o := pg_temp.call11('CA-av-k5', array['two milk teas', 'both no ice', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "one with ..." right after a price question, adding another item; without it, it passes.
    o := pg_temp.call11('CA-av-k6', array['how much is the onigiri set', 'ok one with two spicy salmon', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "ok one with two spicy salmon" after a question about set added something else',
        pg_temp.decision(o);
    o := pg_temp.call11('CA-av-k7', array['how much is the onigiri set', 'ok two spicy salmon', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A line heard in words said "on the" something; the rice said with "with" passes.
    o := pg_temp.call11('CA-av-k8', array['one grilled pork rice, broken rice on the pork', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "pork" said on something ("on the ..."), heard as a line of fresh_rolls',
        pg_temp.decision(o);
    o := pg_temp.call11('CA-av-k9', array['one grilled pork rice with broken rice', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "the X one" that added a line unasked; as the answer to "which one?", it passes.
    o := pg_temp.call11('CA-av-k10', array['a plain dosa and a green tea', 'the bottled one', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "the bottled one" added water, said as the one of something already said',
        pg_temp.decision(o);
    o := pg_temp.call11('CA-av-k11', array['a plain dosa and a tea', 'the hot one', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- Words of the menu after a correction cue that made no line and changed nothing; the
    -- correction kea heard passes.
    o := pg_temp.call11('CA-av-k12', array['a plain dosa and a milk tea, no actually make that a lemon rice', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "a plain dosa and a milk tea, no actually make that a lemon rice": "lemon" said after a correction, and nothing heard there',
        pg_temp.decision(o);
    o := pg_temp.call11('CA-av-k13', array['a plain dosa, actually make that a lemon rice', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- An answer that says another option of the group in full ("loaded baked potato", the side
    -- taken `Baked Potato`): a record this menu cannot make the engine write (it asks again),
    -- checked as app.auto_verify checks it, on the record of an answer it took.
    update app.autoverify_policies set enabled = false
     where merchant_id = (select id from app.merchants where slug = 'av-test-11');
    o := pg_temp.call11('CA-av-k14', array['a ribeye', 'fries', 'that''s it', 'yes']);
    update app.autoverify_policies set enabled = true
     where merchant_id = (select id from app.merchants where slug = 'av-test-11');
    select ap.* into p from app.autoverify_policies ap join app.orders od on od.merchant_id = ap.merchant_id
     where od.id = o;
    assert app.autoverify_check(p.merchant_id, o, p)->>'pass' = 'true', app.autoverify_check(p.merchant_id, o, p)::text;
    -- As the bench's record has it: the answer read as the dish `Baked Potato (1 lb Idaho)` at
    -- 0.70, used as the answer, the side taken the one named by the words it shares.
    update app.turns t set speech = 'loaded baked potato',
                           understood = jsonb_set(t.understood::jsonb, '{extraction,lines}',
                                                  '[{"confidence": 0.7, "item": "baked_potato", "modifiers": [], "quantity": 1,
                                                     "span": {"start": 0, "end": 19, "text": "loaded baked potato"}, "variation": null}]')::json
      from app.calls c where c.order_id = o and t.call_id = c.id and t.speech = 'fries';
    update app.orders set call_lines = replace(call_lines::text, '"fries"', '"baked"')::jsonb where id = o;
    assert app.autoverify_check(p.merchant_id, o, p)->>'reason'
           = 'the call did not go smoothly: "loaded baked potato" answered a choice and says the option loaded, and baked was taken',
           app.autoverify_check(p.merchant_id, o, p)::text;
end
$$;

-- The twelfth round (docs/closed-loop.md, "Calibration, twelfth round"), on a menu of its own: a
-- plate whose meat is picked from a group that shares its options with a paid add, a breakfast,
-- a bottled water, a pastry sold by the half dozen.
insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('av-test-12', 'AV Baleadas', 0, '+15550007781');
insert into app.phone_numbers (e164, merchant_id) select '+15550007005', id from app.merchants where slug = 'av-test-12';
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d where m.slug = 'av-test-12';
select api.import_menu(id, '{"name": "Baleadas",
 "items": [
  {"code": "especial", "name": "Especial (eggs + 1 meat)", "price_cents": 650, "groups": ["meat", "add"]},
  {"code": "breakfast", "name": "Breakfast Plate", "price_cents": 1100},
  {"code": "water", "name": "Bottled Water", "price_cents": 200},
  {"code": "humita", "name": "Humita", "default_variation": "ea",
   "variations": [{"code": "ea", "name": "Ea", "price_cents": 425},
                  {"code": "half_dz", "name": "1/2 Dz (6)", "price_cents": 2400}]}],
 "groups": [{"code": "meat", "name": "Meat (pick 1)", "min": 1, "max": 1,
             "options": [{"code": "carne", "name": "Carne Asada"}, {"code": "pollo", "name": "Pollo"}]},
            {"code": "add", "name": "Add", "min": 0, "max": 0,
             "options": [{"code": "carne", "name": "+ Carne Asada (+2.50)", "price_cents": 250},
                         {"code": "aguacate", "name": "+ Aguacate (+1.50)", "price_cents": 150}]}]}')
  from app.merchants where slug = 'av-test-12';
update app.merchants set workflow_id = (select id from app.workflows where name = 'av-test') where slug = 'av-test-12';
update app.autoverify_policies set enabled = true, min_confidence = 0.9, max_total_cents = null, returning_only = false,
                                   sample_one_in = 0, min_shadow_orders = 0
 where merchant_id = (select id from app.merchants where slug = 'av-test-12');

create function pg_temp.call12(p_sid text, p_says text[]) returns bigint
language plpgsql as $$
begin
    perform api.twilio_voice(jsonb_build_object('To', '+15550007005', 'From', '+15551230012', 'CallSid', p_sid,
                                                'CallStatus', 'in-progress'));
    for i in 1 .. array_length(p_says, 1) loop
        perform api.twilio_gather(jsonb_build_object('To', '+15550007005', 'CallSid', p_sid,
                                                     'SpeechResult', p_says[i], 'Confidence', '0.93'), i);
    end loop;
    return (select order_id from app.calls where call_sid = p_sid);
end
$$;

do $$
declare
    o bigint;
    p app.autoverify_policies;
begin
    -- At 0.90. One more thing asked for after an article, placed nowhere, in a turn that ordered:
    -- held; said again in a later turn that added it, the order passes.
    o := pg_temp.call12('CA-av-l1', array['a breakfast plate, and a coffee', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "coffee" in "a breakfast plate, and a coffee": one more thing asked for, and it went nowhere',
        pg_temp.decision(o);
    o := pg_temp.call12('CA-av-l2', array['a breakfast plate and a coffee', 'a bottled water', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A count taken as the size whose name says it ("six humita" as one `1/2 Dz (6)`) passes;
    -- "two orders of" taken as one is still held.
    o := pg_temp.call12('CA-av-l5', array['six humita', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call12('CA-av-l6', array['two orders of humita', 'that''s it', 'yes']);
    assert pg_temp.decision(o) like 'held: %', pg_temp.decision(o);
    -- The meat answered with a name the paid add shares, taken as both (the bench's record, which
    -- this menu cannot make the engine write: it takes the meat alone), checked as
    -- app.auto_verify checks it; the paid add of another name passes.
    update app.autoverify_policies set enabled = false
     where merchant_id = (select id from app.merchants where slug = 'av-test-12');
    o := pg_temp.call12('CA-av-l3', array['one especial', 'carne asada', 'that''s it', 'yes']);
    update app.autoverify_policies set enabled = true
     where merchant_id = (select id from app.merchants where slug = 'av-test-12');
    select ap.* into p from app.autoverify_policies ap join app.orders od on od.merchant_id = ap.merchant_id
     where od.id = o;
    update app.orders set call_lines = jsonb_set(call_lines, '{0,modifiers}', call_lines->0->'modifiers'
               || '[{"name": "+ Aguacate (+1.50)", "group": "add", "option": "aguacate", "negated": false, "price_cents": 150}]')
     where id = o;
    assert app.autoverify_check(p.merchant_id, o, p)->>'pass' = 'true', app.autoverify_check(p.merchant_id, o, p)::text;
    update app.orders set call_lines = jsonb_set(call_lines, '{0,modifiers,1}',
               '{"name": "+ Carne Asada (+2.50)", "group": "add", "option": "carne", "negated": false, "price_cents": 250}')
     where id = o;
    assert app.autoverify_check(p.merchant_id, o, p)->>'reason'
           = 'the call did not go smoothly: line 0 took "carne asada" twice, in add and in meat',
           app.autoverify_check(p.merchant_id, o, p)::text;
end
$$;

-- The thirteenth round (docs/closed-loop.md, "Calibration, thirteenth round"), on a menu of its
-- own: a cup whose flavour is named like a cookie of another category, a fountain drink whose
-- flavour is named like a bottle of the same category, sandwiches named by pieces, a bubble tea
-- with a topping, a salad with a dressing.
insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('av-test-13', 'AV Cookies', 0, '+15550007782');
insert into app.phone_numbers (e164, merchant_id) select '+15550007006', id from app.merchants where slug = 'av-test-13';
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d where m.slug = 'av-test-13';
select api.import_menu(id, '{"name": "Cookies",
 "categories": [{"code": "cookies", "name": "Cookies"}, {"code": "bars", "name": "Bars"},
                {"code": "drinks", "name": "Drinks"}, {"code": "sandwiches", "name": "Sandwiches"}],
 "items": [
  {"code": "pb_choc", "name": "PB Choc Chip", "category": "cookies", "price_cents": 325},
  {"code": "dough_cup", "name": "Edible Dough Cup", "category": "bars", "price_cents": 595, "groups": ["dough_flavor"]},
  {"code": "fountain", "name": "Fountain Drink", "category": "drinks", "price_cents": 250, "groups": ["fountain_flavor"]},
  {"code": "mex_coke", "name": "Mexican Coke", "category": "drinks", "price_cents": 350},
  {"code": "pastrami", "name": "Hot Pastrami Sand", "category": "sandwiches", "price_cents": 1295},
  {"code": "hot_dog", "name": "Hot Dog", "category": "sandwiches", "price_cents": 495},
  {"code": "pastrami_plate", "name": "Pastrami Plate", "category": "sandwiches", "price_cents": 1495},
  {"code": "bubble_tea", "name": "Bubble Tea", "category": "drinks", "price_cents": 550, "groups": ["tea_flavor", "tea_top"]},
  {"code": "garden_salad", "name": "Garden Salad", "category": "sandwiches", "price_cents": 795, "groups": ["dressing"]}],
 "groups": [{"code": "dough_flavor", "name": "Dough Flavor", "min": 1, "max": 1,
             "options": [{"code": "choc_chip", "name": "Choc Chip"}, {"code": "brownie", "name": "Brownie Batter"}]},
            {"code": "fountain_flavor", "name": "Flavor", "min": 1, "max": 1,
             "options": [{"code": "coke", "name": "Coke"}, {"code": "sprite", "name": "Sprite"}]},
            {"code": "tea_flavor", "name": "Tea Flavor", "min": 1, "max": 1,
             "options": [{"code": "taro", "name": "Taro"}, {"code": "thai", "name": "Thai"}]},
            {"code": "tea_top", "name": "Toppings", "min": 0, "max": 2,
             "options": [{"code": "boba", "name": "Boba", "price_cents": 75}, {"code": "jelly", "name": "Lychee Jelly", "price_cents": 75}]},
            {"code": "dressing", "name": "Dressing", "min": 1, "max": 1,
             "options": [{"code": "balsamic", "name": "Balsamic Vinaigrette"}, {"code": "ranch", "name": "Ranch"}]}]}')
  from app.merchants where slug = 'av-test-13';
update app.merchants set workflow_id = (select id from app.workflows where name = 'av-test') where slug = 'av-test-13';
update app.autoverify_policies set enabled = true, min_confidence = 0.9, max_total_cents = null, returning_only = false,
                                   sample_one_in = 0, min_shadow_orders = 0
 where merchant_id = (select id from app.merchants where slug = 'av-test-13');

create function pg_temp.call13(p_sid text, p_says text[]) returns bigint
language plpgsql as $$
begin
    perform api.twilio_voice(jsonb_build_object('To', '+15550007006', 'From', '+15551230013', 'CallSid', p_sid,
                                                'CallStatus', 'in-progress'));
    for i in 1 .. array_length(p_says, 1) loop
        perform api.twilio_gather(jsonb_build_object('To', '+15550007006', 'CallSid', p_sid,
                                                     'SpeechResult', p_says[i], 'Confidence', '0.93'), i);
    end loop;
    return (select order_id from app.calls where call_sid = p_sid);
end
$$;

do $$
declare
    o bigint;
begin
    -- At 0.90. A line added by its pick alone ("two chocolate chip": the dough cup's flavour),
    -- the pick's name inside the name of an item of another category (the cookie `PB Choc Chip`):
    -- held. The same inside the name of an item of the line's own category ("a coke" for the
    -- fountain drink, `Mexican Coke` a drink too), or inside no other name, passes.
    o := pg_temp.call13('CA-av-m1', array['two chocolate chip', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "two chocolate chip" added dough_cup by its pick choc_chip alone, a name inside that of pb_choc, of another category',
        pg_temp.decision(o);
    o := pg_temp.call13('CA-av-m2', array['a coke', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    o := pg_temp.call13('CA-av-m3', array['a brownie batter', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A clip of a name (0.80: "a hot pastrami" for `Hot Pastrami Sand`) whose words are each in
    -- another name (`Hot Dog`, `Pastrami Plate`) but together in none counts as heard in full and
    -- passes (the ninth round's look-alike "a fish fillet" too, above).
    o := pg_temp.call13('CA-av-m4', array['a hot pastrami', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A line added by a topping alone ("a boba": no word named the bubble tea), whose flavour kea
    -- then asked: held. The tea named, with the topping, passes.
    o := pg_temp.call13('CA-av-m5', array['a boba', 'taro', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "a boba" added bubble_tea by an add-on alone, and its choice was asked',
        pg_temp.decision(o);
    o := pg_temp.call13('CA-av-m6', array['a bubble tea with boba', 'taro', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- An answer heard by a clip of its option's name (0.80: "balsamic" for `Balsamic
    -- Vinaigrette`), the option named by no dish, counts as heard in full and passes.
    o := pg_temp.call13('CA-av-m7', array['a garden salad', 'balsamic', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
end
$$;

-- The fourteenth round (docs/closed-loop.md, "Calibration, fourteenth round"), on a menu of its
-- own: a sandwich on a biscuit pick with a plain biscuit of its own, a tagine with a harissa
-- pick, two items kea asks "which one" between, one of them with sizes.
insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('av-test-14', 'AV Biscuits', 0, '+15550007783');
insert into app.phone_numbers (e164, merchant_id) select '+15550007007', id from app.merchants where slug = 'av-test-14';
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d where m.slug = 'av-test-14';
select api.import_menu(id, '{"name": "Biscuits",
 "categories": [{"code": "sammies", "name": "Sammies"}, {"code": "plates", "name": "Plates"},
                {"code": "sides", "name": "Sides"}],
 "items": [
  {"code": "egg_cheese", "name": "Egg & Cheese", "category": "sammies", "price_cents": 595, "groups": ["biscuit_type"]},
  {"code": "biscuit", "name": "Biscuit (plain)", "category": "sides", "price_cents": 250},
  {"code": "fruit", "name": "Fruit Cup", "category": "sides", "price_cents": 395},
  {"code": "tagine", "name": "Lamb Tagine", "category": "plates", "price_cents": 2195, "groups": ["harissa"]},
  {"code": "shrimp_grits", "name": "Shrimp & Grits (bowl)", "category": "plates", "price_cents": 1495},
  {"code": "grits", "name": "Cheese Grits", "category": "sides", "default_variation": "cup",
   "variations": [{"code": "cup", "name": "Cup", "price_cents": 350}, {"code": "bowl", "name": "Bowl", "price_cents": 550}]}],
 "groups": [{"code": "biscuit_type", "name": "Biscuit", "min": 0, "max": 1,
             "options": [{"code": "buttermilk", "name": "Buttermilk", "default": true}, {"code": "gf", "name": "GF Biscuit", "price_cents": 200}]},
            {"code": "harissa", "name": "Harissa", "min": 0, "max": 1,
             "options": [{"code": "none", "name": "No Harissa", "default": true}, {"code": "mild", "name": "Mild"},
                         {"code": "hot", "name": "Hot (harr!)"}]}]}')
  from app.merchants where slug = 'av-test-14';
update app.merchants set workflow_id = (select id from app.workflows where name = 'av-test') where slug = 'av-test-14';
update app.autoverify_policies set enabled = true, min_confidence = 0.9, max_total_cents = null, returning_only = false,
                                   sample_one_in = 0, min_shadow_orders = 0
 where merchant_id = (select id from app.merchants where slug = 'av-test-14');

create function pg_temp.call14(p_sid text, p_says text[]) returns bigint
language plpgsql as $$
begin
    perform api.twilio_voice(jsonb_build_object('To', '+15550007007', 'From', '+15551230014', 'CallSid', p_sid,
                                                'CallStatus', 'in-progress'));
    for i in 1 .. array_length(p_says, 1) loop
        perform api.twilio_gather(jsonb_build_object('To', '+15550007007', 'CallSid', p_sid,
                                                     'SpeechResult', p_says[i], 'Confidence', '0.93'), i);
    end loop;
    return (select order_id from app.calls where call_sid = p_sid);
end
$$;

do $$
declare
    o bigint;
begin
    -- At 0.90. A line heard after "on (the)" and words kea placed nowhere ("on the gluten free
    -- biscuit": a plain biscuit of its own, "gluten free" went nowhere): held. The sandwich and a
    -- biscuit said as two things passes.
    o := pg_temp.call14('CA-av-n1', array['an egg and cheese on the gluten free biscuit', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "biscuit" said on something ("on the gluten free ..."), words placed nowhere between, heard as a line of biscuit',
        pg_temp.decision(o);
    o := pg_temp.call14('CA-av-n2', array['an egg and cheese and a biscuit', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A word of heat placed nowhere in a turn that took no option ("ok one of those, spicy"
    -- after a price question: no word of this menu): held. "hot", the pick's own word, passes.
    o := pg_temp.call14('CA-av-n3', array['how much is the lamb tagine', 'ok one of those, spicy', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "spicy" in "ok one of those, spicy" says how hot, and went nowhere',
        pg_temp.decision(o);
    o := pg_temp.call14('CA-av-n4', array['how much is the lamb tagine', 'ok one of those, hot', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- An answer to "which one" that names a size of the other item offered ("some grits" -
    -- "bowl", taken as `Shrimp & Grits (bowl)` by its gloss, where `Cheese Grits` comes in a
    -- bowl): held. The answer by the other item's name passes.
    o := pg_temp.call14('CA-av-n5', array['some grits', 'bowl', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "bowl" answered which one as shrimp_grits, and is a size of grits',
        pg_temp.decision(o);
    o := pg_temp.call14('CA-av-n6', array['some grits', 'the shrimp and grits', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
end
$$;

-- The fifteenth round (docs/closed-loop.md, "Calibration, fifteenth round"), on a menu of its
-- own: a pasty also a pick of a box of minis, an empanada with a salsa pick beside a jar of that
-- salsa, a stew with a size for two, a pasty with a large size, pancakes of bacon and of bacon
-- and cheese by their own words. The minis' flavours are optional here: since the extraction's
-- round 26, one flavour of a box that must take one is heard as the pasty of that name, and the
-- line this rule holds no longer comes from that menu (docs/extraction.md, "Twenty-sixth round").
insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
values ('av-test-15', 'AV Pasties', 0, '+15550007784');
insert into app.phone_numbers (e164, merchant_id) select '+15550007008', id from app.merchants where slug = 'av-test-15';
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d where m.slug = 'av-test-15';
select api.import_menu(id, '{"name": "Pasties",
 "categories": [{"code": "pasties", "name": "Pasties"}, {"code": "sides", "name": "Sides"},
                {"code": "stews", "name": "Stews"}, {"code": "pancakes", "name": "Pannenkoeken"}],
 "items": [
  {"code": "traditional", "name": "Traditional Cornish (beef)", "category": "pasties", "default_variation": "reg",
   "groups": ["trad_w"],
   "variations": [{"code": "reg", "name": "Reg", "price_cents": 895}, {"code": "lg", "name": "Lg (the Oggy)", "price_cents": 1295}]},
  {"code": "minis", "name": "Mini Pasties (6)", "category": "pasties", "price_cents": 1195, "groups": ["mini_pick"]},
  {"code": "lamb_mint", "name": "Lamb & Mint", "category": "pasties", "price_cents": 1050},
  {"code": "pork_apple", "name": "Pork & Apple", "category": "pasties", "price_cents": 950},
  {"code": "steak_stilton", "name": "Steak & Stilton", "category": "pasties", "price_cents": 1050},
  {"code": "empanada", "name": "Empanada de Pollo", "category": "pasties", "price_cents": 450, "groups": ["salsa_side"]},
  {"code": "salsa_jar", "name": "Salsa Roja (8oz)", "category": "sides", "price_cents": 500},
  {"code": "chips", "name": "Chips", "category": "sides", "price_cents": 395},
  {"code": "stew", "name": "Beef Stew", "category": "stews", "default_variation": "personal", "groups": ["stew_w"],
   "variations": [{"code": "personal", "name": "Personal", "price_cents": 1695}, {"code": "para_dos", "name": "Para 2", "price_cents": 2795}]},
  {"code": "spek", "name": "Spek (bacon)", "category": "pancakes", "price_cents": 1150},
  {"code": "spek_kaas", "name": "Spek & Kaas", "category": "pancakes", "price_cents": 1295}],
 "groups": [{"code": "trad_w", "name": "Traditional W/", "min": 0, "max": 0, "qualified": true, "negatable": true,
             "options": [{"code": "swede", "name": "Swede", "default": true}]},
            {"code": "stew_w", "name": "Stew W/", "min": 0, "max": 0, "qualified": true, "negatable": true,
             "options": [{"code": "onion", "name": "Onion", "default": true}]},
            {"code": "mini_pick", "name": "Mini Flavors", "min": 0, "max": 2,
             "options": [{"code": "traditional", "name": "Traditional"}, {"code": "pork_apple", "name": "Pork & Apple"}]},
            {"code": "salsa_side", "name": "Salsa (side)", "min": 0, "max": 1,
             "options": [{"code": "salsa", "name": "Salsa Roja (+.75)", "price_cents": 75}]}]}')
  from app.merchants where slug = 'av-test-15';
update app.merchants set workflow_id = (select id from app.workflows where name = 'av-test') where slug = 'av-test-15';
update app.autoverify_policies set enabled = true, min_confidence = 0.9, max_total_cents = null, returning_only = false,
                                   sample_one_in = 0, min_shadow_orders = 0
 where merchant_id = (select id from app.merchants where slug = 'av-test-15');

create function pg_temp.call15(p_sid text, p_says text[]) returns bigint
language plpgsql as $$
begin
    perform api.twilio_voice(jsonb_build_object('To', '+15550007008', 'From', '+15551230015', 'CallSid', p_sid,
                                                'CallStatus', 'in-progress'));
    for i in 1 .. array_length(p_says, 1) loop
        perform api.twilio_gather(jsonb_build_object('To', '+15550007008', 'CallSid', p_sid,
                                                     'SpeechResult', p_says[i], 'Confidence', '0.93'), i);
    end loop;
    return (select order_id from app.calls where call_sid = p_sid);
end
$$;

do $$
declare
    o bigint;
begin
    -- At 0.90. A line added by its pick alone, the pick said in the plural and inside another
    -- item's name ("two traditionals": two boxes of minis with the flavour `Traditional`, where
    -- `Traditional Cornish` is a pasty): held. The pasty said by its name passes.
    o := pg_temp.call15('CA-av-p1', array['two traditionals and a chips', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "two traditionals" added minis by its pick traditional said in the plural, a name inside that of traditional',
        pg_temp.decision(o);
    o := pg_temp.call15('CA-av-p2', array['two traditional cornish and a chips', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A line said "on the side" whose item's name is that of a pick of another line's item
    -- ("salsa roja on the side" after six empanadas: a jar of salsa): held. A jar asked for as
    -- a thing of its own passes.
    o := pg_temp.call15('CA-av-p3', array['six empanadas', 'and salsa roja on the side please', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "salsa roja" said on the side, heard as salsa_jar, and a pick of empanada',
        pg_temp.decision(o);
    o := pg_temp.call15('CA-av-p4', array['six empanadas', 'and a salsa roja', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "for two" said of an item with a size `Para 2`, its line at its default size: held. The
    -- same question without it passes.
    o := pg_temp.call15('CA-av-p5', array['how much is the beef stew for two', 'ok i''ll get that, no onion', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "for two" in "how much is the beef stew for two", and stew is at its default size',
        pg_temp.decision(o);
    o := pg_temp.call15('CA-av-p6', array['how much is the beef stew', 'ok i''ll get that, no onion', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- "large" in a question kea answered as a menu question ("traditional" is a pick of the
    -- minis too), the pasty added by reference at its default size: held. Without a size word
    -- it passes.
    o := pg_temp.call15('CA-av-p7', array['how much is the large traditional', 'ok one of those, no swede', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "large" said in "how much is the large traditional", and traditional is at its default size',
        pg_temp.decision(o);
    o := pg_temp.call15('CA-av-p8', array['how much is the traditional', 'ok one of those, no swede', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A correction that names a line's item and adds another, the named line kept: held. The
    -- round's own case, "actually make the lamb a pork and apple", now replaces the line in the
    -- dialog (docs/dialog.md, "Corrections"), and the order is right; said as "the lamb one" it
    -- still keeps it. A correction cue that names no line passes.
    o := pg_temp.call15('CA-av-p9', array['a steak and stilton and a lamb and mint', 'actually make the lamb one a pork and apple', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "actually make the lamb one a pork and apple" named lamb_mint after a correction cue and added pork_apple, and the line of lamb_mint stayed',
        pg_temp.decision(o);
    o := pg_temp.call15('CA-av-p9b', array['a steak and stilton and a lamb and mint', 'actually make the lamb a pork and apple', 'that''s it', 'yes']);
    assert (select array_agg(item_code order by item_code) from app.order_lines where order_id = o)
           = array['pork_apple', 'steak_stilton'], pg_temp.decision(o);
    o := pg_temp.call15('CA-av-p10', array['a steak and stilton and a lamb and mint', 'actually add a pork and apple', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
    -- A line, "and", words placed nowhere ("two bacon and cheese pancakes": two `Spek (bacon)`,
    -- "cheese" no word of this menu): held. "and" before a line passes.
    o := pg_temp.call15('CA-av-p11', array['two bacon and cheese pancakes', 'that''s it', 'yes']);
    assert pg_temp.decision(o) = 'held: the call did not go smoothly: "two bacon" and "cheese pancakes", placed nowhere',
        pg_temp.decision(o);
    o := pg_temp.call15('CA-av-p12', array['two bacon and a chips', 'that''s it', 'yes']);
    assert (select status from app.orders where id = o) = 'verified', pg_temp.decision(o);
end
$$;
