-- The lines of the latest version of each Shopee order (item_list[]): one per order item. The
-- price paid is model_discounted_price; the difference to model_original_price is the discount.

with

source as (

    {{ order_line_items(ref('stg_shopee__orders')) }}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        channel,
        platform_order_id,
        -- item/model, plus order_item_id when sent: the same model can come twice in one order
        -- (an add-on deal or a second promotion), each its own line.
        coalesce(
            {{ clean_text("item ->> 'item_id'") }} || '/' || coalesce({{ clean_text("item ->> 'model_id'") }}, '0')
            || coalesce('/' || {{ clean_text("item ->> 'order_item_id'") }}, ''),
            'line-' || line_number
        ) as platform_line_id,

        -- the listing: item/model (model 0 when the item has no models), what a SKU mapping may name
        {{ clean_text("item ->> 'item_id'") }} || '/' || coalesce({{ clean_text("item ->> 'model_id'") }}, '0')
            as platform_listing_id,

        -- strings
        coalesce({{ clean_text("item ->> 'model_sku'") }}, {{ clean_text("item ->> 'item_sku'") }}) as platform_sku,
        {{ clean_text("item ->> 'item_name'") }} as title,
        {{ clean_text("item ->> 'model_name'") }} as variant_title,
        cast(null as text) as line_status,

        -- numerics
        {{ to_int("item ->> 'model_quantity_purchased'") }} as quantity,
        currency,
        coalesce(
            {{ to_money("item ->> 'model_original_price'") }},
            {{ to_money("item ->> 'model_discounted_price'") }}
        ) as unit_price_amount,
        coalesce(
            {{ to_money("item ->> 'model_original_price'") }},
            {{ to_money("item ->> 'model_discounted_price'") }}
        ) * {{ to_int("item ->> 'model_quantity_purchased'") }} as line_amount,
        greatest(
            coalesce(
                {{ to_money("item ->> 'model_original_price'") }}
                - {{ to_money("item ->> 'model_discounted_price'") }},
                0
            ),
            0
        ) * {{ to_int("item ->> 'model_quantity_purchased'") }} as discount_amount,
        cast(null as numeric(18, 4)) as tax_amount,
        {{ to_money("item ->> 'weight'") }} * {{ to_int("item ->> 'model_quantity_purchased'") }} as weight_kg,

        -- lineage (the items live inside the order's payload)
        cast(null as text) as _item_payload_sha256,
        _batch_id,
        _commit_seq

    from source

)

select * from renamed
