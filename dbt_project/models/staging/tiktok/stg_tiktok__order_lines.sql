-- The lines of the latest version of each TikTok Shop order. TikTok sends one line_items[] entry
-- per unit; they are folded into one line per SKU (seller_sku, else sku_id): quantity = the number
-- of units, amounts summed, the unit price = the summed price / quantity. A unit normalisation,
-- like a unit conversion, so it is done here rather than in intermediate.

with

orders as (

    select * from {{ ref('stg_tiktok__orders') }}

),

units as (

    select
        orders.tenant_id,
        orders.store_id,
        orders.channel,
        orders.platform_order_id,
        orders.currency as order_currency,
        orders._batch_id,
        orders._commit_seq,
        coalesce(
            {{ clean_text("units.unit ->> 'seller_sku'") }},
            {{ clean_text("units.unit ->> 'sku_id'") }},
            {{ clean_text("units.unit ->> 'id'") }},
            'line-' || units.unit_number
        ) as fold_key,
        units.unit,
        units.unit_number
    from orders
    cross join lateral jsonb_array_elements(orders.line_items) with ordinality as units (unit, unit_number)

),

folded as (

    select
        -- ids
        tenant_id,
        store_id,
        channel,
        platform_order_id,
        fold_key as platform_line_id,
        -- TikTok's id of the SKU (sku_id), what a SKU mapping may name
        min({{ clean_text("unit ->> 'sku_id'") }}) as platform_listing_id,

        -- strings
        min({{ clean_text("unit ->> 'seller_sku'") }}) as platform_sku,
        min({{ clean_text("unit ->> 'product_name'") }}) as title,
        min({{ clean_text("unit ->> 'sku_name'") }}) as variant_title,
        cast(null as text) as line_status,

        -- numerics
        cast(count(*) as integer) as quantity,
        coalesce(min(upper({{ clean_text("unit ->> 'currency'") }})), min(order_currency)) as currency,
        round(
            sum(coalesce({{ to_money("unit ->> 'original_price'") }}, {{ to_money("unit ->> 'sale_price'") }}))
            / count(*),
            4
        ) as unit_price_amount,
        sum(coalesce({{ to_money("unit ->> 'original_price'") }}, {{ to_money("unit ->> 'sale_price'") }}))
            as line_amount,
        cast(
            sum(
                coalesce({{ to_money("unit ->> 'seller_discount'") }}, 0)
                + coalesce({{ to_money("unit ->> 'platform_discount'") }}, 0)
            )
            as numeric(18, 4)
        ) as discount_amount,
        cast(null as numeric(18, 4)) as tax_amount,
        cast(null as numeric) as weight_kg,

        -- lineage (the lines live inside the order's payload)
        cast(null as text) as _item_payload_sha256,
        min(_batch_id) as _batch_id,
        min(_commit_seq) as _commit_seq

    from units
    group by tenant_id, store_id, channel, platform_order_id, fold_key

)

select * from folded
