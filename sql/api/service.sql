-- The service role (kea_service: the gateway's and the workers' own tokens, scripts): the
-- owner-side api functions that take a merchant id as an argument, which no tenant token
-- may call. Applied after menus.sql and pos.sql (name order), which define them.
grant execute on function api.import_menu(bigint, jsonb, boolean),
      api.set_item_available(bigint, text, boolean),
      api.connect_pos(bigint, text, text, text, text),
      api.import_square_catalog(bigint, jsonb, text),
      api.call_summary(text), api.replay_call(text),
      api.set_transfer_countries(bigint, text[])
   to kea_service;
