-- Raw landing: append-only, as received. One table per source entity, all of one shape.

create table if not exists raw.batches (
    batch_id        bigserial primary key,
    tenant_id       text not null,
    source          text not null,           -- channel or provider: shopify, amazon, ...
    store_id        text not null,
    origin          text not null default 'file',   -- file | api | webhook
    file_name       text,
    status          text not null default 'running'
                    check (status in ('running', 'committed', 'failed', 'interrupted')),
    fetched_count   integer not null default 0,
    landed_count    integer not null default 0,
    duplicate_count integer not null default 0,
    rejected_count  integer not null default 0,
    cursor_before   text,
    cursor_after    text,
    error           text,
    commit_seq      bigint unique,           -- order in which batches committed (watermark)
    backend_pid     integer,
    started_at      timestamptz not null default clock_timestamp(),
    finished_at     timestamptz,
    constraint batch_counts_add_up check (
        status <> 'committed' or fetched_count = landed_count + duplicate_count + rejected_count
    )
);
create index if not exists batches_tenant_store_idx on raw.batches (tenant_id, source, store_id, batch_id);
create sequence if not exists raw.batch_commit_seq;

create table if not exists raw.rejects (
    reject_id     bigserial primary key,
    tenant_id     text not null,
    source        text not null,
    store_id      text not null,
    batch_id      bigint not null references raw.batches (batch_id),
    file_name     text,
    record_index  integer,                   -- position in the file, when known
    natural_key   text,                      -- the record's id, when it could be read
    reason        text not null,
    raw_bytes     bytea not null,
    raw_sha256    text not null,
    rejected_at   timestamptz not null default clock_timestamp()
);
create unique index if not exists rejects_dedup_idx
    on raw.rejects (tenant_id, source, store_id, raw_sha256, reason);
create index if not exists rejects_batch_idx on raw.rejects (batch_id);

-- The raw table shape every source shares.
create or replace procedure raw.create_landing_table(p_table text)
language plpgsql as $$
begin
    execute format($f$
        create table if not exists raw.%1$I (
            raw_id          bigserial primary key,
            tenant_id       text not null,
            source          text not null,
            store_id        text not null,
            natural_key     text not null,
            parent_key      text,
            payload         jsonb not null,
            payload_sha256  text not null,
            batch_id        bigint not null,
            landed_at       timestamptz not null default now()
        )$f$, p_table);
    execute format(
        'create unique index if not exists %1$s_version_idx on raw.%1$I '
        '(tenant_id, store_id, natural_key, payload_sha256)', p_table);
    execute format('create index if not exists %1$s_batch_idx on raw.%1$I (batch_id)', p_table);
    execute format('create index if not exists %1$s_parent_idx on raw.%1$I (tenant_id, store_id, parent_key) '
                   'where parent_key is not null', p_table);
end $$;

call raw.create_landing_table('shopify_orders');
call raw.create_landing_table('amazon_orders');
call raw.create_landing_table('amazon_order_items');
