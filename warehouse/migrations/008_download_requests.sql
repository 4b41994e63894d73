-- Manual downloads requested from the app (issue 3): the app writes a request, the Dagster sensor
-- `download_requests` claims it (status running) and launches `download_store`, whose op records the
-- outcome. The app role may read and add its tenant's requests, never change them: status, run id,
-- times, summary and error are written by the pipeline's owner role.
create table if not exists app.download_requests (
    request_id      bigserial primary key,
    tenant_id       text not null,
    store_id        text not null,
    since           timestamptz,
    until           timestamptz,
    order_ids       text[] not null default '{}',
    requested_by    text not null,
    requested_at    timestamptz not null default now(),
    status          text not null default 'requested'
                    check (status in ('requested', 'running', 'succeeded', 'failed')),
    dagster_run_id  text,
    started_at      timestamptz,
    finished_at     timestamptz,
    summary         jsonb not null default '{}'::jsonb,
    error           text,
    foreign key (tenant_id, store_id) references app.stores (tenant_id, store_id) on delete cascade,
    check (since is null or until is null or since < until)
);

-- One open request per store (the app says so first; this closes the race between two clicks).
create unique index if not exists download_requests_one_open_idx
    on app.download_requests (tenant_id, store_id) where status in ('requested', 'running');
-- The sensor's lookup of requests to claim, and the Stores page's list per store.
create index if not exists download_requests_requested_idx
    on app.download_requests (requested_at) where status = 'requested';
create index if not exists download_requests_store_idx
    on app.download_requests (tenant_id, store_id, requested_at desc);

alter table app.download_requests enable row level security;
drop policy if exists tenant_isolation on app.download_requests;
create policy tenant_isolation on app.download_requests to oms_app
    using (tenant_id = app.current_tenant()) with check (tenant_id = app.current_tenant());

-- The schema's default privileges would give the app role update too: read and insert only.
revoke all on app.download_requests from oms_app;
grant select, insert on app.download_requests to oms_app;
grant usage on sequence app.download_requests_request_id_seq to oms_app;
