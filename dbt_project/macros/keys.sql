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

