-- Where each table of app lives when kea runs on Citus (docs/scaling.md), in one place: read by
-- scripts/citus (sql/citus/distribute.sql) to distribute the schema, and by
-- tests/tests/catalog.rs on one PostgreSQL, which fails for a table this view does not place.
--   distributed  create_distributed_table(t, 'merchant_id'), co-located with app.calls: every
--                tenant table not named below (merchant_id is in every key: the catalog test);
--   reference    create_reference_table(t): what every merchant shares, a copy on every node;
--   coordinator  a table of the coordinator alone (a Citus local table), with the reason.
create view app.table_placement as
with named (table_name, placement, reason) as (values
    -- The call centre, shared by every merchant: small, joined with tasks on any node.
    ('agents', 'reference', 'the call centre''s agents, offered tasks of every merchant'),
    ('task_queues', 'reference', 'the call centre''s queues, shared by every merchant'),
    ('workflows', 'reference', 'routing workflows, shared by every merchant'),
    ('workflow_steps', 'reference', 'routing workflows, shared by every merchant'),
    ('dialing_plans', 'reference', 'countries'' numbering plans, the same for every merchant'),
    ('sms_opt_outs', 'reference', 'a number''s STOP holds whatever merchant texts it'),
    -- The control plane: merchants and their settings and menus. Their triggers derive other
    -- rows across tables (published menus in kea.menus, hours text, settings history, policy
    -- rows), which Citus runs only where a table's rows live and never across nodes: kept
    -- together on the coordinator, which also runs the dialog against the published menus.
    -- Small next to calls and orders (one row per merchant, item or setting).
    ('merchants', 'coordinator', 'the tenants; triggers publish menus and record settings'),
    ('phone_numbers', 'coordinator', 'routes a webhook to its merchant, with the merchant row'),
    ('opening_hours', 'coordinator', 'a trigger keeps merchants.hours_text'),
    ('merchant_users', 'coordinator', 'sign-in finds staff by email across merchants'),
    ('pos_connections', 'coordinator', 'a merchant''s settings'),
    ('pos_tokens', 'coordinator', 'a POS token is checked by its id (jti) on every request, like staff and agent tokens'),
    ('autoverify_policies', 'coordinator', 'a merchant''s settings, made by a merchants trigger'),
    ('settings_changes', 'coordinator', 'written by a merchants trigger'),
    ('menus', 'coordinator', 'triggers publish the menu document to kea.menus'),
    ('menu_categories', 'coordinator', 'triggers publish the menu document to kea.menus'),
    ('menu_items', 'coordinator', 'triggers publish the menu document to kea.menus'),
    ('item_variations', 'coordinator', 'triggers publish the menu document to kea.menus'),
    ('modifier_groups', 'coordinator', 'triggers publish the menu document to kea.menus'),
    ('modifier_options', 'coordinator', 'triggers publish the menu document to kea.menus'),
    ('item_modifier_groups', 'coordinator', 'triggers publish the menu document to kea.menus'),
    ('learned_phrases', 'coordinator', 'triggers publish the menu document to kea.menus'),
    ('unneeded_phrases', 'coordinator', 'read with learned_phrases when a phrase is decided'),
    -- The queue and what only the coordinator reads.
    ('jobs', 'coordinator', 'the job queue: a claim takes due work of every merchant with one FOR UPDATE SKIP LOCKED scan'),
    ('jobs_done', 'coordinator', 'finished jobs, moved from app.jobs in the same transaction'),
    ('job_keys', 'coordinator', 'side effects'' unique keys, checked with the queue'),
    ('sign_in_attempts', 'coordinator', 'the sign-in throttle counts by email and address across merchants'),
    ('jwt_secrets', 'coordinator', 'token secrets, read by api.login')
)
select c.relname::text as table_name,
       coalesce(n.placement,
                case when exists (select 1 from pg_attribute a
                                   where a.attrelid = c.oid and a.attname = 'merchant_id'
                                     and not a.attisdropped)
                     then 'distributed' end) as placement,
       coalesce(n.reason, 'tenant data, by merchant') as reason
  from pg_class c
  left join named n on n.table_name = c.relname
 where c.relnamespace = 'app'::regnamespace and c.relkind in ('r', 'p');

comment on view app.table_placement is
    'Where each app table lives on Citus (distributed by merchant_id, reference, or the coordinator alone), with the reason: docs/scaling.md. NULL placement: a table nobody placed yet.';
