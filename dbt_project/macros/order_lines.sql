{#- The `source` CTE of a `stg_<source>__order_lines` model whose lines live inside the latest
    order's payload: one row per element of the order's `line_items` JSON array, with the order's
    keys, currency and lineage beside it and the element's 1-based position as `line_number`
    (the fallback line id when a channel sends none).

        source as (

            {{ order_line_items(ref('stg_salla__orders')) }}

        ),

    `item` names the element's column (default `item`). -#}
{% macro order_line_items(orders_relation, item='item') -%}
    select
        orders.tenant_id,
        orders.store_id,
        orders.channel,
        orders.platform_order_id,
        orders.currency,
        orders._batch_id,
        orders._commit_seq,
        items.{{ item }},
        items.line_number
    from {{ orders_relation }} as orders
    cross join lateral jsonb_array_elements(orders.line_items) with ordinality as items ({{ item }}, line_number)
{%- endmacro %}
