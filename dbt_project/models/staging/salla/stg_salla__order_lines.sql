-- The lines of the latest version of each Salla order (data.items[]); amounts are
-- {amount, currency} objects: price_without_tax is the unit price, total the line's.

with

source as (

    {{ order_line_items(ref('stg_salla__orders')) }}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        channel,
        platform_order_id,
        coalesce({{ clean_text("item ->> 'id'") }}, 'line-' || line_number) as platform_line_id,
        -- the listing: the item's product id (product_id, or product.id), when Salla sends it
        coalesce({{ clean_text("item ->> 'product_id'") }}, {{ clean_text("item -> 'product' ->> 'id'") }})
            as platform_listing_id,

        -- strings
        {{ clean_text("item ->> 'sku'") }} as platform_sku,
        {{ clean_text("item ->> 'name'") }} as title,
        cast(null as text) as variant_title,
        cast(null as text) as line_status,

        -- numerics
        {{ to_int("item ->> 'quantity'") }} as quantity,
        currency,
        {{ amount_of("(item -> 'amounts' -> 'price_without_tax')") }} as unit_price_amount,
        {{ amount_of("(item -> 'amounts' -> 'price_without_tax')") }} * {{ to_int("item ->> 'quantity'") }}
            as line_amount,
        coalesce({{ amount_of("(item -> 'amounts' -> 'total_discount')") }}, 0) as discount_amount,
        coalesce(
            {{ amount_of("(item -> 'amounts' -> 'tax' -> 'amount')") }},
            {{ amount_of("(item -> 'amounts' -> 'tax')") }}
        ) as tax_amount,
        {{ to_money("item ->> 'weight'") }} * {{ to_int("item ->> 'quantity'") }} as weight_kg,

        -- lineage (the lines live inside the order's payload)
        cast(null as text) as _item_payload_sha256,
        _batch_id,
        _commit_seq

    from source

)

select * from renamed
