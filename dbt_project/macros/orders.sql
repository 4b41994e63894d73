{#- The buyer and ship-to columns of an order, cast to text, as each channel's branch of
    int_orders_unioned selects them: staging already gives every channel these columns under
    these names (raw text as sent; phones are normalised later). No trailing comma. -#}
{% macro buyer_and_ship_to_columns(alias) -%}
    cast({{ alias }}.buyer_name as text) as buyer_name,
        cast({{ alias }}.buyer_phone_raw as text) as buyer_phone_raw,
        cast({{ alias }}.buyer_email as text) as buyer_email,
        cast({{ alias }}.ship_country as text) as ship_country,
        cast({{ alias }}.ship_province as text) as ship_province,
        cast({{ alias }}.ship_city as text) as ship_city,
        cast({{ alias }}.ship_district as text) as ship_district,
        cast({{ alias }}.ship_postal_code as text) as ship_postal_code,
        cast({{ alias }}.address_lines as text) as address_lines
{%- endmacro %}


{#- The version columns that end each channel's branch of int_orders_unioned (no trailing comma):
    the latest version's landing time and batch, and `version` = md5 of the order payload hash and
    the item payload hashes (DECISIONLOG.md, "The order time and the canonical order"). Reads the
    order as `alias` and the line totals of `join_order_line_totals` as `lines_alias`. -#}
{% macro order_version_columns(alias='orders', lines_alias='lines') -%}
    cast({{ alias }}._landed_at as timestamptz) as landed_at,
        cast({{ alias }}._batch_id as bigint) as batch_id,
        cast(md5({{ alias }}._payload_sha256 || '|' || coalesce({{ lines_alias }}.item_payload_hashes, '')) as text) as version
{%- endmacro %}


{#- The per-order line figures of one channel, left-joined to its orders (aliased `orders`) as
    `lines` on the order keys: a grouped subquery rather than an import CTE, so that a filter on an
    order's keys reaches the indexes underneath (see int_orders_unioned). Every channel gets
    line_count, unit_count and item_payload_hashes; the call block lists the channel's further
    aggregates over `order_lines`, each with its trailing comma:

        {% call join_order_line_totals(ref('int_order_lines_unioned'), 'shopify') -%}
            sum(order_lines.line_amount) as items_amount,
        {%- endcall %} -#}
{% macro join_order_line_totals(order_lines_relation, channel) -%}
    left join (
        select
            order_lines.tenant_id,
            order_lines.store_id,
            order_lines.platform_order_id,
            count(*) as line_count,
            sum(order_lines.quantity) as unit_count,
            {{ caller() | trim }}
            string_agg(order_lines._item_payload_sha256, ',' order by order_lines.platform_line_id)
                as item_payload_hashes
        from {{ order_lines_relation }} as order_lines
        where order_lines.channel = '{{ channel }}'
        group by 1, 2, 3
    ) as lines
        on lines.tenant_id = orders.tenant_id
        and lines.store_id = orders.store_id
        and lines.platform_order_id = orders.platform_order_id
{%- endmacro %}
