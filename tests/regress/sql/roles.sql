-- The PostgREST shape (docs/api.md, "Roles"): the gateway's login role, kea_authenticator,
-- reaches only what it must; each audience's role reaches its own functions.

-- kea_authenticator answers Twilio: no table, but the phone directory view.
set role kea_authenticator;
select count(*) from app.calls;
select count(*) >= 0 as directory_readable from api.twilio_directory;
reset role;

-- kea_anon (no token) may sign in, and read no call.
set role kea_anon;
select api.call_summary('CAnone');
select api.login('nobody@example.test', 'wrong')->>'code' as login_answer;
reset role;

-- kea_agent may ask for a call's summary (null: no such call, or not one of its merchants').
set role kea_agent;
select api.call_summary('CAnone') is null as no_such_call;
reset role;
