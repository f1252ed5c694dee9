-- Opening hours in the merchant's time zone (sql/app/hours.sql), spans past midnight included:
-- Night Owl in Chicago opens 11:00-22:00 Monday to Thursday and 17:00-02:00 on Friday and
-- Saturday, and is closed on Sunday.
insert into app.merchants (slug, name, time_zone) values ('hours-test', 'Night Owl', 'America/Chicago');
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select id, d, '11:00', '22:00' from app.merchants, generate_series(1, 4) d where slug = 'hours-test';
insert into app.opening_hours (merchant_id, weekday, opens, closes)
select id, d, '17:00', '02:00' from app.merchants, generate_series(5, 6) d where slug = 'hours-test';

-- What callers hear.
select app.hours_text(id) from app.merchants where slug = 'hours-test';

-- Open or closed at moments around the spans' edges, each given in UTC and shown as the
-- merchant's local time.
set timezone = 'UTC';
select to_char(at.utc at time zone 'America/Chicago', 'Dy HH24:MI') as in_chicago,
       at.utc, app.is_open(m.id, at.utc) as open, at.why
  from app.merchants m,
       (values (timestamptz '2026-11-30 16:59+00', 'before Monday''s opening'),
               ('2026-11-30 18:00+00', ''),
               ('2026-12-01 03:59+00', ''),
               ('2026-12-01 04:00+00', 'closing time is closed'),
               ('2026-12-04 22:59+00', ''),
               ('2026-12-04 23:00+00', 'Friday''s late span'),
               ('2026-12-05 07:30+00', 'Friday''s span, past midnight'),
               ('2026-12-05 08:00+00', ''),
               ('2026-12-06 07:30+00', 'Saturday''s span, past midnight'),
               ('2026-12-06 09:00+00', ''),
               ('2026-12-06 18:00+00', 'no hours on Sunday')) at(utc, why)
 where m.slug = 'hours-test'
 order by at.utc;

-- The application clock (sql/app/clock.sql): now(), unless a session sets kea.now (tests of
-- hours, replays).
select app.now() = now() as is_now;
set kea.now = '2026-11-30 18:00+00';
select app.now();
reset kea.now;
select app.now() = now() as is_now;
