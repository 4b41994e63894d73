-- The lines of each manual order (order_doc.lines[]: sku, title, quantity, unit_price).

with

source as (

    {{ order_line_items(ref('stg_manual__orders'), item='line') }}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        channel,
        platform_order_id,
        cast('line-' || line_number as text) as platform_line_id,
        -- typed in by the seller: there is no platform listing, only the SKU
        cast(null as text) as platform_listing_id,

        -- strings
        {{ clean_text("line ->> 'sku'") }} as platform_sku,
        {{ clean_text("line ->> 'title'") }} as title,
        cast(null as text) as variant_title,
        cast(null as text) as line_status,

        -- numerics
        {{ to_int("line ->> 'quantity'") }} as quantity,
        currency,
        {{ to_money("line ->> 'unit_price'") }} as unit_price_amount,
        {{ to_money("line ->> 'unit_price'") }} * {{ to_int("line ->> 'quantity'") }} as line_amount,
        cast(0 as numeric(18, 4)) as discount_amount,
        cast(null as numeric(18, 4)) as tax_amount,
        cast(null as numeric) as weight_kg,

        -- lineage
        cast(null as text) as _item_payload_sha256,
        _batch_id,
        _commit_seq

    from source

)

select * from renamed
