{#- The canonical order status, defined once: a join to the tenant's own status mappings
    (app.status_mappings, in effect: stg_app__status_mappings) and to the channel's mapping seed
    (reference.channel_status_map); the tenant's mapping wins. Use it as a join clause, then read
    canonical_status(alias): an unmapped status (neither maps it) is the status `exception` with
    the exception type `unmapped_status` (status_is_unmapped), never a guess.
    Platform statuses match exactly (Amazon's `Canceled` and its newer API's `CANCELLED` are two
    rows); staging has already trimmed them. -#}
{% macro canonical_status_join(tenant_id, channel, platform_status, alias='status_map') -%}
    left join {{ ref('stg_app__status_mappings') }} as {{ alias }}_tenant
        on {{ alias }}_tenant.tenant_id = {{ tenant_id }}
        and {{ alias }}_tenant.channel = {{ channel }}
        and {{ alias }}_tenant.platform_status = {{ platform_status }}
    left join {{ ref('channel_status_map') }} as {{ alias }}
        on {{ alias }}.channel = {{ channel }}
        and {{ alias }}.platform_status = {{ platform_status }}
{%- endmacro %}


{#- The canonical status after a canonical_status_join (see above). -#}
{% macro canonical_status(alias='status_map') -%}
    coalesce({{ alias }}_tenant.status, {{ alias }}.status, 'exception')
{%- endmacro %}


{#- Whether neither the tenant nor the seed maps the status. -#}
{% macro status_is_unmapped(alias='status_map') -%}
    ({{ alias }}_tenant.status is null and {{ alias }}.status is null)
{%- endmacro %}


{#- The seed's exception type for a status that needs a person (e.g. Amazon `Unfulfillable`),
    unless the tenant has mapped the status itself. -#}
{% macro status_exception_type(alias='status_map') -%}
    case when {{ alias }}_tenant.status is null then nullif({{ alias }}.exception_type, '') end
{%- endmacro %}
