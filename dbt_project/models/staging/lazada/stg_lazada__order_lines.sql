-- The lines of each Lazada order in the common line shape: one per order item (Lazada sends one
-- item per unit, each with its own status and tracking code), for orders that have landed. Items
-- can land before their order; they appear once the order has (its batch then touches them).

with

items as (

    select * from {{ ref('stg_lazada__order_items') }}

),

renamed as (

    select
        -- ids
        items.tenant_id,
        items.store_id,
        items.channel,
        items.platform_order_id,
        items.platform_line_id,
        -- Lazada's own SKU of the listing (shop_sku), what a SKU mapping may name
        items.shop_sku as platform_listing_id,

        -- strings
        items.platform_sku,
        items.title,
        items.variant_title,
        items.item_status as line_status,
        items.shipment_provider as shipping_carrier,

        -- numerics: one unit per item; the discount is what the buyer did not pay of the price
        cast(1 as integer) as quantity,
        items.currency,
        items.item_price_amount as unit_price_amount,
        items.item_price_amount as line_amount,
        greatest(coalesce(items.item_price_amount - items.paid_price_amount, 0), 0) as discount_amount,
        items.tax_amount,
        cast(null as numeric) as weight_kg,

        -- lineage
        items._payload_sha256 as _item_payload_sha256,
        items._batch_id,
        items._commit_seq

    from items
    where exists (
        select 1
        from {{ ref('stg_lazada__order_versions') }} as orders
        where orders.tenant_id = items.tenant_id
            and orders.store_id = items.store_id
            and orders.platform_order_id = items.platform_order_id
    )

)

select * from renamed
