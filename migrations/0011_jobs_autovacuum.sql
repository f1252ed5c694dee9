-- Why: every claim walks the dead index entries at the head of app.jobs' due-work index
-- (scripts/bench jobs: 1.4 ms per claim after 48k claims), and a job row is updated twice in its
-- life. Vacuum the queue table after a few thousand changed rows, whatever its size, and
-- without cost delays, so a backlog keeps its speed (River and pgmq advise the same).
alter table app.jobs set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                          autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0,
                          autovacuum_analyze_threshold = 5000);
