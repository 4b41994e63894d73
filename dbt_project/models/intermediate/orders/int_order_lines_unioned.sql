-- Order lines of every channel in one shape, from the latest version of each line. Each
-- channel's columns are cast to the same types so that the union's branches line up exactly.
-- platform_listing_id is the platform's id of what was sold (Shopify variant_id, Amazon ASIN,
-- Shopee item_id/model_id, Lazada shop_sku, TikTok sku_id, WooCommerce variation_id else
-- product_id, Salla product id; none for manual orders).

with

shopify_lines as (

    select
        {{ order_key_columns('lines') }},
        cast(lines.platform_line_id as text) as platform_line_id,
        cast(lines.platform_sku as text) as platform_sku,
        -- the listing a SKU mapping may name: the variant
        cast(lines.platform_variant_id as text) as platform_listing_id,
        cast(lines.title as text) as title,
        cast(lines.variant_title as text) as variant_title,
        cast(lines.quantity as integer) as quantity,
        cast(lines.currency as text) as currency,
        cast(lines.unit_price_amount as numeric(18, 4)) as unit_price_amount,
        cast(lines.unit_price_amount * lines.quantity as numeric(18, 4)) as line_amount,
        cast(lines.discount_amount as numeric(18, 4)) as discount_amount,
        cast(lines.tax_amount as numeric(18, 4)) as tax_amount,
        -- shipping is an order-level amount on Shopify
        cast(null as numeric(18, 4)) as shipping_amount,
        cast(null as numeric(18, 4)) as shipping_discount_amount,
        cast(null as numeric(18, 4)) as shipping_tax_amount,
        cast(false as boolean) as is_gift_wrapped,
        cast(lines.unit_weight_kg * lines.quantity as numeric(12, 3)) as weight_kg,
        cast(null as text) as line_status,
        cast(null as text) as shipping_carrier,
        -- the lines are part of the order's payload: its hash already covers them
        cast(null as text) as _item_payload_sha256,
        cast(lines._batch_id as bigint) as _batch_id,
        cast(lines._commit_seq as bigint) as _commit_seq
    from {{ ref('stg_shopify__order_lines') }} as lines

),

amazon_lines as (

    select
        {{ order_key_columns('items') }},
        cast(items.platform_line_id as text) as platform_line_id,
        cast(items.platform_sku as text) as platform_sku,
        -- the listing a SKU mapping may name: the ASIN
        cast(items.asin as text) as platform_listing_id,
        cast(items.title as text) as title,
        cast(null as text) as variant_title,
        cast(items.quantity_ordered as integer) as quantity,
        cast(items.currency as text) as currency,
        -- ItemPrice is the unit price times the quantity ordered
        cast(
            case
                when items.quantity_ordered > 0
                    then round(items.item_price_amount / items.quantity_ordered, 4)
            end
            as numeric(18, 4)
        ) as unit_price_amount,
        cast(items.item_price_amount as numeric(18, 4)) as line_amount,
        cast(items.promotion_discount_amount as numeric(18, 4)) as discount_amount,
        cast(items.item_tax_amount as numeric(18, 4)) as tax_amount,
        cast(items.shipping_price_amount as numeric(18, 4)) as shipping_amount,
        cast(items.shipping_discount_amount as numeric(18, 4)) as shipping_discount_amount,
        cast(items.shipping_tax_amount as numeric(18, 4)) as shipping_tax_amount,
        -- Amazon's IsGift marks a gift order (gift message or wrap), not a free promotional line
        cast(coalesce(items.is_gift_order, false) as boolean) as is_gift_wrapped,
        cast(null as numeric(12, 3)) as weight_kg,
        cast(null as text) as line_status,
        cast(null as text) as shipping_carrier,
        cast(items._payload_sha256 as text) as _item_payload_sha256,
        cast(items._batch_id as bigint) as _batch_id,
        cast(items._commit_seq as bigint) as _commit_seq
    from {{ ref('stg_amazon__order_items') }} as items
    -- Items can land before their order (getOrderItems and getOrders files come in any order):
    -- a line exists once its order has landed, and the order's batch then brings it in.
    where exists (
        select 1
        from {{ ref('stg_amazon__order_versions') }} as orders
        where orders.tenant_id = items.tenant_id
            and orders.store_id = items.store_id
            and orders.platform_order_id = items.platform_order_id
    )

),

{#- the channels whose staging gives lines in the common shape (macros/channels.sql) -#}
{%- for channel, from_lines in common_shape_channels() %}

{{ channel }}_lines as (

    select
        {{ order_key_columns('lines') }},
        cast(lines.platform_line_id as text) as platform_line_id,
        cast(lines.platform_sku as text) as platform_sku,
        cast(lines.platform_listing_id as text) as platform_listing_id,
        cast(lines.title as text) as title,
        cast(lines.variant_title as text) as variant_title,
        cast(lines.quantity as integer) as quantity,
        cast(lines.currency as text) as currency,
        cast(lines.unit_price_amount as numeric(18, 4)) as unit_price_amount,
        cast(lines.line_amount as numeric(18, 4)) as line_amount,
        cast(lines.discount_amount as numeric(18, 4)) as discount_amount,
        cast(lines.tax_amount as numeric(18, 4)) as tax_amount,
        cast(null as numeric(18, 4)) as shipping_amount,
        cast(null as numeric(18, 4)) as shipping_discount_amount,
        cast(null as numeric(18, 4)) as shipping_tax_amount,
        cast(false as boolean) as is_gift_wrapped,
        cast(lines.weight_kg as numeric(12, 3)) as weight_kg,
        cast(lines.line_status as text) as line_status,
        {#- a channel that keeps a status per item (Lazada) names the carrier per item too #}
        {%- if from_lines %}
        cast(lines.shipping_carrier as text) as shipping_carrier,
        {%- else %}
        cast(null as text) as shipping_carrier,
        {%- endif %}
        cast(lines._item_payload_sha256 as text) as _item_payload_sha256,
        cast(lines._batch_id as bigint) as _batch_id,
        cast(lines._commit_seq as bigint) as _commit_seq
    from {{ ref('stg_' ~ channel ~ '__order_lines') }} as lines

),
{%- endfor %}

unioned as (

    select * from shopify_lines
    union all
    select * from amazon_lines
    {%- for channel, _ in common_shape_channels() %}
    union all
    select * from {{ channel }}_lines
    {%- endfor %}

),

final as (

    select
        {{ surrogate_key(['tenant_id', 'channel', 'store_id', 'platform_order_id']) }} as order_key,
        {{ surrogate_key(['tenant_id', 'channel', 'store_id', 'platform_order_id', 'platform_line_id']) }}
            as line_key,
        tenant_id,
        channel,
        store_id,
        platform_order_id,
        platform_line_id,
        platform_sku,
        -- the platform's id of what was sold (a variant, ASIN, model, shop SKU...); the seller's
        -- SKU is looked up from platform_sku and this in int_order_lines_sku_mapped
        platform_listing_id,
        title,
        variant_title,
        quantity,
        currency,
        unit_price_amount,
        line_amount,
        discount_amount,
        tax_amount,
        shipping_amount,
        shipping_discount_amount,
        shipping_tax_amount,
        -- a promotion's free line: nothing left to pay for it after its discount
        coalesce(quantity > 0 and line_amount - coalesce(discount_amount, 0) <= 0, false) as is_gift,
        is_gift_wrapped,
        weight_kg,
        line_status,
        shipping_carrier,
        _item_payload_sha256,
        _batch_id,
        _commit_seq
    from unioned

)

select * from final
