-- Tables the app writes (and the CLI, acting as an admin). Everything here carries who and when.

create table if not exists app.tenants (
    tenant_id           text primary key,
    name                text not null,
    reporting_currency  char(3) not null default 'USD',
    created_at          timestamptz not null default now()
);

create table if not exists app.stores (
    tenant_id     text not null references app.tenants (tenant_id),
    store_id      text not null,
    channel       text not null,
    name          text not null,
    marketplace   text,
    timezone      text not null default 'UTC',
    currency      char(3),
    is_active     boolean not null default true,
    created_at    timestamptz not null default now(),
    created_by    text not null default 'system',
    primary key (tenant_id, store_id)
);

create table if not exists app.users (
    user_id        bigserial primary key,
    tenant_id      text not null references app.tenants (tenant_id),
    email          text not null unique,
    display_name   text not null,
    role           text not null check (role in ('reviewer', 'ops', 'finance', 'admin')),
    password_hash  text not null,
    is_active      boolean not null default true,
    created_at     timestamptz not null default now(),
    created_by     text not null default 'system'
);

create table if not exists app.audit_log (
    audit_id    bigserial primary key,
    tenant_id   text not null,
    user_email  text not null,
    action      text not null,
    entity      text,
    entity_key  text,
    details     jsonb not null default '{}'::jsonb,
    created_at  timestamptz not null default now()
);
create index if not exists audit_log_tenant_idx on app.audit_log (tenant_id, created_at desc);

-- Sign-in happens before a tenant is known, so the app cannot read app.users under row-level
-- security; this function (owned by the migration role) returns the one row asked for.
create or replace function app.user_for_login(p_email text)
returns table (user_id bigint, tenant_id text, email text, display_name text, role text,
               password_hash text, is_active boolean)
language sql stable security definer set search_path = app, pg_temp as $$
    select u.user_id, u.tenant_id, u.email, u.display_name, u.role, u.password_hash, u.is_active
    from app.users u
    where lower(u.email) = lower(p_email)
$$;

create table if not exists quality.pipeline_runs (
    run_id       text primary key,
    trigger      text not null,                -- cli | dagster job | schedule | sensor
    status       text not null check (status in ('running', 'success', 'failure')),
    started_at   timestamptz not null default clock_timestamp(),
    finished_at  timestamptz,
    summary      jsonb not null default '{}'::jsonb,
    error        text
);

create table if not exists quality.check_results (
    check_result_id  bigserial primary key,
    run_id           text,
    check_name       text not null,
    asset            text not null,
    success          boolean not null,
    evaluated_count  integer,
    failed_count     integer,
    details          jsonb not null default '{}'::jsonb,
    checked_at       timestamptz not null default clock_timestamp()
);
create index if not exists check_results_at_idx on quality.check_results (checked_at desc);
