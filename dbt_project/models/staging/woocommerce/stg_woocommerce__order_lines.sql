-- The lines of the latest version of each WooCommerce order (line_items[]). `price` is the unit
-- price as a JSON number; `subtotal` (before discounts), `total` and `total_tax` are strings.

with

source as (

    {{ order_line_items(ref('stg_woocommerce__orders')) }}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        channel,
        platform_order_id,
        coalesce({{ clean_text("item ->> 'id'") }}, 'line-' || line_number) as platform_line_id,
        -- the listing: the variation, else the product (WooCommerce sends 0 for none)
        coalesce(
            nullif({{ clean_text("item ->> 'variation_id'") }}, '0'),
            nullif({{ clean_text("item ->> 'product_id'") }}, '0')
        ) as platform_listing_id,

        -- strings
        {{ clean_text("item ->> 'sku'") }} as platform_sku,
        {{ clean_text("item ->> 'name'") }} as title,
        cast(null as text) as variant_title,
        cast(null as text) as line_status,

        -- numerics
        {{ to_int("item ->> 'quantity'") }} as quantity,
        currency,
        {{ to_money("item ->> 'price'") }} as unit_price_amount,
        coalesce(
            {{ to_money("item ->> 'subtotal'") }},
            {{ to_money("item ->> 'price'") }} * {{ to_int("item ->> 'quantity'") }}
        ) as line_amount,
        greatest(
            coalesce({{ to_money("item ->> 'subtotal'") }} - {{ to_money("item ->> 'total'") }}, 0),
            0
        ) as discount_amount,
        {{ to_money("item ->> 'total_tax'") }} as tax_amount,
        cast(null as numeric) as weight_kg,

        -- lineage (the lines live inside the order's payload)
        cast(null as text) as _item_payload_sha256,
        _batch_id,
        _commit_seq

    from source

)

select * from renamed
