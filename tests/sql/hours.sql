-- Opening hours in the merchant's time zone, including spans past midnight.
insert into app.merchants (slug, name, time_zone) values ('hours-test', 'Night Owl', 'America/Chicago');
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select id, d, '11:00', '22:00' from app.merchants, generate_series(1, 4) d where slug = 'hours-test';
-- Friday and Saturday: 5 PM to 2 AM.
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select id, d, '17:00', '02:00' from app.merchants, generate_series(5, 6) d where slug = 'hours-test';

do $$
declare
    m bigint := (select id from app.merchants where slug = 'hours-test');
begin
    -- Monday 2026-11-30, noon in Chicago = 18:00 UTC
    assert app.is_open(m, '2026-11-30 18:00+00'), 'Monday noon: open';
    assert not app.is_open(m, '2026-11-30 16:59+00'), 'Monday 10:59: closed';
    assert not app.is_open(m, '2026-12-01 04:00+00'), 'Monday 22:00 sharp: closed';
    -- Saturday 2026-12-05 01:30 Chicago (Friday's span) = 07:30 UTC
    assert app.is_open(m, '2026-12-05 07:30+00'), 'Friday night past midnight: open';
    -- Sunday 01:30 Chicago (Saturday's span)
    assert app.is_open(m, '2026-12-06 07:30+00'), 'Saturday night past midnight: open';
    -- Sunday 03:00 Chicago: closed; Sunday noon: closed (no Sunday hours)
    assert not app.is_open(m, '2026-12-06 09:00+00');
    assert not app.is_open(m, '2026-12-06 18:00+00');
    assert app.hours_text(m) = 'We''re open Monday, Tuesday, Wednesday, Thursday, 11:00 AM to 10:00 PM; Friday, Saturday, 5:00 PM to 2:00 AM.',
        app.hours_text(m);
end $$;

-- The application clock can be set per session (tests of hours), and defaults to now().
do $$
begin
    assert app.now() between now() - interval '1 second' and now() + interval '1 second';
    perform set_config('kea.now', '2026-11-30 18:00+00', true);
    assert app.now() = '2026-11-30 18:00+00';
end $$;
