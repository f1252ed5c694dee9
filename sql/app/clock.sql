-- The application clock. Tests of opening hours set `kea.now` instead of waiting for 3 AM.
-- PL/pgSQL rather than SQL: PostgreSQL 15 re-plans a non-inlined SQL function on every call.
create function app.now() returns timestamptz
language plpgsql stable as $$
begin
    return coalesce(nullif(current_setting('kea.now', true), '')::timestamptz, now());
end
$$;
