-- Every landed version of every Amazon order item (getOrderItems' OrderItem), typed. The payload
-- is read once with jsonb_to_record (see stg_shopify__order_versions).

with

source as (

    {% call committed_raw_versions(source('raw', 'amazon_order_items'), 'items', extra_columns=['parent_key']) -%}
        "OrderItemId" text,
        "ASIN" text,
        "SellerSKU" text,
        "Title" text,
        "ConditionId" text,
        "QuantityOrdered" text,
        "QuantityShipped" text,
        "ItemPrice" jsonb,
        "ItemTax" jsonb,
        "PromotionDiscount" jsonb,
        "ShippingPrice" jsonb,
        "ShippingTax" jsonb,
        "ShippingDiscount" jsonb,
        "CODFee" jsonb,
        "CODFeeDiscount" jsonb,
        "IsGift" text
    {%- endcall %}

),

renamed as (

    select
        -- ids
        tenant_id,
        store_id,
        cast('amazon' as text) as channel,
        parent_key as platform_order_id,
        natural_key as platform_item_key,
        coalesce({{ clean_text('"OrderItemId"') }}, split_part(natural_key, '/', 2)) as platform_line_id,
        {{ clean_text('"ASIN"') }} as asin,

        -- strings
        {{ clean_text('"SellerSKU"') }} as platform_sku,
        {{ clean_text('"Title"') }} as title,
        {{ clean_text('"ConditionId"') }} as condition_id,

        -- numerics: every amount is a Money {CurrencyCode, Amount (a string)}; ItemPrice is the
        -- unit price times the quantity; Pending orders' items carry no pricing at all
        {{ to_int('"QuantityOrdered"') }} as quantity_ordered,
        {{ to_int('"QuantityShipped"') }} as quantity_shipped,
        upper(coalesce(
            {{ clean_text('"ItemPrice" ->> \'CurrencyCode\'') }},
            {{ clean_text('"ShippingPrice" ->> \'CurrencyCode\'') }},
            {{ clean_text('"ItemTax" ->> \'CurrencyCode\'') }}
        )) as currency,
        {{ to_money('"ItemPrice" ->> \'Amount\'') }} as item_price_amount,
        {{ to_money('"ItemTax" ->> \'Amount\'') }} as item_tax_amount,
        {{ to_money('"PromotionDiscount" ->> \'Amount\'') }} as promotion_discount_amount,
        {{ to_money('"ShippingPrice" ->> \'Amount\'') }} as shipping_price_amount,
        {{ to_money('"ShippingTax" ->> \'Amount\'') }} as shipping_tax_amount,
        {{ to_money('"ShippingDiscount" ->> \'Amount\'') }} as shipping_discount_amount,
        {{ to_money('"CODFee" ->> \'Amount\'') }} as cod_fee_amount,
        {{ to_money('"CODFeeDiscount" ->> \'Amount\'') }} as cod_fee_discount_amount,

        -- booleans: IsGift arrives as the string "true"/"false"
        {{ to_bool('"IsGift"') }} as is_gift_order,

        -- version lineage
        {{ version_lineage_columns() }}

    from source

)

select * from renamed
