-- Why: an agent can open an order kea verified alone and report a mistake on it (the console's
-- "Verified by kea" list, docs/console.md). The report is the evidence that the auto-verified
-- order was wrong: it is kept on the decision as checked = 'reported', beside the checks of
-- sampled and shadow orders, so the precision analytics and earned trust see it.
set role kea_owner;

alter table app.autoverify_decisions drop constraint autoverify_decisions_checked_check;
alter table app.autoverify_decisions
    add constraint autoverify_decisions_checked_check
        check (checked in ('unchanged', 'edited', 'rejected', 'reported'));

reset role;
