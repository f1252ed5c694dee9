-- The merchant page's "kea is learning" list (docs/closed-loop.md, part 1): the phrases kea
-- learnt from the corrections agents approved, to accept, reject or look into; and the number of
-- corrected orders after which kea activates one by itself. The merchant is the one in the token
-- (app.current_merchant()), never an argument; security definer, like sql/api/merchant.sql.

create function api.learned_phrases() returns jsonb
language sql stable security definer set search_path = pg_catalog, public as $$
    select jsonb_build_object(
        'confirmations', (select m.phrase_confirmations from app.merchants m where m.id = app.current_merchant()),
        'phrases', coalesce((select jsonb_agg(app.phrase_json(p)
                                              order by case p.status when 'candidate' then 0 when 'active' then 1 else 2 end,
                                                       p.last_seen_at desc, p.id)
                               from app.learned_phrases p where p.merchant_id = app.current_merchant()), '[]'))
$$;
comment on function api.learned_phrases() is
    'The signed-in merchant''s learnt phrases (candidates first) with their targets, counts, who decided and the calls they came from; and the confirmations setting.';

create function api.accept_phrase(phrase_id bigint) returns jsonb
language sql security definer set search_path = pg_catalog, public as $$
    select app.phrase_json(app.decide_phrase(app.current_merchant(), accept_phrase.phrase_id, 'active',
                                             'merchant_user:' || coalesce(app.claim('user_id'), '?')))
$$;
comment on function api.accept_phrase(bigint) is
    'Makes a learnt phrase active at once (the menu is published again); KL409 when its words are on the menu or already mean something else, KL404 when it is not the merchant''s.';

create function api.reject_phrase(phrase_id bigint) returns jsonb
language sql security definer set search_path = pg_catalog, public as $$
    select app.phrase_json(app.decide_phrase(app.current_merchant(), reject_phrase.phrase_id, 'rejected',
                                             'merchant_user:' || coalesce(app.claim('user_id'), '?')))
$$;
comment on function api.reject_phrase(bigint) is
    'Rejects a learnt phrase: it is taken off the menu if it was active and never becomes active by itself again.';

-- The number of distinct corrected orders after which a candidate becomes active by itself;
-- candidates already seen that often become active now.
create function api.set_phrase_confirmations(confirmations integer) returns jsonb
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
    v_merchant bigint := app.current_merchant();
    p app.learned_phrases;
begin
    if set_phrase_confirmations.confirmations is null
       or set_phrase_confirmations.confirmations not between 1 and 100 then
        raise exception 'confirmations is between 1 and 100' using errcode = '22023';
    end if;
    update app.merchants m set phrase_confirmations = set_phrase_confirmations.confirmations
     where m.id = v_merchant;
    for p in select * from app.learned_phrases x
              where x.merchant_id = v_merchant and x.status = 'candidate'
              order by x.times_seen desc, x.first_seen_at, x.id loop
        perform app.activate_confirmed(p);
    end loop;
    return api.learned_phrases();
end
$$;
comment on function api.set_phrase_confirmations(integer) is
    'Sets after how many corrected orders (1-100, default 2) a learnt phrase becomes active by itself; returns the list.';

-- For analysts (docs/analytics.md): every phrase, across merchants.
create view api.analytics_learned_phrases as
select p.merchant_id, p.id as phrase_id, p.phrase, p.target_kind, nullif(p.item_code, '') as item_code,
       nullif(p.group_code, '') as group_code, p.code, p.status, p.times_seen, p.first_seen_at,
       p.last_seen_at, case when p.decided_by like 'merchant_user:%' then 'merchant' else p.decided_by end
           as decided_by,
       p.decided_at
  from app.learned_phrases p;
comment on view api.analytics_learned_phrases is
    'Phrases learnt from agents'' corrections per merchant: target, status (candidate, active, rejected), orders seen in, who decided (kea or the merchant).';

grant execute on function api.learned_phrases(), api.accept_phrase(bigint), api.reject_phrase(bigint),
      api.set_phrase_confirmations(integer)
   to kea_merchant;
grant select on api.analytics_learned_phrases to kea_analyst;
