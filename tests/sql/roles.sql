-- The PostgREST shape: the gateway's login role reaches only what it must.
do $$
begin
    set local role kea_authenticator;
    begin
        perform 1 from app.calls limit 1;
        raise exception 'kea_authenticator must not read app tables';
    exception when insufficient_privilege then null;
    end;
    perform 1 from api.twilio_directory limit 1;   -- allowed
    reset role;

    set local role kea_anon;
    begin
        perform api.call_summary('CAnone');
        raise exception 'kea_anon must not read calls';
    exception when insufficient_privilege then null;
    end;
    reset role;

    set local role kea_agent;
    perform api.call_summary('CAnone');            -- allowed
    reset role;
end $$;
