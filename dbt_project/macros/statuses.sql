{#- The canonical order status, defined once: a join to the channel's mapping seed
    (reference.channel_status_map). Use it as a join clause, then read `<alias>.status`:
    null means the channel's status is not mapped, which the caller turns into the status
    `exception` with the exception type `unmapped_status`, never into a guess.
    Platform statuses match exactly (Amazon's `Canceled` and its newer API's `CANCELLED` are two
    rows); staging has already trimmed them. -#}
{% macro canonical_status_join(channel, platform_status, alias='status_map') -%}
    left join {{ ref('channel_status_map') }} as {{ alias }}
        on {{ alias }}.channel = {{ channel }}
        and {{ alias }}.platform_status = {{ platform_status }}
{%- endmacro %}


{#- The canonical status after a canonical_status_join (see above). -#}
{% macro canonical_status(alias='status_map') -%}
    coalesce({{ alias }}.status, 'exception')
{%- endmacro %}
