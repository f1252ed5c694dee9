-- pg_kea 0.1.0 -> 0.2.0 (ALTER EXTENSION pg_kea UPDATE). Every released version has its step,
-- even when empty; tests/tests/extension_upgrade.rs checks that an upgraded database holds the
-- same objects as a fresh install of 0.2.0.
\echo Use "ALTER EXTENSION pg_kea UPDATE TO '0.2.0'" to load this file. \quit

-- The menu's rules and prices for lines edited after the call (docs/workflow.md).
CREATE FUNCTION kea."validate_lines"(
	"menu_id" bigint,
	"lines" jsonb
) RETURNS jsonb
STRICT STABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'validate_lines_wrapper';

CREATE FUNCTION kea."price_lines"(
	"menu_id" bigint,
	"lines" jsonb,
	"details" jsonb DEFAULT '{}'
) RETURNS jsonb
STRICT STABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'price_lines_wrapper';

-- TwiML answering an inbound text.
CREATE FUNCTION kea."twiml_message"(
	"body" TEXT
) RETURNS TEXT
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'twiml_message_wrapper';

-- A menu document from a Square catalog export.
CREATE FUNCTION kea."menu_from_square"(
	"catalog" jsonb,
	"location_id" TEXT DEFAULT NULL
) RETURNS jsonb
IMMUTABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'menu_from_square_wrapper';
