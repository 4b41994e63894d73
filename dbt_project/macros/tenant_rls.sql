{#- Row-level security for a tenant mart, as a post-hook: the app's role sees only the rows of the
    tenant it set with set_config('app.tenant_id', ...), and nothing when it set none. The owner
    (dbt, the pipeline) is not subject to the policy. Runs inside the model's transaction, so a
    rebuilt table is never visible without its policy. -#}
{% macro tenant_rls(app_role='oms_app') -%}
    alter table {{ this }} enable row level security;
    drop policy if exists tenant_isolation on {{ this }};
    create policy tenant_isolation on {{ this }}
        for select to {{ app_role }}
        using (tenant_id = app.current_tenant());
    grant select on {{ this }} to {{ app_role }}
{%- endmacro %}
