-- Why: the auto-verify policy's default threshold, chosen with `scripts/bench autoverify`
-- (docs/closed-loop.md, "How the default threshold was chosen"): at 0.90 every order the policy
-- let through on the persona calls was exactly right, and half of the blind venues' orders went
-- through; 0.95 let nothing through (the recogniser's confidence caps every line). Policies no
-- merchant has set yet take the new default.
set role kea_owner;

alter table app.autoverify_policies alter column min_confidence set default 0.9;
update app.autoverify_policies set min_confidence = 0.9 where updated_by is null;

reset role;
