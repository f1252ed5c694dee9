-- Why: what happens after the call (issue 10; docs/workflow.md). An order becomes a
-- verification task routed to a call-centre agent (TaskRouter's model: agents, queues,
-- workflows, tasks, reservations), then a POS delivery and a text to the caller, done by
-- workers from durable job rows written in the same transaction as the change that causes them.
-- Tenant tables keep merchant_id first in their keys (Citus); agents, queues and workflows
-- belong to the call centre and are small reference tables.
create extension if not exists pgcrypto;

create schema if not exists worker authorization kea_owner;
grant usage on schema worker to kea_worker;

set role kea_owner;

-- Orders: one more state, the menu the order was priced against, what the call produced (for
-- measuring agent edits) and what the POS said.
alter table app.orders drop constraint orders_status_check;
alter table app.orders add constraint orders_status_check
    check (status in ('pending_verification', 'in_verification', 'verified', 'rejected',
                      'sent_to_pos', 'accepted_by_pos', 'failed', 'completed', 'cancelled',
                      'abandoned'));
alter table app.orders
    add column menu_id bigint,
    add column call_lines jsonb,
    add column pos_order_id text,
    add column ready_at timestamptz;
comment on column app.orders.call_lines is
    'The lines as the call produced them, before any agent edit (what the automation got).';

create table app.order_history (
    merchant_id  bigint not null,
    order_id     bigint not null,
    id           bigint generated always as identity,
    from_status  text,
    to_status    text not null,
    -- caller | agent | worker | pos | store | system
    actor_kind   text not null,
    actor_id     text,
    reason       text,
    at           timestamptz not null default now(),
    primary key (merchant_id, order_id, id),
    foreign key (merchant_id, order_id) references app.orders (merchant_id, id) on delete cascade
);

-- Every agent edit, line by line: what it was, what it became.
create table app.order_edits (
    merchant_id  bigint not null,
    order_id     bigint not null,
    id           bigint generated always as identity,
    task_id      bigint,
    agent_id     bigint,
    action       text not null check (action in ('edit', 'add', 'remove')),
    line_no      integer not null,
    before       jsonb,
    after        jsonb,
    at           timestamptz not null default now(),
    primary key (merchant_id, order_id, id),
    foreign key (merchant_id, order_id) references app.orders (merchant_id, id) on delete cascade
);

-- Call-centre agents. attributes: {"languages": [...], "merchants": [ids or "*"],
-- "groups": [...], "skills": [...]}.
create table app.agents (
    id             bigint generated always as identity primary key,
    email          text not null unique check (email = lower(email)),
    name           text not null,
    password_hash  text not null,
    attributes     jsonb not null default '{}',
    activity       text not null default 'offline'
                       check (activity in ('available', 'busy', 'break', 'offline')),
    capacity       integer not null default 1 check (capacity between 1 and 20),
    -- When the activity last changed or a task last ended: longest idle is offered first.
    activity_at    timestamptz not null default now(),
    created_at     timestamptz not null default now()
);

create table app.task_queues (
    id                    bigint generated always as identity primary key,
    name                  text not null unique,
    -- Agents whose attributes contain this (jsonb @>) are in the queue.
    requires              jsonb not null default '{}',
    reservation_timeout_s integer not null default 30 check (reservation_timeout_s > 0)
);

create table app.workflows (
    id          bigint generated always as identity primary key,
    name        text not null unique,
    is_default  boolean not null default false
);
create unique index workflows_one_default on app.workflows (is_default) where is_default;

create table app.workflow_steps (
    workflow_id bigint not null references app.workflows (id) on delete cascade,
    step        integer not null check (step > 0),
    -- queue: offer to the queue for timeout_s; escalate_store: text the order to the store.
    kind        text not null check (kind in ('queue', 'escalate_store')),
    queue_id    bigint references app.task_queues (id),
    timeout_s   integer not null default 120 check (timeout_s > 0),
    primary key (workflow_id, step),
    check ((kind = 'queue') = (queue_id is not null))
);

alter table app.merchants
    add column workflow_id bigint references app.workflows (id),
    add column groups text[] not null default '{}';

create table app.tasks (
    merchant_id     bigint not null references app.merchants (id),
    id              bigint generated always as identity,
    order_id        bigint not null,
    kind            text not null default 'verification'
                        check (kind in ('verification', 'escalation')),
    status          text not null default 'pending'
                        check (status in ('pending', 'reserved', 'assigned', 'completed', 'canceled')),
    workflow_id     bigint not null references app.workflows (id),
    step            integer not null default 1,
    step_started_at timestamptz not null default now(),
    priority        integer not null default 0,
    -- What routing matches agents against: {"language": "en"}.
    attributes      jsonb not null default '{}',
    agent_id        bigint references app.agents (id),
    -- approved | rejected | escalated | canceled
    outcome         text,
    reason          text,
    created_at      timestamptz not null default now(),
    assigned_at     timestamptz,
    completed_at    timestamptz,
    primary key (merchant_id, id),
    unique (id),
    foreign key (merchant_id, order_id) references app.orders (merchant_id, id) on delete cascade
);
-- One open verification task per order.
create unique index tasks_one_open_per_order on app.tasks (merchant_id, order_id, kind)
    where status not in ('completed', 'canceled');
create index tasks_waiting on app.tasks (created_at) where status = 'pending';

create table app.reservations (
    merchant_id   bigint not null,
    id            bigint generated always as identity,
    task_id       bigint not null,
    agent_id      bigint not null references app.agents (id),
    status        text not null default 'pending'
                      check (status in ('pending', 'accepted', 'rejected', 'timeout', 'canceled',
                                        'rescinded', 'completed')),
    created_at    timestamptz not null default now(),
    expires_at    timestamptz not null,
    responded_at  timestamptz,
    reason        text,
    primary key (merchant_id, id),
    unique (id),
    -- Never offered twice to one agent.
    unique (merchant_id, task_id, agent_id),
    foreign key (merchant_id, task_id) references app.tasks (merchant_id, id) on delete cascade
);
create unique index reservations_one_live_per_task on app.reservations (merchant_id, task_id)
    where status in ('pending', 'accepted');
create index reservations_live_by_agent on app.reservations (agent_id)
    where status in ('pending', 'accepted');

-- Durable jobs (River's shape; docs/workflow.md). merchant_id 0 = not a merchant's (sweeps).
create table app.jobs (
    merchant_id   bigint not null,
    id            bigint generated always as identity,
    kind          text not null,
    args          jsonb not null default '{}',
    state         text not null default 'available'
                      check (state in ('available', 'running', 'retryable', 'completed', 'dead',
                                       'cancelled')),
    priority      smallint not null default 2 check (priority between 1 and 4),
    run_at        timestamptz not null default now(),
    attempt       integer not null default 0,
    max_attempts  integer not null default 12 check (max_attempts > 0),
    unique_key    text,
    locked_by     text,
    locked_until  timestamptz,
    -- When the last attempt started (insert-to-start latency is attempted_at - created_at).
    attempted_at  timestamptz,
    errors        jsonb not null default '[]',
    created_at    timestamptz not null default now(),
    finished_at   timestamptz,
    primary key (merchant_id, id),
    unique (id)
);
-- One row per side effect, whatever its state.
create unique index jobs_unique_key on app.jobs (merchant_id, unique_key) where unique_key is not null;
-- What a claim scans: due work in priority order, and running jobs by lease expiry.
create index jobs_due on app.jobs (priority, run_at, id) where state in ('available', 'retryable');
create index jobs_leases on app.jobs (locked_until) where state = 'running';

-- How a merchant's orders reach its POS.
create table app.pos_connections (
    merchant_id  bigint primary key references app.merchants (id) on delete cascade,
    kind         text not null check (kind in ('webhook', 'square')),
    base_url     text,
    secret       text not null,
    location_id  text,
    created_at   timestamptz not null default now(),
    check (kind = 'square' or base_url is not null)
);

-- Numbers that texted STOP: never texted again until START.
create table app.sms_opt_outs (
    phone        text primary key,
    opted_out_at timestamptz not null default now(),
    keyword      text
);

create table app.sms_messages (
    merchant_id  bigint not null,
    id           bigint generated always as identity,
    order_id     bigint,
    direction    text not null check (direction in ('outbound', 'inbound')),
    template     text,
    to_number    text not null,
    from_number  text,
    body         text not null,
    sid          text,
    status       text,
    error_code   integer,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    primary key (merchant_id, id)
);
create unique index sms_messages_sid on app.sms_messages (sid) where sid is not null;

-- HS256 secrets for the tokens api.login signs: the first signs, all verify (rotation).
-- Written by scripts/init from KEA_JWT_SECRET.
create table app.jwt_secrets (
    position  integer primary key,
    secret    text not null check (length(secret) >= 16)
);

-- The default routing: agents first, then supervisors, then the store itself.
insert into app.task_queues (name, requires, reservation_timeout_s) values
    ('agents', '{}', 30),
    ('supervisors', '{"skills": ["supervisor"]}', 60);
insert into app.workflows (name, is_default) values ('default', true);
insert into app.workflow_steps (workflow_id, step, kind, queue_id, timeout_s)
select w.id, s.step, s.kind, q.id, s.timeout_s
  from app.workflows w
  cross join (values (1, 'queue', 'agents', 120), (2, 'queue', 'supervisors', 180),
                     (3, 'escalate_store', null, 600)) s(step, kind, queue, timeout_s)
  left join app.task_queues q on q.name = s.queue
 where w.name = 'default';

reset role;
