-- The app's least-privileged role: reads marts and reference, writes app only, and sees one
-- tenant's rows (row-level security keyed on the session setting app.tenant_id).
-- The password is set by warehouse.migrate from settings.app_db_password().
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'oms_app') then
        create role oms_app login nosuperuser nocreatedb nocreaterole noinherit;
    end if;
end $$;

revoke all on schema raw, staging, intermediate, quality from oms_app;
grant usage on schema marts, reference, app to oms_app;
grant select on all tables in schema marts, reference to oms_app;
alter default privileges in schema marts grant select on tables to oms_app;
alter default privileges in schema reference grant select on tables to oms_app;

grant select, insert, update on all tables in schema app to oms_app;
grant usage on all sequences in schema app to oms_app;
alter default privileges in schema app grant select, insert, update on tables to oms_app;
alter default privileges in schema app grant usage on sequences to oms_app;
revoke update, delete on app.audit_log from oms_app;
revoke all on app.users from oms_app;
grant execute on function app.user_for_login(text) to oms_app;

create or replace function app.current_tenant() returns text
language sql stable as $$ select nullif(current_setting('app.tenant_id', true), '') $$;

-- Row-level security on every app table that holds tenant data.
do $$
declare t text;
begin
    foreach t in array array['tenants', 'stores', 'users', 'audit_log'] loop
        execute format('alter table app.%I enable row level security', t);
        execute format('drop policy if exists tenant_isolation on app.%I', t);
        execute format('create policy tenant_isolation on app.%I to oms_app '
                       'using (tenant_id = app.current_tenant()) '
                       'with check (tenant_id = app.current_tenant())', t);
    end loop;
end $$;
