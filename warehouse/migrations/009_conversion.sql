-- Order conversion (issue 4): the seller's product catalogue, and the mappings reviewers add when
-- they fix an exception. dbt reads these as sources; the effective mapping is the tenant's own
-- (latest row per key) over the seeds shipped in reference.
--
-- Mapping tables are append-only: a change is a new row, the latest row per key wins, and a row
-- whose target is null removes the mapping. Every row says who and when; app.exception_fixes
-- records which exceptions (and orders) a fix was meant for, so the app can show them as pending
-- until the triggered run has taken the fix in, and app.audit_log holds the audit trail.

-- The seller's catalogue: one row per SKU (variant or bundle).
create table if not exists app.products (
    tenant_id     text not null references app.tenants (tenant_id),
    sku           text not null check (btrim(sku) <> '' and sku = btrim(sku)),
    title         text not null,
    title_local   text,
    variant_title text,
    weight_kg     numeric(12, 3) check (weight_kg is null or weight_kg >= 0),
    is_bundle     boolean not null default false,
    is_active     boolean not null default true,
    created_by    text not null,
    created_at    timestamptz not null default now(),
    updated_by    text not null,
    updated_at    timestamptz not null default now(),
    primary key (tenant_id, sku)
);
create index if not exists products_sku_trgm_idx on app.products using gin (sku gin_trgm_ops);

-- A bundle's (kit's) components: `quantity` units of the component per bundle, and the component's
-- share of the bundle's price (a weight; shares of one bundle need not add up to 1).
create table if not exists app.bundle_components (
    tenant_id      text not null,
    bundle_sku     text not null,
    component_sku  text not null,
    quantity       integer not null check (quantity > 0),
    price_share    numeric(12, 6) not null check (price_share > 0),
    primary key (tenant_id, bundle_sku, component_sku),
    foreign key (tenant_id, bundle_sku) references app.products (tenant_id, sku) on delete cascade,
    foreign key (tenant_id, component_sku) references app.products (tenant_id, sku),
    check (bundle_sku <> component_sku)
);

-- Platform SKU or listing id -> the seller's SKU. channel '*' = every channel; store_id null = every
-- store of the channel. Lookup: this store's, then the channel's (then '*'), then the exact SKU.
create table if not exists app.sku_mappings (
    mapping_id    bigserial primary key,
    tenant_id     text not null references app.tenants (tenant_id),
    channel       text not null default '*',
    store_id      text,
    platform_key  text not null check (btrim(platform_key) <> ''),
    sku           text,
    note          text,
    created_by    text not null,
    created_at    timestamptz not null default now(),
    check (store_id is null or channel <> '*')
);
create index if not exists sku_mappings_key_idx
    on app.sku_mappings (tenant_id, platform_key, channel, store_id, mapping_id desc);

-- Platform carrier name (lower case, trimmed) -> a carrier of reference.carriers.
create table if not exists app.carrier_aliases (
    alias_id               bigserial primary key,
    tenant_id              text not null references app.tenants (tenant_id),
    channel                text not null default '*',
    platform_carrier_name  text not null
                           check (platform_carrier_name = lower(btrim(platform_carrier_name))
                                  and platform_carrier_name <> ''),
    carrier_code           text,
    created_by             text not null,
    created_at             timestamptz not null default now()
);
create index if not exists carrier_aliases_key_idx
    on app.carrier_aliases (tenant_id, channel, platform_carrier_name, alias_id desc);

-- A channel's status (as sent) -> a canonical status of reference.canonical_statuses.
create table if not exists app.status_mappings (
    mapping_id       bigserial primary key,
    tenant_id        text not null references app.tenants (tenant_id),
    channel          text not null,
    platform_status  text not null check (platform_status <> ''),
    status           text,
    created_by       text not null,
    created_at       timestamptz not null default now()
);
create index if not exists status_mappings_key_idx
    on app.status_mappings (tenant_id, channel, platform_status, mapping_id desc);

-- A place name as buyers type it -> a region of reference.regions (province, city or district).
-- `alias` is stored normalised (see the dbt macro normalise_place).
create table if not exists app.region_aliases (
    alias_id      bigserial primary key,
    tenant_id     text not null references app.tenants (tenant_id),
    country_code  char(2) not null,
    alias         text not null check (btrim(alias) <> ''),
    region_code   text,
    created_by    text not null,
    created_at    timestamptz not null default now()
);
create index if not exists region_aliases_key_idx
    on app.region_aliases (tenant_id, country_code, alias, alias_id desc);

-- One order's address corrected by a reviewer: the region it goes to (deepest level known), and
-- optionally a corrected postal code. The latest correction of an order wins.
create table if not exists app.address_corrections (
    correction_id  bigserial primary key,
    tenant_id      text not null references app.tenants (tenant_id),
    order_key      text not null,
    region_code    text not null,
    postal_code    text,
    note           text,
    created_by     text not null,
    created_at     timestamptz not null default now()
);
create index if not exists address_corrections_order_idx
    on app.address_corrections (tenant_id, order_key, correction_id desc);

-- A tenant's own FX rates (units of USD per unit of the currency, from valid_from on), over the
-- seed fx_rates: the tenant's row wins on the same currency and date.
create table if not exists app.fx_rates (
    rate_id      bigserial primary key,
    tenant_id    text not null references app.tenants (tenant_id),
    currency     char(3) not null check (currency ~ '^[A-Z]{3}$'),
    valid_from   date not null,
    rate_to_usd  numeric(20, 10) not null check (rate_to_usd > 0),
    created_by   text not null,
    created_at   timestamptz not null default now()
);
create index if not exists fx_rates_key_idx on app.fx_rates (tenant_id, currency, valid_from, rate_id desc);

-- Every fix made from the exception queue: what was done (action and target), for which
-- exceptions and orders. The Dagster sensor `conversion_fixes` starts a run when a new row appears;
-- until the marts were rebuilt after created_at the app shows those exceptions as pending.
create table if not exists app.exception_fixes (
    fix_id          bigserial primary key,
    tenant_id       text not null references app.tenants (tenant_id),
    exception_type  text not null,
    action          text not null check (action in (
                        'map_sku', 'add_region_alias', 'correct_address', 'map_carrier',
                        'map_status', 'add_fx_rate')),
    target          jsonb not null default '{}'::jsonb,
    exception_keys  text[] not null default '{}',
    order_keys      text[] not null default '{}',
    created_by      text not null,
    created_at      timestamptz not null default now()
);
create index if not exists exception_fixes_tenant_idx on app.exception_fixes (tenant_id, created_at desc);

-- Row-level security, and read + insert only for the app role (append-only), except the catalogue.
do $$
declare t text;
begin
    foreach t in array array['products', 'bundle_components', 'sku_mappings', 'carrier_aliases',
                             'status_mappings', 'region_aliases', 'address_corrections', 'fx_rates',
                             'exception_fixes'] loop
        execute format('alter table app.%I enable row level security', t);
        execute format('drop policy if exists tenant_isolation on app.%I', t);
        execute format('create policy tenant_isolation on app.%I to oms_app '
                       'using (tenant_id = app.current_tenant()) '
                       'with check (tenant_id = app.current_tenant())', t);
        execute format('revoke all on app.%I from oms_app', t);
        execute format('grant select, insert on app.%I to oms_app', t);
    end loop;
end $$;
grant update (title, title_local, variant_title, weight_kg, is_bundle, is_active, updated_by, updated_at)
    on app.products to oms_app;
grant usage on all sequences in schema app to oms_app;
