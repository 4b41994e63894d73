-- The admin Users page lists the tenant's users: the app role may read every column of
-- app.users but the password hash (row-level security already limits rows to the tenant).
grant select (user_id, tenant_id, email, display_name, role, is_active, created_at, created_by)
    on app.users to oms_app;
