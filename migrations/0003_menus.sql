-- Why: menus are edited by people (owners, support, imports) as rows, but the extension wants
-- one document per menu. These tables are the truth; every change republishes the document
-- to kea.menus (statement-level triggers, so a bulk import publishes once per statement).
-- Every table carries merchant_id and menu_id: the distribution key and the publish key.
-- `extra` holds document fields these tables have no column for (round-trips the document).
set role kea_owner;

create table app.menus (
    merchant_id bigint not null references app.merchants (id) on delete cascade,
    id          bigint generated always as identity,
    name        text not null,
    active      boolean not null default true,
    extra       jsonb not null default '{}',
    created_at  timestamptz not null default now(),
    primary key (merchant_id, id),
    unique (id)
);
-- One active menu per merchant: the one calls use.
create unique index menus_one_active on app.menus (merchant_id) where active;

create table app.menu_categories (
    merchant_id bigint not null,
    menu_id     bigint not null,
    id          bigint generated always as identity,
    code        text not null,
    name        text not null,
    aliases     text[] not null default '{}',
    position    integer not null default 0,
    extra       jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (menu_id, code),
    foreign key (merchant_id, menu_id) references app.menus (merchant_id, id) on delete cascade
);

create table app.menu_items (
    merchant_id       bigint not null,
    menu_id           bigint not null,
    id                bigint generated always as identity,
    category_code     text,
    code              text not null,
    name              text not null,
    aliases           text[] not null default '{}',
    price_cents       bigint not null default 0 check (price_cents >= 0),
    -- false = sold out (86'd): the dialog refuses it and offers alternatives.
    available         boolean not null default true,
    default_variation text,
    variation_slot    text,
    position          integer not null default 0,
    extra             jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (menu_id, code),
    foreign key (merchant_id, menu_id) references app.menus (merchant_id, id) on delete cascade
);

create table app.item_variations (
    merchant_id bigint not null,
    menu_id     bigint not null,
    item_id     bigint not null,
    id          bigint generated always as identity,
    code        text not null,
    name        text not null,
    aliases     text[] not null default '{}',
    price_cents bigint not null check (price_cents >= 0),
    available   boolean not null default true,
    position    integer not null default 0,
    extra       jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (item_id, code),
    foreign key (merchant_id, item_id) references app.menu_items (merchant_id, id) on delete cascade
);

create table app.modifier_groups (
    merchant_id bigint not null,
    menu_id     bigint not null,
    id          bigint generated always as identity,
    code        text not null,
    name        text not null,
    min_choices integer not null default 0 check (min_choices >= 0),
    -- 0 = no upper bound
    max_choices integer not null default 0 check (max_choices >= 0),
    qualified   boolean not null default false,
    negatable   boolean not null default false,
    position    integer not null default 0,
    extra       jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (menu_id, code),
    check (max_choices = 0 or max_choices >= min_choices),
    foreign key (merchant_id, menu_id) references app.menus (merchant_id, id) on delete cascade
);

create table app.modifier_options (
    merchant_id bigint not null,
    menu_id     bigint not null,
    group_id    bigint not null,
    id          bigint generated always as identity,
    code        text not null,
    name        text not null,
    aliases     text[] not null default '{}',
    price_cents bigint not null default 0 check (price_cents >= 0),
    is_default  boolean not null default false,
    available   boolean not null default true,
    position    integer not null default 0,
    extra       jsonb not null default '{}',
    primary key (merchant_id, id),
    unique (group_id, code),
    foreign key (merchant_id, group_id) references app.modifier_groups (merchant_id, id) on delete cascade
);

create table app.item_modifier_groups (
    merchant_id bigint not null,
    menu_id     bigint not null,
    item_id     bigint not null,
    group_id    bigint not null,
    position    integer not null default 0,
    primary key (merchant_id, item_id, group_id),
    foreign key (merchant_id, item_id) references app.menu_items (merchant_id, id) on delete cascade,
    foreign key (merchant_id, group_id) references app.modifier_groups (merchant_id, id) on delete cascade
);

reset role;
