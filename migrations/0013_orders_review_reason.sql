-- Why: an order the caller confirmed is never lost (issue 16). The dialog checks the cart by
-- the same rules as the save (order_rules::validate), but if the save still refuses it (a rule
-- the dialog's copy of the menu did not know, a menu changed under the call), the order is kept
-- for an agent to repair instead of the caller hearing an apology: it is saved as
-- pending_verification with the reason the database gave, and the completeness check waits for
-- the agent's approval (docs/workflow.md, "An order the database refused").
set role kea_owner;

alter table app.orders add column review_reason text;
comment on column app.orders.review_reason is
    'Why this order needs an agent''s repair before it can be verified: the database refused the lines the call produced (the KO422 message). NULL for every order the save took as it was.';

reset role;
