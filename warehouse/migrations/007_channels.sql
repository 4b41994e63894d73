-- Every sales channel (issue 3): the store registry's download settings, raw tables for the
-- other channels, manual orders written by the app, and refused webhook deliveries.

-- Stores: how to reach each store's API. Credentials are never stored: only the NAMES of the
-- secrets (environment variables or keys of the secrets file) that hold them.
alter table app.stores add column if not exists api_base_url text;
alter table app.stores add column if not exists download_interval_minutes integer not null default 5
    check (download_interval_minutes between 1 and 1440);
alter table app.stores add column if not exists overlap_minutes integer not null default 10
    check (overlap_minutes between 0 and 1440);
alter table app.stores add column if not exists credential_names jsonb not null default '{}'::jsonb;
alter table app.stores add column if not exists settings jsonb not null default '{}'::jsonb;
alter table app.stores add column if not exists initial_since timestamptz;
alter table app.stores add column if not exists updated_at timestamptz not null default now();
alter table app.stores add column if not exists updated_by text not null default 'system';

call raw.create_landing_table('shopee_orders');        -- natural key order_sn
call raw.create_landing_table('lazada_orders');        -- natural key order_id
call raw.create_landing_table('lazada_order_items');   -- order_id/order_item_id, parent order_id
call raw.create_landing_table('tiktok_orders');        -- natural key id
call raw.create_landing_table('woocommerce_orders');   -- natural key id
call raw.create_landing_table('salla_orders');         -- natural key data.id (the event envelope)

-- Webhook requests refused (unsigned, badly signed, unknown store): counted and kept for audit,
-- never landed as orders.
create table if not exists raw.webhook_refusals (
    refusal_id    bigserial primary key,
    source        text not null,
    store_id      text,
    tenant_id     text,
    reason        text not null,
    headers       jsonb not null default '{}'::jsonb,
    body_sha256   text,
    body_size     integer,
    received_at   timestamptz not null default clock_timestamp()
);

-- Manual orders: created in the app's form or by the CSV/XLSX import; dbt reads them as the
-- channel `manual`. `order_doc` holds the order as entered (see ingestion/sources/manual.py).
create table if not exists app.manual_orders (
    tenant_id        text not null references app.tenants (tenant_id),
    store_id         text not null,
    manual_order_id  text not null,
    order_doc        jsonb not null,
    source           text not null check (source in ('form', 'import')),
    import_file      text,
    import_row       integer,
    created_by       text not null,
    created_at       timestamptz not null default now(),
    primary key (tenant_id, manual_order_id)
);
alter table app.manual_orders enable row level security;
drop policy if exists tenant_isolation on app.manual_orders;
create policy tenant_isolation on app.manual_orders to oms_app
    using (tenant_id = app.current_tenant()) with check (tenant_id = app.current_tenant());
grant select, insert on app.manual_orders to oms_app;
grant update (api_base_url, download_interval_minutes, overlap_minutes, credential_names, settings,
              is_active, name, timezone, currency, marketplace, updated_at, updated_by)
    on app.stores to oms_app;
