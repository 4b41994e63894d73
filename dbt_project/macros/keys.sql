{#- A surrogate key: md5 of the parts joined with '|', e.g.
    order_key = md5(tenant_id || '|' || channel || '|' || store_id || '|' || platform_order_id).
    Every part must be non-null (a null part makes the key null, which the not_null tests catch). -#}
{% macro surrogate_key(parts) -%}
    md5(
    {%- for part in parts %}
        cast({{ part }} as text){% if not loop.last %} || '|' ||{% endif %}
    {%- endfor %}
    )
{%- endmacro %}


{#- The order's keys (tenant_id, channel, store_id, platform_order_id) cast to text, as each
    branch of a union across channels selects them (no trailing comma). `alias` qualifies the
    columns when the branch reads more than one relation. -#}
{% macro order_key_columns(alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    cast({{ prefix }}tenant_id as text) as tenant_id,
        cast({{ prefix }}channel as text) as channel,
        cast({{ prefix }}store_id as text) as store_id,
        cast({{ prefix }}platform_order_id as text) as platform_order_id
{%- endmacro %}
