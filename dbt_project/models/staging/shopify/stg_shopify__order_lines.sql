-- The lines of the latest version of each Shopify order (line_items[]), typed.

with

source as (

    {{ order_line_items(ref('stg_shopify__orders'), item='line_item') }}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        channel,
        platform_order_id,
        coalesce({{ clean_text("line_item ->> 'id'") }}, 'line-' || line_number) as platform_line_id,
        {{ clean_text("line_item ->> 'product_id'") }} as platform_product_id,
        {{ clean_text("line_item ->> 'variant_id'") }} as platform_variant_id,
        cast(line_number as integer) as line_number,

        -- strings
        {{ clean_text("line_item ->> 'sku'") }} as platform_sku,
        {{ clean_text("line_item ->> 'title'") }} as title,
        {{ clean_text("line_item ->> 'variant_title'") }} as variant_title,
        lower(line_item ->> 'fulfillment_status') as fulfillment_status,

        -- numerics
        {{ to_int("line_item ->> 'quantity'") }} as quantity,
        currency,
        {{ to_money("line_item ->> 'price'") }} as unit_price_amount,
        coalesce(
            (
                select sum({{ to_money("allocations.allocation ->> 'amount'") }})
                from jsonb_array_elements({{ json_array("line_item -> 'discount_allocations'") }})
                    as allocations (allocation)
            ),
            {{ to_money("line_item ->> 'total_discount'") }},
            0
        ) as discount_amount,
        coalesce(
            (
                select sum({{ to_money("tax_lines.tax_line ->> 'price'") }})
                from jsonb_array_elements({{ json_array("line_item -> 'tax_lines'") }})
                    as tax_lines (tax_line)
            ),
            0
        ) as tax_amount,
        cast({{ to_int("line_item ->> 'grams'") }} as numeric) / 1000 as unit_weight_kg,

        -- booleans
        {{ to_bool("line_item ->> 'requires_shipping'") }} as requires_shipping,

        -- version lineage (the lines live inside the order's payload)
        _batch_id,
        _commit_seq

    from source

)

select * from renamed
